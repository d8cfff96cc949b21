#define _GNU_SOURCE /* nftw, renameat2 */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "testhook.h"

static _Atomic(const atomic_int *) read_cancel;

void hx_file_set_cancel(const atomic_int *cancel)
{
	atomic_store(&read_cancel, cancel);
}

static int canceled(void)
{
	const atomic_int *c = atomic_load(&read_cancel);
	return c && atomic_load(c);
}

/* A path as a message quotes it: whole, or for a very long one (ENAMETOOLONG
 * comes with paths of thousands of bytes) its start and its length, so the
 * reason still fits on the line. */
static const char *quoted(char *buf, size_t n, const char *path)
{
	size_t len = strlen(path);
	if (len <= 200)
		snprintf(buf, n, "'%s'", path);
	else
		snprintf(buf, n, "'%.60s...' (a path of %zu bytes)", path, len);
	return buf;
}

/* "cannot open 'a/b.yaml/c': 'a/b.yaml' is not a directory": ENOTDIR says
 * which part of the path is the file. */
static int open_error(int e, const char *path, const char *q)
{
	char *p = e == ENOTDIR ? hx_xstrdup(path) : NULL, *slash;
	struct stat st;

	hx_error_set_errno(e, "cannot open %s", q);
	for (slash = p ? strchr(p + 1, '/') : NULL; slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode)) {
			char pq[256];
			hx_error_set("cannot open %s: %s is not a directory", q,
				     quoted(pq, sizeof(pq), p));
			break;
		}
		*slash = '/';
	}
	free(p);
	return hx_error_from_errno(e);
}

static int interrupted(const char *q)
{
	hx_error_set("interrupted while reading %s", q);
	return HX_EINTERRUPTED;
}

/* open(2), retried when a signal interrupts it (a FIFO's open blocks until
 * a writer comes) unless the cancel flag is set. */
static int open_file(int *fd, const char *path, int flags, const char *q)
{
	while ((*fd = open(path, flags | O_CLOEXEC)) < 0) {
		int e = errno;
		if (e == EINTR && !canceled())
			continue;
		if (e == EINTR)
			return interrupted(q);
		return open_error(e, path, q);
	}
	return 0;
}

/* Append what fd holds up to EOF; max > 0: more than max bytes is refused
 * (at most max + 1 are read). */
static int read_fd(hx_buf *out, int fd, const char *q, size_t max)
{
	size_t start = out->len, got, room;
	ssize_t n;

	for (;;) {
		if (canceled())
			return interrupted(q);
		if (out->cap <= out->len + 1)
			hx_buf_grow(out, 65536);
		room = out->cap - out->len - 1;
		got = out->len - start;
		if (max && room > max + 1 - got)
			room = max + 1 - got;
		n = read(fd, out->ptr + out->len, room);
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue; /* the flag decides, above */
			hx_error_set_errno(e, "cannot read %s", q);
			return hx_error_from_errno(e);
		}
		if (n == 0)
			return 0;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
		if (max && out->len - start > max) {
			hx_error_set("cannot read %s: it grew past the %zu MiB a spec or a file it "
				     "names may hold", q, max >> 20);
			return HX_EINVALID;
		}
	}
}

int hx_file_open_read(int *fd, const char *path)
{
	char q[256];
	*fd = STDIN_FILENO;
	if (strcmp(path, "-") == 0)
		return 0;
	quoted(q, sizeof(q), path);
	return open_file(fd, path, O_RDONLY, q);
}

int hx_file_read(hx_buf *out, const char *path)
{
	char q[256];
	int fd = STDIN_FILENO, err;

	quoted(q, sizeof(q), path);
	if (strcmp(path, "-") != 0 && (err = open_file(&fd, path, O_RDONLY, q)) != 0)
		return err;
	err = read_fd(out, fd, q, 0);
	if (fd != STDIN_FILENO)
		close(fd);
	return err;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a named pipe" : S_ISCHR(m) ? "a character device"
	       : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a file";
}

