/* cmd_report.c - harness report RUN_DIR|ARCHIVE [--out FILE]: rebuild a
 * run's report.html (report/run_report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "report/run_report.h"

static const char usage[] =
	"usage: harness report RUN_DIR|ARCHIVE [--out FILE]\n"
	"\n"
	"Build the HTML report of a calibration run: RUN_DIR/report.html, or for a\n"
	"run's archive (runs/NAME.tar.zst) runs/NAME.html, with each figure as an SVG\n"
	"file in figures/ beside it. The report is built from the run's files alone\n"
	"(telemetry.jsonl, labels.jsonl, calibration.yaml, golden.txt, summary.txt), so\n"
	"it is the same, byte for byte, as the one the run wrote.\n"
	"\n"
	"  --out FILE   write the report to FILE (figures in FILE's directory, figures/)\n"
	"\n"
	"exit status: 0 ok, 2 not a run directory or archive, or a bad file,\n"
	"3 a file could not be written\n";

int cmd_report(int argc, char **argv)
{
	const char *in = NULL, *out = NULL, *v;
	char *where = NULL;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		}
		if ((v = hx_cli_option_value(argc, argv, &i, "--out")) != NULL) {
			if (!*v) {
				hx_cli_error("report", "'--out' needs a file");
				return 2;
			}
			out = v;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			static const char *const options[] = {"--out", "--help", NULL};
			hx_cli_unknown_option("report", argv[i], NULL, options,
					      "harness report --help");
			return 2;
		} else if (in) {
			hx_cli_error("report", "one run at a time ('%s' and '%s')", in, argv[i]);
			return 2;
		} else {
			in = argv[i];
		}
	}
	if (!in) {
		fputs(usage, stderr);
		return 2;
	}
	if (hx_is_dir(in)) {
		where = out ? strdup(out) : hx_path_join(in, "report.html");
		err = hx_report_run(in, out);
	} else if (hx_path_exists(in)) {
		where = out ? strdup(out) : hx_report_archive_default(in);
		err = hx_report_archive(in, out);
	} else {
		hx_cli_error("report", "'%s': no such run directory or archive", in);
		return 2;
	}
	if (err) {
		hx_cli_error("report", "%s", hx_error_last());
		free(where);
		return hx_error_exit_status(err);
	}
	printf("report      %s\n", where);
	free(where);
	return 0;
}
