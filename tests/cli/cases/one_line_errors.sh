# Every error is one line (exit 2): a newline, a control character or a
# byte that is not UTF-8 in a spec value, a command-line argument or a file
# is echoed escaped as canon escapes strings (\n, \t, \u001b, and \xff for
# invalid bytes); valid UTF-8 is kept.
# A spec value of two lines (a block scalar):
printf 'experiment: |\n  first\n  second\nseed: 1\n' > two-lines.yaml
t harness run two-lines.yaml
# A spec key with a tab and an escape sequence, a tier name with a
# newline (and an accent, kept):
printf '"sam\\tples\\e[31m": 3\n' > key.yaml
t harness run key.yaml
sed 's/^  BALANCED:/  "BAL\\nANCED\\u00e9":/' experiments/smoke.yaml > experiments/tier.yaml
t harness run experiments/tier.yaml
# A command-line argument holding a newline:
printf '{"a":1}\n' > a.jsonl
cp a.jsonl b.jsonl
t harness diff a.jsonl b.jsonl --key $'a\nb'
t harness diff a.jsonl $'b\x1b[31m.jsonl'
t harness diff a.jsonl b.jsonl $'--ma\nx' 3
t harness $'ru\nn' x
# fit --durations echoes a bad line, with its control and invalid bytes:
printf '1.5\n2\x01\xff\n' > durations.txt
t harness fit --durations durations.txt
t harness fit --durations $'no\tsuch\xfe'
# Reports quote user strings the same way: the directory a CI run keeps its
# pending snapshot in (exit 1: no golden in CI).
sed -e 's/^experiment: smoke$/experiment: extra/' -e '/^golden:/d' experiments/smoke.yaml \
	> experiments/extra.yaml
t bash -c 'CI=1 harness run experiments/extra.yaml --out r1 --workers 2 --no-archive --pending-dir "$1" >/dev/null' _ $'pend\ning'
