/* series/series_steps.c - the steps after the runs: condense, summary,
 * align, select, tune, and threshold after scores (series_run.h), each
 * from the tables of the steps it needs to its own table, files and
 * report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "report/threshold_report.h"
#include "series/dataset.h"
#include "series/rowset.h"
#include "series/series_run.h"
#include "series/summary.h"
#include "threshold/threshold.h"

const char *hx_series_table_name(hx_step_kind k)
{
	switch (k) {
	case HX_STEP_RUNS:
		return "runs.jsonl";
	case HX_STEP_CONDENSE:
		return "dataset.jsonl";
	case HX_STEP_SUMMARY:
		return "summary.jsonl";
	case HX_STEP_ALIGN:
		return "alignment.jsonl";
	case HX_STEP_SELECT:
		return "presets.jsonl";
	case HX_STEP_SCORES:
		return "scores.jsonl";
	case HX_STEP_THRESHOLD:
		return "threshold.jsonl";
	default:
		return "tuning.jsonl";
	}
}

static hx_series_file *add_file(hx_series_file *files, size_t *n, const char *name)
{
	hx_series_file *f = &files[(*n)++];
	f->name = name;
	hx_buf_init(&f->text);
	return f;
}

/* Remove every "PREFIX/" from s (in place): messages about files in the
 * work directory name them relative to it, as the tables do. */
static void strip_prefix(char *s, const char *prefix)
{
	size_t pl = strlen(prefix);
	char *p;
	if (!s || !pl)
		return;
	while ((p = strstr(s, prefix)) != NULL && p[pl] == '/')
		memmove(p, p + pl + 1, strlen(p + pl + 1) + 1);
}

static int json_text(const hx_json *v, const char *key, const char **out)
{
	const hx_json *j = hx_json_get(v, key);
	if (!j || j->type != HX_JSON_STRING)
		return 0;
	*out = j->u.string.ptr;
	return 1;
}

static char *dup_n(const char *s, size_t n)
{
	char *r = hx_xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/* One dataset row per run line of the runs tables. */
static int condense_step(const hx_series_step *st, const char *work_dir, const hx_buf *inputs,
			 size_t ninputs, int workers, hx_buf *table, hx_series_file *files,
			 size_t *nfiles, size_t *nrows, size_t *nfailed)
{
	hx_dataset_row *rows = NULL, *ok_rows;
	size_t n = 0, cap = 0, i, j, nok = 0, *ok_idx;
	hx_arena *a = hx_arena_new();
	int err = 0;

	for (i = 0; i < ninputs && !err; i++) {
		const char *p = inputs[i].ptr, *end = inputs[i].ptr + inputs[i].len;
		size_t line = 0;
		const char *text;
		size_t len;
		while (!err && hx_series_next_line(&p, end, &text, &len)) {
			hx_json *v, *params;
			hx_json_error je;
			const char *label = NULL, *profile = NULL, *tele = NULL, *status = NULL,
				   *error = NULL;
			line++;
			if (hx_json_parse(&v, a, text, len, &je) != 0 || !json_text(v, "label", &label) ||
			    !json_text(v, "profile", &profile) || !json_text(v, "telemetry", &tele) ||
			    !json_text(v, "status", &status)) {
				hx_error_set("runs table line %zu of step input %zu is not a run", line, i + 1);
				err = HX_EINVALID;
				break;
			}
			json_text(v, "error", &error);
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				rows = hx_xrealloc(rows, cap * sizeof(*rows));
			}
			{
				char *full = hx_path_join(work_dir, tele);
				hx_dataset_row_init(&rows[n], label, profile, full);
				free(full);
			}
			params = hx_json_get(v, "params");
			for (j = 0; params && params->type == HX_JSON_OBJECT && j < params->u.object.len; j++) {
				const hx_json_member *m = &params->u.object.members[j];
				hx_cval cv = {HX_CVAL_NULL, 0, NULL};
				char *key = dup_n(m->key, m->key_len);
				if (m->value->type == HX_JSON_NUMBER) {
					cv.type = HX_CVAL_NUMBER;
					cv.num = m->value->u.number;
				} else if (m->value->type == HX_JSON_STRING) {
					cv.type = HX_CVAL_STRING;
					cv.str = dup_n(m->value->u.string.ptr, m->value->u.string.len);
				}
				if (hx_dataset_row_add_param(&rows[n], key, &cv) != 0)
					hx_dataset_row_fail(&rows[n], hx_error_last());
				hx_cval_release(&cv);
				free(key);
			}
			if (strcmp(status, "ok") != 0)
				hx_dataset_row_fail(&rows[n], error ? error : "the run failed");
			else
				rows[n].ok = 1; /* to condense */
			n++;
			hx_arena_reset(a);
		}
	}
	hx_arena_free(a);
	if (err)
		goto done;
	/* Condense the runs that succeeded, on the workers. */
	ok_rows = hx_xcalloc(n ? n : 1, sizeof(*ok_rows));
	ok_idx = hx_xcalloc(n ? n : 1, sizeof(size_t));
	for (i = 0; i < n; i++)
		if (rows[i].ok) {
			ok_idx[nok] = i;
			ok_rows[nok++] = rows[i];
		}
	hx_dataset_rows_condense(ok_rows, nok, &st->metrics, workers);
	for (i = 0; i < nok; i++)
		rows[ok_idx[i]] = ok_rows[i];
	free(ok_rows);
	free(ok_idx);
	*nfailed = 0;
	for (i = 0; i < n; i++) {
		char *rel;
		if (!rows[i].ok)
			(*nfailed)++;
		strip_prefix(rows[i].error, work_dir);
		rel = hx_xstrdup(rows[i].telemetry + strlen(work_dir) + 1);
		free(rows[i].telemetry);
		rows[i].telemetry = rel;
	}
	*nrows = n;
	hx_dataset_write_jsonl(table, rows, n);
	hx_dataset_write_csv(&add_file(files, nfiles, "dataset.csv")->text, rows, n);
	hx_dataset_write_table(&add_file(files, nfiles, "report.txt")->text, rows, n);
done:
	for (i = 0; i < n; i++)
		hx_dataset_row_release(&rows[i]);
	free(rows);
	return err;
}

