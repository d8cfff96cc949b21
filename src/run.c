#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "canon.h"
#include "engine.h"
#include "error.h"
#include "export.h"
#include "fsutil.h"
#include "json.h"
#include "plan.h"
#include "rng.h"
#include "spec.h"
#include "stats.h"

/* What a worker leaves for one task; the writer reads the slots in plan
 * order once every worker is done, so output never depends on scheduling. */
typedef struct {
	char *raw;   /* telemetry line, '\n'-terminated */
	size_t raw_len;
	char *canon; /* canonical line, '\n'-terminated */
	size_t canon_len;
	hx_outcome outcome;
} task_slot;

typedef struct {
	const hx_plan *plan;
	const hx_spec *spec;
	hx_engine *engine;
	task_slot *slots;
	uint64_t nonce;
	atomic_size_t next;
	atomic_size_t done;
	atomic_int failed;
	pthread_mutex_t err_lock;
	pthread_cond_t finished; /* signalled when the last task is done or one fails */
	char err[1024];
	int err_code;
} pool;

typedef struct {
	pool *p;
	int id;
} worker_arg;

static double now_s(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
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

static void fail(pool *p, int code)
{
	pthread_mutex_lock(&p->err_lock);
	if (!atomic_load(&p->failed)) {
		snprintf(p->err, sizeof(p->err), "%s", hx_error_last());
		p->err_code = code;
		atomic_store(&p->failed, 1);
	}
	pthread_cond_broadcast(&p->finished);
	pthread_mutex_unlock(&p->err_lock);
}

static void *worker_main(void *arg)
{
	worker_arg *wa = arg;
	pool *p = wa->p;
	hx_buf raw = HX_BUF_INIT, canon = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	size_t i;

	while (!atomic_load(&p->failed) && (i = atomic_fetch_add(&p->next, 1)) < p->plan->n) {
		const hx_task *task = &p->plan->tasks[i];
		hx_record rec;
		int err;

		hx_record_init(&rec);
		rec.worker = wa->id;
		rec.timestamp = now_s(CLOCK_REALTIME);
		make_id(rec.verification_id, task->seed, p->nonce);
		err = p->engine->run_task(p->engine, task, &rec);
		if (err) {
			hx_record_release(&rec);
			fail(p, err);
			break;
		}
		hx_buf_reset(&raw);
		hx_record_write_json(&raw, &rec);
		hx_buf_reset(&canon);
		hx_arena_reset(arena);
		err = hx_canon_line(&canon, arena, raw.ptr, raw.len - 1, &p->spec->profile,
				    "telemetry", i + 1);
		if (err) {
			hx_record_release(&rec);
			fail(p, err);
			break;
		}
		p->slots[i].outcome = rec.outcome;
		p->slots[i].raw = hx_xstrdup(raw.ptr);
		p->slots[i].raw_len = raw.len;
		p->slots[i].canon = hx_xstrdup(canon.ptr);
		p->slots[i].canon_len = canon.len;
		hx_record_release(&rec);
		if (atomic_fetch_add(&p->done, 1) + 1 == p->plan->n) {
			pthread_mutex_lock(&p->err_lock);
			pthread_cond_broadcast(&p->finished);
			pthread_mutex_unlock(&p->err_lock);
		}
	}
	hx_arena_free(arena);
	hx_buf_release(&raw);
	hx_buf_release(&canon);
	return NULL;
}

static void progress_line(const char *exp, size_t done, size_t total, double elapsed, int tty)
{
	double rate = elapsed > 0 ? (double)done / elapsed : 0;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	if (tty)
		fprintf(stderr, "\r%s: %zu/%zu tasks  %.0f/s  eta %.1fs   ", exp, done, total, rate,
			eta);
	else
		fprintf(stderr, "harness run: %s: %zu/%zu tasks, %.0f/s\n", exp, done, total, rate);
	fflush(stderr);
}

static int execute(pool *p, int workers, const hx_run_options *opt)
{
	pthread_t *th = hx_xcalloc((size_t)workers, sizeof(pthread_t));
	worker_arg *args = hx_xcalloc((size_t)workers, sizeof(worker_arg));
	double start = now_s(CLOCK_MONOTONIC), last = start;
	int i, started = 0, err = 0;

	for (i = 0; i < workers; i++) {
		args[i].p = p;
		args[i].id = i;
		if (pthread_create(&th[i], NULL, worker_main, &args[i]) != 0) {
			hx_error_set("cannot start worker thread %d", i);
			atomic_store(&p->failed, 1);
			err = HX_ESYSTEM;
			break;
		}
		started++;
	}
	/* Wait for the last task (or a failure), waking every 100 ms to report
	 * progress: on a terminal each time, otherwise every 10 s. */
	pthread_mutex_lock(&p->err_lock);
	while (started == workers && atomic_load(&p->done) < p->plan->n &&
	       !atomic_load(&p->failed)) {
		struct timespec until;
		double t;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->finished, &p->err_lock, &until);
		t = now_s(CLOCK_MONOTONIC);
		if (atomic_load(&p->done) < p->plan->n &&
		    (opt->progress == HX_PROGRESS_TTY ||
		     (opt->progress == HX_PROGRESS_LINES && t - last >= 10.0))) {
			progress_line(p->spec->experiment, atomic_load(&p->done), p->plan->n,
				      t - start, opt->progress == HX_PROGRESS_TTY);
			last = t;
		}
	}
	pthread_mutex_unlock(&p->err_lock);
	if (opt->progress == HX_PROGRESS_TTY && last > start)
		fputs("\r\033[K", stderr);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	free(args);
	if (!err && atomic_load(&p->failed)) {
		hx_error_set("%s", p->err);
		err = p->err_code;
	}
	return err;
}

