/* test_exec.c - the process runner: exit codes, signals, exec failures, cwd
 * and env, bounded capture, timeouts that end the whole process group,
 * cancel, the memory limit, rusage, concurrency; and the fake verifier
 * fixture the engine tests build on. */
#define _GNU_SOURCE /* prctl, setenv */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "exec.h"

#ifndef HX_FAKE_VERIFIER
#error "HX_FAKE_VERIFIER must name the fake_verifier executable (tests/fixtures/CMakeLists.txt)"
#endif
#ifndef HX_FAKE_LEAN
#define HX_FAKE_LEAN HX_FIXTURES "/lean"
#endif

#define FAKE_FILE(name) HX_FAKE_LEAN "/Fake/" name ".lean"

static hx_proc_options opts(const char *const *argv)
{
	hx_proc_options o;
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	return o;
}

static void run_ok(hx_proc_result *r, const hx_proc_options *o)
{
	int rc = hx_proc_run(r, o);
	if (rc != 0)
		fail_msg("hx_proc_run failed (%d): %s", rc, hx_error_last());
}

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* This process is a child subreaper (see main), so processes orphaned by
 * a test are re-parented to it and can be reaped here; otherwise a dead
 * grandchild would linger as a zombie under an init that does not reap,
 * and kill(pid, 0) would still succeed. Waits at most 100 ms for the
 * kernel to finish the exit of a process already sent SIGKILL. */
static void assert_gone(pid_t pid)
{
	int i;
	for (i = 0; i < 50; i++) {
		pid_t w = waitpid(pid, NULL, WNOHANG);
		if (w == pid || (w < 0 && errno == ECHILD))
			break;
		sleep_ms(2);
	}
	errno = 0;
	if (kill(pid, 0) == 0)
		fail_msg("process %ld is still alive", (long)pid);
	assert_int_equal(errno, ESRCH);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* ---- exit status and capture ------------------------------------------ */

static void test_exit_codes(void **state)
{
	static const char *const t[] = {"true", NULL};
	static const char *const f[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	hx_proc_options o = opts(t);
	hx_proc_result r;
	(void)state;

	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_EXITED);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.limit, HX_LIMIT_NONE);
	assert_int_equal(r.out.len, 0);
	assert_true(r.wall_ms > 0);
	hx_proc_result_release(&r);

	o = opts(f);
	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_EXITED);
	assert_int_equal(r.exit_code, 3);
	assert_string_equal(r.out.ptr, "out\n");
	assert_string_equal(r.err.ptr, "err\n");
	assert_int_equal(r.out_dropped, 0);
	assert_int_equal(r.err_dropped, 0);
	assert_int_equal(r.pipes_leaked, 0);
	hx_proc_result_release(&r);

	/* stdin is /dev/null: a reader sees EOF at once */
	{
		static const char *const c[] = {"sh", "-c", "cat; echo \"rc=$?\"", NULL};
		o = opts(c);
		o.timeout_s = 5;
		run_ok(&r, &o);
		assert_int_equal(r.limit, HX_LIMIT_NONE);
		assert_string_equal(r.out.ptr, "rc=0\n");
		hx_proc_result_release(&r);
	}
}

static void test_signals(void **state)
{
	static const char *const segv[] = {HX_FAKE_VERIFIER, FAKE_FILE("Segv"), NULL};
	static const char *const so[] = {HX_FAKE_VERIFIER, FAKE_FILE("StackOverflow"), NULL};
	static const char *const sh[] = {"sh", "-c", "kill -USR1 $$", NULL};
	hx_proc_options o = opts(segv);
	hx_proc_result r;
	(void)state;

	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_SIGNALED);
	assert_int_equal(r.signal, SIGSEGV);
	hx_proc_result_release(&r);

	o = opts(so);
	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_SIGNALED);
	assert_int_equal(r.signal, SIGABRT);
	assert_string_equal(r.err.ptr, "Stack overflow detected. Aborting.\n");
	assert_int_equal(r.limit, HX_LIMIT_NONE);
	hx_proc_result_release(&r);

	o = opts(sh);
	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_SIGNALED);
	assert_int_equal(r.signal, SIGUSR1);
	hx_proc_result_release(&r);
}

