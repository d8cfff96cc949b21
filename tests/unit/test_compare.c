/* test_compare.c - harness compare's statistics on simulated calibrations,
 * paired (one plan) and unpaired. */
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

#include "buf.h"
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

/* One simulated calibration: BALANCED, 10,000 samples, timeout rate
 * `rate`, experiment `name`, written to directory `dir`; its calibration
 * and its records. */
static void simulate(hx_calib_data *out, hx_task_outcomes *tasks, const char *name,
		     const char *dir, uint64_t seed, double rate)
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
	opt.out_dir = dir;
	hx_run_result_init(&res);
	assert_int_equal(hx_run(&res, &opt), 0);
	hx_run_result_release(&res);
	snprintf(path, sizeof(path), "%s/telemetry.jsonl", dir);
	assert_int_equal(hx_calib_read(out, path), 0);
	assert_int_equal(hx_task_outcomes_read(tasks, path), 0);
}

/* Different seeds draw different modules: unpaired, and the unpaired
 * tests still see a timeout rate of 10% against 15%. */
static void test_timeout_change_is_significant(void **state)
{
	hx_calib_data a, b;
	hx_task_outcomes ta, tb;
	hx_compare_result r;
	hx_compare_options opt = {0.05, 1, 200};
	(void)state;
	simulate(&a, &ta, "ten", "ten", 11, 0.10);
	simulate(&b, &tb, "fifteen", "fifteen", 12, 0.15);
	assert_int_equal(hx_compare(&r, &a, &b, &ta, &tb, &opt), 0);
	assert_false(r.paired);
	assert_int_equal(strncmp(r.pairing, "plans differ (BALANCED task 0: module '", 39), 0);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.items[0].metric, "timeout_rate");
	assert_string_equal(r.items[0].method, "two-proportion-z");
	assert_true(r.items[0].tested && r.items[0].significant);
	assert_true(r.items[0].lo > 0.03 && r.items[0].hi < 0.07);
	assert_true(r.any_significant);
	/* the other rates were the same on both sides */
	assert_false(r.items[1].significant);
	assert_false(r.items[2].significant);
	assert_string_equal(r.items[3].method, "bootstrap-ks");
	assert_int_equal(r.nflips, 0);
	hx_compare_release(&r);
	hx_calib_release(&a);
	hx_calib_release(&b);
	hx_task_outcomes_release(&ta);
	hx_task_outcomes_release(&tb);
}

/* The same spec run twice (another directory): one plan, paired, the same
 * outcomes: no flip, nothing to test. */
static void test_same_run_twice_is_paired(void **state)
{
	hx_calib_data a, b;
	hx_task_outcomes ta, tb;
	hx_compare_result r;
	hx_compare_options opt = {0.05, 1, 100};
	hx_buf out = HX_BUF_INIT;
	(void)state;
	simulate(&a, &ta, "twice", "twice-a", 5, 0.10);
	simulate(&b, &tb, "twice", "twice-b", 5, 0.10);
	assert_int_equal(hx_compare(&r, &a, &b, &ta, &tb, &opt), 0);
	assert_true(r.paired);
	assert_int_equal(r.pairs, 10000);
	assert_string_equal(r.items[0].method, "mcnemar-exact");
	assert_string_equal(r.items[3].method, "wilcoxon-signed-rank");
	assert_int_equal(r.tested, 0);
	assert_int_equal(r.nflips, 0);
	assert_false(r.any_significant);
	hx_compare_format_text(&out, &r, "a", "b", 20);
	hx_buf_putc(&out, '\0');
	assert_non_null(strstr(out.ptr, "paired: 10000 tasks of one plan"));
	assert_non_null(strstr(out.ptr, "flips: none"));
	hx_buf_release(&out);
	hx_compare_release(&r);
	hx_calib_release(&a);
	hx_calib_release(&b);
	hx_task_outcomes_release(&ta);
	hx_task_outcomes_release(&tb);
}

/* Identical parameters, different seeds (so different plans: unpaired):
 * nothing significant in at least 18 of 20 replicate pairs (Holm keeps
 * the family-wise error near 5%). */
