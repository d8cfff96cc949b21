/* snapshot.c - snapshot directories: writing them as a unit, reading their
 * manifests. The golden gate is in golden_gate.c; the specs, `golden
 * status` and the review in golden.c. */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "snapshot_internal.h"

const char *const hx_telemetry_key_fields[] = {"tier", "module_name", NULL};

static hx_json *obj(hx_arena *a, size_t n)
{
	hx_json *o = hx_json_new(a, HX_JSON_OBJECT);
	o->u.object.members = hx_arena_alloc(a, (n ? n : 1) * sizeof(hx_json_member));
	o->u.object.len = 0;
	return o;
}

static void set(hx_json *o, const char *key, hx_json *v)
{
	hx_json_member *m = &o->u.object.members[o->u.object.len++];
	m->key = key;
	m->key_len = strlen(key);
	m->value = v;
}

static hx_json *str(hx_arena *a, const char *s)
{
	return hx_json_new_string(a, s, strlen(s));
}

/* The manifest's members but "streams" (and "hash"): room for `extra` more. */
static hx_json *manifest_root(hx_arena *a, const hx_snapshot_info *info, size_t extra)
{
	hx_json *root = obj(a, 6 + extra), *engine = obj(a, 5), *profile = obj(a, 3);
	hx_json *strip, *round;
	const hx_canon_profile *p = info->profile;
	char seed[24];
	size_t i;

	/* Members in RFC 8785 order already; the serializer sorts anyway. */
	if (info->engine.hash)
		set(engine, "binary_hash", str(a, info->engine.hash));
	set(engine, "kind", str(a, info->engine.kind));
	if (info->engine.path)
		set(engine, "path", str(a, info->engine.path));
	if (info->engine.toolchain)
		set(engine, "toolchain", str(a, info->engine.toolchain));
	set(engine, "version", str(a, info->engine.version));
	strip = hx_json_new(a, HX_JSON_ARRAY);
	strip->u.array.items = hx_arena_alloc(a, (p->nstrip + 1) * sizeof(hx_json *));
	strip->u.array.len = p->nstrip;
	for (i = 0; i < p->nstrip; i++)
		strip->u.array.items[i] = str(a, p->strip[i]);
	round = obj(a, p->nround);
	for (i = 0; i < p->nround; i++)
		set(round, p->round[i].path, hx_json_new_number(a, p->round[i].decimals));
	set(profile, "name", str(a, p->name ? p->name : "none"));
	set(profile, "round", round);
	set(profile, "strip", strip);
	snprintf(seed, sizeof(seed), "%" PRIu64, info->seed);
	set(root, "engine", engine);
	set(root, "experiment", str(a, info->experiment));
	set(root, "format", str(a, HX_SNAPSHOT_FORMAT));
	set(root, "profile", profile);
	set(root, "seed", str(a, seed));
	return root;
}

static hx_json *stream_entry(hx_arena *a, const char *hash, size_t records)
{
	hx_json *stream = obj(a, 2);
	set(stream, "hash", str(a, hash));
	set(stream, "records", hx_json_new_number(a, (double)records));
	return stream;
}

void hx_snapshot_manifest_format(hx_buf *out, const hx_snapshot_info *info)
{
	hx_arena *a = hx_arena_new();
	hx_json *root = manifest_root(a, info, 1), *streams = obj(a, 1);

	set(streams, HX_SNAPSHOT_STREAM, stream_entry(a, info->hash, info->records));
	set(root, "streams", streams);
	hx_canon_serialize(out, root);
	hx_buf_putc(out, '\n');
	hx_arena_free(a);
}

/* A file of a snapshot directory that is no part of the snapshot: kept
 * when the directory is replaced (see snapshot_internal.h). */
static int is_extra(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && strcmp(name, "manifest.json") != 0 && !hx_is_temp_name(name) &&
	       !(n >= 6 && strcmp(name + n - 6, ".jsonl") == 0);
}

