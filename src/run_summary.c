/* run_summary.c - what a run prints: the human summary (summary.txt) and
 * its JSON form (run.h). */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "fsutil.h"
#include "run.h"
#include "snapshot.h"

/* Short column names; the first three columns are always shown, the other
 * outcomes only when some tier has them. */
static const char *const outcome_columns[HX_OUT_COUNT] = {
	"verified", "invalid", "timeout", "det_timeout", "exhausted", "crash", "not_found",
	"engine_err",
};

static int column_width(int o)
{
	int w = (int)strlen(outcome_columns[o]);
	return w < 8 ? 8 : w;
}

#define RATE_WIDTH 20 /* "0.230 [0.158, 0.322]" */

static int tier_width(hx_tier t)
{
	int w = (int)strlen(hx_tier_name(t));
	return w < RATE_WIDTH ? RATE_WIDTH : w;
}

static void rate_cell(hx_buf *out, const hx_run_rate *r, int width)
{
	if (!r->n)
		hx_buf_printf(out, "  %-*s", width, "n/a");
	else
		hx_buf_printf(out, "  %.3f [%.3f, %.3f]%*s", r->rate, r->lo, r->hi,
			      width - RATE_WIDTH, "");
}

/* One row of the rates table: a label, then a cell per tier. */
static void rate_row(hx_buf *out, const hx_run_result *r, const char *label, size_t offset)
{
	size_t t;
	hx_buf_printf(out, "%-16s", label);
	for (t = 0; t < r->ntiers; t++)
		rate_cell(out, (const hx_run_rate *)((const char *)&r->tiers[t] + offset),
			  tier_width(r->tiers[t].tier));
	/* no trailing blanks: the last cell is padded to its column */
	while (out->len && out->ptr[out->len - 1] == ' ')
		out->len--;
	hx_buf_putc(out, '\n');
}

/* The outcome counts per tier, then the rates with tiers as columns. */
static void format_tables(hx_buf *out, const hx_run_result *r)
{
	size_t t;
	int o, shown[HX_OUT_COUNT];

	for (o = 0; o < HX_OUT_COUNT; o++) {
		shown[o] = o <= HX_OUT_VERIFIER_TIMEOUT;
		for (t = 0; t < r->ntiers; t++)
			shown[o] |= r->tiers[t].counts[o] > 0;
	}
	hx_buf_puts(out, "tier           n");
	for (o = 0; o < HX_OUT_COUNT; o++)
		if (shown[o])
			hx_buf_printf(out, "  %*s", column_width(o), outcome_columns[o]);
	hx_buf_putc(out, '\n');
	for (t = 0; t < r->ntiers; t++) {
		const hx_tier_summary *s = &r->tiers[t];
		hx_buf_printf(out, "%-9s %6lu", hx_tier_name(s->tier), s->n);
		for (o = 0; o < HX_OUT_COUNT; o++)
			if (shown[o])
				hx_buf_printf(out, "  %*lu", column_width(o), s->counts[o]);
		hx_buf_putc(out, '\n');
	}
	hx_buf_printf(out, "%-16s", "rate [95% CI]");
	for (t = 0; t < r->ntiers; t++)
		hx_buf_printf(out, "  %-*s", t + 1 < r->ntiers ? tier_width(r->tiers[t].tier) : 0,
			      hx_tier_name(r->tiers[t].tier));
	hx_buf_putc(out, '\n');
	rate_row(out, r, "proof invalid", offsetof(hx_tier_summary, proof_invalid));
	rate_row(out, r, "verifier failure", offsetof(hx_tier_summary, verifier_failure));
	rate_row(out, r, "  timeout", offsetof(hx_tier_summary, timeout));
	if (r->has_truth) {
		rate_row(out, r, "spurious fail", offsetof(hx_tier_summary, spurious_fail));
		rate_row(out, r, "spurious pass", offsetof(hx_tier_summary, spurious_pass));
	} else {
		hx_buf_puts(out, "spurious        n/a (no record carries metadata.ground_truth)\n");
	}
}

/* A line per tier with timeouts: "timed out   FAST      M1, M2, M3 and 12
 * more" (the first ones in plan order). */
