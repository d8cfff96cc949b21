#!/usr/bin/env bash
# bench/series.sh - the experiment series' figures.
#
# usage (from anywhere; paths are resolved against the repo root):
#   bench/series.sh
# environment:
#   HARNESS=build/harness      the binary under test
#   BENCH_DIR=/tmp/harness-bench-series   where generated data is kept
#   BENCH_RUNS=20              hyperfine runs of harness (5 of pandas)
#   PYTHON=/usr/bin/python3    a Python with Debian's python3-pandas
#
# Part "condense": 3 profiles x 10 runs x up to 2,000 ticks of per-tick
# telemetry in the users' engine format, made by bench/gen_ticks.py (a seeded
# random walk, independent of any engine; a killed run stops at its kill row
# as the engine's do, so some files are shorter), condensed by
#   (a) harness condense FILE... --profile P --json   (one process, all files;
#       on one thread, --workers 1, and on the default of one per CPU)
#   (b) bench/condense_ref.py FILE...   (pandas, one Python process, all files)
# First a check that both give the same numbers for every metric of every
# file, then wall times (hyperfine when installed, else the best of a few
# runs), ticks/s, and the ratio. (b) is reported twice: the whole process
# (imports included) and the condensing alone (timed inside the process).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

HARNESS=${HARNESS:-build/harness}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/harness-bench-series}
RUNS=${BENCH_RUNS:-20}
PYTHON=${PYTHON:-/usr/bin/python3}

die() {
	echo "bench/series.sh: $*" >&2
	exit 2
}

case $HARNESS in
/*) ;;
*) HARNESS=$ROOT/$HARNESS ;;
esac
[ -x "$HARNESS" ] || die "no harness binary at '$HARNESS' (build it, or set HARNESS)"
"$PYTHON" -c 'import pandas' 2>/dev/null ||
	die "'$PYTHON' cannot import pandas (apt-get install python3-pandas, or set PYTHON)"

# ---------------------------------------------------------------- condense
condense_bench() {
	local dir=$BENCH_DIR/ticks files ticks out_h out_p t_h t_h1 t_p t_p_in
	if [ ! -f "$dir/.done" ]; then
		echo "generating $dir (3 profiles x 10 runs x 2000 ticks) ..."
		rm -rf "$dir"
		"$PYTHON" bench/gen_ticks.py "$dir" 10 2000 13
		touch "$dir/.done"
	fi
	files=("$dir"/*.jsonl)
	ticks=$(cat "${files[@]}" | wc -l)
	out_h=$BENCH_DIR/condense-harness.jsonl
	out_p=$BENCH_DIR/condense-pandas.jsonl

	"$HARNESS" condense "${files[@]}" --profile bench --json >"$out_h"
	"$PYTHON" bench/condense_ref.py "${files[@]}" >"$out_p" 2>/dev/null
	"$PYTHON" - "$out_h" "$out_p" <<'EOF'
import json, sys
keys = ["num_ticks", "final_pnl", "max_pnl", "min_pnl", "max_drawdown", "frac_normal",
        "frac_warning", "frac_hard", "kill_switch", "time_to_kill"]
h = [json.loads(l) for l in open(sys.argv[1])]
p = [json.loads(l) for l in open(sys.argv[2])]
bad = []
if len(h) != len(p):
    bad.append("row counts %d and %d" % (len(h), len(p)))
for a, b in zip(h, p):
    for k in keys:
        x, y = a.get(k), b.get(k)
        same = (x is None and y is None) or (
            x is not None and y is not None and isinstance(x, bool) == isinstance(y, bool)
            and x == y)
        if not same:
            bad.append("%s %s: harness %r, pandas %r" % (a["telemetry"], k, x, y))
kills = sum(1 for a in h if a.get("kill_switch"))
if bad:
    print("check     FAIL: " + "; ".join(bad[:5]))
    sys.exit(1)
print("check     harness and pandas agree: %d rows x %d metrics identical (%d killed runs)"
      % (len(h), len(keys), kills))
EOF

	if command -v hyperfine >/dev/null; then
		hyperfine -N -w 3 -r "$RUNS" --export-json "$BENCH_DIR/h.json" \
			"$HARNESS condense ${files[*]} --profile bench --json" >/dev/null
		hyperfine -N -w 3 -r "$RUNS" --export-json "$BENCH_DIR/h1.json" \
			"$HARNESS condense ${files[*]} --profile bench --json --workers 1" >/dev/null
		hyperfine -N -w 1 -r 5 --export-json "$BENCH_DIR/p.json" \
			"$PYTHON bench/condense_ref.py ${files[*]}" >/dev/null 2>&1
		t_h=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$BENCH_DIR/h.json")
		t_h1=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$BENCH_DIR/h1.json")
		t_p=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$BENCH_DIR/p.json")
		echo "timing    hyperfine, mean of $RUNS runs (harness) and 5 runs (pandas)"
	else
		best_of_10() {
			"$PYTHON" - "$@" <<'EOF'
import subprocess, sys, time
best = None
for _ in range(10):
    s = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
    d = time.perf_counter() - s
    best = d if best is None else min(best, d)
print(best)
EOF
		}
		t_h=$(best_of_10 "$HARNESS" condense "${files[@]}" --profile bench --json)
		t_h1=$(best_of_10 "$HARNESS" condense "${files[@]}" --profile bench --json --workers 1)
		t_p=$("$PYTHON" - "$PYTHON" "${files[@]}" <<'EOF'
import subprocess, sys, time
best = None
for _ in range(3):
    s = time.perf_counter()
    subprocess.run([sys.argv[1], "bench/condense_ref.py"] + sys.argv[2:],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    d = time.perf_counter() - s
    best = d if best is None else min(best, d)
print(best)
EOF
		)
		echo "timing    best of 10 runs (harness) and 3 runs (pandas); hyperfine not installed"
	fi
	# the condensing alone, inside the Python process: best of 3
	t_p_in=$(for _ in 1 2 3; do "$PYTHON" bench/condense_ref.py "${files[@]}" 2>&1 >/dev/null |
		sed -n 's/^condense_seconds //p'; done | sort -g | head -1)
	awk -v n="${#files[@]}" -v ticks="$ticks" -v th="$t_h" -v th1="$t_h1" -v tp="$t_p" -v tpi="$t_p_in" 'BEGIN {
		printf "input     %d files, %d ticks\n", n, ticks
		printf "harness   %8.1f ms  %12.0f ticks/s  (whole process, one thread)\n", th1 * 1000, ticks / th1
		printf "harness   %8.1f ms  %12.0f ticks/s  (whole process, a thread per CPU)\n", th * 1000, ticks / th
		printf "pandas    %8.1f ms  %12.0f ticks/s  (whole process, imports included)\n", tp * 1000, ticks / tp
		printf "pandas    %8.1f ms  %12.0f ticks/s  (condensing alone, in the process)\n", tpi * 1000, ticks / tpi
		printf "ratio     one thread: %.1fx the whole pandas process, %.1fx its condensing alone (goal: 50x)\n", tp / th1, tpi / th1
		printf "ratio     per CPU:    %.1fx the whole pandas process, %.1fx its condensing alone\n", tp / th, tpi / th
	}'
}

echo "== condense: harness condense vs pandas, one process each"
condense_bench
