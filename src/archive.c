/* archive.c - run archives: a tar, zstd- or gzip-compressed, whose first
 * member MANIFEST.json lists every other member's size and XXH3-128.
 * The only file that includes libarchive's headers (CONVENTIONS.md, 2). */
#include "archive.h"

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

/* A member larger than this is refused when reading: archives are read
 * whole into memory, and a run's files are far smaller. */
#define MEMBER_MAX ((size_t)1 << 30)

/* A relative path of plain components: no "", ".", ".." or leading '/'.
 * Names like this can neither escape an extraction directory nor collide
 * with themselves under another spelling. */
static int safe_name(const char *name)
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
			  size_t n)
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
	put_str_or_null(&raw, m->engine_kind);
	put_field(&raw, "version", m->engine_version);
	if (m->engine_path)
		put_field(&raw, "path", m->engine_path);
	if (m->engine_hash)
		put_field(&raw, "binary_hash", m->engine_hash);
	if (m->engine_toolchain)
		put_field(&raw, "toolchain", m->engine_toolchain);
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
		hx_hash128_buf(hex, members[i].data, members[i].len);
		hx_buf_puts(&raw, i ? ",{\"name\":" : "{\"name\":");
		hx_canon_write_cstr(&raw, members[i].name);
		hx_buf_printf(&raw, ",\"size\":%zu,\"hash\":\"%s\"}", members[i].len, hex);
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

static int check_members(const hx_archive_member *members, size_t n)
{
	size_t i, j;
	for (i = 0; i < n; i++) {
		if (!safe_name(members[i].name) || strcmp(members[i].name, HX_ARCHIVE_MANIFEST) == 0) {
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

static const char *la_msg(struct archive *a)
{
	const char *s = archive_error_string(a);
	return s ? s : "unknown error";
}

/* One regular file, the same header bytes whoever writes it when. */
static int write_entry(struct archive *a, const char *path, const char *name, const char *data,
		       size_t len)
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
	hx_error_set("cannot write '%s' (member '%s'): %s", path, name, la_msg(a));
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

int hx_archive_write(const char *path, const hx_archive_meta *meta,
		     const hx_archive_member *members, size_t n, const char **compression_out)
{
	struct archive *a = NULL;
	hx_buf manifest = HX_BUF_INIT, tmp = HX_BUF_INIT;
	const char *compression = NULL;
	int fd = -1, err, created = 0;
	size_t i;

	if ((err = check_members(members, n)) != 0 ||
	    (err = build_manifest(&manifest, meta, members, n)) != 0)
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
		hx_error_set("cannot write '%s': %s", tmp.ptr, la_msg(a));
		err = HX_ESYSTEM;
		goto done;
	}
	if ((err = write_entry(a, path, HX_ARCHIVE_MANIFEST, manifest.ptr, manifest.len)) != 0)
		goto done;
	for (i = 0; i < n; i++)
		if ((err = write_entry(a, path, members[i].name, members[i].data, members[i].len)) != 0)
			goto done;
	/* Close flushes the compressor and the tar trailer: it can fail. */
	if (archive_write_close(a) != ARCHIVE_OK) {
		hx_error_set("cannot write '%s': %s", path, la_msg(a));
		err = HX_ESYSTEM;
		goto done;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
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
	return err;
}

void hx_archive_contents_release(hx_archive_contents *c)
{
	size_t i;
	for (i = 0; i < c->n; i++) {
		free(c->names[i]);
		hx_buf_release(&c->data[i]);
	}
	free(c->names);
	free(c->data);
	free(c->manifest);
	memset(c, 0, sizeof(*c));
}

const hx_buf *hx_archive_member_data(const hx_archive_contents *c, const char *name)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->names[i], name) == 0)
			return &c->data[i];
	return NULL;
}

/* libarchive's word on a stream it cannot read: a truncated file, a
 * damaged compressed stream or tar header, or something else entirely. */
