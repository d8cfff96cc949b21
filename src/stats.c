#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "error.h"

#define HX_PI 3.14159265358979323846

double hx_stats_z(double confidence)
{
	gsl_set_error_handler_off();
	return gsl_cdf_ugaussian_Pinv(0.5 + confidence / 2.0);
}

void hx_stats_wilson(unsigned long k, unsigned long n, double confidence, double *lo,
		     double *hi)
{
	double z, z2, p, nn, denom, center, half;

	if (n == 0) {
		*lo = 0.0;
		*hi = 1.0;
		return;
	}
	z = hx_stats_z(confidence);
	z2 = z * z;
	nn = (double)n;
	p = (double)k / nn;
	denom = 1.0 + z2 / nn;
	center = (p + z2 / (2.0 * nn)) / denom;
	half = z * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
	*lo = k == 0 ? 0.0 : fmax(0.0, center - half);
	*hi = k == n ? 1.0 : fmin(1.0, center + half);
}

static int check_prop(unsigned long x, unsigned long n, const char *what)
{
	if (n == 0) {
		hx_error_set("proportion: no trials in group '%s'", what);
		return HX_EINVALID;
	}
	if (x > n) {
		hx_error_set("proportion: %lu successes exceed %lu trials in group '%s'", x, n,
			     what);
		return HX_EINVALID;
	}
	return 0;
}

int hx_stats_two_prop_z(unsigned long x1, unsigned long n1, unsigned long x2,
			unsigned long n2, double *z, double *p_greater, double *p_two_sided)
{
	double p1, p2, pool, se, zz;

	if (check_prop(x1, n1, "1") < 0 || check_prop(x2, n2, "2") < 0)
		return HX_EINVALID;
	gsl_set_error_handler_off();
	p1 = (double)x1 / (double)n1;
	p2 = (double)x2 / (double)n2;
	pool = ((double)x1 + (double)x2) / ((double)n1 + (double)n2);
	if (pool <= 0.0 || pool >= 1.0) {
		hx_error_set("two-proportion test: pooled proportion is %g, no variance", pool);
		return HX_EINVALID;
	}
	se = sqrt(pool * (1.0 - pool) * (1.0 / (double)n1 + 1.0 / (double)n2));
	zz = (p1 - p2) / se;
	*z = zz;
	*p_greater = gsl_cdf_ugaussian_Q(zz);
	if (p_two_sided)
		*p_two_sided = 2.0 * gsl_cdf_ugaussian_Q(fabs(zz));
	return 0;
}

int hx_stats_trend(const unsigned long *counts, const unsigned long *totals,
		   const double *scores, size_t k, double *chi2, double *p)
{
	double x = 0.0, n = 0.0, sx = 0.0, sn = 0.0, ssn = 0.0, pbar, num, den, t;
	size_t i;

	if (k < 2) {
		hx_error_set("trend test: needs at least 2 groups, got %zu", k);
		return HX_EINVALID;
	}
	for (i = 0; i < k; i++) {
		double s = scores ? scores[i] : (double)i;
		if (counts[i] > totals[i]) {
			hx_error_set("trend test: %lu successes exceed %lu trials in group %zu",
				     counts[i], totals[i], i);
			return HX_EINVALID;
		}
		if (!isfinite(s)) {
			hx_error_set("trend test: score of group %zu is not finite", i);
			return HX_EINVALID;
		}
		x += (double)counts[i];
		n += (double)totals[i];
		sx += s * (double)counts[i];
		sn += s * (double)totals[i];
		ssn += s * s * (double)totals[i];
	}
	if (n <= 0.0 || x <= 0.0 || x >= n) {
		hx_error_set("trend test: pooled proportion is 0 or 1, no variance");
		return HX_EINVALID;
	}
	pbar = x / n;
	num = sx - pbar * sn;
	t = ssn - sn * sn / n;
	den = pbar * (1.0 - pbar) * t;
	if (!(t > 1e-12 * ssn) || !(den > 0.0)) {
		hx_error_set("trend test: scores do not vary over the observations");
		return HX_EINVALID;
	}
	gsl_set_error_handler_off();
	*chi2 = num * num / den;
	*p = gsl_cdf_chisq_Q(*chi2, 1.0);
	return 0;
}

int hx_stats_newcombe(unsigned long x1, unsigned long n1, unsigned long x2,
		      unsigned long n2, double confidence, double *diff, double *lo,
		      double *hi)
{
	double p1, p2, l1, u1, l2, u2, d;

	if (check_prop(x1, n1, "1") < 0 || check_prop(x2, n2, "2") < 0)
		return HX_EINVALID;
	p1 = (double)x1 / (double)n1;
	p2 = (double)x2 / (double)n2;
	hx_stats_wilson(x1, n1, confidence, &l1, &u1);
	hx_stats_wilson(x2, n2, confidence, &l2, &u2);
	d = p1 - p2;
	*diff = d;
	*lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
	*hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
	return 0;
}

