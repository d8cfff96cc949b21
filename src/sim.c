/* sim.c - the built-in simulated verifier ("sim-verifier").
 *
 * It reads the verifier's own noise configuration (models.h) and simulates
 * one verification per task with known noise:
 *
 *   corpus module m (fixed per master seed): ground truth valid with
 *     probability 1 - invalid_fraction, difficulty ~ lognormal(0, sigma),
 *     slice drawn by the simulator's slice_weights (or none);
 *   task: a latent verification time D ~ lognormal(median * difficulty,
 *     sigma), drawn for every task; with timeout_rate the call stalls (the
 *     noise model's injected timeout: outcome verifier_timeout, lasting a
 *     draw from the tier's or slice's timeout_distribution); otherwise, when
 *     D reaches the task's timeout the harness kills the run at the timeout
 *     (verifier_timeout, lasting exactly the timeout: D is right-censored
 *     there, as with a real verifier); otherwise the run completes after D
 *     and a valid proof fails with spurious_fail_rate, an invalid one passes
 *     with spurious_pass_rate.
 *
 * So the observed timeout rate of a tier with timeout T is
 * timeout_rate + (1 - timeout_rate) P(D >= T), and the completed durations
 * are D truncated at T: the story the duration fit (fit.h, stall model)
 * tells. Without module difficulty spread D is lognormal(ln median, sigma);
 * with it, lognormal(ln median, sqrt(sigma^2 + difficulty_sigma^2)) over a
 * large corpus.
 *
 * A task run with a longer timeout than its tier's (ground-truth labeling
 * runs timed-out tasks again with timeout x multiplier) stalls with
 * probability timeout_rate^(timeout / tier timeout): a stall that outlasts
 * the tier timeout with probability p outlasts m times it with p^m when
 * stalls are memoryless (exponential); its latent time D is the same, so a
 * run that only outlasted the tier timeout completes. At the tier's own
 * timeout nothing changes. Tasks may name any tier the models have, not
 * only the spec's (consensus voters on another tier).
 *
 * Every task draws the same sequence of random numbers whatever its branch,
 * so changing one rate moves only the outcomes it should.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "engine.h"
#include "error.h"
#include "rng.h"

#define SIM_VERSION "sim-verifier/2"

typedef struct {
	unsigned char valid;
	int slice; /* index into models->slices, -1 for none */
	double difficulty;
} sim_module;

typedef struct {
	hx_engine base;
	const hx_models *models;
	uint64_t master_seed;
	const char *experiment;
	sim_module *modules;
	long nmodules;
	const hx_corpus *corpus;
	/* Effective parameters per tier and slice (+1 for "no slice"). */
	hx_tier_model *params; /* [tier][nslices + 1] */
	int *noise;            /* same shape */
	int has_tier[HX_TIER_COUNT];
	double tier_timeout_s[HX_TIER_COUNT]; /* the spec's, else the models' */
} sim_engine;

static const char *const tactic_names[] = {"simp", "rw", "exact", "apply", "intro", "linarith"};
static const double tactic_means[] = {6.0, 4.0, 3.0, 2.0, 2.5, 1.0};
#define NTACTICS (sizeof(tactic_names) / sizeof(tactic_names[0]))

static const char *const error_messages[] = {
	"type mismatch",
	"unsolved goals",
	"failed to synthesize instance",
	"unknown identifier 'h'",
	"linarith failed to find a contradiction",
};
#define NERRORS (sizeof(error_messages) / sizeof(error_messages[0]))

static size_t param_slot(const sim_engine *s, hx_tier t, int slice)
{
	return (size_t)t * (s->models->nslices + 1) + (size_t)(slice + 1);
}

static double draw_timeout_ms(hx_rng *r, const hx_timeout_dist *d)
{
	double u = hx_rng_open01(r);
	switch (d->kind) {
	case HX_DIST_UNIFORM:
		return d->min_ms + (d->max_ms - d->min_ms) * u;
	case HX_DIST_EXPONENTIAL:
		return -d->mean_ms * log(u);
	case HX_DIST_FIXED:
	default:
		return d->fixed_ms;
	}
}