static int corrupt(struct archive *a, const char *path)
{
	hx_error_set("'%s': truncated, corrupt or not a harness archive: %s", path, la_msg(a));
	return HX_EINVALID;
}

/* The current entry's bytes into out, at most MEMBER_MAX of them. */
static int read_data(struct archive *a, const char *path, const char *name, hx_buf *out)
{
	for (;;) {
		la_ssize_t r;
		if (out->cap - out->len < 2)
			hx_buf_grow(out, 65536);
		r = archive_read_data(a, out->ptr + out->len, out->cap - out->len - 1);
		if (r < 0)
			return corrupt(a, path);
		if (r == 0)
			break;
		out->len += (size_t)r;
		out->ptr[out->len] = '\0';
		if (out->len > MEMBER_MAX) {
			hx_error_set("'%s': member '%s' is larger than 1 GiB", path, name);
			return HX_EINVALID;
		}
	}
	return 0;
}

/* Every entry of an opened archive: MANIFEST.json (which must come first)
 * into out->manifest, the others into names/data. */
static int read_entries(struct archive *a, const char *path, hx_archive_contents *out)
{
	struct archive_entry *e;
	size_t cap = 0, i;
	int r, err;

	for (;;) {
		const char *name;
		hx_buf data = HX_BUF_INIT;

		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return corrupt(a, path);
		if (!(name = archive_entry_pathname(e))) {
			hx_error_set("'%s': not a harness archive: a member has no name", path);
			return HX_EINVALID;
		}
		if (archive_entry_filetype(e) != AE_IFREG) {
			hx_error_set("'%s': not a harness archive: member '%s' is not a regular file",
				     path, name);
			return HX_EINVALID;
		}
		if (!out->manifest && strcmp(name, HX_ARCHIVE_MANIFEST) != 0) {
			hx_error_set("'%s': not a harness archive: its first member is '%s', not %s",
				     path, name, HX_ARCHIVE_MANIFEST);
			return HX_EINVALID;
		}
		if (out->manifest && strcmp(name, HX_ARCHIVE_MANIFEST) == 0) {
			hx_error_set("'%s': member '%s' appears twice", path, name);
			return HX_EMISMATCH;
		}
		for (i = 0; i < out->n; i++)
			if (strcmp(out->names[i], name) == 0) {
				hx_error_set("'%s': member '%s' appears twice", path, name);
				return HX_EMISMATCH;
			}
		/* Room for the whole member, its NUL and the read that sees the
		 * end: no regrowing (and copying) of large members. */
		if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 &&
		    (uint64_t)archive_entry_size(e) <= (uint64_t)MEMBER_MAX)
			hx_buf_grow(&data, (size_t)archive_entry_size(e) + 2);
		if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)MEMBER_MAX) {
			hx_error_set("'%s': member '%s' is larger than 1 GiB", path, name);
			return HX_EINVALID;
		}
		if ((err = read_data(a, path, name, &data)) != 0) {
			hx_buf_release(&data);
			return err;
		}
		if (!out->manifest) {
			out->manifest = hx_buf_detach(&data, &out->manifest_len);
			if (!out->manifest) /* an empty MANIFEST.json */
				out->manifest = hx_xstrdup("");
			continue;
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 8;
			out->names = hx_xrealloc(out->names, cap * sizeof(*out->names));
			out->data = hx_xrealloc(out->data, cap * sizeof(*out->data));
		}
		out->names[out->n] = hx_xstrdup(name);
		out->data[out->n++] = data;
	}
	if (!out->manifest) {
		hx_error_set("'%s': not a harness archive: no %s", path, HX_ARCHIVE_MANIFEST);
		return HX_EINVALID;
	}
	return 0;
}

static const char *json_str(const hx_json *obj, const char *key)
{
	const hx_json *v = hx_json_get(obj, key);
	return v && v->type == HX_JSON_STRING ? v->u.string.ptr : NULL;
}