double hx_stats_binom_upper(unsigned long k, unsigned long n, double p)
{
	if (!(p >= 0.0 && p <= 1.0))
		return NAN;
	if (k == 0)
		return 1.0;
	if (k > n)
		return 0.0;
	/* the beta form takes n as a double, where gsl_cdf_binomial_Q would
	 * narrow it to unsigned int */
	gsl_set_error_handler_off();
	return gsl_cdf_beta_P(p, (double)k, (double)(n - k) + 1.0);
}

/* A p-value and where it came from: sorting the pairs needs no context,
 * so Holm is safe to call from several threads. Ties keep input order. */
typedef struct {
	double p;
	size_t i;
} holm_item;

static int holm_cmp(const void *a, const void *b)
{
	const holm_item *x = a, *y = b;
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int hx_stats_holm(const double *p, size_t m, double *adjusted)
{
	holm_item *items;
	double run = 0.0;
	size_t i;

	for (i = 0; i < m; i++) {
		if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
			hx_error_set("holm: p-value %zu is %g, outside [0, 1]", i, p[i]);
			return HX_EINVALID;
		}
	}
	if (m == 0)
		return 0;
	items = malloc(m * sizeof(*items));
	if (!items) {
		hx_error_set("holm: out of memory");
		return HX_ESYSTEM;
	}
	/* every p is read here, before adjusted (which may alias p) is written */
	for (i = 0; i < m; i++) {
		items[i].p = p[i];
		items[i].i = i;
	}
	qsort(items, m, sizeof(*items), holm_cmp);
	for (i = 0; i < m; i++) {
		run = fmax(run, fmin(1.0, (double)(m - i) * items[i].p));
		adjusted[items[i].i] = run;
	}
	free(items);
	return 0;
}

double hx_stats_kolmogorov_q(double lambda)
{
	double s = 0.0, term;
	int j;

	if (lambda <= 0.0)
		return 1.0;
	if (lambda < 1.18) {
		/* the alternating series converges slowly for small lambda; use
		 * the Jacobi theta form 1 - sqrt(2 pi)/l sum exp(-(2j-1)^2 pi^2/(8 l^2)) */
		double c = -HX_PI * HX_PI / (8.0 * lambda * lambda);
		for (j = 1; j <= 100; j++) {
			term = exp(c * (double)((2 * j - 1) * (2 * j - 1)));
			s += term;
			if (term < 1e-17 * s)
				break;
		}
		return 1.0 - sqrt(2.0 * HX_PI) / lambda * s;
	}
	for (j = 1; j <= 100; j++) {
		term = exp(-2.0 * (double)j * (double)j * lambda * lambda);
		s += (j % 2 ? term : -term);
		if (term < 1e-17 * fabs(s))
			break;
	}
	return fmin(1.0, fmax(0.0, 2.0 * s));
}

/* Marsaglia, Tsang & Wang (2003), "Evaluating Kolmogorov's distribution",
 * J. Stat. Softw. 8(18): P(D_n < d) as a scaled entry of H^n. The decimal
 * exponents carried beside the matrices keep the power from overflowing. */
static void mtw_mul(const double *a, const double *b, double *c, int m)
{
	int i, j, k;

	for (i = 0; i < m; i++) {
		for (j = 0; j < m; j++)
			c[i * m + j] = 0.0;
		for (k = 0; k < m; k++) {
			double aik = a[i * m + k];
			if (aik == 0.0)
				continue;
			for (j = 0; j < m; j++)
				c[i * m + j] += aik * b[k * m + j];
		}
	}
}

/* v = a^n with exponent *ev; tmp is an m*m scratch matrix. */
static void mtw_pow(const double *a, double *v, int *ev, double *tmp, int m, size_t n)
{
	size_t bit = 1;
	int i, first = 1;

	while (bit <= n / 2)
		bit <<= 1;
	/* left-to-right binary powering: square, then multiply by a on a 1 bit */
	*ev = 0;
	for (; bit; bit >>= 1) {
		if (first) {
			memcpy(v, a, (size_t)m * (size_t)m * sizeof(*v));
			first = 0;
		} else {
			mtw_mul(v, v, tmp, m);
			*ev *= 2;
			if (n & bit)
				mtw_mul(a, tmp, v, m);
			else
				memcpy(v, tmp, (size_t)m * (size_t)m * sizeof(*v));
		}
		if (v[(m / 2) * m + m / 2] > 1e140) {
			for (i = 0; i < m * m; i++)
				v[i] *= 1e-140;
			*ev += 140;
		}
	}
}

