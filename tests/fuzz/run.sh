#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#
# Runs each libFuzzer target built in BUILD_DIR (cmake -DHX_FUZZ=ON, clang)
# for SECONDS, starting from its committed seed corpus
# (tests/fuzz/corpus/<target>/, never written: new inputs go to a scratch
# directory), under ASan and UBSan, with a 10 s per-input timeout and a
# 2 GiB RSS limit. Prints the executions each made; a finding (crash, leak,
# sanitizer report, timeout, out of memory) keeps its reproducer under
# FUZZ_ARTIFACTS (default /tmp/harness-fuzz) and fails the run (exit 1).
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
seconds=${2:?usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json yaml diff archive)
artifacts=${FUZZ_ARTIFACTS:-/tmp/harness-fuzz}
mkdir -p "$artifacts"
status=0
for t in "${targets[@]}"; do
	bin="$build/fuzz_$t"
	if [ ! -x "$bin" ]; then
		echo "fuzz: no target '$bin' (build with -DHX_FUZZ=ON)" >&2
		exit 2
	fi
	scratch=$(mktemp -d)
	log="$artifacts/$t.log"
	"$bin" "$scratch" "$src/tests/fuzz/corpus/$t" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
		> "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	corpus=$(ls "$scratch" | wc -l)
	rm -rf "$scratch"
	if [ $rc -eq 0 ]; then
		printf 'fuzz  %-8s %10s executions in %s s, %s new inputs, no finding\n' "$t" "${runs:-?}" "$seconds" "$corpus"
	else
		printf 'fuzz  %-8s FINDING (exit %d) after %s executions; log %s\n' "$t" "$rc" "${runs:-?}" "$log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written)' "$log" | head -5
		status=1
	fi
done
exit $status
