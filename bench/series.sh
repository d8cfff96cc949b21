#!/usr/bin/env bash
# bench/series.sh - the experiment series' figures, all measured in one run.
#
# usage (from anywhere; paths are resolved against the repo root):
#   bench/series.sh
# environment:
#   HARNESS=build/harness      the binary under test (ticksim is taken from
#                              the same directory)
#   BENCH_DIR=/tmp/harness-bench-series   where generated data is kept
#   BENCH_RUNS=20              timed runs of harness condense (5 of pandas)
#   BENCH_LOOP_RUNS=10         timed runs of the Exp13 loop and its parts
#   BENCH_WORKERS=$(nproc)     --workers of the loop, -P of the bare loop
#   PYTHON=/usr/bin/python3    a Python with Debian's python3-pandas
#
# Part "loop" (issue 10's acceptance): experiments/exp-series/exp13-loop.yaml,
# 3 profiles x 10 runs x 2,000 ticks of ticksim -> dataset (condense) ->
# summary -> align, run by `harness run SERIES --force --no-archive --workers
# W` in a scratch copy of experiments/ (BENCH_DIR/loop), the golden accepted
# after a first run so every timed run also checks it. Wall time and runs/s
# of the whole loop; each step's time, measured as the run in which only that
# step's output was made stale (truncated) minus the run with nothing to do
# (that one is the fixed cost: spec, input and output hashes, snapshot,
# golden). For reference, the bare engine: the same 30 ticksim invocations
# (same arguments, seeds and environment, read back from the loop's
# runs.jsonl) by xargs -P W (each through env(1): a fork and two execs a
# run, where the harness vforks and execs once), with a check that they
# write the very same telemetry bytes; the harness's overhead is the ratio
# of the two.
#
# Part "condense": harness condense against a pandas condensing of the same
# files in one Python process (bench/condense_ref.py), on
#   (1) the 30 telemetry files the loop above wrote (the acceptance figure),
#   (2) 30 files in the same format made by bench/gen_ticks.py (a seeded
#       random walk independent of any engine; it also has NaN ticks),
# each as (a) harness condense FILE... --profile bench --json (one process,
# all files; --workers 1 and the default of one thread per CPU) and
# (b) condense_ref.py FILE... reported twice: the whole process (imports
# included) and the condensing alone (timed inside the process, best of 3).
# First a check that both give the same numbers for every metric of every
# file, then wall times, ticks/s and the ratios. Goal: at least 50x pandas.
# The acceptance figure is (1) with harness condense's default (a thread per
# CPU) against the whole pandas process, the issue's "in one Python
# process"; the ratio to pandas' condensing alone is printed beside it.
#
# The whole loop and the bare engine are timed in alternating runs (a
# Python timer), so load from other processes falls on both alike; the
# other times are hyperfine means (the best of a few runs when hyperfine is
# not installed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

HARNESS=${HARNESS:-build/harness}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/harness-bench-series}
RUNS=${BENCH_RUNS:-20}
LOOP_RUNS=${BENCH_LOOP_RUNS:-10}
WORKERS=${BENCH_WORKERS:-$(nproc)}
PYTHON=${PYTHON:-/usr/bin/python3}
SPEC=experiments/exp-series/exp13-loop.yaml

die() {
	echo "bench/series.sh: $*" >&2
	exit 2
}

