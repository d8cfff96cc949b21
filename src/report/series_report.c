/* series_report.c - report.html of an experiment series (series_report.h). */
#include "report/series_report.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "report/html.h"
#include "report/series_figures.h"
#include "series/rowset.h"

#define LAST_CHANGE "last_change.txt"
#define MAX_TIERS 16

/* ---- last_change.txt ---- */

/* The step's line of the file's text, into out ("up to date" when none). */
static void recorded_change(char *out, size_t n, const hx_buf *text, const char *step)
{
	const char *p = text->ptr, *end = text->ptr + text->len, *line;
	size_t len, sl = strlen(step);
	snprintf(out, n, "up to date");
	while (p && hx_series_next_line(&p, end, &line, &len))
		if (len > sl + 1 && strncmp(line, step, sl) == 0 && line[sl] == '\t') {
			snprintf(out, n, "%.*s", (int)(len - sl - 1), line + sl + 1);
			return;
		}
}

/* What the steps table says in its "last change" column; written when
 * some step ran, else read back (the same page on a rerun). */
static int last_changes(char (*out)[96], const hx_series_result *r)
{
	char *path = hx_path_join(r->work_dir, LAST_CHANGE);
	hx_buf text = HX_BUF_INIT;
	size_t i;
	int err = 0;
	if (r->ran) {
		for (i = 0; i < r->nsteps; i++) {
			const hx_series_step_result *st = &r->steps[i];
			if (st->ran)
				snprintf(out[i], 96, "ran (%s)", st->why ? st->why : "?");
			else
				snprintf(out[i], 96, "up to date");
			hx_buf_printf(&text, "%s\t%s\n", st->name, out[i]);
		}
		err = hx_file_write_atomic(path, text.ptr, text.len);
	} else {
		if (hx_path_exists(path) && (err = hx_file_read(&text, path)) != 0)
			goto done;
		for (i = 0; i < r->nsteps; i++)
			recorded_change(out[i], 96, &text, r->steps[i].name);
	}
done:
	hx_buf_release(&text);
	free(path);
	return err;
}

/* ---- sections ---- */

static void series_section(hx_buf *out, const hx_series_result *r, const hx_series_spec *s)
{
	char seed[32];
	const char *kv[16];
	size_t n = 0;
	snprintf(seed, sizeof(seed), "%" PRIu64, s->seed);
	if (s->description) {
		hx_buf_puts(out, "<p>");
		hx_html_escape(out, s->description);
		hx_buf_puts(out, "</p>\n");
	}
	kv[2 * n] = "spec";
	kv[2 * n++ + 1] = r->spec_path;
	kv[2 * n] = "seed";
	kv[2 * n++ + 1] = seed;
	kv[2 * n] = "engine";
	kv[2 * n++ + 1] = r->engine_version ? r->engine_version : "unknown";
	kv[2 * n] = "engine binary";
	kv[2 * n++ + 1] = r->engine_hash;
	kv[2 * n] = "snapshot";
	kv[2 * n++ + 1] = r->snapshot_dir;
	kv[2 * n] = "snapshot hash";
	kv[2 * n++ + 1] = r->hash;
	kv[2 * n] = "golden";
	kv[2 * n++ + 1] = r->golden_dir;
	hx_html_kv_table(out, kv, n);
	hx_buf_puts(out, "<p>Golden: ");
	hx_html_badge(out, hx_golden_verdict_name(r->verdict));
	if (r->nfailures)
		hx_buf_printf(out, " &middot; %zu failed run%s", r->nfailures,
			      r->nfailures == 1 ? "" : "s");
	hx_buf_puts(out, "</p>\n");
}

