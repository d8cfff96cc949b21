/* test_stats.c - proportions, Holm and the Kolmogorov distribution against
 * shared/reference/stats-vectors.md (R prop.test / prop.trend.test /
 * p.adjust, Marsaglia-Tsang-Wang 2003). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "error.h"
#include "stats.h"

static void close_to(double got, double want)
{
	double tol = 1e-9 + 1e-8 * fabs(want);
	if (fabs(got - want) > tol)
		fail_msg("got %.12g, want %.12g", got, want);
}

/* relative tolerance rel (the vectors' 1e-6 unless noted) */
static void rel_to(double got, double want, double rel, const char *what)
{
	if (!(fabs(got - want) <= rel * fabs(want)))
		fail_msg("%s: got %.15g, want %.15g (rel err %.3g)", what, got, want,
			 fabs(got - want) / fabs(want));
}

static void test_z(void **state)
{
	(void)state;
	close_to(hx_stats_z(0.95), 1.959963984540054);
}

static void test_wilson_vectors(void **state)
{
	static const struct {
		unsigned long k, n;
		double lo, hi;
	} v[] = {
		{81, 263, 0.2552885199, 0.3662095770},
		{15, 148, 0.0623863995, 0.1604872417},
		{0, 20, 0.0, 0.1611251581},
		{1, 29, 0.0061132143, 0.1717552188},
		{5, 50, 0.0434757649, 0.2136023144},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		double lo, hi;
		hx_stats_wilson(v[i].k, v[i].n, 0.95, &lo, &hi);
		/* the reference values carry 10 decimals */
		if (fabs(lo - v[i].lo) > 1e-10 || fabs(hi - v[i].hi) > 1e-10)
			fail_msg("%lu/%lu: got [%.10f, %.10f], want [%.10f, %.10f]", v[i].k,
				 v[i].n, lo, hi, v[i].lo, v[i].hi);
	}
}

static void test_wilson_edges(void **state)
{
	double lo, hi;
	(void)state;
	hx_stats_wilson(0, 0, 0.95, &lo, &hi);
	assert_true(lo == 0.0 && hi == 1.0);
	hx_stats_wilson(20, 20, 0.95, &lo, &hi);
	assert_true(hi == 1.0);
	close_to(lo, 1.0 - 0.1611251581); /* mirror of 0/20 */
}

static void test_two_prop_z(void **state)
{
	double z, pg, p2, z2, pg2;
	(void)state;
	assert_int_equal(hx_stats_two_prop_z(30, 100, 18, 100, &z, &pg, &p2), 0);
	rel_to(z, 1.9867985356, 1e-9, "z");
	rel_to(pg, 0.02347236349, 1e-8, "p greater");
	rel_to(p2, 2.0 * 0.02347236349, 1e-8, "p two-sided");
	/* swapping the groups flips z; "greater" becomes the other tail */
	assert_int_equal(hx_stats_two_prop_z(18, 100, 30, 100, &z2, &pg2, NULL), 0);
	close_to(z2, -z);
	close_to(pg2, 1.0 - pg);
	assert_int_equal(hx_stats_two_prop_z(1, 0, 1, 10, &z, &pg, NULL), HX_EINVALID);
	assert_int_equal(hx_stats_two_prop_z(11, 10, 1, 10, &z, &pg, NULL), HX_EINVALID);
	assert_int_equal(hx_stats_two_prop_z(0, 10, 0, 10, &z, &pg, NULL), HX_EINVALID);
	assert_int_equal(hx_stats_two_prop_z(10, 10, 5, 5, &z, &pg, NULL), HX_EINVALID);
}

