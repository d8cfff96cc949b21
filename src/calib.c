#include "calib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "hash.h"
#include "json.h"
#include "stats.h"
#include "telemetry.h"

const char *hx_gt_source_name(hx_gt_source s)
{
	return s == HX_GT_LABELS ? "labels" : s == HX_GT_METADATA ? "simulator" : "none";
}

const hx_tier_data *hx_calib_tier(const hx_calib_data *d, hx_tier t)
{
	size_t i;
	for (i = 0; d && i < d->ntiers; i++)
		if (d->tiers[i].tier == t)
			return &d->tiers[i];
	return NULL;
}

const hx_rate *hx_tier_rate(const hx_tier_data *t, int i)
{
	return i == 0 ? &t->timeout : i == 1 ? &t->spurious_fail : &t->spurious_pass;
}

void hx_rate_set(hx_rate *r, unsigned long k, unsigned long n)
{
	r->k = k;
	r->n = n;
	r->rate = n ? (double)k / (double)n : 0.0;
	r->weighted = 0;
	hx_stats_wilson(k, n, 0.95, &r->lo, &r->hi);
}

/* A record with ground truth, kept until the stratum weights are known. */
typedef struct {
	unsigned char tier, outcome, valid;
} gt_rec;

typedef struct {
	unsigned long n, timeouts, outcomes[HX_OUT_COUNT];
	double timeout_s;
	int seen;
	hx_buf durations, timeout_durations; /* doubles */
} acc;

/* Ground truth of labels.jsonl by task_index (labels.h writes it). */
typedef struct {
	signed char *gt; /* -1 none (or not kept), 0 invalid, 1 valid */
	size_t n;
} label_map;

/* What one part of a split (all, training, held out) gathers. */
typedef struct {
	acc accs[HX_TIER_COUNT];
	hx_buf gts; /* gt_rec */
	hx_calib_data *out;
} part;

/* One pass over the file feeds every part asked for. */
typedef struct {
	part parts[3]; /* HX_PART_ALL, HX_PART_TRAIN, HX_PART_HOLDOUT; out NULL: not asked */
	label_map labels;
	const hx_calib_read_options *opt;
} reader;

static int field_error(const char *path, size_t lineno, const char *what)
{
	hx_error_set("%s:%zu: %s", path, lineno, what);
	return HX_EINVALID;
}

static int json_index(const hx_json *v, size_t *out)
{
	if (!v || v->type != HX_JSON_NUMBER || !(v->u.number >= 0) || v->u.number > 9e15 ||
	    v->u.number != floor(v->u.number))
		return -1;
	*out = (size_t)v->u.number;
	return 0;
}

/* The side of the split a record falls on: 1 held out, 0 training. */
static int held_out(const hx_calib_read_options *o, uint64_t key)
{
	unsigned char b[8];
	int i;
	if (!o || o->split <= 0)
		return 0;
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(key >> (8 * i));
	return (double)(hx_hash64(b, sizeof(b), o->split_seed) >> 11) * 0x1p-53 < o->split;
}

/* A checked record, as the parts need it. */
typedef struct {
	hx_tier tier;
	hx_outcome outcome;
	double duration_ms, timeout_s;
	int valid; /* ground truth: -1 none, 0 invalid, 1 valid */
} rec_view;

static int add_to_part(part *pt, const rec_view *r, const char *path, size_t lineno)
{
	acc *a = &pt->accs[r->tier];
	if (a->seen && a->timeout_s != r->timeout_s) {
		hx_error_set("%s:%zu: tier '%s' has two timeouts (%g s and %g s)", path, lineno,
			     hx_tier_name(r->tier), a->timeout_s, r->timeout_s);
		return HX_EINVALID;
	}
	a->seen = 1;
	a->timeout_s = r->timeout_s;
	a->n++;
	a->outcomes[r->outcome]++;
	if (r->outcome == HX_OUT_VERIFIER_TIMEOUT) {
		a->timeouts++;
		hx_buf_put(&a->timeout_durations, &r->duration_ms, sizeof(double));
	} else if (r->outcome != HX_OUT_MODULE_NOT_FOUND && r->outcome != HX_OUT_ENGINE_ERROR) {
		/* No duration for runs that never verified anything. */
		hx_buf_put(&a->durations, &r->duration_ms, sizeof(double));
	}
	if (r->valid >= 0) {
		gt_rec g = {(unsigned char)r->tier, (unsigned char)r->outcome, (unsigned char)r->valid};
		hx_buf_put(&pt->gts, &g, sizeof(g));
	}
	return 0;
}

