/* fit_internal.h - what fit.c shares with fit_stall.c; not a public
 * header: nothing outside the fit module includes it. */
#ifndef HX_FIT_INTERNAL_H
#define HX_FIT_INTERNAL_H

#include <stddef.h>

#include "fit.h"

/* The data of one fit: sorted completed durations and the sufficient
 * statistics that make the gamma and lognormal likelihoods O(1). */
struct fit_data {
	const double *t; /* completed durations, ascending */
	double *lt;	 /* ln t, same order */
	size_t d;	 /* completed */
	size_t c;	 /* censored at T */
	double T, lnT;	 /* T > 0 when truncated/censored, else 0 */
	double s1;	 /* sum t */
	double mlt;	 /* mean ln t */
	double sslt;	 /* sum (ln t - mlt)^2 */
	int distinct;	 /* at least 2 distinct completed durations */
	const struct fit_data *more; /* a joint fit's next sample (fit_stall.c) */
};

/* A log-likelihood in the reported parameters. */
typedef double (*hx_fit__llfn)(hx_fit_family f, const struct fit_data *D, const double p[2]);

/* The untruncated CDF of family f at x. */
double hx_fit__cdf(hx_fit_family f, const double p[2], double x);
/* The censored log-likelihood (fit.h): completed densities plus
 * D->c ln S(T). */
double hx_fit__ll(hx_fit_family f, const struct fit_data *D, const double p[2]);
/* Unconstrained coordinates of the 2-parameter families: (ln shape,
 * ln scale); lognormal (mu, ln sigma). */
void hx_fit__to_free(hx_fit_family f, const double p[2], double x[2]);
void hx_fit__from_free(hx_fit_family f, const double x[2], double p[2]);
/* Maximize ll over a 2-parameter family from x (free coordinates, updated
 * in place) by Nelder-Mead; 0 on convergence. */
int hx_fit__minimize(hx_fit__llfn ll, hx_fit_family f, const struct fit_data *D, double x[2]);
/* The same to a simplex of size tol (hx_fit__minimize: 1e-9, below which
 * a sum over many runs is flat to rounding and the simplex only wanders
 * until its iteration cap). */
int hx_fit__minimize_tol(hx_fit__llfn ll, hx_fit_family f, const struct fit_data *D, double x[2],
			 double tol);
/* The observed information [[i0, i1], [i1, i2]] of ll at p by central
 * differences with steps h. */
void hx_fit__information(hx_fit__llfn ll, hx_fit_family f, const struct fit_data *D,
			 const double p[2], const double h[2], double info[3]);
/* Standard errors from a 2x2 information matrix (NaN when it is not
 * positive definite). */
void hx_fit__se_from_information(double a, double b, double c, double se[2]);
/* The censored fit of one family into *out (memset first): parameters,
 * standard errors, log-likelihood; hx_fit__finish adds the rest. */
int hx_fit__censored(hx_fit_result *out, hx_fit_family f, const struct fit_data *D);
/* AIC, BIC and the KS test of out->p (out->loglik set); sets out->ok. */
int hx_fit__finish(hx_fit_result *out, const struct fit_data *D);
/* Check the input and build the fit data of one sample; *work is the
 * caller's to free (also on error: NULL then). */
int hx_fit__prepare(struct fit_data *D, double **work, const double *t, size_t n, size_t nc,
		    double T);
/* Fill out->msg, the error slot; out->ok = 0; HX_EINVALID. */
int hx_fit__fail(hx_fit_result *out, const char *msg);
/* The stall model on top of a censored fit *out (fit_stall.c): replaces
 * its parameters, standard errors and log-likelihood when the truncated
 * fit with a stall fraction is the better; hx_fit__finish comes after. */
void hx_fit__stall(hx_fit_result *out, const struct fit_data *D);

#endif
