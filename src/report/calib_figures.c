/* calib_figures.c - the figures of a calibration, per tier (calib_figures.h). */
#include "report/calib_figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "km.h"
#include "plot/plot.h"
#include "tier.h"
#include "validate.h"

#define FIG_W 640
#define FIG_H 400
#define CURVE_POINTS 240

static void label_of(char *out, size_t n, const char *name)
{
	size_t i;
	snprintf(out, n, "%s", name);
	for (i = 0; out[i]; i++)
		if (out[i] == '_')
			out[i] = ' ';
}

static int rates_figure(hx_report_figs *figs, const hx_tier_data *t)
{
	enum { MAXC = HX_OUT_COUNT + 2 };
	char labels[MAXC][40];
	const char *cats[MAXC];
	hx_rate r[MAXC];
	int spurious[MAXC];
	double x[1], y[1], top = 0, lo = 0;
	size_t n = 0, i;
	char title[96];
	hx_plot *p;
	hx_plot_axes a;
	hx_plot_key keys[2] = {
		{"share of the runs", HX_PLOT_BLUE, HX_PLOT_KEY_POINT, HX_PLOT_SOLID, HX_PLOT_CIRCLE},
		{"spurious rate", HX_PLOT_ORANGE, HX_PLOT_KEY_POINT, HX_PLOT_SOLID, HX_PLOT_DIAMOND}};

	for (i = 0; i < HX_OUT_COUNT; i++) {
		if (!t->outcomes[i])
			continue;
		label_of(labels[n], sizeof(labels[n]), hx_outcome_name((hx_outcome)i));
		hx_rate_set(&r[n], t->outcomes[i], t->n);
		spurious[n++] = 0;
	}
	for (i = 1; i <= 2; i++) {
		const hx_rate *q = hx_tier_rate(t, (int)i);
		if (!q->n)
			continue;
		snprintf(labels[n], sizeof(labels[n]), "%s", i == 1 ? "spurious fail" : "spurious pass");
		r[n] = *q;
		spurious[n++] = 1;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		cats[i] = labels[i];
		if (r[i].hi > top)
			top = r[i].hi;
	}
	hx_plot_nice_range(&lo, &top, 0.05);
	lo = 0;
	snprintf(title, sizeof(title), "%s: outcomes and rates (n = %lu), Wilson 95%% intervals",
		 hx_tier_name(t->tier), t->n);
	memset(&a, 0, sizeof(a));
	a.title = title;
	a.ylabel = "rate";
	a.xmin = -0.5;
	a.xmax = (double)n - 0.5;
	a.ymin = 0;
	a.ymax = top;
	a.grid = 1;
	a.xcats = cats;
	a.ncats = n;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &a);
	for (i = 0; i < n; i++) {
		hx_plot_color c = spurious[i] ? HX_PLOT_ORANGE : HX_PLOT_BLUE;
		char v[32];
		x[0] = (double)i;
		y[0] = r[i].rate;
		hx_plot_interval(p, x[0], r[i].lo, r[i].hi, 1, c);
		hx_plot_points(p, x, y, 1, c, spurious[i] ? HX_PLOT_DIAMOND : HX_PLOT_CIRCLE);
		snprintf(v, sizeof(v), "%.3f", r[i].rate);
		hx_plot_text(p, x[0] + 0.08, y[0], 0, v, HX_PLOT_BLACK);
	}
	hx_plot_legend(p, keys, 2, 0);
	return hx_plot_end(p, hx_report_figs_add(figs, "%s-rates", hx_tier_name(t->tier)));
}

/* The fits to draw: every family that fitted, best first named so. */
static const char *family_label(char *buf, size_t n, const hx_tier_data *t, int f)
{
	snprintf(buf, n, "%s%s", hx_fit_family_name((hx_fit_family)f),
		 t->has_fit && (int)t->best == f ? " (best AIC)" : "");
	return buf;
}

