#!/usr/bin/env bash
# bench/replay.sh - replaying the full experiment against running it: the
# original run (30,000 tasks, labeling, fits, validation, exports, archive)
# and `harness replay` of its archive (verify every member, run again
# without archiving, compare snapshot and models), both on 2 workers,
# measured with hyperfine in the same run.
#
# usage: bench/replay.sh        (from anywhere; HARNESS=build/harness)
# Goal: replay at most 1.1x the original run's time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${HARNESS:-$ROOT/build/harness}
case $HARNESS in /*) ;; *) HARNESS=$ROOT/$HARNESS ;; esac
RUNS=${BENCH_RUNS:-5}
[ -x "$HARNESS" ] || { echo "bench/replay.sh: no harness at '$HARNESS'" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench/replay.sh: 'hyperfine' is not installed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp -r "$ROOT/experiments" .
# One archive to replay (the measured runs below archive too, as a run does).
"$HARNESS" run experiments/full.yaml --workers 2 --out first >/dev/null 2>&1
archive=$(ls runs/*.tar.zst | head -1)
"$HARNESS" replay "$archive" --workers 2 >/dev/null 2>&1 || {
	echo "bench/replay.sh: the replay of '$archive' did not reproduce the run" >&2; exit 1; }

hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json times.json \
	-n run "'$HARNESS' run experiments/full.yaml --workers 2 --out r >/dev/null 2>&1; rm -rf r" \
	-n replay "'$HARNESS' replay '$archive' --workers 2 >/dev/null 2>&1"

python3 - times.json "$(stat -c %s "$archive")" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
run, rep = r["run"]["mean"], r["replay"]["mean"]
print(f"full experiment: run {run:.3f} s (+- {r['run']['stddev']:.3f}), "
      f"replay {rep:.3f} s (+- {r['replay']['stddev']:.3f}); archive {int(sys.argv[2]) / 1e6:.1f} MB")
print(f"replay / run = {rep / run:.3f}  (goal: at most 1.1)")
PY