static int take(reader *rd, const hx_json *rec, const char *path, size_t lineno)
{
	const hx_json *tier = hx_json_get(rec, "tier"), *outc = hx_json_get(rec, "outcome");
	const hx_json *dur = hx_json_get(rec, "duration_ms"), *tmo = hx_json_get(rec, "timeout_s");
	const hx_json *meta = hx_json_get(rec, "metadata");
	const hx_json *gt = hx_json_get(meta, "ground_truth");
	int labels = rd->opt && rd->opt->labels_path, held, p, err;
	rec_view r;
	size_t key;

	if (!rec || rec->type != HX_JSON_OBJECT)
		return field_error(path, lineno, "a record must be a JSON object");
	if (!tier || tier->type != HX_JSON_STRING || hx_tier_parse(tier->u.string.ptr, &r.tier) != 0)
		return field_error(path, lineno, "missing or unknown 'tier'");
	if (!outc || outc->type != HX_JSON_STRING ||
	    hx_outcome_parse(outc->u.string.ptr, &r.outcome) != 0)
		return field_error(path, lineno, "missing or unknown 'outcome'");
	if (!dur || dur->type != HX_JSON_NUMBER || !(dur->u.number >= 0))
		return field_error(path, lineno, "missing or negative 'duration_ms'");
	if (!tmo || tmo->type != HX_JSON_NUMBER || !(tmo->u.number > 0))
		return field_error(path, lineno, "missing or nonpositive 'timeout_s'");
	if (json_index(hx_json_get(meta, "task_index"), &key) != 0) {
		if (labels)
			return field_error(path, lineno, "labels need 'metadata.task_index'");
		key = lineno - 1;
	}
	r.duration_ms = dur->u.number;
	r.timeout_s = tmo->u.number;
	r.valid = -1;
	if (labels)
		r.valid = key < rd->labels.n ? rd->labels.gt[key] : -1;
	else if (gt && gt->type == HX_JSON_STRING)
		r.valid = strcmp(gt->u.string.ptr, "valid") == 0     ? 1
			  : strcmp(gt->u.string.ptr, "invalid") == 0 ? 0
								     : -1;
	held = held_out(rd->opt, key);
	for (p = 0; p < 3; p++) {
		part *pt = &rd->parts[p];
		if (!pt->out)
			continue;
		if (p != HX_PART_ALL && held != (p == HX_PART_HOLDOUT)) {
			pt->out->skipped++;
			continue;
		}
		if ((err = add_to_part(pt, &r, path, lineno)) != 0)
			return err;
	}
	return 0;
}

typedef struct {
	reader *rd;
	const char *path;
} take_ctx;

static int take_cb(void *ctx, const hx_json *rec, size_t lineno)
{
	take_ctx *c = ctx;
	const hx_calib_read_options *opt = c->rd->opt;
	int err = take(c->rd, rec, c->path, lineno);
	if (!err && opt && opt->each)
		err = opt->each(opt->each_ctx, rec, lineno);
	return err;
}

typedef struct {
	label_map *m;
	const char *path;
} label_ctx;

/* One line of labels.jsonl: {"task_index", "ground_truth": "valid" |
 * "invalid" | null, "kept": bool, ...}. */
