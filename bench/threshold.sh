#!/usr/bin/env bash
# bench/threshold.sh - two-pass threshold (tau) calibration: against the
# naive per-tau rescoring it replaces, and `harness threshold` against
# scikit-learn's metrics on 10^7 scores, with harness's peak RSS.
#
# usage (from anywhere; paths are resolved against the repo root):
#   bench/threshold.sh
# environment:
#   HARNESS=build/harness   the binary under test (its build dir's libhx.a
#                           is what bench/threshold_bench.c links)
#   BENCH_DIR=/tmp/harness-bench-threshold   generated data, kept and reused
#   BENCH_RUNS=5            hyperfine runs of harness; the in-process timings
#                           of threshold_bench take the mean of 3
#   SKLEARN_RUNS=2          timed runs of the scikit-learn calls (10 s each)
#   PYTHON=/usr/bin/python3 a Python with Debian's python3-sklearn and -numpy
#
# Measured:
#   (1) 10^6 samples of per-token values (5 to 20 tokens, max_tokens 20;
#       a score is the mean of the 5 largest; bench/gen_scores.py tokens,
#       seed 7), all in bench/threshold_bench.c, compiled here with cc -O2
#       against libhx.a, timed in the process:
#         two-pass: score every sample once (pass 1), then hx_threshold_sweep
#           over the default 40 quantile taus (sort, counts, AUROC, DeLong,
#           AP, PR-AUC: pass 2);
#         naive: for each of the same 40 taus, rescore every sample from its
#           tokens and count tp/fp (what the source's per-tau evaluation did);
#       the counts must agree tau by tau. Then the two-pass as a pipeline:
#       pass 1 writing the scores as JSONL, and `harness threshold` on that
#       file (whole process, hyperfine), whose AUROC and AP must equal the
#       in-process ones.
#   (2) 10^7 scores in a JSONL file (450 MB as Python's json.dumps writes
#       them; bench/gen_scores.py scores, seed 42): `harness threshold`
#       (whole process: read, sort, sweep 40 taus, report; hyperfine)
#       against roc_auc_score + average_precision_score +
#       precision_recall_curve (bench/threshold_ref.py: only those calls are
#       timed, after loading, whose time is printed apart); AUROC and AP
#       must agree to 1e-9. Goal: harness at most 0.1x scikit-learn's time.
#       Peak RSS of `harness threshold` on the 10^7 file (/usr/bin/time -v)
#       and its bytes per sample.
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, where set, are unset for the
# scikit-learn process alone (they slow a current numpy).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

HARNESS=${HARNESS:-build/harness}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/harness-bench-threshold}
RUNS=${BENCH_RUNS:-5}
SK_RUNS=${SKLEARN_RUNS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}

die() {
	echo "bench/threshold.sh: $*" >&2
	exit 2
}

