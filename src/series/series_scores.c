/* series/series_scores.c - a scores step: pass 1 of a threshold
 * calibration (series_run.h). Each sample keeps its score and label only,
 * in plan order, whatever the worker count. */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "plan.h"
#include "pool.h"
#include "series/csv.h"
#include "series/series_run.h"
#include "threshold/sim_monitor.h"
#include "threshold/threshold.h"

#define OUT_KEEP 65536 /* bytes of a command engine's stdout kept: its last line is read */
#define ERR_KEEP 4096  /* and of its stderr (for the reason) */

typedef struct {
	int ok;
	int positive;
	double score;
	char *error;
} sample_slot;

typedef struct {
	const hx_series_spec *s;
	const hx_series_step *st;
	const char *step_name;
	char *step_dir;
	size_t n;
	sample_slot *slots;
	const atomic_int *cancel;
	hx_progress progress;
	hx_buf *table, *csv;
	atomic_size_t failed;
} scores_ctx;

typedef struct {
	const scores_ctx *c;
	char sample[24], seed[24];
} sample_vars;

static uint64_t sample_seed(const scores_ctx *c, size_t i)
{
	return hx_plan_seed(c->s->seed, c->s->experiment, c->step_name, (uint64_t)i);
}

static const char *lookup(void *ctx, const char *name, size_t n)
{
	sample_vars *v = ctx;
	const hx_series_step *st = v->c->st;
	size_t i;
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(name, lit, n) == 0)
	if (IS("sample"))
		return v->sample;
	if (IS("seed"))
		return v->seed;
	if (IS("step_dir"))
		return v->c->step_dir;
	if (IS("experiment"))
		return v->c->s->experiment;
	if (IS("step"))
		return v->c->step_name;
	if (IS("root"))
		return v->c->s->engine.root ? v->c->s->engine.root : v->c->s->dir;
#undef IS
	for (i = 0; i < st->nvars; i++)
		if (strlen(st->var_names[i]) == n && memcmp(st->var_names[i], name, n) == 0)
			return st->var_values[i];
	return NULL;
}

/* The last nonblank line of a stream's capture: [*line, *line + *len). */
static int last_nonblank(const hx_buf *b, const char **line, size_t *len)
{
	size_t end = b->len, start;
	while (end > 0 && (b->ptr[end - 1] == '\n' || b->ptr[end - 1] == '\r' ||
			   b->ptr[end - 1] == ' ' || b->ptr[end - 1] == '\t'))
		end--;
	if (!end)
		return 0;
	start = end;
	while (start > 0 && b->ptr[start - 1] != '\n')
		start--;
	*line = b->ptr + start;
	*len = end - start;
	return 1;
}

/* A command engine's sample: run it, read its last line of output. */
static int run_command(scores_ctx *c, size_t i, sample_slot *slot)
{
	hx_score_fields f = {c->st->score_field, c->st->label_field, c->st->positive};
	hx_proc_result pr;
	hx_buf why = HX_BUF_INIT;
	sample_vars v;
	char *prog = NULL;
	const char *line;
	size_t len;
	int err;

	v.c = c;
	snprintf(v.sample, sizeof(v.sample), "%zu", i);
	snprintf(v.seed, sizeof(v.seed), "%" PRIu64, sample_seed(c, i));
	hx_proc_result_init(&pr);
	err = hx_series_exec(&pr, &prog, c->s, c->st, lookup, &v, OUT_KEEP, c->cancel);
	if (!err) {
		hx_series_exit_reason(&why, &pr, prog, c->st->timeout_s,
				      c->s->engine.memory_limit_mb);
		if (!why.len && !last_nonblank(&pr.out, &line, &len))
			hx_buf_puts(&why, "no output (one JSON line with the score and label)");
		else if (!why.len &&
			 hx_score_line(&f, NULL, line, len, &slot->score, &slot->positive) != 0)
			hx_buf_printf(&why, "its last line of output: %s", hx_error_last());
		hx_series_reason_tail(&why, &pr);
		slot->ok = why.len == 0;
		if (!slot->ok)
			slot->error = hx_buf_detach(&why, NULL);
	}
	hx_error_clear();
	hx_buf_release(&why);
	hx_proc_result_release(&pr);
	free(prog);
	return err;
}

