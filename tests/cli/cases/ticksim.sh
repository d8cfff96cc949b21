# ticksim, the example engine: the users' engine's interface (CLI, env
# overrides, appended JSONL telemetry, stop after the kill row), seeded.
# ticks_const: the second engine with the same interface, for tests.
tel() { PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH="$1" TICKSIM_QUIET=1 "${@:2}"; }
types() {
	python3 -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(" ".join(k + ":" + type(v).__name__ for k, v in r.items()))' "$1" | sort | uniq -c
}
t ticksim --help

# the first rows of a short run: keys in order, types; parent dirs created
t tel out/a/b/run.jsonl ticksim --ticks 3 --profile balanced --seed 7
t cat out/a/b/run.jsonl
t types out/a/b/run.jsonl

# append mode: a second run to the same file adds its rows
t tel out/a/b/run.jsonl ticksim --ticks 2 --profile conservative --seed 7
t sh -c 'grep -o "\"t\":[0-9]*" out/a/b/run.jsonl | tr "\n" " "; echo'

# chatter: 70 lines a tick plus a first and a last line, none with
# TICKSIM_QUIET=1; the telemetry is the same either way
t sh -c 'ticksim --ticks 3 --profile aggressive | wc -l'
t sh -c 'ticksim --ticks 3 | sed -n "1,3p;68,73p"'
PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=loud.jsonl ticksim --ticks 50 --seed 3 >/dev/null
tel quiet.jsonl ticksim --ticks 50 --seed 3
t cmp loud.jsonl quiet.jsonl

# same seed: byte-identical; --seed 1 is the default; another seed differs
tel s5a.jsonl ticksim --ticks 500 --profile aggressive --seed 5
tel s5b.jsonl ticksim --ticks 500 --profile aggressive --seed 5
tel s6.jsonl ticksim --ticks 500 --profile aggressive --seed 6
tel d.jsonl ticksim --ticks 500 --profile aggressive
tel s1.jsonl ticksim --ticks 500 --profile aggressive --seed 1
t cmp s5a.jsonl s5b.jsonl
t cmp -s s5a.jsonl s6.jsonl
t cmp d.jsonl s1.jsonl
t sh -c 'wc -l < s5a.jsonl'

# env overrides change the output; a value that does not parse, or is out
# of range, is ignored with a warning (the output is the default one)
t env PARAPHINA_INIT_Q_TAO=3 PARAPHINA_MM_SIZE_ETA=1.5 PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=q3.jsonl \
	TICKSIM_QUIET=1 ticksim --ticks 2 --seed 7
t cat q3.jsonl
tel base.jsonl ticksim --ticks 500 --seed 9
for v in PARAPHINA_HEDGE_BAND_BASE=2 PARAPHINA_HEDGE_MAX_STEP=1 PARAPHINA_MM_SIZE_ETA=9 PARAPHINA_VOL_REF=0.01 PARAPHINA_DAILY_LOSS_LIMIT=100; do
	env "$v" PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH="ov-${v%%=*}.jsonl" TICKSIM_QUIET=1 ticksim --ticks 500 --seed 9
	t cmp -s base.jsonl "ov-${v%%=*}.jsonl"
done
t env PARAPHINA_VOL_REF=abc PARAPHINA_MM_SIZE_ETA=-2 PARAPHINA_HEDGE_BAND_BASE=1e999 PARAPHINA_DAILY_LOSS_LIMIT= \
	PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=bad.jsonl TICKSIM_QUIET=1 ticksim --ticks 500 --seed 9
t cmp base.jsonl bad.jsonl

# kill: with a loss limit of 0, row 0 (PnL 0) is already killed, a one-row
# run; with a small limit the run stops right after its first kill row
t env PARAPHINA_DAILY_LOSS_LIMIT=0 PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=k0.jsonl TICKSIM_QUIET=1 ticksim --ticks 100
t cat k0.jsonl
t env PARAPHINA_DAILY_LOSS_LIMIT=20 PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=k20.jsonl TICKSIM_QUIET=1 ticksim --ticks 100 --profile aggressive --seed 2
t cat k20.jsonl
t sh -c 'PARAPHINA_DAILY_LOSS_LIMIT=20 ticksim --ticks 100 --profile aggressive --seed 2 | tail -n 3'

# --ticks 0: an empty telemetry file
t tel zero.jsonl ticksim --ticks 0
t wc -c zero.jsonl

# bad arguments and telemetry settings: exit 2
t ticksim --ticks abc
t ticksim --ticks -1
t ticksim --ticks 100000001
t ticksim --ticks
t ticksim --profile wild
t ticksim --seed -3
t ticksim --bogus
t ticksim --ticks=2 --profile=conservative --seed=4 extra
t env PARAPHINA_TELEMETRY_MODE=jsonl TICKSIM_QUIET=1 ticksim --ticks 1
t env PARAPHINA_TELEMETRY_MODE=csv TICKSIM_QUIET=1 ticksim --ticks 1
: > blocker
t env PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=blocker/x.jsonl TICKSIM_QUIET=1 ticksim --ticks 1

# ticks_const: fixed rows, the same keys and types, kills, failure modes
t tel c.jsonl ticks_const --ticks 3 --profile aggressive --seed 1234
t cat c.jsonl
t types c.jsonl
t env PARAPHINA_MM_SIZE_ETA=-2 PARAPHINA_DAILY_LOSS_LIMIT=7 PARAPHINA_INIT_Q_TAO=1.5 PARAPHINA_VOL_REF=x \
	PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=ck/ill.jsonl ticks_const --ticks 9
t cat ck/ill.jsonl
t env TICKS_FAIL=1 PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=f1.jsonl ticks_const
t env TICKS_FAIL=silent PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=f2.jsonl ticks_const
t env TICKS_FAIL=empty PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=f3.jsonl ticks_const
t sh -c 'for f in f1 f2 f3; do if [ -e $f.jsonl ]; then echo "$f.jsonl: $(wc -c <$f.jsonl) bytes"; else echo "$f.jsonl: absent"; fi; done'
t ticks_const --profile wild
