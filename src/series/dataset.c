/* dataset.c - rows of a research dataset: a condensed run with its label,
 * profile and parameters, condensed on threads, and written as JSONL, CSV
 * or a table (series/dataset.h). */
#include "series/dataset.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "json.h"
#include "series/csv.h"

/* ---------------------------------------------------------------- rows */

static const char *const own_columns[] = {"label", "profile", "telemetry", "status", "error"};

void hx_dataset_row_init(hx_dataset_row *r, const char *label, const char *profile,
			 const char *telemetry)
{
	memset(r, 0, sizeof(*r));
	r->label = hx_xstrdup(label ? label : "");
	r->profile = hx_xstrdup(profile ? profile : "");
	r->telemetry = hx_xstrdup(telemetry ? telemetry : "");
}

static void row_clear_result(hx_dataset_row *r)
{
	size_t i;
	for (i = 0; i < r->nvalues; i++) {
		free(r->names[i]);
		hx_cval_release(&r->values[i]);
	}
	free(r->names);
	free(r->values);
	free(r->error);
	r->names = NULL;
	r->values = NULL;
	r->nvalues = 0;
	r->error = NULL;
	r->ok = 0;
}

void hx_dataset_row_release(hx_dataset_row *r)
{
	size_t i;
	row_clear_result(r);
	for (i = 0; i < r->nparams; i++) {
		free(r->param_keys[i]);
		hx_cval_release(&r->param_values[i]);
	}
	free(r->param_keys);
	free(r->param_values);
	free(r->label);
	free(r->profile);
	free(r->telemetry);
	memset(r, 0, sizeof(*r));
}

int hx_dataset_row_add_param(hx_dataset_row *r, const char *key, const hx_cval *value)
{
	size_t i;
	if (!*key) {
		hx_error_set("a parameter needs a name");
		return HX_EINVALID;
	}
	for (i = 0; i < sizeof(own_columns) / sizeof(own_columns[0]); i++)
		if (strcmp(key, own_columns[i]) == 0) {
			hx_error_set("parameter '%s' has the name of a dataset column", key);
			return HX_EINVALID;
		}
	for (i = 0; i < r->nparams; i++)
		if (strcmp(key, r->param_keys[i]) == 0) {
			hx_error_set("parameter '%s' given twice", key);
			return HX_EINVALID;
		}
	r->param_keys = hx_xrealloc(r->param_keys, (r->nparams + 1) * sizeof(char *));
	r->param_values = hx_xrealloc(r->param_values, (r->nparams + 1) * sizeof(hx_cval));
	r->param_keys[r->nparams] = hx_xstrdup(key);
	hx_cval_copy(&r->param_values[r->nparams], value);
	r->nparams++;
	return 0;
}

void hx_dataset_row_fail(hx_dataset_row *r, const char *reason)
{
	row_clear_result(r);
	r->error = hx_xstrdup(reason && *reason ? reason : "failed");
}

int hx_dataset_row_condense(hx_dataset_row *r, const hx_condense_set *s)
{
	hx_cval *values;
	size_t i, j;
	int rc;
	row_clear_result(r);
	for (i = 0; i < r->nparams; i++)
		for (j = 0; j < s->n; j++)
			if (strcmp(r->param_keys[i], s->metrics[j].name) == 0) {
				hx_error_set("parameter '%s' has the name of a condense metric",
					     r->param_keys[i]);
				hx_dataset_row_fail(r, hx_error_last());
				return HX_EINVALID;
			}
	values = hx_xcalloc(s->n ? s->n : 1, sizeof(*values));
	if ((rc = hx_condense_file(s, r->telemetry, values, NULL)) != 0) {
		free(values);
		hx_dataset_row_fail(r, hx_error_last());
		return rc;
	}
	r->names = hx_xcalloc(s->n ? s->n : 1, sizeof(char *));
	for (i = 0; i < s->n; i++)
		r->names[i] = hx_xstrdup(s->metrics[i].name);
	r->values = values;
	r->nvalues = s->n;
	r->ok = 1;
	return 0;
}

typedef struct {
	hx_dataset_row *rows;
	size_t n;
	const hx_condense_set *set;
	atomic_size_t next;
	atomic_size_t failed;
} rows_job;

static void *rows_worker(void *arg)
{
	rows_job *job = arg;
	size_t i;
	while ((i = atomic_fetch_add(&job->next, 1)) < job->n)
		if (hx_dataset_row_condense(&job->rows[i], job->set) != 0)
			atomic_fetch_add(&job->failed, 1);
	return NULL;
}

