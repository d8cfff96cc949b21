/* test_plan.c - task order and per-task seeds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "error.h"
#include "hash.h"
#include "plan.h"
#include "rng.h"

static hx_spec make_spec(void)
{
	hx_spec s;
	memset(&s, 0, sizeof(s));
	s.path = "test.yaml";
	s.experiment = "smoke";
	s.seed = 42;
	s.corpus_modules = 500;
	s.ntiers = 2;
	s.tiers[0].tier = HX_TIER_FAST;
	s.tiers[0].timeout_s = 30;
	s.tiers[0].samples = 3;
	s.tiers[1].tier = HX_TIER_SLOW;
	s.tiers[1].timeout_s = 120;
	s.tiers[1].samples = 2;
	return s;
}

/* The derivation is a contract (goldens depend on it): XXH64 over
 * "smoke\0BALANCED\0" + u64le(0) with seed 0 is what `xxhsum -H1` prints
 * for those 23 bytes. */
static void test_seed_derivation_matches_xxhsum(void **state)
{
	(void)state;
	assert_true(hx_plan_task_seed(0, "smoke", HX_TIER_BALANCED, 0) == 0x75831243b1ae9dbbULL);
}

static void test_seed_depends_on_every_input(void **state)
{
	uint64_t base = hx_plan_task_seed(42, "smoke", HX_TIER_FAST, 7);
	(void)state;
	assert_true(base == hx_plan_task_seed(42, "smoke", HX_TIER_FAST, 7));
	assert_true(base != hx_plan_task_seed(43, "smoke", HX_TIER_FAST, 7));
	assert_true(base != hx_plan_task_seed(42, "smoke2", HX_TIER_FAST, 7));
	assert_true(base != hx_plan_task_seed(42, "smoke", HX_TIER_SLOW, 7));
	assert_true(base != hx_plan_task_seed(42, "smoke", HX_TIER_FAST, 8));
	/* "ab"+"c" and "a"+"bc" must not collide: the NUL separates fields */
	assert_true(hx_plan_task_seed(1, "ab", HX_TIER_FAST, 0) != hx_plan_task_seed(1, "a", HX_TIER_FAST, 0));
}

static void test_plan_order_and_fields(void **state)
{
	hx_spec s = make_spec();
	hx_plan p;
	size_t i;
	(void)state;
	assert_int_equal(hx_plan_build(&p, &s, 500), 0);
	assert_int_equal(p.n, 5);
	for (i = 0; i < p.n; i++) {
		const hx_task *t = &p.tasks[i];
		assert_int_equal(t->index, i);
		assert_int_equal(t->tier, i < 3 ? HX_TIER_FAST : HX_TIER_SLOW);
		assert_int_equal(t->sample, i < 3 ? (long)i : (long)i - 3);
		assert_true(t->seed == hx_plan_task_seed(42, "smoke", t->tier, (uint64_t)t->sample));
		assert_true(t->timeout_s == (i < 3 ? 30.0 : 120.0));
		assert_true(t->module >= 0 && t->module < 500);
	}
	hx_plan_release(&p);
}

static void test_plan_is_pure(void **state)
{
	hx_spec s = make_spec();
	hx_plan a, b;
	(void)state;
	s.tiers[0].samples = 1000;
	assert_int_equal(hx_plan_build(&a, &s, 500), 0);
	assert_int_equal(hx_plan_build(&b, &s, 500), 0);
	assert_int_equal(a.n, b.n);
	assert_memory_equal(a.tasks, b.tasks, a.n * sizeof(hx_task));
	hx_plan_release(&a);
	hx_plan_release(&b);
}

/* Modules are drawn with replacement, roughly uniformly. */
static void test_module_draws_cover_corpus(void **state)
{
	hx_spec s = make_spec();
	hx_plan p;
	static int seen[500];
	size_t i, distinct = 0;
	(void)state;
	s.ntiers = 1;
	s.tiers[0].samples = 5000;
	assert_int_equal(hx_plan_build(&p, &s, 500), 0);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < p.n; i++)
		seen[p.tasks[i].module]++;
	for (i = 0; i < 500; i++)
		distinct += seen[i] > 0;
	/* 5000 draws over 500 modules: P(a module is never drawn) = e^-10 */
	assert_true(distinct >= 495);
	hx_plan_release(&p);
}

/* Samples that fit in the corpus are drawn without replacement, from a seed
 * of the tier's own: the same modules whatever else the plan holds. */
static void test_without_replacement(void **state)
{
	hx_spec s = make_spec();
	hx_plan p, q;
	static int seen[500];
	size_t i;
	(void)state;
	s.ntiers = 1;
	s.tiers[0].samples = 500;
	assert_int_equal(hx_plan_build(&p, &s, 500), 0);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < p.n; i++)
		assert_int_equal(seen[p.tasks[i].module]++, 0);
	/* a shorter run takes a prefix of the same sample */
	s.tiers[0].samples = 100;
	assert_int_equal(hx_plan_build(&q, &s, 500), 0);
	for (i = 0; i < q.n; i++)
		assert_int_equal(q.tasks[i].module, p.tasks[i].module);
	/* another seed, another sample */
	s.seed = 43;
	hx_plan_release(&q);
	assert_int_equal(hx_plan_build(&q, &s, 500), 0);
	for (i = 0; i < q.n && q.tasks[i].module == p.tasks[i].module; i++)
		;
	assert_true(i < q.n);
	hx_plan_release(&p);
	hx_plan_release(&q);
	assert_int_equal(hx_plan_build(&p, &s, 0), HX_EINVALID);
}

static void test_rng_reference(void **state)
{
	hx_rng r;
	double sum = 0, sumsq = 0;
	int i;
	(void)state;
	/* splitmix64 from 0: first output is 0xe220a8397b1dcdaf (Vigna's
	 * reference implementation). */
	{
		uint64_t st = 0;
		assert_true(hx_splitmix64(&st) == 0xe220a8397b1dcdafULL);
	}
	hx_rng_init(&r, 1);
	for (i = 0; i < 100000; i++) {
		double z = hx_rng_normal(&r);
		sum += z;
		sumsq += z * z;
	}
	/* mean within 5 standard errors of 0, variance within 2% of 1 */
	assert_true(sum / 100000 > -5 * 0.00316 && sum / 100000 < 5 * 0.00316);
	assert_true(sumsq / 100000 > 0.98 && sumsq / 100000 < 1.02);
	for (i = 0; i < 1000; i++) {
		double u = hx_rng_uniform(&r), o = hx_rng_open01(&r);
		assert_true(u >= 0 && u < 1);
		assert_true(o > 0 && o < 1);
		assert_true(hx_rng_below(&r, 7) < 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_derivation_matches_xxhsum),
		cmocka_unit_test(test_seed_depends_on_every_input),
		cmocka_unit_test(test_plan_order_and_fields),
		cmocka_unit_test(test_plan_is_pure),
		cmocka_unit_test(test_module_draws_cover_corpus),
		cmocka_unit_test(test_without_replacement),
		cmocka_unit_test(test_rng_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
