/* cmd_slurm.c - harness slurm SPEC --shards N [...] [--submit] | resubmit RUN | status RUN:
 * the shards of one plan as a Slurm array job and a merge job after it. */
#include <dirent.h>
#include <errno.h>
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
#include "series/series_spec.h"
#include "slurm/slurm.h"
#include "spec.h"

static const char usage[] =
	"usage: harness slurm SPEC --shards N [--partition P] [--time T] [--cpus-per-task C]\n"
	"                    [--mem M] [--account A] [--max-parallel M] [--seed S] [--out RUN]\n"
	"                    [--submit]\n"
	"       harness slurm resubmit RUN [--partition P] [--time T] [--cpus-per-task C]\n"
	"                    [--mem M] [--account A] [--max-parallel M]\n"
	"       harness slurm status RUN\n"
	"\n"
	"Run the plan of SPEC as N shards on Slurm: an array job whose task K runs\n"
	"'harness run SPEC --shard K/N --out RUN/shards/K' with --workers from the\n"
	"allocation (SLURM_CPUS_PER_TASK), and a merge job after it (afterok) that runs\n"
	"'harness merge RUN/shards/0 ... --out RUN/merged': the unsharded run's snapshot,\n"
	"golden check, calibration and archive, bit for bit.\n"
	"\n"
	"Writes RUN/slurm/shard.sbatch and RUN/slurm/merge.sbatch (RUN defaults to\n"
	"runs/<experiment>-<utc>-slurm) and prints how to submit them; the jobs run in\n"
	"the current directory, which the spec's paths are relative to.\n"
	"  --shards N          shards of the plan (1..100000): shard K has tasks K, K+N, ...\n"
	"  --partition P, --time T, --cpus-per-task C, --mem M, --account A\n"
	"                      passed to sbatch (in both scripts)\n"
	"  --max-parallel M    at most M array tasks at once (--array=0-(N-1)%M)\n"
	"  --seed S            master seed instead of the spec's\n"
	"  --out RUN           the run directory; RUN of an earlier 'harness slurm'\n"
	"                      (same SPEC and --shards) submits again what is not complete\n"
	"  --submit            submit with sbatch, print the job ids (RUN/slurm/jobs.json)\n"
	"\n"
	"resubmit RUN: submit the shards whose shard.json is not complete (the merge\n"
	"only when all are; nothing when RUN/merged is done); options given replace\n"
	"those of the first submission (RUN/slurm/submit.json).\n"
	"status RUN: each shard done / running / failed / pending from its manifest,\n"
	"with the scheduler's state (sacct, else scontrol), totals and the merge.\n"
	"exit status: 0 ok, 2 bad usage or input (or a RUN that is not one), 3 sbatch\n"
	"missing or failing\n";

static const char *const options[] = {"--shards", "--partition", "--time", "--cpus-per-task",
				       "--mem", "--account", "--max-parallel", "--seed",
				       "--out", "--submit", "--help", NULL};

/* The scheduler options of the command line (NULL / 0: not given). */
typedef struct {
	const char *partition, *time, *mem, *account;
	int cpus_per_task, max_parallel;
} sched_opts;

static void replace(char **dst, const char *v)
{
	if (v) {
		free(*dst);
		*dst = hx_xstrdup(v);
	}
}

static void apply_opts(hx_slurm_job *j, const sched_opts *o)
{
	replace(&j->partition, o->partition);
	replace(&j->time, o->time);
	replace(&j->mem, o->mem);
	replace(&j->account, o->account);
	if (o->cpus_per_task)
		j->cpus_per_task = o->cpus_per_task;
	if (o->max_parallel)
		j->max_parallel = o->max_parallel;
}

