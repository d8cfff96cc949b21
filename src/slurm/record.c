/* record.c - the files of a Slurm run: the scripts, submit.json, jobs.json,
 * and what the shard manifests say. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "slurm/slurm.h"
#include "slurm/slurm_internal.h"

/* ---- building JSON documents (serialized canonically, one line) ---- */

typedef struct {
	hx_arena *a;
	hx_json *obj;
	size_t cap;
} obj_builder;

static void ob_init(obj_builder *b, hx_arena *a, size_t cap)
{
	b->a = a;
	b->cap = cap;
	b->obj = hx_json_new(a, HX_JSON_OBJECT);
	b->obj->u.object.members = hx_arena_alloc(a, cap * sizeof(hx_json_member));
	b->obj->u.object.len = 0;
}

static void ob_put(obj_builder *b, const char *key, hx_json *v)
{
	hx_json_member *m = &b->obj->u.object.members[b->obj->u.object.len++];
	m->key = key;
	m->key_len = strlen(key);
	m->value = v;
}

static hx_json *js_str(hx_arena *a, const char *s)
{
	return s ? hx_json_new_string(a, s, strlen(s)) : hx_json_new(a, HX_JSON_NULL);
}

static hx_json *js_int_or_null(hx_arena *a, int v)
{
	return v > 0 ? hx_json_new_number(a, v) : hx_json_new(a, HX_JSON_NULL);
}

static hx_json *js_int_array(hx_arena *a, const int *v, size_t n)
{
	hx_json *arr = hx_json_new(a, HX_JSON_ARRAY);
	size_t i;
	arr->u.array.items = hx_arena_alloc(a, (n ? n : 1) * sizeof(hx_json *));
	arr->u.array.len = n;
	for (i = 0; i < n; i++)
		arr->u.array.items[i] = hx_json_new_number(a, v[i]);
	return arr;
}

static int write_json(const char *path, const hx_json *doc)
{
	hx_buf b = HX_BUF_INIT;
	int err;
	hx_canon_serialize(&b, doc);
	hx_buf_putc(&b, '\n');
	err = hx_file_write_atomic(path, b.ptr, b.len);
	hx_buf_release(&b);
	return err;
}

static int read_json(hx_json **out, hx_arena *a, hx_buf *text, const char *path)
{
	hx_json_error jerr;
	int err = hx_file_read(text, path);
	if (err)
		return err;
	if (hx_json_parse(out, a, text->ptr, text->len, &jerr) != 0) {
		hx_error_set("%s:%zu:%zu: %s", path, jerr.line, jerr.column, jerr.msg);
		return HX_EINVALID;
	}
	if ((*out)->type != HX_JSON_OBJECT) {
		hx_error_set("%s: not a JSON object", path);
		return HX_EINVALID;
	}
	return 0;
}

/* A string member (or null: *out stays NULL). */
static int get_str(char **out, const hx_json *obj, const char *key, int required, const char *path)
{
	const hx_json *v = hx_json_get(obj, key);
	if ((!v || v->type == HX_JSON_NULL) && !required)
		return 0;
	if (!v || v->type != HX_JSON_STRING) {
		hx_error_set("%s: '%s' is not a string", path, key);
		return HX_EINVALID;
	}
	*out = hx_xstrdup(v->u.string.ptr);
	return 0;
}

static int get_int(int *out, const hx_json *obj, const char *key, int required, const char *path)
{
	const hx_json *v = hx_json_get(obj, key);
	if ((!v || v->type == HX_JSON_NULL) && !required) {
		*out = 0;
		return 0;
	}
	if (!v || v->type != HX_JSON_NUMBER || v->u.number < 0 || v->u.number > 1e9 ||
	    v->u.number != floor(v->u.number)) {
		hx_error_set("%s: '%s' is not a count", path, key);
		return HX_EINVALID;
	}
	*out = (int)v->u.number;
	return 0;
}

/* ---- the scripts and submit.json ---- */

char *hx_slurm_path(const char *run, const char *file)
{
	hx_buf b = HX_BUF_INIT;
	hx_buf_printf(&b, "%s/slurm/%s", run, file);
	return hx_buf_detach(&b, NULL);
}

/* Executable from the moment it has its name: the mode is set on the
 * temp file, before the rename. */
static int write_script(const char *path, const hx_buf *text)
{
	hx_atomic_file f;
	int err = hx_atomic_open(&f, path);
	if (err)
		return err;
	if (fwrite(text->ptr, 1, text->len, f.fp) != text->len || fchmod(fileno(f.fp), 0755) != 0) {
		hx_error_set_errno(errno, "cannot write '%s'", path);
		hx_atomic_abort(&f);
		return HX_ESYSTEM;
	}
	return hx_atomic_commit(&f);
}

