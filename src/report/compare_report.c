/* report/compare_report.c - harness compare's HTML report and its figures
 * (report/compare_report.h). */
#include "report/compare_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plot/plot.h"
#include "stats.h"

/* Steps of an ECDF drawn: at most 1/400 of the height off, well under a
 * pixel of a 400-pixel figure, and a few hundred points per curve whatever
 * the sample's size (a 10,000-task tier would otherwise write 10,000). */
#define ECDF_STEPS 400

/* The rate metrics in the order of the figures' categories. */
static const char *const rate_metrics[3] = {"timeout_rate", "spurious_fail_rate",
					     "spurious_pass_rate"};
static const char *const rate_labels[3] = {"timeout", "spurious fail", "spurious pass"};

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

void hx_ecdf_build(hx_ecdf *out, const double *v, size_t n)
{
	double *s;
	size_t i, m = 0, k = 0;

	memset(out, 0, sizeof(*out));
	s = hx_xmalloc((n ? n : 1) * sizeof(double));
	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			s[m++] = v[i];
	qsort(s, m, sizeof(double), cmp_double);
	out->x = hx_xmalloc((m ? m : 1) * sizeof(double));
	out->y = hx_xmalloc((m ? m : 1) * sizeof(double));
	out->total = m;
	for (i = 0; i < m; i++) {
		/* one point per distinct value, at the last of its ties */
		if (i + 1 < m && s[i + 1] == s[i])
			continue;
		out->x[k] = s[i];
		out->y[k] = (double)(i + 1) / (double)m;
		k++;
	}
	out->n = k;
	free(s);
}

void hx_ecdf_thin(hx_ecdf *e, size_t max_steps)
{
	size_t i, k = 0;
	double level = 0.0; /* the step of the last kept point */

	if (max_steps == 0 || e->n <= max_steps + 1)
		return;
	for (i = 0; i < e->n; i++) {
		double step = floor(e->y[i] * (double)max_steps);
		if (i + 1 < e->n && step <= level)
			continue;
		e->x[k] = e->x[i];
		e->y[k] = e->y[i];
		k++;
		level = step;
	}
	e->n = k;
}

void hx_ecdf_release(hx_ecdf *e)
{
	free(e->x);
	free(e->y);
	memset(e, 0, sizeof(*e));
}

int hx_compare_side_rate(const hx_comparison *c, int side, double confidence, double *rate,
			 double *lo, double *hi)
{
	unsigned long k = side ? c->kb : c->ka, n = side ? c->nb : c->na;
	if (!c->is_rate || n == 0)
		return -1;
	*rate = side ? c->b : c->a;
	hx_stats_wilson(k, n, confidence, lo, hi);
	return 0;
}

/* ---- the comparisons of a tier ---- */

typedef struct {
	hx_tier tier;
	const hx_comparison *rates[3]; /* by rate_metrics; NULL: absent */
	const hx_comparison *duration;
} tier_rows;

/* The tiers of r in the order of its comparisons. */
static size_t collect_tiers(const hx_compare_result *r, tier_rows *out)
{
	size_t i, j, n = 0;
	int k;
	for (i = 0; i < r->n; i++) {
		const hx_comparison *c = &r->items[i];
		for (j = 0; j < n && out[j].tier != c->tier; j++)
			;
		if (j == n) {
			if (n == HX_TIER_COUNT)
				continue;
			memset(&out[n], 0, sizeof(out[n]));
			out[n++].tier = c->tier;
		}
		if (!c->is_rate) {
			out[j].duration = c;
			continue;
		}
		for (k = 0; k < 3; k++)
			if (strcmp(c->metric, rate_metrics[k]) == 0)
				out[j].rates[k] = c;
	}
	return n;
}

static const hx_tier_data *tier_of(const hx_calib_data *d, hx_tier t)
{
	size_t i;
	if (!d)
		return NULL;
	for (i = 0; i < d->ntiers; i++)
		if (d->tiers[i].tier == t)
			return &d->tiers[i];
	return NULL;
}

/* ---- figures ---- */

#define FIG_W 640
#define FIG_H 400