static int label_cb(void *ctx, const hx_json *rec, size_t lineno)
{
	label_ctx *c = ctx;
	const hx_json *gt = hx_json_get(rec, "ground_truth"), *kept = hx_json_get(rec, "kept");
	size_t idx;
	int v = -1;

	if (json_index(hx_json_get(rec, "task_index"), &idx) != 0)
		return field_error(c->path, lineno, "missing or bad 'task_index'");
	if (gt && gt->type == HX_JSON_STRING)
		v = strcmp(gt->u.string.ptr, "valid") == 0 ? 1 : strcmp(gt->u.string.ptr, "invalid") == 0 ? 0 : -2;
	else if (!gt || gt->type != HX_JSON_NULL)
		v = -2;
	if (v == -2)
		return field_error(c->path, lineno, "'ground_truth' must be \"valid\", \"invalid\" or null");
	if (!kept || (kept->type != HX_JSON_TRUE && kept->type != HX_JSON_FALSE))
		return field_error(c->path, lineno, "missing 'kept' (true or false)");
	if (kept->type == HX_JSON_FALSE)
		v = -1;
	if (idx >= c->m->n) {
		size_t n = c->m->n ? c->m->n : 64;
		while (n <= idx)
			n *= 2;
		c->m->gt = hx_xrealloc(c->m->gt, n);
		memset(c->m->gt + c->m->n, -1, n - c->m->n);
		c->m->n = n;
	}
	if (c->m->gt[idx] != -1 && v != -1) {
		hx_error_set("%s:%zu: a second label for task %zu", c->path, lineno, idx);
		return HX_EINVALID;
	}
	if (v != -1)
		c->m->gt[idx] = (signed char)v;
	return 0;
}

/* Wilson's interval at a (possibly fractional) effective sample size. */
static void wilson_eff(double p, double n, double *lo, double *hi)
{
	double z = hx_stats_z(0.95), z2 = z * z, den, mid, half;
	if (!(n > 0)) {
		*lo = 0;
		*hi = 1;
		return;
	}
	den = 1 + z2 / n;
	mid = (p + z2 / (2 * n)) / den;
	half = z * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den;
	*lo = fmax(0, mid - half);
	*hi = fmin(1, mid + half);
}

/* A conditional rate over records with ground truth `valid`, completed
 * (not timed out), whose outcome is `event`. Labels come from a stratified
 * sample (strata: outcomes of one tier), so each record is weighted by its
 * stratum's total / labeled count w[outcome], and the rate is the ratio
 * R = sum w z / sum w d (z: the event, d: in the denominator). Its
 * variance is the linearized (Taylor) variance of a ratio under stratified
 * sampling, without the finite-population correction because the rate
 * wanted is the verifier's, not this run's records':
 *   Var R = sum_h N_h^2 s_h^2 / n_h,  u_i = (z_i - R d_i) / B,
 * s_h^2 the sample variance of u in stratum h, B = sum w d. The interval is
 * Wilson's at the effective size R(1 - R) / Var R (Kish's design-effect
 * formula would ignore that the event sits in one stratum). Where that is
 * undefined (R 0 or 1, or no variance), the effective size is Kish's. */
static void gt_rate(hx_rate *r, const gt_rec *g, size_t ng, hx_tier t, int valid, hx_outcome event,
		    const double w[HX_OUT_COUNT], const unsigned long N[HX_OUT_COUNT])
{
	double sw = 0, sw2 = 0, sk = 0, neff, R, var = 0;
	double su[HX_OUT_COUNT] = {0}, su2[HX_OUT_COUNT] = {0};
	unsigned long k = 0, n = 0, nh[HX_OUT_COUNT] = {0};
	int weighted = 0, o;
	size_t i;
	for (i = 0; i < ng; i++) {
		double x;
		if (g[i].tier != t || g[i].outcome == HX_OUT_VERIFIER_TIMEOUT)
			continue;
		x = w[g[i].outcome];
		weighted |= x != 1.0;
		if (g[i].valid != valid)
			continue;
		n++;
		sw += x;
		sw2 += x * x;
		if (g[i].outcome == event) {
			k++;
			sk += x;
		}
	}
	if (!weighted || !n) {
		hx_rate_set(r, k, n);
		return;
	}
	R = sk / sw;
	for (i = 0; i < ng; i++) {
		double u;
		if (g[i].tier != t || g[i].outcome == HX_OUT_VERIFIER_TIMEOUT)
			continue;
		u = g[i].valid == valid ? ((g[i].outcome == event) - R) / sw : 0;
		nh[g[i].outcome]++;
		su[g[i].outcome] += u;
		su2[g[i].outcome] += u * u;
	}
	for (o = 0; o < HX_OUT_COUNT; o++) {
		double m, s2;
		if (nh[o] < 2)
			continue;
		m = su[o] / (double)nh[o];
		s2 = (su2[o] - (double)nh[o] * m * m) / (double)(nh[o] - 1);
		var += (double)N[o] * (double)N[o] * s2 / (double)nh[o];
	}
	neff = R > 0 && R < 1 && var > 0 ? R * (1 - R) / var : sw * sw / sw2;
	if (neff > sw)
		neff = sw; /* never more than the records it stands for */
	r->rate = R;
	r->n = (unsigned long)lround(neff);
	r->k = (unsigned long)lround(R * neff);
	r->weighted = 1;
	wilson_eff(R, neff, &r->lo, &r->hi);
}

