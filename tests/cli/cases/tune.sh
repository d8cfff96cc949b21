# harness tune: the live presets (fixtures/series/presets.yaml) scaled by the
# empirical risk of a hand-made dataset against the risk budgets.
# conservative: kill 1/3 against 0.01 (ratio 33.3): scale floored at 0.1;
# balanced: within budget, but its loss limit 5000 > 1.1 x 4000: capped;
# aggressive: no runs: left as it is.
t harness tune fixtures/series/research.jsonl --presets fixtures/series/presets.yaml
t harness tune fixtures/series/research.csv --presets fixtures/series/presets.yaml --json
t harness tune fixtures/series/research.csv --presets fixtures/series/presets.yaml --csv --risk-params mm_size_eta
printf 'balanced:\n  max_drawdown_abs: 100000\n' > loose.yaml
t harness tune fixtures/series/research.csv --presets fixtures/series/presets.yaml --budgets loose.yaml
printf 'balanced: {mm_size_eta: fast}\n' > bad.yaml
t harness tune fixtures/series/research.csv --presets bad.yaml
t harness tune fixtures/series/research.csv
t harness tune fixtures/series/research.csv --presets
t harness tune fixtures/series/research.csv --preset p.yaml
