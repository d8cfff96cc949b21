/* series_figures.c - the figures of an experiment series (series_figures.h). */
#include "report/series_figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json.h"
#include "plot/plot.h"

#define FIG_W 640
#define FIG_H 400

double hx_series_quantile(const double *sorted, size_t n, double p)
{
	double h, f;
	size_t lo;
	if (n == 0)
		return NAN;
	if (p <= 0)
		return sorted[0];
	if (p >= 1)
		return sorted[n - 1];
	h = (double)(n - 1) * p;
	lo = (size_t)floor(h);
	f = h - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + f * (sorted[lo + 1] - sorted[lo]);
}

void hx_series_cats_release(hx_series_cats *c)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		free(c->items[i]);
	free(c->items);
	memset(c, 0, sizeof(*c));
}

size_t hx_series_cats_find(const hx_series_cats *c, const char *s)
{
	size_t i;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->items[i], s) == 0)
			return i;
	return (size_t)-1;
}

size_t hx_series_cats_add(hx_series_cats *c, const char *s)
{
	size_t i = hx_series_cats_find(c, s);
	if (i != (size_t)-1)
		return i;
	c->items = hx_xrealloc(c->items, (c->n + 1) * sizeof(char *));
	c->items[c->n] = hx_xstrdup(s);
	return c->n++;
}

void hx_series_profiles(hx_series_cats *out, const hx_rowset *rows)
{
	size_t i;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < rows->n; i++)
		if (!rows->rows[i].failed)
			hx_series_cats_add(out, rows->rows[i].profile);
}

void hx_series_grid_build(hx_series_grid *out, const hx_rowset *rows, const char *profile,
			  const char *xname, const char *yname)
{
	size_t i, cells;
	double *sum;
	memset(out, 0, sizeof(*out));
	/* the categories first, then the sums */
	for (i = 0; i < rows->n; i++) {
		const hx_row *r = &rows->rows[i];
		const char *xv = hx_row_param(r, xname), *yv = yname ? hx_row_param(r, yname)
								      : r->profile;
		if (r->failed || !xv || !yv || (profile && strcmp(r->profile, profile) != 0))
			continue;
		hx_series_cats_add(&out->x, xv);
		hx_series_cats_add(&out->y, yv);
	}
	cells = out->x.n * out->y.n;
	out->mean = hx_xcalloc(cells ? cells : 1, sizeof(double));
	out->count = hx_xcalloc(cells ? cells : 1, sizeof(size_t));
	sum = hx_xcalloc(cells ? cells : 1, sizeof(double));
	for (i = 0; i < rows->n; i++) {
		const hx_row *r = &rows->rows[i];
		const char *xv = hx_row_param(r, xname), *yv = yname ? hx_row_param(r, yname)
								      : r->profile;
		size_t c;
		if (r->failed || !xv || !yv || (profile && strcmp(r->profile, profile) != 0))
			continue;
		c = hx_series_cats_find(&out->x, xv) * out->y.n + hx_series_cats_find(&out->y, yv);
		sum[c] += r->final_pnl;
		out->count[c]++;
	}
	for (i = 0; i < cells; i++)
		out->mean[i] = out->count[i] ? sum[i] / (double)out->count[i] : NAN;
	free(sum);
}

