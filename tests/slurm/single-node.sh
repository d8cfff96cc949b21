# tests/slurm/single-node.sh - sourced: a one-node Slurm cluster in a
# temporary directory, for tests (see tests/slurm/cluster.sh).
#
#   slurm_up DIR    start munged, slurmctld and slurmd with everything under
#                   DIR (a generated slurm.conf; SLURM_CONF is exported) and
#                   wait until the node is idle; 1 on failure (logs on stderr)
#   slurm_down      stop them by pid: TERM, then KILL after a grace period
#
# Needs root (slurmd runs jobs as the submitting user) and Debian's
# slurm-wlm and munge; munged runs as the munge user with its own socket,
# so a system munged, if any, is not touched.

slurm_pids=()

slurm_log_tail() {
	local f
	for f in "$slurm_dir"/munged.log "$slurm_dir"/slurmctld.log "$slurm_dir"/slurmd.log; do
		[ -f "$f" ] && { echo "--- $f" >&2; tail -15 "$f" >&2; }
	done
}

slurm_up() {
	slurm_dir=$1
	local host i port
	host=$(hostname -s)
	# ports of its own, so a Slurm already on the machine is not in the way
	port=$((20000 + RANDOM % 20000))
	mkdir -p "$slurm_dir"/munge "$slurm_dir"/state "$slurm_dir"/spool
	chown munge:munge "$slurm_dir"/munge
	chmod 0711 "$slurm_dir" "$slurm_dir"/munge
	if [ ! -f /etc/munge/munge.key ]; then
		dd if=/dev/urandom of=/etc/munge/munge.key bs=128 count=1 status=none
		chown munge:munge /etc/munge/munge.key
		chmod 0600 /etc/munge/munge.key
	fi
	setpriv --reuid=munge --regid=munge --init-groups munged --foreground \
		--socket="$slurm_dir/munge/munge.socket.2" --pid-file="$slurm_dir/munge/munged.pid" \
		--log-file="$slurm_dir/munged.log" --seed-file="$slurm_dir/munge/munged.seed" >"$slurm_dir/munged.stderr" 2>&1 &
	slurm_pids+=($!)
	for i in $(seq 50); do
		[ -S "$slurm_dir/munge/munge.socket.2" ] && break
		sleep 0.1
	done
	if ! munge -S "$slurm_dir/munge/munge.socket.2" -n | unmunge -S "$slurm_dir/munge/munge.socket.2" >/dev/null; then
		echo "slurm_up: munged does not answer" >&2
		slurm_log_tail
		return 1
	fi
	cat >"$slurm_dir/slurm.conf" <<CONF
ClusterName=citest
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$slurm_dir/munge/munge.socket.2
StateSaveLocation=$slurm_dir/state
SlurmdSpoolDir=$slurm_dir/spool
SlurmctldPidFile=$slurm_dir/slurmctld.pid
SlurmdPidFile=$slurm_dir/slurmd.pid
SlurmctldLogFile=$slurm_dir/slurmctld.log
SlurmdLogFile=$slurm_dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
MinJobAge=600
NodeName=$host CPUs=$(nproc) RealMemory=20000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
	export SLURM_CONF="$slurm_dir/slurm.conf"
	slurmctld -D >"$slurm_dir/slurmctld.stderr" 2>&1 &
	slurm_pids+=($!)
	slurmd -D >"$slurm_dir/slurmd.stderr" 2>&1 &
	slurm_pids+=($!)
	for i in $(seq 150); do
		if sinfo -h -N -o '%T' 2>/dev/null | grep -qx idle; then
			return 0
		fi
		sleep 0.1
	done
	echo "slurm_up: the node did not become idle in 15 s" >&2
	sinfo -N >&2
	slurm_log_tail
	return 1
}

slurm_down() {
	local pid i alive
	[ ${#slurm_pids[@]} -gt 0 ] || return 0
	# slurmd, slurmctld, then munged: the reverse of the start
	for ((i = ${#slurm_pids[@]} - 1; i >= 0; i--)); do
		kill -TERM "${slurm_pids[i]}" 2>/dev/null
	done
	for i in $(seq 50); do
		alive=0
		for pid in "${slurm_pids[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for pid in "${slurm_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	wait "${slurm_pids[@]}" 2>/dev/null
	slurm_pids=()
}
