/* madvise and MADV_HUGEPAGE (Linux) are outside POSIX */
#define _DEFAULT_SOURCE
#include "fit.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "buf.h"
#include "error.h"
#include "fit_internal.h"
#include "stats.h"

#define HX_LN_2PI 1.837877066409345483560659472811
static const char *const family_names[HX_FIT_NFAMILIES] = {"exponential", "gamma",
							     "lognormal", "weibull"};
static const char *const param_names[HX_FIT_NFAMILIES][2] = {
	{"mean", NULL}, {"shape", "scale"}, {"mu", "sigma"}, {"shape", "scale"}};

const char *hx_fit_family_name(hx_fit_family f)
{
	return (unsigned)f < HX_FIT_NFAMILIES ? family_names[f] : NULL;
}

const char *hx_fit_param_name(hx_fit_family f, int i)
{
	if ((unsigned)f >= HX_FIT_NFAMILIES || i < 0 || i > 1)
		return NULL;
	return param_names[f][i];
}

double hx_fit__cdf(hx_fit_family f, const double p[2], double x)
{
	if (x <= 0.0)
		return 0.0;
	switch (f) {
	case HX_FIT_EXPONENTIAL:
		return gsl_cdf_exponential_P(x, p[0]);
	case HX_FIT_GAMMA:
		return gsl_cdf_gamma_P(x, p[0], p[1]);
	case HX_FIT_LOGNORMAL:
		return gsl_cdf_lognormal_P(x, p[0], p[1]);
	case HX_FIT_WEIBULL:
		return gsl_cdf_weibull_P(x, p[1], p[0]); /* GSL: (scale, shape) */
	default:
		return NAN;
	}
}

double hx_fit_cdf(const hx_fit_result *r, double x)
{
	if (!r->ok)
		return NAN;
	gsl_set_error_handler_off();
	return hx_fit__cdf(r->family, r->p, x);
}

double hx_fit_pdf(const hx_fit_result *r, double x)
{
	if (!r->ok)
		return NAN;
	if (x <= 0.0)
		return 0.0;
	gsl_set_error_handler_off();
	switch (r->family) {
	case HX_FIT_EXPONENTIAL:
		return gsl_ran_exponential_pdf(x, r->p[0]);
	case HX_FIT_GAMMA:
		return gsl_ran_gamma_pdf(x, r->p[0], r->p[1]);
	case HX_FIT_LOGNORMAL:
		return gsl_ran_lognormal_pdf(x, r->p[0], r->p[1]);
	case HX_FIT_WEIBULL:
		return gsl_ran_weibull_pdf(x, r->p[1], r->p[0]); /* GSL: (scale, shape) */
	default:
		return NAN;
	}
}

/* ---- log-likelihoods in the reported parameters ------------------------ */

static double ll_gamma(const struct fit_data *D, double a, double th)
{
	double ll;

	if (!(a > 0.0) || !(th > 0.0))
		return -HUGE_VAL;
	ll = (a - 1.0) * D->mlt * (double)D->d - D->s1 / th -
	     (double)D->d * (gsl_sf_lngamma(a) + a * log(th));
	if (D->c) {
		gsl_sf_result q;
		if (gsl_sf_gamma_inc_Q_e(a, D->T / th, &q) != GSL_SUCCESS || !(q.val > 0.0))
			return -HUGE_VAL;
		ll += (double)D->c * log(q.val);
	}
	return ll;
}

static double ll_lognormal(const struct fit_data *D, double mu, double sigma)
{
	double dd = (double)D->d, ll, dm = D->mlt - mu;

	if (!(sigma > 0.0))
		return -HUGE_VAL;
	ll = -D->mlt * dd - dd * log(sigma) - 0.5 * dd * HX_LN_2PI -
	     (D->sslt + dd * dm * dm) / (2.0 * sigma * sigma);
	if (D->c) {
		double q = gsl_cdf_ugaussian_Q((D->lnT - mu) / sigma);
		if (!(q > 0.0))
			return -HUGE_VAL;
		ll += (double)D->c * log(q);
	}
	return ll;
}

