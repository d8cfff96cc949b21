/* test_fit.c - duration fits against shared/reference/stats-vectors.md (R
 * fitdistrplus / survival, scipy), censoring at a timeout, and recovery of
 * known parameters from simulated samples. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "error.h"
#include "fit.h"

static const double X[] = {1.2, 2.3, 2.9, 3.4, 4.1, 4.8, 5.5, 6.7, 7.9, 9.6, 12.4, 17.3};

static void rel_to(double got, double want, double rel, const char *what)
{
	if (!(fabs(got - want) <= rel * fabs(want)))
		fail_msg("%s: got %.12g, want %.12g (rel err %.3g)", what, got, want,
			 fabs(got - want) / fabs(want));
}

static void abs_to(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.12g, want %.12g (err %.3g)", what, got, want,
			 fabs(got - want));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(hx_fit_family_name(HX_FIT_EXPONENTIAL), "exponential");
	assert_string_equal(hx_fit_family_name(HX_FIT_GAMMA), "gamma");
	assert_string_equal(hx_fit_family_name(HX_FIT_LOGNORMAL), "lognormal");
	assert_string_equal(hx_fit_family_name(HX_FIT_WEIBULL), "weibull");
	assert_null(hx_fit_family_name(HX_FIT_NFAMILIES));
	assert_string_equal(hx_fit_param_name(HX_FIT_EXPONENTIAL, 0), "mean");
	assert_null(hx_fit_param_name(HX_FIT_EXPONENTIAL, 1));
	assert_string_equal(hx_fit_param_name(HX_FIT_GAMMA, 0), "shape");
	assert_string_equal(hx_fit_param_name(HX_FIT_GAMMA, 1), "scale");
	assert_string_equal(hx_fit_param_name(HX_FIT_LOGNORMAL, 0), "mu");
	assert_string_equal(hx_fit_param_name(HX_FIT_LOGNORMAL, 1), "sigma");
	assert_string_equal(hx_fit_param_name(HX_FIT_WEIBULL, 0), "shape");
	assert_string_equal(hx_fit_param_name(HX_FIT_WEIBULL, 1), "scale");
}

/* the uncensored table of the vectors */
static void test_uncensored_vectors(void **state)
{
	static const struct {
		double p0, p1, ll, aic, ksd, ksp;
	} v[HX_FIT_NFAMILIES] = {
		{6.508333333, NAN, -34.477000885, 70.954001769, 0.2143655921, 0.5681446030},
		{2.22866647129, 2.92028144058, -32.692279065, 69.384558131, 0.0898947402,
		 0.9997569440},
		{1.63226701589, 0.719670236269, -32.666920464, 69.333840929, 0.0628179207, 1.0},
		{1.5425325722, 7.27611198363, -32.907856340, 69.815712680, 0.1056819491,
		 0.9970579843},
	};
	hx_fit_result r[HX_FIT_NFAMILIES];
	hx_fit_family best;
	int f;
	(void)state;
	assert_int_equal(hx_fit_all(r, X, 12, 0, 0.0, &best), 0);
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		const char *name = hx_fit_family_name((hx_fit_family)f);
		assert_true(r[f].ok);
		assert_int_equal(r[f].family, f);
		assert_string_equal(r[f].msg, "");
		assert_int_equal(r[f].n, 12);
		assert_int_equal(r[f].n_censored, 0);
		assert_int_equal(r[f].k, f == HX_FIT_EXPONENTIAL ? 1 : 2);
		rel_to(r[f].p[0], v[f].p0, 1e-6, name);
		if (f != HX_FIT_EXPONENTIAL)
			rel_to(r[f].p[1], v[f].p1, 1e-6, name);
		else
			assert_true(isnan(r[f].p[1]));
		rel_to(r[f].loglik, v[f].ll, 1e-6, name);
		rel_to(r[f].aic, v[f].aic, 1e-6, name);
		rel_to(r[f].ks_d, v[f].ksd, 1e-6, name);
		if (f == HX_FIT_LOGNORMAL) /* "~1" in the vectors */
			assert_true(r[f].ks_p > 0.99999 && r[f].ks_p <= 1.0);
		else
			rel_to(r[f].ks_p, v[f].ksp, 1e-6, name);
	}
	rel_to(r[HX_FIT_EXPONENTIAL].bic, 71.438908419, 1e-6, "exponential bic");
	/* closed form: loglik = -n (1 + ln xbar) */
	rel_to(r[HX_FIT_EXPONENTIAL].loglik, -12.0 * (1.0 + log(78.1 / 12.0)), 1e-12,
	       "exponential loglik closed form");
	abs_to(r[HX_FIT_GAMMA].se[0], 0.85057, 5e-6, "gamma se(shape)");
	rel_to(r[HX_FIT_EXPONENTIAL].se[0], 6.508333333 / sqrt(12.0), 1e-6, "exp se");
	rel_to(r[HX_FIT_LOGNORMAL].se[0], 0.719670236269 / sqrt(12.0), 1e-6, "ln se(mu)");
	rel_to(r[HX_FIT_LOGNORMAL].se[1], 0.719670236269 / sqrt(24.0), 1e-6, "ln se(sigma)");
	assert_true(r[HX_FIT_WEIBULL].se[0] > 0.0 && r[HX_FIT_WEIBULL].se[1] > 0.0);
	assert_int_equal(best, HX_FIT_LOGNORMAL);
	/* hx_fit gives the same as hx_fit_all, whatever the input order */
	{
		double rev[12];
		hx_fit_result one;
		for (f = 0; f < 12; f++)
			rev[f] = X[11 - f];
		assert_int_equal(hx_fit(&one, HX_FIT_WEIBULL, rev, 12, 0, 0.0), 0);
		rel_to(one.p[0], r[HX_FIT_WEIBULL].p[0], 1e-12, "weibull via hx_fit");
		rel_to(one.ks_d, r[HX_FIT_WEIBULL].ks_d, 1e-12, "weibull ks via hx_fit");
		rel_to(hx_fit_cdf(&one, 7.27611198363), 1.0 - exp(-1.0), 1e-6, "weibull cdf");
	}
}

