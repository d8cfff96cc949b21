#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "rng.h"
#include "stats.h"

static void compare_rate(hx_comparison *c, const hx_rate *ra, const hx_rate *rb)
{
	double z, pg, p2;
	c->is_rate = 1;
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
	hx_stats_newcombe(rb->k, rb->n, ra->k, ra->n, 0.95, &c->diff, &c->lo, &c->hi);
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
			      const hx_compare_options *opt)
{
	size_t na = ta->ndurations, nb = tb->ndurations, i;
	double *sa, *sb, *ra = NULL, *rb = NULL, *ratios = NULL, d, p;
	unsigned r, nboot = opt->bootstrap ? opt->bootstrap : 1000;
	hx_rng rng;

	c->metric = "duration";
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
	c->lo = ratios[(size_t)floor(0.025 * (nboot - 1))];
	c->hi = ratios[(size_t)ceil(0.975 * (nboot - 1))];
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
		compare_rate(c, rates_a[m], rates_b[m]);
	}
	c = &out->items[out->n++];
	c->tier = t;
	compare_durations(c, ta, tb, opt);
}

int hx_compare(hx_compare_result *out, const hx_calib_data *a, const hx_calib_data *b,
	       const hx_compare_options *opt)
{
	size_t cap = HX_TIER_COUNT * 4, i, k;
	double *ps = NULL, *adj = NULL;
	int t, err = 0;

	memset(out, 0, sizeof(*out));
	out->alpha = opt->alpha > 0 ? opt->alpha : 0.05;
	out->items = hx_xcalloc(cap, sizeof(hx_comparison));
	for (t = 0; t < HX_TIER_COUNT; t++) {
		const hx_tier_data *ta = hx_calib_tier(a, (hx_tier)t), *tb = hx_calib_tier(b, (hx_tier)t);
		if (ta && tb)
			compare_tier(out, (hx_tier)t, ta, tb, opt);
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
	free(r->items);
	memset(r, 0, sizeof(*r));
}

void hx_compare_format_json(hx_buf *out, const hx_compare_result *r, const char *name_a,
			    const char *name_b)
{
	size_t i;
	hx_buf_puts(out, "{\"a\":");
	hx_canon_write_cstr(out, name_a);
	hx_buf_puts(out, ",\"b\":");
	hx_canon_write_cstr(out, name_b);
	hx_buf_puts(out, ",\"alpha\":");
	hx_canon_write_number(out, r->alpha);
	hx_buf_printf(out, ",\"tests\":%zu,\"significant\":%s,\"comparisons\":[", r->tested,
		      r->any_significant ? "true" : "false");
	for (i = 0; i < r->n; i++) {
		const hx_comparison *c = &r->items[i];
		hx_buf_printf(out, "%s{\"tier\":\"%s\",\"metric\":\"%s\",\"a\":", i ? "," : "",
			      hx_tier_name(c->tier), c->metric);
		hx_canon_write_number(out, c->a);
		hx_buf_puts(out, ",\"b\":");
		hx_canon_write_number(out, c->b);
		hx_buf_printf(out, ",\"%s\":", c->is_rate ? "diff" : "ratio");
		hx_canon_write_number(out, c->diff);
		hx_buf_printf(out, ",\"%s_ci\":[", c->is_rate ? "diff" : "ratio");
		hx_canon_write_number(out, c->lo);
		hx_buf_putc(out, ',');
		hx_canon_write_number(out, c->hi);
		hx_buf_puts(out, "]");
		if (c->is_rate)
			hx_buf_printf(out, ",\"a_count\":[%lu,%lu],\"b_count\":[%lu,%lu]", c->ka, c->na,
				      c->kb, c->nb);
		else
			hx_buf_printf(out, ",\"n_a\":%lu,\"n_b\":%lu", c->na, c->nb);
		hx_buf_printf(out, ",\"test\":\"%s\",\"statistic\":", c->is_rate ? "z" : "ks");
		hx_canon_write_number(out, c->tested ? c->stat : NAN);
		hx_buf_puts(out, ",\"p_value\":");
		hx_canon_write_number(out, c->p);
		hx_buf_puts(out, ",\"p_adjusted\":");
		hx_canon_write_number(out, c->p_adjusted);
		hx_buf_printf(out, ",\"tested\":%s,\"significant\":%s", c->tested ? "true" : "false",
			      c->significant ? "true" : "false");
		if (c->note[0]) {
			hx_buf_puts(out, ",\"note\":");
			hx_canon_write_cstr(out, c->note);
		}
		hx_buf_putc(out, '}');
	}
	hx_buf_puts(out, "]}\n");
}

void hx_compare_format_text(hx_buf *out, const hx_compare_result *r, const char *name_a,
			    const char *name_b)
{
	size_t i;
	hx_buf_printf(out, "A  %s\nB  %s\n", name_a, name_b);
	hx_buf_printf(out, "alpha %g, Holm-adjusted over %zu tests\n", r->alpha, r->tested);
	hx_buf_puts(out, "tier      metric              A                   B                   "
			 "B-A or B/A [95% CI]        p          p(Holm)\n");
	for (i = 0; i < r->n; i++) {
		const hx_comparison *c = &r->items[i];
		char a[32], b[32], d[48];
		if (c->is_rate) {
			snprintf(a, sizeof(a), "%.4f (%lu/%lu)", c->a, c->ka, c->na);
			snprintf(b, sizeof(b), "%.4f (%lu/%lu)", c->b, c->kb, c->nb);
			if (isfinite(c->lo))
				snprintf(d, sizeof(d), "%+.4f [%+.4f, %+.4f]", c->diff, c->lo, c->hi);
			else
				snprintf(d, sizeof(d), "%+.4f", c->diff);
		} else if (isfinite(c->a)) {
			snprintf(a, sizeof(a), "median %.1f ms", c->a);
			snprintf(b, sizeof(b), "median %.1f ms", c->b);
			snprintf(d, sizeof(d), "x%.3f [%.3f, %.3f]", c->diff, c->lo, c->hi);
		} else {
			snprintf(a, sizeof(a), "n=%lu", c->na);
			snprintf(b, sizeof(b), "n=%lu", c->nb);
			snprintf(d, sizeof(d), "-");
		}
		hx_buf_printf(out, "%-9s %-19s %-19s %-19s %-26s", hx_tier_name(c->tier), c->metric, a,
			      b, d);
		if (c->tested)
			hx_buf_printf(out, " %-10.3g %-10.3g%s\n", c->p, c->p_adjusted,
				      c->significant ? " significant" : "");
		else
			hx_buf_printf(out, " not tested: %s\n", c->note);
	}
	hx_buf_printf(out, "%s\n", r->any_significant ? "verdict: the calibrations differ"
						      : "verdict: no significant difference");
}
