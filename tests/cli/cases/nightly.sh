# nightly: every spec tagged nightly under experiments/ (smoke.yaml; full and
# coq-smoke are not tagged), gated on golden, with reports/nightly.md and
# reports/nightly.xml. Dates, times and archive names are masked.
mask() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z?/DATE/g' \
		-e 's/time="[0-9]+\.[0-9]+"/time="T"/g' \
		-e 's#runs/[A-Za-z0-9._-]+\.tar\.zst#runs/ARCHIVE.tar.zst#g'
}
t harness nightly --workers 2 | mask
t cat reports/nightly.md | mask
t cat reports/nightly.xml | mask
t ls runs/*.tar.zst | mask

# A regression and a spec that cannot be read: exit 1, the diff in both
# reports; --specs, --tag and --reports pick other specs and another
# directory. (gate.yaml names experiment smoke: beside experiments/smoke.yaml
# that would be a duplicate, below.)
mkdir gate
sed -e 's/^samples: 100$/samples: 98/' -e 's/^tags: .*/tags: [gate]/' \
	-e 's#^models: #models: ../experiments/#' experiments/smoke.yaml > gate/gate.yaml
printf 'experiment: Broken\nseed: 1\n' > gate/broken.yaml
t harness nightly --specs gate --tag gate --reports out --workers 2 | mask
t cat out/nightly.md | mask
t cat out/nightly.xml | mask

# In CI a missing golden is a regression too.
rm -rf golden
t env CI=1 harness nightly --workers 2 | mask
t grep -A1 '<failure' reports/nightly.xml

# Two specs with one experiment name: neither runs, both are errors.
cp experiments/smoke.yaml experiments/smoke-copy.yaml
t harness nightly --workers 2 | mask
t grep -c '<error' reports/nightly.xml
rm experiments/smoke-copy.yaml

# Nothing to run, bad usage.
t harness nightly --tag nope
t harness nightly --specs nosuch
t harness nightly --workers 0
t harness nightly extra