static int sim_run_task(hx_engine *e, const hx_task *task, hx_record *out)
{
	sim_engine *s = (sim_engine *)e;
	const sim_module *m = &s->modules[task->module];
	const hx_tier_model *tm = &s->params[param_slot(s, task->tier, m->slice)];
	int noise = s->noise[param_slot(s, task->tier, m->slice)];
	double timeout_ms = task->timeout_s * 1000.0;
	double u_timeout, u_spurious, duration, latent, z, timeout_rate = tm->timeout_rate;
	int timed_out, stalled;
	size_t k;
	hx_rng r;
	hx_buf tail = HX_BUF_INIT;
	char namebuf[64];
	const char *module = hx_corpus_name(s->corpus, (size_t)task->module, namebuf,
					    sizeof(namebuf));

	if (!s->has_tier[task->tier]) {
		hx_error_set("the models have no tier '%s'", hx_tier_model_name(task->tier));
		return HX_EINVALID;
	}
	if (task->timeout_s > s->tier_timeout_s[task->tier] && timeout_rate > 0)
		timeout_rate = pow(timeout_rate, task->timeout_s / s->tier_timeout_s[task->tier]);
	hx_rng_init(&r, task->seed);
	u_timeout = hx_rng_uniform(&r);
	u_spurious = hx_rng_uniform(&r);

	/* The latent verification time, drawn whatever the branch so the
	 * stream stays aligned; a run the harness kills at the timeout lasts
	 * the timeout. */
	z = hx_rng_normal(&r);
	latent = s->models->sim.duration_median_ms * m->difficulty *
		 exp(s->models->sim.duration_sigma * z);
	stalled = noise && u_timeout < timeout_rate;
	timed_out = stalled || latent >= timeout_ms;

	if (stalled) {
		out->outcome = HX_OUT_VERIFIER_TIMEOUT;
		duration = draw_timeout_ms(&r, &tm->timeout_distribution);
	} else if (timed_out) {
		(void)hx_rng_uniform(&r); /* keep the stream aligned */
		out->outcome = HX_OUT_VERIFIER_TIMEOUT;
		duration = timeout_ms;
	} else {
		(void)hx_rng_uniform(&r);
		duration = latent;
		if (m->valid)
			out->outcome = noise && u_spurious < tm->spurious_fail_rate
					       ? HX_OUT_PROOF_INVALID
					       : HX_OUT_VERIFIED;
		else
			out->outcome = noise && u_spurious < tm->spurious_pass_rate
					       ? HX_OUT_VERIFIED
					       : HX_OUT_PROOF_INVALID;
	}

	out->duration_ms = duration;
	out->cpu_time_ms = duration * (0.86 + 0.12 * hx_rng_uniform(&r));
	out->memory_peak_mb = s->models->sim.memory_base_mb * (0.7 + 0.3 * sqrt(m->difficulty)) *
			      exp(0.08 * hx_rng_normal(&r));
	if (timed_out) {
		out->has_signal = 1;
		out->signal = 9; /* the harness kills a timed-out verifier */
	} else {
		out->has_exit_code = 1;
		out->exit_code = out->outcome == HX_OUT_VERIFIED ? 0 : 1;
	}

	/* Tactic counts scale with difficulty; a timed-out run got partway. */
	for (k = 0; k < NTACTICS; k++) {
		double mean = tactic_means[k] * m->difficulty * (timed_out ? 0.5 : 1.0);
		long c = (long)floor(2.0 * mean * hx_rng_uniform(&r));
		if (c > 0) {
			snprintf(out->tactics[out->ntactics].name,
				 sizeof(out->tactics[out->ntactics].name), "%s", tactic_names[k]);
			out->tactics[out->ntactics].count = c;
			out->ntactics++;
		}
	}

	{
		uint64_t line = 10 + hx_rng_below(&r, 400), col = 2 + hx_rng_below(&r, 40);
		uint64_t which = hx_rng_below(&r, NERRORS);
		if (out->outcome == HX_OUT_PROOF_INVALID) {
			const char *p;
			for (p = module; *p; p++)
				hx_buf_putc(&tail, *p == '.' ? '/' : *p);
			hx_buf_printf(&tail, ".lean:%" PRIu64 ":%" PRIu64 ": error: %s\n", line, col,
				      error_messages[which]);
			out->stderr_tail = hx_buf_detach(&tail, NULL);
		}
	}

	snprintf(out->module_name, sizeof(out->module_name), "%s", module);
	snprintf(out->context, sizeof(out->context), "calibration_%s_%s", hx_tier_name(task->tier),
		 out->module_name);
	out->tier = task->tier;
	out->timeout_s = task->timeout_s;
	out->master_seed = s->master_seed;
	out->task_seed = task->seed;
	out->task_index = task->index;
	out->engine = s->base.kind;
	out->engine_version = s->base.version;
	out->ground_truth = m->valid ? "valid" : "invalid";
	out->slice = m->slice >= 0 ? s->models->slices[m->slice].name : NULL;
	out->difficulty = m->difficulty;
	hx_buf_release(&tail);
	return 0;
}

