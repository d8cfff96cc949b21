#!/usr/bin/env bash
# bench/exec.sh - per-task overhead of the process engines: 2,000 tasks of
# the `command` engine running `true` on 2 workers, against
# `xargs -P2 -n1 true` over the same count, measured in the same run.
#
# usage: bench/exec.sh          (from anywhere; HARNESS=build/harness, N=2000)
# Goal: harness wall time at most 1.5x xargs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${HARNESS:-$ROOT/build/harness}
case $HARNESS in /*) ;; *) HARNESS=$ROOT/$HARNESS ;; esac
N=${N:-2000}
RUNS=${BENCH_RUNS:-10}
[ -x "$HARNESS" ] || { echo "bench/exec.sh: no harness at '$HARNESS'" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench/exec.sh: 'hyperfine' is not installed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > exec.yaml <<SPEC
experiment: bench-exec
seed: 1
engine: {kind: command, command: ["true"]}
corpus: {kind: synthetic, modules: $N}
tiers: {FAST: {timeout_s: 10}}
samples: $N
workers: 2
SPEC
seq "$N" > args.txt
# The whole run is measured: plan, 2,000 processes, telemetry, snapshot.
hyperfine --style basic --warmup 2 --runs "$RUNS" --export-json times.json \
	-n harness "'$HARNESS' run exec.yaml --out run >/dev/null 2>&1" \
	-n xargs "xargs -P2 -n1 true < args.txt"

python3 - "$N" times.json <<'PY'
import json, sys
n = int(sys.argv[1])
r = {x["command"]: x for x in json.load(open(sys.argv[2]))["results"]}
h, x = r["harness"]["mean"], r["xargs"]["mean"]
print()
print("== %d tasks of `true`, 2 workers" % n)
print("harness run (command engine) : %7.3f s  (%.0f us/task wall)" % (h, h / n * 1e6))
print("xargs -P2 -n1 true           : %7.3f s  (%.0f us/task wall)" % (x, x / n * 1e6))
print("ratio harness/xargs          : %7.2fx   (goal <= 1.5x)" % (h / x))
print("harness overhead per task    : %7.0f us of wall time over xargs,"
      " %.0f us per task per worker" % ((h - x) / n * 1e6, (h - x) / n * 2 * 1e6))
PY
