/* nightly_report.c - reports/nightly.html (nightly_report.h). */
#include "report/nightly_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fsutil.h"
#include "plot/plot.h"
#include "tier.h"

#define FIG_W 720
#define FIG_H 360

static const char *const rate_names[HX_NIGHTLY_NRATES] = {"timeout", "spurious fail",
							   "spurious pass"};
static const hx_plot_symbol rate_symbols[HX_NIGHTLY_NRATES] = {HX_PLOT_CIRCLE, HX_PLOT_DIAMOND,
							       HX_PLOT_SQUARE};

size_t hx_nightly_history_names(const hx_nightly_report *r, const char ***out)
{
	const char **names = hx_xcalloc(r->n ? r->n : 1, sizeof(*names));
	size_t n = 0, i, j;
	for (i = 0; i < r->n; i++) {
		const hx_nightly_entry *e = &r->items[i];
		/* an unreadable spec's entry is named by its path: no experiment */
		if (!e->ran && strcmp(e->experiment, e->spec_path) == 0)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(names[j], e->experiment) == 0)
				break;
		if (j == n)
			names[n++] = e->experiment;
	}
	*out = names;
	return n;
}

/* ---- today's table ---- */

static void code_cell(hx_buf *out, const char *s)
{
	hx_buf_puts(out, "<td>");
	if (s && *s) {
		hx_buf_puts(out, "<code>");
		hx_html_escape(out, s);
		hx_buf_puts(out, "</code>");
	} else {
		hx_buf_puts(out, "-");
	}
	hx_buf_puts(out, "</td>");
}

static void today_table(hx_buf *out, const hx_nightly_report *r)
{
	size_t i;
	hx_buf_puts(out, "<div class=\"scroll\"><table>\n<tr><th>experiment</th><th>verdict</th>"
			 "<th>snapshot hash</th><th>golden hash</th><th>records</th><th>changes</th>"
			 "<th>validation</th><th>run dir</th><th>archive</th></tr>\n");
	for (i = 0; i < r->n; i++) {
		const hx_nightly_entry *e = &r->items[i];
		hx_buf_puts(out, "<tr><td>");
		hx_html_escape(out, e->experiment);
		hx_buf_puts(out, "</td><td>");
		hx_html_badge(out, e->ran ? hx_golden_verdict_name(e->verdict) : "error");
		hx_buf_puts(out, "</td>");
		code_cell(out, e->ran ? e->hash : NULL);
		code_cell(out, e->ran ? e->golden_hash : NULL);
		if (e->ran)
			hx_buf_printf(out, "<td class=\"num\">%zu</td>", e->records);
		else
			hx_buf_puts(out, "<td class=\"num\">-</td>");
		if (e->ran && e->verdict == HX_GOLDEN_MISMATCH)
			hx_buf_printf(out, "<td>%zu changed, %zu added, %zu removed</td>", e->changed,
				      e->added, e->removed);
		else
			hx_buf_puts(out, "<td>-</td>");
		hx_buf_puts(out, "<td>");
		if (e->ran && e->validated)
			hx_html_badge(out, e->validation_passed ? "PASS" : "FAIL");
		else
			hx_buf_puts(out, "-");
		hx_buf_puts(out, "</td>");
		code_cell(out, e->ran ? e->run_dir : NULL);
		code_cell(out, e->ran ? e->archive_path : NULL);
		hx_buf_puts(out, "</tr>\n");
	}
	hx_buf_puts(out, "</table></div>\n");
}

static void regressions(hx_buf *out, const hx_nightly_report *r, hx_nightly_counts c)
{
	size_t i;
	hx_buf_puts(out, "<h2>Regressions</h2>\n");
	if (!c.failures) {
		hx_buf_puts(out, "<p>No regressions.</p>\n");
		return;
	}
	for (i = 0; i < r->n; i++) {
		const hx_nightly_entry *e = &r->items[i];
		if (hx_nightly_entry_outcome(e, r->ci) != HX_NIGHTLY_FAILURE)
			continue;
		hx_html_elem(out, "h3", e->experiment);
		hx_buf_puts(out, "<p>");
		if (e->verdict == HX_GOLDEN_MISMATCH) {
			hx_buf_printf(out, "Golden mismatch: %zu changed, %zu added, %zu removed; "
					   "golden <code>", e->changed, e->added, e->removed);
			hx_html_escape(out, e->golden_dir);
			hx_buf_puts(out, "</code> (spec <code>");
			hx_html_escape(out, e->spec_path);
			hx_buf_puts(out, "</code>).</p>\n");
			hx_html_pre(out, e->diff_text ? e->diff_text : "");
		} else {
			hx_buf_puts(out, "No golden snapshot in <code>");
			hx_html_escape(out, e->golden_dir);
			hx_buf_puts(out, "</code>, and CI is set: accept one outside CI with "
					 "<code>harness golden accept ");
			hx_html_escape(out, e->experiment);
			hx_buf_puts(out, "</code>.</p>\n");
		}
	}
}

