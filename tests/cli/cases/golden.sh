# From no golden to an accepted one; a changed spec is caught.
rm -rf golden
t harness run experiments/smoke.yaml --out r1 --workers 2
t env CI=true harness run experiments/smoke.yaml --out r2 --workers 2
t harness golden accept smoke
t cmp snapshots/smoke/manifest.json golden/smoke/manifest.json
t harness run experiments/smoke.yaml --out r3 --workers 2
sed 's/^samples: 100$/samples: 98/' experiments/smoke.yaml > experiments/smoke98.yaml
t harness run experiments/smoke98.yaml --out r4 --workers 2
printf 'x' >> snapshots/smoke/telemetry.jsonl
t harness golden accept smoke
t harness golden accept nosuch
