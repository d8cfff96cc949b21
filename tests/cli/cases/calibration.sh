# The calibration stages of `harness run`: labels from three slow-tier
# voters, fits, validation (with acceptance envelopes), and the exports:
# calibration.md, the verifier's noise configuration, and calibration.yaml
# read back by compare. Dates are masked.
cat > cal.yaml <<'SPEC'
experiment: cal
seed: 3
engine: {kind: sim-verifier}
models: experiments/models/verifier_noise_phase2.yaml
corpus: {kind: synthetic, modules: 2000}
tiers: {FAST: , SLOW: }
samples: 1500
label:
  sample: 400
  consensus: [{tier: SLOW}, {tier: SLOW}, {tier: SLOW}]
validate:
  envelopes:
    FAST: {timeout_rate: [0.15, 0.25]}
    SLOW: {timeout_rate: [0.005, 0.03]}
SPEC
t harness run cal.yaml --out r --workers 2
t sh -c "sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/DATE/' r/calibration.md"
t sh -c "sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/DATE/' r/noise_config.yaml"
t sh -c 'head -3 r/labels.jsonl'
t harness compare r/calibration.yaml r --json
# Stage switches and a located error.
printf 'label: false\nvalidate: false\nexport: {report: false, noise_config: false}\n' >> cal.yaml
sed -i '/^label:$/,/^    SLOW/d' cal.yaml
t harness run cal.yaml --out r2 --workers 2
t ls r2
printf 'fit: maybe\n' >> cal.yaml
t harness run cal.yaml --out r3
