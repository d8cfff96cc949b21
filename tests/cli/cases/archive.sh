# archive: list, show and extract run archives; refuse damaged ones.
#
# One archive comes from a real run; its name, start time and host vary, so
# only stable facts about it are pinned (it extracts to the run's snapshot).
# The others are built here with GNU tar and zstd so that every byte of their
# manifests is fixed: MANIFEST.json is one RFC 8785 line, first in the tar,
# and manifest_hash is the XXH3-128 of that line without the manifest_hash
# field (xxh128sum prints the same digits as harness).
# (from stdin: given a file, xxh128sum clears a progress line on stderr)
hash() { xxh128sum <"$1" | cut -d' ' -f1; }
size() { wc -c <"$1" | tr -d ' '; }
# seal BODY: BODY (canonical, "members" its next key after where
# manifest_hash sorts) with its manifest_hash put in.
seal() {
	local h
	h=$(printf %s "$1" | xxh128sum | cut -d' ' -f1)
	printf '%s\n' "${1/,\"members\":/,\"manifest_hash\":\"xxh3-128:$h\",\"members\":}"
}

harness run experiments/smoke.yaml --workers 2 >/dev/null 2>&1
mv runs/smoke-*.tar.zst smoke.tar.zst
t harness archive extract smoke.tar.zst smoke
t cmp smoke/snapshot/telemetry.jsonl snapshots/smoke/telemetry.jsonl

mkdir -p a runs empty
printf 'experiment: demo\nseed: 18446744073709551615\n' >a/spec.yaml
printf '{"a":1}\n{"a":2}\n' >a/telemetry.jsonl
seal '{"engine":{"kind":"sim-verifier","version":"sim-verifier/1"},"experiment":"demo","finished":"2026-11-22T10:00:05Z","format":"harness-archive/1","git_revision":null,"golden":"match","harness_version":"0.1.0","host":{"name":"ci","os":"Linux 6.1.0 x86_64"},"members":[{"hash":"xxh3-128:'"$(hash a/spec.yaml)"'","name":"spec.yaml","size":'"$(size a/spec.yaml)"'},{"hash":"xxh3-128:'"$(hash a/telemetry.jsonl)"'","name":"telemetry.jsonl","size":'"$(size a/telemetry.jsonl)"'}],"seed":"18446744073709551615","snapshot_hash":"xxh3-128:b0f50a1de50c8d4d55e73022c3e319a2","spec":"spec.yaml","started":"2026-11-22T10:00:00Z","workers":2}' >a/MANIFEST.json
tar --zstd -cf runs/demo-1.tar.zst -C a MANIFEST.json spec.yaml telemetry.jsonl
# the same, one telemetry byte changed after the fact
printf '{"a":1}\n{"a":3}\n' >a/telemetry.jsonl
tar --zstd -cf runs/demo-2.tar.zst -C a MANIFEST.json spec.yaml telemetry.jsonl
# half of a good archive; and a file that is not an archive at all
head -c 100 runs/demo-1.tar.zst >runs/demo-3.tar.zst
echo 'not a tar' >runs/notes.tar.gz
echo 'not listed: wrong suffix' >runs/README
# a longer name widens the FILE column (a header names the columns)
cp runs/demo-1.tar.zst runs/demo-1-copy.tar.zst

t harness archive ls runs
t harness archive show runs/demo-1.tar.zst
t harness archive show --json runs/demo-1.tar.zst
t harness archive show runs/demo-2.tar.zst
t harness archive show runs/demo-3.tar.zst
t harness archive show runs/missing.tar.zst
t harness archive extract runs/demo-1.tar.zst out/demo
t cat out/demo/spec.yaml
t harness archive extract runs/demo-2.tar.zst out/bad
t test -e out/bad

# a member name that leaves the directory (tar -P keeps "../")
mkdir -p b/c
printf 'evil\n' >b/evil.txt
seal '{"format":"harness-archive/1","members":[{"hash":"xxh3-128:'"$(hash b/evil.txt)"'","name":"../evil.txt","size":'"$(size b/evil.txt)"'}]}' >b/c/MANIFEST.json
(cd b/c && tar -P --zstd -cf ../../evil.tar.zst MANIFEST.json ../evil.txt)
t harness archive extract evil.tar.zst out/evil
t test -e out/evil.txt
# the failed extracts left nothing, not even their temporary directories
t ls -A out

t harness archive ls empty
t harness archive ls no-such-dir
t harness archive
t harness archive frob
t harness archive show
t harness archive show --yaml runs/demo-1.tar.zst
t harness archive extract runs/demo-1.tar.zst
t harness archive ls runs empty
t harness archive --help
t harness archive show --help

# The real run's archive repacked by hand with plain tar (a "./" entry,
# "./" prefixes, MANIFEST.json wherever tar puts it, uncompressed or not)
# verifies and shows the same manifest.
(cd smoke && tar -cf ../repack.tar . && tar --zstd -cf ../repack.tar.zst .)
t sh -c 'tar -tf repack.tar | head -1'
harness archive show smoke.tar.zst >show-orig.txt
t sh -c 'harness archive show repack.tar >show-repack.txt && cmp show-orig.txt show-repack.txt && grep -E "^(format|members):" show-repack.txt'
t sh -c 'harness archive show repack.tar.zst | cmp - show-orig.txt'
t harness archive extract repack.tar again
t diff -r smoke again

# An extract that fails partway leaves nothing behind: here the file size
# limit (SIGXFSZ ignored: write(2) fails with EFBIG) stops the second
# member, after MANIFEST.json and spec.yaml were written; a full disk
# (ENOSPC) takes the same path and says "No space left on device".
python3 fixtures/make_bomb.py big.tar.zst spec.yaml=text:x big.bin=random:1M
t bash -c 'ulimit -f 256; trap "" XFSZ; exec harness archive extract big.tar.zst lim/out'
t sh -c 'ls -A | grep -e lim -e extract'
# DIR must be new or empty
t harness archive extract runs/demo-1.tar.zst out/demo