/* The manifest guards itself: zstd as libarchive writes it has no content
 * checksum, and a damaged byte in MANIFEST.json can decompress into another
 * valid value. It must be exactly the RFC 8785 text of its tree, and
 * manifest_hash the XXH3-128 of that text without the manifest_hash field.
 * Takes the field out of root. */
static int check_self_hash(const hx_archive_contents *c, const char *path, hx_json *root)
{
	hx_buf text = HX_BUF_INIT;
	char hex[HX_HASH_HEX_LEN], want[HX_HASH_HEX_LEN];
	const char *h = json_str(root, "manifest_hash");
	size_t i;
	int err = 0;

	hx_canon_serialize(&text, root);
	hx_buf_putc(&text, '\n');
	if (text.len != c->manifest_len || memcmp(text.ptr, c->manifest, text.len) != 0) {
		hx_error_set("'%s': %s is not one RFC 8785 line", path, HX_ARCHIVE_MANIFEST);
		err = HX_EINVALID;
		goto done;
	}
	if (!h || strlen(h) != HX_HASH_HEX_LEN - 1) {
		hx_error_set("'%s': %s has no manifest_hash", path, HX_ARCHIVE_MANIFEST);
		err = HX_EINVALID;
		goto done;
	}
	memcpy(want, h, sizeof(want));
	for (i = 0; strcmp(root->u.object.members[i].key, "manifest_hash") != 0; i++)
		;
	memmove(&root->u.object.members[i], &root->u.object.members[i + 1],
		(root->u.object.len - i - 1) * sizeof(hx_json_member));
	root->u.object.len--;
	hx_buf_reset(&text);
	hx_canon_serialize(&text, root);
	hx_hash128_buf(hex, text.ptr, text.len);
	if (strcmp(hex, want) != 0) {
		hx_error_set("'%s': %s does not match its manifest_hash (%s != %s)", path,
			     HX_ARCHIVE_MANIFEST, hex, want);
		err = HX_EMISMATCH;
	}
done:
	hx_buf_release(&text);
	return err;
}

/* Hold the members read against the manifest's list: each listed member
 * present with its size and hash, nothing unlisted. */
static int check_manifest(const hx_archive_contents *c, const char *path, hx_arena *arena)
{
	hx_json *root = NULL;
	const hx_json *list;
	hx_json_error jerr;
	char hex[HX_HASH_HEX_LEN];
	unsigned char *listed = NULL;
	const char *format;
	size_t i, j;
	int err = 0;

	if (hx_json_parse(&root, arena, c->manifest, c->manifest_len, &jerr) != 0) {
		hx_error_set("'%s': %s:%zu:%zu: %s", path, HX_ARCHIVE_MANIFEST, jerr.line, jerr.column,
			     jerr.msg);
		return HX_EINVALID;
	}
	format = json_str(root, "format");
	if (!format || strcmp(format, HX_ARCHIVE_FORMAT) != 0) {
		hx_error_set("'%s': %s is not %s (format %s%s%s)", path, HX_ARCHIVE_MANIFEST,
			     HX_ARCHIVE_FORMAT, format ? "'" : "", format ? format : "missing",
			     format ? "'" : "");
		return HX_EINVALID;
	}
	if ((err = check_self_hash(c, path, root)) != 0)
		return err;
	list = hx_json_get(root, "members");
	if (!list || list->type != HX_JSON_ARRAY) {
		hx_error_set("'%s': %s has no members list", path, HX_ARCHIVE_MANIFEST);
		return HX_EINVALID;
	}
	listed = hx_xcalloc(c->n ? c->n : 1, 1);
	for (i = 0; i < list->u.array.len; i++) {
		const hx_json *m = list->u.array.items[i], *size = hx_json_get(m, "size");
		const char *name = json_str(m, "name"), *hash = json_str(m, "hash");
		double want;

		if (!name || !hash || !size || size->type != HX_JSON_NUMBER ||
		    (want = size->u.number) < 0 || want > (double)MEMBER_MAX ||
		    want != (double)(size_t)want) {
			hx_error_set("'%s': %s: members[%zu] needs a name, a size and a hash", path,
				     HX_ARCHIVE_MANIFEST, i);
			err = HX_EINVALID;
			goto done;
		}
		for (j = 0; j < i; j++)
			if (strcmp(name, json_str(list->u.array.items[j], "name")) == 0) {
				hx_error_set("'%s': %s lists '%s' twice", path, HX_ARCHIVE_MANIFEST, name);
				err = HX_EINVALID;
				goto done;
			}
		for (j = 0; j < c->n && strcmp(c->names[j], name) != 0; j++)
			;
		if (j == c->n) {
			hx_error_set("'%s': member '%s' is listed in the manifest but missing "
				     "(truncated archive?)", path, name);
			err = HX_EMISMATCH;
			goto done;
		}
		listed[j] = 1;
		if (c->data[j].len != (size_t)want) {
			hx_error_set("'%s': member '%s' does not match the manifest (size %zu != %zu)", path,
				     name, c->data[j].len, (size_t)want);
			err = HX_EMISMATCH;
			goto done;
		}
		hx_hash128_buf(hex, c->data[j].ptr, c->data[j].len);
		if (strcmp(hex, hash) != 0) {
			hx_error_set("'%s': member '%s' does not match the manifest (hash %s != %s)", path,
				     name, hex, hash);
			err = HX_EMISMATCH;
			goto done;
		}
	}
	for (j = 0; j < c->n; j++)
		if (!listed[j]) {
			hx_error_set("'%s': member '%s' is not listed in the manifest", path, c->names[j]);
			err = HX_EMISMATCH;
			goto done;
		}
done:
	free(listed);
	return err;
}