/* Refuse a dir with a subdirectory (when dir exists). */
static int check_flat(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	int err = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		hx_error_set_errno(errno, "cannot open directory '%s'", dir);
		return HX_ESYSTEM;
	}
	while (!err && (de = readdir(d)) != NULL) {
		char *path;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = hx_path_join(dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			hx_error_set("'%s' holds a directory ('%s'): not a snapshot, left alone", dir,
				     de->d_name);
			err = HX_EINVALID;
		}
		free(path);
	}
	closedir(d);
	return err;
}

/* Copy from's extra files into to; name its temp files in a notice. */
static int copy_extras(const char *from, const char *to)
{
	DIR *d = opendir(from);
	struct dirent *de;
	struct stat st;
	hx_buf data = HX_BUF_INIT;
	int err = 0;

	if (!d)
		return 0; /* nothing there yet */
	while (!err && (de = readdir(d)) != NULL) {
		char *src = hx_path_join(from, de->d_name), *dst;
		if (lstat(src, &st) != 0 || !S_ISREG(st.st_mode) || de->d_name[0] == '.') {
			free(src);
			continue;
		}
		if (hx_is_temp_name(de->d_name))
			hx_notice("left out '%s': a temp file an interrupted write left", src);
		if (is_extra(de->d_name)) {
			dst = hx_path_join(to, de->d_name);
			hx_buf_reset(&data);
			if ((err = hx_file_read(&data, src)) == 0)
				err = hx_file_write_atomic(dst, data.ptr, data.len);
			free(dst);
		}
		free(src);
	}
	closedir(d);
	hx_buf_release(&data);
	return err;
}

int hx_snapshot_replace_dir(const char *dir, const char *extras_from, const hx_snapshot_file *files,
			    size_t n)
{
	hx_atomic_dir ad;
	size_t i;
	int err;

	memset(&ad, 0, sizeof(ad));
	if ((err = check_flat(dir)) != 0 || (err = hx_atomic_dir_open(&ad, dir)) != 0)
		return err;
	for (i = 0; i < n && !err; i++) {
		char *path = hx_path_join(ad.tmp, files[i].name);
		err = !files[i].data && files[i].from
			      ? hx_file_link_or_copy(files[i].from, path)
			      : hx_file_write_atomic(path, files[i].data, files[i].len);
		free(path);
	}
	if (!err)
		err = copy_extras(extras_from, ad.tmp);
	if (err) {
		hx_atomic_dir_abort(&ad);
		return err;
	}
	return hx_atomic_dir_commit(&ad);
}

int hx_snapshot_write(const char *dir, const hx_snapshot_info *info, const char *canonical,
		      size_t len)
{
	return hx_snapshot_write_from(dir, info, canonical, len, NULL);
}

int hx_snapshot_write_from(const char *dir, const hx_snapshot_info *info, const char *canonical,
			   size_t len, const char *canonical_path)
{
	hx_buf manifest = HX_BUF_INIT;
	hx_snapshot_file files[2];
	int err;

	memset(files, 0, sizeof(files));
	hx_snapshot_manifest_format(&manifest, info);
	files[0].name = HX_SNAPSHOT_STREAM;
	files[0].data = canonical_path ? NULL : canonical;
	files[0].len = len;
	files[0].from = canonical_path;
	files[1].name = "manifest.json";
	files[1].data = manifest.ptr;
	files[1].len = manifest.len;
	err = hx_snapshot_replace_dir(dir, dir, files, 2);
	hx_buf_release(&manifest);
	return err;
}