static void test_trend(void **state)
{
	static const unsigned long x[] = {5, 10, 20}, n[] = {100, 100, 100};
	static const double sc[] = {1.0, 2.0, 3.0}, flat[] = {2.0, 2.0, 2.0};
	double chi2, p, chi2b, pb;
	(void)state;
	assert_int_equal(hx_stats_trend(x, n, NULL, 3, &chi2, &p), 0);
	rel_to(chi2, 10.91644205, 1e-8, "X^2");
	rel_to(p, 0.00095314492, 1e-7, "p");
	/* the statistic is invariant to shifting the scores */
	assert_int_equal(hx_stats_trend(x, n, sc, 3, &chi2b, &pb), 0);
	close_to(chi2b, chi2);
	close_to(pb, p);
	/* two groups: the trend test is the two-proportion test (X^2 = z^2) */
	{
		unsigned long x2[] = {18, 30}, n2[] = {100, 100};
		assert_int_equal(hx_stats_trend(x2, n2, NULL, 2, &chi2, &p), 0);
		close_to(chi2, 1.9867985356 * 1.9867985356);
		close_to(p, 2.0 * 0.02347236349);
	}
	assert_int_equal(hx_stats_trend(x, n, flat, 3, &chi2, &p), HX_EINVALID);
	assert_int_equal(hx_stats_trend(x, n, NULL, 1, &chi2, &p), HX_EINVALID);
}

static void test_newcombe(void **state)
{
	double d, lo, hi, l1, u1, l2, u2;
	(void)state;
	/* Newcombe (1998), Stat. Med. 17:873, example (a), method 10 */
	assert_int_equal(hx_stats_newcombe(56, 70, 48, 80, 0.95, &d, &lo, &hi), 0);
	close_to(d, 0.2);
	if (fabs(lo - 0.0524) > 5e-5 || fabs(hi - 0.3339) > 5e-5)
		fail_msg("got [%.5f, %.5f], want [0.0524, 0.3339]", lo, hi);
	/* independent assembly from the Wilson limits:
	 * L = d - sqrt((p1-l1)^2 + (u2-p2)^2), U = d + sqrt((u1-p1)^2 + (p2-l2)^2) */
	hx_stats_wilson(56, 70, 0.95, &l1, &u1);
	hx_stats_wilson(48, 80, 0.95, &l2, &u2);
	close_to(lo, 0.2 - hypot(0.8 - l1, u2 - 0.6));
	close_to(hi, 0.2 + hypot(u1 - 0.8, 0.6 - l2));
	/* Newcombe's example (e): 0/10 vs 0/20 -> (-0.1611, 0.2775) */
	assert_int_equal(hx_stats_newcombe(0, 10, 0, 20, 0.95, &d, &lo, &hi), 0);
	assert_true(d == 0.0);
	if (fabs(lo + 0.1611) > 5e-5 || fabs(hi - 0.2775) > 5e-5)
		fail_msg("got [%.5f, %.5f], want [-0.1611, 0.2775]", lo, hi);
	assert_int_equal(hx_stats_newcombe(1, 0, 0, 20, 0.95, &d, &lo, &hi), HX_EINVALID);
}

/* P(X >= k), X ~ Binomial(n, p): scipy.stats.binom.sf(k - 1, n, p), the
 * small cases also summed exactly in rationals */
static void test_binom_upper(void **state)
{
	(void)state;
	rel_to(hx_stats_binom_upper(1, 9, 0.05), 0.36975059027539064, 1e-12, "1 of 9");
	rel_to(hx_stats_binom_upper(2, 9, 0.05), 0.07121139619531251, 1e-12, "2 of 9");
	rel_to(hx_stats_binom_upper(3, 9, 0.05), 0.008361039546875, 1e-12, "3 of 9");
	rel_to(hx_stats_binom_upper(5, 9, 0.05), 3.322220703125001e-05, 1e-12, "5 of 9");
	rel_to(hx_stats_binom_upper(9, 9, 0.05), 1.953125000000001e-12, 1e-12, "9 of 9");
	rel_to(hx_stats_binom_upper(30, 100, 0.2), 0.011248978720991643, 1e-10, "30 of 100");
	/* mpmath betainc(1500, 8501, 0, 0.14) at 40 digits */
	rel_to(hx_stats_binom_upper(1500, 10000, 0.14), 0.0022319266752753234, 1e-9,
	       "1500 of 10000");
	assert_true(hx_stats_binom_upper(0, 9, 0.05) == 1.0);
	assert_true(hx_stats_binom_upper(10, 9, 0.05) == 0.0);
	assert_true(hx_stats_binom_upper(3, 9, 0.0) == 0.0);
	assert_true(hx_stats_binom_upper(3, 9, 1.0) == 1.0);
	assert_true(isnan(hx_stats_binom_upper(3, 9, 1.5)));
	assert_true(isnan(hx_stats_binom_upper(3, 9, NAN)));
}