static void test_same_parameters_rarely_differ(void **state)
{
	hx_compare_options opt = {0.05, 1, 100};
	int pairs = 20, quiet = 0, i;
	(void)state;
	for (i = 0; i < pairs; i++) {
		hx_calib_data a, b;
		hx_task_outcomes ta, tb;
		hx_compare_result r;
		char na[16], nb[16];
		snprintf(na, sizeof(na), "a%d", i);
		snprintf(nb, sizeof(nb), "b%d", i);
		simulate(&a, &ta, "same", na, 1000 + 2 * (uint64_t)i, 0.10);
		simulate(&b, &tb, "same", nb, 1001 + 2 * (uint64_t)i, 0.10);
		assert_int_equal(hx_compare(&r, &a, &b, &ta, &tb, &opt), 0);
		assert_false(r.paired);
		quiet += !r.any_significant;
		hx_compare_release(&r);
		hx_calib_release(&a);
		hx_calib_release(&b);
		hx_task_outcomes_release(&ta);
		hx_task_outcomes_release(&tb);
	}
	print_message("unpaired: no significant difference in %d of %d pairs\n", quiet, pairs);
	assert_true(quiet >= 18);
}

/* Noise rates of one tier. */
typedef struct {
	double timeout, sfail, spass;
} noise;

static const noise phase2[HX_TIER_COUNT] = {{0.10, 0.05, 0.02}, {0.05, 0.02, 0.01},
					    {0.01, 0.005, 0.001}};

/* One run of a synthetic plan of `per_tier` tasks a tier: the plan (module,
 * ground truth: 20% invalid, latent duration) from plan_seed, the run's
 * noise (timeouts, spurious outcomes, a duration jitter) from run_seed,
 * independently per task, as an engine with its own noise would. */
static void synth_run(hx_task_outcomes *out, size_t per_tier, uint64_t plan_seed,
		      uint64_t run_seed, const noise nz[HX_TIER_COUNT])
{
	hx_rng plan, run;
	size_t i, n = per_tier * HX_TIER_COUNT;
	memset(out, 0, sizeof(*out));
	out->tasks = calloc(n, sizeof(hx_task_outcome));
	out->names = calloc(n, 16);
	out->n = n;
	hx_rng_init(&plan, plan_seed);
	hx_rng_init(&run, run_seed);
	for (i = 0; i < n; i++) {
		hx_task_outcome *t = &out->tasks[i];
		const noise *z = &nz[i / per_tier];
		double latent, u;
		int valid;
		snprintf(out->names + 16 * i, 16, "M%06llu",
			 (unsigned long long)hx_rng_below(&plan, 100000));
		t->module = out->names + 16 * i;
		t->task_index = i;
		t->tier = (hx_tier)(i / per_tier);
		valid = hx_rng_uniform(&plan) >= 0.2;
		latent = 2000.0 * exp(0.6 * hx_rng_normal(&plan));
		t->valid = (signed char)valid;
		t->duration_ms = latent * exp(0.1 * hx_rng_normal(&run));
		u = hx_rng_uniform(&run);
		if (hx_rng_uniform(&run) < z->timeout) {
			t->outcome = HX_OUT_VERIFIER_TIMEOUT;
			t->duration_ms = 30000.0;
		} else if (valid) {
			t->outcome = u < z->sfail ? HX_OUT_PROOF_INVALID : HX_OUT_VERIFIED;
		} else {
			t->outcome = u < z->spass ? HX_OUT_VERIFIED : HX_OUT_PROOF_INVALID;
		}
	}
}

/* One plan, independent noise, the same rates (the null, paired): at most
 * 2 of 20 pairs flagged. */
static void test_paired_null_rarely_differs(void **state)
{
	hx_compare_options opt = {0.05, 1, 100};
	int pairs = 20, quiet = 0, i;
	(void)state;
	for (i = 0; i < pairs; i++) {
		hx_task_outcomes ta, tb;
		hx_compare_result r;
		synth_run(&ta, 2000, 100 + (uint64_t)i, 2 * (uint64_t)i, phase2);
		synth_run(&tb, 2000, 100 + (uint64_t)i, 2 * (uint64_t)i + 1, phase2);
		assert_int_equal(hx_compare(&r, NULL, NULL, &ta, &tb, &opt), 0);
		assert_true(r.paired);
		assert_int_equal(r.n, 12);
		assert_true(r.tested >= 9); /* rare events may have no discordant pair */
		assert_true(r.nflips > 100); /* independent noise: many flips, both ways */
		quiet += !r.any_significant;
		hx_compare_release(&r);
		hx_task_outcomes_release(&ta);
		hx_task_outcomes_release(&tb);
	}
	print_message("paired: no significant difference in %d of %d pairs\n", quiet, pairs);
	assert_true(quiet >= 18);
}

