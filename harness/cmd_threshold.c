/* cmd_threshold.c - harness threshold FILE --score FIELD --label FIELD
 *                   [--positive VALUE] [--target-recall R]
 *                   [--quantiles A:B:N | --tau-start X --tau-stop Y --tau-step Z]
 *                   [--json] [--out FILE] [--report FILE.html] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "report/threshold_report.h"
#include "threshold/threshold.h"

static const char usage[] =
	"usage: harness threshold FILE --score FIELD --label FIELD [--positive VALUE]\n"
	"                         [--target-recall R] [--quantiles A:B:N |\n"
	"                         --tau-start X --tau-stop Y --tau-step Z] [--json] [--out FILE]\n"
	"                         [--report FILE.html]\n"
	"\n"
	"Calibrate a monitor's threshold tau from scored samples (JSONL, one\n"
	"object per line; FILE '-' is stdin), in two passes: the scores are read\n"
	"once, then every tau is swept over them. A sample is flagged when its\n"
	"score >= tau. Prints the score range, the positive rate, AUROC with\n"
	"DeLong's 95% interval, average precision and the trapezoidal PR-AUC\n"
	"(scikit-learn's definitions), the tau table (precision, recall, F1,\n"
	"FPR, flagged) and the best tau: the highest precision among the taus\n"
	"with recall >= R (ties to the larger tau).\n"
	"\n"
	"  --score FIELD      the score's field; a.b.c for nested objects\n"
	"  --label FIELD      the label's field: true/false or 1/0\n"
	"  --positive VALUE   the label value that is positive (a string's text,\n"
	"                     or a number or true/false); every other one is negative\n"
	"  --target-recall R  the recall the best tau must reach (default 0.9)\n"
	"  --quantiles A:B:N  tau at N type-7 quantiles of the scores from A to B\n"
	"                     (default 0.6:0.99:40)\n"
	"  --tau-start X --tau-stop Y --tau-step Z\n"
	"                     tau from X to Y by Z instead\n"
	"  --json             one JSON object (RFC 8785)\n"
	"  --out FILE         write there (atomically) instead of stdout\n"
	"  --report FILE.html also write an HTML report there: the summary, the ROC\n"
	"                     and precision-recall curves and precision, recall and F1\n"
	"                     against tau (the chosen tau marked), and the tau table;\n"
	"                     the figures beside it in figures/ (FILE.html's stem\n"
	"                     and '-' before roc.svg, pr.svg, tau.svg; none for\n"
	"                     report.html)\n"
	"\n"
	"exit status: 0 ok, 2 bad usage or input, 3 system failure\n";

typedef struct {
	const char *file, *out, *quantiles, *report;
	const char *tau[3]; /* --tau-start, --tau-stop, --tau-step */
	hx_score_fields fields;
	double target_recall;
	int json;
} options;

static const char *const known[] = {"--score",     "--label",     "--positive", "--target-recall",
				    "--quantiles", "--tau-start", "--tau-stop", "--tau-step",
				    "--json",      "--out",       "--report",   "--help",     NULL};

/* The options into *o: 0, or the exit status after the error is said
 * (-1: --help was printed). */
static int parse(options *o, int argc, char **argv)
{
	/* where each option of known[] goes (--target-recall and --json are
	 * taken apart) */
	const char **slot[] = {&o->fields.score, &o->fields.label, &o->fields.positive, NULL,
			       &o->quantiles,    &o->tau[0],       &o->tau[1],          &o->tau[2],
			       NULL,             &o->out,          &o->report};
	int a;
	memset(o, 0, sizeof(*o));
	o->target_recall = 0.9;
	for (a = 1; a < argc; a++) {
		const char *opt = argv[a], *v = NULL;
		size_t k;
		if (hx_cli_is_help(opt)) {
			fputs(usage, stdout);
			return -1;
		}
		if (strcmp(opt, "--json") == 0) {
			o->json = 1;
			continue;
		}
		for (k = 0; k < sizeof(slot) / sizeof(slot[0]); k++)
			if (k != 8 && (v = hx_cli_option_value(argc, argv, &a, known[k])) != NULL)
				break;
		if (v && !*v) {
			hx_cli_error("threshold", "'%s' needs a value (see 'harness threshold --help')",
				     known[k]);
			return 2;
		}
		if (v && k == 3) {
			if (hx_cli_parse_double(v, 0, 1, &o->target_recall) != 0) {
				hx_cli_error("threshold",
					     "'--target-recall' needs a number from 0 to 1, not '%s'", v);
				return 2;
			}
		} else if (v) {
			*slot[k] = v;
		} else if (opt[0] == '-' && opt[1] != '\0') {
			hx_cli_unknown_option("threshold", opt, NULL, known, "harness threshold --help");
			return 2;
		} else if (o->file) {
			hx_cli_error("threshold", "one file at a time ('%s' and '%s')", o->file, opt);
			return 2;
		} else {
			o->file = opt;
		}
	}
	if (!o->file) {
		fputs(usage, stderr);
		return 2;
	}
	if (!o->fields.score || !o->fields.label) {
		hx_cli_error("threshold", "'%s' is required (the field with each sample's %s)",
			     o->fields.score ? "--label" : "--score",
			     o->fields.score ? "label" : "score");
		return 2;
	}
	return 0;
}

