/* test_threshold.c - two-pass threshold calibration: the reference values
 * (shared/reference/stats-vectors.md, "AUROC and average precision"),
 * degenerate input, the sort and the k-th element against brute force,
 * quantiles against a direct type-7 computation, the sweep and every
 * statistic against O(n T) and O(n^2) computations on random data with
 * many ties, DeLong's variance and the paired comparison against the
 * per-sample placements, the grids and the report (reading scored lines:
 * test_threshold_read.c). */
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
#include "error.h"
#include "json.h"
#include "threshold/threshold.h"
#include "threshold/threshold_internal.h"

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static hx_scores *scores_of(const double *s, const int *y, size_t n)
{
	hx_scores *sc = hx_scores_new();
	size_t i;
	for (i = 0; i < n; i++)
		hx_scores_add(sc, s[i], y[i]);
	return sc;
}

static int sweep_of(hx_threshold_result *r, const double *s, const int *y, size_t n,
		    const char *quantiles, double target)
{
	hx_scores *sc = scores_of(s, y, n);
	hx_tau_grid g;
	int rc;
	hx_tau_grid_default(&g);
	if (quantiles)
		assert_int_equal(hx_tau_grid_quantiles(&g, quantiles), 0);
	rc = hx_threshold_sweep(r, sc, &g, target);
	hx_scores_free(sc);
	return rc;
}

/* ------------------------------------------------------- reference values */

static const int y12[] = {0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1};
static const double s12[] = {.05, .1, .2, .3, .35, .4, .5, .55, .6, .7, .8, .9};
static const double s12_tied[] = {.1, .1, .2, .3, .3, .4, .5, .5, .6, .7, .8, .9};

static void test_reference(void **state)
{
	static const int y4[] = {0, 0, 1, 1};
	static const double s4[] = {0.1, 0.4, 0.35, 0.8};
	hx_threshold_result r;
	(void)state;
	hx_threshold_result_init(&r);
	assert_int_equal(sweep_of(&r, s4, y4, 4, NULL, 0.9), 0);
	NEAR(r.auroc, 0.75, 1e-12);
	NEAR(r.ap, 0.833333, 1e-6);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.npos, 2);

	assert_int_equal(sweep_of(&r, s12, y12, 12, NULL, 0.9), 0);
	NEAR(r.auroc, 0.8888889, 1e-7);
	NEAR(r.ap, 0.8972222, 1e-7);
	NEAR(r.pr_auc, 0.8873016, 1e-7);
	NEAR(r.score_min, 0.05, 0);
	NEAR(r.score_max, 0.9, 0);
	NEAR(r.positive_rate, 0.5, 0);

	assert_int_equal(sweep_of(&r, s12_tied, y12, 12, NULL, 0.9), 0);
	NEAR(r.auroc, 0.875, 1e-12);
	NEAR(r.ap, 0.8888889, 1e-7);
	hx_threshold_result_release(&r);
}

/* tau_i = the type-7 quantile at q = i / 20; at recall >= 0.9 the best
 * precision, 0.75 at recall 1, is reached at tau 0.315 and 0.3425: the
 * larger wins. */
static void test_reference_grid(void **state)
{
	hx_threshold_result r;
	size_t i, at_best = 0;
	(void)state;
	hx_threshold_result_init(&r);
	assert_int_equal(sweep_of(&r, s12, y12, 12, "0:1:21", 0.9), 0);
	assert_int_equal(r.nrows, 21);
	for (i = 0; i < r.nrows; i++) {
		NEAR(r.rows[i].quantile, (double)i / 20, 1e-15);
		if (r.rows[i].recall >= 0.9 && r.rows[i].precision == 0.75)
			at_best++;
	}
	assert_int_equal(at_best, 2);
	NEAR(r.rows[6].tau, 0.315, 1e-12);
	NEAR(r.rows[7].tau, 0.3425, 1e-12);
	assert_int_equal(r.best, 7);
	NEAR(r.rows[7].precision, 0.75, 0);
	NEAR(r.rows[7].recall, 1.0, 0);
	assert_int_equal(r.rows[7].tp, 6);
	assert_int_equal(r.rows[7].fp, 2);
	assert_int_equal(r.rows[7].flagged, 8);
	NEAR(r.rows[7].fpr, 2.0 / 6, 1e-15);
	NEAR(r.rows[7].f1, 2 * 0.75 / 1.75, 1e-15);
	/* the lowest and highest taus are the extreme scores */
	NEAR(r.rows[0].tau, 0.05, 0);
	NEAR(r.rows[20].tau, 0.9, 0);

	/* no row reaches recall 1 above tau 0.3425 */
	assert_int_equal(sweep_of(&r, s12, y12, 12, "0.5:1:11", 0.9), 0);
	assert_int_equal(r.best, -1);
	hx_threshold_result_release(&r);
}

