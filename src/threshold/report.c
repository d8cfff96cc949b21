/* report.c - a sweep's result as text (harness threshold), one RFC 8785
 * JSON object, or markdown (threshold.md). Text and markdown share the
 * summary's lines; rates have 4 decimals, AUROC, AP and PR-AUC 6, scores
 * and taus 6 significant digits (JSON: every number in full). */
#include "threshold/threshold_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "canon.h"
#include "json.h"

static const char *rate(char *b, double x)
{
	if (isnan(x))
		return "-";
	snprintf(b, 32, "%.4f", x);
	return b;
}

static const char *score(char *b, double x)
{
	snprintf(b, 32, "%.6g", x);
	return b;
}

/* The target recall as the user wrote it, at least two decimals (0.90). */
static const char *target(char *b, double x)
{
	snprintf(b, 32, "%.2f", x);
	if (strtod(b, NULL) != x)
		snprintf(b, 32, "%g", x);
	return b;
}

/* ------------------------------------------------------------ summary */

enum { SAMPLES, RANGE, AUROC, AP, PRAUC, BEST, NITEMS };
static const char *const item_name[NITEMS] = {"samples", "score range", "AUROC",
					      "AP",      "PR-AUC",      "best tau"};

/* item[BEST] is the best tau, and detail what it gives (empty when none). */
static void summary(hx_buf item[NITEMS], hx_buf *detail, const hx_threshold_result *r)
{
	char a[32], b[32], c[32];
	size_t k;
	hx_buf_printf(&item[SAMPLES], "%zu: %zu positive, %zu negative (positive rate %s)", r->n,
		      r->npos, r->nneg, rate(a, r->positive_rate));
	hx_buf_printf(&item[RANGE], "%s .. %s", score(a, r->score_min), score(b, r->score_max));
	hx_buf_printf(&item[AUROC], "%.6f ", r->auroc);
	if (isnan(r->auroc_se))
		hx_buf_puts(&item[AUROC], "(95% CI n/a: DeLong's variance needs 2 positives and 2 "
					  "negatives)");
	else
		hx_buf_printf(&item[AUROC], "(95%% CI %s .. %s, DeLong, se %.4g)",
			      rate(a, r->auroc_lo), rate(b, r->auroc_hi), r->auroc_se);
	hx_buf_printf(&item[AP], "%.6f", r->ap);
	hx_buf_printf(&item[PRAUC], "%.6f (trapezoidal)", r->pr_auc);
	if (r->best < 0) {
		const hx_tau_row *low = &r->rows[0];
		if (!r->nrows) {
			hx_buf_puts(&item[BEST], "none: the grid has no tau");
			return;
		}
		hx_buf_printf(&item[BEST],
			      "none: no tau reaches recall >= %s (best recall at the grid's lowest "
			      "tau: %s at tau %s)",
			      target(a, r->target_recall), rate(b, low->recall), score(c, low->tau));
		return;
	}
	k = (size_t)r->best;
	hx_buf_puts(&item[BEST], score(a, r->rows[k].tau));
	if (!isnan(r->rows[k].quantile))
		hx_buf_printf(&item[BEST], " (quantile %.4g)", r->rows[k].quantile);
	hx_buf_printf(&item[BEST], ", the highest precision with recall >= %s",
		      target(a, r->target_recall));
	hx_buf_printf(detail, "precision %s, recall %s, ", rate(a, r->rows[k].precision),
		      rate(b, r->rows[k].recall));
	hx_buf_printf(detail, "F1 %s, FPR %s, %zu of %zu flagged", rate(a, r->rows[k].f1),
		      rate(b, r->rows[k].fpr), r->rows[k].flagged, r->n);
}

void hx_threshold_summary(hx_buf value[HX_THRESHOLD_NSUMMARY],
			  const char *name[HX_THRESHOLD_NSUMMARY], const hx_threshold_result *r)
{
	hx_buf detail = HX_BUF_INIT;
	size_t k;
	summary(value, &detail, r);
	if (detail.len)
		hx_buf_printf(&value[BEST], ": %s", detail.ptr);
	for (k = 0; k < NITEMS; k++)
		name[k] = item_name[k];
	hx_buf_release(&detail);
}