void hx_series_grid_release(hx_series_grid *g)
{
	hx_series_cats_release(&g->x);
	hx_series_cats_release(&g->y);
	free(g->mean);
	free(g->count);
	memset(g, 0, sizeof(*g));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double metric_of(const hx_row *r, hx_series_metric m)
{
	return m == HX_SERIES_FINAL_PNL ? r->final_pnl : r->max_drawdown;
}

void hx_series_dist_build(hx_series_dist *out, const hx_rowset *rows, const char *profile,
			  hx_series_metric m)
{
	size_t i;
	memset(out, 0, sizeof(*out));
	out->sorted = hx_xcalloc(rows->n ? rows->n : 1, sizeof(double));
	for (i = 0; i < rows->n; i++)
		if (!rows->rows[i].failed && strcmp(rows->rows[i].profile, profile) == 0)
			out->sorted[out->n++] = metric_of(&rows->rows[i], m);
	qsort(out->sorted, out->n, sizeof(double), cmp_double);
	out->q1 = hx_series_quantile(out->sorted, out->n, 0.25);
	out->median = hx_series_quantile(out->sorted, out->n, 0.5);
	out->q3 = hx_series_quantile(out->sorted, out->n, 0.75);
}

void hx_series_dist_release(hx_series_dist *d)
{
	free(d->sorted);
	memset(d, 0, sizeof(*d));
}

/* A figure file name part: letters, digits, '-', '_', '.' kept, others '_'. */
static void name_part(char *out, size_t n, const char *s)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < n; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '-' || c == '_' || c == '.';
		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

static int heatmap_figure(hx_report_figs *figs, const char *step, const hx_rowset *rows,
			  const char *profile, const char *xname, const char *yname)
{
	hx_series_grid g;
	hx_plot_heatmap_spec h;
	double zmin = INFINITY, zmax = -INFINITY;
	char title[160], sstep[64], sprof[64], sx[64], sy[64];
	size_t i;
	hx_plot *p;
	hx_buf *svg;
	int err;

	hx_series_grid_build(&g, rows, profile, xname, yname);
	if (g.x.n == 0 || g.y.n == 0) {
		hx_series_grid_release(&g);
		return 0;
	}
	for (i = 0; i < g.x.n * g.y.n; i++) {
		if (isnan(g.mean[i]))
			continue;
		zmin = fmin(zmin, g.mean[i]);
		zmax = fmax(zmax, g.mean[i]);
	}
	if (zmin == zmax) {
		zmin -= 1;
		zmax += 1;
	}
	if (profile)
		snprintf(title, sizeof(title), "%s: mean final PnL by %s and %s", profile, xname,
			 yname);
	else
		snprintf(title, sizeof(title), "mean final PnL by %s and profile", xname);
	memset(&h, 0, sizeof(h));
	h.title = title;
	h.xlabel = xname;
	/* the profiles' names are wider than the numbers plot.c leaves room
	 * for beside the axis label, which would overlap them: the title
	 * names that axis instead */
	h.ylabel = yname;
	h.zlabel = "mean final PnL (USD)";
	h.xcats = (const char *const *)g.x.items;
	h.nx = g.x.n;
	h.ycats = (const char *const *)g.y.items;
	h.ny = g.y.n;
	h.z = g.mean;
	h.zmin = zmin;
	h.zmax = zmax;
	h.cell_fmt = "%.0f";
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_heatmap(p, &h);
	name_part(sstep, sizeof(sstep), step);
	name_part(sx, sizeof(sx), xname);
	if (profile) {
		name_part(sprof, sizeof(sprof), profile);
		name_part(sy, sizeof(sy), yname);
		svg = hx_report_figs_add(figs, "%s-heatmap-%s-%s-%s", sstep, sprof, sx, sy);
	} else {
		svg = hx_report_figs_add(figs, "%s-heatmap-%s", sstep, sx);
	}
	err = hx_plot_end(p, svg);
	hx_series_grid_release(&g);
	return err;
}

/* Every run's final PnL against the one grid parameter; a line through
 * each profile's means. */
static int sweep_figure(hx_report_figs *figs, const char *step, const hx_rowset *rows,
			const char *xname)
{
	hx_series_cats profiles;
	hx_series_grid g;
	hx_plot_axes a;
	hx_plot_key *keys;
	double lo = INFINITY, hi = -INFINITY, *mx, *my;
	char title[160], sstep[64], sx[64];
	size_t i, j;
	hx_plot *p;
	int err;

	hx_series_grid_build(&g, rows, NULL, xname, NULL);
	if (g.x.n == 0) {
		hx_series_grid_release(&g);
		return 0;
	}
	hx_series_profiles(&profiles, rows);
	for (i = 0; i < rows->n; i++) {
		if (rows->rows[i].failed || !hx_row_param(&rows->rows[i], xname) ||
		    !isfinite(rows->rows[i].final_pnl))
			continue;
		lo = fmin(lo, rows->rows[i].final_pnl);
		hi = fmax(hi, rows->rows[i].final_pnl);
	}
	hx_plot_nice_range(&lo, &hi, 0.05);
	snprintf(title, sizeof(title), "final PnL by %s (runs and profile means)", xname);
	memset(&a, 0, sizeof(a));
	a.title = title;
	a.xlabel = xname;
	a.ylabel = "final PnL (USD)";
	a.xmin = -0.5;
	a.xmax = (double)g.x.n - 0.5;
	a.ymin = lo;
	a.ymax = hi;
	a.grid = 1;
	a.xcats = (const char *const *)g.x.items;
	a.ncats = g.x.n;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &a);
	hx_plot_hline(p, 0, HX_PLOT_GREY, HX_PLOT_DOTTED);
	mx = hx_xcalloc(g.x.n, sizeof(double));
	my = hx_xcalloc(g.x.n, sizeof(double));
	keys = hx_xcalloc(profiles.n ? profiles.n : 1, sizeof(*keys));
	for (j = 0; j < profiles.n; j++) {
		hx_plot_color c = hx_plot_series_color(j);
		/* a small offset per profile, so their points do not cover each other */
		double off = profiles.n > 1 ? 0.3 * ((double)j / (double)(profiles.n - 1) - 0.5) : 0;
		size_t y = hx_series_cats_find(&g.y, profiles.items[j]);
		for (i = 0; i < rows->n; i++) {
			const hx_row *r = &rows->rows[i];
			const char *xv = hx_row_param(r, xname);
			double px, py;
			if (r->failed || !xv || strcmp(r->profile, profiles.items[j]) != 0)
				continue;
			px = (double)hx_series_cats_find(&g.x, xv) + off;
			py = r->final_pnl;
			hx_plot_points(p, &px, &py, 1, c, HX_PLOT_CIRCLE);
		}
		for (i = 0; i < g.x.n; i++) {
			mx[i] = (double)i + off;
			my[i] = y == (size_t)-1 ? NAN : g.mean[i * g.y.n + y];
		}
		hx_plot_line(p, mx, my, g.x.n, c, HX_PLOT_SOLID);
		keys[j].label = profiles.items[j];
		keys[j].color = c;
		keys[j].kind = HX_PLOT_KEY_LINE;
		keys[j].style = HX_PLOT_SOLID;
	}
	hx_plot_legend(p, keys, profiles.n, 0);
	name_part(sstep, sizeof(sstep), step);
	name_part(sx, sizeof(sx), xname);
	err = hx_plot_end(p, hx_report_figs_add(figs, "%s-sweep-%s", sstep, sx));
	free(mx);
	free(my);
	free(keys);
	hx_series_cats_release(&profiles);
	hx_series_grid_release(&g);
	return err;
}

