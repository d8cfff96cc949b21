/* archive.c - writing run archives: a tar, zstd- or gzip-compressed, whose
 * first member MANIFEST.json lists every other member's size and XXH3-128;
 * and what the writer and the reader (archive_read.c) share. The module's
 * two files are the only ones that include libarchive's headers
 * (CONVENTIONS.md, 2). */
#include "archive.h"
#include "archive_internal.h"

/* libarchive's <archive.h>: src/ is on the quote-include path only
 * (CMakeLists.txt, -iquote), so our "archive.h" does not shadow it. */
#include <archive.h>
#include <archive_entry.h>
#ifndef ARCHIVE_VERSION_NUMBER
#error "libarchive's archive.h was not found"
#endif

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"

uint64_t hx_archive_entry_cost(const char *name, uint64_t size)
{
	return HX_ARCHIVE_HEADER_COST + strlen(name) + size;
}

uint64_t hx_archive_budget(uint64_t file_size)
{
	uint64_t b = HX_ARCHIVE_TOTAL_MAX;
	if (file_size < (HX_ARCHIVE_TOTAL_MAX - HX_ARCHIVE_SLACK) / HX_ARCHIVE_RATIO)
		b = HX_ARCHIVE_SLACK + HX_ARCHIVE_RATIO * file_size;
	return b;
}

void hx_archive_size_str(char *out, size_t cap, uint64_t bytes)
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)bytes / 1024;
	int u = 0;
	if (bytes < 1024) {
		snprintf(out, cap, "%" PRIu64 " bytes", bytes);
		return;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(out, cap, "%.1f %s", v, unit[u]);
}

void hx_archive_set_budget_error(const char *path, const char *what, uint64_t file_size)
{
	char budget[32], size[32];
	uint64_t b = hx_archive_budget(file_size);
	hx_archive_size_str(budget, sizeof(budget), b);
	hx_archive_size_str(size, sizeof(size), file_size);
	if (b == HX_ARCHIVE_TOTAL_MAX)
		hx_error_set("'%s': %s past the %s any archive may unpack to: refused unread", path,
			     what, budget);
	else
		hx_error_set("'%s': %s past the %s an archive of %s may unpack to (64 MiB + %d x its "
			     "size): refused unread", path, what, budget, size, HX_ARCHIVE_RATIO);
}

const char *hx_archive_la_msg(struct archive *a, hx_buf *scratch)
{
	const char *s = archive_error_string(a), *cause;
	int e = archive_errno(a);
	if (!s)
		s = "unknown error";
	/* libarchive's own codes are no errno worth naming: "misc" (-1), a bad
	 * format (EILSEQ here, EFTYPE elsewhere), misuse (EINVAL); any other
	 * is what the OS said. */
	if (e <= 0 || e == EILSEQ || e == EINVAL)
		return s;
	cause = strerror(e);
	if (strstr(s, cause))
		return s;
	/* write(2) or read(2) failed: all libarchive says is this */
	if (strcmp(s, "Write error") == 0 || strcmp(s, "Read error") == 0)
		return cause;
	hx_buf_reset(scratch);
	hx_buf_printf(scratch, "%s: %s", s, cause);
	return scratch->ptr;
}

int hx_archive_name_ok(const char *name)
{
	const char *s = name;
	if (!*s || *s == '/')
		return 0;
	while (*s) {
		size_t n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += n;
		if (*s == '/' && *++s == '\0')
			return 0;
	}
	return 1;
}

static void put_str_or_null(hx_buf *b, const char *s)
{
	if (s)
		hx_canon_write_cstr(b, s);
	else
		hx_buf_puts(b, "null");
}

static void put_field(hx_buf *b, const char *key, const char *value)
{
	hx_buf_putc(b, ',');
	hx_canon_write_cstr(b, key);
	hx_buf_putc(b, ':');
	put_str_or_null(b, value);
}

/* The manifest as one RFC 8785 line ending in '\n'. It is written field by
 * field, then put through hx_canon_line, which sorts the keys: the text is
 * canonical whatever order the fields are written in here. Twice: the
 * second time with manifest_hash, the digest of the first text. */
