# The smoke experiment matches the committed golden whatever the worker
# count; another seed is a readable mismatch (exit 1).
t harness run experiments/smoke.yaml --workers 1 --out r1
t harness run experiments/smoke.yaml --workers 4 --out r4
# The snapshot is `harness canon --profile telemetry` of the raw telemetry.
t sh -c 'harness canon --profile telemetry r4/telemetry.jsonl | harness hash -'
t cmp snapshots/smoke/telemetry.jsonl golden/smoke/telemetry.jsonl
t ls r1
t harness run experiments/smoke.yaml --seed 7 --out r7 --workers 2
t harness run experiments/smoke.yaml --json --out rj --workers 2
