/* export.c - what a calibration leaves behind, and reading it back.
 *
 * YAML goes through libyaml's emitter into an hx_buf, so quoting and
 * escaping are libyaml's problem and any safe loader reads the result; the
 * buffer is then written atomically. Keys are plain scalars; every string
 * value is emitted without the plain style, so the emitter quotes it and a
 * value such as "null", "yes" or "1.0" stays a string. The markdown report
 * is in report_md.c, the reader of calibration.yaml in calib_yaml.c. */
#define _GNU_SOURCE /* realpath */
#include "export.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "buf.h"
#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "telemetry.h"
#include "ydoc.h"

/* The verifier's own limit (models.c): a longer timeout would not load. */
#define MAX_TIMEOUT_S 86400.0

/* ---- the emitter ---- */

typedef struct {
	yaml_emitter_t em;
	hx_buf out;
	int failed;
} emitter;

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	hx_buf_put((hx_buf *)data, buffer, size);
	return 1;
}

static void emit(emitter *e, yaml_event_t *ev)
{
	/* The emitter owns an event it was given, even when it fails; an event
	 * never given is ours to free. */
	if (e->failed)
		yaml_event_delete(ev);
	else if (!yaml_emitter_emit(&e->em, ev))
		e->failed = 1;
}

/* preamble: text before the document (comment lines, which the emitter
 * cannot write), or NULL. */
static void em_begin(emitter *e, const char *preamble)
{
	yaml_event_t ev;

	memset(e, 0, sizeof(*e));
	hx_buf_init(&e->out);
	if (preamble)
		hx_buf_puts(&e->out, preamble);
	if (!yaml_emitter_initialize(&e->em))
		hx_oom();
	yaml_emitter_set_output(&e->em, write_handler, &e->out);
	yaml_emitter_set_unicode(&e->em, 1);
	yaml_emitter_set_width(&e->em, 100);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(e, &ev);
}

static int em_finish(emitter *e, const char *path)
{
	yaml_event_t ev;
	int err;

	yaml_document_end_event_initialize(&ev, 1);
	emit(e, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(e, &ev);
	if (e->failed || !yaml_emitter_flush(&e->em)) {
		hx_error_set("cannot write '%s': yaml emitter: %s", path,
			     e->em.problem ? e->em.problem : "unknown error");
		err = HX_ESYSTEM;
	} else {
		err = hx_file_write_atomic(path, e->out.ptr, e->out.len);
	}
	yaml_emitter_delete(&e->em);
	hx_buf_release(&e->out);
	return err;
}

/* Finish into a buffer instead of a file. */
static int em_take(emitter *e, hx_buf *out)
{
	yaml_event_t ev;
	int err = 0;

	yaml_document_end_event_initialize(&ev, 1);
	emit(e, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(e, &ev);
	if (e->failed || !yaml_emitter_flush(&e->em)) {
		hx_error_set("yaml emitter: %s", e->em.problem ? e->em.problem : "unknown error");
		err = HX_EINVALID;
	} else {
		hx_buf_put(out, e->out.ptr, e->out.len);
	}
	yaml_emitter_delete(&e->em);
	hx_buf_release(&e->out);
	return err;
}

static void scalar(emitter *e, const char *s, int plain)
{
	yaml_event_t ev;
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), plain,
				     !plain, plain ? YAML_PLAIN_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
	emit(e, &ev);
}

static void key(emitter *e, const char *k)
{
	scalar(e, k, 1);
}

/* A string value (quoted by the emitter); NULL is null. */
static void str(emitter *e, const char *s)
{
	scalar(e, s ? s : "null", s == NULL);
}

/* A finite number in its shortest round-trip form; anything else is null.
 * ECMAScript writes 1e-7 and 1e+21 without a dot, which YAML 1.1 loaders
 * (PyYAML) read as strings: "1.0e-7" is a float to both YAML versions. */
static void num(emitter *e, double v)
{
	char tmp[40], *x;

	if (!isfinite(v)) {
		scalar(e, "null", 1);
		return;
	}
	hx_canon_format_number(tmp, v);
	if ((x = strchr(tmp, 'e')) && !strchr(tmp, '.')) {
		memmove(x + 2, x, strlen(x) + 1);
		memcpy(x, ".0", 2);
	}
	scalar(e, tmp, 1);
}

/* An integer as itself: a double would lose precision past 2^53. */
static void integer(emitter *e, uint64_t v)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	scalar(e, tmp, 1);
}

