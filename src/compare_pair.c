/* compare_pair.c - the paired half of harness compare: the records of a
 * run by task, whether two runs are one plan, and the paired tests and
 * flips (compare.h). */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"
#include "stats.h"

typedef struct {
	const char *path;
	hx_buf tasks; /* hx_task_outcome, module as an offset into names */
	hx_buf names;
	size_t no_index_line;
} reader;

static int record_error(const char *path, size_t lineno, const char *what)
{
	hx_error_set("%s:%zu: %s", path, lineno, what);
	return HX_EINVALID;
}

static int take(void *ctx, const hx_json *rec, size_t lineno)
{
	reader *rd = ctx;
	const hx_json *tier = hx_json_get(rec, "tier"), *outc = hx_json_get(rec, "outcome");
	const hx_json *dur = hx_json_get(rec, "duration_ms"), *mod = hx_json_get(rec, "module_name");
	const hx_json *meta = hx_json_get(rec, "metadata");
	const hx_json *idx = hx_json_get(meta, "task_index"), *gt = hx_json_get(meta, "ground_truth");
	hx_task_outcome t;

	if (!rec || rec->type != HX_JSON_OBJECT)
		return record_error(rd->path, lineno, "a record must be a JSON object");
	if (!tier || tier->type != HX_JSON_STRING || hx_tier_parse(tier->u.string.ptr, &t.tier) != 0)
		return record_error(rd->path, lineno, "missing or unknown 'tier'");
	if (!outc || outc->type != HX_JSON_STRING ||
	    hx_outcome_parse(outc->u.string.ptr, &t.outcome) != 0)
		return record_error(rd->path, lineno, "missing or unknown 'outcome'");
	if (!dur || dur->type != HX_JSON_NUMBER || !(dur->u.number >= 0))
		return record_error(rd->path, lineno, "missing or negative 'duration_ms'");
	t.duration_ms = dur->u.number;
	t.task_index = 0;
	if (idx && idx->type == HX_JSON_NUMBER && idx->u.number >= 0 && idx->u.number <= 9e15 &&
	    idx->u.number == floor(idx->u.number))
		t.task_index = (size_t)idx->u.number;
	else if (!rd->no_index_line)
		rd->no_index_line = lineno;
	t.valid = -1;
	if (gt && gt->type == HX_JSON_STRING)
		t.valid = strcmp(gt->u.string.ptr, "valid") == 0     ? 1
			  : strcmp(gt->u.string.ptr, "invalid") == 0 ? 0
								     : -1;
	/* the module's offset, made a pointer once names stops moving */
	t.module = (const char *)(uintptr_t)rd->names.len;
	if (mod && mod->type == HX_JSON_STRING)
		hx_buf_put(&rd->names, mod->u.string.ptr, mod->u.string.len);
	hx_buf_putc(&rd->names, '\0');
	hx_buf_put(&rd->tasks, &t, sizeof(t));
	return 0;
}

/* The reader's records into *out; releases the reader's buffers. */
static void reader_finish(hx_task_outcomes *out, reader *rd)
{
	size_t i;

	out->n = rd->tasks.len / sizeof(hx_task_outcome);
	out->tasks = hx_xmalloc(rd->tasks.len ? rd->tasks.len : 1);
	memcpy(out->tasks, rd->tasks.ptr, rd->tasks.len);
	out->names = hx_xmalloc(rd->names.len ? rd->names.len : 1);
	memcpy(out->names, rd->names.ptr, rd->names.len);
	for (i = 0; i < out->n; i++)
		out->tasks[i].module = out->names + (uintptr_t)out->tasks[i].module;
	out->no_index_line = rd->no_index_line;
	hx_buf_release(&rd->tasks);
	hx_buf_release(&rd->names);
}

int hx_task_outcomes_read(hx_task_outcomes *out, const char *path)
{
	reader rd = {path, HX_BUF_INIT, HX_BUF_INIT, 0};
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = hx_jsonl_each(path, take, &rd, NULL)) != 0) {
		hx_buf_release(&rd.tasks);
		hx_buf_release(&rd.names);
		return err;
	}
	reader_finish(out, &rd);
	return 0;
}

int hx_compare_read_run(hx_calib_data *d, hx_task_outcomes *t, const char *path)
{
	reader rd = {path, HX_BUF_INIT, HX_BUF_INIT, 0};
	hx_calib_read_options opt;
	int err;

	memset(t, 0, sizeof(*t));
	memset(&opt, 0, sizeof(opt));
	opt.part = HX_PART_ALL;
	opt.each = take;
	opt.each_ctx = &rd;
	if ((err = hx_calib_read_ex(d, path, &opt)) != 0) {
		hx_buf_release(&rd.tasks);
		hx_buf_release(&rd.names);
		return err;
	}
	reader_finish(t, &rd);
	return 0;
}