/* Per profile: points, the quartile box and the median. */
static int dist_figure(hx_report_figs *figs, const char *step, const hx_rowset *rows,
		       const hx_series_cats *profiles, hx_series_metric m)
{
	const char *what = m == HX_SERIES_FINAL_PNL ? "final PnL" : "max drawdown";
	hx_plot_axes a;
	double lo = INFINITY, hi = -INFINITY;
	char title[160], sstep[64];
	size_t j, k;
	hx_plot *p;
	hx_series_dist *d = hx_xcalloc(profiles->n, sizeof(*d));

	for (j = 0; j < profiles->n; j++) {
		hx_series_dist_build(&d[j], rows, profiles->items[j], m);
		for (k = 0; k < d[j].n; k++)
			if (isfinite(d[j].sorted[k])) {
				lo = fmin(lo, d[j].sorted[k]);
				hi = fmax(hi, d[j].sorted[k]);
			}
	}
	if (m == HX_SERIES_MAX_DRAWDOWN && lo > 0)
		lo = 0;
	/* room above the points for the medians' labels */
	hi += 0.12 * (hi - lo);
	hx_plot_nice_range(&lo, &hi, 0.05);
	if (m == HX_SERIES_MAX_DRAWDOWN && lo < 0)
		lo = 0;
	snprintf(title, sizeof(title), "%s per profile", what);
	memset(&a, 0, sizeof(a));
	a.title = title;
	a.xlabel = "profile";
	a.ylabel = m == HX_SERIES_FINAL_PNL ? "final PnL (USD)" : "max drawdown (USD)";
	a.xmin = -0.5;
	a.xmax = (double)profiles->n - 0.5;
	a.ymin = lo;
	a.ymax = hi;
	a.grid = 1;
	a.xcats = (const char *const *)profiles->items;
	a.ncats = profiles->n;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &a);
	for (j = 0; j < profiles->n; j++) {
		double x = (double)j, mx[2] = {x - 0.3, x + 0.3}, my[2];
		char v[48];
		if (d[j].n == 0)
			continue;
		hx_plot_rect(p, x - 0.3, x + 0.3, d[j].q1, d[j].q3, HX_PLOT_SKYBLUE);
		/* the runs spread across the box in ascending order, so equal
		 * values stay visible */
		for (k = 0; k < d[j].n; k++) {
			double px = d[j].n > 1 ? x - 0.25 + 0.5 * (double)k / (double)(d[j].n - 1)
					       : x,
			       py = d[j].sorted[k];
			hx_plot_points(p, &px, &py, 1, HX_PLOT_BLUE, HX_PLOT_CIRCLE);
		}
		my[0] = my[1] = d[j].median;
		hx_plot_line(p, mx, my, 2, HX_PLOT_BLACK, HX_PLOT_SOLID);
		snprintf(v, sizeof(v), "median %.0f (n = %zu)", d[j].median, d[j].n);
		hx_plot_text(p, x, hi - 0.04 * (hi - lo), 0.5, v, HX_PLOT_BLACK);
	}
	name_part(sstep, sizeof(sstep), step);
	for (j = 0; j < profiles->n; j++)
		hx_series_dist_release(&d[j]);
	free(d);
	return hx_plot_end(p, hx_report_figs_add(figs, "%s-%s", sstep,
						 m == HX_SERIES_FINAL_PNL ? "final-pnl"
									  : "max-drawdown"));
}

