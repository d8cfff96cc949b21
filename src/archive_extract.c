/* archive_extract.c - hx_archive_extract (archive.h): the archive read
 * into a new directory beside the target (archive_read.c verifies and
 * writes) that takes its place once all of it is there (hx_atomic_dir,
 * fsutil.h, as snapshots do); on any failure the directory and the
 * parents made for it are removed. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "archive.h"
#include "archive_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fsutil.h"

/* The topmost of path and its ancestors that does not exist (caller
 * frees), or NULL when path exists. */
static char *first_missing(const char *path)
{
	char *p = hx_xstrdup(path), *top = NULL;
	struct stat st;
	while (lstat(p, &st) != 0) {
		char *up = hx_path_dirname(p);
		free(top);
		top = p;
		if (strcmp(up, top) == 0) {
			free(up);
			return top;
		}
		p = up;
	}
	free(p);
	return top;
}

/* Remove the directories from dir up to top (both included), which
 * hx_mkdirs made: each only if empty. */
static void remove_made(const char *dir, const char *top)
{
	char *p = hx_xstrdup(dir);
	while (top && rmdir(p) == 0 && strcmp(p, top) != 0) {
		char *up = hx_path_dirname(p);
		free(p);
		p = up;
	}
	free(p);
}

static int dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int empty = 1;
	if (!d)
		return 0;
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* Where extract puts dir: the path renamed to (an existing empty
 * directory resolved, so that "." has a parent) and its parent. */
static int extract_target(const char *dir, char **target, char **parent)
{
	struct stat st;
	const char *base;
	size_t n = strlen(dir);

	*target = *parent = NULL;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode) || !dir_is_empty(dir)) {
			hx_error_set("cannot extract into '%s': it exists and is not an empty directory",
				     dir);
			return HX_EINVALID;
		}
		if (!(*target = realpath(dir, NULL))) {
			hx_error_set_errno(errno, "cannot extract into '%s'", dir);
			return HX_ESYSTEM;
		}
	} else if (errno != ENOENT) {
		hx_error_set_errno(errno, "cannot extract into '%s'", dir);
		return errno == ENOTDIR || errno == ENAMETOOLONG ? HX_EINVALID : HX_ESYSTEM;
	} else {
		while (n > 1 && dir[n - 1] == '/')
			n--;
		*target = hx_xmalloc(n + 1);
		memcpy(*target, dir, n);
		(*target)[n] = '\0';
	}
	base = strrchr(*target, '/') ? strrchr(*target, '/') + 1 : *target;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		hx_error_set("cannot extract into '%s': name a new directory", dir);
		return HX_EINVALID;
	}
	*parent = hx_path_dirname(*target);
	return 0;
}

int hx_archive_extract(const char *path, const char *dir)
{
	hx_archive_contents c;
	hx_atomic_dir tmp;
	char *target = NULL, *parent = NULL, *made = NULL;
	int err;

	memset(&c, 0, sizeof(c));
	memset(&tmp, 0, sizeof(tmp));
	if ((err = extract_target(dir, &target, &parent)) != 0)
		goto done;
	made = first_missing(parent);
	/* a new directory beside the target (the same file system), put in
	 * its place once every member is there and verified */
	if ((err = hx_atomic_dir_open(&tmp, target)) == 0 &&
	    (err = hx_archive_read_into(&c, path, tmp.tmp, dir)) == 0)
		err = hx_atomic_dir_commit(&tmp);
	if (err && tmp.tmp) {
		char *why = hx_xstrdup(hx_error_last()), *left = hx_xstrdup(tmp.tmp);
		hx_atomic_dir_abort(&tmp);
		if (hx_path_exists(left))
			hx_error_set("%s; '%s' is left behind", why, left);
		else
			hx_error_set("%s; nothing extracted", why);
		free(why);
		free(left);
	}
	if (err && made)
		remove_made(parent, made);
done:
	hx_atomic_dir_abort(&tmp);
	hx_archive_contents_release(&c);
	free(target);
	free(parent);
	free(made);
	return err;
}