/* ---------------------------------------------------------- the table */

#define NCOLS HX_THRESHOLD_NCOLS
const char *const hx_threshold_col_names[NCOLS] = {"tau", "quantile", "precision", "recall",
						   "F1",  "FPR",      "flagged"};

void hx_threshold_row_cells(char cell[HX_THRESHOLD_NCOLS][32], const hx_tau_row *row)
{
	score(cell[0], row->tau);
	if (isnan(row->quantile))
		snprintf(cell[1], 32, "-");
	else
		snprintf(cell[1], 32, "%.4g", row->quantile);
	rate(cell[2], row->precision);
	rate(cell[3], row->recall);
	rate(cell[4], row->f1);
	rate(cell[5], row->fpr);
	snprintf(cell[6], 32, "%zu", row->flagged);
}

static void text_table(hx_buf *out, const hx_threshold_result *r)
{
	size_t width[NCOLS], i, c;
	char cell[NCOLS][32];
	for (c = 0; c < NCOLS; c++)
		width[c] = strlen(hx_threshold_col_names[c]);
	for (i = 0; i < r->nrows; i++) {
		hx_threshold_row_cells(cell, &r->rows[i]);
		for (c = 0; c < NCOLS; c++)
			if (strlen(cell[c]) > width[c])
				width[c] = strlen(cell[c]);
	}
	for (c = 0; c < NCOLS; c++)
		hx_buf_printf(out, "%s%*s", c ? "  " : "", (int)width[c], hx_threshold_col_names[c]);
	hx_buf_putc(out, '\n');
	for (i = 0; i < r->nrows; i++) {
		hx_threshold_row_cells(cell, &r->rows[i]);
		for (c = 0; c < NCOLS; c++)
			hx_buf_printf(out, "%s%*s", c ? "  " : "", (int)width[c], cell[c]);
		hx_buf_puts(out, (long)i == r->best ? "  <- best\n" : "\n");
	}
}

void hx_threshold_format_text(hx_buf *out, const hx_threshold_result *r)
{
	hx_buf item[NITEMS], detail = HX_BUF_INIT;
	size_t k;
	for (k = 0; k < NITEMS; k++)
		hx_buf_init(&item[k]);
	summary(item, &detail, r);
	for (k = 0; k < BEST; k++)
		hx_buf_printf(out, "%-13s%s\n", item_name[k], item[k].ptr);
	hx_buf_putc(out, '\n');
	text_table(out, r);
	hx_buf_printf(out, "\n%-13s%s\n", item_name[BEST], item[BEST].ptr);
	if (detail.len)
		hx_buf_printf(out, "%-13s%s\n", "", detail.ptr);
	for (k = 0; k < NITEMS; k++)
		hx_buf_release(&item[k]);
	hx_buf_release(&detail);
}

void hx_threshold_format_md(hx_buf *out, const hx_threshold_result *r, const char *title)
{
	hx_buf item[NITEMS], detail = HX_BUF_INIT;
	char cell[NCOLS][32];
	size_t k, i, c;
	for (k = 0; k < NITEMS; k++)
		hx_buf_init(&item[k]);
	summary(item, &detail, r);
	hx_buf_printf(out, "# %s\n\n| | |\n|---|---|\n", title ? title : "threshold");
	for (k = 0; k < NITEMS; k++)
		hx_buf_printf(out, "| %s | %s%s%s |\n", item_name[k], item[k].ptr,
			      k == BEST && detail.len ? ": " : "", k == BEST ? detail.ptr : "");
	hx_buf_puts(out, "\n|");
	for (c = 0; c < NCOLS; c++)
		hx_buf_printf(out, " %s |", hx_threshold_col_names[c]);
	hx_buf_puts(out, "\n|");
	for (c = 0; c < NCOLS; c++)
		hx_buf_puts(out, "---:|");
	hx_buf_putc(out, '\n');
	for (i = 0; i < r->nrows; i++) {
		const char *em = (long)i == r->best ? "**" : "";
		hx_threshold_row_cells(cell, &r->rows[i]);
		hx_buf_putc(out, '|');
		for (c = 0; c < NCOLS; c++)
			hx_buf_printf(out, " %s%s%s |", em, cell[c], em);
		hx_buf_putc(out, '\n');
	}
	for (k = 0; k < NITEMS; k++)
		hx_buf_release(&item[k]);
	hx_buf_release(&detail);
}

