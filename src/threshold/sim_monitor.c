/* threshold/sim_monitor.c - the built-in sim-monitor engine (sim_monitor.h). */
#include <math.h>
#include <stdlib.h>

#include "buf.h"
#include "rng.h"
#include "threshold/sim_monitor.h"

/* Small k keeps its top values in a descending array of this many; a
 * larger k sorts all the sample's values. */
#define TOP_INLINE 64

static double draw(hx_rng *r, const hx_spec_token_dist *d)
{
	double x = d->mean + d->sd * hx_rng_normal(r);
	return d->lognormal ? exp(x) : x;
}

static int descending(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

double hx_sim_monitor_sample(const hx_spec_monitor *m, uint64_t seed, int *positive)
{
	const hx_spec_token_dist *d;
	hx_rng r;
	double top[TOP_INLINE], *all = NULL, sum = 0;
	long t, k = m->top_k, have = 0, i;

	hx_rng_init(&r, seed);
	*positive = hx_rng_uniform(&r) < m->positive_rate;
	d = *positive ? &m->positive : &m->negative;
	if (k > TOP_INLINE)
		all = hx_xcalloc((size_t)m->max_tokens, sizeof(double));
	for (t = 0; t < m->max_tokens; t++) {
		double x = draw(&r, d);
		if (all) {
			all[t] = x;
			continue;
		}
		/* insert into the descending top[0..have) */
		if (have == k && x <= top[k - 1])
			continue;
		i = have < k ? have++ : k - 1;
		while (i > 0 && top[i - 1] < x) {
			top[i] = top[i - 1];
			i--;
		}
		top[i] = x;
	}
	if (all) {
		qsort(all, (size_t)m->max_tokens, sizeof(double), descending);
		for (i = 0; i < k; i++)
			sum += all[i];
		free(all);
	} else {
		for (i = 0; i < k; i++)
			sum += top[i];
	}
	return sum / (double)k;
}
