# A real verifier: coqc over experiments/coq at FAST (4 s) and BALANCED
# (60 s). Valid proofs verify, broken ones are proof_invalid, the slow one
# times out at FAST only; worker counts 1 and 2 give the same outcome
# columns and, under the verifier profile (no timings), the same snapshot.
# the duration fits and the validation verdict depend on real timings
T_MASK='s/^(fit +ground truth: [a-z]+;).*/\1 (timing-dependent)/; s/^(validation +).*/\1(timing-dependent)/'
t harness run experiments/coq-smoke.yaml --workers 1 --out w1
outcomes() {
	harness canon --strip metadata "$1/telemetry.jsonl" |
		sed -E 's/.*"module_name":"([^"]*)".*"outcome":"([^"]*)".*"tier":"([^"]*)".*/\3 \1 \2/'
}
t outcomes w1
t harness run experiments/coq-smoke.yaml --workers 2 --out w2
outcomes w1 > o1
outcomes w2 > o2
t cmp o1 o2
t ls w2
