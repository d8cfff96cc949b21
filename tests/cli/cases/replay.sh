# Every run is archived; replaying the archive reproduces it bit for bit,
# whatever the worker count; a member changed after the fact (one byte of
# the telemetry, repacked with tar) fails verification naming it; a
# truncated archive is a clear error.
t harness run experiments/smoke.yaml --out r1 --workers 2
t sh -c 'ls runs | sed -E "s/[0-9]{8}T[0-9]{6}Z/UTC/"'
cp runs/*.tar.zst smoke.tar.zst
a=smoke.tar.zst
t harness replay "$a" --workers 1
t harness replay "$a" --json
# Flip one byte of a member (the canonical snapshot), keep the manifest:
# verification names it.
mkdir x
tar --zstd -xf "$a" -C x
printf X | dd of=x/snapshot/telemetry.jsonl bs=1 seek=10 conv=notrunc 2>/dev/null
(cd x && tar --zstd -cf ../tampered.tar.zst MANIFEST.json $(tar --zstd -tf ../smoke.tar.zst | grep -v MANIFEST.json))
t harness replay tampered.tar.zst
# Half an archive.
head -c 5000 "$a" > half.tar.zst
t harness replay half.tar.zst
t harness replay missing.tar.zst
t harness replay
t harness run experiments/smoke.yaml --out r2 --no-archive --workers 2
t sh -c 'ls runs | wc -l'
# Another engine section (here the same simulator): what a Lean upgrade uses.
printf 'engine: {kind: sim-verifier}\n' > same-engine.yaml
t harness replay smoke.tar.zst --engine same-engine.yaml
printf 'engin: {kind: sim-verifier}\n' > bad-engine.yaml
t harness replay smoke.tar.zst --engine bad-engine.yaml
