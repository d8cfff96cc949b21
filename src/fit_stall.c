/* fit_stall.c - the stall model of a censored duration fit (fit.h).
 *
 * A timeout is a stall (probability pi) or a run whose duration reached the
 * timeout T. The likelihood splits into the completed durations truncated
 * at T and a binomial in the timeout probability q, so the fit is the
 * truncated one, with pi = (q - S(T)) / (1 - S(T)) (fit.h has the whole
 * argument). This file finds the truncated fit, compares it with the
 * censored fit (pi = 0) and keeps the better, with standard errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "error.h"
#include "fit_internal.h"

/* The simplex size at which the truncated and joint fits stop, in the
 * free coordinates (fit_internal.h): relative 1e-7 in the parameters, far
 * below their standard errors; smaller sizes are below the rounding of a
 * sum over thousands of runs, and Nelder-Mead would only wander there. */
#define STALL_TOL 1e-7

/* sum ln f(t_i) over the completed durations alone. */
static double ll_completed(hx_fit_family f, const struct fit_data *D, const double p[2])
{
	struct fit_data U = *D;

	U.c = 0;
	return hx_fit__ll(f, &U, p);
}

/* The completed durations' log-likelihood truncated at T. */
static double ll_truncated(hx_fit_family f, const struct fit_data *D, const double p[2])
{
	double FT = hx_fit__cdf(f, p, D->T), ll;

	if (!(FT > 0.0))
		return -HUGE_VAL;
	ll = ll_completed(f, D, p);
	return ll - (double)D->d * log(FT);
}

/* The exponential's truncated fit over x = ln(mean), a golden-section
 * search on [ln m0 - 6, ln m0 + 12] (the likelihood is unimodal in the
 * mean; as the mean grows the law tends to uniform on [0, T], and a
 * maximum at the upper end means the data look no better than uniform:
 * no finite fit). */
static int exp_golden(hx_fit__llfn llf, const struct fit_data *D, double m0, double *mean)
{
	const double g = 0.61803398874989484820;
	double a = log(m0) - 6.0, b = log(m0) + 12.0, c, d, fc, fd, p[2];
	int it;

	p[1] = NAN;
	c = b - g * (b - a);
	d = a + g * (b - a);
	p[0] = exp(c);
	fc = llf(HX_FIT_EXPONENTIAL, D, p);
	p[0] = exp(d);
	fd = llf(HX_FIT_EXPONENTIAL, D, p);
	for (it = 0; it < 200 && b - a > 1e-10; it++) {
		if (fc >= fd) {
			b = d, d = c, fd = fc;
			c = b - g * (b - a);
			p[0] = exp(c);
			fc = llf(HX_FIT_EXPONENTIAL, D, p);
		} else {
			a = c, c = d, fc = fd;
			d = a + g * (b - a);
			p[0] = exp(d);
			fd = llf(HX_FIT_EXPONENTIAL, D, p);
		}
	}
	*mean = exp(0.5 * (a + b));
	return 0.5 * (a + b) < log(m0) + 11.9 ? 0 : -1;
}

/* The covariance of theta from the observed information of ll (the
 * truncated or the joint profile likelihood) at p, k parameters:
 * cov[0], cov[1], cov[2] = var p0, cov(p0, p1), var p1. -1 when the
 * information is not positive definite. */
static int cov_of(hx_fit__llfn ll, hx_fit_family f, int k, const struct fit_data *D,
		  const double p[2], double cov[3])
{
	double info[3], det, h[2];

	if (k == 1) {
		double q[2] = {p[0], NAN}, f0, fp, fm, hh = 1e-4 * p[0];
		f0 = ll(f, D, q);
		q[0] = p[0] + hh;
		fp = ll(f, D, q);
		q[0] = p[0] - hh;
		fm = ll(f, D, q);
		info[0] = -(fp - 2.0 * f0 + fm) / (hh * hh);
		if (!(info[0] > 0.0))
			return -1;
		cov[0] = 1.0 / info[0], cov[1] = 0.0, cov[2] = NAN;
		return 0;
	}
	h[0] = 1e-4 * (f == HX_FIT_LOGNORMAL ? p[1] : p[0]);
	h[1] = 1e-4 * p[1];
	hx_fit__information(ll, f, D, p, h, info);
	det = info[0] * info[2] - info[1] * info[1];
	if (!(info[0] > 0.0) || !(info[2] > 0.0) || !(det > 0.0) || !isfinite(det))
		return -1;
	cov[0] = info[2] / det;
	cov[1] = -info[1] / det;
	cov[2] = info[0] / det;
	return 0;
}