static void test_holm(void **state)
{
	/* by hand: sorted 0.005 0.01 0.03 0.04 times 4 3 2 1 = 0.02 0.03 0.06
	 * 0.04, then the running maximum: 0.02 0.03 0.06 0.06 */
	double p[] = {0.01, 0.04, 0.03, 0.005}, want[] = {0.03, 0.06, 0.06, 0.02};
	double q[] = {0.5, 0.3}, wantq[] = {0.6, 0.6};
	double r[] = {0.2, 0.9, 0.6}, wantr[] = {0.6, 1.0, 1.0};
	double out[4], bad[] = {0.1, 1.5};
	size_t i;
	(void)state;
	assert_int_equal(hx_stats_holm(p, 4, out), 0);
	for (i = 0; i < 4; i++)
		close_to(out[i], want[i]);
	assert_int_equal(hx_stats_holm(q, 2, q), 0); /* in place */
	for (i = 0; i < 2; i++)
		close_to(q[i], wantq[i]);
	assert_int_equal(hx_stats_holm(r, 3, out), 0);
	for (i = 0; i < 3; i++)
		close_to(out[i], wantr[i]);
	assert_int_equal(hx_stats_holm(bad, 2, out), HX_EINVALID);
	assert_int_equal(hx_stats_holm(NULL, 0, NULL), 0);
}

static void test_kolmogorov(void **state)
{
	(void)state;
	rel_to(hx_stats_kolmogorov_p(10, 0.274), 0.371520384543496, 1e-10, "n=10");
	rel_to(hx_stats_kolmogorov_p(100, 0.1), 0.25269275700639, 1e-10, "n=100");
	rel_to(hx_stats_kolmogorov_p(500, 0.05), 0.15866263922062, 1e-10, "n=500");
	rel_to(hx_stats_kolmogorov_q(1.0), 0.269999671677355, 1e-12, "Q(1)");
	rel_to(hx_stats_kolmogorov_q(1.3580986393), 0.05, 1e-8, "Q(crit 95%)");
	/* the two branches of Q agree where they meet */
	rel_to(hx_stats_kolmogorov_q(1.18 - 1e-12), hx_stats_kolmogorov_q(1.18), 1e-9,
	       "Q branches");
	/* large n: the exact value approaches Q(d sqrt(n)) */
	rel_to(hx_stats_kolmogorov_p(16000, 1.0 / sqrt(16000.0)), 0.269999671677355, 1e-2,
	       "n=16000");
	rel_to(hx_stats_kolmogorov_p(100000, 1.0 / sqrt(100000.0)), 0.269999671677355,
	       1e-12, "n=1e5 asymptotic");
	/* edges: d <= 1/(2n) is always reached; d >= 1 never; a far tail is
	 * tiny and positive */
	assert_true(hx_stats_kolmogorov_p(10, 0.0) == 1.0);
	rel_to(hx_stats_kolmogorov_p(10, 0.05), 1.0, 1e-12, "d < 1/2n");
	assert_true(hx_stats_kolmogorov_p(10, 1.0) == 0.0);
	{
		double p = hx_stats_kolmogorov_p(200, 0.3);
		assert_true(p > 0.0 && p < 1e-6);
	}
	/* exact for n = 1: P(D_1 >= d) = 2 (1 - d) for d in [1/2, 1) */
	rel_to(hx_stats_kolmogorov_p(1, 0.7), 0.6, 1e-12, "n=1");
}

static double exp_cdf(double x, void *ctx)
{
	double mean = *(const double *)ctx;
	return x <= 0.0 ? 0.0 : 1.0 - exp(-x / mean);
}

