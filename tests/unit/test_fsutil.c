/* test_fsutil.c - reading files: what a spec may name (a regular file of at
 * most HX_SPEC_FILE_MAX bytes, refused before it is read, never blocking on
 * a FIFO), errno mapped to bad input where the path is the problem, and
 * reads that a signal interrupts (HX_EINTERRUPTED only when the cancel flag
 * is set). */
#define _GNU_SOURCE /* ftruncate, mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"

static char dir[64];

static char *at(const char *name)
{
	return hx_path_join(dir, name);
}

static void write_file(const char *name, const char *text)
{
	char *p = at(name);
	assert_int_equal(hx_file_write_atomic(p, text, strlen(text)), 0);
	free(p);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/hx-fsutil-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hx_remove_tree(dir);
	return 0;
}

/* hx_file_read_spec's result and message for path (relative to dir when
 * it does not start with '/'). */
static int read_spec(const char *path, hx_buf *out)
{
	char *p = path[0] == '/' ? hx_xstrdup(path) : at(path);
	int err = hx_file_read_spec(out, p), err2 = hx_file_check_spec(p);
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s", hx_error_last());
	/* the check says what the read says, without reading */
	if (err && err != HX_EINTERRUPTED)
		assert_int_equal(err2, err);
	hx_error_set("%s", msg);
	free(p);
	return err;
}

static void test_regular(void **state)
{
	hx_buf b = HX_BUF_INIT;
	(void)state;
	write_file("models.yaml", "tiers: {}\n");
	assert_int_equal(read_spec("models.yaml", &b), 0);
	assert_string_equal(b.ptr, "tiers: {}\n");
	hx_buf_release(&b);
}

static void test_not_regular(void **state)
{
	hx_buf b = HX_BUF_INIT;
	char *fifo = at("fifo");
	(void)state;

	assert_int_equal(read_spec("/dev/zero", &b), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "cannot read '/dev/zero': not a regular file (a character device)");
	assert_int_equal(b.len, 0);

	/* no writer: opening it for reading would block forever */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(read_spec(fifo, &b), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "/fifo': not a regular file (a named pipe)"));

	assert_int_equal(read_spec("/", &b), HX_EINVALID);
	assert_string_equal(hx_error_last(), "cannot read '/': not a regular file (a directory)");
	assert_int_equal(b.len, 0);
	free(fifo);
	hx_buf_release(&b);
}

static void test_size_cap(void **state)
{
	hx_buf b = HX_BUF_INIT;
	char *p = at("big.yaml");
	FILE *fp = fopen(p, "w");
	(void)state;

	/* sparse: costs no disk */
	assert_non_null(fp);
	assert_int_equal(ftruncate(fileno(fp), (off_t)HX_SPEC_FILE_MAX + 1), 0);
	fclose(fp);
	assert_int_equal(read_spec("big.yaml", &b), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(),
			       "/big.yaml': 64.1 MiB, more than the 64 MiB a spec or a file it "
			       "names may hold"));
	assert_int_equal(b.len, 0); /* refused before reading */

	assert_int_equal(truncate(p, (off_t)HX_SPEC_FILE_MAX), 0);
	assert_int_equal(read_spec("big.yaml", &b), 0);
	assert_int_equal(b.len, HX_SPEC_FILE_MAX);
	free(p);
	hx_buf_release(&b);
}

static void test_bad_paths(void **state)
{
	hx_buf b = HX_BUF_INIT;
	char *file = at("plain"), *through = at("plain/models.yaml"), *msg;
	char longp[5001];
	(void)state;

	write_file("plain", "x\n");
	/* ENOTDIR: bad input, naming the part that is a file */
	assert_int_equal(read_spec(through, &b), HX_EINVALID);
	msg = NULL;
	assert_true(asprintf(&msg, "cannot open '%s': '%s' is not a directory", through, file) > 0);
	assert_string_equal(hx_error_last(), msg);
	free(msg);
	assert_int_equal(hx_file_read(&b, through), HX_EINVALID);

	/* ENAMETOOLONG: bad input, on one short line */
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(read_spec(longp, &b), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "cannot open '/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' "
			    "(a path of 5000 bytes): File name too long");
	assert_int_equal(hx_file_read(&b, longp), HX_EINVALID);

	assert_int_equal(read_spec("nosuch.yaml", &b), HX_ENOTFOUND);
	assert_non_null(strstr(hx_error_last(), "/nosuch.yaml': No such file or directory"));
	assert_int_equal(b.len, 0);
	free(file);
	free(through);
	hx_buf_release(&b);
}

static void test_errno_codes(void **state)
{
	(void)state;
	assert_int_equal(hx_error_from_errno(ENOENT), HX_ENOTFOUND);
	assert_int_equal(hx_error_from_errno(ENOTDIR), HX_EINVALID);
	assert_int_equal(hx_error_from_errno(ENAMETOOLONG), HX_EINVALID);
	assert_int_equal(hx_error_from_errno(ELOOP), HX_EINVALID);
	assert_int_equal(hx_error_from_errno(EISDIR), HX_EINVALID);
	assert_int_equal(hx_error_from_errno(EINTR), HX_EINTERRUPTED);
	assert_int_equal(hx_error_from_errno(EIO), HX_ESYSTEM);
	assert_int_equal(hx_error_from_errno(EACCES), HX_ESYSTEM);
}

/* ---- reads a signal interrupts ---------------------------------------- */

static atomic_int flag;
static int flag_on_signal;

static void on_usr1(int sig)
{
	(void)sig;
	if (flag_on_signal)
		atomic_store(&flag, 1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Read a pipe whose writer, a child, signals us (SIGUSR1, a handler
 * without SA_RESTART, as the CLI's) after 100 ms, then writes `text` after
 * `write_after_ms` more and exits. */
static int read_signaled_pipe(hx_buf *out, const char *text, long write_after_ms)
{
	struct sigaction sa;
	char path[64];
	int fds[2], err;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		sleep_ms(100);
		kill(getppid(), SIGUSR1);
		sleep_ms(write_after_ms);
		if (write(fds[1], text, strlen(text)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	err = hx_file_read(out, path);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fds[0]);
	signal(SIGUSR1, SIG_DFL);
	return err;
}

static void test_interrupted_read(void **state)
{
	hx_buf b = HX_BUF_INIT;
	(void)state;

	hx_file_set_cancel(&flag);
	/* the signal sets the flag: the blocked read gives up */
	atomic_store(&flag, 0);
	flag_on_signal = 1;
	assert_int_equal(read_signaled_pipe(&b, "late\n", 5000), HX_EINTERRUPTED);
	assert_true(strncmp(hx_error_last(), "interrupted while reading '/dev/fd/", 35) == 0);
	assert_int_equal(b.len, 0);

	/* a signal that is not a cancel: the read goes on to EOF */
	atomic_store(&flag, 0);
	flag_on_signal = 0;
	assert_int_equal(read_signaled_pipe(&b, "data\n", 100), 0);
	assert_string_equal(b.ptr, "data\n");
	hx_buf_reset(&b);

	/* set before the read: nothing is read */
	atomic_store(&flag, 1);
	write_file("m.yaml", "x: 1\n");
	assert_int_equal(read_spec("m.yaml", &b), HX_EINTERRUPTED);
	assert_int_equal(b.len, 0);
	hx_file_set_cancel(NULL);
	assert_int_equal(read_spec("m.yaml", &b), 0);
	assert_string_equal(b.ptr, "x: 1\n");
	hx_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_bad_paths),
		cmocka_unit_test(test_errno_codes),
		cmocka_unit_test(test_interrupted_read),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
