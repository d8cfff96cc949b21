/* test_sim.c - the simulated verifier draws what its models say. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "engine.h"
#include "fit.h"
#include "models.h"
#include "plan.h"
#include "testutil.h"

static hx_models models;
static hx_spec spec;
static hx_corpus corpus;
static hx_engine_ctx ctx;

static void setup_models(int noise)
{
	hx_tier_model *t = &models.tiers[HX_TIER_BALANCED];
	memset(&models, 0, sizeof(models));
	models.noise_enabled = noise;
	models.has_tier[HX_TIER_BALANCED] = 1;
	t->timeout_rate = 0.10;
	t->spurious_fail_rate = 0.05;
	t->spurious_pass_rate = 0.02;
	t->base_timeout_s = 60;
	t->timeout_distribution.kind = HX_DIST_UNIFORM;
	t->timeout_distribution.min_ms = 1000;
	t->timeout_distribution.max_ms = 2000;
	hx_test_sim_defaults(&models.sim);

	memset(&spec, 0, sizeof(spec));
	spec.path = "test.yaml";
	spec.experiment = "simtest";
	spec.seed = 42;
	spec.engine_kind = "sim-verifier";
	spec.models = &models;
	spec.corpus_modules = 5000;
	spec.ntiers = 1;
	spec.tiers[0].tier = HX_TIER_BALANCED;
	spec.tiers[0].timeout_s = 10; /* low, so that runs outlast it: about 2% */
	spec.tiers[0].samples = 40000;
	corpus.names = NULL; /* synthetic */
	corpus.n = (size_t)spec.corpus_modules;
	ctx.spec = &spec;
	ctx.corpus = &corpus;
}

/* |observed - p| within 4.5 binomial standard errors */
static void near_rate(unsigned long k, unsigned long n, double p)
{
	double obs = (double)k / (double)n, se = sqrt(p * (1 - p) / (double)n);
	if (fabs(obs - p) > 4.5 * se)
		fail_msg("rate %lu/%lu = %.4f, expected %.4f +- %.4f", k, n, obs, p, 4.5 * se);
}

static void test_rates_follow_models(void **state)
{
	hx_engine *e;
	hx_plan plan;
	size_t i;
	unsigned long n = 0, stalls = 0, killed = 0, valid_done = 0, valid_failed = 0,
		      invalid_done = 0, invalid_passed = 0;
	double s_expected;
	(void)state;
	setup_models(1);
	assert_int_equal(hx_plan_build(&plan, &spec, (size_t)spec.corpus_modules), 0);
	assert_int_equal(hx_engine_new(&e, &ctx), 0);
	assert_string_equal(e->version, "sim-verifier/2");
	for (i = 0; i < plan.n; i++) {
		hx_record r;
		hx_record_init(&r);
		assert_int_equal(e->run_task(e, &plan.tasks[i], &r), 0);
		n++;
		if (r.outcome == HX_OUT_VERIFIER_TIMEOUT) {
			/* a stall lasts a draw of the timeout distribution; a run
			 * that outlasted the timeout was killed at it */
			if (r.duration_ms == 10000.0)
				killed++;
			else
				stalls++, assert_true(r.duration_ms >= 1000 && r.duration_ms <= 2000);
			assert_true(r.has_signal && r.signal == 9 && !r.has_exit_code);
		} else {
			assert_true(r.duration_ms > 0 && r.duration_ms < 10000);
			assert_true(r.has_exit_code && !r.has_signal);
			assert_int_equal(r.exit_code, r.outcome == HX_OUT_VERIFIED ? 0 : 1);
			if (strcmp(r.ground_truth, "valid") == 0) {
				valid_done++;
				valid_failed += r.outcome == HX_OUT_PROOF_INVALID;
			} else {
				invalid_done++;
				invalid_passed += r.outcome == HX_OUT_VERIFIED;
			}
			if (r.outcome == HX_OUT_PROOF_INVALID)
				assert_non_null(strstr(r.stderr_tail, ": error: "));
		}
		assert_true(r.cpu_time_ms <= r.duration_ms);
		assert_true(r.memory_peak_mb > 0);
		hx_record_release(&r);
	}
	near_rate(stalls, n, 0.10);
	/* the rest time out when their latent time D reaches 10 s: D is
	 * lognormal(ln 2000, sqrt(0.6^2 + 0.5^2)) over modules (the corpus of
	 * 5000 is itself a draw, so allow it 0.004 more) */
	s_expected = 0.5 * erfc(log(10000.0 / 2000.0) / sqrt(0.61) / sqrt(2.0));
	assert_true(fabs((double)killed / (double)(n - stalls) - s_expected) < 0.004 +
			4.5 * sqrt(s_expected * (1 - s_expected) / (double)(n - stalls)));
	near_rate(valid_failed, valid_done, 0.05);
	near_rate(invalid_passed, invalid_done, 0.02);
	/* ground truth: about invalid_fraction of the draws are invalid (the
	 * corpus of 5000 modules is itself a draw: sd 0.006 around 0.2) */
	assert_true(fabs((double)invalid_done / (double)(valid_done + invalid_done) - 0.2) < 0.025);
	hx_engine_free(e);
	hx_plan_release(&plan);
}

