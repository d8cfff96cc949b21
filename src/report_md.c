/* report_md.c - calibration.md: the calibration for people (export.h). */
#include "export.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "telemetry.h"

/* Text for a table cell or list item: '|' escaped, line breaks as spaces. */
static void md_text(hx_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			hx_buf_puts(b, "\\|");
		else
			hx_buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
	}
}

static void md_item(hx_buf *b, const char *label, const char *value)
{
	if (!value)
		return;
	hx_buf_printf(b, "- %s: ", label);
	md_text(b, value);
	hx_buf_putc(b, '\n');
}

static void md_metadata(hx_buf *b, const hx_calib_meta *m, const hx_calib_data *train)
{
	hx_buf_puts(b, "# Calibration: ");
	md_text(b, m->experiment);
	hx_buf_puts(b, "\n\n");
	md_item(b, "Spec", m->spec_path);
	md_item(b, "Date", m->date_utc);
	md_item(b, "Corpus", m->corpus);
	md_item(b, "Engine", m->engine.kind);
	md_item(b, "Engine version", m->engine.version);
	md_item(b, "Engine path", m->engine.path);
	md_item(b, "Engine binary hash", m->engine.hash);
	md_item(b, "Engine toolchain", m->engine.toolchain);
	hx_buf_printf(b, "- Seed: %" PRIu64 "\n", m->seed);
	hx_buf_printf(b, "- Samples: %lu in all, %lu for training (validation split %g)\n",
		      m->total_samples, train->records, m->validation_split);
	hx_buf_printf(b, "- Ground truth: %s", hx_gt_source_name(train->gt_source));
	if (train->gt_source == HX_GT_LABELS)
		hx_buf_printf(b, " (%lu labels used)", train->labels_used);
	hx_buf_putc(b, '\n');
	md_item(b, "Snapshot hash", m->snapshot_hash);
}

static void md_rates(hx_buf *b, const hx_tier_data *t)
{
	int i;

	hx_buf_puts(b, "| rate | estimate | 95% CI | k/n | note |\n"
		       "|---|---:|---|---:|---|\n");
	for (i = 0; i < 3; i++) {
		const hx_rate *r = hx_tier_rate(t, i);
		if (!r->n) {
			hx_buf_printf(b, "| %s | n/a | n/a | 0/0 | no ground truth |\n",
				      hx_rate_name(i));
			continue;
		}
		hx_buf_printf(b, "| %s | %.4f | [%.4f, %.4f] | %lu/%lu | %s |\n", hx_rate_name(i),
			      r->rate, r->lo, r->hi, r->k, r->n,
			      r->weighted ? "weighted (effective n)" : "");
	}
}

/* "%.6g ± %.3g", the SE as n/a when it is not finite. */
static void md_param(hx_buf *b, const char *name, double p, double se)
{
	hx_buf_printf(b, "%s = %.6g ± ", name, p);
	if (isfinite(se))
		hx_buf_printf(b, "%.3g", se);
	else
		hx_buf_puts(b, "n/a");
}