int hx_series_dataset_figures(hx_report_figs *figs, const char *step, const hx_rowset *rows,
			      const char *const *axes, size_t naxes)
{
	hx_series_cats profiles;
	size_t i, j, k;
	int err = 0;

	hx_series_profiles(&profiles, rows);
	if (profiles.n == 0)
		goto done;
	if ((err = dist_figure(figs, step, rows, &profiles, HX_SERIES_FINAL_PNL)) != 0 ||
	    (err = dist_figure(figs, step, rows, &profiles, HX_SERIES_MAX_DRAWDOWN)) != 0)
		goto done;
	if (naxes == 1) {
		if ((err = sweep_figure(figs, step, rows, axes[0])) != 0)
			goto done;
		if (profiles.n > 1 && (err = heatmap_figure(figs, step, rows, NULL, axes[0], NULL)))
			goto done;
	}
	/* two parameters or more: each pair of the first three, per profile */
	for (k = 0; naxes >= 2 && k < profiles.n; k++)
		for (i = 0; i < naxes && i < 3; i++)
			for (j = i + 1; j < naxes && j < 3; j++)
				if ((err = heatmap_figure(figs, step, rows, profiles.items[k], axes[i],
							  axes[j])) != 0)
					goto done;
done:
	hx_series_cats_release(&profiles);
	return err;
}

/* ---- alignment ---- */

static double num(const hx_json *o, const char *key)
{
	const hx_json *v = hx_json_get(o, key);
	return v && v->type == HX_JSON_NUMBER ? v->u.number : NAN;
}