int hx_slurm_write(const hx_slurm_job *j)
{
	hx_buf text = HX_BUF_INIT;
	hx_arena *a = NULL;
	char *dir = NULL, *path = NULL;
	obj_builder b;
	int err;

	if ((err = hx_slurm_job_check(j)) != 0)
		return err;
	dir = hx_path_join(j->run, "slurm");
	if ((err = hx_mkdirs(dir, 0777)) != 0)
		goto done;
	free(dir);
	dir = hx_path_join(j->run, "shards");
	if ((err = hx_mkdirs(dir, 0777)) != 0)
		goto done;

	path = hx_slurm_path(j->run, "shard.sbatch");
	hx_slurm_shard_script(&text, j);
	if ((err = write_script(path, &text)) != 0)
		goto done;
	free(path);
	hx_buf_reset(&text);
	path = hx_slurm_path(j->run, "merge.sbatch");
	hx_slurm_merge_script(&text, j);
	if ((err = write_script(path, &text)) != 0)
		goto done;

	a = hx_arena_new();
	ob_init(&b, a, 16);
	ob_put(&b, "format", hx_json_new_number(a, 1));
	ob_put(&b, "spec", js_str(a, j->spec));
	ob_put(&b, "experiment", js_str(a, j->experiment));
	ob_put(&b, "shards", hx_json_new_number(a, j->shards));
	ob_put(&b, "seed", js_str(a, j->seed));
	ob_put(&b, "partition", js_str(a, j->partition));
	ob_put(&b, "time", js_str(a, j->time));
	ob_put(&b, "mem", js_str(a, j->mem));
	ob_put(&b, "account", js_str(a, j->account));
	ob_put(&b, "cpus_per_task", js_int_or_null(a, j->cpus_per_task));
	ob_put(&b, "max_parallel", js_int_or_null(a, j->max_parallel));
	ob_put(&b, "harness", js_str(a, j->harness));
	ob_put(&b, "cwd", js_str(a, j->cwd));
	ob_put(&b, "run", js_str(a, j->run));
	free(path);
	path = hx_slurm_path(j->run, "submit.json");
	err = write_json(path, b.obj);
done:
	hx_arena_free(a);
	hx_buf_release(&text);
	free(dir);
	free(path);
	return err;
}

int hx_slurm_load(hx_slurm_job *out, const char *run)
{
	hx_buf text = HX_BUF_INIT;
	hx_arena *a = hx_arena_new();
	hx_json *doc = NULL;
	char *path = hx_slurm_path(run, "submit.json");
	int err, format = 0;

	hx_slurm_job_init(out);
	if (!hx_path_exists(path)) {
		hx_error_set("'%s' is not a harness slurm run (no '%s')", run, path);
		err = HX_ENOTFOUND;
		goto done;
	}
	if ((err = read_json(&doc, a, &text, path)) != 0)
		goto done;
	if ((err = get_int(&format, doc, "format", 1, path)) != 0)
		goto done;
	if (format != 1) {
		hx_error_set("%s: format %d is not one this harness reads", path, format);
		err = HX_EINVALID;
		goto done;
	}
	if ((err = get_str(&out->spec, doc, "spec", 1, path)) != 0 ||
	    (err = get_str(&out->experiment, doc, "experiment", 1, path)) != 0 ||
	    (err = get_int(&out->shards, doc, "shards", 1, path)) != 0 ||
	    (err = get_str(&out->seed, doc, "seed", 0, path)) != 0 ||
	    (err = get_str(&out->partition, doc, "partition", 0, path)) != 0 ||
	    (err = get_str(&out->time, doc, "time", 0, path)) != 0 ||
	    (err = get_str(&out->mem, doc, "mem", 0, path)) != 0 ||
	    (err = get_str(&out->account, doc, "account", 0, path)) != 0 ||
	    (err = get_int(&out->cpus_per_task, doc, "cpus_per_task", 0, path)) != 0 ||
	    (err = get_int(&out->max_parallel, doc, "max_parallel", 0, path)) != 0 ||
	    (err = get_str(&out->harness, doc, "harness", 1, path)) != 0 ||
	    (err = get_str(&out->cwd, doc, "cwd", 1, path)) != 0 ||
	    (err = get_str(&out->run, doc, "run", 1, path)) != 0)
		goto done;
	if ((err = hx_slurm_job_check(out)) != 0) {
		hx_error_set("%s: %s", path, hx_error_last());
		goto done;
	}
done:
	hx_arena_free(a);
	hx_buf_release(&text);
	free(path);
	return err;
}

/* ---- shard manifests ---- */

/* Whole lines in a file, read in chunks (a partial telemetry file can be
 * large). */
