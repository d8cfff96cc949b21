#!/usr/bin/env python3
"""bench/gen_ticks.py - per-tick telemetry files in the users' engine format.

usage: gen_ticks.py DIR RUNS TICKS SEED

Writes DIR/<profile>_r<NNN>.jsonl for the profiles conservative, balanced and
aggressive, RUNS files each, one JSON object per tick with the keys the
users' engine writes (basis_usd, dollar_delta_usd, kill_switch, pnl_realised,
pnl_total, pnl_unrealised, q_global_tao, risk_regime, t), written with
Python's json module like the users' tools. A run stops after its kill row,
as the engine does. Stand-alone (no engine): a seeded random walk whose only
purpose is realistic condense input; one run per profile has a NaN
pnl_total tick (json writes the token NaN), so both condensers meet one.
"""
import json
import os
import random
import sys

PROFILES = {  # step sigma, warning / hard thresholds, loss limit
    "conservative": (6.0, 400.0, 800.0, 2000.0),
    "balanced": (10.0, 700.0, 1400.0, 4000.0),
    "aggressive": (16.0, 1200.0, 2400.0, 8000.0),
}


def run(path, rng, ticks, profile, nan_at):
    sigma, warn, hard, limit = PROFILES[profile]
    pnl_r = 0.0
    q = 0.0
    with open(path, "w") as fp:
        for t in range(ticks):
            q += rng.gauss(0, 0.2)
            pnl_r += rng.gauss(0.05, sigma)
            unreal = q * rng.gauss(0, sigma)
            total = pnl_r + unreal
            delta = q * 420.0 + rng.gauss(0, 5)
            regime = "Normal"
            if abs(delta) > hard or total < -limit * 0.1:
                regime = "HardLimit"
            elif abs(delta) > warn or total < -limit * 0.05:
                regime = "Warning"
            kill = regime == "HardLimit" and total <= -limit * 0.15
            row = {
                "basis_usd": rng.gauss(0, 2.5),
                "dollar_delta_usd": delta,
                "kill_switch": kill,
                "pnl_realised": pnl_r,
                "pnl_total": float("nan") if t == nan_at else total,
                "pnl_unrealised": unreal,
                "q_global_tao": q,
                "risk_regime": regime,
                "t": t,
            }
            fp.write(json.dumps(row) + "\n")
            if kill:
                break


def main():
    out, runs, ticks, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    for profile in PROFILES:
        for r in range(runs):
            nan_at = 5 if r == 1 else -1
            run(os.path.join(out, "%s_r%03d.jsonl" % (profile, r)), rng, ticks, profile, nan_at)


if __name__ == "__main__":
    main()
