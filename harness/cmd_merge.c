/* cmd_merge.c - harness merge SHARD_DIR... [--out RUN] [--spec SPEC] [--workers N]
 * [--no-archive] [--no-report] [--pending-dir DIR] [--no-wait] [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "merge.h"
#include "run.h"

static const char usage[] =
	"usage: harness merge SHARD_DIR... [--out RUN] [--spec SPEC] [--workers N]\n"
	"                     [--no-archive] [--no-report] [--pending-dir DIR] [--no-wait]\n"
	"                     [--json]\n"
	"\n"
	"Merge the shards of one run ('harness run SPEC --shard K/N', each in its own\n"
	"directory) into one run directory, and finish it as 'harness run' does:\n"
	"snapshot, golden check, calibration stages, summary, report and archive. The\n"
	"merged snapshot hash is the unsharded run's, and the archive replays as one.\n"
	"\n"
	"The shards must be one plan (the same spec bytes, seed, plan size and engine),\n"
	"complete, and together every shard 0..N-1 exactly once: what is missing,\n"
	"incomplete, truncated, overlapping or of another plan is named, and nothing\n"
	"is merged (exit 2).\n"
	"\n"
	"  --out RUN    run directory (default: runs/<experiment>-<utc>/); merging\n"
	"               again into the same RUN finishes a merge that was stopped\n"
	"  --spec SPEC  the spec, when the path the shards recorded is not right from\n"
	"               here (it must be the same bytes)\n"
	"  --workers N  workers of the label stage's votes (default: the spec's, else\n"
	"               the number of cores)\n"
	"  --no-archive, --no-report, --pending-dir DIR, --no-wait, --json\n"
	"               as for 'harness run'\n"
	"\n"
	"exit status: 0 match (or no golden yet, outside CI), 1 golden mismatch (or,\n"
	"with CI set, no golden), 2 bad usage or shards that do not merge, 3 engine or\n"
	"system failure, 130 interrupted\n";

static const char *const options[] = {"--out", "--spec", "--workers", "--no-archive",
				       "--no-report", "--pending-dir", "--no-wait", "--json",
				       "--help", NULL};

typedef struct {
	const char *const *dirs;
	size_t n;
} merge_args;

static int run_merge(hx_run_result *res, const hx_run_options *opt, void *ctx)
{
	const merge_args *a = ctx;
	return hx_merge(res, opt, a->dirs, a->n);
}

int cmd_merge(int argc, char **argv)
{
	hx_run_options opt;
	const char **dirs = calloc((size_t)argc + 1, sizeof(char *)), *v, *pending_dir = NULL;
	merge_args a;
	size_t n = 0;
	int i, json = 0, no_wait = 0, status;

	if (!dirs)
		hx_oom();
	memset(&opt, 0, sizeof(opt));
	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			free(dirs);
			return 0;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--out"))) {
			if (!*v) {
				hx_cli_error("merge", "'--out' needs a directory");
				goto bad;
			}
			opt.out_dir = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--spec"))) {
			if (!*v) {
				hx_cli_error("merge", "'--spec' needs a spec file");
				goto bad;
			}
			opt.spec_path = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--workers"))) {
			if (hx_cli_parse_workers("merge", v, &opt.workers) != 0)
				goto bad;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--pending-dir"))) {
			if (!*v || hx_output_check_dir(v, "'--pending-dir'") != 0) {
				hx_cli_error("merge", "%s", *v ? hx_error_last()
							      : "'--pending-dir' needs a directory");
				goto bad;
			}
			pending_dir = v;
		} else if (strcmp(argv[i], "--no-archive") == 0) {
			opt.no_archive = 1;
		} else if (strcmp(argv[i], "--no-report") == 0) {
			opt.no_report = 1;
		} else if (strcmp(argv[i], "--no-wait") == 0) {
			no_wait = 1;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			hx_cli_unknown_option("merge", argv[i], NULL, options, "harness merge --help");
			goto bad;
		} else {
			dirs[n++] = argv[i];
		}
	}
	if (n == 0) {
		fputs(usage, stderr);
		goto bad;
	}
	hx_cli_locks("merge", no_wait);
	a.dirs = dirs;
	a.n = n;
	status = hx_cli_run_with("merge", &opt, json, 1, pending_dir, run_merge, &a);
	free(dirs);
	return status;
bad:
	free(dirs);
	return 2;
}
