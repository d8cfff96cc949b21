/* test_export.c - calibration.yaml, calibration.md and noise_config.yaml:
 * what they hold, that they read back with the same numbers, and that the
 * verifier's format loads and reproduces the rates a simulation was run
 * with. */
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

#include "error.h"
#include "export.h"
#include "fsutil.h"
#include "hash.h"
#include "run.h"
#include "testutil.h"
#include "ydoc.h"

HX_TEST_TMPDIR_FIXTURE("export")

/* ---- a hand-built calibration ---- */

#define NDUR 200
#define NTMO 20

/* Static storage: the fixture owns no heap memory, so it needs no release
 * (and does not depend on which pointers hx_calib_release frees). */
static double fast_durations[NDUR];
static double fast_timeouts[NTMO];

static const hx_calib_meta meta = {
	"smoke",
	"experiments/smoke: 'quoted'.yaml",
	"2026-11-22T10:00:00Z",
	"synthetic (5000 modules)",
	{"sim-verifier", "sim-verifier/1", NULL, NULL, NULL},
	"xxh3-128:00000000000000000000000000000001",
	18446744073709551615ULL,
	300,
	0.2,
	NULL,
	NULL,
	NULL,
};

static void set_rate(hx_rate *r, unsigned long k, unsigned long n, int weighted)
{
	hx_rate_set(r, k, n);
	r->weighted = weighted;
}

/* FAST: fitted durations (lognormal quantiles), 20 timeouts lasting
 * 1000..1950 ms, a weighted spurious-pass rate. BALANCED: every run timed
 * out (no fit) and no ground truth. `all` has more samples per tier. */
static void fixture(hx_calib_data *train, hx_calib_data *all)
{
	hx_tier_data *f = &train->tiers[0], *b = &train->tiers[1];
	size_t i;

	for (i = 0; i < NDUR; i++) {
		double p = ((double)i + 0.5) / NDUR;
		/* a rough normal quantile is enough: any spread fits */
		double z = log(p / (1 - p)) / 1.7;
		fast_durations[i] = 2000 * exp(0.6 * z);
		if (fast_durations[i] > 29000)
			fast_durations[i] = 29000;
	}
	for (i = 0; i < NTMO; i++)
		fast_timeouts[i] = 1000 + 50 * (double)i;
	memset(train, 0, sizeof(*train));
	train->ntiers = 2;
	train->records = 240;
	train->gt_source = HX_GT_LABELS;
	train->labels_used = 37;
	f->tier = HX_TIER_FAST;
	f->n = NDUR + NTMO;
	f->outcomes[HX_OUT_VERIFIED] = 150;
	f->outcomes[HX_OUT_PROOF_INVALID] = 50;
	f->outcomes[HX_OUT_VERIFIER_TIMEOUT] = NTMO;
	set_rate(&f->timeout, NTMO, NDUR + NTMO, 0);
	set_rate(&f->spurious_fail, 7, 160, 0);
	set_rate(&f->spurious_pass, 3, 31, 1);
	f->timeout_ms = 30000;
	f->durations = fast_durations;
	f->ndurations = NDUR;
	f->timeout_durations = fast_timeouts;
	f->ncensored = NTMO;
	b->tier = HX_TIER_BALANCED;
	b->n = 20;
	b->outcomes[HX_OUT_VERIFIER_TIMEOUT] = 20;
	set_rate(&b->timeout, 20, 20, 0);
	set_rate(&b->spurious_fail, 0, 0, 0);
	set_rate(&b->spurious_pass, 0, 0, 0);
	b->timeout_ms = 60000;
	b->ncensored = 20;
	hx_calib_fit(train);
	*all = *train;
	all->records = 300;
	all->tiers[0].n = 275;
	all->tiers[1].n = 25;
}

static void validation(hx_validation *v, hx_check checks[2])
{
	memset(checks, 0, 2 * sizeof(*checks));
	snprintf(checks[0].name, sizeof(checks[0].name), "holdout.fast.timeout_rate");
	checks[0].status = HX_CHECK_PASS;
	checks[0].observed = 0.1;
	checks[0].expected = 0.0909090909090909;
	checks[0].lo = -0.0612;
	checks[0].hi = 0.0876;
	checks[0].statistic = NAN;
	checks[0].p_value = 1e-7;
	snprintf(checks[0].reason, sizeof(checks[0].reason), "0 lies in [-0.0612, 0.0876] | ok");
	snprintf(checks[1].name, sizeof(checks[1].name), "monotonicity.timeout_rate");
	checks[1].status = HX_CHECK_SKIP;
	checks[1].observed = checks[1].expected = checks[1].lo = checks[1].hi = NAN;
	checks[1].statistic = checks[1].p_value = NAN;
	snprintf(checks[1].reason, sizeof(checks[1].reason), "no");
	memset(v, 0, sizeof(*v));
	v->checks = checks;
	v->n = 2;
	v->npass = 1;
	v->nskip = 1;
	v->passed = 1;
	v->coverage = 1;
}

static const hx_ynode *at(const hx_ynode *n, const char *path)
{
	char buf[128], *p, *save = NULL;
	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strtok_r(buf, ".", &save); p && n; p = strtok_r(NULL, ".", &save))
		n = hx_ynode_get(n, p);
	return n;
}

