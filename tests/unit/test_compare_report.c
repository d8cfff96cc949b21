/* test_compare_report.c - the numbers compare's report draws (ECDFs, each
 * side's Wilson interval) and the report itself: its figures, what it says
 * without durations, and the same bytes on a second render. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calib.h"
#include "compare.h"
#include "report/compare_report.h"
#include "report/html.h"

/* {3, 1, 2, 2, NaN, 5}: NaN left out, 5 values; the distinct ones 1, 2, 3,
 * 5 with F = 1/5, 3/5 (the two 2s), 4/5, 5/5. */
static void test_ecdf_by_hand(void **state)
{
	const double v[] = {3, 1, 2, 2, NAN, 5};
	hx_ecdf e;
	(void)state;
	hx_ecdf_build(&e, v, 6);
	assert_int_equal(e.total, 5);
	assert_int_equal(e.n, 4);
	assert_true(e.x[0] == 1 && e.x[1] == 2 && e.x[2] == 3 && e.x[3] == 5);
	assert_true(e.y[0] == 0.2 && e.y[1] == 0.6 && e.y[2] == 0.8 && e.y[3] == 1.0);
	/* thinning a curve of 4 points to 10 steps keeps it whole */
	hx_ecdf_thin(&e, 10);
	assert_int_equal(e.n, 4);
	/* to 2 steps (of 1/2): 0.2 is below the first, 0.6 reaches it and is
	 * kept, 0.8 does not reach the next; the last point is always kept */
	hx_ecdf_thin(&e, 2);
	assert_int_equal(e.n, 2);
	assert_true(e.x[0] == 2 && e.y[0] == 0.6);
	assert_true(e.x[1] == 5 && e.y[1] == 1.0);
	hx_ecdf_release(&e);

	/* nothing but NaN: empty */
	hx_ecdf_build(&e, v + 4, 1);
	assert_int_equal(e.n, 0);
	assert_int_equal(e.total, 0);
	hx_ecdf_release(&e);
}

/* 1..1000 thinned to 10 steps: x = 100, 200, ..., 1000 (where F reaches
 * 0.1, 0.2, ..., 1), never more than 1/10 under the true curve. */
static void test_ecdf_thin(void **state)
{
	double v[1000];
	hx_ecdf e;
	size_t i;
	(void)state;
	for (i = 0; i < 1000; i++)
		v[i] = (double)(1000 - i); /* unsorted on purpose */
	hx_ecdf_build(&e, v, 1000);
	assert_int_equal(e.n, 1000);
	assert_true(e.x[0] == 1.0 && e.y[0] == 0.001);
	hx_ecdf_thin(&e, 10);
	assert_int_equal(e.n, 10);
	for (i = 0; i < 10; i++) {
		assert_true(e.x[i] == 100.0 * (double)(i + 1));
		assert_true(fabs(e.y[i] - 0.1 * (double)(i + 1)) < 1e-12);
	}
	hx_ecdf_release(&e);
}

/* Wilson per side, worked by hand at 95% (z = 1.959964):
 * 3/10: centre (0.3 + z^2/20) / (1 + z^2/10) = 0.355512, half-width
 *       z sqrt(0.021 + z^2/400) / (1 + z^2/10) = 0.247721:
 *       [0.107791, 0.603222] (R: prop.test(3, 10, correct = FALSE));
 * 0/20: centre = half-width = (z^2/40) / (1 + z^2/20) = 0.080563:
 *       [0, 0.161125]. */
static void test_side_wilson(void **state)
{
	hx_comparison c;
	double rate = -1, lo = -1, hi = -1;
	(void)state;
	memset(&c, 0, sizeof(c));
	c.is_rate = 1;
	c.ka = 3;
	c.na = 10;
	c.a = 0.3;
	c.kb = 0;
	c.nb = 20;
	c.b = 0.0;
	assert_int_equal(hx_compare_side_rate(&c, 0, 0.95, &rate, &lo, &hi), 0);
	assert_true(rate == 0.3);
	assert_true(fabs(lo - 0.1077913) < 1e-6);
	assert_true(fabs(hi - 0.6032219) < 1e-6);
	assert_int_equal(hx_compare_side_rate(&c, 1, 0.95, &rate, &lo, &hi), 0);
	assert_true(rate == 0.0);
	assert_true(fabs(lo) < 1e-12);
	assert_true(fabs(hi - 0.1611252) < 1e-6);
	/* a side without observations has no interval, nothing written */
	c.nb = 0;
	rate = lo = hi = -1;
	assert_int_equal(hx_compare_side_rate(&c, 1, 0.95, &rate, &lo, &hi), -1);
	assert_true(rate == -1 && lo == -1 && hi == -1);
	/* nor a duration comparison */
	c.is_rate = 0;
	assert_int_equal(hx_compare_side_rate(&c, 0, 0.95, &rate, &lo, &hi), -1);
}

/* A hand-made paired result of one tier (FAST): three rates (the second
 * significant) and durations, and 60 flips. */
static hx_comparison items[4];
static hx_flip flips[60];
static char module[] = "Mod.<b>&";

