/* compare_format.c - harness compare's reports: text and JSON
 * (compare.h). */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "canon.h"
#include "stats.h"

/* Whether the interval excludes "no change" (0 for a rate difference, 1
 * for a ratio); -1 when there is no interval. */
static int excludes_null(const hx_comparison *c)
{
	double null = c->is_rate ? 0.0 : 1.0;
	if (!isfinite(c->lo) || !isfinite(c->hi))
		return -1;
	return c->lo > null || c->hi < null;
}

/* 1: the interval excludes no change but the verdict is "not significant";
 * 2: significant, but the interval includes no change; 0: they agree. */
static int disagreement(const hx_comparison *c)
{
	int ex = excludes_null(c);
	if (!c->tested || ex < 0)
		return 0;
	return ex && !c->significant ? 1 : !ex && c->significant ? 2 : 0;
}

static void write_number_pair(hx_buf *out, double x, double y)
{
	hx_buf_putc(out, '[');
	hx_canon_write_number(out, x);
	hx_buf_putc(out, ',');
	hx_canon_write_number(out, y);
	hx_buf_putc(out, ']');
}

static void write_comparison_json(hx_buf *out, const hx_comparison *c)
{
	hx_buf_printf(out, "{\"tier\":\"%s\",\"metric\":\"%s\",\"method\":\"%s\",\"interval\":\"%s\",\"a\":",
		      hx_tier_name(c->tier), c->metric, c->method, c->interval);
	hx_canon_write_number(out, c->a);
	hx_buf_puts(out, ",\"b\":");
	hx_canon_write_number(out, c->b);
	hx_buf_printf(out, ",\"%s\":", c->is_rate ? "diff" : "ratio");
	hx_canon_write_number(out, c->diff);
	hx_buf_printf(out, ",\"%s_ci\":", c->is_rate ? "diff" : "ratio");
	write_number_pair(out, c->lo, c->hi);
	if (c->is_rate)
		hx_buf_printf(out, ",\"a_count\":[%lu,%lu],\"b_count\":[%lu,%lu]", c->ka, c->na, c->kb,
			      c->nb);
	else
		hx_buf_printf(out, ",\"n_a\":%lu,\"n_b\":%lu", c->na, c->nb);
	if (c->is_rate && c->paired)
		hx_buf_printf(out, ",\"discordant\":{\"a_only\":%lu,\"b_only\":%lu}", c->a_only,
			      c->b_only);
	else
		hx_buf_puts(out, ",\"discordant\":null");
	hx_buf_printf(out, ",\"test\":\"%s\",\"statistic\":",
		      c->paired ? (c->is_rate ? "mcnemar" : "signed-rank") : (c->is_rate ? "z" : "ks"));
	hx_canon_write_number(out, c->tested ? c->stat : NAN);
	hx_buf_puts(out, ",\"p_value\":");
	hx_canon_write_number(out, c->p);
	hx_buf_puts(out, ",\"p_adjusted\":");
	hx_canon_write_number(out, c->p_adjusted);
	hx_buf_printf(out, ",\"tested\":%s,\"significant\":%s", c->tested ? "true" : "false",
		      c->significant ? "true" : "false");
	if (c->note[0]) {
		hx_buf_puts(out, ",\"note\":");
		hx_canon_write_cstr(out, c->note);
	}
	hx_buf_putc(out, '}');
}

void hx_compare_format_json(hx_buf *out, const hx_compare_result *r, const char *name_a,
			    const char *name_b)
{
	size_t i;
	hx_buf_puts(out, "{\"a\":");
	hx_canon_write_cstr(out, name_a);
	hx_buf_puts(out, ",\"b\":");
	hx_canon_write_cstr(out, name_b);
	hx_buf_puts(out, ",\"alpha\":");
	hx_canon_write_number(out, r->alpha);
	hx_buf_puts(out, ",\"confidence\":");
	hx_canon_write_number(out, r->confidence);
	hx_buf_printf(out, ",\"tests\":%zu,\"significant\":%s,\"paired\":%s,\"pairing\":", r->tested,
		      r->any_significant ? "true" : "false", r->paired ? "true" : "false");
	hx_canon_write_cstr(out, r->pairing);
	hx_buf_puts(out, ",\"comparisons\":[");
	for (i = 0; i < r->n; i++) {
		if (i)
			hx_buf_putc(out, ',');
		write_comparison_json(out, &r->items[i]);
	}
	hx_buf_printf(out, "],\"n_flips\":%zu,\"flips\":[", r->nflips);
	for (i = 0; i < r->nflips; i++) {
		const hx_flip *f = &r->flips[i];
		hx_buf_printf(out, "%s{\"tier\":\"%s\",\"task_index\":%zu,\"module\":", i ? "," : "",
			      hx_tier_name(f->tier), f->task_index);
		hx_canon_write_cstr(out, f->module);
		hx_buf_printf(out, ",\"a_outcome\":\"%s\",\"b_outcome\":\"%s\",\"a_duration_ms\":",
			      hx_outcome_name(f->a), hx_outcome_name(f->b));
		hx_canon_write_number(out, f->a_ms);
		hx_buf_puts(out, ",\"b_duration_ms\":");
		hx_canon_write_number(out, f->b_ms);
		hx_buf_putc(out, '}');
	}
	hx_buf_puts(out, "]}\n");
}

