# harness fit: the reference sample of shared/reference/stats-vectors.md,
# uncensored and right-censored at 10, and per-tier fits of telemetry.
printf '1.2\n2.3\n2.9\n3.4\n4.1\n4.8\n5.5\n6.7\n7.9\n9.6\n12.4\n17.3\n' > x.txt
t harness fit --durations x.txt
t harness fit --durations x.txt --censor-at 10
t harness fit --durations x.txt --censor-at 10 --json
t harness fit --durations x.txt --censor-at 1
t harness run experiments/smoke.yaml --out r --workers 2
t harness fit r/telemetry.jsonl
printf '1\nx\n' > bad.txt
t harness fit --durations bad.txt
t harness fit --censor-at 10 r/telemetry.jsonl
t harness fit
