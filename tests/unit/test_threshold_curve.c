/* test_threshold_curve.c - the curves of a threshold calibration
 * (threshold/curve.h) on a hand-worked example with ties, the edge cases
 * (one label only, no samples, -0 and +0), the thinning, and the HTML
 * report (report/threshold_report.h): its figures and the same bytes from
 * a second render. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "report/threshold_report.h"
#include "threshold/curve.h"
#include "threshold/threshold.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) <= 1e-12)

static hx_scores *scores_of(const double *s, const int *y, size_t n)
{
	hx_scores *sc = hx_scores_new();
	size_t i;
	for (i = 0; i < n; i++)
		hx_scores_add(sc, s[i], y[i]);
	return sc;
}

static void point_is(const hx_curve_point *p, double tau, size_t tp, size_t fp, double tpr,
		     double fpr, double precision, double f1)
{
	if (isinf(tau))
		assert_true(isinf(p->tau) && p->tau > 0);
	else
		NEAR(p->tau, tau);
	assert_int_equal(p->tp, tp);
	assert_int_equal(p->fp, fp);
	assert_int_equal(p->flagged, tp + fp);
	if (isnan(tpr))
		assert_true(isnan(p->tpr));
	else
		NEAR(p->tpr, tpr);
	if (isnan(fpr))
		assert_true(isnan(p->fpr));
	else
		NEAR(p->fpr, fpr);
	NEAR(p->precision, precision);
	if (isnan(f1))
		assert_true(isnan(p->f1));
	else
		NEAR(p->f1, f1);
}

/* Scores 0.9 P, 0.8 P, 0.8 N, 0.5 N, 0.3 P, 0.3 N (in a shuffled order):
 * the ties at 0.8 and 0.3 are one point each.
 *   tau   tp fp  TPR  FPR  precision  F1
 *   +inf   0  0  0    0    1          0
 *   0.9    1  0  1/3  0    1          2(1)(1/3)/(4/3) = 1/2
 *   0.8    2  1  2/3  1/3  2/3        2/3
 *   0.5    2  2  2/3  2/3  1/2        2(1/2)(2/3)/(7/6) = 4/7
 *   0.3    3  3  1    1    1/2        2(1/2)(1)/(3/2) = 2/3
 * The ROC's trapezoids (a tie a diagonal): 0 + 1/6 + 2/9 + 5/18 = 2/3,
 * the Mann-Whitney AUROC (6 of 9 pairs, ties a half). */
static void test_worked_example(void **state)
{
	static const double s[] = {0.3, 0.8, 0.9, 0.5, 0.3, 0.8};
	static const int y[] = {1, 0, 1, 0, 0, 1};
	hx_scores *sc = scores_of(s, y, 6);
	hx_threshold_curve c;
	hx_threshold_result r;
	hx_tau_grid g;
	double area = 0;
	size_t i;
	(void)state;
	hx_threshold_curve_init(&c);
	hx_threshold_curve_compute(&c, sc, 0, 0, 1);
	assert_int_equal(c.n, 5);
	assert_int_equal(c.npos, 3);
	assert_int_equal(c.nneg, 3);
	point_is(&c.pts[0], INFINITY, 0, 0, 0, 0, 1, 0);
	point_is(&c.pts[1], 0.9, 1, 0, 1.0 / 3, 0, 1, 0.5);
	point_is(&c.pts[2], 0.8, 2, 1, 2.0 / 3, 1.0 / 3, 2.0 / 3, 2.0 / 3);
	point_is(&c.pts[3], 0.5, 2, 2, 2.0 / 3, 2.0 / 3, 0.5, 4.0 / 7);
	point_is(&c.pts[4], 0.3, 3, 3, 1, 1, 0.5, 2.0 / 3);
	for (i = 1; i < c.n; i++)
		area += (c.pts[i].fpr - c.pts[i - 1].fpr) * (c.pts[i].tpr + c.pts[i - 1].tpr) / 2;
	NEAR(area, 2.0 / 3);
	/* the same as the sweep's AUROC, and computing again gives the same */
	hx_threshold_result_init(&r);
	hx_tau_grid_default(&g);
	assert_int_equal(hx_threshold_sweep(&r, sc, &g, 0.9), 0);
	NEAR(area, r.auroc);
	hx_threshold_curve_compute(&c, sc, 0, 0, 1);
	assert_int_equal(c.n, 5);
	point_is(&c.pts[2], 0.8, 2, 1, 2.0 / 3, 1.0 / 3, 2.0 / 3, 2.0 / 3);
	hx_threshold_result_release(&r);
	hx_threshold_curve_release(&c);
	hx_scores_free(sc);
}