/* A scheduler option at argv[*i]: 1 taken, 0 not one, -1 bad value. */
static int sched_option(sched_opts *o, int argc, char **argv, int *i)
{
	const char *v;
	const char **str = NULL;
	if ((v = hx_cli_option_value(argc, argv, i, "--partition")))
		str = &o->partition;
	else if ((v = hx_cli_option_value(argc, argv, i, "--time")))
		str = &o->time;
	else if ((v = hx_cli_option_value(argc, argv, i, "--mem")))
		str = &o->mem;
	else if ((v = hx_cli_option_value(argc, argv, i, "--account")))
		str = &o->account;
	if (str) {
		if (!*v) {
			hx_cli_error("slurm", "'%s' needs a value", argv[*i - (argv[*i] == v ? 1 : 0)]);
			return -1;
		}
		*str = v;
		return 1;
	}
	if ((v = hx_cli_option_value(argc, argv, i, "--cpus-per-task"))) {
		if (hx_cli_parse_int(v, 1, 100000, &o->cpus_per_task) != 0) {
			hx_cli_error("slurm", "'--cpus-per-task' needs a number from 1 to 100000, not '%s'", v);
			return -1;
		}
		return 1;
	}
	if ((v = hx_cli_option_value(argc, argv, i, "--max-parallel"))) {
		if (hx_cli_parse_int(v, 1, 100000, &o->max_parallel) != 0) {
			hx_cli_error("slurm", "'--max-parallel' needs a number from 1 to 100000, not '%s'", v);
			return -1;
		}
		return 1;
	}
	return 0;
}

static char *absolute(const char *cwd, const char *path)
{
	hx_buf b = HX_BUF_INIT;
	size_t n;
	if (path[0] == '/') {
		hx_buf_puts(&b, path);
	} else {
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		hx_buf_printf(&b, "%s/%s", cwd, path);
	}
	n = b.len;
	while (n > 1 && b.ptr[n - 1] == '/')
		n--;
	b.ptr[n] = '\0';
	b.len = n;
	return hx_buf_detach(&b, NULL);
}

