# nightly history: reports/nightly.html beside nightly.md and nightly.xml,
# with per experiment the history of its archived runs in runs/ (per-tier
# rates with Wilson intervals, snapshot hash changes; the series exp13-loop
# has hashes only). Three nightlies: smoke's seed changed for the second
# (its rates and hash move, a mismatch) and back for the third. The runs
# are a second apart: the history orders them by their start (seconds).
mask() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z?/DATE/g' \
		-e 's/time="[0-9]+\.[0-9]+"/time="T"/g' \
		-e 's#runs/[A-Za-z0-9._-]+\.tar\.zst#runs/ARCHIVE.tar.zst#g'
}
# the history tables' rows, one line each
rows() {
	sed -n '/^<h2>History/,$p' "$1" | grep -E '^<h3>|^<p>[0-9]+ archived|^<tr><td class="num">[0-9]+</td><td>' | mask
}
t harness nightly --workers 2 | mask
sleep 1
sed -i 's/^seed: 42$/seed: 7/' experiments/smoke.yaml
t harness nightly --workers 2 | mask
t grep -c '<pre>' reports/nightly.html
sleep 1
sed -i 's/^seed: 7$/seed: 42/' experiments/smoke.yaml
t harness nightly --workers 2 | mask
t ls reports reports/figures
t rows reports/nightly.html
t fixtures/svg_nonblank.sh reports/figures/*.svg
t grep -c '<figure' reports/nightly.html

# The same runs give the same bytes: two nightlies that run nothing (two
# specs name smoke: both are errors) render the history of runs/ twice.
sed 's/^tags: .*/tags: [dup]/' experiments/smoke.yaml > experiments/dup-a.yaml
cp experiments/dup-a.yaml experiments/dup-b.yaml
t harness nightly --tag dup --reports r1 | mask
t harness nightly --tag dup --reports r2 | mask
t cmp r1/nightly.html r2/nightly.html
t diff -r r1/figures r2/figures
t rows r1/nightly.html

# --history N: the newest N runs; bad values are usage errors.
t harness nightly --tag dup --reports r3 --history 2 | mask
t rows r3/nightly.html
t fixtures/svg_nonblank.sh r3/figures/*.svg
t harness nightly --history 0
t harness nightly --history x
