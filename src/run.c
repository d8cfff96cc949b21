#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "canon.h"
#include "corpus.h"
#include "engine.h"
#include "error.h"
#include "calibrate.h"
#include "label.h"
#include "run_archive.h"
#include "report/run_report.h"
#include "fsutil.h"
#include "json.h"
#include "lock.h"
#include "plan.h"
#include "pool.h"
#include "progress.h"
#include "rng.h"
#include "run_internal.h"
#include "shard.h"
#include "spec.h"
#include "stats.h"
#include "testhook.h"

/* The reorder window (pool.h): results waiting for an earlier task to be
 * written. Memory is this many records at most, whatever the plan's size;
 * a task would have to take longer than 8,192 others on the remaining
 * workers for the window to hold any of them back. */
#define RUN_WINDOW 8192

static int canceled(const run_ctx *c)
{
	return c->cancel && atomic_load(c->cancel);
}

/* A per-run unique, UUID-shaped id: volatile by design, stripped by the
 * canonical profile. */
static void make_id(char out[48], uint64_t task_seed, uint64_t nonce)
{
	uint64_t st = task_seed ^ nonce, a = hx_splitmix64(&st), b = hx_splitmix64(&st);
	snprintf(out, 48, "%08" PRIx64 "-%04" PRIx64 "-4%03" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
		 a >> 32, (a >> 16) & 0xffff, a & 0xfff, 0x8000 | (b >> 52 & 0x3fff),
		 b & (uint64_t)0xffffffffffff);
}

/* Serialize a record into the task's slot. */
static void fill_slot(task_slot *slot, const hx_record *rec, scratch *s)
{
	hx_buf_reset(&s->raw);
	hx_record_write_json(&s->raw, rec);
	slot->outcome = rec->outcome;
	slot->raw = hx_xstrdup(s->raw.ptr);
	slot->raw_len = s->raw.len;
}

/* The pool's run: one task on one worker. */
static int run_job(void *ctx, size_t job, int worker)
{
	run_ctx *c = ctx;
	size_t i = c->first + job;
	const hx_task *task = &c->plan->tasks[i];
	task_slot *slot = &c->slots[job % c->window];
	hx_record rec;
	char nb[64];
	int err;

	hx_testhook_task_delay();
	hx_progress_begin(&c->progress, worker,
			  hx_corpus_name(c->corpus, (size_t)task->module, nb, sizeof(nb)), task->tier,
			  hx_progress_now());
	hx_record_init(&rec);
	rec.worker = worker;
	rec.timestamp = hx_run_now(CLOCK_REALTIME);
	make_id(rec.verification_id, task->seed, c->nonce);
	err = c->engine->run_task(c->engine, task, &rec);
	hx_progress_end(&c->progress, worker);
	if (err == HX_ETIMEOUT && canceled(c))
		err = HX_EINTERRUPTED; /* this task has no record */
	else if (!err)
		fill_slot(slot, &rec, &c->scratch[worker]);
	hx_record_release(&rec);
	if (!err)
		atomic_fetch_add(&c->counts[slot->outcome], 1);
	return err;
}

/* The pool's flush: append the newly completed tasks to the partial file. */
static int flush_jobs(void *ctx, size_t from, size_t to)
{
	run_ctx *c = ctx;
	size_t j;
	for (j = from; j < to; j++) {
		task_slot *s = &c->slots[j % c->window];
		size_t put = fwrite(s->raw, 1, s->raw_len, c->partial);
		free(s->raw);
		s->raw = NULL;
		if (put != s->raw_len) {
			hx_error_set_errno(errno, "cannot write '%s'", c->partial_path);
			return HX_ESYSTEM;
		}
		c->flushed++;
	}
	if (to > from && fflush(c->partial) != 0) {
		hx_error_set_errno(errno, "cannot write '%s'", c->partial_path);
		return HX_ESYSTEM;
	}
	return 0;
}

/* The progress line's outcome counts: "verified=N verifier_timeout=M ...". */
static void outcome_counts(hx_buf *b, const run_ctx *c)
{
	int o;
	for (o = 0; o < HX_OUT_COUNT; o++) {
		unsigned long k = atomic_load(&c->counts[o]);
		if (k)
			hx_buf_printf(b, "%s%s=%lu", b->len ? " " : "", hx_outcome_name((hx_outcome)o), k);
	}
}