void hx_run_result_init(hx_run_result *r)
{
	memset(r, 0, sizeof(*r));
	hx_golden_result_init(&r->golden);
}

void hx_run_result_release(hx_run_result *r)
{
	free(r->experiment);
	free(r->spec_path);
	free(r->engine_kind);
	free(r->engine_version);
	free(r->run_dir);
	free(r->snapshot_dir);
	free(r->golden_dir);
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

static void summarize(hx_run_result *r, const hx_spec *spec, const hx_plan *plan,
		      const task_slot *slots)
{
	size_t i, t;
	for (t = 0; t < spec->ntiers; t++)
		r->tiers[t].tier = spec->tiers[t].tier;
	r->ntiers = spec->ntiers;
	for (i = 0; i < plan->n; i++) {
		for (t = 0; t < r->ntiers; t++) {
			if (r->tiers[t].tier == plan->tasks[i].tier) {
				r->tiers[t].n++;
				r->tiers[t].counts[slots[i].outcome]++;
				break;
			}
		}
	}
	for (t = 0; t < r->ntiers; t++) {
		hx_tier_summary *s = &r->tiers[t];
		unsigned long to = s->counts[HX_OUT_VERIFIER_TIMEOUT];
		unsigned long fl = s->counts[HX_OUT_PROOF_INVALID];
		s->timeout_rate = s->n ? (double)to / (double)s->n : 0;
		s->fail_rate = s->n ? (double)fl / (double)s->n : 0;
		hx_stats_wilson(to, s->n, 0.95, &s->timeout_lo, &s->timeout_hi);
		hx_stats_wilson(fl, s->n, 0.95, &s->fail_lo, &s->fail_hi);
	}
}

static int write_raw(const char *path, const task_slot *slots, size_t n)
{
	hx_atomic_file f;
	size_t i;
	int err = hx_atomic_open(&f, path);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (fwrite(slots[i].raw, 1, slots[i].raw_len, f.fp) != slots[i].raw_len) {
			hx_error_set_errno(errno, "cannot write '%s'", path);
			hx_atomic_abort(&f);
			return HX_ESYSTEM;
		}
	}
	return hx_atomic_commit(&f);
}

static int num_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

