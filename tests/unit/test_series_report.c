/* test_series_report.c - the numbers the series figures draw
 * (report/series_figures.h): type-7 quantiles, the per-profile
 * distributions, the heatmap grid of a small two-parameter sweep, the
 * alignment table's tiers; and that a figure drawn twice gives the same
 * bytes. Expected values worked by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "report/html.h"
#include "report/series_figures.h"
#include "series/rowset.h"

static void close_to(double got, double want)
{
	if (!(fabs(got - want) <= 1e-9 + 1e-12 * fabs(want)))
		fail_msg("got %.17g, want %.17g", got, want);
}

#define ROW(label, profile, a, b, pnl, dd, err)                                                   \
	"{\"label\":\"" label "\",\"profile\":\"" profile "\",\"a\":" a ",\"b\":\"" b "\","      \
	"\"final_pnl\":" pnl ",\"max_drawdown\":" dd ",\"max_pnl\":1,\"min_pnl\":0,"              \
	"\"kill_switch\":false" err "}\n"

/* A 2 x 2 sweep (a in {1, 2}, b in {x, y}) of two profiles; p's cell
 * (2, y) has no run, q has one run only, and one run failed. */
static const char sweep[] =
	ROW("r1", "p", "1", "x", "10", "5", "")
	ROW("r2", "p", "1", "x", "20", "1", "")
	ROW("r3", "p", "1", "y", "-4", "2", "")
	ROW("r4", "p", "2", "x", "7", "9", "")
	ROW("r5", "p", "2", "x", "1000", "0", ",\"error\":\"engine exited with status 1\"")
	ROW("r6", "q", "2", "y", "3", "4", "");

static void load(hx_rowset *rs)
{
	hx_rowset_init(rs);
	assert_int_equal(hx_rowset_parse(rs, "sweep", sweep, strlen(sweep)), 0);
	assert_int_equal(rs->n, 6);
	assert_int_equal(rs->failed, 1);
}

static void test_quantile(void **state)
{
	const double v[] = {1, 2, 3, 4}, one[] = {7};
	(void)state;
	/* h = (n - 1) p: 0.75 -> v[0] + 0.75 (v[1] - v[0]) */
	close_to(hx_series_quantile(v, 4, 0.25), 1.75);
	close_to(hx_series_quantile(v, 4, 0.5), 2.5);
	close_to(hx_series_quantile(v, 4, 0.75), 3.25);
	close_to(hx_series_quantile(v, 4, 0), 1);
	close_to(hx_series_quantile(v, 4, 1), 4);
	close_to(hx_series_quantile(one, 1, 0.25), 7);
	assert_true(isnan(hx_series_quantile(v, 0, 0.5)));
}

static void test_distribution_per_profile(void **state)
{
	hx_rowset rs;
	hx_series_cats prof;
	hx_series_dist d;
	(void)state;
	load(&rs);
	hx_series_profiles(&prof, &rs);
	assert_int_equal(prof.n, 2);
	assert_string_equal(prof.items[0], "p");
	assert_string_equal(prof.items[1], "q");
	/* p's ok runs: final PnL 10, 20, -4, 7 (the failed 1000 left out) */
	hx_series_dist_build(&d, &rs, "p", HX_SERIES_FINAL_PNL);
	assert_int_equal(d.n, 4);
	close_to(d.sorted[0], -4);
	close_to(d.sorted[3], 20);
	close_to(d.q1, 4.25);     /* h = 0.75: -4 + 0.75 * (7 - -4) */
	close_to(d.median, 8.5);  /* (7 + 10) / 2 */
	close_to(d.q3, 12.5);     /* 10 + 0.25 * 10 */
	hx_series_dist_release(&d);
	/* drawdowns 5, 1, 2, 9 -> 1, 2, 5, 9 */
	hx_series_dist_build(&d, &rs, "p", HX_SERIES_MAX_DRAWDOWN);
	close_to(d.median, 3.5);
	close_to(d.q1, 1.75);
	close_to(d.q3, 6);
	hx_series_dist_release(&d);
	hx_series_dist_build(&d, &rs, "q", HX_SERIES_FINAL_PNL);
	assert_int_equal(d.n, 1);
	close_to(d.q1, 3);
	close_to(d.median, 3);
	close_to(d.q3, 3);
	hx_series_dist_release(&d);
	hx_series_cats_release(&prof);
	hx_rowset_release(&rs);
}

