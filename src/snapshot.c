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
