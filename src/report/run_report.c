/* run_report.c - report.html of a calibration run (run_report.h). */
#include "report/run_report.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "buf.h"
#include "calib.h"
#include "calibrate.h"
#include "error.h"
#include "fsutil.h"
#include "report/calib_figures.h"
#include "report/html.h"
#include "tier.h"
#include "validate.h"
#include "ydoc.h"

typedef struct {
	const char *dir;
	hx_ydoc *calib;          /* calibration.yaml, or NULL */
	hx_calib_data own_all, own_train; /* read here (else the caller's) */
	const hx_calib_data *all, *train;
	int fitted;              /* the calibration fitted durations */
	hx_buf golden;           /* golden.txt, or empty */
	hx_buf summary;          /* summary.txt, or empty */
	char experiment[128];
} run_inputs;

static const char *scalar(const hx_ynode *map, const char *key)
{
	const hx_ynode *n = hx_ynode_get(map, key);
	return n && n->type == HX_Y_SCALAR ? n->scalar : NULL;
}

/* Read a file when it exists (an absent file is empty). */
static int read_optional(hx_buf *out, const char *dir, const char *name)
{
	char *path = hx_path_join(dir, name);
	int err = hx_path_exists(path) ? hx_file_read(out, path) : 0;
	free(path);
	return err;
}

/* Whether any tier of calibration.yaml has duration_fit.families. */
static int calib_fitted(const hx_ynode *root)
{
	const hx_ynode *nm = hx_ynode_get(root, "noise_models");
	size_t i;
	for (i = 0; nm && nm->type == HX_Y_MAP && i < nm->n; i++) {
		const hx_ynode *df = hx_ynode_get(nm->pairs[i].value, "duration_fit");
		if (df && hx_ynode_get(df, "families"))
			return 1;
	}
	return 0;
}

static int load_inputs(run_inputs *in, const char *dir, const hx_calib_data *all,
		       const hx_calib_data *train)
{
	char *telemetry = hx_path_join(dir, "telemetry.jsonl");
	char *calib = hx_path_join(dir, "calibration.yaml");
	char *labels = hx_path_join(dir, "labels.jsonl");
	hx_calib_read_options ro;
	const hx_ynode *meta = NULL;
	int err = 0;

	memset(&ro, 0, sizeof(ro));
	in->dir = dir;
	if (!hx_path_exists(telemetry)) {
		hx_error_set("'%s': not a run directory (no telemetry.jsonl)", dir);
		err = HX_EINVALID;
		goto done;
	}
	if (hx_path_exists(calib)) {
		uint64_t seed = 0;
		double split = 0;
		const char *gt;
		if ((err = hx_ydoc_load(&in->calib, calib)) != 0)
			goto done;
		meta = in->calib->root ? hx_ynode_get(in->calib->root, "calibration_metadata") : NULL;
		if (!meta) {
			hx_error_set("%s: missing key 'calibration_metadata': not a calibration.yaml",
				     calib);
			err = HX_EINVALID;
			goto done;
		}
		if ((err = hx_ydoc_u64(in->calib, hx_ynode_get(meta, "seed"), "seed", &seed)) != 0 ||
		    (err = hx_ydoc_double(in->calib, hx_ynode_get(meta, "validation_split"),
					  "validation_split", 0, 1, &split)) != 0)
			goto done;
		gt = scalar(meta, "ground_truth");
		ro.split = split;
		ro.split_seed = hx_calibrate_split_seed(seed);
		ro.labels_path = gt && strcmp(gt, "labels") == 0 ? labels : NULL;
		snprintf(in->experiment, sizeof(in->experiment), "%s",
			 scalar(meta, "experiment") ? scalar(meta, "experiment") : "");
		in->fitted = calib_fitted(in->calib->root);
	}
	if (all && train && in->calib) {
		in->all = all;
		in->train = train;
	} else {
		if ((err = hx_calib_read_split(&in->own_all, &in->own_train, NULL, telemetry, &ro)) != 0)
			goto done;
		if (in->fitted)
			hx_calib_fit(&in->own_train);
		in->all = &in->own_all;
		in->train = &in->own_train;
	}
	if ((err = read_optional(&in->golden, dir, "golden.txt")) != 0 ||
	    (err = read_optional(&in->summary, dir, "summary.txt")) != 0)
		goto done;
	if (!in->experiment[0]) {
		/* "experiment  NAME (seed ..." on summary.txt's first line */
		const char *s = in->summary.ptr;
		if (s && strncmp(s, "experiment", 10) == 0) {
			s += 10;
			while (*s == ' ')
				s++;
			snprintf(in->experiment, sizeof(in->experiment), "%.*s",
				 (int)strcspn(s, " \n"), s);
		}
	}
done:
	free(telemetry);
	free(calib);
	free(labels);
	return err;
}

