#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "hash.h"
#include "rng.h"

uint64_t hx_plan_task_seed(uint64_t master_seed, const char *experiment, hx_tier tier,
			   uint64_t index)
{
	unsigned char stack[256], *bytes = stack;
	const char *tname = hx_tier_name(tier);
	size_t elen = strlen(experiment), tlen = strlen(tname), n = elen + tlen + 2 + 8, i;
	uint64_t seed;

	if (n > sizeof(stack))
		bytes = hx_xmalloc(n);
	memcpy(bytes, experiment, elen + 1);
	memcpy(bytes + elen + 1, tname, tlen + 1);
	for (i = 0; i < 8; i++) /* little-endian whatever the host */
		bytes[elen + tlen + 2 + i] = (unsigned char)(index >> (8 * i));
	seed = hx_hash64(bytes, n, master_seed);
	if (bytes != stack)
		free(bytes);
	return seed;
}

int hx_plan_build(hx_plan *out, const hx_spec *spec)
{
	size_t total = 0, k = 0, t;
	long i;

	memset(out, 0, sizeof(*out));
	for (t = 0; t < spec->ntiers; t++)
		total += (size_t)spec->tiers[t].samples;
	if (spec->corpus_modules <= 0) {
		hx_error_set("'%s': the corpus has no modules", spec->path);
		return HX_EINVALID;
	}
	out->tasks = hx_xcalloc(total, sizeof(hx_task));
	out->n = total;
	for (t = 0; t < spec->ntiers; t++) {
		const hx_spec_tier *st = &spec->tiers[t];
		for (i = 0; i < st->samples; i++, k++) {
			hx_task *task = &out->tasks[k];
			uint64_t mix;
			task->index = k;
			task->tier = st->tier;
			task->sample = i;
			task->seed = hx_plan_task_seed(spec->seed, spec->experiment, st->tier,
						       (uint64_t)i);
			task->timeout_s = st->timeout_s;
			/* A sub-seed of its own, so the module choice and the
			 * engine's draws (which start from task->seed) are
			 * independent streams. */
			mix = task->seed ^ 0x6d6f64756c65ULL; /* "module" */
			task->module = (long)(hx_splitmix64(&mix) % (uint64_t)spec->corpus_modules);
		}
	}
	return 0;
}

void hx_plan_release(hx_plan *p)
{
	free(p->tasks);
	memset(p, 0, sizeof(*p));
}
