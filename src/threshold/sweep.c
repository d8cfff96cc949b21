/* sweep.c - pass 2: the tau grid, and every statistic from one merge walk
 * of the sorted negatives and positives plus binary searches; nothing per
 * sample is allocated. */
#include "threshold/threshold_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "buf.h"
#include "canon.h"
#include "error.h"
#include "stats.h"

#define HX_TAU_MAX 100000 /* values of a grid */

/* --------------------------------------------------------------- grids */

void hx_tau_grid_default(hx_tau_grid *g)
{
	memset(g, 0, sizeof(*g));
	g->kind = HX_TAU_QUANTILES;
	g->q_start = 0.60;
	g->q_stop = 0.99;
	g->q_count = 40;
}

int hx_tau_grid_quantiles(hx_tau_grid *g, const char *text)
{
	double a, b;
	unsigned long long n;
	char *end;
	const char *p = text;
	errno = 0;
	a = strtod(p, &end);
	if (end == p || *end != ':')
		goto syntax;
	p = end + 1;
	b = strtod(p, &end);
	if (end == p || *end != ':')
		goto syntax;
	p = end + 1;
	if (*p < '0' || *p > '9')
		goto syntax;
	n = strtoull(p, &end, 10);
	if (*end || errno)
		goto syntax;
	if (!(a >= 0 && a <= b && b <= 1)) {
		hx_error_set("quantiles '%s': A and B must be in [0, 1] with A <= B", text);
		return HX_EINVALID;
	}
	if (n < 1 || n > HX_TAU_MAX) {
		hx_error_set("quantiles '%s': N must be from 1 to %d", text, HX_TAU_MAX);
		return HX_EINVALID;
	}
	if (n == 1 && a != b) {
		hx_error_set("quantiles '%s': one quantile (N = 1) needs A == B", text);
		return HX_EINVALID;
	}
	memset(g, 0, sizeof(*g));
	g->kind = HX_TAU_QUANTILES;
	g->q_start = a;
	g->q_stop = b;
	g->q_count = (size_t)n;
	return 0;
syntax:
	hx_error_set("quantiles '%s': expected A:B:N (from quantile A to B, N values)", text);
	return HX_EINVALID;
}

/* Values of a range grid: start + i step while <= stop (+1e-9 step, so
 * that a stop reached by the steps is not lost to rounding). */
static double range_count(double start, double stop, double step)
{
	return floor((stop - start) / step + 1e-9) + 1;
}

int hx_tau_grid_range(hx_tau_grid *g, double start, double stop, double step)
{
	if (!isfinite(start) || !isfinite(stop) || !isfinite(step)) {
		hx_error_set("tau range: start, stop and step must be finite numbers");
		return HX_EINVALID;
	}
	if (!(step > 0)) {
		hx_error_set("tau range: the step (%g) must be above 0", step);
		return HX_EINVALID;
	}
	if (start > stop) {
		hx_error_set("tau range: the start (%g) is above the stop (%g)", start, stop);
		return HX_EINVALID;
	}
	if (range_count(start, stop, step) > HX_TAU_MAX) {
		hx_error_set("tau range: %g to %g by %g is more than %d values", start, stop, step,
			     HX_TAU_MAX);
		return HX_EINVALID;
	}
	memset(g, 0, sizeof(*g));
	g->kind = HX_TAU_RANGE;
	g->start = start;
	g->stop = stop;
	g->step = step;
	return 0;
}

/* A grid filled in by hand is held to the rules of the two above. */
static int grid_check(const hx_tau_grid *g)
{
	hx_tau_grid copy;
	if (g->kind == HX_TAU_RANGE)
		return hx_tau_grid_range(&copy, g->start, g->stop, g->step);
	if (!(g->q_start >= 0 && g->q_start <= g->q_stop && g->q_stop <= 1) || g->q_count < 1 ||
	    g->q_count > HX_TAU_MAX || (g->q_count == 1 && g->q_start != g->q_stop)) {
		hx_error_set("quantiles %g:%g:%zu: not a grid (see hx_tau_grid_quantiles)", g->q_start,
			     g->q_stop, g->q_count);
		return HX_EINVALID;
	}
	return 0;
}

/* The i-th of count evenly spaced values from a to b, as numpy's
 * linspace computes it (i * step + a, the last one b itself). */
static double linspace_at(double a, double b, size_t count, size_t i)
{
	if (count == 1)
		return a;
	if (i == count - 1)
		return b;
	return (double)i * ((b - a) / (double)(count - 1)) + a;
}