/* S(T) of r's family at parameters p. */
static double surv(const hx_fit_result *r, const double p[2], double T)
{
	return 1.0 - hx_fit__cdf(r->family, p, T);
}

/* pi's standard error by the delta method: pi = (q - s) / (1 - s), q
 * binomial over n runs, s = S(T; theta) with theta's covariance cov. */
static double stall_se(const hx_fit_result *r, const struct fit_data *D, const double cov[3],
		       double q, double s)
{
	double n = (double)(D->d + D->c), dq = 1.0 / (1.0 - s), ds = (q - 1.0) / ((1.0 - s) * (1.0 - s));
	double g[2] = {0.0, 0.0}, vs, p[2];
	int i;

	for (i = 0; i < r->k; i++) {
		double h = 1e-5 * (r->family == HX_FIT_LOGNORMAL && i == 0 ? r->p[1] : r->p[i]);
		memcpy(p, r->p, sizeof(p));
		p[i] = r->p[i] + h;
		g[i] = surv(r, p, D->T);
		p[i] = r->p[i] - h;
		g[i] = (g[i] - surv(r, p, D->T)) / (2.0 * h);
	}
	vs = g[0] * g[0] * cov[0];
	if (r->k == 2)
		vs += 2.0 * g[0] * g[1] * cov[1] + g[1] * g[1] * cov[2];
	return sqrt(dq * dq * q * (1.0 - q) / n + ds * ds * vs);
}

void hx_fit__stall(hx_fit_result *out, const struct fit_data *D)
{
	hx_fit_result t;
	double q, s, pi, ll, cov[3];

	out->stall_model = 1;
	out->stall = 0.0;
	out->stall_se = NAN;
	if (D->c == 0 || !(D->T > 0.0))
		return; /* no timeouts: pi = 0, nothing to split */
	gsl_set_error_handler_off();
	q = (double)D->c / (double)(D->d + D->c);
	/* No shortcut from the censored fit: there S(T) is close to q, so the
	 * score in pi at 0 is close to 0 whatever the truth, and its sign
	 * says nothing about which of the two fits is the better. */

	/* the truncated fit, from the fit of the completed durations alone */
	{
		struct fit_data U = *D;
		U.c = 0, U.T = 0.0, U.lnT = 0.0;
		if (hx_fit__censored(&t, out->family, &U) < 0)
			return;
	}
	if (t.k == 1) {
		if (exp_golden(ll_truncated, D, D->s1 / (double)D->d, &t.p[0]) < 0)
			return;
	} else {
		double x[2];
		hx_fit__to_free(t.family, t.p, x);
		if (hx_fit__minimize_tol(ll_truncated, t.family, D, x, STALL_TOL) < 0)
			return;
		hx_fit__from_free(t.family, x, t.p);
	}
	s = surv(&t, t.p, D->T);
	pi = (q - s) / (1.0 - s);
	if (!(pi > 0.0) || !(s < 1.0))
		return;
	ll = ll_completed(t.family, D, t.p) + (double)D->d * log1p(-pi) +
	     (double)D->c * log(pi + (1.0 - pi) * s);
	if (!(ll > out->loglik))
		return;

	memcpy(out->p, t.p, sizeof(out->p));
	out->loglik = ll;
	out->stall = pi;
	if (cov_of(ll_truncated, out->family, out->k, D, out->p, cov) < 0) {
		out->se[0] = out->se[1] = NAN;
		out->stall_se = NAN;
	} else {
		out->se[0] = sqrt(cov[0]);
		out->se[1] = out->k == 2 ? sqrt(cov[2]) : NAN;
		out->stall_se = stall_se(out, D, cov, q, s);
	}
}