static void format_timeouts(hx_buf *out, const hx_run_result *r)
{
	size_t t, i;
	for (t = 0; t < r->ntiers; t++) {
		const hx_tier_summary *s = &r->tiers[t];
		unsigned long n = s->counts[HX_OUT_VERIFIER_TIMEOUT];
		if (!n)
			continue;
		hx_buf_printf(out, "timed out   %-9s", hx_tier_name(s->tier));
		for (i = 0; i < n && i < HX_RUN_TIMEOUTS_SHOWN; i++)
			hx_buf_printf(out, "%s %s", i ? "," : "", s->timed_out[i]);
		if (n > HX_RUN_TIMEOUTS_SHOWN)
			hx_buf_printf(out, " and %lu more", n - HX_RUN_TIMEOUTS_SHOWN);
		hx_buf_putc(out, '\n');
	}
}

/* The calibration stages' lines of the summary. */
static void format_stages(hx_buf *out, const hx_run_result *r)
{
	const hx_label_stats *l = &r->labels;
	const hx_calibrate_result *c = &r->calib;
	size_t t;
	if (r->labeled) {
		hx_buf_printf(out, "labels      %zu sampled, %zu run%s, %zu labeled, %zu kept", l->sampled,
			      l->runs, l->runs == 1 ? "" : "s", l->labeled, l->kept);
		if (l->with_truth)
			hx_buf_printf(out, "; %zu/%zu agree with the simulator's ground truth", l->agree,
				      l->with_truth);
		hx_buf_putc(out, '\n');
	}
	if (c->ntiers) {
		hx_buf_printf(out, "fit         ground truth: %s;", hx_gt_source_name(c->gt_source));
		for (t = 0; t < c->ntiers; t++)
			hx_buf_printf(out, " %s %s%s", hx_tier_name(c->tiers[t]),
				      c->best[t][0] ? c->best[t] : "no duration fit",
				      t + 1 < c->ntiers ? "," : "");
		hx_buf_putc(out, '\n');
	}
	if (c->validated)
		hx_buf_printf(out, "validation  %s (%zu checks: %zu passed, %zu failed, %zu skipped)\n",
			      c->passed ? "PASS" : "FAIL", c->npass + c->nfail + c->nskip, c->npass,
			      c->nfail, c->nskip);
	if (c->exported)
		hx_buf_printf(out, "calibration %s/calibration.yaml\n", r->run_dir);
	if (r->archive_path)
		hx_buf_printf(out, "archive     %s\n", r->archive_path);
}

/* A shard's: what it ran and how to merge it. */
static void format_shard(hx_buf *out, const hx_run_result *r)
{
	hx_buf_printf(out, "shard       %lu/%lu of %s (seed %" PRIu64 ", engine %s)\n", r->shard.k,
		      r->shard.n, r->experiment, r->seed, r->engine.version);
	hx_buf_printf(out, "tasks       %zu of %zu: the plan's tasks %lu, %lu, %lu, ... (stride %lu)\n",
		      r->tasks, r->plan_size, r->shard.k, r->shard.k + r->shard.n,
		      r->shard.k + 2 * r->shard.n, r->shard.n);
	hx_buf_printf(out, "telemetry   %s/telemetry.jsonl  (%zu records)\n", r->run_dir, r->records);
	hx_buf_printf(out, "manifest    %s/shard.json\n", r->run_dir);
	hx_buf_printf(out, "merge       once all %lu shards are done: harness merge SHARD_DIR... --out RUN\n",
		      r->shard.n);
}

