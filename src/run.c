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
#include "spec.h"
#include "stats.h"
#include "testhook.h"

static double now_s(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

/* Serialize a record and its canonical line into the task's slot. */
static int fill_slot(task_slot *slot, const hx_record *rec, const hx_canon_profile *profile,
		     size_t index, scratch *s)
{
	int err;
	hx_buf_reset(&s->raw);
	hx_record_write_json(&s->raw, rec);
	hx_buf_reset(&s->canon);
	hx_arena_reset(s->arena);
	err = hx_canon_line(&s->canon, s->arena, s->raw.ptr, s->raw.len - 1, profile, "telemetry",
			    index + 1);
	if (err)
		return err;
	slot->outcome = rec->outcome;
	slot->truth = hx_run_truth_of(rec->ground_truth);
	slot->raw = hx_xstrdup(s->raw.ptr);
	slot->raw_len = s->raw.len;
	slot->canon = hx_xstrdup(s->canon.ptr);
	slot->canon_len = s->canon.len;
	return 0;
}

/* The pool's run: one task on one worker. */
static int run_job(void *ctx, size_t job, int worker)
{
	run_ctx *c = ctx;
	size_t i = c->first + job;
	const hx_task *task = &c->plan->tasks[i];
	hx_record rec;
	char nb[64];
	int err;

	hx_progress_begin(&c->progress, worker,
			  hx_corpus_name(c->corpus, (size_t)task->module, nb, sizeof(nb)), task->tier,
			  hx_progress_now());
	hx_record_init(&rec);
	rec.worker = worker;
	rec.timestamp = now_s(CLOCK_REALTIME);
	make_id(rec.verification_id, task->seed, c->nonce);
	err = c->engine->run_task(c->engine, task, &rec);
	hx_progress_end(&c->progress, worker);
	if (err == HX_ETIMEOUT && canceled(c))
		err = HX_EINTERRUPTED; /* this task has no record */
	else if (!err)
		err = fill_slot(&c->slots[i], &rec, &c->spec->profile, i, &c->scratch[worker]);
	hx_record_release(&rec);
	if (!err)
		atomic_fetch_add(&c->counts[c->slots[i].outcome], 1);
	return err;
}

/* The pool's flush: append the newly completed tasks to the partial file. */
static int flush_jobs(void *ctx, size_t from, size_t to)
{
	run_ctx *c = ctx;
	size_t i;
	for (i = c->first + from; i < c->first + to; i++) {
		const task_slot *s = &c->slots[i];
		if (fwrite(s->raw, 1, s->raw_len, c->partial) != s->raw_len) {
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
		hx_buf_init(&c->scratch[w].canon);
		c->scratch[w].arena = hx_arena_new();
	}
	memset(&po, 0, sizeof(po));
	po.n = c->plan->n - c->first;
	po.workers = workers;
	po.ctx = c;
	po.run = run_job;
	po.flush = flush_jobs;
	po.tick = tick_jobs;
	po.cancel = c->cancel;
	err = hx_pool_run(&po, NULL);
	hx_progress_finish(&c->progress);
	for (w = 0; w < workers; w++) {
		hx_buf_release(&c->scratch[w].raw);
		hx_buf_release(&c->scratch[w].canon);
		hx_arena_free(c->scratch[w].arena);
	}
	free(c->scratch);
	c->scratch = NULL;
	return err;
}

void hx_run_result_init(hx_run_result *r)
{
	memset(r, 0, sizeof(*r));
	hx_golden_result_init(&r->golden);
	hx_buf_init(&r->snapshot_stream);
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
	hx_buf_release(&r->snapshot_stream);
	hx_buf_release(&r->snapshot_manifest);
	memset(r, 0, sizeof(*r));
}

static char *default_run_dir(const char *experiment, char utc[32])
{
	hx_buf b = HX_BUF_INIT;
	int k;
	for (k = 1;; k++) {
		hx_buf_reset(&b);
		hx_buf_printf(&b, "runs/%s-%s", experiment, utc);
		if (k > 1)
			hx_buf_printf(&b, "-%d", k);
		if (!hx_path_exists(b.ptr))
			break;
	}
	return hx_buf_detach(&b, NULL);
}

static void set_rate(hx_run_rate *r, unsigned long k, unsigned long n)
{
	r->k = k;
	r->n = n;
	r->rate = n ? (double)k / (double)n : 0;
	hx_stats_wilson(k, n, 0.95, &r->lo, &r->hi);
}

static void summarize(hx_run_result *r, const hx_spec *spec, const hx_plan *plan,
		      const hx_corpus *corpus, const task_slot *slots)
{
	unsigned long sf[HX_TIER_COUNT][2] = {{0}}, sp[HX_TIER_COUNT][2] = {{0}};
	size_t i, t;
	for (t = 0; t < spec->ntiers; t++)
		r->tiers[t].tier = spec->tiers[t].tier;
	r->ntiers = spec->ntiers;
	for (i = 0; i < plan->n; i++) {
		const task_slot *sl = &slots[i];
		for (t = 0; t < r->ntiers && r->tiers[t].tier != plan->tasks[i].tier; t++)
			;
		if (t == r->ntiers)
			continue;
		if (sl->outcome == HX_OUT_VERIFIER_TIMEOUT &&
		    r->tiers[t].counts[sl->outcome] < HX_RUN_TIMEOUTS_SHOWN) {
			char nb[64];
			r->tiers[t].timed_out[r->tiers[t].counts[sl->outcome]] = hx_xstrdup(
				hx_corpus_name(corpus, (size_t)plan->tasks[i].module, nb, sizeof(nb)));
		}
		r->tiers[t].n++;
		r->tiers[t].counts[sl->outcome]++;
		r->has_truth |= sl->truth >= 0;
		/* calib.h's definitions: conditional on not timing out */
		if (sl->truth >= 0 && sl->outcome != HX_OUT_VERIFIER_TIMEOUT) {
			unsigned long *c = sl->truth ? sf[t] : sp[t];
			c[1]++;
			c[0] += sl->outcome == (sl->truth ? HX_OUT_PROOF_INVALID : HX_OUT_VERIFIED);
		}
	}
	for (t = 0; t < r->ntiers; t++) {
		hx_tier_summary *s = &r->tiers[t];
		unsigned long vf = s->n - s->counts[HX_OUT_VERIFIED] - s->counts[HX_OUT_PROOF_INVALID];
		set_rate(&s->proof_invalid, s->counts[HX_OUT_PROOF_INVALID], s->n);
		set_rate(&s->verifier_failure, vf, s->n);
		set_rate(&s->timeout, s->counts[HX_OUT_VERIFIER_TIMEOUT], s->n);
		set_rate(&s->spurious_fail, sf[t][0], sf[t][1]);
		set_rate(&s->spurious_pass, sp[t][0], sp[t][1]);
	}
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

static int sync_close(FILE **fp, const char *path)
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

static char *corpus_text(const hx_spec *spec, const hx_corpus *corpus)
{
	hx_buf b = HX_BUF_INIT;
	if (spec->corpus_path)
		hx_buf_printf(&b, "%s %s (%zu modules)", spec->corpus_kind, spec->corpus_path, corpus->n);
	else
		hx_buf_printf(&b, "%s (%zu modules)", spec->corpus_kind, corpus->n);
	if (spec->corpus_filter)
		hx_buf_printf(&b, ", filter %s", spec->corpus_filter);
	if (corpus->skipped)
		hx_buf_printf(&b, ", %zu without a file skipped", corpus->skipped);
	return hx_buf_detach(&b, NULL);
}

/* Stages 3 to 6 on the finished telemetry (telemetry_path). */
static int calibration_stages(hx_run_result *out, const hx_spec *spec, const hx_plan *plan,
			      const hx_corpus *corpus, const hx_engine *engine,
			      const char *telemetry_path, int workers, const hx_run_options *opt,
			      const char *date)
{
	hx_calibrate_options co;
	char *labels = NULL, *work = NULL, *corpus_desc = corpus_text(spec, corpus);
	const char *label = opt->label ? opt->label : "harness run";
	hx_buf plabel = HX_BUF_INIT;
	int err = 0;

	if (spec->label.enabled) {
		hx_label_options lo;
		memset(&lo, 0, sizeof(lo));
		labels = hx_path_join(out->run_dir, "labels.jsonl");
		work = hx_path_join(out->run_dir, "label");
		lo.spec = spec;
		lo.plan = plan;
		lo.corpus = corpus;
		lo.telemetry_path = telemetry_path;
		lo.labels_path = labels;
		lo.work_dir = work;
		lo.workers = workers;
		lo.cancel = opt->cancel;
		lo.progress = opt->progress;
		hx_buf_printf(&plabel, "%s: %s: label", label, spec->experiment);
		lo.progress_label = plabel.ptr;
		if (opt->progress != HX_PROGRESS_NONE)
			fprintf(stderr, "%s: %s: labeling a stratified sample of up to %ld records\n", label,
				spec->experiment, spec->label.sample);
		if ((err = hx_label_run(&out->labels, &lo)) != 0)
			goto done;
		out->labeled = 1;
		out->labels_used = out->labels.kept_completed > 0;
		if (hx_is_dir(work))
			hx_remove_tree(work);
	}
	memset(&co, 0, sizeof(co));
	co.spec = spec;
	co.telemetry_path = telemetry_path;
	co.labels_path = out->labels_used ? labels : NULL;
	co.run_dir = out->run_dir;
	co.export_path = opt->export_path;
	co.meta.experiment = spec->experiment;
	co.meta.spec_path = spec->path;
	co.meta.date_utc = date;
	co.meta.corpus = corpus_desc;
	co.meta.engine = hx_engine_id_of(engine);
	co.meta.snapshot_hash = out->hash;
	co.meta.seed = spec->seed;
	co.keep_data = 1; /* for the report: not read and fitted twice */
	err = hx_calibrate(&out->calib, &co);
done:
	hx_buf_release(&plabel);
	free(labels);
	free(work);
	free(corpus_desc);
	return err;
}

/* Every place the run writes to, made (with parents) and checked before
 * any task runs: a typo in an output path is an error at once, not after
 * hours of verification. The snapshot directory is replaced as a whole,
 * beside itself: its parent must take new entries. */
static int prepare_outputs(const hx_run_result *out, const hx_run_options *opt)
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

/* The snapshot of the finished telemetry, and its golden verdict: under
 * the snapshot's lock (lock.h), so a racing run of the experiment cannot
 * replace it between the write and the check, nor golden accept read it
 * half way. The bytes stay in out for the archive: the directory may be
 * another run's by then. */
static int snapshot_phase(hx_run_result *out, const hx_spec *spec, const hx_engine *engine,
			  const run_ctx *p)
{
	hx_snapshot_info info;
	hx_lock lock = HX_LOCK_NONE;
	size_t i;
	int err;

	hx_buf_reset(&out->snapshot_stream);
	for (i = 0; i < p->plan->n; i++)
		hx_buf_put(&out->snapshot_stream, p->slots[i].canon, p->slots[i].canon_len);
	hx_hash128_buf(out->hash, out->snapshot_stream.ptr ? out->snapshot_stream.ptr : "",
		       out->snapshot_stream.len);
	out->records = p->plan->n;
	memset(&info, 0, sizeof(info));
	info.experiment = spec->experiment;
	info.seed = spec->seed;
	info.engine = hx_engine_id_of(engine);
	info.profile = &spec->profile;
	memcpy(info.hash, out->hash, sizeof(info.hash));
	info.records = p->plan->n;
	hx_buf_reset(&out->snapshot_manifest);
	hx_snapshot_manifest_format(&out->snapshot_manifest, &info);
	if ((err = hx_lock_take(&lock, out->snapshot_dir, 1)) != 0)
		return err;
	if ((err = hx_snapshot_write(out->snapshot_dir, &info,
				     out->snapshot_stream.ptr ? out->snapshot_stream.ptr : "",
				     out->snapshot_stream.len)) == 0) {
		hx_testhook_point("snapshot-written");
		err = hx_golden_check(&out->golden, out->golden_dir, out->snapshot_dir, out->hash);
	}
	hx_lock_release(&lock);
	return err;
}

/* RUN/golden.txt: the verdict and, on a mismatch, the diff (the report's). */
static int write_golden(const hx_run_result *out)
{
	const hx_golden_result *g = &out->golden;
	hx_buf diff = HX_BUF_INIT;
	int err;
	if (g->verdict == HX_GOLDEN_MISMATCH) {
		hx_buf_printf(&diff, "%zu records in golden, %zu in the snapshot; %zu compared: "
				     "%zu changed, %zu added, %zu removed\n",
			      g->diff.old_records, g->diff.new_records, g->diff.compared,
			      g->diff.changed, g->diff.added, g->diff.removed);
		hx_buf_put(&diff, g->diff.text.ptr ? g->diff.text.ptr : "", g->diff.text.len);
	}
	err = hx_report_write_golden(out->run_dir, hx_golden_verdict_name(g->verdict),
				     out->golden_dir, g->golden_hash, out->hash, diff.ptr);
	hx_buf_release(&diff);
	return err;
}

/* Everything after the telemetry is final: snapshot, golden check,
 * calibration stages, summary.txt, report.html, archive. Each step rewrites its
 * output whole (atomically), so after a crash anywhere here `--resume`
 * does them all again from RUN/telemetry.jsonl and ends as the run would
 * have; the archive keeps the name the state file gives it. */
static int finish(hx_run_result *out, const hx_spec *spec, const hx_corpus *corpus,
		  const hx_engine *engine, const run_ctx *p, const char *telemetry_path,
		  int workers, const hx_run_options *opt, hx_run_state *state, double start)
{
	hx_buf summary = HX_BUF_INIT, text = HX_BUF_INIT;
	char *path = NULL, finished[32];
	struct tm tmv;
	time_t end;
	int err;

	if ((err = snapshot_phase(out, spec, engine, p)) != 0)
		goto done;
	if ((err = write_golden(out)) != 0)
		goto done;
	summarize(out, spec, p->plan, corpus, p->slots);
	out->elapsed_s = now_s(CLOCK_MONOTONIC) - start;
	if ((err = calibration_stages(out, spec, p->plan, corpus, engine, telemetry_path, workers,
				      opt, state->date)) != 0)
		goto done;
	hx_testhook_point("stages-done");
	if (!opt->no_archive) {
		const char *dir = opt->archive_dir ? opt->archive_dir : "runs";
		/* The name chosen the first time (the state file), so finishing
		 * a run twice replaces its archive instead of adding one. */
		out->archive_path = state->archive ? hx_xstrdup(state->archive)
						   : hx_run_archive_name(dir, spec->experiment,
									 state->utc, out->hash);
		if (!state->archive || strcmp(state->archive, out->archive_path) != 0) {
			free(state->archive);
			state->archive = hx_xstrdup(out->archive_path);
			if ((err = hx_run_state_write(state, out->run_dir)) != 0)
				goto done;
		}
	}
	path = hx_path_join(out->run_dir, "summary.txt");
	hx_run_format_summary(&summary, out);
	if ((err = hx_file_write_atomic(path, summary.ptr, summary.len)) != 0)
		goto done;
	hx_testhook_point("summary-written");
	if (!opt->no_report &&
	    (err = hx_report_run_with(out->run_dir, NULL,
				      out->calib.kept && out->calib.exported ? &out->calib.all : NULL,
				      out->calib.kept && out->calib.exported ? &out->calib.train
									      : NULL)) != 0)
		goto done;
	if (out->archive_path) {
		end = time(NULL);
		gmtime_r(&end, &tmv);
		strftime(finished, sizeof(finished), "%Y-%m-%dT%H:%M:%SZ", &tmv);
		if (!opt->spec_text && (err = hx_file_read_spec(&text, spec->path)) != 0)
			goto done;
		if ((err = hx_run_archive_write(out->archive_path, out, spec,
						opt->spec_text ? opt->spec_text : text.ptr,
						opt->spec_text ? opt->spec_text_len : text.len,
						state->date, finished)) != 0)
			goto done;
		hx_testhook_point("archive-written");
	}
done:
	hx_buf_release(&summary);
	hx_buf_release(&text);
	free(path);
	return err;
}

/* The run's start (utc: in names; date: ISO 8601): now, or when resuming,
 * the first attempt's from its state file; a new run writes it there. */
static int start_state(hx_run_state *state, const hx_run_options *opt, const char *run_dir,
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
		int e2 = sync_close(&p->partial, p->partial_path);
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
	char utc[32], date[32], *path = NULL;
	time_t now = time(NULL);
	struct tm tmv;
	double start = now_s(CLOCK_MONOTONIC);
	size_t i;
	int err, workers, final = 0;

	memset(&p, 0, sizeof(p));
	memset(&ectx, 0, sizeof(ectx));
	memset(&state, 0, sizeof(state));
	gmtime_r(&now, &tmv);
	strftime(utc, sizeof(utc), "%Y%m%dT%H%M%SZ", &tmv);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tmv);
	if ((err = load_spec(&spec, opt)) != 0 || (err = hx_corpus_load(&corpus, spec)) != 0 ||
	    (err = hx_plan_build(&plan, spec, corpus.n)) != 0)
		goto done;
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
	out->run_dir = opt->out_dir ? hx_xstrdup(opt->out_dir) : default_run_dir(spec->experiment, utc);
	out->snapshot_dir = hx_path_join(opt->snapshots_dir ? opt->snapshots_dir : "snapshots",
					 spec->experiment);
	out->golden_dir = hx_xstrdup(spec->golden);
	out->ci = opt->ci;
	if ((err = prepare_outputs(out, opt)) != 0)
		goto done;

	ectx.spec = spec;
	ectx.corpus = &corpus;
	ectx.out_dir = out->run_dir;
	ectx.cancel = opt->cancel;
	/* After the engine is identified: a run stopped while its version
	 * command runs has written nothing. */
	if ((err = hx_engine_new(&engine, &ectx)) != 0 ||
	    (err = start_state(&state, opt, out->run_dir, utc, date)) != 0)
		goto done;
	hx_engine_id id = hx_engine_id_of(engine);
	hx_engine_id_dup(&out->engine, &id);

	p.plan = &plan;
	p.spec = spec;
	p.corpus = &corpus;
	p.engine = engine;
	p.cancel = opt->cancel;
	p.slots = hx_xcalloc(plan.n ? plan.n : 1, sizeof(task_slot));
	p.nonce = (uint64_t)now ^ ((uint64_t)getpid() << 32) ^
		  (uint64_t)(now_s(CLOCK_MONOTONIC) * 1e9);
	p.partial_path = hx_path_join(out->run_dir, "telemetry.jsonl.partial");
	path = hx_path_join(out->run_dir, "telemetry.jsonl");
	if ((err = run_tasks(&p, out, spec, workers, opt, arena, path, &final)) != 0)
		goto done;
	if (opt->resume) /* what an interrupted attempt left half done */
		hx_run_clean_leftovers(out->run_dir, state.archive);
	if ((err = finish(out, spec, &corpus, engine, &p, path, workers, opt, &state, start)) != 0) {
		/* Whatever stopped it, the tasks are done: say how to finish. */
		char why[512], cmd[1024];
		snprintf(why, sizeof(why), "%s",
			 err == HX_EINTERRUPTED ? "interrupted after the tasks" : hx_error_last());
		hx_error_set("%s; the telemetry is in '%s': finish the run with: %s", why, path,
			     resume_command(cmd, sizeof(cmd), spec, opt, out->run_dir));
	}
done:
	if (p.partial)
		sync_close(&p.partial, p.partial_path);
	if (p.slots) {
		for (i = 0; i < plan.n; i++) {
			free(p.slots[i].raw);
			free(p.slots[i].canon);
		}
		free(p.slots);
	}
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
	if (r->golden.verdict == HX_GOLDEN_MISMATCH)
		return 1;
	if (r->golden.verdict == HX_GOLDEN_MISSING && ci)
		return 1;
	return 0;
}