static int durations_figure(hx_report_figs *figs, const hx_tier_data *t)
{
	size_t nb, i, k, nfam = 0;
	double T = t->timeout_ms, xmax, w, *left, *right, *h, ymax = 0, lo = 0, FT;
	int show_timeout;
	double cx[CURVE_POINTS], cy[CURVE_POINTS];
	char title[96], names[HX_FIT_NFAMILIES][48];
	hx_plot_key keys[HX_FIT_NFAMILIES + 2];
	hx_plot_axes a;
	hx_plot *p;
	int f, err;

	if (t->ndurations == 0)
		return 0;
	/* the completed runs' range; the timeout too when it is near (a
	 * timeout far to the right would squeeze the histogram to a bar) */
	xmax = 0;
	for (i = 0; i < t->ndurations; i++)
		xmax = fmax(xmax, t->durations[i]);
	show_timeout = T > 0 && T <= 1.5 * xmax;
	if (show_timeout)
		xmax = T;
	if (!(xmax > 0))
		return 0;
	nb = (size_t)ceil(sqrt((double)t->ndurations));
	nb = nb < 8 ? 8 : nb > 40 ? 40 : nb;
	w = xmax / (double)nb;
	left = hx_xcalloc(nb, sizeof(*left));
	right = hx_xcalloc(nb, sizeof(*right));
	h = hx_xcalloc(nb, sizeof(*h));
	for (i = 0; i < t->ndurations; i++) {
		size_t b = (size_t)(t->durations[i] / w);
		h[b < nb ? b : nb - 1] += 1;
	}
	for (k = 0; k < nb; k++) {
		left[k] = (double)k * w / 1000;
		right[k] = (double)(k + 1) * w / 1000;
		h[k] = h[k] / ((double)t->ndurations * w / 1000); /* per second */
		ymax = fmax(ymax, h[k]);
	}
	/* the densities of the completed runs under each fit, per second */
	for (f = 0; f < HX_FIT_NFAMILIES && t->fitted; f++) {
		const hx_fit_result *r = &t->fits[f];
		if (!r->ok)
			continue;
		FT = T > 0 ? hx_fit_cdf(r, T) : 1;
		for (k = 0; k < CURVE_POINTS; k++) {
			double x = xmax * (double)(k + 1) / CURVE_POINTS;
			double d = FT > 0 ? hx_fit_pdf(r, x) * 1000 / FT : NAN;
			if (isfinite(d))
				ymax = fmax(ymax, fmin(d, 3 * ymax + 1e-12));
		}
	}
	hx_plot_nice_range(&lo, &ymax, 0.04);
	if (show_timeout || !(T > 0))
		snprintf(title, sizeof(title), "%s: %zu completed durations, %zu timed out",
			 hx_tier_name(t->tier), t->ndurations, t->ncensored);
	else
		snprintf(title, sizeof(title), "%s: %zu completed durations, %zu timed out at %g s",
			 hx_tier_name(t->tier), t->ndurations, t->ncensored, T / 1000);
	memset(&a, 0, sizeof(a));
	a.title = title;
	a.xlabel = "duration (s)";
	a.ylabel = "density (1/s)";
	a.xmin = 0;
	a.xmax = xmax / 1000 * (show_timeout ? 1.03 : 1);
	a.ymin = 0;
	a.ymax = ymax;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &a);
	hx_plot_bars(p, left, right, h, nb, HX_PLOT_LIGHTGREY, 1);
	keys[nfam++] = (hx_plot_key){"completed runs", HX_PLOT_LIGHTGREY, HX_PLOT_KEY_BOX, 0, 0};
	for (f = 0; f < HX_FIT_NFAMILIES && t->fitted; f++) {
		const hx_fit_result *r = &t->fits[f];
		hx_plot_color c = hx_plot_series_color((size_t)f);
		if (!r->ok)
			continue;
		FT = T > 0 ? hx_fit_cdf(r, T) : 1;
		for (k = 0; k < CURVE_POINTS; k++) {
			double x = xmax * (double)(k + 1) / CURVE_POINTS;
			cx[k] = x / 1000;
			cy[k] = FT > 0 ? hx_fit_pdf(r, x) * 1000 / FT : NAN;
		}
		hx_plot_line(p, cx, cy, CURVE_POINTS, c, HX_PLOT_SOLID);
		keys[nfam++] = (hx_plot_key){family_label(names[f], sizeof(names[f]), t, f), c,
					     HX_PLOT_KEY_LINE, HX_PLOT_SOLID, 0};
	}
	if (show_timeout) {
		hx_plot_vline(p, T / 1000, HX_PLOT_PURPLE, HX_PLOT_DASHED);
		keys[nfam++] = (hx_plot_key){"timeout", HX_PLOT_PURPLE, HX_PLOT_KEY_LINE,
					     HX_PLOT_DASHED, 0};
	}
	hx_plot_legend(p, keys, nfam, 0);
	err = hx_plot_end(p, hx_report_figs_add(figs, "%s-durations", hx_tier_name(t->tier)));
	free(left);
	free(right);
	free(h);
	return err;
}