static void test_noise_disabled(void **state)
{
	hx_engine *e;
	hx_plan plan;
	size_t i;
	(void)state;
	setup_models(0);
	spec.tiers[0].samples = 3000;
	assert_int_equal(hx_plan_build(&plan, &spec, (size_t)spec.corpus_modules), 0);
	assert_int_equal(hx_engine_new(&e, &ctx), 0);
	for (i = 0; i < plan.n; i++) {
		hx_record r;
		hx_record_init(&r);
		assert_int_equal(e->run_task(e, &plan.tasks[i], &r), 0);
		/* without noise the verifier is exact, but a run that outlasts
		 * the timeout is still killed at it */
		if (r.outcome == HX_OUT_VERIFIER_TIMEOUT)
			assert_true(r.duration_ms == 10000.0);
		else
			assert_int_equal(r.outcome, strcmp(r.ground_truth, "valid") == 0
							    ? HX_OUT_VERIFIED
							    : HX_OUT_PROOF_INVALID);
		hx_record_release(&r);
	}
	hx_engine_free(e);
	hx_plan_release(&plan);
}

/* A task's record depends on the task alone: run the plan forwards and
 * backwards with fresh engines and compare the serialized records. */
static void test_task_independent_of_order(void **state)
{
	hx_engine *a, *b;
	hx_plan plan;
	size_t i;
	hx_buf *fw;
	(void)state;
	setup_models(1);
	spec.tiers[0].samples = 500;
	assert_int_equal(hx_plan_build(&plan, &spec, (size_t)spec.corpus_modules), 0);
	assert_int_equal(hx_engine_new(&a, &ctx), 0);
	assert_int_equal(hx_engine_new(&b, &ctx), 0);
	fw = calloc(plan.n, sizeof(hx_buf));
	for (i = 0; i < plan.n; i++) {
		hx_record r;
		hx_record_init(&r);
		assert_int_equal(a->run_task(a, &plan.tasks[i], &r), 0);
		hx_buf_init(&fw[i]);
		hx_record_write_json(&fw[i], &r);
		hx_record_release(&r);
	}
	for (i = plan.n; i-- > 0;) {
		hx_record r;
		hx_buf bw = HX_BUF_INIT;
		hx_record_init(&r);
		assert_int_equal(b->run_task(b, &plan.tasks[i], &r), 0);
		hx_record_write_json(&bw, &r);
		assert_string_equal(bw.ptr, fw[i].ptr);
		hx_record_release(&r);
		hx_buf_release(&bw);
		hx_buf_release(&fw[i]);
	}
	free(fw);
	hx_engine_free(a);
	hx_engine_free(b);
	hx_plan_release(&plan);
}

static void test_record_json_shape(void **state)
{
	hx_engine *e;
	hx_plan plan;
	hx_record r;
	hx_buf b = HX_BUF_INIT;
	(void)state;
	setup_models(1);
	spec.tiers[0].samples = 1;
	assert_int_equal(hx_plan_build(&plan, &spec, (size_t)spec.corpus_modules), 0);
	assert_int_equal(hx_engine_new(&e, &ctx), 0);
	hx_record_init(&r);
	strcpy(r.verification_id, "id-1");
	r.timestamp = 1700000000.5;
	r.worker = 3;
	assert_int_equal(e->run_task(e, &plan.tasks[0], &r), 0);
	hx_record_write_json(&b, &r);
	assert_true(strncmp(b.ptr, "{\"verification_id\":\"id-1\",\"timestamp\":1700000000.5,"
				   "\"module_name\":\"Synthetic.Proof",
			    80) == 0);
	assert_non_null(strstr(b.ptr, ",\"tier\":\"balanced\",\"timeout_s\":10,\"outcome\":\""));
	assert_non_null(strstr(b.ptr, "\"metadata\":{\"master_seed\":\"42\",\"task_seed\":\""));
	assert_non_null(strstr(b.ptr, "\"task_index\":0,\"worker\":3,\"engine\":\"sim-verifier\","
				      "\"engine_version\":\"sim-verifier/2\",\"ground_truth\":\""));
	assert_true(b.ptr[b.len - 1] == '\n');
	hx_record_release(&r);
	hx_buf_release(&b);
	hx_engine_free(e);
	hx_plan_release(&plan);
}