static void finish_tier(hx_tier_data *d, acc *a, hx_tier t, const gt_rec *g, size_t ng)
{
	unsigned long labeled[HX_OUT_COUNT] = {0};
	double w[HX_OUT_COUNT];
	size_t i;
	int o;

	d->tier = t;
	d->n = a->n;
	memcpy(d->outcomes, a->outcomes, sizeof(d->outcomes));
	hx_rate_set(&d->timeout, a->timeouts, a->n);
	for (i = 0; i < ng; i++)
		if (g[i].tier == t)
			labeled[g[i].outcome]++;
	for (o = 0; o < HX_OUT_COUNT; o++)
		w[o] = labeled[o] ? (double)a->outcomes[o] / (double)labeled[o] : 1.0;
	gt_rate(&d->spurious_fail, g, ng, t, 1, HX_OUT_PROOF_INVALID, w, a->outcomes);
	gt_rate(&d->spurious_pass, g, ng, t, 0, HX_OUT_VERIFIED, w, a->outcomes);
	d->timeout_ms = a->timeout_s * 1000.0;
	d->ndurations = a->durations.len / sizeof(double);
	d->ncensored = a->timeouts;
	d->durations = hx_xmalloc(a->durations.len ? a->durations.len : 1);
	memcpy(d->durations, a->durations.ptr, a->durations.len);
	d->timeout_durations = hx_xmalloc(a->timeout_durations.len ? a->timeout_durations.len : 1);
	memcpy(d->timeout_durations, a->timeout_durations.ptr, a->timeout_durations.len);
}

int hx_calib_read(hx_calib_data *out, const char *path)
{
	return hx_calib_read_split(out, NULL, NULL, path, NULL);
}

int hx_calib_read_ex(hx_calib_data *out, const char *path, const hx_calib_read_options *opt)
{
	hx_split_part p = opt ? opt->part : HX_PART_ALL;
	return hx_calib_read_split(p == HX_PART_ALL ? out : NULL, p == HX_PART_TRAIN ? out : NULL,
				   p == HX_PART_HOLDOUT ? out : NULL, path, opt);
}

static void finish_part(part *pt, const hx_calib_read_options *opt, unsigned long nlines)
{
	hx_calib_data *out = pt->out;
	const gt_rec *g = (const gt_rec *)pt->gts.ptr;
	size_t ng = pt->gts.len / sizeof(gt_rec);
	int t;
	out->records = nlines - out->skipped;
	out->gt_source = !ng ? HX_GT_NONE : opt && opt->labels_path ? HX_GT_LABELS : HX_GT_METADATA;
	out->labels_used = opt && opt->labels_path ? (unsigned long)ng : 0;
	for (t = 0; t < HX_TIER_COUNT; t++)
		if (pt->accs[t].n)
			finish_tier(&out->tiers[out->ntiers++], &pt->accs[t], (hx_tier)t, g, ng);
}

