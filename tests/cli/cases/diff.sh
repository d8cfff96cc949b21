# harness diff: positional and keyed matching, tolerances, --json, errors,
# and two snapshots of the smoke experiment (seed 42 vs seed 7).
printf '{"id":1,"tier":"fast","d":10,"tactics":{"simp":3,"rw":1}}\n{"id":2,"tier":"fast","d":20,"tactics":{"simp":1}}\n{"id":3,"tier":"slow","d":30}\n' > a.jsonl
printf '{"tier":"fast","id":1,"d":10.0,"tactics":{"rw":1,"simp":3}}\n\n{"id":2,"tier":"fast","d":20,"tactics":{"simp":1}}\n{"id":3,"tier":"slow","d":30}\n' > same.jsonl
t harness diff a.jsonl same.jsonl
# one value changed (and a tactic count within one)
printf '{"id":1,"tier":"fast","d":10,"tactics":{"simp":3,"rw":1}}\n{"id":2,"tier":"fast","d":21.5,"tactics":{"simp":2}}\n{"id":3,"tier":"slow","d":30}\n' > b.jsonl
t harness diff a.jsonl b.jsonl
# reordered, one record gone, one new: by position everything differs
printf '{"id":3,"tier":"slow","d":30}\n{"id":2,"tier":"fast","d":21.5,"tactics":{"simp":2}}\n{"id":4,"tier":"slow","d":40}\n' > c.jsonl
t harness diff a.jsonl c.jsonl --max 4
t harness diff a.jsonl c.jsonl --key tier,id
# the tolerances make both changes disappear, counted
t harness diff a.jsonl b.jsonl --tol .d=abs:1,rel:0.1 --tol '.tactics.*=abs:1'
t harness diff a.jsonl b.jsonl --tol .d=rel:0.05
t harness diff a.jsonl c.jsonl --key id --json
# bad usage and bad input: exit 2
t harness diff a.jsonl b.jsonl --tol .d
t harness diff a.jsonl b.jsonl --tol .d=abs:-1
t harness diff a.jsonl b.jsonl --key tier,,id
t harness diff a.jsonl b.jsonl --bogus
t harness diff a.jsonl
t harness diff a.jsonl nosuch.jsonl
printf '{"id":1}\n\n{"id":2,}\n' > bad.jsonl
t harness diff a.jsonl bad.jsonl
printf '{"id":1}\n{"id":1}\n' > dup.jsonl
t harness diff dup.jsonl a.jsonl --key id
t harness diff dup.jsonl a.jsonl --key tier
# two snapshot directories: the same tasks under another seed
harness run experiments/smoke.yaml --out r1 --workers 2 >/dev/null 2>&1
cp -r snapshots/smoke s1
harness run experiments/smoke.yaml --seed 7 --out r7 --workers 2 >/dev/null 2>&1
t harness diff s1 snapshots/smoke --key metadata.task_index --max 3
t harness diff s1 s1 --key metadata.task_index
t harness diff --help
