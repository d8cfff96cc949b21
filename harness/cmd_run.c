/* cmd_run.c - harness run SPEC [--workers N] [--seed S] [--out DIR] [--resume] [--no-wait]
 * [--json] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "run.h"
#include "shard.h"
#include "series/series_run.h"
#include "series/series_replay.h"

static const char usage[] =
	"usage: harness run SPEC [--workers N] [--seed S] [--out DIR [--resume]] [--no-archive]\n"
	"                        [--pending-dir DIR] [--no-wait] [--no-report] [--json]\n"
	"       harness run SPEC --shard K/N [--workers N] [--seed S] [--out DIR [--resume]]\n"
	"       harness run SERIES [--workers N] [--out DIR] [--force] [--no-archive]\n"
	"                          [--no-wait]\n"
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
	"  --resume     continue the interrupted run in --out DIR: its remaining tasks,\n"
	"               or after them the snapshot, stages and archive\n"
	"  --no-archive do not write runs/<experiment>-<utc>-<hash8>.tar.zst\n"
	"  --no-report  do not write RUN/report.html and RUN/figures/ ('harness report\n"
	"               RUN' writes them later, the same)\n"
	"  --pending-dir DIR  on a golden mismatch or a missing golden, also copy\n"
	"               snapshots/<experiment>/ to DIR/<experiment>/ (for CI to keep\n"
	"               as an artifact: CI never writes golden/)\n"
	"  --no-wait    when another harness process holds snapshots/<experiment> or\n"
	"               its golden (a run, golden accept), fail at once (exit 2)\n"
	"               instead of waiting; the tasks done are kept: --resume ends it\n"
	"  --json       print the summary as one JSON object\n"
	"  --shard K/N  run only shard K (0-based) of N: the plan's tasks K, K+N,\n"
	"               K+2N, ... with the seeds they have in the whole run, into DIR\n"
	"               (default runs/<experiment>-<utc>-shard-K-of-N/): its telemetry\n"
	"               and shard.json; 'harness merge' of all N shard directories\n"
	"               finishes the run as an unsharded one, bit for bit\n"
	"\n"
	"A SERIES spec (one with 'steps:', experiments/exp-series/) runs its steps in\n"
	"the order their needs give, in the work directory runs/<experiment>/ (--out\n"
	"DIR instead); a step whose inputs and outputs are unchanged since the last\n"
	"invocation is skipped (up to date). Each step's table goes to the snapshot\n"
	"snapshots/<experiment>/<step>.jsonl and is checked against golden.\n"
	"  --force      run every step, up to date or not\n"
	"\n"
	"SIGINT or SIGTERM stops dispatching, terminates the running tasks, keeps\n"
	"the completed records (RUN/telemetry.jsonl.partial) and prints how to\n"
	"resume (exit 130); a second SIGINT ends the harness at once. A run stopped\n"
	"after its tasks (a crash, an interrupt while labeling) resumes the same way.\n"
	"\n"
	"Paths: snapshots/, golden/ and runs/ are relative to the current directory;\n"
	"files a spec names (models, profiles) are relative to the spec.\n"
	"exit status: 0 match (or no golden yet, outside CI), 1 golden mismatch\n"
	"(or, with CI set, no golden), 2 bad usage or spec, 3 engine or system failure,\n"
	"130 interrupted\n";

static const char *const options[] = {"--workers", "--seed", "--out", "--resume", "--no-archive",
				       "--pending-dir", "--json", "--force", "--no-wait", "--no-report",
				       "--shard", "--help", NULL};

/* A series spec: its steps, snapshot, golden verdicts, archive. */
static int run_series(hx_series_options *so, const char *text, size_t len)
{
	hx_series_result res;
	hx_buf out = HX_BUF_INIT;
	int err, status;

	so->spec_text = text;
	so->spec_text_len = len;
	so->ci = hx_cli_in_ci();
	so->progress = isatty(STDERR_FILENO) && !so->ci ? HX_PROGRESS_TTY : HX_PROGRESS_LINES;
	hx_cli_catch_interrupts(&so->cancel);
	hx_series_result_init(&res);
	err = hx_series_run(&res, so);
	if (err) {
		hx_cli_error("run", "%s", hx_error_last());
		hx_series_result_release(&res);
		return hx_error_exit_status(err);
	}
	hx_series_format(&out, &res);
	fwrite(out.ptr, 1, out.len, stdout);
	status = hx_series_exit_status(&res, so->ci);
	if (fflush(stdout) != 0) {
		hx_cli_error("run", "cannot write the summary to stdout");
		status = 3;
	}
	hx_buf_release(&out);
	hx_series_result_release(&res);
	return status;
}