/* A directory that does not exist or has nothing in it. */
static int dir_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;
	if (!d)
		return !hx_path_exists(path);
	while (empty && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

static char *self_path(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return hx_xstrdup(buf);
}

static char *current_dir(void)
{
	char buf[4096];
	if (!getcwd(buf, sizeof(buf)))
		return NULL;
	return hx_xstrdup(buf);
}

/* RUN as the user gave it, or runs/<experiment>-<utc>-slurm (-2, -3, ...
 * when taken). */
static char *default_run(const char *experiment)
{
	hx_buf b = HX_BUF_INIT;
	char utc[32];
	time_t now = time(NULL);
	struct tm tmv;
	int k;
	gmtime_r(&now, &tmv);
	strftime(utc, sizeof(utc), "%Y%m%dT%H%M%SZ", &tmv);
	for (k = 1;; k++) {
		hx_buf_reset(&b);
		hx_buf_printf(&b, "runs/%s-%s-slurm", experiment, utc);
		if (k > 1)
			hx_buf_printf(&b, "-%d", k);
		if (!hx_path_exists(b.ptr))
			break;
	}
	return hx_buf_detach(&b, NULL);
}

static void print_paths(const hx_slurm_job *j)
{
	printf("shard script  %s/slurm/shard.sbatch\n", j->run);
	printf("merge script  %s/slurm/merge.sbatch\n", j->run);
}

/* Shards named compactly: "0-3", "2", "1,3". */
static void shard_list(hx_buf *out, const int *v, size_t n)
{
	hx_slurm_array_spec(out, v, n, 0);
}

/* Submit what is not complete, or say why nothing is. */
static int submit(const hx_slurm_job *j, const char *shown_run)
{
	hx_slurm_todo todo;
	hx_slurm_history h;
	hx_slurm_view view;
	hx_slurm_submission sub;
	hx_buf list = HX_BUF_INIT;
	int *active = NULL, status = 0, err;
	size_t nactive = 0, i, a;
	int have_h = 0, have_view = 0, have_todo = 0;

	memset(&sub, 0, sizeof(sub));
	if ((err = hx_slurm_todo_get(&todo, j)) != 0)
		goto fail;
	have_todo = 1;
	if (!todo.nshards && !todo.merge) {
		printf("nothing to submit: the %d shards and the merge ('%s/merged') are complete\n",
		       j->shards, shown_run);
		goto done;
	}
	if ((err = hx_slurm_history_load(&h, j->run)) != 0)
		goto fail;
	have_h = 1;
	if (h.len) {
		hx_slurm_view_get(&view, &h);
		have_view = 1;
		/* a shard the scheduler still has would run twice at once */
		hx_slurm_view_active(&active, &nactive, &view, &h, j->shards);
		for (i = 0; i < nactive; i++)
			for (a = 0; a < todo.nshards; a++)
				if (todo.shards[a] == active[i]) {
					char job[64];
					const char *st = hx_slurm_view_shard(&view, &h, active[i], job);
					hx_cli_error("slurm",
						     "shard %d of '%s' is still %s as job %s: wait for it or "
						     "scancel it, then resubmit",
						     active[i], shown_run, st, job);
					status = 2;
					goto done;
				}
		if (!todo.nshards) {
			const hx_slurm_submission *last = &h.v[h.len - 1];
			const char *st = last->merge_job ? hx_slurm_states_get(&view.merge[h.len - 1], -1)
							 : NULL;
			if (hx_slurm_state_active(st)) {
				printf("nothing to submit: the %d shards are complete and merge job %s is "
				       "%s\n",
				       j->shards, last->merge_job, st);
				goto done;
			}
		}
	}
	if (todo.nshards == 0)
		printf("the %d shards are complete: submitting the merge only\n", j->shards);
	else if ((int)todo.nshards < j->shards) {
		shard_list(&list, todo.shards, todo.nshards);
		printf("shards not complete: %s (of %d)\n", list.ptr, j->shards);
	}
	err = hx_slurm_submit(&sub, j, &todo);
	if (sub.array_job) {
		hx_buf_reset(&list);
		shard_list(&list, sub.shards, sub.nshards);
		printf("array job     %s  (shard%s %s of %d)\n", sub.array_job, sub.nshards == 1 ? "" : "s",
		       list.ptr, j->shards);
	}
	if (sub.merge_job) {
		if (sub.array_job)
			printf("merge job     %s  (after array job %s)\n", sub.merge_job, sub.array_job);
		else
			printf("merge job     %s\n", sub.merge_job);
	}
	if (err)
		goto fail;
	printf("status:       harness slurm status %s\n", shown_run);
	goto done;
fail:
	hx_cli_error("slurm", "%s", hx_error_last());
	status = hx_error_exit_status(err);
done:
	free(active);
	hx_slurm_submission_release(&sub);
	if (have_view)
		hx_slurm_view_release(&view);
	if (have_h)
		hx_slurm_history_release(&h);
	if (have_todo)
		hx_slurm_todo_release(&todo);
	hx_buf_release(&list);
	return status;
}

/* Without --submit: the sbatch commands that submit what is not done. */
static int print_commands(const hx_slurm_job *j, const char *shown_run)
{
	hx_slurm_todo todo;
	hx_buf line = HX_BUF_INIT;
	int err = hx_slurm_todo_get(&todo, j);
	if (err) {
		hx_cli_error("slurm", "%s", hx_error_last());
		return hx_error_exit_status(err);
	}
	if (!todo.nshards && !todo.merge) {
		printf("nothing to submit: the %d shards and the merge ('%s/merged') are complete\n",
		       j->shards, shown_run);
	} else {
		printf("submit with:\n");
		if (todo.nshards) {
			hx_slurm_sbatch_line(&line, j, &todo, 0, NULL);
			printf("  jid=$(%s)\n", line.ptr);
			hx_buf_reset(&line);
			hx_slurm_sbatch_line(&line, j, &todo, 1, "$jid");
		} else {
			hx_slurm_sbatch_line(&line, j, &todo, 1, NULL);
		}
		printf("  %s\n", line.ptr);
		printf("or: harness slurm resubmit %s  (or this command with --submit)\n", shown_run);
	}
	hx_buf_release(&line);
	hx_slurm_todo_release(&todo);
	return 0;
}

static int cmd_slurm_spec(int argc, char **argv)
{
	hx_slurm_job job, kept;
	sched_opts so;
	hx_spec *spec = NULL;
	hx_buf text = HX_BUF_INIT;
	const char *spec_path = NULL, *out = NULL, *seed = NULL, *v;
	char *run_shown = NULL, *cwd = NULL;
	int i, shards = 0, do_submit = 0, status = 0, err, r;
	uint64_t seed_v;

	hx_slurm_job_init(&job);
	hx_slurm_job_init(&kept);
	memset(&so, 0, sizeof(so));
	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			goto done;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--shards"))) {
			if (hx_cli_parse_int(v, 1, HX_SLURM_SHARDS_MAX, &shards) != 0) {
				hx_cli_error("slurm", "'--shards' needs a number from 1 to %d, not '%s'",
					     HX_SLURM_SHARDS_MAX, v);
				status = 2;
				goto done;
			}
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--seed"))) {
			if (hx_cli_parse_u64(v, &seed_v) != 0) {
				hx_cli_error("slurm", "'--seed' needs a number from 0 to 18446744073709551615, not '%s'", v);
				status = 2;
				goto done;
			}
			seed = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--out"))) {
			if (!*v) {
				hx_cli_error("slurm", "'--out' needs a directory");
				status = 2;
				goto done;
			}
			out = v;
		} else if (strcmp(argv[i], "--submit") == 0) {
			do_submit = 1;
		} else if ((r = sched_option(&so, argc, argv, &i)) != 0) {
			if (r < 0) {
				status = 2;
				goto done;
			}
		} else if (argv[i][0] == '-' && argv[i][1]) {
			hx_cli_unknown_option("slurm", argv[i], NULL, options, "harness slurm --help");
			status = 2;
			goto done;
		} else if (spec_path) {
			hx_cli_error("slurm", "one spec at a time ('%s' and '%s')", spec_path, argv[i]);
			status = 2;
			goto done;
		} else {
			spec_path = argv[i];
		}
	}
	if (!spec_path) {
		fputs(usage, stderr);
		status = 2;
		goto done;
	}
	if (!shards) {
		hx_cli_error("slurm", "'--shards N' is needed: how many shards to split '%s' into", spec_path);
		status = 2;
		goto done;
	}
	if ((err = hx_file_read_spec(&text, spec_path)) != 0) {
		hx_cli_error("slurm", "%s", hx_error_last());
		status = hx_error_exit_status(err);
		goto done;
	}
	if (hx_series_is_series(text.ptr, text.len)) {
		hx_cli_error("slurm", "'%s' is a series: only calibration specs run in shards", spec_path);
		status = 2;
		goto done;
	}
	if ((err = hx_spec_load(&spec, spec_path)) != 0) {
		hx_cli_error("slurm", "%s", hx_error_last());
		status = hx_error_exit_status(err);
		goto done;
	}
	if (!(cwd = current_dir())) {
		hx_cli_error("slurm", "cannot tell the current directory: %s", strerror(errno));
		status = 3;
		goto done;
	}
	run_shown = out ? hx_xstrdup(out) : default_run(spec->experiment);
	job.spec = hx_xstrdup(spec_path);
	job.experiment = hx_xstrdup(spec->experiment);
	job.shards = shards;
	job.seed = seed ? hx_xstrdup(seed) : NULL;
	job.harness = self_path();
	job.cwd = hx_xstrdup(cwd);
	job.run = absolute(cwd, run_shown);
	apply_opts(&job, &so);
	if (!job.harness) {
		hx_cli_error("slurm", "cannot tell where this harness is (/proc/self/exe)");
		status = 3;
		goto done;
	}
	err = hx_slurm_load(&kept, job.run);
	if (err == 0) {
		/* an earlier submission: the same plan, or refused */
		if (strcmp(kept.spec, job.spec) != 0 || kept.shards != job.shards ||
		    (kept.seed ? !job.seed || strcmp(kept.seed, job.seed) != 0 : job.seed != NULL) ||
		    strcmp(kept.cwd, job.cwd) != 0) {
			int here = strcmp(kept.cwd, job.cwd) == 0;
			hx_cli_error("slurm",
				     "'%s' is the slurm run of '%s' in %d shards%s%s%s%s%s; "
				     "'harness slurm resubmit %s' submits it again",
				     run_shown, kept.spec, kept.shards, kept.seed ? " with seed " : "",
				     kept.seed ? kept.seed : "", here ? "" : " started in '",
				     here ? "" : kept.cwd, here ? "" : "'", run_shown);
			status = 2;
			goto done;
		}
		apply_opts(&kept, &so);
		replace(&kept.harness, job.harness);
		hx_slurm_job_release(&job);
		job = kept;
		hx_slurm_job_init(&kept);
	} else if (err != HX_ENOTFOUND) {
		hx_cli_error("slurm", "%s", hx_error_last());
		status = hx_error_exit_status(err);
		goto done;
	} else if (hx_path_exists(job.run) && !hx_is_dir(job.run)) {
		hx_cli_error("slurm", "'--out' '%s' is not a directory", run_shown);
		status = 2;
		goto done;
	} else if (!dir_empty(job.run)) {
		hx_cli_error("slurm", "'--out' '%s' holds files and is not a harness slurm run",
			     run_shown);
		status = 2;
		goto done;
	}
	if (!out)
		printf("run           %s\n", run_shown);
	if ((err = hx_slurm_write(&job)) != 0) {
		hx_cli_error("slurm", "%s", hx_error_last());
		status = hx_error_exit_status(err);
		goto done;
	}
	print_paths(&job);
	status = do_submit ? submit(&job, run_shown) : print_commands(&job, run_shown);