/* ------------------------------------------------------------- degenerate */

static void expect_degenerate(const double *s, const int *y, size_t n, const char *msg)
{
	hx_threshold_result r;
	hx_threshold_result_init(&r);
	assert_int_equal(sweep_of(&r, s, y, n, NULL, 0.9), HX_EINVALID);
	assert_string_equal(hx_error_last(), msg);
	assert_null(r.rows);
	hx_threshold_result_release(&r);
}

static void test_degenerate(void **state)
{
	static const double s[] = {0.5, 0.5, 0.5, 0.25};
	static const int pos[] = {1, 1, 1, 1}, neg[] = {0, 0, 0, 0}, mixed[] = {1, 0, 1, 0};
	(void)state;
	expect_degenerate(s, pos, 0,
			  "no samples: AUROC and a threshold need samples of both labels");
	expect_degenerate(s, pos, 1,
			  "one sample: AUROC and a threshold need samples of both labels");
	expect_degenerate(s, pos, 4,
			  "every sample is positive (4 samples): AUROC and a threshold need both "
			  "labels");
	expect_degenerate(s, neg, 4,
			  "every sample is negative (4 samples): AUROC and a threshold need both "
			  "labels");
	expect_degenerate(s, mixed, 3,
			  "every score is the same (0.5, 3 samples): AUROC and a threshold need "
			  "scores that differ");
}

/* One positive: AUROC is defined, DeLong's variance is not (no sample
 * variance of one placement): NaN, never a made-up interval. */
static void test_one_positive(void **state)
{
	static const double s[] = {0.1, 0.2, 0.3, 0.4};
	static const int y[] = {0, 0, 1, 0};
	hx_threshold_result r;
	hx_buf out = HX_BUF_INIT;
	(void)state;
	hx_threshold_result_init(&r);
	assert_int_equal(sweep_of(&r, s, y, 4, NULL, 0.9), 0);
	NEAR(r.auroc, 2.0 / 3, 1e-15);
	assert_true(isnan(r.auroc_se) && isnan(r.auroc_lo) && isnan(r.auroc_hi));
	hx_threshold_format_json(&out, &r);
	assert_non_null(strstr(out.ptr, "\"auroc_ci\":[null,null],\"auroc_se\":null"));
	hx_buf_reset(&out);
	hx_threshold_format_text(&out, &r);
	assert_non_null(strstr(out.ptr, "AUROC        0.666667 (95% CI n/a: DeLong's variance "
					"needs 2 positives and 2 negatives)\n"));
	hx_buf_release(&out);
	hx_threshold_result_release(&r);
}

/* ------------------------------------------------------- random, with ties */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}
static double unif(void)
{
	return (double)(rnd() >> 11) * 0x1.0p-53;
}

/* n samples; scores from `levels` distinct values (many ties), negative
 * and positive ones, positives a little higher. */
