/* cmd_replay.c - harness replay ARCHIVE [--workers N] [--work DIR]
 *                [--engine FILE] [--engine-root DIR] [--json] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "canon.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "archive.h"
#include "replay.h"
#include "series/series_replay.h"

static const char usage[] =
	"usage: harness replay ARCHIVE [--workers N] [--work DIR] [--engine FILE]\n"
	"                      [--engine-root DIR] [--json]\n"
	"\n"
	"Verify every member of a run archive against its manifest, run the\n"
	"archived resolved spec again (same seed, same models) in a work\n"
	"directory, and compare: the canonical snapshot hash, and the fitted models\n"
	"(calibration.yaml without its date and spec path, noise_config.yaml,\n"
	"labels.jsonl). Prints 'replay: identical', or the structured diff.\n"
	"For real engines the canonical profile decides what must match; the\n"
	"report counts the raw records that differ only in what it strips or rounds\n"
	"(timings), and when it strips duration_ms, what durations decide (duration\n"
	"fits, timeout distributions, cross-tier checks) is not compared.\n"
	"\n"
	"  --workers N      tasks in flight (default: the archived run's count)\n"
	"  --work DIR       run here and keep it (default: a temporary directory)\n"
	"  --engine FILE    replay on another engine: FILE's `engine:` mapping\n"
	"                   replaces the archived one (e.g. a newer Lean)\n"
	"  --engine-root DIR  the engine's project root instead of the archived one\n"
	"  --json           the verdict as one JSON object\n"
	"\n"
	"An archive of a series run (harness run SERIES) is replayed the same way:\n"
	"every step runs again from its spec (on the engine the spec names, found\n"
	"on PATH) and each step's table must hash as archived.\n"
	"\n"
	"exit status: 0 identical, 1 differs or the archive fails verification,\n"
	"2 bad usage or input, 3 engine or system failure, 130 interrupted\n";

static void print_text(const hx_replay_result *r, const char *archive, int identical)
{
	printf("replay      %s (experiment %s, seed %s, engine %s)\n", archive, r->experiment,
	       r->seed, r->engine_version);
	printf("verify      %zu members match the manifest\n", r->members);
	if (strcmp(r->engine_version, r->replay_engine) != 0)
		printf("engine      replayed on %s\n", r->replay_engine);
	printf("snapshot    %s archived, %s replayed: %s\n", r->archived_hash, r->replayed_hash,
	       r->snapshot_identical ? "identical" : "different");
	if (!r->snapshot_identical) {
		printf("  %zu records archived, %zu replayed: %zu changed, %zu added, %zu removed\n",
		       r->diff.old_records, r->diff.new_records, r->diff.changed, r->diff.added,
		       r->diff.removed);
		fwrite(r->diff.text.ptr, 1, r->diff.text.len, stdout);
	}
	if (r->raw_records_differing)
	{
		if (r->stripped_beyond)
			printf("raw         %zu records differ only in fields profile '%s' strips or "
			       "rounds\n",
			       r->raw_records_differing, r->profile);
		else
			printf("raw         %zu records differ within the profile's rounding of %s\n",
			       r->raw_records_differing,
			       r->rounded_fields.ptr ? r->rounded_fields.ptr : "");
	}
	if (r->timing_not_compared)
		printf("timing      not compared: the profile strips duration_ms (duration fits, "
		       "timeout distributions, cross-tier checks, validation verdict)\n");
	if (r->models_identical)
		printf("models      identical (calibration.yaml, noise_config.yaml, labels.jsonl)\n");
	else
		printf("models      different:\n%s", r->models_report.ptr ? r->models_report.ptr : "");
	printf("replay: %s\n", identical ? "identical" : "differs");
}

static void print_json(const hx_replay_result *r, const char *archive, int identical)
{
	hx_buf b = HX_BUF_INIT;
	hx_buf_puts(&b, "{\"archive\":");
	hx_canon_write_cstr(&b, archive);
	hx_buf_puts(&b, ",\"experiment\":");
	hx_canon_write_cstr(&b, r->experiment);
	hx_buf_puts(&b, ",\"seed\":");
	hx_canon_write_cstr(&b, r->seed);
	hx_buf_puts(&b, ",\"engine\":");
	hx_canon_write_cstr(&b, r->engine_version);
	hx_buf_puts(&b, ",\"replay_engine\":");
	hx_canon_write_cstr(&b, r->replay_engine);
	hx_buf_printf(&b, ",\"members\":%zu,\"archived_hash\":\"%s\",\"replayed_hash\":\"%s\","
			  "\"snapshot_identical\":%s,\"changed\":%zu,\"added\":%zu,\"removed\":%zu,"
			  "\"raw_records_differing\":%zu,\"timing_compared\":%s,\"models_identical\":%s,"
			  "\"identical\":%s}\n",
		      r->members, r->archived_hash, r->replayed_hash,
		      r->snapshot_identical ? "true" : "false", r->diff.changed, r->diff.added,
		      r->diff.removed, r->raw_records_differing,
		      r->timing_not_compared ? "false" : "true", r->models_identical ? "true" : "false",
		      identical ? "true" : "false");
	fwrite(b.ptr, 1, b.len, stdout);
	hx_buf_release(&b);
}

static const char *const options[] = {"--workers", "--work", "--engine-root", "--engine", "--json",
				       "--help", NULL};

int cmd_replay(int argc, char **argv)
{
	hx_replay_options opt;
	hx_replay_result r;
	int i, json = 0, err, identical;
	const char *v;

	memset(&opt, 0, sizeof(opt));
	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--workers"))) {
			if (hx_cli_parse_workers("replay", v, &opt.workers) != 0)
				return 2;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--work"))) {
			opt.work_dir = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--engine-root"))) {
			opt.engine_root = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--engine"))) {
			opt.engine_file = v;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			hx_cli_unknown_option("replay", argv[i], NULL, options, "harness replay --help");
			return 2;
		} else if (opt.archive_path) {
			hx_cli_error("replay", "one archive at a time ('%s' and '%s')", opt.archive_path,
				     argv[i]);
			return 2;
		} else {
			opt.archive_path = argv[i];
		}
	}
	if (!opt.archive_path) {
		fputs(usage, stderr);
		return 2;
	}
	if ((opt.work_dir && !*opt.work_dir) || (opt.engine_root && !*opt.engine_root) ||
	    (opt.engine_file && !*opt.engine_file)) {
		hx_cli_error("replay", "an option is missing its value");
		return 2;
	}
	opt.progress = hx_cli_in_ci() || !isatty(STDERR_FILENO) ? HX_PROGRESS_LINES : HX_PROGRESS_TTY;
	hx_cli_catch_interrupts(&opt.cancel);
	{
		/* a series run's archive has a series spec */
		hx_archive_contents c;
		memset(&c, 0, sizeof(c));
		if ((err = hx_archive_read(&c, opt.archive_path)) != 0) {
			hx_cli_error("replay", "%s", hx_error_last());
			return err == HX_EMISMATCH ? 1 : hx_error_exit_status(err);
		}
		if (hx_series_archive_is_series(&c)) {
			hx_series_replay_options so;
			hx_series_replay_result sr;
			hx_buf out = HX_BUF_INIT;
			int same;
			if (json || opt.engine_file || opt.engine_root) {
				hx_cli_error("replay", "'%s' does not apply to a series archive",
					     json ? "--json" : opt.engine_file ? "--engine" : "--engine-root");
				hx_archive_contents_release(&c);
				return 2;
			}
			memset(&so, 0, sizeof(so));
			so.archive_path = opt.archive_path;
			so.work_dir = opt.work_dir;
			so.workers = opt.workers;
			so.progress = opt.progress;
			so.cancel = opt.cancel;
			hx_series_replay_result_init(&sr);
			err = hx_series_replay(&sr, &c, &so);
			hx_archive_contents_release(&c);
			if (err) {
				hx_cli_error("replay", "%s", hx_error_last());
				hx_series_replay_result_release(&sr);
				return hx_error_exit_status(err);
			}
			hx_series_replay_format(&out, &sr);
			fwrite(out.ptr, 1, out.len, stdout);
			same = sr.identical;
			hx_buf_release(&out);
			hx_series_replay_result_release(&sr);
			return fflush(stdout) != 0 ? 3 : same ? 0 : 1;
		}
		hx_replay_result_init(&r);
		opt.contents = &c; /* read and verified once */
		err = hx_replay(&r, &opt);
		hx_archive_contents_release(&c);
	}
	if (err) {
		hx_cli_error("replay", "%s", hx_error_last());
		hx_replay_result_release(&r);
		return err == HX_EMISMATCH ? 1 : hx_error_exit_status(err);
	}
	identical = r.snapshot_identical && r.models_identical;
	if (json)
		print_json(&r, opt.archive_path, identical);
	else
		print_text(&r, opt.archive_path, identical);
	hx_replay_result_release(&r);
	return fflush(stdout) != 0 ? 3 : identical ? 0 : 1;
}
