/* test_plot.c - figures through PLplot's svg driver: every mark draws,
 * the same figure gives the same bytes, text is carried safely, and the
 * HTML pieces of a report (report/html.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "fsutil.h"
#include "plot/plot.h"
#include "report/html.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("plot")

/* A figure with every kind of mark of plot.h. */
static void draw_all(hx_buf *svg)
{
	static const double x[] = {0, 1, 2, NAN, 4, 5}, y[] = {0.1, 0.4, 0.3, 0.5, 0.6, 0.2};
	static const double left[] = {0, 1}, right[] = {1, 2}, h[] = {0.3, 0.6};
	static const char *const cats[] = {"a", "b", "c", "d", "e", "f"};
	hx_plot_key keys[3] = {{"line # one", HX_PLOT_BLUE, HX_PLOT_KEY_LINE, HX_PLOT_DASHED, 0},
			       {"points & more", HX_PLOT_ORANGE, HX_PLOT_KEY_POINT, 0, HX_PLOT_SQUARE},
			       {"<box>", HX_PLOT_GREEN, HX_PLOT_KEY_BOX, 0, 0}};
	hx_plot_axes a = {"Title é #1", "x & y", "rate", -0.5, 5.5, 0, 1, 1, 0, cats, 6};
	hx_plot *p = hx_plot_begin(640, 400);
	hx_plot_frame(p, &a);
	hx_plot_rect(p, 1, 3, 0.2, 0.8, HX_PLOT_GREEN);
	hx_plot_bars(p, left, right, h, 2, HX_PLOT_SKYBLUE, 1);
	hx_plot_line(p, x, y, 6, HX_PLOT_BLUE, HX_PLOT_DASHED);
	hx_plot_step(p, x, y, 3, 3, HX_PLOT_VERMILLION, HX_PLOT_SOLID);
	hx_plot_step_band(p, x, y, h, 2, 3, HX_PLOT_PURPLE);
	hx_plot_points(p, x, y, 6, HX_PLOT_ORANGE, HX_PLOT_CIRCLE);
	hx_plot_ticks(p, x, y, 2, HX_PLOT_BLACK);
	hx_plot_interval(p, 2, 0.2, 0.7, 1, HX_PLOT_PURPLE);
	hx_plot_interval(p, 0.5, 1, 3, 0, HX_PLOT_PURPLE);
	hx_plot_vline(p, 4, HX_PLOT_GREY, HX_PLOT_DOTTED);
	hx_plot_hline(p, 0.5, HX_PLOT_GREY, HX_PLOT_SOLID);
	hx_plot_text(p, 1, 0.9, 0, "tau = 0.5 #", HX_PLOT_BLACK);
	hx_plot_legend(p, keys, 3, 0);
	assert_int_equal(hx_plot_end(p, svg), 0);
}

static void test_every_mark_draws(void **state)
{
	hx_buf svg = HX_BUF_INIT;
	(void)state;
	draw_all(&svg);
	assert_non_null(strstr(svg.ptr, "<svg"));
	assert_non_null(strstr(svg.ptr, "viewBox=\"0 0 640 400\""));
	/* the palette: blue line, orange points, translucent green region */
	assert_non_null(strstr(svg.ptr, "stroke=\"#0072B2\""));
	assert_non_null(strstr(svg.ptr, "fill=\"#E69F00\""));
	assert_non_null(strstr(svg.ptr, "fill=\"#009E73\""));
	assert_non_null(strstr(svg.ptr, "fill-opacity=\"0.250000\""));
	assert_non_null(strstr(svg.ptr, "fill=\"#CC79A7\""));
	/* text arrives as character references: '#', '&' and '<' intact */
	assert_non_null(strstr(svg.ptr, "&#x23;&#x31;"));           /* "#1" */
	assert_non_null(strstr(svg.ptr, "&#x78;&#x20;&#x26;&#x20;")); /* "x & " */
	assert_non_null(strstr(svg.ptr, "&#x3c;&#x62;&#x6f;&#x78;&#x3e;"));
	assert_non_null(strstr(svg.ptr, "&#xe9;"));
	/* nothing that changes from run to run */
	assert_null(strstr(svg.ptr, "Date"));
	assert_null(strstr(svg.ptr, "<!-- Created"));
	hx_buf_release(&svg);
}

