/* snapshot.c - snapshot files and the golden gate: check, accept, reject.
 * The specs, `golden status` and the review are in golden.c. */
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
	if (info->engine_hash)
		set(engine, "binary_hash", str(a, info->engine_hash));
	set(engine, "kind", str(a, info->engine_kind));
	if (info->engine_path)
		set(engine, "path", str(a, info->engine_path));
	if (info->toolchain)
		set(engine, "toolchain", str(a, info->toolchain));
	set(engine, "version", str(a, info->engine_version));
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

static void manifest_json(hx_buf *out, const hx_snapshot_info *info)
{
	hx_arena *a = hx_arena_new();
	hx_json *root = manifest_root(a, info, 1), *streams = obj(a, 1);

	set(streams, HX_SNAPSHOT_STREAM, stream_entry(a, info->hash, info->records));
	set(root, "streams", streams);
	hx_canon_serialize(out, root);
	hx_buf_putc(out, '\n');
	hx_arena_free(a);
}

int hx_snapshot_write(const char *dir, const hx_snapshot_info *info, const char *canonical,
		      size_t len)
{
	hx_buf manifest = HX_BUF_INIT;
	char *stream_path = NULL, *manifest_path = NULL;
	int err;

	if ((err = hx_mkdirs(dir, 0777)) != 0)
		return err;
	stream_path = hx_path_join(dir, HX_SNAPSHOT_STREAM);
	manifest_path = hx_path_join(dir, "manifest.json");
	manifest_json(&manifest, info);
	if ((err = hx_file_write_atomic(stream_path, canonical, len)) != 0)
		goto done;
	err = hx_file_write_atomic(manifest_path, manifest.ptr, manifest.len);
done:
	free(stream_path);
	free(manifest_path);
	hx_buf_release(&manifest);
	return err;
}

int hx_snapshot_stream_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0, i;
	static const char ext[] = ".jsonl";

	/* A leading '.' would be a hidden file: hx_dir_mirror skips those. */
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

/* Remove dir's regular *.jsonl files that are not among the streams. */
static int remove_stale(const char *dir, hx_snapshot_stream *s, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	size_t i;
	int err = 0;

	if (!d) {
		hx_error_set_errno(errno, "cannot open directory '%s'", dir);
		return HX_ESYSTEM;
	}
	while (!err && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *path;
		if (len < 6 || strcmp(de->d_name + len - 6, ".jsonl") != 0)
			continue;
		for (i = 0; i < n && strcmp(s[i].name, de->d_name) != 0; i++)
			;
		if (i < n)
			continue;
		path = hx_path_join(dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) != 0 &&
		    errno != ENOENT) {
			hx_error_set_errno(errno, "cannot remove '%s'", path);
			err = HX_ESYSTEM;
		}
		free(path);
	}
	closedir(d);
	return err;
}