/* The issue's FAST spurious-fail change: 89/1472 -> 120/1472, 31 tasks
 * flipped one way and none back. Exact McNemar: 2 * 0.5^31 = 9.31e-10;
 * the paired interval by hand (Python, Newcombe 1998 method 10 with 89
 * both, 31 B only, 0 A only, 1352 neither): [0.013764108683876364,
 * 0.029278147169659662]. */
static void issue_runs(hx_task_outcomes *a, hx_task_outcomes *b)
{
	size_t i;
	synth_run(a, 2000, 7, 8, phase2);
	for (i = 0; i < 2000; i++) {
		/* 200 timeouts, then 1472 truly valid, then 328 truly invalid */
		hx_task_outcome *t = &a->tasks[i];
		t->valid = (signed char)(i < 1672);
		t->outcome = i < 200    ? HX_OUT_VERIFIER_TIMEOUT
			     : i < 289  ? HX_OUT_PROOF_INVALID
			     : i < 1672 ? HX_OUT_VERIFIED
					: HX_OUT_PROOF_INVALID;
	}
	/* the other tiers alike on both sides: B is A with 31 more failures */
	synth_run(b, 2000, 7, 8, phase2);
	for (i = 0; i < 2000; i++) {
		b->tasks[i].valid = a->tasks[i].valid;
		b->tasks[i].outcome = i >= 289 && i < 320 ? HX_OUT_PROOF_INVALID : a->tasks[i].outcome;
	}
}

static void test_issue_scenario(void **state)
{
	hx_task_outcomes ta, tb;
	hx_compare_result r;
	hx_compare_options opt = {0.05, 1, 100};
	const hx_comparison *c;
	hx_buf out = HX_BUF_INIT;
	(void)state;
	issue_runs(&ta, &tb);
	assert_int_equal(hx_compare(&r, NULL, NULL, &ta, &tb, &opt), 0);
	assert_true(r.paired);
	c = &r.items[1];
	assert_string_equal(c->metric, "spurious_fail_rate");
	assert_int_equal(c->na, 1472);
	assert_int_equal(c->ka, 89);
	assert_int_equal(c->kb, 120);
	assert_int_equal(c->a_only, 0);
	assert_int_equal(c->b_only, 31);
	assert_true(fabs(c->p - 9.313225746154785e-10) <= 1e-9 * 9.313225746154785e-10);
	assert_true(fabs(c->diff - 31.0 / 1472.0) < 1e-15);
	assert_true(fabs(c->lo - 0.013764108683876364) < 1e-12);
	assert_true(fabs(c->hi - 0.029278147169659662) < 1e-12);
	assert_true(c->tested && c->significant && r.any_significant);
	/* nothing else changed: untested (no discordant pair, no duration
	 * changed) */
	assert_int_equal(r.tested, 1);
	assert_int_equal(r.nflips, 31);
	assert_int_equal(r.flips[0].task_index, 289);
	assert_int_equal(r.flips[0].a, HX_OUT_VERIFIED);
	assert_int_equal(r.flips[0].b, HX_OUT_PROOF_INVALID);
	assert_string_equal(r.flips[0].module, ta.tasks[289].module);

	hx_compare_format_text(&out, &r, "a", "b", 20);
	hx_buf_putc(&out, '\0');
	assert_non_null(strstr(out.ptr, "0.0605 (89/1472)    0.0815 (120/1472)"));
	assert_non_null(strstr(out.ptr, "0/31          <1e-6    <1e-6    significant\n"));
	assert_non_null(strstr(out.ptr, "flips: 31 tasks changed outcome (FAST 31)\n"));
	assert_non_null(strstr(out.ptr, "\n... and 11 more (--flips lists them all)\n"));
	assert_non_null(strstr(out.ptr, "\nverdict: the calibrations differ\n"));
	out.len = 0;
	hx_compare_format_text(&out, &r, "a", "b", SIZE_MAX);
	hx_buf_putc(&out, '\0');
	assert_null(strstr(out.ptr, "more (--flips"));
	out.len = 0;
	hx_compare_format_json(&out, &r, "a", "b");
	hx_buf_putc(&out, '\0');
	assert_non_null(strstr(out.ptr, "\"paired\":true"));
	assert_non_null(strstr(out.ptr, "\"metric\":\"spurious_fail_rate\",\"method\":\"mcnemar-exact\""));
	assert_non_null(strstr(out.ptr, "\"discordant\":{\"a_only\":0,\"b_only\":31}"));
	assert_non_null(strstr(out.ptr, "\"n_flips\":31,\"flips\":[{\"tier\":\"FAST\",\"task_index\":289,"));
	hx_buf_release(&out);
	hx_compare_release(&r);
	hx_task_outcomes_release(&ta);
	hx_task_outcomes_release(&tb);
}

