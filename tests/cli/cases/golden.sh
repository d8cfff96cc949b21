# From no golden to an accepted one; a changed spec is caught.
# (--no-archive: archives are the archive cases' business, and their names
# depend on the second a run ends in.)
rm -rf golden
t harness run experiments/smoke.yaml --out r1 --workers 2 --no-archive
# in CI the hint says what works there ('golden accept' refuses in CI)
t env CI=true harness run experiments/smoke.yaml --out r2 --workers 2 --no-archive
t harness golden accept smoke
t cmp snapshots/smoke/manifest.json golden/smoke/manifest.json
t harness run experiments/smoke.yaml --out r3 --workers 2 --no-archive
# (the changed spec lives outside experiments/: two specs there naming one
# experiment are an error of their own, below)
mkdir changed
sed -e 's/^samples: 100$/samples: 98/' -e 's#^models: #models: ../experiments/#' \
	experiments/smoke.yaml > changed/smoke98.yaml
t harness run changed/smoke98.yaml --out r4 --workers 2 --no-archive
printf 'x' >> snapshots/smoke/telemetry.jsonl
t harness golden accept smoke
t harness golden accept nosuch

# golden status: pending (smoke98 changed the smoke snapshot), new (extra has
# no golden yet; CI keeps its snapshot in --pending-dir), missing (specs with
# neither golden nor snapshot), unused (golden/old), and a spec that cannot be
# read; models/ and coq.profile.yaml are not specs and are not mentioned.
t sh -c 'harness run changed/smoke98.yaml --out r5 --workers 2 --no-archive >/dev/null'
sed -e 's/^experiment: smoke$/experiment: extra/' -e '/^golden:/d' experiments/smoke.yaml \
	> experiments/extra.yaml
t sh -c 'CI=1 harness run experiments/extra.yaml --out r6 --workers 2 --no-archive --pending-dir pending >/dev/null'
t cmp pending/extra/telemetry.jsonl snapshots/extra/telemetry.jsonl
mkdir golden/old && cp golden/smoke/* golden/old/
printf 'experiment: Broken\nseed: 1\n' > experiments/broken.yaml
t harness golden status
t harness golden status --json
t harness golden status --specs nosuch
rm experiments/broken.yaml

# CI never writes golden/ (nor drops snapshots); review needs a terminal.
t env CI=1 harness golden accept --all
t env CI=yes harness golden reject smoke
t env CI=true harness golden review
t env CI=0 harness golden review
t harness golden review

# reject drops the pending snapshot and leaves golden alone; accept --all
# takes every pending and new one.
t harness golden reject extra
t ls snapshots
t harness golden reject extra
t harness golden status
t harness golden accept --all
t harness golden status
t harness golden accept --all
t harness golden reject --all
t harness golden accept
t harness golden accept smoke --all
t harness golden reject Smoke
t harness golden status extra
t harness golden frob

# The gate: a changed spec under CI=1 exits 1 and leaves golden/ untouched
# (the pending snapshot is kept for CI's artifacts); accepting the change
# outside CI makes the CI run pass; status still lists the unused golden.
(cd golden && find . -type f | sort | xargs cksum) > golden-before.txt
sed -i 's/^samples: 100$/samples: 97/' experiments/smoke.yaml
t env CI=1 harness run experiments/smoke.yaml --out r7 --workers 2 --no-archive --pending-dir pending
(cd golden && find . -type f | sort | xargs cksum) > golden-after.txt
t cmp golden-before.txt golden-after.txt
t cmp pending/smoke/manifest.json snapshots/smoke/manifest.json
t harness golden accept smoke
t sh -c 'CI=1 harness run experiments/smoke.yaml --out r8 --workers 2 --no-archive --pending-dir pending2 >/dev/null'
t test -e pending2
t harness golden status

# A golden with no snapshot yet (a fresh checkout) is listed, not skipped.
rm -rf snapshots/smoke
t harness golden status

# Two specs giving one experiment name would overwrite each other's
# snapshot: status names both and exits 2; accept refuses the name.
sed 's/^samples: 97$/samples: 90/' experiments/smoke.yaml > experiments/smoke-copy.yaml
t harness golden status
t harness golden status --json
t harness golden accept smoke
rm experiments/smoke-copy.yaml