static void test_exec_failures(void **state)
{
	static const char *const missing[] = {"hx-no-such-program-3f9a", NULL};
	static const char *const abs_missing[] = {"/nonexistent/hx/prog", NULL};
	static const char *const noexec[] = {HX_SOURCE_DIR "/tests/fixtures/fake_verifier.c", NULL};
	static const char *const t[] = {"true", NULL};
	hx_proc_options o = opts(missing);
	hx_proc_result r;
	(void)state;

	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_EXEC_FAILED);
	assert_int_equal(r.exec_errno, ENOENT);
	hx_proc_result_release(&r);

	o = opts(abs_missing);
	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_EXEC_FAILED);
	assert_int_equal(r.exec_errno, ENOENT);
	hx_proc_result_release(&r);

	o = opts(noexec);
	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_EXEC_FAILED);
	assert_int_equal(r.exec_errno, EACCES);
	hx_proc_result_release(&r);

	/* a cwd that does not exist is an exec failure with chdir's errno */
	o = opts(t);
	o.cwd = "/nonexistent/hx/dir";
	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_EXEC_FAILED);
	assert_int_equal(r.exec_errno, ENOENT);
	hx_proc_result_release(&r);

	/* an empty argv is the caller's mistake */
	{
		static const char *const empty[] = {NULL};
		o = opts(empty);
		assert_int_equal(hx_proc_run(&r, &o), HX_EINVALID);
		assert_string_equal(hx_error_last(), "no program to run");
		hx_proc_result_release(&r);
	}
}

static void test_cwd_env(void **state)
{
	static const char *const argv[] = {"sh", "-c", "pwd; echo \"$FOO\"; echo \"${HOME-unset}\"", NULL};
	static const char *const env[] = {"FOO=bar baz", "PATH=/usr/bin:/bin", NULL};
	char dir[] = "/tmp/hx-exec-XXXXXX", real[PATH_MAX], want[PATH_MAX + 64];
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	(void)state;

	assert_non_null(mkdtemp(dir));
	assert_non_null(realpath(dir, real));
	o.cwd = dir;
	o.env = env;
	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_EXITED);
	assert_int_equal(r.exit_code, 0);
	snprintf(want, sizeof(want), "%s\nbar baz\nunset\n", real);
	assert_string_equal(r.out.ptr, want);
	hx_proc_result_release(&r);

	/* env NULL inherits ours */
	assert_int_equal(setenv("HX_EXEC_TEST_VAR", "inherited", 1), 0);
	{
		static const char *const a2[] = {"sh", "-c", "echo \"$HX_EXEC_TEST_VAR\"", NULL};
		o = opts(a2);
		run_ok(&r, &o);
		assert_string_equal(r.out.ptr, "inherited\n");
		hx_proc_result_release(&r);
	}
	rmdir(dir);
}

/* The child starts with default dispositions and nothing blocked, whatever
 * the harness ignores or blocks (SIGPIPE ignored is the classic leak), and
 * whatever real-time signal the harness's own parent ignored. The child
 * reads its own /proc/self/status (through a shell it would read the
 * shell's, which blocks every signal while it spawns). Signals 32 and 33
 * are glibc's own (no program can reset them through libc): bits 31 and 32
 * of SigIgn are left out. */
