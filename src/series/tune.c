/* tune.c - the safety tuner: scale risk parameters down when the empirical
 * risk exceeds the budget, cap the loss limit at the drawdown budget. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "series/align.h"

const char *const hx_tune_default_risk_params[] = {HX_TUNE_LOSS_LIMIT, "mm_size_eta",
						   "init_q_tao", NULL};

/* value / budget; a zero budget is exceeded by any positive value */
static double ratio(double value, double budget)
{
	if (budget > 0)
		return value / budget;
	return value > 0 ? INFINITY : 0;
}

static int listed(const char *name, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(*names, name) == 0)
			return 1;
	return 0;
}

void hx_tune_tier(hx_tuning *out, const hx_align_stats *st, const hx_budget *b,
		  const char *const *names, const double *values, size_t n,
		  const char *const *risk_params, const char *loss_limit)
{
	double ratios[2];
	size_t i;
	int r;

	if (!risk_params)
		risk_params = hx_tune_default_risk_params;
	if (!loss_limit)
		loss_limit = HX_TUNE_LOSS_LIMIT;
	memset(out, 0, sizeof(*out));
	out->risk_scale = 1;
	out->params = hx_xmalloc((n ? n : 1) * sizeof(hx_tuned_param));
	out->nparams = n;
	for (i = 0; i < n; i++) {
		out->params[i].name = names[i];
		out->params[i].before = out->params[i].after = values[i];
	}
	out->has_runs = st->n_runs > 0;
	if (!out->has_runs) {
		out->dd_ratio = out->kill_ratio = NAN;
		return;
	}
	out->dd_ratio = ratios[0] = ratio(fabs(st->dd_mean), b->max_drawdown_abs);
	out->kill_ratio = ratios[1] = ratio(st->kill_prob, b->max_kill_prob);
	for (r = 0; r < 2; r++)
		if (ratios[r] > HX_TUNE_RATIO_TRIGGER) {
			double s = 1 / ratios[r]; /* 0 for an infinite ratio */
			if (s < HX_TUNE_SCALE_FLOOR)
				s = HX_TUNE_SCALE_FLOOR;
			if (s < out->risk_scale)
				out->risk_scale = s;
		}
	for (i = 0; i < n; i++) {
		hx_tuned_param *p = &out->params[i];
		if (listed(p->name, risk_params))
			p->after = p->before * out->risk_scale;
		if (strcmp(p->name, loss_limit) == 0 &&
		    p->after > HX_TUNE_LOSS_CAP * b->max_drawdown_abs) {
			p->after = b->max_drawdown_abs;
			out->loss_capped = 1;
		}
	}
}

void hx_tuning_release(hx_tuning *t)
{
	free(t->params);
	t->params = NULL;
	t->nparams = 0;
}