/* ---- the joint fit across samples (tiers) --------------------------------
 *
 * theta shared, one stall fraction per sample: the sum over samples of
 * sum ln f(t_i) + the profile over pi_k of d_k ln(1 - pi_k) + c_k ln(pi_k +
 * (1 - pi_k) S(T_k)), which is d_k ln((1 - q_k) / (1 - s_k)) + c_k ln q_k
 * when q_k > s_k (pi_k = (q_k - s_k) / (1 - s_k)), else c_k ln s_k (pi_k =
 * 0). The curvature of this profile likelihood gives theta's covariance. */

/* One sample's profile term at S(T) = s. */
static double profile_term(const struct fit_data *D, double s)
{
	double q = (double)D->c / (double)(D->d + D->c);

	if (D->c == 0)
		return 0.0;
	if (!(s < 1.0))
		return -HUGE_VAL;
	if (q > s)
		return (double)D->d * (log1p(-q) - log1p(-s)) + (double)D->c * log(q);
	return s > 0.0 ? (double)D->c * log(s) : -HUGE_VAL;
}

static double sample_ll(hx_fit_family f, const struct fit_data *D, const double p[2])
{
	double s = D->T > 0.0 ? 1.0 - hx_fit__cdf(f, p, D->T) : 0.0;
	return ll_completed(f, D, p) + profile_term(D, s);
}

static double ll_joint(hx_fit_family f, const struct fit_data *D, const double p[2])
{
	double ll = 0.0;

	for (; D; D = D->more) {
		ll += sample_ll(f, D, p);
		if (!isfinite(ll))
			return -HUGE_VAL;
	}
	return ll;
}

/* Family f jointly over the chain D[0..n); out[i] is sample i's view. The
 * start is the censored fit of the sample with the largest timeout (its
 * durations are the least truncated). */
static int joint_family(hx_fit_result *const *out, hx_fit_family f, const struct fit_data *D,
			size_t n)
{
	hx_fit_result start;
	double p[2], cov[3];
	size_t i, at = 0;
	int have_cov;

	for (i = 1; i < n; i++)
		if (D[i].T > D[at].T)
			at = i;
	if (hx_fit__censored(&start, f, &D[at]) < 0)
		goto failed;
	memcpy(p, start.p, sizeof(p));
	if (start.k == 1) {
		if (exp_golden(ll_joint, &D[0], p[0], &p[0]) < 0) {
			snprintf(start.msg, sizeof(start.msg),
				 "exponential: joint fit has no finite mean");
			goto failed;
		}
	} else {
		double x[2];
		hx_fit__to_free(f, p, x);
		if (hx_fit__minimize_tol(ll_joint, f, &D[0], x, STALL_TOL) < 0) {
			snprintf(start.msg, sizeof(start.msg), "%s: joint fit did not converge",
				 hx_fit_family_name(f));
			goto failed;
		}
		hx_fit__from_free(f, x, p);
	}
	have_cov = cov_of(ll_joint, f, start.k, &D[0], p, cov) == 0;
	for (i = 0; i < n; i++) {
		hx_fit_result *r = out[i];
		double s = D[i].T > 0.0 ? 1.0 - hx_fit__cdf(f, p, D[i].T) : 0.0;
		double q = (double)D[i].c / (double)(D[i].d + D[i].c);
		memset(r, 0, sizeof(*r));
		r->family = f;
		r->k = start.k;
		r->n = D[i].d;
		r->n_censored = D[i].c;
		memcpy(r->p, p, sizeof(p));
		r->se[0] = have_cov ? sqrt(cov[0]) : NAN;
		r->se[1] = have_cov && r->k == 2 ? sqrt(cov[2]) : NAN;
		r->stall_model = 1;
		r->stall = q > s && s < 1.0 ? (q - s) / (1.0 - s) : 0.0;
		r->stall_se = r->stall > 0.0 && have_cov ? stall_se(r, &D[i], cov, q, s) : NAN;
		r->loglik = sample_ll(f, &D[i], p);
		if (hx_fit__finish(r, &D[i]) < 0)
			return -1;
	}
	return 0;
failed:
	for (i = 0; i < n; i++) {
		memset(out[i], 0, sizeof(*out[i]));
		out[i]->family = f;
		out[i]->stall_se = NAN;
		out[i]->p[1] = out[i]->se[1] = NAN;
		hx_fit__fail(out[i], start.msg);
	}
	return -1;
}