static int build_manifest(hx_buf *out, const hx_archive_meta *m, const hx_archive_member *members,
			  size_t n, char (*hashes)[HX_HASH_HEX_LEN])
{
	hx_buf raw = HX_BUF_INIT, first = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	struct utsname u;
	char hex[HX_HASH_HEX_LEN], seed[24];
	int have_host = uname(&u) == 0, err;
	size_t i;

	hx_buf_puts(&raw, "{\"format\":");
	hx_canon_write_cstr(&raw, HX_ARCHIVE_FORMAT);
	put_field(&raw, "harness_version", HX_VERSION);
#ifdef HX_GIT_REVISION
	put_field(&raw, "git_revision", HX_GIT_REVISION);
#else
	put_field(&raw, "git_revision", NULL);
#endif
	put_field(&raw, "experiment", m->experiment);
	/* A string: a 64-bit seed does not survive a JSON number (a double). */
	snprintf(seed, sizeof(seed), "%" PRIu64, m->seed);
	put_field(&raw, "seed", seed);
	put_field(&raw, "spec", m->spec_member);
	hx_buf_puts(&raw, ",\"engine\":{\"kind\":");
	put_str_or_null(&raw, m->engine.kind);
	put_field(&raw, "version", m->engine.version);
	if (m->engine.path)
		put_field(&raw, "path", m->engine.path);
	if (m->engine.hash)
		put_field(&raw, "binary_hash", m->engine.hash);
	if (m->engine.toolchain)
		put_field(&raw, "toolchain", m->engine.toolchain);
	hx_buf_puts(&raw, "},\"host\":");
	if (have_host) {
		hx_buf os = HX_BUF_INIT;
		hx_buf_printf(&os, "%s %s %s", u.sysname, u.release, u.machine);
		hx_buf_puts(&raw, "{\"name\":");
		hx_canon_write_cstr(&raw, u.nodename);
		put_field(&raw, "os", os.ptr);
		hx_buf_putc(&raw, '}');
		hx_buf_release(&os);
	} else {
		hx_buf_puts(&raw, "null");
	}
	hx_buf_puts(&raw, ",\"workers\":");
	hx_canon_write_number(&raw, (double)m->workers);
	put_field(&raw, "started", m->started);
	put_field(&raw, "finished", m->finished);
	put_field(&raw, "snapshot_hash", m->snapshot_hash);
	put_field(&raw, "golden", m->golden);
	hx_buf_puts(&raw, ",\"members\":[");
	for (i = 0; i < n; i++) {
		hx_buf_puts(&raw, i ? ",{\"name\":" : "{\"name\":");
		hx_canon_write_cstr(&raw, members[i].name);
		hx_buf_printf(&raw, ",\"size\":%zu,\"hash\":\"%s\"}", members[i].len, hashes[i]);
	}
	hx_buf_puts(&raw, "]}");
	/* Fails only on text that is not UTF-8 (a name, a host name). */
	err = hx_canon_line(&first, arena, raw.ptr, raw.len, NULL, HX_ARCHIVE_MANIFEST, 1);
	if (!err) {
		hx_hash128_buf(hex, first.ptr, first.len - 1); /* without the '\n' */
		raw.len--; /* the closing brace */
		hx_buf_printf(&raw, ",\"manifest_hash\":\"%s\"}", hex);
		err = hx_canon_line(out, arena, raw.ptr, raw.len, NULL, HX_ARCHIVE_MANIFEST, 1);
	}
	hx_buf_release(&raw);
	hx_buf_release(&first);
	hx_arena_free(arena);
	return err;
}

/* Names the reader takes, each once, and sizes it takes (checked before
 * the manifest hashes the members). */
static int check_members(const char *path, const hx_archive_member *members, size_t n)
{
	char size[32];
	size_t i, j;
	for (i = 0; i < n; i++) {
		if (members[i].len > HX_ARCHIVE_MEMBER_MAX) {
			hx_archive_size_str(size, sizeof(size), members[i].len);
			hx_error_set("cannot archive '%s' in '%s' (%s): larger than the 1 GiB a member "
				     "may hold", members[i].name, path, size);
			return HX_EINVALID;
		}
		if (!hx_archive_name_ok(members[i].name) || strcmp(members[i].name, HX_ARCHIVE_MANIFEST) == 0) {
			hx_error_set("'%s' cannot be an archive member name", members[i].name);
			return HX_EINVALID;
		}
		for (j = 0; j < i; j++)
			if (strcmp(members[i].name, members[j].name) == 0) {
				hx_error_set("archive member '%s' given twice", members[i].name);
				return HX_EINVALID;
			}
	}
	return 0;
}

static int la_fail(struct archive *a, const char *path, const char *name)
{
	hx_buf scratch = HX_BUF_INIT;
	hx_error_set("cannot write '%s' (member '%s'): %s", path, name, hx_archive_la_msg(a, &scratch));
	hx_buf_release(&scratch);
	return HX_ESYSTEM;
}