done:
	hx_spec_free(spec);
	hx_buf_release(&text);
	hx_slurm_job_release(&job);
	hx_slurm_job_release(&kept);
	free(run_shown);
	free(cwd);
	return status;
}

static int cmd_slurm_resubmit(int argc, char **argv)
{
	hx_slurm_job job;
	sched_opts so;
	const char *run = NULL;
	char *self = NULL;
	int i, r, status = 0, err;

	hx_slurm_job_init(&job);
	memset(&so, 0, sizeof(so));
	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			goto done;
		} else if ((r = sched_option(&so, argc, argv, &i)) != 0) {
			if (r < 0) {
				status = 2;
				goto done;
			}
		} else if (argv[i][0] == '-' && argv[i][1]) {
			static const char *const known[] = {"--partition", "--time", "--cpus-per-task",
							    "--mem", "--account", "--max-parallel",
							    "--help", NULL};
			hx_cli_unknown_option("slurm resubmit", argv[i], NULL, known, "harness slurm --help");
			status = 2;
			goto done;
		} else if (run) {
			hx_cli_error("slurm", "one run at a time ('%s' and '%s')", run, argv[i]);
			status = 2;
			goto done;
		} else {
			run = argv[i];
		}
	}
	if (!run) {
		hx_cli_error("slurm", "'resubmit' needs the run directory (harness slurm resubmit RUN)");
		status = 2;
		goto done;
	}
	if ((err = hx_slurm_load(&job, run)) != 0) {
		hx_cli_error("slurm", "%s", hx_error_last());
		status = hx_error_exit_status(err);
		goto done;
	}
	apply_opts(&job, &so);
	if ((self = self_path()) != NULL)
		replace(&job.harness, self);
	if ((err = hx_slurm_write(&job)) != 0) {
		hx_cli_error("slurm", "%s", hx_error_last());
		status = hx_error_exit_status(err);
		goto done;
	}
	status = submit(&job, run);
