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

/* Everything in this section is async-signal-safe (fixed buffers, open,
 * read, close; no stdio, no allocation, no lock), so that the signal
 * handler's hx_reaper_kill_all shares it with the sweep. */

typedef struct {
	pid_t pid, ppid, pgid;
	char state;
	unsigned long long start;
} proc_info;

/* dst = a + decimal n + b (dst holds 64 bytes) */
static void path_of(char *dst, const char *a, long n, const char *b)
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

/* The next space-separated number at *s; a negative one (tpgid, priority
 * and nice may be) reads as 0. */
static unsigned long long number(const char **s)
{
	unsigned long long v = 0;
	int neg;
	while (**s == ' ')
		(*s)++;
	if ((neg = **s == '-'))
		(*s)++;
	while (**s >= '0' && **s <= '9')
		v = v * 10 + (unsigned long long)(*(*s)++ - '0');
	return neg ? 0 : v;
}

/* /proc/PID/stat: state, parent, process group and start time; -1 when the
 * process is gone. The command name may hold spaces and parentheses: the
 * fields start after the last ')'. */
static int read_stat(pid_t pid, proc_info *out)
{
	char path[64], buf[1024];
	const char *p = NULL, *s;
	ssize_t n, i;
	int fd, f;

	path_of(path, "/proc/", pid, "/stat");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (i = 0; i < n; i++)
		if (buf[i] == ')')
			p = buf + i;
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	out->pid = pid;
	out->state = p[2];
	s = p + 3;
	/* after the state: ppid pgrp session tty_nr tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime */
	out->ppid = (pid_t)number(&s);
	out->pgid = (pid_t)number(&s);
	for (f = 3; f < 19; f++)
		number(&s);
	out->start = number(&s);
	return *s == ' ' ? 0 : -1;
}

/* Call fn for each pid in a children file ("12 345 "), read in pieces: a
 * number cut at the end of one is carried into the next. */
static void each_child(int fd, void (*fn)(pid_t, void *), void *ctx)
{
	char kids[1024];
	size_t have = 0, keep;
	ssize_t n;

	while ((n = read(fd, kids + have, sizeof(kids) - 1 - have)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		const char *s = kids, *cut;
		if (n < 0)
			continue;
		have += (size_t)n;
		kids[have] = '\0';
		/* the numbers up to the last space are whole */
		for (cut = kids + have; cut > kids && cut[-1] != ' '; cut--)
			;
		while (s < cut) {
			pid_t pid = (pid_t)number(&s);
			if (pid <= 0)
				break;
			fn(pid, ctx);
		}
		keep = (size_t)(kids + have - cut);
		memmove(kids, cut, keep);
		have = keep;
	}
}

/* Call fn for each child of this process: a process's children hang off
 * the thread that started them (or was chosen to adopt them), so each
 * thread's /proc/self/task/T/children is read; the thread list through
 * getdents64 (opendir allocates). */
struct linux_dirent64 {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static void each_own_child(void (*fn)(pid_t, void *), void *ctx)
{
	char buf[2048], path[64];
	int dfd, fd;
	long nd, off;

	if ((dfd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	while ((nd = syscall(SYS_getdents64, dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < nd;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(void *)(buf + off);
			const char *t = de->name;
			long tid = (long)number(&t);

			off += de->reclen;
			if (tid <= 0)
				continue; /* "." and ".." */
			path_of(path, "/proc/self/task/", tid, "/children");
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
				continue; /* the thread has exited */
			each_child(fd, fn, ctx);
			close(fd);
		}
	}
	close(dfd);
}

/* ---- lists of processes (not in a signal handler) ---------------------- */

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

typedef struct {
	proc_list *out;
	pid_t of;
} child_ctx;

static void push_child(pid_t pid, void *arg)
{
	child_ctx *c = arg;
	proc_info info;
	/* gone meanwhile, or re-parented since the list was read */
	if (read_stat(pid, &info) == 0 && info.ppid == c->of)
		push(c->out, &info);
}

/* The children of process `of` (this process, or a descendant), each with
 * its /proc/PID/stat: from the children files of its threads, or, on a
 * kernel without those files, from a scan of every /proc/PID/stat. */
static void children_of(pid_t of, proc_list *out)
{
	child_ctx c = {out, of};
	char path[64];
	struct dirent *de;
	DIR *d;
	int fd;

	if (no_children_files) {
		if (!(d = opendir("/proc")))
			return;
		while ((de = readdir(d)) != NULL) {
			pid_t pid = (pid_t)atoi(de->d_name);
			if (pid > 0)
				push_child(pid, &c);
		}
		closedir(d);
		return;
	}
	if (of == getpid()) {
		each_own_child(push_child, &c);
		return;
	}
	path_of(path, "/proc/", of, "/task");
	if (!(d = opendir(path)))
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/children", (int)of, de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			each_child(fd, push_child, &c);
			close(fd);
		}
	}
	closedir(d);
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

#define KA_ROUNDS 40 /* 5 ms apart: what a dying process re-parents */

typedef struct {
	pid_t pgrp;
	int alive;
} kill_ctx;

/* SIGKILL to a live child outside our group, and to its group when it
 * leads one. */
static void kill_child(pid_t pid, void *arg)
{
	kill_ctx *k = arg;
	proc_info info;
	if (read_stat(pid, &info) < 0 || info.state == 'Z' || info.state == 'X' ||
	    info.pgid == k->pgrp)
		return;
	k->alive++;
	kill(pid, SIGKILL);
	if (info.pgid == pid)
		kill(-pid, SIGKILL);
}

void hx_reaper_kill_all(void)
{
	struct timespec ts = {0, 5 * 1000000L};
	kill_ctx k;
	int round;

	k.pgrp = getpgrp();
	for (round = 0; round < KA_ROUNDS; round++) {
		k.alive = 0;
		each_own_child(kill_child, &k);
		if (!k.alive)
			return;
		nanosleep(&ts, NULL);
	}
}
