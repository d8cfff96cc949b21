/* cmd_nightly.c - harness nightly [--tag TAG] [--specs DIR] [--reports DIR] [--workers N]
 * [--history N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "nightly.h"
#include "report/nightly_report.h"
#include "series/series_run.h"
#include "run.h"
#include "snapshot.h"

static const char usage[] =
	"usage: harness nightly [--tag TAG] [--specs DIR] [--reports DIR] [--workers N]\n"
	"                       [--history N]\n"
	"\n"
	"The regression gate: run every spec under DIR (default: experiments,\n"
	"searched recursively, in path order) whose 'tags' include TAG (default:\n"
	"nightly), each as 'harness run' would (snapshot, golden check, calibration\n"
	"stages, archive), then write REPORTS/nightly.md (a table and each\n"
	"regression's diff), REPORTS/nightly.xml (JUnit XML) and REPORTS/nightly.html\n"
	"(the table, the diffs, and per experiment the history of its archived runs\n"
	"in runs/: per-tier rates with Wilson intervals and snapshot hash changes,\n"
	"figures in REPORTS/figures/nightly-*.svg), default REPORTS: reports. A spec under DIR that cannot be read counts as an error, and so\n"
	"does a tagged spec whose experiment name another spec under DIR gives\n"
	"(neither runs: their snapshots would overwrite each other).\n"
	"\n"
	"  --tag TAG      which specs to run (default: nightly)\n"
	"  --specs DIR    where the specs are (default: experiments)\n"
	"  --reports DIR  where the reports go (default: reports)\n"
	"  --workers N    tasks in flight per run (default: each spec's, else the\n"
	"                 number of cores)\n"
	"  --history N    the archived runs per experiment in nightly.html (default:\n"
	"                 30, the newest)\n"
	"\n"
	"With CI set, a missing golden is a regression too.\n"
	"exit status: 0 every run matched its golden (or has none yet, outside CI),\n"
	"1 a regression or a run that could not complete, 2 bad usage or no spec\n"
	"with the tag, 3 the reports could not be written, 130 interrupted\n";

typedef struct {
	const char *tag, *specs, *reports;
	int workers;
	int history;
} nightly_args;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_args(nightly_args *a, int argc, char **argv)
{
	const char *v;
	int i;

	a->tag = "nightly";
	a->specs = "experiments";
	a->reports = "reports";
	a->history = HX_NIGHTLY_HISTORY_DEFAULT;
	for (i = 1; i < argc; i++) {
		if ((v = hx_cli_option_value(argc, argv, &i, "--tag"))) {
			if (!*v) {
				hx_cli_error("nightly", "'--tag' needs a tag");
				return 2;
			}
			a->tag = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--specs"))) {
			if (!*v) {
				hx_cli_error("nightly", "'--specs' needs a directory");
				return 2;
			}
			a->specs = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--reports"))) {
			if (!*v) {
				hx_cli_error("nightly", "'--reports' needs a directory");
				return 2;
			}
			a->reports = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--workers"))) {
			if (hx_cli_parse_workers("nightly", v, &a->workers) != 0)
				return 2;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--history"))) {
			if (hx_cli_parse_int(v, 1, 100000, &a->history) != 0) {
				hx_cli_error("nightly", "'--history' needs a number of runs from 1 "
					     "to 100000, not '%s'", v);
				return 2;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			static const char *const options[] = {"--tag", "--specs", "--reports", "--workers",
							       "--history", "--help", NULL};
			hx_cli_unknown_option("nightly", argv[i], NULL, options, "harness nightly --help");
			return 2;
		} else {
			hx_cli_error("nightly", "unknown argument '%s' (see 'harness nightly --help')",
				     argv[i]);
			return 2;
		}
	}
	/* the reports are written last: their directory is checked first */
	if (hx_output_prepare(a->reports, 1, "the reports directory") != 0) {
		hx_cli_error("nightly", "%s", hx_error_last());
		return 2;
	}
	return 0;
}

