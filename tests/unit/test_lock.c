/* test_lock.c - directory locks (lock.h) and directories replaced as a
 * unit (fsutil.h: hx_atomic_dir), a crash between the two renames of the
 * fallback included. */
#define _DEFAULT_SOURCE /* setenv, unsetenv */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "lock.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("lock")

static void write_text(const char *path, const char *text)
{
	assert_int_equal(hx_file_write_atomic(path, text, strlen(text)), 0);
}

static char *read_text(const char *path)
{
	hx_buf b = HX_BUF_INIT;
	assert_int_equal(hx_file_read(&b, path), 0);
	return hx_buf_detach(&b, NULL);
}

/* What fn writes to stderr (a notice), as a string the caller frees. */
static char *stderr_of(void (*fn)(void *), void *ctx)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	hx_buf b = HX_BUF_INIT;
	char chunk[256];
	size_t n;
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	fn(ctx);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
		hx_buf_put(&b, chunk, n);
	fclose(tmp);
	return hx_buf_detach(&b, NULL);
}

static void test_lock_path(void **state)
{
	char *p;
	(void)state;
	p = hx_lock_path("snapshots/smoke");
	assert_string_equal(p, "snapshots/.smoke.lock");
	free(p);
	p = hx_lock_path("golden/smoke/");
	assert_string_equal(p, "golden/.smoke.lock");
	free(p);
	p = hx_lock_path("smoke");
	assert_string_equal(p, ".smoke.lock");
	free(p);
}

static void test_exclusive_nested_and_busy(void **state)
{
	hx_lock a = HX_LOCK_NONE, b = HX_LOCK_NONE, c = HX_LOCK_NONE;
	int fd;
	char *pid;
	char want[32];
	(void)state;

	/* exclusive makes the lock file (and the parent) and names the holder */
	assert_int_equal(hx_lock_take(&a, "x/snap", 1), 0);
	assert_true(a.slot >= 0);
	pid = read_text("x/.snap.lock");
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(pid, want);
	free(pid);
	/* taken again in this process (the same file, another path to it):
	 * counted, no wait on itself */
	assert_int_equal(hx_lock_take(&b, "x/../x/snap", 0), 0);
	assert_int_equal(b.slot, a.slot);
	hx_lock_release(&b);

	/* another open file description is another holder: it cannot lock */
	fd = open("x/.snap.lock", O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), -1);
	hx_lock_release(&a);
	/* released (and the pid cleared) once the last taker releases it */
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	pid = read_text("x/.snap.lock");
	assert_string_equal(pid, "");
	free(pid);

	/* held elsewhere: --no-wait fails at once, naming the directory */
	hx_lock_configure(1, NULL);
	assert_int_equal(hx_lock_take(&c, "x/snap", 0), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "'x/snap' is locked by another harness process; try again when it is "
			    "done, or leave out '--no-wait' to wait for it");
	assert_int_equal(c.slot, -1);
	hx_lock_configure(0, NULL);
	close(fd);
	assert_int_equal(hx_lock_take(&c, "x/snap", 1), 0);
	hx_lock_release(&c);
	hx_lock_release(&c); /* twice: nothing */
}

static void test_waits_for_holder(void **state)
{
	hx_lock l = HX_LOCK_NONE;
	int fd, ready[2];
	pid_t child;
	char c;
	(void)state;

	assert_int_equal(hx_mkdirs("w", 0777), 0);
	assert_int_equal(pipe(ready), 0);
	child = fork();
	if (child == 0) {
		/* a writer that holds it for 0.3 s */
		fd = open("w/.snap.lock", O_RDWR | O_CREAT, 0666);
		if (fd < 0 || flock(fd, LOCK_EX) != 0 || write(fd, "4242\n", 5) != 5)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		usleep(300000);
		close(open("w/released", O_WRONLY | O_CREAT, 0666));
		_exit(0); /* the lock goes with the process */
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_false(hx_path_exists("w/released"));
	assert_int_equal(hx_lock_take(&l, "w/snap", 0), 0);
	/* it waited for the writer to end */
	assert_true(hx_path_exists("w/released"));
	assert_int_equal(waitpid(child, NULL, 0), child);
	hx_lock_release(&l);
	close(ready[0]);
	close(ready[1]);
}

static void test_shared_makes_nothing(void **state)
{
	hx_lock l = HX_LOCK_NONE;
	(void)state;
	/* no lock file: no writer to wait for, and nothing written (golden/
	 * in CI) */
	assert_int_equal(hx_mkdirs("ro", 0777), 0);
	assert_int_equal(hx_lock_take(&l, "ro/golden", 0), 0);
	assert_int_equal(l.slot, -1);
	assert_false(hx_path_exists("ro/.golden.lock"));
	assert_int_equal(hx_lock_take(&l, "nosuch/golden", 0), 0);
	assert_int_equal(l.slot, -1);
	assert_false(hx_path_exists("nosuch"));
}

static void test_temp_names(void **state)
{
	(void)state;
	assert_true(hx_is_temp_name("manifest.json.tmp.Ab12Cd"));
	assert_true(hx_is_temp_name("telemetry.jsonl.tmp.XXXXXX"));
	assert_false(hx_is_temp_name("manifest.json"));
	assert_false(hx_is_temp_name("a.tmp.jsonl"));
	assert_false(hx_is_temp_name(".tmp.Ab12Cd"));
}

/* A directory d holding one file f with text. */
static void fill(const char *dir, const char *text)
{
	char *f = hx_path_join(dir, "f");
	write_text(f, text);
	free(f);
}

static void check_dir(const char *dir, const char *text)
{
	char *f = hx_path_join(dir, "f"), *got = read_text(f);
	assert_string_equal(got, text);
	free(got);
	free(f);
}

static void replace(const char *dir, const char *text)
{
	hx_atomic_dir ad;
	assert_int_equal(hx_atomic_dir_open(&ad, dir), 0);
	fill(ad.tmp, text);
	assert_int_equal(hx_atomic_dir_commit(&ad), 0);
}

/* Nothing but d (and its lock-free siblings) in parent. */
static int entries(const char *parent)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1", parent);
	return system(cmd) == 0;
}