/* The tau grid the options ask for: 0, or 2 after the error is said. */
static int grid_of(hx_tau_grid *g, const options *o)
{
	static const char *const names[3] = {"--tau-start", "--tau-stop", "--tau-step"};
	double v[3];
	int given = 0, k;
	for (k = 0; k < 3; k++)
		given += o->tau[k] != NULL;
	if (given && o->quantiles) {
		hx_cli_error("threshold", "either '--quantiles' or '--tau-start/--tau-stop/--tau-step', "
					  "not both");
		return 2;
	}
	if (given && given < 3) {
		hx_cli_error("threshold", "'--tau-start', '--tau-stop' and '--tau-step' go together");
		return 2;
	}
	if (!given) {
		hx_tau_grid_default(g);
		if (o->quantiles && hx_tau_grid_quantiles(g, o->quantiles) != 0) {
			hx_cli_error("threshold", "%s", hx_error_last());
			return 2;
		}
		return 0;
	}
	for (k = 0; k < 3; k++)
		if (hx_cli_parse_double(o->tau[k], -1e300, 1e300, &v[k]) != 0) {
			hx_cli_error("threshold", "'%s' needs a number, not '%s'", names[k], o->tau[k]);
			return 2;
		}
	if (hx_tau_grid_range(g, v[0], v[1], v[2]) != 0) {
		hx_cli_error("threshold", "%s", hx_error_last());
		return 2;
	}
	return 0;
}

int cmd_threshold(int argc, char **argv)
{
	options o;
	hx_tau_grid grid;
	hx_scores *scores = NULL;
	hx_threshold_result r;
	hx_buf out = HX_BUF_INIT;
	int status, rc;

	hx_threshold_result_init(&r);
	if ((status = parse(&o, argc, argv)) != 0 || (status = grid_of(&grid, &o)) != 0)
		goto done;
	if ((o.out && hx_output_prepare(o.out, 0, "--out") != 0) ||
	    (o.report && hx_output_prepare(o.report, 0, "--report") != 0)) {
		hx_cli_error("threshold", "%s", hx_error_last());
		status = 2;
		goto done;
	}
	scores = hx_scores_new();
	if ((rc = hx_scores_read_jsonl(scores, o.file, &o.fields)) != 0) {
		hx_cli_error("threshold", "%s", hx_error_last());
		status = hx_error_exit_status(rc);
		goto done;
	}
	if ((rc = hx_threshold_sweep(&r, scores, &grid, o.target_recall)) != 0) {
		hx_cli_error("threshold", "%s: %s", strcmp(o.file, "-") ? o.file : "<stdin>",
			     hx_error_last());
		status = hx_error_exit_status(rc);
		goto done;
	}
	if (o.report) {
		hx_buf t = HX_BUF_INIT;
		hx_buf_printf(&t, "threshold: %s", strcmp(o.file, "-") ? o.file : "<stdin>");
		rc = hx_threshold_report_write(o.report, &r, scores, t.ptr);
		hx_buf_release(&t);
		if (rc != 0) {
			hx_cli_error("threshold", "%s", hx_error_last());
			status = hx_error_exit_status(rc);
			goto done;
		}
	}
	if (o.json)
		hx_threshold_format_json(&out, &r);
	else
		hx_threshold_format_text(&out, &r);
	if (o.out) {
		if (hx_file_write_atomic(o.out, out.ptr, out.len) != 0) {
			hx_cli_error("threshold", "%s", hx_error_last());
			status = 3;
		}
	} else {
		fwrite(out.ptr, 1, out.len, stdout);
		if (fflush(stdout) != 0)
			status = 3;
	}
done:
	hx_buf_release(&out);
	hx_threshold_result_release(&r);
	hx_scores_free(scores);
	return status < 0 ? 0 : status;
}