static int fig_rates(hx_report_figs *figs, const tier_rows *t, double conf)
{
	const hx_plot_color col[2] = {hx_plot_series_color(0), hx_plot_series_color(1)};
	const hx_plot_symbol sym[2] = {HX_PLOT_CIRCLE, HX_PLOT_SQUARE};
	const double offset[2] = {-0.12, 0.12};
	hx_plot_key keys[2];
	hx_plot_axes ax;
	hx_plot *p;
	double ymax = 0.0, ymin = 0.0;
	char title[128];
	int k, s;

	for (k = 0; k < 3; k++)
		for (s = 0; s < 2; s++) {
			double v, lo, hi;
			if (t->rates[k] && hx_compare_side_rate(t->rates[k], s, conf, &v, &lo, &hi) == 0 &&
			    hi > ymax)
				ymax = hi;
		}
	if (ymax <= 0.0)
		ymax = 1.0;
	ymax *= 1.25; /* headroom for the legend in the top right corner */
	hx_plot_nice_range(&ymin, &ymax, 0.05);
	ymin = 0.0;
	if (ymax > 1.0)
		ymax = 1.0;
	snprintf(title, sizeof(title), "%s: rates of A and B, %g%% Wilson intervals",
		 hx_tier_name(t->tier), 100.0 * conf);
	memset(&ax, 0, sizeof(ax));
	ax.title = title;
	ax.ylabel = "proportion";
	ax.xmin = -0.5;
	ax.xmax = 2.5;
	ax.ymin = ymin;
	ax.ymax = ymax;
	ax.grid = 1;
	ax.xcats = rate_labels;
	ax.ncats = 3;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &ax);
	for (k = 0; k < 3; k++) {
		int any = 0;
		for (s = 0; s < 2; s++) {
			double v, lo, hi, x = (double)k + offset[s];
			if (!t->rates[k] || hx_compare_side_rate(t->rates[k], s, conf, &v, &lo, &hi) != 0)
				continue;
			hx_plot_interval(p, x, lo, hi, 1, col[s]);
			hx_plot_points(p, &x, &v, 1, col[s], sym[s]);
			any = 1;
		}
		if (!any)
			hx_plot_text(p, (double)k, ymin + 0.05 * (ymax - ymin), 0.5, "n/a", HX_PLOT_GREY);
	}
	memset(keys, 0, sizeof(keys));
	for (s = 0; s < 2; s++) {
		keys[s].label = s ? "B" : "A";
		keys[s].color = col[s];
		keys[s].kind = HX_PLOT_KEY_POINT;
		keys[s].symbol = sym[s];
	}
	hx_plot_legend(p, keys, 2, 0);
	return hx_plot_end(p, hx_report_figs_add(figs, "%s-rates", hx_tier_name(t->tier)));
}