/* The pool's tick (about every 100 ms; progress.h says how often a line is
 * printed). */
static void tick_jobs(void *ctx, size_t done)
{
	run_ctx *c = ctx;
	double t = hx_progress_now();
	done += c->first;
	if (hx_progress_tick(&c->progress, done, t) && done < c->plan->n) {
		hx_buf counts = HX_BUF_INIT;
		outcome_counts(&counts, c);
		hx_progress_print(&c->progress, done, t, counts.ptr);
		hx_buf_release(&counts);
	}
}

/* Run the tasks not done yet; HX_EINTERRUPTED when canceled (the completed
 * prefix is in the partial file). */
static int execute(run_ctx *c, int workers)
{
	hx_pool_options po;
	int w, err;

	c->scratch = hx_xcalloc((size_t)workers, sizeof(scratch));
	for (w = 0; w < workers; w++) {
		hx_buf_init(&c->scratch[w].raw);
	}
	memset(&po, 0, sizeof(po));
	po.n = c->plan->n - c->first;
	po.workers = workers;
	po.ctx = c;
	po.run = run_job;
	po.flush = flush_jobs;
	po.tick = tick_jobs;
	po.cancel = c->cancel;
	po.window = c->window;
	err = hx_pool_run(&po, NULL);
	hx_progress_finish(&c->progress);
	for (w = 0; w < workers; w++) {
		hx_buf_release(&c->scratch[w].raw);
	}
	free(c->scratch);
	c->scratch = NULL;
	return err;
}

void hx_run_result_init(hx_run_result *r)
{
	memset(r, 0, sizeof(*r));
	hx_golden_result_init(&r->golden);
	hx_buf_init(&r->snapshot_manifest);
}

void hx_run_result_release(hx_run_result *r)
{
	size_t i;
	free(r->experiment);
	free(r->spec_path);
	hx_engine_id_release(&r->engine);
	free(r->run_dir);
	free(r->snapshot_dir);
	free(r->golden_dir);
	free(r->archive_path);
	free(r->modules_skipped_text);
	for (i = 0; i < HX_TIER_COUNT * HX_RUN_TIMEOUTS_SHOWN; i++)
		free(r->tiers[i / HX_RUN_TIMEOUTS_SHOWN].timed_out[i % HX_RUN_TIMEOUTS_SHOWN]);
	hx_golden_result_release(&r->golden);
	hx_calibrate_result_release(&r->calib);
	free(r->canonical_path);
	hx_buf_release(&r->snapshot_manifest);
	memset(r, 0, sizeof(*r));
}

char *hx_run_default_dir(const char *experiment, const char *utc, const hx_shard *shard)
{
	hx_buf b = HX_BUF_INIT;
	int k;
	for (k = 1;; k++) {
		hx_buf_reset(&b);
		hx_buf_printf(&b, "runs/%s-%s", experiment, utc);
		if (shard && shard->n)
			hx_buf_printf(&b, "-shard-%lu-of-%lu", shard->k, shard->n);
		if (k > 1)
			hx_buf_printf(&b, "-%d", k);
		if (!hx_path_exists(b.ptr))
			break;
	}
	return hx_buf_detach(&b, NULL);
}

static int load_spec(hx_spec **out, const hx_run_options *opt)
{
	int err = opt->spec_text
			  ? hx_spec_parse(out, opt->spec_path, opt->spec_text, opt->spec_text_len)
			  : hx_spec_load(out, opt->spec_path);
	if (!err && opt->has_seed)
		(*out)->seed = opt->seed;
	return err;
}

int hx_run_sync_close(FILE **fp, const char *path)
{
	int err = 0;
	if (!*fp)
		return 0;
	if (fflush(*fp) != 0 || fsync(fileno(*fp)) != 0) {
		hx_error_set_errno(errno, "cannot write '%s'", path);
		err = HX_ESYSTEM;
	}
	if (fclose(*fp) != 0 && !err) {
		hx_error_set_errno(errno, "cannot write '%s'", path);
		err = HX_ESYSTEM;
	}
	*fp = NULL;
	return err;
}

/* Every place the run writes to, made (with parents) and checked before
 * any task runs: a typo in an output path is an error at once, not after
 * hours of verification. The snapshot directory is replaced as a whole,
 * beside itself: its parent must take new entries. */
