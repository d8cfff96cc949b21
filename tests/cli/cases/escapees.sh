# A task's descendants that leave its process group (setsid) do not outlive
# the task: the harness is their subreaper and ends them with it. At the
# timeout: one escapee orphaned at once, one whose parent (in the task's
# group) lives until the timeout; each gone, and reaped, when the run
# returns, long before their sleep would end.
cat > esc.yaml <<'SPEC'
experiment: esc
seed: 1
engine: {kind: command, command: [sh, -c, 'sh -c "setsid sleep 47.25 & echo \$! >> pids"; (setsid sleep 47.25 & echo $! >> pids; wait) & exec sleep 47.25'], version_command: [echo, esc 1], grace_s: 0.2}
corpus: {kind: synthetic, modules: 4}
tiers: {FAST: {timeout_s: 0.5}}
samples: 4
workers: 2
label: false
fit: false
SPEC
t sh -c 'harness run esc.yaml --out r --no-archive | grep -E "^(tier|FAST) "'
t sh -c 'wc -l < pids'
t sh -c 'for p in $(cat pids); do test -e /proc/$p && echo "left: $p"; done; true'
t pgrep -f 'sleep 47[.]25'
# A task that ends on its own takes its escapees with it, and the run does
# not wait for the pipes they hold (stdout here).
cat > ok.yaml <<'SPEC'
experiment: ok
seed: 1
engine: {kind: command, command: [sh, -c, 'setsid sleep 47.5 & echo $! >> okpids'], version_command: [echo, ok 1]}
corpus: {kind: synthetic, modules: 6}
tiers: {FAST: {timeout_s: 10}}
samples: 6
workers: 2
label: false
fit: false
SPEC
t sh -c 'harness run ok.yaml --out r2 --no-archive | grep -E "^(tier|FAST) "'
t sh -c 'wc -l < okpids'
t sh -c 'for p in $(cat okpids); do test -e /proc/$p && echo "left: $p"; done; true'
t pgrep -f 'sleep 47[.]5'
# An interrupted run (one SIGINT: tasks canceled) ends its tasks' escapees
# too.
cat > int.yaml <<'SPEC'
experiment: int
seed: 1
engine: {kind: command, command: [sh, -c, 'setsid sleep 47.75 & echo $! >> intpids; exec sleep 47.75'], version_command: [echo, int 1]}
corpus: {kind: synthetic, modules: 4}
tiers: {FAST: {timeout_s: 60}}
samples: 4
workers: 2
label: false
fit: false
SPEC
harness run int.yaml --out r3 >/dev/null 2>&1 &
pid=$!
sleep 0.8
kill -INT "$pid"
wait "$pid"
echo "exit $?"
t sh -c 'wc -l < intpids'
t sh -c 'for p in $(cat intpids); do test -e /proc/$p && echo "left: $p"; done; true'
t pgrep -f 'sleep 47[.]75'
# A second SIGINT ends the harness at once: the escapees go with it, both
# the one already orphaned and the one whose parent (ignoring SIGTERM, in
# the task's group) is killed only then. Not reaped (the harness is gone):
# dead means no such process or a zombie.
cat > hard.yaml <<'SPEC'
experiment: hard
seed: 1
engine: {kind: command, command: [sh, -c, 'sh -c "setsid sleep 47.9 & echo \$! >> hardpids"; trap "" TERM; (setsid sleep 47.9 & echo $! >> hardpids; wait); sleep 47.9'], version_command: [echo, hard 1], grace_s: 30}
corpus: {kind: synthetic, modules: 4}
tiers: {FAST: {timeout_s: 60}}
samples: 4
workers: 2
label: false
fit: false
SPEC
harness run hard.yaml --out r4 >/dev/null 2>&1 &
pid=$!
sleep 0.8
kill -INT "$pid"
sleep 0.3
kill -INT "$pid"
wait "$pid"
echo "exit $?"
t sh -c 'wc -l < hardpids'
t sh -c 'for p in $(cat hardpids); do s=$(cut -d" " -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo "alive: $p"; done; true'
t pgrep -f 'sleep 47[.]9'
