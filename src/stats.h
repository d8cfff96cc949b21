/* stats.h - statistics (with fit.h, the only user of GSL).
 *
 * Proportions (Wilson intervals, two-proportion z-test, Cochran-Armitage
 * trend, Newcombe's difference intervals, unpaired and paired, the exact
 * McNemar test, the binomial upper tail), paired samples (Wilcoxon's
 * signed-rank test, the order-statistic interval of a median),
 * multiple-testing adjustment (Holm), the Kolmogorov distribution with
 * one- and two-sample KS statistics, and the one way p-values are printed.
 * Reference values: shared/reference/stats-vectors.md.
 *
 * Functions that can reject their input return 0 or HX_EINVALID (src/error.h)
 * with a message in the error slot; their outputs are written only on success.
 */
#ifndef HX_STATS_H
#define HX_STATS_H

#include <stddef.h>

/* Two-sided standard normal quantile for a confidence level, e.g. 0.95 ->
 * 1.959963984540054. */
double hx_stats_z(double confidence);

/* Wilson score interval for k successes in n trials at the given confidence
 * (R's prop.test(k, n, correct = FALSE)). n == 0 gives [0, 1]. */
void hx_stats_wilson(unsigned long k, unsigned long n, double confidence, double *lo,
		     double *hi);

/* Pooled two-proportion z-test of x1/n1 against x2/n2 (R's prop.test with
 * correct = FALSE; z^2 is its X-squared). *z is positive when x1/n1 > x2/n2;
 * *p_greater is the one-sided p for "p1 > p2"; *p_two_sided (may be NULL) is
 * the two-sided p. HX_EINVALID when n1 or n2 is 0, x > n, or the pooled
 * proportion is 0 or 1 (no variance: z is undefined). */
int hx_stats_two_prop_z(unsigned long x1, unsigned long n1, unsigned long x2,
			unsigned long n2, double *z, double *p_greater, double *p_two_sided);

/* Cochran-Armitage test for a linear trend in proportions over k >= 2 ordered
 * groups: counts[i] successes of totals[i]; scores NULL means 0, 1, ..., k-1
 * (R's prop.trend.test). *chi2 is the 1-df statistic, *p its two-sided p.
 * HX_EINVALID for k < 2, counts > totals, a pooled proportion of 0 or 1, or
 * scores that do not vary over the observations. */
int hx_stats_trend(const unsigned long *counts, const unsigned long *totals,
		   const double *scores, size_t k, double *chi2, double *p);

/* Newcombe's hybrid score interval (1998, method 10) for p1 - p2, built from
 * the two Wilson intervals at the given confidence: *diff = x1/n1 - x2/n2,
 * [*lo, *hi] its interval. HX_EINVALID when n1 or n2 is 0 or x > n. */
int hx_stats_newcombe(unsigned long x1, unsigned long n1, unsigned long x2,
		      unsigned long n2, double confidence, double *diff, double *lo,
		      double *hi);

/* Newcombe's interval for the difference of two paired proportions (1998,
 * Stat Med 17:2635-2650, method 10: the two Wilson intervals combined with
 * the correlation phi of the 2x2 table, phi's numerator ad - bc shrunk
 * towards 0 by n/2 when positive). The table: n11 pairs with the event in
 * both, n10 in the first only, n01 in the second only, n00 in neither;
 * *diff = (n10 - n01) / n, the first's proportion minus the second's,
 * [*lo, *hi] its interval. HX_EINVALID when the table is empty. */
int hx_stats_newcombe_paired(unsigned long n11, unsigned long n10, unsigned long n01,
			     unsigned long n00, double confidence, double *diff, double *lo,
			     double *hi);

/* Exact McNemar test of b pairs with the event in the first only against
 * c in the second only: the conditional binomial test, two-sided p =
 * min(1, 2 P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2) (R's
 * binom.test(b, b + c)$p.value; not the mid-p). 1 when b + c == 0. */
double hx_stats_mcnemar_exact(unsigned long b, unsigned long c);