/* The steps of the estimate that move S (or its band) by at least `eps`
 * since the last kept one; the first and last always. */
static size_t thin_steps(const hx_km *km, double eps, double *x, double *s, double *lo, double *hi)
{
	size_t i, n = 0;
	for (i = 0; i < km->n; i++) {
		const hx_km_step *st = &km->steps[i];
		if (n > 0 && i + 1 < km->n && fabs(st->s - s[n - 1]) < eps &&
		    fabs(st->lo - lo[n - 1]) < eps && fabs(st->hi - hi[n - 1]) < eps)
			continue;
		x[n] = st->t / 1000;
		s[n] = st->s;
		lo[n] = st->lo;
		hi[n] = st->hi;
		n++;
	}
	return n;
}

/* Censoring marks at distinct places of a w x h grid over the frame. */
static size_t distinct_marks(const hx_km *km, double xmax, double *x, double *y)
{
	size_t i, n = 0;
	long last_px = -1, last_py = -1;
	for (i = 0; i < km->ncens; i++) {
		long px = lround(km->cens_t[i] / 1000 / xmax * 500);
		long py = lround(km->cens_s[i] * 300);
		if (px == last_px && py == last_py)
			continue;
		last_px = px;
		last_py = py;
		x[n] = km->cens_t[i] / 1000;
		y[n++] = km->cens_s[i];
	}
	return n;
}

/* The x of a survival figure: seconds, or their log10 on a log axis
 * (times below the axis' start are drawn at its start). */
typedef struct {
	int log;
	double lo_s; /* the axis' start in seconds (log) */
} time_axis;

static double tx(const time_axis *ax, double ms)
{
	double sec = ms / 1000;
	return ax->log ? log10(fmax(sec, ax->lo_s)) : sec;
}

