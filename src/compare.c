/* compare.c - harness compare: the unpaired tests, the choice between
 * paired and unpaired, and Holm over all tests (compare.h). */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "rng.h"
#include "stats.h"

static void compare_rate(hx_comparison *c, const hx_rate *ra, const hx_rate *rb, double conf)
{
	double z, pg, p2;
	c->is_rate = 1;
	c->method = "two-proportion-z";
	c->interval = "newcombe-hybrid";
	c->ka = ra->k;
	c->na = ra->n;
	c->kb = rb->k;
	c->nb = rb->n;
	c->a = ra->rate;
	c->b = rb->rate;
	c->diff = c->b - c->a;
	c->lo = c->hi = NAN;
	c->p = c->p_adjusted = 1.0;
	if (!ra->n || !rb->n) {
		snprintf(c->note, sizeof(c->note), "no observations on one side");
		return;
	}
	hx_stats_newcombe(rb->k, rb->n, ra->k, ra->n, conf, &c->diff, &c->lo, &c->hi);
	if (hx_stats_two_prop_z(rb->k, rb->n, ra->k, ra->n, &z, &pg, &p2) != 0) {
		snprintf(c->note, sizeof(c->note), "no variance (%s on both sides)",
			 ra->k == 0 ? "no events" : "all events");
		return;
	}
	c->stat = z;
	c->p = p2;
	c->tested = 1;
}