int hx_run_prepare_outputs(const hx_run_result *out, const hx_run_options *opt)
{
	char *snap_parent = hx_path_dirname(out->snapshot_dir);
	int err;
	if ((err = hx_output_prepare(out->run_dir, 1, "the run directory")) != 0 ||
	    (err = hx_output_prepare(snap_parent, 1, "the snapshot directory")) != 0 ||
	    (opt->export_path &&
	     (err = hx_output_prepare(opt->export_path, 0, "the export file")) != 0) ||
	    (!opt->no_archive &&
	     (err = hx_output_prepare(opt->archive_dir ? opt->archive_dir : "runs", 1,
				      "the archive directory")) != 0)) {
		free(snap_parent);
		return err;
	}
	free(snap_parent);
	return 0;
}

/* The run's start (utc: in names; date: ISO 8601): now, or when resuming,
 * the first attempt's from its state file; a new run writes it there. */
int hx_run_start_state(hx_run_state *state, const hx_run_options *opt, const char *run_dir,
		       const char *utc, const char *date)
{
	memset(state, 0, sizeof(*state));
	if (opt->resume)
		hx_run_state_read(state, run_dir);
	if (state->utc[0])
		return 0;
	snprintf(state->utc, sizeof(state->utc), "%s", utc);
	snprintf(state->date, sizeof(state->date), "%s", date);
	return opt->resume ? 0 : hx_run_state_write(state, run_dir);
}

/* The command that resumes this run: with the seed when --seed replaced
 * the spec's, since the plan (which --resume checks each record against)
 * depends on it; the worker count does not matter. */
static const char *resume_command(char *buf, size_t n, const hx_spec *spec,
				  const hx_run_options *opt, const char *run_dir)
{
	int len = snprintf(buf, n, "harness run %s --out %s --resume", spec->path, run_dir);
	if (opt->shard.n && len >= 0 && (size_t)len < n)
		len += snprintf(buf + len, n - (size_t)len, " --shard %lu/%lu", opt->shard.k,
				opt->shard.n);
	if (opt->has_seed && len >= 0 && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, " --seed %" PRIu64, opt->seed);
	return buf;
}

/* The tasks: a fresh run's, or what an interrupted one left to do
 * (*final: none, every record is in RUN/telemetry.jsonl already). The
 * completed records are synced whatever happens. */
static int run_tasks(run_ctx *p, hx_run_result *out, const hx_spec *spec, int workers,
		     const hx_run_options *opt, hx_arena *arena, const char *telemetry_path,
		     int *final)
{
	const char *label = opt->label ? opt->label : "harness run";
	hx_buf plabel = HX_BUF_INIT;
	int err;

	*final = 0;
	if (opt->resume) {
		if ((err = hx_run_resume_records(p, arena, telemetry_path, final)) != 0)
			return err;
	} else if (!(p->partial = fopen(p->partial_path, "w"))) {
		hx_error_set_errno(errno, "cannot create '%s'", p->partial_path);
		return HX_ESYSTEM;
	}
	if (*final) {
		if (opt->progress != HX_PROGRESS_NONE)
			fprintf(stderr, "%s: %s: all %zu tasks done ('%s'); finishing the run\n", label,
				spec->experiment, p->plan->n, telemetry_path);
		return 0;
	}
	if (opt->progress != HX_PROGRESS_NONE) {
		fprintf(stderr, "%s: %s: %zu tasks on %d worker%s", label, spec->experiment,
			p->plan->n, workers, workers == 1 ? "" : "s");
		if (opt->resume)
			fprintf(stderr, ", resuming after %zu done", p->flushed);
		fputc('\n', stderr);
	}
	hx_buf_printf(&plabel, "%s: %s", label, spec->experiment);
	hx_progress_init(&p->progress, opt->progress, plabel.ptr, "tasks", p->plan->n, p->first,
			 workers, hx_progress_now());
	err = execute(p, workers);
	hx_progress_release(&p->progress);
	hx_buf_release(&plabel);
	if (err == HX_EINTERRUPTED) {
		char cmd[1024];
		hx_error_set("interrupted after %zu of %zu tasks; the completed ones are in '%s'; "
			     "resume with: %s",
			     p->flushed, p->plan->n, p->partial_path,
			     resume_command(cmd, sizeof(cmd), spec, opt, out->run_dir));
	}
	{
		/* Whatever happened, the records written so far reach the disk. */
		int e2 = hx_run_sync_close(&p->partial, p->partial_path);
		if (!err)
			err = e2;
	}
	if (err)
		return err;
	if (rename(p->partial_path, telemetry_path) != 0) {
		hx_error_set_errno(errno, "cannot rename '%s'", p->partial_path);
		return HX_ESYSTEM;
	}
	hx_testhook_point("telemetry-final");
	return 0;
}

