# Usage errors: exit 2 with one line naming what is wrong.
t harness
t harness --version
t harness frobnicate
t harness run
t harness run --workers 0 experiments/smoke.yaml
t harness run --workers=x experiments/smoke.yaml
t harness run --seed -1 experiments/smoke.yaml
t harness run --seed 18446744073709551616 experiments/smoke.yaml
t harness run --out
t harness run --bogus experiments/smoke.yaml
t harness run a.yaml b.yaml
t harness hash
t harness hash --bogus
t harness golden
t harness golden frob
t harness golden accept
t harness golden accept ../etc