static void steps_section(hx_buf *out, const hx_series_result *r, const hx_series_spec *s,
			  char (*change)[96])
{
	size_t i, k;
	hx_buf_puts(out, "<h2>Steps</h2>\n<p class=\"note\">In run order. Last change: what the "
			 "last invocation that ran a step did with each (an invocation in which "
			 "every step is up to date changes nothing). Rows: table lines; failed: "
			 "failed runs or rows.</p>\n");
	hx_buf_puts(out, "<div class=\"scroll\"><table>\n<tr><th>step</th><th>kind</th>"
			 "<th>needs</th><th>last change</th><th>rows</th><th>failed</th>"
			 "<th>inputs hash</th><th>outputs hash</th><th>golden</th></tr>\n");
	for (i = 0; i < r->nsteps && i < s->nsteps; i++) {
		const hx_series_step_result *st = &r->steps[i];
		const hx_series_step *sp = &s->steps[i];
		int counted = st->kind == HX_STEP_RUNS || st->kind == HX_STEP_CONDENSE ||
			      st->kind == HX_STEP_SCORES;
		hx_buf_puts(out, "<tr><td>");
		hx_html_escape(out, st->name);
		hx_buf_printf(out, "</td><td>%s</td><td>", hx_step_kind_name(st->kind));
		for (k = 0; k < sp->nneeds; k++) {
			if (k)
				hx_buf_puts(out, ", ");
			hx_html_escape(out, s->steps[sp->needs[k]].name);
		}
		hx_buf_puts(out, "</td><td>");
		hx_html_escape(out, change[i]);
		hx_buf_printf(out, "</td><td class=\"num\">%zu</td>", st->records);
		if (counted)
			hx_buf_printf(out, "<td class=\"num\">%zu</td>", st->failed);
		else
			hx_buf_puts(out, "<td class=\"num\">-</td>");
		hx_buf_puts(out, "<td style=\"white-space:nowrap\"><code>");
		hx_html_escape(out, st->inputs);
		hx_buf_puts(out, "</code></td><td style=\"white-space:nowrap\"><code>");
		hx_html_escape(out, st->outputs);
		hx_buf_puts(out, "</code></td><td>");
		hx_html_badge(out, hx_golden_verdict_name(st->golden.verdict));
		hx_buf_puts(out, "</td></tr>\n");
	}
	hx_buf_puts(out, "</table></div>\n");
	if (r->nfailures) {
		hx_html_elem(out, "h3", "Failed runs");
		hx_buf_puts(out, "<ul>\n");
		for (i = 0; i < r->nfailures; i++) {
			hx_buf_puts(out, "<li>");
			hx_html_escape(out, r->failures[i]);
			hx_buf_puts(out, "</li>\n");
		}
		hx_buf_puts(out, "</ul>\n");
	}
	for (i = 0; i < r->nsteps; i++) {
		const hx_series_step_result *st = &r->steps[i];
		if (st->golden.verdict != HX_GOLDEN_MISMATCH)
			continue;
		hx_buf_puts(out, "<h3>");
		hx_html_escape(out, st->name);
		hx_buf_puts(out, ": differences from golden</h3>\n");
		hx_html_pre(out, st->golden.diff.text.ptr ? st->golden.diff.text.ptr : "");
	}
}

/* The grid parameters of the runs steps a condense step reads, each once. */
static size_t condense_axes(const char **axes, size_t max, const hx_series_spec *s, size_t i)
{
	const hx_series_step *st = &s->steps[i];
	size_t k, g, a, n = 0;
	for (k = 0; k < st->nneeds; k++) {
		const hx_series_step *rs = &s->steps[st->needs[k]];
		if (rs->kind != HX_STEP_RUNS)
			continue;
		for (g = 0; g < rs->ngrid; g++) {
			for (a = 0; a < n && strcmp(axes[a], rs->grid[g].name) != 0; a++)
				;
			if (a == n && n < max)
				axes[n++] = rs->grid[g].name;
		}
	}
	return n;
}

static const char *caption_of(const char *name)
{
	const char *dash = strrchr(name, '-');
	if (strstr(name, "-heatmap-"))
		return "Mean final PnL of the ok runs in each cell of the sweep (over the "
		       "repeats and any other parameter); grey: no run.";
	if (strstr(name, "-sweep-"))
		return "Every ok run's final PnL against the swept parameter; the lines join "
		       "each profile's means.";
	if (dash && strcmp(dash, "-pnl") == 0 && !strstr(name, "final-pnl"))
		return "Mean final PnL per tier; the shaded region is at or above the budget's "
		       "minimum (dashed).";
	if (strstr(name, "final-pnl"))
		return "Final PnL of each ok run per profile; the box spans the quartiles, the "
		       "line is the median.";
	if (strstr(name, "max-drawdown"))
		return "Max drawdown of each ok run per profile; the box spans the quartiles, "
		       "the line is the median.";
	if (dash && strcmp(dash, "-kill") == 0)
		return "Kill probability per tier with its Wilson 95% interval; the shaded "
		       "region is within the budget (dashed). Green: within budget.";
	if (dash && strcmp(dash, "-drawdown") == 0)
		return "Mean max drawdown per tier; the shaded region is within the budget "
		       "(dashed). Green: within budget.";
	return "";
}

