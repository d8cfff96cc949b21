# harness compare --report: the HTML report and its figures, for a paired
# comparison (one plan, FAST spurious_fail_rate 0.05 -> 0.10), an unpaired
# one (another seed) and one with a calibration.yaml side (no durations).
models() {
	cat <<MODELS
tiers:
  fast_noisy: {timeout_rate: 0.10, spurious_fail_rate: $1, spurious_pass_rate: 0.02, base_timeout_s: 30, timeout_distribution: {type: uniform, min_ms: 500, max_ms: 1500}}
  balanced: {timeout_rate: 0.05, spurious_fail_rate: 0.02, spurious_pass_rate: 0.01, base_timeout_s: 60, timeout_distribution: {type: uniform, min_ms: 1000, max_ms: 2000}}
MODELS
}
models 0.05 > a.yaml
models 0.10 > b.yaml
cal() {
	harness calibrate --tiers FAST BALANCED --n 400 --models "$1" --export "$2.yaml" \
		--output-dir "$2" --workers 2 --label-sample 10 --validation-split 0 "${@:3}" \
		>/dev/null 2>&1 || echo "calibrate $2 failed"
}
cal a.yaml out-a
cal b.yaml out-b
cal a.yaml out-c --seed 7
# the text report is what it was without --report
harness compare out-a out-b > plain.txt
t sh -c 'harness compare out-a out-b --report rep/paired.html > with.txt; echo $?; cmp plain.txt with.txt && echo same text'
# --alpha sets the intervals drawn (99%), as it sets the table's
t sh -c 'harness compare out-a out-c --report rep/unpaired.html --json --alpha 0.01 | head -c 100; echo'
t sh -c 'grep -o "99% [A-Za-z]* interval" rep/unpaired.html | sort | uniq -c'
t harness compare out-a out-b.yaml --report side/report.html
t sh -c 'find rep side -type f | LC_ALL=C sort'
# what was compared, the table with its significant rows, the flips
t sh -c 'grep -o "<th>[a-z]*paired</th><td>[^<]*" rep/paired.html rep/unpaired.html side/report.html'
t sh -c 'grep -c "<tr class=\"significant\">" rep/paired.html rep/unpaired.html'
t sh -c 'grep -o "[0-9]* tasks\{0,1\} changed outcome[^<]*\|None[^<]*" rep/paired.html rep/unpaired.html side/report.html'
t sh -c 'grep -o "<figure id=\"[^\"]*\"\|No duration figure[^<]*" side/report.html'
t sh -c 'grep -o "<figure id=\"[^\"]*\"" rep/paired.html | wc -l'
# every figure renders to something
t sh fixtures/svg_nonblank.sh rep/figures/*.svg side/figures/*.svg
# a second render is the same bytes
harness compare out-a out-b --report again/paired.html >/dev/null
harness compare out-a out-c --report again/unpaired.html --json --alpha 0.01 >/dev/null
t diff -r rep again
t harness compare out-a out-b --report
# two threshold calibrations (scores tables) have no HTML report (yet)
for i in 0 1 2 3; do
	echo "{\"error\":null,\"label\":$([ $i -lt 2 ] && echo true || echo false),\"sample\":$i,\"score\":$i.5,\"seed\":\"1\",\"status\":\"ok\"}"
done > scores.jsonl
t harness compare scores.jsonl scores.jsonl --report scores.html
t ls scores.html