static int fig_diff(hx_report_figs *figs, const tier_rows *t, double conf, int paired)
{
	/* significant, not significant, not tested */
	static const hx_plot_color kcol[3] = {HX_PLOT_VERMILLION, HX_PLOT_BLUE, HX_PLOT_GREY};
	static const hx_plot_symbol ksym[3] = {HX_PLOT_DIAMOND, HX_PLOT_CIRCLE, HX_PLOT_SQUARE};
	static const char *const klabel[3] = {"significant (Holm)", "not significant",
					      "not tested"};
	hx_plot_key keys[3];
	hx_plot_axes ax;
	hx_plot *p;
	double ymin = 0.0, ymax = 0.0;
	char title[128];
	int k, used[3] = {0, 0, 0};
	size_t nkeys = 0;

	for (k = 0; k < 3; k++) {
		const hx_comparison *c = t->rates[k];
		if (!c || !isfinite(c->lo) || !isfinite(c->hi))
			continue;
		if (c->lo < ymin)
			ymin = c->lo;
		if (c->hi > ymax)
			ymax = c->hi;
	}
	if (ymin == ymax) {
		ymin = -0.01;
		ymax = 0.01;
	}
	ymax += 0.3 * (ymax - ymin); /* headroom for the legend in the top right corner */
	hx_plot_nice_range(&ymin, &ymax, 0.05);
	snprintf(title, sizeof(title), "%s: B - A, %g%% Newcombe intervals (%s)",
		 hx_tier_name(t->tier), 100.0 * conf, paired ? "paired" : "hybrid, unpaired");
	memset(&ax, 0, sizeof(ax));
	ax.title = title;
	ax.ylabel = "difference B - A";
	ax.xmin = -0.5;
	ax.xmax = 2.5;
	ax.ymin = ymin;
	ax.ymax = ymax;
	ax.grid = 1;
	ax.xcats = rate_labels;
	ax.ncats = 3;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &ax);
	hx_plot_hline(p, 0.0, HX_PLOT_BLACK, HX_PLOT_DASHED);
	for (k = 0; k < 3; k++) {
		const hx_comparison *c = t->rates[k];
		double x = (double)k;
		int kind;
		if (!c || !isfinite(c->lo) || !isfinite(c->hi) || !isfinite(c->diff)) {
			hx_plot_text(p, x, ymin + 0.05 * (ymax - ymin), 0.5, "n/a", HX_PLOT_GREY);
			continue;
		}
		kind = !c->tested ? 2 : c->significant ? 0 : 1;
		used[kind] = 1;
		hx_plot_interval(p, x, c->lo, c->hi, 1, kcol[kind]);
		hx_plot_points(p, &x, &c->diff, 1, kcol[kind], ksym[kind]);
	}
	memset(keys, 0, sizeof(keys));
	for (k = 0; k < 3; k++)
		if (used[k]) {
			keys[nkeys].label = klabel[k];
			keys[nkeys].color = kcol[k];
			keys[nkeys].kind = HX_PLOT_KEY_POINT;
			keys[nkeys].symbol = ksym[k];
			nkeys++;
		}
	if (nkeys)
		hx_plot_legend(p, keys, nkeys, 0);
	return hx_plot_end(p, hx_report_figs_add(figs, "%s-diff", hx_tier_name(t->tier)));
}

/* The median of v[0..n) as the comparisons table gives it (hx_median);
 * NaN when n == 0. */
static double median_of(const double *v, size_t n)
{
	double *w, m;
	if (!n)
		return NAN;
	w = hx_xmalloc(n * sizeof(double));
	memcpy(w, v, n * sizeof(double));
	m = hx_median(w, n);
	free(w);
	return m;
}

