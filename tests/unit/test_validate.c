/* test_validate.c - validation checks on hand-built calibrations. Expected
 * figures are computed independently (python3: scipy.stats.norm/binom and
 * the Wilson and Newcombe formulas written out), or come from
 * shared/reference/stats-vectors.md. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib.h"
#include "error.h"
#include "fit.h"
#include "json.h"
#include "validate.h"

static void rel_to(double got, double want, double rel, const char *what)
{
	if (!(fabs(got - want) <= rel * fabs(want) + 1e-15))
		fail_msg("%s: got %.15g, want %.15g", what, got, want);
}

/* Append a tier with timeout k of n and no ground truth. */
static hx_tier_data *add_tier(hx_calib_data *d, hx_tier t, unsigned long k, unsigned long n)
{
	hx_tier_data *td = &d->tiers[d->ntiers++];
	memset(td, 0, sizeof(*td));
	td->tier = t;
	td->n = n;
	td->timeout_ms = 1000.0 * (1 + (int)t);
	hx_rate_set(&td->timeout, k, n);
	hx_rate_set(&td->spurious_fail, 0, 0);
	hx_rate_set(&td->spurious_pass, 0, 0);
	return td;
}

static void three_tiers(hx_calib_data *d, unsigned long kf, unsigned long kb, unsigned long ks,
			unsigned long n)
{
	memset(d, 0, sizeof(*d));
	add_tier(d, HX_TIER_FAST, kf, n);
	add_tier(d, HX_TIER_BALANCED, kb, n);
	add_tier(d, HX_TIER_SLOW, ks, n);
}

static const hx_check *get(const hx_validation *v, const char *name)
{
	size_t i;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->checks[i].name, name) == 0)
			return &v->checks[i];
	fail_msg("no check '%s'", name);
	return NULL;
}

static void assert_check(const hx_validation *v, const char *name, hx_check_status s,
			 const char *reason_part)
{
	const hx_check *c = get(v, name);
	if (c->status != s || !strstr(c->reason, reason_part))
		fail_msg("%s: got %s '%s', want %s with '%s'", name,
			 hx_check_status_name(c->status), c->reason, hx_check_status_name(s),
			 reason_part);
}

static const hx_validate_options ordering_only = {0, 1, 0, 0, 0.0, NULL, 0};

