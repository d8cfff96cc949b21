/* align.c - risk budgets, the alignment of a dataset against them. */
#include "series/align.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "series/summary.h"
#include "stats.h"
#include "ydoc.h"

const char *const hx_align_tier_names[HX_ALIGN_NTIERS] = {"conservative", "balanced",
							  "aggressive"};

void hx_budgets_default(hx_budgets *out)
{
	static const hx_budget d[HX_ALIGN_NTIERS] = {
		{0.01, 2000, 0, 0.5, 0.5, 200},
		{0.05, 4000, 0, 0.3, 0.3, 100},
		{0.15, 8000, -500, 0.1, 0.1, 50},
	};
	memcpy(out->tier, d, sizeof(d));
}

static const char *const budget_keys[] = {"max_kill_prob", "max_drawdown_abs",
					  "min_final_pnl_mean", "lambda_std",
					  "lambda_dd", "lambda_kill", NULL};

int hx_budgets_read(hx_budgets *out, const hx_ydoc *doc, const hx_ynode *root)
{
	static const char *const tiers[] = {"conservative", "balanced", "aggressive", NULL};
	size_t i, j;
	int err;

	if (!root)
		return 0; /* an empty file keeps the defaults */
	if ((err = hx_ydoc_expect(doc, root, HX_Y_MAP, "budgets")) != 0 ||
	    (err = hx_ydoc_check_names(doc, root, tiers, "tier")) != 0)
		return err;
	for (i = 0; i < root->n; i++) {
		const hx_ynode *map = root->pairs[i].value;
		hx_budget *b = NULL;
		for (j = 0; j < HX_ALIGN_NTIERS; j++)
			if (strcmp(root->pairs[i].key->scalar, hx_align_tier_names[j]) == 0)
				b = &out->tier[j];
		if ((err = hx_ydoc_expect(doc, map, HX_Y_MAP, root->pairs[i].key->scalar)) != 0 ||
		    (err = hx_ydoc_check_keys(doc, map, budget_keys)) != 0)
			return err;
		for (j = 0; j < map->n; j++) {
			const char *k = map->pairs[j].key->scalar;
			const hx_ynode *v = map->pairs[j].value;
			double *slot, lo = 0, hi = INFINITY;
			if (!strcmp(k, "max_kill_prob"))
				slot = &b->max_kill_prob, hi = 1;
			else if (!strcmp(k, "max_drawdown_abs"))
				slot = &b->max_drawdown_abs;
			else if (!strcmp(k, "min_final_pnl_mean"))
				slot = &b->min_final_pnl_mean, lo = -INFINITY;
			else if (!strcmp(k, "lambda_std"))
				slot = &b->lambda_std;
			else if (!strcmp(k, "lambda_dd"))
				slot = &b->lambda_dd;
			else
				slot = &b->lambda_kill;
			if ((err = hx_ydoc_double(doc, v, k, lo, hi, slot)) != 0)
				return err;
		}
	}
	return 0;
}

int hx_budgets_parse(hx_budgets *out, const char *name, const char *text, size_t len)
{
	hx_ydoc *doc = NULL;
	int err;
	hx_budgets_default(out);
	if ((err = hx_ydoc_parse(&doc, name, text, len)) != 0)
		return err;
	err = hx_budgets_read(out, doc, doc->root);
	hx_ydoc_free(doc);
	return err;
}

int hx_budgets_load(hx_budgets *out, const char *path)
{
	hx_ydoc *doc = NULL;
	int err;
	hx_budgets_default(out);
	if ((err = hx_ydoc_load(&doc, path)) != 0)
		return err;
	err = hx_budgets_read(out, doc, doc->root);
	hx_ydoc_free(doc);
	return err;
}

void hx_align_stats_of(hx_align_stats *out, const hx_rowset *rs, const size_t *idx, size_t n,
		       const hx_budget *b)
{
	double sum = 0, dd = 0, ss = 0, absdd;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->n_runs = n;
	if (n == 0) {
		out->pnl_mean = out->pnl_std = out->dd_mean = out->kill_prob = NAN;
		out->kill_lo = out->kill_hi = NAN;
		out->kill_margin = out->dd_margin = out->pnl_margin = out->score = NAN;
		out->status = HX_ALIGN_NO_RUNS;
		return;
	}
	for (i = 0; i < n; i++) {
		const hx_row *r = &rs->rows[idx[i]];
		sum += r->final_pnl;
		dd += r->max_drawdown;
		out->kills += r->kill_switch != 0;
	}
	out->pnl_mean = sum / (double)n;
	out->dd_mean = dd / (double)n;
	out->kill_prob = (double)out->kills / (double)n;
	for (i = 0; i < n; i++) {
		double d = rs->rows[idx[i]].final_pnl - out->pnl_mean;
		ss += d * d;
	}
	out->pnl_std = n > 1 ? sqrt(ss / (double)(n - 1)) : NAN;
	hx_stats_wilson(out->kills, n, 0.95, &out->kill_lo, &out->kill_hi);
	absdd = fabs(out->dd_mean);
	out->kill_ok = out->kill_prob <= b->max_kill_prob;
	out->dd_ok = absdd <= b->max_drawdown_abs;
	out->pnl_ok = out->pnl_mean >= b->min_final_pnl_mean;
	out->kill_settled = out->kill_hi <= b->max_kill_prob || out->kill_lo > b->max_kill_prob;
	out->kill_margin = b->max_kill_prob - out->kill_prob;
	out->dd_margin = b->max_drawdown_abs - absdd;
	out->pnl_margin = out->pnl_mean - b->min_final_pnl_mean;
	out->score = out->pnl_mean - (b->lambda_std * (n > 1 ? out->pnl_std : 0) +
				      b->lambda_dd * out->dd_mean + b->lambda_kill * out->kill_prob);
	out->status = out->kill_ok && out->dd_ok && out->pnl_ok ? HX_ALIGN_PASS : HX_ALIGN_FAIL;
}