/* A mapping or (seq) a sequence, in flow or block style. */
static void coll_start(emitter *e, int seq, int flow)
{
	yaml_event_t ev;
	if (seq)
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     flow ? YAML_FLOW_SEQUENCE_STYLE
							  : YAML_BLOCK_SEQUENCE_STYLE);
	else
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    flow ? YAML_FLOW_MAPPING_STYLE
							 : YAML_BLOCK_MAPPING_STYLE);
	emit(e, &ev);
}

static void coll_end(emitter *e, int seq)
{
	yaml_event_t ev;
	if (seq)
		yaml_sequence_end_event_initialize(&ev);
	else
		yaml_mapping_end_event_initialize(&ev);
	emit(e, &ev);
}

/* key: followed by a mapping (closed with coll_end(e, 0)). */
static void kv_map(emitter *e, const char *k, int flow)
{
	key(e, k);
	coll_start(e, 0, flow);
}

static void kv_str(emitter *e, const char *k, const char *s)
{
	key(e, k);
	str(e, s);
}

/* Optional strings: no key at all when NULL. */
static void kv_str_opt(emitter *e, const char *k, const char *s)
{
	if (s)
		kv_str(e, k, s);
}

static void kv_num(emitter *e, const char *k, double v)
{
	key(e, k);
	num(e, v);
}

/* Figures that may be missing: no key at all when NaN. */
static void kv_num_opt(emitter *e, const char *k, double v)
{
	if (!isnan(v))
		kv_num(e, k, v);
}

static void kv_int(emitter *e, const char *k, uint64_t v)
{
	key(e, k);
	integer(e, v);
}

static void kv_bool(emitter *e, const char *k, int b)
{
	key(e, k);
	scalar(e, b ? "true" : "false", 1);
}

/* key: [a, b] (flow); integers when counts. */
static void kv_two(emitter *e, const char *k, double a, double b, int counts)
{
	key(e, k);
	coll_start(e, 1, 1);
	if (counts) {
		integer(e, (uint64_t)a);
		integer(e, (uint64_t)b);
	} else {
		num(e, a);
		num(e, b);
	}
	coll_end(e, 1);
}

/* ---- calibration.yaml ---- */

static void emit_metadata(emitter *e, const hx_calib_meta *m, const hx_calib_data *train,
			  const hx_validation *v)
{
	kv_map(e, "calibration_metadata", 0);
	kv_str(e, "experiment", m->experiment);
	kv_str(e, "spec", m->spec_path);
	kv_str(e, "date", m->date_utc);
	kv_str(e, "corpus", m->corpus);
	kv_str(e, "engine", m->engine.kind);
	kv_str(e, "engine_version", m->engine.version);
	kv_str_opt(e, "engine_path", m->engine.path);
	kv_str_opt(e, "engine_binary_hash", m->engine.hash);
	kv_str_opt(e, "engine_toolchain", m->engine.toolchain);
	kv_int(e, "seed", m->seed);
	kv_int(e, "total_samples", m->total_samples);
	kv_int(e, "training_samples", train->records);
	kv_num(e, "validation_split", m->validation_split);
	kv_str(e, "ground_truth", hx_gt_source_name(train->gt_source));
	kv_int(e, "labels_used", train->labels_used);
	kv_str_opt(e, "snapshot_hash", m->snapshot_hash);
	kv_str_opt(e, "models_file", m->models_file);
	kv_str_opt(e, "models_hash", m->models_hash);
	if (v)
		kv_bool(e, "validation_passed", v->passed);
	else
		kv_str(e, "validation_passed", NULL);
	coll_end(e, 0);
}

static void emit_validation(emitter *e, const hx_validation *v)
{
	size_t i;

	kv_map(e, "validation_report", 0);
	kv_str(e, "summary", !v ? "not run" : v->passed ? "PASS" : "FAIL");
	kv_num(e, "coverage", v ? v->coverage : NAN);
	key(e, "checks");
	coll_start(e, 1, 0);
	for (i = 0; v && i < v->n; i++) {
		const hx_check *c = &v->checks[i];
		coll_start(e, 0, 0);
		kv_str(e, "name", c->name);
		kv_str(e, "status", hx_check_status_name(c->status));
		kv_str(e, "reason", c->reason);
		kv_num_opt(e, "observed", c->observed);
		kv_num_opt(e, "expected", c->expected);
		if (!isnan(c->lo) && !isnan(c->hi))
			kv_two(e, "ci", c->lo, c->hi, 0);
		kv_num_opt(e, "statistic", c->statistic);
		kv_num_opt(e, "p_value", c->p_value);
		coll_end(e, 0);
	}
	coll_end(e, 1);
	coll_end(e, 0);
}