static int check_stat(const struct stat *st, const char *q)
{
	if (!S_ISREG(st->st_mode)) {
		hx_error_set("cannot read %s: not a regular file (%s)", q, file_kind(st->st_mode));
		return HX_EINVALID;
	}
	if ((uintmax_t)st->st_size > HX_SPEC_FILE_MAX) {
		/* tenths of a MiB rounded up: one byte over is not "64.0" */
		uintmax_t tenths = ((uintmax_t)st->st_size * 10 + (1 << 20) - 1) >> 20;
		hx_error_set("cannot read %s: %ju.%ju MiB, more than the %zu MiB a spec or a file "
			     "it names may hold", q, tenths / 10, tenths % 10, HX_SPEC_FILE_MAX >> 20);
		return HX_EINVALID;
	}
	return 0;
}

static int stat_spec(const char *path, const char *q)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return open_error(errno, path, q);
	return check_stat(&st, q);
}

int hx_file_check_spec(const char *path)
{
	char q[256];
	return stat_spec(path, quoted(q, sizeof(q), path));
}

int hx_file_read_spec(hx_buf *out, const char *path)
{
	struct stat st;
	char q[256];
	int fd = -1, err;

	quoted(q, sizeof(q), path);
	/* stat first: a device or a FIFO is refused without being opened
	 * (opening one can block, or do something); O_NONBLOCK and fstat
	 * cover a file swapped for one in between. */
	if ((err = stat_spec(path, q)) != 0 ||
	    (err = open_file(&fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, q)) != 0)
		return err;
	if (fstat(fd, &st) != 0) {
		hx_error_set_errno(errno, "cannot read %s", q);
		err = HX_ESYSTEM;
	} else if ((err = check_stat(&st, q)) == 0) {
		hx_buf_grow(out, (size_t)st.st_size + 1); /* + 1: EOF, or growth */
		err = read_fd(out, fd, q, HX_SPEC_FILE_MAX);
	}
	close(fd);
	return err;
}

