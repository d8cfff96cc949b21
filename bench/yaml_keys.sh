#!/usr/bin/env bash
# bench/yaml_keys.sh - the YAML tree's duplicate-key check is linear: time
# `harness run` on specs of 20k, 40k and 80k top-level keys whose last key
# repeats the first (so the harness must read the whole file and check the
# last key against all the others; it exits 2 with "FILE:N+1:1: duplicate
# key 'key000001'", which is checked), against libyaml alone parsing the
# same files (bench/yaml_parse.c, built here), in the same run; then
# callgrind's instruction counts of both at 40k and 80k: doubling the keys
# must about double the work (a pairwise check would quadruple it).
#
# usage: bench/yaml_keys.sh     (from anywhere; HARNESS=build/harness,
#                               BENCH_RUNS=10, BENCH_CPU=0 the core used,
#                               KEYS="20000 40000 80000")
# Goal: 80k keys in under 2 s; instructions 80k/40k below 2.2x.
# The ratio to libyaml is not the goal: `harness run` parses a spec twice
# (once to tell a series from a calibration spec) and builds a located tree
# of every node, where yaml_parse only pulls the events.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${HARNESS:-$ROOT/build/harness}
case $HARNESS in /*) ;; *) HARNESS=$ROOT/$HARNESS ;; esac
RUNS=${BENCH_RUNS:-10}
CPU=${BENCH_CPU:-0}
KEYS=${KEYS:-20000 40000 80000}

die() {
	echo "bench/yaml_keys.sh: $*" >&2
	exit 2
}
[ -x "$HARNESS" ] || die "no harness at '$HARNESS' (build it, or set HARNESS)"
for tool in hyperfine jq taskset pkg-config awk; do
	command -v "$tool" >/dev/null || die "'$tool' is not installed"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -O2 "$ROOT/bench/yaml_parse.c" $(pkg-config --cflags --libs yaml-0.1) \
	-o "$work/yaml_parse" || die "cannot build bench/yaml_parse.c (libyaml-dev installed?)"

# keys_spec N FILE: N keys, then the first one again.
keys_spec() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "key%06d: %d\n", i, i; print "key000001: 0" }' >"$2"
}

PIN="taskset -c $CPU"
echo "harness run SPEC (exit 2: duplicate key) vs libyaml alone, pinned to cpu $CPU, $RUNS runs"
printf '%8s  %12s  %12s  %8s\n' keys harness libyaml ratio
for n in $KEYS; do
	spec=$work/keys-$n.yaml
	keys_spec "$n" "$spec"
	want="harness run: $spec:$((n + 1)):1: duplicate key 'key000001'"
	got=$("$HARNESS" run "$spec" 2>&1 >/dev/null) && die "harness run accepted $spec"
	[ "$got" = "$want" ] || die "unexpected error for $n keys: $got"
	"$work/yaml_parse" "$spec" >/dev/null || die "libyaml cannot parse $spec"
	hyperfine -N --style none --warmup 1 --runs "$RUNS" -i --export-json "$work/t-$n.json" \
		-n harness "$PIN $HARNESS run $spec" -n libyaml "$PIN $work/yaml_parse $spec" >/dev/null 2>&1
	jq -r --arg n "$n" '"\($n) \(.results[0].mean) \(.results[1].mean)"' "$work/t-$n.json" |
		tee -a "$work/times" | awk '{ printf "%8d  %10.3f s  %10.3f s  %7.1fx\n", $1, $2, $3, $2 / $3 }'
done
awk 'NR > 1 { printf "growth %dk -> %dk keys: harness %.2fx, libyaml %.2fx\n",
		p / 1000, $1 / 1000, $2 / ph, $3 / py }
	{ p = $1; ph = $2; py = $3; last = $1; lh = $2 }
	END { printf "goal: %dk keys under 2 s: %.3f s, %s\n", last / 1000, lh, lh < 2 ? "met" : "NOT met" }' \
	"$work/times"

if ! command -v valgrind >/dev/null; then
	echo "bench/yaml_keys.sh: valgrind is not installed: no instruction counts" >&2
	exit 0
fi
# Total instructions of a command (whatever its exit status).
ir() {
	{ valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } |
		sed -n 's/^==[0-9]*== Collected : //p'
}
echo
echo "instructions (callgrind)"
printf '%8s  %14s  %14s\n' keys harness libyaml
for n in 40000 80000; do
	spec=$work/keys-$n.yaml
	[ -f "$spec" ] || keys_spec "$n" "$spec"
	h=$(ir "$HARNESS" run "$spec")
	y=$(ir "$work/yaml_parse" "$spec")
	printf '%8d  %14d  %14d\n' "$n" "$h" "$y"
	echo "$n $h $y" >>"$work/ir"
done
awk 'NR == 1 { h = $2; y = $3 } NR == 2 {
	printf "growth 40k -> 80k keys: harness %.3fx, libyaml %.3fx (linear: 2x, pairwise: 4x); %s\n",
		$2 / h, $3 / y, $2 / h < 2.2 ? "linear" : "NOT linear" }' "$work/ir"