static void release_inputs(run_inputs *in)
{
	hx_ydoc_free(in->calib);
	hx_calib_release(&in->own_all);
	hx_calib_release(&in->own_train);
	hx_buf_release(&in->golden);
	hx_buf_release(&in->summary);
}

static void metadata_section(hx_buf *out, const run_inputs *in)
{
	const hx_ynode *meta = in->calib ? hx_ynode_get(in->calib->root, "calibration_metadata")
					 : NULL;
	const char **kv;
	size_t i, n = 0;
	if (!meta || meta->type != HX_Y_MAP)
		return;
	kv = hx_xcalloc(2 * meta->n + 1, sizeof(*kv));
	for (i = 0; i < meta->n; i++) {
		const hx_ynode *v = meta->pairs[i].value;
		if (!v || v->type != HX_Y_SCALAR)
			continue;
		kv[2 * n] = meta->pairs[i].key->scalar;
		kv[2 * n + 1] = v->scalar;
		n++;
	}
	hx_html_kv_table(out, kv, n);
	free(kv);
}

/* golden.txt's value of key (into buf), or NULL. */
static const char *golden_field(const run_inputs *in, const char *key, char *buf, size_t len)
{
	const char *p = in->golden.ptr;
	size_t klen = strlen(key);
	while (p && *p && *p != '\n') {
		size_t line = strcspn(p, "\n");
		if (line > klen + 1 && strncmp(p, key, klen) == 0 && p[klen] == ':') {
			snprintf(buf, len, "%.*s", (int)(line - klen - 2), p + klen + 2);
			return buf;
		}
		p += line + (p[line] == '\n');
	}
	return NULL;
}

static void golden_section(hx_buf *out, const run_inputs *in)
{
	char verdict[32], dir[512], gh[80], sh[80];
	const char *diff;
	hx_buf_puts(out, "<h2>Golden</h2>\n<p>");
	if (!golden_field(in, "verdict", verdict, sizeof(verdict))) {
		hx_buf_puts(out, "No golden check is on record for this run.</p>\n");
		return;
	}
	hx_html_badge(out, verdict);
	if (golden_field(in, "golden", dir, sizeof(dir))) {
		hx_buf_puts(out, " against <code>");
		hx_html_escape(out, dir);
		hx_buf_puts(out, "</code>");
	}
	hx_buf_puts(out, "</p>\n");
	{
		const char *kv[4];
		size_t n = 0;
		if (golden_field(in, "snapshot_hash", sh, sizeof(sh))) {
			kv[2 * n] = "snapshot hash";
			kv[2 * n++ + 1] = sh;
		}
		if (golden_field(in, "golden_hash", gh, sizeof(gh))) {
			kv[2 * n] = "golden hash";
			kv[2 * n++ + 1] = gh;
		}
		hx_html_kv_table(out, kv, n);
	}
	diff = strstr(in->golden.ptr, "\n\n");
	if (diff && diff[2]) {
		hx_html_elem(out, "h3", "Differences from golden");
		hx_html_pre(out, diff + 2);
	}
}