/* NAME: rate (null without ground truth), NAME_ci, NAME_counts and, for a
 * weighted rate, NAME_weighted: true. */
static void emit_rate(emitter *e, const char *name, const hx_rate *r)
{
	char k[64];

	key(e, name);
	if (r->n)
		num(e, r->rate);
	else
		str(e, NULL);
	snprintf(k, sizeof(k), "%s_ci", name);
	kv_two(e, k, r->lo, r->hi, 0);
	snprintf(k, sizeof(k), "%s_counts", name);
	kv_two(e, k, (double)r->k, (double)r->n, 1);
	if (r->weighted) {
		snprintf(k, sizeof(k), "%s_weighted", name);
		kv_bool(e, k, 1);
	}
}

static void emit_dist(emitter *e, const hx_timeout_dist *d)
{
	kv_map(e, "timeout_distribution", 0);
	switch (d->kind) {
	case HX_DIST_UNIFORM:
		kv_str(e, "type", "uniform");
		kv_num(e, "min_ms", d->min_ms);
		kv_num(e, "max_ms", d->max_ms);
		break;
	case HX_DIST_EXPONENTIAL:
		kv_str(e, "type", "exponential");
		kv_num(e, "mean_ms", d->mean_ms);
		break;
	case HX_DIST_FIXED:
		kv_str(e, "type", "fixed");
		kv_num(e, "fixed_ms", d->fixed_ms);
		break;
	}
	coll_end(e, 0);
}

/* params: {name: value}, se: {name: value}, stall_fraction and its se
 * (the stall model, fit.h), loglik, aic, bic. */
static void emit_fit_figures(emitter *e, const hx_fit_result *r, hx_fit_family f)
{
	int i, which;

	for (which = 0; which < 2; which++) {
		kv_map(e, which ? "se" : "params", 1);
		for (i = 0; i < r->k; i++)
			kv_num(e, hx_fit_param_name(f, i), which ? r->se[i] : r->p[i]);
		coll_end(e, 0);
	}
	if (r->stall_model) {
		kv_num(e, "stall_fraction", r->stall);
		kv_num(e, "stall_fraction_se", r->stall_se);
	}
	kv_num(e, "loglik", r->loglik);
	kv_num(e, "aic", r->aic);
	kv_num(e, "bic", r->bic);
}

static void emit_duration_fit(emitter *e, const hx_tier_data *t)
{
	int f;

	kv_map(e, "duration_fit", 0);
	if (t->has_fit) {
		kv_str(e, "type", hx_fit_family_name(t->best));
		emit_fit_figures(e, &t->fits[t->best], t->best);
		kv_num(e, "ks_d", t->fits[t->best].ks_d);
		kv_num(e, "ks_p", t->fits[t->best].ks_p);
	} else {
		kv_str(e, "type", "none");
		kv_str(e, "reason", t->no_fit);
	}
	kv_num(e, "censor_at_ms", t->timeout_ms);
	kv_int(e, "n_completed", t->ndurations);
	kv_int(e, "n_censored", t->ncensored);
	if (t->fitted) {
		kv_map(e, "families", 0);
		for (f = 0; f < HX_FIT_NFAMILIES; f++) {
			const hx_fit_result *r = &t->fits[f];
			kv_map(e, hx_fit_family_name((hx_fit_family)f), 0);
			if (r->ok) {
				emit_fit_figures(e, r, (hx_fit_family)f);
				kv_num(e, "delta_aic", r->aic - t->fits[t->best].aic);
				kv_num(e, "ks_d", r->ks_d);
				kv_num(e, "ks_p", r->ks_p);
			} else {
				kv_str(e, "error", r->msg);
			}
			coll_end(e, 0);
		}
		coll_end(e, 0);
	}
	coll_end(e, 0);
}