/* Wilcoxon's signed-rank test of paired differences d[0..n) against a
 * location of 0, two-sided, as R's wilcox.test(d, correct = TRUE): zero
 * differences are dropped (Wilcoxon's method), the rest ranked by |d| with
 * mid-ranks for ties; V = the sum of the ranks of positive differences.
 * Exact (the null distribution counted) when fewer than 50 differences
 * remain and none was zero or tied; otherwise the normal approximation
 * with the tie correction of the variance and a continuity correction. */
typedef struct {
	size_t n;     /* nonzero differences ranked */
	size_t zeros; /* zero differences dropped */
	double v;     /* V */
	double z;     /* the normal approximation's z (NaN when exact) */
	double p;     /* two-sided */
	int exact;
} hx_signed_rank;

/* HX_EINVALID when no difference is nonzero (or one is NaN). */
int hx_stats_signed_rank(hx_signed_rank *out, const double *d, size_t n);

/* Distribution-free interval for the median of n ascending values:
 * [x(k), x(n + 1 - k)] (1-based order statistics), k the largest with
 * P(Binomial(n, 1/2) <= k - 1) <= (1 - confidence) / 2, so the coverage
 * is at least `confidence` (the sign test inverted). HX_EINVALID when no
 * k >= 1 qualifies (n < 6 at 95%). */
int hx_stats_median_ci(const double *sorted, size_t n, double confidence, double *lo,
		       double *hi);

/* A p-value as text, by one rule wherever harness prints one: "<1e-6"
 * below 1e-6, else 2 significant digits (printf %.2g: 0.031, 0.0028,
 * 1.5e-05, 1); "-" for NaN. Returns buf (at least 16 bytes). */
const char *hx_stats_format_p(char *buf, double p);

/* P(X >= k) for X ~ Binomial(n, p): 1 when k == 0, 0 when k > n; the
 * regularized incomplete beta I_p(k, n - k + 1) otherwise (R's
 * pbinom(k - 1, n, p, lower.tail = FALSE)). NaN when p is outside [0, 1]. */
double hx_stats_binom_upper(unsigned long k, unsigned long n, double p);

/* Holm's step-down adjustment of m p-values (R's p.adjust(p, "holm")):
 * adjusted[i] corresponds to p[i]; the caller owns both arrays (they may be
 * the same array). HX_EINVALID when a p is outside [0, 1] or NaN. m == 0 is
 * a no-op. */
int hx_stats_holm(const double *p, size_t m, double *adjusted);

/* Asymptotic Kolmogorov survival function Q(lambda) =
 * 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2); 1 for lambda <= 0. */
double hx_stats_kolmogorov_q(double lambda);

/* P(D_n >= d) for the one-sample KS statistic of n observations against a
 * fully specified continuous distribution. Exact (Marsaglia, Tsang & Wang
 * 2003, matrix power) for n <= 16000 while n d^2 is moderate; MTW's right-tail
 * formula when n d^2 is large (p < 1e-6 there, ~7 significant digits); the
 * asymptotic Q(d sqrt(n)) for n > 16000. Returns 1 for d <= 0 or n == 0,
 * 0 for d >= 1, NaN if out of memory. */
double hx_stats_kolmogorov_p(size_t n, double d);

/* One-sample KS statistic D = sup |F_n(x) - cdf(x)| of n >= 1 ascending
 * values against a continuous CDF callback (cdf(x, ctx) in [0, 1]), which
 * must be nondecreasing: blocks of points that cannot raise D are skipped
 * unevaluated (the result is the full scan's). HX_EINVALID when n == 0 or
 * the data are not sorted. */
int hx_stats_ks_1(const double *sorted, size_t n, double (*cdf)(double x, void *ctx),
		  void *ctx, double *d);

/* Two-sample KS statistic D = sup |F_a - F_b| (ties handled: both samples
 * step together) and its asymptotic p = Q(D sqrt(na nb / (na + nb))) (R's
 * ks.test(exact = FALSE) without continuity correction). Both arrays must be
 * ascending and non-empty, else HX_EINVALID. p may be NULL. */
int hx_stats_ks_2(const double *a, size_t na, const double *b, size_t nb, double *d,
		  double *p);

#endif
