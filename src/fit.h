/* fit.h - maximum-likelihood fits of duration distributions, uncensored or
 * right-censored at a timeout (with stats.h, the only user of GSL).
 *
 * Runs that timed out are right-censored at the timeout T: they enter the
 * likelihood as ln S(T) each and are never dropped nor fitted as durations:
 *   loglik = sum_completed ln f(t_i) + n_censored ln S(T).
 * Estimators (shared/reference/stats-vectors.md):
 *   exponential  mean = sum min(t_i, T) / n_completed (closed form);
 *   gamma        uncensored: Minka (2002) Newton on the shape; censored:
 *                Nelder-Mead (nmsimplex2) over (ln shape, ln scale);
 *   lognormal    uncensored: closed form (sigma^2 divides by n); censored:
 *                Nelder-Mead over (mu, ln sigma);
 *   weibull      the profile score root g(k) = sum w_i ln y_i / sum w_i - 1/k
 *                - mean_completed(ln t) = 0, y = completed durations plus
 *                n_censored copies of T, w_i = y_i^k (scaled); g increases, so
 *                a safeguarded Newton finds the unique root; then
 *                scale^k = sum y_i^k / n_completed. Censored or not, this is
 *                the exact MLE, no general-purpose optimizer needed.
 * Standard errors: the inverse observed information. Analytic where it is
 * short (exponential; uncensored gamma and lognormal); otherwise central
 * differences of the log-likelihood in the reported parameters.
 * Goodness of fit: the one-sample KS statistic of the completed durations
 * against the fitted CDF, truncated at T when T > 0 (F(t) / F(T): the
 * completed runs are exactly those below the timeout), and its plain
 * Kolmogorov p-value (hx_stats_kolmogorov_p with n = completed count; the
 * parameters were estimated from the same data, so this p is optimistic, as
 * in the reference tools).
 */
#ifndef HX_FIT_H
#define HX_FIT_H

#include <stddef.h>

typedef enum {
	HX_FIT_EXPONENTIAL,
	HX_FIT_GAMMA,
	HX_FIT_LOGNORMAL,
	HX_FIT_WEIBULL,
	HX_FIT_NFAMILIES
} hx_fit_family;

typedef struct {
	hx_fit_family family;
	int ok;		  /* 1: fitted; 0: no fit, msg says why */
	double p[2];	  /* parameters, named by hx_fit_param_name */
	double se[2];	  /* their standard errors (NaN if the information
			   * matrix is not positive definite) */
	int k;		  /* number of parameters (1 or 2); p[1], se[1] are
			   * NaN when k == 1 */
	double loglik;	  /* maximized log-likelihood, censored terms included */
	double aic;	  /* 2k - 2 loglik */
	double bic;	  /* k ln(n + n_censored) - 2 loglik */
	double ks_d;	  /* KS D of the completed durations vs the fit */
	double ks_p;	  /* its Kolmogorov p-value */
	size_t n;	  /* completed durations used */
	size_t n_censored; /* runs censored at the timeout */
	char msg[128];	  /* "" when ok, else the reason (as in hx_error_last) */
} hx_fit_result;

/* Fit one family. durations: the n completed run times, each finite, > 0,
 * and <= T when T > 0 (any order; not modified, not retained);
 * n_censored runs timed out at T (T <= 0: no censoring, n_censored must be
 * 0). Returns 0 with out->ok = 1, or HX_EINVALID with out->ok = 0 and the
 * reason in out->msg and the error slot: bad input; "no fit exists: every
 * run timed out" when n == 0 < n_censored; fewer than 2 distinct completed
 * durations for a 2-parameter family; an optimizer that did not converge.
 * HX_ESYSTEM when out of memory. */
int hx_fit(hx_fit_result *out, hx_fit_family f, const double *durations, size_t n,
	   size_t n_censored, double T);

/* Fit every family (sorting the durations once). out[f] holds family f's
 * result, ok or not; *best (may be NULL) is the ok family of smallest AIC
 * (ties: the lower enum value). Returns 0 when at least one family fitted;
 * otherwise the error of the input check (HX_EINVALID, e.g. "no fit exists:
 * every run timed out") or HX_ESYSTEM. */
int hx_fit_all(hx_fit_result out[HX_FIT_NFAMILIES], const double *durations, size_t n,
	       size_t n_censored, double T, hx_fit_family *best);

/* "exponential", "gamma", "lognormal", "weibull"; NULL if out of range. */
const char *hx_fit_family_name(hx_fit_family f);

/* Parameter i of family f: "mean"; "shape", "scale"; "mu", "sigma";
 * "shape", "scale". NULL if out of range. The scale of gamma and weibull
 * and the mean of the exponential are in the durations' unit; GSL's
 * gsl_ran_weibull takes (scale, shape) in that reversed order. */
const char *hx_fit_param_name(hx_fit_family f, int i);

/* The fitted CDF F(x) (untruncated) of an ok result; NaN if !r->ok. */
double hx_fit_cdf(const hx_fit_result *r, double x);

#endif