void hx_task_outcomes_release(hx_task_outcomes *s)
{
	if (!s)
		return;
	free(s->tasks);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

static int by_task(const void *x, const void *y)
{
	const hx_task_outcome *a = *(const hx_task_outcome *const *)x;
	const hx_task_outcome *b = *(const hx_task_outcome *const *)y;
	if (a->tier != b->tier)
		return a->tier < b->tier ? -1 : 1;
	return a->task_index < b->task_index ? -1 : a->task_index > b->task_index;
}

/* The records in plan order (tier, then task_index): owned by the caller. */
static const hx_task_outcome **in_plan_order(const hx_task_outcomes *s)
{
	const hx_task_outcome **v = hx_xmalloc((s->n ? s->n : 1) * sizeof(*v));
	size_t i;
	for (i = 0; i < s->n; i++)
		v[i] = &s->tasks[i];
	qsort(v, s->n, sizeof(*v), by_task);
	return v;
}

/* A task that appears twice on one side, or NULL. */
static const hx_task_outcome *duplicate(const hx_task_outcome **v, size_t n)
{
	size_t i;
	for (i = 1; i < n; i++)
		if (by_task(&v[i - 1], &v[i]) == 0)
			return v[i];
	return NULL;
}

int hx_compare_same_plan(const hx_task_outcomes *a, const hx_task_outcomes *b, char *why,
			 size_t len)
{
	const hx_task_outcome **va = NULL, **vb = NULL, *d;
	size_t i = 0, j = 0;
	int same = 0;

	if (a->no_index_line || b->no_index_line) {
		snprintf(why, len, "%s's records have no metadata.task_index (line %zu)",
			 a->no_index_line ? "A" : "B", a->no_index_line ? a->no_index_line : b->no_index_line);
		return 0;
	}
	va = in_plan_order(a);
	vb = in_plan_order(b);
	if ((d = duplicate(va, a->n)) || (d = duplicate(vb, b->n))) {
		snprintf(why, len, "%s has %s task %zu twice", duplicate(va, a->n) ? "A" : "B",
			 hx_tier_name(d->tier), d->task_index);
		goto done;
	}
	/* both in plan order: walk them together to the first difference */
	while (i < a->n && j < b->n) {
		int c = by_task(&va[i], &vb[j]);
		if (c < 0) {
			snprintf(why, len, "plans differ (%s task %zu only in A)",
				 hx_tier_name(va[i]->tier), va[i]->task_index);
			goto done;
		}
		if (c > 0) {
			snprintf(why, len, "plans differ (%s task %zu only in B)",
				 hx_tier_name(vb[j]->tier), vb[j]->task_index);
			goto done;
		}
		if (strcmp(va[i]->module, vb[j]->module) != 0) {
			snprintf(why, len, "plans differ (%s task %zu: module '%.60s' in A, '%.60s' in B)",
				 hx_tier_name(va[i]->tier), va[i]->task_index, va[i]->module,
				 vb[j]->module);
			goto done;
		}
		i++;
		j++;
	}
	if (i < a->n || j < b->n) {
		const hx_task_outcome *t = i < a->n ? va[i] : vb[j];
		snprintf(why, len, "plans differ (%s task %zu only in %s)", hx_tier_name(t->tier),
			 t->task_index, i < a->n ? "A" : "B");
		goto done;
	}
	if (!a->n) {
		snprintf(why, len, "no records");
		goto done;
	}
	same = 1;
done:
	free(va);
	free(vb);
	return same;
}

/* Where rate m (0 timeout, 1 spurious fail, 2 spurious pass) is defined for
 * a record, and whether its event happened: calib.h's definitions. */
static int rate_defined(int m, const hx_task_outcome *t)
{
	if (m == 0)
		return 1;
	return t->valid == (m == 1 ? 1 : 0) && t->outcome != HX_OUT_VERIFIER_TIMEOUT;
}

static int rate_event(int m, const hx_task_outcome *t)
{
	return t->outcome == (m == 0   ? HX_OUT_VERIFIER_TIMEOUT
			      : m == 1 ? HX_OUT_PROOF_INVALID
				       : HX_OUT_VERIFIED);
}

static void paired_rate(hx_comparison *c, int m, const hx_task_outcome **va,
			const hx_task_outcome **vb, size_t n, double conf)
{
	unsigned long both = 0, a_only = 0, b_only = 0, neither = 0;
	size_t i;

	c->is_rate = 1;
	c->paired = 1;
	c->method = "mcnemar-exact";
	c->interval = "newcombe-paired";
	for (i = 0; i < n; i++) {
		int ea, eb;
		if (!rate_defined(m, va[i]) || !rate_defined(m, vb[i]))
			continue;
		ea = rate_event(m, va[i]);
		eb = rate_event(m, vb[i]);
		both += ea && eb;
		a_only += ea && !eb;
		b_only += !ea && eb;
		neither += !ea && !eb;
	}
	c->na = c->nb = both + a_only + b_only + neither;
	c->ka = both + a_only;
	c->kb = both + b_only;
	c->a_only = a_only;
	c->b_only = b_only;
	c->lo = c->hi = c->stat = NAN;
	c->p = c->p_adjusted = 1.0;
	if (!c->na) {
		c->a = c->b = c->diff = NAN;
		snprintf(c->note, sizeof(c->note), "no pair where the rate is defined on both sides");
		return;
	}
	c->a = (double)c->ka / (double)c->na;
	c->b = (double)c->kb / (double)c->na;
	/* B first: the interval is for B - A */
	hx_stats_newcombe_paired(both, b_only, a_only, neither, conf, &c->diff, &c->lo, &c->hi);
	if (!a_only && !b_only) {
		snprintf(c->note, sizeof(c->note), "no discordant pair");
		return;
	}
	c->stat = (double)(a_only < b_only ? a_only : b_only);
	c->p = hx_stats_mcnemar_exact(a_only, b_only);
	c->tested = 1;
}

static int completed(const hx_task_outcome *t)
{
	return t->outcome != HX_OUT_VERIFIER_TIMEOUT && t->outcome != HX_OUT_MODULE_NOT_FOUND &&
	       t->outcome != HX_OUT_ENGINE_ERROR && t->duration_ms > 0;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static void paired_durations(hx_comparison *c, const hx_task_outcome **va,
			     const hx_task_outcome **vb, size_t n, double conf)
{
	double *da = hx_xmalloc((n ? n : 1) * sizeof(double));
	double *db = hx_xmalloc((n ? n : 1) * sizeof(double));
	double *lr = hx_xmalloc((n ? n : 1) * sizeof(double));
	size_t i, k = 0;
	hx_signed_rank sr;

	c->metric = "duration";
	c->paired = 1;
	c->method = "wilcoxon-signed-rank";
	c->interval = "order-statistic";
	c->a = c->b = c->diff = c->lo = c->hi = c->stat = NAN;
	c->p = c->p_adjusted = 1.0;
	for (i = 0; i < n; i++) {
		if (!completed(va[i]) || !completed(vb[i]))
			continue;
		da[k] = va[i]->duration_ms;
		db[k] = vb[i]->duration_ms;
		lr[k] = log(db[k] / da[k]);
		k++;
	}
	c->na = c->nb = k;
	if (k < 2) {
		snprintf(c->note, sizeof(c->note), "fewer than 2 tasks completed on both sides");
		goto done;
	}
	c->a = hx_median(da, k);
	c->b = hx_median(db, k);
	qsort(lr, k, sizeof(double), cmp_double);
	c->diff = exp(k % 2 ? lr[k / 2] : (lr[k / 2 - 1] + lr[k / 2]) / 2.0);
	if (hx_stats_median_ci(lr, k, conf, &c->lo, &c->hi) == 0) {
		c->lo = exp(c->lo);
		c->hi = exp(c->hi);
	}
	if (hx_stats_signed_rank(&sr, lr, k) != 0) {
		snprintf(c->note, sizeof(c->note), "no duration changed (%zu pairs)", k);
		goto done;
	}
	c->stat = sr.v;
	c->p = sr.p;
	c->tested = 1;
done:
	free(da);
	free(db);
	free(lr);
}

void hx_compare_paired(hx_compare_result *out, const hx_task_outcomes *a,
		       const hx_task_outcomes *b)
{
	static const char *const metrics[3] = {"timeout_rate", "spurious_fail_rate",
					       "spurious_pass_rate"};
	const hx_task_outcome **va = in_plan_order(a), **vb = in_plan_order(b);
	size_t i, start, nflips = 0;
	int m;

	out->paired = 1;
	out->pairs = a->n;
	for (start = 0; start < a->n; start = i) {
		hx_tier t = va[start]->tier;
		for (i = start; i < a->n && va[i]->tier == t; i++)
			;
		for (m = 0; m < 3; m++) {
			hx_comparison *c = &out->items[out->n++];
			c->tier = t;
			c->metric = metrics[m];
			paired_rate(c, m, va + start, vb + start, i - start, out->confidence);
		}
		out->items[out->n].tier = t;
		paired_durations(&out->items[out->n++], va + start, vb + start, i - start,
				 out->confidence);
	}
	for (i = 0; i < a->n; i++)
		nflips += va[i]->outcome != vb[i]->outcome;
	out->flips = hx_xcalloc(nflips ? nflips : 1, sizeof(hx_flip));
	for (i = 0; i < a->n; i++) {
		hx_flip *f;
		if (va[i]->outcome == vb[i]->outcome)
			continue;
		f = &out->flips[out->nflips++];
		f->tier = va[i]->tier;
		f->task_index = va[i]->task_index;
		f->module = hx_xstrdup(va[i]->module);
		f->a = va[i]->outcome;
		f->b = vb[i]->outcome;
		f->a_ms = va[i]->duration_ms;
		f->b_ms = vb[i]->duration_ms;
	}
	free(va);
	free(vb);
}