static void errors(hx_buf *out, const hx_nightly_report *r, hx_nightly_counts c)
{
	size_t i;
	if (!c.errors)
		return;
	hx_buf_puts(out, "<h2>Errors</h2>\n");
	for (i = 0; i < r->n; i++) {
		const hx_nightly_entry *e = &r->items[i];
		if (e->ran)
			continue;
		hx_html_elem(out, "h3", e->experiment);
		hx_buf_puts(out, "<p><code>");
		hx_html_escape(out, e->spec_path);
		hx_buf_puts(out, "</code> could not run:</p>\n");
		hx_html_pre(out, e->error);
	}
}

/* ---- history figures ---- */

/* A figure name stem from an experiment name (html.h's alphabet). */
static void stem_of(char *out, size_t cap, const char *experiment)
{
	size_t i;
	snprintf(out, cap, "%s", experiment);
	for (i = 0; out[i]; i++) {
		char ch = out[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '-' || ch == '_' || ch == '.'))
			out[i] = '_';
	}
}

/* "MM-DD HH:MM" of "YYYY-MM-DDTHH:MM:SSZ" (the x labels). */
static void short_date(char out[16], const char *started)
{
	if (strlen(started) >= 16)
		snprintf(out, 16, "%.5s %.5s", started + 5, started + 11);
	else
		snprintf(out, 16, "%s", started);
}

/* The x axis: run i at x = i, labelled with its start. */
static const char **x_labels(const hx_nightly_history *h, char (**store)[16])
{
	const char **cats = hx_xcalloc(h->n ? h->n : 1, sizeof(*cats));
	size_t i;
	*store = hx_xcalloc(h->n ? h->n : 1, sizeof(**store));
	for (i = 0; i < h->n; i++) {
		short_date((*store)[i], h->runs[i].started);
		cats[i] = (*store)[i];
	}
	return cats;
}

/* A dashed line between each run whose hash differs from the previous
 * readable run's and the run before it. */
static void hash_lines(hx_plot *p, const hx_nightly_history *h)
{
	size_t i;
	for (i = 0; i < h->n; i++)
		if (h->runs[i].hash_changed)
			hx_plot_vline(p, (double)i - 0.5, HX_PLOT_GREY, HX_PLOT_DASHED);
}

static int any_change(const hx_nightly_history *h)
{
	size_t i;
	for (i = 0; i < h->n; i++)
		if (h->runs[i].hash_changed)
			return 1;
	return 0;
}