int hx_run(hx_run_result *out, const hx_run_options *opt)
{
	hx_spec *spec = NULL;
	hx_corpus corpus = {0};
	hx_plan plan = {0};
	hx_engine *engine = NULL;
	hx_engine_ctx ectx;
	hx_arena *arena = hx_arena_new();
	run_ctx p;
	hx_run_state state;
	hx_run_finish_args fa;
	hx_shard_manifest shard;
	char utc[32], date[32], *path = NULL;
	time_t now = time(NULL);
	struct tm tmv;
	double start = hx_run_now(CLOCK_MONOTONIC);
	size_t i;
	int err, workers, final = 0;

	memset(&p, 0, sizeof(p));
	memset(&fa, 0, sizeof(fa));
	memset(&shard, 0, sizeof(shard));
	memset(&ectx, 0, sizeof(ectx));
	memset(&state, 0, sizeof(state));
	gmtime_r(&now, &tmv);
	strftime(utc, sizeof(utc), "%Y%m%dT%H%M%SZ", &tmv);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tmv);
	if ((err = load_spec(&spec, opt)) != 0 || (err = hx_corpus_load(&corpus, spec)) != 0 ||
	    (err = hx_plan_build(&plan, spec, corpus.n)) != 0)
		goto done;
	out->plan_size = plan.n;
	out->shard = opt->shard;
	if (opt->shard.n)
		hx_run_shard_plan(&plan, &opt->shard);
	if (opt->resume && (!opt->out_dir || !hx_is_dir(opt->out_dir))) {
		hx_error_set("'--resume' needs the run directory of the interrupted run (--out DIR)");
		err = HX_EINVALID;
		goto done;
	}
	workers = opt->workers > 0 ? opt->workers : spec->workers > 0 ? spec->workers : hx_pool_cores();
	if ((size_t)workers > plan.n)
		workers = plan.n ? (int)plan.n : 1;
	out->experiment = hx_xstrdup(spec->experiment);
	out->spec_path = hx_xstrdup(spec->path);
	out->seed = spec->seed;
	out->tasks = plan.n;
	out->workers = workers;
	out->modules_skipped = corpus.skipped;
	out->modules_skipped_text = corpus.skipped_text ? hx_xstrdup(corpus.skipped_text) : NULL;
	out->run_dir = opt->out_dir ? hx_xstrdup(opt->out_dir)
				    : hx_run_default_dir(spec->experiment, utc, &opt->shard);
	out->snapshot_dir = hx_path_join(opt->snapshots_dir ? opt->snapshots_dir : "snapshots",
					 spec->experiment);
	out->golden_dir = hx_xstrdup(spec->golden);
	out->ci = opt->ci;
	if ((err = opt->shard.n ? hx_output_prepare(out->run_dir, 1, "the shard directory")
				: hx_run_prepare_outputs(out, opt)) != 0)
		goto done;

	ectx.spec = spec;
	ectx.corpus = &corpus;
	ectx.out_dir = out->run_dir;
	ectx.cancel = opt->cancel;
	/* After the engine is identified: a run stopped while its version
	 * command runs has written nothing. */
	if ((err = hx_engine_new(&engine, &ectx)) != 0 ||
	    /* a shard has no archive to name: no state file */
	    (!opt->shard.n && (err = hx_run_start_state(&state, opt, out->run_dir, utc, date)) != 0))
		goto done;
	hx_engine_id id = hx_engine_id_of(engine);
	hx_engine_id_dup(&out->engine, &id);

	p.plan = &plan;
	p.spec = spec;
	p.corpus = &corpus;
	p.engine = engine;
	p.cancel = opt->cancel;
	p.window = plan.n < RUN_WINDOW ? (plan.n ? plan.n : 1) : RUN_WINDOW;
	p.slots = hx_xcalloc(p.window, sizeof(task_slot));
	p.nonce = (uint64_t)now ^ ((uint64_t)getpid() << 32) ^
		  (uint64_t)(hx_run_now(CLOCK_MONOTONIC) * 1e9);
	p.partial_path = hx_path_join(out->run_dir, "telemetry.jsonl.partial");
	path = hx_path_join(out->run_dir, "telemetry.jsonl");
	if (opt->shard.n && (err = hx_run_shard_begin(&shard, out, spec, opt)) != 0)
		goto done;
	if ((err = run_tasks(&p, out, spec, workers, opt, arena, path, &final)) != 0)
		goto done;
	if (opt->shard.n) {
		/* A shard ends with its telemetry: merge does the rest. */
		out->records = plan.n;
		shard.records = plan.n;
		shard.complete = 1;
		err = hx_shard_manifest_write(out->run_dir, &shard);
		out->elapsed_s = hx_run_now(CLOCK_MONOTONIC) - start;
		goto done;
	}
	if (opt->resume) /* what an interrupted attempt left half done */
		hx_run_clean_leftovers(out->run_dir, state.archive);
	fa.spec = spec;
	fa.corpus = &corpus;
	fa.plan = &plan;
	fa.telemetry_path = path;
	fa.workers = workers;
	fa.opt = opt;
	fa.state = &state;
	fa.start = start;
	if ((err = hx_run_finish(out, &fa)) != 0) {
		/* Whatever stopped it, the tasks are done: say how to finish. */
		char why[512], cmd[1024];
		snprintf(why, sizeof(why), "%s",
			 err == HX_EINTERRUPTED ? "interrupted after the tasks" : hx_error_last());
		hx_error_set("%s; the telemetry is in '%s': finish the run with: %s", why, path,
			     resume_command(cmd, sizeof(cmd), spec, opt, out->run_dir));
	}