static double num_at(const hx_ydoc *doc, const hx_ynode *n, const char *path)
{
	double v = NAN;
	const hx_ynode *x = at(n, path);
	if (!x)
		fail_msg("no '%s'", path);
	if (hx_ydoc_double(doc, x, path, -INFINITY, INFINITY, &v) != 0)
		fail_msg("%s", hx_error_last());
	return v;
}

static double item(const hx_ydoc *doc, const hx_ynode *n, const char *path, size_t i)
{
	double v = NAN;
	const hx_ynode *x = at(n, path);
	assert_non_null(x);
	assert_int_equal(x->type, HX_Y_SEQ);
	assert_int_equal(x->n, 2);
	assert_int_equal(hx_ydoc_double(doc, x->items[i], path, -INFINITY, INFINITY, &v), 0);
	return v;
}

static char *slurp(const char *path)
{
	hx_buf b = HX_BUF_INIT;
	assert_int_equal(hx_file_read(&b, path), 0);
	return hx_buf_detach(&b, NULL);
}

/* ---- calibration.yaml ---- */

static void test_calibration_yaml(void **state)
{
	hx_calib_data train, all;
	hx_validation v;
	hx_check checks[2];
	hx_ydoc *doc = NULL;
	const hx_ynode *fast, *bal, *c0, *c1;
	const hx_tier_data *f;
	hx_fit_family other;
	char path[96];
	uint64_t seed;
	int i;
	(void)state;
	fixture(&train, &all);
	f = &train.tiers[0];
	assert_true(f->has_fit);
	assert_false(train.tiers[1].has_fit);
	validation(&v, checks);
	/* a standard error that is not finite is written as null */
	other = (hx_fit_family)((f->best + 1) % HX_FIT_NFAMILIES);
	train.tiers[0].fits[other].se[0] = NAN;
	assert_int_equal(hx_export_calibration("cal.yaml", &meta, &train, &all, &v), 0);
	assert_int_equal(hx_ydoc_load(&doc, "cal.yaml"), 0);

	/* metadata: the seed as a plain integer, strings as strings */
	assert_string_equal(at(doc->root, "calibration_metadata.seed")->scalar, "18446744073709551615");
	assert_true(at(doc->root, "calibration_metadata.seed")->plain);
	assert_int_equal(hx_ydoc_u64(doc, at(doc->root, "calibration_metadata.seed"), "seed", &seed), 0);
	assert_true(seed == 18446744073709551615ULL);
	assert_string_equal(at(doc->root, "calibration_metadata.spec")->scalar, meta.spec_path);
	assert_string_equal(at(doc->root, "calibration_metadata.snapshot_hash")->scalar,
			    meta.snapshot_hash);
	assert_null(at(doc->root, "calibration_metadata.engine_path"));
	assert_true(num_at(doc, doc->root, "calibration_metadata.total_samples") == 300);
	assert_true(num_at(doc, doc->root, "calibration_metadata.training_samples") == 240);
	assert_true(num_at(doc, doc->root, "calibration_metadata.validation_split") == 0.2);
	assert_string_equal(at(doc->root, "calibration_metadata.ground_truth")->scalar, "labels");
	assert_true(num_at(doc, doc->root, "calibration_metadata.labels_used") == 37);
	assert_string_equal(at(doc->root, "calibration_metadata.validation_passed")->scalar, "true");

	/* validation: figures as given, NaN ones left out */
	assert_string_equal(at(doc->root, "validation_report.summary")->scalar, "PASS");
	assert_true(num_at(doc, doc->root, "validation_report.coverage") == 1);
	assert_int_equal(at(doc->root, "validation_report.checks")->n, 2);
	c0 = at(doc->root, "validation_report.checks")->items[0];
	c1 = at(doc->root, "validation_report.checks")->items[1];
	assert_string_equal(at(c0, "name")->scalar, "holdout.fast.timeout_rate");
	assert_string_equal(at(c0, "status")->scalar, "PASS");
	assert_string_equal(at(c0, "reason")->scalar, checks[0].reason);
	assert_true(num_at(doc, c0, "expected") == checks[0].expected);
	assert_true(item(doc, c0, "ci", 0) == -0.0612);
	assert_true(item(doc, c0, "ci", 1) == 0.0876);
	assert_true(num_at(doc, c0, "p_value") == 1e-7);
	assert_string_equal(at(c0, "p_value")->scalar, "1.0e-7"); /* a float to YAML 1.1 too */
	assert_null(at(c0, "statistic"));
	assert_string_equal(at(c1, "status")->scalar, "SKIP");
	/* "no" is a boolean to YAML 1.1 loaders: it must be quoted */
	assert_string_equal(at(c1, "reason")->scalar, "no");
	assert_false(at(c1, "reason")->plain);
	assert_null(at(c1, "observed"));
	assert_null(at(c1, "ci"));

	/* FAST: counts, rates and intervals exactly (shortest round trip) */
	fast = at(doc->root, "noise_models.fast");
	assert_non_null(fast);
	assert_true(num_at(doc, fast, "n_samples") == 275);
	assert_true(num_at(doc, fast, "training_samples") == 220);
	assert_true(num_at(doc, fast, "timeout_s") == 30);
	assert_true(num_at(doc, fast, "timeout_rate") == f->timeout.rate);
	assert_true(item(doc, fast, "timeout_rate_ci", 0) == f->timeout.lo);
	assert_true(item(doc, fast, "timeout_rate_ci", 1) == f->timeout.hi);
	assert_true(item(doc, fast, "timeout_rate_counts", 0) == NTMO);
	assert_true(item(doc, fast, "timeout_rate_counts", 1) == NDUR + NTMO);
	assert_true(num_at(doc, fast, "spurious_fail_rate") == f->spurious_fail.rate);
	assert_true(item(doc, fast, "spurious_fail_rate_ci", 1) == f->spurious_fail.hi);
	assert_null(at(fast, "spurious_fail_rate_weighted"));
	assert_string_equal(at(fast, "spurious_pass_rate_weighted")->scalar, "true");
	assert_string_equal(at(fast, "outcome_counts.verified")->scalar, "150");
	assert_string_equal(at(fast, "outcome_counts.verifier_timeout")->scalar, "20");
	assert_string_equal(at(fast, "outcome_counts.engine_error")->scalar, "0");
	/* timeouts 1000..1950 ms: uniform beats exponential */
	assert_string_equal(at(fast, "timeout_distribution.type")->scalar, "uniform");
	assert_true(num_at(doc, fast, "timeout_distribution.min_ms") == 1000);
	assert_true(num_at(doc, fast, "timeout_distribution.max_ms") == 1950);

	/* the best fit and every family */
	assert_string_equal(at(fast, "duration_fit.type")->scalar, hx_fit_family_name(f->best));
	for (i = 0; i < f->fits[f->best].k; i++) {
		snprintf(path, sizeof(path), "duration_fit.params.%s",
			 hx_fit_param_name(f->best, i));
		assert_true(num_at(doc, fast, path) == f->fits[f->best].p[i]);
		snprintf(path, sizeof(path), "duration_fit.se.%s", hx_fit_param_name(f->best, i));
		assert_true(num_at(doc, fast, path) == f->fits[f->best].se[i]);
	}
	assert_true(num_at(doc, fast, "duration_fit.aic") == f->fits[f->best].aic);
	assert_true(num_at(doc, fast, "duration_fit.ks_p") == f->fits[f->best].ks_p);
	assert_true(num_at(doc, fast, "duration_fit.censor_at_ms") == 30000);
	assert_true(num_at(doc, fast, "duration_fit.n_completed") == NDUR);
	assert_true(num_at(doc, fast, "duration_fit.n_censored") == NTMO);
	assert_int_equal(at(fast, "duration_fit.families")->n, HX_FIT_NFAMILIES);
	assert_true(num_at(doc, fast, "duration_fit.families.weibull.loglik") ==
		    f->fits[HX_FIT_WEIBULL].loglik);
	assert_true(num_at(doc, fast, "duration_fit.families.gamma.params.shape") ==
		    f->fits[HX_FIT_GAMMA].p[0]);
	assert_true(num_at(doc, fast, "duration_fit.families.exponential.delta_aic") ==
		    f->fits[HX_FIT_EXPONENTIAL].aic - f->fits[f->best].aic);
	snprintf(path, sizeof(path), "duration_fit.families.%s.se.%s", hx_fit_family_name(other),
		 hx_fit_param_name(other, 0));
	assert_non_null(at(fast, path));
	assert_true(hx_ynode_is_null(at(fast, path)));

	/* BALANCED: no fit, no ground truth */
	bal = at(doc->root, "noise_models.balanced");
	assert_non_null(bal);
	assert_string_equal(at(bal, "duration_fit.type")->scalar, "none");
	assert_string_equal(at(bal, "duration_fit.reason")->scalar, train.tiers[1].no_fit);
	assert_non_null(strstr(at(bal, "duration_fit.reason")->scalar, "every run timed out"));
	assert_null(at(bal, "duration_fit.families"));
	assert_true(hx_ynode_is_null(at(bal, "spurious_fail_rate")));
	assert_true(item(doc, bal, "spurious_fail_rate_counts", 1) == 0);
	/* no timeout durations: fixed at the timeout */
	assert_string_equal(at(bal, "timeout_distribution.type")->scalar, "fixed");
	assert_true(num_at(doc, bal, "timeout_distribution.fixed_ms") == 60000);
	hx_ydoc_free(doc);

	/* without a validation */
	assert_int_equal(hx_export_calibration("cal2.yaml", &meta, &train, &train, NULL), 0);
	assert_int_equal(hx_ydoc_load(&doc, "cal2.yaml"), 0);
	assert_true(hx_ynode_is_null(at(doc->root, "calibration_metadata.validation_passed")));
	assert_string_equal(at(doc->root, "validation_report.summary")->scalar, "not run");
	assert_true(hx_ynode_is_null(at(doc->root, "validation_report.coverage")));
	assert_int_equal(at(doc->root, "validation_report.checks")->n, 0);
	assert_true(num_at(doc, doc->root, "noise_models.fast.n_samples") == 220);
	hx_ydoc_free(doc);
}

