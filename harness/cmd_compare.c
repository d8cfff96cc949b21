/* cmd_compare.c - harness compare A B [--json] [--flips] [--alpha X]
 *                 [--fail-on-change] [--seed S] [--bootstrap N]
 *                 [--target-recall R] [--report FILE.html] */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calib.h"
#include "cliutil.h"
#include "cmd.h"
#include "compare.h"
#include "error.h"
#include "export.h"
#include "fsutil.h"
#include "report/compare_report.h"
#include "series/series_run.h"
#include "threshold/compare_report.h"
#include "threshold/threshold.h"

static const char usage[] =
	"usage: harness compare A B [--json] [--flips] [--alpha X] [--fail-on-change]\n"
	"                           [--seed S] [--bootstrap N] [--target-recall R]\n"
	"                           [--report FILE.html]\n"
	"\n"
	"Tell whether two calibrations differ (e.g. two Lean releases). A and B are\n"
	"calibration.yaml files (rates only: durations need telemetry), telemetry\n"
	"JSONL files, or run directories (their telemetry.jsonl).\n"
	"Paired when both are telemetry of one plan (the same tier, task index and\n"
	"module for every task): per tier and rate (timeout, spurious fail,\n"
	"spurious pass), the tasks that changed (discordant pairs), an exact\n"
	"McNemar test and the difference B-A with Newcombe's paired interval;\n"
	"durations of tasks completed in both: the median per-task ratio B/A with\n"
	"an order-statistic interval and a Wilcoxon signed-rank test; and the\n"
	"tasks whose outcome changed. Unpaired otherwise (the report says why):\n"
	"Newcombe (hybrid Wilson) intervals and two-proportion z-tests; the median\n"
	"ratio with a bootstrap interval and a two-sample KS test. p-values are\n"
	"Holm-adjusted over all tests; intervals are at 1 - alpha (95%), not\n"
	"adjusted.\n"
	"\n"
	"  --alpha X         significance level (default 0.05)\n"
	"  --fail-on-change  exit 1 when any difference is significant\n"
	"  --flips           list every task that changed outcome (default: the\n"
	"                    first 20)\n"
	"  --seed S          bootstrap seed (default 1)\n"
	"  --bootstrap N     bootstrap resamples (default 1000)\n"
	"  --target-recall R threshold calibrations: the recall the best tau must\n"
	"                    reach (default 0.9)\n"
	"  --report FILE.html\n"
	"                    also write an HTML report: the table, the first 50\n"
	"                    flips and per tier figures (each also written beside\n"
	"                    it, as figures/FILE-TIER-*.svg): the rates of A and B\n"
	"                    with Wilson intervals, the differences B-A with\n"
	"                    Newcombe intervals, the duration ECDFs (when both\n"
	"                    sides are telemetry)\n"
	"  --json            per tier and metric: method, a, b, diff, diff_ci,\n"
	"                    discordant, p_value, p_adjusted, significant; paired;\n"
	"                    every flip\n"
	"\n"
	"\n"
	"Two threshold calibrations (two monitor versions): A and B are scores\n"
	"tables (scores.jsonl), scores step directories, or work directories with\n"
	"one scores step. Both are swept alike (the 40 quantiles 0.60..0.99, best\n"
	"precision at recall >= --target-recall, default 0.9): the AUROC difference\n"
	"B-A with its 95% interval and p (DeLong; paired when both scored the same\n"
	"samples with the same labels), and each side's best tau with its precision\n"
	"and recall.\n"
	"\n"
	"exit status: 0 compared (1 with --fail-on-change and a significant\n"
	"difference), 2 bad usage or input, 3 system failure\n";

/* One side of a threshold comparison: its ok samples, swept. */
typedef struct {
	uint64_t *sample;
	double *score;
	unsigned char *label;
	size_t n, npos;
	hx_threshold_result r;
} threshold_side;

static int threshold_side_load(threshold_side *t, const char *path, const hx_tau_grid *g,
			       double target_recall)
{
	hx_scores *sc;
	size_t i;
	int err;
	memset(t, 0, sizeof(*t));
	hx_threshold_result_init(&t->r);
	if ((err = hx_series_scores_read(path, &t->sample, &t->score, &t->label, &t->n)) != 0)
		return err;
	sc = hx_scores_new();
	for (i = 0; i < t->n; i++) {
		hx_scores_add(sc, t->score[i], t->label[i]);
		t->npos += t->label[i];
	}
	err = hx_threshold_sweep(&t->r, sc, g, target_recall);
	hx_scores_free(sc);
	if (err) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", hx_error_last());
		hx_error_set("'%s': %s", path, msg);
	}
	return err;
}

static void threshold_side_release(threshold_side *t)
{
	free(t->sample);
	free(t->score);
	free(t->label);
	hx_threshold_result_release(&t->r);
}

