/* tune.c - the safety tuner: scale risk parameters down when the empirical
 * risk exceeds the budget, cap the loss limit at the drawdown budget. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "series/align.h"
#include "series/summary.h"
#include "ydoc.h"

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

void hx_tune_presets_release(hx_tune_presets *p)
{
	size_t t, i;
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		for (i = 0; i < p->tier[t].n; i++)
			free(p->tier[t].names[i]);
		free(p->tier[t].names);
		free(p->tier[t].values);
	}
	memset(p, 0, sizeof(*p));
}

int hx_tune_presets_read(hx_tune_presets *out, const hx_ydoc *doc, const hx_ynode *root)
{
	static const char *const tiers[] = {"conservative", "balanced", "aggressive", NULL};
	size_t i, j, t;
	int err;

	if (!root)
		return 0;
	if ((err = hx_ydoc_expect(doc, root, HX_Y_MAP, "presets")) != 0 ||
	    (err = hx_ydoc_check_names(doc, root, tiers, "tier")) != 0)
		return err;
	for (i = 0; i < root->n; i++) {
		const hx_ynode *map = root->pairs[i].value;
		hx_tier_preset *p = NULL;
		for (t = 0; t < HX_ALIGN_NTIERS; t++)
			if (strcmp(root->pairs[i].key->scalar, hx_align_tier_names[t]) == 0)
				p = &out->tier[t];
		if ((err = hx_ydoc_expect(doc, map, HX_Y_MAP, root->pairs[i].key->scalar)) != 0)
			return err;
		p->given = 1;
		p->names = hx_xcalloc(map->n ? map->n : 1, sizeof(char *));
		p->values = hx_xcalloc(map->n ? map->n : 1, sizeof(double));
		for (j = 0; j < map->n; j++) {
			const char *k = map->pairs[j].key->scalar;
			if ((err = hx_ydoc_double(doc, map->pairs[j].value, k, -INFINITY, INFINITY,
						  &p->values[j])) != 0)
				return err;
			p->names[j] = hx_xstrdup(k);
			p->n++;
		}
	}
	return 0;
}

int hx_tune_presets_parse(hx_tune_presets *out, const char *name, const char *text, size_t len)
{
	hx_ydoc *doc = NULL;
	int err;
	memset(out, 0, sizeof(*out));
	if ((err = hx_ydoc_parse(&doc, name, text, len)) != 0)
		return err;
	err = hx_tune_presets_read(out, doc, doc->root);
	hx_ydoc_free(doc);
	return err;
}

int hx_tune_presets_load(hx_tune_presets *out, const char *path)
{
	hx_ydoc *doc = NULL;
	int err;
	memset(out, 0, sizeof(*out));
	if ((err = hx_ydoc_load(&doc, path)) != 0)
		return err;
	err = hx_tune_presets_read(out, doc, doc->root);
	hx_ydoc_free(doc);
	return err;
}

void hx_tune_all(hx_tuning out[HX_ALIGN_NTIERS], const hx_alignment *a,
		 const hx_tune_presets *p, const char *const *risk_params)
{
	size_t t;
	for (t = 0; t < HX_ALIGN_NTIERS; t++)
		hx_tune_tier(&out[t], &a->tier[t], &a->budgets.tier[t],
			     (const char *const *)p->tier[t].names, p->tier[t].values, p->tier[t].n,
			     risk_params, NULL);
}

static void text_g(hx_buf *out, double v)
{
	if (isnan(v))
		hx_buf_puts(out, "-");
	else if (isinf(v))
		hx_buf_puts(out, "inf");
	else
		hx_buf_printf(out, "%.6g", v == 0 ? 0.0 : v);
}

void hx_tune_format_text(hx_buf *out, const hx_tuning t[HX_ALIGN_NTIERS],
			 const hx_tune_presets *p, const char *const *risk_params)
{
	size_t k, i;
	if (!risk_params)
		risk_params = hx_tune_default_risk_params;
	for (k = 0; k < HX_ALIGN_NTIERS; k++) {
		const hx_tuning *u = &t[k];
		hx_buf_printf(out, "%s%s: ", k ? "\n" : "", hx_align_tier_names[k]);
		if (!p->tier[k].given) {
			hx_buf_puts(out, "no preset given\n");
			continue;
		}
		if (!u->has_runs) {
			hx_buf_puts(out, "no runs: left as it is\n");
		} else {
			hx_buf_puts(out, "dd_ratio ");
			text_g(out, u->dd_ratio);
			hx_buf_puts(out, ", kill_ratio ");
			text_g(out, u->kill_ratio);
			hx_buf_puts(out, ", risk_scale ");
			text_g(out, u->risk_scale);
			if (u->loss_capped)
				hx_buf_puts(out, ", loss limit capped at the drawdown budget");
			hx_buf_putc(out, '\n');
		}
		for (i = 0; i < u->nparams; i++) {
			hx_buf_printf(out, "  %-20s ", u->params[i].name);
			text_g(out, u->params[i].before);
			if (u->params[i].after != u->params[i].before) {
				hx_buf_puts(out, " -> ");
				text_g(out, u->params[i].after);
			} else if (!listed(u->params[i].name, risk_params) &&
				   strcmp(u->params[i].name, HX_TUNE_LOSS_LIMIT) != 0) {
				hx_buf_puts(out, " (not a risk parameter)");
			}
			hx_buf_putc(out, '\n');
		}
	}
}

static void json_ratio(hx_buf *out, double v)
{
	/* an infinite ratio (a zero budget exceeded) is spelled as a string */
	if (isinf(v))
		hx_buf_puts(out, "\"inf\"");
	else
		hx_canon_write_number(out, v);
}

