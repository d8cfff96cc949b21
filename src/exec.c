/* exec.c - run one child process, measured and bounded.
 *
 * vfork + execvp(e) into a fresh process group; the parent waits on stdout,
 * stderr and a pidfd of the child in one poll() loop, so nothing is polled
 * on a timer unless a cancel flag has to be watched (or the kernel has no
 * pidfd_open, see wait_timeout_ms). When the child is gone the rest of its
 * group is killed and the pipes are drained to EOF.
 */
#define _GNU_SOURCE /* pipe2, execvpe, wait4, waitid flags, memmem */
#include "exec.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fsutil.h"
#include "reaper.h"

#define CAPTURE_DEFAULT (64 * 1024)
#define READ_CHUNK (64 * 1024)
#define FIRST_READ 4096
#define DRAIN_NS (1000 * 1000000LL)  /* pipes held by an escaped grandchild */
#define CANCEL_POLL_MS 50
#define NOPIDFD_POLL_MS 10

/* One captured stream: b grows up to max bytes, then serves as a ring whose
 * oldest byte is at pos; dropped counts the bytes overwritten. */
typedef struct {
	int fd;
	hx_buf *b;
	size_t max;
	size_t pos;
	size_t dropped;
} capture;

void hx_proc_result_init(hx_proc_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = HX_PROC_EXITED;
	r->limit = HX_LIMIT_NONE;
	hx_buf_init(&r->out);
	hx_buf_init(&r->err);
}