static int yes(const hx_json *o, const char *key)
{
	const hx_json *v = hx_json_get(o, key);
	return v && v->type == HX_JSON_TRUE;
}

long hx_series_tiers_parse(hx_series_tier *out, size_t max, const char *text, size_t len)
{
	hx_arena *a = hx_arena_new();
	hx_json *root, *tiers;
	hx_json_error e;
	size_t i, n = 0;
	long ret = -1;
	if (hx_json_parse(&root, a, text, len, &e) != 0 ||
	    !(tiers = hx_json_get(root, "tiers")) || tiers->type != HX_JSON_ARRAY) {
		hx_error_set("not an alignment table");
		goto done;
	}
	for (i = 0; i < tiers->u.array.len && n < max; i++) {
		const hx_json *t = tiers->u.array.items[i], *b = hx_json_get(t, "budget"),
			      *ci = hx_json_get(t, "kill_prob_ci"), *name = hx_json_get(t, "risk_tier"),
			      *status = hx_json_get(t, "status");
		hx_series_tier *o = &out[n++];
		memset(o, 0, sizeof(*o));
		snprintf(o->tier, sizeof(o->tier), "%s",
			 name && name->type == HX_JSON_STRING ? name->u.string.ptr : "?");
		o->has_runs = !(status && status->type == HX_JSON_STRING &&
				strcmp(status->u.string.ptr, "no_runs") == 0);
		o->kill_prob = num(t, "kill_prob");
		o->kill_lo = o->kill_hi = NAN;
		if (ci && ci->type == HX_JSON_ARRAY && ci->u.array.len == 2 &&
		    ci->u.array.items[0]->type == HX_JSON_NUMBER &&
		    ci->u.array.items[1]->type == HX_JSON_NUMBER) {
			o->kill_lo = ci->u.array.items[0]->u.number;
			o->kill_hi = ci->u.array.items[1]->u.number;
		}
		o->max_kill_prob = num(b, "max_kill_prob");
		o->dd_mean = num(t, "dd_mean");
		o->max_drawdown_abs = num(b, "max_drawdown_abs");
		o->pnl_mean = num(t, "pnl_mean");
		o->min_final_pnl_mean = num(b, "min_final_pnl_mean");
		o->kill_ok = yes(t, "kill_ok");
		o->dd_ok = yes(t, "dd_ok");
		o->pnl_ok = yes(t, "pnl_ok");
	}
	ret = (long)n;
done:
	hx_arena_free(a);
	return ret;
}

typedef enum { A_KILL, A_DD, A_PNL } align_metric;

