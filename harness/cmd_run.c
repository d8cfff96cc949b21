/* cmd_run.c - harness run SPEC [--workers N] [--seed S] [--out DIR] [--resume] [--json] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "run.h"

static const char usage[] =
	"usage: harness run SPEC [--workers N] [--seed S] [--out DIR [--resume]] [--no-archive]\n"
	"                        [--pending-dir DIR] [--json]\n"
	"\n"
	"Run the experiment SPEC (YAML) on its engine, write the raw telemetry and\n"
	"calibration.yaml to the run directory, the canonical snapshot to\n"
	"snapshots/<experiment>/, compare it with the spec's golden snapshot, and\n"
	"archive the run (replay it with 'harness replay ARCHIVE').\n"
	"\n"
	"  --workers N  tasks in flight (default: the spec's, else the number of cores);\n"
	"               results never depend on it\n"
	"  --seed S     master seed instead of the spec's (0 .. 2^64-1)\n"
	"  --out DIR    run directory (default: runs/<experiment>-<utc>/)\n"
	"  --resume     continue the interrupted run in --out DIR\n"
	"  --no-archive do not write runs/<experiment>-<utc>-<hash8>.tar.zst\n"
	"  --pending-dir DIR  on a golden mismatch or a missing golden, also copy\n"
	"               snapshots/<experiment>/ to DIR/<experiment>/ (for CI to keep\n"
	"               as an artifact: CI never writes golden/)\n"
	"  --json       print the summary as one JSON object\n"
	"\n"
	"SIGINT or SIGTERM stops dispatching, terminates the running tasks, keeps\n"
	"the completed records (RUN/telemetry.jsonl.partial) and prints how to\n"
	"resume (exit 130); a second SIGINT ends the harness at once.\n"
	"\n"
	"Paths: snapshots/, golden/ and runs/ are relative to the current directory;\n"
	"files a spec names (models, profiles) are relative to the spec.\n"
	"exit status: 0 match (or no golden yet, outside CI), 1 golden mismatch\n"
	"(or, with CI set, no golden), 2 bad usage or spec, 3 engine or system failure,\n"
	"130 interrupted\n";

static const char *const options[] = {"--workers", "--seed", "--out", "--resume", "--no-archive",
				       "--pending-dir", "--json", "--help", NULL};

int cmd_run(int argc, char **argv)
{
	hx_run_options opt;
	int i, json = 0;
	const char *v, *pending_dir = NULL;

	memset(&opt, 0, sizeof(opt));
	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--workers"))) {
			if (hx_cli_parse_workers("run", v, &opt.workers) != 0)
				return 2;
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
		} else if (strcmp(argv[i], "--resume") == 0) {
			opt.resume = 1;
		} else if (strcmp(argv[i], "--no-archive") == 0) {
			opt.no_archive = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--pending-dir"))) {
			if (!*v) {
				hx_cli_error("run", "'--pending-dir' needs a directory");
				return 2;
			}
			pending_dir = v;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			hx_cli_unknown_option("run", argv[i], NULL, options, "harness run --help");
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
	if (opt.resume && !opt.out_dir) {
		hx_cli_error("run", "'--resume' needs '--out DIR', the interrupted run's directory");
		return 2;
	}
	if (pending_dir && hx_output_check_dir(pending_dir, "'--pending-dir'") != 0) {
		hx_cli_error("run", "%s", hx_error_last());
		return 2;
	}
	return hx_cli_run_spec_pending("run", &opt, json, 1, pending_dir);
}