void hx_comparison_cells_format(hx_comparison_cells *out, const hx_comparison *c)
{
	if (c->is_rate && isfinite(c->a)) {
		snprintf(out->a, sizeof(out->a), "%.4f (%lu/%lu)", c->a, c->ka, c->na);
		snprintf(out->b, sizeof(out->b), "%.4f (%lu/%lu)", c->b, c->kb, c->nb);
		if (isfinite(c->lo))
			snprintf(out->diff, sizeof(out->diff), "%+.4f [%+.4f, %+.4f]", c->diff, c->lo,
				 c->hi);
		else
			snprintf(out->diff, sizeof(out->diff), "%+.4f", c->diff);
	} else if (!c->is_rate && isfinite(c->a)) {
		snprintf(out->a, sizeof(out->a), "median %.1f ms", c->a);
		snprintf(out->b, sizeof(out->b), "median %.1f ms", c->b);
		if (isfinite(c->lo))
			snprintf(out->diff, sizeof(out->diff), "x%.3f [%.3f, %.3f]", c->diff, c->lo,
				 c->hi);
		else
			snprintf(out->diff, sizeof(out->diff), "x%.3f", c->diff);
	} else {
		snprintf(out->a, sizeof(out->a), "n=%lu", c->na);
		snprintf(out->b, sizeof(out->b), "n=%lu", c->nb);
		snprintf(out->diff, sizeof(out->diff), "-");
	}
	if (c->is_rate && c->paired)
		snprintf(out->discordant, sizeof(out->discordant), "%lu/%lu", c->a_only, c->b_only);
	else
		snprintf(out->discordant, sizeof(out->discordant), "-");
	out->disagreement = disagreement(c);
}

static void format_row(hx_buf *out, const hx_comparison *c)
{
	char p[16], padj[16];
	hx_comparison_cells k;
	int why;

	hx_comparison_cells_format(&k, c);
	why = k.disagreement;
	hx_buf_printf(out, "%-9s %-19s %-19s %-19s %-26s %-13s", hx_tier_name(c->tier), c->metric,
		      k.a, k.b, k.diff, k.discordant);
	if (c->tested)
		hx_buf_printf(out, " %-8s %-8s%s%s", hx_stats_format_p(p, c->p),
			      hx_stats_format_p(padj, c->p_adjusted),
			      c->significant ? " significant" : "",
			      why == 1 ? " [1]" : why == 2 ? " [2]" : "");
	else
		hx_buf_printf(out, " not tested: %s", c->note);
	/* no trailing blanks where the last column is short */
	while (out->len && out->ptr[out->len - 1] == ' ')
		out->len--;
	hx_buf_putc(out, '\n');
}

static void format_flips(hx_buf *out, const hx_compare_result *r, size_t max_flips)
{
	size_t per_tier[HX_TIER_COUNT] = {0}, i, shown;
	int t, first = 1;

	if (!r->paired) {
		if (max_flips == SIZE_MAX)
			hx_buf_puts(out, "flips: none listed, the runs are not paired\n");
		return;
	}
	if (!r->nflips) {
		hx_buf_puts(out, "flips: none, every task has the same outcome in A and B\n");
		return;
	}
	for (i = 0; i < r->nflips; i++)
		per_tier[r->flips[i].tier]++;
	hx_buf_printf(out, "flips: %zu task%s changed outcome (", r->nflips, r->nflips == 1 ? "" : "s");
	for (t = 0; t < HX_TIER_COUNT; t++)
		if (per_tier[t]) {
			hx_buf_printf(out, "%s%s %zu", first ? "" : ", ", hx_tier_name((hx_tier)t),
				      per_tier[t]);
			first = 0;
		}
	hx_buf_puts(out, ")\n");
	hx_buf_printf(out, "%-9s %-7s %-44s %10s %10s  %s\n", "tier", "task", "A -> B", "A ms", "B ms",
		      "module");
	shown = r->nflips < max_flips ? r->nflips : max_flips;
	for (i = 0; i < shown; i++) {
		const hx_flip *f = &r->flips[i];
		char tr[64];
		snprintf(tr, sizeof(tr), "%s -> %s", hx_outcome_name(f->a), hx_outcome_name(f->b));
		hx_buf_printf(out, "%-9s %-7zu %-44s %10.1f %10.1f  %s\n", hx_tier_name(f->tier),
			      f->task_index, tr, f->a_ms, f->b_ms, f->module);
	}
	if (shown < r->nflips)
		hx_buf_printf(out, "... and %zu more (--flips lists them all)\n", r->nflips - shown);
}

void hx_compare_format_text(hx_buf *out, const hx_compare_result *r, const char *name_a,
			    const char *name_b, size_t max_flips)
{
	int used[3] = {0, 0, 0};
	char ci[32];
	size_t i;

	hx_buf_printf(out, "A  %s\nB  %s\n", name_a, name_b);
	hx_buf_printf(out, "%s: %s\n", r->paired ? "paired" : "unpaired", r->pairing);
	hx_buf_printf(out, "alpha %g, Holm-adjusted over %zu tests; %g%% intervals, unadjusted\n",
		      r->alpha, r->tested, 100.0 * r->confidence);
	snprintf(ci, sizeof(ci), "B-A or B/A [%g%% CI]", 100.0 * r->confidence);
	hx_buf_printf(out, "%-9s %-19s %-19s %-19s %-26s %-13s %-8s %s\n", "tier", "metric", "A", "B",
		      ci, "A-only/B-only", "p", "p(Holm)");
	for (i = 0; i < r->n; i++) {
		format_row(out, &r->items[i]);
		used[disagreement(&r->items[i])] = 1;
	}
	if (used[1])
		hx_buf_printf(out,
			      "[1] the unadjusted interval excludes no change, but with %zu tests "
			      "taken together (Holm) the difference is not significant\n",
			      r->tested);
	if (used[2])
		hx_buf_puts(out, "[2] significant after Holm, though the interval (another method "
				 "than the test) includes no change\n");
	format_flips(out, r, max_flips);
	hx_buf_printf(out, "%s\n", r->any_significant ? "verdict: the calibrations differ"
						      : "verdict: no significant difference");
}
