/* select.c - presets per tier that meet the budgets, ranked by score. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "series/align.h"
#include "series/summary.h"

/* Same preset: same profile and the same parameters with the same text. */
static int same_preset(const hx_row *a, const hx_row *b)
{
	size_t i;
	if (strcmp(a->profile, b->profile) != 0 || a->nparams != b->nparams)
		return 0;
	for (i = 0; i < a->nparams; i++) {
		const char *v = hx_row_param(b, a->params[i].name);
		if (!v || strcmp(v, a->params[i].value) != 0)
			return 0;
	}
	return 1;
}

/* Better first: a larger score, NaN last; equal ones keep their order. */
static int cmp_preset(const void *pa, const void *pb)
{
	const hx_preset *a = pa, *b = pb;
	double x = a->stats.score, y = b->stats.score;
	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x > y ? -1 : 1;
	return (a->first_row > b->first_row) - (a->first_row < b->first_row);
}

static void select_tier(hx_selection *out, const hx_rowset *rs, const char *tier,
			const hx_budget *b, size_t k)
{
	size_t *idx = hx_xmalloc((rs->n ? rs->n : 1) * sizeof(size_t));
	hx_preset *all = hx_xmalloc((rs->n ? rs->n : 1) * sizeof(hx_preset));
	char *done = hx_xcalloc(rs->n ? rs->n : 1, 1);
	size_t i, j, n, np = 0, nok = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < rs->n; i++) {
		const hx_row *r = &rs->rows[i];
		if (done[i] || r->failed || strcmp(r->profile, tier) != 0)
			continue;
		n = 0;
		for (j = i; j < rs->n; j++)
			if (!done[j] && !rs->rows[j].failed && same_preset(r, &rs->rows[j])) {
				done[j] = 1;
				idx[n++] = j;
			}
		all[np].first_row = i;
		hx_align_stats_of(&all[np].stats, rs, idx, n, b);
		np++;
	}
	out->npresets = np;
	/* the presets within budget first (stable: a partition in order) */
	for (i = 0; i < np; i++)
		if (all[i].stats.status == HX_ALIGN_PASS) {
			hx_preset t = all[i];
			memmove(&all[nok + 1], &all[nok], (i - nok) * sizeof(hx_preset));
			all[nok++] = t;
		}
	out->nwithin = nok;
	if (nok) {
		qsort(all, nok, sizeof(hx_preset), cmp_preset);
		out->nchosen = nok < k ? nok : k;
	} else if (np) {
		qsort(all, np, sizeof(hx_preset), cmp_preset);
		out->nchosen = 1;
		out->fallback = 1;
	}
	out->chosen = hx_xmalloc((out->nchosen ? out->nchosen : 1) * sizeof(hx_preset));
	memcpy(out->chosen, all, out->nchosen * sizeof(hx_preset));
	free(idx);
	free(all);
	free(done);
}

void hx_select_compute(hx_selections *out, const hx_rowset *rs, const hx_budgets *b, size_t k)
{
	size_t t;
	for (t = 0; t < HX_ALIGN_NTIERS; t++)
		select_tier(&out->tier[t], rs, hx_align_tier_names[t], &b->tier[t], k);
}

void hx_select_release(hx_selections *s)
{
	size_t t;
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		free(s->tier[t].chosen);
		s->tier[t].chosen = NULL;
		s->tier[t].nchosen = 0;
	}
}

static void params_text(hx_buf *out, const hx_row *r, const char *sep)
{
	size_t i;
	for (i = 0; i < r->nparams; i++)
		hx_buf_printf(out, "%s%s=%s", i ? sep : "", r->params[i].name, r->params[i].value);
	if (r->nparams == 0)
		hx_buf_puts(out, "(no parameters)");
}

static void text_g(hx_buf *out, double v)
{
	if (isnan(v))
		hx_buf_puts(out, "-");
	else
		hx_buf_printf(out, "%.6g", v == 0 ? 0.0 : v);
}