/* ---- hx_calib_read_yaml ---- */

static void assert_rate_equal(const hx_rate *a, const hx_rate *b)
{
	assert_int_equal(a->k, b->k);
	assert_int_equal(a->n, b->n);
	assert_true(a->rate == b->rate);
	assert_true(a->lo == b->lo);
	assert_true(a->hi == b->hi);
	assert_int_equal(a->weighted, b->weighted);
}

static void expect_error(const char *text, const char *message)
{
	hx_calib_data d;
	assert_int_equal(hx_file_write_atomic("bad.yaml", text, strlen(text)), 0);
	assert_int_equal(hx_calib_read_yaml(&d, "bad.yaml"), HX_EINVALID);
	assert_string_equal(hx_error_last(), message);
}

static void test_read_yaml(void **state)
{
	hx_calib_data train, all, back;
	size_t t;
	int o;
	(void)state;
	fixture(&train, &all);
	assert_int_equal(hx_export_calibration("cal.yaml", &meta, &train, &all, NULL), 0);
	assert_int_equal(hx_calib_read_yaml(&back, "cal.yaml"), 0);
	assert_int_equal(back.ntiers, 2);
	assert_int_equal(back.records, 240);
	assert_int_equal(back.gt_source, HX_GT_LABELS);
	assert_int_equal(back.labels_used, 37);
	for (t = 0; t < 2; t++) {
		const hx_tier_data *a = &train.tiers[t], *b = &back.tiers[t];
		assert_int_equal(b->tier, a->tier);
		assert_int_equal(b->n, a->n); /* the training part's */
		assert_true(b->timeout_ms == a->timeout_ms);
		assert_rate_equal(&b->timeout, &a->timeout);
		assert_rate_equal(&b->spurious_fail, &a->spurious_fail);
		assert_rate_equal(&b->spurious_pass, &a->spurious_pass);
		for (o = 0; o < HX_OUT_COUNT; o++)
			assert_int_equal(b->outcomes[o], a->outcomes[o]);
		assert_int_equal(b->ndurations, 0);
		assert_int_equal(b->ncensored, 0);
		assert_false(b->has_fit);
	}
	hx_calib_release(&back);

	/* errors are located */
	expect_error("calibration_metadata: {experiment: x}\n",
		     "bad.yaml:1:1: missing key 'noise_models': not a calibration.yaml");
	expect_error("", "bad.yaml:1:1: missing key 'noise_models': not a calibration.yaml");
	expect_error("noise_models:\n  medium: {}\n",
		     "bad.yaml:2:3: unknown tier 'medium' (known: fast, balanced, slow)");
	expect_error("noise_models:\n  fast:\n    training_samples: 10\n",
		     "bad.yaml:3:5: missing key 'timeout_s'");
	expect_error("noise_models:\n  fast:\n    training_samples: 10\n    timeout_s: 30\n"
		     "    timeout_rate_counts: [1, 10]\n    timeout_rate_ci: [0.01, 1.5]\n",
		     "bad.yaml:6:29: 'timeout_rate_ci' must be a number from 0 to 1");
	expect_error("noise_models:\n  fast:\n    training_samples: 10\n    timeout_s: 30\n"
		     "    timeout_rate_counts: [11, 10]\n",
		     "bad.yaml:5:26: 'timeout_rate_counts' has k > n");
}