static void rate_cell(hx_buf *out, const hx_rate *r)
{
	if (!r->n) {
		hx_buf_puts(out, "<td class=\"num\">-</td>");
		return;
	}
	hx_buf_printf(out, "<td class=\"num\">%.3f [%.3f, %.3f] <small>%lu/%lu</small></td>", r->rate,
		      r->lo, r->hi, r->k, r->n);
}

static void rates_section(hx_buf *out, const run_inputs *in)
{
	size_t t;
	int o;
	hx_buf_printf(out, "<h2>Outcomes and rates</h2>\n<p class=\"note\">All %lu records; "
			   "Wilson 95%% intervals. The spurious rates count the runs with ground "
			   "truth (%s) that did not time out.</p>\n",
		      in->all->records, hx_gt_source_name(in->all->gt_source));
	hx_buf_puts(out, "<div class=\"scroll\"><table>\n<tr><th>tier</th><th>n</th>");
	for (o = 0; o < HX_OUT_COUNT; o++) {
		hx_buf_puts(out, "<th>");
		hx_html_escape(out, hx_outcome_name((hx_outcome)o));
		hx_buf_puts(out, "</th>");
	}
	hx_buf_puts(out, "<th>timeout rate</th><th>spurious fail</th><th>spurious pass</th></tr>\n");
	for (t = 0; t < in->all->ntiers; t++) {
		const hx_tier_data *d = &in->all->tiers[t];
		hx_buf_printf(out, "<tr><td>%s</td><td class=\"num\">%lu</td>", hx_tier_name(d->tier),
			      d->n);
		for (o = 0; o < HX_OUT_COUNT; o++)
			hx_buf_printf(out, "<td class=\"num\">%lu</td>", d->outcomes[o]);
		rate_cell(out, &d->timeout);
		rate_cell(out, &d->spurious_fail);
		rate_cell(out, &d->spurious_pass);
		hx_buf_puts(out, "</tr>\n");
	}
	hx_buf_puts(out, "</table></div>\n");
}

static void fit_cell(hx_buf *out, const hx_fit_result *r)
{
	int i;
	hx_buf_puts(out, "<td>");
	for (i = 0; i < r->k; i++) {
		hx_buf_printf(out, "%s%s = %.4g", i ? ", " : "",
			      hx_fit_param_name(r->family, i), r->p[i]);
		if (isfinite(r->se[i]))
			hx_buf_printf(out, " ± %.2g", r->se[i]);
	}
	if (r->stall_model)
		hx_buf_printf(out, ", stall = %.4g", r->stall);
	hx_buf_puts(out, "</td>");
}

static void fit_table(hx_buf *out, const hx_tier_data *t)
{
	int f;
	if (!t->fitted) {
		if (t->no_fit[0]) {
			hx_buf_puts(out, "<p class=\"note\">No fit: ");
			hx_html_escape(out, t->no_fit);
			hx_buf_puts(out, "</p>\n");
		}
		return;
	}
	hx_buf_printf(out, "<p class=\"note\">Maximum-likelihood fits of %zu completed durations, "
			   "%zu runs censored at %.0f ms%s.</p>\n",
		      t->ndurations, t->ncensored, t->timeout_ms,
		      t->joint ? " (one law for every tier)" : "");
	hx_buf_puts(out, "<div class=\"scroll\"><table>\n<tr><th>family</th><th>parameters ± SE</th>"
			 "<th>log-lik</th><th>AIC</th><th>ΔAIC</th><th>KS D</th><th>KS p</th></tr>\n");
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		const hx_fit_result *r = &t->fits[f];
		int best = t->has_fit && (int)t->best == f;
		hx_buf_printf(out, "<tr%s><td>%s%s</td>", best ? " class=\"sig\"" : "",
			      hx_fit_family_name((hx_fit_family)f), best ? " (best)" : "");
		if (!r->ok) {
			hx_buf_puts(out, "<td colspan=\"6\">");
			hx_html_escape(out, r->msg);
			hx_buf_puts(out, "</td></tr>\n");
			continue;
		}
		fit_cell(out, r);
		hx_buf_printf(out,
			      "<td class=\"num\">%.2f</td><td class=\"num\">%.2f</td>"
			      "<td class=\"num\">%.2f</td><td class=\"num\">%.4f</td>"
			      "<td class=\"num\">%.3g</td></tr>\n",
			      r->loglik, r->aic, r->aic - t->fits[t->best].aic, r->ks_d, r->ks_p);
	}
	hx_buf_puts(out, "</table></div>\n");
}

