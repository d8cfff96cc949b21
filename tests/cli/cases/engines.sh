# Real engines without a canonical profile get telemetry-real: a command
# engine whose records differ from run to run only in what a real process
# does not reproduce (timings, memory, a pid in its stderr, a temporary path,
# a duration in its own telemetry) hashes the same twice, passes its golden,
# and replays as identical. The engine is shown by its argv.
cat > cmd.yaml <<'SPEC'
experiment: cmd
seed: 7
engine:
  kind: command
  command: [sh, -c, 'echo "pid $$ in {task_dir}" >&2; echo "{\"duration_ms\":$$,\"goals\":2}" > {telemetry_path}; case {module} in Bad.*) echo "{module}:1:1: error: bad" >&2; exit 1;; esac']
  telemetry: '{out_dir}/engine/{task_index}.jsonl'
corpus: {list: mods.txt}
tiers: {FAST: {timeout_s: 10}}
samples: 3
workers: 2
fit: false   # real durations: no pinned fit
SPEC
printf 'Good.A\nBad.B\nGood.C\n' > mods.txt
t harness run cmd.yaml --out r1
t harness golden accept cmd
t harness run cmd.yaml --out r2
# the raw telemetry differs, the canonical one does not
t cmp -s r1/telemetry.jsonl r2/telemetry.jsonl
t sh -c 'for r in r1 r2; do harness canon --profile telemetry-real $r/telemetry.jsonl | harness hash -; done'
t sh -c 'harness canon --profile telemetry-real r1/telemetry.jsonl | head -1'
cp "$(ls runs/cmd-*.tar.zst | head -1)" cmd.tar.zst
t harness replay cmd.tar.zst
t sh -c 'harness archive show cmd.tar.zst | grep ^engine: | sed -E "s/\"(binary_hash|path)\":\"[^\"]*\",//g"'
t sh -c "grep -E '^  (engine|engine_version|models_file|models_hash):' r1/calibration.yaml"

# A module without a file is an error before anything runs, unless the
# corpus says missing: skip (calibrate: --skip-missing).
printf 'Valid.AddComm\nNo.Such\nBroken.WrongArith\nNope.A\nNope.B\n' > coqmods.txt
t harness calibrate --engine coq --root experiments/coq --tiers FAST --n 2 --modules coqmods.txt --export out/cal.yaml
t test -e out
t harness calibrate --engine coq --root experiments/coq --tiers FAST --n 2 --modules coqmods.txt --export out/cal.yaml --skip-missing --dry-run
t harness calibrate --tiers FAST --n 2 --root experiments/coq --export x.yaml
t harness calibrate --engine coq --root nowhere --tiers FAST --n 2 --export x.yaml
cat > req.yaml <<'SPEC'
experiment: req
seed: 1
engine: {kind: command, command: [cat, '{module_path}'], require_module_file: true, extension: .v, root: experiments/coq}
corpus: {list: coqmods.txt, missing: skip}
tiers: {FAST: {timeout_s: 10}}
samples: 2
label: false
fit: false
SPEC
t harness run req.yaml --out rq --no-archive
t sh -c "grep corpus: rq/calibration.yaml"
sed -i 's/, missing: skip//' req.yaml
t harness run req.yaml --out rq2

# Output paths are made and checked before any task runs.
touch afile
t harness run cmd.yaml --out afile/run
t harness calibrate --tiers FAST --n 2 --export afile/cal.yaml
t harness calibrate --tiers FAST --n 2 --export experiments
t harness calibrate --tiers FAST --n 2 --export x.yaml --output-dir afile/o