size_t hx_dataset_rows_condense(hx_dataset_row *rows, size_t n, const hx_condense_set *s,
				int workers)
{
	rows_job job;
	pthread_t *tids;
	int i, started = 0;
	job.rows = rows;
	job.n = n;
	job.set = s;
	atomic_init(&job.next, 0);
	atomic_init(&job.failed, 0);
	if (workers > (int)n)
		workers = (int)n;
	if (workers < 1)
		workers = 1;
	tids = hx_xcalloc((size_t)workers, sizeof(*tids));
	/* this thread is one of the workers; a thread that cannot start
	 * leaves its share to the others */
	for (i = 1; i < workers; i++)
		if (pthread_create(&tids[started], NULL, rows_worker, &job) == 0)
			started++;
	rows_worker(&job);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return atomic_load(&job.failed);
}

/* ---------------------------------------------------------------- writers */

static hx_json *cval_json(hx_arena *a, const hx_cval *v)
{
	switch (v->type) {
	case HX_CVAL_NUMBER:
		return isfinite(v->num) ? hx_json_new_number(a, v->num)
					: hx_json_new(a, HX_JSON_NULL);
	case HX_CVAL_BOOL:
		return hx_json_new(a, v->num != 0 ? HX_JSON_TRUE : HX_JSON_FALSE);
	case HX_CVAL_STRING:
		return hx_json_new_string(a, v->str, strlen(v->str));
	default:
		return hx_json_new(a, HX_JSON_NULL);
	}
}

static void put_member(hx_json_member *m, const char *key, hx_json *value)
{
	m->key = key;
	m->key_len = strlen(key);
	m->value = value;
}

void hx_dataset_write_jsonl(hx_buf *out, const hx_dataset_row *rows, size_t n)
{
	hx_arena *a = hx_arena_new();
	size_t i, k;
	for (i = 0; i < n; i++) {
		const hx_dataset_row *r = &rows[i];
		hx_json *obj = hx_json_new(a, HX_JSON_OBJECT);
		hx_json_member *ms =
			hx_arena_alloc(a, (5 + r->nparams + r->nvalues) * sizeof(*ms));
		size_t m = 0;
		put_member(&ms[m++], "label", hx_json_new_string(a, r->label, strlen(r->label)));
		put_member(&ms[m++], "profile",
			   hx_json_new_string(a, r->profile, strlen(r->profile)));
		put_member(&ms[m++], "telemetry",
			   hx_json_new_string(a, r->telemetry, strlen(r->telemetry)));
		put_member(&ms[m++], "status",
			   hx_json_new_string(a, r->ok ? "ok" : "failed", r->ok ? 2 : 6));
		if (!r->ok)
			put_member(&ms[m++], "error",
				   hx_json_new_string(a, r->error ? r->error : "",
						      r->error ? strlen(r->error) : 0));
		for (k = 0; k < r->nparams; k++)
			put_member(&ms[m++], r->param_keys[k], cval_json(a, &r->param_values[k]));
		if (r->ok)
			for (k = 0; k < r->nvalues; k++)
				put_member(&ms[m++], r->names[k], cval_json(a, &r->values[k]));
		obj->u.object.members = ms;
		obj->u.object.len = m;
		hx_canon_serialize(out, obj);
		hx_buf_putc(out, '\n');
		hx_arena_reset(a);
	}
	hx_arena_free(a);
}

/* Column names in order of first appearance. */
typedef struct {
	const char **names;
	size_t n, cap;
} name_list;

static void names_add(name_list *l, const char *name)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->names = hx_xrealloc(l->names, l->cap * sizeof(*l->names));
	}
	l->names[l->n++] = name;
}

static void csv_value(hx_buf *out, const hx_cval *v)
{
	char num[32];
	if (!v)
		return;
	switch (v->type) {
	case HX_CVAL_NUMBER:
		if (isnan(v->num))
			return;
		if (isinf(v->num)) {
			hx_buf_puts(out, v->num > 0 ? "inf" : "-inf");
			return;
		}
		hx_canon_format_number(num, v->num);
		hx_buf_puts(out, num);
		return;
	case HX_CVAL_BOOL:
		hx_buf_puts(out, v->num != 0 ? "true" : "false");
		return;
	case HX_CVAL_STRING:
		hx_series_csv_string(out, v->str);
		return;
	default:
		return;
	}
}

static const hx_cval *lookup(char *const *keys, const hx_cval *vals, size_t n, const char *k)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(keys[i], k) == 0)
			return &vals[i];
	return NULL;
}