/* Type-7 quantile q of every score (numpy's "linear", to the bit: index
 * (n - 1) q, and its interpolation, which goes from the upper neighbour
 * when the fraction is 0.5 or more). */
static double quantile(const hx_scores *s, double q)
{
	const uint64_t *neg = s->key[0], *pos = s->key[1];
	size_t n = s->n[0] + s->n[1], lo;
	double h = (double)(n - 1) * q, a, b, diff, t;
	if (h >= (double)(n - 1))
		return hx_threshold_value(hx_threshold_kth(neg, s->n[0], pos, s->n[1], n - 1));
	lo = (size_t)floor(h);
	t = h - floor(h);
	a = hx_threshold_value(hx_threshold_kth(neg, s->n[0], pos, s->n[1], lo));
	b = hx_threshold_value(hx_threshold_kth(neg, s->n[0], pos, s->n[1], lo + 1));
	diff = b - a;
	return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/* --------------------------------------------------------- degenerate */

int hx_threshold_check(size_t npos, size_t nneg, double lo, double hi, const char *what)
{
	size_t n = npos + nneg;
	if (n == 0)
		hx_error_set("%sno samples: AUROC and a threshold need samples of both labels", what);
	else if (n == 1)
		hx_error_set("%sone sample: AUROC and a threshold need samples of both labels", what);
	else if (nneg == 0)
		hx_error_set("%severy sample is positive (%zu samples): AUROC and a threshold need "
			     "both labels",
			     what, n);
	else if (npos == 0)
		hx_error_set("%severy sample is negative (%zu samples): AUROC and a threshold need "
			     "both labels",
			     what, n);
	else if (lo == hi) {
		char v[32];
		hx_canon_format_number(v, lo);
		hx_error_set("%severy score is the same (%s, %zu samples): AUROC and a threshold "
			     "need scores that differ",
			     what, v, n);
	} else {
		return 0;
	}
	return HX_EINVALID;
}

void hx_threshold_interval(double auc, double se, double *lo, double *hi)
{
	double z = hx_stats_z(0.95);
	*lo = isnan(se) ? NAN : fmax(0.0, auc - z * se);
	*hi = isnan(se) ? NAN : fmin(1.0, auc + z * se);
}

/* ---------------------------------------------------------- the walk */

/* Mean and sum of squared deviations, taking k equal values at once. */
typedef struct {
	double n, mean, m2;
} welford;

static void welford_add(welford *w, double x, size_t k)
{
	double n1 = w->n + (double)k, d = x - w->mean;
	w->mean += d * (double)k / n1;
	w->m2 += d * (x - w->mean) * (double)k;
	w->n = n1;
}

/* AUROC, DeLong's variance, AP and PR-AUC in one ascending walk over the
 * distinct scores. At a score v shared by pv positives and nv negatives,
 * with j0 negatives and i0 positives below it:
 * - each of those positives has V10 = (j0 + nv / 2) / nneg and each of
 *   those negatives V01 = (positives above v + pv / 2) / npos; AUROC is the
 *   mean of either, S10 and S01 their sample variances (Welford, a tie
 *   group at once);
 * - "score >= v" flags tp = npos - i0 and fp = nneg - j0: the point of
 *   sklearn's precision-recall curve at threshold v; AP adds
 *   (pv / npos) precision, PR-AUC the trapezoid to the point of the next
 *   lower score (the walk's previous one), and at the top the one to
 *   (recall 0, precision 1). */
static void walk(const hx_scores *s, hx_threshold_result *r)
{
	const uint64_t *neg = s->key[0], *pos = s->key[1];
	size_t nn = s->n[0], np = s->n[1], i = 0, j = 0;
	double dn = (double)nn, dp = (double)np, ap = 0, area = 0, last_r = 0, last_p = 1;
	uint64_t twice_u = 0; /* 2 x the Mann-Whitney U: exact */
	welford v10 = {0, 0, 0}, v01 = {0, 0, 0};
	int first = 1;
	while (i < np || j < nn) {
		uint64_t v = j == nn || (i < np && pos[i] < neg[j]) ? pos[i] : neg[j];
		size_t i0 = i, j0 = j, pv, nv, tp, fp;
		double recall, precision;
		while (i < np && pos[i] == v)
			i++;
		while (j < nn && neg[j] == v)
			j++;
		pv = i - i0;
		nv = j - j0;
		tp = np - i0;
		fp = nn - j0;
		recall = (double)tp / dp;
		precision = (double)tp / (double)(tp + fp);
		if (pv) {
			twice_u += (uint64_t)pv * (2 * (uint64_t)j0 + nv);
			welford_add(&v10, ((double)j0 + 0.5 * (double)nv) / dn, pv);
			ap += (double)pv / dp * precision;
		}
		if (nv)
			welford_add(&v01, ((double)(np - i) + 0.5 * (double)pv) / dp, nv);
		if (!first)
			area += (last_r - recall) * (last_p + precision) / 2;
		first = 0;
		last_r = recall;
		last_p = precision;
	}
	area += last_r * (last_p + 1) / 2;
	r->auroc = (double)twice_u / (2.0 * dp * dn);
	r->auroc_se = np < 2 || nn < 2 ? NAN : sqrt(v10.m2 / (dp - 1) / dp + v01.m2 / (dn - 1) / dn);
	hx_threshold_interval(r->auroc, r->auroc_se, &r->auroc_lo, &r->auroc_hi);
	r->ap = ap;
	r->pr_auc = area;
}

/* ---------------------------------------------------------- the grid */

static void fill_row(hx_tau_row *row, const hx_scores *s, double tau, double q)
{
	uint64_t k = hx_threshold_key(tau);
	size_t np = s->n[1], nn = s->n[0];
	row->tau = tau;
	row->quantile = q;
	row->tp = np - hx_threshold_below(s->key[1], np, k);
	row->fp = nn - hx_threshold_below(s->key[0], nn, k);
	row->flagged = row->tp + row->fp;
	row->precision = row->flagged ? (double)row->tp / (double)row->flagged : 1.0;
	row->recall = (double)row->tp / (double)np;
	row->f1 = row->precision + row->recall > 0
			  ? 2 * row->precision * row->recall / (row->precision + row->recall)
			  : 0.0;
	row->fpr = (double)row->fp / (double)nn;
}

static void sweep_grid(hx_threshold_result *r, const hx_scores *s, const hx_tau_grid *g)
{
	size_t i, n;
	if (g->kind == HX_TAU_QUANTILES) {
		n = g->q_count;
		r->rows = hx_xcalloc(n, sizeof(*r->rows));
		for (i = 0; i < n; i++) {
			double q = linspace_at(g->q_start, g->q_stop, n, i);
			fill_row(&r->rows[i], s, quantile(s, q), q);
		}
	} else {
		n = (size_t)range_count(g->start, g->stop, g->step);
		r->rows = hx_xcalloc(n, sizeof(*r->rows));
		for (i = 0; i < n; i++)
			fill_row(&r->rows[i], s, g->start + (double)i * g->step, NAN);
	}
	r->nrows = n;
}

/* The highest precision among the rows with recall >= the target, ties
 * to the larger tau (and, for equal taus, the later row). */
static long best_row(const hx_threshold_result *r)
{
	long best = -1;
	size_t i;
	for (i = 0; i < r->nrows; i++) {
		const hx_tau_row *row = &r->rows[i];
		if (!(row->recall >= r->target_recall))
			continue;
		if (best < 0 || row->precision > r->rows[best].precision ||
		    (row->precision == r->rows[best].precision && row->tau >= r->rows[best].tau))
			best = (long)i;
	}
	return best;
}

void hx_threshold_result_init(hx_threshold_result *r)
{
	memset(r, 0, sizeof(*r));
	r->best = -1;
}

void hx_threshold_result_release(hx_threshold_result *r)
{
	free(r->rows);
	hx_threshold_result_init(r);
}

int hx_threshold_sweep(hx_threshold_result *out, hx_scores *s, const hx_tau_grid *g,
		       double target_recall)
{
	size_t np = s->n[1], nn = s->n[0];
	double lo = 0, hi = 0;
	hx_threshold_result_release(out);
	hx_scores_sort(s);
	if (np + nn > 0) {
		lo = hx_threshold_value(nn && (!np || s->key[0][0] < s->key[1][0]) ? s->key[0][0]
										     : s->key[1][0]);
		hi = hx_threshold_value(nn && (!np || s->key[0][nn - 1] > s->key[1][np - 1])
						? s->key[0][nn - 1]
						: s->key[1][np - 1]);
	}
	if (hx_threshold_check(np, nn, lo, hi, "") != 0 || grid_check(g) != 0)
		return HX_EINVALID;
	out->n = np + nn;
	out->npos = np;
	out->nneg = nn;
	out->score_min = lo;
	out->score_max = hi;
	out->positive_rate = (double)np / (double)(np + nn);
	out->target_recall = target_recall;
	walk(s, out);
	sweep_grid(out, s, g);
	out->best = best_row(out);
	return 0;
}
