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
#include "spec.h"
#include "ydoc.h"

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

static void manifest_json(hx_buf *out, const hx_snapshot_info *info)
{
	hx_arena *a = hx_arena_new();
	hx_json *root = obj(a, 7), *engine = obj(a, 5), *profile = obj(a, 3);
	hx_json *streams = obj(a, 1), *stream = obj(a, 2), *strip, *round;
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
	set(stream, "hash", str(a, info->hash));
	set(stream, "records", hx_json_new_number(a, (double)info->records));
	set(streams, HX_SNAPSHOT_STREAM, stream);
	snprintf(seed, sizeof(seed), "%" PRIu64, info->seed);
	set(root, "engine", engine);
	set(root, "experiment", str(a, info->experiment));
	set(root, "format", str(a, HX_SNAPSHOT_FORMAT));
	set(root, "profile", profile);
	set(root, "seed", str(a, seed));
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

int hx_snapshot_read_hash(const char *dir, char hash[HX_HASH_HEX_LEN], size_t *records)
{
	char *path = hx_path_join(dir, "manifest.json");
	hx_buf text = HX_BUF_INIT;
	hx_arena *a = NULL;
	hx_json *root, *h, *n;
	hx_json_error e;
	int err;

	if ((err = hx_file_read(&text, path)) != 0)
		goto done;
	a = hx_arena_new();
	if (hx_json_parse(&root, a, text.ptr, text.len, &e) != 0) {
		hx_error_set("%s:%zu:%zu: %s", path, e.line, e.column, e.msg);
		err = HX_EINVALID;
		goto done;
	}
	h = hx_json_get(hx_json_get(hx_json_get(root, "streams"), HX_SNAPSHOT_STREAM), "hash");
	n = hx_json_get(hx_json_get(hx_json_get(root, "streams"), HX_SNAPSHOT_STREAM), "records");
	if (!h || h->type != HX_JSON_STRING || h->u.string.len != HX_HASH_HEX_LEN - 1 ||
	    strncmp(h->u.string.ptr, HX_HASH_PREFIX, sizeof(HX_HASH_PREFIX) - 1) != 0) {
		hx_error_set("'%s': no valid streams.\"%s\".hash", path, HX_SNAPSHOT_STREAM);
		err = HX_EINVALID;
		goto done;
	}
	memcpy(hash, h->u.string.ptr, HX_HASH_HEX_LEN);
	if (records)
		*records = n && n->type == HX_JSON_NUMBER ? (size_t)n->u.number : 0;
done:
	hx_arena_free(a);
	hx_buf_release(&text);
	free(path);
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

int hx_golden_check(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
		    const char *hash)
{
	hx_buf old_text = HX_BUF_INIT, new_text = HX_BUF_INIT;
	char *old_path = NULL, *new_path = NULL;
	hx_diff_options opt;
	int err;

	/* Zero fields (match by position, no tolerance) are the gate's contract. */
	memset(&opt, 0, sizeof(opt));
	opt.key_fields = hx_telemetry_key_fields;
	opt.max_records = 5;
	opt.max_paths = 8;
	opt.max_value = 60;
	opt.old_label = "golden";
	opt.new_label = "now";
	err = hx_snapshot_read_hash(golden_dir, out->golden_hash, NULL);
	if (err == HX_ENOTFOUND) {
		out->verdict = HX_GOLDEN_MISSING;
		out->golden_hash[0] = '\0';
		hx_error_clear();
		return 0;
	}
	if (err)
		return err;
	if (strcmp(out->golden_hash, hash) == 0) {
		out->verdict = HX_GOLDEN_MATCH;
		return 0;
	}
	out->verdict = HX_GOLDEN_MISMATCH;
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
	char want[HX_HASH_HEX_LEN], got[HX_HASH_HEX_LEN];
	char *stream = hx_path_join(snapshot_dir, HX_SNAPSHOT_STREAM);
	int err;

	if ((err = hx_snapshot_read_hash(snapshot_dir, want, NULL)) != 0) {
		if (err == HX_ENOTFOUND)
			hx_error_set("no snapshot in '%s' (run the experiment first)", snapshot_dir);
		goto done;
	}
	if ((err = hx_hash128_file(got, stream)) != 0)
		goto done;
	if (strcmp(want, got) != 0) {
		hx_error_set("'%s' does not hash to its manifest (%s, manifest says %s); "
			     "re-run the experiment",
			     stream, got, want);
		err = HX_EMISMATCH;
		goto done;
	}
	err = hx_dir_mirror(snapshot_dir, golden_dir);
done:
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

/* ---- the project's specs ---- */

void hx_golden_specs_init(hx_golden_specs *s)
{
	memset(s, 0, sizeof(*s));
}

static void spec_entry_release(hx_golden_spec *e)
{
	size_t i;
	free(e->path);
	free(e->experiment);
	free(e->golden);
	for (i = 0; i < e->ntags; i++)
		free(e->tags[i]);
	free(e->tags);
	free(e->error);
}

void hx_golden_specs_release(hx_golden_specs *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		spec_entry_release(&s->items[i]);
	free(s->items);
	hx_golden_specs_init(s);
}

typedef struct {
	char **v;
	size_t n, cap;
} strvec;

static void strvec_push(strvec *sv, char *s)
{
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 16;
		sv->v = hx_xrealloc(sv->v, sv->cap * sizeof(char *));
	}
	sv->v[sv->n++] = s;
}

static void strvec_release(strvec *sv)
{
	size_t i;
	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Collect dir's *.yaml files, recursively (symlinked directories are not
 * followed: a link back up would loop). */
static int find_yaml(strvec *out, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	int err = 0;

	if (!d) {
		hx_error_set_errno(errno, "cannot open directory '%s'", dir);
		return errno == ENOENT ? HX_ENOTFOUND : HX_ESYSTEM;
	}
	while (!err && (de = readdir(d)) != NULL) {
		char *path;
		if (de->d_name[0] == '.')
			continue;
		path = hx_path_join(dir, de->d_name);
		if (lstat(path, &st) != 0) {
			free(path);
			continue; /* vanished while we looked */
		}
		if (S_ISDIR(st.st_mode)) {
			err = find_yaml(out, path);
			free(path);
		} else if (ends_with(de->d_name, ".yaml") && stat(path, &st) == 0 &&
			   S_ISREG(st.st_mode)) {
			strvec_push(out, path);
		} else {
			free(path);
		}
	}
	closedir(d);
	return err;
}

/* A spec has `experiment:` at its top level; anything else (models,
 * profiles) is not one. Unparseable YAML might be a broken spec: say so. */
static int looks_like_spec(const char *path, char **why)
{
	hx_ydoc *doc = NULL;
	int is_spec;

	*why = NULL;
	if (hx_ydoc_load(&doc, path) != 0) {
		*why = hx_xstrdup(hx_error_last());
		hx_error_clear();
		return 1;
	}
	is_spec = doc->root && doc->root->type == HX_Y_MAP &&
		  hx_ynode_get(doc->root, "experiment") != NULL;
	hx_ydoc_free(doc);
	return is_spec;
}

int hx_golden_specs_scan(hx_golden_specs *out, const char *dir)
{
	strvec files = {0};
	size_t i, j, cap = 0;
	int err;

	if ((err = find_yaml(&files, dir)) != 0)
		goto done;
	if (files.n > 1)
		qsort(files.v, files.n, sizeof(char *), cmp_str);
	for (i = 0; i < files.n; i++) {
		hx_golden_spec e;
		hx_spec *spec = NULL;
		char *why = NULL;

		if (!looks_like_spec(files.v[i], &why))
			continue;
		memset(&e, 0, sizeof(e));
		e.path = hx_xstrdup(files.v[i]);
		if (why) {
			e.error = why;
		} else if (hx_spec_load(&spec, files.v[i]) != 0) {
			e.error = hx_xstrdup(hx_error_last());
			hx_error_clear();
		} else {
			e.experiment = hx_xstrdup(spec->experiment);
			e.golden = hx_xstrdup(spec->golden);
			e.ntags = spec->ntags;
			e.tags = hx_xcalloc(spec->ntags ? spec->ntags : 1, sizeof(char *));
			for (j = 0; j < spec->ntags; j++)
				e.tags[j] = hx_xstrdup(spec->tags[j]);
			hx_spec_free(spec);
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 8;
			out->items = hx_xrealloc(out->items, cap * sizeof(*out->items));
		}
		out->items[out->n++] = e;
	}
done:
	strvec_release(&files);
	return err;
}

int hx_golden_spec_has_tag(const hx_golden_spec *s, const char *tag)
{
	size_t i;
	for (i = 0; i < s->ntags; i++)
		if (strcmp(s->tags[i], tag) == 0)
			return 1;
	return 0;
}

/* ---- golden status ---- */

const char *hx_golden_state_name(hx_golden_state s)
{
	switch (s) {
	case HX_GOLDEN_STATE_OK:
		return "ok";
	case HX_GOLDEN_STATE_PENDING:
		return "pending";
	case HX_GOLDEN_STATE_NEW:
		return "new";
	case HX_GOLDEN_STATE_MISSING:
		return "missing";
	case HX_GOLDEN_STATE_UNUSED:
		return "unused";
	default:
		return "unreadable";
	}
}

void hx_golden_status_init(hx_golden_status *st)
{
	memset(st, 0, sizeof(*st));
}

void hx_golden_status_release(hx_golden_status *st)
{
	size_t i;
	for (i = 0; i < st->n; i++) {
		hx_golden_entry *e = &st->items[i];
		free(e->name);
		free(e->spec);
		free(e->snapshot_dir);
		free(e->golden_dir);
		free(e->error);
	}
	free(st->items);
	hx_golden_status_init(st);
}

static hx_golden_entry *status_add(hx_golden_status *st, size_t *cap, hx_golden_state state,
				   const char *name)
{
	hx_golden_entry *e;
	if (st->n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		st->items = hx_xrealloc(st->items, *cap * sizeof(*st->items));
	}
	e = &st->items[st->n++];
	memset(e, 0, sizeof(*e));
	e->state = state;
	e->name = hx_xstrdup(name);
	return e;
}

/* "./golden//x/" and "golden/x" name the same directory. */
static char *normalize_path(const char *p)
{
	hx_buf b = HX_BUF_INIT;
	while (p[0] == '.' && p[1] == '/') {
		p += 2;
		while (*p == '/')
			p++;
	}
	for (; *p; p++)
		if (!(*p == '/' && (b.len && b.ptr[b.len - 1] == '/')))
			hx_buf_putc(&b, *p);
	while (b.len > 1 && b.ptr[b.len - 1] == '/')
		b.ptr[--b.len] = '\0';
	return hx_buf_detach(&b, NULL); /* "" when nothing was left */
}

static const hx_golden_spec *spec_for(const hx_golden_specs *specs, const char *experiment)
{
	size_t i;
	for (i = 0; i < specs->n; i++)
		if (specs->items[i].experiment && strcmp(specs->items[i].experiment, experiment) == 0)
			return &specs->items[i];
	return NULL;
}

/* Subdirectory names of root, sorted; none when root does not exist. */
static int list_dirs(strvec *out, const char *root)
{
	DIR *d = opendir(root);
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		hx_error_set_errno(errno, "cannot open directory '%s'", root);
		return HX_ESYSTEM;
	}
	while ((de = readdir(d)) != NULL) {
		char *path;
		if (de->d_name[0] == '.')
			continue;
		path = hx_path_join(root, de->d_name);
		if (hx_is_dir(path))
			strvec_push(out, hx_xstrdup(de->d_name));
		free(path);
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
	return 0;
}

static void add_snapshot(hx_golden_status *st, size_t *cap, const hx_golden_specs *specs,
			 const char *snapshots_root, const char *golden_root, const char *name)
{
	const hx_golden_spec *spec = spec_for(specs, name);
	char *snap = hx_path_join(snapshots_root, name);
	char *gold = spec ? hx_xstrdup(spec->golden) : hx_path_join(golden_root, name);
	char hash[HX_HASH_HEX_LEN], ghash[HX_HASH_HEX_LEN];
	size_t records = 0;
	hx_golden_entry *e;
	int err;

	if ((err = hx_snapshot_read_hash(snap, hash, &records)) != 0) {
		e = status_add(st, cap, HX_GOLDEN_STATE_UNREADABLE, snap);
		e->kind = "snapshot";
		e->error = hx_xstrdup(hx_error_last());
		e->snapshot_dir = snap;
		e->golden_dir = gold;
		hx_error_clear();
		return;
	}
	err = hx_snapshot_read_hash(gold, ghash, NULL);
	if (err && err != HX_ENOTFOUND) {
		e = status_add(st, cap, HX_GOLDEN_STATE_UNREADABLE, gold);
		e->kind = "golden";
		e->error = hx_xstrdup(hx_error_last());
	} else if (err) {
		e = status_add(st, cap, HX_GOLDEN_STATE_NEW, name);
	} else {
		e = status_add(st, cap,
			       strcmp(hash, ghash) == 0 ? HX_GOLDEN_STATE_OK : HX_GOLDEN_STATE_PENDING,
			       name);
		memcpy(e->golden_hash, ghash, sizeof(ghash));
	}
	hx_error_clear();
	memcpy(e->snapshot_hash, hash, sizeof(hash));
	e->snapshot_records = records;
	e->spec = spec ? hx_xstrdup(spec->path) : NULL;
	e->snapshot_dir = snap;
	e->golden_dir = gold;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const hx_golden_entry *a = pa, *b = pb;
	int ua = a->state == HX_GOLDEN_STATE_UNREADABLE, ub = b->state == HX_GOLDEN_STATE_UNREADABLE;
	if (ua != ub)
		return ub - ua;
	return strcmp(a->name, b->name);
}

int hx_golden_status_scan(hx_golden_status *out, const hx_golden_specs *specs,
			  const char *snapshots_root, const char *golden_root)
{
	strvec snaps = {0}, golds = {0}, used = {0};
	size_t i, j, cap = out->n;
	char hash[HX_HASH_HEX_LEN];
	int err;

	if ((err = list_dirs(&snaps, snapshots_root)) != 0 ||
	    (err = list_dirs(&golds, golden_root)) != 0)
		goto done;
	for (i = 0; i < snaps.n; i++)
		add_snapshot(out, &cap, specs, snapshots_root, golden_root, snaps.v[i]);

	for (i = 0; i < specs->n; i++) {
		const hx_golden_spec *s = &specs->items[i];
		hx_golden_entry *e;
		if (s->error) {
			e = status_add(out, &cap, HX_GOLDEN_STATE_UNREADABLE, s->path);
			e->kind = "spec";
			e->spec = hx_xstrdup(s->path);
			e->error = hx_xstrdup(s->error);
			continue;
		}
		strvec_push(&used, normalize_path(s->golden));
		/* One line per experiment: the first spec by path speaks for it,
		 * and a snapshot already says "new". */
		if (spec_for(specs, s->experiment) != s)
			continue;
		for (j = 0; j < snaps.n && strcmp(snaps.v[j], s->experiment) != 0; j++)
			;
		if (j < snaps.n)
			continue;
		err = hx_snapshot_read_hash(s->golden, hash, NULL);
		if (err == HX_ENOTFOUND) {
			e = status_add(out, &cap, HX_GOLDEN_STATE_MISSING, s->experiment);
			e->spec = hx_xstrdup(s->path);
			e->golden_dir = hx_xstrdup(s->golden);
		} else if (err) {
			e = status_add(out, &cap, HX_GOLDEN_STATE_UNREADABLE, s->golden);
			e->kind = "golden";
			e->spec = hx_xstrdup(s->path);
			e->golden_dir = hx_xstrdup(s->golden);
			e->error = hx_xstrdup(hx_error_last());
		}
		err = 0;
		hx_error_clear();
	}

	for (i = 0; i < golds.n; i++) {
		char *dir = hx_path_join(golden_root, golds.v[i]), *norm = normalize_path(dir);
		for (j = 0; j < used.n && strcmp(used.v[j], norm) != 0; j++)
			;
		if (j == used.n) {
			hx_golden_entry *e = status_add(out, &cap, HX_GOLDEN_STATE_UNUSED, dir);
			e->golden_dir = hx_xstrdup(dir);
			if (hx_snapshot_read_hash(dir, e->golden_hash, NULL) != 0)
				e->golden_hash[0] = '\0';
			hx_error_clear();
		}
		free(norm);
		free(dir);
	}
	if (out->n > 1)
		qsort(out->items, out->n, sizeof(*out->items), cmp_entry);
done:
	strvec_release(&snaps);
	strvec_release(&golds);
	strvec_release(&used);
	return err;
}

const hx_golden_entry *hx_golden_status_find(const hx_golden_status *st, const char *name)
{
	size_t i;
	for (i = 0; i < st->n; i++) {
		const hx_golden_entry *e = &st->items[i];
		if (e->snapshot_dir && e->state != HX_GOLDEN_STATE_UNREADABLE &&
		    strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

void hx_golden_entry_format(hx_buf *out, const hx_golden_entry *e)
{
	if (e->state == HX_GOLDEN_STATE_UNREADABLE) {
		hx_buf_printf(out, "unreadable %s %s: %s\n", e->kind, e->name, e->error);
		return;
	}
	hx_buf_printf(out, "%-9s %s", hx_golden_state_name(e->state), e->name);
	switch (e->state) {
	case HX_GOLDEN_STATE_PENDING:
		hx_buf_printf(out, "  (snapshot %s != golden %s)", e->snapshot_hash, e->golden_hash);
		break;
	case HX_GOLDEN_STATE_NEW:
		hx_buf_puts(out, "  (no golden yet)");
		break;
	case HX_GOLDEN_STATE_MISSING:
		hx_buf_printf(out, "  (spec %s has no golden)", e->spec);
		break;
	case HX_GOLDEN_STATE_UNUSED:
		hx_buf_puts(out, "  (no spec refers to it)");
		break;
	default:
		break;
	}
	hx_buf_putc(out, '\n');
}

void hx_golden_status_format(hx_buf *out, const hx_golden_status *st)
{
	size_t i;
	for (i = 0; i < st->n; i++)
		hx_golden_entry_format(out, &st->items[i]);
}

static void json_member(hx_buf *out, const char *key, const char *value, int first)
{
	if (!first)
		hx_buf_putc(out, ',');
	hx_canon_write_cstr(out, key);
	hx_buf_putc(out, ':');
	if (value)
		hx_canon_write_cstr(out, value);
	else
		hx_buf_puts(out, "null");
}

void hx_golden_status_format_json(hx_buf *out, const hx_golden_status *st)
{
	size_t i;
	hx_buf_puts(out, "{\"entries\":[");
	for (i = 0; i < st->n; i++) {
		const hx_golden_entry *e = &st->items[i];
		if (i)
			hx_buf_putc(out, ',');
		/* Keys in RFC 8785 order, like every JSON the harness writes. */
		hx_buf_putc(out, '{');
		json_member(out, "error", e->error, 1);
		json_member(out, "golden", e->golden_dir, 0);
		json_member(out, "golden_hash", e->golden_hash[0] ? e->golden_hash : NULL, 0);
		json_member(out, "kind", e->state == HX_GOLDEN_STATE_UNREADABLE ? e->kind : NULL, 0);
		json_member(out, "name", e->name, 0);
		json_member(out, "snapshot", e->snapshot_dir, 0);
		json_member(out, "snapshot_hash", e->snapshot_hash[0] ? e->snapshot_hash : NULL, 0);
		json_member(out, "spec", e->spec, 0);
		json_member(out, "state", hx_golden_state_name(e->state), 0);
		hx_buf_putc(out, '}');
	}
	hx_buf_puts(out, "]}\n");
}

/* ---- the interactive review ---- */

static int read_key(FILE *keys)
{
	int c;
	do
		c = fgetc(keys);
	while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
	return c;
}

/* The whole of what the reviewer decides on: the status line, then what
 * accepting would create (new) or the full diff (every record; the
 * incidental paths still folded). */
static void review_text(hx_buf *out, const hx_golden_entry *e)
{
	hx_golden_result g;
	hx_diff_style style;

	hx_golden_entry_format(out, e);
	if (e->state == HX_GOLDEN_STATE_NEW) {
		hx_buf_printf(out, "  accepting creates %s with %zu records (%s)\n", e->golden_dir,
			      e->snapshot_records, e->snapshot_hash);
		return;
	}
	hx_golden_result_init(&g);
	if (hx_golden_check(&g, e->golden_dir, e->snapshot_dir, e->snapshot_hash) != 0) {
		hx_buf_printf(out, "  (no diff: %s)\n", hx_error_last());
		hx_error_clear();
	} else if (g.verdict == HX_GOLDEN_MISMATCH) {
		hx_buf_printf(out, "  %zu records in golden, %zu in the snapshot; %zu compared: "
				   "%zu changed, %zu added, %zu removed\n",
			      g.diff.old_records, g.diff.new_records, g.diff.compared, g.diff.changed,
			      g.diff.added, g.diff.removed);
		memset(&style, 0, sizeof(style));
		style.indent = "  ";
		style.grouped = 1;
		style.max_value = 60;
		hx_diff_format_summary(out, &g.diff, &style);
		hx_diff_format_records(out, &g.diff, &style);
	}
	hx_golden_result_release(&g);
}

static void review_show(FILE *term, const hx_golden_entry *e, hx_golden_pager pager, void *ctx)
{
	hx_buf text = HX_BUF_INIT;
	review_text(&text, e);
	/* A pager that cannot run leaves the text to the terminal. */
	if (!pager || pager(ctx, text.ptr, text.len) != 0)
		fwrite(text.ptr, 1, text.len, term);
	hx_buf_release(&text);
}

static void review_failed(hx_golden_review_counts *out, FILE *term, int err)
{
	fprintf(term, "  error: %s\n", hx_error_last());
	hx_error_clear();
	out->failed++;
	if (!out->err)
		out->err = err;
}

int hx_golden_review(hx_golden_review_counts *out, const hx_golden_status *st, FILE *keys,
		     FILE *term, hx_golden_pager pager, void *pager_ctx)
{
	size_t i, todo = 0;
	int quit = 0, err;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < st->n; i++)
		if (st->items[i].state == HX_GOLDEN_STATE_PENDING ||
		    st->items[i].state == HX_GOLDEN_STATE_NEW)
			todo++;
	if (!todo) {
		fputs("nothing to review: no pending or new snapshots\n", term);
		goto done;
	}
	for (i = 0; i < st->n; i++) {
		const hx_golden_entry *e = &st->items[i];
		int c;
		if (e->state != HX_GOLDEN_STATE_PENDING && e->state != HX_GOLDEN_STATE_NEW)
			continue;
		if (quit) {
			out->skipped++;
			continue;
		}
		review_show(term, e, pager, pager_ctx);
		for (;;) {
			fputs("accept, reject, skip or quit? [a/r/s/q] ", term);
			fflush(term);
			c = read_key(keys);
			if (c == EOF || (c != '\0' && strchr("arsqARSQ", c)))
				break;
			fputs("?\n  a = accept into golden, r = reject (delete the snapshot), "
			      "s = skip, q = quit\n",
			      term);
		}
		switch (c == EOF ? 'q' : c | 0x20) {
		case 'a':
			fputs("accept\n", term);
			if ((err = hx_golden_accept(e->snapshot_dir, e->golden_dir)) != 0) {
				review_failed(out, term, err);
			} else {
				fprintf(term, "  accepted: %s -> %s\n", e->snapshot_dir, e->golden_dir);
				out->accepted++;
			}
			break;
		case 'r':
			fputs("reject\n", term);
			if ((err = hx_golden_reject(e->snapshot_dir)) != 0) {
				review_failed(out, term, err);
			} else {
				fprintf(term, "  rejected: removed %s (%s unchanged)\n", e->snapshot_dir,
					e->golden_dir);
				out->rejected++;
			}
			break;
		case 's':
			fputs("skip\n", term);
			out->skipped++;
			break;
		default:
			fputs(c == EOF ? "(end of input) quit\n" : "quit\n", term);
			quit = 1;
			out->skipped++;
			break;
		}
	}
	fprintf(term, "review: %zu accepted, %zu rejected, %zu skipped", out->accepted,
		out->rejected, out->skipped);
	if (out->failed)
		fprintf(term, ", %zu failed", out->failed);
	fputc('\n', term);
done:
	if (fflush(term) != 0 || ferror(term)) {
		hx_error_set("cannot write the review");
		return HX_ESYSTEM;
	}
	return 0;
}