static void sim_free(hx_engine *e)
{
	sim_engine *s = (sim_engine *)e;
	free(s->modules);
	free(s->params);
	free(s->noise);
	free(s);
}

/* Each corpus module draws its properties from its own seed, so module m is
 * the same module in every tier and every task that samples it. */
static void build_corpus(sim_engine *s)
{
	const hx_sim_params *sp = &s->models->sim;
	long i;
	size_t w;

	for (i = 0; i < s->nmodules; i++) {
		sim_module *m = &s->modules[i];
		uint64_t mix = s->master_seed ^ ((uint64_t)i * 0x9e3779b97f4a7c15ULL);
		hx_rng r;
		double u, acc = 0;

		hx_rng_init(&r, hx_splitmix64(&mix) ^ 0x636f72707573ULL); /* "corpus" */
		m->valid = hx_rng_uniform(&r) >= sp->invalid_fraction;
		m->difficulty = exp(sp->difficulty_sigma * hx_rng_normal(&r));
		u = hx_rng_uniform(&r);
		m->slice = -1;
		for (w = 0; w < sp->nslice_weights; w++) {
			acc += sp->slice_weights[w];
			if (u < acc) {
				const hx_slice_model *sl = hx_models_slice(s->models, sp->slice_names[w]);
				m->slice = (int)(sl - s->models->slices);
				break;
			}
		}
	}
}

int hx_sim_new(hx_engine **out, const hx_engine_ctx *ctx)
{
	const hx_spec *spec = ctx->spec;
	sim_engine *s = hx_xcalloc(1, sizeof(*s));
	size_t nsl, t, sl;
	int err;

	*out = NULL;
	s->base.kind = "sim-verifier";
	s->base.version = SIM_VERSION;
	s->base.run_task = sim_run_task;
	s->base.free = sim_free;
	s->models = spec->models;
	s->master_seed = spec->seed;
	s->experiment = spec->experiment;
	s->nmodules = (long)ctx->corpus->n;
	s->corpus = ctx->corpus;
	nsl = s->models->nslices + 1;
	s->params = hx_xcalloc(HX_TIER_COUNT * nsl, sizeof(hx_tier_model));
	s->noise = hx_xcalloc(HX_TIER_COUNT * nsl, sizeof(int));
	for (t = 0; t < HX_TIER_COUNT; t++) {
		const hx_spec_tier *st = NULL;
		size_t k;
		for (k = 0; k < spec->ntiers; k++)
			if (spec->tiers[k].tier == (hx_tier)t)
				st = &spec->tiers[k];
		if (!st && !s->models->has_tier[t])
			continue; /* neither run nor modelled: no task may name it */
		s->has_tier[t] = 1;
		s->tier_timeout_s[t] = st ? st->timeout_s : s->models->tiers[t].base_timeout_s;
		for (sl = 0; sl < nsl; sl++) {
			const hx_slice_model *slice = sl ? &s->models->slices[sl - 1] : NULL;
			size_t at = param_slot(s, (hx_tier)t, (int)sl - 1);
			err = hx_models_resolve(s->models, (hx_tier)t, slice, &s->params[at], &s->noise[at]);
			if (err) {
				sim_free(&s->base);
				return err;
			}
		}
	}
	s->modules = hx_xcalloc((size_t)s->nmodules, sizeof(sim_module));
	build_corpus(s);
	*out = &s->base;
	return 0;
}