int hx_run(hx_run_result *out, const hx_run_options *opt)
{
	hx_spec *spec = NULL;
	hx_plan plan = {0};
	hx_engine *engine = NULL;
	pool p;
	hx_buf canon = HX_BUF_INIT;
	hx_snapshot_info info;
	hx_buf summary = HX_BUF_INIT;
	char utc[32], date[32], *path = NULL;
	time_t now = time(NULL);
	struct tm tmv;
	double start = now_s(CLOCK_MONOTONIC);
	size_t i;
	int err, workers;

	memset(&p, 0, sizeof(p));
	pthread_mutex_init(&p.err_lock, NULL);
	pthread_cond_init(&p.finished, NULL);
	gmtime_r(&now, &tmv);
	strftime(utc, sizeof(utc), "%Y%m%dT%H%M%SZ", &tmv);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tmv);

	if ((err = hx_spec_load(&spec, opt->spec_path)) != 0)
		goto done;
	if (opt->has_seed)
		spec->seed = opt->seed;
	if ((err = hx_plan_build(&plan, spec)) != 0 || (err = hx_engine_new(&engine, spec)) != 0)
		goto done;

	workers = opt->workers > 0 ? opt->workers : spec->workers > 0 ? spec->workers : num_cores();
	if ((size_t)workers > plan.n)
		workers = plan.n ? (int)plan.n : 1;
	out->experiment = hx_xstrdup(spec->experiment);
	out->spec_path = hx_xstrdup(spec->path);
	out->seed = spec->seed;
	out->engine_kind = hx_xstrdup(engine->kind);
	out->engine_version = hx_xstrdup(engine->version);
	out->tasks = plan.n;
	out->workers = workers;
	out->run_dir = opt->out_dir ? hx_xstrdup(opt->out_dir) : default_run_dir(spec->experiment, utc);
	out->snapshot_dir = hx_path_join("snapshots", spec->experiment);
	out->golden_dir = hx_xstrdup(spec->golden);

	if (opt->progress != HX_PROGRESS_NONE)
		fprintf(stderr, "harness run: %s: %zu tasks on %d worker%s\n", spec->experiment,
			plan.n, workers, workers == 1 ? "" : "s");
	p.plan = &plan;
	p.spec = spec;
	p.engine = engine;
	p.slots = hx_xcalloc(plan.n ? plan.n : 1, sizeof(task_slot));
	p.nonce = (uint64_t)now ^ ((uint64_t)getpid() << 32) ^
		  (uint64_t)(now_s(CLOCK_MONOTONIC) * 1e9);
	if ((err = execute(&p, workers, opt)) != 0)
		goto done;

	/* Everything below reads the slots in plan order. */
	if ((err = hx_mkdirs(out->run_dir, 0777)) != 0)
		goto done;
	path = hx_path_join(out->run_dir, "telemetry.jsonl");
	if ((err = write_raw(path, p.slots, plan.n)) != 0)
		goto done;
	free(path);
	path = NULL;

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
	info.profile = &spec->profile;
	memcpy(info.hash, out->hash, sizeof(info.hash));
	info.records = plan.n;
	if ((err = hx_snapshot_write(out->snapshot_dir, &info, canon.ptr, canon.len)) != 0)
		goto done;

	if ((err = hx_golden_check(&out->golden, out->golden_dir, out->snapshot_dir, out->hash)) != 0)
		goto done;
	summarize(out, spec, &plan, p.slots);
	out->elapsed_s = now_s(CLOCK_MONOTONIC) - start;

	free(path);
	path = hx_path_join(out->run_dir, "calibration.yaml");
	if ((err = hx_export_calibration(path, out, date)) != 0)
		goto done;
	free(path);
	path = hx_path_join(out->run_dir, "summary.txt");
	hx_run_format_summary(&summary, out);
	err = hx_file_write_atomic(path, summary.ptr, summary.len);
done:
	if (p.slots) {
		for (i = 0; i < plan.n; i++) {
			free(p.slots[i].raw);
			free(p.slots[i].canon);
		}
		free(p.slots);
	}
	pthread_mutex_destroy(&p.err_lock);
	pthread_cond_destroy(&p.finished);
	hx_buf_release(&canon);
	hx_buf_release(&summary);
	free(path);
	hx_engine_free(engine);
	hx_plan_release(&plan);
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

static void rate_cell(hx_buf *out, double rate, double lo, double hi)
{
	hx_buf_printf(out, "  %.3f [%.3f, %.3f]", rate, lo, hi);
}

/* Short column names; the first three columns are always shown, the other
 * outcomes only when some tier has them. */
static const char *const outcome_columns[HX_OUT_COUNT] = {
	"verified", "invalid", "timeout", "det_timeout", "exhausted", "crash", "not_found",
	"engine_err",
};

static int column_width(int o)
{
	int w = (int)strlen(outcome_columns[o]);
	return w < 8 ? 8 : w;
}

void hx_run_format_summary(hx_buf *out, const hx_run_result *r)
{
	size_t t;
	int o, shown[HX_OUT_COUNT];
	const hx_golden_result *g = &r->golden;

	for (o = 0; o < HX_OUT_COUNT; o++) {
		shown[o] = o <= HX_OUT_VERIFIER_TIMEOUT;
		for (t = 0; t < r->ntiers; t++)
			shown[o] |= r->tiers[t].counts[o] > 0;
	}
	hx_buf_printf(out, "experiment  %s (seed %" PRIu64 ", engine %s, %zu tasks)\n",
		      r->experiment, r->seed, r->engine_version, r->tasks);
	hx_buf_puts(out, "tier           n");
	for (o = 0; o < HX_OUT_COUNT; o++)
		if (shown[o])
			hx_buf_printf(out, "  %*s", column_width(o), outcome_columns[o]);
	hx_buf_puts(out, "  timeout rate [95% CI]  failure rate [95% CI]\n");
	for (t = 0; t < r->ntiers; t++) {
		const hx_tier_summary *s = &r->tiers[t];
		hx_buf_printf(out, "%-9s %6lu", hx_tier_name(s->tier), s->n);
		for (o = 0; o < HX_OUT_COUNT; o++)
			if (shown[o])
				hx_buf_printf(out, "  %*lu", column_width(o), s->counts[o]);
		rate_cell(out, s->timeout_rate, s->timeout_lo, s->timeout_hi);
		rate_cell(out, s->fail_rate, s->fail_lo, s->fail_hi);
		hx_buf_putc(out, '\n');
	}
	hx_buf_printf(out, "snapshot    %s/%s  %s  (%zu records)\n", r->snapshot_dir,
		      HX_SNAPSHOT_STREAM, r->hash, r->records);
	switch (g->verdict) {
	case HX_GOLDEN_MATCH:
		hx_buf_printf(out, "golden      match (%s)\n", r->golden_dir);
		break;
	case HX_GOLDEN_MISSING:
		hx_buf_printf(out, "golden      missing (%s); accept this snapshot with: "
				   "harness golden accept %s\n",
			      r->golden_dir, r->experiment);
		break;
	case HX_GOLDEN_MISMATCH:
		hx_buf_printf(out, "golden      mismatch (%s  %s)\n", r->golden_dir, g->golden_hash);
		hx_buf_printf(out, "  %zu records in golden, %zu in the snapshot: %zu changed, "
				   "%zu added, %zu removed\n",
			      g->diff.old_records, g->diff.new_records, g->diff.changed,
			      g->diff.added, g->diff.removed);
		hx_buf_put(out, g->diff.text.ptr, g->diff.text.len);
		hx_buf_printf(out, "  if the change is intended: harness golden accept %s\n",
			      r->experiment);
		break;
	}
	hx_buf_printf(out, "run         %s\n", r->run_dir);
}

