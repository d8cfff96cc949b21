# harness compare, paired: one plan (same seed, same tasks) calibrated twice,
# the second with FAST spurious_fail_rate 0.05 -> 0.08 and BALANCED
# timeout_rate 0.05 -> 0.07 (issue 9). The changes are large against their
# noise: both are flagged, whatever the simulator's exact draws.
models() {
	cat <<MODELS
tiers:
  fast_noisy: {timeout_rate: 0.10, spurious_fail_rate: $1, spurious_pass_rate: 0.02, base_timeout_s: 30, timeout_distribution: {type: uniform, min_ms: 500, max_ms: 1500}}
  balanced: {timeout_rate: $2, spurious_fail_rate: 0.02, spurious_pass_rate: 0.01, base_timeout_s: 60, timeout_distribution: {type: uniform, min_ms: 1000, max_ms: 2000}}
  slow_precise: {timeout_rate: 0.01, spurious_fail_rate: 0.005, spurious_pass_rate: 0.001, base_timeout_s: 120, timeout_distribution: {type: uniform, min_ms: 1500, max_ms: 3000}}
MODELS
}
models 0.05 0.05 > a.yaml
models 0.08 0.07 > b.yaml
# labels and held-out validation do not change the telemetry: kept small
cal() {
	harness calibrate --tiers FAST BALANCED SLOW --n 2000 --models "$1" --export "$2.yaml" \
		--output-dir "$2" --workers 2 --label-sample 10 --validation-split 0 "${@:3}" \
		>/dev/null 2>&1 || echo "calibrate $2 failed"
}
cal a.yaml out-a
cal b.yaml out-b
cal a.yaml out-c --seed 7
t harness compare out-a out-b --fail-on-change
t sh -c 'harness compare out-a out-b --flips | tail -n 3'
t sh -c 'harness compare out-a out-b --json | grep -o "\"paired\":[a-z]*\|\"method\":\"[a-z-]*\"\|\"significant\":true" | sort | uniq -c'
# the same runs without pairing: a calibration.yaml has no per-task records
t harness compare out-a.yaml out-b.yaml
t sh -c 'harness compare out-a out-b/calibration.yaml | sed -n 3p'
# another seed draws other modules: not one plan
t sh -c 'harness compare out-a out-c --flips | sed -n "3p;\$p"'
t sh -c 'harness compare out-a out-c --flips | grep flips'
