# SIGINT stops a run cleanly: exit 130, the completed records kept, and a
# resumed run ends with the snapshot an uninterrupted run gives.
# the duration fits and the validation verdict depend on real timings
T_MASK='s/^(fit +ground truth: [a-z]+;).*/\1 (timing-dependent)/; s/^(validation +).*/\1(timing-dependent)/'
printf 'strip: [verification_id, timestamp, duration_ms, cpu_time_ms, memory_peak_mb, metadata.worker, metadata.engine_path, metadata.engine_hash]\n' > steady.yaml
cat > slow.yaml <<'SPEC'
experiment: slow
seed: 1
engine: {kind: command, command: [sleep, "0.1"], version_command: [echo, sleeper 1.0]}
corpus: {kind: synthetic, modules: 100}
tiers: {FAST: {timeout_s: 10}}
samples: 40
workers: 2
canonical: {profile: steady.yaml}
SPEC
harness run slow.yaml --out r >out.txt 2>err.txt &
pid=$!
sleep 0.8
kill -INT "$pid"
wait "$pid"
echo "exit $?"
sed -E 's/after [0-9]+ of/after K of/' err.txt
t test -s r/telemetry.jsonl.partial
t test -e r/telemetry.jsonl
t harness run slow.yaml --out r --resume
t test -e r/telemetry.jsonl.partial
t harness run slow.yaml --out straight
t sh -c 'harness canon --profile steady.yaml r/telemetry.jsonl | harness hash -'
t harness run slow.yaml --out nowhere --resume
# A second SIGINT ends the harness at once, and its tasks with it, even
# tasks that ignore SIGTERM and would get a 30 s grace period.
cat > stubborn.yaml <<'SPEC'
experiment: stubborn
seed: 1
engine: {kind: command, command: [sh, -c, 'trap "" TERM; sleep 31.25'], version_command: [echo, stubborn 1], grace_s: 30}
corpus: {kind: synthetic, modules: 10}
tiers: {FAST: {timeout_s: 60}}
samples: 4
workers: 2
SPEC
harness run stubborn.yaml --out s >/dev/null 2>&1 &
pid=$!
sleep 0.5
kill -INT "$pid"
sleep 0.3
kill -INT "$pid"
wait "$pid"
echo "exit $?"
sleep 0.2
t pgrep -f 'sleep 31[.]25'