/* Paired when both scored the same samples (numbers) with the same labels:
 * NULL, else why not. */
static const char *not_paired(const threshold_side *a, const threshold_side *b, char *why,
			      size_t cap)
{
	size_t i;
	if (a->n != b->n) {
		snprintf(why, cap, "unpaired: %zu samples in A, %zu in B", a->n, b->n);
		return why;
	}
	for (i = 0; i < a->n; i++) {
		if (a->sample[i] != b->sample[i]) {
			snprintf(why, cap, "unpaired: line %zu is sample %llu in A, %llu in B", i + 1,
				 (unsigned long long)a->sample[i], (unsigned long long)b->sample[i]);
			return why;
		}
		if (a->label[i] != b->label[i]) {
			snprintf(why, cap, "unpaired: sample %llu is %s in A, %s in B",
				 (unsigned long long)a->sample[i],
				 a->label[i] ? "positive" : "negative",
				 b->label[i] ? "positive" : "negative");
			return why;
		}
	}
	return NULL;
}

static int compare_threshold(const char *pa, const char *pb, const char *shown_a,
			     const char *shown_b, double alpha, double target_recall, int json,
			     int fail_on_change)
{
	threshold_side a, b;
	hx_tau_grid g;
	hx_threshold_compare c;
	hx_threshold_compare_info info;
	hx_buf out = HX_BUF_INIT;
	char why[256], pairing[320];
	const char *np;
	int err, status;

	hx_tau_grid_default(&g);
	if ((err = threshold_side_load(&a, pa, &g, target_recall)) != 0) {
		hx_cli_error("compare", "%s", hx_error_last());
		threshold_side_release(&a);
		return hx_error_exit_status(err);
	}
	if ((err = threshold_side_load(&b, pb, &g, target_recall)) != 0) {
		hx_cli_error("compare", "%s", hx_error_last());
		threshold_side_release(&a);
		threshold_side_release(&b);
		return hx_error_exit_status(err);
	}
	hx_threshold_compare_results(&c, &a.r, &b.r);
	np = not_paired(&a, &b, why, sizeof(why));
	if (!np) {
		if ((err = hx_threshold_compare_paired(&c, a.score, b.score, a.label, a.n)) != 0) {
			hx_cli_error("compare", "%s", hx_error_last());
			threshold_side_release(&a);
			threshold_side_release(&b);
			return hx_error_exit_status(err);
		}
		snprintf(pairing, sizeof(pairing),
			 "paired: the same %zu samples with the same labels", a.n);
	} else {
		snprintf(pairing, sizeof(pairing), "%s", np);
	}
	memset(&info, 0, sizeof(info));
	info.a = shown_a;
	info.b = shown_b;
	info.na = a.n;
	info.npos_a = a.npos;
	info.nb = b.n;
	info.npos_b = b.npos;
	info.pairing = pairing;
	info.alpha = alpha;
	info.target_recall = target_recall;
	info.grid = "40 quantiles 0.60..0.99";
	if (json)
		hx_threshold_compare_format_json(&out, &c, &info);
	else
		hx_threshold_compare_format_text(&out, &c, &info);
	fwrite(out.ptr, 1, out.len, stdout);
	status = fail_on_change && hx_threshold_compare_significant(&c, &info) ? 1 : 0;
	if (fflush(stdout) != 0)
		status = 3;
	hx_buf_release(&out);
	threshold_side_release(&a);
	threshold_side_release(&b);
	return status;
}

/* A side: its calibration, and its records when it is telemetry (*has_tasks
 * set; a calibration.yaml has none). */
static int load(hx_calib_data *d, hx_task_outcomes *t, int *has_tasks, const char *arg)
{
	char *path;
	int err;
	size_t n = strlen(arg);
	*has_tasks = 0;
	if ((n > 5 && strcmp(arg + n - 5, ".yaml") == 0) || (n > 4 && strcmp(arg + n - 4, ".yml") == 0))
		return hx_calib_read_yaml(d, arg);
	path = hx_is_dir(arg) ? hx_path_join(arg, "telemetry.jsonl") : hx_xstrdup(arg);
	err = hx_compare_read_run(d, t, path);
	*has_tasks = !err;
	free(path);
	return err;
}