static void emit_tier(emitter *e, const hx_tier_data *t, const hx_calib_data *all)
{
	const hx_tier_data *a = hx_calib_tier(all, t->tier);
	hx_timeout_dist dist;
	int i;

	kv_map(e, hx_tier_lower(t->tier), 0);
	kv_int(e, "n_samples", a ? a->n : t->n);
	kv_int(e, "training_samples", t->n);
	kv_num(e, "timeout_s", t->timeout_ms / 1000.0);
	for (i = 0; i < 3; i++)
		emit_rate(e, hx_rate_name(i), hx_tier_rate(t, i));
	kv_map(e, "outcome_counts", 0);
	for (i = 0; i < HX_OUT_COUNT; i++)
		kv_int(e, hx_outcome_name((hx_outcome)i), t->outcomes[i]);
	coll_end(e, 0);
	hx_export_timeout_dist(t, &dist);
	emit_dist(e, &dist);
	emit_duration_fit(e, t);
	coll_end(e, 0);
}

/* key: k / n, then key_ci: its Wilson 95% interval. */
static void emit_share(emitter *e, const char *name, unsigned long k, unsigned long n)
{
	hx_rate r;
	char ci[64];
	hx_rate_set(&r, k, n);
	kv_num(e, name, n ? (double)k / (double)n : 0);
	snprintf(ci, sizeof(ci), "%s_ci", name);
	kv_two(e, ci, r.lo, r.hi, 0);
}

/* calibrated_models: what calibrate_noise exported and the smoke test
 * plan's Phase 5 reads (TIER upper-case; shares of every record). */
static void emit_calibrated_models(emitter *e, const hx_calib_data *train, const hx_calib_data *all)
{
	size_t i;
	kv_map(e, "calibrated_models", 0);
	for (i = 0; i < train->ntiers; i++) {
		const hx_tier_data *a = hx_calib_tier(all, train->tiers[i].tier);
		unsigned long n;
		if (!a)
			a = &train->tiers[i];
		n = a->n;
		kv_map(e, hx_tier_name(a->tier), 0);
		emit_share(e, "timeout_rate", a->outcomes[HX_OUT_VERIFIER_TIMEOUT], n);
		emit_share(e, "fail_rate", a->outcomes[HX_OUT_PROOF_INVALID], n);
		kv_num(e, "success_rate", n ? (double)a->outcomes[HX_OUT_VERIFIED] / (double)n : 0);
		kv_int(e, "n_samples", n);
		coll_end(e, 0);
	}
	coll_end(e, 0);
}

int hx_export_calibration(const char *path, const hx_calib_meta *m, const hx_calib_data *train,
			  const hx_calib_data *all, const hx_validation *v)
{
	emitter e;
	size_t i;

	em_begin(&e, NULL);
	coll_start(&e, 0, 0);
	emit_metadata(&e, m, train, v);
	emit_validation(&e, v);
	kv_map(&e, "noise_models", 0);
	for (i = 0; i < train->ntiers; i++)
		emit_tier(&e, &train->tiers[i], all);
	coll_end(&e, 0);
	emit_calibrated_models(&e, train, all);
	coll_end(&e, 0);
	return em_finish(&e, path);
}

/* ---- calibration.md ---- */

void hx_export_timeout_dist(const hx_tier_data *t, hx_timeout_dist *out)
{
	/* Without the timed-out runs' durations (none, or data read back from
	 * calibration.yaml) the verifier's own choice is the timeout itself.
	 * Runs killed at the timeout last the timeout or longer; stalls that
	 * ended before it are what the distribution describes, so when there
	 * are such, they alone are fitted. */
	size_t n = t->timeout_durations ? t->ncensored : 0, i, m = 0;
	const double *x = t->timeout_durations;
	double sum = 0, mean, lo = HUGE_VAL, hi = -HUGE_VAL, ll_uniform, ll_exponential;
	double cut = t->timeout_ms;
	int all_close = 1, stalls_only = 0;

	memset(out, 0, sizeof(*out));
	out->kind = HX_DIST_FIXED;
	out->fixed_ms = t->timeout_ms;
	if (!n)
		return;
	for (i = 0; i < n; i++)
		stalls_only |= x[i] < cut;
	for (i = 0; i < n; i++) {
		if (stalls_only && !(x[i] < cut))
			continue;
		m++;
		sum += x[i];
		lo = x[i] < lo ? x[i] : lo;
		hi = x[i] > hi ? x[i] : hi;
	}
	mean = sum / (double)m;
	for (i = 0; i < n && all_close; i++)
		if (!stalls_only || x[i] < cut)
			all_close = fabs(x[i] - mean) <= 0.01 * mean;
	/* All within 1% (which includes a single run, and mean 0): fixed. So
	 * below, hi > lo and mean > 0, and both logarithms are finite. */
	if (all_close || !(mean > 0) || !(hi > lo)) {
		out->fixed_ms = mean;
		return;
	}
	n = m;
	ll_uniform = -(double)n * log(hi - lo);
	ll_exponential = -(double)n * log(mean) - (double)n;
	/* Ties go to uniform: the reference file's own choice. */
	if (ll_uniform >= ll_exponential) {
		out->kind = HX_DIST_UNIFORM;
		out->min_ms = lo;
		out->max_ms = hi;
	} else {
		out->kind = HX_DIST_EXPONENTIAL;
		out->mean_ms = mean;
	}
}