case $HARNESS in
/*) ;;
*) HARNESS=$ROOT/$HARNESS ;;
esac
[ -x "$HARNESS" ] || die "no harness binary at '$HARNESS' (build it, or set HARNESS)"
LIBHX=$(dirname "$HARNESS")/libhx.a
[ -f "$LIBHX" ] || die "no '$LIBHX' beside the harness (build the project)"
for tool in hyperfine jq cc pkg-config; do
	command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[ -x /usr/bin/time ] || die "'/usr/bin/time' is not installed (GNU time, for peak RSS)"
"$PYTHON" -c 'import numpy, sklearn' 2>/dev/null ||
	die "'$PYTHON' cannot import sklearn (apt-get install python3-sklearn python3-numpy, or set PYTHON)"

mkdir -p "$BENCH_DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

TOKENS=$BENCH_DIR/tokens-1e6.bin
SCORES=$BENCH_DIR/scores-1e7.jsonl
if [ ! -s "$TOKENS" ]; then
	echo "generating $TOKENS ..."
	"$PYTHON" bench/gen_scores.py tokens "$TOKENS.tmp" 1000000 7 && mv "$TOKENS.tmp" "$TOKENS"
fi
if [ ! -s "$SCORES" ]; then
	echo "generating $SCORES ..."
	"$PYTHON" bench/gen_scores.py scores "$SCORES.tmp" 10000000 42 && mv "$SCORES.tmp" "$SCORES"
fi

${CC:-cc} -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -iquote "$ROOT/src" "$ROOT/bench/threshold_bench.c" \
	"$LIBHX" $(pkg-config --libs gsl) -lpthread -lm -o "$work/threshold_bench"

# mean seconds of hyperfine runs of a command (stdout discarded)
hmean() {
	hyperfine -N --style basic -w 1 -r "$RUNS" --export-json "$work/h.json" --output=null "$1" >&2
	jq -r '.results[0].mean' "$work/h.json"
}

echo "== (1) two-pass against per-tau rescoring, 10^6 samples x 40 taus"
"$work/threshold_bench" "$TOKENS" 3 "$work/tokscores.jsonl" | tee "$work/a.txt"
A_HX=$(hmean "$HARNESS threshold $work/tokscores.jsonl --score score --label label")
"$HARNESS" threshold "$work/tokscores.jsonl" --score score --label label --json >"$work/a.json"

echo
echo "== (2) harness threshold against scikit-learn, 10^7 scores"
B_HX=$(hmean "$HARNESS threshold $SCORES --score score --label label")
"$HARNESS" threshold "$SCORES" --score score --label label --json >"$work/b.json"
/usr/bin/time -v "$HARNESS" threshold "$SCORES" --score score --label label >/dev/null 2>"$work/time.txt"
RSS_KB=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$work/time.txt")
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" bench/threshold_ref.py "$SCORES" "$SK_RUNS" |
	tee "$work/b.txt"

echo
echo "== results"
"$PYTHON" - "$work/a.txt" "$A_HX" "$work/a.json" "$work/b.txt" "$B_HX" "$work/b.json" "$RSS_KB" <<'EOF'
import json, sys
def kv(path):
    return dict(l.strip().split("=", 1) for l in open(path) if "=" in l)
a, a_hx, aj = kv(sys.argv[1]), float(sys.argv[2]), json.load(open(sys.argv[3]))
a_same = "yes" if aj["auroc"] == float(a["auroc"]) and aj["ap"] == float(a["ap"]) else "NO"
b, b_hx, hj, rss_kb = kv(sys.argv[4]), float(sys.argv[5]), json.load(open(sys.argv[6])), int(sys.argv[7])
p1, p2 = float(a["pass1_seconds"]), float(a["pass2_seconds"])
two, naive, wr = float(a["two_pass_seconds"]), float(a["naive_seconds"]), float(a["write_scores_seconds"])
print("(1) %s samples, %s taus, counts agree: %s" % (a["samples"], a["taus"], a["counts_agree"]))
print("  two-pass in process   : %7.3f s  (pass 1 %.3f s, pass 2 %.3f s)" % (two, p1, p2))
print("  naive per-tau, 40 taus: %7.3f s" % naive)
print("  ratio naive/two-pass  : %7.1fx" % (naive / two))
print("  pipeline: pass 1 + JSONL %.3f s, harness threshold %.3f s: %.3f s, %.1fx faster than naive"
      % (wr, a_hx, wr + a_hx, naive / (wr + a_hx)))
print("  harness threshold AUROC and AP == in-process: %s" % a_same)
n = int(b["samples"])
sk = float(b["mean_seconds"])
da, dp = abs(hj["auroc"] - float(b["auroc"])), abs(hj["ap"] - float(b["ap"]))
print("(2) %d samples" % n)
print("  harness threshold (whole process): %7.3f s" % b_hx)
print("  scikit-learn, 3 calls            : %7.3f s  (loading the JSONL first: %s s)" % (sk, b["load_seconds"]))
print("  ratio harness/scikit-learn       : %7.3fx  (goal <= 0.1x)" % (b_hx / sk))
print("  AUROC %.12f vs %.12f (|diff| %.1e), AP %.12f vs %.12f (|diff| %.1e): %s"
      % (hj["auroc"], float(b["auroc"]), da, hj["ap"], float(b["ap"]), dp,
         "agree to 1e-9" if da <= 1e-9 and dp <= 1e-9 else "DISAGREE"))
print("  harness peak RSS: %.1f MiB, %.1f bytes per sample" % (rss_kb / 1024, rss_kb * 1024 / n))
EOF