static void test_atomic_dir(void **state)
{
	struct stat st;
	hx_atomic_dir ad;
	(void)state;

	umask(022);
	replace("p/d", "one"); /* a new directory */
	check_dir("p/d", "one");
	assert_int_equal(stat("p/d", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755); /* not mkdtemp's 0700 */
	replace("p/d", "two"); /* RENAME_EXCHANGE */
	check_dir("p/d", "two");
	assert_true(entries("p"));
	setenv("HARNESS_TEST_NO_EXCHANGE", "1", 1);
	replace("p/d", "three"); /* aside, then in */
	unsetenv("HARNESS_TEST_NO_EXCHANGE");
	check_dir("p/d", "three");
	assert_true(entries("p"));
	/* abort leaves the old content */
	assert_int_equal(hx_atomic_dir_open(&ad, "p/d"), 0);
	fill(ad.tmp, "four");
	hx_atomic_dir_abort(&ad);
	check_dir("p/d", "three");
	assert_true(entries("p"));
	/* removed as a unit */
	assert_int_equal(hx_atomic_dir_remove("p/d"), 0);
	assert_false(hx_path_exists("p/d"));
	assert_int_equal(system("test $(ls -A p | wc -l) -eq 0"), 0);
}

static void open_and_abort(void *ctx)
{
	hx_atomic_dir ad;
	assert_int_equal(hx_atomic_dir_open(&ad, ctx), 0);
	hx_atomic_dir_abort(&ad);
}

static void test_crash_between_renames(void **state)
{
	pid_t child;
	int status;
	char *notices;
	(void)state;

	replace("q/d", "old");
	/* a writer killed after moving the old content aside, before moving
	 * the new one in (HARNESS_TEST_KILL_AT is a test hook) */
	child = fork();
	if (child == 0) {
		setenv("HARNESS_TEST_NO_EXCHANGE", "1", 1);
		setenv("HARNESS_TEST_KILL_AT", "dir-aside", 1);
		replace("q/d", "new");
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_false(hx_path_exists("q/d"));
	assert_int_equal(system("test $(ls -A q | grep -c '^\\.d\\.old\\.') -eq 1 && "
				"test $(ls -A q | grep -c '^\\.d\\.new\\.') -eq 1"),
			 0);
	/* the next writer puts the old content back and removes the new,
	 * saying so */
	hx_notice_label("harness test");
	notices = stderr_of(open_and_abort, "q/d");
	hx_notice_label(NULL);
	check_dir("q/d", "old");
	assert_true(entries("q"));
	assert_non_null(strstr(notices, "harness test: restored 'q/d' from 'q/.d.old."));
	assert_non_null(strstr(notices, "', where an interrupted replace left it\n"));
	assert_non_null(strstr(notices, "harness test: removed 'q/.d.new."));
	assert_non_null(strstr(notices, "', left by an interrupted write of 'q/d'\n"));
	free(notices);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_path),
		cmocka_unit_test(test_exclusive_nested_and_busy),
		cmocka_unit_test(test_waits_for_holder),
		cmocka_unit_test(test_shared_makes_nothing),
		cmocka_unit_test(test_temp_names),
		cmocka_unit_test(test_atomic_dir),
		cmocka_unit_test(test_crash_between_renames),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