static void json_str(hx_buf *out, const char *s)
{
	hx_canon_write_string(out, s, strlen(s));
}

static void json_num(hx_buf *out, double v)
{
	char tmp[32];
	hx_buf_put(out, tmp, hx_canon_format_number(tmp, v));
}

/* ,"NAME":rate,"NAME_ci":[lo,hi] */
static void json_rate(hx_buf *out, const char *name, double rate, double lo, double hi)
{
	hx_buf_printf(out, ",\"%s\":", name);
	json_num(out, rate);
	hx_buf_printf(out, ",\"%s_ci\":[", name);
	json_num(out, lo);
	hx_buf_putc(out, ',');
	json_num(out, hi);
	hx_buf_putc(out, ']');
}

void hx_run_format_json(hx_buf *out, const hx_run_result *r)
{
	size_t t;
	int o;
	hx_buf_puts(out, "{\"experiment\":");
	json_str(out, r->experiment);
	hx_buf_printf(out, ",\"seed\":\"%" PRIu64 "\",\"engine\":{\"kind\":", r->seed);
	json_str(out, r->engine_kind);
	hx_buf_puts(out, ",\"version\":");
	json_str(out, r->engine_version);
	hx_buf_printf(out, "},\"tasks\":%zu,\"workers\":%d,\"tiers\":[", r->tasks, r->workers);
	for (t = 0; t < r->ntiers; t++) {
		const hx_tier_summary *s = &r->tiers[t];
		hx_buf_printf(out, "%s{\"tier\":\"%s\",\"n\":%lu,\"counts\":{", t ? "," : "",
			      hx_tier_name(s->tier), s->n);
		for (o = 0; o < HX_OUT_COUNT; o++)
			hx_buf_printf(out, "%s\"%s\":%lu", o ? "," : "", hx_outcome_name(o),
				      s->counts[o]);
		hx_buf_putc(out, '}');
		json_rate(out, "timeout_rate", s->timeout_rate, s->timeout_lo, s->timeout_hi);
		json_rate(out, "failure_rate", s->fail_rate, s->fail_lo, s->fail_hi);
		hx_buf_putc(out, '}');
	}
	hx_buf_puts(out, "],\"snapshot\":{\"path\":");
	{
		char *p = hx_path_join(r->snapshot_dir, HX_SNAPSHOT_STREAM);
		json_str(out, p);
		free(p);
	}
	hx_buf_puts(out, ",\"hash\":");
	json_str(out, r->hash);
	hx_buf_printf(out, ",\"records\":%zu},\"golden\":{\"path\":", r->records);
	json_str(out, r->golden_dir);
	hx_buf_puts(out, ",\"verdict\":");
	json_str(out, hx_golden_verdict_name(r->golden.verdict));
	if (r->golden.verdict != HX_GOLDEN_MISSING) {
		hx_buf_puts(out, ",\"hash\":");
		json_str(out, r->golden.golden_hash);
	}
	if (r->golden.verdict == HX_GOLDEN_MISMATCH)
		hx_buf_printf(out, ",\"changed\":%zu,\"added\":%zu,\"removed\":%zu",
			      r->golden.diff.changed, r->golden.diff.added, r->golden.diff.removed);
	hx_buf_puts(out, "},\"run_dir\":");
	json_str(out, r->run_dir);
	hx_buf_puts(out, "}\n");
}