int hx_snapshot_stream_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0, i;
	static const char ext[] = ".jsonl";

	/* A leading '.' would be a hidden file, which copies of a snapshot skip. */
	if (n <= sizeof(ext) - 1 || name[0] == '.' || strcmp(name + n - (sizeof(ext) - 1), ext) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int cmp_stream_ptr(const void *pa, const void *pb)
{
	const hx_snapshot_stream *a = *(const hx_snapshot_stream *const *)pa;
	const hx_snapshot_stream *b = *(const hx_snapshot_stream *const *)pb;
	return strcmp(a->name, b->name);
}

/* The RFC 8785 text of a "streams" object, and its hash. */
static void streams_hash(const hx_json *streams, char out[HX_HASH_HEX_LEN])
{
	hx_buf text = HX_BUF_INIT;
	hx_canon_serialize(&text, streams);
	hx_hash128_buf(out, text.ptr ? text.ptr : "", text.len);
	hx_buf_release(&text);
}

int hx_snapshot_write_streams(const char *dir, const hx_snapshot_info *info, hx_snapshot_stream *s,
			      size_t n, char hash_out[HX_HASH_HEX_LEN])
{
	hx_arena *a = NULL;
	hx_json *root, *streams;
	hx_snapshot_stream **sorted = NULL;
	hx_buf manifest = HX_BUF_INIT;
	hx_snapshot_file *files;
	char hash[HX_HASH_HEX_LEN];
	size_t i, j;
	int err;

	for (i = 0; i < n; i++) {
		if (!hx_snapshot_stream_name_ok(s[i].name)) {
			hx_error_set("stream name '%s' is not valid (use letters, digits, '.', '_' "
				     "and '-', not starting with '.', ending in .jsonl)",
				     s[i].name ? s[i].name : "(null)");
			return HX_EINVALID;
		}
		for (j = 0; j < i; j++)
			if (strcmp(s[i].name, s[j].name) == 0) {
				hx_error_set("stream '%s' is given twice", s[i].name);
				return HX_EINVALID;
			}
	}
	for (i = 0; i < n; i++)
		hx_hash128_buf(s[i].hash, s[i].data ? s[i].data : "", s[i].len);
	a = hx_arena_new();
	sorted = hx_xcalloc(n ? n : 1, sizeof(*sorted));
	for (i = 0; i < n; i++)
		sorted[i] = &s[i];
	if (n > 1)
		qsort(sorted, n, sizeof(*sorted), cmp_stream_ptr);
	streams = obj(a, n);
	for (i = 0; i < n; i++)
		set(streams, sorted[i]->name, stream_entry(a, sorted[i]->hash, sorted[i]->records));
	streams_hash(streams, hash);
	root = manifest_root(a, info, 2);
	set(root, "hash", str(a, hash));
	set(root, "streams", streams);
	hx_canon_serialize(&manifest, root);
	hx_buf_putc(&manifest, '\n');
	/* The new directory has only these streams: a step removed since the
	 * last snapshot leaves nothing behind. */
	files = hx_xcalloc(n + 1, sizeof(*files));
	for (i = 0; i < n; i++) {
		files[i].name = s[i].name;
		files[i].data = s[i].data ? s[i].data : "";
		files[i].len = s[i].len;
	}
	files[n].name = "manifest.json";
	files[n].data = manifest.ptr;
	files[n].len = manifest.len;
	if ((err = hx_snapshot_replace_dir(dir, dir, files, n + 1)) == 0 && hash_out)
		memcpy(hash_out, hash, HX_HASH_HEX_LEN);
	free(files);
	free(sorted);
	hx_buf_release(&manifest);
	hx_arena_free(a);
	return err;
}

static int valid_hash(const hx_json *h)
{
	return h && h->type == HX_JSON_STRING && h->u.string.len == HX_HASH_HEX_LEN - 1 &&
	       strncmp(h->u.string.ptr, HX_HASH_PREFIX, sizeof(HX_HASH_PREFIX) - 1) == 0;
}

/* 1 when dir holds a stream (*.jsonl) or a temp file: what a snapshot
 * write leaves before its manifest. */
static int has_streams(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;
	if (!d)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		found = de->d_name[0] != '.' &&
			((n > 6 && strcmp(de->d_name + n - 6, ".jsonl") == 0) ||
			 hx_is_temp_name(de->d_name));
	}
	closedir(d);
	return found;
}

