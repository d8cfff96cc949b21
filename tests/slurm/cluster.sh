#!/usr/bin/env bash
# tests/slurm/cluster.sh HARNESS SRCDIR - harness slurm on a real one-node
# Slurm (slurmctld, slurmd and munged started here, in a temporary directory,
# with a generated slurm.conf; stopped by pid on exit: single-node.sh).
#
# 1. `harness slurm experiments/full.yaml --shards 4 --submit`: the merge job
#    ends and the merged snapshot hash is the unsharded run's.
# 2. A slow smoke plan (HARNESS_TEST_TASK_DELAY_MS) in 4 shards: one array
#    task is cancelled once its shard has started (its partial telemetry
#    exists); `harness slurm status` calls it failed; `harness slurm
#    resubmit` submits that shard alone (--array=K), which resumes; the
#    others ran once (attempts 1), it twice (attempts 2); the merge ends
#    with the unsharded hash.
#
# Skipped (exit 77) without slurm-wlm and munge, or when not root (slurmd
# runs jobs as their user), unless HX_REQUIRE_SLURM=1 (make -f Makefile.runs
# test sets it): then it fails.
set -uo pipefail
harness=$(realpath "$1")
src=$(realpath "$2")
here=$(dirname "$(realpath "$0")")

skip() {
	if [ "${HX_REQUIRE_SLURM:-}" = 1 ]; then
		echo "slurm/cluster: $1 (make -f Makefile.runs deps-test)" >&2
		exit 1
	fi
	echo "slurm/cluster: $1: skipped" >&2
	exit 77
}
for prog in sbatch scontrol scancel sinfo slurmctld slurmd munged munge unmunge setpriv; do
	command -v "$prog" >/dev/null 2>&1 || skip "'$prog' is not installed (slurm-wlm, munge)"
done
[ "$(id -u)" -eq 0 ] || skip "a test cluster needs root (slurmd)"

fail() {
	echo "slurm/cluster: $*" >&2
	exit 1
}

