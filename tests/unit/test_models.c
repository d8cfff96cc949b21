/* test_models.c - the verifier's noise configuration: loading, validation,
 * and resolution of slice overrides. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "models.h"

#define REFERENCE HX_SOURCE_DIR "/experiments/models/verifier_noise_phase2.yaml"
#define UNCHANGED HX_FIXTURES "/models/reference_unchanged.yaml"

/* A tier block with every required key, for error tests to build on. */
#define TIER_OK                                                                                    \
	"    timeout_rate: 0.1\n"                                                                  \
	"    spurious_fail_rate: 0.05\n"                                                           \
	"    spurious_pass_rate: 0.02\n"                                                           \
	"    base_timeout_s: 30\n"                                                                 \
	"    timeout_distribution: {type: uniform, min_ms: 500, max_ms: 1500}\n"

static int from_text(hx_models **out, const char *text)
{
	hx_ydoc *doc = NULL;
	int err;

	*out = NULL;
	err = hx_ydoc_parse(&doc, "m.yaml", text, strlen(text));
	if (!err)
		err = hx_models_from_node(out, doc, doc->root);
	hx_ydoc_free(doc);
	return err;
}

static void expect_error(const char *text, const char *msg)
{
	hx_models *m = NULL;
	assert_int_equal(from_text(&m, text), HX_EINVALID);
	assert_null(m);
	assert_string_equal(hx_error_last(), msg);
}

static void assert_dist_uniform(const hx_timeout_dist *d, double min, double max)
{
	assert_int_equal(d->kind, HX_DIST_UNIFORM);
	assert_true(d->min_ms == min);
	assert_true(d->max_ms == max);
}

static void test_reference_file(void **state)
{
	hx_models *m = NULL;
	const hx_slice_model *s;
	(void)state;

	assert_int_equal(hx_models_load(&m, REFERENCE), 0);
	assert_string_equal(m->path, REFERENCE);
	assert_int_equal(m->noise_enabled, 1);
	assert_string_equal(m->default_tier, "balanced");
	assert_string_equal(m->escalation_policy, "on_failure");
	assert_int_equal(m->max_escalation_attempts, 3);

	assert_true(m->has_tier[HX_TIER_FAST] && m->has_tier[HX_TIER_BALANCED] &&
		    m->has_tier[HX_TIER_SLOW]);
	assert_true(m->tiers[HX_TIER_FAST].timeout_rate == 0.10);
	assert_true(m->tiers[HX_TIER_FAST].spurious_fail_rate == 0.05);
	assert_true(m->tiers[HX_TIER_FAST].spurious_pass_rate == 0.02);
	assert_true(m->tiers[HX_TIER_FAST].base_timeout_s == 30);
	assert_dist_uniform(&m->tiers[HX_TIER_FAST].timeout_distribution, 500, 1500);
	assert_true(m->tiers[HX_TIER_BALANCED].timeout_rate == 0.05);
	assert_true(m->tiers[HX_TIER_BALANCED].spurious_fail_rate == 0.02);
	assert_true(m->tiers[HX_TIER_BALANCED].spurious_pass_rate == 0.01);
	assert_true(m->tiers[HX_TIER_BALANCED].base_timeout_s == 60);
	assert_dist_uniform(&m->tiers[HX_TIER_BALANCED].timeout_distribution, 1000, 2000);
	assert_true(m->tiers[HX_TIER_SLOW].timeout_rate == 0.01);
	assert_true(m->tiers[HX_TIER_SLOW].spurious_fail_rate == 0.005);
	assert_true(m->tiers[HX_TIER_SLOW].spurious_pass_rate == 0.001);
	assert_true(m->tiers[HX_TIER_SLOW].base_timeout_s == 120);
	assert_dist_uniform(&m->tiers[HX_TIER_SLOW].timeout_distribution, 1500, 3000);

	/* Slices then test slices, in document order. */
	assert_int_equal(m->nslices, 5);
	assert_string_equal(m->slices[0].name, "arithmetic_simple");
	assert_string_equal(m->slices[1].name, "algebra_expansion");
	assert_string_equal(m->slices[2].name, "geometry_proofs");
	assert_string_equal(m->slices[3].name, "no_noise_test");
	assert_string_equal(m->slices[4].name, "high_noise_test");
	assert_int_equal(m->slices[0].is_test, 0);
	assert_int_equal(m->slices[2].is_test, 0);
	assert_int_equal(m->slices[3].is_test, 1);
	assert_int_equal(m->slices[4].is_test, 1);

	s = hx_models_slice(m, "arithmetic_simple");
	assert_ptr_equal(s, &m->slices[0]);
	assert_int_equal(s->noise_enabled, 1);
	assert_true(s->overrides[HX_TIER_FAST].has_timeout_rate);
	assert_true(s->overrides[HX_TIER_FAST].timeout_rate == 0.08);
	assert_false(s->overrides[HX_TIER_FAST].has_spurious_fail_rate);
	assert_false(s->overrides[HX_TIER_FAST].has_spurious_pass_rate);
	assert_true(s->overrides[HX_TIER_BALANCED].timeout_rate == 0.04);
	assert_false(s->overrides[HX_TIER_SLOW].has_timeout_rate);
	assert_true(s->has_timeout_distribution);
	assert_dist_uniform(&s->timeout_distribution, 400, 1200);

	s = hx_models_slice(m, "algebra_expansion");
	assert_true(s->overrides[HX_TIER_FAST].spurious_fail_rate == 0.06);
	assert_true(s->overrides[HX_TIER_BALANCED].spurious_fail_rate == 0.03);
	assert_int_equal(s->timeout_distribution.kind, HX_DIST_EXPONENTIAL);
	assert_true(s->timeout_distribution.mean_ms == 1000);

	s = hx_models_slice(m, "no_noise_test");
	assert_int_equal(s->noise_enabled, 0);
	assert_true(s->overrides[HX_TIER_FAST].has_timeout_rate);
	assert_true(s->overrides[HX_TIER_FAST].timeout_rate == 0.0);
	assert_true(s->overrides[HX_TIER_FAST].has_spurious_pass_rate);
	assert_false(s->has_timeout_distribution);

	s = hx_models_slice(m, "high_noise_test");
	assert_true(s->overrides[HX_TIER_BALANCED].spurious_pass_rate == 0.05);
	assert_dist_uniform(&s->timeout_distribution, 200, 800);
	assert_null(hx_models_slice(m, "nope"));

	/* The harness's simulator section at the end of the copy. */
	assert_true(m->sim.invalid_fraction == 0.2);
	assert_true(m->sim.difficulty_sigma == 0.5);
	assert_true(m->sim.duration_median_ms == 2000);
	assert_int_equal(m->sim.nslice_weights, 3);
	assert_string_equal(m->sim.slice_names[0], "arithmetic_simple");
	assert_true(m->sim.slice_weights[0] == 0.25);
	assert_string_equal(m->sim.slice_names[1], "algebra_expansion");
	assert_true(m->sim.slice_weights[1] == 0.2);
	assert_string_equal(m->sim.slice_names[2], "geometry_proofs");
	assert_true(m->sim.slice_weights[2] == 0.15);
	hx_models_free(m);
	hx_models_free(NULL);
}