/* Run one spec into its report entry; HX_EINTERRUPTED stops the nightly. */
static int run_one(hx_nightly_entry *e, const char *spec_path, const nightly_args *a, int ci,
		   const atomic_int *cancel)
{
	hx_run_options opt;
	hx_run_result res;
	double start = now_s();
	int err;

	memset(&opt, 0, sizeof(opt));
	opt.spec_path = spec_path;
	opt.workers = a->workers;
	opt.label = "harness nightly";
	opt.ci = ci;
	opt.progress = isatty(STDERR_FILENO) && !ci ? HX_PROGRESS_TTY : HX_PROGRESS_LINES;
	opt.cancel = cancel;
	hx_run_result_init(&res);
	if ((err = hx_run(&res, &opt)) != 0) {
		hx_cli_error("nightly", "%s", hx_error_last());
		hx_nightly_entry_set_error(e, hx_error_last());
	} else {
		fprintf(stderr, "harness nightly: %s: %zu tasks in %.2f s on %d worker%s, golden %s\n",
			res.experiment, res.tasks, res.elapsed_s, res.workers,
			res.workers == 1 ? "" : "s", hx_golden_verdict_name(res.golden.verdict));
		hx_nightly_entry_set_run(e, &res);
		/* The report's time is the whole run: the result's elapsed_s stops
		 * before the calibration stages and the archive. */
		e->elapsed_s = now_s() - start;
	}
	hx_error_clear();
	hx_run_result_release(&res);
	return err;
}

/* A series spec into its report entry: its snapshot's verdict (a step
 * that mismatches makes the whole a mismatch, its diff under the step's
 * name); failed runs make it an error. */
static int run_series(hx_nightly_entry *e, const char *spec_path, const nightly_args *a, int ci,
		      const atomic_int *cancel)
{
	hx_series_options opt;
	hx_series_result res;
	double start = now_s();
	size_t i;
	int err;

	memset(&opt, 0, sizeof(opt));
	opt.spec_path = spec_path;
	opt.workers = a->workers;
	opt.ci = ci;
	opt.label = "harness nightly";
	opt.progress = isatty(STDERR_FILENO) && !ci ? HX_PROGRESS_TTY : HX_PROGRESS_LINES;
	opt.cancel = cancel;
	hx_series_result_init(&res);
	if ((err = hx_series_run(&res, &opt)) != 0) {
		hx_cli_error("nightly", "%s", hx_error_last());
		hx_nightly_entry_set_error(e, hx_error_last());
	} else if (res.nfailures) {
		hx_buf msg = HX_BUF_INIT;
		hx_buf_printf(&msg, "%s: %zu run%s failed (%s%s)", spec_path, res.nfailures,
			      res.nfailures == 1 ? "" : "s", res.failures[0],
			      res.nfailures > 1 ? ", ..." : "");
		hx_cli_error("nightly", "%s", msg.ptr);
		hx_nightly_entry_set_error(e, msg.ptr);
		hx_buf_release(&msg);
	} else {
		hx_buf diff = HX_BUF_INIT;
		fprintf(stderr, "harness nightly: %s: %zu of %zu steps ran in %.2f s, golden %s\n",
			res.experiment, res.ran, res.nsteps, res.elapsed_s,
			hx_golden_verdict_name(res.verdict));
		e->ran = 1;
		e->verdict = res.verdict;
		memcpy(e->hash, res.hash, sizeof(e->hash));
		if (hx_snapshot_read_hash(res.golden_dir, e->golden_hash, NULL) != 0)
			e->golden_hash[0] = '\0';
		e->golden_dir = hx_xstrdup(res.golden_dir);
		for (i = 0; i < res.nsteps; i++) {
			const hx_golden_result *g = &res.steps[i].golden;
			e->records += res.steps[i].records;
			if (g->verdict != HX_GOLDEN_MISMATCH)
				continue;
			e->changed += g->diff.changed;
			e->added += g->diff.added;
			e->removed += g->diff.removed;
			hx_buf_printf(&diff, "  step %s:\n", res.steps[i].name);
			hx_buf_put(&diff, g->diff.text.ptr ? g->diff.text.ptr : "", g->diff.text.len);
		}
		if (diff.len)
			e->diff_text = hx_buf_detach(&diff, NULL);
		hx_buf_release(&diff);
		e->run_dir = hx_xstrdup(res.work_dir_shown);
		e->archive_path = res.archive_path ? hx_xstrdup(res.archive_path) : NULL;
		e->elapsed_s = now_s() - start;
	}
	hx_error_clear();
	hx_series_result_release(&res);
	return err;
}

