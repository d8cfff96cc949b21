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
#include "replay.h"
#include "fsutil.h"
#include "json.h"
#include "plan.h"
#include "pool.h"
#include "progress.h"
#include "rng.h"
#include "spec.h"
#include "stats.h"

/* What a worker leaves for one task. The pool publishes it (pool.h) and
 * the writer reads the slots in plan order, so output never depends on
 * scheduling. */
typedef struct {
	char *raw;   /* telemetry line, '\n'-terminated */
	size_t raw_len;
	char *canon; /* canonical line, '\n'-terminated */
	size_t canon_len;
	hx_outcome outcome;
	signed char truth; /* metadata.ground_truth: -1 none, 0 invalid, 1 valid */
} task_slot;

/* One worker's scratch space, reused by every task it runs. The padding
 * keeps two workers' buffers off a shared cache line (their lengths change
 * with every byte written). */
typedef struct {
	hx_buf raw, canon;
	hx_arena *arena;
	char pad[64];
} scratch;

/* The run on hx_pool_run: job j is task first + j (a resumed run has its
 * first tasks' slots already). */
typedef struct {
	const hx_plan *plan;
	const hx_spec *spec;
	const hx_corpus *corpus;
	hx_engine *engine;
	hx_progress progress;
	task_slot *slots;
	scratch *scratch; /* per worker id */
	uint64_t nonce;
	const atomic_int *cancel;
	atomic_ulong counts[HX_OUT_COUNT];
	size_t first;
	/* the writer: the completed prefix goes to the partial file */
	FILE *partial;
	char *partial_path;
	size_t flushed; /* records in the partial file */
} run_ctx;

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

static signed char truth_of(const char *gt)
{
	return !gt ? -1 : strcmp(gt, "valid") == 0 ? 1 : strcmp(gt, "invalid") == 0 ? 0 : -1;
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
	slot->truth = truth_of(rec->ground_truth);
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
}