static void test_heatmap_grid(void **state)
{
	hx_rowset rs;
	hx_series_grid g;
	(void)state;
	load(&rs);
	/* profile p, x = a, y = b */
	hx_series_grid_build(&g, &rs, "p", "a", "b");
	assert_int_equal(g.x.n, 2);
	assert_string_equal(g.x.items[0], "1");
	assert_string_equal(g.x.items[1], "2");
	assert_int_equal(g.y.n, 2);
	assert_string_equal(g.y.items[0], "x");
	assert_string_equal(g.y.items[1], "y");
	/* z[i * ny + j]: (1, x) = (10 + 20) / 2, (1, y) = -4, (2, x) = 7
	 * (the failed run not counted), (2, y) none */
	close_to(g.mean[0 * 2 + 0], 15);
	assert_int_equal(g.count[0], 2);
	close_to(g.mean[0 * 2 + 1], -4);
	close_to(g.mean[1 * 2 + 0], 7);
	assert_int_equal(g.count[2], 1);
	assert_true(isnan(g.mean[1 * 2 + 1]));
	assert_int_equal(g.count[3], 0);
	hx_series_grid_release(&g);
	/* profiles as the rows: a x profile over every profile */
	hx_series_grid_build(&g, &rs, NULL, "a", NULL);
	assert_int_equal(g.x.n, 2);
	assert_int_equal(g.y.n, 2);
	assert_string_equal(g.y.items[1], "q");
	close_to(g.mean[0 * 2 + 0], (10.0 + 20 - 4) / 3); /* a = 1, p */
	assert_true(isnan(g.mean[0 * 2 + 1]));            /* a = 1, q */
	close_to(g.mean[1 * 2 + 0], 7);                   /* a = 2, p */
	close_to(g.mean[1 * 2 + 1], 3);                   /* a = 2, q */
	hx_series_grid_release(&g);
	/* a parameter no row has: an empty grid */
	hx_series_grid_build(&g, &rs, "p", "nope", "b");
	assert_int_equal(g.x.n, 0);
	hx_series_grid_release(&g);
	hx_rowset_release(&rs);
}

static void test_tiers_parse(void **state)
{
	static const char text[] =
		"{\"tiers\":[{\"budget\":{\"max_drawdown_abs\":2000,\"max_kill_prob\":0.01,"
		"\"min_final_pnl_mean\":0},\"dd_mean\":212.5,\"dd_ok\":true,\"kill_ok\":false,"
		"\"kill_prob\":0.25,\"kill_prob_ci\":[0.1,0.5],\"n_runs\":4,\"pnl_mean\":-3,"
		"\"pnl_ok\":false,\"risk_tier\":\"conservative\",\"status\":\"fail\"},"
		"{\"budget\":{\"max_drawdown_abs\":4000,\"max_kill_prob\":0.05,"
		"\"min_final_pnl_mean\":0},\"dd_mean\":null,\"kill_prob\":null,"
		"\"kill_prob_ci\":null,\"n_runs\":0,\"risk_tier\":\"balanced\","
		"\"status\":\"no_runs\"}],\"unmatched\":0}";
	hx_series_tier t[4];
	(void)state;
	assert_int_equal(hx_series_tiers_parse(t, 4, text, strlen(text)), 2);
	assert_string_equal(t[0].tier, "conservative");
	assert_true(t[0].has_runs);
	close_to(t[0].kill_prob, 0.25);
	close_to(t[0].kill_lo, 0.1);
	close_to(t[0].kill_hi, 0.5);
	close_to(t[0].max_kill_prob, 0.01);
	close_to(t[0].dd_mean, 212.5);
	close_to(t[0].max_drawdown_abs, 2000);
	close_to(t[0].pnl_mean, -3);
	close_to(t[0].min_final_pnl_mean, 0);
	assert_false(t[0].kill_ok);
	assert_true(t[0].dd_ok);
	assert_false(t[0].pnl_ok);
	assert_string_equal(t[1].tier, "balanced");
	assert_false(t[1].has_runs);
	assert_true(isnan(t[1].kill_prob));
	assert_true(isnan(t[1].kill_lo));
	assert_int_equal(hx_series_tiers_parse(t, 4, "{\"x\":1}", 7), -1);
	assert_int_equal(hx_series_tiers_parse(t, 4, "nope", 4), -1);
}