static void test_monotonicity(void **state)
{
	hx_calib_data d;
	hx_validation v;
	const hx_check *c;
	(void)state;
	/* 0.10 > 0.05 > 0.01 at n = 8000: both decreases significant */
	three_tiers(&d, 800, 400, 80, 8000);
	assert_int_equal(hx_validate(&v, &d, NULL, &ordering_only), 0);
	c = get(&v, "monotonicity.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_PASS);
	assert_string_equal(c->reason,
			    "fast 0.1000 > balanced 0.0500: z=12.01, decrease p<1e-6 (significant); "
			    "balanced 0.0500 > slow 0.0100: z=14.83, decrease p<1e-6 (significant); "
			    "check: increase p=1");
	/* the least decreasing pair decides: z(fast, balanced) */
	rel_to(c->statistic, 12.006004503753283, 1e-10, "z");
	rel_to(c->p_value, 1.0, 1e-12, "reverse p");
	assert_check(&v, "monotonicity.spurious_fail_rate", HX_CHECK_SKIP, "no ground truth");
	assert_check(&v, "trend.spurious_pass_rate", HX_CHECK_SKIP, "no ground truth");
	assert_int_equal(v.n, 6);
	assert_int_equal(v.npass, 2);
	assert_int_equal(v.nskip, 4);
	assert_true(v.passed);
	hx_validation_release(&v);

	/* reversed: slower tiers time out significantly more */
	three_tiers(&d, 80, 400, 800, 8000);
	assert_int_equal(hx_validate(&v, &d, NULL, &ordering_only), 0);
	c = get(&v, "monotonicity.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_FAIL);
	assert_non_null(strstr(c->reason, "fast 0.0100 < balanced 0.0500: z=-14.83, increase p<1e-6 "
					  "(significant)"));
	rel_to(c->statistic, -14.830079955201295, 1e-10, "z");
	assert_true(c->p_value < 1e-40);
	assert_check(&v, "trend.timeout_rate", HX_CHECK_FAIL, "increasing (significant)");
	assert_int_equal(v.nfail, 2);
	assert_false(v.passed);
	hx_validation_release(&v);

	/* equal rates at n = 100: nothing significant, nothing reversed */
	three_tiers(&d, 5, 5, 5, 100);
	assert_int_equal(hx_validate(&v, &d, NULL, &ordering_only), 0);
	c = get(&v, "monotonicity.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_PASS);
	assert_string_equal(c->reason,
			    "fast 0.0500 = balanced 0.0500: z=0.00, decrease p=0.5 (not significant); "
			    "balanced 0.0500 = slow 0.0500: z=0.00, decrease p=0.5 (not significant); "
			    "check: increase p=0.5");
	rel_to(c->p_value, 0.5, 1e-12, "p");
	assert_check(&v, "trend.timeout_rate", HX_CHECK_PASS, "chi2=0.00, p=1, flat");
	hx_validation_release(&v);

	/* no events anywhere: the tests are undefined, so SKIP */
	three_tiers(&d, 0, 0, 0, 100);
	assert_int_equal(hx_validate(&v, &d, NULL, &ordering_only), 0);
	assert_check(&v, "monotonicity.timeout_rate", HX_CHECK_SKIP,
		     "fast 0.0000 = balanced 0.0000: no events in either tier");
	assert_check(&v, "trend.timeout_rate", HX_CHECK_SKIP, "no events in any tier");
	assert_true(v.passed);
	hx_validation_release(&v);
}

static void test_trend(void **state)
{
	hx_calib_data d;
	hx_validation v;
	const hx_check *c;
	(void)state;
	/* stats-vectors.md: (5, 10, 20) of 100: X^2 = 10.91644205, p =
	 * 0.00095314492; increasing, so FAIL */
	three_tiers(&d, 5, 10, 20, 100);
	assert_int_equal(hx_validate(&v, &d, NULL, &ordering_only), 0);
	c = get(&v, "trend.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_FAIL);
	rel_to(c->statistic, 10.91644205, 1e-8, "chi2");
	rel_to(c->p_value, 0.00095314492, 1e-7, "p");
	assert_string_equal(c->reason, "fast 0.0500, balanced 0.1000, slow 0.2000: chi2=10.92, "
				       "p=0.00095, increasing (significant)");
	/* 0.05 vs 0.10: z = -1.3423, reverse p = 0.0897; 0.10 vs 0.20: z =
	 * -1.9803, reverse p = 0.0238 < 0.05 (scipy.stats.norm.cdf(z)) */
	c = get(&v, "monotonicity.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_FAIL);
	assert_string_equal(c->reason,
			    "fast 0.0500 < balanced 0.1000: z=-1.34, increase p=0.09 (not significant); "
			    "balanced 0.1000 < slow 0.2000: z=-1.98, increase p=0.024 (significant); "
			    "check: increase p=0.024");
	rel_to(c->statistic, -1.9802950859533488, 1e-10, "z");
	rel_to(c->p_value, 0.023835190328080704, 1e-8, "reverse p");
	hx_validation_release(&v);

	/* the same counts decreasing: same statistic, PASS */
	three_tiers(&d, 20, 10, 5, 100);
	assert_int_equal(hx_validate(&v, &d, NULL, &ordering_only), 0);
	c = get(&v, "trend.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_PASS);
	rel_to(c->statistic, 10.91644205, 1e-8, "chi2");
	assert_non_null(strstr(c->reason, "decreasing (significant)"));
	assert_true(v.passed);
	hx_validation_release(&v);

	/* FAST and SLOW only (scores 0 and 2): two groups, X^2 = z^2 of
	 * prop.test(c(18, 30), c(100, 100)), p = 2 * 0.02347236349 */
	memset(&d, 0, sizeof(d));
	add_tier(&d, HX_TIER_FAST, 18, 100);
	add_tier(&d, HX_TIER_SLOW, 30, 100);
	assert_int_equal(hx_validate(&v, &d, NULL, &ordering_only), 0);
	c = get(&v, "trend.timeout_rate");
	rel_to(c->statistic, 1.9867985356 * 1.9867985356, 1e-9, "chi2");
	rel_to(c->p_value, 2.0 * 0.02347236349, 1e-8, "p");
	assert_int_equal(c->status, HX_CHECK_FAIL);
	hx_validation_release(&v);
}

static const hx_validate_options holdout_only = {0, 0, 1, 0, 0.0, NULL, 0};

static void test_holdout(void **state)
{
	hx_calib_data train, hold;
	hx_validation v;
	hx_validate_options opt = holdout_only;
	const hx_check *c;
	(void)state;
	memset(&train, 0, sizeof(train));
	memset(&hold, 0, sizeof(hold));
	add_tier(&train, HX_TIER_FAST, 800, 8000);
	add_tier(&hold, HX_TIER_FAST, 200, 2000);
	assert_int_equal(hx_validate(&v, &train, &hold, &opt), 0);
	c = get(&v, "holdout.fast.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_PASS);
	/* Newcombe hybrid score interval of 200/2000 - 800/8000 */
	rel_to(c->lo, -0.014118260528195196, 1e-9, "lo");
	rel_to(c->hi, 0.015317768818342148, 1e-9, "hi");
	rel_to(c->observed, 0.1, 1e-12, "observed");
	rel_to(c->expected, 0.1, 1e-12, "expected");
	assert_string_equal(c->reason, "held-out 0.1000 (200/2000) vs training 0.1000 "
				       "(800/8000): error 0.0000, difference 95% ci [-0.0141, "
				       "0.0153] contains 0");
	assert_check(&v, "holdout.fast.spurious_fail_rate", HX_CHECK_SKIP, "no ground truth");
	assert_check(&v, "coverage", HX_CHECK_PASS, "1 of 1 held-out rates");
	assert_true(v.coverage == 1.0);
	hx_validation_release(&v);

	/* 0.15 held out against 0.10 trained: 0 outside [0.0336, 0.0675] */
	hx_rate_set(&hold.tiers[0].timeout, 300, 2000);
	assert_int_equal(hx_validate(&v, &train, &hold, &opt), 0);
	c = get(&v, "holdout.fast.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_FAIL);
	rel_to(c->lo, 0.03356471039224315, 1e-9, "lo");
	rel_to(c->hi, 0.06752335193322088, 1e-9, "hi");
	assert_non_null(strstr(c->reason, "error 0.0500"));
	assert_non_null(strstr(c->reason, "excludes 0"));
	assert_true(v.coverage == 0.0);
	hx_validation_release(&v);

	/* 0.105 vs 0.100: inside the interval; a 0.001 bound fails it */
	hx_rate_set(&hold.tiers[0].timeout, 210, 2000);
	assert_int_equal(hx_validate(&v, &train, &hold, &opt), 0);
	assert_check(&v, "holdout.fast.timeout_rate", HX_CHECK_PASS, "contains 0");
	hx_validation_release(&v);
	opt.max_calibration_error = 0.001;
	assert_int_equal(hx_validate(&v, &train, &hold, &opt), 0);
	assert_check(&v, "holdout.fast.timeout_rate", HX_CHECK_FAIL,
		     "contains 0, error exceeds max 0.0010");
	/* an error bound is no interval miss: coverage is still met */
	assert_true(v.coverage == 1.0);
	hx_validation_release(&v);
	opt.max_calibration_error = 0.01;
	assert_int_equal(hx_validate(&v, &train, &hold, &opt), 0);
	assert_check(&v, "holdout.fast.timeout_rate", HX_CHECK_PASS, "error within max 0.0100");
	hx_validation_release(&v);

	/* nothing held out */
	assert_int_equal(hx_validate(&v, &train, NULL, &holdout_only), 0);
	assert_check(&v, "holdout.fast.timeout_rate", HX_CHECK_SKIP, "no held-out records");
	assert_check(&v, "coverage", HX_CHECK_SKIP, "no holdout checks ran");
	assert_true(isnan(v.coverage));
	assert_true(v.passed);
	hx_validation_release(&v);
}

/* Three tiers, every rate with ground truth: training 0.10, 0.05, 0.05 at
 * 8000; held out the same at 2000, except the first `misses` of the nine
 * (tier-major), which are held out at twice their rate. */
static void coverage_case(hx_calib_data *train, hx_calib_data *hold, int misses)
{
	int t, r, i = 0;
	memset(train, 0, sizeof(*train));
	memset(hold, 0, sizeof(*hold));
	for (t = 0; t < HX_TIER_COUNT; t++) {
		hx_tier_data *a = add_tier(train, (hx_tier)t, 800, 8000);
		hx_tier_data *b = add_tier(hold, (hx_tier)t, 200, 2000);
		hx_rate *ra[3] = {&a->timeout, &a->spurious_fail, &a->spurious_pass};
		hx_rate *rb[3] = {&b->timeout, &b->spurious_fail, &b->spurious_pass};
		for (r = 0; r < 3; r++, i++) {
			unsigned long k = r ? 100 : 200;
			hx_rate_set(ra[r], 4 * k, 8000);
			hx_rate_set(rb[r], i < misses ? 2 * k : k, 2000);
		}
	}
}

static void test_coverage(void **state)
{
	/* p: scipy.stats.binom.sf(misses - 1, 9, 0.05) */
	static const struct {
		int misses;
		hx_check_status want;
		double p;
	} cases[] = {
		{0, HX_CHECK_PASS, 1.0},
		{1, HX_CHECK_PASS, 0.36975059027539064},
		{2, HX_CHECK_PASS, 0.07121139619531251},
		{3, HX_CHECK_FAIL, 0.008361039546875},
		{5, HX_CHECK_FAIL, 3.322220703125001e-05},
	};
	hx_calib_data train, hold;
	hx_validation v;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const hx_check *c;
		coverage_case(&train, &hold, cases[i].misses);
		assert_int_equal(hx_validate(&v, &train, &hold, &holdout_only), 0);
		assert_int_equal(v.n, 10);
		assert_int_equal(v.nfail, (size_t)cases[i].misses + (cases[i].want == HX_CHECK_FAIL));
		c = get(&v, "coverage");
		if (c->status != cases[i].want)
			fail_msg("%d misses: got %s (%s)", cases[i].misses,
				 hx_check_status_name(c->status), c->reason);
		rel_to(c->p_value, cases[i].p, 1e-10, "p");
		rel_to(v.coverage, (9.0 - cases[i].misses) / 9.0, 1e-15, "coverage");
		rel_to(c->observed, v.coverage, 1e-15, "observed");
		hx_validation_release(&v);
	}
	coverage_case(&train, &hold, 5);
	assert_int_equal(hx_validate(&v, &train, &hold, &holdout_only), 0);
	assert_string_equal(get(&v, "coverage")->reason,
			    "4 of 9 held-out rates inside their intervals (coverage 0.4444, "
			    "nominal 0.9500): 5 missed, p=3.3e-05 for as many at 95% coverage");
	assert_check(&v, "holdout.balanced.spurious_fail_rate", HX_CHECK_FAIL, "excludes 0");
	assert_check(&v, "holdout.balanced.spurious_pass_rate", HX_CHECK_PASS, "contains 0");
	hx_validation_release(&v);
}

/* One of nine held-out rates outside its 95% interval but inside the
 * family-wise 99.44% one (1 - 0.05/9) passes: a chance miss, which the
 * coverage check counts; further out, it fails. */
static void test_holdout_family_wise(void **state)
{
	hx_calib_data train, hold;
	hx_validation v;
	const hx_check *c;
	(void)state;
	coverage_case(&train, &hold, 0);
	hx_rate_set(&hold.tiers[0].timeout, 236, 2000); /* 0.118 vs 0.100 */
	assert_int_equal(hx_validate(&v, &train, &hold, &holdout_only), 0);
	c = get(&v, "holdout.fast.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_PASS);
	assert_true(c->lo > 0); /* outside the 95% interval */
	assert_non_null(strstr(c->reason, "excludes 0; the family-wise 99.44% ci over 9 checks"));
	assert_non_null(strstr(c->reason, "contains it"));
	rel_to(v.coverage, 8.0 / 9.0, 1e-15, "coverage");
	assert_int_equal(get(&v, "coverage")->status, HX_CHECK_PASS);
	assert_true(v.passed);
	hx_validation_release(&v);

	hx_rate_set(&hold.tiers[0].timeout, 260, 2000); /* 0.130 */
	assert_int_equal(hx_validate(&v, &train, &hold, &holdout_only), 0);
	c = get(&v, "holdout.fast.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_FAIL);
	assert_non_null(strstr(c->reason, "excludes it"));
	assert_false(v.passed);
	hx_validation_release(&v);
}

static const hx_validate_options cross_only = {0, 0, 0, 1, 0.0, NULL, 0};

/* Exp(mean) quantiles (i + 0.5) / n below limit into x; their count. */
static size_t exp_quantiles(double *x, size_t n, double mean, double limit)
{
	size_t i, m = 0;
	for (i = 0; i < n; i++) {
		double t = -mean * log(1.0 - ((double)i + 0.5) / (double)n);
		if (t <= limit)
			x[m++] = t;
	}
	return m;
}

static void test_cross_tier(void **state)
{
	enum { N = 2000, NF = 5000 };
	static double dur[N], fdur[NF];
	const double mean = 2000.0, slow_T = 6000.0, fast_T = 1000.0;
	const hx_fit_options opt = {1, HX_FIT_MIN_KS_P};
	hx_calib_data d;
	hx_tier_data *fast, *slow;
	hx_validation v;
	const hx_check *c;
	size_t nd;
	int adequate;
	(void)state;
	/* slow: Exp(mean 2000 ms) quantiles, right-censored at 6000 ms */
	nd = exp_quantiles(dur, N, mean, slow_T);
	memset(&d, 0, sizeof(d));
	fast = add_tier(&d, HX_TIER_FAST, 0, NF);
	slow = add_tier(&d, HX_TIER_SLOW, (unsigned long)(N - nd), N);
	fast->timeout_ms = fast_T;
	slow->timeout_ms = slow_T;
	slow->durations = dur;
	slow->ndurations = nd;
	slow->ncensored = N - nd;
	assert_int_equal(hx_fit_all_opt(slow->fits, dur, nd, N - nd, slow_T, &opt, &slow->best,
					&adequate),
			 0);
	assert_true(adequate);
	slow->has_fit = 1;
	/* fast: the same law below 1000 ms; 5000 S(1000) = 3032.65 timed out */
	fast->durations = fdur;
	fast->ndurations = exp_quantiles(fdur, NF, mean, fast_T);
	fast->ncensored = NF - fast->ndurations;
	hx_rate_set(&fast->timeout, 3033, NF);
	assert_int_equal(hx_validate(&v, &d, NULL, &cross_only), 0);
	assert_int_equal(v.n, 1);
	c = get(&v, "cross_tier.fast");
	assert_int_equal(c->status, HX_CHECK_PASS);
	if (fabs(c->expected - exp(-0.5)) > 0.005)
		fail_msg("predicted %.6f, want about %.6f", c->expected, exp(-0.5));
	rel_to(c->observed, 0.6066, 1e-12, "observed");
	assert_true(c->lo < c->expected && c->expected < c->hi);
	assert_true(c->statistic < 0.02 && c->p_value > 0.5);
	assert_non_null(strstr(c->reason, "durations below 1000 ms match slow's"));
	assert_non_null(strstr(c->reason, "by slow's "));
	assert_non_null(strstr(c->reason, ": stall fraction 0.00"));
	hx_validation_release(&v);

	/* stalls on top: 70% timed out, so (0.7 - 0.6065) / 0.3935 = 0.238 stall */
	hx_rate_set(&fast->timeout, 3500, NF);
	assert_int_equal(hx_validate(&v, &d, NULL, &cross_only), 0);
	c = get(&v, "cross_tier.fast");
	assert_int_equal(c->status, HX_CHECK_PASS);
	assert_non_null(strstr(c->reason, ": stall fraction 0.23"));
	hx_validation_release(&v);

	/* too few timeouts: 20% where the durations alone put 60.65% past 1000 */
	hx_rate_set(&fast->timeout, 1000, NF);
	assert_int_equal(hx_validate(&v, &d, NULL, &cross_only), 0);
	c = get(&v, "cross_tier.fast");
	assert_int_equal(c->status, HX_CHECK_FAIL);
	assert_true(c->hi < c->expected);
	assert_non_null(strstr(c->reason, "(too few timeouts)"));
	hx_validation_release(&v);

	/* another duration law in fast (mean 500 ms): the KS part fails */
	hx_rate_set(&fast->timeout, 3033, NF);
	fast->ndurations = exp_quantiles(fdur, NF, 500.0, fast_T);
	assert_int_equal(hx_validate(&v, &d, NULL, &cross_only), 0);
	c = get(&v, "cross_tier.fast");
	assert_int_equal(c->status, HX_CHECK_FAIL);
	assert_true(c->p_value < 1e-6);
	assert_non_null(strstr(c->reason, "differ from slow's"));
	hx_validation_release(&v);

	/* no fit */
	slow->has_fit = 0;
	snprintf(slow->no_fit, sizeof(slow->no_fit), "no family fits: test");
	assert_int_equal(hx_validate(&v, &d, NULL, &cross_only), 0);
	assert_check(&v, "cross_tier.fast", HX_CHECK_SKIP,
		     "slowest tier (slow) has no duration fit: no family fits: test");
	assert_true(v.passed);
	hx_validation_release(&v);
}

static void test_envelope(void **state)
{
	hx_calib_data d;
	hx_validation v;
	hx_envelope env[4] = {
		{HX_TIER_FAST, 0, 0.0, 0.1},    /* Wilson [0.0454, 0.0550] inside */
		{HX_TIER_FAST, 0, 0.052, 0.2},  /* overlaps */
		{HX_TIER_FAST, 0, 0.1, 0.2},    /* wholly outside */
		{HX_TIER_FAST, 1, 0.0, 0.1},    /* no ground truth */
	};
	hx_validate_options opt = {0, 0, 0, 0, 0.0, env, 4};
	const hx_check *c;
	(void)state;
	memset(&d, 0, sizeof(d));
	add_tier(&d, HX_TIER_FAST, 400, 8000);
	assert_int_equal(hx_validate(&v, &d, NULL, &opt), 0);
	assert_int_equal(v.n, 4);
	c = &v.checks[0];
	assert_string_equal(c->name, "envelope.fast.timeout_rate");
	assert_int_equal(c->status, HX_CHECK_PASS);
	assert_string_equal(c->reason, "0.0500, 95% ci [0.0454, 0.0550] lies inside [0.0000, 0.1000]");
	rel_to(c->lo, 0.04543640082282653, 1e-9, "lo");
	rel_to(c->hi, 0.054995555876517443, 1e-9, "hi");
	assert_int_equal(v.checks[1].status, HX_CHECK_PASS);
	assert_string_equal(v.checks[1].reason, "0.0500, 95% ci [0.0454, 0.0550] overlaps "
						"[0.0520, 0.2000] but extends beyond it");
	assert_int_equal(v.checks[2].status, HX_CHECK_FAIL);
	assert_non_null(strstr(v.checks[2].reason, "lies wholly outside [0.1000, 0.2000]"));
	assert_string_equal(v.checks[3].name, "envelope.fast.spurious_fail_rate");
	assert_int_equal(v.checks[3].status, HX_CHECK_SKIP);
	assert_false(v.passed);
	hx_validation_release(&v);

	/* bad options */
	env[0].min = 0.2;
	env[0].max = 0.1;
	assert_int_equal(hx_validate(&v, &d, NULL, &opt), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "envelope 'fast.timeout_rate'"));
	assert_null(v.checks);
	env[0].min = 0.5;
	env[0].max = 1.5;
	assert_int_equal(hx_validate(&v, &d, NULL, &opt), HX_EINVALID);
	env[0].max = 0.6;
	env[0].rate = 3;
	assert_int_equal(hx_validate(&v, &d, NULL, &opt), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "or rate 3"));
	env[0].rate = 0;
	opt.alpha = 1.5;
	assert_int_equal(hx_validate(&v, &d, NULL, &opt), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "alpha"));
	opt.alpha = 0.05;
	assert_int_equal(hx_validate(&v, &d, NULL, &opt), 0);
	hx_validation_release(&v);
}

static void test_one_tier(void **state)
{
	hx_calib_data d;
	hx_validation v;
	int r;
	(void)state;
	memset(&d, 0, sizeof(d));
	add_tier(&d, HX_TIER_BALANCED, 50, 1000);
	assert_int_equal(hx_validate(&v, &d, NULL, NULL), 0); /* NULL: every check */
	for (r = 0; r < 3; r++) {
		char name[64];
		snprintf(name, sizeof(name), "monotonicity.%s", hx_rate_name(r));
		assert_check(&v, name, HX_CHECK_SKIP, "one tier: nothing to order");
		snprintf(name, sizeof(name), "trend.%s", hx_rate_name(r));
		assert_check(&v, name, HX_CHECK_SKIP, "one tier: nothing to order");
	}
	/* 6 ordering, 3 holdout, coverage; no tier faster than the slowest */
	assert_int_equal(v.n, 10);
	assert_int_equal(v.nskip, 10);
	assert_int_equal(v.nfail, 0);
	assert_true(v.passed);
	hx_validation_release(&v);
	assert_null(hx_rate_name(3));
	assert_string_equal(hx_rate_name(2), "spurious_pass_rate");
}

static const hx_json *member(const hx_json *obj, const char *key, hx_json_type type)
{
	const hx_json *m = hx_json_get(obj, key);
	if (!m || m->type != type)
		fail_msg("member '%s' missing or of the wrong type", key);
	return m;
}

static void test_format(void **state)
{
	hx_calib_data train, hold;
	hx_validation v;
	hx_buf b = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	hx_json *root;
	hx_json_error jerr;
	const hx_json *checks, *first, *ci, *cov;
	size_t i;
	(void)state;
	coverage_case(&train, &hold, 5);
	assert_int_equal(hx_validate(&v, &train, &hold, NULL), 0);
	hx_validation_format_json(&b, &v);
	assert_true(b.len > 0 && b.ptr[b.len - 1] == '\n');
	if (hx_json_parse(&root, arena, b.ptr, b.len, &jerr) != 0)
		fail_msg("json: %s at %zu: %s", jerr.msg, jerr.offset, b.ptr);
	assert_int_equal(member(root, "passed", HX_JSON_FALSE)->type, HX_JSON_FALSE);
	cov = member(root, "coverage", HX_JSON_NUMBER);
	rel_to(cov->u.number, 4.0 / 9.0, 1e-15, "coverage");
	checks = member(root, "checks", HX_JSON_ARRAY);
	assert_int_equal(checks->u.array.len, v.n);
	for (i = 0; i < v.n; i++) {
		const hx_json *c = checks->u.array.items[i];
		assert_string_equal(member(c, "name", HX_JSON_STRING)->u.string.ptr,
				    v.checks[i].name);
		assert_string_equal(member(c, "status", HX_JSON_STRING)->u.string.ptr,
				    hx_check_status_name(v.checks[i].status));
		assert_string_equal(member(c, "reason", HX_JSON_STRING)->u.string.ptr,
				    v.checks[i].reason);
	}
	first = checks->u.array.items[0];
	assert_string_equal(member(first, "name", HX_JSON_STRING)->u.string.ptr,
			    "monotonicity.timeout_rate");
	/* holdout.fast.timeout_rate: all figures but the statistic */
	for (i = 0; i < v.n; i++)
		if (strcmp(v.checks[i].name, "holdout.fast.timeout_rate") == 0)
			break;
	assert_true(i < v.n);
	first = checks->u.array.items[i];
	rel_to(member(first, "observed", HX_JSON_NUMBER)->u.number, 0.2, 1e-15, "observed");
	rel_to(member(first, "expected", HX_JSON_NUMBER)->u.number, 0.1, 1e-15, "expected");
	ci = member(first, "ci", HX_JSON_ARRAY);
	assert_int_equal(ci->u.array.len, 2);
	assert_true(ci->u.array.items[0]->u.number == v.checks[i].lo);
	assert_null(hx_json_get(first, "statistic"));
	assert_null(hx_json_get(first, "p_value"));
	/* cross_tier of a tier without a fit: a SKIP without figures */
	first = checks->u.array.items[v.n - 1];
	assert_string_equal(member(first, "name", HX_JSON_STRING)->u.string.ptr,
			    "cross_tier.balanced");
	assert_string_equal(member(first, "status", HX_JSON_STRING)->u.string.ptr, "SKIP");
	assert_int_equal(first->u.object.len, 3);

	hx_buf_reset(&b);
	hx_validation_format_text(&b, &v);
	assert_non_null(strstr(b.ptr, "FAIL  holdout.fast.timeout_rate            held-out 0.2000"));
	assert_non_null(strstr(b.ptr, "\nvalidation: FAIL (18 checks: "));
	{
		char want[96];
		snprintf(want, sizeof(want),
			 "validation: FAIL (%zu checks: %zu passed, %zu failed, %zu skipped)\n",
			 v.n, v.npass, v.nfail, v.nskip);
		assert_true(b.len >= strlen(want));
		assert_string_equal(b.ptr + b.len - strlen(want), want);
	}
	assert_int_equal(v.npass + v.nfail + v.nskip, v.n);
	hx_validation_release(&v);
	hx_buf_release(&b);
	hx_arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monotonicity), cmocka_unit_test(test_trend),
		cmocka_unit_test(test_holdout),      cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_cross_tier),   cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_one_tier),     cmocka_unit_test(test_format),
		cmocka_unit_test(test_holdout_family_wise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