/* tier:\n  name: value\n ... for the tiers the presets give. */
static void tuned_yaml(hx_buf *out, const hx_tuning t[HX_ALIGN_NTIERS], const hx_tune_presets *p)
{
	size_t i, j;
	hx_buf_puts(out, "# tuned presets (harness series tune step); same format as the input\n");
	for (i = 0; i < HX_ALIGN_NTIERS; i++) {
		if (!p->tier[i].given)
			continue;
		hx_buf_printf(out, "%s:\n", hx_align_tier_names[i]);
		for (j = 0; j < t[i].nparams; j++) {
			hx_buf_printf(out, "  %s: ", t[i].params[j].name);
			hx_canon_write_number(out, t[i].params[j].after);
			hx_buf_putc(out, '\n');
		}
		if (!t[i].nparams)
			hx_buf_puts(out, "  {}\n");
	}
}

/* Pass 2 of a threshold calibration: the ok samples of the scores tables
 * it needs, swept; the table is the result as one JSON line, beside it
 * threshold.json, threshold.md and the report, and report.html with its
 * figures (report/threshold_report.h; written here, the step's directory
 * exists). */
static int threshold_step(const hx_series_spec *s, const hx_series_step *st, const char *work_dir,
			  const hx_buf *inputs, size_t ninputs, hx_buf *table, hx_series_file *files,
			  size_t *nfiles, size_t *nrows, size_t *nfailed)
{
	hx_scores *sc = hx_scores_new();
	hx_arena *a = hx_arena_new();
	hx_threshold_result r;
	hx_buf title = HX_BUF_INIT;
	size_t i;
	int err = 0;

	hx_threshold_result_init(&r);
	for (i = 0; i < ninputs && !err; i++) {
		const char *p = inputs[i].ptr, *end = p + inputs[i].len, *line;
		size_t len, lineno = 0;
		while (!err && p && hx_series_next_line(&p, end, &line, &len)) {
			hx_json *v, *status, *score, *label;
			hx_json_error e;
			lineno++;
			hx_arena_reset(a);
			if (hx_json_parse(&v, a, line, len, &e) != 0 ||
			    !(status = hx_json_get(v, "status")) || status->type != HX_JSON_STRING) {
				hx_error_set("%s/scores.jsonl:%zu: not a scores table line",
					     s->steps[st->needs[i]].name, lineno);
				err = HX_EINVALID;
				break;
			}
			(*nrows)++;
			if (strcmp(status->u.string.ptr, "ok") != 0) {
				(*nfailed)++;
				continue;
			}
			score = hx_json_get(v, "score");
			label = hx_json_get(v, "label");
			if (!score || score->type != HX_JSON_NUMBER || !label ||
			    (label->type != HX_JSON_TRUE && label->type != HX_JSON_FALSE)) {
				hx_error_set("%s/scores.jsonl:%zu: an ok sample needs a number "
					     "'score' and a true/false 'label'",
					     s->steps[st->needs[i]].name, lineno);
				err = HX_EINVALID;
				break;
			}
			hx_scores_add(sc, score->u.number, label->type == HX_JSON_TRUE);
		}
	}
	if (!err && (err = hx_threshold_sweep(&r, sc, &st->tau, st->target_recall)) != 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", hx_error_last());
		hx_error_set("step '%s': %s", st->name, msg);
	}
	if (!err) {
		hx_series_file *f;
		hx_threshold_format_json(table, &r);
		f = add_file(files, nfiles, "threshold.json");
		hx_threshold_format_json(&f->text, &r);
		hx_buf_printf(&title, "%s: %s", s->experiment, st->name);
		hx_threshold_format_md(&add_file(files, nfiles, "threshold.md")->text, &r, title.ptr);
		hx_threshold_format_text(&add_file(files, nfiles, "report.txt")->text, &r);
		{
			char *dir = hx_path_join(work_dir, st->name);
			char *html = hx_path_join(dir, "report.html");
			err = hx_threshold_report_write(html, &r, sc, title.ptr);
			free(html);
			free(dir);
		}
	}
	hx_buf_release(&title);
	hx_threshold_result_release(&r);
	hx_scores_free(sc);
	hx_arena_free(a);
	return err;
}

