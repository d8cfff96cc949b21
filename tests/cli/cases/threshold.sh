# harness threshold: the reference samples (shared/reference/stats-vectors.md)
# as text with the q = i/20 grid, the default grid (no tau reaches recall
# 0.90), a range grid as JSON, nested fields with --positive, stdin and
# --out; then the errors: usage, grids, a bad line located by file and line
# (and column for bad JSON), degenerate input, a missing file.
ref() { # score label
	printf '{"score": %s, "label": %s}\n' "$1" "$2"
}
{
	ref 0.05 false; ref 0.1 false; ref 0.2 false; ref 0.3 false
	ref 0.35 true; ref 0.4 false; ref 0.5 true; ref 0.55 true
	ref 0.6 false; ref 0.7 true; ref 0.8 true; ref 0.9 true
} >ref.jsonl
t harness threshold ref.jsonl --score score --label label --quantiles 0:1:21
t harness threshold ref.jsonl --score score --label label
t harness threshold ref.jsonl --score score --label label --tau-start 0.3 --tau-stop 0.5 --tau-step 0.1 --json
t harness threshold ref.jsonl --score score --label label --target-recall 0.5 --quantiles 0.5:0.9:5
{
	printf '{"id": 1, "out": {"hs": 2.5, "tokens": 20}, "verdict": "hallucinated"}\n'
	printf '{"id": 2, "out": {"hs": 1.5, "tokens": 12}, "verdict": "grounded"}\n'
	printf '{"id": 3, "out": {"hs": 3.25, "tokens": 20}, "verdict": "hallucinated"}\n'
	printf '{"id": 4, "out": {"hs": 2.5, "tokens": 7}, "verdict": "grounded"}\n'
	printf '{"id": 5, "out": {"hs": 1.0, "tokens": 20}, "verdict": "unsure"}\n'
} >nested.jsonl
t harness threshold nested.jsonl --score out.hs --label verdict --positive hallucinated --quantiles 0:1:5
t sh -c 'cat ref.jsonl | harness threshold - --score score --label label --quantiles 0.25:0.5:3 --out out/t.json --json'
t cat out/t.json
# usage
t harness threshold ref.jsonl --label label
t harness threshold ref.jsonl --score score
t harness threshold ref.jsonl other.jsonl --score score --label label
t harness threshold ref.jsonl --score score --label label --quantile 0:1:3
t harness threshold ref.jsonl --score score --label label --quantiles 0.9:0.6:4
t harness threshold ref.jsonl --score score --label label --quantiles 0:1:3 --tau-start 0 --tau-stop 1 --tau-step 0.1
t harness threshold ref.jsonl --score score --label label --tau-start 0 --tau-stop 1
t harness threshold ref.jsonl --score score --label label --tau-start 0 --tau-stop 1 --tau-step 0
t harness threshold ref.jsonl --score score --label label --target-recall 1.5
t harness threshold ref.jsonl --score score --label label --positive
# bad input
{ ref 0.5 true; echo; ref NaN false; } >nan.jsonl
t harness threshold nan.jsonl --score score --label label
{ ref 0.5 true; printf '{"score": 0.5 "label": true}\n'; } >syntax.jsonl
t harness threshold syntax.jsonl --score score --label label
{ ref 0.5 true; ref 0.25 '"yes"'; } >label.jsonl
t harness threshold label.jsonl --score score --label label
t harness threshold ref.jsonl --score hs --label label
{ ref 0.5 true; ref 0.25 true; } >positive.jsonl
t harness threshold positive.jsonl --score score --label label
{ ref 0.5 true; ref 0.5 false; } >same.jsonl
t harness threshold same.jsonl --score score --label label
: >empty.jsonl
t harness threshold empty.jsonl --score score --label label
t harness threshold none.jsonl --score score --label label
t harness threshold