/* Comment text: one line, no control characters. */
static void comment_text(hx_buf *b, const char *s)
{
	for (; s && *s; s++)
		hx_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
}

static void noise_header(hx_buf *b, const hx_calib_meta *m, const hx_calib_data *train)
{
	size_t i;
	int gaps = 0;

	hx_buf_puts(b, "# Verifier noise configuration calibrated by harness from experiment '");
	comment_text(b, m->experiment);
	hx_buf_puts(b, "'\n# on ");
	comment_text(b, m->date_utc);
	hx_buf_puts(b, ". Each rate is a point estimate from the training samples;\n"
		       "# its 95% confidence interval and counts are in calibration.yaml.\n"
		       "# timeout_rate is the injected (stall) timeouts: the fitted stall fraction,\n"
		       "# without the runs that outlast base_timeout_s (the verifier times those\n"
		       "# out by itself); the observed timeout rate is in calibration.yaml.\n");
	for (i = 0; i < train->ntiers; i++)
		gaps |= !train->tiers[i].spurious_fail.n || !train->tiers[i].spurious_pass.n;
	if (gaps)
		hx_buf_puts(b, "# A spurious rate without ground truth is written as 0 here (null "
			       "in calibration.yaml).\n");
}

/* The input models' slices (or test_slices), as the verifier reads them. */
static void emit_slices(emitter *e, const hx_models *models, int is_test)
{
	size_t i, n = 0;
	int t, r;

	for (i = 0; i < models->nslices; i++)
		n += models->slices[i].is_test == is_test;
	if (!n)
		return;
	kv_map(e, is_test ? "test_slices" : "slices", 0);
	for (i = 0; i < models->nslices; i++) {
		const hx_slice_model *sl = &models->slices[i];
		int any = 0;
		if (sl->is_test != is_test)
			continue;
		kv_map(e, sl->name, 0);
		kv_bool(e, "noise_enabled", sl->noise_enabled);
		for (t = 0; t < HX_TIER_COUNT; t++) {
			const hx_tier_override *o = &sl->overrides[t];
			const int has[3] = {o->has_timeout_rate, o->has_spurious_fail_rate,
					    o->has_spurious_pass_rate};
			const double val[3] = {o->timeout_rate, o->spurious_fail_rate,
					       o->spurious_pass_rate};
			if (!has[0] && !has[1] && !has[2])
				continue;
			if (!any++)
				kv_map(e, "tier_overrides", 0);
			kv_map(e, hx_tier_model_name((hx_tier)t), 0);
			for (r = 0; r < 3; r++)
				if (has[r])
					kv_num(e, hx_rate_name(r), val[r]);
			coll_end(e, 0);
		}
		if (any)
			coll_end(e, 0);
		if (sl->has_timeout_distribution)
			emit_dist(e, &sl->timeout_distribution);
		coll_end(e, 0);
	}
	coll_end(e, 0);
}

/* Put "# NAME: not calibrated ..." above each carried-over tier's key (the
 * emitter writes no comments; its block maps indent by two). */
static void mark_carried(hx_buf *out, const hx_buf *yaml, const int carried[HX_TIER_COUNT],
			 const char *from)
{
	const char *tiers = strstr(yaml->ptr, "\ntiers:\n"), *p = yaml->ptr;
	int t;
	for (t = 0; tiers && t < HX_TIER_COUNT; t++) {
		char line[64];
		const char *at;
		if (!carried[t])
			continue;
		snprintf(line, sizeof(line), "\n  %s:\n", hx_tier_model_name((hx_tier)t));
		if (!(at = strstr(tiers, line)))
			continue;
		hx_buf_put(out, p, (size_t)(at + 1 - p));
		hx_buf_printf(out, "  # %s: not calibrated in this run; carried over from ",
			      hx_tier_model_name((hx_tier)t));
		comment_text(out, from);
		hx_buf_putc(out, '\n');
		p = at + 1;
	}
	hx_buf_puts(out, p);
}

