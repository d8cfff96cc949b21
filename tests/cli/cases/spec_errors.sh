# Bad specs: one located line, exit 2, and nothing written.
sed 's/^samples:/sampels:/' experiments/smoke.yaml > typo.yaml
t harness run typo.yaml
t harness run nosuch.yaml
printf 'experiment: x\nseed: "42"\n' > badtype.yaml
t harness run badtype.yaml
sed 's#models/verifier_noise_phase2.yaml#models/nosuch.yaml#' experiments/smoke.yaml > experiments/nomodels.yaml
t harness run experiments/nomodels.yaml
t ls