static int run_one(void *ctx, size_t i, int worker)
{
	scores_ctx *c = ctx;
	sample_slot *slot = &c->slots[i];
	char name[32];
	int err = 0;

	snprintf(name, sizeof(name), "sample %zu", i);
	hx_progress_begin(&c->progress, worker, name, HX_TIER_BALANCED, hx_progress_now());
	if (strcmp(c->s->engine.kind, "sim-monitor") == 0) {
		slot->score = hx_sim_monitor_sample(&c->s->engine.monitor, sample_seed(c, i),
						    &slot->positive);
		slot->ok = 1;
	} else {
		err = run_command(c, i, slot);
	}
	if (!err && !slot->ok)
		atomic_fetch_add(&c->failed, 1);
	hx_progress_end(&c->progress, worker);
	return err;
}

static int flush_samples(void *ctx, size_t from, size_t to)
{
	scores_ctx *c = ctx;
	size_t i;
	for (i = from; i < to; i++) {
		const sample_slot *slot = &c->slots[i];
		uint64_t seed = sample_seed(c, i);
		hx_buf *b = c->table;
		hx_buf_puts(b, "{\"error\":");
		if (slot->ok)
			hx_buf_puts(b, "null");
		else
			hx_canon_write_cstr(b, slot->error);
		hx_buf_printf(b, ",\"label\":%s,\"sample\":%zu,\"score\":",
			      !slot->ok ? "null" : slot->positive ? "true" : "false", i);
		if (slot->ok)
			hx_canon_write_number(b, slot->score);
		else
			hx_buf_puts(b, "null");
		hx_buf_printf(b, ",\"seed\":\"%" PRIu64 "\",\"status\":\"%s\"}\n", seed,
			      slot->ok ? "ok" : "failed");
		/* CSV: sample,seed,score,label,status,error */
		b = c->csv;
		hx_buf_printf(b, "%zu,%" PRIu64 ",", i, seed);
		if (slot->ok) {
			hx_series_csv_number(b, slot->score);
			hx_buf_printf(b, ",%s,ok,\n", slot->positive ? "true" : "false");
		} else {
			hx_buf_puts(b, ",,failed,");
			hx_series_csv_string(b, slot->error);
			hx_buf_putc(b, '\n');
		}
	}
	return 0;
}

static void tick_samples(void *ctx, size_t done)
{
	scores_ctx *c = ctx;
	double t = hx_progress_now();
	if (hx_progress_tick(&c->progress, done, t) && done < c->n) {
		char extra[48] = "";
		size_t f = atomic_load(&c->failed);
		if (f)
			snprintf(extra, sizeof(extra), "failed=%zu", f);
		hx_progress_print(&c->progress, done, t, extra);
	}
}

int hx_series_step_scores(const hx_series_spec *s, size_t step, const char *work_dir,
			  int workers, hx_progress_mode progress, const char *plabel,
			  const atomic_int *cancel, hx_buf *table, hx_buf *csv, size_t *samples,
			  size_t *failed)
{
	scores_ctx c;
	hx_pool_options po;
	hx_buf label = HX_BUF_INIT;
	size_t i, flushed = 0;
	int err;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.st = &s->steps[step];
	c.step_name = c.st->name;
	c.step_dir = hx_path_join(work_dir, c.step_name);
	c.cancel = cancel;
	c.table = table;
	c.csv = csv;
	c.n = (size_t)c.st->samples;
	c.slots = hx_xcalloc(c.n, sizeof(sample_slot));
	atomic_init(&c.failed, 0);
	hx_buf_puts(csv, "sample,seed,score,label,status,error\n");
	hx_buf_printf(&label, "%s: %s: %s", plabel ? plabel : "harness run", s->experiment,
		      c.step_name);
	hx_progress_init(&c.progress, progress, label.ptr, "samples", c.n, 0,
			 workers < 1 ? 1 : workers, hx_progress_now());
	memset(&po, 0, sizeof(po));
	po.n = c.n;
	po.workers = workers;
	po.ctx = &c;
	po.run = run_one;
	po.flush = flush_samples;
	po.tick = tick_samples;
	po.cancel = cancel;
	err = hx_pool_run(&po, &flushed);
	hx_progress_finish(&c.progress);
	hx_progress_release(&c.progress);
	*samples = c.n;
	*failed = atomic_load(&c.failed);
	for (i = 0; i < c.n; i++)
		free(c.slots[i].error);
	free(c.slots);
	free(c.step_dir);
	hx_buf_release(&label);
	return err;
}