int hx_calib_read_split(hx_calib_data *all, hx_calib_data *train, hx_calib_data *holdout,
			const char *path, const hx_calib_read_options *opt)
{
	reader rd;
	take_ctx tc = {&rd, path};
	hx_calib_data *outs[3] = {all, train, holdout};
	unsigned long nlines = 0, nlabels = 0;
	int p, t, err = 0;

	memset(&rd, 0, sizeof(rd));
	rd.opt = opt;
	for (p = 0; p < 3; p++) {
		rd.parts[p].out = outs[p];
		if (outs[p])
			memset(outs[p], 0, sizeof(*outs[p]));
		hx_buf_init(&rd.parts[p].gts);
		for (t = 0; t < HX_TIER_COUNT; t++) {
			hx_buf_init(&rd.parts[p].accs[t].durations);
			hx_buf_init(&rd.parts[p].accs[t].timeout_durations);
		}
	}
	if (opt && !(opt->split >= 0 && opt->split < 1)) {
		hx_error_set("validation split %g is outside [0, 1)", opt->split);
		err = HX_EINVALID;
		goto done;
	}
	if (opt && opt->labels_path) {
		label_ctx lc = {&rd.labels, opt->labels_path};
		if ((err = hx_jsonl_each(opt->labels_path, label_cb, &lc, &nlabels)) != 0)
			goto done;
	}
	if ((err = hx_jsonl_each(path, take_cb, &tc, &nlines)) != 0)
		goto done;
	if (!nlines) {
		hx_error_set("'%s' has no records", path);
		err = HX_EINVALID;
		goto done;
	}
	for (p = 0; p < 3; p++)
		if (outs[p])
			finish_part(&rd.parts[p], opt, nlines);
done:
	for (p = 0; p < 3; p++) {
		for (t = 0; t < HX_TIER_COUNT; t++) {
			hx_buf_release(&rd.parts[p].accs[t].durations);
			hx_buf_release(&rd.parts[p].accs[t].timeout_durations);
		}
		hx_buf_release(&rd.parts[p].gts);
		if (err && outs[p])
			hx_calib_release(outs[p]);
	}
	free(rd.labels.gt);
	return err;
}

void hx_calib_release(hx_calib_data *d)
{
	size_t i;
	for (i = 0; i < d->ntiers; i++) {
		free(d->tiers[i].durations);
		free(d->tiers[i].timeout_durations);
	}
	memset(d, 0, sizeof(*d));
}

double hx_tier_noise_timeout_rate(const hx_tier_data *t)
{
	if (t->has_fit && t->fits[t->best].stall_model)
		return t->fits[t->best].stall;
	return t->timeout.rate;
}

/* Every tier at once (hx_fit_joint): one duration law, a stall fraction
 * per tier. -1 when it cannot run (a tier without completed durations or
 * a timeout, or no family fitted): then each tier is fitted alone. */
static int fit_joint(hx_calib_data *d)
{
	static const hx_fit_options opt = {1, HX_FIT_MIN_KS_P};
	hx_fit_sample in[HX_TIER_COUNT];
	hx_fit_result *rows[HX_TIER_COUNT];
	hx_fit_result out[HX_TIER_COUNT][HX_FIT_NFAMILIES];
	hx_fit_family best;
	size_t i;
	int adequate = 0;

	for (i = 0; i < d->ntiers; i++) {
		const hx_tier_data *t = &d->tiers[i];
		if (!t->ndurations || !(t->timeout_ms > 0.0))
			return -1;
		in[i].durations = t->durations;
		in[i].n = t->ndurations;
		in[i].n_censored = t->ncensored;
		in[i].T = t->timeout_ms;
		rows[i] = out[i];
	}
	if (hx_fit_joint(rows, in, d->ntiers, &opt, &best, &adequate) < 0)
		return -1;
	for (i = 0; i < d->ntiers; i++) {
		hx_tier_data *t = &d->tiers[i];
		memcpy(t->fits, out[i], sizeof(t->fits));
		t->fitted = 1;
		t->has_fit = adequate;
		t->best = best;
		t->joint = 1;
		t->no_fit[0] = '\0';
		if (!adequate)
			snprintf(t->no_fit, sizeof(t->no_fit), "%s", hx_error_last());
	}
	return 0;
}

void hx_calib_fit(hx_calib_data *d)
{
	size_t i;
	if (d->ntiers > 1 && fit_joint(d) == 0)
		return;
	for (i = 0; i < d->ntiers; i++) {
		hx_tier_data *t = &d->tiers[i];
		static const hx_fit_options opt = {1, HX_FIT_MIN_KS_P};
		int adequate = 0;
		int err = hx_fit_all_opt(t->fits, t->durations, t->ndurations, t->ncensored,
					 t->ncensored ? t->timeout_ms : 0, &opt, &t->best, &adequate);
		t->fitted = err == 0;
		t->has_fit = t->fitted && adequate;
		if (!t->has_fit)
			snprintf(t->no_fit, sizeof(t->no_fit), "%s", hx_error_last());
	}
}