/* the censored table: X below T = 10 completed, 12.4 and 17.3 timed out */
static void test_censored_vectors(void **state)
{
	static const struct {
		double p0, p1, ll, aic, tol;
	} v[HX_FIT_NFAMILIES] = {
		{6.84, NAN, -29.227877316, 60.4557546, 1e-6},
		{2.405383, 2.605854, -27.4944921, 58.988984, 1e-5},
		{1.635127308, 0.73361945, -27.40166039, 58.803321, 1e-6},
		{1.682686323, 6.930183828, -27.66399836, 59.327997, 1e-6},
	};
	hx_fit_result r[HX_FIT_NFAMILIES];
	hx_fit_family best;
	int f;
	(void)state;
	assert_int_equal(hx_fit_all(r, X, 10, 2, 10.0, &best), 0);
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		const char *name = hx_fit_family_name((hx_fit_family)f);
		assert_true(r[f].ok);
		assert_int_equal(r[f].n, 10);
		assert_int_equal(r[f].n_censored, 2);
		rel_to(r[f].p[0], v[f].p0, v[f].tol, name);
		if (f != HX_FIT_EXPONENTIAL)
			rel_to(r[f].p[1], v[f].p1, v[f].tol, name);
		rel_to(r[f].loglik, v[f].ll, v[f].tol, name);
		rel_to(r[f].aic, v[f].aic, v[f].tol, name);
		rel_to(r[f].bic, r[f].k * log(12.0) - 2.0 * r[f].loglik, 1e-12,
		       "bic uses n + n_censored");
		assert_true(r[f].se[0] > 0.0);
	}
	/* rate = d / sum min(t, T) = 10 / 68.4, SE(mean) = mean / sqrt(d) */
	rel_to(1.0 / r[HX_FIT_EXPONENTIAL].p[0], 0.146198830, 1e-8, "censored rate");
	rel_to(r[HX_FIT_EXPONENTIAL].se[0], 6.84 / sqrt(10.0), 1e-12, "censored exp se");
	/* truncated KS of the completed runs against F(t)/F(T) */
	abs_to(r[HX_FIT_WEIBULL].ks_d, 0.11627, 5e-6, "censored weibull ks D");
	abs_to(r[HX_FIT_WEIBULL].ks_p, 0.9965, 5e-5, "censored weibull ks p");
	assert_int_equal(best, HX_FIT_LOGNORMAL);
	/* the order of durations does not matter; one family alone agrees */
	{
		double mixed[10] = {9.6, 1.2, 7.9, 2.3, 6.7, 2.9, 5.5, 3.4, 4.8, 4.1};
		hx_fit_result g;
		assert_int_equal(hx_fit(&g, HX_FIT_GAMMA, mixed, 10, 2, 10.0), 0);
		rel_to(g.p[0], r[HX_FIT_GAMMA].p[0], 1e-8, "gamma via hx_fit");
		rel_to(g.loglik, r[HX_FIT_GAMMA].loglik, 1e-12, "gamma ll via hx_fit");
	}
}

