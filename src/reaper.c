/* reaper.c - end what a task leaves behind outside its process group (see
 * reaper.h for the rule that decides which children of the harness are
 * leftovers).
 *
 * Two locks: reg_lock guards the table of tasks and is held only briefly
 * (a task's start or end, and each decision of a sweep); sweep_lock makes
 * sweeps one at a time, so that a leftover is killed and reaped by one
 * thread, and its pid cannot be reused under another sweep's feet (only a
 * sweep reaps a leftover: until then its pid stays ours).
 */
#define _GNU_SOURCE /* syscall, CLOCK_BOOTTIME */
#include "reaper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

#define TREE_MAX 4096        /* descendants ended with one leftover */
#define SWEEP_ROUNDS 16      /* leftovers of leftovers, re-parented meanwhile */
#define REAP_WAIT_MS 1000    /* for a killed leftover to exit (D state) */

typedef struct {
	pid_t pid;                /* 0 while the task's process is starting */
	unsigned long long start; /* clock ticks since boot, as in /proc */
	int used;
} task_entry;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sweep_lock = PTHREAD_MUTEX_INITIALIZER;
static task_entry *tasks;
static size_t ntasks;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int no_children_files; /* set once: no CONFIG_PROC_CHILDREN */

static void enable(void)
{
	/* Best effort: without it orphans go to init, as they always did. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	no_children_files = access("/proc/thread-self/children", R_OK) != 0;
}

/* Now, in the unit of /proc/PID/stat's start time: clock ticks of the boot
 * clock, rounded down as the kernel rounds a start time. */
static unsigned long long ticks_now(void)
{
	unsigned long long hz = (unsigned long long)sysconf(_SC_CLK_TCK);
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (unsigned long long)ts.tv_sec * hz + (unsigned long long)ts.tv_nsec / (1000000000ULL / hz);
}

size_t hx_reaper_begin(void)
{
	size_t i;

	pthread_once(&once, enable);
	pthread_mutex_lock(&reg_lock);
	for (i = 0; i < ntasks && tasks[i].used; i++)
		;
	if (i == ntasks) {
		tasks = hx_xrealloc(tasks, (ntasks + 1) * sizeof(*tasks));
		ntasks++;
	}
	tasks[i].pid = 0;
	tasks[i].start = ticks_now();
	tasks[i].used = 1;
	pthread_mutex_unlock(&reg_lock);
	return i;
}

void hx_reaper_started(size_t handle, pid_t pid)
{
	pthread_mutex_lock(&reg_lock);
	tasks[handle].pid = pid;
	pthread_mutex_unlock(&reg_lock);
}

/* ---- /proc ------------------------------------------------------------- */

typedef struct {
	pid_t pid, ppid, pgid;
	char state;
	unsigned long long start;
} proc_info;

typedef struct {
	proc_info *v;
	size_t n, cap;
} proc_list;

static void push(proc_list *l, const proc_info *p)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = hx_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = *p;
}

/* /proc/PID/stat: state, parent, process group and start time; -1 when the
 * process is gone. The command name may hold spaces and parentheses: the
 * fields start after the last ')'. */