static double mtw_cdf(size_t n, double d)
{
	int k, m, i, j, g, e;
	double h, s, *H = NULL, *Q = NULL, *T = NULL;

	k = (int)((double)n * d) + 1;
	m = 2 * k - 1;
	h = (double)k - (double)n * d;
	/* calloc: zeroed, which also tells the compiler every entry is set */
	H = calloc((size_t)m * (size_t)m, sizeof(*H));
	Q = malloc((size_t)m * (size_t)m * sizeof(*Q));
	T = malloc((size_t)m * (size_t)m * sizeof(*T));
	if (!H || !Q || !T) {
		s = NAN;
		goto done;
	}
	for (i = 0; i < m; i++)
		for (j = 0; j < m; j++)
			H[i * m + j] = i - j + 1 < 0 ? 0.0 : 1.0;
	for (i = 0; i < m; i++) {
		H[i * m] -= pow(h, i + 1);
		H[(m - 1) * m + i] -= pow(h, m - i);
	}
	H[(m - 1) * m] += 2.0 * h - 1.0 > 0.0 ? pow(2.0 * h - 1.0, m) : 0.0;
	for (i = 0; i < m; i++)
		for (j = 0; j < m; j++)
			if (i - j + 1 > 0)
				for (g = 1; g <= i - j + 1; g++)
					H[i * m + j] /= g;
	mtw_pow(H, Q, &e, T, m, n);
	s = Q[(k - 1) * m + k - 1];
	for (i = 1; i <= (int)n; i++) {
		s = s * i / (double)n;
		if (s < 1e-140) {
			s *= 1e140;
			e -= 140;
		}
	}
	s *= pow(10.0, e);
done:
	free(H);
	free(Q);
	free(T);
	return s;
}

double hx_stats_kolmogorov_p(size_t n, double d)
{
	double nn = (double)n, s;

	if (n == 0 || !(d > 0.0))
		return 1.0;
	if (d >= 1.0)
		return 0.0;
	if (n > 16000)
		return hx_stats_kolmogorov_q(d * sqrt(nn));
	s = d * d * nn;
	if (s > 7.24 || (s > 3.76 && n > 99))
		/* MTW's right-tail formula: here p < 1e-6 and 1 - exact would
		 * lose every digit to cancellation */
		return 2.0 * exp(-(2.000071 + 0.331 / sqrt(nn) + 1.409 / nn) * s);
	s = mtw_cdf(n, d);
	if (isnan(s))
		return s;
	return fmin(1.0, fmax(0.0, 1.0 - s));
}

/* Exact sup over the points of a block [a, b] whose end values F(x_a),
 * F(x_b) are known: a nondecreasing F bounds every inner term by
 * max((b+1)/n - F(x_a), F(x_b) - a/n), so a block whose bound cannot beat
 * the running maximum is skipped without evaluating the CDF inside. With a
 * good fit to n = 10^6 points this evaluates the CDF at a few percent of
 * them; the result equals the plain scan's. */
struct ks_scan {
	const double *x;
	double n;
	double (*cdf)(double, void *);
	void *ctx;
	double dmax;
};

static void ks_term(struct ks_scan *s, size_t i, double f)
{
	s->dmax = fmax(s->dmax, fmax((double)(i + 1) / s->n - f, f - (double)i / s->n));
}

static void ks_block(struct ks_scan *s, size_t a, size_t b, double fa, double fb)
{
	size_t m, i;
	double fm;

	if (b - a < 2)
		return;
	if (fmax((double)(b + 1) / s->n - fa, fb - (double)a / s->n) <= s->dmax)
		return;
	if (b - a < 16) {
		for (i = a + 1; i < b; i++)
			ks_term(s, i, s->cdf(s->x[i], s->ctx));
		return;
	}
	m = a + (b - a) / 2;
	fm = s->cdf(s->x[m], s->ctx);
	ks_term(s, m, fm);
	ks_block(s, a, m, fa, fm);
	ks_block(s, m, b, fm, fb);
}