static void random_data(double *s, int *y, size_t n, unsigned levels)
{
	size_t i;
	for (i = 0; i < n; i++) {
		y[i] = unif() < 0.4;
		s[i] = (double)(rnd() % levels) / 4.0 - (double)levels / 8.0 + (y[i] ? 1.5 : 0);
		if (i == 0)
			y[i] = 1; /* both labels, whatever the draw */
		if (i == 1)
			y[i] = 0;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void test_sort_and_kth(void **state)
{
	size_t n = 5000, na, nb, i, k;
	uint64_t *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));
	double *all = malloc(n * sizeof(*all));
	int round;
	(void)state;
	for (round = 0; round < 4; round++) {
		na = nb = 0;
		for (i = 0; i < n; i++) {
			/* wide exponents, signs, -0 and +0, and many ties */
			double x = round == 0   ? (unif() - 0.5) * pow(2, (double)(rnd() % 80) - 40)
				   : round == 1 ? (double)(rnd() % 7) - 3
				   : round == 2 ? (i % 2 ? -0.0 : 0.0)
						: unif();
			all[i] = x == 0 ? 0.0 : x;
			if (rnd() % 3)
				a[na++] = hx_threshold_key(x);
			else
				b[nb++] = hx_threshold_key(x);
		}
		hx_threshold_sort_keys(a, na);
		hx_threshold_sort_keys(b, nb);
		qsort(all, n, sizeof(*all), cmp_double);
		for (i = 1; i < na; i++)
			assert_true(a[i - 1] <= a[i]);
		for (i = 1; i < nb; i++)
			assert_true(b[i - 1] <= b[i]);
		for (k = 0; k < n; k++)
			assert_true(hx_threshold_value(hx_threshold_kth(a, na, b, nb, k)) == all[k]);
	}
	/* one side empty */
	for (k = 0; k < na; k++)
		assert_true(hx_threshold_kth(a, na, b, 0, k) == a[k]);
	for (k = 0; k < nb; k++)
		assert_true(hx_threshold_kth(a, 0, b, nb, k) == b[k]);
	assert_true(hx_threshold_value(hx_threshold_key(-0.0)) == 0 &&
		    !signbit(hx_threshold_value(hx_threshold_key(-0.0))));
	free(a);
	free(b);
	free(all);
}