done:
	if (p.partial)
		hx_run_sync_close(&p.partial, p.partial_path);
	if (p.slots) {
		for (i = 0; i < p.window; i++)
			free(p.slots[i].raw);
		free(p.slots);
	}
	hx_shard_manifest_release(&shard);
	free(p.partial_path);
	hx_run_state_release(&state);
	hx_arena_free(arena);
	free(path);
	hx_engine_free(engine);
	hx_plan_release(&plan);
	hx_corpus_release(&corpus);
	hx_spec_free(spec);
	return err;
}

int hx_run_dry(hx_buf *out, const hx_run_options *opt)
{
	hx_spec *spec = NULL;
	hx_corpus corpus = {0};
	hx_plan plan = {0};
	size_t i;
	int err;

	if ((err = load_spec(&spec, opt)) != 0 || (err = hx_corpus_load(&corpus, spec)) != 0 ||
	    (err = hx_plan_build(&plan, spec, corpus.n)) != 0)
		goto done;
	hx_buf_printf(out, "# %s: %zu tasks, seed %" PRIu64 ", engine %s, corpus %zu modules\n",
		      spec->experiment, plan.n, spec->seed, spec->engine_kind, corpus.n);
	hx_buf_puts(out, "# index\ttier\tsample\tmodule\ttimeout_s\ttask_seed\n");
	for (i = 0; i < plan.n; i++) {
		const hx_task *t = &plan.tasks[i];
		char nb[64], ts[32];
		hx_canon_format_number(ts, t->timeout_s);
		hx_buf_printf(out, "%zu\t%s\t%ld\t%s\t%s\t%" PRIu64 "\n", t->index,
			      hx_tier_name(t->tier), t->sample,
			      hx_corpus_name(&corpus, (size_t)t->module, nb, sizeof(nb)), ts, t->seed);
	}
done:
	hx_plan_release(&plan);
	hx_corpus_release(&corpus);
	hx_spec_free(spec);
	return err;
}

int hx_run_exit_status(const hx_run_result *r, int ci)
{
	if (r->shard.n)
		return 0; /* no snapshot yet: merge has the verdict */
	if (r->golden.verdict == HX_GOLDEN_MISMATCH)
		return 1;
	if (r->golden.verdict == HX_GOLDEN_MISSING && ci)
		return 1;
	return 0;
}
