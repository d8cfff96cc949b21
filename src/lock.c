/* lock.c - advisory directory locks (lock.h). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"

static int no_wait;
static const atomic_int *cancel_flag;

/* The locks this process holds: flock(2) locks belong to an open file
 * description, so a second open of the same file in this process would
 * wait for the first forever; it is counted here instead. */
#define MAX_HELD 16
static struct {
	int used;
	int fd;
	dev_t dev;
	ino_t ino;
	int exclusive;
	int count;
} held[MAX_HELD];
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;

void hx_lock_configure(int nowait, const atomic_int *cancel)
{
	no_wait = nowait;
	cancel_flag = cancel;
}

char *hx_lock_path(const char *dir)
{
	hx_buf b = HX_BUF_INIT;
	char *trimmed = hx_xstrdup(dir), *slash;
	size_t n = strlen(trimmed);

	while (n > 1 && trimmed[n - 1] == '/')
		trimmed[--n] = '\0';
	slash = strrchr(trimmed, '/');
	if (slash) {
		hx_buf_put(&b, trimmed, (size_t)(slash - trimmed) + 1);
		hx_buf_printf(&b, ".%s.lock", slash + 1);
	} else {
		hx_buf_printf(&b, ".%s.lock", trimmed);
	}
	free(trimmed);
	return hx_buf_detach(&b, NULL);
}

/* " (pid N)" from the lock file, which an exclusive holder fills; "" when
 * it is empty (a shared holder, or none any more). */
static void holder(char *out, size_t size, int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;
	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	if (pid > 0)
		snprintf(out, size, " (pid %ld)", pid);
}

static int canceled(void)
{
	return cancel_flag && atomic_load(cancel_flag);
}

/* flock with the configured policy: no_wait fails, else one notice and a
 * wait that a cancel ends. */
static int acquire(int fd, const char *dir, int exclusive)
{
	int op = exclusive ? LOCK_EX : LOCK_SH;
	char who[40];

	if (flock(fd, op | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK) {
		hx_error_set_errno(errno, "cannot lock '%s'", dir);
		return HX_ESYSTEM;
	}
	holder(who, sizeof(who), fd);
	if (no_wait) {
		hx_error_set("'%s' is locked by another harness process%s; try again when it is done, "
			     "or leave out '--no-wait' to wait for it",
			     dir, who);
		return HX_EINVALID;
	}
	/* only a writer leaves its pid in the lock file */
	hx_notice("waiting for '%s': another harness process%s %s it", dir, who,
		       who[0] ? "is writing" : "holds");
	for (;;) {
		if (canceled()) {
			hx_error_set("interrupted while waiting for the lock of '%s'", dir);
			return HX_EINTERRUPTED;
		}
		/* A signal handler installed without SA_RESTART (the CLI's)
		 * ends the wait with EINTR: check the cancel flag again. */
		if (flock(fd, op) == 0)
			return 0;
		if (errno != EINTR) {
			hx_error_set_errno(errno, "cannot lock '%s'", dir);
			return HX_ESYSTEM;
		}
	}
}

/* This process's slot for the file fd has open, or -1. */
static int find_held(int fd)
{
	struct stat st;
	int i;
	if (fstat(fd, &st) != 0)
		return -1;
	for (i = 0; i < MAX_HELD; i++)
		if (held[i].used && held[i].dev == st.st_dev && held[i].ino == st.st_ino)
			return i;
	return -1;
}

int hx_lock_take(hx_lock *out, const char *dir, int exclusive)
{
	char *path = hx_lock_path(dir), *parent = hx_path_dirname(path);
	struct stat st;
	int fd = -1, i, err = 0;

	out->slot = -1;
	if (!hx_is_dir(parent)) {
		if (!exclusive)
			goto done; /* nothing there to read, nothing to guard */
		if ((err = hx_mkdirs(parent, 0777)) != 0)
			goto done;
	}
	/* Readers make no lock file: a CI run's golden check writes nothing
	 * into golden/, and where no writer ever made one there is no
	 * writer to wait for. A read-only checkout is read unlocked too. */
	fd = open(path, O_RDWR | (exclusive ? O_CREAT : 0) | O_CLOEXEC, 0666);
	if (fd < 0 && !exclusive && (errno == EACCES || errno == EROFS))
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && !exclusive && (errno == ENOENT || errno == EACCES || errno == EROFS))
		goto done;
	if (fd < 0) {
		hx_error_set_errno(errno, "cannot open the lock file '%s'", path);
		err = HX_ESYSTEM;
		goto done;
	}
	pthread_mutex_lock(&held_mu);
	if ((i = find_held(fd)) >= 0) {
		if (exclusive && !held[i].exclusive) {
			pthread_mutex_unlock(&held_mu);
			hx_error_set("'%s' is locked shared by this process and cannot be locked "
				     "exclusive as well",
				     dir);
			err = HX_ESYSTEM;
			goto done;
		}
		held[i].count++;
		pthread_mutex_unlock(&held_mu);
		out->slot = i;
		goto done;
	}
	pthread_mutex_unlock(&held_mu);
	if ((err = acquire(fd, dir, exclusive)) != 0)
		goto done;
	{
		/* Who holds it exclusive, for the message of a process that
		 * waits; a shared holder clears what a writer killed before
		 * its release left. Only messages depend on it. */
		char pid[24];
		int n = exclusive ? snprintf(pid, sizeof(pid), "%ld\n", (long)getpid()) : 0;
		if (fstat(fd, &st) == 0 && (exclusive || st.st_size > 0) &&
		    (ftruncate(fd, 0) != 0 || (n && pwrite(fd, pid, (size_t)n, 0) != n))) {
			/* a read-only lock file: no message names the holder */
		}
	}
	pthread_mutex_lock(&held_mu);
	for (i = 0; i < MAX_HELD && held[i].used; i++)
		;
	if (i == MAX_HELD || fstat(fd, &st) != 0) {
		pthread_mutex_unlock(&held_mu);
		hx_error_set("cannot lock '%s': too many locks held", dir);
		err = HX_ESYSTEM;
		goto done;
	}
	held[i].used = 1;
	held[i].fd = fd;
	held[i].dev = st.st_dev;
	held[i].ino = st.st_ino;
	held[i].exclusive = exclusive;
	held[i].count = 1;
	pthread_mutex_unlock(&held_mu);
	out->slot = i;
	fd = -1;
done:
	if (fd >= 0)
		close(fd); /* closing releases a lock taken above */
	free(parent);
	free(path);
	return err;
}

void hx_lock_release(hx_lock *l)
{
	int fd = -1, exclusive = 0;
	if (!l || l->slot < 0)
		return;
	pthread_mutex_lock(&held_mu);
	if (--held[l->slot].count == 0) {
		fd = held[l->slot].fd;
		exclusive = held[l->slot].exclusive;
		held[l->slot].used = 0;
	}
	pthread_mutex_unlock(&held_mu);
	if (fd >= 0) {
		if (exclusive && ftruncate(fd, 0) != 0) {
			/* the pid would only name a holder gone */
		}
		close(fd);
	}
	l->slot = -1;
}