static void test_ks_1(void **state)
{
	static const double x[] = {1.2, 2.3, 2.9, 3.4, 4.1, 4.8,
				   5.5, 6.7, 7.9, 9.6, 12.4, 17.3};
	double mean = 6.0, d, p, unsorted[] = {2.0, 1.0};
	(void)state;
	assert_int_equal(hx_stats_ks_1(x, 12, exp_cdf, &mean, &d), 0);
	rel_to(d, 0.23508100047, 1e-9, "D vs Exp(6)");
	p = hx_stats_kolmogorov_p(12, d);
	rel_to(p, 0.45255336668, 1e-8, "p vs Exp(6)");
	assert_int_equal(hx_stats_ks_1(unsorted, 2, exp_cdf, &mean, &d), HX_EINVALID);
	assert_int_equal(hx_stats_ks_1(x, 0, exp_cdf, &mean, &d), HX_EINVALID);
}

static double unif_cdf(double x, void *ctx)
{
	(void)ctx;
	return x <= 0.0 ? 0.0 : x >= 1.0 ? 1.0 : x;
}

/* hx_stats_ks_1 skips blocks that cannot raise D: on 50,000 points it must
 * give exactly the full scan's value, for a good fit and a poor one */
static void test_ks_1_pruned(void **state)
{
	enum { N = 50000 };
	static double x[N];
	uint64_t s = 12345;
	size_t i, pass;
	(void)state;
	for (pass = 0; pass < 2; pass++) {
		double d, brute = 0.0;
		for (i = 0; i < N; i++) {
			uint64_t z = (s += 0x9E3779B97F4A7C15ull);
			z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
			z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
			z ^= z >> 31;
			x[i] = (double)(z >> 11) / 9007199254740992.0;
			if (pass == 1)
				x[i] = x[i] * x[i]; /* not uniform: D ~ 0.25 */
		}
		/* insertion into order would be slow; a counting pass over a
		 * fine grid is enough to sort these for the test */
		{
			static double tmp[N];
			static size_t cnt[N + 1];
			memset(cnt, 0, sizeof(cnt));
			for (i = 0; i < N; i++)
				cnt[(size_t)(x[i] * N)]++;
			for (i = 1; i <= N; i++)
				cnt[i] += cnt[i - 1];
			for (i = N; i-- > 0;)
				tmp[--cnt[(size_t)(x[i] * N)]] = x[i];
			/* buckets are sorted, values inside one bucket not: finish
			 * with an insertion sort, nearly linear here */
			for (i = 1; i < N; i++) {
				double v = tmp[i];
				size_t j = i;
				while (j > 0 && tmp[j - 1] > v) {
					tmp[j] = tmp[j - 1];
					j--;
				}
				tmp[j] = v;
			}
			memcpy(x, tmp, sizeof(x));
		}
		for (i = 0; i < N; i++) {
			double f = unif_cdf(x[i], NULL);
			brute = fmax(brute, fmax((double)(i + 1) / N - f, f - (double)i / N));
		}
		assert_int_equal(hx_stats_ks_1(x, N, unif_cdf, NULL, &d), 0);
		if (d != brute)
			fail_msg("pass %zu: pruned %.17g, full scan %.17g", pass, d, brute);
		assert_true(pass == 0 ? d < 0.02 : d > 0.2);
	}
}

static void test_ks_2(void **state)
{
	/* by hand: after 1: 1/3; 2: 2/3; 2.5: 2/3-1/4; 3: 1-1/4 = 0.75 */
	static const double a[] = {1, 2, 3}, b[] = {2.5, 4, 5, 6};
	/* ties: both samples step together at 2 and 3: D = 3/4 - 1/4 = 0.5 */
	static const double c[] = {1, 2, 2, 3}, e[] = {2, 3, 3, 4};
	double d, p;
	(void)state;
	assert_int_equal(hx_stats_ks_2(a, 3, b, 4, &d, &p), 0);
	close_to(d, 0.75);
	close_to(p, hx_stats_kolmogorov_q(0.75 * sqrt(12.0 / 7.0)));
	assert_int_equal(hx_stats_ks_2(b, 4, a, 3, &d, NULL), 0);
	close_to(d, 0.75);
	assert_int_equal(hx_stats_ks_2(c, 4, e, 4, &d, &p), 0);
	close_to(d, 0.5);
	assert_int_equal(hx_stats_ks_2(c, 4, c, 4, &d, &p), 0);
	assert_true(d == 0.0 && p == 1.0);
	assert_int_equal(hx_stats_ks_2(e, 4, c, 0, &d, &p), HX_EINVALID);
	assert_int_equal(hx_stats_ks_2(b, 4, (const double[]){2, 1}, 2, &d, &p),
			 HX_EINVALID);
}