done:
	free(self);
	hx_slurm_job_release(&job);
	return status;
}

/* A shard's word in the status table. */
static const char *shard_word(const hx_slurm_shard *sh, const char *sched)
{
	if (sh->state == HX_SLURM_SHARD_DONE)
		return "done";
	if (sched && (strcmp(sched, "RUNNING") == 0 || strcmp(sched, "COMPLETING") == 0 ||
		      strcmp(sched, "CONFIGURING") == 0))
		return "running";
	if (hx_slurm_state_active(sched))
		return "pending";
	if (sched)
		return "failed"; /* ended without a complete manifest */
	/* the scheduler does not know the job (any more) */
	return sh->state == HX_SLURM_SHARD_STARTED ? "stopped" : "pending";
}

static int cmd_slurm_status(int argc, char **argv)
{
	hx_slurm_job job;
	hx_slurm_history h;
	hx_slurm_view view;
	const char *run = NULL;
	unsigned long records = 0, tasks = 0;
	int i, k, err, status = 0, have = 0;
	int ndone = 0, nrunning = 0, nfailed = 0, npending = 0, nstopped = 0;

	hx_slurm_job_init(&job);
	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			goto done;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			static const char *const known[] = {"--help", NULL};
			hx_cli_unknown_option("slurm status", argv[i], NULL, known, "harness slurm --help");
			status = 2;
			goto done;
		} else if (run) {
			hx_cli_error("slurm", "one run at a time ('%s' and '%s')", run, argv[i]);
			status = 2;
			goto done;
		} else {
			run = argv[i];
		}
	}
	if (!run) {
		hx_cli_error("slurm", "'status' needs the run directory (harness slurm status RUN)");
		status = 2;
		goto done;
	}
	if ((err = hx_slurm_load(&job, run)) != 0 || (err = hx_slurm_history_load(&h, job.run)) != 0) {
		hx_cli_error("slurm", "%s", hx_error_last());
		status = hx_error_exit_status(err);
		goto done;
	}
	hx_slurm_view_get(&view, &h);
	have = 1;
	printf("run     %s: %s in %d shards (%s)\n", run, job.spec, job.shards, job.experiment);
	printf("shard  state     records          attempts  job         scheduler\n");
	for (k = 0; k < job.shards; k++) {
		hx_slurm_shard sh;
		char job_id[64], rec[48];
		const char *sched, *word;
		if ((err = hx_slurm_shard_read(&sh, job.run, k)) != 0) {
			hx_cli_error("slurm", "%s", hx_error_last());
			status = hx_error_exit_status(err);
			goto done;
		}
		sched = hx_slurm_view_shard(&view, &h, k, job_id);
		word = shard_word(&sh, sched);
		ndone += strcmp(word, "done") == 0;
		nrunning += strcmp(word, "running") == 0;
		nfailed += strcmp(word, "failed") == 0;
		npending += strcmp(word, "pending") == 0;
		nstopped += strcmp(word, "stopped") == 0;
		records += sh.records;
		tasks += sh.tasks;
		if (sh.tasks)
			snprintf(rec, sizeof(rec), "%lu/%lu", sh.records, sh.tasks);
		else
			snprintf(rec, sizeof(rec), "%lu", sh.records);
		printf("%-6d %-9s %-16s %-9lu %-11s %s\n", k, word, rec, sh.attempts,
		       job_id[0] ? job_id : "-", sched ? sched : "-");
	}
	printf("total  %d done, %d running, %d failed, %d pending", ndone, nrunning, nfailed, npending);
	if (nstopped)
		printf(", %d stopped (not complete, unknown to the scheduler)", nstopped);
	printf("; %lu records\n", records);
	{
		const char *mjob = NULL, *mst = NULL;
		size_t s;
		for (s = h.len; s-- > 0;)
			if (h.v[s].merge_job) {
				mjob = h.v[s].merge_job;
				mst = hx_slurm_states_get(&view.merge[s], -1);
				break;
			}
		if (hx_slurm_merged_done(&job))
			printf("merge  done (%s/merged)", run);
		else if (!mjob)
			printf("merge  not submitted");
		else if (mst && strcmp(mst, "RUNNING") == 0)
			printf("merge  running");
		else if (hx_slurm_state_active(mst))
			printf("merge  pending");
		else if (mst)
			printf("merge  failed");
		else
			printf("merge  not done");
		if (mjob)
			printf(" (job %s: %s)", mjob, mst ? mst : "unknown to the scheduler");
		printf("\n");
		if (nfailed && hx_slurm_state_active(mst) && !hx_slurm_merged_done(&job))
			printf("       the merge waits for every shard: 'harness slurm resubmit %s' "
			       "runs the failed ones again\n",
			       run);
	}
	if (view.len) {
		size_t s;
		const char *src = NULL;
		for (s = 0; s < view.len && !src; s++)
			src = view.array[s].source ? view.array[s].source : view.merge[s].source;
		printf("scheduler states from %s\n", src ? src : "nowhere (no job known to sacct or scontrol)");
	}
	(void)tasks;
done:
	if (have) {
		hx_slurm_view_release(&view);
		hx_slurm_history_release(&h);
	}
	hx_slurm_job_release(&job);
	return status;
}

int cmd_slurm(int argc, char **argv)
{
	hx_notice_label("harness slurm");
	if (argc >= 2 && strcmp(argv[1], "status") == 0)
		return cmd_slurm_status(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "resubmit") == 0)
		return cmd_slurm_resubmit(argc - 1, argv + 1);
	return cmd_slurm_spec(argc, argv);
}