static int tier_figure(hx_report_figs *figs, const hx_nightly_history *h, hx_tier t,
		       const char *stem)
{
	double *x = hx_xcalloc(h->n, sizeof(double)), *y = hx_xcalloc(h->n, sizeof(double));
	char (*store)[16];
	const char **cats = x_labels(h, &store);
	hx_plot_key keys[HX_NIGHTLY_NRATES + 1];
	size_t i, nkeys = 0, nruns = hx_nightly_history_tier_runs(h, t);
	double top = 0, lo = 0;
	char title[160];
	hx_plot_axes a;
	hx_plot *p;
	int k, shown[HX_NIGHTLY_NRATES] = {0}, err;

	for (i = 0; i < h->n; i++) {
		const hx_nightly_run *r = &h->runs[i];
		if (!r->has_rates || !r->tiers[t].present)
			continue;
		for (k = 0; k < HX_NIGHTLY_NRATES; k++)
			if (r->tiers[t].rates[k].n) {
				shown[k] = 1;
				top = fmax(top, r->tiers[t].rates[k].hi);
			}
	}
	if (!(top > 0))
		top = 0.05;
	/* room above the data for the legend */
	top *= 1.4;
	hx_plot_nice_range(&lo, &top, 0);
	snprintf(title, sizeof(title), "%s %s: rates of the last %zu run%s, Wilson 95%% intervals",
		 h->experiment, hx_tier_name(t), nruns, nruns == 1 ? "" : "s");
	memset(&a, 0, sizeof(a));
	a.title = title;
	a.xlabel = "run (start, UTC)";
	a.ylabel = "rate";
	a.xmin = -0.5;
	a.xmax = (double)h->n - 0.5;
	a.ymin = 0;
	a.ymax = top;
	a.grid = 1;
	a.xcats = cats;
	a.ncats = h->n;
	p = hx_plot_begin(FIG_W, FIG_H);
	hx_plot_frame(p, &a);
	hash_lines(p, h);
	for (k = 0; k < HX_NIGHTLY_NRATES; k++) {
		hx_plot_color c = hx_plot_series_color((size_t)k);
		/* the series side by side, so that their bars do not hide each other */
		double dx = ((double)k - 1) * 0.12;
		if (!shown[k])
			continue;
		for (i = 0; i < h->n; i++) {
			const hx_nightly_run *r = &h->runs[i];
			const hx_rate *q = &r->tiers[t].rates[k];
			x[i] = (double)i + dx;
			y[i] = r->has_rates && r->tiers[t].present && q->n ? q->rate : NAN;
		}
		hx_plot_line(p, x, y, h->n, c, HX_PLOT_SOLID);
		for (i = 0; i < h->n; i++)
			if (!isnan(y[i]))
				hx_plot_interval(p, x[i], h->runs[i].tiers[t].rates[k].lo,
						 h->runs[i].tiers[t].rates[k].hi, 1, c);
		hx_plot_points(p, x, y, h->n, c, rate_symbols[k]);
		keys[nkeys].label = rate_names[k];
		keys[nkeys].color = c;
		keys[nkeys].kind = HX_PLOT_KEY_POINT;
		keys[nkeys].style = HX_PLOT_SOLID;
		keys[nkeys++].symbol = rate_symbols[k];
	}
	if (any_change(h)) {
		keys[nkeys].label = "snapshot hash changed";
		keys[nkeys].color = HX_PLOT_GREY;
		keys[nkeys].kind = HX_PLOT_KEY_LINE;
		keys[nkeys].style = HX_PLOT_DASHED;
		keys[nkeys++].symbol = HX_PLOT_CIRCLE;
	}
	if (nkeys)
		hx_plot_legend(p, keys, nkeys, 0);
	err = hx_plot_end(p, hx_report_figs_add(figs, "%s-%s", stem, hx_tier_lower(t)));
	free(x);
	free(y);
	free(cats);
	free(store);
	return err;
}

/* The hash figure: run i at (i, the ordinal of its hash among the distinct
 * hashes in order of appearance). */
static int hash_figure(hx_report_figs *figs, const hx_nightly_history *h, const char *stem)
{
	double *x = hx_xcalloc(h->n, sizeof(double)), *y = hx_xcalloc(h->n, sizeof(double));
	const char **seen = hx_xcalloc(h->n, sizeof(*seen));
	char (*store)[16];
	const char **cats = x_labels(h, &store);
	size_t i, j, nseen = 0;
	char title[160];
	hx_plot_axes a;
	hx_plot *p;
	int err;

	for (i = 0; i < h->n; i++) {
		x[i] = (double)i;
		y[i] = NAN;
		if (h->runs[i].error)
			continue;
		for (j = 0; j < nseen; j++)
			if (strcmp(seen[j], h->runs[i].hash) == 0)
				break;
		if (j == nseen)
			seen[nseen++] = h->runs[i].hash;
		y[i] = (double)j;
	}
	snprintf(title, sizeof(title), "%s: snapshot hash of the last %zu run%s (%zu distinct)",
		 h->experiment, h->n, h->n == 1 ? "" : "s", nseen);
	memset(&a, 0, sizeof(a));
	a.title = title;
	a.xlabel = "run (start, UTC)";
	a.ylabel = "n-th distinct hash";
	a.xmin = -0.5;
	a.xmax = (double)h->n - 0.5;
	a.ymin = -0.5;
	a.ymax = (double)(nseen ? nseen : 1) - 0.5 + 0.4;
	a.xcats = cats;
	a.ncats = h->n;
	p = hx_plot_begin(FIG_W, FIG_H / 2 + 60);
	hx_plot_frame(p, &a);
	hash_lines(p, h);
	hx_plot_points(p, x, y, h->n, HX_PLOT_BLUE, HX_PLOT_CIRCLE);
	/* the first hash's digits at its first run, each new one at its change */
	for (i = 0, j = 0; i < h->n; i++) {
		const hx_nightly_run *r = &h->runs[i];
		const char *hex;
		char label[16];
		if (isnan(y[i]) || (j++ > 0 && !r->hash_changed))
			continue;
		hex = strchr(r->hash, ':');
		snprintf(label, sizeof(label), "%.8s", hex ? hex + 1 : r->hash);
		hx_plot_text(p, x[i] + 0.1, y[i] + 0.2, 0, label, HX_PLOT_BLACK);
	}
	err = hx_plot_end(p, hx_report_figs_add(figs, "%s-hashes", stem));
	free(x);
	free(y);
	free(seen);
	free(cats);
	free(store);
	return err;
}

