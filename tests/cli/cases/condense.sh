# harness condense: per-tick telemetry files into dataset rows, as a table,
# JSONL and CSV; a file that fails (empty, missing, a row without
# pnl_total) gives a failed row and exit 2, the other rows are kept.
row() { # t pnl regime kill
	printf '{"basis_usd":0.5,"dollar_delta_usd":-12.5,"kill_switch":%s,"pnl_realised":0,"pnl_total":%s,"pnl_unrealised":0,"q_global_tao":1.5,"risk_regime":%s,"t":%s}\n' "$4" "$2" "$3" "$1"
}
mkdir -p tel
{
	row 0 -20 '"Normal"' false
	row 1 15.25 '"Normal"' false
	row 2 NaN '"Warning"' false
	row 3 -Infinity '"Warning"' false
	row 4 -40.5 null false
	row 5 -10 '"Calm"' false
} >tel/balanced_r000.jsonl
row 0 -2500 '"HardLimit"' true >tel/balanced_r001.jsonl
: >tel/balanced_r002.jsonl
{
	row 1 3 '"Normal"' false
	printf '{"t":0,"risk_regime":"Normal"}\n'
} >tel/balanced_r003.jsonl
t harness condense tel/balanced_r000.jsonl tel/balanced_r001.jsonl --profile balanced
t harness condense tel/balanced_r000.jsonl tel/balanced_r001.jsonl --profile balanced --label exp13_balanced --param hedge_band_base=0.05 --param mode=fast --json
t harness condense tel/balanced_r000.jsonl tel/balanced_r001.jsonl --profile balanced --label exp13_balanced --param hedge_band_base=0.05 --param mode=fast --csv
t harness condense tel/balanced_r000.jsonl tel/balanced_r002.jsonl tel/balanced_r003.jsonl tel/none.jsonl --profile balanced
t harness condense tel/balanced_r002.jsonl tel/balanced_r001.jsonl --profile balanced --csv --out out/rows.csv
t cat out/rows.csv
t harness condense tel/balanced_r001.jsonl --profile balanced --label one --json
t harness condense tel/balanced_r001.jsonl
t harness condense tel/balanced_r001.jsonl --profile balanced --param x
t harness condense tel/balanced_r001.jsonl --profile balanced --param label=1
t harness condense tel/balanced_r001.jsonl --profile balanced --json --csv
t harness condense tel/balanced_r001.jsonl --profile balanced --lable x
t harness condense
