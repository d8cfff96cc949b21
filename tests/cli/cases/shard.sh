# shard: `harness run --shard K/N` runs a strided part of the plan; `harness
# merge` of shards 1, 2, 4 and 7 of full gives the unsharded run's snapshot
# hash, and its archive replays identical. A missing shard, a shard of another
# seed or spec, overlapping shards, an incomplete shard and a truncated shard
# journal are refused (exit 2), naming the shard.
hash_of() { grep -o '"hash":"xxh3-128:[0-9a-f]*"' "$1" | head -1; }
harness run experiments/full.yaml --no-archive --no-report --out whole --json >whole.json 2>/dev/null
echo "unsharded $(hash_of whole.json)"
t harness run experiments/full.yaml --shard 2/4 --out s4/2 --workers 2
t cat s4/2/shard.json
for n in 1 2 4 7; do
	dirs=""
	k=0
	while [ "$k" -lt "$n" ]; do
		[ -d "s$n/$k" ] || harness run experiments/full.yaml --shard "$k/$n" --out "s$n/$k" \
			--workers 2 >/dev/null 2>&1 || echo "shard $k/$n failed"
		dirs="$dirs s$n/$k"
		k=$((k + 1))
	done
	# shellcheck disable=SC2086
	harness merge $dirs --out "m$n" --no-archive --no-report --json >"m$n.json" 2>/dev/null
	echo "$n shards: exit $? $(hash_of "m$n.json")"
	[ "$(hash_of "m$n.json")" = "$(hash_of whole.json)" ] && echo "$n shards: the unsharded hash"
done
# the merged run is finished as a run is: snapshot, stages, archive, replay
t harness merge s4/3 s4/1 s4/0 s4/2 --out merged --workers 2
mv runs/full-*.tar.zst merged.tar.zst
t harness replay merged.tar.zst --workers 2
# refusals, each naming the shard
t harness merge s4/0 s4/1 s4/3 --out bad
harness run experiments/full.yaml --shard 2/4 --seed 7 --out seed7 >/dev/null 2>&1
t harness merge s4/0 s4/1 seed7 s4/3 --out bad
sed 's/^description: .*/description: "another spec"/' experiments/full.yaml >experiments/full-other.yaml
harness run experiments/full-other.yaml --shard 2/4 --out other >/dev/null 2>&1
t harness merge s4/0 s4/1 other s4/3 --out bad
t harness merge s4/0 s4/1 s4/2 s4/3 s4/2 --out bad
t harness merge s4/0 s4/1 s2/1 --out bad
cp -r s4/2 torn
head -n 100 s4/2/telemetry.jsonl >torn/telemetry.jsonl
t harness merge s4/0 s4/1 torn s4/3 --out bad
head -c 5000 s4/2/telemetry.jsonl >torn/telemetry.jsonl
t harness merge s4/0 s4/1 torn s4/3 --out bad
t test ! -e bad/telemetry.jsonl
t harness merge s4/0 nowhere --out bad
t harness merge --out bad
t harness run experiments/full.yaml --shard 4/4
t harness run experiments/full.yaml --shard 1/0
t harness run experiments/full.yaml --shard 1 --out x
t harness run experiments/full.yaml --shard 1/2 --no-archive --out x
# a shard stopped after its tasks is incomplete until resumed
(
	HARNESS_TEST_KILL_AT=telemetry-final harness run experiments/full.yaml --shard 1/4 --out k1 \
		>/dev/null 2>&1
	echo "killed: exit $?"
) 2>/dev/null
t harness merge s4/0 k1 s4/2 s4/3 --out bad
# a shard interrupted mid-way resumes from its own journal
HARNESS_TEST_TASK_DELAY_MS=2 harness run experiments/full.yaml --shard 1/4 --workers 1 \
	--out k1 >/dev/null 2>&1 &
pid=$!
while [ ! -s k1/telemetry.jsonl.partial ]; do sleep 0.05; done
kill -INT "$pid"
wait "$pid"
echo "interrupted: exit $?"
t harness run experiments/full.yaml --shard 1/4 --out k1 --resume --workers 2
t grep -o '"attempts":[0-9]*,"complete":[a-z]*' k1/shard.json
harness merge s4/0 k1 s4/2 s4/3 --out resumed --no-archive --no-report --json >resumed.json 2>/dev/null
echo "resumed shard merged: exit $? $(hash_of resumed.json)"
# a shard resumed as another shard is refused
t harness run experiments/full.yaml --shard 2/4 --out k1 --resume