int hx_export_noise_config(const char *path, const hx_calib_meta *m, const hx_calib_data *train)
{
	hx_buf header = HX_BUF_INIT, yaml = HX_BUF_INIT, marked = HX_BUF_INIT;
	const hx_models *in = m->models;
	const char *from = !m->models_file                         ? (in ? in->path : "")
			   : strcmp(m->models_file, "built-in") == 0 ? "the built-in models"
			   : strcmp(m->models_file, "inline") == 0   ? "the spec's inline models"
								     : m->models_file;
	const char *def = NULL;
	int carried[HX_TIER_COUNT] = {0}, present[HX_TIER_COUNT] = {0}, ncarried = 0;
	emitter e;
	size_t i;
	int r, t, err;

	/* What models.c would reject is refused here, not by the verifier. */
	if (!train->ntiers) {
		hx_error_set("cannot write '%s': no tier has any samples", path);
		return HX_EINVALID;
	}
	for (i = 0; i < train->ntiers; i++) {
		double s = train->tiers[i].timeout_ms / 1000.0;
		if (!(s > 0 && s <= MAX_TIMEOUT_S)) {
			hx_error_set("cannot write '%s': tier '%s' has timeout %g s, outside (0, %g]",
				     path, hx_tier_name(train->tiers[i].tier), s, MAX_TIMEOUT_S);
			return HX_EINVALID;
		}
		present[train->tiers[i].tier] = 1;
	}
	for (t = 0; in && t < HX_TIER_COUNT; t++) {
		carried[t] = in->has_tier[t] && !present[t];
		present[t] |= carried[t];
		ncarried += carried[t];
	}
	/* The default tier must be one this file defines: the input's, else
	 * balanced, else the first. */
	if (in && in->default_tier) {
		hx_tier dt;
		if (hx_tier_parse(in->default_tier, &dt) == 0 && present[dt])
			def = hx_tier_model_name(dt);
	}
	if (!def)
		def = hx_tier_model_name(present[HX_TIER_BALANCED] ? HX_TIER_BALANCED
								   : train->tiers[0].tier);
	noise_header(&header, m, train);
	if (ncarried) {
		hx_buf_puts(&header, "# Tiers, global settings and slices this run did not calibrate are "
				     "carried over\n# unchanged from ");
		comment_text(&header, from);
		hx_buf_puts(&header, ".\n");
	}
	em_begin(&e, header.ptr);
	hx_buf_release(&header);
	coll_start(&e, 0, 0);
	/* global: the input's settings (a calibration measures none of them),
	 * else the verifier's defaults. */
	kv_map(&e, "global", 0);
	kv_bool(&e, "noise_enabled", in ? in->noise_enabled : 1);
	kv_str(&e, "default_tier", def);
	kv_str(&e, "escalation_policy", in && in->escalation_policy ? in->escalation_policy
								    : "on_failure");
	kv_int(&e, "max_escalation_attempts", in ? (uint64_t)in->max_escalation_attempts : 3);
	coll_end(&e, 0);
	kv_map(&e, "tiers", 0);
	for (t = 0; t < HX_TIER_COUNT; t++) {
		const hx_tier_data *td = hx_calib_tier(train, (hx_tier)t);
		hx_timeout_dist d;
		if (td) {
			kv_map(&e, hx_tier_model_name(td->tier), 0);
			kv_num(&e, hx_rate_name(0), hx_tier_noise_timeout_rate(td));
			for (r = 1; r < 3; r++)
				kv_num(&e, hx_rate_name(r),
				       hx_tier_rate(td, r)->n ? hx_tier_rate(td, r)->rate : 0);
			kv_num(&e, "base_timeout_s", td->timeout_ms / 1000.0);
			hx_export_timeout_dist(td, &d);
			emit_dist(&e, &d);
			coll_end(&e, 0);
		} else if (carried[t]) {
			const hx_tier_model *tm = &in->tiers[t];
			kv_map(&e, hx_tier_model_name((hx_tier)t), 0);
			kv_num(&e, "timeout_rate", tm->timeout_rate);
			kv_num(&e, "spurious_fail_rate", tm->spurious_fail_rate);
			kv_num(&e, "spurious_pass_rate", tm->spurious_pass_rate);
			kv_num(&e, "base_timeout_s", tm->base_timeout_s);
			emit_dist(&e, &tm->timeout_distribution);
			coll_end(&e, 0);
		}
	}
	coll_end(&e, 0);
	if (in) {
		emit_slices(&e, in, 0);
		emit_slices(&e, in, 1);
	}
	coll_end(&e, 0);
	if ((err = em_take(&e, &yaml)) == 0) {
		mark_carried(&marked, &yaml, carried, from);
		err = hx_file_write_atomic(path, marked.ptr, marked.len);
	}
	hx_buf_release(&yaml);
	hx_buf_release(&marked);
	return err;
}