/* The verifier's file as it ships, without a simulator section: defaults. */
static void test_reference_unchanged(void **state)
{
	hx_models *m = NULL;
	(void)state;
	assert_int_equal(hx_models_load(&m, UNCHANGED), 0);
	assert_int_equal(m->nslices, 5);
	assert_true(m->sim.invalid_fraction == 0.2);
	assert_true(m->sim.difficulty_sigma == 0.5);
	assert_true(m->sim.duration_median_ms == 2000);
	assert_true(m->sim.duration_sigma == 0.6);
	assert_true(m->sim.memory_base_mb == 350);
	assert_int_equal(m->sim.nslice_weights, 0);
	assert_null(m->sim.slice_names);
	hx_models_free(m);
}

static void test_resolve(void **state)
{
	hx_models *m = NULL;
	hx_tier_model t;
	int noise = -1;
	(void)state;

	assert_int_equal(hx_models_load(&m, REFERENCE), 0);
	/* No slice: the tier as written. */
	assert_int_equal(hx_models_resolve(m, HX_TIER_FAST, NULL, &t, &noise), 0);
	assert_int_equal(noise, 1);
	assert_true(t.timeout_rate == 0.10);
	assert_true(t.base_timeout_s == 30);
	assert_dist_uniform(&t.timeout_distribution, 500, 1500);

	/* geometry_proofs on fast: two rates overridden, one from the tier,
	 * the slice's distribution. */
	assert_int_equal(hx_models_resolve(m, HX_TIER_FAST, hx_models_slice(m, "geometry_proofs"),
					   &t, &noise),
			 0);
	assert_int_equal(noise, 1);
	assert_true(t.timeout_rate == 0.15);
	assert_true(t.spurious_fail_rate == 0.08);
	assert_true(t.spurious_pass_rate == 0.02);
	assert_true(t.base_timeout_s == 30);
	assert_int_equal(t.timeout_distribution.kind, HX_DIST_EXPONENTIAL);
	assert_true(t.timeout_distribution.mean_ms == 1500);

	/* A tier the slice does not override keeps its rates. */
	assert_int_equal(hx_models_resolve(m, HX_TIER_SLOW, hx_models_slice(m, "geometry_proofs"),
					   &t, &noise),
			 0);
	assert_true(t.timeout_rate == 0.01);
	assert_true(t.spurious_fail_rate == 0.005);
	assert_true(t.base_timeout_s == 120);
	assert_int_equal(t.timeout_distribution.kind, HX_DIST_EXPONENTIAL);

	assert_int_equal(hx_models_resolve(m, HX_TIER_FAST, hx_models_slice(m, "no_noise_test"), &t,
					   &noise),
			 0);
	assert_int_equal(noise, 0);
	assert_true(t.timeout_rate == 0.0 && t.spurious_fail_rate == 0.0 &&
		    t.spurious_pass_rate == 0.0);
	assert_dist_uniform(&t.timeout_distribution, 500, 1500);
	hx_models_free(m);
}