static double ll_weibull(const struct fit_data *D, double k, double lam)
{
	double dd = (double)D->d, lnl, s = 0.0;
	size_t i;

	if (!(k > 0.0) || !(lam > 0.0))
		return -HUGE_VAL;
	lnl = log(lam);
	for (i = 0; i < D->d; i++)
		s += exp(k * (D->lt[i] - lnl));
	if (D->c)
		s += (double)D->c * exp(k * (D->lnT - lnl));
	return dd * log(k) - dd * k * lnl + (k - 1.0) * D->mlt * dd - s;
}

double hx_fit__ll(hx_fit_family f, const struct fit_data *D, const double p[2])
{
	switch (f) {
	case HX_FIT_EXPONENTIAL: {
		double S = D->s1 + (double)D->c * D->T;
		return -(double)D->d * log(p[0]) - S / p[0];
	}
	case HX_FIT_GAMMA:
		return ll_gamma(D, p[0], p[1]);
	case HX_FIT_LOGNORMAL:
		return ll_lognormal(D, p[0], p[1]);
	case HX_FIT_WEIBULL:
		return ll_weibull(D, p[0], p[1]);
	default:
		return NAN;
	}
}

/* Standard errors from a 2x2 observed information I = [[a, b], [b, c]]:
 * the square roots of the diagonal of I^-1; NaN when I is not positive
 * definite. */
void hx_fit__se_from_information(double a, double b, double c, double se[2])
{
	double det = a * c - b * b;
	if (!(a > 0.0) || !(c > 0.0) || !(det > 0.0) || !isfinite(det)) {
		se[0] = se[1] = NAN;
		return;
	}
	se[0] = sqrt(c / det);
	se[1] = sqrt(a / det);
}

void hx_fit__information(hx_fit__llfn ll, hx_fit_family f, const struct fit_data *D,
			 const double p[2], const double h[2], double info[3])
{
	double f0 = ll(f, D, p), q[2], H00, H11, H01, fpp, fpm, fmp, fmm;

	q[0] = p[0] + h[0], q[1] = p[1];
	H00 = ll(f, D, q);
	q[0] = p[0] - h[0];
	H00 = (H00 - 2.0 * f0 + ll(f, D, q)) / (h[0] * h[0]);
	q[0] = p[0], q[1] = p[1] + h[1];
	H11 = ll(f, D, q);
	q[1] = p[1] - h[1];
	H11 = (H11 - 2.0 * f0 + ll(f, D, q)) / (h[1] * h[1]);
	q[0] = p[0] + h[0], q[1] = p[1] + h[1];
	fpp = ll(f, D, q);
	q[1] = p[1] - h[1];
	fpm = ll(f, D, q);
	q[0] = p[0] - h[0];
	fmm = ll(f, D, q);
	q[1] = p[1] + h[1];
	fmp = ll(f, D, q);
	H01 = (fpp - fpm - fmp + fmm) / (4.0 * h[0] * h[1]);
	/* information I = -H = [[a, b], [b, c]]; Var = I^-1 */
	info[0] = -H00, info[1] = -H01, info[2] = -H11;
}

static void numeric_se(hx_fit_family f, const struct fit_data *D, const double p[2],
		       const double h[2], double se[2])
{
	double info[3];

	hx_fit__information(hx_fit__ll, f, D, p, h, info);
	hx_fit__se_from_information(info[0], info[1], info[2], se);
}

/* ---- optimizer --------------------------------------------------------- */

struct min_ctx {
	hx_fit__llfn ll;
	hx_fit_family f;
	const struct fit_data *D;
};

void hx_fit__from_free(hx_fit_family f, const double x[2], double p[2])
{
	p[0] = f == HX_FIT_LOGNORMAL ? x[0] : exp(x[0]);
	p[1] = exp(x[1]);
}

void hx_fit__to_free(hx_fit_family f, const double p[2], double x[2])
{
	x[0] = f == HX_FIT_LOGNORMAL ? p[0] : log(p[0]);
	x[1] = log(p[1]);
}

