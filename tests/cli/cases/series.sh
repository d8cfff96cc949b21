# An experiment series end to end: Exp13 on ticksim against its golden; a
# second invocation skips every step; a telemetry file changed on disk makes
# its runs step (and only what its output changes) run again; --force reruns
# all; the archive replays identically. Then the same spec with only
# engine.command swapped to ticks_const (a second engine with the same
# interface): it runs, and the golden shows what changed.
# (the runs step's inputs hash covers the engine binary's, which depends on
# the build)
T_MASK='s/^elapsed     [0-9.]+ s/elapsed     N s/; s/identical in [0-9.]+ s/identical in N s/; s/"inputs":"xxh3-128:[0-9a-f]+"/"inputs":"H"/g'
t harness run experiments/exp-series/exp13-loop.yaml
t harness run experiments/exp-series/exp13-loop.yaml
printf '{"kill_switch":false,"pnl_total":1.0,"risk_regime":"Normal","t":0}\n' \
	> runs/exp13-loop/runs/telemetry/exp13_balanced_r4.jsonl
t harness run experiments/exp-series/exp13-loop.yaml
t harness run experiments/exp-series/exp13-loop.yaml --force --workers 1
t cat runs/exp13-loop/state.json
t ls runs/exp13-loop runs/exp13-loop/align snapshots/exp13-loop
cp "$(ls runs/exp13-loop-*.tar.zst | tail -1)" last.tar.zst
t harness replay last.tar.zst --workers 1

sed 's/command: \[ticksim,/command: [ticks_const,/' experiments/exp-series/exp13-loop.yaml > swapped.yaml
t diff experiments/exp-series/exp13-loop.yaml swapped.yaml
harness run swapped.yaml --out runs/swapped --no-archive > swapped.txt 2>&1
echo "[exit $?]"
t grep -E '^(step|golden|snapshot) ' swapped.txt
t head -c 400 runs/swapped/runs/runs.jsonl