/* ---- noise_config.yaml ---- */

static void test_noise_config(void **state)
{
	hx_calib_data train, all;
	hx_models *m = NULL;
	const char *head;
	char *text;
	(void)state;
	fixture(&train, &all);
	assert_int_equal(hx_export_noise_config("noise.yaml", &meta, &train), 0);
	text = slurp("noise.yaml");
	head = "# Verifier noise configuration calibrated by harness from experiment 'smoke'\n"
	       "# on 2026-11-22T10:00:00Z. Each rate is a point estimate from the training samples;\n"
	       "# its 95% confidence interval and counts are in calibration.yaml.\n"
	       "# timeout_rate is the injected (stall) timeouts: the fitted stall fraction,\n"
	       "# without the runs that outlast base_timeout_s (the verifier times those\n"
	       "# out by itself); the observed timeout rate is in calibration.yaml.\n"
	       "# A spurious rate without ground truth is written as 0 here (null in "
	       "calibration.yaml).\nglobal:\n";
	assert_true(strncmp(text, head, strlen(head)) == 0);
	free(text);
	if (hx_models_load(&m, "noise.yaml") != 0)
		fail_msg("%s", hx_error_last());
	assert_true(m->noise_enabled);
	assert_string_equal(m->default_tier, "balanced");
	assert_true(m->has_tier[HX_TIER_FAST] && m->has_tier[HX_TIER_BALANCED]);
	assert_false(m->has_tier[HX_TIER_SLOW]);
	assert_true(m->tiers[HX_TIER_FAST].timeout_rate == hx_tier_noise_timeout_rate(&train.tiers[0]));
	assert_true(m->tiers[HX_TIER_FAST].spurious_fail_rate == train.tiers[0].spurious_fail.rate);
	assert_true(m->tiers[HX_TIER_FAST].spurious_pass_rate == train.tiers[0].spurious_pass.rate);
	assert_true(m->tiers[HX_TIER_FAST].base_timeout_s == 30);
	assert_int_equal(m->tiers[HX_TIER_FAST].timeout_distribution.kind, HX_DIST_UNIFORM);
	assert_true(m->tiers[HX_TIER_FAST].timeout_distribution.min_ms == 1000);
	assert_true(m->tiers[HX_TIER_FAST].timeout_distribution.max_ms == 1950);
	/* no ground truth: 0 */
	assert_true(m->tiers[HX_TIER_BALANCED].timeout_rate == 1);
	assert_true(m->tiers[HX_TIER_BALANCED].spurious_fail_rate == 0);
	assert_true(m->tiers[HX_TIER_BALANCED].base_timeout_s == 60);
	assert_int_equal(m->tiers[HX_TIER_BALANCED].timeout_distribution.kind, HX_DIST_FIXED);
	assert_true(m->tiers[HX_TIER_BALANCED].timeout_distribution.fixed_ms == 60000);
	hx_models_free(m);

	/* without a balanced tier the default is one the file defines */
	train.tiers[1].tier = HX_TIER_SLOW;
	assert_int_equal(hx_export_noise_config("noise2.yaml", &meta, &train), 0);
	assert_int_equal(hx_models_load(&m, "noise2.yaml"), 0);
	assert_string_equal(m->default_tier, "fast_noisy");
	assert_true(m->has_tier[HX_TIER_SLOW]);
	hx_models_free(m);

	/* what the verifier would refuse is refused here */
	train.ntiers = 0;
	assert_int_equal(hx_export_noise_config("noise3.yaml", &meta, &train), HX_EINVALID);
	assert_string_equal(hx_error_last(), "cannot write 'noise3.yaml': no tier has any samples");
	assert_false(hx_path_exists("noise3.yaml"));
}