int hx_fit_joint(hx_fit_result *const *out, const hx_fit_sample *in, size_t n,
		 const hx_fit_options *opt, hx_fit_family *best, int *adequate)
{
	struct fit_data *D = NULL;
	double **work = NULL, min_p = opt ? opt->min_ks_p : HX_FIT_MIN_KS_P, best_aic = HUGE_VAL;
	size_t i;
	int f, rc = 0, b = -1;

	*adequate = 0;
	if (n == 0) {
		hx_error_set("fit: a joint fit needs at least one sample");
		return HX_EINVALID;
	}
	D = calloc(n, sizeof(*D));
	work = calloc(n, sizeof(*work));
	if (!D || !work) {
		free(D);
		free(work);
		hx_error_set("fit: out of memory");
		return HX_ESYSTEM;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = hx_fit__prepare(&D[i], &work[i], in[i].durations, in[i].n, in[i].n_censored,
				     in[i].T);
	if (rc < 0)
		goto done;
	for (i = 0; i + 1 < n; i++)
		D[i].more = &D[i + 1];
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		hx_fit_result *rows[HX_FIT_MAX_SAMPLES];
		double aic = 0.0;
		int fits = 1;
		for (i = 0; i < n; i++)
			rows[i] = &out[i][f];
		if ((hx_fit_family)f != HX_FIT_EXPONENTIAL) {
			for (i = 0; i < n; i++)
				if (!D[i].distinct)
					break;
			if (i < n) {
				/* as hx_fit: a 2-parameter family needs 2 distinct values */
				char msg[128];
				snprintf(msg, sizeof(msg),
					 "%s: fewer than 2 distinct completed durations, no fit exists",
					 hx_fit_family_name((hx_fit_family)f));
				for (i = 0; i < n; i++) {
					memset(rows[i], 0, sizeof(*rows[i]));
					rows[i]->family = (hx_fit_family)f;
					hx_fit__fail(rows[i], msg);
				}
				continue;
			}
		}
		if (joint_family(rows, (hx_fit_family)f, D, n) < 0)
			continue;
		for (i = 0; i < n; i++) {
			aic += rows[i]->aic;
			fits &= !(rows[i]->ks_p < min_p);
		}
		if (fits && aic < best_aic)
			best_aic = aic, b = f;
	}
	if (b < 0) {
		/* the smallest total AIC all the same, for the reports */
		for (f = 0; f < HX_FIT_NFAMILIES; f++) {
			double aic = 0.0;
			int ok = 1;
			for (i = 0; i < n; i++) {
				ok &= out[i][f].ok;
				aic += out[i][f].aic;
			}
			if (ok && (b < 0 || aic < best_aic))
				best_aic = aic, b = f;
		}
		if (b < 0) {
			hx_error_set("no fit exists: no family fitted (%s)", out[0][0].msg);
			rc = HX_EINVALID;
			goto done;
		}
		hx_error_set("no family fits: in some tier every family's KS p is below %g", min_p);
	} else {
		*adequate = 1;
		hx_error_clear();
	}
	*best = (hx_fit_family)b;
done:
	for (i = 0; i < n; i++)
		free(work[i]);
	free(work);
	free(D);
	return rc;
}