static void test_partial_tiers(void **state)
{
	hx_models *m = NULL;
	hx_tier_model t;
	int noise = -1;
	(void)state;

	assert_int_equal(hx_models_load(&m, HX_FIXTURES "/models/balanced_only.yaml"), 0);
	assert_false(m->has_tier[HX_TIER_FAST]);
	assert_true(m->has_tier[HX_TIER_BALANCED]);
	assert_false(m->has_tier[HX_TIER_SLOW]);
	assert_int_equal(m->nslices, 0);
	assert_int_equal(hx_models_resolve(m, HX_TIER_BALANCED, NULL, &t, &noise), 0);
	assert_int_equal(noise, 0); /* global noise_enabled: false */
	assert_int_equal(t.timeout_distribution.kind, HX_DIST_FIXED);
	assert_true(t.timeout_distribution.fixed_ms == 750);
	assert_true(t.base_timeout_s == 45);
	assert_int_equal(hx_models_resolve(m, HX_TIER_SLOW, NULL, &t, &noise), HX_ENOTFOUND);
	assert_string_equal(hx_error_last(), "models in '" HX_FIXTURES
					     "/models/balanced_only.yaml' have no tier 'slow_precise'");
	hx_models_free(m);
}

static void test_file_errors(void **state)
{
	hx_models *m = (hx_models *)1;
	(void)state;
	assert_int_equal(hx_models_load(&m, HX_FIXTURES "/models/bad_rate.yaml"), HX_EINVALID);
	assert_null(m);
	assert_string_equal(hx_error_last(), HX_FIXTURES "/models/bad_rate.yaml:4:25: "
							 "'spurious_fail_rate' must be a number from 0 to 1");
	assert_int_equal(hx_models_load(&m, HX_FIXTURES "/models/missing.yaml"), HX_ENOTFOUND);
	assert_string_equal(hx_error_last(), "cannot open '" HX_FIXTURES
					     "/models/missing.yaml': No such file or directory");
}

static void test_structure_errors(void **state)
{
	(void)state;
	expect_error("", "m.yaml:1:1: missing key 'tiers'");
	expect_error("- a\n", "m.yaml:1:1: 'models' must be a mapping");
	expect_error("global: {noise_enabled: true}\n", "m.yaml:1:1: missing key 'tiers'");
	expect_error("tiers: {}\n",
		     "m.yaml:1:8: 'tiers' must define at least one of fast_noisy, balanced, slow_precise");
	expect_error("tier:\n  balanced:\n" TIER_OK,
		     "m.yaml:1:1: unknown key 'tier' (did you mean 'tiers'?)");
	expect_error("tiers:\n  fast_noisey:\n" TIER_OK,
		     "m.yaml:2:3: unknown tier 'fast_noisey' (did you mean 'fast_noisy'?)");
	expect_error("tiers:\n  FAST:\n" TIER_OK,
		     "m.yaml:2:3: unknown tier 'FAST' (known: fast_noisy, balanced, slow_precise)");
	expect_error("tiers:\n  balanced:\n" TIER_OK "    timeout_rte: 0.1\n",
		     "m.yaml:8:5: unknown key 'timeout_rte' (did you mean 'timeout_rate'?)");
	expect_error("tiers:\n  balanced:\n    timeout_rate: 0.1\n",
		     "m.yaml:3:5: missing key 'spurious_fail_rate'");
	expect_error("tiers:\n  balanced: 3\n", "m.yaml:2:13: 'tier' must be a mapping");
	expect_error("global:\n  noise_enabled: yes\ntiers:\n  balanced:\n" TIER_OK,
		     "m.yaml:2:18: 'noise_enabled' must be true or false");
	expect_error("global:\n  escalation_policy: sometimes\ntiers:\n  balanced:\n" TIER_OK,
		     "m.yaml:2:22: unknown escalation_policy 'sometimes' (known: on_failure, "
		     "on_timeout, on_noise, never, always)");
	expect_error("global:\n  default_tier: balance\ntiers:\n  balanced:\n" TIER_OK,
		     "m.yaml:2:17: unknown default_tier 'balance' (did you mean 'balanced'?)");
	expect_error("global:\n  max_escalation_attempts: -1\ntiers:\n  balanced:\n" TIER_OK,
		     "m.yaml:2:28: 'max_escalation_attempts' must be an integer from 0 to 100");
}