/* A run's rates, tier by tier, and where they come from. */
static void rates_cell(hx_buf *out, const hx_nightly_run *r)
{
	int t, k, first = 1;
	if (!r->has_rates) {
		hx_buf_puts(out, "-");
		return;
	}
	for (t = 0; t < HX_TIER_COUNT; t++) {
		if (!r->tiers[t].present)
			continue;
		hx_buf_printf(out, "%s%s:", first ? "" : "<br>", hx_tier_name((hx_tier)t));
		first = 0;
		for (k = 0; k < HX_NIGHTLY_NRATES; k++) {
			const hx_rate *q = &r->tiers[t].rates[k];
			if (q->n)
				hx_buf_printf(out, " %s %.3f [%.3f, %.3f]", rate_names[k], q->rate,
					      q->lo, q->hi);
		}
	}
	hx_buf_puts(out, " <small>(");
	hx_html_escape(out, r->rates_from);
	hx_buf_puts(out, ")</small>");
}

/* The table of the runs. */
static void runs_table(hx_buf *out, const hx_nightly_history *h)
{
	size_t i;
	hx_buf_puts(out, "<div class=\"scroll\"><table>\n<tr><th>#</th><th>started (UTC)</th>"
			 "<th>archive</th><th>hash</th><th>golden</th><th>hash changed</th>"
			 "<th>rates (95% interval)</th></tr>\n");
	for (i = 0; i < h->n; i++) {
		const hx_nightly_run *r = &h->runs[i];
		const char *hex = strchr(r->hash, ':');
		hx_buf_printf(out, "<tr><td class=\"num\">%zu</td><td>", i);
		hx_html_escape(out, r->started);
		hx_buf_puts(out, "</td>");
		code_cell(out, r->file);
		if (r->error) {
			hx_buf_puts(out, "<td colspan=\"4\">");
			hx_html_badge(out, "unreadable");
			hx_buf_puts(out, " ");
			hx_html_escape(out, r->error);
			hx_buf_puts(out, "</td></tr>\n");
			continue;
		}
		hx_buf_printf(out, "<td><code>%.8s</code></td><td>", hex ? hex + 1 : r->hash);
		hx_html_badge(out, r->golden[0] ? r->golden : "?");
		hx_buf_printf(out, "</td><td>%s</td><td>", r->hash_changed ? "changed" : "");
		rates_cell(out, r);
		hx_buf_puts(out, "</td></tr>\n");
	}
	hx_buf_puts(out, "</table></div>\n");
}