/* The figures of a dataset and of an alignment: the expected names, and
 * the same bytes when drawn again. */
static void draw(hx_report_figs *figs, const hx_rowset *rs)
{
	static const char *const axes[] = {"a", "b"};
	hx_series_tier t[1];
	memset(t, 0, sizeof(t));
	strcpy(t[0].tier, "balanced");
	t[0].has_runs = 1;
	t[0].kill_prob = 0.1;
	t[0].kill_lo = 0.02;
	t[0].kill_hi = 0.4;
	t[0].max_kill_prob = 0.05;
	t[0].dd_mean = 300;
	t[0].max_drawdown_abs = 400;
	t[0].pnl_mean = 12;
	t[0].min_final_pnl_mean = 0;
	t[0].dd_ok = t[0].pnl_ok = 1;
	hx_report_figs_init(figs, "/tmp/report.html");
	assert_int_equal(hx_series_dataset_figures(figs, "dataset", rs, axes, 2), 0);
	assert_int_equal(hx_series_align_figures(figs, "align", t, 1), 0);
}

/* The texts of an SVG in order, '|' after each; the svg driver writes
 * each character as a reference (&#x31;). */
static void svg_texts(hx_buf *out, const char *svg)
{
	const char *p = svg;
	while ((p = strstr(p, "<tspan")) != NULL) {
		p = strchr(p, '>') + 1;
		while (*p && *p != '<') {
			if (strncmp(p, "&#x", 3) == 0) {
				char *end;
				hx_buf_putc(out, (char)strtol(p + 3, &end, 16));
				p = end + 1;
			} else {
				hx_buf_putc(out, *p++);
			}
		}
		hx_buf_putc(out, '|');
	}
	if (!out->ptr)
		hx_buf_puts(out, "");
}

static void test_figures_deterministic(void **state)
{
	static const char *const names[] = {"dataset-final-pnl", "dataset-max-drawdown",
					    "dataset-heatmap-p-a-b", "dataset-heatmap-q-a-b",
					    "align-kill", "align-drawdown", "align-pnl"};
	hx_rowset rs;
	hx_report_figs f1, f2;
	size_t i;
	(void)state;
	load(&rs);
	draw(&f1, &rs);
	draw(&f2, &rs);
	assert_int_equal(f1.n, sizeof(names) / sizeof(names[0]));
	for (i = 0; i < f1.n; i++) {
		assert_string_equal(f1.items[i].name, names[i]);
		assert_non_null(strstr(f1.items[i].svg.ptr, "<svg"));
		assert_int_equal(f1.items[i].svg.len, f2.items[i].svg.len);
		assert_memory_equal(f1.items[i].svg.ptr, f2.items[i].svg.ptr, f1.items[i].svg.len);
	}
	/* the heatmap's cells carry their values, drawn first, column by
	 * column (the empty cell has none); then the axes */
	{
		hx_buf texts = HX_BUF_INIT;
		svg_texts(&texts, f1.items[2].svg.ptr);
		if (strncmp(texts.ptr, "15|-4|7|1|2|x|y|", 16) != 0)
			fail_msg("texts: %s", texts.ptr);
		hx_buf_release(&texts);
	}
	hx_report_figs_release(&f1);
	hx_report_figs_release(&f2);
	hx_rowset_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantile),
		cmocka_unit_test(test_distribution_per_profile),
		cmocka_unit_test(test_heatmap_grid),
		cmocka_unit_test(test_tiers_parse),
		cmocka_unit_test(test_figures_deterministic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
