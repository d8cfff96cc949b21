# HTML reports of threshold calibrations: harness threshold --report (the
# figures beside it, named after it; report.html gives figures/roc.svg ...),
# every SVG rendered by a real renderer and not blank, the same bytes from a
# second render; the threshold step of a series writes STEP/report.html and
# figures/, rebuilt with the same bytes when the step runs again, and the
# series archive holds them; then --report's errors.
T_MASK='s/^elapsed     [0-9.]+ s/elapsed     N s/'
ref() { # score label
	printf '{"score": %s, "label": %s}\n' "$1" "$2"
}
{
	ref 0.05 false; ref 0.1 false; ref 0.2 false; ref 0.3 false
	ref 0.35 true; ref 0.4 false; ref 0.5 true; ref 0.55 true
	ref 0.6 false; ref 0.7 true; ref 0.8 true; ref 0.9 true
} >ref.jsonl
t harness threshold ref.jsonl --score score --label label --target-recall 0.5 --quantiles 0.5:0.9:5 --report out/ref.html
t ls out out/figures
t fixtures/svg_nonblank.sh out/figures/ref-roc.svg out/figures/ref-pr.svg out/figures/ref-tau.svg
t grep -c '<figure id="fig-' out/ref.html
t grep -o '<tr class="sig">.*</tr>' out/ref.html
harness threshold ref.jsonl --score score --label label --target-recall 0.5 --quantiles 0.5:0.9:5 --report again/ref.html >/dev/null
t cmp out/ref.html again/ref.html
for f in roc pr tau; do cmp out/figures/ref-$f.svg again/figures/ref-$f.svg || echo "$f differs"; done
# report.html: no prefix; --json and --out as before
t harness threshold ref.jsonl --score score --label label --json --out out2/t.json --report out2/report.html
t ls out2 out2/figures
# no tau reaches the target recall: nothing is marked
t harness threshold ref.jsonl --score score --label label --target-recall 1 --quantiles 0.5:0.9:5 --report none/report.html
t grep -c 'nothing is marked' none/report.html

# the threshold step of a series
t harness run experiments/threshold/threshold-n100.yaml
t ls runs/threshold-n100/threshold runs/threshold-n100/threshold/figures
t fixtures/svg_nonblank.sh runs/threshold-n100/threshold/figures/roc.svg runs/threshold-n100/threshold/figures/pr.svg runs/threshold-n100/threshold/figures/tau.svg
t grep -c '<figure id="fig-' runs/threshold-n100/threshold/report.html
cp -r runs/threshold-n100/threshold first
harness run experiments/threshold/threshold-n100.yaml --force --no-archive >/dev/null 2>&1
t sh -c 'for f in report.html figures/roc.svg figures/pr.svg figures/tau.svg; do cmp first/$f runs/threshold-n100/threshold/$f && echo "$f same"; done'
t sh -c 'harness archive show "$(ls runs/threshold-n100-*.tar.zst | head -1)" | grep -E "threshold/(report|figures)" | awk "{print \$1}"'

# errors
t harness threshold ref.jsonl --score score --label label --report
mkdir adir
t harness threshold ref.jsonl --score score --label label --report adir
