#!/usr/bin/env bash
# tests/cli/run.sh HARNESS SRCDIR [CASE...]
#
# Each tests/cli/cases/NAME.sh runs in a fresh project directory (a copy of
# experiments/ and golden/) with `harness` (and `ticksim`, `ticks_const`) on
# PATH and the helper `t`, which prints the command, its stdout, its stderr
# (prefixed "stderr: ") and its exit status. The transcript must equal
# NAME.expected byte for byte.
# UPDATE=1 rewrites the .expected files instead (review the diff!).
set -uo pipefail
harness=$(realpath "$1")
src=$(realpath "$2")
shift 2
cases_dir="$src/tests/cli/cases"
if [ $# -gt 0 ]; then cases=("$@"); else
	cases=()
	for f in "$cases_dir"/*.sh; do cases+=("$(basename "$f" .sh)"); done
fi

bindir=$(mktemp -d)
ln -s "$harness" "$bindir/harness"
# the example engine and the test engine, built beside the harness, are on
# PATH too (as ticksim and ticks_const) when they exist
for prog in ticksim tests/fixtures/ticks_const; do
	[ -x "$(dirname "$harness")/$prog" ] && ln -s "$(dirname "$harness")/$prog" "$bindir/${prog##*/}"
done
passed=0
failed=0
for name in "${cases[@]}"; do
	work=$(mktemp -d)
	cp -r "$src/experiments" "$work/"
	[ -d "$src/golden" ] && cp -r "$src/golden" "$work/"
	cp -r "$src/tests/fixtures" "$work/fixtures"
	actual="$work/.transcript"
	(
		cd "$work" || exit 99
		export PATH="$bindir:$PATH" LC_ALL=C NO_COLOR=1
		unset CI
		t() {
			local out err rc
			out=$(mktemp) err=$(mktemp)
			printf '$'; printf ' %q' "$@"; printf '\n'
			"$@" >"$out" 2>"$err"
			rc=$?
			# mask what varies from run to run: elapsed time, run dirs, and the
			# periodic progress lines of tasks and labeling reruns (how many
			# appear depends on the clock); a "-N" after the time is a run
			# directory's number, not the start of an archive's hash, and a
			# "-N" after that hash only tells archives made in the same
			# second apart; a case sets T_MASK (a sed -E
			# script) for what else in its output is timing-dependent
			sed -E -e 's/[0-9]{8}T[0-9]{6}Z(-[0-9]+\b)?/UTC/g' \
				-e 's/(UTC-[0-9a-f]{8})-[0-9]+(\.tar\.)/\1\2/g' -e "${T_MASK:-}" "$out"
			sed -E -e '/^harness [a-z]+: .*: [0-9]+\/[0-9]+ (tasks|reruns), /d' \
				-e 's/in [0-9]+\.[0-9]+ s/in N s/' -e 's/resuming after [0-9]+ done/resuming after K done/' \
				-e 's/^/stderr: /' "$err"
			printf '[exit %d]\n' "$rc"
			rm -f "$out" "$err"
		}
		# shellcheck source=/dev/null
		. "$cases_dir/$name.sh"
	) >"$actual" 2>&1
	expected="$cases_dir/$name.expected"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$actual" "$expected"
		echo "updated $name"
		passed=$((passed + 1))
	elif diff -u "$expected" "$actual" >"$work/.diff"; then
		echo "ok     $name"
		passed=$((passed + 1))
	else
		echo "FAIL   $name"
		cat "$work/.diff"
		failed=$((failed + 1))
	fi
	rm -rf "$work"
done
rm -rf "$bindir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