/* ---- hx_export_timeout_dist ---- */

static hx_timeout_dist dist_of(double *x, size_t n, double timeout_ms)
{
	hx_tier_data t;
	hx_timeout_dist d;
	memset(&t, 0, sizeof(t));
	t.timeout_ms = timeout_ms;
	t.timeout_durations = x;
	t.ncensored = n;
	hx_export_timeout_dist(&t, &d);
	return d;
}

static void test_timeout_dist(void **state)
{
	double x[101], sum = 0;
	hx_timeout_dist d;
	size_t i;
	(void)state;
	/* uniform quantiles 1000..2000 */
	for (i = 0; i < 101; i++)
		x[i] = 1000 + 10 * (double)i;
	d = dist_of(x, 101, 60000);
	assert_int_equal(d.kind, HX_DIST_UNIFORM);
	assert_true(d.min_ms == 1000 && d.max_ms == 2000);
	/* exponential quantiles, mean 1000 */
	for (i = 0; i < 100; i++) {
		x[i] = -1000 * log(1 - ((double)i + 0.5) / 100);
		sum += x[i];
	}
	d = dist_of(x, 100, 60000);
	assert_int_equal(d.kind, HX_DIST_EXPONENTIAL);
	assert_true(fabs(d.mean_ms - sum / 100) < 1e-9);
	/* all equal: fixed at that value */
	for (i = 0; i < 50; i++)
		x[i] = 60000;
	d = dist_of(x, 50, 120000);
	assert_int_equal(d.kind, HX_DIST_FIXED);
	assert_true(d.fixed_ms == 60000);
	/* within 1% of the mean: fixed at the mean */
	x[0] = 59500;
	x[1] = 60500;
	d = dist_of(x, 50, 120000);
	assert_int_equal(d.kind, HX_DIST_FIXED);
	assert_true(d.fixed_ms == 60000);
	/* just beyond 1%: no longer fixed (range 1300 < e * mean: uniform) */
	x[0] = 59350;
	x[1] = 60650;
	d = dist_of(x, 50, 120000);
	assert_int_equal(d.kind, HX_DIST_UNIFORM);
	assert_true(d.min_ms == 59350 && d.max_ms == 60650);
	/* runs killed at the timeout (at or past it) next to stalls that
	 * ended before it: the stalls alone (uniform 1000..2000 above) */
	for (i = 0; i < 101; i++)
		x[i] = i < 80 ? 1000 + 1000 * (double)i / 79 : 60000 + (double)i;
	d = dist_of(x, 101, 60000);
	assert_int_equal(d.kind, HX_DIST_UNIFORM);
	assert_true(d.min_ms == 1000 && d.max_ms == 2000);
	/* killed runs alone: fixed at their mean */
	for (i = 0; i < 10; i++)
		x[i] = 60000 + (double)i;
	d = dist_of(x, 10, 60000);
	assert_int_equal(d.kind, HX_DIST_FIXED);
	assert_true(d.fixed_ms == 60004.5);
	/* no timeouts, or no durations for them: fixed at the timeout */
	d = dist_of(x, 0, 30000);
	assert_int_equal(d.kind, HX_DIST_FIXED);
	assert_true(d.fixed_ms == 30000);
	d = dist_of(NULL, 7, 30000);
	assert_int_equal(d.kind, HX_DIST_FIXED);
	assert_true(d.fixed_ms == 30000);
}

/* ---- calibration.md ---- */