int cmd_run(int argc, char **argv)
{
	hx_run_options opt;
	int i, json = 0, force = 0, no_wait = 0, status;
	hx_buf text = HX_BUF_INIT;
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
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--shard"))) {
			if (hx_shard_parse(&opt.shard, v) != 0) {
				hx_cli_error("run", "%s", hx_error_last());
				return 2;
			}
		} else if (strcmp(argv[i], "--resume") == 0) {
			opt.resume = 1;
		} else if (strcmp(argv[i], "--no-archive") == 0) {
			opt.no_archive = 1;
		} else if (strcmp(argv[i], "--no-report") == 0) {
			opt.no_report = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--pending-dir"))) {
			if (!*v) {
				hx_cli_error("run", "'--pending-dir' needs a directory");
				return 2;
			}
			pending_dir = v;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--force") == 0) {
			force = 1;
		} else if (strcmp(argv[i], "--no-wait") == 0) {
			no_wait = 1;
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
	hx_cli_locks("run", no_wait);
	/* From here on SIGINT/SIGTERM end the command with 130, loading
	 * included: a read of the spec or of a file it names stops for the
	 * flag (hx_file_set_cancel), and the run stops before its first task.
	 * The run and the series set the same handler again. */
	hx_cli_catch_interrupts(&opt.cancel);
	{
		int err = hx_file_read_spec(&text, opt.spec_path), st;
		if (err) {
			hx_cli_error("run", "%s", hx_error_last());
			hx_buf_release(&text);
			return hx_error_exit_status(err);
		}
		if (hx_series_is_series(text.ptr, text.len)) {
			hx_series_options so;
			const char *bad = opt.has_seed ? "--seed" : opt.resume ? "--resume"
				: opt.shard.n ? "--shard"
				: pending_dir ? "--pending-dir" : json ? "--json" : NULL;
			if (bad) {
				hx_cli_error("run", "'%s' applies to calibration specs, not to the series '%s'",
					     bad, opt.spec_path);
				hx_buf_release(&text);
				return 2;
			}
			memset(&so, 0, sizeof(so));
			so.spec_path = opt.spec_path;
			so.workers = opt.workers;
			so.force = force;
			so.out_dir = opt.out_dir;
			so.no_archive = opt.no_archive;
			st = run_series(&so, text.ptr, text.len);
			hx_buf_release(&text);
			return st;
		}
	}
	if (force) {
		hx_cli_error("run", "'--force' applies to series specs; '%s' is a calibration spec",
			     opt.spec_path);
		status = 2;
	} else if (opt.resume && !opt.out_dir) {
		hx_cli_error("run", "'--resume' needs '--out DIR', the interrupted run's directory");
		status = 2;
	} else if (opt.shard.n && (pending_dir || opt.no_archive || opt.no_report)) {
		hx_cli_error("run", "'%s' does not apply to a shard, which writes only its telemetry "
			     "('harness merge' does the rest)",
			     pending_dir ? "--pending-dir" : opt.no_archive ? "--no-archive" : "--no-report");
		status = 2;
	} else if (pending_dir && hx_output_check_dir(pending_dir, "'--pending-dir'") != 0) {
		hx_cli_error("run", "%s", hx_error_last());
		status = 2;
	} else {
		/* The text read above is what runs and what the archive keeps:
		 * the spec is read once, so an edit while the run goes on
		 * changes neither. */
		opt.spec_text = text.ptr;
		opt.spec_text_len = text.len;
		status = hx_cli_run_spec_pending("run", &opt, json, 1, pending_dir);
	}
	hx_buf_release(&text);
	return status;
}