/* The simulator and the duration fit tell one story: over 20 master
 * seeds, three tiers whose timeouts cut into the durations (S(T) about
 * 0.30, 0.08, 0.011) with stall rates 0.10, 0.05, 0.01, the joint
 * lognormal fit with the stall model (fit.h, as hx_calib_fit runs it)
 * recovers mu = ln 2000, sigma = sqrt(0.6^2 + 0.5^2) and each tier's stall
 * rate within its 95% interval (estimate +- 1.96 SE) in at least 18 of the
 * 20 seeds for each, and the lognormal is the best family that fits in as
 * many. A corpus of 10^6 modules makes the tasks' difficulties nearly
 * independent draws. */
static void test_fit_recovers_simulator(void **state)
{
	static const hx_tier tiers[3] = {HX_TIER_FAST, HX_TIER_BALANCED, HX_TIER_SLOW};
	static const double stall[3] = {0.10, 0.05, 0.01}, T_s[3] = {3, 6, 12};
	const double mu = log(2000.0), sigma = sqrt(0.61);
	const hx_fit_options opt = {1, HX_FIT_MIN_KS_P};
	enum { SEEDS = 20, N = 4000 };
	int cov_mu = 0, cov_sigma = 0, cov_stall[3] = {0}, lognormal_best = 0, seed, t;
	static double dur[3][N];
	(void)state;
	for (seed = 0; seed < SEEDS; seed++) {
		hx_fit_result fits[3][HX_FIT_NFAMILIES], *rows[3] = {fits[0], fits[1], fits[2]};
		hx_fit_sample in[3];
		const hx_fit_result *f;
		hx_fit_family best;
		hx_engine *e;
		hx_plan plan;
		size_t i;
		int adequate;
		setup_models(1);
		for (t = 0; t < 3; t++) {
			hx_tier_model *m = &models.tiers[tiers[t]];
			*m = models.tiers[HX_TIER_BALANCED];
			m->timeout_rate = stall[t];
			m->base_timeout_s = T_s[t];
			models.has_tier[tiers[t]] = 1;
			spec.tiers[t].tier = tiers[t];
			spec.tiers[t].timeout_s = T_s[t];
			spec.tiers[t].samples = N;
			in[t].durations = dur[t];
			in[t].n = in[t].n_censored = 0;
			in[t].T = T_s[t] * 1000.0;
		}
		spec.ntiers = 3;
		spec.seed = 1000 + (uint64_t)seed;
		spec.corpus_modules = 1000000;
		corpus.n = (size_t)spec.corpus_modules;
		assert_int_equal(hx_plan_build(&plan, &spec, corpus.n), 0);
		assert_int_equal(hx_engine_new(&e, &ctx), 0);
		for (i = 0; i < plan.n; i++) {
			hx_record r;
			t = (int)plan.tasks[i].tier == HX_TIER_FAST ? 0
			    : plan.tasks[i].tier == HX_TIER_BALANCED ? 1 : 2;
			hx_record_init(&r);
			assert_int_equal(e->run_task(e, &plan.tasks[i], &r), 0);
			if (r.outcome == HX_OUT_VERIFIER_TIMEOUT)
				in[t].n_censored++;
			else
				dur[t][in[t].n++] = r.duration_ms;
			hx_record_release(&r);
		}
		assert_int_equal(hx_fit_joint(rows, in, 3, &opt, &best, &adequate), 0);
		f = &fits[0][HX_FIT_LOGNORMAL];
		assert_true(f->ok && f->stall_model);
		cov_mu += fabs(f->p[0] - mu) <= 1.96 * f->se[0];
		cov_sigma += fabs(f->p[1] - sigma) <= 1.96 * f->se[1];
		for (t = 0; t < 3; t++) {
			f = &fits[t][HX_FIT_LOGNORMAL];
			cov_stall[t] += fabs(f->stall - stall[t]) <= 1.96 * f->stall_se;
		}
		lognormal_best += adequate && best == HX_FIT_LOGNORMAL;
		hx_engine_free(e);
		hx_plan_release(&plan);
	}
	print_message("covered in 20 seeds: mu %d, sigma %d, stall fast %d, balanced %d, slow %d; "
		      "lognormal best %d\n",
		      cov_mu, cov_sigma, cov_stall[0], cov_stall[1], cov_stall[2], lognormal_best);
	assert_true(cov_mu >= 18 && cov_sigma >= 18);
	for (t = 0; t < 3; t++)
		assert_true(cov_stall[t] >= 18);
	assert_true(lognormal_best >= 18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_follow_models),
		cmocka_unit_test(test_noise_disabled),
		cmocka_unit_test(test_task_independent_of_order),
		cmocka_unit_test(test_record_json_shape),
		cmocka_unit_test(test_fit_recovers_simulator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