void hx_align_compute(hx_alignment *out, const hx_rowset *rs, const hx_budgets *b)
{
	size_t *idx = hx_xmalloc((rs->n ? rs->n : 1) * sizeof(size_t));
	size_t i, t, n;

	memset(out, 0, sizeof(*out));
	out->budgets = *b;
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		n = 0;
		for (i = 0; i < rs->n; i++)
			if (!rs->rows[i].failed && strcmp(rs->rows[i].profile, hx_align_tier_names[t]) == 0)
				idx[n++] = i;
		hx_align_stats_of(&out->tier[t], rs, idx, n, &b->tier[t]);
	}
	for (i = 0; i < rs->n; i++) {
		int known = 0;
		for (t = 0; t < HX_ALIGN_NTIERS; t++)
			known |= strcmp(rs->rows[i].profile, hx_align_tier_names[t]) == 0;
		out->unmatched += !rs->rows[i].failed && !known;
	}
	free(idx);
}

static const char *status_name(hx_align_status s)
{
	return s == HX_ALIGN_PASS ? "pass" : s == HX_ALIGN_FAIL ? "fail" : "no_runs";
}

static void text_g(hx_buf *out, double v)
{
	if (isnan(v))
		hx_buf_puts(out, "-");
	else
		hx_buf_printf(out, "%.6g", v == 0 ? 0.0 : v);
}

static void text_check(hx_buf *out, const char *what, double value, const char *rel,
		       double budget, int ok, double margin)
{
	hx_buf_printf(out, "  %-10s ", what);
	text_g(out, value);
	hx_buf_printf(out, " (budget %s ", rel);
	text_g(out, budget);
	hx_buf_printf(out, "): %s, margin ", ok ? "ok" : "OVER");
	text_g(out, margin);
}

void hx_align_format_text(hx_buf *out, const hx_alignment *a)
{
	size_t t;
	hx_buf_puts(out, "score = pnl_mean - (lambda_std*pnl_std + lambda_dd*dd_mean + "
			 "lambda_kill*kill_prob)\n");
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		const hx_align_stats *s = &a->tier[t];
		const hx_budget *b = &a->budgets.tier[t];
		hx_buf_printf(out, "\n%s: ", hx_align_tier_names[t]);
		if (s->status == HX_ALIGN_NO_RUNS) {
			hx_buf_puts(out, "no runs (no verdict)\n");
			continue;
		}
		hx_buf_printf(out, "%zu run%s, %s%s\n", s->n_runs, s->n_runs == 1 ? "" : "s",
			      s->status == HX_ALIGN_PASS ? "within budget" : "OVER budget",
			      s->kill_settled ? "" : " (kill verdict not settled)");
		text_check(out, "kill_prob", s->kill_prob, "<=", b->max_kill_prob, s->kill_ok,
			   s->kill_margin);
		hx_buf_printf(out, "; %zu/%zu killed, 95%% interval [", s->kills, s->n_runs);
		text_g(out, s->kill_lo);
		hx_buf_puts(out, ", ");
		text_g(out, s->kill_hi);
		hx_buf_puts(out, s->kill_settled ? "]\n"
						 : "]: not settled, the interval straddles the budget\n");
		text_check(out, "|dd_mean|", fabs(s->dd_mean), "<=", b->max_drawdown_abs, s->dd_ok,
			   s->dd_margin);
		hx_buf_puts(out, "\n");
		text_check(out, "pnl_mean", s->pnl_mean, ">=", b->min_final_pnl_mean, s->pnl_ok,
			   s->pnl_margin);
		hx_buf_puts(out, "\n  score      ");
		text_g(out, s->score);
		hx_buf_puts(out, " (pnl_std ");
		text_g(out, s->pnl_std);
		hx_buf_puts(out, ")\n");
	}
	if (a->unmatched)
		hx_buf_printf(out, "\n%zu run%s of profiles without a risk tier left out\n",
			      a->unmatched, a->unmatched == 1 ? "" : "s");
}