static int survival_figure(hx_report_figs *figs, const hx_tier_data *t)
{
	double T = t->timeout_ms, *cens = NULL, *x, *s, *lo, *hi, *mx, *my, tmin = INFINITY, tmax;
	double cx[CURVE_POINTS], cy[CURVE_POINTS], x0, x1;
	char title[112], names[HX_FIT_NFAMILIES][48];
	hx_plot_key keys[HX_FIT_NFAMILIES + 3];
	size_t i, n, nm, nk = 0;
	time_axis ax = {0, 0};
	hx_plot_axes a;
	hx_plot *p;
	hx_km km;
	int f, err;

	if (t->ndurations + t->ncensored == 0)
		return 0;
	cens = hx_xcalloc(t->ncensored + 1, sizeof(*cens));
	/* censored at the timeout, as the fits' likelihood has them (fit.h):
	 * the run was still going then, whatever duration it reported */
	for (i = 0; i < t->ncensored; i++)
		cens[i] = T > 0 || !t->timeout_durations ? T : t->timeout_durations[i];
	if ((err = hx_km_estimate(&km, t->durations, t->ndurations, cens, t->ncensored)) != 0) {
		free(cens);
		return err;
	}
	tmax = fmax(km.t_max, T > 0 ? T : 0);
	for (i = 0; i < t->ndurations; i++)
		if (t->durations[i] > 0)
			tmin = fmin(tmin, t->durations[i]);
	/* durations over more than two decades: a log axis shows both the
	 * short runs and the timeout */
	if (isfinite(tmin) && tmax / tmin > 100) {
		ax.log = 1;
		ax.lo_s = tmin / 1000 / 1.5;
		x0 = log10(ax.lo_s);
		x1 = log10(tmax / 1000 * 1.3);
	} else {
		x0 = 0;
		x1 = tmax / 1000 * 1.03;
		if (!(x1 > 0))
			x1 = 1;
	}
	x = hx_xmalloc(km.n * sizeof(*x));
	s = hx_xmalloc(km.n * sizeof(*s));
	lo = hx_xmalloc(km.n * sizeof(*lo));
	hi = hx_xmalloc(km.n * sizeof(*hi));
	mx = hx_xmalloc((km.ncens + 1) * sizeof(*mx));
	my = hx_xmalloc((km.ncens + 1) * sizeof(*my));
	n = thin_steps(&km, 0.001, x, s, lo, hi);
	for (i = 0; i < n; i++)
		x[i] = i == 0 ? x0 : tx(&ax, x[i] * 1000);
	nm = distinct_marks(&km, tmax / 1000 * 1.03, mx, my);
	for (i = 0; i < nm; i++)
		mx[i] = tx(&ax, mx[i] * 1000);
	snprintf(title, sizeof(title), "%s: Kaplan-Meier survival, %zu timed-out runs censored",
		 hx_tier_name(t->tier), t->ncensored);
	memset(&a, 0, sizeof(a));
	a.title = title;
	a.xlabel = "duration (s)";
	a.ylabel = "share still running";
	a.xmin = x0;
	a.xmax = x1;
	a.logx = ax.log;
	a.ymin = 0;
	a.ymax = 1.02;
	a.grid = 1;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &a);
	hx_plot_step_band(p, x, lo, hi, n, tx(&ax, km.t_max), HX_PLOT_GREY);
	hx_plot_step(p, x, s, n, tx(&ax, km.t_max), HX_PLOT_BLACK, HX_PLOT_SOLID);
	hx_plot_ticks(p, mx, my, nm, HX_PLOT_BLACK);
	keys[nk++] = (hx_plot_key){"Kaplan-Meier (+ censored)", HX_PLOT_BLACK, HX_PLOT_KEY_LINE,
				   HX_PLOT_SOLID, 0};
	keys[nk++] = (hx_plot_key){"95% band (log-log)", HX_PLOT_LIGHTGREY, HX_PLOT_KEY_BOX, 0, 0};
	for (f = 0; f < HX_FIT_NFAMILIES && t->fitted; f++) {
		const hx_fit_result *r = &t->fits[f];
		hx_plot_color c = hx_plot_series_color((size_t)f);
		double pi = r->stall_model ? r->stall : 0;
		size_t k;
		if (!r->ok)
			continue;
		for (k = 0; k < CURVE_POINTS; k++) {
			double u = x0 + (x1 - x0) * (double)k / (CURVE_POINTS - 1);
			double ms = (ax.log ? pow(10, u) : u) * 1000;
			cx[k] = u;
			cy[k] = 1 - (1 - pi) * hx_fit_cdf(r, ms);
		}
		hx_plot_line(p, cx, cy, CURVE_POINTS, c, HX_PLOT_SOLID);
		keys[nk++] = (hx_plot_key){family_label(names[f], sizeof(names[f]), t, f), c,
					   HX_PLOT_KEY_LINE, HX_PLOT_SOLID, 0};
	}
	if (T > 0) {
		hx_plot_vline(p, tx(&ax, T), HX_PLOT_PURPLE, HX_PLOT_DASHED);
		keys[nk++] = (hx_plot_key){"timeout", HX_PLOT_PURPLE, HX_PLOT_KEY_LINE,
					   HX_PLOT_DASHED, 0};
	}
	hx_plot_legend(p, keys, nk, 0);
	err = hx_plot_end(p, hx_report_figs_add(figs, "%s-survival", hx_tier_name(t->tier)));
	hx_km_release(&km);
	free(cens);
	free(x);
	free(s);
	free(lo);
	free(hi);
	free(mx);
	free(my);
	return err;
}

int hx_calib_figures(hx_report_figs *figs, const hx_tier_data *t)
{
	int err;
	if ((err = rates_figure(figs, t)) != 0)
		return err;
	if ((err = durations_figure(figs, t)) != 0)
		return err;
	return survival_figure(figs, t);
}