/* -loglik / N over the unconstrained parameters: gamma and weibull (ln
 * shape, ln scale), lognormal (mu, ln sigma). Dividing by N keeps the
 * simplex's function scale independent of the sample size. */
static double neg_ll(const gsl_vector *x, void *vctx)
{
	const struct min_ctx *m = vctx;
	double p[2], ll, xv[2] = {gsl_vector_get(x, 0), gsl_vector_get(x, 1)};

	hx_fit__from_free(m->f, xv, p);
	ll = m->ll(m->f, m->D, p);
	/* nmsimplex2 needs finite values; a huge one rejects the point */
	if (!isfinite(ll))
		return 1e300;
	return -ll / (double)(m->D->d + m->D->c);
}

int hx_fit__minimize(hx_fit__llfn ll, hx_fit_family f, const struct fit_data *D, double x[2])
{
	return hx_fit__minimize_tol(ll, f, D, x, 1e-9);
}

int hx_fit__minimize_tol(hx_fit__llfn ll, hx_fit_family f, const struct fit_data *D, double x[2],
			 double tol)
{
	struct min_ctx ctx = {ll, f, D};
	gsl_multimin_function fn = {neg_ll, 2, &ctx};
	gsl_multimin_fminimizer *s = NULL;
	gsl_vector *x0 = NULL, *step = NULL;
	int rc = -1, pass, status, it;

	s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 2);
	x0 = gsl_vector_alloc(2);
	step = gsl_vector_alloc(2);
	if (!s || !x0 || !step)
		goto done;
	for (pass = 0; pass < 2; pass++) {
		gsl_vector_set(x0, 0, x[0]);
		gsl_vector_set(x0, 1, x[1]);
		gsl_vector_set_all(step, pass == 0 ? 0.2 : 0.01);
		if (gsl_multimin_fminimizer_set(s, &fn, x0, step) != GSL_SUCCESS)
			goto done;
		status = GSL_CONTINUE;
		for (it = 0; it < 2000 && status == GSL_CONTINUE; it++) {
			if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
				break;
			status = gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), tol);
		}
		/* near the minimum f is flat to rounding: a simplex of size 1e-9
		 * (relative error ~1e-9 in the parameters) is as far as it can
		 * resolve; accept a stalled one below 1e-7 */
		if (status != GSL_SUCCESS && !(gsl_multimin_fminimizer_size(s) < 1e-7))
			goto done;
		x[0] = gsl_vector_get(s->x, 0);
		x[1] = gsl_vector_get(s->x, 1);
		if (!(s->fval < 1e299))
			goto done;
	}
	rc = 0;
done:
	gsl_multimin_fminimizer_free(s);
	gsl_vector_free(x0);
	gsl_vector_free(step);
	return rc;
}

/* ---- the families ------------------------------------------------------ */

static int fail(hx_fit_result *out, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static int fail(hx_fit_result *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->msg, sizeof(out->msg), fmt, ap);
	va_end(ap);
	out->ok = 0;
	hx_error_set("%s", out->msg);
	return HX_EINVALID;
}

int hx_fit__fail(hx_fit_result *out, const char *msg)
{
	return fail(out, "%s", msg);
}

/* Minka (2002), "Estimating a gamma distribution": generalized Newton on
 * the shape, from the closed-form start a0. */
static double minka_shape(double s)
{
	double a = (3.0 - s + sqrt((s - 3.0) * (s - 3.0) + 24.0 * s)) / (12.0 * s);
	int it;

	for (it = 0; it < 100; it++) {
		double inv = 1.0 / a + (-s + log(a) - gsl_sf_psi(a)) /
					       (a * a * (1.0 / a - gsl_sf_psi_1(a)));
		double an = 1.0 / inv;
		if (fabs(an - a) <= 1e-15 * a) {
			a = an;
			break;
		}
		a = an;
	}
	return a;
}

