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
 *
 * Stall model (hx_fit_options.stalls; fit_stall.c): a timeout is either a
 * stall (probability pi, whatever the run's length: the verifier's injected
 * timeouts, a hung process) or a run whose duration D reached T. Then
 *   loglik = sum_completed ln f(t_i) + n_completed ln(1 - pi)
 *            + n_censored ln(pi + (1 - pi) S(T)).
 * In (theta, q = pi + (1 - pi) S(T)) it splits into the likelihood of the
 * completed durations truncated at T (sum ln f(t_i) - n_completed ln F(T))
 * and a binomial in q, so the MLE is the truncated fit with
 * pi = (q - S(T)) / (1 - S(T)), q = n_censored / n, when that is >= 0; when
 * it is not (fewer timeouts than long runs explain), pi = 0 and the fit is
 * the censored one above; of the two candidates (truncated fit with its
 * pi, censored fit with pi = 0) the higher likelihood wins.
 * Standard errors: theta's from the truncated likelihood's observed
 * information, pi's by the delta method (q and theta are asymptotically
 * independent, the likelihood factorizing). AIC and BIC count pi as a
 * parameter of every family alike.
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
	int stall_model;  /* fitted with the stall model (options.stalls) */
	double stall;	  /* its stall fraction pi (0 without the model) */
	double stall_se;  /* pi's standard error (NaN when pi = 0, the
			   * boundary, or without the model) */
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

/* Options of hx_fit_all_opt. */
typedef struct {
	int stalls;	  /* 1: the stall model (above) for censored data */
	double min_ks_p;  /* a family whose KS p is below this is not
			   * called best (HX_FIT_MIN_KS_P; 0: any) */
} hx_fit_options;

#define HX_FIT_MIN_KS_P 0.01

/* Fit every family (sorting the durations once), with options (NULL:
 * hx_fit_all's). Returns as hx_fit_all. *best (may be NULL) is the
 * smallest-AIC family among those whose KS p is at least opt->min_ks_p;
 * when no family reaches it, *adequate (may be NULL) is 0, *best is the
 * smallest-AIC family all the same (for its AIC differences) and the
 * error slot says "no family fits: ..." with each family's KS p. */
int hx_fit_all_opt(hx_fit_result out[HX_FIT_NFAMILIES], const double *durations, size_t n,
		   size_t n_censored, double T, const hx_fit_options *opt, hx_fit_family *best,
		   int *adequate);

/* One sample of a joint fit: completed durations (as hx_fit's) and the
 * n_censored runs that timed out at T. */
typedef struct {
	const double *durations;
	size_t n;
	size_t n_censored;
	double T;
} hx_fit_sample;

#define HX_FIT_MAX_SAMPLES 8

/* The stall model over n <= HX_FIT_MAX_SAMPLES samples at once (the tiers
 * of one verifier, with different timeouts): the duration law's
 * parameters are shared, each sample has its own stall fraction. One
 * tier's timeouts alone tell stalls from long runs only through the shape
 * of its truncated durations; tiers with other timeouts pin the law down.
 * out[i][f] is family f seen from sample i: the shared parameters and
 * their standard errors (from the joint profile likelihood), sample i's
 * stall fraction with its standard error, its log-likelihood term, AIC
 * and BIC from that term (parameters counted per sample: k + 1), and the
 * KS test of its completed durations against the law truncated at its T.
 * *best: the smallest total AIC among the families whose KS p is at least
 * opt->min_ks_p in every sample (*adequate = 1); when there is none, the
 * smallest total AIC, *adequate = 0 and "no family fits: ..." in the
 * error slot. Returns 0 when some family fitted, else as hx_fit_all. */
int hx_fit_joint(hx_fit_result *const *out, const hx_fit_sample *in, size_t n,
		 const hx_fit_options *opt, hx_fit_family *best, int *adequate);

/* Fit every family (sorting the durations once), without the stall model
 * and whatever the KS p. out[f] holds family f's
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
/* The fitted density f(x) (untruncated) of an ok result; NaN if !r->ok. */
double hx_fit_pdf(const hx_fit_result *r, double x);

#endif
