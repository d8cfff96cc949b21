# harness align: a hand-made research dataset (fixtures/series) against the
# default risk budgets and a budgets file; the users' CSV columns first.
t harness align fixtures/series/research.jsonl
t harness align fixtures/series/research.csv --csv
t harness align fixtures/series/research.jsonl --json
harness align fixtures/series/research.jsonl --csv > a.csv
harness align fixtures/series/research.csv --csv > b.csv
t cmp a.csv b.csv
printf 'conservative: {max_kill_prob: 0.5, max_drawdown_abs: 900}\naggressive:\n  lambda_kill: 80\n' > budgets.yaml
t harness align fixtures/series/research.csv --budgets budgets.yaml
printf 'balanced:\n  max_drawdwn_abs: 10\n' > typo.yaml
t harness align fixtures/series/research.csv --budgets typo.yaml
printf 'balanced:\n  max_kill_prob: 1.5\n' > range.yaml
t harness align fixtures/series/research.csv --budgets range.yaml
printf 'risky: {}\n' > tier.yaml
t harness align fixtures/series/research.csv --budgets tier.yaml
t harness align fixtures/series/research.csv --budgets missing.yaml
t harness align fixtures/series/research.csv --budgets
t harness align fixtures/series/research.csv --budget b.yaml
t harness align
# --select K: presets (profile + parameter values) within budget by score;
# balanced has none within budget: the best score, with a warning
t harness align fixtures/series/presets.jsonl --select 2
t harness align fixtures/series/presets.jsonl --select 1 --json
t harness align fixtures/series/presets.jsonl --select 5 --csv
t harness align fixtures/series/presets.jsonl --select 0