/* The four fits as fitdistrplus' summary/gofstat show them, the best in bold. */
static void md_fits(hx_buf *b, const hx_tier_data *t)
{
	int f, i;

	hx_buf_printf(b, "Durations: %zu completed, %zu timed out at %g ms (a timed-out run is "
			 "a stall, with the fitted stall fraction, or a run right-censored at "
			 "the timeout).\n\n",
		      t->ndurations, t->ncensored, t->timeout_ms);
	if (!t->fitted) {
		hx_buf_puts(b, "No duration fit: ");
		md_text(b, t->no_fit);
		hx_buf_puts(b, "\n");
		return;
	}
	hx_buf_puts(b, "| family | parameters ± SE | loglik | AIC | BIC | ΔAIC | KS D | KS p |\n"
		       "|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		const hx_fit_result *r = &t->fits[f];
		const char *name = hx_fit_family_name((hx_fit_family)f);
		if (t->has_fit && f == (int)t->best)
			hx_buf_printf(b, "| **%s** (best) | ", name);
		else
			hx_buf_printf(b, "| %s | ", name);
		if (!r->ok) {
			hx_buf_puts(b, "no fit: ");
			md_text(b, r->msg);
			hx_buf_puts(b, " | | | | | | |\n");
			continue;
		}
		for (i = 0; i < r->k; i++) {
			if (i)
				hx_buf_puts(b, ", ");
			md_param(b, hx_fit_param_name((hx_fit_family)f, i), r->p[i], r->se[i]);
		}
		if (r->stall_model) {
			hx_buf_puts(b, ", ");
			md_param(b, "stall", r->stall, r->stall_se);
		}
		hx_buf_printf(b, " | %.3f | %.3f | %.3f | %.3f | %.4f | %.4g |\n", r->loglik, r->aic,
			      r->bic, r->aic - t->fits[t->best].aic, r->ks_d, r->ks_p);
	}
	hx_buf_puts(b, "\nBest: the smallest AIC among the families whose KS p is at least 0.01. "
		       "The KS p-value is optimistic: the parameters were estimated from the same "
		       "durations.\n");
	if (!t->has_fit) {
		hx_buf_puts(b, "\n**No family fits**: ");
		md_text(b, t->no_fit);
		hx_buf_puts(b, "\n");
	}
}

static void md_tier(hx_buf *b, const hx_tier_data *t, const hx_calib_data *all)
{
	const hx_tier_data *a = hx_calib_tier(all, t->tier);
	hx_timeout_dist d;

	hx_buf_printf(b, "\n## %s (%s)\n\n", hx_tier_name(t->tier), hx_tier_model_name(t->tier));
	hx_buf_printf(b, "%lu samples, %lu for training; timeout %g s.\n\n", a ? a->n : t->n, t->n,
		      t->timeout_ms / 1000.0);
	md_rates(b, t);
	hx_export_timeout_dist(t, &d);
	hx_buf_puts(b, "\nTimeout distribution (noise_config.yaml): ");
	if (d.kind == HX_DIST_UNIFORM)
		hx_buf_printf(b, "uniform, %g to %g ms.\n\n", d.min_ms, d.max_ms);
	else if (d.kind == HX_DIST_EXPONENTIAL)
		hx_buf_printf(b, "exponential, mean %g ms.\n\n", d.mean_ms);
	else
		hx_buf_printf(b, "fixed, %g ms.\n\n", d.fixed_ms);
	md_fits(b, t);
}

static void md_validation(hx_buf *b, const hx_validation *v)
{
	size_t i;

	hx_buf_puts(b, "\n## Validation\n\n");
	if (!v) {
		hx_buf_puts(b, "Validation did not run.\n\n**Verdict: not run**\n");
		return;
	}
	hx_buf_puts(b, "| status | check | reason |\n|---|---|---|\n");
	for (i = 0; i < v->n; i++) {
		hx_buf_printf(b, "| %s | ", hx_check_status_name(v->checks[i].status));
		md_text(b, v->checks[i].name);
		hx_buf_puts(b, " | ");
		md_text(b, v->checks[i].reason);
		hx_buf_puts(b, " |\n");
	}
	hx_buf_printf(b, "\n**Verdict: %s** (%zu checks: %zu passed, %zu failed, %zu skipped",
		      v->passed ? "PASS" : "FAIL", v->n, v->npass, v->nfail, v->nskip);
	if (!isnan(v->coverage))
		hx_buf_printf(b, "; holdout coverage %.1f%%", 100.0 * v->coverage);
	hx_buf_puts(b, ")\n");
}

int hx_export_report_md(const char *path, const hx_calib_meta *m, const hx_calib_data *train,
			const hx_calib_data *all, const hx_validation *v)
{
	hx_buf b = HX_BUF_INIT;
	size_t i;
	int err;

	md_metadata(&b, m, train);
	for (i = 0; i < train->ntiers; i++)
		md_tier(&b, &train->tiers[i], all);
	md_validation(&b, v);
	err = hx_file_write_atomic(path, b.ptr ? b.ptr : "", b.len);
	hx_buf_release(&b);
	return err;
}

/* ---- noise_config.yaml ---- */
