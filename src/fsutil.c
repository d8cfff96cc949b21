#define _XOPEN_SOURCE 700 /* nftw */
#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

int hx_file_read(hx_buf *out, const char *path)
{
	FILE *fp;
	int is_stdin = strcmp(path, "-") == 0;
	size_t n;

	fp = is_stdin ? stdin : fopen(path, "rb");
	if (!fp) {
		int e = errno;
		hx_error_set_errno(e, "cannot open '%s'", path);
		return e == ENOENT ? HX_ENOTFOUND : HX_ESYSTEM;
	}
	for (;;) {
		hx_buf_grow(out, 65536);
		n = fread(out->ptr + out->len, 1, out->cap - out->len - 1, fp);
		out->len += n;
		out->ptr[out->len] = '\0';
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		hx_error_set_errno(errno, "cannot read '%s'", path);
		if (!is_stdin)
			fclose(fp);
		return HX_ESYSTEM;
	}
	if (!is_stdin)
		fclose(fp);
	return 0;
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

static int is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int hx_dir_mirror(const char *src, const char *dst)
{
	DIR *d = NULL;
	struct dirent *de;
	hx_buf data = HX_BUF_INIT;
	char *from = NULL, *to = NULL;
	int err;

	if ((err = hx_mkdirs(dst, 0777)) != 0)
		return err;
	if (!(d = opendir(src))) {
		hx_error_set_errno(errno, "cannot open directory '%s'", src);
		return errno == ENOENT ? HX_ENOTFOUND : HX_ESYSTEM;
	}
	while ((de = readdir(d)) != NULL) {
		from = hx_path_join(src, de->d_name);
		if (de->d_name[0] != '.' && is_regular(from)) {
			to = hx_path_join(dst, de->d_name);
			hx_buf_reset(&data);
			if ((err = hx_file_read(&data, from)) != 0 ||
			    (err = hx_file_write_atomic(to, data.ptr, data.len)) != 0)
				goto done;
			free(to);
			to = NULL;
		}
		free(from);
		from = NULL;
	}
	closedir(d);
	/* Drop what golden has and the snapshot no longer does. */
	if (!(d = opendir(dst))) {
		hx_error_set_errno(errno, "cannot open directory '%s'", dst);
		err = HX_ESYSTEM;
		goto done;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		from = hx_path_join(src, de->d_name);
		to = hx_path_join(dst, de->d_name);
		if (is_regular(to) && !hx_path_exists(from))
			unlink(to);
		free(from);
		free(to);
		from = to = NULL;
	}
done:
	if (d)
		closedir(d);
	free(from);
	free(to);
	hx_buf_release(&data);
	return err;
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