case $HARNESS in
/*) ;;
*) HARNESS=$ROOT/$HARNESS ;;
esac
[ -x "$HARNESS" ] || die "no harness binary at '$HARNESS' (build it, or set HARNESS)"
BIN=$(dirname "$HARNESS")
[ -x "$BIN/ticksim" ] || die "no ticksim next to '$HARNESS' (build it)"
[ -f "$SPEC" ] || die "no series spec '$SPEC'"
"$PYTHON" -c 'import pandas' 2>/dev/null ||
	die "'$PYTHON' cannot import pandas (apt-get install python3-pandas, or set PYTHON)"
case $BENCH_DIR in *[[:space:]]*) die "BENCH_DIR '$BENCH_DIR' has a space" ;; esac
mkdir -p "$BENCH_DIR"
HAVE_HYPERFINE=0
command -v hyperfine >/dev/null && HAVE_HYPERFINE=1

# tm RUNS WARMUP PREPARE CMD sets TM_MEAN (seconds). CMD and PREPARE (may
# be empty) are run without a shell, split on blanks; the output of both
# goes nowhere. hyperfine's mean; without it, the best of RUNS runs.
tm() {
	local r
	r=$(tm_ "$@") || die "failed: $4"
	read -r TM_MEAN _ <<<"$r"
}
tm_() {
	local runs=$1 warm=$2 prep=$3 cmd=$4
	if [ "$HAVE_HYPERFINE" = 1 ]; then
		local args=(-N -w "$warm" -r "$runs" --export-json "$BENCH_DIR/tm.json")
		[ -n "$prep" ] && args+=(--prepare "$prep")
		hyperfine "${args[@]}" "$cmd" >/dev/null 2>&1 || return 1
		"$PYTHON" -c 'import json,sys; r = json.load(open(sys.argv[1]))["results"][0]; print(r["mean"], r["stddev"] or 0)' \
			"$BENCH_DIR/tm.json"
	else
		"$PYTHON" - "$runs" "$warm" "$prep" "$cmd" <<'EOF'
import shlex, subprocess, sys, time
runs, warm, prep, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], shlex.split(sys.argv[4])
quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
best = None
for i in range(warm + runs):
    if prep:
        subprocess.run(shlex.split(prep), **quiet)
    s = time.perf_counter()
    subprocess.run(cmd, **quiet)
    d = time.perf_counter() - s
    if i >= warm:
        best = d if best is None else min(best, d)
print(best, 0)
EOF
	fi
}

# tm_pair RUNS PREPARE_A CMD_A PREPARE_B CMD_B sets TM_A, TM_A_SD, TM_B and
# TM_B_SD (seconds): mean and standard deviation of RUNS runs of each, in
# alternating order (A B, B A, ...) after one warmup of each, so that load
# from other processes that comes and goes falls on both alike. Commands as
# for tm.
tm_pair() {
	local r
	r=$("$PYTHON" - "$@" <<'EOF'
import shlex, statistics, subprocess, sys, time
runs = int(sys.argv[1])
cmds = [(sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[5])]
quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
def once(prep, cmd):
    if prep:
        subprocess.run(shlex.split(prep), **quiet)
    s = time.perf_counter()
    subprocess.run(shlex.split(cmd), **quiet)
    return time.perf_counter() - s
for c in cmds:
    once(*c)
t = ([], [])
for i in range(runs):
    for k in ((0, 1) if i % 2 == 0 else (1, 0)):
        t[k].append(once(*cmds[k]))
sd = lambda x: statistics.stdev(x) if len(x) > 1 else 0.0
print(statistics.mean(t[0]), sd(t[0]), statistics.mean(t[1]), sd(t[1]))
EOF
	) || die "failed: $3 or $5"
	read -r TM_A TM_A_SD TM_B TM_B_SD <<<"$r"
}

if [ "$HAVE_HYPERFINE" = 1 ]; then
	echo "timing    loop and bare engine: means of $LOOP_RUNS runs each, alternating; steps: hyperfine means of"
	echo "          $LOOP_RUNS runs; condense: hyperfine means of $RUNS runs (harness), 5 (pandas)"
else
	echo "timing    loop and bare engine: means of $LOOP_RUNS runs each, alternating; steps: best of"
	echo "          $LOOP_RUNS runs; condense: best of $RUNS runs (harness), 5 (pandas); hyperfine not installed"
fi

# -------------------------------------------------------------- exp13 loop
LOOP=$BENCH_DIR/loop
loop_bench() {
	local h="$HARNESS run $SPEC --no-archive --workers $WORKERS" wd=runs/exp13-loop
	rm -rf "$LOOP"
	mkdir -p "$LOOP"
	cp -r "$ROOT/experiments" "$LOOP/"
	cd "$LOOP"
	export PATH="$BIN:$PATH"
	[ "$(command -v ticksim)" = "$BIN/ticksim" ] || die "ticksim on PATH is not '$BIN/ticksim'"
	$h --force >first.txt 2>&1 || { cat first.txt >&2; die "the first run of $SPEC failed"; }
	"$HARNESS" golden accept exp13-loop >/dev/null
	LOOP_N=$(wc -l <$wd/runs/runs.jsonl)
	grep -E '^step ' first.txt | sed 's/^/loop      /'

	tm "$LOOP_RUNS" 1 "" "$h"
	T_NONE=$TM_MEAN
	tm "$LOOP_RUNS" 1 "truncate -s 0 $wd/runs/runs.jsonl" "$h"
	T_RUNS=$TM_MEAN
	tm "$LOOP_RUNS" 1 "truncate -s 0 $wd/dataset/dataset.jsonl" "$h"
	T_DATASET=$TM_MEAN
	tm "$LOOP_RUNS" 1 "truncate -s 0 $wd/summary/summary.jsonl" "$h"
	T_SUMMARY=$TM_MEAN
	tm "$LOOP_RUNS" 1 "truncate -s 0 $wd/align/alignment.jsonl" "$h"
	T_ALIGN=$TM_MEAN
	# the timed runs must have left the series as the first run did
	$h >last.txt 2>&1 || { cat last.txt >&2; die "the series no longer matches its golden"; }

	# The bare engine: the spec's command and environment for each run.
	"$PYTHON" - "$wd/runs/runs.jsonl" "$LOOP/bare" >bare.cmds <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print("PARAPHINA_TELEMETRY_PATH=%s/%s.jsonl ticksim --ticks %d --profile %s --seed %s"
          % (sys.argv[2], r["label"], r["params"]["ticks"], r["profile"], r["seed"]))
EOF
	local bare="xargs -a $LOOP/bare.cmds -P $WORKERS -L 1 env TICKSIM_QUIET=1 PARAPHINA_TELEMETRY_MODE=jsonl"
	tm_pair "$LOOP_RUNS" "" "$h --force" "rm -rf $LOOP/bare" "$bare"
	T_LOOP=$TM_A S_LOOP=$TM_A_SD T_BARE=$TM_B S_BARE=$TM_B_SD
	rm -rf bare
	$bare >/dev/null
	local f n=0
	for f in "$wd"/runs/telemetry/*.jsonl; do
		cmp -s "$f" "bare/${f##*/}" || {
			echo "check     FAIL: bare engine telemetry differs from the loop's: ${f##*/}"
			exit 1
		}
		n=$((n + 1))
	done
	[ "$n" = "$LOOP_N" ] || die "$n telemetry files for $LOOP_N runs"
	echo "check     bare engine wrote the loop's telemetry byte for byte ($n files)"
	cd "$ROOT"
}