/* Step i's section: its figures (or why none) and what it prints. */
static int step_section(hx_buf *out, hx_report_figs *figs, const hx_series_result *r,
			const hx_series_spec *s, size_t i, hx_buf *none)
{
	const hx_series_step *sp = &s->steps[i];
	char *dir = hx_path_join(r->work_dir, sp->name);
	char *table = hx_path_join(dir, hx_series_table_name(sp->kind));
	char *rp = hx_path_join(dir, "report.txt");
	hx_buf why = HX_BUF_INIT, text = HX_BUF_INIT;
	size_t first = figs->n, k;
	int err = 0;

	hx_buf_puts(out, "<h2>");
	hx_html_escape(out, sp->name);
	hx_buf_printf(out, " <small>(%s)</small></h2>\n", hx_step_kind_name(sp->kind));
	if (sp->kind == HX_STEP_CONDENSE) {
		hx_rowset rows;
		const char *axes[8];
		size_t naxes = condense_axes(axes, 8, s, i);
		hx_rowset_init(&rows);
		if (hx_rowset_load(&rows, table) != 0) {
			hx_buf_printf(&why, "its rows are not research rows (%s)", hx_error_last());
			hx_error_clear();
		} else if (rows.n == rows.failed) {
			hx_buf_puts(&why, "no run is ok");
		} else {
			err = hx_series_dataset_figures(figs, sp->name, &rows, axes, naxes);
			if (!err && naxes == 0)
				hx_buf_puts(out, "<p class=\"note\">No sweep figure: the runs have no "
						 "grid parameter.</p>\n");
		}
		hx_rowset_release(&rows);
	} else if (sp->kind == HX_STEP_ALIGN) {
		hx_series_tier tiers[MAX_TIERS];
		long n;
		if (hx_file_read(&text, table) != 0) {
			hx_buf_printf(&why, "%s", hx_error_last());
			hx_error_clear();
		} else if ((n = hx_series_tiers_parse(tiers, MAX_TIERS, text.ptr, text.len)) < 0) {
			hx_buf_printf(&why, "'%s': %s", table, hx_error_last());
			hx_error_clear();
		} else {
			err = hx_series_align_figures(figs, sp->name, tiers, (size_t)n);
		}
		hx_buf_reset(&text);
	} else if (sp->kind == HX_STEP_RUNS) {
		hx_buf_puts(&why, "the runs' telemetry is drawn by the condense step that reads it");
	} else {
		hx_buf_puts(&why, "its table is shown as printed");
	}
	if (err)
		goto done;
	for (k = first; k < figs->n; k++)
		hx_html_figure(out, figs, k, caption_of(figs->items[k].name));
	if (figs->n == first) {
		if (!why.len)
			hx_buf_puts(&why, "nothing to draw");
		hx_buf_puts(out, "<p class=\"note\">No figures: ");
		hx_html_escape(out, why.ptr);
		hx_buf_puts(out, ".</p>\n");
		if (none->len)
			hx_buf_puts(none, ", ");
		hx_html_escape(none, sp->name);
	}
	if (sp->kind != HX_STEP_RUNS && sp->kind != HX_STEP_CONDENSE && sp->kind != HX_STEP_SCORES &&
	    hx_path_exists(rp)) {
		if ((err = hx_file_read(&text, rp)) != 0)
			goto done;
		hx_html_pre(out, text.ptr ? text.ptr : "");
	}
done:
	hx_buf_release(&why);
	hx_buf_release(&text);
	free(dir);
	free(table);
	free(rp);
	return err;
}

/* Remove the SVG files of WORK/figures that figs does not hold. */
static void remove_stale_figures(const char *work_dir, const hx_report_figs *figs)
{
	char *fdir = hx_path_join(work_dir, "figures");
	DIR *d = opendir(fdir);
	struct dirent *de;
	size_t i, len;
	if (!d) {
		free(fdir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		int keep = 0;
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".svg") != 0)
			continue;
		for (i = 0; i < figs->n && !keep; i++)
			keep = strlen(figs->items[i].name) == len - 4 &&
			       strncmp(figs->items[i].name, de->d_name, len - 4) == 0;
		if (!keep) {
			char *p = hx_path_join(fdir, de->d_name);
			unlink(p);
			free(p);
		}
	}
	closedir(d);
	free(fdir);
}

int hx_series_report(const hx_series_result *r, const hx_series_spec *s)
{
	char *path = hx_path_join(r->work_dir, "report.html");
	char(*change)[96] = hx_xcalloc(r->nsteps ? r->nsteps : 1, sizeof(*change));
	hx_report_figs figs;
	hx_buf html = HX_BUF_INIT, body = HX_BUF_INIT, title = HX_BUF_INIT, none = HX_BUF_INIT;
	size_t i;
	int err;

	hx_report_figs_init(&figs, path);
	if ((err = last_changes(change, r)) != 0)
		goto done;
	for (i = 0; i < r->nsteps && i < s->nsteps; i++)
		if ((err = step_section(&body, &figs, r, s, i, &none)) != 0)
			goto done;
	hx_buf_printf(&title, "harness series: %s", r->experiment);
	hx_html_begin(&html, title.ptr);
	series_section(&html, r, s);
	steps_section(&html, r, s, change);
	if (none.len) {
		hx_buf_puts(&html, "<p class=\"note\">Steps without figures: ");
		hx_buf_put(&html, none.ptr, none.len);
		hx_buf_puts(&html, ".</p>\n");
	}
	hx_buf_put(&html, body.ptr ? body.ptr : "", body.len);
	hx_html_end(&html);
	remove_stale_figures(r->work_dir, &figs);
	err = hx_report_write(path, &html, &figs);
done:
	hx_report_figs_release(&figs);
	hx_buf_release(&html);
	hx_buf_release(&body);
	hx_buf_release(&title);
	hx_buf_release(&none);
	free(change);
	free(path);
	return err;
}