/* Type-7 by its definition on the sorted union. */
static double type7(const double *sorted, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

static void test_quantiles(void **state)
{
	size_t n = 1237, i;
	double *s = malloc(n * sizeof(*s)), *sorted = malloc(n * sizeof(*s));
	int *y = malloc(n * sizeof(*y));
	hx_threshold_result r;
	(void)state;
	hx_threshold_result_init(&r);
	random_data(s, y, n, 40);
	memcpy(sorted, s, n * sizeof(*s));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	assert_int_equal(sweep_of(&r, s, y, n, "0:1:101", 0.9), 0);
	for (i = 0; i < r.nrows; i++) {
		double want = type7(sorted, n, r.rows[i].quantile);
		NEAR(r.rows[i].tau, want, 1e-12 * (1 + fabs(want)));
	}
	/* the default grid: 0.60 .. 0.99 by 0.01 */
	assert_int_equal(sweep_of(&r, s, y, n, NULL, 0.9), 0);
	assert_int_equal(r.nrows, 40);
	NEAR(r.rows[0].quantile, 0.6, 0);
	NEAR(r.rows[39].quantile, 0.99, 0);
	for (i = 0; i < r.nrows; i++) {
		NEAR(r.rows[i].quantile, 0.6 + 0.01 * (double)i, 1e-12);
		NEAR(r.rows[i].tau, type7(sorted, n, r.rows[i].quantile), 1e-12);
	}
	hx_threshold_result_release(&r);
	free(s);
	free(sorted);
	free(y);
}

/* Everything by brute force: counts per tau over every sample; AUROC over
 * every pair; AP and PR-AUC at every distinct score from the top. */
static void check_brute(const double *s, const int *y, size_t n, const hx_threshold_result *r)
{
	double *distinct = malloc(n * sizeof(*distinct));
	size_t npos = 0, nneg, i, j, nd = 0, t;
	double pairs = 0, ap = 0, area = 0, last_r = 0, last_p = 1;
	for (i = 0; i < n; i++)
		npos += y[i] != 0;
	nneg = n - npos;
	for (t = 0; t < r->nrows; t++) {
		size_t tp = 0, fp = 0;
		for (i = 0; i < n; i++)
			if (s[i] >= r->rows[t].tau) {
				tp += y[i] != 0;
				fp += y[i] == 0;
			}
		assert_int_equal(r->rows[t].tp, tp);
		assert_int_equal(r->rows[t].fp, fp);
		assert_int_equal(r->rows[t].flagged, tp + fp);
		NEAR(r->rows[t].recall, (double)tp / (double)npos, 1e-15);
		NEAR(r->rows[t].fpr, (double)fp / (double)nneg, 1e-15);
		NEAR(r->rows[t].precision, tp + fp ? (double)tp / (double)(tp + fp) : 1.0, 1e-15);
	}
	for (i = 0; i < n; i++)
		if (y[i])
			for (j = 0; j < n; j++)
				if (!y[j])
					pairs += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
	NEAR(r->auroc, pairs / ((double)npos * (double)nneg), 1e-12);
	memcpy(distinct, s, n * sizeof(*s));
	qsort(distinct, n, sizeof(*distinct), cmp_double);
	for (i = 0; i < n; i++)
		if (i == 0 || distinct[i] != distinct[nd - 1])
			distinct[nd++] = distinct[i];
	for (t = nd; t-- > 0;) {
		size_t tp = 0, fp = 0, at = 0;
		double rec, prec;
		for (i = 0; i < n; i++) {
			if (s[i] >= distinct[t]) {
				tp += y[i] != 0;
				fp += y[i] == 0;
			}
			at += s[i] == distinct[t] && y[i];
		}
		rec = (double)tp / (double)npos;
		prec = (double)tp / (double)(tp + fp);
		ap += (double)at / (double)npos * prec;
		area += (rec - last_r) * (prec + last_p) / 2;
		last_r = rec;
		last_p = prec;
	}
	NEAR(r->ap, ap, 1e-12);
	NEAR(r->pr_auc, area, 1e-12);
	free(distinct);
}

/* 1, 1/2 or 0: whether positive sample i outscores negative sample j. */
static double psi(const double *s, size_t i, size_t j)
{
	return s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
}

/* DeLong's standard error of AUROC(b) - AUROC(a) (a NULL: of AUROC(b)),
 * from each sample's placement computed pair by pair (a positive's: the
 * share of negatives it outscores; a negative's: the share of positives
 * that outscore it; for a difference, B's minus A's) and their two-pass
 * sample variances; *auc gets the mean placement. */
static double delong_se(const double *a, const double *b, const int *y, size_t n, double *auc)
{
	double *v10 = malloc(n * sizeof(double)), *v01 = malloc(n * sizeof(double));
	double m10 = 0, m01 = 0, s10 = 0, s01 = 0;
	size_t np = 0, nn = 0, i, j;
	for (i = 0; i < n; i++) {
		double v = 0;
		size_t other = 0;
		for (j = 0; j < n; j++)
			if (!y[j] != !y[i]) {
				size_t p = y[i] ? i : j, q = y[i] ? j : i;
				v += psi(b, p, q) - (a ? psi(a, p, q) : 0);
				other++;
			}
		if (y[i])
			m10 += v10[np++] = v / (double)other;
		else
			m01 += v01[nn++] = v / (double)other;
	}
	m10 /= (double)np;
	m01 /= (double)nn;
	for (i = 0; i < np; i++)
		s10 += (v10[i] - m10) * (v10[i] - m10);
	for (i = 0; i < nn; i++)
		s01 += (v01[i] - m01) * (v01[i] - m01);
	*auc = m10;
	free(v10);
	free(v01);
	return sqrt(s10 / (double)(np - 1) / (double)np + s01 / (double)(nn - 1) / (double)nn);
}

static void test_sweep_brute_force(void **state)
{
	static const size_t sizes[] = {2, 3, 17, 400, 2500};
	static const unsigned levels[] = {2, 3, 9, 60, 1000};
	size_t k;
	(void)state;
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		double *s = malloc(n * sizeof(*s)), auc, se;
		int *y = malloc(n * sizeof(*y));
		hx_threshold_result r;
		hx_threshold_result_init(&r);
		random_data(s, y, n, levels[k]);
		if (n == 2) {
			s[0] = 1;
			s[1] = 0;
		}
		assert_int_equal(sweep_of(&r, s, y, n, "0:1:57", 0.8), 0);
		check_brute(s, y, n, &r);
		if (r.npos >= 2 && r.nneg >= 2) {
			se = delong_se(NULL, s, y, n, &auc);
			NEAR(r.auroc, auc, 1e-12);
			NEAR(r.auroc_se, se, 1e-12 * (1 + se));
			NEAR(r.auroc_lo, fmax(0, auc - 1.959963984540054 * se), 1e-9);
			NEAR(r.auroc_hi, fmin(1, auc + 1.959963984540054 * se), 1e-9);
		}
		/* a range grid, outside the scores too */
		{
			hx_scores *sc = scores_of(s, y, n);
			hx_tau_grid g;
			assert_int_equal(hx_tau_grid_range(&g, -200, 200, 0.125), 0);
			assert_int_equal(hx_threshold_sweep(&r, sc, &g, 0.8), 0);
			assert_int_equal(r.nrows, 3201);
			assert_true(isnan(r.rows[0].quantile));
			NEAR(r.rows[3200].tau, 200, 0);
			check_brute(s, y, n, &r);
			/* again on the sorted store */
			assert_int_equal(hx_threshold_sweep(&r, sc, &g, 0.8), 0);
			check_brute(s, y, n, &r);
			hx_scores_free(sc);
		}
		hx_threshold_result_release(&r);
		free(s);
		free(y);
	}
}

