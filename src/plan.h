/* plan.h - the plan: every task of a spec in a fixed order with its seed.
 *
 * Order: tier (FAST, BALANCED, SLOW), then sample index. The plan is a pure
 * function of the spec (and the master seed): no clock, no worker count.
 *
 * Task seed = XXH64 of the bytes  experiment NUL tier-name NUL index(u64 LE)
 * with the master seed as XXH64's seed.
 *
 * Modules: when a tier's samples fit in the corpus, the tier takes a seeded
 * sample without replacement (a partial Fisher-Yates shuffle whose seed is
 * XXH64 of experiment NUL tier-name NUL "corpus"); otherwise each task draws
 * its module with replacement from its own seed.
 */
#ifndef HX_PLAN_H
#define HX_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "spec.h"
#include "tier.h"

typedef struct {
	size_t index;         /* position in the plan (0-based) */
	hx_tier tier;
	long sample;          /* index within the tier */
	uint64_t seed;        /* per-task seed */
	long module;          /* corpus module index */
	double timeout_s;
} hx_task;

typedef struct {
	hx_task *tasks;
	size_t n;
} hx_plan;

/* XXH64 of the bytes  a NUL b NUL index(u64 LE), seeded with master_seed:
 * the task seed with a = experiment, b = tier name; experiment series use
 * a = experiment, b = step name, index = the run's. */
uint64_t hx_plan_seed(uint64_t master_seed, const char *a, const char *b, uint64_t index);
uint64_t hx_plan_task_seed(uint64_t master_seed, const char *experiment, hx_tier tier,
			   uint64_t index);

/* Build the plan of a loaded spec over a corpus of ncorpus modules. */
int hx_plan_build(hx_plan *out, const hx_spec *spec, size_t ncorpus);
void hx_plan_release(hx_plan *p);

#endif