static void test_value_errors(void **state)
{
	(void)state;
	expect_error("tiers:\n  balanced:\n"
		     "    timeout_rate: 1.1\n"
		     "    spurious_fail_rate: 0.05\n"
		     "    spurious_pass_rate: 0.02\n"
		     "    base_timeout_s: 30\n"
		     "    timeout_distribution: {type: fixed, fixed_ms: 1}\n",
		     "m.yaml:3:19: 'timeout_rate' must be a number from 0 to 1");
	expect_error("tiers:\n  balanced:\n"
		     "    timeout_rate: \"0.1\"\n"
		     "    spurious_fail_rate: 0.05\n"
		     "    spurious_pass_rate: 0.02\n"
		     "    base_timeout_s: 30\n"
		     "    timeout_distribution: {type: fixed, fixed_ms: 1}\n",
		     "m.yaml:3:19: 'timeout_rate' must be a number from 0 to 1");
	expect_error("tiers:\n  balanced:\n"
		     "    timeout_rate: 0.1\n"
		     "    spurious_fail_rate: 0.05\n"
		     "    spurious_pass_rate: 0.02\n"
		     "    base_timeout_s: 0\n"
		     "    timeout_distribution: {type: fixed, fixed_ms: 1}\n",
		     "m.yaml:6:21: 'base_timeout_s' must be a number greater than 0 and at most 86400");
}

static void expect_dist_error(const char *dist, const char *msg)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "tiers:\n  balanced:\n"
		 "    timeout_rate: 0.1\n"
		 "    spurious_fail_rate: 0.05\n"
		 "    spurious_pass_rate: 0.02\n"
		 "    base_timeout_s: 30\n"
		 "    timeout_distribution:\n%s",
		 dist);
	expect_error(text, msg);
}

static void test_distribution_errors(void **state)
{
	(void)state;
	/* The distribution block starts on line 8, column 7. */
	expect_dist_error("      type: uniform\n      min_ms: 1\n      max_ms: 2\n      mean_ms: 3\n",
			  "m.yaml:11:7: unknown key 'mean_ms' for a uniform distribution");
	expect_dist_error("      type: exponential\n      mean_ms: 3\n      fixed_ms: 3\n",
			  "m.yaml:10:7: unknown key 'fixed_ms' for an exponential distribution");
	expect_dist_error("      type: fixed\n      min_ms: 1\n",
			  "m.yaml:9:7: unknown key 'min_ms' for a fixed distribution");
	expect_dist_error("      type: uniform\n      min_ms: 1\n      maxms: 2\n",
			  "m.yaml:10:7: unknown key 'maxms' (did you mean 'max_ms'?)");
	expect_dist_error("      type: uniform\n      min_ms: 1\n",
			  "m.yaml:8:7: missing key 'max_ms'");
	expect_dist_error("      min_ms: 1\n      max_ms: 2\n", "m.yaml:8:7: missing key 'type'");
	expect_dist_error("      type: uniform\n      min_ms: 1500\n      max_ms: 500\n",
			  "m.yaml:10:15: 'max_ms' (500) must not be less than 'min_ms' (1500)");
	expect_dist_error("      type: uniform\n      min_ms: -1\n      max_ms: 500\n",
			  "m.yaml:9:15: 'min_ms' must be a number at least 0");
	expect_dist_error("      type: exponential\n",
			  "m.yaml:8:7: missing key 'mean_ms'");
	expect_dist_error("      type: exponential\n      mean_ms: 0\n",
			  "m.yaml:9:16: 'mean_ms' must be a number greater than 0");
	expect_dist_error("      type: fixed\n      fixed_ms: -5\n",
			  "m.yaml:9:17: 'fixed_ms' must be a number at least 0");
	expect_dist_error("      type: gauss\n      mean_ms: 1\n",
			  "m.yaml:8:13: unknown type 'gauss' (known: uniform, exponential, fixed)");
	expect_dist_error("      type: unifrom\n",
			  "m.yaml:8:13: unknown type 'unifrom' (did you mean 'uniform'?)");
	expect_dist_error("      uniform\n", "m.yaml:8:7: 'timeout_distribution' must be a mapping");
}

