# A task's descendants that leave its process group (setsid) do not outlive
# the task: the harness is their subreaper and ends them with it. Each
# engine appends the pids of its escapees to a file; each sleeps 47.N s so
# that pgrep finds the survivors of one case only.
#
# spec NAME TIMEOUT_S GRACE_S COMMAND: a 4-task spec on 2 workers
spec() {
	cat > "$1.yaml" <<SPEC
experiment: $1
seed: 1
engine: {kind: command, command: [sh, -c, '$4'], version_command: [echo, $1 1], grace_s: $3}
corpus: {kind: synthetic, modules: 4}
tiers: {FAST: {timeout_s: $2}}
samples: 4
workers: 2
label: false
fit: false
SPEC
}
# gone PIDFILE PATTERN [zombie]: how many escapees, those still there (with
# "zombie": those still alive, a zombie of init counting as gone, for a
# harness that exited without reaping), and pgrep's verdict
gone() {
	t sh -c "wc -l < $1"
	if [ "${3:-}" = zombie ]; then
		t sh -c 'for p in $(cat '"$1"'); do s=$(cut -d" " -f3 /proc/$p/stat 2>/dev/null); [ -n "$s" ] && [ "$s" != Z ] && echo "alive: $p"; done; true'
	else
		t sh -c 'for p in $(cat '"$1"'); do test -e /proc/$p && echo "left: $p"; done; true'
	fi
	t pgrep -f "$2"
}
# interrupt NAME SIGNALS: run NAME.yaml, send SIGINT that many times
interrupt() {
	harness run "$1.yaml" --out "$1.run" >/dev/null 2>&1 &
	pid=$!
	sleep 0.8
	for _ in $(seq "$2"); do
		kill -INT "$pid"
		sleep 0.3
	done
	wait "$pid"
	echo "exit $?"
}

# At the timeout: one escapee orphaned at once, one whose parent (in the
# task's group) lives until the timeout; each gone, and reaped, when the run
# returns.
spec esc 0.5 0.2 'sh -c "setsid sleep 47.25 & echo \$! >> pids"; (setsid sleep 47.25 & echo $! >> pids; wait) & exec sleep 47.25'
t sh -c 'harness run esc.yaml --out r --no-archive | grep -E "^(tier|FAST) "'
gone pids 'sleep 47[.]25'
# A task that ends on its own takes its escapees with it, and the run does
# not wait for the pipes they hold (stdout here).
spec ok 10 1 'setsid sleep 47.5 & echo $! >> okpids'
t sh -c 'harness run ok.yaml --out r2 --no-archive | grep -E "^(tier|FAST) "'
gone okpids 'sleep 47[.]5'
# An interrupted run (one SIGINT: tasks canceled) ends its tasks' escapees.
spec int 60 1 'setsid sleep 47.75 & echo $! >> intpids; exec sleep 47.75'
interrupt int 1
gone intpids 'sleep 47[.]75'
# A second SIGINT ends the harness at once: the escapees go with it, both
# the one already orphaned and the one whose parent (ignoring SIGTERM, in
# the task's group) is killed only then.
spec hard 60 30 'sh -c "setsid sleep 47.9 & echo \$! >> hardpids"; trap "" TERM; (setsid sleep 47.9 & echo $! >> hardpids; wait); sleep 47.9'
interrupt hard 2
gone hardpids 'sleep 47[.]9' zombie