static int align_figure(hx_report_figs *figs, const char *step, const hx_series_tier *t, size_t n,
			align_metric m)
{
	const char **cats = hx_xcalloc(n ? n : 1, sizeof(char *));
	double lo = m == A_PNL ? INFINITY : 0, hi = -INFINITY;
	char sstep[64];
	hx_plot_axes a;
	hx_plot *p;
	size_t i;
	int err;
	hx_plot_key keys[3] = {
		{"within budget", HX_PLOT_GREEN, HX_PLOT_KEY_POINT, HX_PLOT_SOLID, HX_PLOT_CIRCLE},
		{"over budget", HX_PLOT_VERMILLION, HX_PLOT_KEY_POINT, HX_PLOT_SOLID,
		 HX_PLOT_TRIANGLE},
		{"budget (shaded: allowed)", HX_PLOT_BLACK, HX_PLOT_KEY_LINE, HX_PLOT_DASHED, 0}};

	for (i = 0; i < n; i++) {
		double v = m == A_KILL ? t[i].kill_hi : m == A_DD ? fabs(t[i].dd_mean) : t[i].pnl_mean;
		double b = m == A_KILL ? t[i].max_kill_prob
			   : m == A_DD ? t[i].max_drawdown_abs
				       : t[i].min_final_pnl_mean;
		cats[i] = t[i].tier;
		if (m == A_KILL && isfinite(t[i].kill_prob))
			v = fmax(isfinite(v) ? v : 0, t[i].kill_prob);
		if (isfinite(v)) {
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
		if (isfinite(b)) {
			lo = fmin(lo, b);
			hi = fmax(hi, b);
		}
	}
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	/* room above the data for the legend */
	hi += 0.3 * (hi - lo);
	hx_plot_nice_range(&lo, &hi, 0.05);
	if (m == A_KILL) {
		lo = 0;
		if (hi > 1)
			hi = 1;
	} else if (m == A_DD) {
		lo = 0;
	}
	memset(&a, 0, sizeof(a));
	a.title = m == A_KILL ? "kill probability (Wilson 95%) against the budget"
		  : m == A_DD ? "mean max drawdown against the budget"
			      : "mean final PnL against the budget";
	a.xlabel = "risk tier";
	a.ylabel = m == A_KILL ? "kill probability" : m == A_DD ? "|mean drawdown| (USD)"
								 : "mean final PnL (USD)";
	a.xmin = -0.5;
	a.xmax = (double)n - 0.5;
	a.ymin = lo;
	a.ymax = hi;
	a.grid = 1;
	a.xcats = cats;
	a.ncats = n;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &a);
	for (i = 0; i < n; i++) {
		double x = (double)i, bx[2] = {x - 0.35, x + 0.35}, by[2], px, py;
		double b = m == A_KILL ? t[i].max_kill_prob
			   : m == A_DD ? t[i].max_drawdown_abs
				       : t[i].min_final_pnl_mean;
		int ok = m == A_KILL ? t[i].kill_ok : m == A_DD ? t[i].dd_ok : t[i].pnl_ok;
		hx_plot_color c = ok ? HX_PLOT_GREEN : HX_PLOT_VERMILLION;
		char v[48];
		if (isfinite(b)) {
			if (m == A_PNL)
				hx_plot_rect(p, bx[0], bx[1], b, hi, HX_PLOT_GREEN);
			else
				hx_plot_rect(p, bx[0], bx[1], lo, b, HX_PLOT_GREEN);
			by[0] = by[1] = b;
			hx_plot_line(p, bx, by, 2, HX_PLOT_BLACK, HX_PLOT_DASHED);
		}
		if (!t[i].has_runs) {
			hx_plot_text(p, x, lo + 0.5 * (hi - lo), 0.5, "no runs", HX_PLOT_GREY);
			continue;
		}
		px = x;
		py = m == A_KILL ? t[i].kill_prob : m == A_DD ? fabs(t[i].dd_mean) : t[i].pnl_mean;
		if (m == A_KILL && isfinite(t[i].kill_lo))
			hx_plot_interval(p, x, t[i].kill_lo, t[i].kill_hi, 1, c);
		/* the verdict in the shape too, not in the colour alone */
		hx_plot_points(p, &px, &py, 1, c, ok ? HX_PLOT_CIRCLE : HX_PLOT_TRIANGLE);
		snprintf(v, sizeof(v), m == A_KILL ? "%.3f" : "%.0f", py);
		hx_plot_text(p, x + 0.08, py + 0.03 * (hi - lo), 0, v, HX_PLOT_BLACK);
	}
	hx_plot_legend(p, keys, 3, 0);
	name_part(sstep, sizeof(sstep), step);
	err = hx_plot_end(p, hx_report_figs_add(figs, "%s-%s", sstep,
						m == A_KILL ? "kill" : m == A_DD ? "drawdown" : "pnl"));
	free(cats);
	return err;
}

int hx_series_align_figures(hx_report_figs *figs, const char *step, const hx_series_tier *t,
			    size_t n)
{
	int err;
	if (n == 0)
		return 0;
	if ((err = align_figure(figs, step, t, n, A_KILL)) != 0 ||
	    (err = align_figure(figs, step, t, n, A_DD)) != 0)
		return err;
	return align_figure(figs, step, t, n, A_PNL);
}