/* Every sample positive: FPR has no denominator (NaN), the rest is
 * defined. */
static void test_all_positive(void **state)
{
	static const double s[] = {1, 2};
	static const int y[] = {1, 1};
	hx_scores *sc = scores_of(s, y, 2);
	hx_threshold_curve c;
	(void)state;
	hx_threshold_curve_init(&c);
	hx_threshold_curve_compute(&c, sc, 0, 0, 1);
	assert_int_equal(c.n, 3);
	point_is(&c.pts[0], INFINITY, 0, 0, 0, NAN, 1, 0);
	point_is(&c.pts[1], 2, 1, 0, 0.5, NAN, 1, 2.0 / 3);
	point_is(&c.pts[2], 1, 2, 0, 1, NAN, 1, 1);
	hx_threshold_curve_release(&c);
	hx_scores_free(sc);
}

/* Every sample negative: TPR (recall) and so F1 are NaN; precision 0
 * once something is flagged. */
static void test_all_negative(void **state)
{
	static const double s[] = {1, 2, 1};
	static const int y[] = {0, 0, 0};
	hx_scores *sc = scores_of(s, y, 3);
	hx_threshold_curve c;
	(void)state;
	hx_threshold_curve_init(&c);
	hx_threshold_curve_compute(&c, sc, 0, 0, 1);
	assert_int_equal(c.n, 3);
	point_is(&c.pts[0], INFINITY, 0, 0, NAN, 0, 1, NAN);
	point_is(&c.pts[1], 2, 0, 1, NAN, 1.0 / 3, 0, NAN);
	point_is(&c.pts[2], 1, 0, 3, NAN, 1, 0, NAN);
	hx_threshold_curve_release(&c);
	hx_scores_free(sc);
}

/* No samples: the one point of nothing flagged; -0 and +0 are one score. */
static void test_empty_and_zeros(void **state)
{
	static const double s[] = {0.0, -0.0};
	static const int y[] = {1, 0};
	hx_scores *sc = hx_scores_new();
	hx_threshold_curve c;
	(void)state;
	hx_threshold_curve_init(&c);
	hx_threshold_curve_compute(&c, sc, 0, 0, 1);
	assert_int_equal(c.n, 1);
	point_is(&c.pts[0], INFINITY, 0, 0, NAN, NAN, 1, NAN);
	hx_scores_free(sc);
	sc = scores_of(s, y, 2);
	hx_threshold_curve_compute(&c, sc, 0, 0, 1);
	assert_int_equal(c.n, 2);
	point_is(&c.pts[1], 0, 1, 1, 1, 1, 0.5, 2.0 / 3);
	hx_threshold_curve_release(&c);
	hx_scores_free(sc);
}

/* Thinning: eps 0 keeps every point; on 20,000 distinct scores eps 0.01
 * keeps the ends and a few hundred points, each a point of the full
 * curve, in order, and every point left out is within eps of the last
 * kept point before it in TPR, FPR and precision. */
static void test_thin(void **state)
{
	hx_scores *sc = hx_scores_new();
	hx_threshold_curve full, thin;
	size_t i, k = 0;
	(void)state;
	for (i = 0; i < 10000; i++) {
		hx_scores_add(sc, (double)i, 1);
		hx_scores_add(sc, (double)i + 0.5 + (double)(i % 7) * 200, 0);
	}
	hx_threshold_curve_init(&full);
	hx_threshold_curve_init(&thin);
	hx_threshold_curve_compute(&full, sc, 0, 0, 11200);
	hx_threshold_curve_compute(&thin, sc, 0.01, 0, 11200);
	assert_int_equal(full.n, 20001);
	assert_int_equal(full.ndistinct, 20000);
	assert_int_equal(thin.ndistinct, 20000);
	assert_true(thin.n > 100 && thin.n < 2000);
	assert_true(isinf(thin.pts[0].tau));
	NEAR(thin.pts[thin.n - 1].tau, full.pts[full.n - 1].tau);
	for (i = 0; i < full.n; i++) {
		if (k < thin.n && (full.pts[i].tau == thin.pts[k].tau)) {
			k++;
			continue;
		}
		assert_true(k > 0);
		assert_true(fabs(full.pts[i].tpr - thin.pts[k - 1].tpr) < 0.01);
		assert_true(fabs(full.pts[i].fpr - thin.pts[k - 1].fpr) < 0.01);
		assert_true(fabs(full.pts[i].precision - thin.pts[k - 1].precision) < 0.01);
	}
	assert_int_equal(k, thin.n);
	hx_threshold_curve_release(&full);
	hx_threshold_curve_release(&thin);
	hx_scores_free(sc);
}