static int fit_gamma(hx_fit_result *out, const struct fit_data *D)
{
	double dd = (double)D->d, xbar = D->s1 / dd, s = log(xbar) - D->mlt, a, x[2], h[2];

	/* s >= 0 by Jensen; 0 only when all durations are equal */
	a = s > 0.0 ? minka_shape(s) : 1.0;
	if (!isfinite(a) || !(a > 0.0))
		return fail(out, "gamma: shape iteration diverged");
	out->p[0] = a;
	out->p[1] = xbar / a;
	if (!D->c) {
		double t1 = gsl_sf_psi_1(a), den = dd * (a * t1 - 1.0);
		out->se[0] = sqrt(a / den);
		out->se[1] = sqrt(out->p[1] * out->p[1] * t1 / den);
		return 0;
	}
	x[0] = log(out->p[0]);
	x[1] = log(out->p[1]);
	if (hx_fit__minimize(hx_fit__ll, HX_FIT_GAMMA, D, x) < 0)
		return fail(out, "gamma: censored fit did not converge");
	out->p[0] = exp(x[0]);
	out->p[1] = exp(x[1]);
	h[0] = 1e-4 * out->p[0];
	h[1] = 1e-4 * out->p[1];
	numeric_se(HX_FIT_GAMMA, D, out->p, h, out->se);
	return 0;
}

static int fit_lognormal(hx_fit_result *out, const struct fit_data *D)
{
	double dd = (double)D->d, x[2], h[2];

	out->p[0] = D->mlt;
	out->p[1] = sqrt(D->sslt / dd);
	if (!D->c) {
		out->se[0] = out->p[1] / sqrt(dd);
		out->se[1] = out->p[1] / sqrt(2.0 * dd);
		return 0;
	}
	x[0] = out->p[0];
	x[1] = log(out->p[1]);
	if (hx_fit__minimize(hx_fit__ll, HX_FIT_LOGNORMAL, D, x) < 0)
		return fail(out, "lognormal: censored fit did not converge");
	out->p[0] = x[0];
	out->p[1] = exp(x[1]);
	h[0] = h[1] = 1e-4 * out->p[1];
	numeric_se(HX_FIT_LOGNORMAL, D, out->p, h, out->se);
	return 0;
}

/* g(k) and g'(k) of the Weibull profile score (see fit.h); the weights are
 * scaled by the largest y so that y^k cannot overflow. Also returns
 * sum (y/ymax)^k in *sw. */
static void weibull_g(const struct fit_data *D, double k, double lymax, double *g,
		      double *dg, double *sw)
{
	double B = 0.0, A = 0.0, C = 0.0, w, m;
	size_t i;

	for (i = 0; i < D->d; i++) {
		double l = D->lt[i] - lymax;
		w = exp(k * l);
		B += w;
		A += w * l;
		C += w * l * l;
	}
	if (D->c) {
		double l = D->lnT - lymax;
		w = (double)D->c * exp(k * l);
		B += w;
		A += w * l;
		C += w * l * l;
	}
	m = A / B;
	/* ln y = l + lymax: the shift cancels in the variance */
	*g = m + lymax - 1.0 / k - D->mlt;
	*dg = C / B - m * m + 1.0 / (k * k);
	*sw = B;
}

/* Weibull standard errors from the analytic observed information (one
 * pass; the numeric Hessian would take nine). With z = (y/lam)^k and
 * u = ln(y/lam) over completed and censored y alike:
 *   -d2l/dk2 = d/k^2 + sum z u^2
 *   -d2l/dlam2 = (k (k+1) sum z - d k) / lam^2
 *   -d2l/dk dlam = (d - sum z - k sum z u) / lam
 * sum z is also the sum in the log-likelihood: *ll gets ll_weibull's value,
 * bit for bit, without its pass over the data. */