static int fig_durations(hx_report_figs *figs, const tier_rows *t, const hx_tier_data *da,
			 const hx_tier_data *db, double conf)
{
	hx_ecdf e[2];
	double med[2];
	hx_plot_key keys[2];
	hx_plot_axes ax;
	hx_plot *p;
	double xmin = INFINITY, xmax = -INFINITY, *xs = NULL, *ys = NULL;
	char title[160], ratio[96], label[2][48];
	int s, logx;
	size_t nkeys = 0;

	hx_ecdf_build(&e[0], da->durations, da->ndurations);
	hx_ecdf_build(&e[1], db->durations, db->ndurations);
	med[0] = median_of(da->durations, da->ndurations);
	med[1] = median_of(db->durations, db->ndurations);
	for (s = 0; s < 2; s++)
		if (e[s].n) {
			if (e[s].x[0] < xmin)
				xmin = e[s].x[0];
			if (e[s].x[e[s].n - 1] > xmax)
				xmax = e[s].x[e[s].n - 1];
		}
	/* durations spread over two decades or more read better on a log axis */
	logx = isfinite(xmin) && xmin > 0.0 && xmax / xmin >= 100.0;
	for (s = 0; s < 2; s++) {
		size_t i;
		hx_ecdf_thin(&e[s], ECDF_STEPS);
		if (logx) {
			for (i = 0; i < e[s].n; i++)
				e[s].x[i] = log10(e[s].x[i]);
			med[s] = log10(med[s]);
		}
	}
	if (!isfinite(xmin)) {
		xmin = 0.0;
		xmax = 1.0;
	} else if (logx) {
		xmin = log10(xmin);
		xmax = log10(xmax);
	}
	hx_plot_nice_range(&xmin, &xmax, 0.03);
	if (!logx && xmin < 0.0 && isfinite(xmin))
		xmin = 0.0; /* durations are not negative */

	{
		const hx_comparison *c = t->duration;
		if (c && isfinite(c->diff) && isfinite(c->lo) && isfinite(c->hi))
			snprintf(ratio, sizeof(ratio), "median ratio B/A %.3f [%.3f, %.3f]", c->diff,
				 c->lo, c->hi);
		else if (c && isfinite(c->diff))
			snprintf(ratio, sizeof(ratio), "median ratio B/A %.3f", c->diff);
		else
			snprintf(ratio, sizeof(ratio), "median ratio B/A n/a");
	}
	snprintf(title, sizeof(title), "%s durations: %s", hx_tier_name(t->tier), ratio);
	(void)conf;
	memset(&ax, 0, sizeof(ax));
	ax.title = title;
	ax.xlabel = logx ? "duration of completed runs (ms, log scale)" : "duration of completed runs (ms)";
	ax.ylabel = "fraction completed within";
	ax.xmin = xmin;
	ax.xmax = xmax;
	ax.ymin = 0.0;
	ax.ymax = 1.0;
	ax.grid = 1;
	ax.logx = logx;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &ax);
	memset(keys, 0, sizeof(keys));
	for (s = 0; s < 2; s++) {
		hx_plot_color col = hx_plot_series_color((size_t)s);
		if (!e[s].n)
			continue;
		/* the curve is 0 left of the first value: a leading point at the
		 * frame's edge */
		xs = hx_xrealloc(xs, (e[s].n + 1) * sizeof(double));
		ys = hx_xrealloc(ys, (e[s].n + 1) * sizeof(double));
		xs[0] = xmin;
		ys[0] = 0.0;
		memcpy(xs + 1, e[s].x, e[s].n * sizeof(double));
		memcpy(ys + 1, e[s].y, e[s].n * sizeof(double));
		hx_plot_step(p, xs, ys, e[s].n + 1, xmax, col, s ? HX_PLOT_DASHED : HX_PLOT_SOLID);
		if (isfinite(med[s]))
			hx_plot_vline(p, med[s], col, HX_PLOT_DOTTED);
		snprintf(label[s], sizeof(label[s]), "%s (%zu runs)", s ? "B" : "A", e[s].total);
		keys[nkeys].label = label[s];
		keys[nkeys].color = col;
		keys[nkeys].kind = HX_PLOT_KEY_LINE;
		keys[nkeys].style = s ? HX_PLOT_DASHED : HX_PLOT_SOLID;
		nkeys++;
	}
	if (nkeys)
		hx_plot_legend(p, keys, nkeys, 3);
	free(xs);
	free(ys);
	hx_ecdf_release(&e[0]);
	hx_ecdf_release(&e[1]);
	return hx_plot_end(p, hx_report_figs_add(figs, "%s-durations", hx_tier_name(t->tier)));
}

/* ---- HTML ---- */

static void td(hx_buf *out, const char *text)
{
	hx_buf_puts(out, "<td>");
	hx_html_escape(out, text);
	hx_buf_puts(out, "</td>");
}

/* The row; returns its disagreement (hx_comparison_cells). */
static int comparison_row(hx_buf *out, const hx_comparison *c)
{
	char p[16], padj[16];
	hx_comparison_cells k;

	hx_comparison_cells_format(&k, c);
	hx_buf_puts(out, c->significant ? "<tr class=\"significant\">" : "<tr>");
	td(out, hx_tier_name(c->tier));
	td(out, c->metric);
	td(out, k.a);
	td(out, k.b);
	td(out, k.diff);
	td(out, k.discordant);
	if (c->tested) {
		td(out, hx_stats_format_p(p, c->p));
		td(out, hx_stats_format_p(padj, c->p_adjusted));
		hx_buf_puts(out, "<td>");
		if (c->significant)
			hx_buf_puts(out, "<strong>&#9733; significant</strong>");
		else
			hx_buf_puts(out, "not significant");
		if (k.disagreement)
			hx_buf_printf(out, " [%d]", k.disagreement);
		hx_buf_puts(out, "</td>");
	} else {
		hx_buf_puts(out, "<td>-</td><td>-</td><td>not tested: ");
		hx_html_escape(out, c->note);
		hx_buf_puts(out, "</td>");
	}
	hx_buf_puts(out, "</tr>\n");
	return k.disagreement;
}

