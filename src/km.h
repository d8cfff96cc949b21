/* km.h - the Kaplan-Meier estimate of a survival function from
 * right-censored times, with Greenwood's variance and the log-log 95%
 * interval (Kalbfleisch and Prentice 2002, 1.4).
 *
 * At a time where events and censorings tie, the events come first (the
 * usual convention: a run censored at t was at risk at t).
 *   S(t)   = prod over event times t_i <= t of (1 - d_i / n_i)
 *   V      = sum d_i / (n_i (n_i - d_i))            (Greenwood, over S^2)
 *   95%    = S^exp(+-1.96 sqrt(V) / |ln S|)          (log-log; S in (0, 1))
 * where n_i is the number at risk just before t_i and d_i the events at
 * t_i. When S is 1 or 0 the interval is [S, S]; when the last event takes
 * every run left (n_i = d_i) S drops to 0.
 */
#ifndef HX_KM_H
#define HX_KM_H

#include <stddef.h>

typedef struct {
	double t;        /* an event time (the first step is t = 0, S = 1) */
	double s;        /* S(t): the value from t to the next step */
	double lo, hi;   /* its log-log 95% interval */
	size_t at_risk;  /* n_i */
	size_t events;   /* d_i */
} hx_km_step;

typedef struct {
	hx_km_step *steps;  /* by time (owned) */
	size_t n;
	double *cens_t;     /* the censored times, sorted (owned) */
	double *cens_s;     /* S at each of them (where a mark is drawn) */
	size_t ncens;
	double t_max;       /* the largest time seen, event or censored */
} hx_km;

/* events: the times of the n_events runs that ended; censored: the times
 * of the n_censored runs that were still going (any order, not modified,
 * each finite and >= 0, else HX_EINVALID). Release with hx_km_release. */
int hx_km_estimate(hx_km *out, const double *events, size_t n_events, const double *censored,
		   size_t n_censored);
void hx_km_release(hx_km *k);
/* S(t) of the estimate (the step at or before t). */
double hx_km_at(const hx_km *k, double t);

#endif