# shellcheck source=single-node.sh
. "$here/single-node.sh"
work=$(mktemp -d)
# the temporary directory must be reachable by munged (the munge user)
chmod 0755 "$work"
cleanup() {
	slurm_down
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
since() {
	awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}
t0=$(date +%s.%N)
slurm_up "$work/cluster" || fail "the cluster did not start"
echo "slurm/cluster: cluster up in $(since "$t0") s"

mkdir "$work/proj"
cd "$work/proj" || exit 1
cp -r "$src/experiments" "$src/golden" .
unset CI HARNESS_TEST_TASK_DELAY_MS

# Wait until no task of job $1 is pending or running (at most $2 s); a job
# whose dependency can no longer be met has ended too. Prints the states.
wait_job() {
	local end=$((SECONDS + $2)) out states
	while [ $SECONDS -lt $end ]; do
		out=$(scontrol -o show job "$1" 2>/dev/null)
		states=$(echo "$out" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u)
		if echo "$out" | grep -q 'Reason=DependencyNeverSatisfied'; then
			echo "NEVER"
			return 0
		fi
		if [ -n "$states" ] && ! echo "$states" | grep -qE '^(PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED)$'; then
			echo "$states" | tr '\n' ' '
			return 0
		fi
		sleep 0.2
	done
	echo "job $1 still $(echo "$states" | tr '\n' ' ')after $2 s" >&2
	squeue >&2
	return 1
}

summary_hash() {
	grep '^snapshot' "$1" | grep -o 'xxh3-128:[0-9a-f]\{32\}' | head -1
}

# attempts of shard $2 of run $1
attempts() {
	grep -o '"attempts":[0-9]*' "$1/shards/$2/shard.json" | cut -d: -f2
}

show_logs() {
	local f
	for f in "$1"/slurm/*.out; do
		[ -f "$f" ] && { echo "--- $f" >&2; tail -5 "$f" >&2; }
	done
	"$harness" slurm status "$1" >&2
}

# ---- 1. full in 4 shards ----
"$harness" run experiments/full.yaml --no-archive --no-report --out ref-full >ref-full.log 2>&1 ||
	{ cat ref-full.log >&2; fail "the unsharded full run failed"; }
ref=$(summary_hash ref-full/summary.txt)
[ -n "$ref" ] || fail "no snapshot hash in ref-full/summary.txt"

t1=$(date +%s.%N)
"$harness" slurm experiments/full.yaml --shards 4 --out full-slurm --submit >submit1.txt 2>&1 ||
	{ cat submit1.txt >&2; fail "harness slurm --submit failed"; }
cat submit1.txt
grep -q '^array job .*(shards 0-3 of 4)' submit1.txt || fail "submit1: no array job of shards 0-3"
merge=$(sed -n 's/^merge job *\([0-9][0-9]*\).*/\1/p' submit1.txt)
[ -n "$merge" ] || fail "submit1: no merge job id"
end=$(wait_job "$merge" 120) || { show_logs full-slurm; fail "the merge job did not end"; }
[ "$end" = "COMPLETED " ] || { show_logs full-slurm; fail "merge job $merge ended $end"; }
echo "slurm/cluster: full in 4 shards, submitted to merged: $(since "$t1") s"
got=$(summary_hash full-slurm/merged/summary.txt)
[ "$got" = "$ref" ] || fail "merged hash $got, the unsharded run's $ref"
for k in 0 1 2 3; do
	[ "$(attempts full-slurm $k)" = 1 ] || fail "full shard $k: attempts $(attempts full-slurm $k)"
done
"$harness" slurm status full-slurm >status1.txt || fail "status failed"
cat status1.txt
grep -q '^total  4 done, 0 running, 0 failed, 0 pending; 30000 records$' status1.txt ||
	fail "status1: not 4 done"
grep -q '^merge  done' status1.txt || fail "status1: merge not done"
"$harness" slurm resubmit full-slurm >resubmit-done.txt || fail "resubmit of a finished run failed"
grep -q '^nothing to submit' resubmit-done.txt || { cat resubmit-done.txt >&2; fail "a finished run was submitted again"; }

# ---- 2. a slow plan, one shard cancelled, resubmitted ----
"$harness" run experiments/smoke.yaml --no-archive --no-report --out ref-smoke >ref-smoke.log 2>&1 ||
	{ cat ref-smoke.log >&2; fail "the unsharded smoke run failed"; }
ref=$(summary_hash ref-smoke/summary.txt)
# 25 tasks a shard at 150 ms each: about 4 s a shard (sbatch passes the
# environment on to the jobs)
export HARNESS_TEST_TASK_DELAY_MS=150
"$harness" slurm experiments/smoke.yaml --shards 4 --out slow --submit >submit2.txt 2>&1 ||
	{ cat submit2.txt >&2; fail "harness slurm --submit (slow) failed"; }
unset HARNESS_TEST_TASK_DELAY_MS
cat submit2.txt
array=$(sed -n 's/^array job *\([0-9][0-9]*\).*/\1/p' submit2.txt)
merge=$(sed -n 's/^merge job *\([0-9][0-9]*\).*/\1/p' submit2.txt)
[ -n "$array" ] && [ -n "$merge" ] || fail "submit2: no job ids"
victim=1
for ((i = 0; i < 300; i++)); do
	[ -e slow/shards/$victim/telemetry.jsonl.partial ] && break
	sleep 0.1
done
[ -e slow/shards/$victim/telemetry.jsonl.partial ] || { show_logs slow; fail "shard $victim never started"; }
grep -q '"complete":false' slow/shards/$victim/shard.json || fail "shard $victim complete before the cancel"
scancel "${array}_$victim" || fail "scancel ${array}_$victim failed"
wait_job "$array" 60 >/dev/null || { show_logs slow; fail "the array job did not end"; }
"$harness" slurm status slow >status2.txt || fail "status (slow) failed"
cat status2.txt
grep -qE "^$victim +failed .* ${array}_$victim +CANCELLED$" status2.txt || fail "status2: shard $victim not failed/CANCELLED"
grep -q '^total  3 done, 0 running, 1 failed, 0 pending' status2.txt || fail "status2: totals"
grep -q '"complete":false' slow/shards/$victim/shard.json || fail "the cancelled shard $victim is complete"

"$harness" slurm resubmit slow >resubmit.txt 2>&1 || { cat resubmit.txt >&2; fail "resubmit failed"; }
cat resubmit.txt
grep -q "^shards not complete: $victim (of 4)$" resubmit.txt || fail "resubmit: not shard $victim alone"
grep -q "^array job .*(shard $victim of 4)$" resubmit.txt || fail "resubmit: the array job is not shard $victim alone"
grep -q "cancelled merge job $merge" resubmit.txt || fail "resubmit: the old merge job $merge was not cancelled"
array2=$(sed -n 's/^array job *\([0-9][0-9]*\).*/\1/p' resubmit.txt)
merge2=$(sed -n 's/^merge job *\([0-9][0-9]*\).*/\1/p' resubmit.txt)
scontrol -o show job "$array2" | grep -q "ArrayTaskId=$victim " || fail "array job $array2 is not task $victim alone"
end=$(wait_job "$merge2" 120) || { show_logs slow; fail "the second merge job did not end"; }
[ "$end" = "COMPLETED " ] || { show_logs slow; fail "merge job $merge2 ended $end"; }
got=$(summary_hash slow/merged/summary.txt)
[ "$got" = "$ref" ] || fail "merged hash (slow) $got, the unsharded run's $ref"
for k in 0 1 2 3; do
	want=1
	[ $k = $victim ] && want=2
	[ "$(attempts slow $k)" = $want ] || fail "slow shard $k: attempts $(attempts slow $k), not $want"
done
"$harness" slurm status slow >status3.txt || fail "status (slow, end) failed"
cat status3.txt
grep -q '^total  4 done, 0 running, 0 failed, 0 pending; 100 records$' status3.txt || fail "status3: totals"
grep -q "^merge  done .*(job $merge2: COMPLETED)$" status3.txt || fail "status3: merge"
echo "slurm/cluster: ok in $(since "$t0") s"