static void test_report_md(void **state)
{
	hx_calib_data train, all;
	hx_validation v;
	hx_check checks[2];
	char *text, best[64];
	(void)state;
	fixture(&train, &all);
	validation(&v, checks);
	assert_int_equal(hx_export_report_md("cal.md", &meta, &train, &all, &v), 0);
	text = slurp("cal.md");
	assert_true(strncmp(text, "# Calibration: smoke\n\n", 22) == 0);
	assert_non_null(strstr(text, "- Seed: 18446744073709551615\n"));
	assert_non_null(strstr(text, "- Date: 2026-11-22T10:00:00Z\n"));
	assert_non_null(strstr(text, "\n## FAST (fast_noisy)\n\n275 samples, 220 for training"));
	assert_non_null(strstr(text, "| rate | estimate | 95% CI | k/n | note |\n|---|---:|---|---:|---|\n"));
	assert_non_null(strstr(text, "| timeout_rate | 0.0909 | [0.0596, 0.1362] | 20/220 |  |\n"));
	assert_non_null(strstr(text, "| 3/31 | weighted (effective n) |\n"));
	assert_non_null(strstr(text, "| spurious_fail_rate | n/a | n/a | 0/0 | no ground truth |\n"));
	assert_non_null(strstr(text, "| family | parameters ± SE | loglik | AIC | BIC | ΔAIC | KS D | "
				     "KS p |\n|---|---|---:|---:|---:|---:|---:|---:|\n"));
	snprintf(best, sizeof(best), "| **%s** (best) | ", hx_fit_family_name(train.tiers[0].best));
	assert_non_null(strstr(text, best));
	assert_non_null(strstr(text, "Durations: 200 completed, 20 timed out at 30000 ms"));
	assert_non_null(strstr(text, "No duration fit: no fit exists: every run timed out"));
	assert_non_null(strstr(text, "| status | check | reason |\n|---|---|---|\n"));
	/* a '|' in a reason must not split the cell */
	assert_non_null(strstr(text, "| PASS | holdout.fast.timeout_rate | 0 lies in [-0.0612, 0.0876] "
				     "\\| ok |\n"));
	assert_non_null(strstr(text, "**Verdict: PASS** (2 checks: 1 passed, 0 failed, 1 skipped; "
				     "holdout coverage 100.0%)\n"));
	free(text);
	assert_int_equal(hx_export_report_md("cal2.md", &meta, &train, &all, NULL), 0);
	text = slurp("cal2.md");
	assert_non_null(strstr(text, "Validation did not run.\n\n**Verdict: not run**\n"));
	free(text);
}

/* ---- acceptance: simulate known rates, calibrate, export, reload ---- */

/* Known rates for all three tiers and no slices (so each tier has one rate),
 * 10,000 samples a tier through the sim-verifier: every exported rate's
 * 95% CI holds the rate simulated, and noise_config.yaml loads back with
 * exactly the estimated rates. */
static void test_noise_config_round_trip(void **state)
{
	static const double rates[HX_TIER_COUNT][3] = {
		{0.10, 0.05, 0.02}, {0.05, 0.02, 0.01}, {0.01, 0.005, 0.001}};
	static const double timeouts[HX_TIER_COUNT] = {30, 60, 120};
	static const double dist[HX_TIER_COUNT][2] = {{500, 1500}, {1000, 2000}, {1500, 3000}};
	const char *noise =
		"global: {noise_enabled: true, default_tier: balanced}\n"
		"tiers:\n"
		"  fast_noisy: {timeout_rate: 0.10, spurious_fail_rate: 0.05, spurious_pass_rate: 0.02,"
		" base_timeout_s: 30, timeout_distribution: {type: uniform, min_ms: 500, max_ms: 1500}}\n"
		"  balanced: {timeout_rate: 0.05, spurious_fail_rate: 0.02, spurious_pass_rate: 0.01,"
		" base_timeout_s: 60, timeout_distribution: {type: uniform, min_ms: 1000, max_ms: 2000}}\n"
		"  slow_precise: {timeout_rate: 0.01, spurious_fail_rate: 0.005, spurious_pass_rate: 0.001,"
		" base_timeout_s: 120, timeout_distribution: {type: uniform, min_ms: 1500, max_ms: 3000}}\n"
		"simulator: {invalid_fraction: 0.3}\n";
	const char *spec =
		"experiment: roundtrip\nseed: 42\nengine: {kind: sim-verifier}\n"
		"models: noise.yaml\n"
		"corpus: {kind: synthetic, modules: 20000}\n"
		"tiers: {FAST: , BALANCED: , SLOW: }\nsamples: 10000\n";
	hx_calib_meta rt_meta = meta;
	hx_run_options opt;
	hx_run_result res;
	hx_calib_data d;
	hx_models *m = NULL;
	char *text;
	size_t t;
	int k, err;
	(void)state;
	assert_int_equal(hx_mkdirs("rt", 0755), 0);
	assert_int_equal(hx_file_write_atomic("rt/noise.yaml", noise, strlen(noise)), 0);
	assert_int_equal(hx_file_write_atomic("rt/spec.yaml", spec, strlen(spec)), 0);
	memset(&opt, 0, sizeof(opt));
	opt.spec_path = "rt/spec.yaml";
	opt.out_dir = "rt/run";
	opt.progress = HX_PROGRESS_NONE;
	opt.workers = 2;
	hx_run_result_init(&res);
	if ((err = hx_run(&res, &opt)) != 0)
		fail_msg("hx_run: %d: %s", err, hx_error_last());
	hx_run_result_release(&res);

	assert_int_equal(hx_calib_read(&d, "rt/run/telemetry.jsonl"), 0);
	hx_calib_fit(&d);
	assert_int_equal(d.ntiers, 3);
	rt_meta.experiment = "roundtrip";
	rt_meta.spec_path = "rt/spec.yaml";
	assert_int_equal(hx_export_noise_config("rt/exported.yaml", &rt_meta, &d), 0);
	/* simulator ground truth for every tier: no "written as 0" note */
	text = slurp("rt/exported.yaml");
	assert_null(strstr(text, "without ground truth"));
	free(text);
	if (hx_models_load(&m, "rt/exported.yaml") != 0)
		fail_msg("%s", hx_error_last());
	for (t = 0; t < 3; t++) {
		const hx_tier_data *td = &d.tiers[t];
		const hx_rate *r[3] = {&td->timeout, &td->spurious_fail, &td->spurious_pass};
		const hx_tier_model *tm = &m->tiers[t];
		const double loaded[3] = {tm->timeout_rate, tm->spurious_fail_rate,
					  tm->spurious_pass_rate};
		assert_int_equal(td->tier, (hx_tier)t);
		assert_int_equal(td->n, 10000);
		assert_true(m->has_tier[t]);
		for (k = 0; k < 3; k++) {
			if (!(r[k]->lo <= rates[t][k] && rates[t][k] <= r[k]->hi))
				fail_msg("tier %zu rate %d: %lu/%lu = %.4f, CI [%.4f, %.4f] misses %.4f",
					 t, k, r[k]->k, r[k]->n, r[k]->rate, r[k]->lo, r[k]->hi,
					 rates[t][k]);
			assert_true(r[k]->n > 0);
			/* the noise configuration's timeout_rate is the injected
			 * stalls: the fitted stall fraction */
			assert_true(loaded[k] == (k ? r[k]->rate : hx_tier_noise_timeout_rate(td)));
		}
		assert_true(tm->base_timeout_s == timeouts[t]);
		/* the stall fraction's 95% interval holds the simulated rate */
		assert_true(td->has_fit && td->fits[td->best].stall_model);
		if (fabs(td->fits[td->best].stall - rates[t][0]) > 1.96 * td->fits[td->best].stall_se)
			fail_msg("tier %zu: stall fraction %.4f +- %.4f misses %.4f", t,
				 td->fits[td->best].stall, td->fits[td->best].stall_se, rates[t][0]);
		/* the timed-out runs' durations came from the uniform configured */
		if (td->timeout_durations && td->ncensored) {
			assert_int_equal(tm->timeout_distribution.kind, HX_DIST_UNIFORM);
			assert_true(tm->timeout_distribution.min_ms >= dist[t][0]);
			assert_true(tm->timeout_distribution.max_ms <= dist[t][1]);
			assert_true(tm->timeout_distribution.max_ms - tm->timeout_distribution.min_ms >
				    0.9 * (dist[t][1] - dist[t][0]));
		}
	}
	hx_models_free(m);
	hx_calib_release(&d);
}

