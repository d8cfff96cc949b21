#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "hash.h"
#include "rng.h"

uint64_t hx_plan_seed(uint64_t master_seed, const char *a, const char *b, uint64_t index)
{
	unsigned char stack[256], *bytes = stack;
	size_t alen = strlen(a), blen = strlen(b), n = alen + blen + 2 + 8, i;
	uint64_t seed;

	if (n > sizeof(stack))
		bytes = hx_xmalloc(n);
	memcpy(bytes, a, alen + 1);
	memcpy(bytes + alen + 1, b, blen + 1);
	for (i = 0; i < 8; i++) /* little-endian whatever the host */
		bytes[alen + blen + 2 + i] = (unsigned char)(index >> (8 * i));
	seed = hx_hash64(bytes, n, master_seed);
	if (bytes != stack)
		free(bytes);
	return seed;
}

uint64_t hx_plan_task_seed(uint64_t master_seed, const char *experiment, hx_tier tier,
			   uint64_t index)
{
	return hx_plan_seed(master_seed, experiment, hx_tier_name(tier), index);
}

/* Without replacement: the first `k` entries of a seeded shuffle of 0..n-1. */
static void sample_modules(hx_task *tasks, long k, size_t n, uint64_t seed)
{
	uint32_t *perm = hx_xmalloc(n * sizeof(uint32_t));
	hx_rng r;
	size_t i;
	long j;

	hx_rng_init(&r, seed);
	for (i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (j = 0; j < k; j++) {
		size_t pick = (size_t)j + (size_t)hx_rng_below(&r, (uint64_t)(n - (size_t)j));
		uint32_t t = perm[j];
		perm[j] = perm[pick];
		perm[pick] = t;
		tasks[j].module = (long)perm[j];
	}
	free(perm);
}

static uint64_t corpus_seed(uint64_t master_seed, const char *experiment, hx_tier tier)
{
	hx_buf b = HX_BUF_INIT;
	uint64_t seed;
	hx_buf_puts(&b, experiment);
	hx_buf_putc(&b, '\0');
	hx_buf_puts(&b, hx_tier_name(tier));
	hx_buf_putc(&b, '\0');
	hx_buf_puts(&b, "corpus");
	seed = hx_hash64(b.ptr, b.len, master_seed);
	hx_buf_release(&b);
	return seed;
}

int hx_plan_build(hx_plan *out, const hx_spec *spec, size_t ncorpus)
{
	size_t total = 0, k = 0, t;
	long i;

	memset(out, 0, sizeof(*out));
	for (t = 0; t < spec->ntiers; t++)
		total += (size_t)spec->tiers[t].samples;
	if (ncorpus == 0 || ncorpus > UINT32_MAX) {
		hx_error_set("'%s': a corpus needs 1 to %u modules, not %zu", spec->path, UINT32_MAX,
			     ncorpus);
		return HX_EINVALID;
	}
	out->tasks = hx_xcalloc(total ? total : 1, sizeof(hx_task));
	out->n = total;
	for (t = 0; t < spec->ntiers; t++) {
		const hx_spec_tier *st = &spec->tiers[t];
		hx_task *first = &out->tasks[k];
		for (i = 0; i < st->samples; i++, k++) {
			hx_task *task = &out->tasks[k];
			task->index = k;
			task->tier = st->tier;
			task->sample = i;
			task->seed = hx_plan_task_seed(spec->seed, spec->experiment, st->tier,
						       (uint64_t)i);
			task->timeout_s = st->timeout_s;
			if ((size_t)st->samples > ncorpus) {
				/* A sub-seed of its own, so the module choice and
				 * the engine's draws (from task->seed) are
				 * independent streams. */
				uint64_t mix = task->seed ^ 0x6d6f64756c65ULL; /* "module" */
				hx_rng r;
				hx_rng_init(&r, hx_splitmix64(&mix));
				task->module = (long)hx_rng_below(&r, ncorpus);
			}
		}
		if ((size_t)st->samples <= ncorpus)
			sample_modules(first, st->samples, ncorpus,
				       corpus_seed(spec->seed, spec->experiment, st->tier));
	}
	return 0;
}

void hx_plan_release(hx_plan *p)
{
	free(p->tasks);
	memset(p, 0, sizeof(*p));
}