static void test_signal_reset(void **state)
{
	static const char *const argv[] = {"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status",
					   NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	sigset_t usr1, old;
	void (*prev)(int);
	unsigned long long blk = 1, ign = 1;
	(void)state;

	prev = signal(SIGPIPE, SIG_IGN);
	signal(SIGRTMIN + 3, SIG_IGN);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, &old);
	run_ok(&r, &o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, prev);
	signal(SIGRTMIN + 3, SIG_DFL);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(sscanf(r.out.ptr, "SigBlk:\t%llx\nSigIgn:\t%llx", &blk, &ign), 2);
	assert_true(blk == 0);
	assert_true((ign & ~0x180000000ULL) == 0);
	hx_proc_result_release(&r);
}

static void check_lines(const char *p, size_t len, unsigned long last)
{
	size_t i, nlines = len / 16;
	assert_int_equal(len % 16, 0);
	for (i = 0; i < nlines; i++) {
		char want[24];
		snprintf(want, sizeof(want), "%015lu\n", last - (nlines - 1 - i));
		if (memcmp(p + 16 * i, want, 16) != 0)
			fail_msg("line %zu of the tail: '%.15s', expected '%.15s'", i,
				 p + 16 * i, want);
	}
}

static void test_capture_tail(void **state)
{
	static const char *const argv[] = {HX_FAKE_VERIFIER, FAKE_FILE("Flood"), NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	(void)state;

	/* Flood.lean: 5 MiB of 16-byte numbered lines on stdout, 1 MiB on
	 * stderr; the default cap keeps 64 KiB of each. */
	run_ok(&r, &o);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.out.len, 64 * 1024);
	assert_int_equal(r.out_dropped, 5 * 1024 * 1024 - 64 * 1024);
	assert_int_equal(strlen(r.out.ptr), r.out.len);
	check_lines(r.out.ptr, r.out.len, 5 * 65536UL - 1);
	assert_int_equal(r.err.len, 64 * 1024);
	assert_int_equal(r.err_dropped, 1024 * 1024 - 64 * 1024);
	check_lines(r.err.ptr, r.err.len, 65536UL - 1);
	hx_proc_result_release(&r);
}

/* A cap that is not a multiple of the line or read size: the ring wraps at
 * odd places and must still come out in order. */
