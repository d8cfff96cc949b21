/* test_sim_monitor.c - the built-in sim-monitor engine
 * (threshold/sim_monitor.h): the score is the mean of the top-k of the
 * sample's own draws, in the documented order; labels come at the
 * configured rate; and the AUROC of its scores is the closed form when the
 * score is the mean of every token (normal values: the score is normal
 * with variance sd^2 / T). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "spec_engine.h"
#include "threshold/sim_monitor.h"

static int desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

/* The score recomputed from the generator: one uniform for the label,
 * then max_tokens values; the top k summed largest first. */
static double expected(const hx_spec_monitor *m, uint64_t seed, int *positive)
{
	hx_rng r;
	double *v = calloc((size_t)m->max_tokens, sizeof(double)), sum = 0;
	const hx_spec_token_dist *d;
	long i;
	hx_rng_init(&r, seed);
	*positive = hx_rng_uniform(&r) < m->positive_rate;
	d = *positive ? &m->positive : &m->negative;
	for (i = 0; i < m->max_tokens; i++) {
		double x = d->mean + d->sd * hx_rng_normal(&r);
		v[i] = d->lognormal ? exp(x) : x;
	}
	qsort(v, (size_t)m->max_tokens, sizeof(double), desc);
	for (i = 0; i < m->top_k; i++)
		sum += v[i];
	free(v);
	return sum / (double)m->top_k;
}

static void test_top_k(void **state)
{
	hx_spec_monitor m;
	uint64_t seed;
	(void)state;
	hx_spec_monitor_default(&m);
	for (seed = 1; seed < 2000; seed++) {
		int pos, want_pos;
		double got = hx_sim_monitor_sample(&m, seed, &pos);
		double want = expected(&m, seed, &want_pos);
		assert_int_equal(pos, want_pos);
		if (got != want)
			fail_msg("seed %llu: %.17g, want %.17g", (unsigned long long)seed, got, want);
	}
	/* a k beyond the inline top array, and lognormal values */
	m.max_tokens = 300;
	m.top_k = 100;
	m.positive.lognormal = 1;
	m.positive.mean = 0.5;
	for (seed = 1; seed < 200; seed++) {
		int pos, want_pos;
		assert_true(hx_sim_monitor_sample(&m, seed, &pos) == expected(&m, seed, &want_pos));
		assert_int_equal(pos, want_pos);
	}
	/* k = 1: the largest value */
	m.top_k = 1;
	m.max_tokens = 1;
	{
		int pos, want_pos;
		assert_true(hx_sim_monitor_sample(&m, 42, &pos) == expected(&m, 42, &want_pos));
	}
}

static void test_labels(void **state)
{
	hx_spec_monitor m;
	uint64_t seed;
	long pos_count = 0, n = 100000;
	double se;
	(void)state;
	hx_spec_monitor_default(&m);
	m.positive_rate = 0.3;
	for (seed = 0; seed < (uint64_t)n; seed++) {
		int pos;
		hx_sim_monitor_sample(&m, seed * 2654435761u + 1, &pos);
		pos_count += pos;
	}
	se = sqrt(0.3 * 0.7 / (double)n);
	assert_true(fabs((double)pos_count / (double)n - 0.3) < 5 * se);
	/* rate 0 and 1 */
	m.positive_rate = 0;
	{
		int pos;
		hx_sim_monitor_sample(&m, 9, &pos);
		assert_int_equal(pos, 0);
		m.positive_rate = 1;
		hx_sim_monitor_sample(&m, 9, &pos);
		assert_int_equal(pos, 1);
	}
}

typedef struct {
	double s;
	int pos;
} pair_t;

static int by_score(const void *a, const void *b)
{
	double x = ((const pair_t *)a)->s, y = ((const pair_t *)b)->s;
	return (x > y) - (x < y);
}

/* Mann-Whitney AUROC, written out (scores are continuous: no ties). */
static double auroc(pair_t *p, size_t n)
{
	size_t i, npos = 0;
	double rank_sum = 0;
	qsort(p, n, sizeof(*p), by_score);
	for (i = 0; i < n; i++)
		if (p[i].pos) {
			npos++;
			rank_sum += (double)(i + 1);
		}
	return (rank_sum - (double)npos * (double)(npos + 1) / 2) /
	       ((double)npos * (double)(n - npos));
}

static void test_auroc_closed_form(void **state)
{
	hx_spec_monitor m;
	size_t n = 200000, i;
	pair_t *p = calloc(n, sizeof(*p));
	double got, want, T;
	(void)state;
	hx_spec_monitor_default(&m);
	m.max_tokens = 4;
	m.top_k = 4; /* the mean of every value: normal, sd / sqrt(T) */
	m.positive_rate = 0.5;
	m.negative.mean = 0;
	m.negative.sd = 1;
	m.positive.mean = 0.5;
	m.positive.sd = 1;
	for (i = 0; i < n; i++)
		p[i].s = hx_sim_monitor_sample(&m, 1000 + i, &p[i].pos);
	got = auroc(p, n);
	T = (double)m.max_tokens;
	/* P(X1 > X0) = Phi((mu1 - mu0) / sqrt(2 sd^2 / T)) */
	want = 0.5 * erfc(-(0.5 / sqrt(2.0 / T)) / sqrt(2.0));
	/* the AUROC's standard error here is about 0.001 */
	if (fabs(got - want) > 0.005)
		fail_msg("AUROC %.5f, closed form %.5f", got, want);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_k),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_auroc_closed_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