void hx_run_format_summary(hx_buf *out, const hx_run_result *r)
{
	const hx_golden_result *g = &r->golden;

	if (r->shard.n) {
		format_shard(out, r);
		return;
	}

	hx_buf_printf(out, "experiment  %s (seed %" PRIu64 ", engine %s, %zu tasks)\n",
		      r->experiment, r->seed, r->engine.version, r->tasks);
	format_tables(out, r);
	format_timeouts(out, r);
	if (r->modules_skipped)
		hx_buf_printf(out, "corpus      %zu module%s without a file skipped (missing: skip): %s\n",
			      r->modules_skipped, r->modules_skipped == 1 ? "" : "s",
			      r->modules_skipped_text ? r->modules_skipped_text : "");
	hx_buf_printf(out, "snapshot    %s/%s  %s  (%zu records)\n", r->snapshot_dir,
		      HX_SNAPSHOT_STREAM, r->hash, r->records);
	switch (g->verdict) {
	case HX_GOLDEN_MATCH:
		hx_buf_printf(out, "golden      match (%s)\n", r->golden_dir);
		break;
	case HX_GOLDEN_MISSING:
		if (r->ci) /* 'golden accept' refuses in CI: say what works there */
			hx_buf_printf(out, "golden      missing (%s)\n  CI never writes golden/: "
					   "outside CI, 'harness run %s', 'harness golden accept %s' "
					   "and commit %s; in CI, 'harness run --pending-dir DIR' "
					   "keeps this snapshot as an artifact\n",
				      r->golden_dir, r->spec_path, r->experiment, r->golden_dir);
		else
			hx_buf_printf(out, "golden      missing (%s); accept this snapshot with: "
					   "harness golden accept %s\n",
				      r->golden_dir, r->experiment);
		break;
	case HX_GOLDEN_MISMATCH:
		hx_buf_printf(out, "golden      mismatch (%s  %s)\n", r->golden_dir, g->golden_hash);
		hx_buf_printf(out, "  %zu records in golden, %zu in the snapshot; %zu compared: "
				   "%zu changed, %zu added, %zu removed\n",
			      g->diff.old_records, g->diff.new_records, g->diff.compared,
			      g->diff.changed, g->diff.added, g->diff.removed);
		hx_buf_put(out, g->diff.text.ptr, g->diff.text.len);
		if (r->ci)
			hx_buf_printf(out, "  if the change is intended: outside CI, 'harness golden "
					   "accept %s' and commit %s\n",
				      r->experiment, r->golden_dir);
		else
			hx_buf_printf(out, "  if the change is intended: harness golden accept %s\n",
				      r->experiment);
		break;
	}
	format_stages(out, r);
	hx_buf_printf(out, "run         %s\n", r->run_dir);
}


/* ,"NAME":x,"NAME_ci":[lo,hi],"NAME_counts":[k,n]; a rate over nothing is
 * null. */
static void json_rate(hx_buf *out, const char *name, const hx_run_rate *r)
{
	if (!r->n) {
		hx_buf_printf(out, ",\"%s\":null", name);
		return;
	}
	hx_canon_write_rate(out, name, r->rate, r->lo, r->hi);
	hx_buf_printf(out, ",\"%s_counts\":[%lu,%lu]", name, r->k, r->n);
}