int hx_series_step_analyze(const hx_series_spec *s, size_t step, const char *work_dir,
			   const hx_buf *inputs, size_t ninputs, int workers, hx_buf *table,
			   hx_series_file *files, size_t *nfiles, size_t *rows, size_t *failed)
{
	const hx_series_step *st = &s->steps[step];
	hx_buf all = HX_BUF_INIT;
	hx_rowset rs;
	char *name;
	size_t i;
	int err;

	*nfiles = 0;
	*rows = *failed = 0;
	if (st->kind == HX_STEP_CONDENSE)
		return condense_step(st, work_dir, inputs, ninputs, workers, table, files, nfiles,
				     rows, failed);
	if (st->kind == HX_STEP_THRESHOLD)
		return threshold_step(s, st, work_dir, inputs, ninputs, table, files, nfiles, rows,
				      failed);
	for (i = 0; i < ninputs; i++)
		hx_buf_put(&all, inputs[i].ptr ? inputs[i].ptr : "", inputs[i].len);
	{
		hx_buf nb = HX_BUF_INIT;
		hx_buf_printf(&nb, "%s/%s/dataset.jsonl", work_dir, s->steps[st->needs[0]].name);
		name = hx_buf_detach(&nb, NULL);
	}
	hx_rowset_init(&rs);
	err = hx_rowset_parse(&rs, name, all.ptr ? all.ptr : "", all.len);
	free(name);
	hx_buf_release(&all);
	if (err) {
		hx_rowset_release(&rs);
		return err;
	}
	*rows = rs.n;
	*failed = rs.failed;
	switch (st->kind) {
	case HX_STEP_SUMMARY: {
		hx_summary sum;
		hx_summary_compute(&sum, &rs, st->dd_weight, (size_t)st->top);
		hx_summary_format_json(table, &sum, &rs);
		hx_summary_format_csv(&add_file(files, nfiles, "summary.csv")->text, &sum);
		hx_summary_format_text(&add_file(files, nfiles, "report.txt")->text, &sum, &rs);
		hx_summary_release(&sum);
		break;
	}
	case HX_STEP_ALIGN: {
		hx_alignment al;
		hx_align_compute(&al, &rs, &st->budgets);
		hx_align_format_json(table, &al);
		hx_align_format_csv(&add_file(files, nfiles, "alignment.csv")->text, &al);
		hx_align_format_text(&add_file(files, nfiles, "report.txt")->text, &al);
		break;
	}
	case HX_STEP_SELECT: {
		hx_selections sel;
		hx_select_compute(&sel, &rs, &st->budgets, (size_t)st->k);
		hx_select_format_json(table, &sel, &rs, (size_t)st->k);
		hx_select_format_csv(&add_file(files, nfiles, "presets.csv")->text, &sel, &rs);
		hx_select_format_text(&add_file(files, nfiles, "report.txt")->text, &sel, &rs,
				      (size_t)st->k);
		hx_select_release(&sel);
		break;
	}
	default: {
		hx_alignment al;
		hx_tuning t[HX_ALIGN_NTIERS];
		const char *const *rp = (const char *const *)st->risk_params;
		hx_align_compute(&al, &rs, &st->budgets);
		hx_tune_all(t, &al, &st->presets, rp);
		hx_tune_format_json(table, t, &st->presets, rp);
		hx_tune_format_csv(&add_file(files, nfiles, "tuning_report.csv")->text, t, &st->presets);
		tuned_yaml(&add_file(files, nfiles, "tuned_presets.yaml")->text, t, &st->presets);
		hx_tune_format_text(&add_file(files, nfiles, "report.txt")->text, t, &st->presets, rp);
		for (i = 0; i < HX_ALIGN_NTIERS; i++)
			hx_tuning_release(&t[i]);
		break;
	}
	}
	hx_rowset_release(&rs);
	return 0;
}
