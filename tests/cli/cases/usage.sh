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
# A misspelled option gets the nearest known one: a typo, a prefix, a
# single dash; "-v" is too short to be taken for anything.
t harness run --worker 4 experiments/smoke.yaml
t harness run --worker=4 experiments/smoke.yaml
t harness run -no-archive experiments/smoke.yaml
t harness run --pend x experiments/smoke.yaml
t harness run -v experiments/smoke.yaml
t harness calibrate --tier FAST --n 10
t harness calibrate --export-path x.yaml
t harness golden accept --al
t harness golden status --all
t harness nightly --tags nightly
t harness replay --worker 2 x.tar.zst
t harness fit --censor 10 x.jsonl
t harness run a.yaml b.yaml
t harness hash
t harness hash --bogus
t harness golden
t harness golden frob
t harness golden accept
t harness golden accept ../etc