/* A one-tier calibration's noise_config.yaml is a complete configuration:
 * the uncalibrated tiers, global and the slices come over from the input
 * models unchanged (and load back equal), each carried tier marked by a
 * comment; calibration.yaml names the models file by its hash and holds
 * the smoke plan's calibrated_models view. */
static void test_noise_config_carry_over(void **state)
{
	const char *noise =
		"global: {noise_enabled: true, default_tier: fast_noisy, escalation_policy: never,"
		" max_escalation_attempts: 5}\n"
		"tiers:\n"
		"  fast_noisy: {timeout_rate: 0.125, spurious_fail_rate: 0.0625, spurious_pass_rate: 0.03,"
		" base_timeout_s: 25, timeout_distribution: {type: uniform, min_ms: 450, max_ms: 1450}}\n"
		"  balanced: {timeout_rate: 0.05, spurious_fail_rate: 0.02, spurious_pass_rate: 0.01,"
		" base_timeout_s: 60, timeout_distribution: {type: fixed, fixed_ms: 1500}}\n"
		"  slow_precise: {timeout_rate: 0.007, spurious_fail_rate: 0.003, spurious_pass_rate: 0.0001,"
		" base_timeout_s: 110, timeout_distribution: {type: exponential, mean_ms: 2500}}\n"
		"slices:\n"
		"  algebra: {tier_overrides: {fast_noisy: {timeout_rate: 0.2}}, "
		"timeout_distribution: {type: exponential, mean_ms: 900}}\n"
		"test_slices:\n"
		"  quiet: {noise_enabled: false, tier_overrides: {slow_precise: {spurious_pass_rate: 0}}}\n";
	const char *spec =
		"experiment: carry\nseed: 5\nengine: {kind: sim-verifier}\nmodels: noise.yaml\n"
		"corpus: {kind: synthetic, modules: 500}\ntiers: {BALANCED: }\nsamples: 400\n"
		"label: false\n";
	hx_models *in = NULL, *out = NULL;
	hx_run_options opt;
	hx_run_result res;
	hx_ydoc *doc = NULL;
	const hx_ynode *cm, *md;
	char *text, hash[HX_HASH_HEX_LEN];
	int t, err;
	(void)state;
	assert_int_equal(hx_mkdirs("co", 0755), 0);
	assert_int_equal(hx_file_write_atomic("co/noise.yaml", noise, strlen(noise)), 0);
	assert_int_equal(hx_file_write_atomic("co/spec.yaml", spec, strlen(spec)), 0);
	memset(&opt, 0, sizeof(opt));
	opt.spec_path = "co/spec.yaml";
	opt.out_dir = "co/run";
	opt.export_path = "co/deep/er/cal.yaml"; /* parents are made */
	opt.progress = HX_PROGRESS_NONE;
	opt.no_archive = 1;
	opt.snapshots_dir = "co/snapshots";
	opt.workers = 2;
	hx_run_result_init(&res);
	if ((err = hx_run(&res, &opt)) != 0)
		fail_msg("hx_run: %d: %s", err, hx_error_last());

	if (hx_models_load(&out, "co/run/noise_config.yaml") != 0)
		fail_msg("%s", hx_error_last());
	assert_int_equal(hx_models_load(&in, "co/noise.yaml"), 0);
	for (t = 0; t < HX_TIER_COUNT; t++)
		assert_true(out->has_tier[t]);
	for (t = 0; t < HX_TIER_COUNT; t += 2) { /* FAST and SLOW: carried over */
		const hx_tier_model *a = &in->tiers[t], *b = &out->tiers[t];
		assert_true(a->timeout_rate == b->timeout_rate);
		assert_true(a->spurious_fail_rate == b->spurious_fail_rate);
		assert_true(a->spurious_pass_rate == b->spurious_pass_rate);
		assert_true(a->base_timeout_s == b->base_timeout_s);
		assert_memory_equal(&a->timeout_distribution, &b->timeout_distribution,
				    sizeof(a->timeout_distribution));
	}
	assert_string_equal(out->default_tier, "fast_noisy");
	assert_string_equal(out->escalation_policy, "never");
	assert_int_equal(out->max_escalation_attempts, 5);
	assert_int_equal(out->nslices, 2);
	assert_string_equal(out->slices[0].name, "algebra");
	assert_true(out->slices[0].overrides[HX_TIER_FAST].has_timeout_rate &&
		    out->slices[0].overrides[HX_TIER_FAST].timeout_rate == 0.2);
	assert_false(out->slices[0].overrides[HX_TIER_FAST].has_spurious_fail_rate);
	assert_true(out->slices[0].has_timeout_distribution &&
		    out->slices[0].timeout_distribution.mean_ms == 900);
	assert_true(out->slices[1].is_test);
	assert_false(out->slices[1].noise_enabled);
	assert_true(out->slices[1].overrides[HX_TIER_SLOW].has_spurious_pass_rate);
	text = slurp("co/run/noise_config.yaml");
	assert_non_null(strstr(text, "tiers:\n  # fast_noisy: not calibrated in this run; carried "
				     "over from co/noise.yaml\n  fast_noisy:\n"));
	assert_non_null(strstr(text, "\n  # slow_precise: not calibrated in this run; carried "
				     "over from co/noise.yaml\n  slow_precise:\n"));
	assert_null(strstr(text, "# balanced: not calibrated"));
	free(text);

	/* calibration.yaml (the export copy): models file and hash, and the
	 * smoke plan's view with shares of all 400 records */
	assert_int_equal(hx_hash128_file(hash, "co/noise.yaml"), 0);
	assert_int_equal(hx_ydoc_load(&doc, "co/deep/er/cal.yaml"), 0);
	md = hx_ynode_get(doc->root, "calibration_metadata");
	assert_string_equal(hx_ynode_get(md, "models_file")->scalar, "co/noise.yaml");
	assert_string_equal(hx_ynode_get(md, "models_hash")->scalar, hash);
	/* BALANCED in noise_config.yaml is the calibration's estimate: the
	 * stall fraction of its duration fit (the observed rate without one) */
	cm = hx_ynode_get(hx_ynode_get(doc->root, "noise_models"), "balanced");
	cm = strcmp(hx_ynode_get(hx_ynode_get(cm, "duration_fit"), "type")->scalar, "none") == 0
		     ? hx_ynode_get(cm, "timeout_rate")
		     : hx_ynode_get(hx_ynode_get(cm, "duration_fit"), "stall_fraction");
	assert_non_null(cm);
	assert_true(strtod(cm->scalar, NULL) == out->tiers[HX_TIER_BALANCED].timeout_rate);
	cm = hx_ynode_get(hx_ynode_get(doc->root, "calibrated_models"), "BALANCED");
	assert_non_null(cm);
	assert_string_equal(hx_ynode_get(cm, "n_samples")->scalar, "400");
	{
		const hx_tier_summary *ts = &res.tiers[0];
		double to = strtod(hx_ynode_get(cm, "timeout_rate")->scalar, NULL);
		double fl = strtod(hx_ynode_get(cm, "fail_rate")->scalar, NULL);
		double ok = strtod(hx_ynode_get(cm, "success_rate")->scalar, NULL);
		const hx_ynode *ci = hx_ynode_get(cm, "fail_rate_ci");
		assert_true(to == (double)ts->counts[HX_OUT_VERIFIER_TIMEOUT] / 400.0);
		assert_true(fl == (double)ts->counts[HX_OUT_PROOF_INVALID] / 400.0);
		assert_true(ok == (double)ts->counts[HX_OUT_VERIFIED] / 400.0);
		assert_true(ci->type == HX_Y_SEQ && ci->n == 2);
		assert_true(strtod(ci->items[0]->scalar, NULL) == ts->proof_invalid.lo);
		assert_true(strtod(ci->items[1]->scalar, NULL) == ts->proof_invalid.hi);
	}
	hx_ydoc_free(doc);
	hx_run_result_release(&res);
	hx_models_free(in);
	hx_models_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calibration_yaml),
		cmocka_unit_test(test_read_yaml),
		cmocka_unit_test(test_noise_config),
		cmocka_unit_test(test_timeout_dist),
		cmocka_unit_test(test_report_md),
		cmocka_unit_test(test_noise_config_round_trip),
		cmocka_unit_test(test_noise_config_carry_over),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