/* The density is the CDF's derivative, for every family (central
 * differences at a few points), and 0 at and below 0. */
static void test_pdf(void **state)
{
	static const double xs[] = {0.3, 1.0, 2.5, 7.0};
	hx_fit_result r;
	int f;
	size_t i;
	(void)state;
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		memset(&r, 0, sizeof(r));
		r.family = (hx_fit_family)f;
		r.ok = 1;
		r.p[0] = f == HX_FIT_LOGNORMAL ? 0.4 : 1.7;
		r.p[1] = f == HX_FIT_LOGNORMAL ? 0.8 : 2.2;
		for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
			double h = 1e-5, d = (hx_fit_cdf(&r, xs[i] + h) - hx_fit_cdf(&r, xs[i] - h)) / (2 * h);
			assert_true(fabs(hx_fit_pdf(&r, xs[i]) - d) < 1e-6 * fmax(1, d));
		}
		assert_true(hx_fit_pdf(&r, 0) == 0 && hx_fit_pdf(&r, -1) == 0);
		r.ok = 0;
		assert_true(isnan(hx_fit_pdf(&r, 1)));
	}
}

static void test_errors(void **state)
{
	hx_fit_result r[HX_FIT_NFAMILIES], one;
	static const double same[] = {3.0, 3.0, 3.0}, bad[] = {1.0, -2.0};
	hx_fit_family best = HX_FIT_WEIBULL;
	int f;
	(void)state;
	/* every run timed out: no MLE */
	assert_int_equal(hx_fit_all(r, NULL, 0, 5, 10.0, &best), HX_EINVALID);
	assert_string_equal(hx_error_last(), "no fit exists: every run timed out");
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		assert_false(r[f].ok);
		assert_string_equal(r[f].msg, "no fit exists: every run timed out");
	}
	assert_int_equal(best, HX_FIT_WEIBULL); /* untouched */
	assert_int_equal(hx_fit(&one, HX_FIT_GAMMA, NULL, 0, 5, 10.0), HX_EINVALID);
	assert_false(one.ok);
	assert_string_equal(one.msg, "no fit exists: every run timed out");
	assert_int_equal(hx_fit(&one, HX_FIT_GAMMA, NULL, 0, 0, 0.0), HX_EINVALID);
	assert_int_equal(hx_fit(&one, HX_FIT_GAMMA, bad, 2, 0, 0.0), HX_EINVALID);
	assert_int_equal(hx_fit(&one, HX_FIT_GAMMA, X, 12, 2, 10.0), HX_EINVALID); /* 17.3 > T */
	assert_int_equal(hx_fit(&one, HX_FIT_GAMMA, X, 10, 2, 0.0), HX_EINVALID);  /* no T */
	assert_int_equal(hx_fit(&one, HX_FIT_NFAMILIES, X, 10, 2, 10.0), HX_EINVALID);
	/* identical durations: only the exponential has an MLE */
	assert_int_equal(hx_fit_all(r, same, 3, 0, 0.0, &best), 0);
	assert_int_equal(best, HX_FIT_EXPONENTIAL);
	assert_true(r[HX_FIT_EXPONENTIAL].ok);
	rel_to(r[HX_FIT_EXPONENTIAL].p[0], 3.0, 1e-15, "mean");
	for (f = HX_FIT_GAMMA; f < HX_FIT_NFAMILIES; f++) {
		assert_false(r[f].ok);
		assert_non_null(strstr(r[f].msg, "fewer than 2 distinct"));
	}
	/* a single completed run with censoring: exponential only */
	assert_int_equal(hx_fit_all(r, X, 1, 3, 10.0, &best), 0);
	rel_to(r[HX_FIT_EXPONENTIAL].p[0], 1.2 + 30.0, 1e-15, "censored mean");
}

