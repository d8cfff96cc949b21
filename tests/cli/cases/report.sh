# report: every run writes report.html and its figures; `harness report`
# rebuilds the same bytes from the run directory and from the archive; each
# figure renders with a real SVG renderer (librsvg) and is not blank.

harness run experiments/smoke.yaml --workers 2 >/dev/null 2>&1
run=$(ls -d runs/smoke-*/ | head -1)
run=${run%/}
mv runs/smoke-*.tar.zst smoke.tar.zst
t ls "$run/figures"
t grep -c '<figure id=' "$run/report.html"
# self-contained: no script, nothing fetched
t grep -c -E '<script|src="http|href="http|@import|url\([^#]' "$run/report.html"
t grep -o -E '<title>[^<]*</title>|badge (pass|match)">[A-Za-z]+' "$run/report.html"
t fixtures/svg_nonblank.sh "$run"/figures/*.svg
t harness report "$run" --out again/report.html
t cmp "$run/report.html" again/report.html
t diff -r "$run/figures" again/figures
t harness report smoke.tar.zst --out unpacked/report.html
t cmp "$run/report.html" unpacked/report.html
t diff -r "$run/figures" unpacked/figures
# the default place of an archive's report: beside it
t harness report smoke.tar.zst
t ls figures
# a mismatch puts the diff in the report
mkdir -p golden/smoke2
sed 's/^seed: 42/seed: 43/; s/^experiment: smoke/experiment: smoke2/; s#golden/smoke#golden/smoke2#' \
	experiments/smoke.yaml >experiments/smoke2.yaml
cp golden/smoke/* golden/smoke2/
harness run experiments/smoke2.yaml --no-archive >/dev/null 2>&1
run2=$(ls -d runs/smoke2-*/ | head -1)
t grep -o -E 'badge mismatch">mismatch|<h3>Differences from golden</h3>' "${run2%/}/report.html"
t grep -c '^  *record ' "${run2%/}/golden.txt"
# bad input
t harness report
t harness report nowhere
t harness report experiments
t harness report experiments/smoke.yaml
t harness report "$run" --out
t harness report "$run" --output x.html