static int count_lines(unsigned long *out, const char *path)
{
	char chunk[65536];
	size_t n, i;
	FILE *fp = fopen(path, "rb");
	*out = 0;
	if (!fp) {
		if (errno == ENOENT)
			return 0;
		hx_error_set_errno(errno, "cannot open '%s'", path);
		return hx_error_from_errno(errno);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		for (i = 0; i < n; i++)
			*out += chunk[i] == '\n';
	fclose(fp);
	return 0;
}

int hx_slurm_shard_read(hx_slurm_shard *out, const char *run, int k)
{
	hx_buf text = HX_BUF_INIT, p = HX_BUF_INIT;
	hx_arena *a = NULL;
	hx_json *doc = NULL;
	const hx_json *v;
	int err = 0, n;

	memset(out, 0, sizeof(*out));
	hx_buf_printf(&p, "%s/shards/%d/telemetry.jsonl.partial", run, k);
	out->partial = hx_path_exists(p.ptr);
	hx_buf_reset(&p);
	hx_buf_printf(&p, "%s/shards/%d/shard.json", run, k);
	if (!hx_path_exists(p.ptr)) {
		out->state = HX_SLURM_SHARD_NONE;
		goto done;
	}
	a = hx_arena_new();
	if ((err = read_json(&doc, a, &text, p.ptr)) != 0)
		goto done;
	v = hx_json_get(doc, "complete");
	if (!v || (v->type != HX_JSON_TRUE && v->type != HX_JSON_FALSE)) {
		hx_error_set("%s: 'complete' is not true or false", p.ptr);
		err = HX_EINVALID;
		goto done;
	}
	out->state = v->type == HX_JSON_TRUE ? HX_SLURM_SHARD_DONE : HX_SLURM_SHARD_STARTED;
	if ((err = get_int(&n, doc, "tasks", 0, p.ptr)) != 0)
		goto done;
	out->tasks = (unsigned long)n;
	if ((err = get_int(&n, doc, "attempts", 0, p.ptr)) != 0)
		goto done;
	out->attempts = (unsigned long)n;
	if (out->state == HX_SLURM_SHARD_DONE) {
		if ((err = get_int(&n, doc, "records", 0, p.ptr)) != 0)
			goto done;
		out->records = (unsigned long)n;
	} else if (out->partial) {
		hx_buf_reset(&p);
		hx_buf_printf(&p, "%s/shards/%d/telemetry.jsonl.partial", run, k);
		err = count_lines(&out->records, p.ptr);
	}
done:
	hx_arena_free(a);
	hx_buf_release(&text);
	hx_buf_release(&p);
	return err;
}

/* The merge is finished when its summary is written and the archive its
 * run state names (if any) exists: a merge stopped between the two is
 * finished by merging again. */
int hx_slurm_merged_done(const hx_slurm_job *j)
{
	hx_buf p = HX_BUF_INIT, text = HX_BUF_INIT;
	hx_arena *a = NULL;
	hx_json *doc = NULL;
	const hx_json *archive;
	int done;

	hx_buf_printf(&p, "%s/merged/summary.txt", j->run);
	done = hx_path_exists(p.ptr);
	hx_buf_reset(&p);
	hx_buf_printf(&p, "%s/merged/.run-state.json", j->run);
	if (done && hx_path_exists(p.ptr)) {
		a = hx_arena_new();
		if (read_json(&doc, a, &text, p.ptr) == 0 &&
		    (archive = hx_json_get(doc, "archive")) != NULL && archive->type == HX_JSON_STRING) {
			char *path = hx_path_join(j->cwd, archive->u.string.ptr);
			done = hx_path_exists(path);
			free(path);
		}
		hx_error_clear();
	}
	hx_arena_free(a);
	hx_buf_release(&text);
	hx_buf_release(&p);
	return done;
}

void hx_slurm_todo_release(hx_slurm_todo *t)
{
	free(t->shards);
	memset(t, 0, sizeof(*t));
}

int hx_slurm_todo_get(hx_slurm_todo *out, const hx_slurm_job *j)
{
	hx_slurm_shard sh;
	int k, err;

	memset(out, 0, sizeof(*out));
	out->shards = malloc((size_t)j->shards * sizeof(int));
	if (!out->shards)
		abort();
	for (k = 0; k < j->shards; k++) {
		if ((err = hx_slurm_shard_read(&sh, j->run, k)) != 0) {
			hx_slurm_todo_release(out);
			return err;
		}
		if (sh.state != HX_SLURM_SHARD_DONE)
			out->shards[out->nshards++] = k;
	}
	out->merge = out->nshards > 0 || !hx_slurm_merged_done(j);
	return 0;
}

/* ---- jobs.json ---- */

void hx_slurm_submission_release(hx_slurm_submission *s)
{
	free(s->array_job);
	free(s->merge_job);
	free(s->shards);
	free(s->submitted);
	memset(s, 0, sizeof(*s));
}

void hx_slurm_history_release(hx_slurm_history *h)
{
	size_t i;
	for (i = 0; i < h->len; i++)
		hx_slurm_submission_release(&h->v[i]);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

static int read_submission(hx_slurm_submission *s, const hx_json *o, const char *path)
{
	const hx_json *arr;
	size_t i;
	int err;
	if (o->type != HX_JSON_OBJECT) {
		hx_error_set("%s: a submission is not an object", path);
		return HX_EINVALID;
	}
	if ((err = get_str(&s->array_job, o, "array_job", 0, path)) != 0 ||
	    (err = get_str(&s->merge_job, o, "merge_job", 0, path)) != 0 ||
	    (err = get_str(&s->submitted, o, "submitted", 0, path)) != 0)
		return err;
	arr = hx_json_get(o, "shards");
	if (!arr || arr->type != HX_JSON_ARRAY) {
		hx_error_set("%s: 'shards' is not an array", path);
		return HX_EINVALID;
	}
	s->shards = malloc((arr->u.array.len ? arr->u.array.len : 1) * sizeof(int));
	if (!s->shards)
		abort();
	for (i = 0; i < arr->u.array.len; i++) {
		const hx_json *v = arr->u.array.items[i];
		if (v->type != HX_JSON_NUMBER || v->u.number < 0 || v->u.number >= HX_SLURM_SHARDS_MAX ||
		    v->u.number != floor(v->u.number)) {
			hx_error_set("%s: 'shards' holds something that is not a shard index", path);
			return HX_EINVALID;
		}
		s->shards[s->nshards++] = (int)v->u.number;
	}
	return 0;
}

int hx_slurm_history_load(hx_slurm_history *out, const char *run)
{
	hx_buf text = HX_BUF_INIT;
	hx_arena *a = NULL;
	hx_json *doc = NULL;
	const hx_json *subs;
	char *path = hx_slurm_path(run, "jobs.json");
	size_t i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!hx_path_exists(path))
		goto done;
	a = hx_arena_new();
	if ((err = read_json(&doc, a, &text, path)) != 0)
		goto done;
	subs = hx_json_get(doc, "submissions");
	if (!subs || subs->type != HX_JSON_ARRAY) {
		hx_error_set("%s: 'submissions' is not an array", path);
		err = HX_EINVALID;
		goto done;
	}
	out->v = calloc(subs->u.array.len ? subs->u.array.len : 1, sizeof(*out->v));
	if (!out->v)
		abort();
	for (i = 0; i < subs->u.array.len; i++) {
		out->len++;
		if ((err = read_submission(&out->v[i], subs->u.array.items[i], path)) != 0)
			goto done;
	}
done:
	if (err)
		hx_slurm_history_release(out);
	hx_arena_free(a);
	hx_buf_release(&text);
	free(path);
	return err;
}

int hx_slurm_history_append(const char *run, const hx_slurm_submission *s)
{
	hx_slurm_history h;
	hx_arena *a = NULL;
	hx_json *subs;
	obj_builder doc;
	char *path = NULL;
	size_t i;
	int err;

	if ((err = hx_slurm_history_load(&h, run)) != 0)
		return err;
	a = hx_arena_new();
	subs = hx_json_new(a, HX_JSON_ARRAY);
	subs->u.array.items = hx_arena_alloc(a, (h.len + 1) * sizeof(hx_json *));
	subs->u.array.len = h.len + 1;
	for (i = 0; i <= h.len; i++) {
		const hx_slurm_submission *e = i < h.len ? &h.v[i] : s;
		obj_builder o;
		ob_init(&o, a, 4);
		ob_put(&o, "array_job", js_str(a, e->array_job));
		ob_put(&o, "merge_job", js_str(a, e->merge_job));
		ob_put(&o, "shards", js_int_array(a, e->shards, e->nshards));
		ob_put(&o, "submitted", js_str(a, e->submitted));
		subs->u.array.items[i] = o.obj;
	}
	ob_init(&doc, a, 2);
	ob_put(&doc, "format", hx_json_new_number(a, 1));
	ob_put(&doc, "submissions", subs);
	path = hx_slurm_path(run, "jobs.json");
	err = write_json(path, doc.obj);
	free(path);
	hx_arena_free(a);
	hx_slurm_history_release(&h);
	return err;
}

void hx_slurm_utc_now(char out[32])
{
	time_t now = time(NULL);
	struct tm tmv;
	gmtime_r(&now, &tmv);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv);
}