/* Parse dir/manifest.json into *root (arena a). The manifest is written
 * last (into a directory that then replaces the old one as a unit), so a
 * directory with streams and no manifest is one an older harness or a
 * hand left half written: incomplete, and said so. */
static int manifest_parse(hx_json **root, hx_arena *a, const char *dir)
{
	char *path = hx_path_join(dir, "manifest.json");
	hx_buf text = HX_BUF_INIT;
	hx_json_error e;
	int err;

	if ((err = hx_file_read(&text, path)) != 0) {
		if (err == HX_ENOTFOUND && has_streams(dir)) {
			hx_error_set("'%s' is incomplete: streams without a manifest.json (an "
				     "interrupted write); write it again (run the experiment, or "
				     "accept its snapshot)",
				     dir);
			err = HX_EINVALID;
		}
		goto done;
	}
	if (hx_json_parse(root, a, text.ptr, text.len, &e) != 0) {
		hx_error_set("%s:%zu:%zu: %s", path, e.line, e.column, e.msg);
		err = HX_EINVALID;
	}
done:
	free(path);
	hx_buf_release(&text);
	return err;
}

void hx_snapshot_manifest_release(hx_snapshot_manifest *m)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		free(m->items[i].name);
	free(m->items);
	memset(m, 0, sizeof(*m));
}

static int cmp_entry_name(const void *pa, const void *pb)
{
	return strcmp(((const hx_snapshot_entry *)pa)->name, ((const hx_snapshot_entry *)pb)->name);
}

/* Fill m from a parsed manifest; streams_text_hash (may be NULL) gets the
 * hash of the streams object's RFC 8785 text. */
static int manifest_from_json(hx_snapshot_manifest *m, const hx_json *root, const char *path,
			      char *streams_text_hash)
{
	const hx_json *streams = hx_json_get(root, "streams"), *top = hx_json_get(root, "hash");
	size_t i;

	memset(m, 0, sizeof(*m));
	if (top) {
		if (!valid_hash(top)) {
			hx_error_set("'%s': the top-level \"hash\" is not a valid hash", path);
			return HX_EINVALID;
		}
		memcpy(m->hash, top->u.string.ptr, HX_HASH_HEX_LEN);
	}
	if (!streams || streams->type != HX_JSON_OBJECT) {
		hx_error_set("'%s': no \"streams\" object", path);
		return HX_EINVALID;
	}
	m->items = hx_xcalloc(streams->u.object.len ? streams->u.object.len : 1, sizeof(*m->items));
	for (i = 0; i < streams->u.object.len; i++) {
		const hx_json_member *mb = &streams->u.object.members[i];
		const hx_json *h = hx_json_get(mb->value, "hash"), *r = hx_json_get(mb->value, "records");
		hx_snapshot_entry *e = &m->items[m->n];
		e->name = hx_xmalloc(mb->key_len + 1);
		memcpy(e->name, mb->key, mb->key_len);
		e->name[mb->key_len] = '\0';
		m->n++;
		if (strlen(e->name) != mb->key_len || !hx_snapshot_stream_name_ok(e->name)) {
			hx_error_set("'%s': stream name '%s' is not valid", path, e->name);
			return HX_EINVALID;
		}
		if (!valid_hash(h)) {
			hx_error_set("'%s': no valid streams.\"%s\".hash", path, e->name);
			return HX_EINVALID;
		}
		memcpy(e->hash, h->u.string.ptr, HX_HASH_HEX_LEN);
		e->records = r && r->type == HX_JSON_NUMBER && r->u.number >= 0 ? (size_t)r->u.number : 0;
	}
	if (m->n > 1)
		qsort(m->items, m->n, sizeof(*m->items), cmp_entry_name);
	if (streams_text_hash)
		streams_hash(streams, streams_text_hash);
	return 0;
}

