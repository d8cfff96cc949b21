# harness slurm without --submit: the job scripts, submit.json and the sbatch
# commands; a rerun names only the shards that are not complete; bad input.
# (The submission itself runs on a real Slurm: tests/slurm/cluster.sh.)
T_MASK="s#$(readlink -f "$(command -v harness)")#HARNESS#g; s#$PWD#PWD#g"
t harness slurm experiments/full.yaml --shards 4 --max-parallel 2 --partition short \
	--time 2:00:00 --cpus-per-task 4 --mem 8G --account proj42
t sh -c 'cat runs/full-*-slurm/slurm/shard.sbatch'
t sh -c 'cat runs/full-*-slurm/slurm/merge.sbatch'
t sh -c 'cat runs/full-*-slurm/slurm/submit.json'
t sh -c 'cd runs/full-*-slurm/slurm && stat -c "%A %n" *'

# a run directory with a blank and a quote in its name, a seed
t harness slurm experiments/smoke.yaml --shards 3 --out "it's mine" --seed 7
t sed -n -e '/^#SBATCH --output/p' -e '/^run=/p' -e '/^set -- run/p' "it's mine/slurm/shard.sbatch"
# shards 0 and 2 complete (their manifests), 1 stopped: only shard 1 is to run
mkdir -p "it's mine/shards/0" "it's mine/shards/1" "it's mine/shards/2"
printf '{"attempts":1,"complete":true,"records":34,"tasks":34}\n' >"it's mine/shards/0/shard.json"
printf '{"attempts":1,"complete":false,"records":0,"tasks":33}\n' >"it's mine/shards/1/shard.json"
printf '{"a":1}\n{"a":2}\n' >"it's mine/shards/1/telemetry.jsonl.partial"
printf '{"attempts":1,"complete":true,"records":33,"tasks":33}\n' >"it's mine/shards/2/shard.json"
t harness slurm experiments/smoke.yaml --shards 3 --out "it's mine" --seed 7
t harness slurm status "it's mine"
# every shard and the merge done: nothing to submit
printf '{"attempts":2,"complete":true,"records":33,"tasks":33}\n' >"it's mine/shards/1/shard.json"
rm "it's mine/shards/1/telemetry.jsonl.partial"
mkdir "it's mine/merged" && echo done >"it's mine/merged/summary.txt"
t harness slurm experiments/smoke.yaml --shards 3 --out "it's mine" --seed 7
t harness slurm status "it's mine"
t harness slurm resubmit "it's mine"
# the same RUN for another plan is refused
t harness slurm experiments/smoke.yaml --shards 2 --out "it's mine"
t harness slurm experiments/smoke.yaml --shards 3 --out "it's mine"

# --submit without Slurm's commands: the scripts are written, exit 3
mkdir nobin && ln -s "$(command -v harness)" nobin/harness
t env PATH=nobin harness slurm experiments/smoke.yaml --shards 2 --out r2 --submit
t ls r2/slurm

# bad input
t harness slurm experiments/full.yaml
t harness slurm experiments/full.yaml --shards 0
t harness slurm experiments/full.yaml --shards two
t harness slurm nosuch.yaml --shards 2
t harness slurm experiments/full.yaml --shards 2 --shard 1
t harness slurm experiments/full.yaml --shards 2 --max-parallel 0
t harness slurm experiments/full.yaml experiments/smoke.yaml --shards 2
t harness slurm experiments/full.yaml --shards 2 --out experiments
t harness slurm experiments/full.yaml --shards 2 --out experiments/full.yaml
t harness slurm status experiments
t harness slurm status
t harness slurm resubmit nosuch
t harness slurm status "it's mine" --json
t harness slurm --help