# ---------------------------------------------------------------- condense
# condense_bench TAG FILE... sets C[TAG_N], C[TAG_TICKS] and the times
# C[TAG_H], C[TAG_H1], C[TAG_P], C[TAG_PIN]
declare -A C
condense_bench() {
	local tag=$1 out_h out_p t_h t_h1 t_p t_p_in
	shift
	local files=("$@")
	out_h=$BENCH_DIR/condense-$tag-harness.jsonl
	out_p=$BENCH_DIR/condense-$tag-pandas.jsonl

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

	tm "$RUNS" 3 "" "$HARNESS condense ${files[*]} --profile bench --json"
	t_h=$TM_MEAN
	tm "$RUNS" 3 "" "$HARNESS condense ${files[*]} --profile bench --json --workers 1"
	t_h1=$TM_MEAN
	tm 5 1 "" "$PYTHON bench/condense_ref.py ${files[*]}"
	t_p=$TM_MEAN
	# the condensing alone, inside the Python process: best of 3
	t_p_in=$(for _ in 1 2 3; do "$PYTHON" bench/condense_ref.py "${files[@]}" 2>&1 >/dev/null |
		sed -n 's/^condense_seconds //p'; done | sort -g | head -1)
	C[${tag}_N]="${#files[@]}"
	C[${tag}_TICKS]="$(cat "${files[@]}" | wc -l)"
	C[${tag}_H]="$t_h"
	C[${tag}_H1]="$t_h1"
	C[${tag}_P]="$t_p"
	C[${tag}_PIN]="$t_p_in"
}