static int read_stat(pid_t pid, proc_info *out)
{
	char path[64], buf[1024], *p, *end;
	unsigned long long v[20];
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')) || p[1] != ' ' || !p[2])
		return -1;
	out->pid = pid;
	out->state = p[2];
	p += 3;
	/* after the state: ppid pgrp session tty_nr tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime (some may be negative) */
	for (i = 1; i < 20; i++) {
		v[i] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	out->ppid = (pid_t)v[1];
	out->pgid = (pid_t)v[2];
	out->start = v[19];
	return 0;
}

/* Append the pids listed in a children file ("12 345 "). */
static void read_children_file(const char *path, proc_list *pids)
{
	hx_buf b = HX_BUF_INIT;
	proc_info p;
	char *s, *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return; /* the thread has exited: its children moved to another */
	for (;;) {
		hx_buf_grow(&b, 4096);
		n = read(fd, b.ptr + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b.len += (size_t)n;
		b.ptr[b.len] = '\0';
	}
	close(fd);
	memset(&p, 0, sizeof(p));
	for (s = b.ptr; s && *s; s = end) {
		long v = strtol(s, &end, 10);
		if (end == s)
			break;
		p.pid = (pid_t)v;
		push(pids, &p);
	}
	hx_buf_release(&b);
}

/* The children of process `of`, each with its /proc/PID/stat (those gone
 * meanwhile are left out): from /proc/OF/task/T/children for each thread T
 * (a process's children hang off the thread that started them), or, on a
 * kernel without those files, from a scan of every /proc/PID/stat. */
static void children_of(pid_t of, proc_list *out)
{
	proc_list pids = {NULL, 0, 0};
	char path[96];
	struct dirent *de;
	proc_info info;
	size_t i;
	DIR *d;

	if (no_children_files) {
		if (!(d = opendir("/proc")))
			return;
		while ((de = readdir(d)) != NULL) {
			pid_t pid = (pid_t)atoi(de->d_name);
			if (pid > 0 && read_stat(pid, &info) == 0 && info.ppid == of)
				push(out, &info);
		}
		closedir(d);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/task", (int)of);
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/children", (int)of, de->d_name);
		read_children_file(path, &pids);
	}
	closedir(d);
	for (i = 0; i < pids.n; i++)
		if (read_stat(pids.v[i].pid, &info) == 0 && info.ppid == of)
			push(out, &info);
	free(pids.v);
}

/* ---- ending a leftover ------------------------------------------------- */

/* SIGKILL to p, if the pid is still the process that was listed (same start
 * time: a pid reused meanwhile belongs to someone else). Through a pidfd
 * where the kernel has them, so the check and the signal name one process. */
static void kill_listed(const proc_info *p)
{
	proc_info now;
	int fd = -1;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
	fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
#endif
	if (read_stat(p->pid, &now) == 0 && now.start == p->start) {
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
		if (fd >= 0 && syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0) {
			close(fd);
			return;
		}
#endif
		kill(p->pid, SIGKILL);
	}
	if (fd >= 0)
		close(fd);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* End a leftover (a child of ours) and every descendant it has now, then
 * reap it. Its descendants are listed before anything is killed: once the
 * leftover dies they are re-parented, and the next round finds any that
 * were missed. Waits a bounded time for the exit (a process in
 * uninterruptible sleep dies late: a later sweep reaps it). */
static void end_leftover(const proc_info *top)
{
	proc_list tree = {NULL, 0, 0};
	size_t i;
	int ms;

	push(&tree, top);
	for (i = 0; i < tree.n && tree.n < TREE_MAX; i++)
		children_of(tree.v[i].pid, &tree);
	if (top->state != 'Z')
		kill(top->pid, SIGKILL); /* our child, unreaped: the pid is ours */
	for (i = 1; i < tree.n; i++)
		kill_listed(&tree.v[i]);
	free(tree.v);
	for (ms = 0; ms <= REAP_WAIT_MS; ms++) {
		pid_t w = waitpid(top->pid, NULL, WNOHANG);
		if (w == top->pid || (w < 0 && errno != EINTR))
			break;
		if (w == 0)
			sleep_ms(1);
	}
}

/* A leftover: not a task's own process, not in our process group (a pager,
 * anything else the harness started), and started before every task still
 * registered (running, or starting) began. Called with reg_lock held. */
static int is_leftover(const proc_info *c, pid_t self, pid_t pgrp)
{
	size_t i;
	if (c->ppid != self || c->pgid == pgrp)
		return 0;
	for (i = 0; i < ntasks; i++)
		if (tasks[i].used && (tasks[i].pid == c->pid || tasks[i].start <= c->start))
			return 0;
	return 1;
}

static void sweep(void)
{
	proc_list kids = {NULL, 0, 0};
	pid_t self = getpid(), pgrp = getpgrp();
	int round, ended;
	size_t i;

	pthread_mutex_lock(&sweep_lock);
	for (round = 0; round < SWEEP_ROUNDS; round++) {
		kids.n = 0;
		children_of(self, &kids);
		ended = 0;
		for (i = 0; i < kids.n; i++) {
			proc_info now;
			int take;
			/* decided on a fresh stat under the lock: a task that
			 * registers after this cannot own a process that
			 * already exists */
			pthread_mutex_lock(&reg_lock);
			take = read_stat(kids.v[i].pid, &now) == 0 && is_leftover(&now, self, pgrp);
			pthread_mutex_unlock(&reg_lock);
			if (take) {
				end_leftover(&now);
				ended = 1;
			}
		}
		if (!ended)
			break;
	}
	free(kids.v);
	pthread_mutex_unlock(&sweep_lock);
}

void hx_reaper_end(size_t handle)
{
	pthread_mutex_lock(&reg_lock);
	tasks[handle].used = 0;
	tasks[handle].pid = 0;
	pthread_mutex_unlock(&reg_lock);
	sweep();
}

/* ---- at exit, from a signal handler ------------------------------------ */

/* Everything below is async-signal-safe: fixed buffers, no stdio, no
 * allocation, no lock (a sweep may hold sweep_lock in the interrupted
 * thread). */

#define KA_ROUNDS 40   /* 5 ms apart: what a dying process re-parents */

struct ka_dirent {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* "/proc/self/task/" + tid + "/children", or "/proc/" + pid + "/stat" */
static void ka_path(char *dst, const char *a, long n, const char *b)
{
	char digits[24];
	int k = 0;
	while (*a)
		*dst++ = *a++;
	do
		digits[k++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	while (k)
		*dst++ = digits[--k];
	while (*b)
		*dst++ = *b++;
	*dst = '\0';
}

static long ka_number(const char **s)
{
	long v = 0;
	while (**s == ' ')
		(*s)++;
	if (**s == '-') { /* a negative field (tty_nr never is, tpgid may) */
		(*s)++;
		while (**s >= '0' && **s <= '9')
			(*s)++;
		return -1;
	}
	while (**s >= '0' && **s <= '9')
		v = v * 10 + (*(*s)++ - '0');
	return v;
}

/* The state and process group of pid from its stat; 0 when it is gone. */
static char ka_stat(pid_t pid, pid_t *pgid)
{
	char path[48], buf[512];
	const char *p = NULL, *s;
	ssize_t n, i;
	int fd;

	ka_path(path, "/proc/", pid, "/stat");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (i = 0; i < n; i++)
		if (buf[i] == ')')
			p = buf + i;
	if (!p || p[1] != ' ' || !p[2])
		return 0;
	s = p + 3;
	ka_number(&s); /* ppid */
	*pgid = (pid_t)ka_number(&s);
	return p[2];
}

/* SIGKILL to each live child listed in a children file ("12 345 "), and
 * to its group when it leads one; read in pieces, a number cut at the end
 * of one carried into the next. Returns how many were alive. */
static int ka_children(int fd, pid_t pgrp)
{
	char kids[1024];
	size_t have = 0, keep;
	int alive = 0;
	ssize_t n;

	while ((n = read(fd, kids + have, sizeof(kids) - 1 - have)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		const char *s = kids, *cut;
		if (n < 0)
			continue;
		have += (size_t)n;
		kids[have] = '\0';
		/* numbers up to the last space are whole */
		for (cut = kids + have; cut > kids && cut[-1] != ' '; cut--)
			;
		while (s < cut) {
			pid_t pid = (pid_t)ka_number(&s), pgid = 0;
			char state;
			if (pid <= 0)
				break;
			state = ka_stat(pid, &pgid);
			if (!state || state == 'Z' || state == 'X' || pgid == pgrp)
				continue;
			alive++;
			kill(pid, SIGKILL);
			if (pgid == pid)
				kill(-pid, SIGKILL);
		}
		keep = (size_t)(kids + have - cut);
		memmove(kids, cut, keep);
		have = keep;
	}
	return alive;
}

/* One round: SIGKILL to each live child outside our group (and to its
 * group when it leads one). Returns how many were alive. */
static int ka_round(pid_t pgrp)
{
	char buf[2048], path[64];
	int alive = 0, dfd, fd;
	long nd, off;

	if ((dfd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	while ((nd = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < nd;) {
			struct ka_dirent *de = (struct ka_dirent *)(void *)(buf + off);
			const char *t = de->name;
			long tid = ka_number(&t);

			off += de->reclen;
			if (tid <= 0)
				continue;
			ka_path(path, "/proc/self/task/", tid, "/children");
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			alive += ka_children(fd, pgrp);
			close(fd);
		}
	}
	close(dfd);
	return alive;
}

void hx_reaper_kill_all(void)
{
	struct timespec ts = {0, 5 * 1000000L};
	pid_t pgrp = getpgrp();
	int round;

	for (round = 0; round < KA_ROUNDS; round++) {
		if (!ka_round(pgrp))
			return;
		nanosleep(&ts, NULL);
	}
}