void hx_tune_format_json(hx_buf *out, const hx_tuning t[HX_ALIGN_NTIERS],
			 const hx_tune_presets *p, const char *const *risk_params)
{
	size_t k, i;
	if (!risk_params)
		risk_params = hx_tune_default_risk_params;
	hx_buf_puts(out, "{\"tiers\":[");
	for (k = 0; k < HX_ALIGN_NTIERS; k++) {
		const hx_tuning *u = &t[k];
		hx_buf_puts(out, k ? ",{\"dd_ratio\":" : "{\"dd_ratio\":");
		json_ratio(out, u->dd_ratio);
		hx_buf_printf(out, ",\"given\":%s,\"has_runs\":%s,\"kill_ratio\":",
			      p->tier[k].given ? "true" : "false", u->has_runs ? "true" : "false");
		json_ratio(out, u->kill_ratio);
		hx_buf_printf(out, ",\"loss_capped\":%s,\"params\":[",
			      u->loss_capped ? "true" : "false");
		for (i = 0; i < u->nparams; i++) {
			hx_buf_puts(out, i ? ",{\"after\":" : "{\"after\":");
			hx_canon_write_number(out, u->params[i].after);
			hx_buf_puts(out, ",\"before\":");
			hx_canon_write_number(out, u->params[i].before);
			hx_buf_puts(out, ",\"name\":");
			hx_canon_write_cstr(out, u->params[i].name);
			hx_buf_printf(out, ",\"risk\":%s}",
				      listed(u->params[i].name, risk_params) ? "true" : "false");
		}
		hx_buf_puts(out, "],\"risk_scale\":");
		hx_canon_write_number(out, u->risk_scale);
		hx_buf_printf(out, ",\"risk_tier\":\"%s\"}", hx_align_tier_names[k]);
	}
	hx_buf_puts(out, "]}\n");
}

void hx_tune_format_csv(hx_buf *out, const hx_tuning t[HX_ALIGN_NTIERS],
			const hx_tune_presets *p)
{
	size_t k, i;
	(void)p;
	hx_buf_puts(out, "risk_tier,param,before,after,risk_scale,dd_ratio,kill_ratio,loss_capped\n");
	for (k = 0; k < HX_ALIGN_NTIERS; k++) {
		const hx_tuning *u = &t[k];
		for (i = 0; i < u->nparams; i++) {
			hx_buf_printf(out, "%s,", hx_align_tier_names[k]);
			hx_series_csv_string(out, u->params[i].name);
			hx_buf_putc(out, ',');
			hx_series_csv_number(out, u->params[i].before);
			hx_buf_putc(out, ',');
			hx_series_csv_number(out, u->params[i].after);
			hx_buf_putc(out, ',');
			hx_series_csv_number(out, u->risk_scale);
			hx_buf_putc(out, ',');
			if (isinf(u->dd_ratio))
				hx_buf_puts(out, "inf");
			else
				hx_series_csv_number(out, u->dd_ratio);
			hx_buf_putc(out, ',');
			if (isinf(u->kill_ratio))
				hx_buf_puts(out, "inf");
			else
				hx_series_csv_number(out, u->kill_ratio);
			hx_buf_printf(out, ",%s\n", u->loss_capped ? "True" : "False");
		}
	}
}
