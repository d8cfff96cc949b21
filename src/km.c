/* km.c - the Kaplan-Meier estimate (km.h). */
#include "km.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *c = hx_xmalloc((n ? n : 1) * sizeof(*c));
	if (n)
		memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	return c;
}

static void loglog_interval(hx_km_step *st, double v)
{
	double w;
	if (!(st->s > 0 && st->s < 1) || !isfinite(v)) {
		st->lo = st->hi = st->s;
		return;
	}
	w = 1.959963984540054 * sqrt(v) / fabs(log(st->s));
	st->lo = pow(st->s, exp(w));
	st->hi = pow(st->s, exp(-w));
}

int hx_km_estimate(hx_km *out, const double *events, size_t n_events, const double *censored,
		   size_t n_censored)
{
	double *ev, *ce, s = 1, v = 0;
	size_t i = 0, j = 0, at_risk = n_events + n_censored, k;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < n_events; k++)
		if (!isfinite(events[k]) || events[k] < 0) {
			hx_error_set("survival: event time %g is not a finite time >= 0", events[k]);
			return HX_EINVALID;
		}
	for (k = 0; k < n_censored; k++)
		if (!isfinite(censored[k]) || censored[k] < 0) {
			hx_error_set("survival: censored time %g is not a finite time >= 0",
				     censored[k]);
			return HX_EINVALID;
		}
	ev = sorted_copy(events, n_events);
	ce = sorted_copy(censored, n_censored);
	out->steps = hx_xmalloc((n_events + 1) * sizeof(*out->steps));
	out->cens_t = ce;
	out->cens_s = hx_xmalloc((n_censored ? n_censored : 1) * sizeof(*out->cens_s));
	out->ncens = n_censored;
	out->steps[0] = (hx_km_step){0, 1, 1, 1, at_risk, 0};
	out->n = 1;
	while (i < n_events || j < n_censored) {
		/* the next time; events before censorings at a tie */
		if (i < n_events && (j >= n_censored || ev[i] <= ce[j])) {
			double t = ev[i];
			size_t d = 0;
			hx_km_step *st;
			while (i < n_events && ev[i] == t)
				d++, i++;
			s *= 1.0 - (double)d / (double)at_risk;
			v = at_risk > d ? v + (double)d / ((double)at_risk * (double)(at_risk - d))
					: INFINITY;
			st = &out->steps[out->n++];
			st->t = t;
			st->s = s;
			st->at_risk = at_risk;
			st->events = d;
			loglog_interval(st, v);
			at_risk -= d;
		} else {
			out->cens_s[j] = s;
			j++;
			at_risk--;
		}
	}
	out->t_max = fmax(n_events ? ev[n_events - 1] : 0, n_censored ? ce[n_censored - 1] : 0);
	free(ev);
	return 0;
}

void hx_km_release(hx_km *k)
{
	free(k->steps);
	free(k->cens_t);
	free(k->cens_s);
	memset(k, 0, sizeof(*k));
}

double hx_km_at(const hx_km *k, double t)
{
	size_t lo = 0, hi = k->n;
	/* the last step with steps[i].t <= t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->steps[mid].t <= t)
			lo = mid;
		else
			hi = mid;
	}
	return k->n ? k->steps[lo].s : NAN;
}