/* Newcombe's paired interval (method 10). Cavo et al. 2012 (complete
 * response before and after consolidation therapy): 59 both, 6 before
 * only, 16 after only, 80 neither; Fagerland, Lydersen & Laake,
 * "Statistical Analysis of Contingency Tables" (2017), ch. 8, print
 * -0.0621 (95% CI -0.1186 to -0.0046). Full digits and the other tables
 * computed by hand from the published formula (Python, floating point). */
static void test_newcombe_paired(void **state)
{
	double d, lo, hi;
	(void)state;
	assert_int_equal(hx_stats_newcombe_paired(59, 6, 16, 80, 0.95, &d, &lo, &hi), 0);
	assert_true(fabs(d - -0.0621) < 5e-5 && fabs(lo - -0.1186) < 5e-5 &&
		    fabs(hi - -0.0046) < 5e-5);
	close_to(d, -0.06211180124223603);
	close_to(lo, -0.11862119563870992);
	close_to(hi, -0.004625113933050061);
	/* 36/12/2/0: a margin is 0 wide (no pair in neither), phi = 0 */
	assert_int_equal(hx_stats_newcombe_paired(36, 12, 2, 0, 0.95, &d, &lo, &hi), 0);
	close_to(d, 0.19999999999999996);
	close_to(lo, 0.05692958400323869);
	close_to(hi, 0.3404276029749407);
	/* a table like the FAST one, 31 flips one way and none back
	 * (1241 both, 0 first only, 31 second only, 200 neither) */
	assert_int_equal(hx_stats_newcombe_paired(1241, 0, 31, 200, 0.95, &d, &lo, &hi), 0);
	close_to(d, -0.021059782608695565);
	close_to(lo, -0.028960725097692167);
	close_to(hi, -0.013630354543124286);
	assert_int_equal(hx_stats_newcombe_paired(0, 0, 0, 0, 0.95, &d, &lo, &hi), HX_EINVALID);
}

/* Exact McNemar = the two-sided binomial test of b in b + c at 1/2:
 * scipy.stats.binomtest(b, b + c).pvalue. */
static void test_mcnemar_exact(void **state)
{
	(void)state;
	/* 31 flips one way, none back: 2 * 0.5^31 */
	rel_to(hx_stats_mcnemar_exact(0, 31), 9.313225746154785e-10, 1e-12, "0 vs 31");
	rel_to(hx_stats_mcnemar_exact(31, 0), 9.313225746154785e-10, 1e-12, "31 vs 0");
	rel_to(hx_stats_mcnemar_exact(6, 16), 0.052478790283203125, 1e-12, "6 vs 16");
	rel_to(hx_stats_mcnemar_exact(89, 111), 0.1373666508686305, 1e-9, "89 vs 111");
	assert_true(hx_stats_mcnemar_exact(5, 5) == 1.0);
	assert_true(hx_stats_mcnemar_exact(0, 0) == 1.0);
}

/* R's wilcox.test(x, y, paired = TRUE) example (Hollander & Wolfe):
 * V = 40, exact two-sided p = 0.0390625; the approximations against
 * scipy.stats.wilcoxon(d, zero_method="wilcox", correction=True,
 * method="approx") (= R's with correct = TRUE). */