int cmd_compare(int argc, char **argv)
{
	const char *files[2] = {NULL, NULL};
	hx_compare_options opt = {0.05, 1, 1000};
	hx_calib_data a, b;
	hx_task_outcomes ta, tb;
	hx_compare_result r;
	hx_buf out = HX_BUF_INIT;
	int i, nfiles = 0, json = 0, flips = 0, fail_on_change = 0, err, status, has_a, has_b;
	double target_recall = 0.9;
	const char *v, *report = NULL;

	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--flips") == 0) {
			flips = 1;
		} else if (strcmp(argv[i], "--fail-on-change") == 0) {
			fail_on_change = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--alpha"))) {
			if (hx_cli_parse_double(v, 1e-12, 1 - 1e-12, &opt.alpha) != 0) {
				hx_cli_error("compare", "'--alpha' needs a number between 0 and 1, not '%s'", v);
				return 2;
			}
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--target-recall"))) {
			if (hx_cli_parse_double(v, 0, 1, &target_recall) != 0) {
				hx_cli_error("compare", "'--target-recall' needs a number from 0 to 1, not '%s'", v);
				return 2;
			}
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--report"))) {
			if (!*v) {
				hx_cli_error("compare", "'--report' needs a file name");
				return 2;
			}
			report = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--seed"))) {
			if (hx_cli_parse_u64(v, &opt.seed) != 0) {
				hx_cli_error("compare", "'--seed' needs a number from 0 to 18446744073709551615, not '%s'", v);
				return 2;
			}
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--bootstrap"))) {
			int nb;
			if (hx_cli_parse_int(v, 100, 1000000, &nb) != 0) {
				hx_cli_error("compare", "'--bootstrap' needs a number from 100 to 1000000, not '%s'", v);
				return 2;
			}
			opt.bootstrap = (unsigned)nb;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			static const char *const options[] = {"--json", "--fail-on-change", "--alpha",
							       "--seed", "--bootstrap", "--target-recall",
							       "--report", "--help", NULL};
			hx_cli_unknown_option("compare", argv[i], NULL, options, "harness compare --help");
			return 2;
		} else if (nfiles == 2) {
			hx_cli_error("compare", "two calibrations, not more ('%s')", argv[i]);
			return 2;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (nfiles != 2) {
		fputs(usage, stderr);
		return 2;
	}
	{
		/* two threshold calibrations (scores tables)? */
		char *sa = NULL, *sb = NULL;
		int la = hx_series_scores_locate(&sa, files[0]);
		int lb = la == HX_EINVALID ? HX_ENOTFOUND : hx_series_scores_locate(&sb, files[1]);
		if (la == HX_EINVALID || lb == HX_EINVALID) {
			hx_cli_error("compare", "%s", hx_error_last());
			free(sa);
			free(sb);
			return 2;
		}
		if ((la == 0) != (lb == 0)) {
			hx_cli_error("compare",
				     "'%s' is a threshold calibration (scores) and '%s' is not: "
				     "compare like with like",
				     la == 0 ? files[0] : files[1], la == 0 ? files[1] : files[0]);
			free(sa);
			free(sb);
			return 2;
		}
		if (la == 0 && report) {
			hx_cli_error("compare", "'--report' is for calibrations; two threshold "
					       "calibrations (scores) have no HTML report");
			free(sa);
			free(sb);
			return 2;
		}
		if (la == 0) {
			int st = compare_threshold(sa, sb, sa, sb, opt.alpha, target_recall, json,
						   fail_on_change);
			free(sa);
			free(sb);
			return st;
		}
	}
	if ((err = load(&a, &ta, &has_a, files[0])) != 0) {
		hx_cli_error("compare", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	if ((err = load(&b, &tb, &has_b, files[1])) != 0) {
		hx_cli_error("compare", "%s", hx_error_last());
		hx_calib_release(&a);
		if (has_a)
			hx_task_outcomes_release(&ta);
		return hx_error_exit_status(err);
	}
	err = hx_compare(&r, &a, &b, has_a ? &ta : NULL, has_b ? &tb : NULL, &opt);
	if (err) {
		hx_cli_error("compare", "%s", hx_error_last());
		status = hx_error_exit_status(err);
	} else {
		if (json)
			hx_compare_format_json(&out, &r, files[0], files[1]);
		else
			hx_compare_format_text(&out, &r, files[0], files[1], flips ? SIZE_MAX : 20);
		fwrite(out.ptr, 1, out.len, stdout);
		status = fail_on_change && r.any_significant ? 1 : 0;
		if (fflush(stdout) != 0)
			status = 3;
		if (report) {
			hx_compare_report_info info;
			memset(&info, 0, sizeof(info));
			info.name_a = files[0];
			info.name_b = files[1];
			info.a = has_a ? &a : NULL;
			info.b = has_b ? &b : NULL;
			info.max_flips = 50;
			if ((err = hx_compare_report_write(report, &r, &info)) != 0) {
				hx_cli_error("compare", "%s", hx_error_last());
				status = hx_error_exit_status(err);
			}
		}
	}
	hx_buf_release(&out);
	hx_compare_release(&r);
	hx_calib_release(&a);
	hx_calib_release(&b);
	if (has_a)
		hx_task_outcomes_release(&ta);
	if (has_b)
		hx_task_outcomes_release(&tb);
	return status;
}