/* ---------------------------------------------------- reading a table */

int hx_series_scores_read(const char *path, uint64_t **sample, double **score,
			  unsigned char **label, size_t *n)
{
	hx_buf text = HX_BUF_INIT;
	hx_arena *a = NULL;
	const char *p, *end, *line;
	size_t len, lineno = 0, cap = 0;
	int err;

	*sample = NULL;
	*score = NULL;
	*label = NULL;
	*n = 0;
	if ((err = hx_file_read(&text, path)) != 0)
		return err;
	a = hx_arena_new();
	p = text.ptr;
	end = p ? p + text.len : NULL;
	while (p && hx_series_next_line(&p, end, &line, &len)) {
		hx_json *v, *st, *sc, *lb, *sa;
		hx_json_error e;
		lineno++;
		if (!len)
			continue;
		hx_arena_reset(a);
		if (hx_json_parse(&v, a, line, len, &e) != 0) {
			hx_error_set("%s:%zu:%zu: %s", path, lineno, e.column, e.msg);
			err = HX_EINVALID;
			break;
		}
		st = hx_json_get(v, "status");
		sa = hx_json_get(v, "sample");
		if (!st || st->type != HX_JSON_STRING || !sa || sa->type != HX_JSON_NUMBER ||
		    sa->u.number < 0 || sa->u.number != floor(sa->u.number)) {
			hx_error_set("%s:%zu: not a scores table line (a number 'sample' and a "
				     "'status')",
				     path, lineno);
			err = HX_EINVALID;
			break;
		}
		if (strcmp(st->u.string.ptr, "ok") != 0)
			continue;
		sc = hx_json_get(v, "score");
		lb = hx_json_get(v, "label");
		if (!sc || sc->type != HX_JSON_NUMBER || !lb ||
		    (lb->type != HX_JSON_TRUE && lb->type != HX_JSON_FALSE)) {
			hx_error_set("%s:%zu: an ok sample needs a number 'score' and a true/false "
				     "'label'",
				     path, lineno);
			err = HX_EINVALID;
			break;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			*sample = hx_xrealloc(*sample, cap * sizeof(**sample));
			*score = hx_xrealloc(*score, cap * sizeof(**score));
			*label = hx_xrealloc(*label, cap);
		}
		(*sample)[*n] = (uint64_t)sa->u.number;
		(*score)[*n] = sc->u.number;
		(*label)[*n] = lb->type == HX_JSON_TRUE;
		(*n)++;
	}
	if (err) {
		free(*sample);
		free(*score);
		free(*label);
		*sample = NULL;
		*score = NULL;
		*label = NULL;
		*n = 0;
	}
	hx_arena_free(a);
	hx_buf_release(&text);
	return err;
}

int hx_series_scores_locate(char **out, const char *path)
{
	DIR *d;
	struct dirent *e;
	char *found = NULL, *direct;
	size_t n = strlen(path), count = 0;

	*out = NULL;
	if (!hx_is_dir(path)) {
		if (n >= 12 && strcmp(path + n - 12, "scores.jsonl") == 0 && hx_path_exists(path)) {
			*out = hx_xstrdup(path);
			return 0;
		}
		return HX_ENOTFOUND;
	}
	direct = hx_path_join(path, "scores.jsonl");
	if (hx_path_exists(direct)) {
		*out = direct;
		return 0;
	}
	free(direct);
	/* a work directory: its step directories */
	if (!(d = opendir(path)))
		return HX_ENOTFOUND;
	while ((e = readdir(d)) != NULL) {
		char *step, *table;
		if (e->d_name[0] == '.')
			continue;
		step = hx_path_join(path, e->d_name);
		table = hx_path_join(step, "scores.jsonl");
		free(step);
		if (hx_is_dir(path) && hx_path_exists(table)) {
			count++;
			if (!found || strcmp(table, found) < 0) {
				free(found);
				found = table;
				continue;
			}
		}
		free(table);
	}
	closedir(d);
	if (count > 1) {
		hx_error_set("'%s' has %zu scores steps: name one (e.g. '%s')", path, count, found);
		free(found);
		return HX_EINVALID;
	}
	if (!found)
		return HX_ENOTFOUND;
	*out = found;
	return 0;
}