static void section_compared(hx_buf *out, const hx_compare_result *r,
			     const hx_compare_report_info *info)
{
	char alpha[160];
	const char *kv[10];

	snprintf(alpha, sizeof(alpha),
		 "alpha %g, Holm-adjusted over %zu tests; %g%% intervals, unadjusted", r->alpha,
		 r->tested, 100.0 * r->confidence);
	kv[0] = "A";
	kv[1] = info->name_a;
	kv[2] = "B";
	kv[3] = info->name_b;
	kv[4] = r->paired ? "paired" : "unpaired";
	kv[5] = r->pairing;
	kv[6] = "tests";
	kv[7] = alpha;
	kv[8] = "verdict";
	kv[9] = r->any_significant ? "the calibrations differ" : "no significant difference";
	hx_html_elem(out, "h2", "What was compared");
	hx_html_kv_table(out, kv, 5);
}

static void section_table(hx_buf *out, const hx_compare_result *r)
{
	int used[3] = {0, 0, 0};
	size_t i;

	hx_html_elem(out, "h2", "Comparisons");
	hx_buf_printf(out,
		      "<table class=\"comparisons\">\n<thead><tr><th>tier</th><th>metric</th>"
		      "<th>A</th><th>B</th><th>B-A or B/A [%g%% CI]</th><th>A-only/B-only</th>"
		      "<th>p</th><th>p(Holm)</th><th>verdict</th></tr></thead>\n<tbody>\n",
		      100.0 * r->confidence);
	for (i = 0; i < r->n; i++) {
		used[comparison_row(out, &r->items[i])] = 1;
	}
	hx_buf_puts(out, "</tbody>\n</table>\n");
	if (used[1])
		hx_buf_printf(out,
			      "<p>[1] the unadjusted interval excludes no change, but with %zu tests "
			      "taken together (Holm) the difference is not significant</p>\n",
			      r->tested);
	if (used[2])
		hx_buf_puts(out, "<p>[2] significant after Holm, though the interval (another method "
				 "than the test) includes no change</p>\n");
}

static void section_flips(hx_buf *out, const hx_compare_result *r, size_t max_flips)
{
	size_t per_tier[HX_TIER_COUNT] = {0}, i, shown;
	int t, first = 1;

	hx_html_elem(out, "h2", "Flips");
	if (!r->paired) {
		hx_html_elem(out, "p", "None listed: the runs are not paired.");
		return;
	}
	if (!r->nflips) {
		hx_html_elem(out, "p", "None: every task has the same outcome in A and B.");
		return;
	}
	for (i = 0; i < r->nflips; i++)
		per_tier[r->flips[i].tier]++;
	hx_buf_printf(out, "<p>%zu task%s changed outcome (", r->nflips, r->nflips == 1 ? "" : "s");
	for (t = 0; t < HX_TIER_COUNT; t++)
		if (per_tier[t]) {
			hx_buf_printf(out, "%s%s %zu", first ? "" : ", ", hx_tier_name((hx_tier)t),
				      per_tier[t]);
			first = 0;
		}
	shown = r->nflips < max_flips ? r->nflips : max_flips;
	if (shown < r->nflips)
		hx_buf_printf(out, "); the first %zu:</p>\n", shown);
	else
		hx_buf_puts(out, "):</p>\n");
	hx_buf_puts(out, "<table class=\"flips\">\n<thead><tr><th>tier</th><th>task</th>"
			 "<th>A</th><th>B</th><th>A ms</th><th>B ms</th><th>module</th></tr>"
			 "</thead>\n<tbody>\n");
	for (i = 0; i < shown; i++) {
		const hx_flip *f = &r->flips[i];
		char ms[2][32], idx[32];
		snprintf(idx, sizeof(idx), "%zu", f->task_index);
		snprintf(ms[0], sizeof(ms[0]), "%.1f", f->a_ms);
		snprintf(ms[1], sizeof(ms[1]), "%.1f", f->b_ms);
		hx_buf_puts(out, "<tr>");
		td(out, hx_tier_name(f->tier));
		td(out, idx);
		td(out, hx_outcome_name(f->a));
		td(out, hx_outcome_name(f->b));
		td(out, ms[0]);
		td(out, ms[1]);
		td(out, f->module);
		hx_buf_puts(out, "</tr>\n");
	}
	hx_buf_puts(out, "</tbody>\n</table>\n");
	if (shown < r->nflips)
		hx_buf_printf(out,
			      "<p>... and %zu more (<code>harness compare --flips</code> lists them "
			      "all)</p>\n",
			      r->nflips - shown);
}