int hx_stats_ks_1(const double *sorted, size_t n, double (*cdf)(double x, void *ctx),
		  void *ctx, double *d)
{
	struct ks_scan s = {sorted, (double)n, cdf, ctx, 0.0};
	double f0, f1;
	size_t i;

	if (n == 0) {
		hx_error_set("ks test: no data");
		return HX_EINVALID;
	}
	for (i = 1; i < n; i++) {
		if (!(sorted[i] >= sorted[i - 1])) {
			hx_error_set("ks test: data not sorted at index %zu", i);
			return HX_EINVALID;
		}
	}
	f0 = cdf(sorted[0], ctx);
	ks_term(&s, 0, f0);
	f1 = cdf(sorted[n - 1], ctx);
	ks_term(&s, n - 1, f1);
	ks_block(&s, 0, n - 1, f0, f1);
	*d = s.dmax;
	return 0;
}

static int check_sorted(const double *x, size_t n, const char *what)
{
	size_t i;

	if (n == 0) {
		hx_error_set("ks test: sample '%s' is empty", what);
		return HX_EINVALID;
	}
	for (i = 1; i < n; i++) {
		if (!(x[i] >= x[i - 1])) {
			hx_error_set("ks test: sample '%s' not sorted at index %zu", what, i);
			return HX_EINVALID;
		}
	}
	return 0;
}

int hx_stats_ks_2(const double *a, size_t na, const double *b, size_t nb, double *d,
		  double *p)
{
	size_t i = 0, j = 0;
	double dmax = 0.0, fa = (double)na, fb = (double)nb;

	if (check_sorted(a, na, "a") < 0 || check_sorted(b, nb, "b") < 0)
		return HX_EINVALID;
	while (i < na && j < nb) {
		double x = fmin(a[i], b[j]);
		/* step past every copy of x in both samples before comparing */
		while (i < na && a[i] == x)
			i++;
		while (j < nb && b[j] == x)
			j++;
		dmax = fmax(dmax, fabs((double)i / fa - (double)j / fb));
	}
	*d = dmax;
	if (p)
		*p = hx_stats_kolmogorov_q(dmax * sqrt(fa * fb / (fa + fb)));
	return 0;
}

int hx_stats_newcombe_paired(unsigned long n11, unsigned long n10, unsigned long n01,
			     unsigned long n00, double confidence, double *diff, double *lo,
			     double *hi)
{
	double n = (double)n11 + (double)n10 + (double)n01 + (double)n00;
	double e = (double)n11 + (double)n10, f = (double)n01 + (double)n00;
	double g = (double)n11 + (double)n01, h = (double)n10 + (double)n00;
	double p1, p2, l1, u1, l2, u2, num, phi = 0.0, dl, du;
	unsigned long nn = n11 + n10 + n01 + n00;

	if (nn == 0) {
		hx_error_set("paired proportions: no pairs");
		return HX_EINVALID;
	}
	p1 = e / n;
	p2 = g / n;
	hx_stats_wilson(n11 + n10, nn, confidence, &l1, &u1);
	hx_stats_wilson(n11 + n01, nn, confidence, &l2, &u2);
	/* phi of the table, its positive numerator reduced by n/2 (and to no
	 * less than 0): Newcombe's choice for method 10; 0 when a margin is
	 * empty (phi undefined) */
	if (e > 0 && f > 0 && g > 0 && h > 0) {
		num = (double)n11 * (double)n00 - (double)n10 * (double)n01;
		if (num > 0)
			num = fmax(0.0, num - n / 2.0);
		phi = num / sqrt(e * f * g * h);
	}
	dl = (p1 - l1) * (p1 - l1) - 2.0 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) * (u2 - p2);
	du = (u1 - p1) * (u1 - p1) - 2.0 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) * (p2 - l2);
	*diff = p1 - p2;
	*lo = *diff - sqrt(fmax(0.0, dl));
	*hi = *diff + sqrt(fmax(0.0, du));
	return 0;
}

double hx_stats_mcnemar_exact(unsigned long b, unsigned long c)
{
	unsigned long n = b + c, hi = b > c ? b : c;
	if (n == 0)
		return 1.0;
	/* P(X <= min) = P(X >= max) at p = 1/2 */
	return fmin(1.0, 2.0 * hx_stats_binom_upper(hi, n, 0.5));
}

/* A nonzero difference: its size and sign, to be ranked. */
typedef struct {
	double abs;
	int positive;
} sr_item;

static int sr_cmp(const void *a, const void *b)
{
	const sr_item *x = a, *y = b;
	return x->abs < y->abs ? -1 : x->abs > y->abs;
}

/* P(V <= v) under the null for m differences, from the counts of the 2^m
 * sign patterns by their sum (exact in doubles for m < 50: 2^49 < 2^53). */