void hx_dataset_write_csv(hx_buf *out, const hx_dataset_row *rows, size_t n)
{
	name_list params = {NULL, 0, 0}, metrics = {NULL, 0, 0};
	size_t i, k;
	for (i = 0; i < n; i++) {
		for (k = 0; k < rows[i].nparams; k++)
			names_add(&params, rows[i].param_keys[k]);
		for (k = 0; k < rows[i].nvalues; k++)
			names_add(&metrics, rows[i].names[k]);
	}
	hx_buf_puts(out, "label,profile");
	for (k = 0; k < params.n; k++) {
		hx_buf_putc(out, ',');
		hx_series_csv_string(out, params.names[k]);
	}
	for (k = 0; k < metrics.n; k++) {
		hx_buf_putc(out, ',');
		hx_series_csv_string(out, metrics.names[k]);
	}
	hx_buf_puts(out, ",telemetry,status,error\n");
	for (i = 0; i < n; i++) {
		const hx_dataset_row *r = &rows[i];
		hx_series_csv_string(out, r->label);
		hx_buf_putc(out, ',');
		hx_series_csv_string(out, r->profile);
		for (k = 0; k < params.n; k++) {
			hx_buf_putc(out, ',');
			csv_value(out, lookup(r->param_keys, r->param_values, r->nparams,
					      params.names[k]));
		}
		for (k = 0; k < metrics.n; k++) {
			hx_buf_putc(out, ',');
			csv_value(out, lookup(r->names, r->values, r->nvalues, metrics.names[k]));
		}
		hx_buf_putc(out, ',');
		hx_series_csv_string(out, r->telemetry);
		hx_buf_puts(out, r->ok ? ",ok," : ",failed,");
		if (!r->ok)
			hx_series_csv_string(out, r->error ? r->error : "");
		hx_buf_putc(out, '\n');
	}
	free(params.names);
	free(metrics.names);
}

static void table_value(char *dst, size_t cap, const hx_cval *v)
{
	if (!v || v->type == HX_CVAL_NULL || (v->type == HX_CVAL_NUMBER && isnan(v->num)))
		snprintf(dst, cap, "-");
	else if (v->type == HX_CVAL_NUMBER)
		snprintf(dst, cap, "%.6g", v->num == 0 ? 0.0 : v->num);
	else if (v->type == HX_CVAL_BOOL)
		snprintf(dst, cap, "%s", v->num != 0 ? "yes" : "no");
	else
		snprintf(dst, cap, "%s", v->str);
}

void hx_dataset_write_table(hx_buf *out, const hx_dataset_row *rows, size_t n)
{
	name_list metrics = {NULL, 0, 0};
	size_t i, k, ncols, *width;
	char cell[64];
	for (i = 0; i < n; i++)
		for (k = 0; k < rows[i].nvalues; k++)
			names_add(&metrics, rows[i].names[k]);
	ncols = metrics.n + 3; /* label, profile, metrics..., status */
	width = hx_xcalloc(ncols, sizeof(*width));
	width[0] = 5;
	width[1] = 7;
	for (k = 0; k < metrics.n; k++)
		width[2 + k] = strlen(metrics.names[k]);
	width[ncols - 1] = 6;
	for (i = 0; i < n; i++) {
		const hx_dataset_row *r = &rows[i];
		if (strlen(r->label) > width[0])
			width[0] = strlen(r->label);
		if (strlen(r->profile) > width[1])
			width[1] = strlen(r->profile);
		for (k = 0; k < metrics.n; k++) {
			table_value(cell, sizeof(cell),
				    lookup(r->names, r->values, r->nvalues, metrics.names[k]));
			if (strlen(cell) > width[2 + k])
				width[2 + k] = strlen(cell);
		}
	}
	hx_buf_printf(out, "%-*s  %-*s", (int)width[0], "label", (int)width[1], "profile");
	for (k = 0; k < metrics.n; k++)
		hx_buf_printf(out, "  %*s", (int)width[2 + k], metrics.names[k]);
	hx_buf_puts(out, "  status\n");
	for (i = 0; i < n; i++) {
		const hx_dataset_row *r = &rows[i];
		hx_buf_printf(out, "%-*s  %-*s", (int)width[0], r->label, (int)width[1],
			      r->profile);
		for (k = 0; k < metrics.n; k++) {
			table_value(cell, sizeof(cell),
				    lookup(r->names, r->values, r->nvalues, metrics.names[k]));
			hx_buf_printf(out, "  %*s", (int)width[2 + k], cell);
		}
		hx_buf_puts(out, r->ok ? "  ok\n" : "  FAILED\n");
	}
	for (i = 0; i < n; i++)
		if (!rows[i].ok)
			hx_buf_printf(out, "failed %s: %s\n", rows[i].label,
				      rows[i].error ? rows[i].error : "");
	free(width);
	free(metrics.names);
}
