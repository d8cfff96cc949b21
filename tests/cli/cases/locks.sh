# Writers of an experiment's snapshot or golden hold its lock (flock(2) on
# snapshots/.NAME.lock, golden/.NAME.lock): a second writer waits, saying
# so, or with --no-wait fails at once; nothing is left half written.
t sh -c 'harness run experiments/smoke.yaml --out r1 --no-archive >/dev/null 2>&1'
hold() { # LOCKFILE SECONDS: another process holds it (exclusive) meanwhile
	rm -f held
	flock -o -x "$1" sh -c "touch held; sleep $2" &
	holder=$!
	while [ ! -e held ]; do sleep 0.05; done
}
hold snapshots/.smoke.lock 0.5
t harness golden accept smoke
wait
hold snapshots/.smoke.lock 30
t harness golden accept smoke --no-wait
t harness golden reject smoke --no-wait
# a run that cannot write its snapshot has its telemetry: --resume ends it
t harness run experiments/smoke.yaml --out r2 --no-archive --no-wait
# with --seed the printed command carries it: the plan depends on it
harness run experiments/smoke.yaml --out r4 --no-archive --no-wait --seed 7 2>r4.err
echo "exit $?"
sed -n 's/.*finish the run with: //p' r4.err
kill "$holder"
wait
t sh -c 'harness run experiments/smoke.yaml --out r2 --no-archive --resume | grep -E "^(snapshot|golden) "'
t sh -c "$(sed -n 's/.*finish the run with: //p' r4.err) --no-archive | grep -E '^(snapshot|golden) '"
# the golden check reads golden/NAME under its lock (shared)
hold golden/.smoke.lock 0.5
t sh -c 'harness run experiments/smoke.yaml --out r3 --no-archive | grep -E "^(snapshot|golden) "'
wait
# the lock files are never golden/ content
t ls golden/smoke

# 20 rounds of two runs of one experiment (different seeds) and two
# golden accepts, all at once: after each, every manifest equals the hash
# of the stream beside it, no temp file is anywhere, every accept
# succeeds and every run ends 0 or 1 (a mismatch with the golden the
# other accept made).
cat > race.yaml <<'SPEC'
experiment: race
seed: 1
engine: {kind: sim-verifier}
corpus: {kind: synthetic, modules: 500}
tiers: {FAST: {timeout_s: 10}, BALANCED: {timeout_s: 60}}
samples: 400
label: false
SPEC
manifest_hash() { sed 's/.*"telemetry.jsonl":{"hash":"\([^"]*\)".*/\1/' "$1/manifest.json"; }
stream_hash() { harness hash "$1/telemetry.jsonl" | cut -d' ' -f1; }
harness run race.yaml --no-archive --out r0 >/dev/null 2>&1
bad=0 runs_failed=0 accepts_failed=0
for round in $(seq 1 20); do
	harness run race.yaml --no-archive --seed $((round * 2)) --out "race$round-a" >/dev/null 2>&1 &
	p1=$!
	harness run race.yaml --no-archive --seed $((round * 2 + 1)) --out "race$round-b" >/dev/null 2>&1 &
	p2=$!
	harness golden accept race >/dev/null 2>"accept$round-a" &
	p3=$!
	harness golden accept race >/dev/null 2>"accept$round-b" &
	p4=$!
	for p in $p1 $p2; do
		wait $p
		rc=$?
		[ $rc -le 1 ] || runs_failed=$((runs_failed + 1))
	done
	for p in $p3 $p4; do wait $p || accepts_failed=$((accepts_failed + 1)); done
	for d in snapshots/race golden/race; do
		if [ "$(manifest_hash $d)" != "$(stream_hash $d)" ]; then
			bad=$((bad + 1))
			echo "round $round: $d: manifest $(manifest_hash $d), stream $(stream_hash $d)"
		fi
	done
	if [ "$(ls -A golden/race snapshots/race | grep -cv '^manifest.json$\|^telemetry.jsonl$\|^$\|:$')" != 0 ]; then
		bad=$((bad + 1))
		echo "round $round: stray files: $(ls -A golden/race snapshots/race | tr '\n' ' ')"
	fi
done
echo "20 rounds: $bad inconsistent, $runs_failed runs and $accepts_failed accepts failed"
t sh -c 'ls -A snapshots golden | grep -v "^\.[a-z0-9-]*\.lock$"'
t sh -c 'grep -hv "^harness golden: waiting for .*race.: another harness process" accept* | sort | uniq -c'