/* ---------------------------------------------------------------- JSON */

/* An object under construction: members in an arena; serialized in
 * RFC 8785 order whatever the order they were put in. */
typedef struct {
	hx_arena *a;
	hx_json *obj;
	size_t cap;
} builder;

static void begin(builder *b, hx_arena *a, size_t cap)
{
	b->a = a;
	b->cap = cap;
	b->obj = hx_json_new(a, HX_JSON_OBJECT);
	b->obj->u.object.members = hx_arena_alloc(a, cap * sizeof(hx_json_member));
}

static void put(builder *b, const char *key, hx_json *v)
{
	hx_json_member *m = &b->obj->u.object.members[b->obj->u.object.len++];
	m->key = key;
	m->key_len = strlen(key);
	m->value = v;
}

/* A number; null for NaN (JSON has no NaN). */
static hx_json *num(hx_arena *a, double v)
{
	return isfinite(v) ? hx_json_new_number(a, v) : hx_json_new(a, HX_JSON_NULL);
}

static hx_json *row_json(hx_arena *a, const hx_tau_row *row)
{
	builder b;
	begin(&b, a, 9);
	put(&b, "tau", num(a, row->tau));
	put(&b, "quantile", num(a, row->quantile));
	put(&b, "tp", num(a, (double)row->tp));
	put(&b, "fp", num(a, (double)row->fp));
	put(&b, "flagged", num(a, (double)row->flagged));
	put(&b, "precision", num(a, row->precision));
	put(&b, "recall", num(a, row->recall));
	put(&b, "f1", num(a, row->f1));
	put(&b, "fpr", num(a, row->fpr));
	return b.obj;
}

void hx_threshold_format_json(hx_buf *out, const hx_threshold_result *r)
{
	hx_arena *a = hx_arena_new();
	hx_json *ci = hx_json_new(a, HX_JSON_ARRAY), *rows = hx_json_new(a, HX_JSON_ARRAY);
	builder b;
	size_t i;
	begin(&b, a, 16);
	put(&b, "n", num(a, (double)r->n));
	put(&b, "positives", num(a, (double)r->npos));
	put(&b, "negatives", num(a, (double)r->nneg));
	put(&b, "positive_rate", num(a, r->positive_rate));
	put(&b, "score_min", num(a, r->score_min));
	put(&b, "score_max", num(a, r->score_max));
	put(&b, "auroc", num(a, r->auroc));
	put(&b, "auroc_se", num(a, r->auroc_se));
	ci->u.array.items = hx_arena_alloc(a, 2 * sizeof(hx_json *));
	ci->u.array.items[0] = num(a, r->auroc_lo);
	ci->u.array.items[1] = num(a, r->auroc_hi);
	ci->u.array.len = 2;
	put(&b, "auroc_ci", ci);
	put(&b, "ap", num(a, r->ap));
	put(&b, "pr_auc", num(a, r->pr_auc));
	put(&b, "target_recall", num(a, r->target_recall));
	rows->u.array.items = hx_arena_alloc(a, (r->nrows ? r->nrows : 1) * sizeof(hx_json *));
	for (i = 0; i < r->nrows; i++)
		rows->u.array.items[i] = row_json(a, &r->rows[i]);
	rows->u.array.len = r->nrows;
	put(&b, "rows", rows);
	put(&b, "best", r->best >= 0 ? row_json(a, &r->rows[r->best]) : hx_json_new(a, HX_JSON_NULL));
	hx_canon_serialize(out, b.obj);
	hx_buf_putc(out, '\n');
	hx_arena_free(a);
}