static void test_best_tau(void **state)
{
	/* equal precision at recall >= target: the larger tau; a higher
	 * precision below the target recall does not count */
	static const double s[] = {1, 2, 3, 4, 5, 6};
	static const int y[] = {1, 0, 1, 0, 1, 1};
	hx_scores *sc = scores_of(s, y, 6);
	hx_threshold_result r;
	hx_tau_grid g;
	(void)state;
	hx_threshold_result_init(&r);
	assert_int_equal(hx_tau_grid_range(&g, 1, 6, 1), 0);
	assert_int_equal(hx_threshold_sweep(&r, sc, &g, 0.75), 0);
	/* tau 1: 4/6, recall 1; 2: 3/5, 0.75; 3: 3/4 recall 0.75; 4: 2/3 */
	assert_int_equal(r.best, 2);
	assert_int_equal(hx_threshold_sweep(&r, sc, &g, 1.0), 0);
	assert_int_equal(r.best, 0);
	assert_int_equal(hx_threshold_sweep(&r, sc, &g, 0.0), 0);
	assert_int_equal(r.best, 5); /* precision 1 at 5 and 6: the larger */
	hx_threshold_result_release(&r);
	hx_scores_free(sc);
}

/* --------------------------------------------------------------- compare */

static void test_compare(void **state)
{
	size_t n = 300, i;
	double *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b)), auc_a, auc_b;
	int *y = malloc(n * sizeof(*y));
	unsigned char *lab = malloc(n);
	hx_threshold_compare c;
	hx_threshold_result ra, rb;
	(void)state;
	hx_threshold_result_init(&ra);
	hx_threshold_result_init(&rb);
	random_data(a, y, n, 30);
	for (i = 0; i < n; i++) {
		lab[i] = (unsigned char)y[i];
		b[i] = a[i] + (double)(rnd() % 5) - 2;
	}
	/* identical monitors: no difference, p 1 */
	assert_int_equal(hx_threshold_compare_paired(&c, a, a, lab, n), 0);
	assert_int_equal(c.paired, 1);
	NEAR(c.diff, 0, 0);
	NEAR(c.diff_se, 0, 0);
	NEAR(c.p, 1, 0);
	/* two monitors: the AUROCs are the sweep's, the variance of the
	 * difference that of the placements' differences */
	assert_int_equal(sweep_of(&ra, a, y, n, NULL, 0.9), 0);
	assert_int_equal(sweep_of(&rb, b, y, n, NULL, 0.5), 0);
	hx_threshold_compare_results(&c, &ra, &rb);
	assert_int_equal(c.paired, 0);
	NEAR(c.diff, rb.auroc - ra.auroc, 1e-15);
	NEAR(c.diff_se, sqrt(ra.auroc_se * ra.auroc_se + rb.auroc_se * rb.auroc_se), 1e-15);
	assert_true(c.p > 0 && c.p < 1);
	NEAR(c.p, erfc(fabs(c.diff / c.diff_se) / sqrt(2)), 1e-15);
	if (rb.best >= 0)
		NEAR(c.tau_b, rb.rows[rb.best].tau, 0);
	else
		assert_true(isnan(c.tau_b));
	{
		double recall_a = c.recall_a;
		double se_a = delong_se(NULL, a, y, n, &auc_a), se_b = delong_se(NULL, b, y, n, &auc_b);
		double se_d, auc_d;
		assert_int_equal(hx_threshold_compare_paired(&c, a, b, lab, n), 0);
		NEAR(c.auroc_a, ra.auroc, 1e-12);
		NEAR(c.auroc_b, rb.auroc, 1e-12);
		NEAR(c.diff, auc_b - auc_a, 1e-12);
		/* the difference's own placements, pair by pair */
		se_d = delong_se(a, b, y, n, &auc_d);
		NEAR(c.diff, auc_d, 1e-12);
		NEAR(c.diff_se, se_d, 1e-12);
		/* paired: the covariance of the same samples shrinks the error */
		assert_true(c.diff_se < sqrt(se_a * se_a + se_b * se_b));
		NEAR(c.diff_lo, c.diff - 1.959963984540054 * c.diff_se, 1e-9);
		/* the best-tau fields are compare_results' */
		assert_true(c.recall_a == recall_a || (isnan(c.recall_a) && isnan(recall_a)));
	}
	/* degenerate */
	for (i = 0; i < n; i++)
		lab[i] = 1;
	assert_int_equal(hx_threshold_compare_paired(&c, a, b, lab, n), HX_EINVALID);
	assert_string_equal(hx_error_last(), "monitor A: every sample is positive (300 samples): "
					     "AUROC and a threshold need both labels");
	lab[0] = 0;
	b[7] = NAN;
	assert_int_equal(hx_threshold_compare_paired(&c, a, b, lab, n), HX_EINVALID);
	assert_string_equal(hx_error_last(), "monitor B: the score of sample 7 is not a finite number");
	hx_threshold_result_release(&ra);
	hx_threshold_result_release(&rb);
	free(a);
	free(b);
	free(y);
	free(lab);
}

