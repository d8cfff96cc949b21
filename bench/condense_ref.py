#!/usr/bin/env python3
"""bench/condense_ref.py - the default condense in pandas, in one process.

usage: condense_ref.py FILE...

The users' condensing semantics (issue 10) written the way a pandas user
would: each file's lines through json.loads (which reads the NaN/Infinity
tokens Python writes), a DataFrame, then the metrics. Prints one JSON row
per file with the metrics `harness condense --json` writes (non-finite
numbers as null), and on stderr the seconds spent condensing (after the
imports), so bench/series.sh can report both.
"""
import json
import math
import sys
import time

import numpy as np
import pandas as pd

LABELS = (("frac_normal", "Normal"), ("frac_warning", "Warning"), ("frac_hard", "HardLimit"))


def condense(path):
    with open(path) as fp:
        rows = [json.loads(line) for line in fp if line.strip()]
    if not rows:
        raise ValueError("%s: no telemetry rows (the file is empty)" % path)
    if any("pnl_total" not in r for r in rows):
        raise ValueError("%s: a row has no 'pnl_total'" % path)
    df = pd.DataFrame(rows)
    pnl = pd.to_numeric(df["pnl_total"], errors="raise").astype(float)
    finite = pnl[np.isfinite(pnl)]
    dd = float((finite.cummax() - finite).max()) if len(finite) else 0.0
    out = {
        "num_ticks": len(df),
        "final_pnl": float(pnl.iloc[-1]),
        "max_pnl": float(pnl.max()),
        "min_pnl": float(pnl.min()),
        "max_drawdown": dd,
    }
    regime = df["risk_regime"].dropna() if "risk_regime" in df else pd.Series([], dtype=object)
    for name, label in LABELS:
        out[name] = float((regime == label).mean()) if len(regime) else None
    if "kill_switch" in df:
        kill = df["kill_switch"].fillna(False).astype(bool)
    else:
        kill = pd.Series(False, index=df.index)
    out["kill_switch"] = bool(kill.any())
    out["time_to_kill"] = int(df["t"][kill].iloc[0]) if kill.any() else None
    return out


def clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def main():
    start = time.perf_counter()
    lines = []
    for path in sys.argv[1:]:
        row = {k: clean(v) for k, v in condense(path).items()}
        row["telemetry"] = path
        lines.append(json.dumps(row, sort_keys=True, separators=(",", ":")))
    spent = time.perf_counter() - start
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stderr.write("condense_seconds %.6f\n" % spent)


if __name__ == "__main__":
    main()