static void weibull_se(const struct fit_data *D, double k, double lam, double se[2],
		       double *ll)
{
	double dd = (double)D->d, lnl = log(lam), sz = 0.0, szu = 0.0, szu2 = 0.0, a, b, c;
	size_t i;

	for (i = 0; i < D->d; i++) {
		double u = D->lt[i] - lnl, z = exp(k * u);
		sz += z;
		szu += z * u;
		szu2 += z * u * u;
	}
	if (D->c) {
		double u = D->lnT - lnl, z = (double)D->c * exp(k * u);
		sz += z;
		szu += z * u;
		szu2 += z * u * u;
	}
	a = dd / (k * k) + szu2;
	c = (k * (k + 1.0) * sz - dd * k) / (lam * lam);
	b = (dd - sz - k * szu) / lam;
	hx_fit__se_from_information(a, b, c, se);
	/* the expression of ll_weibull, for the same bits */
	*ll = k > 0.0 && lam > 0.0 ? dd * log(k) - dd * k * lnl + (k - 1.0) * D->mlt * dd - sz
				   : -HUGE_VAL;
}

/* The root of g by Newton from k, kept inside a bracket; NaN when it does
 * not converge. */
static double weibull_shape(const struct fit_data *D, double k, double lymax)
{
	double lo = 0.0, hi = HUGE_VAL, g, dg, sw;
	int it;

	for (it = 0; it < 200; it++) {
		double kn;
		weibull_g(D, k, lymax, &g, &dg, &sw);
		if (g < 0.0)
			lo = k;
		else
			hi = k;
		kn = k - g / dg;
		/* keep Newton inside the bracket; bisect (or expand) otherwise */
		if (!(kn > lo && kn < hi))
			kn = isfinite(hi) ? 0.5 * (lo + hi) : 2.0 * k;
		/* g sums many terms: near the root its rounding noise can keep
		 * Newton moving by ~1e-13 k, so stop at 1e-12 or a tight bracket */
		if (fabs(kn - k) <= 1e-12 * k || hi - lo <= 1e-12 * k)
			return isfinite(kn) ? kn : NAN;
		k = kn;
	}
	return NAN;
}

static int fit_weibull(hx_fit_result *out, const struct fit_data *D)
{
	double dd = (double)D->d, lymax, k, g, dg, sw;

	lymax = D->c ? D->lnT : D->lt[D->d - 1];
	/* start: k0 = pi / (sqrt 6 sd(ln t)) (the moment estimate of ln t's
	 * Gumbel law); distinct durations make sslt > 0 */
	k = 3.14159265358979323846 / sqrt(6.0 * D->sslt / (dd > 1.0 ? dd - 1.0 : 1.0));
	if (!isfinite(k) || !(k > 0.0))
		k = 1.0;
	if (D->d >= 65536) {
		/* each Newton step costs d exps; converged first on every 64th
		 * sorted ln t (a stratified sample, censored runs scaled alike,
		 * whose root is close to the full data's), the full data
		 * needs fewer steps */
		struct fit_data S = *D;
		size_t m = D->d / 64, i;
		double *sl = malloc(m * sizeof(*sl)), sum = 0.0, ks;
		if (sl) {
			for (i = 0; i < m; i++) {
				sl[i] = D->lt[64 * i + 32];
				sum += sl[i];
			}
			S.lt = sl;
			S.d = m;
			S.c = (size_t)((double)D->c * (double)m / dd + 0.5);
			S.mlt = sum / (double)m;
			ks = weibull_shape(&S, k, lymax);
			if (isfinite(ks) && ks > 0.0)
				k = ks;
			free(sl);
		}
	}
	k = weibull_shape(D, k, lymax);
	if (!isfinite(k))
		return fail(out, "weibull: shape iteration did not converge");
	weibull_g(D, k, lymax, &g, &dg, &sw);
	out->p[0] = k;
	out->p[1] = exp(lymax + log(sw / dd) / k);
	weibull_se(D, out->p[0], out->p[1], out->se, &out->loglik);
	return 0;
}

struct ks_ctx {
	hx_fit_family f;
	const double *p;
	double FT; /* F(T), 1 without truncation */
};

static double ks_cdf(double x, void *vctx)
{
	const struct ks_ctx *c = vctx;
	return fmin(1.0, hx_fit__cdf(c->f, c->p, x) / c->FT);
}