int hx_snapshot_manifest_load(hx_snapshot_manifest *m, const char *dir, char *streams_text_hash)
{
	char *path = hx_path_join(dir, "manifest.json");
	hx_arena *a = hx_arena_new();
	hx_json *root = NULL;
	int err;

	memset(m, 0, sizeof(*m));
	if ((err = manifest_parse(&root, a, dir)) == 0)
		err = manifest_from_json(m, root, path, streams_text_hash);
	if (err)
		hx_snapshot_manifest_release(m);
	hx_arena_free(a);
	free(path);
	return err;
}

int hx_snapshot_manifest_read(hx_snapshot_manifest *out, const char *dir)
{
	return hx_snapshot_manifest_load(out, dir, NULL);
}

const hx_snapshot_entry *hx_snapshot_manifest_find(const hx_snapshot_manifest *m,
						    const char *stream)
{
	size_t i;
	for (i = 0; i < m->n; i++)
		if (strcmp(m->items[i].name, stream) == 0)
			return &m->items[i];
	return NULL;
}

int hx_snapshot_read_hash(const char *dir, char hash[HX_HASH_HEX_LEN], size_t *records)
{
	char *path = hx_path_join(dir, "manifest.json");
	hx_arena *a = hx_arena_new();
	hx_json *root, *h, *n, *streams;
	size_t i, total = 0;
	int err;

	if ((err = manifest_parse(&root, a, dir)) != 0)
		goto done;
	if ((h = hx_json_get(root, "hash")) != NULL) {
		/* Several streams (hx_snapshot_write_streams): the snapshot's hash. */
		if (!valid_hash(h)) {
			hx_error_set("'%s': the top-level \"hash\" is not a valid hash", path);
			err = HX_EINVALID;
			goto done;
		}
		memcpy(hash, h->u.string.ptr, HX_HASH_HEX_LEN);
		streams = hx_json_get(root, "streams");
		for (i = 0; streams && streams->type == HX_JSON_OBJECT && i < streams->u.object.len;
		     i++) {
			n = hx_json_get(streams->u.object.members[i].value, "records");
			if (n && n->type == HX_JSON_NUMBER && n->u.number >= 0)
				total += (size_t)n->u.number;
		}
		if (records)
			*records = total;
		goto done;
	}
	h = hx_json_get(hx_json_get(hx_json_get(root, "streams"), HX_SNAPSHOT_STREAM), "hash");
	n = hx_json_get(hx_json_get(hx_json_get(root, "streams"), HX_SNAPSHOT_STREAM), "records");
	if (!valid_hash(h)) {
		hx_error_set("'%s': no valid streams.\"%s\".hash", path, HX_SNAPSHOT_STREAM);
		err = HX_EINVALID;
		goto done;
	}
	memcpy(hash, h->u.string.ptr, HX_HASH_HEX_LEN);
	if (records)
		*records = n && n->type == HX_JSON_NUMBER ? (size_t)n->u.number : 0;
done:
	hx_arena_free(a);
	free(path);
	return err;
}

int hx_snapshot_read_stream_hash(const char *dir, const char *stream, char hash[HX_HASH_HEX_LEN],
				 size_t *records)
{
	hx_snapshot_manifest m;
	const hx_snapshot_entry *e;
	int err;

	if ((err = hx_snapshot_manifest_read(&m, dir)) != 0)
		return err;
	if (!(e = hx_snapshot_manifest_find(&m, stream))) {
		hx_error_set("'%s': no stream '%s' in the manifest", dir, stream);
		err = HX_ENOTFOUND;
	} else {
		memcpy(hash, e->hash, HX_HASH_HEX_LEN);
		if (records)
			*records = e->records;
	}
	hx_snapshot_manifest_release(&m);
	return err;
}

