/* archive_read.c - reading run archives as a stream (archive.h).
 *
 * One pass over the tar: each entry is held against MANIFEST.json from its
 * header, before any of its bytes are read (listed? the size listed? within
 * the budget?), then hashed as it is read and sent where the caller wants
 * it: nowhere (verify), memory (read) or a directory (extract). Entries
 * before MANIFEST.json (a repack by plain GNU tar puts it anywhere) are
 * hashed within the budget and checked when the manifest comes. Nothing is
 * read whole before it is known to be wanted: an archive bomb is refused
 * at the header of its first large member. (hx_archive_extract, which
 * reads into a directory, is in archive_extract.c.) */
#include "archive.h"
#include "archive_internal.h"

/* libarchive's headers (src/ is on the quote-include path only). */
#include <archive.h>
#include <archive_entry.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"

#define CHUNK 65536
#define NAME_MAX_LEN 4096 /* PATH_MAX: no run writes a longer member name */

/* A set of names with a value each: open addressing, keys not owned. */
typedef struct {
	const char **key;
	size_t *val;
	size_t cap, n; /* cap: 0 or a power of two */
} name_map;

static size_t map_slot(const name_map *m, const char *k)
{
	size_t i = (size_t)hx_hash64(k, strlen(k), 0) & (m->cap - 1);
	while (m->key[i] && strcmp(m->key[i], k) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static const size_t *map_get(const name_map *m, const char *k)
{
	size_t i;
	if (!m->cap)
		return NULL;
	i = map_slot(m, k);
	return m->key[i] ? &m->val[i] : NULL;
}

/* k -> v; 1 (and nothing changed) when k is there already. */
static int map_add(name_map *m, const char *k, size_t v)
{
	size_t i;
	if (2 * (m->n + 1) > m->cap) {
		name_map g;
		g.cap = m->cap ? 2 * m->cap : 64;
		g.n = m->n;
		g.key = hx_xcalloc(g.cap, sizeof(*g.key));
		g.val = hx_xcalloc(g.cap, sizeof(*g.val));
		for (i = 0; i < m->cap; i++)
			if (m->key[i]) {
				size_t j = map_slot(&g, m->key[i]);
				g.key[j] = m->key[i];
				g.val[j] = m->val[i];
			}
		free(m->key);
		free(m->val);
		*m = g;
	}
	i = map_slot(m, k);
	if (m->key[i])
		return 1;
	m->key[i] = k;
	m->val[i] = v;
	m->n++;
	return 0;
}

static void map_release(name_map *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

typedef enum { SINK_NONE, SINK_MEMORY, SINK_DIR } sink_kind;

/* A member as MANIFEST.json lists it. */
typedef struct {
	const char *name, *hash; /* in the reader's arena */
	uint64_t size;
	int seen;
} listed_member;

/* A regular entry read before MANIFEST.json, checked once it is read. */
typedef struct {
	const char *name; /* in the reader's arena */
	uint64_t size;
	char hash[HX_HASH_HEX_LEN];
} pending_entry;

typedef struct {
	const char *path;     /* the archive, for messages */
	const char *dir;      /* extract: the target, for messages; else NULL */
	sink_kind sink;
	const char *const *keep; /* SINK_MEMORY: only these members (NULL: all) */
	size_t nkeep;
	const char *tmpdir;   /* SINK_DIR: where the members go */
	hx_archive_contents *out;
	struct archive *a;
	uint64_t file_size, budget, used;
	hx_arena *arena;      /* the manifest's tree, the names kept */
	listed_member *listed;
	size_t nlisted;
	name_map by_name;     /* listed name -> index in listed */
	name_map listed_dirs; /* the directories of listed names */
	name_map seen;        /* regular entries read so far */
	pending_entry *pending;
	size_t npending, pending_cap;
	const char **dirs;    /* directory entries before MANIFEST.json */
	size_t ndirs, dirs_cap;
	char *chunk;
	hx_buf scratch;
} reader;

static int corrupt(reader *r)
{
	hx_error_set("'%s': truncated, corrupt or not a harness archive: %s", r->path,
		     hx_archive_la_msg(r->a, &r->scratch));
	return HX_EINVALID;
}

static int escaping(const reader *r, const char *name)
{
	if (r->dir)
		hx_error_set("'%s': member '%s' would be written outside '%s'", r->path, name, r->dir);
	else
		hx_error_set("'%s': member '%s' would be written outside the directory it is unpacked "
			     "into", r->path, name);
	return HX_EINVALID;
}

/* Charge an entry to the budget before any of its bytes are read: the
 * archive bomb stops here. */
static int spend(reader *r, const char *name, uint64_t size)
{
	char sz[32];
	uint64_t cost = hx_archive_entry_cost(name, size);
	hx_archive_size_str(sz, sizeof(sz), size);
	if (strcmp(name, HX_ARCHIVE_MANIFEST) == 0 && size > HX_ARCHIVE_MANIFEST_MAX) {
		hx_error_set("'%s': %s (%s) is larger than the 16 MiB a manifest may hold: refused "
			     "unread", r->path, HX_ARCHIVE_MANIFEST, sz);
		return HX_EINVALID;
	}
	if (size > HX_ARCHIVE_MEMBER_MAX) {
		hx_error_set("'%s': member '%s' (%s) is larger than the 1 GiB a member may hold: "
			     "refused unread", r->path, name, sz);
		return HX_EINVALID;
	}
	if (cost > r->budget - r->used) {
		hx_buf what = HX_BUF_INIT;
		hx_buf_printf(&what, "member '%s' (%s) takes it", name, sz);
		hx_archive_set_budget_error(r->path, what.ptr, r->file_size);
		hx_buf_release(&what);
		return HX_EINVALID;
	}
	r->used += cost;
	return 0;
}

/* The name a tar entry stands for: "./x" is x (GNU tar's "tar -cf x.tar ."
 * writes "./" first), "." is "" (the top), a directory's '/' is dropped. */
static const char *entry_name(const char *raw, int is_dir, hx_buf *b)
{
	while (raw[0] == '.' && raw[1] == '/')
		raw += 2;
	if (strcmp(raw, ".") == 0)
		raw = "";
	hx_buf_reset(b);
	hx_buf_puts(b, raw);
	if (is_dir)
		while (b->len && b->ptr[b->len - 1] == '/')
			b->ptr[--b->len] = '\0';
	return b->ptr ? b->ptr : "";
}

/* A member that is there, against the manifest: listed, with that size
 * (from its tar header, before it is read) and, when hash is given, that
 * hash. */
static int check_member(reader *r, const char *name, uint64_t size, const char *hash)
{
	const size_t *i = map_get(&r->by_name, name);
	listed_member *m;
	if (!i) {
		hx_error_set("'%s': member '%s' is not listed in the manifest", r->path, name);
		return HX_EMISMATCH;
	}
	m = &r->listed[*i];
	if (size != m->size) {
		hx_error_set("'%s': member '%s' does not match the manifest (size %" PRIu64 " != %" PRIu64
			     ")", r->path, name, size, m->size);
		return HX_EMISMATCH;
	}
	if (hash) {
		if (strcmp(hash, m->hash) != 0) {
			hx_error_set("'%s': member '%s' does not match the manifest (hash %s != %s)",
				     r->path, name, hash, m->hash);
			return HX_EMISMATCH;
		}
		m->seen = 1;
	}
	return 0;
}

/* A directory entry: the top, or a directory a listed member is in. */
static int check_dir(reader *r, const char *name)
{
	if (!*name || map_get(&r->listed_dirs, name))
		return 0;
	hx_error_set("'%s': member '%s/' is not listed in the manifest", r->path, name);
	return HX_EMISMATCH;
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
static int check_self_hash(const char *text, size_t len, const char *path, hx_json *root)
{
	hx_buf canon = HX_BUF_INIT;
	char hex[HX_HASH_HEX_LEN], want[HX_HASH_HEX_LEN];
	const char *h = json_str(root, "manifest_hash");
	size_t i;
	int err = 0;

	hx_canon_serialize(&canon, root);
	hx_buf_putc(&canon, '\n');
	if (canon.len != len || memcmp(canon.ptr, text, len) != 0) {
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
	hx_buf_reset(&canon);
	hx_canon_serialize(&canon, root);
	hx_hash128_buf(hex, canon.ptr, canon.len);
	if (strcmp(hex, want) != 0) {
		hx_error_set("'%s': %s does not match its manifest_hash (%s != %s)", path,
			     HX_ARCHIVE_MANIFEST, hex, want);
		err = HX_EMISMATCH;
	}
done:
	hx_buf_release(&canon);
	return err;
}

/* One entry of the manifest's members list into r->listed. */
static int take_listed(reader *r, const hx_json *m, size_t i, uint64_t *total)
{
	const hx_json *size = hx_json_get(m, "size");
	const char *name = json_str(m, "name"), *hash = json_str(m, "hash");
	listed_member *lm = &r->listed[r->nlisted];
	char sz[32];
	double want;
	size_t k;

	if (!name || !hash || !size || size->type != HX_JSON_NUMBER || (want = size->u.number) < 0)
		goto needs;
	if (strlen(name) > NAME_MAX_LEN || !hx_archive_name_ok(name))
		return escaping(r, name);
	if (want > (double)HX_ARCHIVE_MEMBER_MAX) {
		hx_archive_size_str(sz, sizeof(sz), want >= 1.8e19 ? UINT64_MAX : (uint64_t)want);
		hx_error_set("'%s': %s lists member '%s' at %s, larger than the 1 GiB a member may "
			     "hold: refused unread", r->path, HX_ARCHIVE_MANIFEST, name, sz);
		return HX_EINVALID;
	}
	if (want != (double)(uint64_t)want)
		goto needs;
	if (map_add(&r->by_name, name, r->nlisted)) {
		hx_error_set("'%s': %s lists '%s' twice", r->path, HX_ARCHIVE_MANIFEST, name);
		return HX_EINVALID;
	}
	lm->name = name;
	lm->hash = hash;
	lm->size = (uint64_t)want;
	lm->seen = 0;
	r->nlisted++;
	*total += hx_archive_entry_cost(name, lm->size);
	/* every directory it is in, for the directory entries of a repack */
	for (k = 0; name[k]; k++)
		if (name[k] == '/')
			map_add(&r->listed_dirs, hx_arena_strndup(r->arena, name, k), 0);
	return 0;
needs:
	hx_error_set("'%s': %s: members[%zu] needs a name, a size and a hash", r->path,
		     HX_ARCHIVE_MANIFEST, i);
	return HX_EINVALID;
}

/* MANIFEST.json has been read into r->out: parse and check it, list its
 * members, check the budget they claim, then the entries read before it. */
static int take_manifest(reader *r)
{
	const hx_archive_contents *c = r->out;
	hx_json *root = NULL;
	const hx_json *list;
	hx_json_error jerr;
	const char *format;
	uint64_t total = hx_archive_entry_cost(HX_ARCHIVE_MANIFEST, c->manifest_len);
	size_t i;
	int err;

	if (hx_json_parse(&root, r->arena, c->manifest, c->manifest_len, &jerr) != 0) {
		hx_error_set("'%s': %s:%zu:%zu: %s", r->path, HX_ARCHIVE_MANIFEST, jerr.line,
			     jerr.column, jerr.msg);
		return HX_EINVALID;
	}
	format = json_str(root, "format");
	if (!format || strcmp(format, HX_ARCHIVE_FORMAT) != 0) {
		hx_error_set("'%s': %s is not %s (format %s%s%s)", r->path, HX_ARCHIVE_MANIFEST,
			     HX_ARCHIVE_FORMAT, format ? "'" : "", format ? format : "missing",
			     format ? "'" : "");
		return HX_EINVALID;
	}
	if ((err = check_self_hash(c->manifest, c->manifest_len, r->path, root)) != 0)
		return err;
	list = hx_json_get(root, "members");
	if (!list || list->type != HX_JSON_ARRAY) {
		hx_error_set("'%s': %s has no members list", r->path, HX_ARCHIVE_MANIFEST);
		return HX_EINVALID;
	}
	r->listed = hx_arena_alloc(r->arena, (list->u.array.len + 1) * sizeof(*r->listed));
	for (i = 0; i < list->u.array.len; i++)
		if ((err = take_listed(r, list->u.array.items[i], i, &total)) != 0)
			return err;
	if (total > r->budget) {
		char sz[32];
		hx_buf what = HX_BUF_INIT;
		hx_archive_size_str(sz, sizeof(sz), total);
		hx_buf_printf(&what, "%s lists %s of members,", HX_ARCHIVE_MANIFEST, sz);
		hx_archive_set_budget_error(r->path, what.ptr, r->file_size);
		hx_buf_release(&what);
		return HX_EINVALID;
	}
	for (i = 0; i < r->npending; i++)
		if ((err = check_member(r, r->pending[i].name, r->pending[i].size,
					r->pending[i].hash)) != 0)
			return err;
	for (i = 0; i < r->ndirs; i++)
		if ((err = check_dir(r, r->dirs[i])) != 0)
			return err;
	return 0;
}

/* SINK_DIR: create tmpdir/name (and its directories) for writing. */
static int open_below(reader *r, const char *name, int *fd)
{
	char *full = hx_path_join(r->tmpdir, name), *parent = hx_path_dirname(full);
	int err = hx_mkdirs(parent, 0777);
	if (err) {
		char *why = hx_xstrdup(hx_error_last());
		hx_error_set("'%s': cannot write member '%s' into '%s': %s", r->path, name, r->dir, why);
		free(why);
	} else if ((*fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0) {
		hx_error_set_errno(errno, "'%s': cannot write member '%s' into '%s'", r->path, name,
				   r->dir);
		err = HX_ESYSTEM;
	}
	free(full);
	free(parent);
	return err;
}

static int write_all(const reader *r, int fd, const char *name, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			hx_error_set_errno(w < 0 ? errno : EIO, "'%s': cannot write member '%s' into '%s'",
					   r->path, name, r->dir);
			return HX_ESYSTEM;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Flush fd to disk and close it (closed either way). */
static int close_member(const reader *r, int fd, const char *name)
{
	int e = fsync(fd) != 0 ? errno : 0;
	if (close(fd) != 0 && !e)
		e = errno;
	if (e) {
		hx_error_set_errno(e, "'%s': cannot write member '%s' into '%s'", r->path, name, r->dir);
		return HX_ESYSTEM;
	}
	return 0;
}

/* Whether member name goes to memory (SINK_MEMORY). */
static int keeps(const reader *r, const char *name)
{
	size_t i;
	if (!r->keep)
		return 1;
	for (i = 0; i < r->nkeep; i++)
		if (strcmp(r->keep[i], name) == 0)
			return 1;
	return 0;
}

/* The current entry's size bytes: hashed into hash_out and sent to the sink
 * (for a member) or into *manifest (for MANIFEST.json). */
static int read_member(reader *r, const char *name, uint64_t size, hx_buf *manifest,
		       char hash_out[HX_HASH_HEX_LEN])
{
	hx_hash128 *h = hx_hash128_new();
	hx_buf *mem = manifest;
	uint64_t got = 0;
	int fd = -1, err = 0;

	if (!mem && r->sink == SINK_MEMORY && keeps(r, name)) {
		hx_archive_contents *c = r->out;
		c->names = hx_xrealloc(c->names, (c->n + 1) * sizeof(*c->names));
		c->data = hx_xrealloc(c->data, (c->n + 1) * sizeof(*c->data));
		c->names[c->n] = hx_xstrdup(name);
		hx_buf_init(&c->data[c->n]);
		mem = &c->data[c->n++];
	} else if (!mem && r->sink == SINK_DIR && (err = open_below(r, name, &fd)) != 0) {
		goto done;
	}
	/* the whole member, its NUL and the read that sees the end: no
	 * regrowing (and copying) of large members; size is within budget */
	if (mem)
		hx_buf_grow(mem, (size_t)size + 1);
	for (;;) {
		char *p = mem ? mem->ptr + mem->len : r->chunk;
		size_t room = mem ? mem->cap - mem->len - 1 : CHUNK;
		la_ssize_t n;
		if (mem && room == 0) {
			hx_buf_grow(mem, CHUNK);
			continue;
		}
		if ((n = archive_read_data(r->a, p, room)) < 0) {
			err = corrupt(r);
			goto done;
		}
		if (n == 0)
			break;
		if ((uint64_t)n > size - got) {
			hx_error_set("'%s': member '%s' holds more than its tar header says", r->path, name);
			err = HX_EINVALID;
			goto done;
		}
		got += (uint64_t)n;
		hx_hash128_update(h, p, (size_t)n);
		if (mem) {
			mem->len += (size_t)n;
			mem->ptr[mem->len] = '\0';
		} else if (fd >= 0 && (err = write_all(r, fd, name, p, (size_t)n)) != 0) {
			goto done;
		}
	}
	if (got != size) {
		hx_error_set("'%s': truncated, corrupt or not a harness archive: member '%s' holds "
			     "fewer bytes than its tar header says", r->path, name);
		err = HX_EINVALID;
		goto done;
	}
	if (fd >= 0) {
		err = close_member(r, fd, name);
		fd = -1;
	}
	hx_hash128_hex(h, hash_out);
done:
	if (fd >= 0)
		close(fd);
	hx_hash128_free(h);
	return err;
}

static int take_manifest_entry(reader *r, uint64_t size)
{
	hx_buf text = HX_BUF_INIT;
	char hex[HX_HASH_HEX_LEN];
	int err;
	if (r->out->manifest) {
		hx_error_set("'%s': member '%s' appears twice", r->path, HX_ARCHIVE_MANIFEST);
		return HX_EMISMATCH;
	}
	if ((err = spend(r, HX_ARCHIVE_MANIFEST, size)) != 0 ||
	    (err = read_member(r, HX_ARCHIVE_MANIFEST, size, &text, hex)) != 0) {
		hx_buf_release(&text);
		return err;
	}
	r->out->manifest = hx_buf_detach(&text, &r->out->manifest_len);
	return take_manifest(r);
}

/* A regular entry that is not MANIFEST.json. */
static int take_member(reader *r, const char *name, uint64_t size)
{
	char hex[HX_HASH_HEX_LEN];
	const char *kept;
	int err;

	if ((err = spend(r, name, size)) != 0)
		return err;
	kept = hx_arena_strndup(r->arena, name, strlen(name));
	if (map_add(&r->seen, kept, 0)) {
		hx_error_set("'%s': member '%s' appears twice", r->path, name);
		return HX_EMISMATCH;
	}
	if (r->out->manifest && (err = check_member(r, name, size, NULL)) != 0)
		return err;
	if ((err = read_member(r, name, size, NULL, hex)) != 0)
		return err;
	if (r->out->manifest)
		return check_member(r, name, size, hex);
	if (r->npending == r->pending_cap) {
		r->pending_cap = r->pending_cap ? 2 * r->pending_cap : 16;
		r->pending = hx_xrealloc(r->pending, r->pending_cap * sizeof(*r->pending));
	}
	r->pending[r->npending].name = kept;
	r->pending[r->npending].size = size;
	memcpy(r->pending[r->npending++].hash, hex, HX_HASH_HEX_LEN);
	return 0;
}

static int take_dir(reader *r, const char *name)
{
	int err;
	if ((err = spend(r, name, 0)) != 0)
		return err;
	if (r->out->manifest)
		return check_dir(r, name);
	if (r->ndirs == r->dirs_cap) {
		r->dirs_cap = r->dirs_cap ? 2 * r->dirs_cap : 8;
		r->dirs = hx_xrealloc(r->dirs, r->dirs_cap * sizeof(*r->dirs));
	}
	r->dirs[r->ndirs++] = hx_arena_strndup(r->arena, name, strlen(name));
	return 0;
}

/* One tar entry, by kind. */
static int take_entry(reader *r, struct archive_entry *e, hx_buf *nb)
{
	const char *raw = archive_entry_pathname(e), *name;
	int type = (int)archive_entry_filetype(e);
	la_int64_t size = archive_entry_size(e);

	if (!raw) {
		hx_error_set("'%s': not a harness archive: a member has no name", r->path);
		return HX_EINVALID;
	}
	if (strlen(raw) > NAME_MAX_LEN) {
		hx_error_set("'%s': not a harness archive: a member name is longer than %d bytes",
			     r->path, NAME_MAX_LEN);
		return HX_EINVALID;
	}
	name = entry_name(raw, type == AE_IFDIR, nb);
	if (type == AE_IFDIR) {
		if (*name && !hx_archive_name_ok(name))
			return escaping(r, raw);
		return take_dir(r, name);
	}
	if (type != AE_IFREG || archive_entry_hardlink(e)) {
		hx_error_set("'%s': not a harness archive: member '%s' is not a regular file%s", r->path,
			     raw, archive_entry_hardlink(e) ? " (a hard link: repack with tar "
							       "--hard-dereference)" : "");
		return HX_EINVALID;
	}
	if (!hx_archive_name_ok(name))
		return escaping(r, raw);
	if (!archive_entry_size_is_set(e) || size < 0) {
		hx_error_set("'%s': not a harness archive: member '%s' has no size", r->path, raw);
		return HX_EINVALID;
	}
	if (strcmp(name, HX_ARCHIVE_MANIFEST) == 0)
		return take_manifest_entry(r, (uint64_t)size);
	return take_member(r, name, (uint64_t)size);
}

static int read_entries(reader *r)
{
	struct archive_entry *e;
	hx_buf nb = HX_BUF_INIT;
	size_t i;
	int rc, err = 0;

	while (!err) {
		rc = archive_read_next_header(r->a, &e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
			err = corrupt(r);
		else
			err = take_entry(r, e, &nb);
	}
	hx_buf_release(&nb);
	if (err)
		return err;
	if (!r->out->manifest) {
		hx_error_set("'%s': not a harness archive: no %s", r->path, HX_ARCHIVE_MANIFEST);
		return HX_EINVALID;
	}
	for (i = 0; i < r->nlisted; i++)
		if (!r->listed[i].seen) {
			hx_error_set("'%s': member '%s' is listed in the manifest but missing "
				     "(truncated archive?)", r->path, r->listed[i].name);
			return HX_EMISMATCH;
		}
	return 0;
}

/* Open path and run the reader over it. */
static int run_reader(reader *r, hx_archive_contents *out, const char *path)
{
	struct stat st;
	int fd, err = 0;

	memset(out, 0, sizeof(*out));
	r->path = path;
	r->out = out;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		hx_error_set_errno(e, "cannot open '%s'", path);
		return e == ENOENT ? HX_ENOTFOUND : HX_ESYSTEM;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		hx_error_set("'%s' is not a regular file", path);
		close(fd);
		return HX_EINVALID;
	}
	r->file_size = (uint64_t)st.st_size;
	r->budget = hx_archive_budget(r->file_size);
	r->arena = hx_arena_new();
	r->chunk = hx_xmalloc(CHUNK);
	if (!(r->a = archive_read_new()))
		hx_oom();
	/* what hx_archive_write writes (and plain tar), nothing else */
	archive_read_support_filter_zstd(r->a);
	archive_read_support_filter_gzip(r->a);
	archive_read_support_format_tar(r->a);
	if (archive_read_open_fd(r->a, fd, CHUNK) != ARCHIVE_OK)
		err = corrupt(r);
	else
		err = read_entries(r);
	archive_read_free(r->a);
	close(fd);
	hx_arena_free(r->arena);
	map_release(&r->by_name);
	map_release(&r->listed_dirs);
	map_release(&r->seen);
	free(r->pending);
	free(r->dirs);
	free(r->chunk);
	hx_buf_release(&r->scratch);
	if (err)
		hx_archive_contents_release(out);
	return err;
}

int hx_archive_read(hx_archive_contents *out, const char *path)
{
	reader r;
	memset(&r, 0, sizeof(r));
	r.sink = SINK_MEMORY;
	return run_reader(&r, out, path);
}

int hx_archive_read_some(hx_archive_contents *out, const char *path, const char *const *keep,
			 size_t nkeep)
{
	reader r;
	memset(&r, 0, sizeof(r));
	r.sink = SINK_MEMORY;
	r.keep = keep;
	r.nkeep = nkeep;
	return run_reader(&r, out, path);
}

int hx_archive_verify(hx_archive_contents *out, const char *path)
{
	reader r;
	memset(&r, 0, sizeof(r));
	r.sink = SINK_NONE;
	return run_reader(&r, out, path);
}

int hx_archive_read_into(hx_archive_contents *out, const char *path, const char *tmpdir,
			 const char *dir)
{
	reader r;
	int fd = -1, err;
	memset(&r, 0, sizeof(r));
	r.sink = SINK_DIR;
	r.tmpdir = tmpdir;
	r.dir = dir;
	if ((err = run_reader(&r, out, path)) != 0)
		return err;
	if ((err = open_below(&r, HX_ARCHIVE_MANIFEST, &fd)) != 0 ||
	    (err = write_all(&r, fd, HX_ARCHIVE_MANIFEST, out->manifest, out->manifest_len)) != 0 ||
	    (err = close_member(&r, fd, HX_ARCHIVE_MANIFEST)) != 0) {
		if (fd >= 0 && err)
			close(fd);
		hx_archive_contents_release(out);
	}
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