int hx_fit__finish(hx_fit_result *out, const struct fit_data *D)
{
	hx_fit_family f = out->family;
	double N = (double)(D->d + D->c);
	int k = out->k + (out->stall_model ? 1 : 0), rc;
	struct ks_ctx kc;

	if (!isfinite(out->loglik))
		return fail(out, "%s: log-likelihood is not finite at the fit", family_names[f]);
	out->aic = 2.0 * k - 2.0 * out->loglik;
	out->bic = k * log(N) - 2.0 * out->loglik;
	kc.f = f;
	kc.p = out->p;
	kc.FT = D->T > 0.0 ? hx_fit__cdf(f, out->p, D->T) : 1.0;
	if (!(kc.FT > 0.0))
		return fail(out, "%s: fitted F(T) is 0", family_names[f]);
	rc = hx_stats_ks_1(D->t, D->d, ks_cdf, &kc, &out->ks_d);
	if (rc < 0)
		return fail(out, "%s: %s", family_names[f], hx_error_last());
	out->ks_p = hx_stats_kolmogorov_p(D->d, out->ks_d);
	out->ok = 1;
	return 0;
}

/* The censored fit of family f (fit.h), without the stall model:
 * parameters, standard errors and log-likelihood, not yet AIC or KS. */
int hx_fit__censored(hx_fit_result *out, hx_fit_family f, const struct fit_data *D)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->family = f;
	out->n = D->d;
	out->n_censored = D->c;
	out->p[1] = out->se[1] = NAN;
	out->stall_se = NAN;
	out->k = f == HX_FIT_EXPONENTIAL ? 1 : 2;
	if ((unsigned)f >= HX_FIT_NFAMILIES)
		return fail(out, "fit: unknown family %d", (int)f);
	if (out->k == 2 && !D->distinct)
		return fail(out,
			    "%s: fewer than 2 distinct completed durations, no fit exists",
			    family_names[f]);
	switch (f) {
	case HX_FIT_EXPONENTIAL:
		out->p[0] = (D->s1 + (double)D->c * D->T) / (double)D->d;
		out->se[0] = out->p[0] / sqrt((double)D->d);
		break;
	case HX_FIT_GAMMA:
		rc = fit_gamma(out, D);
		break;
	case HX_FIT_LOGNORMAL:
		rc = fit_lognormal(out, D);
		break;
	default:
		rc = fit_weibull(out, D);
		break;
	}
	if (rc < 0)
		return rc;
	if (f != HX_FIT_WEIBULL) /* fit_weibull set it */
		out->loglik = hx_fit__ll(f, D, out->p);
	return 0;
}

/* One family's fit, with the stall model when stalls, then its AIC, BIC
 * and KS test (once, on the parameters kept). */
