# harness summary: a hand-made research dataset (fixtures/series), the same
# rows as JSONL and as pandas-style CSV give the same statistics.
t harness summary fixtures/series/research.jsonl
t harness summary fixtures/series/research.csv --top 2 --dd-weight 1
t harness summary fixtures/series/research.jsonl --json --top 1
t harness summary fixtures/series/research.csv --csv
harness summary fixtures/series/research.jsonl --csv > a.csv
harness summary fixtures/series/research.csv --csv > b.csv
t cmp a.csv b.csv
printf '{"profile":"balanced","final_pnl":1,"max_drawdown":2,"max_pnl":3,"min_pnl":0,"kill_switch":"yes"}\n' > bad.jsonl
t harness summary bad.jsonl
printf 'profile,final_pnl,max_drawdown,max_pnl,min_pnl,kill_switch\nbalanced,1,2,3\n' > short.csv
t harness summary short.csv
t harness summary missing.jsonl
t harness summary fixtures/series/research.jsonl --jsn
t harness summary fixtures/series/research.jsonl --top x
t harness summary fixtures/series/research.jsonl --json --csv
t harness summary