static void test_signed_rank(void **state)
{
	static const double x[9] = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
	static const double y[9] = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
	static const double ties[10] = {1, -1, 2, 2, -3, 4, 5, -0.5, 0, 6};
	static const double zero[3] = {0, 0, 0};
	double d[65];
	hx_signed_rank r;
	size_t i;
	(void)state;
	for (i = 0; i < 9; i++)
		d[i] = x[i] - y[i];
	assert_int_equal(hx_stats_signed_rank(&r, d, 9), 0);
	assert_true(r.exact && r.n == 9 && r.zeros == 0);
	close_to(r.v, 40);
	rel_to(r.p, 0.0390625, 1e-12, "exact");
	for (i = 0; i < 9; i++)
		d[i] = -d[i];
	assert_int_equal(hx_stats_signed_rank(&r, d, 9), 0);
	close_to(r.v, 5);
	rel_to(r.p, 0.0390625, 1e-12, "exact, lower tail");
	/* ties and a zero: the normal approximation */
	assert_int_equal(hx_stats_signed_rank(&r, ties, 10), 0);
	assert_true(!r.exact && r.n == 9 && r.zeros == 1);
	close_to(r.v, 35.5);
	rel_to(r.p, 0.13794770351393676, 1e-9, "ties");
	/* 65 differences, 2 zeros, ties */
	{
		static const double head[16] = {1.5, -0.5, 2, 2, 0, 3, -1, 4, 0.5, -2, 2.5, 1, 1,
						3.5, 0, -0.25};
		memcpy(d, head, sizeof(head));
		for (i = 1; i < 50; i++)
			d[15 + i] = 0.1 * (double)i;
	}
	assert_int_equal(hx_stats_signed_rank(&r, d, 65), 0);
	assert_true(!r.exact && r.n == 63);
	close_to(r.v, 1963);
	rel_to(r.p, 6.354091613581246e-11, 1e-8, "large");
	assert_int_equal(hx_stats_signed_rank(&r, zero, 3), HX_EINVALID);
}

/* Order-statistic interval of a median: at n = 20, 95%, x(6) and x(15)
 * (P(Bin(20, 1/2) <= 5) = 0.0207 <= 0.025 < P(<= 6) = 0.0577). */
static void test_median_ci(void **state)
{
	double v[20], lo, hi;
	int i;
	(void)state;
	for (i = 0; i < 20; i++)
		v[i] = i + 1;
	assert_int_equal(hx_stats_median_ci(v, 20, 0.95, &lo, &hi), 0);
	close_to(lo, 6);
	close_to(hi, 15);
	/* n = 6: only x(1), x(6) (P(<= 0) = 1/64 <= 0.025) */
	assert_int_equal(hx_stats_median_ci(v, 6, 0.95, &lo, &hi), 0);
	close_to(lo, 1);
	close_to(hi, 6);
	assert_int_equal(hx_stats_median_ci(v, 5, 0.95, &lo, &hi), HX_EINVALID);
	/* large n (scipy.stats.binom.cdf): x(469), x(532) of 1000; x(867),
	 * x(952) of 1818 */
	{
		static double w[1818];
		for (i = 0; i < 1818; i++)
			w[i] = i + 1;
		assert_int_equal(hx_stats_median_ci(w, 1000, 0.95, &lo, &hi), 0);
		close_to(lo, 469);
		close_to(hi, 532);
		assert_int_equal(hx_stats_median_ci(w, 1818, 0.95, &lo, &hi), 0);
		close_to(lo, 867);
		close_to(hi, 952);
	}
}

static void test_format_p(void **state)
{
	char b[16];
	(void)state;
	assert_string_equal(hx_stats_format_p(b, 0.99999998), "1");
	assert_string_equal(hx_stats_format_p(b, 0.031), "0.031");
	assert_string_equal(hx_stats_format_p(b, 0.0028123), "0.0028");
	assert_string_equal(hx_stats_format_p(b, 1.5e-5), "1.5e-05");
	assert_string_equal(hx_stats_format_p(b, 9.3e-10), "<1e-6");
	assert_string_equal(hx_stats_format_p(b, NAN), "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_z),
		cmocka_unit_test(test_wilson_vectors),
		cmocka_unit_test(test_wilson_edges),
		cmocka_unit_test(test_two_prop_z),
		cmocka_unit_test(test_trend),
		cmocka_unit_test(test_newcombe),
		cmocka_unit_test(test_newcombe_paired),
		cmocka_unit_test(test_mcnemar_exact),
		cmocka_unit_test(test_signed_rank),
		cmocka_unit_test(test_median_ci),
		cmocka_unit_test(test_format_p),
		cmocka_unit_test(test_binom_upper),
		cmocka_unit_test(test_holm),
		cmocka_unit_test(test_kolmogorov),
		cmocka_unit_test(test_ks_1),
		cmocka_unit_test(test_ks_1_pruned),
		cmocka_unit_test(test_ks_2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