/* ------------------------------------------------------------------ grids */

static void expect_quantiles_error(const char *text, const char *msg)
{
	hx_tau_grid g;
	assert_int_equal(hx_tau_grid_quantiles(&g, text), HX_EINVALID);
	assert_string_equal(hx_error_last(), msg);
}

static void test_grids(void **state)
{
	hx_tau_grid g;
	(void)state;
	hx_tau_grid_default(&g);
	assert_int_equal(g.kind, HX_TAU_QUANTILES);
	assert_int_equal(g.q_count, 40);
	assert_int_equal(hx_tau_grid_quantiles(&g, "0.5:0.5:1"), 0);
	assert_int_equal(hx_tau_grid_quantiles(&g, "0:1:3"), 0);
	assert_int_equal(g.q_count, 3);
	expect_quantiles_error("0.6:0.99", "quantiles '0.6:0.99': expected A:B:N (from quantile A "
					   "to B, N values)");
	expect_quantiles_error("0.6:0.99:x", "quantiles '0.6:0.99:x': expected A:B:N (from "
					     "quantile A to B, N values)");
	expect_quantiles_error("0.6:0.99:-1", "quantiles '0.6:0.99:-1': expected A:B:N (from "
					      "quantile A to B, N values)");
	expect_quantiles_error("0.9:0.6:4", "quantiles '0.9:0.6:4': A and B must be in [0, 1] with "
					    "A <= B");
	expect_quantiles_error("0:1.5:4", "quantiles '0:1.5:4': A and B must be in [0, 1] with A "
					  "<= B");
	expect_quantiles_error("0:1:0", "quantiles '0:1:0': N must be from 1 to 100000");
	expect_quantiles_error("0:1:100001", "quantiles '0:1:100001': N must be from 1 to 100000");
	expect_quantiles_error("0.5:0.6:1", "quantiles '0.5:0.6:1': one quantile (N = 1) needs A "
					    "== B");
	assert_int_equal(hx_tau_grid_range(&g, 0.1, 0.5, 0.1), 0);
	assert_int_equal(hx_tau_grid_range(&g, 2, 1, 0.1), HX_EINVALID);
	assert_string_equal(hx_error_last(), "tau range: the start (2) is above the stop (1)");
	assert_int_equal(hx_tau_grid_range(&g, 1, 2, 0), HX_EINVALID);
	assert_string_equal(hx_error_last(), "tau range: the step (0) must be above 0");
	assert_int_equal(hx_tau_grid_range(&g, 0, 1, 1e-6), HX_EINVALID);
	assert_string_equal(hx_error_last(), "tau range: 0 to 1 by 1e-06 is more than 100000 values");
	/* a grid filled in by hand is checked too */
	{
		hx_threshold_result r;
		hx_scores *sc = scores_of(s12, y12, 12);
		hx_threshold_result_init(&r);
		hx_tau_grid_default(&g);
		g.q_count = 0;
		assert_int_equal(hx_threshold_sweep(&r, sc, &g, 0.9), HX_EINVALID);
		assert_string_equal(hx_error_last(),
				    "quantiles 0.6:0.99:0: not a grid (see hx_tau_grid_quantiles)");
		g.kind = HX_TAU_RANGE;
		g.start = 0;
		g.stop = 1;
		g.step = 0;
		assert_int_equal(hx_threshold_sweep(&r, sc, &g, 0.9), HX_EINVALID);
		assert_string_equal(hx_error_last(), "tau range: the step (0) must be above 0");
		hx_threshold_result_release(&r);
		hx_scores_free(sc);
	}
	/* the stop is reached by steps that do not add up exactly */
	{
		hx_threshold_result r;
		hx_scores *sc = scores_of(s12, y12, 12);
		hx_threshold_result_init(&r);
		assert_int_equal(hx_tau_grid_range(&g, 0.1, 0.5, 0.1), 0);
		assert_int_equal(hx_threshold_sweep(&r, sc, &g, 0.9), 0);
		assert_int_equal(r.nrows, 5);
		NEAR(r.rows[4].tau, 0.5, 1e-15);
		hx_threshold_result_release(&r);
		hx_scores_free(sc);
	}
}