int hx_snapshot_write_streams(const char *dir, const hx_snapshot_info *info, hx_snapshot_stream *s,
			      size_t n, char hash_out[HX_HASH_HEX_LEN])
{
	hx_arena *a = NULL;
	hx_json *root, *streams;
	hx_snapshot_stream **sorted = NULL;
	hx_buf manifest = HX_BUF_INIT;
	char *path = NULL, hash[HX_HASH_HEX_LEN];
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
	if ((err = hx_mkdirs(dir, 0777)) != 0)
		return err;
	for (i = 0; i < n; i++) {
		hx_hash128_buf(s[i].hash, s[i].data ? s[i].data : "", s[i].len);
		path = hx_path_join(dir, s[i].name);
		err = hx_file_write_atomic(path, s[i].data ? s[i].data : "", s[i].len);
		free(path);
		path = NULL;
		if (err)
			return err;
	}
	/* A step removed since the last snapshot must not leave its stream. */
	if ((err = remove_stale(dir, s, n)) != 0)
		return err;

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
	path = hx_path_join(dir, "manifest.json");
	if ((err = hx_file_write_atomic(path, manifest.ptr, manifest.len)) == 0 && hash_out)
		memcpy(hash_out, hash, HX_HASH_HEX_LEN);
	free(path);
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

/* Parse dir/manifest.json into *root (arena a). */
static int manifest_parse(hx_json **root, hx_arena *a, const char *path)
{
	hx_buf text = HX_BUF_INIT;
	hx_json_error e;
	int err;

	if ((err = hx_file_read(&text, path)) != 0)
		goto done;
	if (hx_json_parse(root, a, text.ptr, text.len, &e) != 0) {
		hx_error_set("%s:%zu:%zu: %s", path, e.line, e.column, e.msg);
		err = HX_EINVALID;
	}
done:
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

static int manifest_load(hx_snapshot_manifest *m, const char *dir, char *streams_text_hash)
{
	char *path = hx_path_join(dir, "manifest.json");
	hx_arena *a = hx_arena_new();
	hx_json *root = NULL;
	int err;

	memset(m, 0, sizeof(*m));
	if ((err = manifest_parse(&root, a, path)) == 0)
		err = manifest_from_json(m, root, path, streams_text_hash);
	if (err)
		hx_snapshot_manifest_release(m);
	hx_arena_free(a);
	free(path);
	return err;
}

int hx_snapshot_manifest_read(hx_snapshot_manifest *out, const char *dir)
{
	return manifest_load(out, dir, NULL);
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

	if ((err = manifest_parse(&root, a, path)) != 0)
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

const char *hx_golden_verdict_name(hx_golden_verdict v)
{
	switch (v) {
	case HX_GOLDEN_MATCH:
		return "match";
	case HX_GOLDEN_MISMATCH:
		return "mismatch";
	default:
		return "missing";
	}
}

void hx_golden_result_init(hx_golden_result *r)
{
	memset(r, 0, sizeof(*r));
	hx_diff_result_init(&r->diff);
}

void hx_golden_result_release(hx_golden_result *r)
{
	hx_diff_result_release(&r->diff);
}

/* The gate's diff options (zero fields: match by position, no tolerance). */
static void gate_options(hx_diff_options *opt, const char *const *key_fields)
{
	memset(opt, 0, sizeof(*opt));
	opt->key_fields = key_fields;
	opt->max_records = 5;
	opt->max_paths = 8;
	opt->max_value = 60;
	opt->old_label = "golden";
	opt->new_label = "now";
}

/* Diff golden_dir/<stream> with snapshot_dir/<stream>; a side whose
 * manifest does not list the stream (has_old / has_new 0) is empty. */
static int diff_stream_files(hx_diff_result *out, const char *golden_dir, const char *snapshot_dir,
			     const char *stream, const char *const *key_fields, int has_old,
			     int has_new)
{
	hx_buf old_text = HX_BUF_INIT, new_text = HX_BUF_INIT;
	char *old_path = hx_path_join(golden_dir, stream), *new_path = hx_path_join(snapshot_dir, stream);
	hx_diff_options opt;
	int err = 0;

	gate_options(&opt, key_fields);
	if ((has_old && (err = hx_file_read(&old_text, old_path)) != 0) ||
	    (has_new && (err = hx_file_read(&new_text, new_path)) != 0))
		goto done;
	err = hx_diff_jsonl(out, old_text.ptr ? old_text.ptr : "", old_text.len, old_path,
			    new_text.ptr ? new_text.ptr : "", new_text.len, new_path, &opt);
done:
	free(old_path);
	free(new_path);
	hx_buf_release(&old_text);
	hx_buf_release(&new_text);
	return err;
}

int hx_golden_diff_stream(hx_diff_result *out, const char *golden_dir, const char *snapshot_dir,
			  const char *stream, const char *const *key_fields)
{
	hx_snapshot_manifest g, n;
	int err;

	memset(&g, 0, sizeof(g));
	memset(&n, 0, sizeof(n));
	if ((err = hx_snapshot_manifest_read(&g, golden_dir)) != 0 && err != HX_ENOTFOUND)
		goto done;
	if ((err = hx_snapshot_manifest_read(&n, snapshot_dir)) != 0 && err != HX_ENOTFOUND)
		goto done;
	hx_error_clear();
	err = diff_stream_files(out, golden_dir, snapshot_dir, stream, key_fields,
				hx_snapshot_manifest_find(&g, stream) != NULL,
				hx_snapshot_manifest_find(&n, stream) != NULL);
done:
	hx_snapshot_manifest_release(&g);
	hx_snapshot_manifest_release(&n);
	return err;
}

/* The verdict once the golden's hash was read (err: how that went):
 * missing, match, or mismatch (the caller then diffs); a read error other
 * than a missing golden is returned. */
static int settle(hx_golden_result *out, int err, const char *hash)
{
	if (err == HX_ENOTFOUND) {
		out->verdict = HX_GOLDEN_MISSING;
		out->golden_hash[0] = '\0';
		hx_error_clear();
		return 0;
	}
	if (err)
		return err;
	out->verdict = strcmp(out->golden_hash, hash) == 0 ? HX_GOLDEN_MATCH : HX_GOLDEN_MISMATCH;
	return 0;
}

int hx_golden_check_stream(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
			   const char *stream, const char *hash, const char *const *key_fields)
{
	int err = hx_snapshot_read_stream_hash(golden_dir, stream, out->golden_hash, NULL);

	if ((err = settle(out, err, hash)) != 0 || out->verdict != HX_GOLDEN_MISMATCH)
		return err;
	return diff_stream_files(&out->diff, golden_dir, snapshot_dir, stream, key_fields, 1, 1);
}

/* A mismatch between manifests one of which has several streams: the
 * diff of the first stream (by name) whose hash differs. */
static int check_streams_diff(hx_golden_result *out, const char *golden_dir,
			      const char *snapshot_dir)
{
	hx_snapshot_manifest g, n;
	size_t i = 0, j = 0;
	int err;

	if ((err = hx_snapshot_manifest_read(&g, golden_dir)) != 0)
		return err;
	if ((err = hx_snapshot_manifest_read(&n, snapshot_dir)) != 0) {
		hx_snapshot_manifest_release(&g);
		return err;
	}
	/* Both sorted by name: walk the union. */
	while (i < g.n || j < n.n) {
		int c = i == g.n ? 1 : j == n.n ? -1 : strcmp(g.items[i].name, n.items[j].name);
		const char *name = c <= 0 ? g.items[i].name : n.items[j].name;
		if (c == 0 && strcmp(g.items[i].hash, n.items[j].hash) == 0) {
			i++;
			j++;
			continue;
		}
		err = diff_stream_files(&out->diff, golden_dir, snapshot_dir, name,
					strcmp(name, HX_SNAPSHOT_STREAM) == 0 ? hx_telemetry_key_fields
									      : NULL,
					c <= 0, c >= 0);
		break;
	}
	hx_snapshot_manifest_release(&g);
	hx_snapshot_manifest_release(&n);
	return err;
}

/* 1 when dir's manifest has a top-level hash (several streams). */
static int is_multi(const char *dir)
{
	hx_snapshot_manifest m;
	int multi;
	if (hx_snapshot_manifest_read(&m, dir) != 0) {
		hx_error_clear();
		return 0;
	}
	multi = m.hash[0] != '\0';
	hx_snapshot_manifest_release(&m);
	return multi;
}

int hx_golden_check(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
		    const char *hash)
{
	hx_buf old_text = HX_BUF_INIT, new_text = HX_BUF_INIT;
	char *old_path = NULL, *new_path = NULL;
	hx_diff_options opt;
	int err;

	/* Zero fields (match by position, no tolerance) are the gate's contract. */
	gate_options(&opt, hx_telemetry_key_fields);
	err = hx_snapshot_read_hash(golden_dir, out->golden_hash, NULL);
	if ((err = settle(out, err, hash)) != 0 || out->verdict != HX_GOLDEN_MISMATCH)
		return err;
	if (is_multi(golden_dir) || is_multi(snapshot_dir))
		return check_streams_diff(out, golden_dir, snapshot_dir);
	old_path = hx_path_join(golden_dir, HX_SNAPSHOT_STREAM);
	new_path = hx_path_join(snapshot_dir, HX_SNAPSHOT_STREAM);
	if ((err = hx_file_read(&old_text, old_path)) != 0 ||
	    (err = hx_file_read(&new_text, new_path)) != 0)
		goto done;
	err = hx_diff_jsonl(&out->diff, old_text.ptr, old_text.len, old_path, new_text.ptr,
			    new_text.len, new_path, &opt);
done:
	free(old_path);
	free(new_path);
	hx_buf_release(&old_text);
	hx_buf_release(&new_text);
	return err;
}

int hx_golden_accept(const char *snapshot_dir, const char *golden_dir)
{
	char want[HX_HASH_HEX_LEN], got[HX_HASH_HEX_LEN], text_hash[HX_HASH_HEX_LEN];
	hx_snapshot_manifest m;
	char *stream = NULL;
	size_t i;
	int err;

	memset(&m, 0, sizeof(m));
	if ((err = hx_snapshot_read_hash(snapshot_dir, want, NULL)) != 0) {
		if (err == HX_ENOTFOUND)
			hx_error_set("no snapshot in '%s' (run the experiment first)", snapshot_dir);
		goto done;
	}
	if ((err = manifest_load(&m, snapshot_dir, text_hash)) != 0)
		goto done;
	/* Every stream the manifest lists, then (several streams) the
	 * manifest's own hash of them. */
	for (i = 0; i < m.n; i++) {
		stream = hx_path_join(snapshot_dir, m.items[i].name);
		if ((err = hx_hash128_file(got, stream)) != 0)
			goto done;
		if (strcmp(m.items[i].hash, got) != 0) {
			hx_error_set("'%s' does not hash to its manifest (%s, manifest says %s); "
				     "re-run the experiment",
				     stream, got, m.items[i].hash);
			err = HX_EMISMATCH;
			goto done;
		}
		free(stream);
		stream = NULL;
	}
	if (m.hash[0] && strcmp(m.hash, text_hash) != 0) {
		hx_error_set("'%s/manifest.json': its streams do not hash to its \"hash\" (%s, "
			     "manifest says %s); re-run the experiment",
			     snapshot_dir, text_hash, m.hash);
		err = HX_EMISMATCH;
		goto done;
	}
	err = hx_dir_mirror(snapshot_dir, golden_dir);
done:
	hx_snapshot_manifest_release(&m);
	free(stream);
	return err;
}

int hx_golden_reject(const char *snapshot_dir)
{
	DIR *d = NULL;
	struct dirent *de;
	char *path = NULL;
	struct stat st;
	int err = 0;

	if (!hx_is_dir(snapshot_dir)) {
		hx_error_set("no snapshot in '%s' (nothing to reject)", snapshot_dir);
		return HX_ENOTFOUND;
	}
	if (!(d = opendir(snapshot_dir))) {
		hx_error_set_errno(errno, "cannot open directory '%s'", snapshot_dir);
		return HX_ESYSTEM;
	}
	/* Look before removing anything: a directory with subdirectories is not
	 * a snapshot, and half-deleting it would help no one. */
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = hx_path_join(snapshot_dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			hx_error_set("'%s' holds a directory ('%s'): not a snapshot, left alone",
				     snapshot_dir, de->d_name);
			err = HX_EINVALID;
			goto done;
		}
		free(path);
		path = NULL;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = hx_path_join(snapshot_dir, de->d_name);
		if (unlink(path) != 0 && errno != ENOENT) {
			hx_error_set_errno(errno, "cannot remove '%s'", path);
			err = HX_ESYSTEM;
			goto done;
		}
		free(path);
		path = NULL;
	}
	if (rmdir(snapshot_dir) != 0) {
		hx_error_set_errno(errno, "cannot remove '%s'", snapshot_dir);
		err = HX_ESYSTEM;
	}
done:
	if (d)
		closedir(d);
	free(path);
	return err;
}