static int history_section(hx_buf *out, hx_report_figs *figs, const hx_nightly_history *h,
			   const char *stem, size_t cap)
{
	size_t i, unreadable = 0, fig;
	int err, t;

	hx_html_elem(out, "h3", h->experiment);
	for (i = 0; i < h->n; i++)
		if (h->runs[i].error)
			unreadable++;
	if (!h->n) {
		hx_buf_puts(out, "<p>No archived run of this experiment.</p>\n");
		return 0;
	}
	hx_buf_printf(out, "<p>%zu archived run%s (at most %zu shown", h->n, h->n == 1 ? "" : "s",
		      cap);
	if (h->older)
		hx_buf_printf(out, "; %zu older archive%s left out", h->older,
			      h->older == 1 ? "" : "s");
	hx_buf_puts(out, ")");
	if (unreadable)
		hx_buf_printf(out, ", %zu unreadable", unreadable);
	hx_buf_puts(out, ".</p>\n");
	for (t = 0; t < HX_TIER_COUNT; t++) {
		char caption[160];
		if (!hx_nightly_history_tier_runs(h, (hx_tier)t))
			continue;
		fig = figs->n;
		if ((err = tier_figure(figs, h, (hx_tier)t, stem)) != 0)
			return err;
		snprintf(caption, sizeof(caption),
			 "%s, tier %s: timeout, spurious-fail and spurious-pass rates per run with "
			 "Wilson 95%% intervals; dashed: the snapshot hash changed from the run before",
			 h->experiment, hx_tier_name((hx_tier)t));
		hx_html_figure(out, figs, fig, caption);
	}
	fig = figs->n;
	if ((err = hash_figure(figs, h, stem)) != 0)
		return err;
	{
		char caption[160];
		snprintf(caption, sizeof(caption), "%s: snapshot hash per run (the n-th distinct "
			 "hash; dashed: it changed from the run before)", h->experiment);
		hx_html_figure(out, figs, fig, caption);
	}
	runs_table(out, h);
	return 0;
}

int hx_nightly_format_html(hx_buf *html, hx_report_figs *figs, const hx_nightly_report *r,
			   const hx_nightly_history *hist, size_t nhist, size_t cap)
{
	hx_nightly_counts c = hx_nightly_report_counts(r);
	char **stems = hx_xcalloc(nhist ? nhist : 1, sizeof(*stems));
	hx_buf title = HX_BUF_INIT;
	size_t i, j;
	int err = 0;

	hx_buf_printf(&title, "harness nightly (tag %s)", r->tag);
	hx_html_begin(html, title.ptr);
	hx_buf_printf(html, "<p>%zu experiment%s: %zu passed, %zu regressed, %zu error%s.%s</p>\n",
		      r->n, r->n == 1 ? "" : "s", c.passed, c.failures, c.errors,
		      c.errors == 1 ? "" : "s",
		      r->ci ? " CI is set: a missing golden counts as a regression." : "");
	today_table(html, r);
	regressions(html, r, c);
	errors(html, r, c);
	if (nhist) {
		hx_buf_puts(html, "<h2>History</h2>\n<p class=\"note\">Each experiment's archived runs "
				  "in the runs directory, oldest first by their start time (UTC). "
				  "The rates are the calibration's (calibration.yaml), or every "
				  "record's when a run has none; a drift inside the golden tolerance "
				  "shows here.</p>\n");
	}
	for (i = 0; i < nhist && !err; i++) {
		/* figure names unique even when two names map to one stem */
		char stem[96];
		hx_buf b = HX_BUF_INIT;
		stem_of(stem, sizeof(stem), hist[i].experiment);
		hx_buf_puts(&b, stem);
		for (j = 0; j < i; j++)
			if (strcmp(stems[j], b.ptr) == 0) {
				hx_buf_printf(&b, "-%zu", i + 1);
				break;
			}
		stems[i] = hx_buf_detach(&b, NULL);
		err = history_section(html, figs, &hist[i], stems[i], cap);
	}
	hx_html_end(html);
	for (i = 0; i < nhist; i++)
		free(stems[i]);
	free(stems);
	hx_buf_release(&title);
	return err;
}

int hx_nightly_write_html(const hx_nightly_report *r, const char *dir, const char *runs_dir,
			  size_t cap)
{
	const char **names = NULL;
	size_t n = hx_nightly_history_names(r, &names), i, loaded = 0;
	hx_nightly_history *hist = hx_xcalloc(n ? n : 1, sizeof(*hist));
	char *path = hx_path_join(dir, "nightly.html");
	hx_buf html = HX_BUF_INIT;
	hx_report_figs figs;
	int err = 0;

	hx_report_figs_init(&figs, path);
	for (i = 0; i < n && !err; i++) {
		err = hx_nightly_history_load(&hist[i], runs_dir, names[i], cap);
		loaded = i + 1;
	}
	if (!err)
		err = hx_nightly_format_html(&html, &figs, r, hist, n, cap);
	if (!err)
		err = hx_report_write(path, &html, &figs);
	for (i = 0; i < loaded; i++)
		hx_nightly_history_release(&hist[i]);
	free(hist);
	free(names);
	free(path);
	hx_buf_release(&html);
	hx_report_figs_release(&figs);
	return err;
}