static int fit_one(hx_fit_result *out, hx_fit_family f, const struct fit_data *D, int stalls)
{
	if (hx_fit__censored(out, f, D) < 0)
		return -1;
	if (stalls)
		hx_fit__stall(out, D);
	return hx_fit__finish(out, D);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Fresh pages cost a fault each on first touch; at 10^6 durations the
 * faults on the 4 KiB pages of the work buffers took more time than the
 * fit itself. Large buffers are aligned to 2 MiB and marked for
 * transparent huge pages (512 times fewer faults) where the system
 * offers them. */
#define HUGE_ALIGN ((size_t)2 << 20)

static void *alloc_work(size_t bytes)
{
#if defined(MADV_HUGEPAGE)
	if (bytes >= HUGE_ALIGN) {
		size_t sz = (bytes + HUGE_ALIGN - 1) & ~(HUGE_ALIGN - 1);
		void *p = aligned_alloc(HUGE_ALIGN, sz);
		if (p)
			(void)madvise(p, sz, MADV_HUGEPAGE); /* a hint: ignore failure */
		return p;
	}
#endif
	return malloc(bytes);
}

static uint64_t bits_of(double x)
{
	uint64_t u;
	memcpy(&u, &x, sizeof(u));
	return u;
}

/* Ascending copy of n (4096 <= n <= UINT32_MAX) positive finite doubles
 * t into x. Their IEEE bit patterns order as unsigned integers, so one
 * counting pass and one scatter pass into nb <= n buckets over [lo, hi]
 * (the extreme bit patterns) leave x sorted but within each bucket, which
 * insertion sort finishes in a few moves per value: 3 passes over the
 * data where an LSD radix sort took 4 scatters over 3 buffers. cnt holds
 * n counters. The buckets are equal in ln t, about as wide as the data's
 * spread there; a bucket too full for insertion sort (clustered values)
 * gets qsort. */
static void bucket_sort(double *x, const double *t, size_t n, uint64_t lo, uint64_t hi,
			uint32_t *cnt)
{
	uint64_t range = hi - lo;
	size_t nb, i, b, beg;
	uint32_t sum;
	int sh = 0;

	while ((range >> sh) >= (uint64_t)n)
		sh++;
	nb = (size_t)(range >> sh) + 1;
	memset(cnt, 0, nb * sizeof(*cnt));
	for (i = 0; i < n; i++)
		cnt[(bits_of(t[i]) - lo) >> sh]++;
	for (b = 0, sum = 0; b < nb; b++) {
		uint32_t c = cnt[b];
		cnt[b] = sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		x[cnt[(bits_of(t[i]) - lo) >> sh]++] = t[i];
	/* cnt[b] is now the end of bucket b */
	for (b = 0, beg = 0; b < nb; beg = cnt[b++]) {
		size_t end = cnt[b], j;
		if (end - beg > 64) {
			qsort(x + beg, end - beg, sizeof(*x), cmp_double);
			continue;
		}
		for (i = beg + 1; i < end; i++) {
			double v = x[i];
			for (j = i; j > beg && x[j - 1] > v; j--)
				x[j] = x[j - 1];
			x[j] = v;
		}
	}
}

/* Check the input and build the fit data; *work (the sorted durations,
 * ln t and scratch in one block) is the caller's to free. */
int hx_fit__prepare(struct fit_data *D, double **work, const double *t, size_t n, size_t nc,
		    double T)
{
	size_t i;
	double *x = NULL, *lt = NULL, s1 = 0.0, sl = 0.0, ss = 0.0, m;
	uint64_t lo = UINT64_MAX, hi = 0;

	memset(D, 0, sizeof(*D));
	*work = NULL;
	gsl_set_error_handler_off();
	if (nc > 0 && !(T > 0.0 && isfinite(T))) {
		hx_error_set("fit: %zu censored runs need a timeout > 0, got %g", nc, T);
		return HX_EINVALID;
	}
	if (n == 0) {
		if (nc > 0)
			hx_error_set("no fit exists: every run timed out");
		else
			hx_error_set("no fit exists: no durations");
		return HX_EINVALID;
	}
	for (i = 0; i < n; i++) {
		uint64_t u;
		if (!(t[i] > 0.0) || !isfinite(t[i])) {
			hx_error_set("fit: duration %zu is %g, not a positive number", i, t[i]);
			return HX_EINVALID;
		}
		if (T > 0.0 && t[i] > T) {
			hx_error_set("fit: duration %zu (%g) exceeds the timeout %g", i, t[i], T);
			return HX_EINVALID;
		}
		u = bits_of(t[i]);
		lo = u < lo ? u : lo;
		hi = u > hi ? u : hi;
	}
	/* x, lt, and n 32-bit bucket counters (n / 2 + 1 doubles' room) */
	if (n > SIZE_MAX / (3 * sizeof(*x)) ||
	    !(x = alloc_work((2 * n + n / 2 + 1) * sizeof(*x)))) {
		hx_error_set("fit: out of memory for %zu durations", n);
		return HX_ESYSTEM;
	}
	lt = x + n;
	if (n < 4096 || n > UINT32_MAX) {
		memcpy(x, t, n * sizeof(*x));
		qsort(x, n, sizeof(*x), cmp_double);
	} else {
		bucket_sort(x, t, n, lo, hi, (uint32_t *)(void *)(lt + n));
	}
	for (i = 0; i < n; i++) {
		lt[i] = log(x[i]);
		s1 += x[i];
		sl += lt[i];
	}
	m = sl / (double)n;
	for (i = 0; i < n; i++)
		ss += (lt[i] - m) * (lt[i] - m);
	D->t = x;
	D->lt = lt;
	D->d = n;
	D->c = nc;
	D->T = T > 0.0 ? T : 0.0;
	D->lnT = T > 0.0 ? log(T) : 0.0;
	D->s1 = s1;
	D->mlt = m;
	D->sslt = ss;
	D->distinct = x[0] < x[n - 1];
	*work = x;
	return 0;
}

int hx_fit(hx_fit_result *out, hx_fit_family f, const double *durations, size_t n,
	   size_t n_censored, double T)
{
	struct fit_data D;
	double *sorted = NULL;
	int rc;

	rc = hx_fit__prepare(&D, &sorted, durations, n, n_censored, T);
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		out->family = f;
		out->n = n;
		out->n_censored = n_censored;
		snprintf(out->msg, sizeof(out->msg), "%s", hx_error_last());
		goto done;
	}
	rc = fit_one(out, f, &D, 0);
done:
	free(sorted);
	return rc;
}

static const hx_fit_options plain_options = {0, 0.0};

int hx_fit_all(hx_fit_result out[HX_FIT_NFAMILIES], const double *durations, size_t n,
	       size_t n_censored, double T, hx_fit_family *best)
{
	return hx_fit_all_opt(out, durations, n, n_censored, T, &plain_options, best, NULL);
}

/* "no family fits: ..." into the error slot, with every family's KS p
 * and the AIC-best b. */
static void no_family_fits(const hx_fit_result out[HX_FIT_NFAMILIES], int b, double min_p)
{
	hx_buf why = HX_BUF_INIT;
	int f, first = 1;

	hx_buf_printf(&why, "no family fits: KS p < %g for every family (", min_p);
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		if (!out[f].ok)
			continue;
		hx_buf_printf(&why, "%s%s %.2g", first ? "" : ", ", family_names[f], out[f].ks_p);
		first = 0;
	}
	hx_buf_printf(&why, "; smallest AIC: %s)", family_names[b]);
	hx_error_set("%s", why.ptr);
	hx_buf_release(&why);
}