static void test_same_bytes(void **state)
{
	hx_buf a = HX_BUF_INIT, b = HX_BUF_INIT;
	(void)state;
	draw_all(&a);
	draw_all(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	hx_buf_release(&a);
	hx_buf_release(&b);
}

static void *draw_thread(void *arg)
{
	draw_all(arg);
	return NULL;
}

/* Two threads draw at once: the lock keeps PLplot's globals to one. */
static void test_threads(void **state)
{
	hx_buf a = HX_BUF_INIT, b = HX_BUF_INIT, c = HX_BUF_INIT;
	pthread_t t1, t2;
	(void)state;
	draw_all(&c);
	assert_int_equal(pthread_create(&t1, NULL, draw_thread, &a), 0);
	assert_int_equal(pthread_create(&t2, NULL, draw_thread, &b), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(a.len, c.len);
	assert_memory_equal(a.ptr, c.ptr, c.len);
	assert_int_equal(b.len, c.len);
	assert_memory_equal(b.ptr, c.ptr, c.len);
	hx_buf_release(&a);
	hx_buf_release(&b);
	hx_buf_release(&c);
}

static void test_heatmap(void **state)
{
	static const char *const xc[] = {"0.1", "0.2", "0.3"}, *const yc[] = {"lo", "hi"};
	static const double z[] = {1, 2, 3, NAN, 5, 6};
	hx_plot_heatmap_spec h = {"PnL", "band", "profile", "mean PnL", xc, 3, yc, 2, z, 1, 6, "%.1f"};
	hx_buf svg = HX_BUF_INIT;
	hx_plot *p;
	(void)state;
	p = hx_plot_begin(500, 300);
	hx_plot_heatmap(p, &h);
	assert_int_equal(hx_plot_end(p, &svg), 0);
	/* the low end of the palette, the high end, and the NaN cell grey */
	assert_non_null(strstr(svg.ptr, "fill=\"#440154\""));
	assert_non_null(strstr(svg.ptr, "fill=\"#FDE725\""));
	assert_non_null(strstr(svg.ptr, "fill=\"#DDDDDD\""));
	/* cell labels: "6.0" is there, the NaN cell has none */
	assert_non_null(strstr(svg.ptr, ">&#x36;&#x2e;&#x30;<"));
	assert_null(strstr(svg.ptr, ">&#x6e;&#x61;&#x6e;<"));
	hx_buf_release(&svg);
}

static void test_nice_range(void **state)
{
	double lo = 0.013, hi = 0.87;
	(void)state;
	hx_plot_nice_range(&lo, &hi, 0);
	assert_true(fabs(lo - 0.0) < 1e-12 && fabs(hi - 1.0) < 1e-12);
	lo = 12;
	hi = 12;
	hx_plot_nice_range(&lo, &hi, 0);
	assert_true(lo < 12 && hi > 12);
	lo = 3;
	hi = 97;
	hx_plot_nice_range(&lo, &hi, 0.05);
	assert_true(lo <= 3 - 4.7 + 1e-9 && hi >= 97 + 4.7 - 1e-9);
	assert_true(fabs(lo - -20) < 1e-9 && fabs(hi - 120) < 1e-9); /* step 20 */
	assert_int_equal(hx_plot_series_color(0), HX_PLOT_BLUE);
	assert_int_equal(hx_plot_series_color(1), HX_PLOT_ORANGE);
	assert_int_equal(hx_plot_series_color(7), HX_PLOT_BLUE);
}

static void test_html_escape(void **state)
{
	hx_buf b = HX_BUF_INIT;
	(void)state;
	hx_html_escape(&b, "a<b>&\"c\" 'd' \x01 \xff é\n");
	assert_string_equal(b.ptr, "a&lt;b&gt;&amp;&quot;c&quot; &#39;d&#39; \xEF\xBF\xBD "
				   "\xEF\xBF\xBD é\n");
	hx_buf_reset(&b);
	hx_html_badge(&b, "PASS");
	hx_html_badge(&b, "MISMATCH");
	hx_html_badge(&b, "<x>");
	assert_string_equal(b.ptr, "<span class=\"badge pass\">PASS</span>"
				   "<span class=\"badge mismatch\">MISMATCH</span>"
				   "<span class=\"badge other\">&lt;x&gt;</span>");
	hx_buf_release(&b);
}

static void test_report_write(void **state)
{
	hx_report_figs figs;
	hx_buf html = HX_BUF_INIT, file = HX_BUF_INIT;
	(void)state;
	hx_report_figs_init(&figs, "out/nightly.html");
	assert_string_equal(figs.prefix, "nightly-");
	hx_report_figs_release(&figs);
	hx_report_figs_init(&figs, "out/report.html");
	assert_string_equal(figs.prefix, "");
	draw_all(hx_report_figs_add(&figs, "FAST-%s", "rates/x"));
	assert_string_equal(figs.items[0].name, "FAST-rates_x");
	hx_html_begin(&html, "Run <smoke>");
	hx_html_figure(&html, &figs, 0, "Rates & intervals");
	hx_html_end(&html);
	/* inline: no XML declaration, no pt size, the viewBox kept */
	assert_null(strstr(html.ptr, "<?xml"));
	assert_null(strstr(html.ptr, "640pt"));
	assert_non_null(strstr(html.ptr, "<svg role=\"img\""));
	assert_non_null(strstr(html.ptr, "viewBox=\"0 0 640 400\""));
	assert_non_null(strstr(html.ptr, "<title>Run &lt;smoke&gt;</title>"));
	assert_non_null(strstr(html.ptr, "href=\"figures/FAST-rates_x.svg\""));
	/* ids made unique per figure (every file of the driver has the same) */
	assert_non_null(strstr(html.ptr, "id=\"fig-FAST-rates_x-text-clipping0\""));
	assert_non_null(strstr(html.ptr, "url(#fig-FAST-rates_x-text-clipping0)"));
	assert_null(strstr(html.ptr, "url(#text-clipping"));
	/* the background rect keeps its own width */
	assert_non_null(strstr(html.ptr, "width=\"640\""));
	assert_int_equal(hx_report_write("out/report.html", &html, &figs), 0);
	assert_int_equal(hx_file_read(&file, "out/figures/FAST-rates_x.svg"), 0);
	assert_int_equal(file.len, figs.items[0].svg.len);
	assert_memory_equal(file.ptr, figs.items[0].svg.ptr, file.len);
	hx_buf_reset(&file);
	assert_int_equal(hx_file_read(&file, "out/report.html"), 0);
	assert_string_equal(file.ptr, html.ptr);
	hx_buf_release(&file);
	hx_buf_release(&html);
	hx_report_figs_release(&figs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_mark_draws),
		cmocka_unit_test(test_same_bytes),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_heatmap),
		cmocka_unit_test(test_nice_range),
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_report_write),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
