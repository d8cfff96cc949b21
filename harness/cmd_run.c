/* cmd_run.c - harness run SPEC [--workers N] [--seed S] [--out DIR] [--json] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "run.h"

static const char usage[] =
	"usage: harness run SPEC [--workers N] [--seed S] [--out DIR] [--json]\n"
	"\n"
	"Run the experiment SPEC (YAML) on its engine, write the raw telemetry and\n"
	"calibration.yaml to the run directory, the canonical snapshot to\n"
	"snapshots/<experiment>/, and compare it with the spec's golden snapshot.\n"
	"\n"
	"  --workers N  tasks in flight (default: the spec's, else the number of cores);\n"
	"               results never depend on it\n"
	"  --seed S     master seed instead of the spec's (0 .. 2^64-1)\n"
	"  --out DIR    run directory (default: runs/<experiment>-<utc>/)\n"
	"  --json       print the summary as one JSON object\n"
	"\n"
	"Paths: snapshots/, golden/ and runs/ are relative to the current directory;\n"
	"files a spec names (models, profiles) are relative to the spec.\n"
	"exit status: 0 match (or no golden yet, outside CI), 1 golden mismatch\n"
	"(or, with CI set, no golden), 2 bad usage or spec, 3 engine or system failure\n";

int cmd_run(int argc, char **argv)
{
	hx_run_options opt;
	hx_run_result res;
	hx_buf out = HX_BUF_INIT;
	int i, json = 0, err, status;
	const char *v;

	memset(&opt, 0, sizeof(opt));
	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--workers"))) {
			if (hx_cli_parse_int(v, 1, 1024, &opt.workers) != 0) {
				hx_cli_error("run", "'--workers' needs a number from 1 to 1024, not '%s'", v);
				return 2;
			}
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--seed"))) {
			if (hx_cli_parse_u64(v, &opt.seed) != 0) {
				hx_cli_error("run", "'--seed' needs a number from 0 to 18446744073709551615, not '%s'", v);
				return 2;
			}
			opt.has_seed = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--out"))) {
			if (!*v) {
				hx_cli_error("run", "'--out' needs a directory");
				return 2;
			}
			opt.out_dir = v;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			hx_cli_error("run", "unknown option '%s' (see 'harness run --help')", argv[i]);
			return 2;
		} else if (opt.spec_path) {
			hx_cli_error("run", "one spec at a time ('%s' and '%s')", opt.spec_path, argv[i]);
			return 2;
		} else {
			opt.spec_path = argv[i];
		}
	}
	if (!opt.spec_path) {
		fputs(usage, stderr);
		return 2;
	}
	opt.ci = hx_cli_in_ci();
	opt.progress = isatty(STDERR_FILENO) && !opt.ci ? HX_PROGRESS_TTY : HX_PROGRESS_LINES;

	hx_run_result_init(&res);
	err = hx_run(&res, &opt);
	if (err) {
		hx_cli_error("run", "%s", hx_error_last());
		hx_run_result_release(&res);
		return hx_error_exit_status(err);
	}
	if (opt.progress != HX_PROGRESS_NONE)
		fprintf(stderr, "harness run: %s: %zu tasks in %.2f s on %d worker%s\n",
			res.experiment, res.tasks, res.elapsed_s, res.workers,
			res.workers == 1 ? "" : "s");
	if (json)
		hx_run_format_json(&out, &res);
	else
		hx_run_format_summary(&out, &res);
	fwrite(out.ptr, 1, out.len, stdout);
	status = hx_run_exit_status(&res, opt.ci);
	if (fflush(stdout) != 0) {
		hx_cli_error("run", "cannot write the summary to stdout");
		status = 3;
	}
	hx_buf_release(&out);
	hx_run_result_release(&res);
	return status;
}