static void test_capture_odd_cap(void **state)
{
	static const char *const argv[] = {HX_FAKE_VERIFIER, FAKE_FILE("Flood"), NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	size_t cap = 1000, total = 5u << 20, k;
	char want[1001], line[24];
	(void)state;

	o.capture_max = cap;
	run_ok(&r, &o);
	assert_int_equal(r.out.len, cap);
	assert_int_equal(r.out_dropped, total - cap);
	/* rebuild the expected last 1000 bytes of the stream */
	for (k = 0; k < cap; k++) {
		size_t off = total - cap + k;
		snprintf(line, sizeof(line), "%015zu\n", off / 16);
		want[k] = line[off % 16];
	}
	want[cap] = '\0';
	assert_memory_equal(r.out.ptr, want, cap);
	assert_int_equal(r.out.ptr[cap], '\0');
	hx_proc_result_release(&r);
}

/* ---- timeouts, cancel, the process group ------------------------------ */

static void test_timeout(void **state)
{
	static const char *const argv[] = {HX_FAKE_VERIFIER, FAKE_FILE("Hang"), NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	(void)state;

	o.timeout_s = 0.3;
	run_ok(&r, &o);
	assert_int_equal(r.limit, HX_LIMIT_TIMEOUT);
	assert_int_equal(r.status, HX_PROC_SIGNALED);
	assert_int_equal(r.signal, SIGTERM);
	if (r.wall_ms < 300 || r.wall_ms > 800)
		fail_msg("wall %.1f ms outside [300, 800]", r.wall_ms);
	hx_proc_result_release(&r);
}

static void test_timeout_grandchild(void **state)
{
	static const char *const argv[] = {HX_FAKE_VERIFIER, FAKE_FILE("HangGrandchild"), NULL};
	char pidfile[] = "/tmp/hx-exec-pid-XXXXXX", envvar[64];
	const char *env[2];
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	long gpid = 0;
	FILE *fp;
	int fd;
	(void)state;

	fd = mkstemp(pidfile);
	assert_true(fd >= 0);
	close(fd);
	snprintf(envvar, sizeof(envvar), "FAKE_PIDFILE=%s", pidfile);
	env[0] = envvar;
	env[1] = NULL;
	o.env = env;
	o.timeout_s = 0.3;
	o.grace_s = 0.3;
	run_ok(&r, &o);
	assert_int_equal(r.limit, HX_LIMIT_TIMEOUT);
	assert_int_equal(r.status, HX_PROC_SIGNALED);
	assert_int_equal(r.signal, SIGKILL); /* it ignored SIGTERM */
	if (r.wall_ms < 600 || r.wall_ms > 1100)
		fail_msg("wall %.1f ms outside [600, 1100]", r.wall_ms);
	assert_int_equal(r.pipes_leaked, 0);
	fp = fopen(pidfile, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%ld", &gpid), 1);
	fclose(fp);
	unlink(pidfile);
	assert_true(gpid > 1);
	assert_gone((pid_t)gpid);
	hx_proc_result_release(&r);
}

/* The child exits at once but leaves a background process holding the
 * pipes: the run must end promptly and take the leftover with it. */
static void test_leftover_in_group(void **state)
{
	static const char *const argv[] = {"sh", "-c", "sleep 100 & echo $!; echo done", NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	long spid = 0;
	double t0 = mono_ms();
	(void)state;

	run_ok(&r, &o);
	assert_true(mono_ms() - t0 < 1000);
	assert_int_equal(r.status, HX_PROC_EXITED);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.limit, HX_LIMIT_NONE);
	assert_int_equal(r.pipes_leaked, 0);
	assert_int_equal(sscanf(r.out.ptr, "%ld\ndone\n", &spid), 1);
	assert_non_null(strstr(r.out.ptr, "\ndone\n"));
	assert_true(spid > 1);
	assert_gone((pid_t)spid);
	hx_proc_result_release(&r);
}

/* A process that leaves the group (setsid) and keeps the pipes, its
 * parent the child: when the child exits, the escapee (re-parented to the
 * harness) is ended too, so the pipes reach EOF at once. */
static void test_escaped_grandchild(void **state)
{
	static const char *const argv[] = {
		"sh", "-c", "setsid sh -c 'echo $$; exec sleep 5' & sleep 0.1; echo parent", NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	long spid = 0;
	double t0 = mono_ms(), took;
	(void)state;

	run_ok(&r, &o);
	took = mono_ms() - t0;
	if (took > 900)
		fail_msg("took %.1f ms: waited for the pipes of an escapee", took);
	assert_int_equal(r.status, HX_PROC_EXITED);
	assert_int_equal(r.pipes_leaked, 0);
	assert_non_null(strstr(r.out.ptr, "parent\n"));
	assert_true(sscanf(r.out.ptr, "%ld", &spid) == 1 && spid > 1);
	assert_gone((pid_t)spid);
	hx_proc_result_release(&r);
}

/* The acceptance case: at the timeout, the task's grandchildren that
 * called setsid are gone with it: one orphaned at once (its parent exited
 * right away), one whose parent was still alive at the timeout, and the
 * child of an escapee. All within timeout + grace. */
static void test_setsid_grandchild_timeout(void **state)
{
	static const char *const argv[] = {
		"sh", "-c",
		"sh -c 'setsid sleep 300 & echo $!'; "
		"(setsid sh -c 'sleep 300 & echo $!; exec sleep 300' & echo $!; wait) & "
		"exec sleep 300",
		NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	long pids[3] = {0, 0, 0};
	double t0, took;
	int i, n = 0;
	char *s;
	(void)state;

	o.timeout_s = 0.5;
	o.grace_s = 0.3;
	t0 = mono_ms();
	run_ok(&r, &o);
	took = mono_ms() - t0;
	assert_int_equal(r.limit, HX_LIMIT_TIMEOUT);
	assert_int_equal(r.pipes_leaked, 0);
	/* timeout + grace is 800 ms; waiting for the pipes (DRAIN_NS) would
	 * add a second, so the slack tolerates a loaded machine only */
	if (took < 500 || took > 800 + 400)
		fail_msg("took %.1f ms, not within timeout + grace (800 ms)", took);
	/* three pids, one a line: the escapees and the escapee's child */
	for (s = r.out.ptr; n < 3; n++) {
		char *end;
		pids[n] = strtol(s, &end, 10);
		if (end == s)
			break;
		s = end;
	}
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++) {
		assert_true(pids[i] > 1);
		assert_gone((pid_t)pids[i]);
	}
	hx_proc_result_release(&r);
}

/* An escapee that exits on its own while its task runs is a zombie child
 * of the harness until then: the task's end reaps it (no /proc entry left,
 * and this test never waits for it), so zombies do not pile up over a run
 * of many tasks. */
static void test_escapee_reaped(void **state)
{
	static const char *const argv[] = {
		"sh", "-c", "sh -c 'setsid sh -c \"exit 3\" & echo $!'; sleep 0.3", NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	char path[64];
	long zpid = 0;
	(void)state;

	run_ok(&r, &o);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(sscanf(r.out.ptr, "%ld", &zpid), 1);
	assert_true(zpid > 1);
	snprintf(path, sizeof(path), "/proc/%ld", zpid);
	errno = 0;
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	hx_proc_result_release(&r);
}

/* Several tasks at once: an orphan that may belong to a task still running
 * is left alone (a process of a running task is never touched), and ended
 * once that task is over. Task A starts first and orphans an escapee EA
 * (its parent exits at once), then checks 1.5 s later that EA is still
 * alive; meanwhile task B makes its own escapee EB and ends: B's end must
 * not take EA (A is running) and leaves EB (it started while A ran, so it
 * could be A's); A's end takes both. */
typedef struct {
	char pidfile[64];
	hx_proc_result r;
	int rc;
} task_a;

static void *run_task_a(void *arg)
{
	task_a *a = arg;
	char script[512];
	const char *argv[] = {"sh", "-c", script, NULL};
	hx_proc_options o = opts(argv);
	snprintf(script, sizeof(script),
		 "sh -c 'setsid sleep 300 >/dev/null 2>&1 & echo $! > %s.tmp; mv %s.tmp %s'; "
		 "sleep 1.5; kill -0 $(cat %s) && echo alive",
		 a->pidfile, a->pidfile, a->pidfile, a->pidfile);
	a->rc = hx_proc_run(&a->r, &o);
	return NULL;
}

static long read_pidfile(const char *path)
{
	long pid = 0;
	FILE *fp = fopen(path, "r");
	if (fp) {
		if (fscanf(fp, "%ld", &pid) != 1)
			pid = 0;
		fclose(fp);
	}
	return pid;
}

static void test_escaped_concurrent(void **state)
{
	static const char *const argv_b[] = {
		"sh", "-c", "sh -c 'setsid sleep 300 >/dev/null 2>&1 & echo $!'", NULL};
	hx_proc_options o = opts(argv_b);
	hx_proc_result r;
	task_a a;
	pthread_t th;
	long ea = 0, eb = 0;
	int i;
	(void)state;

	memset(&a, 0, sizeof(a));
	snprintf(a.pidfile, sizeof(a.pidfile), "/tmp/hx-exec-ea-%ld", (long)getpid());
	unlink(a.pidfile);
	assert_int_equal(pthread_create(&th, NULL, run_task_a, &a), 0);
	for (i = 0; i < 500 && !(ea = read_pidfile(a.pidfile)); i++)
		sleep_ms(5);
	assert_true(ea > 1);

	run_ok(&r, &o);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(sscanf(r.out.ptr, "%ld", &eb), 1);
	assert_true(eb > 1);
	assert_int_equal(kill((pid_t)eb, 0), 0); /* left for A's end */
	hx_proc_result_release(&r);

	pthread_join(th, NULL);
	unlink(a.pidfile);
	assert_int_equal(a.rc, 0);
	assert_string_equal(a.r.out.ptr, "alive\n"); /* B's end did not take EA */
	hx_proc_result_release(&a.r);
	assert_gone((pid_t)ea);
	assert_gone((pid_t)eb);
}

typedef struct {
	atomic_int *flag;
	long after_ms;
} canceler;

static void *cancel_later(void *arg)
{
	canceler *c = arg;
	sleep_ms(c->after_ms);
	atomic_store(c->flag, 1);
	return NULL;
}

static void test_cancel(void **state)
{
	static const char *const argv[] = {HX_FAKE_VERIFIER, FAKE_FILE("Hang"), NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	atomic_int flag = 0;
	canceler c = {&flag, 150};
	pthread_t th;
	(void)state;

	o.cancel = &flag;
	assert_int_equal(pthread_create(&th, NULL, cancel_later, &c), 0);
	run_ok(&r, &o);
	pthread_join(th, NULL);
	assert_int_equal(r.limit, HX_LIMIT_CANCELED);
	assert_int_equal(r.status, HX_PROC_SIGNALED);
	assert_int_equal(r.signal, SIGTERM);
	if (r.wall_ms < 150 || r.wall_ms > 450)
		fail_msg("wall %.1f ms outside [150, 450]", r.wall_ms);
	hx_proc_result_release(&r);

	/* already canceled: ends at once */
	run_ok(&r, &o);
	assert_int_equal(r.limit, HX_LIMIT_CANCELED);
	assert_true(r.wall_ms < 200);
	hx_proc_result_release(&r);

	/* a flag that stays 0 changes nothing */
	{
		static const char *const sl[] = {HX_FAKE_VERIFIER, FAKE_FILE("Sleep"), NULL};
		atomic_int never = 0;
		o = opts(sl);
		o.cancel = &never;
		run_ok(&r, &o);
		assert_int_equal(r.limit, HX_LIMIT_NONE);
		assert_int_equal(r.exit_code, 0);
		assert_true(r.wall_ms >= 200 && r.wall_ms < 600);
		hx_proc_result_release(&r);
	}
}

/* ---- memory and rusage ------------------------------------------------ */

static void test_memory_limit(void **state)
{
	static const char *const big[] = {HX_FAKE_VERIFIER, FAKE_FILE("Alloc"), NULL};
	static const char *const oom[] = {HX_FAKE_VERIFIER, FAKE_FILE("Oom"), NULL};
	static const char *const ok[] = {HX_FAKE_VERIFIER, FAKE_FILE("Verified"), NULL};
	hx_proc_options o = opts(big);
	hx_proc_result r;
	(void)state;

	/* Alloc.lean asks for 512 MiB */
	o.memory_limit_mb = 256;
	run_ok(&r, &o);
	assert_int_equal(r.status, HX_PROC_EXITED);
	assert_int_equal(r.exit_code, 1);
	assert_int_equal(r.limit, HX_LIMIT_MEMORY);
	assert_string_equal(r.err.ptr, "INTERNAL PANIC: out of memory\n");
	hx_proc_result_release(&r);

	/* the same allocation without a limit succeeds */
	o.memory_limit_mb = 0;
	run_ok(&r, &o);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.limit, HX_LIMIT_NONE);
	assert_true(r.maxrss_kb >= 512 * 1024);
	hx_proc_result_release(&r);

	/* a success under a limit is not a memory failure */
	o = opts(ok);
	o.memory_limit_mb = 256;
	run_ok(&r, &o);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.limit, HX_LIMIT_NONE);
	hx_proc_result_release(&r);

	/* without a limit the runner does not classify (outcome does) */
	o = opts(oom);
	run_ok(&r, &o);
	assert_int_equal(r.exit_code, 1);
	assert_int_equal(r.limit, HX_LIMIT_NONE);
	hx_proc_result_release(&r);
}

static void test_rusage(void **state)
{
	static const char *const argv[] = {
		"sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done", NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	(void)state;

	run_ok(&r, &o);
	assert_int_equal(r.exit_code, 0);
	assert_true(r.cpu_ms > 0);
	assert_true(r.cpu_ms <= r.wall_ms * 1.5 + 5);
	assert_true(r.maxrss_kb > 0);
	assert_true(r.wall_ms > 0);
	hx_proc_result_release(&r);
}

static void test_no_fd_leak(void **state)
{
	static const char *const argv[] = {"sh", "-c", "echo x; echo y >&2", NULL};
	static const char *const bad[] = {"hx-no-such-program-3f9a", NULL};
	hx_proc_options o = opts(argv);
	hx_proc_result r;
	int before = count_fds(), i;
	(void)state;

	for (i = 0; i < 20; i++) {
		o = opts(i % 2 ? bad : argv);
		run_ok(&r, &o);
		hx_proc_result_release(&r);
	}
	assert_int_equal(count_fds(), before);
}

/* ---- concurrency ------------------------------------------------------ */

typedef struct {
	const char *tag;
	int failures;
} worker;

static void *worker_main(void *arg)
{
	worker *w = arg;
	const char *argv[] = {"sh", "-c",
		"i=0; while [ $i -lt 200 ]; do echo \"$1 $i\"; i=$((i+1)); done; echo \"$1\" >&2",
		"sh", w->tag, NULL};
	hx_proc_options o;
	hx_buf want = HX_BUF_INIT;
	int k, i;

	hx_buf_init(&want);
	for (i = 0; i < 200; i++)
		hx_buf_printf(&want, "%s %d\n", w->tag, i);
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	for (k = 0; k < 25; k++) {
		hx_proc_result r;
		if (hx_proc_run(&r, &o) != 0 || r.exit_code != 0 ||
		    r.out.len != want.len || memcmp(r.out.ptr, want.ptr, want.len) != 0 ||
		    strncmp(r.err.ptr, w->tag, strlen(w->tag)) != 0)
			w->failures++;
		hx_proc_result_release(&r);
	}
	hx_buf_release(&want);
	return NULL;
}

static void test_concurrent(void **state)
{
	worker w[3] = {{"alpha", 0}, {"beta", 0}, {"gamma", 0}};
	pthread_t th[3];
	int i;
	(void)state;

	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 3; i++)
		assert_int_equal(w[i].failures, 0);
}

/* ---- the fake verifier fixture ---------------------------------------- */

static void run_fake(hx_proc_result *r, const char *flag, const char *file)
{
	const char *argv[4];
	hx_proc_options o;
	int n = 0;
	argv[n++] = HX_FAKE_VERIFIER;
	if (flag)
		argv[n++] = flag;
	argv[n++] = file;
	argv[n] = NULL;
	o = opts(argv);
	o.timeout_s = 10;
	run_ok(r, &o);
}

static void test_fake_verifier(void **state)
{
	hx_proc_result r;
	(void)state;

	run_fake(&r, "--version", NULL);
	assert_string_equal(r.out.ptr, "Lean (version 4.9.0, x86_64-unknown-linux-gnu, "
				       "commit 0123456789abcdef, Release)\n");
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("Verified"));
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.out.ptr, "");
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("Sorry"));
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.out.ptr, FAKE_FILE("Sorry") ":3:8: warning: declaration uses 'sorry'\n");
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("Error"));
	assert_int_equal(r.exit_code, 1);
	assert_string_equal(r.out.ptr, FAKE_FILE("Error") ":12:4: error: type mismatch\n  h\nhas type\n"
				       "  a = b : Prop\nbut is expected to have type\n  b = a : Prop\n");
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("ErrorNamed"));
	assert_int_equal(r.exit_code, 1);
	assert_string_equal(r.out.ptr, FAKE_FILE("ErrorNamed")
			    ":5:2: error(lean.unknownIdentifier): unknown identifier 'foo'\n");
	hx_proc_result_release(&r);

	run_fake(&r, "--json", FAKE_FILE("Error"));
	assert_int_equal(r.exit_code, 1);
	assert_string_equal(r.out.ptr,
			    "{\"severity\":\"error\",\"pos\":{\"line\":12,\"column\":4},"
			    "\"endPos\":null,\"keepFullRange\":false,\"data\":\"type mismatch\\n  h\\n"
			    "has type\\n  a = b : Prop\\nbut is expected to have type\\n  b = a : Prop\","
			    "\"fileName\":\"" FAKE_FILE("Error") "\",\"caption\":\"\"}\n");
	hx_proc_result_release(&r);

	run_fake(&r, "--json", FAKE_FILE("Sorry"));
	assert_non_null(strstr(r.out.ptr, "{\"severity\":\"warning\",\"pos\":{\"line\":3,\"column\":8}"));
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("Heartbeats"));
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(r.out.ptr, ":7:0: error: (deterministic) timeout at `whnf`, maximum "
				       "number of heartbeats (200000) has been reached\n"));
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("HeartbeatsOld"));
	assert_non_null(strstr(r.out.ptr, "timeout at 'whnf', maximum number of heartbeats (200000) "
				       "has been reached (use 'set_option maxHeartbeats <num>' to "
				       "set the limit)\n"));
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("HeartbeatsNested"));
	assert_non_null(strstr(r.out.ptr, ":9:2: error: failed to synthesize\n  Decidable p\n"
				       "(deterministic) timeout at `isDefEq`"));
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("Recursion"));
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(r.out.ptr, ":3:0: error: maximum recursion depth has been reached\n"));
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("Oom"));
	assert_int_equal(r.exit_code, 1);
	assert_string_equal(r.err.ptr, "INTERNAL PANIC: out of memory\n");
	hx_proc_result_release(&r);

	run_fake(&r, NULL, FAKE_FILE("Tactics"));
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.out.ptr, "[tactic.apply] applied theorem foo\n"
				       "[tactic.rw] rewrote with bar\n"
				       "[tactic.simp] simplified\n"
				       "[tactic.rw] rewrote with baz\n");
	hx_proc_result_release(&r);

	run_fake(&r, NULL, HX_FAKE_LEAN "/Fake/NoSuchModule.lean");
	assert_int_equal(r.exit_code, 1);
	assert_string_equal(r.err.ptr, "error: no such file or directory (error code: 2)\n"
				       "  file: " HX_FAKE_LEAN "/Fake/NoSuchModule.lean\n");
	hx_proc_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_exec_failures),
		cmocka_unit_test(test_cwd_env),
		cmocka_unit_test(test_signal_reset),
		cmocka_unit_test(test_capture_tail),
		cmocka_unit_test(test_capture_odd_cap),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_timeout_grandchild),
		cmocka_unit_test(test_leftover_in_group),
		cmocka_unit_test(test_escaped_grandchild),
		cmocka_unit_test(test_setsid_grandchild_timeout),
		cmocka_unit_test(test_escaped_concurrent),
		cmocka_unit_test(test_escapee_reaped),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_memory_limit),
		cmocka_unit_test(test_rusage),
		cmocka_unit_test(test_no_fd_leak),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_fake_verifier),
	};
	/* Orphans of the tests (grandchildren) are re-parented to us so that
	 * assert_gone can reap them (see there). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		perror("prctl(PR_SET_CHILD_SUBREAPER)");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
