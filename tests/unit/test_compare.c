/* test_compare.c - harness compare's statistics on simulated calibrations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calib.h"
#include "compare.h"
#include "error.h"
#include "rng.h"
#include "run.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("compare")

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

/* Quickselect agrees with a sort, with and without ties, odd and even n. */
static void test_median(void **state)
{
	hx_rng r;
	int round;
	(void)state;
	hx_rng_init(&r, 5);
	for (round = 0; round < 2000; round++) {
		size_t n = 1 + (size_t)hx_rng_below(&r, 60), i;
		double v[64], s[64], want;
		int ties = round % 2;
		for (i = 0; i < n; i++)
			v[i] = ties ? (double)hx_rng_below(&r, 5) : hx_rng_uniform(&r);
		memcpy(s, v, n * sizeof(double));
		qsort(s, n, sizeof(double), cmp_double);
		want = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
		if (hx_median(v, n) != want)
			fail_msg("round %d: n=%zu", round, n);
	}
}

/* One simulated calibration: BALANCED, 10,000 samples, timeout rate `rate`. */
static void simulate(hx_calib_data *out, const char *name, uint64_t seed, double rate)
{
	char spec[1024];
	hx_run_options opt;
	hx_run_result res;
	char path[64];
	snprintf(spec, sizeof(spec),
		 "experiment: %s\nseed: %llu\nengine: {kind: sim-verifier}\n"
		 "models:\n  tiers:\n    balanced: {timeout_rate: %g, spurious_fail_rate: 0.02, "
		 "spurious_pass_rate: 0.01, base_timeout_s: 60, timeout_distribution: {type: fixed, "
		 "fixed_ms: 60000}}\n"
		 "corpus: {kind: synthetic, modules: 20000}\ntiers: {BALANCED: }\nsamples: 10000\n",
		 name, (unsigned long long)seed, rate);
	memset(&opt, 0, sizeof(opt));
	opt.spec_path = "./compare.yaml";
	opt.spec_text = spec;
	opt.spec_text_len = strlen(spec);
	opt.out_dir = name;
	hx_run_result_init(&res);
	assert_int_equal(hx_run(&res, &opt), 0);
	hx_run_result_release(&res);
	snprintf(path, sizeof(path), "%s/telemetry.jsonl", name);
	assert_int_equal(hx_calib_read(out, path), 0);
}

static void test_timeout_change_is_significant(void **state)
{
	hx_calib_data a, b;
	hx_compare_result r;
	hx_compare_options opt = {0.05, 1, 200};
	(void)state;
	simulate(&a, "ten", 11, 0.10);
	simulate(&b, "fifteen", 12, 0.15);
	assert_int_equal(hx_compare(&r, &a, &b, &opt), 0);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.items[0].metric, "timeout_rate");
	assert_true(r.items[0].tested && r.items[0].significant);
	assert_true(r.items[0].lo > 0.03 && r.items[0].hi < 0.07);
	assert_true(r.any_significant);
	/* the other rates were the same on both sides */
	assert_false(r.items[1].significant);
	assert_false(r.items[2].significant);
	hx_compare_release(&r);
	hx_calib_release(&a);
	hx_calib_release(&b);
}

/* Identical parameters, different seeds: nothing significant in at least
 * 90% of replicate pairs (Holm keeps the family-wise error near 5%). */
static void test_same_parameters_rarely_differ(void **state)
{
	hx_compare_options opt = {0.05, 1, 100};
	int pairs = 30, quiet = 0, i;
	(void)state;
	for (i = 0; i < pairs; i++) {
		hx_calib_data a, b;
		hx_compare_result r;
		char na[16], nb[16];
		snprintf(na, sizeof(na), "a%d", i);
		snprintf(nb, sizeof(nb), "b%d", i);
		simulate(&a, na, 1000 + 2 * (uint64_t)i, 0.10);
		simulate(&b, nb, 1001 + 2 * (uint64_t)i, 0.10);
		assert_int_equal(hx_compare(&r, &a, &b, &opt), 0);
		quiet += !r.any_significant;
		hx_compare_release(&r);
		hx_calib_release(&a);
		hx_calib_release(&b);
	}
	print_message("no significant difference in %d of %d pairs\n", quiet, pairs);
	assert_true(quiet >= (int)ceil(0.9 * pairs));
}

static void test_untestable_rates(void **state)
{
	hx_calib_data a, b;
	hx_compare_result r;
	hx_compare_options opt = {0.05, 1, 100};
	const char *text = "{\"tier\":\"fast\",\"timeout_s\":1,\"outcome\":\"verified\",\"duration_ms\":5}\n"
			   "{\"tier\":\"fast\",\"timeout_s\":1,\"outcome\":\"verified\",\"duration_ms\":6}\n";
	FILE *fp = fopen("u.jsonl", "w");
	(void)state;
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(hx_calib_read(&a, "u.jsonl"), 0);
	assert_int_equal(hx_calib_read(&b, "u.jsonl"), 0);
	assert_int_equal(hx_compare(&r, &a, &b, &opt), 0);
	/* no timeouts on either side: no variance, not tested */
	assert_false(r.items[0].tested);
	assert_string_equal(r.items[0].note, "no variance (no events on both sides)");
	/* no ground truth: no observations */
	assert_string_equal(r.items[1].note, "no observations on one side");
	assert_false(r.any_significant);
	hx_compare_release(&r);
	hx_calib_release(&a);
	hx_calib_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_timeout_change_is_significant),
		cmocka_unit_test(test_same_parameters_rarely_differ),
		cmocka_unit_test(test_untestable_rates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