/* splitmix64: a seeded stream without GSL (GSL stays inside stats/fit) */
static uint64_t sm_state;
static double unif(void)
{
	uint64_t z = (sm_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
}

/* n Weibull(shape k, scale lam) draws by inversion; those above T (T > 0)
 * are censored: the completed ones are packed first, *nc counts the rest. */
static size_t weibull_draws(double *x, size_t n, double k, double lam, double T, size_t *nc)
{
	size_t i, d = 0;
	*nc = 0;
	for (i = 0; i < n; i++) {
		double t = lam * pow(-log(unif()), 1.0 / k);
		if (T > 0.0 && t > T)
			(*nc)++;
		else
			x[d++] = t;
	}
	return d;
}

static void within_se(const hx_fit_result *r, int i, double truth, double nse)
{
	if (!(fabs(r->p[i] - truth) <= nse * r->se[i]))
		fail_msg("%s %s: %.6g vs true %.6g, se %.3g", hx_fit_family_name(r->family),
			 hx_fit_param_name(r->family, i), r->p[i], truth, r->se[i]);
}

static void test_simulated_weibull(void **state)
{
	enum { N = 10000 };
	double *x = malloc(N * sizeof(*x));
	hx_fit_result r;
	size_t d, nc;
	(void)state;
	assert_non_null(x);
	sm_state = 20261122;
	d = weibull_draws(x, N, 1.7, 5.0, 0.0, &nc);
	assert_int_equal(hx_fit(&r, HX_FIT_WEIBULL, x, d, 0, 0.0), 0);
	within_se(&r, 0, 1.7, 4.0);
	within_se(&r, 1, 5.0, 4.0);
	/* the asymptotic SE of the shape is k sqrt(6)/pi / sqrt(n) */
	rel_to(r.se[0], 1.7 * sqrt(6.0) / 3.141592653589793 / sqrt((double)N), 0.05,
	       "weibull se(shape)");
	assert_true(r.ks_p > 0.001);
	/* censored at T = 6 (about 30 % time out) */
	sm_state = 7;
	d = weibull_draws(x, N, 1.7, 5.0, 6.0, &nc);
	assert_true(nc > 2000 && nc < 4000);
	assert_int_equal(hx_fit(&r, HX_FIT_WEIBULL, x, d, nc, 6.0), 0);
	within_se(&r, 0, 1.7, 4.0);
	within_se(&r, 1, 5.0, 4.0);
	assert_true(r.ks_p > 0.001);
	/* a censored lognormal sample: mu 1, sigma 0.5 by Box-Muller */
	{
		size_t i;
		d = nc = 0;
		for (i = 0; i < N; i++) {
			double z = sqrt(-2.0 * log(unif())) * cos(2.0 * 3.141592653589793 * unif());
			double t = exp(1.0 + 0.5 * z);
			if (t > 4.0)
				nc++;
			else
				x[d++] = t;
		}
		assert_int_equal(hx_fit(&r, HX_FIT_LOGNORMAL, x, d, nc, 4.0), 0);
		within_se(&r, 0, 1.0, 4.0);
		within_se(&r, 1, 0.5, 4.0);
		/* exponential draws (gamma shape 1) censored at 2 */
		d = nc = 0;
		for (i = 0; i < N; i++) {
			double t = -1.5 * log(unif());
			if (t > 2.0)
				nc++;
			else
				x[d++] = t;
		}
		assert_int_equal(hx_fit(&r, HX_FIT_GAMMA, x, d, nc, 2.0), 0);
		within_se(&r, 0, 1.0, 4.0);
		within_se(&r, 1, 1.5, 4.0);
	}
	free(x);
}

/* 10^6 censored durations through all four families: it must finish and
 * still recover the truth (no timing assertion) */
static void test_million(void **state)
{
	enum { N = 1000000 };
	double *x = malloc(N * sizeof(*x));
	hx_fit_result r[HX_FIT_NFAMILIES];
	hx_fit_family best;
	size_t d, nc;
	int f;
	(void)state;
	assert_non_null(x);
	sm_state = 42;
	d = weibull_draws(x, N, 1.3, 2.0, 4.0, &nc);
	assert_int_equal(hx_fit_all(r, x, d, nc, 4.0, &best), 0);
	for (f = 0; f < HX_FIT_NFAMILIES; f++)
		assert_true(r[f].ok);
	assert_int_equal(best, HX_FIT_WEIBULL);
	within_se(&r[HX_FIT_WEIBULL], 0, 1.3, 4.0);
	within_se(&r[HX_FIT_WEIBULL], 1, 2.0, 4.0);
	free(x);
}

/* A sample from no family: half lognormal(ln 1000, 0.3), half
 * lognormal(ln 30000, 0.3), 4000 values by quantiles. Every family has KS p
 * far below 0.01: fitted, but none is called best. */
static void test_no_family_fits(void **state)
{
	enum { N = 4000 };
	static double x[N];
	hx_fit_result r[HX_FIT_NFAMILIES];
	const hx_fit_options opt = {0, HX_FIT_MIN_KS_P};
	hx_fit_family best;
	size_t i;
	int f, adequate = 1;
	(void)state;
	for (i = 0; i < N; i++) {
		double u = ((double)(i / 2) + 0.5) / (N / 2);
		double z = gsl_cdf_ugaussian_Pinv(u);
		x[i] = exp((i % 2 ? log(30000.0) : log(1000.0)) + 0.3 * z);
	}
	assert_int_equal(hx_fit_all_opt(r, x, N, 0, 0.0, &opt, &best, &adequate), 0);
	assert_false(adequate);
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		assert_true(r[f].ok);
		assert_true(r[f].ks_p < 1e-6);
	}
	assert_non_null(strstr(hx_error_last(), "no family fits: KS p < 0.01 for every family ("));
	/* a sample from one family is fitted and called best */
	for (i = 0; i < N; i++)
		x[i] = exp(log(1000.0) + 0.3 * gsl_cdf_ugaussian_Pinv(((double)i + 0.5) / N));
	assert_int_equal(hx_fit_all_opt(r, x, N, 0, 0.0, &opt, &best, &adequate), 0);
	assert_true(adequate);
	assert_int_equal(best, HX_FIT_LOGNORMAL);
}

