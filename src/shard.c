/* shard.c - shards of one plan and their manifests (shard.h). */
#include "shard.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"

static int parse_ulong(const char *s, size_t len, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;
	if (len == 0 || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int hx_shard_parse(hx_shard *out, const char *text)
{
	const char *slash = text ? strchr(text, '/') : NULL;
	hx_shard s = {0, 0};
	if (!slash || parse_ulong(text, (size_t)(slash - text), &s.k) != 0 ||
	    parse_ulong(slash + 1, strlen(slash + 1), &s.n) != 0 || s.n == 0 || s.k >= s.n) {
		hx_error_set("'--shard' takes K/N, shard K (0-based) of N, 0 <= K < N: '%s'",
			     text ? text : "");
		return HX_EINVALID;
	}
	*out = s;
	return 0;
}

size_t hx_shard_tasks(size_t plan_n, const hx_shard *s)
{
	if (s->n == 0)
		return plan_n;
	return plan_n > s->k ? (plan_n - s->k + s->n - 1) / s->n : 0;
}

void hx_shard_manifest_release(hx_shard_manifest *m)
{
	free(m->experiment);
	free(m->spec);
	hx_engine_id_release(&m->engine);
	memset(m, 0, sizeof(*m));
}

static void put_str(hx_buf *b, const char *key, const char *v)
{
	hx_buf_putc(b, ',');
	hx_canon_write_cstr(b, key);
	hx_buf_putc(b, ':');
	if (v)
		hx_canon_write_cstr(b, v);
	else
		hx_buf_puts(b, "null");
}

static void put_num(hx_buf *b, const char *key, double v)
{
	hx_buf_putc(b, ',');
	hx_canon_write_cstr(b, key);
	hx_buf_putc(b, ':');
	hx_canon_write_number(b, v);
}

int hx_shard_manifest_write(const char *dir, const hx_shard_manifest *m)
{
	hx_buf raw = HX_BUF_INIT, line = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	char seed[24], *path = hx_path_join(dir, HX_SHARD_MANIFEST);
	int err;

	snprintf(seed, sizeof(seed), "%" PRIu64, m->seed);
	hx_buf_puts(&raw, "{\"format\":");
	hx_canon_write_cstr(&raw, HX_SHARD_FORMAT);
	put_str(&raw, "experiment", m->experiment);
	put_str(&raw, "spec", m->spec);
	put_str(&raw, "spec_hash", m->spec_hash);
	put_str(&raw, "seed", seed);
	put_num(&raw, "plan_size", (double)m->plan_size);
	put_num(&raw, "shard", (double)m->shard.k);
	put_num(&raw, "shards", (double)m->shard.n);
	put_num(&raw, "first", (double)m->shard.k);
	put_num(&raw, "stride", (double)m->shard.n);
	put_num(&raw, "tasks", (double)m->tasks);
	put_num(&raw, "records", (double)m->records);
	hx_buf_puts(&raw, m->complete ? ",\"complete\":true" : ",\"complete\":false");
	put_num(&raw, "attempts", (double)m->attempts);
	hx_buf_puts(&raw, ",\"engine\":{\"kind\":");
	if (m->engine.kind)
		hx_canon_write_cstr(&raw, m->engine.kind);
	else
		hx_buf_puts(&raw, "null");
	put_str(&raw, "version", m->engine.version);
	put_str(&raw, "path", m->engine.path);
	put_str(&raw, "hash", m->engine.hash);
	put_str(&raw, "toolchain", m->engine.toolchain);
	hx_buf_puts(&raw, "}}");
	if ((err = hx_canon_line(&line, arena, raw.ptr, raw.len, NULL, path, 1)) == 0)
		err = hx_file_write_atomic(path, line.ptr, line.len);
	hx_buf_release(&raw);
	hx_buf_release(&line);
	hx_arena_free(arena);
	free(path);
	return err;
}

static char *opt_str(const hx_json *o, const char *key)
{
	const hx_json *v = hx_json_get(o, key);
	return v && v->type == HX_JSON_STRING ? hx_xstrdup(v->u.string.ptr) : NULL;
}

static int get_count(const hx_json *o, const char *key, size_t *out)
{
	const hx_json *v = hx_json_get(o, key);
	if (!v || v->type != HX_JSON_NUMBER || v->u.number < 0 || v->u.number > 9.0e15 ||
	    v->u.number != (double)(uint64_t)v->u.number)
		return -1;
	*out = (size_t)v->u.number;
	return 0;
}

int hx_shard_manifest_read(hx_shard_manifest *m, const char *dir)
{
	hx_buf text = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	hx_json *root = NULL;
	hx_json_error je;
	const hx_json *fmt, *seed, *complete, *engine;
	char *path = hx_path_join(dir, HX_SHARD_MANIFEST), *end = NULL;
	const char *bad = NULL;
	size_t k = 0, n = 0, first = 0, stride = 0, attempts = 0;
	int err;

	memset(m, 0, sizeof(*m));
	if ((err = hx_file_read(&text, path)) == HX_ENOTFOUND) {
		hx_error_set("'%s' is not a shard: there is no '%s'", dir, path);
		goto done;
	}
	if (err)
		goto done;
	if (hx_json_parse(&root, arena, text.ptr ? text.ptr : "", text.len, &je) != 0) {
		hx_error_set("%s:%zu:%zu: %s", path, je.line, je.column, je.msg);
		err = HX_EINVALID;
		goto done;
	}
	fmt = hx_json_get(root, "format");
	seed = hx_json_get(root, "seed");
	complete = hx_json_get(root, "complete");
	engine = hx_json_get(root, "engine");
	m->experiment = opt_str(root, "experiment");
	m->spec = opt_str(root, "spec");
	if (!fmt || fmt->type != HX_JSON_STRING || strcmp(fmt->u.string.ptr, HX_SHARD_FORMAT) != 0)
		bad = "format";
	else if (!m->experiment)
		bad = "experiment";
	else if (!hx_json_get(root, "spec_hash") ||
		 hx_json_get(root, "spec_hash")->type != HX_JSON_STRING ||
		 strlen(hx_json_get(root, "spec_hash")->u.string.ptr) != HX_HASH_HEX_LEN - 1)
		bad = "spec_hash";
	else if (!seed || seed->type != HX_JSON_STRING || !seed->u.string.ptr[0] ||
		 (errno = 0, m->seed = strtoull(seed->u.string.ptr, &end, 10), *end || errno))
		bad = "seed";
	else if (get_count(root, "plan_size", &m->plan_size))
		bad = "plan_size";
	else if (get_count(root, "shards", &n) || n == 0)
		bad = "shards";
	else if (get_count(root, "shard", &k) || k >= n)
		bad = "shard";
	else if (get_count(root, "first", &first) || first != k)
		bad = "first";
	else if (get_count(root, "stride", &stride) || stride != n)
		bad = "stride";
	else if (get_count(root, "tasks", &m->tasks))
		bad = "tasks";
	else if (get_count(root, "records", &m->records) || m->records > m->tasks)
		bad = "records";
	else if (!complete || (complete->type != HX_JSON_TRUE && complete->type != HX_JSON_FALSE))
		bad = "complete";
	else if (get_count(root, "attempts", &attempts))
		bad = "attempts";
	else if (!engine || engine->type != HX_JSON_OBJECT || !hx_json_get(engine, "kind") ||
		 hx_json_get(engine, "kind")->type != HX_JSON_STRING)
		bad = "engine";
	if (bad) {
		hx_error_set("%s: not a shard manifest: its \"%s\" is missing or wrong", path, bad);
		err = HX_EINVALID;
		goto done;
	}
	snprintf(m->spec_hash, sizeof(m->spec_hash), "%s", hx_json_get(root, "spec_hash")->u.string.ptr);
	m->shard.k = (unsigned long)k;
	m->shard.n = (unsigned long)n;
	m->complete = complete->type == HX_JSON_TRUE;
	m->attempts = (unsigned long)attempts;
	m->engine.kind = opt_str(engine, "kind");
	m->engine.version = opt_str(engine, "version");
	m->engine.path = opt_str(engine, "path");
	m->engine.hash = opt_str(engine, "hash");
	m->engine.toolchain = opt_str(engine, "toolchain");
	if (m->tasks != hx_shard_tasks(m->plan_size, &m->shard)) {
		hx_error_set("%s: not a shard manifest: shard %lu of %lu of a %zu-task plan has %zu "
			     "tasks, not %zu", path, m->shard.k, m->shard.n, m->plan_size,
			     hx_shard_tasks(m->plan_size, &m->shard), m->tasks);
		err = HX_EINVALID;
	}
done:
	if (err)
		hx_shard_manifest_release(m);
	hx_buf_release(&text);
	hx_arena_free(arena);
	free(path);
	return err;
}
