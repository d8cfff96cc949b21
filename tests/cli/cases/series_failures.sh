# A series whose engine fails for some runs: each failed run is reported
# with its reason (exit status and stderr, no telemetry, an empty file), its
# dataset row is kept as failed, the others are condensed and summarised,
# and the series exits 1. Then spec errors: located, exit 2.
T_MASK='s/^elapsed     [0-9.]+ s/elapsed     N s/'
cat > failing.yaml <<'YAML'
experiment: failing
seed: 1
engine:
  kind: command
  command: [ticks_const, --ticks, "5", --profile, "{profile}"]
  env: {PARAPHINA_TELEMETRY_MODE: jsonl, PARAPHINA_TELEMETRY_PATH: "{telemetry_path}"}
steps:
  runs:
    kind: runs
    profiles: [balanced]
    grid: {fail: ["no", "1", silent, empty]}
    env: {TICKS_FAIL: "{fail}"}
  dataset: {kind: condense, needs: [runs]}
  summary: {kind: summary, needs: [dataset]}
YAML
t harness run failing.yaml --no-archive
t cat runs/failing/dataset/dataset.csv
t cat runs/failing/runs/runs.csv

cat > bad.yaml <<'YAML'
experiment: bad
seed: 1
engine:
  kind: command
  command: [ticksim, --ticks, "{tick}"]
steps:
  runs: {kind: runs, profiles: [balanced]}
YAML
t harness run bad.yaml
sed -i 's/{tick}/10/; s/profiles: \[balanced\]}/profiles: [balanced]}\n  summary: {kind: summary, needs: [run]}/' bad.yaml
t harness run bad.yaml
sed -i 's/needs: \[run\]/needs: [runs]/' bad.yaml
t harness run bad.yaml
t harness run bad.yaml --seed 3
