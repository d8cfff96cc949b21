#!/usr/bin/env bash
# bench/scale.sh - a run's memory and time against its size, and what
# sharding costs. The full experiment's spec with 3,334, 33,334 and 333,334
# samples a tier (10^4, 10^5 and 10^6 simulated tasks) runs whole (tasks,
# snapshot, labeling, fits, validation, exports, report, archive) on 2
# workers under /usr/bin/time: peak RSS and wall time per size. Then the
# 10^5-task spec runs unsharded and as 4 shards one after another plus
# `harness merge` (what a cluster does, on one machine): the ratio is the
# cost of sharding. Each timing is the median of BENCH_RUNS (default 3).
#
# usage: bench/scale.sh        (from anywhere; HARNESS=build/harness)
# Goals: peak RSS at most 150 MB at 10^6 tasks; wall time linear in tasks
# (the time per task at 10^6 within 1.5x of that at 10^4); 4 shards +
# merge at most 1.2x the unsharded run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${HARNESS:-$ROOT/build/harness}
case $HARNESS in /*) ;; *) HARNESS=$ROOT/$HARNESS ;; esac
RUNS=${BENCH_RUNS:-3}
[ -x "$HARNESS" ] || { echo "bench/scale.sh: no harness at '$HARNESS'" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/scale.sh: /usr/bin/time is not installed (Debian: time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp -r "$ROOT/experiments" .

spec() { # spec SAMPLES: experiments/scale-SAMPLES.yaml
	sed -e "s/^samples: .*/samples: $1/" -e 's/^experiment: full/experiment: scale/' \
		-e 's#^golden: golden/full#golden: golden/scale#' experiments/full.yaml \
		>"experiments/scale-$1.yaml"
	echo "experiments/scale-$1.yaml"
}

# measure OUT CMD...: seconds and peak KB of one command, appended to OUT
measure() {
	local out=$1
	shift
	/usr/bin/time -f "%e %M" -o time.txt "$@" >/dev/null 2>&1
	cat time.txt >>"$out"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-9s %10s %12s %14s\n' tasks wall_s peak_rss_mb us_per_task
for samples in 3334 33334 333334; do
	s=$(spec "$samples")
	: >m.txt
	for _ in $(seq "$RUNS"); do
		measure m.txt "$HARNESS" run "$s" --workers 2 --out r
		rm -rf r runs snapshots
	done
	tasks=$((samples * 3))
	wall=$(cut -d' ' -f1 m.txt | median)
	rss=$(cut -d' ' -f2 m.txt | sort -n | tail -1)
	awk -v t="$tasks" -v w="$wall" -v r="$rss" \
		'BEGIN { printf "%-9s %10.2f %12.1f %14.1f\n", t, w, r / 1024, w * 1e6 / t }' |
		tee -a sizes.txt
done
python3 - sizes.txt <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
per = {int(r[0]): float(r[3]) for r in rows}
rss = {int(r[0]): float(r[2]) for r in rows}
small, big = min(per), max(per)
print(f"time per task at {big} / at {small} = {per[big] / per[small]:.2f}  (goal: at most 1.5, linear)")
print(f"peak RSS at {big} tasks: {rss[big]:.1f} MB  (goal: at most 150 MB)")
PY

s=$(spec 33334)
: >whole.txt
: >sharded.txt
for _ in $(seq "$RUNS"); do
	measure whole.txt "$HARNESS" run "$s" --workers 2 --out whole
	rm -rf whole runs snapshots
	start=$(date +%s.%N)
	for k in 0 1 2 3; do
		"$HARNESS" run "$s" --shard "$k/4" --workers 2 --out "shard$k" >/dev/null 2>&1
	done
	"$HARNESS" merge shard0 shard1 shard2 shard3 --workers 2 --out merged >/dev/null 2>&1
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { print b - a }' >>sharded.txt
	rm -rf shard? merged runs snapshots
done
whole=$(cut -d' ' -f1 whole.txt | median)
sharded=$(median <sharded.txt)
awk -v w="$whole" -v s="$sharded" 'BEGIN { printf "100002 tasks: unsharded %.2f s, 4 shards + merge %.2f s: ratio %.2f  (goal: at most 1.2)\n", w, s, s / w }'