/* Why two runs are not one plan. */
static void test_plans_differ(void **state)
{
	hx_task_outcomes a, b;
	char why[160];
	(void)state;
	synth_run(&a, 50, 1, 2, phase2);
	synth_run(&b, 50, 1, 3, phase2);
	assert_int_equal(hx_compare_same_plan(&a, &b, why, sizeof(why)), 1);
	/* another module for one task */
	b.tasks[17].module = "Other";
	assert_int_equal(hx_compare_same_plan(&a, &b, why, sizeof(why)), 0);
	assert_true(strncmp(why, "plans differ (FAST task 17: module 'M", 37) == 0);
	assert_non_null(strstr(why, "' in A, 'Other' in B)"));
	b.tasks[17].module = a.tasks[17].module;
	/* a task only in B */
	b.tasks[149].task_index = 150;
	assert_int_equal(hx_compare_same_plan(&a, &b, why, sizeof(why)), 0);
	assert_string_equal(why, "plans differ (SLOW task 149 only in A)");
	/* one task twice */
	b.tasks[149].task_index = 148;
	assert_int_equal(hx_compare_same_plan(&a, &b, why, sizeof(why)), 0);
	assert_string_equal(why, "B has SLOW task 148 twice");
	b.tasks[149].task_index = 149;
	/* fewer tasks */
	b.n--;
	assert_int_equal(hx_compare_same_plan(&a, &b, why, sizeof(why)), 0);
	assert_string_equal(why, "plans differ (SLOW task 149 only in A)");
	b.n++;
	/* order does not matter */
	{
		hx_task_outcome t = b.tasks[0];
		b.tasks[0] = b.tasks[120];
		b.tasks[120] = t;
	}
	assert_int_equal(hx_compare_same_plan(&a, &b, why, sizeof(why)), 1);
	a.no_index_line = 3;
	assert_int_equal(hx_compare_same_plan(&a, &b, why, sizeof(why)), 0);
	assert_string_equal(why, "A's records have no metadata.task_index (line 3)");
	hx_task_outcomes_release(&a);
	hx_task_outcomes_release(&b);
}

static void test_untestable_rates(void **state)
{
	hx_calib_data a, b;
	hx_task_outcomes ta;
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
	assert_int_equal(hx_task_outcomes_read(&ta, "u.jsonl"), 0);
	assert_int_equal(ta.no_index_line, 1);
	assert_int_equal(hx_compare(&r, &a, &b, &ta, &ta, &opt), 0);
	assert_false(r.paired);
	assert_string_equal(r.pairing, "A's records have no metadata.task_index (line 1)");
	/* no timeouts on either side: no variance, not tested */
	assert_false(r.items[0].tested);
	assert_string_equal(r.items[0].note, "no variance (no events on both sides)");
	/* no ground truth: no observations */
	assert_string_equal(r.items[1].note, "no observations on one side");
	assert_false(r.any_significant);
	hx_compare_release(&r);
	/* a calibration.yaml side: no records */
	assert_int_equal(hx_compare(&r, &a, &b, &ta, NULL, &opt), 0);
	assert_string_equal(r.pairing, "B has no per-task records (a calibration.yaml)");
	hx_compare_release(&r);
	hx_calib_release(&a);
	hx_calib_release(&b);
	hx_task_outcomes_release(&ta);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_timeout_change_is_significant),
		cmocka_unit_test(test_same_run_twice_is_paired),
		cmocka_unit_test(test_same_parameters_rarely_differ),
		cmocka_unit_test(test_paired_null_rarely_differs),
		cmocka_unit_test(test_issue_scenario),
		cmocka_unit_test(test_plans_differ),
		cmocka_unit_test(test_untestable_rates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