void hx_proc_result_release(hx_proc_result *r)
{
	hx_buf_release(&r->out);
	hx_buf_release(&r->err);
	hx_proc_result_init(r);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t seconds_ns(double s)
{
	if (s > 1e9) /* 30 years: "no limit" without overflowing */
		s = 1e9;
	return (int64_t)(s * 1e9);
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	/* Called through syscall() so that glibc < 2.36 builds too; a pidfd is
	 * always close-on-exec. */
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- capture ---------------------------------------------------------- */

/* Read once (the fd is known readable). Returns 1 when data or a transient
 * error, 0 at EOF, -1 on a read error (the stream is then closed too). Reads
 * go straight into the buffer or the ring: no copy, and the buffer grows
 * geometrically so a task that prints a line does not allocate 64 KiB. */
static int capture_read(capture *c)
{
	hx_buf *b = c->b;
	size_t room;
	char *dst;
	ssize_t n;

	if (b->len < c->max) {
		if (b->cap <= b->len + 1) {
			size_t want = b->len ? b->len : FIRST_READ;
			if (want > c->max - b->len)
				want = c->max - b->len;
			hx_buf_grow(b, want);
		}
		room = b->cap - b->len - 1;
		if (room > c->max - b->len)
			room = c->max - b->len;
		dst = b->ptr + b->len;
	} else {
		room = c->max - c->pos;
		dst = b->ptr + c->pos;
	}
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	n = read(c->fd, dst, room);
	if (n < 0)
		return (errno == EINTR || errno == EAGAIN) ? 1 : -1;
	if (n == 0)
		return 0;
	if (b->len < c->max) {
		b->len += (size_t)n;
		b->ptr[b->len] = '\0';
	} else {
		c->pos = (c->pos + (size_t)n) % c->max;
		c->dropped += (size_t)n;
	}
	return 1;
}

static void reverse(char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n / 2; i++) {
		char t = p[i];
		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* Put the ring back in order: rotate left by pos (three reversals, no
 * second buffer). */
static void capture_finish(capture *c, size_t *dropped_out)
{
	hx_buf *b = c->b;
	if (c->pos) {
		reverse(b->ptr, c->pos);
		reverse(b->ptr + c->pos, b->len - c->pos);
		reverse(b->ptr, b->len);
		c->pos = 0;
	}
	*dropped_out = c->dropped;
}

/* ---- child ------------------------------------------------------------ */

/* Move fd out of the 0..2 range so that the dup2 calls below cannot clobber
 * it (only happens when the harness runs with a standard fd closed). */
static int lift_fd(int fd)
{
	if (fd >= 3)
		return fd;
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* Process groups of the children now running, so that a signal handler can
 * end them all (hx_proc_kill_all). Lock-free: a slot holds a pid or 0. A
 * child started while every slot is taken is simply not listed. */
#define LIVE_SLOTS 1024
static atomic_int live[LIVE_SLOTS];

static void live_add(pid_t pid)
{
	int i;
	for (i = 0; i < LIVE_SLOTS; i++) {
		int zero = 0;
		if (atomic_compare_exchange_strong(&live[i], &zero, (int)pid))
			return;
	}
}

/* Called before the child is reaped, while its pid cannot be reused. */
static void live_remove(pid_t pid)
{
	int i;
	for (i = 0; i < LIVE_SLOTS; i++) {
		int p = (int)pid;
		if (atomic_compare_exchange_strong(&live[i], &p, 0))
			return;
	}
}

void hx_proc_kill_all(int sig)
{
	int i;
	for (i = 0; i < LIVE_SLOTS; i++) {
		int p = atomic_load(&live[i]);
		if (p > 0)
			kill(-p, sig);
	}
}

/* Between vfork and exec: async-signal-safe calls only (no malloc, no
 * stdio), and no writes outside this frame (the memory is the parent's);
 * everything it needs was prepared before. Never returns. */
static void child_exec(const hx_proc_options *opt, const struct rlimit *as,
		       int out_w, int err_w, int status_w)
{
	struct sigaction dfl;
	sigset_t none;
	int sig, fd, e;

	setpgid(0, 0);
	/* The harness, or whatever started it, may ignore or catch signals
	 * (SIGPIPE, SIGINT for cancel; CI runners ignore some real-time
	 * ones): ignored dispositions survive exec, so reset every signal
	 * while everything is still blocked, then unblock everything. glibc
	 * refuses the two it reserves for itself (32, 33) with EINVAL: they
	 * stay as inherited, which no program can change through libc. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if ((status_w = lift_fd(status_w)) < 0 || (out_w = lift_fd(out_w)) < 0 ||
	    (err_w = lift_fd(err_w)) < 0)
		goto fail;
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	/* dup2 clears close-on-exec on the copies; the originals close at
	 * exec. */
	if (dup2(fd, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0)
		goto fail;
	if (opt->cwd && chdir(opt->cwd) < 0)
		goto fail;
	if (as && setrlimit(RLIMIT_AS, as) < 0)
		goto fail;
	if (opt->env)
		execvpe(opt->argv[0], (char *const *)opt->argv,
			(char *const *)opt->env);
	else
		execvp(opt->argv[0], (char *const *)opt->argv);
fail:
	e = errno;
	while (write(status_w, &e, sizeof(e)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* Start the child: its pid, or -1 with errno set.
 *
 * vfork, not fork: the child borrows our memory until it execs, so
 * starting costs no page-table copy however large the harness grows. The
 * child only makes async-signal-safe calls and writes only its own
 * stack frame; it has its own fd table, signal dispositions, rlimits and
 * cwd (no CLONE_FILES/SIGHAND/FS), as in glibc's posix_spawn, which cannot
 * be used because it has no RLIMIT_AS. A function of its own so that no
 * local of hx_proc_run lives across vfork. Every signal is blocked across
 * it so that no handler of the harness runs in the child before the child
 * has reset them. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static pid_t spawn(const hx_proc_options *opt, const struct rlimit *as,
		   int out_w, int err_w, int status_w)
{
	sigset_t all, old;
	pid_t pid;
	int e;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = vfork();
	if (pid == 0)
		child_exec(opt, as, out_w, err_w, status_w);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return pid;
}

/* ---- parent ----------------------------------------------------------- */

/* The memory heuristic. RLIMIT_AS does not kill a child: its allocations
 * fail and the child reports that itself (Lean: "INTERNAL PANIC: out of
 * memory" and exit 1; C++ programs: std::bad_alloc and abort; C programs:
 * "Cannot allocate memory"; a runtime that touches a failed mmap: SIGSEGV;
 * an OOM killer in a container: SIGKILL). So a child that failed (nonzero
 * exit, or SIGKILL/SIGSEGV/SIGABRT) while a memory limit was set is
 * classified as having hit it when its peak RSS reached 90% of the limit or
 * one of those messages is in the kept tail of its stdout or stderr. Address
 * space counts more than RSS, so the RSS test alone rarely fires; the
 * messages carry most cases. */
static int contains(const hx_buf *b, const char *s)
{
	return b->len && memmem(b->ptr, b->len, s, strlen(s)) != NULL;
}

static int died_of_memory(const hx_proc_result *r, long limit_mb)
{
	static const char *const texts[] = {
		"out of memory", "Cannot allocate memory", "std::bad_alloc"
	};
	size_t i;
	int failed;

	if (r->status == HX_PROC_SIGNALED)
		failed = r->signal == SIGKILL || r->signal == SIGSEGV ||
			 r->signal == SIGABRT;
	else
		failed = r->status == HX_PROC_EXITED && r->exit_code != 0;
	if (!failed)
		return 0;
	if ((double)r->maxrss_kb >= 0.9 * (double)limit_mb * 1024.0)
		return 1;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (contains(&r->out, texts[i]) || contains(&r->err, texts[i]))
			return 1;
	return 0;
}

/* Milliseconds until the earliest of the instants that matter, rounded up
 * so poll does not wake a hair early and spin; -1 waits for events only. */
static int wait_timeout_ms(int64_t now, int64_t wake)
{
	int64_t ms;
	if (wake < 0)
		return -1;
	if (wake <= now)
		return 0;
	ms = (wake - now + 999999) / 1000000;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static int64_t earliest(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* Has the child exited (without reaping it, so its pid and process group
 * stay reserved until we have killed the group)? */
static int child_exited(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno != EINTR)
			return 1; /* cannot wait: let wait4 report it */
	}
	return si.si_pid == pid;
}

static int reap(pid_t pid, int *wstatus, struct rusage *ru)
{
	while (wait4(pid, wstatus, 0, ru) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int hx_proc_run(hx_proc_result *out, const hx_proc_options *opt)
{
	int out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, st_p[2] = {-1, -1};
	int pidfd = -1, reaped = 0, term_sent = 0, kill_sent = 0, task_open = 0;
	int wstatus = 0, e = 0, rc = 0, i;
	pid_t pid = -1;
	struct rlimit as, *asp = NULL;
	struct rusage ru;
	capture cap[2];
	int64_t t0, t_end, deadline = -1, kill_at = -1, drain_until = -1;
	int64_t grace;
	ssize_t n;
	size_t task = 0;

	hx_proc_result_init(out);
	memset(&ru, 0, sizeof(ru));
	grace = seconds_ns(opt->grace_s > 0 ? opt->grace_s : 1.0);
	cap[0].b = &out->out;
	cap[1].b = &out->err;
	for (i = 0; i < 2; i++) {
		cap[i].fd = -1;
		cap[i].max = opt->capture_max ? opt->capture_max : CAPTURE_DEFAULT;
		cap[i].pos = 0;
		cap[i].dropped = 0;
	}
	if (!opt->argv || !opt->argv[0]) {
		hx_error_set("no program to run");
		rc = HX_EINVALID;
		goto done;
	}
	if (opt->memory_limit_mb > 0) {
		/* Only the soft limit: a hard limit below the requested one
		 * would make setrlimit fail. */
		if (getrlimit(RLIMIT_AS, &as) < 0) {
			hx_error_set_errno(errno, "cannot read the memory limit of '%s'",
					   opt->argv[0]);
			rc = HX_ESYSTEM;
			goto done;
		}
		as.rlim_cur = (rlim_t)opt->memory_limit_mb * 1024 * 1024;
		if (as.rlim_max != RLIM_INFINITY && as.rlim_cur > as.rlim_max)
			as.rlim_cur = as.rlim_max;
		asp = &as;
	}
	/* Close-on-exec everywhere: children that other threads start at the
	 * same time must not hold our pipes open. */
	if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0 ||
	    pipe2(st_p, O_CLOEXEC) < 0) {
		hx_error_set_errno(errno, "cannot create pipes for '%s'", opt->argv[0]);
		rc = HX_ESYSTEM;
		goto done;
	}

	t0 = now_ns();
	/* Registered before the fork: a process this task starts is never
	 * taken for another task's leftover (reaper.h). */
	task = hx_reaper_begin();
	task_open = 1;
	pid = spawn(opt, asp, out_p[1], err_p[1], st_p[1]);
	e = errno;
	if (pid < 0) {
		hx_error_set_errno(e, "cannot start '%s'", opt->argv[0]);
		rc = HX_ESYSTEM;
		goto done;
	}
	hx_reaper_started(task, pid);
	/* Both sides call setpgid so that the group exists whoever runs
	 * first (with vfork the child always has; this keeps a switch to
	 * fork safe). EACCES after the child's exec is expected. */
	setpgid(pid, pid);
	live_add(pid);
	close_fd(&out_p[1]);
	close_fd(&err_p[1]);
	close_fd(&st_p[1]);
	cap[0].fd = out_p[0];
	cap[1].fd = err_p[0];
	out_p[0] = err_p[0] = -1;

	/* EOF: exec succeeded. An int: exec (or chdir, setrlimit) failed.
	 * Once this returns the child is in its own group, so the group
	 * kills below reach it. */
	while ((n = read(st_p[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(e)) {
		if (reap(pid, &wstatus, &ru) < 0) {
			hx_error_set_errno(errno, "cannot wait for '%s'", opt->argv[0]);
			rc = HX_ESYSTEM;
			goto done;
		}
		reaped = 1;
		out->status = HX_PROC_EXEC_FAILED;
		out->exec_errno = e;
		out->wall_ms = (double)(now_ns() - t0) / 1e6;
		goto done;
	}

	pidfd = open_pidfd(pid);
	if (opt->timeout_s > 0)
		deadline = t0 + seconds_ns(opt->timeout_s);
	for (;;) {
		struct pollfd pfd[3];
		int np = 0, ci[2], pi = -1, r, timeout;
		int64_t now = now_ns(), wake = -1;

		if (reaped && cap[0].fd < 0 && cap[1].fd < 0)
			break;
		if (!reaped && !term_sent) {
			if (opt->cancel && atomic_load(opt->cancel))
				out->limit = HX_LIMIT_CANCELED;
			else if (deadline >= 0 && now >= deadline)
				out->limit = HX_LIMIT_TIMEOUT;
			if (out->limit != HX_LIMIT_NONE) {
				kill(-pid, SIGTERM);
				term_sent = 1;
				kill_at = now + grace;
			}
		}
		if (!reaped && term_sent && !kill_sent && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill_sent = 1;
		}
		if (reaped && now >= drain_until) {
			/* Something outside the group (setsid) still holds the
			 * pipes: stop waiting for it. */
			close_fd(&cap[0].fd);
			close_fd(&cap[1].fd);
			out->pipes_leaked = 1;
			break;
		}

		if (!reaped) {
			if (!term_sent)
				wake = earliest(wake, deadline);
			if (term_sent && !kill_sent)
				wake = earliest(wake, kill_at);
			if (!term_sent && opt->cancel)
				wake = earliest(wake, now + CANCEL_POLL_MS * 1000000LL);
			if (pidfd < 0)
				wake = earliest(wake, now + NOPIDFD_POLL_MS * 1000000LL);
		} else {
			wake = drain_until;
		}
		timeout = wait_timeout_ms(now, wake);

		for (i = 0; i < 2; i++) {
			ci[i] = -1;
			if (cap[i].fd >= 0) {
				ci[i] = np;
				pfd[np].fd = cap[i].fd;
				pfd[np].events = POLLIN;
				pfd[np++].revents = 0;
			}
		}
		if (!reaped && pidfd >= 0) {
			pi = np;
			pfd[np].fd = pidfd;
			pfd[np].events = POLLIN;
			pfd[np++].revents = 0;
		}
		r = poll(pfd, (nfds_t)np, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			hx_error_set_errno(errno, "cannot wait for '%s'", opt->argv[0]);
			rc = HX_ESYSTEM;
			goto done;
		}
		for (i = 0; i < 2; i++) {
			short ev = ci[i] < 0 ? 0 : pfd[ci[i]].revents;
			/* POLLHUP without POLLIN: closed and empty, EOF
			 * without a read (or a buffer) for a silent task */
			if ((ev & POLLIN) ? capture_read(&cap[i]) <= 0
					  : (ev & (POLLHUP | POLLERR | POLLNVAL)) != 0)
				close_fd(&cap[i].fd);
		}
		if (reaped)
			continue;
		if (pi >= 0 ? (pfd[pi].revents & (POLLIN | POLLHUP | POLLERR)) != 0
			    : child_exited(pid)) {
			/* The child is a zombie, so its pid (the group id)
			 * cannot be reused yet: end the rest of its group, then
			 * reap. With the group gone the pipes reach EOF. */
			kill(-pid, SIGKILL);
			live_remove(pid);
			if (reap(pid, &wstatus, &ru) < 0) {
				hx_error_set_errno(errno, "cannot wait for '%s'",
						   opt->argv[0]);
				rc = HX_ESYSTEM;
				goto done;
			}
			reaped = 1;
			t_end = now_ns();
			out->wall_ms = (double)(t_end - t0) / 1e6;
			/* what left the group (setsid) and was re-parented
			 * to us: ended now, so the pipes it holds reach EOF */
			hx_reaper_end(task);
			task_open = 0;
			drain_until = now_ns() + DRAIN_NS;
		}
	}

	if (WIFSIGNALED(wstatus)) {
		out->status = HX_PROC_SIGNALED;
		out->signal = WTERMSIG(wstatus);
	} else {
		out->status = HX_PROC_EXITED;
		out->exit_code = WEXITSTATUS(wstatus);
	}
	out->cpu_ms = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	/* Linux carries the RSS peak of the pre-exec image into ru_maxrss
	 * (with vfork: the harness's own peak), so this is max(child's peak,
	 * harness's peak); exact per-task peaks would need a cgroup. */
	out->maxrss_kb = ru.ru_maxrss;
	capture_finish(&cap[0], &out->out_dropped);
	capture_finish(&cap[1], &out->err_dropped);
	if (out->limit == HX_LIMIT_NONE && opt->memory_limit_mb > 0 &&
	    died_of_memory(out, opt->memory_limit_mb))
		out->limit = HX_LIMIT_MEMORY;

done:
	if (pid > 0 && !reaped) {
		/* Only on a harness failure: no child may outlive the call. */
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		live_remove(pid);
		reap(pid, &wstatus, &ru);
	}
	if (task_open)
		hx_reaper_end(task);
	close_fd(&pidfd);
	close_fd(&cap[0].fd);
	close_fd(&cap[1].fd);
	for (i = 0; i < 2; i++) {
		close_fd(&out_p[i]);
		close_fd(&err_p[i]);
		close_fd(&st_p[i]);
	}
	return rc;
}

char *hx_proc_which(const char *prog, const char *cwd)
{
	const char *path = getenv("PATH"), *p;
	char resolved[PATH_MAX];
	if (strchr(prog, '/')) {
		char *full = cwd ? hx_path_join(cwd, prog) : hx_xstrdup(prog);
		char *r = realpath(full, resolved) ? hx_xstrdup(resolved) : NULL;
		free(full);
		return r;
	}
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		hx_buf cand = HX_BUF_INIT;
		hx_buf_put(&cand, n ? p : ".", n ? n : 1);
		hx_buf_putc(&cand, '/');
		hx_buf_puts(&cand, prog);
		if (access(cand.ptr, X_OK) == 0 && realpath(cand.ptr, resolved)) {
			hx_buf_release(&cand);
			return hx_xstrdup(resolved);
		}
		hx_buf_release(&cand);
		p = colon ? colon + 1 : p + n;
	}
	return NULL;
}

char **hx_proc_env(const char *const *overrides)
{
	size_t n = 0, m = 0, i, j, k = 0;
	char **env;
	while (environ[n])
		n++;
	while (overrides && overrides[m])
		m++;
	env = hx_xcalloc(n + m + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t klen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		int replaced = 0;
		for (j = 0; j < m && !replaced; j++)
			replaced = strncmp(overrides[j], environ[i], klen) == 0 &&
				   overrides[j][klen] == '=';
		if (!replaced)
			env[k++] = hx_xstrdup(environ[i]);
	}
	for (j = 0; j < m; j++)
		env[k++] = hx_xstrdup(overrides[j]);
	return env;
}
