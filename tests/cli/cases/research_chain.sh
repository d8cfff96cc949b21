# The research loop's pieces chained by hand: ticksim runs, harness condense
# into one dataset (CSV and JSONL), then summary and align read it. The rows
# condense writes are a dataset summary and align take unchanged: their
# telemetry and status columns are not parameters, so each profile's three
# repeats are one preset.
for p in conservative balanced aggressive; do
	for s in 1 2 3; do
		TICKSIM_QUIET=1 PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=ticks/$p-$s.jsonl \
			ticksim --ticks 400 --profile $p --seed $s
	done
	harness condense ticks/$p-*.jsonl --profile $p --param hedge_band_base=10 --csv > $p.csv
	harness condense ticks/$p-*.jsonl --profile $p --param hedge_band_base=10 --json >> all.jsonl
done
{ cat conservative.csv; tail -n +2 balanced.csv; tail -n +2 aggressive.csv; } > all.csv
t harness summary all.csv --top 3
t harness align all.csv --select 1
harness align all.csv --csv > a.csv
harness align all.jsonl --csv > b.csv
t cmp a.csv b.csv