echo "== loop: $SPEC, harness run --workers $WORKERS against the bare engine"
loop_bench

echo "== condense (1): the loop's telemetry, harness condense vs pandas"
condense_bench loop "$LOOP"/runs/exp13-loop/runs/telemetry/*.jsonl

GEN=$BENCH_DIR/ticks
if [ ! -f "$GEN/.done" ]; then
	echo "generating $GEN (3 profiles x 10 runs x 2000 ticks) ..."
	rm -rf "$GEN"
	"$PYTHON" bench/gen_ticks.py "$GEN" 10 2000 13
	touch "$GEN/.done"
fi
echo "== condense (2): generated telemetry (bench/gen_ticks.py), harness condense vs pandas"
condense_bench gen "$GEN"/*.jsonl

echo
echo "== results ($(nproc) CPUs, --workers $WORKERS)"
condense_lines() {
	awk -v acc="$8" -v n="$2" -v ticks="$3" -v th="$4" -v th1="$5" -v tp="$6" -v tpi="$7" -v what="$1" 'BEGIN {
		printf "condense  %s: %d files, %d ticks\n", what, n, ticks
		printf "  harness condense, one thread   %8.1f ms  %10.0f ticks/s\n", th1 * 1000, ticks / th1
		printf "  harness condense, thread/CPU   %8.1f ms  %10.0f ticks/s\n", th * 1000, ticks / th
		printf "  pandas, whole process          %8.1f ms  %10.0f ticks/s  (imports included)\n", tp * 1000, ticks / tp
		printf "  pandas, condensing alone       %8.1f ms  %10.0f ticks/s  (timed in the process)\n", tpi * 1000, ticks / tpi
		printf "  ratio one thread:  %6.1fx the whole pandas process, %6.1fx its condensing alone\n", tp / th1, tpi / th1
		printf "  ratio thread/CPU:  %6.1fx the whole pandas process, %6.1fx its condensing alone\n", tp / th, tpi / th
		if (acc) {
			v = (tp / th >= 50) ? "met" : "NOT met"
			vi = (tpi / th >= 50) ? "met" : "NOT met"
			printf "  ACCEPTANCE (goal 50x): %.1fx the whole pandas process: %s (%.1fx its condensing alone: %s)\n", tp / th, v, tpi / th, vi
		}
	}'
}
awk -v n="$LOOP_N" -v w="$WORKERS" -v tl="$T_LOOP" -v sl="$S_LOOP" -v tn="$T_NONE" \
	-v tr="$T_RUNS" -v td="$T_DATASET" -v ts="$T_SUMMARY" -v ta="$T_ALIGN" \
	-v tb="$T_BARE" -v sb="$S_BARE" 'BEGIN {
	printf "exp13 loop: 3 profiles x 10 runs x 2000 ticks (ticksim), %d runs\n", n
	printf "  harness run --force (4 steps)  %8.1f ms  +- %5.1f  %6.1f runs/s\n", tl * 1000, sl * 1000, n / tl
	printf "    step runs                    %8.1f ms\n", (tr - tn) * 1000
	printf "    step dataset (condense)      %8.1f ms\n", (td - tn) * 1000
	printf "    step summary                 %8.1f ms\n", (ts - tn) * 1000
	printf "    step align                   %8.1f ms\n", (ta - tn) * 1000
	printf "    fixed (nothing to run)       %8.1f ms  (spec, hashes, snapshot, golden)\n", tn * 1000
	printf "  bare engine, xargs -P %d        %8.1f ms  +- %5.1f  %6.1f runs/s\n", w, tb * 1000, sb * 1000, n / tb
	printf "  overhead: whole loop / bare engine = %.2f (timed alternately)\n", tl / tb
}'
condense_lines "(1) the loop's telemetry" "${C[loop_N]}" "${C[loop_TICKS]}" \
	"${C[loop_H]}" "${C[loop_H1]}" "${C[loop_P]}" "${C[loop_PIN]}" 1
condense_lines "(2) generated by gen_ticks.py (reference)" "${C[gen_N]}" "${C[gen_TICKS]}" \
	"${C[gen_H]}" "${C[gen_H1]}" "${C[gen_P]}" "${C[gen_PIN]}" 0