static void json_num(hx_buf *out, const char *key, double v)
{
	hx_buf_printf(out, ",\"%s\":", key);
	hx_canon_write_number(out, v);
}

static void json_bool(hx_buf *out, const char *key, int v, int known)
{
	hx_buf_printf(out, ",\"%s\":%s", key, !known ? "null" : v ? "true" : "false");
}

void hx_align_format_json(hx_buf *out, const hx_alignment *a)
{
	size_t t;
	hx_buf_puts(out, "{\"tiers\":[");
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		const hx_align_stats *s = &a->tier[t];
		const hx_budget *b = &a->budgets.tier[t];
		int known = s->status != HX_ALIGN_NO_RUNS;
		if (t)
			hx_buf_putc(out, ',');
		/* keys in RFC 8785 (code point) order */
		hx_buf_puts(out, "{\"budget\":{\"lambda_dd\":");
		hx_canon_write_number(out, b->lambda_dd);
		json_num(out, "lambda_kill", b->lambda_kill);
		json_num(out, "lambda_std", b->lambda_std);
		json_num(out, "max_drawdown_abs", b->max_drawdown_abs);
		json_num(out, "max_kill_prob", b->max_kill_prob);
		json_num(out, "min_final_pnl_mean", b->min_final_pnl_mean);
		hx_buf_puts(out, "}");
		json_num(out, "dd_margin", s->dd_margin);
		json_num(out, "dd_mean", s->dd_mean);
		json_bool(out, "dd_ok", s->dd_ok, known);
		json_num(out, "kill_margin", s->kill_margin);
		json_bool(out, "kill_ok", s->kill_ok, known);
		hx_canon_write_rate(out, "kill_prob", s->kill_prob, s->kill_lo, s->kill_hi);
		json_bool(out, "kill_verdict_settled", s->kill_settled, known);
		hx_buf_printf(out, ",\"kills\":%zu,\"n_runs\":%zu", s->kills, s->n_runs);
		json_num(out, "pnl_margin", s->pnl_margin);
		json_num(out, "pnl_mean", s->pnl_mean);
		json_bool(out, "pnl_ok", s->pnl_ok, known);
		json_num(out, "pnl_std", s->pnl_std);
		hx_buf_puts(out, ",\"risk_tier\":");
		hx_canon_write_cstr(out, hx_align_tier_names[t]);
		json_num(out, "score", s->score);
		hx_buf_printf(out, ",\"status\":\"%s\"}", status_name(s->status));
	}
	hx_buf_printf(out, "],\"unmatched\":%zu}\n", a->unmatched);
}

static void csv_bool(hx_buf *out, int v, int known)
{
	hx_buf_printf(out, ",%s", !known ? "" : v ? "True" : "False");
}

static void csv_num(hx_buf *out, double v)
{
	hx_buf_putc(out, ',');
	hx_series_csv_number(out, v);
}

void hx_align_format_csv(hx_buf *out, const hx_alignment *a)
{
	size_t t;
	hx_buf_puts(out, "risk_tier,n_runs,budget_max_kill_prob,budget_max_dd_abs,"
			 "budget_min_final_pnl_mean,emp_final_pnl_mean,emp_max_drawdown_mean,"
			 "emp_kill_prob,emp_kill_ok,emp_dd_ok,emp_pnl_ok,emp_kill_margin,"
			 "emp_dd_margin,emp_pnl_margin,emp_score,emp_final_pnl_std,"
			 "emp_kill_prob_lo,emp_kill_prob_hi,kill_verdict_settled,status\n");
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		const hx_align_stats *s = &a->tier[t];
		const hx_budget *b = &a->budgets.tier[t];
		int known = s->status != HX_ALIGN_NO_RUNS;
		hx_buf_printf(out, "%s,%zu", hx_align_tier_names[t], s->n_runs);
		csv_num(out, b->max_kill_prob);
		csv_num(out, b->max_drawdown_abs);
		csv_num(out, b->min_final_pnl_mean);
		csv_num(out, s->pnl_mean);
		csv_num(out, s->dd_mean);
		csv_num(out, s->kill_prob);
		csv_bool(out, s->kill_ok, known);
		csv_bool(out, s->dd_ok, known);
		csv_bool(out, s->pnl_ok, known);
		csv_num(out, s->kill_margin);
		csv_num(out, s->dd_margin);
		csv_num(out, s->pnl_margin);
		csv_num(out, s->score);
		csv_num(out, s->pnl_std);
		csv_num(out, s->kill_lo);
		csv_num(out, s->kill_hi);
		csv_bool(out, s->kill_settled, known);
		hx_buf_printf(out, ",%s\n", status_name(s->status));
	}
}