static void json_families(hx_buf *out, const hx_fit_result fits[HX_FIT_NFAMILIES],
			  hx_fit_family best)
{
	int f, i;
	hx_buf_puts(out, "\"families\":{");
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		const hx_fit_result *r = &fits[f];
		hx_buf_printf(out, "%s\"%s\":{", f ? "," : "", hx_fit_family_name((hx_fit_family)f));
		if (!r->ok) {
			hx_buf_puts(out, "\"error\":");
			hx_canon_write_string(out, r->msg, strlen(r->msg));
			hx_buf_putc(out, '}');
			continue;
		}
		hx_buf_puts(out, "\"params\":{");
		for (i = 0; i < r->k; i++) {
			hx_buf_printf(out, "%s\"%s\":", i ? "," : "",
				      hx_fit_param_name((hx_fit_family)f, i));
			hx_canon_write_number(out, r->p[i]);
		}
		hx_buf_puts(out, "},\"se\":{");
		for (i = 0; i < r->k; i++) {
			hx_buf_printf(out, "%s\"%s\":", i ? "," : "",
				      hx_fit_param_name((hx_fit_family)f, i));
			hx_canon_write_number(out, r->se[i]);
		}
		hx_buf_puts(out, "},\"loglik\":");
		hx_canon_write_number(out, r->loglik);
		hx_buf_puts(out, ",\"aic\":");
		hx_canon_write_number(out, r->aic);
		hx_buf_puts(out, ",\"bic\":");
		hx_canon_write_number(out, r->bic);
		hx_buf_puts(out, ",\"delta_aic\":");
		hx_canon_write_number(out, r->aic - fits[best].aic);
		hx_buf_puts(out, ",\"ks_d\":");
		hx_canon_write_number(out, r->ks_d);
		hx_buf_puts(out, ",\"ks_p\":");
		hx_canon_write_number(out, r->ks_p);
		if (r->stall_model) {
			hx_buf_puts(out, ",\"stall_fraction\":");
			hx_canon_write_number(out, r->stall);
			hx_buf_puts(out, ",\"stall_fraction_se\":");
			hx_canon_write_number(out, r->stall_se);
		}
		hx_buf_putc(out, '}');
	}
	hx_buf_putc(out, '}');
}

/* "best": name, or null and "error". */
static void json_best(hx_buf *out, int has_best, hx_fit_family best, const char *no_fit)
{
	hx_buf_puts(out, "\"best\":");
	if (has_best) {
		const char *b = hx_fit_family_name(best);
		hx_canon_write_string(out, b, strlen(b));
	} else {
		hx_buf_puts(out, "null,\"error\":");
		hx_canon_write_string(out, no_fit, strlen(no_fit));
	}
}

void hx_fit_format_json(hx_buf *out, const hx_fit_result fits[HX_FIT_NFAMILIES], int fitted,
			int has_best, hx_fit_family best, const char *no_fit, size_t n,
			size_t ncensored, double censor_at)
{
	hx_buf_printf(out, "{\"n_completed\":%zu,\"n_censored\":%zu,\"censor_at\":", n, ncensored);
	hx_canon_write_number(out, censor_at > 0 ? censor_at : NAN);
	hx_buf_putc(out, ',');
	json_best(out, has_best, best, no_fit);
	if (fitted) {
		hx_buf_putc(out, ',');
		json_families(out, fits, best);
	}
	hx_buf_puts(out, "}\n");
}

