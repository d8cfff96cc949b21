# harness compare: two simulated calibrations whose timeout rates differ
# (10% vs 15%), and the same parameters under another seed.
spec() {
	cat <<SPEC
experiment: $1
seed: $2
engine: {kind: sim-verifier}
models:
  tiers:
    balanced: {timeout_rate: $3, spurious_fail_rate: 0.02, spurious_pass_rate: 0.01, base_timeout_s: 60, timeout_distribution: {type: fixed, fixed_ms: 60000}}
corpus: {kind: synthetic, modules: 20000}
tiers: {BALANCED: }
samples: 5000
SPEC
}
spec ten 1 0.10 > ten.yaml
spec fifteen 2 0.15 > fifteen.yaml
spec again 3 0.10 > again.yaml
for s in ten fifteen again; do harness run $s.yaml --out $s --workers 2 >/dev/null 2>&1; done
t harness compare ten fifteen
t harness compare ten fifteen --fail-on-change
t harness compare ten again --fail-on-change --json
t harness compare ten/telemetry.jsonl again/telemetry.jsonl --alpha 0.5
t harness compare ten ten/calibration.yaml
t harness compare ten
t harness compare ten fifteen --alpha 2
