#!/usr/bin/env bash
# bench/report.sh - what report.html costs the full experiment: the run
# (30,000 tasks, labeling, fits, validation, exports, archive) with its
# report and with --no-report, on 2 workers, measured with hyperfine in the
# same run; and the size of the report (HTML, figures inline).
#
# usage: bench/report.sh        (from anywhere; HARNESS=build/harness)
# Goals: the report adds at most 10% to the run's wall time; the HTML
# stays under 2 MB.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${HARNESS:-$ROOT/build/harness}
case $HARNESS in /*) ;; *) HARNESS=$ROOT/$HARNESS ;; esac
RUNS=${BENCH_RUNS:-10}
[ -x "$HARNESS" ] || { echo "bench/report.sh: no harness at '$HARNESS'" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench/report.sh: 'hyperfine' is not installed" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp -r "$ROOT/experiments" .
"$HARNESS" run experiments/full.yaml --workers 2 --out first >/dev/null 2>&1
html=$(stat -c %s first/report.html)
figs=$(ls first/figures | wc -l)
# the report alone, rebuilt from the run directory's files (a second read
# and fit of the telemetry, which the run itself does not need)
hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json times.json \
	-n with-report "'$HARNESS' run experiments/full.yaml --workers 2 --out r >/dev/null 2>&1; rm -rf r runs" \
	-n no-report "'$HARNESS' run experiments/full.yaml --workers 2 --out r --no-report >/dev/null 2>&1; rm -rf r runs" \
	-n 'harness report' "'$HARNESS' report first --out again/report.html >/dev/null"

python3 - times.json "$html" "$figs" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
w, n, rep = r["with-report"], r["no-report"], r["harness report"]
print(f"full experiment: {w['mean']:.3f} s (+- {w['stddev']:.3f}) with the report, "
      f"{n['mean']:.3f} s (+- {n['stddev']:.3f}) without; 'harness report' alone {rep['mean']:.3f} s")
print(f"with / without = {w['mean'] / n['mean']:.3f}  (goal: at most 1.10)")
print(f"report.html {int(sys.argv[2]) / 1e6:.2f} MB with {sys.argv[3]} figures  (goal: under 2 MB)")
PY
