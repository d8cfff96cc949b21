# A series spec (top-level `steps:`) and a snapshot of several streams,
# written by hand here: golden status, accept (a stream dropped since is
# dropped from golden too) and nightly, which runs a tagged series like any
# spec (this one is only a sketch, so its entry is an error naming what is
# missing).
mkdir -p experiments/series
printf 'experiment: loop\ntags: [series]\nsteps:\n  runs: {kind: runs}\n' > experiments/series/loop.yaml
printf 'steps:\n  runs: {kind: runs}\n' > experiments/series/noname.yaml
# snap DIR NAME=TEXT...: the streams, then a manifest as
# hx_snapshot_write_streams writes it
snap() {
	local dir=$1 streams="" sep="" name text h
	shift
	mkdir -p "$dir"
	for arg in "$@"; do
		name=${arg%%=*} text=${arg#*=}
		printf '%s\n' "$text" > "$dir/$name"
		h=$(harness hash "$dir/$name" | cut -d' ' -f1)
		streams="$streams$sep\"$name\":{\"hash\":\"$h\",\"records\":1}" sep=,
	done
	streams="{$streams}"
	h=$(printf '%s' "$streams" | harness hash - | cut -d' ' -f1)
	printf '{"engine":{"kind":"ticksim","version":"ticksim/1"},"experiment":"loop","format":"harness-snapshot/1","hash":"%s","profile":{"name":"none","round":{},"strip":[]},"seed":"1","streams":%s}\n' \
		"$h" "$streams" > "$dir/manifest.json"
}
snap snapshots/loop 'dataset.jsonl={"label":"r1","v":1}' 'summary.jsonl={"n":1}'
t harness golden status
t harness golden accept loop
t ls golden/loop
# the summary step is gone and the dataset changed
rm -r snapshots/loop
snap snapshots/loop 'dataset.jsonl={"label":"r1","v":2}'
t harness golden status
t harness golden accept loop
t ls golden/loop
rm experiments/series/noname.yaml
t harness nightly --tag series
