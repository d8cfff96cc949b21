# A run killed (SIGKILL) at any point after its telemetry is final
# resumes to what an uninterrupted run gives: the same snapshot hash,
# labels and models, one archive. HARNESS_TEST_KILL_AT is a test hook
# (src/testhook.h): the run kills itself at that point.
killed_run() { # POINT ARGS...: the exit status of a run killed at POINT
	(
		HARNESS_TEST_KILL_AT=$1
		export HARNESS_TEST_KILL_AT
		shift
		harness run "$@" >/dev/null 2>&1
		echo $?
	) 2>/dev/null
}
t sh -c 'harness run experiments/smoke.yaml --out straight | grep -E "^(snapshot|golden) "'
# what each run dir holds besides its name and dates
same_as_straight() {
	cmp "$1/labels.jsonl" straight/labels.jsonl &&
		cmp <(grep -v 2026 "$1/calibration.yaml") <(grep -v 2026 straight/calibration.yaml) &&
		cmp <(grep -v 2026 "$1/noise_config.yaml") <(grep -v 2026 straight/noise_config.yaml) &&
		echo "$1: labels and models as in the uninterrupted run"
}
for point in telemetry-final snapshot-written stages-done summary-written archive-written; do
	rc=$(killed_run $point experiments/smoke.yaml --out "k-$point")
	echo "killed at $point: exit $rc; left: $(ls "k-$point" | tr '\n' ' ')"
	t sh -c "harness run experiments/smoke.yaml --out k-$point --resume | grep -E '^(snapshot|golden|archive) '"
	same_as_straight "k-$point"
done
# one archive per run, the resumed ones included
t sh -c 'ls runs/*.tar.zst | wc -l'
# a finished run finished again: the same archive, replaced, not a second
t sh -c 'harness run experiments/smoke.yaml --out straight --resume >/dev/null'
t sh -c 'ls runs/*.tar.zst | wc -l'
# the state of a killed run: the snapshot is whole all along
echo "killed: exit $(killed_run telemetry-final experiments/smoke.yaml --out k2 --seed 7)"
t sh -c 'harness golden status | grep smoke'
t harness run experiments/smoke.yaml --out k2 --resume
t sh -c 'harness run experiments/smoke.yaml --out k2 --seed 7 --resume --no-archive | grep -E "^(snapshot|golden) "'
t sh -c 'harness golden status | grep smoke'
t harness run experiments/smoke.yaml --out nothing-here --resume

# What an interrupted attempt left is removed, each with a message: temp
# files of atomic writes in the run dir, the archive's temp file, and a
# new snapshot directory that never took the old one's place.
echo "killed: exit $(killed_run summary-written experiments/smoke.yaml --out k3)"
archive=$(sed 's/.*"archive":"\([^"]*\)".*/\1/' k3/.run-state.json)
printf 'half' > k3/calibration.yaml.tmp.AbC123
printf 'half' > "$archive.tmp-4242"
mkdir snapshots/.smoke.new.XyZ789
t sh -c 'harness run experiments/smoke.yaml --out k3 --resume 2>&1 >/dev/null | sed -E "s/[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}(-[0-9]+)?/UTC-HASH/; /tasks in/d"'
t sh -c 'ls -A k3 snapshots; ls runs | grep tmp | wc -l'

# Snapshots and goldens change as a unit; no temp file is ever accepted:
# one an older harness left in a snapshot is removed, with a message.
printf '{"half":' > snapshots/smoke/manifest.json.tmp.Q1w2E3
t harness golden accept smoke
t ls -A golden/smoke snapshots/smoke
# A snapshot directory an older harness left half written (its stream,
# no manifest) is incomplete, and said so; a run writes it whole again.
rm snapshots/smoke/manifest.json
t sh -c 'harness golden status | grep smoke'
t harness golden accept smoke
t sh -c 'harness run experiments/smoke.yaml --out r9 --no-archive | grep -E "^(snapshot|golden) "'
# A directory holding a subdirectory is not a snapshot: never replaced.
mkdir -p golden/odd/sub oddspecs
sed -e 's#^golden: .*#golden: golden/odd#' -e 's#^models: #models: ../experiments/#' \
	experiments/smoke.yaml > oddspecs/smoke.yaml
t harness golden accept smoke --specs oddspecs
t ls golden/odd
