/* test_km.c - Kaplan-Meier against a worked example. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "error.h"
#include "km.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* Times 1, 2, 2, 3+, 4, 5+ (+: censored), by hand:
 *   t=1: n=6 d=1  S = 5/6
 *   t=2: n=5 d=2  S = 5/6 * 3/5 = 1/2
 *   3+ : censored, S stays 1/2, n 3 -> 2
 *   t=4: n=2 d=1  S = 1/4
 *   5+ : censored at S = 1/4
 * Greenwood sums: 1/(6*5) = 1/30; + 2/(5*3) = 2/15 -> 1/6; + 1/(2*1) -> 2/3. */
static void test_worked_example(void **state)
{
	static const double ev[] = {4, 2, 1, 2}, ce[] = {5, 3};
	hx_km k;
	double w, v;
	(void)state;
	assert_int_equal(hx_km_estimate(&k, ev, 4, ce, 2), 0);
	assert_int_equal(k.n, 4);
	NEAR(k.steps[0].t, 0);
	NEAR(k.steps[0].s, 1);
	NEAR(k.steps[1].t, 1);
	NEAR(k.steps[1].s, 5.0 / 6);
	assert_int_equal(k.steps[1].at_risk, 6);
	NEAR(k.steps[2].t, 2);
	NEAR(k.steps[2].s, 0.5);
	assert_int_equal(k.steps[2].events, 2);
	assert_int_equal(k.steps[2].at_risk, 5);
	NEAR(k.steps[3].t, 4);
	NEAR(k.steps[3].s, 0.25);
	assert_int_equal(k.steps[3].at_risk, 2);
	assert_int_equal(k.ncens, 2);
	NEAR(k.cens_t[0], 3);
	NEAR(k.cens_s[0], 0.5);
	NEAR(k.cens_t[1], 5);
	NEAR(k.cens_s[1], 0.25);
	NEAR(k.t_max, 5);
	/* the log-log interval at t=2: V = 1/6, S = 1/2 */
	v = 1.0 / 6;
	w = 1.959963984540054 * sqrt(v) / log(2);
	NEAR(k.steps[2].lo, pow(0.5, exp(w)));
	NEAR(k.steps[2].hi, pow(0.5, exp(-w)));
	assert_true(k.steps[2].lo < 0.5 && k.steps[2].hi > 0.5);
	NEAR(hx_km_at(&k, 0.5), 1);
	NEAR(hx_km_at(&k, 2), 0.5);
	NEAR(hx_km_at(&k, 3.9), 0.5);
	NEAR(hx_km_at(&k, 100), 0.25);
	hx_km_release(&k);
}

/* A tie of an event and a censoring: the event first, so the censored run
 * counts as at risk. Then the last event takes everyone: S = 0. */
static void test_ties_and_end(void **state)
{
	static const double ev[] = {2, 3}, ce[] = {2};
	hx_km k;
	(void)state;
	assert_int_equal(hx_km_estimate(&k, ev, 2, ce, 1), 0);
	assert_int_equal(k.steps[1].at_risk, 3);
	NEAR(k.steps[1].s, 2.0 / 3);
	NEAR(k.cens_s[0], 2.0 / 3);
	assert_int_equal(k.steps[2].at_risk, 1);
	NEAR(k.steps[2].s, 0);
	NEAR(k.steps[2].lo, 0);
	NEAR(k.steps[2].hi, 0);
	hx_km_release(&k);
}

static void test_all_censored_and_bad_input(void **state)
{
	static const double ce[] = {1, 2}, bad[] = {NAN};
	hx_km k;
	(void)state;
	assert_int_equal(hx_km_estimate(&k, NULL, 0, ce, 2), 0);
	assert_int_equal(k.n, 1);
	NEAR(k.cens_s[1], 1);
	hx_km_release(&k);
	assert_int_equal(hx_km_estimate(&k, bad, 1, NULL, 0), HX_EINVALID);
	assert_non_null(hx_error_last());
	assert_int_equal(hx_km_estimate(&k, NULL, 0, bad, 1), HX_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_ties_and_end),
		cmocka_unit_test(test_all_censored_and_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