void hx_calib_format_json(hx_buf *out, const hx_calib_data *d)
{
	size_t i;
	hx_buf_printf(out, "{\"records\":%lu,\"tiers\":{", d->records);
	for (i = 0; i < d->ntiers; i++) {
		const hx_tier_data *t = &d->tiers[i];
		hx_buf_printf(out, "%s\"%s\":{\"n\":%lu", i ? "," : "", hx_tier_lower(t->tier), t->n);
		hx_canon_write_rate(out, "timeout_rate", t->timeout.rate, t->timeout.lo,
				    t->timeout.hi);
		hx_canon_write_rate(out, "spurious_fail_rate", t->spurious_fail.rate, t->spurious_fail.lo,
				    t->spurious_fail.hi);
		hx_canon_write_rate(out, "spurious_pass_rate", t->spurious_pass.rate, t->spurious_pass.lo,
				    t->spurious_pass.hi);
		hx_buf_puts(out, ",\"duration_fit\":{");
		json_best(out, t->has_fit, t->best, t->no_fit);
		hx_buf_puts(out, ",\"censor_at_ms\":");
		hx_canon_write_number(out, t->timeout_ms);
		hx_buf_printf(out, ",\"n_completed\":%zu,\"n_censored\":%zu", t->ndurations,
			      t->ncensored);
		if (t->fitted) {
			hx_buf_putc(out, ',');
			json_families(out, t->fits, t->best);
		}
		hx_buf_puts(out, "}}");
	}
	hx_buf_puts(out, "}}\n");
}

static void text_rate(hx_buf *out, const hx_rate *r)
{
	if (r->n)
		hx_buf_printf(out, "  %.4f [%.4f, %.4f] (%lu/%lu)", r->rate, r->lo, r->hi, r->k, r->n);
	else
		hx_buf_puts(out, "  n/a (no ground truth)");
}

void hx_fit_format_text(hx_buf *out, const hx_fit_result fits[HX_FIT_NFAMILIES], int fitted,
			int has_best, hx_fit_family best, const char *no_fit)
{
	int f, i;
	if (!fitted) {
		hx_buf_printf(out, "  no duration fit: %s\n", no_fit);
		return;
	}
	hx_buf_puts(out, "  family        parameters (+- SE)                                loglik"
			 "         AIC     dAIC    KS D    KS p\n");
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		const hx_fit_result *r = &fits[f];
		hx_buf params = HX_BUF_INIT;
		if (!r->ok) {
			hx_buf_printf(out, "  %-12s  no fit: %s\n", hx_fit_family_name((hx_fit_family)f),
				      r->msg);
			continue;
		}
		for (i = 0; i < r->k; i++)
			hx_buf_printf(&params, "%s%s=%.6g+-%.2g", i ? " " : "",
				      hx_fit_param_name((hx_fit_family)f, i), r->p[i], r->se[i]);
		if (r->stall_model)
			hx_buf_printf(&params, " stall=%.4g+-%.2g", r->stall, r->stall_se);
		hx_buf_printf(out, "  %-12s%c %-46s %12.3f %11.3f %8.3f  %.4f  %.4f\n",
			      hx_fit_family_name((hx_fit_family)f),
			      has_best && f == (int)best ? '*' : ' ', params.ptr, r->loglik, r->aic,
			      r->aic - fits[best].aic, r->ks_d, r->ks_p);
		hx_buf_release(&params);
	}
	if (!has_best)
		hx_buf_printf(out, "  %s\n", no_fit);
}

void hx_calib_format_text(hx_buf *out, const hx_calib_data *d)
{
	size_t i;
	hx_buf_printf(out, "%lu records\n", d->records);
	for (i = 0; i < d->ntiers; i++) {
		const hx_tier_data *t = &d->tiers[i];
		hx_buf_printf(out, "\n%s: n=%lu\n  timeout rate      ", hx_tier_name(t->tier), t->n);
		text_rate(out, &t->timeout);
		hx_buf_puts(out, "\n  spurious fail rate");
		text_rate(out, &t->spurious_fail);
		hx_buf_puts(out, "\n  spurious pass rate");
		text_rate(out, &t->spurious_pass);
		hx_buf_printf(out, "\n  durations: %zu completed, %zu timed out at %g ms (* = best: the "
				 "smallest AIC among the families that fit)\n",
			      t->ndurations, t->ncensored, t->timeout_ms);
		hx_fit_format_text(out, t->fits, t->fitted, t->has_fit, t->best, t->no_fit);
	}
}
