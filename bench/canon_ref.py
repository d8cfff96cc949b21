#!/usr/bin/env python3
"""canon_ref.py - the source documents' telemetry canonicalizer, per line.

usage: canon_ref.py [FILE]   (stdin when absent; canonical JSONL to stdout)

What calibration-runner-plan.md section 10.1 does (pop verification_id and
timestamp, round the float fields to 2 with round(), sort keys), plus
metadata.worker as the harness profile strips it, serialized compactly:
json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False).
Straightforward on purpose: it is the baseline `harness canon` is measured
against. Its number format is Python's repr (12.0, 1e-07), not RFC 8785's.
"""
import json
import sys

ROUND = ("duration_ms", "cpu_time_ms", "memory_peak_mb", "memory_final_mb")


def main():
    src = open(sys.argv[1], "r", encoding="utf-8") if len(sys.argv) > 1 else sys.stdin
    out = sys.stdout
    loads = json.loads
    dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
    buf = []
    for line in src:
        if not line.strip():
            continue
        rec = loads(line)
        rec.pop("verification_id", None)
        rec.pop("timestamp", None)
        meta = rec.get("metadata")
        if isinstance(meta, dict):
            meta.pop("worker", None)
        for key in ROUND:
            if key in rec and rec[key] is not None:
                rec[key] = round(rec[key], 2)
        buf.append(dumps(rec))
        if len(buf) >= 4096:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