static void test_slice_errors(void **state)
{
	(void)state;
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  a:\n    tier_overrides:\n      fast_nosy: {timeout_rate: 0.1}\n",
		     "m.yaml:11:7: unknown tier 'fast_nosy' (did you mean 'fast_noisy'?)");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  a:\n    tier_overrides:\n      fast_noisy: {base_timeout_s: 3}\n",
		     "m.yaml:11:20: unknown key 'base_timeout_s'");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  a:\n    tier_overrides:\n      fast_noisy: {timeout_rate: 2}\n",
		     "m.yaml:11:34: 'timeout_rate' must be a number from 0 to 1");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  a:\n    noise_enable: false\n",
		     "m.yaml:10:5: unknown key 'noise_enable' (did you mean 'noise_enabled'?)");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  a:\n    noise: false\n",
		     "m.yaml:10:5: unknown key 'noise'");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  a: {}\ntest_slices:\n  a: {}\n",
		     "m.yaml:11:3: duplicate slice 'a'");
}

static void test_simulator(void **state)
{
	hx_models *m = NULL;
	(void)state;
	assert_int_equal(from_text(&m, "tiers:\n  fast_noisy:\n" TIER_OK
				       "slices:\n  a:\n  b: {noise_enabled: false}\n"
				       "test_slices:\n  t: {}\n"
				       "simulator:\n"
				       "  invalid_fraction: 0.1\n"
				       "  difficulty_sigma: 0.7\n"
				       "  duration_median_ms: 1500\n"
				       "  duration_sigma: 0.3\n"
				       "  memory_base_mb: 512\n"
				       "  slice_weights: {a: 0.5, t: 0.5}\n"),
			 0);
	assert_string_equal(m->path, "m.yaml");
	assert_int_equal(m->nslices, 3);
	assert_int_equal(m->slices[0].noise_enabled, 1);
	assert_int_equal(m->slices[1].noise_enabled, 0);
	assert_int_equal(m->slices[2].is_test, 1);
	assert_true(m->sim.invalid_fraction == 0.1);
	assert_true(m->sim.difficulty_sigma == 0.7);
	assert_true(m->sim.duration_median_ms == 1500);
	assert_true(m->sim.duration_sigma == 0.3);
	assert_true(m->sim.memory_base_mb == 512);
	assert_int_equal(m->sim.nslice_weights, 2);
	assert_string_equal(m->sim.slice_names[1], "t");
	hx_models_free(m);

	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  algebra: {}\n  geometry: {}\n"
		     "simulator:\n  slice_weights: {algebra: 0.6, geometry: 0.5}\n",
		     "m.yaml:12:18: slice weights sum to 1.1, more than 1");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  algebra: {}\n  geometry: {}\n"
		     "simulator:\n  slice_weights: {algebr: 0.6}\n",
		     "m.yaml:12:19: unknown slice 'algebr' (did you mean 'algebra'?)");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  algebra: {}\n  geometry: {}\n"
		     "simulator:\n  slice_weights: {topology: 0.1}\n",
		     "m.yaml:12:19: unknown slice 'topology' (known: algebra, geometry)");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "slices:\n  algebra: {}\n"
		     "simulator:\n  slice_weights: {algebra: -0.1}\n",
		     "m.yaml:11:28: 'algebra' must be a number from 0 to 1");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "simulator:\n  invalid_fracton: 0.1\n",
		     "m.yaml:9:3: unknown key 'invalid_fracton' (did you mean 'invalid_fraction'?)");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "simulator:\n  invalid_fraction: 1.2\n",
		     "m.yaml:9:21: 'invalid_fraction' must be a number from 0 to 1");
	expect_error("tiers:\n  fast_noisy:\n" TIER_OK
		     "simulator:\n  duration_median_ms: 0\n",
		     "m.yaml:9:23: 'duration_median_ms' must be a number greater than 0 and at "
		     "most 86400000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_file),
		cmocka_unit_test(test_reference_unchanged),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_partial_tiers),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_distribution_errors),
		cmocka_unit_test(test_slice_errors),
		cmocka_unit_test(test_simulator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
