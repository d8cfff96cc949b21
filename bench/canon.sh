#!/usr/bin/env bash
# bench/canon.sh - throughput of `harness canon` on telemetry JSONL, against
# the source documents' Python canonicalizer and jq, all on one core.
#
# usage (from anywhere; paths are resolved against the repo root):
#   bench/canon.sh
# environment:
#   HARNESS=build/harness   the binary under test
#   BENCH_DIR=/tmp/harness-bench   where the generated data is kept and reused
#   BENCH_SIZE_MB=200       size of the big file (a 20 MB one is made too)
#   BENCH_RUNS=3            hyperfine runs for harness; BENCH_SLOW_RUNS=2 for
#                           python and jq (they take 10 s and more per run)
#   BENCH_CPU=0             the core everything is pinned to (taskset)
#
# Measured, each as a whole pipeline pinned to the same core:
#   (a) harness canon --profile telemetry FILE | harness hash -
#   (b) bench/canon_ref.py FILE | xxh128sum   (json.loads, pop, round(x, 2),
#       json.dumps(sort_keys=True, compact, ensure_ascii=False))
#   (c) jq -S -c 'del(.verification_id, .timestamp, .metadata.worker)' | xxh128sum
#       jq 1.6 cannot round like Python's round() (it has no correctly
#       rounded decimal rounding), so (c) does less work than (a) and (b) and
#       its output is not comparable; it is a speed reference only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

HARNESS=${HARNESS:-build/harness}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/harness-bench}
SIZE_MB=${BENCH_SIZE_MB:-200}
RUNS=${BENCH_RUNS:-3}
SLOW_RUNS=${BENCH_SLOW_RUNS:-2}
CPU=${BENCH_CPU:-0}

die() {
	echo "bench/canon.sh: $*" >&2
	exit 2
}

case $HARNESS in
/*) ;;
*) HARNESS=$ROOT/$HARNESS ;;
esac
[ -x "$HARNESS" ] || die "no harness binary at '$HARNESS' (build it, or set HARNESS)"
for tool in hyperfine jq xxh128sum python3 taskset; do
	command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[ -x /usr/bin/time ] || die "'/usr/bin/time' is not installed (GNU time, for peak RSS)"

mkdir -p "$BENCH_DIR"
BIG=$BENCH_DIR/telemetry-${SIZE_MB}mb.jsonl
SMALL=$BENCH_DIR/telemetry-20mb.jsonl
if [ ! -s "$BIG" ]; then
	echo "generating $BIG ..."
	python3 bench/gen_telemetry.py "$BIG.tmp" "$SIZE_MB" 42 && mv "$BIG.tmp" "$BIG"
fi
if [ ! -s "$SMALL" ]; then
	echo "generating $SMALL ..."
	python3 bench/gen_telemetry.py "$SMALL.tmp" 20 7 && mv "$SMALL.tmp" "$SMALL"
fi
BYTES=$(wc -c <"$BIG")
LINES=$(wc -l <"$BIG")
echo "data: $BIG ($BYTES bytes, $LINES records), pinned to cpu $CPU"
echo

PIN="taskset -c $CPU"
H_CMD="$PIN sh -c '\"$HARNESS\" canon --profile telemetry \"$BIG\" | \"$HARNESS\" hash -'"
P_CMD="$PIN sh -c 'python3 \"$ROOT/bench/canon_ref.py\" \"$BIG\" | xxh128sum'"
J_CMD="$PIN sh -c 'jq -S -c \"del(.verification_id, .timestamp, .metadata.worker)\" \"$BIG\" | xxh128sum'"

mean_of() {
	jq -r '.results[0].mean' "$1"
}

hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$BENCH_DIR/h.json" \
	-n harness "$H_CMD"
hyperfine --style basic --runs "$SLOW_RUNS" --export-json "$BENCH_DIR/p.json" \
	-n python "$P_CMD"
hyperfine --style basic --runs "$SLOW_RUNS" --export-json "$BENCH_DIR/j.json" \
	-n jq "$J_CMD"

H_S=$(mean_of "$BENCH_DIR/h.json")
P_S=$(mean_of "$BENCH_DIR/p.json")
J_S=$(mean_of "$BENCH_DIR/j.json")

# Peak RSS of harness alone: it must not grow with the file size.
rss_kb() {
	/usr/bin/time -f '%M' "$HARNESS" canon --profile telemetry "$1" 2>&1 >/dev/null | tail -n 1
}
RSS_BIG=$(rss_kb "$BIG")
RSS_SMALL=$(rss_kb "$SMALL")

# Output bytes: harness against the Python reference.
"$HARNESS" canon --profile telemetry "$BIG" >"$BENCH_DIR/out.harness.jsonl"
python3 bench/canon_ref.py "$BIG" >"$BENCH_DIR/out.python.jsonl"
H_HASH=$("$HARNESS" hash "$BENCH_DIR/out.harness.jsonl" | cut -d' ' -f1)
P_HASH=$(xxh128sum "$BENCH_DIR/out.python.jsonl" | cut -d' ' -f1)

echo
echo "== results ($((BYTES / 1000000)) MB, one core)"
python3 - "$BYTES" "$H_S" "$P_S" "$J_S" "$RSS_BIG" "$RSS_SMALL" <<'EOF'
import sys
size, h, p, j = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rss_big, rss_small = int(sys.argv[5]), int(sys.argv[6])
mb = size / 1e6
print("harness canon | harness hash : %7.3f s  %7.1f MB/s" % (h, mb / h))
print("python canon_ref | xxh128sum : %7.3f s  %7.1f MB/s" % (p, mb / p))
print("jq -S -c | xxh128sum         : %7.3f s  %7.1f MB/s" % (j, mb / j))
print("ratio harness/python         : %7.1fx" % (p / h))
print("ratio harness/jq             : %7.1fx" % (j / h))
print("harness peak RSS             : %d KiB on %d MB, %d KiB on 20 MB" % (rss_big, size // 1000000, rss_small))
EOF

echo
if cmp -s "$BENCH_DIR/out.harness.jsonl" "$BENCH_DIR/out.python.jsonl"; then
	echo "output: harness bytes == python reference bytes ($H_HASH)"
else
	echo "output: harness bytes != python reference bytes"
	echo "  harness xxh3-128 $H_HASH"
	echo "  python  xxh3-128 $P_HASH"
	python3 - "$BENCH_DIR/out.harness.jsonl" "$BENCH_DIR/out.python.jsonl" <<'EOF'
import json, sys
diff = same_value = 0
first = None
with open(sys.argv[1], encoding="utf-8") as a, open(sys.argv[2], encoding="utf-8") as b:
    for n, (x, y) in enumerate(zip(a, b), 1):
        if x == y:
            continue
        diff += 1
        if json.loads(x) == json.loads(y):
            same_value += 1
        if first is None:
            first = (n, x.rstrip("\n"), y.rstrip("\n"))
print("  %d lines differ; %d of them are equal as JSON values" % (diff, same_value))
if first:
    print("  first difference, line %d:" % first[0])
    print("    harness: %s" % first[1])
    print("    python : %s" % first[2])
    print("  (Python's json.dumps writes floats with repr(): an integral float is")
    print("   '444.0' where RFC 8785 requires '444', and small/large ones use")
    print("   '1e-07' where RFC 8785 has '1e-7'.)")
EOF
fi
