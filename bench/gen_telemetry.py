#!/usr/bin/env python3
"""gen_telemetry.py - write realistic verifier telemetry JSONL for benchmarks.

usage: gen_telemetry.py OUT SIZE_MB [SEED]

Records follow DESIGN.md's telemetry record (LeanVerificationTelemetry):
volatile fields (verification_id, timestamp, metadata.worker), floats with
many decimals (duration_ms, cpu_time_ms, memory_peak_mb), a tactics object,
stderr tails with non-ASCII text and escapes. Written the way a Python
producer would (json.dumps, ensure_ascii=False), deterministic for a seed.
"""
import json
import random
import sys

OUTCOMES = [
    ("verified", 70), ("proof_invalid", 12), ("verifier_timeout", 5),
    ("deterministic_timeout", 4), ("resource_exhausted", 3),
    ("verifier_crash", 2), ("module_not_found", 2), ("engine_error", 2),
]
TIERS = [("fast", 30), ("balanced", 60), ("slow", 120)]
AREAS = ["Algebra", "Analysis", "Topology", "NumberTheory", "Order", "Data",
         "CategoryTheory", "MeasureTheory", "LinearAlgebra", "Combinatorics"]
SUBS = ["Group", "Ring", "Field", "Basic", "Lemmas", "Defs", "Instances",
        "Finset", "Polynomial", "Filter", "Real", "Nat", "List", "Matrix"]
TACTICS = ["simp", "ring", "linarith", "omega", "norm_num", "exact?",
           "aesop", "rw", "intro", "apply", "field_simp", "nlinarith", "gcongr"]
STDERR = [
    "",
    "",
    "",
    "error: unsolved goals\ncase h\n\u22a2 \u2200 \u03b5 > 0, \u2203 \u03b4 > 0, |x - y| < \u03b4 \u2192 |f x - f y| < \u03b5",
    "error: type mismatch\n  h\nhas type\n  a \u2264 b : Prop\nbut is expected to have type\n  a < b : Prop",
    "error: (deterministic) timeout at 'whnf', maximum number of heartbeats (200000) has been reached",
    "error: maximum recursion depth has been reached\nuse `set_option maxRecDepth <num>` to increase limit",
    "unknown module prefix 'Mathlib.Foo'\n\tNo directory 'Mathlib/Foo' or file 'Mathlib/Foo.olean' in the search path",
    "warning: declaration uses 'sorry'\n\"quoted\" \\ backslash \u00e9t\u00e9 \u00fcber na\u00efve",
    "INTERNAL PANIC: out of memory \u26a0\ufe0f \U0001f4a5",
]


def weighted(rng, items):
    total = sum(w for _, w in items)
    r = rng.uniform(0, total)
    for v, w in items:
        r -= w
        if r <= 0:
            return v
    return items[-1][0]


def main():
    out, size_mb = sys.argv[1], float(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 42)
    limit = int(size_mb * 1024 * 1024)
    master = rng.getrandbits(64)
    modules = ["Mathlib.%s.%s.%s" % (rng.choice(AREAS), rng.choice(SUBS), rng.choice(SUBS))
               for _ in range(5000)]
    written = 0
    i = 0
    ts = 1718000000.0
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    with open(out, "w", encoding="utf-8") as f:
        lines = []
        while written < limit:
            tier, timeout = TIERS[i % 3]
            outcome = weighted(rng, OUTCOMES)
            ts += rng.uniform(0.001, 0.05)
            dur = rng.lognormvariate(7.0, 1.2)
            if outcome == "verifier_timeout":
                dur = timeout * 1000.0 + rng.uniform(0, 250)
            crash = outcome == "verifier_crash"
            tactics = {t: rng.randint(1, 40) for t in rng.sample(TACTICS, rng.randint(0, 6))}
            rec = {
                "verification_id": "%08x-%04x-4%03x-%04x-%012x" % (
                    rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                    0x8000 | rng.getrandbits(14), rng.getrandbits(48)),
                "timestamp": ts,
                "module_name": modules[rng.randrange(len(modules))],
                "context": "theorem_%d" % rng.randrange(100000),
                "tier": tier,
                "timeout_s": timeout,
                "outcome": outcome,
                "success": outcome == "verified",
                "duration_ms": dur,
                "cpu_time_ms": dur * rng.uniform(0.6, 1.0),
                "memory_peak_mb": rng.uniform(150, 4000),
                "exit_code": 0 if outcome == "verified" else (None if crash else 1),
                "signal": 11 if crash else None,
                "tactics": tactics,
                "stderr_tail": "" if outcome == "verified" else rng.choice(STDERR),
                "metadata": {
                    "master_seed": str(master),
                    "task_seed": str(rng.getrandbits(64)),
                    "task_index": i,
                    "worker": rng.randrange(16),
                    "engine": "sim-verifier",
                    "engine_version": "0.1.0",
                },
            }
            line = dumps(rec) + "\n"
            lines.append(line)
            written += len(line.encode("utf-8"))
            i += 1
            if len(lines) >= 10000:
                f.write("".join(lines))
                lines = []
        f.write("".join(lines))
    print("%s: %d records, %.1f MB" % (out, i, written / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