int hx_fit_all_opt(hx_fit_result out[HX_FIT_NFAMILIES], const double *durations, size_t n,
		   size_t n_censored, double T, const hx_fit_options *opt, hx_fit_family *best,
		   int *adequate)
{
	struct fit_data D;
	double *sorted = NULL;
	int rc, f, b = -1, ba = -1;

	if (!opt)
		opt = &plain_options;
	if (adequate)
		*adequate = 0;
	rc = hx_fit__prepare(&D, &sorted, durations, n, n_censored, T);
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		if (rc < 0) {
			memset(&out[f], 0, sizeof(out[f]));
			out[f].family = (hx_fit_family)f;
			out[f].n = n;
			out[f].n_censored = n_censored;
			out[f].stall_se = NAN;
			snprintf(out[f].msg, sizeof(out[f].msg), "%s", hx_error_last());
			continue;
		}
		if (fit_one(&out[f], (hx_fit_family)f, &D, opt->stalls) < 0)
			continue;
		if (b < 0 || out[f].aic < out[b].aic)
			b = f;
		if (!(out[f].ks_p < opt->min_ks_p) && (ba < 0 || out[f].aic < out[ba].aic))
			ba = f;
	}
	if (rc < 0)
		goto done;
	if (b < 0) {
		hx_error_set("no fit exists: no family fitted (%s)", out[0].msg);
		rc = HX_EINVALID;
		goto done;
	}
	hx_error_clear();
	if (ba < 0)
		no_family_fits(out, b, opt->min_ks_p);
	if (adequate)
		*adequate = ba >= 0;
	if (best)
		*best = (hx_fit_family)(ba >= 0 ? ba : b);
done:
	free(sorted);
	return rc;
}