double hx_median(double *v, size_t n)
{
	size_t lo = 0, hi = n - 1, k = n / 2;
	double m;
	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	m = v[k];
	if (n % 2 == 0) {
		/* the largest of the lower half */
		double below = -INFINITY;
		size_t t;
		for (t = 0; t < k; t++)
			if (v[t] > below)
				below = v[t];
		/* after the select, v[0..k) are all <= v[k] */
		m = (m + below) / 2.0;
	}
	return m;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

static void compare_durations(hx_comparison *c, const hx_tier_data *ta, const hx_tier_data *tb,
			      const hx_compare_options *opt, double conf)
{
	size_t na = ta->ndurations, nb = tb->ndurations, i;
	double *sa, *sb, *ra = NULL, *rb = NULL, *ratios = NULL, d, p;
	unsigned r, nboot = opt->bootstrap ? opt->bootstrap : 1000;
	hx_rng rng;

	c->metric = "duration";
	c->method = "bootstrap-ks";
	c->interval = "bootstrap-percentile";
	c->na = na;
	c->nb = nb;
	c->a = c->b = c->diff = c->lo = c->hi = NAN;
	c->p = c->p_adjusted = 1.0;
	if (na < 2 || nb < 2) {
		snprintf(c->note, sizeof(c->note), "fewer than 2 completed durations on one side");
		return;
	}
	sa = hx_xmalloc(na * sizeof(double));
	sb = hx_xmalloc(nb * sizeof(double));
	memcpy(sa, ta->durations, na * sizeof(double));
	memcpy(sb, tb->durations, nb * sizeof(double));
	qsort(sa, na, sizeof(double), cmp_double);
	qsort(sb, nb, sizeof(double), cmp_double);
	c->a = na % 2 ? sa[na / 2] : (sa[na / 2 - 1] + sa[na / 2]) / 2.0;
	c->b = nb % 2 ? sb[nb / 2] : (sb[nb / 2 - 1] + sb[nb / 2]) / 2.0;
	c->diff = c->b / c->a;
	if (hx_stats_ks_2(sa, na, sb, nb, &d, &p) == 0) {
		c->stat = d;
		c->p = p;
		c->tested = 1;
	}
	/* Bootstrap the median ratio: resample each side with replacement. */
	ra = hx_xmalloc(na * sizeof(double));
	rb = hx_xmalloc(nb * sizeof(double));
	ratios = hx_xmalloc(nboot * sizeof(double));
	hx_rng_init(&rng, opt->seed ^ ((uint64_t)c->tier * 0x9e3779b97f4a7c15ULL));
	for (r = 0; r < nboot; r++) {
		for (i = 0; i < na; i++)
			ra[i] = sa[hx_rng_below(&rng, na)];
		for (i = 0; i < nb; i++)
			rb[i] = sb[hx_rng_below(&rng, nb)];
		ratios[r] = hx_median(rb, nb) / hx_median(ra, na);
	}
	qsort(ratios, nboot, sizeof(double), cmp_double);
	c->lo = ratios[(size_t)floor((1.0 - conf) / 2.0 * (nboot - 1))];
	c->hi = ratios[(size_t)ceil((1.0 + conf) / 2.0 * (nboot - 1))];
	free(sa);
	free(sb);
	free(ra);
	free(rb);
	free(ratios);
}

/* The four comparisons of one tier: three rates, then durations. */
static void compare_tier(hx_compare_result *out, hx_tier t, const hx_tier_data *ta,
			 const hx_tier_data *tb, const hx_compare_options *opt)
{
	static const char *const metrics[3] = {"timeout_rate", "spurious_fail_rate",
					       "spurious_pass_rate"};
	const hx_rate *rates_a[3] = {&ta->timeout, &ta->spurious_fail, &ta->spurious_pass};
	const hx_rate *rates_b[3] = {&tb->timeout, &tb->spurious_fail, &tb->spurious_pass};
	hx_comparison *c;
	int m;

	for (m = 0; m < 3; m++) {
		c = &out->items[out->n++];
		c->tier = t;
		c->metric = metrics[m];
		compare_rate(c, rates_a[m], rates_b[m], out->confidence);
	}
	c = &out->items[out->n++];
	c->tier = t;
	compare_durations(c, ta, tb, opt, out->confidence);
}

int hx_compare(hx_compare_result *out, const hx_calib_data *a, const hx_calib_data *b,
	       const hx_task_outcomes *ta, const hx_task_outcomes *tb,
	       const hx_compare_options *opt)
{
	size_t cap = HX_TIER_COUNT * 4, i, k;
	double *ps = NULL, *adj = NULL;
	char why[160];
	int t, err = 0;

	memset(out, 0, sizeof(*out));
	out->alpha = opt->alpha > 0 ? opt->alpha : 0.05;
	out->confidence = 1.0 - out->alpha;
	out->items = hx_xcalloc(cap, sizeof(hx_comparison));
	if (ta && tb && hx_compare_same_plan(ta, tb, why, sizeof(why))) {
		snprintf(out->pairing, sizeof(out->pairing),
			 "%zu tasks of one plan (tier, task index and module match)", ta->n);
		hx_compare_paired(out, ta, tb);
	} else {
		if (!ta || !tb)
			snprintf(why, sizeof(why), "%s has no per-task records (a calibration.yaml)",
				 !ta ? "A" : "B");
		snprintf(out->pairing, sizeof(out->pairing), "%s", why);
		if (!a || !b) {
			hx_error_set("unpaired comparison without calibrations: %s", why);
			return HX_EINVALID;
		}
		for (t = 0; t < HX_TIER_COUNT; t++) {
			const hx_tier_data *da = hx_calib_tier(a, (hx_tier)t);
			const hx_tier_data *db = hx_calib_tier(b, (hx_tier)t);
			if (da && db)
				compare_tier(out, (hx_tier)t, da, db, opt);
		}
	}
	if (!out->n) {
		hx_error_set("the two calibrations have no tier in common");
		return HX_EINVALID;
	}
	/* Holm over every comparison that was tested. */
	ps = hx_xmalloc(out->n * sizeof(double));
	adj = hx_xmalloc(out->n * sizeof(double));
	for (i = 0, k = 0; i < out->n; i++)
		if (out->items[i].tested)
			ps[k++] = out->items[i].p;
	out->tested = k;
	if (k && (err = hx_stats_holm(ps, k, adj)) != 0)
		goto done;
	for (i = 0, k = 0; i < out->n; i++) {
		hx_comparison *c = &out->items[i];
		if (!c->tested)
			continue;
		c->p_adjusted = adj[k++];
		c->significant = c->p_adjusted < out->alpha;
		out->any_significant |= c->significant;
	}
done:
	free(ps);
	free(adj);
	return err;
}

void hx_compare_release(hx_compare_result *r)
{
	size_t i;
	for (i = 0; i < r->nflips; i++)
		free(r->flips[i].module);
	free(r->flips);
	free(r->items);
	memset(r, 0, sizeof(*r));
}