void hx_select_format_text(hx_buf *out, const hx_selections *s, const hx_rowset *rs, size_t k)
{
	size_t t, i;
	hx_buf_printf(out, "top %zu presets per tier within budget, by score:\n", k);
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		const hx_selection *sel = &s->tier[t];
		hx_buf_printf(out, "\n%s: ", hx_align_tier_names[t]);
		if (sel->npresets == 0) {
			hx_buf_puts(out, "no presets (no runs)\n");
			continue;
		}
		hx_buf_printf(out, "%zu preset%s, %zu within budget\n", sel->npresets,
			      sel->npresets == 1 ? "" : "s", sel->nwithin);
		if (sel->fallback)
			hx_buf_puts(out, "  warning: no preset meets the budgets; the best score "
					 "instead\n");
		for (i = 0; i < sel->nchosen; i++) {
			const hx_preset *p = &sel->chosen[i];
			const hx_row *r = &rs->rows[p->first_row];
			hx_buf_printf(out, "  %zu. ", i + 1);
			params_text(out, r, " ");
			hx_buf_printf(out, " (%zu run%s, first '%s'): score ", p->stats.n_runs,
				      p->stats.n_runs == 1 ? "" : "s", r->label);
			text_g(out, p->stats.score);
			hx_buf_puts(out, ", pnl_mean ");
			text_g(out, p->stats.pnl_mean);
			hx_buf_puts(out, ", dd_mean ");
			text_g(out, p->stats.dd_mean);
			hx_buf_puts(out, ", kill_prob ");
			text_g(out, p->stats.kill_prob);
			hx_buf_putc(out, '\n');
		}
	}
}

void hx_select_format_json(hx_buf *out, const hx_selections *s, const hx_rowset *rs, size_t k)
{
	size_t t, i, j;
	hx_buf_printf(out, "{\"k\":%zu,\"tiers\":[", k);
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		const hx_selection *sel = &s->tier[t];
		if (t)
			hx_buf_putc(out, ',');
		hx_buf_puts(out, "{\"chosen\":[");
		for (i = 0; i < sel->nchosen; i++) {
			const hx_preset *p = &sel->chosen[i];
			const hx_row *r = &rs->rows[p->first_row];
			if (i)
				hx_buf_putc(out, ',');
			hx_buf_puts(out, "{\"dd_mean\":");
			hx_canon_write_number(out, p->stats.dd_mean);
			hx_buf_puts(out, ",\"kill_prob\":");
			hx_canon_write_number(out, p->stats.kill_prob);
			hx_buf_puts(out, ",\"label\":");
			hx_canon_write_cstr(out, r->label);
			hx_buf_printf(out, ",\"n_runs\":%zu,\"params\":[", p->stats.n_runs);
			/* an array of pairs: the row's order, which an object would lose */
			for (j = 0; j < r->nparams; j++) {
				hx_buf_puts(out, j ? ",[" : "[");
				hx_canon_write_cstr(out, r->params[j].name);
				hx_buf_putc(out, ',');
				hx_canon_write_cstr(out, r->params[j].value);
				hx_buf_putc(out, ']');
			}
			hx_buf_puts(out, "],\"pnl_mean\":");
			hx_canon_write_number(out, p->stats.pnl_mean);
			hx_buf_printf(out, ",\"rank\":%zu,\"score\":", i + 1);
			hx_canon_write_number(out, p->stats.score);
			hx_buf_printf(out, ",\"within_budget\":%s}",
				      p->stats.status == HX_ALIGN_PASS ? "true" : "false");
		}
		hx_buf_printf(out, "],\"fallback\":%s,\"npresets\":%zu,\"nwithin\":%zu,"
				   "\"risk_tier\":\"%s\"}",
			      sel->fallback ? "true" : "false", sel->npresets, sel->nwithin,
			      hx_align_tier_names[t]);
	}
	hx_buf_puts(out, "]}\n");
}

void hx_select_format_csv(hx_buf *out, const hx_selections *s, const hx_rowset *rs)
{
	hx_buf params = HX_BUF_INIT;
	size_t t, i;
	hx_buf_puts(out, "risk_tier,rank,label,params,n_runs,emp_final_pnl_mean,"
			 "emp_max_drawdown_mean,emp_kill_prob,emp_score,within_budget,fallback\n");
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		const hx_selection *sel = &s->tier[t];
		for (i = 0; i < sel->nchosen; i++) {
			const hx_preset *p = &sel->chosen[i];
			const hx_row *r = &rs->rows[p->first_row];
			hx_buf_printf(out, "%s,%zu,", hx_align_tier_names[t], i + 1);
			hx_series_csv_string(out, r->label);
			hx_buf_putc(out, ',');
			hx_buf_reset(&params);
			if (r->nparams)
				params_text(&params, r, ";");
			hx_series_csv_string(out, params.ptr ? params.ptr : "");
			hx_buf_printf(out, ",%zu,", p->stats.n_runs);
			hx_series_csv_number(out, p->stats.pnl_mean);
			hx_buf_putc(out, ',');
			hx_series_csv_number(out, p->stats.dd_mean);
			hx_buf_putc(out, ',');
			hx_series_csv_number(out, p->stats.kill_prob);
			hx_buf_putc(out, ',');
			hx_series_csv_number(out, p->stats.score);
			hx_buf_printf(out, ",%s,%s\n",
				      p->stats.status == HX_ALIGN_PASS ? "True" : "False",
				      sel->fallback ? "True" : "False");
		}
	}
	hx_buf_release(&params);
}