static int tier_sections(hx_buf *out, hx_report_figs *figs, const run_inputs *in)
{
	size_t t, i;
	int err;
	for (t = 0; t < in->train->ntiers; t++) {
		const hx_tier_data *d = &in->train->tiers[t];
		size_t first = figs->n;
		hx_buf_printf(out, "<h2>%s</h2>\n", hx_tier_name(d->tier));
		if (in->train->records != in->all->records)
			hx_buf_printf(out, "<p class=\"note\">The training part of the split: %lu of "
					   "%lu records.</p>\n",
				      in->train->records, in->all->records);
		if ((err = hx_calib_figures(figs, d)) != 0)
			return err;
		for (i = first; i < figs->n; i++) {
			const char *name = figs->items[i].name;
			const char *what = strstr(name, "-rates")     ? "Outcome shares and rates with "
									"Wilson 95% intervals."
					   : strstr(name, "-durations") ? "Completed durations (density) "
									"with the fitted densities, "
									"truncated at the timeout."
									: "Kaplan-Meier survival with "
									  "timed-out runs censored (+), "
									  "and each family's fitted "
									  "survival.";
			hx_html_figure(out, figs, i, what);
		}
		fit_table(out, d);
	}
	return 0;
}

static void validation_section(hx_buf *out, const run_inputs *in)
{
	const hx_ynode *vr = in->calib ? hx_ynode_get(in->calib->root, "validation_report") : NULL;
	const hx_ynode *checks = vr ? hx_ynode_get(vr, "checks") : NULL;
	const char *summary = vr ? scalar(vr, "summary") : NULL;
	size_t i;
	if (!vr)
		return;
	hx_buf_puts(out, "<h2>Validation</h2>\n<p>");
	hx_html_badge(out, summary ? summary : "not run");
	hx_buf_puts(out, "</p>\n");
	if (!checks || checks->type != HX_Y_SEQ || checks->n == 0)
		return;
	hx_buf_puts(out, "<div class=\"scroll\"><table>\n<tr><th>status</th><th>check</th>"
			 "<th>reason</th></tr>\n");
	for (i = 0; i < checks->n; i++) {
		const hx_ynode *c = checks->items[i];
		hx_buf_puts(out, "<tr><td>");
		hx_html_badge(out, scalar(c, "status") ? scalar(c, "status") : "?");
		hx_buf_puts(out, "</td><td>");
		hx_html_escape(out, scalar(c, "name"));
		hx_buf_puts(out, "</td><td>");
		hx_html_escape(out, scalar(c, "reason"));
		hx_buf_puts(out, "</td></tr>\n");
	}
	hx_buf_puts(out, "</table></div>\n");
}

int hx_report_run(const char *run_dir, const char *html_path)
{
	return hx_report_run_with(run_dir, html_path, NULL, NULL);
}

