/* fsutil.h - files written whole or not at all.
 *
 * Writers go through a temp file in the destination's directory, fsync, then
 * rename(2): a crash leaves the old file or the new one, never half of one.
 */
#ifndef HX_FSUTIL_H
#define HX_FSUTIL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"

/* The most a spec, or a file a spec names (models, canonical profile,
 * corpus list, budgets, presets, toolchain file), may hold: 64 MiB. The
 * largest shipped is a few KiB and a Mathlib corpus list is about 300 KiB;
 * the cap is there so that a wrong path (a log, a disk image) is refused
 * at once instead of filling memory. */
#define HX_SPEC_FILE_MAX ((size_t)64 << 20)

/* The flag a read blocked on a pipe or a slow file gives up for: when a
 * signal interrupts the read and *cancel is set, the read fails with
 * HX_EINTERRUPTED ("interrupted while reading 'x'"); the flag is also
 * checked between chunks. Process-wide: the CLI passes its SIGINT/SIGTERM
 * flag (hx_cli_catch_interrupts). Without one (NULL, the default) an
 * interrupted read is retried. */
void hx_file_set_cancel(const atomic_int *cancel);

/* Read a whole file into out (appended). "-" reads stdin. Any kind of file
 * (a pipe: process substitution) and no size limit: telemetry, datasets,
 * command-line inputs. Errors: HX_ENOTFOUND (ENOENT), HX_EINVALID (a path
 * through a file, too long, a directory), HX_EINTERRUPTED (above),
 * HX_ESYSTEM. */
int hx_file_read(hx_buf *out, const char *path);

/* Read a spec or a file a spec names: it must be a regular file of at most
 * HX_SPEC_FILE_MAX bytes. The kind and size are checked before the file is
 * opened (so a FIFO or a device is never opened, and nothing blocks), again
 * on the opened descriptor, and the read stops at the cap (a file that
 * grows meanwhile). A refusal is HX_EINVALID, one line: "cannot read
 * '/dev/zero': not a regular file (a character device)". Other errors as
 * hx_file_read. */
int hx_file_read_spec(hx_buf *out, const char *path);
/* The same checks without reading: for a spec loader that reports a bad
 * file at the spec's line and column before it hands the path on. */
int hx_file_check_spec(const char *path);

/* Open path for reading ("-": standard input, which stays open: close
 * *fd only when it is not STDIN_FILENO), with hx_file_read's errors. */
int hx_file_open_read(int *fd, const char *path);

/* Replace path with data atomically. */
int hx_file_write_atomic(const char *path, const void *data, size_t len);

/* An open temp file that becomes `path` on commit. */
typedef struct {
	FILE *fp;
	char *path;
	char *tmp;
} hx_atomic_file;

int hx_atomic_open(hx_atomic_file *out, const char *path);
/* Flush, fsync and rename into place; the struct is released either way. */
int hx_atomic_commit(hx_atomic_file *f);
/* Remove the temp file; accepts a never-opened (zeroed) struct. */
void hx_atomic_abort(hx_atomic_file *f);

/* dst (which must not exist) becomes a file with src's bytes: a hard link
 * when both are on one file system, else a copy in blocks (atomically).
 * A writer of src must replace it (a new file), never rewrite it in place,
 * since dst may share its inode. */
int hx_file_link_or_copy(const char *src, const char *dst);

/* mkdir -p. */
int hx_mkdirs(const char *path, int mode);

/* Make sure an output can be written before any work starts: a directory
 * (is_dir) is made with its parents and must be writable; a file's parent
 * directories are made, its directory must be writable and the path must
 * not be a directory. `what` names the output in the message ("--export").
 * Failure is HX_EINVALID: "cannot create '--export' 'a/b.yaml': cannot
 * create directory 'a': Permission denied". */
int hx_output_prepare(const char *path, int is_dir, const char *what);
/* The same check for a directory that is made only when needed (a CI
 * artifact that is absent when there is nothing to keep): it exists and is
 * writable, or its nearest existing ancestor is a writable directory. */
int hx_output_check_dir(const char *path, const char *what);
int hx_path_exists(const char *path);
int hx_is_dir(const char *path);
/* Remove a directory tree (or file), best effort: scratch space only. */
void hx_remove_tree(const char *path);

/* Join a and b with one '/'; an absolute b is returned as is. Caller frees. */
char *hx_path_join(const char *a, const char *b);
/* Directory part of path ("." when none). Caller frees. */
char *hx_path_dirname(const char *path);

/* A directory replaced as a unit (a snapshot, a golden): the new content
 * goes into a fresh directory beside it, PARENT/.NAME.new.XXXXXX (tmp),
 * which then takes its place in one step, so a reader or a crash sees the
 * old directory or the new one, never a mix. The caller holds the
 * directory's lock (lock.h) exclusive from open to commit or abort. */
typedef struct {
	char *path;
	char *tmp; /* fill this directory */
} hx_atomic_dir;

/* Deal with what an interrupted replace left beside path, saying so
 * (hx_notice): when path is missing, an .NAME.old.* (the previous
 * content, parked) is put back; every other .NAME.new.*, .NAME.old.* and
 * .NAME.del.* is removed. Then make the empty out->tmp (and path's
 * parents). */
int hx_atomic_dir_open(hx_atomic_dir *out, const char *path);
/* fsync tmp, then put it in path's place: renameat2(RENAME_EXCHANGE) and
 * the old content removed; where the file system cannot exchange, the old
 * directory is renamed aside (.NAME.old.XXXXXX) first, for the next open
 * to put back if a crash comes between the two renames. The struct is
 * released either way (tmp removed on failure). */
int hx_atomic_dir_commit(hx_atomic_dir *d);
/* Remove tmp; accepts a never-opened (zeroed) struct. */
void hx_atomic_dir_abort(hx_atomic_dir *d);
/* Remove directory path as a unit: renamed aside (.NAME.del.XXXXXX) in one
 * step, then deleted. The caller holds its lock exclusive. */
int hx_atomic_dir_remove(const char *path);

/* 1 when name is a temp file of hx_atomic_open ("X.tmp.XXXXXX"): a file
 * that is never part of what it sits beside. */
int hx_is_temp_name(const char *name);

/* Remove the entries of dir (not hidden ones) whose name is_temp accepts
 * (called with ctx; NULL: hx_is_temp_name), each with a notice
 * "removed 'PATH', NOTE" (error.h). For stale temp files only: the caller
 * knows no writer is at work in dir (it holds the lock, or the run). */
void hx_remove_temp_files(const char *dir, int (*is_temp)(const char *name, const void *ctx),
			  const void *ctx, const char *note);

#endif