/* ---------------------------------------------------------------- report */

static void test_report(void **state)
{
	hx_threshold_result r;
	hx_buf out = HX_BUF_INIT;
	hx_arena *a = hx_arena_new();
	hx_json *doc, *best;
	(void)state;
	hx_threshold_result_init(&r);
	assert_int_equal(sweep_of(&r, s12, y12, 12, "0:1:21", 0.9), 0);
	hx_threshold_format_json(&out, &r);
	assert_int_equal(out.ptr[out.len - 1], '\n');
	assert_int_equal(hx_json_parse(&doc, a, out.ptr, out.len, NULL), 0);
	assert_true(hx_json_get(doc, "auroc")->u.number == r.auroc);
	assert_int_equal(hx_json_get(doc, "rows")->u.array.len, 21);
	best = hx_json_get(doc, "best");
	assert_true(hx_json_get(best, "tau")->u.number == r.rows[7].tau);
	assert_int_equal((int)hx_json_get(best, "flagged")->u.number, 8);
	/* RFC 8785: keys sorted, so "ap" first, "target_recall" last */
	assert_memory_equal(out.ptr, "{\"ap\":", 6);
	assert_non_null(strstr(out.ptr, ",\"target_recall\":0.9}\n"));
	hx_buf_reset(&out);
	hx_threshold_format_md(&out, &r, "monitor hs");
	{
		const char *head = "# monitor hs\n\n| | |\n|---|---|\n| samples | 12: 6 positive";
		assert_memory_equal(out.ptr, head, strlen(head));
	}
	assert_non_null(strstr(out.ptr, "| **0.3425** | **0.35** | **0.7500** | **1.0000** |"));
	assert_non_null(strstr(out.ptr, "| best tau | 0.3425 (quantile 0.35), the highest precision "
					"with recall >= 0.90: precision 0.7500, recall 1.0000"));
	hx_buf_reset(&out);
	/* no tau reaches the target */
	assert_int_equal(sweep_of(&r, s12, y12, 12, "0.5:1:11", 0.9), 0);
	hx_threshold_format_text(&out, &r);
	assert_non_null(strstr(out.ptr, "\nbest tau     none: no tau reaches recall >= 0.90 (best "
					"recall at the grid's lowest tau: 0.8333 at tau 0.45)\n"));
	hx_buf_reset(&out);
	hx_threshold_format_json(&out, &r);
	assert_non_null(strstr(out.ptr, "\"best\":null"));
	hx_buf_release(&out);
	hx_arena_free(a);
	hx_threshold_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference),      cmocka_unit_test(test_reference_grid),
		cmocka_unit_test(test_degenerate),     cmocka_unit_test(test_one_positive),
		cmocka_unit_test(test_sort_and_kth),   cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_sweep_brute_force), cmocka_unit_test(test_best_tau),
		cmocka_unit_test(test_compare),        cmocka_unit_test(test_grids),
		cmocka_unit_test(test_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
