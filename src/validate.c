#include "validate.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "fit.h"
#include "stats.h"

#define NRATES 3

/* At most: monotonicity and trend per rate, holdout per tier and rate,
 * coverage, cross_tier per tier; envelopes come on top. */
#define MAX_BUILTIN_CHECKS (2 * NRATES + HX_TIER_COUNT * NRATES + 1 + HX_TIER_COUNT)

static const char *const rate_names[NRATES] = {"timeout_rate", "spurious_fail_rate",
					       "spurious_pass_rate"};

const char *hx_rate_name(int rate)
{
	return rate >= 0 && rate < NRATES ? rate_names[rate] : NULL;
}

const char *hx_check_status_name(hx_check_status s)
{
	static const char *const names[] = {"PASS", "FAIL", "SKIP"};
	return (unsigned)s < 3 ? names[s] : "?";
}

/* A new check named KIND[.A[.B]]: SKIP, every figure NaN, until decide()
 * says otherwise. */
static hx_check *add_check(hx_validation *v, const char *kind, const char *a, const char *b)
{
	hx_check *c = &v->checks[v->n++];

	snprintf(c->name, sizeof(c->name), "%s%s%s%s%s", kind, a ? "." : "", a ? a : "",
		 b ? "." : "", b ? b : "");
	c->status = HX_CHECK_SKIP;
	c->observed = c->expected = c->lo = c->hi = c->statistic = c->p_value = NAN;
	return c;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void decide(hx_check *c, hx_check_status s, const char *fmt, ...)
{
	va_list ap;

	c->status = s;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

/* "p=0.37", "p<1e-6": hx_stats_format_p's rule, the one harness prints
 * every p-value by. */
static const char *fmt_p(char out[24], double p)
{
	char b[16];

	hx_stats_format_p(b, p);
	snprintf(out, 24, "p%s%.16s", b[0] == '<' ? "" : "=", b);
	return out;
}

/* The tiers of d, FAST to SLOW, where the rate has observations, into
 * ts[0..*m); returns why an ordering check (monotonicity, trend) cannot
 * run, or NULL. */
static const char *ordered_tiers(const hx_calib_data *d, int rate, const hx_tier_data **ts,
				 size_t *m)
{
	int t;

	*m = 0;
	for (t = 0; t < HX_TIER_COUNT; t++) {
		const hx_tier_data *td = hx_calib_tier(d, (hx_tier)t);
		if (td && hx_tier_rate(td, rate)->n)
			ts[(*m)++] = td;
	}
	if (d->ntiers < 2)
		return d->ntiers ? "one tier: nothing to order" : "no records";
	if (*m == 0)
		return rate ? "no ground truth" : "no records";
	if (*m == 1)
		return rate ? "ground truth in one tier only: nothing to order"
			    : "records in one tier only: nothing to order";
	return NULL;
}

/* One adjacent pair of a monotonicity check, appended to why. The pair
 * with the smallest z (faster minus slower) decides the check: it has the
 * smallest reverse p. Returns 1 when the pair could be tested. */
static int mono_pair(hx_buf *why, const hx_tier_data *a, const hx_tier_data *b, int rate,
		     double alpha, double *zmin, double *pmin)
{
	const hx_rate *ra = hx_tier_rate(a, rate), *rb = hx_tier_rate(b, rate);
	char rel = ra->rate > rb->rate ? '>' : ra->rate < rb->rate ? '<' : '=', p[24];
	double z, zr, p_dec, p_inc;

	hx_buf_printf(why, "%s%s %.4f %c %s %.4f: ", why->len ? "; " : "",
		      hx_tier_lower(a->tier), ra->rate, rel, hx_tier_lower(b->tier), rb->rate);
	if (hx_stats_two_prop_z(ra->k, ra->n, rb->k, rb->n, &z, &p_dec, NULL) != 0 ||
	    hx_stats_two_prop_z(rb->k, rb->n, ra->k, ra->n, &zr, &p_inc, NULL) != 0) {
		hx_buf_puts(why, ra->k + rb->k ? "an event in every run of both tiers"
					       : "no events in either tier");
		return 0;
	}
	/* the p shown is the one-sided p in the direction observed, named so
	 * that it is not taken for the check's p_value (an increase's) */
	if (z >= 0.0)
		hx_buf_printf(why, "z=%.2f, decrease %s (%s)", z, fmt_p(p, p_dec),
			      p_dec < alpha ? "significant" : "not significant");
	else
		hx_buf_printf(why, "z=%.2f, increase %s (%s)", z, fmt_p(p, p_inc),
			      p_inc < alpha ? "significant" : "not significant");
	if (z < *zmin) {
		*zmin = z;
		*pmin = p_inc;
	}
	return 1;
}

static void check_monotonicity(hx_validation *v, const hx_calib_data *d, int rate, double alpha)
{
	const hx_tier_data *ts[HX_TIER_COUNT];
	size_t m, i;
	const char *skip = ordered_tiers(d, rate, ts, &m);
	hx_check *c = add_check(v, "monotonicity", hx_rate_name(rate), NULL);
	double zmin = INFINITY, p_inc = NAN;
	hx_buf why = HX_BUF_INIT;
	int tested = 0;

	if (skip) {
		decide(c, HX_CHECK_SKIP, "%s", skip);
		return;
	}
	for (i = 0; i + 1 < m; i++)
		tested |= mono_pair(&why, ts[i], ts[i + 1], rate, alpha, &zmin, &p_inc);
	if (tested) {
		char pk[24];
		c->statistic = zmin;
		c->p_value = p_inc;
		hx_buf_printf(&why, "; check: increase %s", fmt_p(pk, p_inc));
	}
	decide(c, !tested ? HX_CHECK_SKIP : p_inc < alpha ? HX_CHECK_FAIL : HX_CHECK_PASS, "%s",
	       why.ptr);
	hx_buf_release(&why);
}

static void check_trend(hx_validation *v, const hx_calib_data *d, int rate, double alpha)
{
	const hx_tier_data *ts[HX_TIER_COUNT];
	size_t m, i;
	const char *skip = ordered_tiers(d, rate, ts, &m);
	hx_check *c = add_check(v, "trend", hx_rate_name(rate), NULL);
	unsigned long k[HX_TIER_COUNT], n[HX_TIER_COUNT];
	double s[HX_TIER_COUNT], chi2, p, sk = 0.0, sn = 0.0, kk = 0.0, nn = 0.0, slope;
	hx_buf why = HX_BUF_INIT;
	char ps[24];

	if (skip) {
		decide(c, HX_CHECK_SKIP, "%s", skip);
		return;
	}
	for (i = 0; i < m; i++) {
		const hx_rate *r = hx_tier_rate(ts[i], rate);
		k[i] = r->k;
		n[i] = r->n;
		s[i] = (double)ts[i]->tier; /* 0, 1, 2 whichever tiers are present */
		sk += s[i] * (double)r->k;
		sn += s[i] * (double)r->n;
		kk += (double)r->k;
		nn += (double)r->n;
		hx_buf_printf(&why, "%s%s %.4f", i ? ", " : "", hx_tier_lower(ts[i]->tier), r->rate);
	}
	if (hx_stats_trend(k, n, s, m, &chi2, &p) != 0) {
		decide(c, HX_CHECK_SKIP, "%s: %s", why.ptr,
		       kk > 0.0 ? "an event in every run of every tier" : "no events in any tier");
		goto done;
	}
	/* the statistic's numerator sum s_i (k_i - n_i pbar): positive when
	 * the rate rises towards the slower tiers */
	slope = sk - sn * kk / nn;
	c->statistic = chi2;
	c->p_value = p;
	decide(c, p < alpha && slope > 0.0 ? HX_CHECK_FAIL : HX_CHECK_PASS,
	       "%s: chi2=%.2f, %s, %s (%s)", why.ptr, chi2, fmt_p(ps, p),
	       slope > 0.0 ? "increasing" : slope < 0.0 ? "decreasing" : "flat",
	       p < alpha ? "significant" : "not significant");
done:
	hx_buf_release(&why);
}

/* Why a holdout check cannot run, or NULL. th is NULL when the held-out
 * part has no records of this tier. */
static const char *holdout_skip(const hx_tier_data *tt, const hx_tier_data *th, int rate)
{
	if (!th)
		return "no held-out records";
	if (!hx_tier_rate(tt, rate)->n)
		return rate ? "no ground truth" : "no training records";
	if (!hx_tier_rate(th, rate)->n)
		return rate ? "no held-out ground truth" : "no held-out records";
	return NULL;
}

/* Counts a check that ran in *ran, and in *covered when 0 lay in the
 * interval (a miss for coverage is an interval miss, whatever the bound on
 * the error said). */
/* One held-out rate. Its 95% interval feeds the coverage check; its
 * verdict uses the family-wise interval at 1 - 0.05/m (Bonferroni over the
 * m holdout checks that run), since among m checks at 95% some miss by
 * chance alone: one miss is not evidence against the calibration, an
 * excess of misses is (the coverage check). */
static void check_holdout(hx_validation *v, const hx_tier_data *tt, const hx_tier_data *th,
			  int rate, double max_err, size_t m, size_t *ran, size_t *covered)
{
	hx_check *c = add_check(v, "holdout", hx_tier_lower(tt->tier), hx_rate_name(rate));
	const char *skip = holdout_skip(tt, th, rate);
	const hx_rate *rt, *rh;
	double diff, err, flo, fhi, level = 1.0 - 0.05 / (double)(m ? m : 1);
	int in, fin, small;
	char bound[48] = "", fw[96] = "";

	if (skip) {
		decide(c, HX_CHECK_SKIP, "%s", skip);
		return;
	}
	rt = hx_tier_rate(tt, rate);
	rh = hx_tier_rate(th, rate);
	if (hx_stats_newcombe(rh->k, rh->n, rt->k, rt->n, 0.95, &diff, &c->lo, &c->hi) != 0) {
		decide(c, HX_CHECK_SKIP, "%s", hx_error_last());
		return;
	}
	c->observed = rh->rate;
	c->expected = rt->rate;
	err = fabs(rh->rate - rt->rate);
	in = c->lo <= 0.0 && 0.0 <= c->hi;
	fin = in;
	if (!in && m > 1 && hx_stats_newcombe(rh->k, rh->n, rt->k, rt->n, level, &diff, &flo, &fhi) == 0) {
		fin = flo <= 0.0 && 0.0 <= fhi;
		snprintf(fw, sizeof(fw), "; the family-wise %.2f%% ci over %zu checks [%.4f, %.4f] %s it",
			 100 * level, m, flo, fhi, fin ? "contains" : "excludes");
	}
	small = !(max_err > 0.0) || err <= max_err;
	if (max_err > 0.0)
		snprintf(bound, sizeof(bound), ", error %s max %.4f", small ? "within" : "exceeds",
			 max_err);
	(*ran)++;
	*covered += (size_t)in;
	decide(c, fin && small ? HX_CHECK_PASS : HX_CHECK_FAIL,
	       "held-out %.4f (%lu/%lu) vs training %.4f (%lu/%lu): error %.4f, "
	       "difference 95%% ci [%.4f, %.4f] %s 0%s%s",
	       rh->rate, rh->k, rh->n, rt->rate, rt->k, rt->n, err, c->lo, c->hi,
	       in ? "contains" : "excludes", fw, bound);
}

/* At 95% nominal coverage each holdout check misses with probability
 * 0.05; misses ~ Binomial(ran, 0.05) (the checks are treated as
 * independent), so FAIL when P(X >= misses) < alpha. */
static void check_coverage(hx_validation *v, size_t ran, size_t covered, double alpha)
{
	hx_check *c = add_check(v, "coverage", NULL, NULL);
	size_t miss = ran - covered;
	char ps[24];
	double p;

	if (!ran) {
		decide(c, HX_CHECK_SKIP, "no holdout checks ran");
		return;
	}
	v->coverage = (double)covered / (double)ran;
	p = hx_stats_binom_upper(miss, ran, 0.05);
	c->observed = v->coverage;
	c->expected = 0.95;
	c->p_value = p;
	decide(c, p < alpha ? HX_CHECK_FAIL : HX_CHECK_PASS,
	       "%zu of %zu held-out rates inside their intervals (coverage %.4f, nominal 0.9500): "
	       "%zu missed, %s for as many at 95%% coverage",
	       covered, ran, v->coverage, miss, fmt_p(ps, p));
}

static void run_holdout(hx_validation *v, const hx_calib_data *train,
			const hx_calib_data *holdout, double alpha, double max_err)
{
	size_t ran = 0, covered = 0, m = 0;
	int t, rate;

	for (t = 0; t < HX_TIER_COUNT; t++) {
		const hx_tier_data *tt = hx_calib_tier(train, (hx_tier)t);
		for (rate = 0; tt && rate < NRATES; rate++)
			m += !holdout_skip(tt, hx_calib_tier(holdout, (hx_tier)t), rate);
	}
	for (t = 0; t < HX_TIER_COUNT; t++) {
		const hx_tier_data *tt = hx_calib_tier(train, (hx_tier)t);
		if (!tt)
			continue;
		for (rate = 0; rate < NRATES; rate++)
			check_holdout(v, tt, hx_calib_tier(holdout, (hx_tier)t), rate, max_err, m, &ran,
				      &covered);
	}
	check_coverage(v, ran, covered, alpha);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* An ascending copy of t's completed durations. The caller frees. */
static double *sorted_durations(const hx_tier_data *t)
{
	double *x = hx_xcalloc(t->ndurations ? t->ndurations : 1, sizeof(*x));

	if (t->ndurations) { /* durations may be NULL then */
		memcpy(x, t->durations, t->ndurations * sizeof(*x));
		qsort(x, t->ndurations, sizeof(*x), cmp_double);
	}
	return x;
}

/* How many of the n ascending x lie below limit. */
static size_t count_below(const double *x, size_t n, double limit)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x[mid] < limit)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* One duration model across tiers (validate.h): t's completed durations
 * against the slowest tier's below t's timeout (two-sample KS, family-wise
 * level alpha / m over the m cross-tier checks), and t's timeouts against
 * the slowest tier's fit, whose S(t's timeout) is the share of runs that
 * outlast it: t cannot time out less often than that. slow_sorted: the
 * slowest tier's completed durations, ascending (nslow of them). */
static void check_cross_tier(hx_validation *v, const hx_tier_data *t, const hx_tier_data *slow,
			     const double *slow_sorted, size_t nslow, double alpha, size_t m)
{
	hx_check *c = add_check(v, "cross_tier", hx_tier_lower(t->tier), NULL);
	const hx_rate *r = &t->timeout;
	const hx_fit_result *f = slow->has_fit ? &slow->fits[slow->best] : NULL;
	double *a = NULL, level = alpha / (double)m, s, pi;
	size_t na, nb;
	char pk[24], tail[48];
	int ks_ok, rate_ok;

	if (!f) {
		decide(c, HX_CHECK_SKIP, "slowest tier (%s) has no duration fit: %s",
		       hx_tier_lower(slow->tier), slow->no_fit);
		return;
	}
	if (!(t->timeout_ms > 0.0) || !r->n) {
		decide(c, HX_CHECK_SKIP, "%s", r->n ? "no timeout known" : "no records");
		return;
	}
	a = sorted_durations(t);
	na = t->ndurations;
	nb = count_below(slow_sorted, nslow, t->timeout_ms);
	if (!na || !nb) {
		decide(c, HX_CHECK_SKIP, "no completed durations below %.0f ms in %s",
		       t->timeout_ms, na ? hx_tier_lower(slow->tier) : hx_tier_lower(t->tier));
		goto done;
	}
	(void)hx_stats_ks_2(a, na, slow_sorted, nb, &c->statistic, &c->p_value);
	s = 1.0 - hx_fit_cdf(f, t->timeout_ms);
	hx_stats_wilson(r->k, r->n, 1.0 - alpha, &c->lo, &c->hi);
	c->observed = r->rate;
	c->expected = s;
	ks_ok = !(c->p_value < level);
	rate_ok = !(c->hi < s);
	pi = s < 1.0 ? fmax((r->rate - s) / (1.0 - s), 0.0) : NAN;
	if (rate_ok)
		snprintf(tail, sizeof(tail), ": stall fraction %.4f", pi);
	else
		snprintf(tail, sizeof(tail), " (too few timeouts)");
	decide(c, ks_ok && rate_ok ? HX_CHECK_PASS : HX_CHECK_FAIL,
	       "durations below %.0f ms %s %s's (KS D=%.4f %s, level %.3g); timeouts %.4f "
	       "[%.4f, %.4f] %s %.4f past %.0f ms by %s's %s fit%s",
	       t->timeout_ms, ks_ok ? "match" : "differ from", hx_tier_lower(slow->tier),
	       c->statistic, fmt_p(pk, c->p_value), level, r->rate, c->lo, c->hi,
	       rate_ok ? ">=" : "<", s, t->timeout_ms, hx_tier_lower(slow->tier),
	       hx_fit_family_name(f->family), tail);
done:
	free(a);
}

static void run_cross_tier(hx_validation *v, const hx_calib_data *d, double alpha)
{
	const hx_tier_data *slow = NULL;
	double *sorted;
	size_t m = 0;
	int t;

	for (t = HX_TIER_COUNT - 1; t >= 0 && !slow; t--)
		slow = hx_calib_tier(d, (hx_tier)t);
	if (!slow)
		return;
	for (t = 0; t < (int)slow->tier; t++)
		m += hx_calib_tier(d, (hx_tier)t) != NULL;
	sorted = sorted_durations(slow); /* once for every faster tier */
	for (t = 0; t < (int)slow->tier; t++) {
		const hx_tier_data *td = hx_calib_tier(d, (hx_tier)t);
		if (td)
			check_cross_tier(v, td, slow, sorted, slow->ndurations, alpha, m);
	}
	free(sorted);
}

static int check_envelope_option(const hx_envelope *e, size_t i)
{
	if ((unsigned)e->tier >= HX_TIER_COUNT || !hx_rate_name(e->rate)) {
		hx_error_set("envelope %zu: unknown tier %d or rate %d", i, (int)e->tier, e->rate);
		return HX_EINVALID;
	}
	if (!(e->min >= 0.0 && e->max <= 1.0 && e->min <= e->max)) {
		hx_error_set("envelope '%s.%s': range [%g, %g] is not an interval within [0, 1]",
			     hx_tier_lower(e->tier), hx_rate_name(e->rate), e->min, e->max);
		return HX_EINVALID;
	}
	return 0;
}

static void check_envelope(hx_validation *v, const hx_calib_data *d, const hx_envelope *e)
{
	hx_check *c = add_check(v, "envelope", hx_tier_lower(e->tier), hx_rate_name(e->rate));
	const hx_tier_data *t = hx_calib_tier(d, e->tier);
	const hx_rate *r = t ? hx_tier_rate(t, e->rate) : NULL;
	const char *where;
	int overlap, inside;

	if (!r || !r->n) {
		decide(c, HX_CHECK_SKIP, "%s", r && e->rate ? "no ground truth" : "no records");
		return;
	}
	c->observed = r->rate;
	c->lo = r->lo;
	c->hi = r->hi;
	overlap = r->hi >= e->min && r->lo <= e->max;
	inside = r->lo >= e->min && r->hi <= e->max;
	where = inside ? "lies inside" : overlap ? "overlaps" : "lies wholly outside";
	decide(c, overlap ? HX_CHECK_PASS : HX_CHECK_FAIL,
	       "%.4f, 95%% ci [%.4f, %.4f] %s [%.4f, %.4f]%s", r->rate, r->lo, r->hi, where,
	       e->min, e->max, overlap && !inside ? " but extends beyond it" : "");
}

int hx_validate(hx_validation *out, const hx_calib_data *train, const hx_calib_data *holdout,
		const hx_validate_options *opt)
{
	static const hx_validate_options every = {0.05, 1, 1, 1, 0.0, NULL, 0};
	double alpha;
	size_t i;
	int rate, err;

	memset(out, 0, sizeof(*out));
	out->coverage = NAN;
	if (!opt)
		opt = &every;
	alpha = opt->alpha == 0.0 ? 0.05 : opt->alpha;
	if (!(alpha > 0.0 && alpha < 1.0)) {
		hx_error_set("validate: alpha %g is outside (0, 1)", alpha);
		return HX_EINVALID;
	}
	for (i = 0; i < opt->nenvelopes; i++)
		if ((err = check_envelope_option(&opt->envelopes[i], i)) != 0)
			return err;
	out->checks = hx_xcalloc(MAX_BUILTIN_CHECKS + opt->nenvelopes, sizeof(hx_check));
	if (opt->monotonicity) {
		for (rate = 0; rate < NRATES; rate++)
			check_monotonicity(out, train, rate, alpha);
		for (rate = 0; rate < NRATES; rate++)
			check_trend(out, train, rate, alpha);
	}
	if (opt->holdout)
		run_holdout(out, train, holdout, alpha, opt->max_calibration_error);
	if (opt->cross_tier)
		run_cross_tier(out, train, alpha);
	for (i = 0; i < opt->nenvelopes; i++)
		check_envelope(out, train, &opt->envelopes[i]);
	for (i = 0; i < out->n; i++) {
		hx_check_status s = out->checks[i].status;
		out->npass += s == HX_CHECK_PASS;
		out->nfail += s == HX_CHECK_FAIL;
		out->nskip += s == HX_CHECK_SKIP;
	}
	out->passed = out->nfail == 0;
	return 0;
}

void hx_validation_release(hx_validation *v)
{
	if (!v)
		return;
	free(v->checks);
	memset(v, 0, sizeof(*v));
	v->coverage = NAN;
}

void hx_validation_format_text(hx_buf *out, const hx_validation *v)
{
	size_t i, w = 0;

	for (i = 0; i < v->n; i++)
		if (strlen(v->checks[i].name) > w)
			w = strlen(v->checks[i].name);
	for (i = 0; i < v->n; i++) {
		const hx_check *c = &v->checks[i];
		hx_buf_printf(out, "%s  %-*s  %s\n", hx_check_status_name(c->status), (int)w,
			      c->name, c->reason);
	}
	hx_buf_printf(out, "validation: %s (%zu checks: %zu passed, %zu failed, %zu skipped)\n",
		      v->passed ? "PASS" : "FAIL", v->n, v->npass, v->nfail, v->nskip);
}

static void json_figure(hx_buf *out, const char *name, double x)
{
	if (isnan(x))
		return;
	hx_buf_printf(out, ",\"%s\":", name);
	hx_canon_write_number(out, x);
}

void hx_validation_format_json(hx_buf *out, const hx_validation *v)
{
	size_t i;

	hx_buf_printf(out, "{\"passed\":%s,\"coverage\":", v->passed ? "true" : "false");
	hx_canon_write_number(out, v->coverage);
	hx_buf_puts(out, ",\"checks\":[");
	for (i = 0; i < v->n; i++) {
		const hx_check *c = &v->checks[i];
		hx_buf_puts(out, i ? ",{\"name\":" : "{\"name\":");
		hx_canon_write_cstr(out, c->name);
		hx_buf_printf(out, ",\"status\":\"%s\",\"reason\":", hx_check_status_name(c->status));
		hx_canon_write_cstr(out, c->reason);
		json_figure(out, "observed", c->observed);
		json_figure(out, "expected", c->expected);
		if (!isnan(c->lo) && !isnan(c->hi)) {
			hx_buf_puts(out, ",\"ci\":[");
			hx_canon_write_number(out, c->lo);
			hx_buf_putc(out, ',');
			hx_canon_write_number(out, c->hi);
			hx_buf_putc(out, ']');
		}
		json_figure(out, "statistic", c->statistic);
		json_figure(out, "p_value", c->p_value);
		hx_buf_putc(out, '}');
	}
	hx_buf_puts(out, "]}\n");
}