/* Why a tier has no duration figure, or NULL when it has one. */
static const char *no_durations(const hx_compare_report_info *info, const hx_tier_data *da,
				const hx_tier_data *db, char *buf, size_t cap)
{
	if (!info->a && !info->b)
		return "No duration figure: A and B are calibration.yaml files, which hold rates "
		       "but no durations.";
	if (!info->a || !info->b) {
		snprintf(buf, cap,
			 "No duration figure: %s is a calibration.yaml, which holds rates but no "
			 "durations.",
			 info->a ? "B" : "A");
		return buf;
	}
	if (!da || !db || (!da->ndurations && !db->ndurations))
		return "No duration figure: no completed run in this tier on either side.";
	return NULL;
}

int hx_compare_report(hx_buf *html, hx_report_figs *figs, const hx_compare_result *r,
		      const hx_compare_report_info *info)
{
	tier_rows tiers[HX_TIER_COUNT];
	size_t nt, i;
	int err;
	char conf[16];

	snprintf(conf, sizeof(conf), "%g%%", 100.0 * r->confidence);
	hx_html_begin(html, "harness compare");
	section_compared(html, r, info);
	section_table(html, r);
	section_flips(html, r, info->max_flips);
	nt = collect_tiers(r, tiers);
	for (i = 0; i < nt; i++) {
		const tier_rows *t = &tiers[i];
		const hx_tier_data *da = tier_of(info->a, t->tier), *db = tier_of(info->b, t->tier);
		char cap[512], why[160];
		const char *none;

		hx_html_elem(html, "h2", hx_tier_name(t->tier));
		if ((err = fig_rates(figs, t, r->confidence)) != 0)
			return err;
		snprintf(cap, sizeof(cap),
			 "%s: each rate of A and of B with its %s Wilson interval (timeout over "
			 "all runs; spurious fail over truly valid tasks that did not time out; "
			 "spurious pass over truly invalid ones).",
			 hx_tier_name(t->tier), conf);
		hx_html_figure(html, figs, figs->n - 1, cap);
		if ((err = fig_diff(figs, t, r->confidence, r->paired)) != 0)
			return err;
		snprintf(cap, sizeof(cap),
			 "%s: each rate's difference B - A with its %s Newcombe interval (%s, "
			 "unadjusted); significant after Holm's adjustment of the tests' p-values "
			 "in vermillion.",
			 hx_tier_name(t->tier), conf,
			 r->paired ? "paired by task" : "hybrid Wilson, unpaired");
		hx_html_figure(html, figs, figs->n - 1, cap);
		none = no_durations(info, da, db, why, sizeof(why));
		if (none) {
			hx_html_elem(html, "p", none);
			continue;
		}
		if ((err = fig_durations(figs, t, da, db, r->confidence)) != 0)
			return err;
		snprintf(cap, sizeof(cap),
			 "%s: the empirical CDFs of the durations of completed runs in A and B "
			 "(medians dotted); the median ratio B/A and its %s interval are %s.",
			 hx_tier_name(t->tier), conf,
			 r->paired ? "per task, over tasks completed in both (order statistics)"
				   : "of the two samples (bootstrap percentile)");
		hx_html_figure(html, figs, figs->n - 1, cap);
	}
	hx_html_end(html);
	return 0;
}

int hx_compare_report_write(const char *html_path, const hx_compare_result *r,
			    const hx_compare_report_info *info)
{
	hx_buf html = HX_BUF_INIT;
	hx_report_figs figs;
	int err;

	hx_report_figs_init(&figs, html_path);
	err = hx_compare_report(&html, &figs, r, info);
	if (!err)
		err = hx_report_write(html_path, &html, &figs);
	hx_buf_release(&html);
	hx_report_figs_release(&figs);
	return err;
}
