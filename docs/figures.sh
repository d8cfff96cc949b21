#!/usr/bin/env bash
# docs/figures.sh - make the README's example figures (docs/figures/*.svg)
# from real runs of the shipped experiments, in a scratch directory:
#   calibration-survival.svg  smoke: Kaplan-Meier with the fitted survival
#   calibration-durations.svg smoke: durations with the fitted densities
#   compare-diff.svg          smoke at seed 42 vs seed 43: B - A per rate
#   threshold-roc.svg         threshold-n500: ROC with the chosen tau
#   series-heatmap.svg        exp03-size-vol: the two-parameter sweep
#   nightly-history.svg       three nightlies of smoke (seeds 42, 43, 42)
# usage: docs/figures.sh        (HARNESS=build/harness; ticksim beside it)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${HARNESS:-$ROOT/build/harness}
case $HARNESS in /*) ;; *) HARNESS=$ROOT/$HARNESS ;; esac
out=$ROOT/docs/figures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp -r "$ROOT/experiments" "$ROOT/golden" .
export PATH="$(dirname "$HARNESS"):$PATH"
h() { "$HARNESS" "$@" >/dev/null 2>&1 || [ $? -eq 1 ]; } # a mismatch is fine here

h run experiments/smoke.yaml --out a --no-archive
h run experiments/smoke.yaml --out b --seed 43 --no-archive
cp a/figures/BALANCED-survival.svg "$out/calibration-survival.svg"
cp a/figures/BALANCED-durations.svg "$out/calibration-durations.svg"
h compare a b --report cmp/compare.html
cp cmp/figures/compare-BALANCED-diff.svg "$out/compare-diff.svg"
h run experiments/threshold/threshold-n500.yaml --no-archive
cp runs/threshold-n500/threshold/figures/roc.svg "$out/threshold-roc.svg"
h run experiments/exp-series/exp03-size-vol.yaml --no-archive
cp "$(ls runs/exp03-size-vol/figures/*heatmap*.svg | head -1)" "$out/series-heatmap.svg"
for seed in 42 43 42; do
	sed -i "s/^seed: .*/seed: $seed/" experiments/smoke.yaml
	h nightly --tag smoke
done
cp reports/figures/nightly-smoke-balanced.svg "$out/nightly-history.svg"
ls -l "$out"