/* A member's bytes from the file `from` (its header written), in blocks;
 * exactly len of them, or an error naming the file. */
static int copy_file_entry(struct archive *a, const char *path, const char *name, size_t len,
			   const char *from)
{
	static _Thread_local char block[128 * 1024];
	size_t off = 0;
	int fd = open(from, O_RDONLY | O_CLOEXEC), err = 0;
	if (fd < 0) {
		hx_error_set_errno(errno, "cannot open '%s'", from);
		return HX_ESYSTEM;
	}
	while (!err) {
		ssize_t got = read(fd, block, sizeof(block));
		size_t put = 0;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			hx_error_set_errno(errno, "cannot read '%s'", from);
			err = HX_ESYSTEM;
			break;
		}
		if (got == 0)
			break;
		if (off + (size_t)got > len)
			break; /* grew: refused below */
		while (put < (size_t)got && !err) {
			la_ssize_t w = archive_write_data(a, block + put, (size_t)got - put);
			if (w <= 0)
				err = la_fail(a, path, name);
			else
				put += (size_t)w;
		}
		off += (size_t)got;
	}
	close(fd);
	if (!err && off != len) {
		hx_error_set("cannot archive '%s' as member '%s' of '%s': it changed while being archived",
			     from, name, path);
		err = HX_EINVALID;
	}
	if (!err && archive_write_finish_entry(a) != ARCHIVE_OK)
		err = la_fail(a, path, name);
	return err;
}

/* One regular file, the same header bytes whoever writes it when. */
static int write_entry(struct archive *a, const char *path, const char *name, const char *data,
		       size_t len, const char *from)
{
	struct archive_entry *e = archive_entry_new();
	size_t off = 0;
	int r;

	if (!e)
		hx_oom();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK)
		goto fail;
	if (from)
		return copy_file_entry(a, path, name, len, from);
	while (off < len) {
		la_ssize_t w = archive_write_data(a, data + off, len - off);
		if (w <= 0)
			goto fail;
		off += (size_t)w;
	}
	if (archive_write_finish_entry(a) != ARCHIVE_OK)
		goto fail;
	return 0;
fail:
	{
		hx_buf scratch = HX_BUF_INIT;
		hx_error_set("cannot write '%s' (member '%s'): %s", path, name,
			     hx_archive_la_msg(a, &scratch));
		hx_buf_release(&scratch);
	}
	return HX_ESYSTEM;
}

/* A writer for pax (ustar headers unless a name needs more) through zstd,
 * or gzip when this libarchive cannot zstd in-process (it answers WARN when
 * it would run an external zstd, which a run should not depend on). */
static struct archive *new_writer(const char **compression)
{
	struct archive *a = archive_write_new();
	if (!a)
		hx_oom();
	if (archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
	    archive_write_add_filter_zstd(a) == ARCHIVE_OK) {
		*compression = "zstd";
		return a;
	}
	archive_write_free(a);
	if (!(a = archive_write_new()))
		hx_oom();
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	/* No time stamp in the gzip header: the same run, the same bytes. */
	archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	*compression = "gzip";
	return a;
}

/* What the archive unpacks to, as the reader counts it (archive.h). */
static uint64_t unpacked_size(const hx_buf *manifest, const hx_archive_member *members, size_t n)
{
	uint64_t total = hx_archive_entry_cost(HX_ARCHIVE_MANIFEST, manifest->len);
	size_t i;
	for (i = 0; i < n; i++)
		total += hx_archive_entry_cost(members[i].name, members[i].len);
	return total;
}

/* The reader's total, checked before anything is written: a run never
 * leaves an archive that replay would refuse as a bomb. */
static int check_total(const char *path, const hx_buf *manifest, const hx_archive_member *members,
		       size_t n)
{
	char size[32];
	uint64_t total = unpacked_size(manifest, members, n);
	if (total > HX_ARCHIVE_TOTAL_MAX) {
		hx_archive_size_str(size, sizeof(size), total);
		hx_error_set("cannot write '%s': its members come to %s, past the 4 GiB an archive "
			     "may unpack to", path, size);
		return HX_EINVALID;
	}
	return 0;
}

/* The members with the sizes of those read from files, and every
 * member's XXH3-128 (files hashed in blocks). */
