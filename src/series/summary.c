/* summary.c - global and per-profile statistics, top runs by utility. */
#include "series/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"

const char *const hx_summary_metric_names[HX_M_COUNT] = {"final_pnl", "max_drawdown",
							 "max_pnl", "min_pnl"};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void hx_moments_of(hx_moments *out, double *v, size_t n)
{
	double sum = 0, ss = 0;
	size_t i;
	out->mean = out->median = out->std = NAN;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		sum += v[i];
	out->mean = sum / (double)n;
	if (n > 1) {
		/* two passes: the deviations from the mean, not sum(x^2) - n mean^2 */
		for (i = 0; i < n; i++)
			ss += (v[i] - out->mean) * (v[i] - out->mean);
		out->std = sqrt(ss / (double)(n - 1));
	}
	qsort(v, n, sizeof(double), cmp_double);
	out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double metric(const hx_row *r, int m)
{
	switch (m) {
	case HX_M_FINAL_PNL:
		return r->final_pnl;
	case HX_M_MAX_DRAWDOWN:
		return r->max_drawdown;
	case HX_M_MAX_PNL:
		return r->max_pnl;
	default:
		return r->min_pnl;
	}
}

static double utility(const hx_row *r, double w)
{
	return r->final_pnl - w * (r->max_drawdown > 0 ? r->max_drawdown : 0);
}

/* The statistics of the rows whose profile is `profile` (NULL: all). */
static void group_compute(hx_summary_group *g, const hx_rowset *rs, const char *profile,
			  double w, double *scratch)
{
	size_t i, n = 0;
	int m;
	double clip = 0, util = 0;

	memset(g, 0, sizeof(*g));
	g->name = profile ? profile : "all";
	for (m = 0; m < HX_M_COUNT; m++) {
		n = 0;
		for (i = 0; i < rs->n; i++) {
			const hx_row *r = &rs->rows[i];
			if (r->failed || (profile && strcmp(r->profile, profile) != 0))
				continue;
			scratch[n++] = metric(r, m);
			if (m == 0) {
				g->kills += r->kill_switch != 0;
				clip += r->max_drawdown > 0 ? r->max_drawdown : 0;
				util += utility(r, w);
			}
		}
		hx_moments_of(&g->m[m], scratch, n);
	}
	g->runs = n;
	g->kill_frac = n ? (double)g->kills / (double)n : NAN;
	g->dd_clipped_mean = n ? clip / (double)n : NAN;
	g->utility_mean = n ? util / (double)n : NAN;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_top(const void *a, const void *b)
{
	const hx_summary_top *x = a, *y = b;
	if (x->utility != y->utility)
		return x->utility > y->utility ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row); /* ties: dataset order */
}

void hx_summary_compute(hx_summary *out, const hx_rowset *rs, double dd_weight, size_t top_n)
{
	double *scratch = hx_xmalloc((rs->n ? rs->n : 1) * sizeof(double));
	const char **names = hx_xmalloc((rs->n ? rs->n : 1) * sizeof(char *));
	size_t i, k = 0, nn = 0;

	memset(out, 0, sizeof(*out));
	out->dd_weight = dd_weight;
	out->failed = rs->failed;
	group_compute(&out->all, rs, NULL, dd_weight, scratch);

	for (i = 0; i < rs->n; i++)
		if (!rs->rows[i].failed)
			names[nn++] = rs->rows[i].profile;
	qsort(names, nn, sizeof(char *), cmp_str);
	out->profiles = hx_xcalloc(nn ? nn : 1, sizeof(hx_summary_group));
	for (i = 0; i < nn; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			group_compute(&out->profiles[out->nprofiles++], rs, names[i], dd_weight,
				      scratch);

	out->top = hx_xmalloc((rs->n ? rs->n : 1) * sizeof(hx_summary_top));
	for (i = 0; i < rs->n; i++)
		if (!rs->rows[i].failed) {
			out->top[k].row = i;
			out->top[k].utility = utility(&rs->rows[i], dd_weight);
			k++;
		}
	/* qsort is not stable: cmp_top breaks ties by row index */
	qsort(out->top, k, sizeof(hx_summary_top), cmp_top);
	out->ntop = k < top_n ? k : top_n;
	free(scratch);
	free(names);
}

void hx_summary_release(hx_summary *s)
{
	free(s->profiles);
	free(s->top);
	memset(s, 0, sizeof(*s));
}

void hx_series_text_number(hx_buf *out, double v)
{
	if (isnan(v))
		hx_buf_puts(out, "-");
	else
		hx_buf_printf(out, "%.2f", v == 0 ? 0.0 : v); /* no "-0.00" for -0 */
}

static void text_frac(hx_buf *out, double v)
{
	if (isnan(v))
		hx_buf_puts(out, "-");
	else
		hx_buf_printf(out, "%.4f", v);
}

/* A right-aligned column: the value rendered, padded to width. */
static void text_cell(hx_buf *out, double v, int width, int frac)
{
	hx_buf tmp = HX_BUF_INIT;
	if (frac)
		text_frac(&tmp, v);
	else
		hx_series_text_number(&tmp, v);
	hx_buf_printf(out, " %*s", width, tmp.ptr ? tmp.ptr : "");
	hx_buf_release(&tmp);
}

void hx_summary_format_text(hx_buf *out, const hx_summary *s, const hx_rowset *rs)
{
	size_t i;
	int m;

	hx_buf_printf(out, "runs: %zu", s->all.runs);
	if (s->failed)
		hx_buf_printf(out, " (%zu failed row%s left out)", s->failed,
			      s->failed == 1 ? "" : "s");
	hx_buf_printf(out, "\nkills: %zu (fraction ", s->all.kills);
	text_frac(out, s->all.kill_frac);
	hx_buf_puts(out, ")\n\nmetric              mean       median          std\n");
	for (m = 0; m < HX_M_COUNT; m++) {
		hx_buf_printf(out, "%-12s", hx_summary_metric_names[m]);
		text_cell(out, s->all.m[m].mean, 12, 0);
		text_cell(out, s->all.m[m].median, 12, 0);
		text_cell(out, s->all.m[m].std, 12, 0);
		hx_buf_putc(out, '\n');
	}
	hx_buf_puts(out, "\nprofile          runs     pnl_mean   pnl_median dd_clip_mean  kill_frac\n");
	for (i = 0; i < s->nprofiles; i++) {
		const hx_summary_group *g = &s->profiles[i];
		hx_buf_printf(out, "%-14s %6zu", g->name, g->runs);
		text_cell(out, g->m[HX_M_FINAL_PNL].mean, 12, 0);
		text_cell(out, g->m[HX_M_FINAL_PNL].median, 12, 0);
		text_cell(out, g->dd_clipped_mean, 12, 0);
		text_cell(out, g->kill_frac, 10, 1);
		hx_buf_putc(out, '\n');
	}
	hx_buf_printf(out, "\ntop %zu runs by utility = final_pnl - %g * max(max_drawdown, 0):\n",
		      s->ntop, s->dd_weight);
	hx_buf_puts(out, "rank  label                profile            utility    final_pnl "
			 "max_drawdown  kill\n");
	for (i = 0; i < s->ntop; i++) {
		const hx_row *r = &rs->rows[s->top[i].row];
		hx_buf_printf(out, "%4zu  %-20s %-14s", i + 1, r->label, r->profile);
		text_cell(out, s->top[i].utility, 12, 0);
		text_cell(out, r->final_pnl, 12, 0);
		text_cell(out, r->max_drawdown, 12, 0);
		hx_buf_printf(out, "  %s\n", r->kill_switch ? "yes" : "no");
	}
}

static void json_group(hx_buf *out, const hx_summary_group *g)
{
	int m;
	hx_buf_puts(out, "{\"dd_clipped_mean\":");
	hx_canon_write_number(out, g->dd_clipped_mean);
	hx_buf_printf(out, ",\"kill_frac\":");
	hx_canon_write_number(out, g->kill_frac);
	hx_buf_printf(out, ",\"kills\":%zu", g->kills);
	/* keys in RFC 8785 order; the metric names are already sorted */
	hx_buf_puts(out, ",\"metrics\":{");
	for (m = 0; m < HX_M_COUNT; m++) {
		if (m)
			hx_buf_putc(out, ',');
		hx_buf_printf(out, "\"%s\":{\"mean\":", hx_summary_metric_names[m]);
		hx_canon_write_number(out, g->m[m].mean);
		hx_buf_puts(out, ",\"median\":");
		hx_canon_write_number(out, g->m[m].median);
		hx_buf_puts(out, ",\"std\":");
		hx_canon_write_number(out, g->m[m].std);
		hx_buf_putc(out, '}');
	}
	hx_buf_puts(out, "},\"name\":");
	hx_canon_write_cstr(out, g->name);
	hx_buf_printf(out, ",\"runs\":%zu,\"utility_mean\":", g->runs);
	hx_canon_write_number(out, g->utility_mean);
	hx_buf_putc(out, '}');
}

void hx_summary_format_json(hx_buf *out, const hx_summary *s, const hx_rowset *rs)
{
	size_t i;
	hx_buf_puts(out, "{\"all\":");
	json_group(out, &s->all);
	hx_buf_puts(out, ",\"dd_weight\":");
	hx_canon_write_number(out, s->dd_weight);
	hx_buf_printf(out, ",\"failed\":%zu,\"profiles\":[", s->failed);
	for (i = 0; i < s->nprofiles; i++) {
		if (i)
			hx_buf_putc(out, ',');
		json_group(out, &s->profiles[i]);
	}
	hx_buf_puts(out, "],\"top\":[");
	for (i = 0; i < s->ntop; i++) {
		const hx_row *r = &rs->rows[s->top[i].row];
		if (i)
			hx_buf_putc(out, ',');
		hx_buf_puts(out, "{\"final_pnl\":");
		hx_canon_write_number(out, r->final_pnl);
		hx_buf_printf(out, ",\"kill_switch\":%s,\"label\":", r->kill_switch ? "true" : "false");
		hx_canon_write_cstr(out, r->label);
		hx_buf_puts(out, ",\"line\":");
		hx_buf_printf(out, "%zu,\"max_drawdown\":", r->line);
		hx_canon_write_number(out, r->max_drawdown);
		hx_buf_puts(out, ",\"profile\":");
		hx_canon_write_cstr(out, r->profile);
		hx_buf_printf(out, ",\"rank\":%zu,\"utility\":", i + 1);
		hx_canon_write_number(out, s->top[i].utility);
		hx_buf_putc(out, '}');
	}
	hx_buf_puts(out, "]}\n");
}

static void csv_group(hx_buf *out, const hx_summary_group *g)
{
	int m;
	hx_series_csv_string(out, g->name);
	hx_buf_printf(out, ",%zu,%zu,", g->runs, g->kills);
	hx_series_csv_number(out, g->kill_frac);
	for (m = 0; m < HX_M_COUNT; m++) {
		hx_buf_putc(out, ',');
		hx_series_csv_number(out, g->m[m].mean);
		hx_buf_putc(out, ',');
		hx_series_csv_number(out, g->m[m].median);
		hx_buf_putc(out, ',');
		hx_series_csv_number(out, g->m[m].std);
	}
	hx_buf_putc(out, ',');
	hx_series_csv_number(out, g->dd_clipped_mean);
	hx_buf_putc(out, ',');
	hx_series_csv_number(out, g->utility_mean);
	hx_buf_putc(out, '\n');
}

void hx_summary_format_csv(hx_buf *out, const hx_summary *s)
{
	size_t i;
	int m;
	hx_buf_puts(out, "group,runs,kills,kill_frac");
	for (m = 0; m < HX_M_COUNT; m++)
		hx_buf_printf(out, ",%s_mean,%s_median,%s_std", hx_summary_metric_names[m],
			      hx_summary_metric_names[m], hx_summary_metric_names[m]);
	hx_buf_puts(out, ",dd_clipped_mean,utility_mean\n");
	csv_group(out, &s->all);
	for (i = 0; i < s->nprofiles; i++)
		csv_group(out, &s->profiles[i]);
}
