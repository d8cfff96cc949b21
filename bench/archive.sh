#!/usr/bin/env bash
# bench/archive.sh - memory and time of reading archives: `harness archive
# show` (verify every member, keep none) of archive bombs against the same
# command on the full experiment's real archive (30,000 tasks, 38 MB
# unpacked), measured in the same run with /usr/bin/time (%M, the
# "Maximum resident set size" of -v); and `harness replay` of that archive
# (verified keeping its members, then run again).
#
# The bombs (tests/fixtures/make_bomb.py): "unlisted", 4 members of 1 GiB
# of zeros the manifest does not list (the issue's); "claims", a manifest
# listing those 4 GiB honestly; "late", 2 GiB of zeros before MANIFEST.json.
#
# usage: bench/archive.sh     (from anywhere; HARNESS=build/harness)
#        OLD_HARNESS=path also measures an older binary on "unlisted",
#        under a 3 GB address-space limit (it reads the members whole).
# Goal: a bomb is refused with a peak RSS at most that of showing the real
# archive (ratio <= 1), in at most a quarter of its time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${HARNESS:-$ROOT/build/harness}
case $HARNESS in /*) ;; *) HARNESS=$ROOT/$HARNESS ;; esac
[ -x "$HARNESS" ] || { echo "bench/archive.sh: no harness at '$HARNESS'" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/archive.sh: /usr/bin/time is not installed (package time)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp -r "$ROOT/experiments" .
"$HARNESS" run experiments/full.yaml --workers 2 --out full >/dev/null 2>&1
real=$(ls runs/*.tar.zst | head -1)
python3 "$ROOT/tests/fixtures/make_bomb.py" \
	unlisted.tar.zst spec.yaml=text:x zero0=zeros:1G zero1=zeros:1G zero2=zeros:1G zero3=zeros:1G \
	--unlisted zero0 --unlisted zero1 --unlisted zero2 --unlisted zero3 \
	-- claims.tar.zst zero0=zeros:1G zero1=zeros:1G zero2=zeros:1G zero3=zeros:1G \
	-- late.tar.zst zero0=zeros:1G zero1=zeros:1G spec.yaml=text:x --manifest-last

# measure NAME COMMAND...: "NAME EXIT RSS_KIB SECONDS" into results.txt
# (the best of 3 runs for the time; the peak RSS is the same each run)
measure() {
	local name=$1 best="" rc rss s i
	shift
	for i in 1 2 3; do
		rc=0
		/usr/bin/time -f '%M %e' -o t.txt "$@" >/dev/null 2>err.txt || rc=$?
		rss=$(tail -1 t.txt | cut -d' ' -f1)
		s=$(tail -1 t.txt | cut -d' ' -f2)
		if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$s; fi
	done
	echo "$name $rc $rss $best $(stat -c %s "${ARCHIVE:-/dev/null}")" >>results.txt
}

ARCHIVE=$real measure "show-real" "$HARNESS" archive show "$real"
for b in unlisted claims late; do
	ARCHIVE=$b.tar.zst measure "show-$b" "$HARNESS" archive show "$b.tar.zst"
done
ARCHIVE=unlisted.tar.zst measure "replay-unlisted" "$HARNESS" replay unlisted.tar.zst
# replay verifies the real archive keeping its members, then runs it again:
# its peak is the run's
ARCHIVE=$real measure "replay-real" "$HARNESS" replay "$real" --workers 2
if [ -n "${OLD_HARNESS:-}" ]; then
	ARCHIVE=$real measure "old-show-real" "$OLD_HARNESS" archive show "$real"
	ARCHIVE=unlisted.tar.zst measure "old-show-unlisted" \
		bash -c 'ulimit -v 3000000; exec "$0" archive show unlisted.tar.zst' "$OLD_HARNESS"
fi

python3 - results.txt <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, rc, rss, s, size = line.split()
    rows[name] = (int(rc), int(rss), float(s), int(size))
print(f"{'command':<20} {'exit':>4} {'peak RSS':>12} {'time':>8} {'archive':>10}")
for name, (rc, rss, s, size) in rows.items():
    print(f"{name:<20} {rc:>4} {rss / 1024:>8.1f} MiB {s:>6.2f} s {size / 1024:>7.1f} KiB")
ref_rss, ref_s = rows["show-real"][1], rows["show-real"][2]
worst = max(rows[f"show-{b}"][1] for b in ("unlisted", "claims", "late"))
slow = max(rows[f"show-{b}"][2] for b in ("unlisted", "claims", "late"))
print(f"bomb / real archive: peak RSS {worst / ref_rss:.2f} (goal: at most 1), "
      f"time {slow / max(ref_s, 0.01):.2f} (goal: at most 0.25)")
ok = all(rows[f"show-{b}"][0] == 2 for b in ("unlisted", "claims", "late"))
print("every bomb refused with exit 2:", "yes" if ok else "NO")
PY
