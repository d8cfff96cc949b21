/* compare.c - two monitors' AUROC: paired (DeLong, DeLong & Clarke-Pearson
 * 1988: the covariance of the two AUROCs from the per-sample placements)
 * or unpaired (independent samples: the variances add). */
#include "threshold/threshold_internal.h"

#include <math.h>
#include <stdlib.h>

#include "buf.h"
#include "error.h"
#include "stats.h"

/* diff = B - A with standard error se: the interval (clipped to [-1, 1])
 * and the two-sided z-test's p. A zero se (both monitors' placements
 * agree exactly) gives p 1 for no difference and 0 otherwise; a NaN se
 * (a run with fewer than 2 positives or negatives) NaN. */
static void set_diff(hx_threshold_compare *out, double diff, double se)
{
	double z = hx_stats_z(0.95);
	out->diff = diff;
	out->diff_se = se;
	out->diff_lo = isnan(se) ? NAN : fmax(-1.0, diff - z * se);
	out->diff_hi = isnan(se) ? NAN : fmin(1.0, diff + z * se);
	if (isnan(se))
		out->p = NAN;
	else if (se == 0)
		out->p = diff == 0 ? 1.0 : 0.0;
	else
		out->p = erfc(fabs(diff / se) / sqrt(2.0)); /* 2 (1 - Phi(|z|)) */
}

static void best_of(const hx_threshold_result *r, double *recall, double *precision, double *tau)
{
	if (r->best < 0) {
		*recall = *precision = *tau = NAN;
		return;
	}
	*recall = r->rows[r->best].recall;
	*precision = r->rows[r->best].precision;
	*tau = r->rows[r->best].tau;
}

void hx_threshold_compare_results(hx_threshold_compare *out, const hx_threshold_result *a,
				  const hx_threshold_result *b)
{
	memset(out, 0, sizeof(*out));
	out->auroc_a = a->auroc;
	out->auroc_b = b->auroc;
	set_diff(out, b->auroc - a->auroc, sqrt(a->auroc_se * a->auroc_se + b->auroc_se * b->auroc_se));
	best_of(a, &out->recall_a, &out->precision_a, &out->tau_a);
	best_of(b, &out->recall_b, &out->precision_b, &out->tau_b);
}

/* One monitor's placements: v10[k] for the k-th positive (in sample
 * order), the share of negatives it outscores, ties counting one half;
 * v01[k] for the k-th negative, the share of positives that outscore it.
 * Their means are the AUROC. */
static int placements(const double *score, const unsigned char *label, size_t n, size_t npos,
		      const char *what, double *v10, double *v01, double *auc)
{
	size_t nneg = n - npos, i, ip = 0, in = 0;
	uint64_t *pos = hx_xmalloc((npos ? npos : 1) * sizeof(uint64_t));
	uint64_t *neg = hx_xmalloc((nneg ? nneg : 1) * sizeof(uint64_t));
	double lo = 0, hi = 0, sum = 0;
	int rc = 0;
	for (i = 0; i < n; i++) {
		if (!isfinite(score[i])) {
			hx_error_set("%sthe score of sample %zu is not a finite number", what, i);
			rc = HX_EINVALID;
			goto done;
		}
		if (i == 0 || score[i] < lo)
			lo = score[i];
		if (i == 0 || score[i] > hi)
			hi = score[i];
		if (label[i])
			pos[ip++] = hx_threshold_key(score[i]);
		else
			neg[in++] = hx_threshold_key(score[i]);
	}
	if ((rc = hx_threshold_check(npos, nneg, lo, hi, what)) != 0)
		goto done;
	hx_threshold_sort_keys(pos, npos);
	hx_threshold_sort_keys(neg, nneg);
	for (i = 0, ip = 0, in = 0; i < n; i++) {
		uint64_t k = hx_threshold_key(score[i]);
		if (label[i]) {
			size_t below = hx_threshold_below(neg, nneg, k);
			size_t tied = hx_threshold_at_most(neg, nneg, k) - below;
			v10[ip] = ((double)below + 0.5 * (double)tied) / (double)nneg;
			sum += v10[ip++];
		} else {
			size_t upto = hx_threshold_at_most(pos, npos, k);
			size_t tied = upto - hx_threshold_below(pos, npos, k);
			v01[in++] = ((double)(npos - upto) + 0.5 * (double)tied) / (double)npos;
		}
	}
	*auc = sum / (double)npos;
done:
	free(pos);
	free(neg);
	return rc;
}

/* The sample covariance of x and y (means mx, my) over n values. */
static double cov(const double *x, double mx, const double *y, double my, size_t n)
{
	double s = 0;
	size_t i;
	for (i = 0; i < n; i++)
		s += (x[i] - mx) * (y[i] - my);
	return s / (double)(n - 1);
}

int hx_threshold_compare_paired(hx_threshold_compare *out, const double *score_a,
				const double *score_b, const unsigned char *label, size_t n)
{
	size_t npos = 0, nneg, i;
	double *v10a, *v10b, *v01a, *v01b, auc_a = 0, auc_b = 0, var;
	int rc;
	for (i = 0; i < n; i++)
		npos += label[i] != 0;
	nneg = n - npos;
	v10a = hx_xmalloc((2 * npos + 1) * sizeof(double));
	v10b = v10a + npos;
	v01a = hx_xmalloc((2 * nneg + 1) * sizeof(double));
	v01b = v01a + nneg;
	if ((rc = placements(score_a, label, n, npos, "monitor A: ", v10a, v01a, &auc_a)) != 0 ||
	    (rc = placements(score_b, label, n, npos, "monitor B: ", v10b, v01b, &auc_b)) != 0)
		goto done;
	out->paired = 1;
	out->auroc_a = auc_a;
	out->auroc_b = auc_b;
	if (npos < 2 || nneg < 2) {
		set_diff(out, auc_b - auc_a, NAN);
		goto done;
	}
	/* var(B - A) = var A + var B - 2 cov(A, B), each term S10 / npos + S01 / nneg */
	var = (cov(v10a, auc_a, v10a, auc_a, npos) + cov(v10b, auc_b, v10b, auc_b, npos) -
	       2 * cov(v10a, auc_a, v10b, auc_b, npos)) /
		      (double)npos +
	      (cov(v01a, auc_a, v01a, auc_a, nneg) + cov(v01b, auc_b, v01b, auc_b, nneg) -
	       2 * cov(v01a, auc_a, v01b, auc_b, nneg)) /
		      (double)nneg;
	set_diff(out, auc_b - auc_a, sqrt(fmax(var, 0.0)));
done:
	free(v10a);
	free(v01a);
	return rc;
}