/* The stall model on one sample: lognormal(ln 2000, 0.8) durations by
 * quantiles, 30% of them past T = 3000 ms, and 500 stalls on top of 4000
 * runs. The truncated fit recovers mu and sigma, and pi = 500 / 4500 (the
 * stalls among all 4500 calls); the censored fit alone takes every
 * timeout for a long run and stretches the law. */
static void test_stall_model(void **state)
{
	enum { N = 4000, STALLS = 500 };
	static double x[N];
	hx_fit_result r[HX_FIT_NFAMILIES], plain[HX_FIT_NFAMILIES];
	const hx_fit_options opt = {1, HX_FIT_MIN_KS_P};
	hx_fit_family best;
	size_t i, d = 0, c = STALLS;
	const double T = 3000.0;
	int adequate;
	(void)state;
	for (i = 0; i < N; i++) {
		double t = exp(log(2000.0) + 0.8 * gsl_cdf_ugaussian_Pinv(((double)i + 0.5) / N));
		if (t < T)
			x[d++] = t;
		else
			c++;
	}
	assert_int_equal(hx_fit_all_opt(r, x, d, c, T, &opt, &best, &adequate), 0);
	assert_true(adequate);
	assert_int_equal(best, HX_FIT_LOGNORMAL);
	assert_true(r[HX_FIT_LOGNORMAL].stall_model);
	if (fabs(r[HX_FIT_LOGNORMAL].p[0] - log(2000.0)) > 0.01 ||
	    fabs(r[HX_FIT_LOGNORMAL].p[1] - 0.8) > 0.01 ||
	    fabs(r[HX_FIT_LOGNORMAL].stall - (double)STALLS / (N + STALLS)) > 0.005)
		fail_msg("mu %.4f sigma %.4f stall %.4f", r[HX_FIT_LOGNORMAL].p[0],
			 r[HX_FIT_LOGNORMAL].p[1], r[HX_FIT_LOGNORMAL].stall);
	assert_true(r[HX_FIT_LOGNORMAL].stall_se > 0.005 && r[HX_FIT_LOGNORMAL].stall_se < 0.05);
	/* without the model the timeouts stretch the law */
	assert_int_equal(hx_fit_all(plain, x, d, c, T, &best), 0);
	assert_false(plain[HX_FIT_LOGNORMAL].stall_model);
	if (!(plain[HX_FIT_LOGNORMAL].p[0] > log(2000.0) + 0.05))
		fail_msg("plain mu %.4f sigma %.4f", plain[HX_FIT_LOGNORMAL].p[0], plain[HX_FIT_LOGNORMAL].p[1]);
	/* no timeouts at all: pi = 0 and the plain fit */
	assert_int_equal(hx_fit_all_opt(r, x, d, 0, 0.0, &opt, &best, &adequate), 0);
	assert_true(r[HX_FIT_LOGNORMAL].stall_model && r[HX_FIT_LOGNORMAL].stall == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_family_fits),
		cmocka_unit_test(test_stall_model),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_uncensored_vectors),
		cmocka_unit_test(test_censored_vectors),
		cmocka_unit_test(test_pdf),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_simulated_weibull),
		cmocka_unit_test(test_million),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