static void make_result(hx_compare_result *r)
{
	static const char *const metrics[3] = {"timeout_rate", "spurious_fail_rate",
					       "spurious_pass_rate"};
	size_t i;
	memset(r, 0, sizeof(*r));
	memset(items, 0, sizeof(items));
	for (i = 0; i < 3; i++) {
		hx_comparison *c = &items[i];
		c->tier = HX_TIER_FAST;
		c->metric = metrics[i];
		c->method = "mcnemar-exact";
		c->interval = "newcombe-paired";
		c->is_rate = 1;
		c->paired = 1;
		c->ka = 10 + i;
		c->kb = 10 + 3 * i;
		c->na = c->nb = 100;
		c->a = c->ka / 100.0;
		c->b = c->kb / 100.0;
		c->diff = c->b - c->a;
		c->lo = c->diff - 0.02;
		c->hi = c->diff + 0.02;
		c->b_only = 2 * i;
		c->tested = i > 0;
		c->p = c->p_adjusted = i == 1 ? 0.001 : 1.0;
		c->significant = i == 1;
		if (!c->tested)
			snprintf(c->note, sizeof(c->note), "no discordant pair");
	}
	items[3].tier = HX_TIER_FAST;
	items[3].metric = "duration";
	items[3].method = "wilcoxon-signed-rank";
	items[3].interval = "order-statistic";
	items[3].paired = 1;
	items[3].na = items[3].nb = 5;
	items[3].a = 3.0;
	items[3].b = 3.3;
	items[3].diff = 1.1;
	items[3].lo = 1.0;
	items[3].hi = 1.2;
	items[3].tested = 1;
	items[3].p = items[3].p_adjusted = 0.06;
	for (i = 0; i < 60; i++) {
		flips[i].tier = HX_TIER_FAST;
		flips[i].task_index = i;
		flips[i].module = module;
		flips[i].a = HX_OUT_VERIFIED;
		flips[i].b = HX_OUT_PROOF_INVALID;
		flips[i].a_ms = flips[i].b_ms = 1.0;
	}
	r->items = items;
	r->n = 4;
	r->tested = 3;
	r->alpha = 0.05;
	r->confidence = 0.95;
	r->any_significant = 1;
	r->paired = 1;
	snprintf(r->pairing, sizeof(r->pairing), "100 tasks of one plan");
	r->flips = flips;
	r->nflips = 60;
	r->pairs = 100;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void render(hx_buf *html, hx_report_figs *figs, const hx_compare_result *r,
		   const hx_compare_report_info *info)
{
	hx_report_figs_init(figs, "/tmp/compare.html");
	assert_int_equal(hx_compare_report(html, figs, r, info), 0);
	hx_buf_putc(html, '\0');
}

static void test_report(void **state)
{
	static double da[] = {1, 2, 3, 4, 5}, db[] = {1.1, 2.2, 3.3, 4.4, 5.5};
	hx_compare_result r;
	hx_compare_report_info info;
	hx_calib_data a, b;
	hx_buf h1 = HX_BUF_INIT, h2 = HX_BUF_INIT;
	hx_report_figs f1, f2;
	size_t i;
	(void)state;
	make_result(&r);
	memset(&info, 0, sizeof(info));
	info.name_a = "a.yaml";
	info.name_b = "b.yaml";
	info.max_flips = 50;

	/* two calibration.yaml sides: rates and differences, no durations */
	render(&h1, &f1, &r, &info);
	assert_int_equal(f1.n, 2);
	assert_string_equal(f1.items[0].name, "FAST-rates");
	assert_string_equal(f1.items[1].name, "FAST-diff");
	assert_non_null(strstr(h1.ptr, "No duration figure: A and B are calibration.yaml files"));
	assert_int_equal(count(h1.ptr, "<tr class=\"significant\">"), 1);
	/* the first 50 flips of 60, escaped */
	assert_int_equal(count(h1.ptr, "Mod.&lt;b&gt;&amp;"), 50);
	assert_non_null(strstr(h1.ptr, "60 tasks changed outcome (FAST 60); the first 50:"));
	assert_non_null(strstr(h1.ptr, "... and 10 more"));
	hx_buf_release(&h1);
	hx_report_figs_release(&f1);

	/* both telemetry: the ECDFs too, and a second render is the same bytes */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.ntiers = b.ntiers = 1;
	a.tiers[0].tier = b.tiers[0].tier = HX_TIER_FAST;
	a.tiers[0].durations = da;
	a.tiers[0].ndurations = 5;
	b.tiers[0].durations = db;
	b.tiers[0].ndurations = 5;
	info.a = &a;
	info.b = &b;
	render(&h1, &f1, &r, &info);
	render(&h2, &f2, &r, &info);
	assert_int_equal(f1.n, 3);
	assert_string_equal(f1.items[2].name, "FAST-durations");
	assert_null(strstr(h1.ptr, "No duration figure"));
	assert_int_equal(h1.len, h2.len);
	assert_memory_equal(h1.ptr, h2.ptr, h1.len);
	assert_int_equal(f2.n, f1.n);
	for (i = 0; i < f1.n; i++) {
		assert_true(f1.items[i].svg.len > 0);
		assert_int_equal(f1.items[i].svg.len, f2.items[i].svg.len);
		assert_memory_equal(f1.items[i].svg.ptr, f2.items[i].svg.ptr, f1.items[i].svg.len);
	}
	hx_buf_release(&h1);
	hx_buf_release(&h2);
	hx_report_figs_release(&f1);
	hx_report_figs_release(&f2);

	/* one side a calibration.yaml: the report says which */
	info.b = NULL;
	render(&h1, &f1, &r, &info);
	assert_int_equal(f1.n, 2);
	assert_non_null(strstr(h1.ptr, "No duration figure: B is a calibration.yaml"));
	hx_buf_release(&h1);
	hx_report_figs_release(&f1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ecdf_by_hand),
		cmocka_unit_test(test_ecdf_thin),
		cmocka_unit_test(test_side_wilson),
		cmocka_unit_test(test_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