int hx_atomic_open(hx_atomic_file *out, const char *path)
{
	int fd;
	size_t n = strlen(path);

	memset(out, 0, sizeof(*out));
	out->path = hx_xstrdup(path);
	out->tmp = hx_xmalloc(n + 16);
	memcpy(out->tmp, path, n);
	memcpy(out->tmp + n, ".tmp.XXXXXX", 12);
	fd = mkstemp(out->tmp);
	if (fd < 0) {
		hx_error_set_errno(errno, "cannot create '%s'", out->tmp);
		free(out->path);
		free(out->tmp);
		memset(out, 0, sizeof(*out));
		return HX_ESYSTEM;
	}
	/* mkstemp makes 0600; telemetry and snapshots are ordinary files. */
	{
		mode_t um = umask(0);
		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	out->fp = fdopen(fd, "wb");
	if (!out->fp) {
		close(fd);
		unlink(out->tmp);
		hx_error_set_errno(errno, "cannot open '%s'", out->tmp);
		free(out->path);
		free(out->tmp);
		memset(out, 0, sizeof(*out));
		return HX_ESYSTEM;
	}
	return 0;
}

int hx_file_link_or_copy(const char *src, const char *dst)
{
	hx_atomic_file out;
	char block[64 * 1024];
	size_t got;
	FILE *in;
	int err = 0;

	if (link(src, dst) == 0)
		return 0;
	if (!(in = fopen(src, "rb"))) {
		hx_error_set_errno(errno, "cannot open '%s'", src);
		return errno == ENOENT ? HX_ENOTFOUND : HX_ESYSTEM;
	}
	if ((err = hx_atomic_open(&out, dst)) != 0) {
		fclose(in);
		return err;
	}
	while ((got = fread(block, 1, sizeof(block), in)) > 0)
		if (fwrite(block, 1, got, out.fp) != got) {
			hx_error_set_errno(errno, "cannot write '%s'", dst);
			err = HX_ESYSTEM;
			break;
		}
	if (!err && ferror(in)) {
		hx_error_set_errno(errno, "cannot read '%s'", src);
		err = HX_ESYSTEM;
	}
	fclose(in);
	if (err) {
		hx_atomic_abort(&out);
		return err;
	}
	return hx_atomic_commit(&out);
}

void hx_atomic_abort(hx_atomic_file *f)
{
	if (f->fp)
		fclose(f->fp);
	if (f->tmp)
		unlink(f->tmp);
	free(f->path);
	free(f->tmp);
	memset(f, 0, sizeof(*f));
}

int hx_atomic_commit(hx_atomic_file *f)
{
	int err = 0;
	if (fflush(f->fp) != 0 || ferror(f->fp) || fsync(fileno(f->fp)) != 0) {
		hx_error_set_errno(errno, "cannot write '%s'", f->path);
		err = HX_ESYSTEM;
	}
	if (fclose(f->fp) != 0 && !err) {
		hx_error_set_errno(errno, "cannot write '%s'", f->path);
		err = HX_ESYSTEM;
	}
	f->fp = NULL;
	if (!err && rename(f->tmp, f->path) != 0) {
		hx_error_set_errno(errno, "cannot rename into '%s'", f->path);
		err = HX_ESYSTEM;
	}
	if (err)
		unlink(f->tmp);
	free(f->path);
	free(f->tmp);
	memset(f, 0, sizeof(*f));
	return err;
}

int hx_file_write_atomic(const char *path, const void *data, size_t len)
{
	hx_atomic_file f;
	int err = hx_atomic_open(&f, path);
	if (err)
		return err;
	if (len && fwrite(data, 1, len, f.fp) != len) {
		hx_error_set_errno(errno, "cannot write '%s'", path);
		hx_atomic_abort(&f);
		return HX_ESYSTEM;
	}
	return hx_atomic_commit(&f);
}

int hx_mkdirs(const char *path, int mode)
{
	char *p = hx_xstrdup(path), *s;
	int err = 0;
	for (s = p + 1; ; s++) {
		char c = *s;
		if (c == '/' || c == '\0') {
			*s = '\0';
			if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
				hx_error_set_errno(errno, "cannot create directory '%s'", p);
				err = HX_ESYSTEM;
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	if (!err && !hx_is_dir(path)) {
		hx_error_set("'%s' exists and is not a directory", path);
		err = HX_EINVALID;
	}
	return err;
}

/* 0 when dir can take new files; else the error "cannot create WHAT
 * 'PATH': cannot write to directory 'DIR'". */
static int writable_dir(const char *dir, const char *what, const char *path)
{
	if (access(dir, W_OK | X_OK) == 0)
		return 0;
	hx_error_set_errno(errno, "cannot create %s '%s': cannot write to directory '%s'", what, path,
			   dir);
	return HX_EINVALID;
}

int hx_output_prepare(const char *path, int is_dir, const char *what)
{
	char *dir = is_dir ? hx_xstrdup(path) : hx_path_dirname(path);
	char msg[768];
	int err = 0;

	if (!is_dir && hx_is_dir(path)) {
		hx_error_set("cannot create %s '%s': it is a directory", what, path);
		err = HX_EINVALID;
	} else if (hx_mkdirs(dir, 0777) != 0) {
		snprintf(msg, sizeof(msg), "%s", hx_error_last());
		hx_error_set("cannot create %s '%s': %s", what, path, msg);
		err = HX_EINVALID;
	} else {
		err = writable_dir(dir, what, path);
	}
	free(dir);
	return err;
}

int hx_output_check_dir(const char *path, const char *what)
{
	char *dir = hx_xstrdup(path), *up;
	int err = 0;

	/* the nearest ancestor that exists decides */
	while (!hx_path_exists(dir) && strcmp(dir, ".") != 0 && strcmp(dir, "/") != 0) {
		up = hx_path_dirname(dir);
		free(dir);
		dir = up;
	}
	if (!hx_is_dir(dir)) {
		hx_error_set("cannot create %s '%s': '%s' is not a directory", what, path, dir);
		err = HX_EINVALID;
	} else {
		err = writable_dir(dir, what, path);
	}
	free(dir);
	return err;
}

int hx_path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int hx_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *hx_path_join(const char *a, const char *b)
{
	hx_buf out = HX_BUF_INIT;
	if (b[0] == '/' || a[0] == '\0' || strcmp(a, ".") == 0)
		return hx_xstrdup(b);
	hx_buf_puts(&out, a);
	if (out.len && out.ptr[out.len - 1] != '/')
		hx_buf_putc(&out, '/');
	hx_buf_puts(&out, b);
	return hx_buf_detach(&out, NULL);
}

char *hx_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *out;
	if (!slash)
		return hx_xstrdup(".");
	if (slash == path)
		return hx_xstrdup("/");
	out = hx_xmalloc((size_t)(slash - path) + 1);
	memcpy(out, path, (size_t)(slash - path));
	out[slash - path] = '\0';
	return out;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void hx_remove_tree(const char *path)
{
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int hx_is_temp_name(const char *name)
{
	size_t n = strlen(name);
	/* hx_atomic_open's suffix: ".tmp." and mkstemp's six characters */
	return n > 11 && memcmp(name + n - 11, ".tmp.", 5) == 0;
}

void hx_remove_temp_files(const char *dir, int (*is_temp)(const char *name, const void *ctx),
			  const void *ctx, const char *note)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		char *path;
		if (de->d_name[0] == '.' ||
		    !(is_temp ? is_temp(de->d_name, ctx) : hx_is_temp_name(de->d_name)))
			continue;
		path = hx_path_join(dir, de->d_name);
		if (unlink(path) == 0)
			hx_notice("removed '%s', %s", path, note);
		free(path);
	}
	closedir(d);
}

/* fsync a directory, so the renames in it are on disk. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;
	if (fd < 0 || fsync(fd) != 0) {
		hx_error_set_errno(errno, "cannot sync directory '%s'", dir);
		err = HX_ESYSTEM;
	}
	if (fd >= 0)
		close(fd);
	return err;
}

/* path's parent ("." when none) and last component, trailing '/' dropped. */
static void split_path(const char *path, char **parent, char **name)
{
	char *p = hx_xstrdup(path), *slash;
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	slash = strrchr(p, '/');
	*parent = hx_path_dirname(p);
	*name = hx_xstrdup(slash ? slash + 1 : p);
	free(p);
}

/* A new empty directory PARENT/.NAME.KIND.XXXXXX (caller frees). */
static char *sibling_dir(const char *parent, const char *name, const char *kind)
{
	hx_buf b = HX_BUF_INIT;
	char *leaf;
	hx_buf_printf(&b, ".%s.%s.XXXXXX", name, kind);
	leaf = hx_path_join(parent, b.ptr);
	hx_buf_release(&b);
	if (!mkdtemp(leaf)) {
		hx_error_set_errno(errno, "cannot create directory '%s'", leaf);
		free(leaf);
		return NULL;
	}
	{
		/* mkdtemp makes 0700; snapshots and goldens are ordinary
		 * directories */
		mode_t um = umask(0);
		umask(um);
		chmod(leaf, 0777 & ~um);
	}
	return leaf;
}

/* The kind of an entry of parent that an interrupted replace of NAME
 * left: "new", "old", "del", or NULL. */
static const char *leftover_kind(const char *entry, const char *name)
{
	static const char *const kinds[] = {"new", "old", "del"};
	size_t n = strlen(name), i;
	if (entry[0] != '.' || strncmp(entry + 1, name, n) != 0 || entry[n + 1] != '.')
		return NULL;
	for (i = 0; i < 3; i++)
		if (strncmp(entry + n + 2, kinds[i], 3) == 0 && entry[n + 5] == '.' &&
		    strlen(entry + n + 6) == 6)
			return kinds[i];
	return NULL;
}

/* The caller holds path's lock, so whatever is beside it is stale. */
static int clean_leftovers(const char *parent, const char *name, const char *path)
{
	DIR *d = opendir(parent);
	struct dirent *de;
	int pass;

	if (!d)
		return 0; /* no parent yet: nothing left over */
	for (pass = 0; pass < 2; pass++) {
		rewinddir(d);
		while ((de = readdir(d)) != NULL) {
			const char *kind = leftover_kind(de->d_name, name);
			char *p;
			if (!kind)
				continue;
			p = hx_path_join(parent, de->d_name);
			if (pass == 0 && strcmp(kind, "old") == 0 && !hx_path_exists(path)) {
				/* a replace stopped between its two renames */
				if (rename(p, path) == 0)
					hx_notice("restored '%s' from '%s', where an interrupted "
						       "replace left it",
						       path, p);
			} else if (pass == 1) {
				hx_remove_tree(p);
				hx_notice("removed '%s', left by an interrupted write of '%s'", p,
					       path);
			}
			free(p);
		}
	}
	closedir(d);
	return 0;
}

int hx_atomic_dir_open(hx_atomic_dir *out, const char *path)
{
	char *parent, *name;
	int err;

	memset(out, 0, sizeof(*out));
	split_path(path, &parent, &name);
	if ((err = hx_mkdirs(parent, 0777)) == 0 &&
	    (err = clean_leftovers(parent, name, path)) == 0) {
		if ((out->tmp = sibling_dir(parent, name, "new")) == NULL)
			err = HX_ESYSTEM;
		else
			out->path = hx_xstrdup(path);
	}
	free(parent);
	free(name);
	return err;
}

void hx_atomic_dir_abort(hx_atomic_dir *d)
{
	if (d->tmp)
		hx_remove_tree(d->tmp);
	free(d->tmp);
	free(d->path);
	memset(d, 0, sizeof(*d));
}

/* Without RENAME_EXCHANGE: the old directory aside, the new one in, the
 * old one removed. */
static int replace_in_two(const char *tmp, const char *path, const char *parent, const char *name)
{
	char *aside = sibling_dir(parent, name, "old");
	int err = 0;
	if (!aside)
		return HX_ESYSTEM;
	if (rename(path, aside) != 0) {
		hx_error_set_errno(errno, "cannot rename '%s' to '%s'", path, aside);
		rmdir(aside);
		free(aside);
		return HX_ESYSTEM;
	}
	hx_testhook_point("dir-aside");
	if (rename(tmp, path) != 0) {
		hx_error_set_errno(errno, "cannot rename '%s' to '%s'", tmp, path);
		if (rename(aside, path) != 0) {
			/* the next open puts it back */
		}
		free(aside);
		return HX_ESYSTEM;
	}
	err = sync_dir(parent);
	hx_remove_tree(aside);
	free(aside);
	return err;
}

int hx_atomic_dir_commit(hx_atomic_dir *d)
{
	char *parent, *name;
	struct stat st;
	int err;

	split_path(d->path, &parent, &name);
	if ((err = sync_dir(d->tmp)) != 0)
		goto done;
	if (lstat(d->path, &st) != 0) {
		if (rename(d->tmp, d->path) != 0) {
			hx_error_set_errno(errno, "cannot rename '%s' to '%s'", d->tmp, d->path);
			err = HX_ESYSTEM;
			goto done;
		}
		free(d->tmp);
		d->tmp = NULL;
		err = sync_dir(parent);
		goto done;
	}
	if (!hx_testhook_no_exchange() &&
	    renameat2(AT_FDCWD, d->tmp, AT_FDCWD, d->path, RENAME_EXCHANGE) == 0) {
		err = sync_dir(parent);
		goto done; /* d->tmp now holds the old content: removed below */
	}
	if (!hx_testhook_no_exchange() && errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
		hx_error_set_errno(errno, "cannot replace '%s' with '%s'", d->path, d->tmp);
		err = HX_ESYSTEM;
		goto done;
	}
	if ((err = replace_in_two(d->tmp, d->path, parent, name)) == 0) {
		free(d->tmp);
		d->tmp = NULL;
	}
done:
	hx_atomic_dir_abort(d);
	free(parent);
	free(name);
	return err;
}

int hx_atomic_dir_remove(const char *path)
{
	char *parent, *name, *aside;
	int err = 0;

	split_path(path, &parent, &name);
	if (!(aside = sibling_dir(parent, name, "del"))) {
		err = HX_ESYSTEM;
	} else if (rename(path, aside) != 0) {
		hx_error_set_errno(errno, "cannot remove '%s'", path);
		rmdir(aside);
		err = HX_ESYSTEM;
	} else {
		err = sync_dir(parent);
		hx_remove_tree(aside);
	}
	free(aside);
	free(parent);
	free(name);
	return err;
}
