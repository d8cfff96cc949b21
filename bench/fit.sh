#!/usr/bin/env bash
# bench/fit.sh - fit all four duration families (exponential, gamma,
# lognormal, weibull) to 10^6 durations with right-censoring at the timeout
# (hx_fit_all, bench/fit_bench.c), and in the same run scipy's `fit` of the
# same four families on the same completed durations (loc fixed at 0,
# uncensored: scipy's fit has no censoring), printing both times and the ratio.
#
# usage: bench/fit.sh     (N=1000000, T=4; FIT_BENCH=path to a built
#                          fit_bench, else it is compiled here against
#                          BUILD/libhx.a, BUILD=build)
# Goal: harness time at most 0.05x scipy's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-1000000}
T=${T:-4}
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

FIT_BENCH=${FIT_BENCH:-$BUILD/fit_bench}
if [ ! -x "$FIT_BENCH" ]; then
	[ -f "$BUILD/libhx.a" ] || { echo "bench/fit.sh: no '$BUILD/libhx.a' (build the project first)" >&2; exit 2; }
	FIT_BENCH=$work/fit_bench
	${CC:-cc} -std=c11 -O2 -D_POSIX_C_SOURCE=200809L -I"$ROOT/src" "$ROOT/bench/fit_bench.c" \
		"$BUILD/libhx.a" $(pkg-config --libs gsl yaml-0.1 libxxhash) -lpthread -lm -o "$FIT_BENCH"
fi

PY=
for p in ${PYTHON:-} python3 /usr/bin/python3; do
	if [ -n "$p" ] && "$p" -c 'import scipy' 2>/dev/null; then PY=$p; break; fi
done

"$FIT_BENCH" "$N" "$T" "$work/durations.f64" | tee "$work/harness.out"
hx=$(sed -n 's/^harness_seconds=//p' "$work/harness.out")

if [ -z "$PY" ]; then
	echo "bench/fit.sh: scipy not found (apt-get install python3-scipy); harness only" >&2
	exit 0
fi

sp=$("$PY" - "$work/durations.f64" <<'PYEOF'
import sys, time
import numpy as np
from scipy import stats
x = np.fromfile(sys.argv[1], dtype=np.float64)
fams = [("exponential", stats.expon), ("gamma", stats.gamma),
        ("lognormal", stats.lognorm), ("weibull", stats.weibull_min)]
total = 0.0
for name, dist in fams:
    t0 = time.perf_counter()
    params = dist.fit(x, floc=0)
    dt = time.perf_counter() - t0
    total += dt
    print(f"  {name:<11} {params} {dt:.3f}s", file=sys.stderr)
print(f"{total:.6f}")
PYEOF
)
echo "scipy: $("$PY" -c 'import scipy; print(scipy.__version__)'), same completed durations, uncensored"
awk -v h="$hx" -v s="$sp" 'BEGIN { printf "harness %.3fs  scipy %.3fs  ratio %.4fx (goal <= 0.05x)\n", h, s, h / s }'
