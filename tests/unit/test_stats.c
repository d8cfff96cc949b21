/* test_stats.c - Wilson intervals against R's prop.test(correct = FALSE)
 * (shared/reference/stats-vectors.md). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "stats.h"

static void close_to(double got, double want)
{
	double tol = 1e-9 + 1e-8 * fabs(want);
	if (fabs(got - want) > tol)
		fail_msg("got %.12g, want %.12g", got, want);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_z),
		cmocka_unit_test(test_wilson_vectors),
		cmocka_unit_test(test_wilson_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
