# A spec and every file it names must be a regular file of at most 64 MiB:
# anything else is refused before it is read, on one located line, exit 2;
# a path through a file or too long for the system is bad input too (2);
# and SIGTERM while a run is still starting ends it with 130.
# `limited` runs a command with at most 1 GB of address space (where the
# harness starts under that: a sanitizer build reserves far more), and a
# watchdog that sends SIGTERM after 20 s, so a regression cannot eat the
# machine or hang.
cat > limited <<'SH'
#!/bin/sh
# (the probe in a shell of its own that outlives the harness: dash reports
# a child killed by a signal, "Aborted", on its own stderr)
if sh -c 'ulimit -v 1000000 && harness --help; exit $?' >/dev/null 2>&1; then ulimit -v 1000000; fi
exec timeout -s TERM 20 "$@"
SH
chmod +x limited
sed 's#models/verifier_noise_phase2.yaml#/dev/zero#' experiments/smoke.yaml > zero.yaml
t ./limited harness run zero.yaml
# a FIFO with no writer: refused at once, never opened (opening blocks)
mkfifo pipe.yaml
sed 's#models/verifier_noise_phase2.yaml#../pipe.yaml#' experiments/smoke.yaml > experiments/fifo.yaml
t ./limited harness run experiments/fifo.yaml
t ./limited harness run pipe.yaml
printf 'experiment: x\nseed: 1\ncorpus: {list: /dev/zero}\n' > list.yaml
t ./limited harness run list.yaml
truncate -s 65M big.yaml
sed 's#models/verifier_noise_phase2.yaml#../big.yaml#' experiments/smoke.yaml > experiments/big.yaml
t ./limited harness run experiments/big.yaml
t ./limited harness run big.yaml
# ENOTDIR, ENAMETOOLONG: the path is wrong, the system is fine
sed 's#models/verifier_noise_phase2.yaml#smoke.yaml/models.yaml#' experiments/smoke.yaml > experiments/notdir.yaml
t harness run experiments/notdir.yaml
long=$(printf '%05000d' 0 | tr 0 m)
sed "s#models/verifier_noise_phase2.yaml#$long#" experiments/smoke.yaml > long.yaml
t harness run long.yaml
t harness run experiments/smoke.yaml/x.yaml
t harness hash experiments/smoke.yaml/x.jsonl
t harness condense experiments/smoke.yaml/x.jsonl --profile p
t ls
# SIGTERM while the engine is identified (its version command hangs): the
# run stops before its first task, exit 130, nothing written
cat > hang.yaml <<'SPEC'
experiment: hang
seed: 1
engine: {kind: command, command: ["true"], version_command: [sh, -c, 'touch started; exec sleep 30.5']}
corpus: {kind: synthetic, modules: 1}
tiers: {FAST: {timeout_s: 1}}
samples: 1
SPEC
harness run hang.yaml --out rh >out.txt 2>err.txt &
pid=$!
i=0
while [ ! -e started ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM "$pid"
wait "$pid"
echo "exit $?"
cat out.txt err.txt
t ls -A rh
t pgrep -f 'sleep 30[.]5'