int hx_report_run_with(const char *run_dir, const char *html_path, const hx_calib_data *all,
		       const hx_calib_data *train)
{
	run_inputs in;
	hx_report_figs figs;
	hx_buf html = HX_BUF_INIT, title = HX_BUF_INIT;
	char *path = html_path ? hx_xstrdup(html_path) : hx_path_join(run_dir, "report.html");
	int err;

	memset(&in, 0, sizeof(in));
	hx_report_figs_init(&figs, path);
	if ((err = load_inputs(&in, run_dir, all, train)) != 0)
		goto done;
	hx_buf_printf(&title, "harness run: %s", in.experiment[0] ? in.experiment : run_dir);
	hx_html_begin(&html, title.ptr);
	metadata_section(&html, &in);
	golden_section(&html, &in);
	rates_section(&html, &in);
	if ((err = tier_sections(&html, &figs, &in)) != 0)
		goto done;
	validation_section(&html, &in);
	if (in.summary.len) {
		hx_html_elem(&html, "h2", "Summary as printed");
		hx_html_pre(&html, in.summary.ptr);
	}
	hx_html_end(&html);
	err = hx_report_write(path, &html, &figs);
done:
	release_inputs(&in);
	hx_report_figs_release(&figs);
	hx_buf_release(&html);
	hx_buf_release(&title);
	free(path);
	return err;
}

int hx_report_write_golden(const char *run_dir, const char *verdict, const char *golden_dir,
			   const char *golden_hash, const char *snapshot_hash, const char *diff)
{
	hx_buf b = HX_BUF_INIT;
	char *path = hx_path_join(run_dir, "golden.txt");
	int err;
	hx_buf_printf(&b, "verdict: %s\n", verdict);
	if (golden_dir)
		hx_buf_printf(&b, "golden: %s\n", golden_dir);
	if (golden_hash && *golden_hash)
		hx_buf_printf(&b, "golden_hash: %s\n", golden_hash);
	if (snapshot_hash && *snapshot_hash)
		hx_buf_printf(&b, "snapshot_hash: %s\n", snapshot_hash);
	if (diff && *diff)
		hx_buf_printf(&b, "\n%s", diff);
	err = hx_file_write_atomic(path, b.ptr, b.len);
	hx_buf_release(&b);
	free(path);
	return err;
}

char *hx_report_archive_default(const char *archive_path)
{
	static const char *const exts[] = {".tar.zst", ".tar.gz", ".tgz", ".tar"};
	size_t len = strlen(archive_path), i;
	hx_buf b = HX_BUF_INIT;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t el = strlen(exts[i]);
		if (len > el && strcmp(archive_path + len - el, exts[i]) == 0) {
			len -= el;
			break;
		}
	}
	hx_buf_put(&b, archive_path, len);
	hx_buf_puts(&b, ".html");
	return hx_buf_detach(&b, NULL);
}

int hx_report_archive(const char *archive_path, const char *html_path)
{
	static const char *const files[] = {"telemetry.jsonl", "labels.jsonl", "calibration.yaml",
					    "golden.txt", "summary.txt"};
	hx_archive_contents c;
	char tmpl[] = "/tmp/harness-report-XXXXXX", *def = NULL;
	const char *tmp = NULL;
	size_t i;
	int err;

	memset(&c, 0, sizeof(c));
	/* only what the report reads is kept; the rest is verified and dropped */
	if ((err = hx_archive_read_some(&c, archive_path, files,
					sizeof(files) / sizeof(files[0]))) != 0)
		goto done;
	if (!hx_archive_member_data(&c, "telemetry.jsonl")) {
		hx_error_set("'%s': not a run's archive (no telemetry.jsonl)", archive_path);
		err = HX_EINVALID;
		goto done;
	}
	if (!(tmp = mkdtemp(tmpl))) {
		hx_error_set_errno(errno, "cannot create a directory like '%s'", tmpl);
		err = HX_ESYSTEM;
		goto done;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]) && !err; i++) {
		const hx_buf *m = hx_archive_member_data(&c, files[i]);
		char *path;
		if (!m)
			continue;
		path = hx_path_join(tmp, files[i]);
		err = hx_file_write_atomic(path, m->ptr ? m->ptr : "", m->len);
		free(path);
	}
	if (!err) {
		if (!html_path)
			html_path = def = hx_report_archive_default(archive_path);
		err = hx_report_run(tmp, html_path);
	}
done:
	if (tmp)
		hx_remove_tree(tmp);
	hx_archive_contents_release(&c);
	free(def);
	return err;
}