void hx_run_format_json(hx_buf *out, const hx_run_result *r)
{
	size_t t, i;
	int o;
	if (r->shard.n) {
		hx_buf_puts(out, "{\"experiment\":");
		hx_canon_write_cstr(out, r->experiment);
		hx_buf_printf(out, ",\"plan_size\":%zu,\"records\":%zu,\"run\":", r->plan_size,
			      r->records);
		hx_canon_write_cstr(out, r->run_dir);
		hx_buf_printf(out, ",\"seed\":\"%" PRIu64 "\",\"shard\":%lu,\"shards\":%lu,\"tasks\":%zu}\n",
			      r->seed, r->shard.k, r->shard.n, r->tasks);
		return;
	}
	hx_buf_puts(out, "{\"experiment\":");
	hx_canon_write_cstr(out, r->experiment);
	hx_buf_printf(out, ",\"seed\":\"%" PRIu64 "\",\"engine\":{\"kind\":", r->seed);
	hx_canon_write_cstr(out, r->engine.kind);
	hx_buf_puts(out, ",\"version\":");
	hx_canon_write_cstr(out, r->engine.version);
	hx_buf_printf(out, "},\"tasks\":%zu,\"workers\":%d,", r->tasks, r->workers);
	if (r->modules_skipped) /* only then: a corpus without gaps says nothing new */
		hx_buf_printf(out, "\"modules_skipped\":%zu,", r->modules_skipped);
	hx_buf_puts(out, "\"tiers\":[");
	for (t = 0; t < r->ntiers; t++) {
		const hx_tier_summary *s = &r->tiers[t];
		hx_buf_printf(out, "%s{\"tier\":\"%s\",\"n\":%lu,\"counts\":{", t ? "," : "",
			      hx_tier_name(s->tier), s->n);
		for (o = 0; o < HX_OUT_COUNT; o++)
			hx_buf_printf(out, "%s\"%s\":%lu", o ? "," : "", hx_outcome_name(o),
				      s->counts[o]);
		hx_buf_putc(out, '}');
		json_rate(out, "proof_invalid_rate", &s->proof_invalid);
		json_rate(out, "verifier_failure_rate", &s->verifier_failure);
		json_rate(out, "timeout_rate", &s->timeout);
		json_rate(out, "spurious_fail_rate", &s->spurious_fail);
		json_rate(out, "spurious_pass_rate", &s->spurious_pass);
		hx_buf_puts(out, ",\"timed_out_first\":[");
		for (i = 0; i < s->counts[HX_OUT_VERIFIER_TIMEOUT] && i < HX_RUN_TIMEOUTS_SHOWN; i++) {
			if (i)
				hx_buf_putc(out, ',');
			hx_canon_write_cstr(out, s->timed_out[i]);
		}
		hx_buf_puts(out, "]}");
	}
	hx_buf_puts(out, "],\"snapshot\":{\"path\":");
	{
		char *p = hx_path_join(r->snapshot_dir, HX_SNAPSHOT_STREAM);
		hx_canon_write_cstr(out, p);
		free(p);
	}
	hx_buf_puts(out, ",\"hash\":");
	hx_canon_write_cstr(out, r->hash);
	hx_buf_printf(out, ",\"records\":%zu},\"golden\":{\"path\":", r->records);
	hx_canon_write_cstr(out, r->golden_dir);
	hx_buf_puts(out, ",\"verdict\":");
	hx_canon_write_cstr(out, hx_golden_verdict_name(r->golden.verdict));
	if (r->golden.verdict != HX_GOLDEN_MISSING) {
		hx_buf_puts(out, ",\"hash\":");
		hx_canon_write_cstr(out, r->golden.golden_hash);
	}
	if (r->golden.verdict == HX_GOLDEN_MISMATCH)
		hx_buf_printf(out, ",\"changed\":%zu,\"added\":%zu,\"removed\":%zu",
			      r->golden.diff.changed, r->golden.diff.added, r->golden.diff.removed);
	hx_buf_puts(out, "}");
	if (r->labeled)
		hx_buf_printf(out, ",\"labels\":{\"sampled\":%zu,\"runs\":%zu,\"labeled\":%zu,"
				   "\"kept\":%zu,\"with_truth\":%zu,\"agree\":%zu}",
			      r->labels.sampled, r->labels.runs, r->labels.labeled, r->labels.kept,
			      r->labels.with_truth, r->labels.agree);
	hx_buf_printf(out, ",\"ground_truth\":\"%s\",\"fits\":{", hx_gt_source_name(r->calib.gt_source));
	for (t = 0; t < r->calib.ntiers; t++) {
		hx_buf_printf(out, "%s\"%s\":", t ? "," : "", hx_tier_lower(r->calib.tiers[t]));
		if (r->calib.best[t][0])
			hx_buf_printf(out, "\"%s\"", r->calib.best[t]);
		else
			hx_buf_puts(out, "null");
	}
	hx_buf_puts(out, "},\"validation\":");
	if (r->calib.validated)
		hx_buf_printf(out, "{\"passed\":%s,\"checks\":%zu,\"failed\":%zu,\"skipped\":%zu}",
			      r->calib.passed ? "true" : "false",
			      r->calib.npass + r->calib.nfail + r->calib.nskip, r->calib.nfail,
			      r->calib.nskip);
	else
		hx_buf_puts(out, "null");
	hx_buf_puts(out, ",\"run_dir\":");
	hx_canon_write_cstr(out, r->run_dir);
	hx_buf_puts(out, ",\"archive\":");
	if (r->archive_path)
		hx_canon_write_cstr(out, r->archive_path);
	else
		hx_buf_puts(out, "null");
	hx_buf_puts(out, "}\n");
}