void hx_run_result_release(hx_run_result *r)
{
	size_t i;
	free(r->experiment);
	free(r->spec_path);
	free(r->engine_kind);
	free(r->engine_version);
	free(r->engine_path);
	free(r->engine_hash);
	free(r->engine_toolchain);
	free(r->run_dir);
	free(r->snapshot_dir);
	free(r->golden_dir);
	free(r->archive_path);
	free(r->modules_skipped_text);
	for (i = 0; i < HX_TIER_COUNT * HX_RUN_TIMEOUTS_SHOWN; i++)
		free(r->tiers[i / HX_RUN_TIMEOUTS_SHOWN].timed_out[i % HX_RUN_TIMEOUTS_SHOWN]);
	hx_golden_result_release(&r->golden);
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

/* Take back the records of an interrupted run: each line of the partial
 * file must be task i of this plan (same index, tier and module), so a
 * resumed run is the run that would have been. A torn last line (a crash
 * mid-write) is dropped. */
static int resume_slots(run_ctx *p, const hx_corpus *corpus, hx_arena *arena)
{
	hx_buf text = HX_BUF_INIT, raw = HX_BUF_INIT, canon = HX_BUF_INIT;
	size_t i = 0, start = 0, end;
	int err;

	if ((err = hx_file_read(&text, p->partial_path)) != 0) {
		if (err == HX_ENOTFOUND)
			hx_error_set("nothing to resume: no '%s'", p->partial_path);
		goto done;
	}
	for (;;) {
		const char *nl = start < text.len ? memchr(text.ptr + start, '\n', text.len - start)
						  : NULL;
		hx_json *rec, *meta, *idx, *tier, *mod, *outc;
		hx_json_error je;
		const hx_task *task;
		char nb[64];
		hx_outcome o;
		task_slot *slot;

		if (!nl)
			break; /* the end, or a torn last line */
		end = (size_t)(nl - text.ptr);
		if (i >= p->plan->n) {
			hx_error_set("cannot resume: '%s' has more records than the plan's %zu",
				     p->partial_path, p->plan->n);
			err = HX_EINVALID;
			goto done;
		}
		task = &p->plan->tasks[i];
		hx_arena_reset(arena);
		if (hx_json_parse(&rec, arena, text.ptr + start, end - start, &je) != 0) {
			hx_error_set("cannot resume: %s:%zu:%zu: %s", p->partial_path, i + 1, je.column,
				     je.msg);
			err = HX_EINVALID;
			goto done;
		}
		meta = hx_json_get(rec, "metadata");
		idx = hx_json_get(meta, "task_index");
		tier = hx_json_get(rec, "tier");
		mod = hx_json_get(rec, "module_name");
		outc = hx_json_get(rec, "outcome");
		if (!idx || idx->type != HX_JSON_NUMBER || idx->u.number != (double)i || !tier ||
		    tier->type != HX_JSON_STRING || strcmp(tier->u.string.ptr, hx_tier_lower(task->tier)) ||
		    !mod || mod->type != HX_JSON_STRING ||
		    strcmp(mod->u.string.ptr, hx_corpus_name(corpus, (size_t)task->module, nb, sizeof(nb))) ||
		    !outc || outc->type != HX_JSON_STRING || hx_outcome_parse(outc->u.string.ptr, &o)) {
			hx_error_set("cannot resume: record %zu of '%s' is not task %zu of this plan "
				     "(another spec, seed or corpus?)",
				     i + 1, p->partial_path, i);
			err = HX_EINVALID;
			goto done;
		}
		slot = &p->slots[i];
		hx_buf_reset(&canon);
		hx_arena_reset(arena);
		if ((err = hx_canon_line(&canon, arena, text.ptr + start, end - start,
					 &p->spec->profile, p->partial_path, i + 1)) != 0)
			goto done;
		slot->raw = hx_xmalloc(end - start + 2);
		memcpy(slot->raw, text.ptr + start, end - start + 1);
		slot->raw[end - start + 1] = '\0';
		slot->raw_len = end - start + 1;
		slot->canon = hx_xstrdup(canon.ptr);
		slot->canon_len = canon.len;
		slot->outcome = o;
		{
			const hx_json *gt = hx_json_get(meta, "ground_truth");
			slot->truth = truth_of(gt && gt->type == HX_JSON_STRING ? gt->u.string.ptr : NULL);
		}
		atomic_fetch_add(&p->counts[o], 1);
		i++;
		start = end + 1;
	}
	p->flushed = p->first = i;
	/* Rewrite the file as exactly the records kept (drops a torn line). */
	if (!(p->partial = fopen(p->partial_path, "w"))) {
		hx_error_set_errno(errno, "cannot open '%s'", p->partial_path);
		err = HX_ESYSTEM;
		goto done;
	}
	for (i = 0; i < p->flushed; i++)
		fwrite(p->slots[i].raw, 1, p->slots[i].raw_len, p->partial);
	if (fflush(p->partial) != 0) {
		hx_error_set_errno(errno, "cannot write '%s'", p->partial_path);
		err = HX_ESYSTEM;
	}
done:
	hx_buf_release(&text);
	hx_buf_release(&raw);
	hx_buf_release(&canon);
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
	co.meta.engine_kind = engine->kind;
	co.meta.engine_version = engine->version;
	co.meta.engine_path = engine->path;
	co.meta.engine_hash = engine->binary_hash;
	co.meta.engine_toolchain = engine->toolchain;
	co.meta.snapshot_hash = out->hash;
	co.meta.seed = spec->seed;
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
 * hours of verification. */
static int prepare_outputs(const hx_run_result *out, const hx_run_options *opt)
{
	int err;
	if ((err = hx_output_prepare(out->run_dir, 1, "the run directory")) != 0 ||
	    (err = hx_output_prepare(out->snapshot_dir, 1, "the snapshot directory")) != 0 ||
	    (opt->export_path &&
	     (err = hx_output_prepare(opt->export_path, 0, "the export file")) != 0) ||
	    (!opt->no_archive &&
	     (err = hx_output_prepare(opt->archive_dir ? opt->archive_dir : "runs", 1,
				      "the archive directory")) != 0))
		return err;
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
	hx_snapshot_info info;
	hx_buf summary = HX_BUF_INIT, canon = HX_BUF_INIT;
	char utc[32], date[32], *path = NULL;
	time_t now = time(NULL);
	struct tm tmv;
	double start = now_s(CLOCK_MONOTONIC);
	size_t i;
	int err, workers;

	memset(&p, 0, sizeof(p));
	memset(&ectx, 0, sizeof(ectx));
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
	if ((err = hx_engine_new(&engine, &ectx)) != 0)
		goto done;
	out->engine_kind = hx_xstrdup(engine->kind);
	out->engine_version = hx_xstrdup(engine->version);
	out->engine_path = engine->path ? hx_xstrdup(engine->path) : NULL;
	out->engine_hash = engine->binary_hash ? hx_xstrdup(engine->binary_hash) : NULL;
	out->engine_toolchain = engine->toolchain ? hx_xstrdup(engine->toolchain) : NULL;

	p.plan = &plan;
	p.spec = spec;
	p.corpus = &corpus;
	p.engine = engine;
	p.cancel = opt->cancel;
	p.slots = hx_xcalloc(plan.n ? plan.n : 1, sizeof(task_slot));
	p.nonce = (uint64_t)now ^ ((uint64_t)getpid() << 32) ^
		  (uint64_t)(now_s(CLOCK_MONOTONIC) * 1e9);
	p.partial_path = hx_path_join(out->run_dir, "telemetry.jsonl.partial");
	if (opt->resume) {
		if ((err = resume_slots(&p, &corpus, arena)) != 0)
			goto done;
	} else if (!(p.partial = fopen(p.partial_path, "w"))) {
		hx_error_set_errno(errno, "cannot create '%s'", p.partial_path);
		err = HX_ESYSTEM;
		goto done;
	}
	if (opt->progress != HX_PROGRESS_NONE) {
		fprintf(stderr, "%s: %s: %zu tasks on %d worker%s", opt->label ? opt->label : "harness run",
			spec->experiment, plan.n, workers, workers == 1 ? "" : "s");
		if (opt->resume)
			fprintf(stderr, ", resuming after %zu done", p.flushed);
		fputc('\n', stderr);
	}
	{
		hx_buf plabel = HX_BUF_INIT;
		hx_buf_printf(&plabel, "%s: %s", opt->label ? opt->label : "harness run",
			      spec->experiment);
		hx_progress_init(&p.progress, opt->progress, plabel.ptr, "tasks", plan.n,
				 p.first, workers, hx_progress_now());
		err = execute(&p, workers);
		hx_progress_release(&p.progress);
		hx_buf_release(&plabel);
	}
	if (err == HX_EINTERRUPTED) {
		hx_error_set("interrupted after %zu of %zu tasks; the completed ones are in '%s'; "
			     "resume with: harness run %s --out %s --resume",
			     p.flushed, plan.n, p.partial_path, spec->path, out->run_dir);
	}
	{
		/* Whatever happened, the records written so far reach the disk. */
		int e2 = sync_close(&p.partial, p.partial_path);
		if (!err)
			err = e2;
	}
	if (err)
		goto done;
	path = hx_path_join(out->run_dir, "telemetry.jsonl");
	if (rename(p.partial_path, path) != 0) {
		hx_error_set_errno(errno, "cannot rename '%s'", p.partial_path);
		err = HX_ESYSTEM;
		goto done;
	}

	/* The canonical stream in plan order, hashed once; the snapshot writes
	 * the stream first and the manifest last, so a manifest always describes
	 * the stream beside it. */
	for (i = 0; i < plan.n; i++)
		hx_buf_put(&canon, p.slots[i].canon, p.slots[i].canon_len);
	hx_hash128_buf(out->hash, canon.ptr, canon.len);
	out->records = plan.n;
	memset(&info, 0, sizeof(info));
	info.experiment = spec->experiment;
	info.seed = spec->seed;
	info.engine_kind = engine->kind;
	info.engine_version = engine->version;
	info.engine_path = engine->path;
	info.engine_hash = engine->binary_hash;
	info.toolchain = engine->toolchain;
	info.profile = &spec->profile;
	memcpy(info.hash, out->hash, sizeof(info.hash));
	info.records = plan.n;
	if ((err = hx_snapshot_write(out->snapshot_dir, &info, canon.ptr, canon.len)) != 0)
		goto done;

	if ((err = hx_golden_check(&out->golden, out->golden_dir, out->snapshot_dir, out->hash)) != 0)
		goto done;
	summarize(out, spec, &plan, &corpus, p.slots);
	out->elapsed_s = now_s(CLOCK_MONOTONIC) - start;

	if ((err = calibration_stages(out, spec, &plan, &corpus, engine, path, workers, opt,
				      date)) != 0)
		goto done;
	if (!opt->no_archive)
		out->archive_path = hx_replay_archive_name(opt->archive_dir ? opt->archive_dir : "runs",
							   spec->experiment, utc, out->hash);
	free(path);
	path = hx_path_join(out->run_dir, "summary.txt");
	hx_run_format_summary(&summary, out);
	if ((err = hx_file_write_atomic(path, summary.ptr, summary.len)) != 0)
		goto done;
	if (out->archive_path) {
		hx_buf text = HX_BUF_INIT;
		char finished[32];
		time_t end = time(NULL);
		gmtime_r(&end, &tmv);
		strftime(finished, sizeof(finished), "%Y-%m-%dT%H:%M:%SZ", &tmv);
		if (!opt->spec_text && (err = hx_file_read_spec(&text, spec->path)) != 0)
			goto done;
		err = hx_replay_archive_run(out->archive_path, out, spec,
					    opt->spec_text ? opt->spec_text : text.ptr,
					    opt->spec_text ? opt->spec_text_len : text.len, date, finished);
		hx_buf_release(&text);
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
	hx_buf_release(&canon);
	hx_buf_release(&summary);
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