/* ---- reading calibration.yaml back ---- */

/* ---- a YAML tree with substitutions (resolved specs) ---- */

static const hx_yaml_subst *find_subst(const hx_yaml_subst *subst, size_t n, const char *path)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (strcmp(subst[i].path, path) == 0)
			return &subst[i];
	return NULL;
}

static void emit_tree(emitter *e, const hx_ynode *node, const char *path,
		      const hx_yaml_subst *subst, size_t n)
{
	size_t i;
	if (node->type == HX_Y_SCALAR) {
		scalar(e, node->scalar, node->plain);
		return;
	}
	if (node->type == HX_Y_SEQ) {
		coll_start(e, 1, 0);
		for (i = 0; i < node->n; i++)
			emit_tree(e, node->items[i], "", NULL, 0);
		coll_end(e, 1);
		return;
	}
	coll_start(e, 0, 0);
	for (i = 0; i < node->n; i++) {
		const char *k = node->pairs[i].key->scalar;
		char *sub = path[0] ? NULL : hx_xstrdup(k);
		const hx_yaml_subst *r;
		if (!sub) {
			hx_buf b = HX_BUF_INIT;
			hx_buf_printf(&b, "%s.%s", path, k);
			sub = hx_buf_detach(&b, NULL);
		}
		key(e, k);
		r = find_subst(subst, n, sub);
		emit_tree(e, r ? r->node : node->pairs[i].value, sub, subst, n);
		free(sub);
	}
	/* Substitutions for keys this map lacks are added at its end. */
	for (i = 0; i < n; i++) {
		const char *dot = strrchr(subst[i].path, '.');
		size_t plen = dot ? (size_t)(dot - subst[i].path) : 0;
		const char *k = dot ? dot + 1 : subst[i].path;
		if (plen != strlen(path) || strncmp(subst[i].path, path, plen) != 0 ||
		    hx_ynode_get(node, k))
			continue;
		key(e, k);
		emit_tree(e, subst[i].node, subst[i].path, subst, n);
	}
	coll_end(e, 0);
}

int hx_export_yaml_tree(hx_buf *out, const hx_ynode *root, const hx_yaml_subst *subst, size_t n)
{
	emitter e;
	if (!root || root->type != HX_Y_MAP) {
		hx_error_set("a document to rewrite must be a mapping");
		return HX_EINVALID;
	}
	em_begin(&e, NULL);
	emit_tree(&e, root, "", subst, n);
	return em_take(&e, out);
}

int hx_yaml_substs_add(hx_yaml_substs *s, const char *path, const char *yaml_text)
{
	int err;
	if (s->n == sizeof(s->subst) / sizeof(s->subst[0])) {
		hx_error_set("too many substitutions in a spec");
		return HX_EINVALID;
	}
	if ((err = hx_ydoc_parse(&s->docs[s->n], path, yaml_text, strlen(yaml_text))) != 0)
		return err;
	s->subst[s->n].path = path;
	s->subst[s->n].node = s->docs[s->n]->root;
	s->n++;
	return 0;
}

void hx_yaml_substs_release(hx_yaml_substs *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		hx_ydoc_free(s->docs[i]);
	s->n = 0;
}

int hx_yaml_substs_add_path(hx_yaml_substs *s, const char *key, const char *path)
{
	char buf[PATH_MAX];
	hx_buf v = HX_BUF_INIT;
	int err;
	hx_canon_write_cstr(&v, realpath(path, buf) ? buf : path);
	err = hx_yaml_substs_add(s, key, v.ptr);
	hx_buf_release(&v);
	return err;
}