static int resolve_members(hx_archive_member **out, char (**hashes)[HX_HASH_HEX_LEN],
			   const hx_archive_member *members, size_t n)
{
	hx_archive_member *m = hx_xcalloc(n ? n : 1, sizeof(*m));
	char(*h)[HX_HASH_HEX_LEN] = hx_xcalloc(n ? n : 1, sizeof(*h));
	size_t i;
	int err = 0;
	for (i = 0; i < n && !err; i++) {
		struct stat st;
		m[i] = members[i];
		if (m[i].data || !m[i].path) {
			m[i].path = NULL;
			hx_hash128_buf(h[i], m[i].data ? m[i].data : "", m[i].len);
			continue;
		}
		if (stat(m[i].path, &st) != 0) {
			hx_error_set_errno(errno, "cannot archive '%s'", m[i].path);
			err = errno == ENOENT ? HX_ENOTFOUND : HX_ESYSTEM;
			break;
		}
		m[i].len = (size_t)st.st_size;
		err = hx_hash128_file(h[i], m[i].path);
	}
	if (err) {
		free(m);
		free(h);
		return err;
	}
	*out = m;
	*hashes = h;
	return 0;
}

int hx_archive_write(const char *path, const hx_archive_meta *meta,
		     const hx_archive_member *given, size_t n, const char **compression_out)
{
	struct archive *a = NULL;
	hx_buf manifest = HX_BUF_INIT, tmp = HX_BUF_INIT, scratch = HX_BUF_INIT;
	const char *compression = NULL;
	hx_archive_member *members = NULL;
	char(*hashes)[HX_HASH_HEX_LEN] = NULL;
	struct stat st;
	int fd = -1, err, created = 0;
	size_t i;

	if ((err = resolve_members(&members, &hashes, given, n)) != 0 ||
	    (err = check_members(path, members, n)) != 0 ||
	    (err = build_manifest(&manifest, meta, members, n, hashes)) != 0 ||
	    (err = check_total(path, &manifest, members, n)) != 0)
		goto done;
	hx_buf_printf(&tmp, "%s.tmp-%ld", path, (long)getpid());
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		hx_error_set_errno(errno, "cannot create '%s'", tmp.ptr);
		err = HX_ESYSTEM;
		goto done;
	}
	created = 1;
	a = new_writer(&compression);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		hx_error_set("cannot write '%s': %s", tmp.ptr, hx_archive_la_msg(a, &scratch));
		err = HX_ESYSTEM;
		goto done;
	}
	if ((err = write_entry(a, path, HX_ARCHIVE_MANIFEST, manifest.ptr, manifest.len, NULL)) != 0)
		goto done;
	for (i = 0; i < n; i++)
		if ((err = write_entry(a, path, members[i].name, members[i].data, members[i].len,
				       members[i].path)) != 0)
			goto done;
	/* Close flushes the compressor and the tar trailer: it can fail. */
	if (archive_write_close(a) != ARCHIVE_OK) {
		hx_error_set("cannot write '%s': %s", path, hx_archive_la_msg(a, &scratch));
		err = HX_ESYSTEM;
		goto done;
	}
	if (fsync(fd) != 0 || fstat(fd, &st) != 0) {
		hx_error_set_errno(errno, "cannot write '%s'", tmp.ptr);
		err = HX_ESYSTEM;
		goto done;
	}
	/* Data that compresses past the reader's ratio (no run's does): the
	 * reader would take the archive for a bomb. */
	if (unpacked_size(&manifest, members, n) > hx_archive_budget((uint64_t)st.st_size)) {
		char total[32], size[32];
		hx_archive_size_str(total, sizeof(total), unpacked_size(&manifest, members, n));
		hx_archive_size_str(size, sizeof(size), (uint64_t)st.st_size);
		hx_error_set("cannot write '%s': its members (%s) compress to %s, past what a reader "
			     "takes for no archive bomb (64 MiB + %d x its size)", path, total, size,
			     HX_ARCHIVE_RATIO);
		err = HX_EINVALID;
		goto done;
	}
	if (close(fd) != 0) {
		fd = -1;
		hx_error_set_errno(errno, "cannot write '%s'", tmp.ptr);
		err = HX_ESYSTEM;
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, path) != 0) {
		hx_error_set_errno(errno, "cannot rename '%s' to '%s'", tmp.ptr, path);
		err = HX_ESYSTEM;
		goto done;
	}
	created = 0;
	if (compression_out)
		*compression_out = compression;
done:
	if (a)
		archive_write_free(a);
	if (fd >= 0)
		close(fd);
	if (created)
		unlink(tmp.ptr);
	hx_buf_release(&manifest);
	hx_buf_release(&tmp);
	hx_buf_release(&scratch);
	free(members);
	free(hashes);
	return err;
}