static double sr_exact_cdf(size_t m, double v)
{
	size_t top = m * (m + 1) / 2, i, s;
	double *cnt = calloc(top + 1, sizeof(double)), sum = 0.0;
	if (!cnt)
		return NAN;
	cnt[0] = 1.0;
	for (i = 1; i <= m; i++)
		for (s = top; s >= i; s--)
			cnt[s] += cnt[s - i];
	for (s = 0; s <= top && (double)s <= v; s++)
		sum += cnt[s];
	free(cnt);
	return sum / ldexp(1.0, (int)m);
}

int hx_stats_signed_rank(hx_signed_rank *out, const double *d, size_t n)
{
	sr_item *it;
	size_t m = 0, i, j, zeros = 0;
	double v = 0.0, ties = 0.0, mean, var, z, mm;
	int tied = 0;

	for (i = 0; i < n; i++) {
		if (isnan(d[i])) {
			hx_error_set("signed-rank test: difference %zu is NaN", i);
			return HX_EINVALID;
		}
		zeros += d[i] == 0.0;
	}
	if (zeros == n) {
		hx_error_set("signed-rank test: no nonzero difference");
		return HX_EINVALID;
	}
	it = malloc((n - zeros) * sizeof(*it));
	if (!it) {
		hx_error_set("signed-rank test: out of memory");
		return HX_ESYSTEM;
	}
	for (i = 0; i < n; i++)
		if (d[i] != 0.0) {
			it[m].abs = fabs(d[i]);
			it[m++].positive = d[i] > 0.0;
		}
	qsort(it, m, sizeof(*it), sr_cmp);
	for (i = 0; i < m; i = j) {
		double t, rank;
		for (j = i + 1; j < m && it[j].abs == it[i].abs; j++)
			;
		t = (double)(j - i);
		rank = ((double)i + 1.0 + (double)j) / 2.0; /* mid-rank of i+1..j */
		if (j - i > 1) {
			tied = 1;
			ties += t * t * t - t;
		}
		for (; i < j; i++)
			if (it[i].positive)
				v += rank;
	}
	free(it);
	mm = (double)m;
	mean = mm * (mm + 1.0) / 4.0;
	out->n = m;
	out->zeros = zeros;
	out->v = v;
	out->z = NAN;
	out->exact = m < 50 && !tied && !zeros;
	if (out->exact) {
		/* V is an integer here; the smaller tail, doubled, each tail
		 * summed directly (V is symmetric about its mean: P(V >= v) =
		 * P(V <= m(m+1)/2 - v)) */
		double p = sr_exact_cdf(m, v > mean ? 2.0 * mean - v : v);
		if (isnan(p)) {
			hx_error_set("signed-rank test: out of memory");
			return HX_ESYSTEM;
		}
		out->p = fmin(1.0, 2.0 * p);
		return 0;
	}
	gsl_set_error_handler_off();
	var = mm * (mm + 1.0) * (2.0 * mm + 1.0) / 24.0 - ties / 48.0;
	z = v - mean;
	z = (z - (z > 0 ? 0.5 : z < 0 ? -0.5 : 0.0)) / sqrt(var);
	out->z = z;
	out->p = fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q(fabs(z)));
	return 0;
}

int hx_stats_median_ci(const double *sorted, size_t n, double confidence, double *lo,
		       double *hi)
{
	double half = (1.0 - confidence) / 2.0, z = hx_stats_z(confidence);
	long k;

	if (n == 0) {
		hx_error_set("median interval: no values");
		return HX_EINVALID;
	}
	gsl_set_error_handler_off();
	/* k qualifies when P(X <= k - 1) <= half; start below the normal
	 * approximation's k and walk to the largest that qualifies */
	k = (long)floor(((double)n - z * sqrt((double)n)) / 2.0) - 2;
	if (k < 1)
		k = 1;
	while (k > 1 && hx_stats_binom_upper(n - (unsigned long)(k - 1), n, 0.5) > half)
		k--;
	if (hx_stats_binom_upper(n - (unsigned long)(k - 1), n, 0.5) > half) {
		hx_error_set("median interval: %zu values are too few for %g confidence", n,
			     confidence);
		return HX_EINVALID;
	}
	/* P(X <= k) = P(X >= n - k) at p = 1/2 */
	while ((size_t)k < (n + 1) / 2 && hx_stats_binom_upper(n - (unsigned long)k, n, 0.5) <= half)
		k++;
	*lo = sorted[k - 1];
	*hi = sorted[n - (size_t)k];
	return 0;
}

const char *hx_stats_format_p(char *buf, double p)
{
	if (isnan(p))
		snprintf(buf, 16, "-");
	else if (p < 1e-6)
		snprintf(buf, 16, "<1e-6");
	else
		snprintf(buf, 16, "%.2g", p);
	return buf;
}