int cmd_nightly(int argc, char **argv)
{
	nightly_args a;
	hx_golden_specs specs;
	hx_nightly_report rep;
	hx_nightly_counts counts;
	hx_buf out = HX_BUF_INIT;
	const atomic_int *cancel = NULL;
	size_t i, tagged = 0;
	double start = now_s();
	int err, status = 0, ci = hx_cli_in_ci(), interrupted = 0;

	if (argc >= 2 && hx_cli_is_help(argv[1])) {
		fputs(usage, stdout);
		return 0;
	}
	memset(&a, 0, sizeof(a));
	if ((status = parse_args(&a, argc, argv)) != 0)
		return status;
	hx_golden_specs_init(&specs);
	hx_nightly_report_init(&rep, a.tag, ci, time(NULL));
	if ((err = hx_golden_specs_scan(&specs, a.specs)) != 0) {
		if (err == HX_ENOTFOUND)
			hx_cli_error("nightly", "no spec directory '%s'", a.specs);
		else
			hx_cli_error("nightly", "%s", hx_error_last());
		status = err == HX_ENOTFOUND ? 2 : hx_error_exit_status(err);
		goto done;
	}
	for (i = 0; i < specs.n; i++)
		if (specs.items[i].experiment && hx_golden_spec_has_tag(&specs.items[i], a.tag))
			tagged++;
	if (!tagged) {
		for (i = 0; i < specs.n; i++)
			if (specs.items[i].error)
				hx_cli_error("nightly", "unreadable spec %s: %s", specs.items[i].path,
					     specs.items[i].error);
		hx_cli_error("nightly", "no spec in '%s' has the tag '%s'", a.specs, a.tag);
		status = 2;
		goto done;
	}

	hx_cli_locks("nightly", 0);
	hx_cli_catch_interrupts(&cancel);
	for (i = 0; i < specs.n && !interrupted; i++) {
		const hx_golden_spec *s = &specs.items[i];
		hx_nightly_entry *e;
		if (s->error) {
			/* It may be a nightly spec that someone broke: the gate says so
			 * rather than quietly running less. */
			hx_cli_error("nightly", "unreadable spec %s: %s", s->path, s->error);
			e = hx_nightly_report_add(&rep, s->path, s->path);
			hx_nightly_entry_set_error(e, s->error);
			continue;
		}
		if (!hx_golden_spec_has_tag(s, a.tag))
			continue;
		e = hx_nightly_report_add(&rep, s->experiment, s->path);
		if (s->duplicate) {
			/* Both would write snapshots/NAME: the second run's golden
			 * check would hide the first one's regression. */
			hx_buf msg = HX_BUF_INIT;
			hx_buf_printf(&msg, "%s: experiment '%s' is also named by %s: their "
					    "snapshots overwrite each other; give each spec its own name",
				      s->path, s->experiment, s->duplicate);
			hx_cli_error("nightly", "%s", msg.ptr);
			hx_nightly_entry_set_error(e, msg.ptr);
			hx_buf_release(&msg);
			continue;
		}
		if ((s->series ? run_series(e, s->path, &a, ci, cancel)
			       : run_one(e, s->path, &a, ci, cancel)) == HX_EINTERRUPTED)
			interrupted = 1;
	}
	rep.elapsed_s = now_s() - start;

	if ((err = hx_nightly_write(&rep, a.reports)) != 0 ||
	    (err = hx_nightly_write_html(&rep, a.reports, "runs", (size_t)a.history)) != 0) {
		hx_cli_error("nightly", "%s", hx_error_last());
		status = 3;
	}
	hx_nightly_format_summary(&out, &rep);
	if (!err)
		hx_buf_printf(&out, "reports: %s/nightly.md, %s/nightly.xml, %s/nightly.html\n",
			      a.reports, a.reports, a.reports);
	fwrite(out.ptr, 1, out.len, stdout);
	if (fflush(stdout) != 0) {
		hx_cli_error("nightly", "cannot write the summary to stdout");
		status = 3;
	}
	counts = hx_nightly_report_counts(&rep);
	fprintf(stderr, "harness nightly: %zu experiment%s in %.2f s\n", rep.n,
		rep.n == 1 ? "" : "s", rep.elapsed_s);
	if (interrupted)
		status = 130;
	else if (!status && (counts.failures || counts.errors))
		status = 1;
done:
	hx_buf_release(&out);
	hx_nightly_report_release(&rep);
	hx_golden_specs_release(&specs);
	return status;
}