int hx_archive_read(hx_archive_contents *out, const char *path)
{
	struct archive *a = NULL;
	hx_arena *arena = NULL;
	struct stat st;
	int fd, err = 0;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		hx_error_set_errno(e, "cannot open '%s'", path);
		return e == ENOENT ? HX_ENOTFOUND : HX_ESYSTEM;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		hx_error_set("'%s' is not a regular file", path);
		err = HX_EINVALID;
		goto done;
	}
	if (!(a = archive_read_new()))
		hx_oom();
	/* what hx_archive_write writes, and nothing else */
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		err = corrupt(a, path);
		goto done;
	}
	if ((err = read_entries(a, path, out)) != 0)
		goto done;
	arena = hx_arena_new();
	err = check_manifest(out, path, arena);
done:
	if (a)
		archive_read_free(a);
	close(fd);
	hx_arena_free(arena);
	if (err)
		hx_archive_contents_release(out);
	return err;
}

static int write_below(const char *dir, const char *name, const char *data, size_t len)
{
	char *full = hx_path_join(dir, name), *parent = hx_path_dirname(full);
	int err = hx_mkdirs(parent, 0777);
	if (!err)
		err = hx_file_write_atomic(full, data, len);
	free(full);
	free(parent);
	return err;
}

int hx_archive_extract(const char *path, const char *dir)
{
	hx_archive_contents c;
	size_t i;
	int err = hx_archive_read(&c, path);

	if (err)
		return err;
	/* Every name checked before anything is written. */
	for (i = 0; i < c.n; i++)
		if (!safe_name(c.names[i])) {
			hx_error_set("'%s': member '%s' would be written outside '%s'", path, c.names[i],
				     dir);
			err = HX_EINVALID;
			goto done;
		}
	if ((err = hx_mkdirs(dir, 0777)) != 0 ||
	    (err = write_below(dir, HX_ARCHIVE_MANIFEST, c.manifest, c.manifest_len)) != 0)
		goto done;
	for (i = 0; i < c.n; i++)
		if ((err = write_below(dir, c.names[i], c.data[i].ptr, c.data[i].len)) != 0)
			goto done;
done:
	hx_archive_contents_release(&c);
	return err;
}