/* 1 when svg has text t (the plot module writes each character as
 * &#xNN;). */
static int svg_has(const hx_buf *svg, const char *t)
{
	hx_buf e = HX_BUF_INIT;
	int found;
	for (; *t; t++)
		hx_buf_printf(&e, "&#x%x;", (unsigned char)*t);
	found = strstr(svg->ptr, e.ptr) != NULL;
	hx_buf_release(&e);
	return found;
}

static void render(hx_buf *html, hx_report_figs *figs, const double *s, const int *y, size_t n,
		   double target)
{
	hx_scores *sc = scores_of(s, y, n);
	hx_threshold_result r;
	hx_tau_grid g;
	hx_threshold_result_init(&r);
	assert_int_equal(hx_tau_grid_quantiles(&g, "0:1:5"), 0);
	assert_int_equal(hx_threshold_sweep(&r, sc, &g, target), 0);
	hx_report_figs_init(figs, "out/report.html");
	assert_int_equal(hx_threshold_report(html, figs, &r, sc, "threshold: t"), 0);
	hx_threshold_result_release(&r);
	hx_scores_free(sc);
}

/* The report: three figures (roc, pr, tau), the chosen row in bold; the
 * same bytes again; without a chosen tau nothing is marked. */
static void test_report(void **state)
{
	static const double s[] = {0.3, 0.8, 0.9, 0.5, 0.3, 0.8, 0.1, 0.2};
	static const int y[] = {1, 0, 1, 0, 0, 1, 0, 0};
	hx_buf h1 = HX_BUF_INIT, h2 = HX_BUF_INIT, h3 = HX_BUF_INIT;
	hx_report_figs f1, f2, f3;
	size_t i;
	(void)state;
	render(&h1, &f1, s, y, 8, 0.5);
	render(&h2, &f2, s, y, 8, 0.5);
	assert_int_equal(f1.n, 3);
	assert_string_equal(f1.items[0].name, "roc");
	assert_string_equal(f1.items[1].name, "pr");
	assert_string_equal(f1.items[2].name, "tau");
	assert_int_equal(h1.len, h2.len);
	assert_memory_equal(h1.ptr, h2.ptr, h1.len);
	for (i = 0; i < 3; i++) {
		assert_true(f1.items[i].svg.len > 1000);
		assert_int_equal(f1.items[i].svg.len, f2.items[i].svg.len);
		assert_memory_equal(f1.items[i].svg.ptr, f2.items[i].svg.ptr, f1.items[i].svg.len);
		assert_true(svg_has(&f1.items[i].svg, "tau 0.8"));
	}
	assert_non_null(strstr(h1.ptr, "id=\"fig-roc\""));
	assert_non_null(strstr(h1.ptr, "id=\"fig-pr\""));
	assert_non_null(strstr(h1.ptr, "id=\"fig-tau\""));
	assert_non_null(strstr(h1.ptr, "<tr class=\"sig\">"));
	assert_non_null(strstr(h1.ptr, "AUROC"));
	assert_true(svg_has(&f1.items[0].svg, "AUROC 0.8000"));
	/* recall 1.01 is out of reach: no chosen tau */
	render(&h3, &f3, s, y, 8, 1.01);
	assert_null(strstr(h3.ptr, "<tr class=\"sig\">"));
	assert_non_null(strstr(h3.ptr, "nothing is marked"));
	for (i = 0; i < 3; i++)
		assert_false(svg_has(&f3.items[i].svg, "tau 0.8"));
	hx_buf_release(&h1);
	hx_buf_release(&h2);
	hx_buf_release(&h3);
	hx_report_figs_release(&f1);
	hx_report_figs_release(&f2);
	hx_report_figs_release(&f3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example), cmocka_unit_test(test_all_positive),
		cmocka_unit_test(test_all_negative),   cmocka_unit_test(test_empty_and_zeros),
		cmocka_unit_test(test_thin),           cmocka_unit_test(test_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
