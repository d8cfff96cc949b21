/* merge.c - shards into one run (merge.h). */
#include "merge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "corpus.h"
#include "error.h"
#include "fsutil.h"
#include "hash.h"
#include "plan.h"
#include "pool.h"
#include "run_internal.h"
#include "shard.h"
#include "spec.h"

static const char *or_none(const char *s)
{
	return s ? s : "none";
}

/* One plan: m[i] against m[0]. */
static int check_same_plan(const hx_shard_manifest *m, const char *const *dirs, size_t n)
{
	size_t i;
	for (i = 1; i < n; i++) {
		const hx_shard_manifest *a = &m[0], *b = &m[i];
		char va[128], vb[128];
		const char *what = NULL;
		if (strcmp(a->experiment, b->experiment) != 0) {
			what = "experiment";
			snprintf(va, sizeof(va), "%s", a->experiment);
			snprintf(vb, sizeof(vb), "%s", b->experiment);
		} else if (strcmp(a->spec_hash, b->spec_hash) != 0) {
			what = "spec";
			snprintf(va, sizeof(va), "%s %s", a->spec ? a->spec : "?", a->spec_hash);
			snprintf(vb, sizeof(vb), "%s %s", b->spec ? b->spec : "?", b->spec_hash);
		} else if (a->seed != b->seed) {
			what = "seed";
			snprintf(va, sizeof(va), "%" PRIu64, a->seed);
			snprintf(vb, sizeof(vb), "%" PRIu64, b->seed);
		} else if (a->plan_size != b->plan_size) {
			what = "plan";
			snprintf(va, sizeof(va), "%zu tasks", a->plan_size);
			snprintf(vb, sizeof(vb), "%zu tasks", b->plan_size);
		} else if (!hx_engine_id_equal(&a->engine, &b->engine)) {
			what = "engine";
			snprintf(va, sizeof(va), "%s, binary %s", or_none(a->engine.version),
				 or_none(a->engine.hash));
			snprintf(vb, sizeof(vb), "%s, binary %s", or_none(b->engine.version),
				 or_none(b->engine.hash));
		}
		if (what) {
			hx_error_set("'%s' (shard %lu/%lu) is of another %s than '%s': %s, not %s", dirs[i],
				     b->shard.k, b->shard.n, what, dirs[0], vb, va);
			return HX_EINVALID;
		}
	}
	return 0;
}

/* One partition, each shard once, all there, each complete; by[k] gets
 * the index of shard k. */
static int check_partition(const hx_shard_manifest *m, const char *const *dirs, size_t n,
			   size_t *by)
{
	unsigned long N = m[0].shard.n, k;
	size_t i, missing = 0;
	hx_buf list = HX_BUF_INIT, given = HX_BUF_INIT;
	for (i = 1; i < n; i++)
		if (m[i].shard.n != N) {
			hx_error_set("'%s' is shard %lu/%lu and '%s' shard %lu/%lu: shards of two "
				     "partitions of the plan overlap",
				     dirs[0], m[0].shard.k, N, dirs[i], m[i].shard.k, m[i].shard.n);
			return HX_EINVALID;
		}
	for (k = 0; k < N; k++)
		by[k] = (size_t)-1;
	for (i = 0; i < n; i++) {
		k = m[i].shard.k;
		if (by[k] != (size_t)-1) {
			hx_error_set("'%s' and '%s' are both shard %lu/%lu: they overlap", dirs[by[k]],
				     dirs[i], k, N);
			return HX_EINVALID;
		}
		by[k] = i;
	}
	for (k = 0; k < N; k++) {
		if (by[k] == (size_t)-1) {
			hx_buf_printf(&list, "%s%lu/%lu", list.len ? ", " : "", k, N);
			missing++;
		} else {
			hx_buf_printf(&given, "%s%lu/%lu", given.len ? ", " : "", k, N);
		}
	}
	if (missing) {
		hx_error_set("shard%s %s %s missing (given: %s)", missing == 1 ? "" : "s", list.ptr,
			     missing == 1 ? "is" : "are", given.ptr);
		hx_buf_release(&list);
		hx_buf_release(&given);
		return HX_EINVALID;
	}
	hx_buf_release(&list);
	hx_buf_release(&given);
	for (k = 0; k < N; k++) {
		const hx_shard_manifest *s = &m[by[k]];
		if (!s->complete) {
			hx_error_set("'%s' (shard %lu/%lu) is not complete: %zu of %zu records; finish it "
				     "with: harness run %s --shard %lu/%lu --out %s --resume --seed %" PRIu64,
				     dirs[by[k]], k, N, s->records, s->tasks, s->spec ? s->spec : "SPEC",
				     k, N, dirs[by[k]], s->seed);
			return HX_EINVALID;
		}
	}
	return 0;
}

/* The spec the shards ran, read again: the same bytes or nothing. */
static int load_spec(hx_spec **spec, hx_buf *text, const hx_run_options *opt,
		     const hx_shard_manifest *m, const char *dir0)
{
	const char *path = opt->spec_path ? opt->spec_path : m->spec;
	char hash[HX_HASH_HEX_LEN];
	int err;
	if (!path) {
		hx_error_set("'%s' does not name its spec: give it with --spec", dir0);
		return HX_EINVALID;
	}
	if (opt->spec_text)
		hx_buf_put(text, opt->spec_text, opt->spec_text_len);
	else if ((err = hx_file_read_spec(text, path)) != 0)
		return err;
	hx_hash128_buf(hash, text->ptr ? text->ptr : "", text->len);
	if (strcmp(hash, m->spec_hash) != 0) {
		hx_error_set("'%s' is not the spec the shards ran (%s, not %s): it changed since, or "
			     "is another",
			     path, hash, m->spec_hash);
		return HX_EINVALID;
	}
	if ((err = hx_spec_parse(spec, path, text->ptr ? text->ptr : "", text->len)) != 0)
		return err;
	(*spec)->seed = m->seed;
	return 0;
}

/* Enough descriptors for a shard file each (merging opens them all). */
static void raise_fd_limit(size_t need)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need + 64 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = need + 64 < rl.rlim_max ? need + 64 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

typedef struct {
	const hx_shard_manifest *m;
	const char *const *dirs;
	const size_t *by;
	size_t plan_size;
	const char *path;
} interleave_args;

/* RUN/telemetry.jsonl: task i is the next line of shard i mod N; each
 * record also goes to fn (the finish's canonical walk), so the merged
 * telemetry is written and canonicalized in one pass. */
static int interleave(void *ctx, hx_line_fn fn, void *fn_ctx)
{
	const interleave_args *ia = ctx;
	const hx_shard_manifest *m = ia->m;
	const char *const *dirs = ia->dirs;
	const size_t *by = ia->by;
	size_t plan_size = ia->plan_size;
	const char *path = ia->path;
	unsigned long N = m[by[0]].shard.n, k;
	FILE **in = hx_xcalloc(N, sizeof(FILE *));
	char **names = hx_xcalloc(N, sizeof(char *)), *line = NULL;
	size_t *got = hx_xcalloc(N, sizeof(size_t)), cap = 0, i;
	hx_atomic_file out;
	int err = 0;

	memset(&out, 0, sizeof(out));
	raise_fd_limit(N);
	for (k = 0; k < N && !err; k++) {
		names[k] = hx_path_join(dirs[by[k]], "telemetry.jsonl");
		if (!(in[k] = fopen(names[k], "rb"))) {
			hx_error_set_errno(errno, "cannot open '%s' (shard %lu/%lu)", names[k], k, N);
			err = errno == ENOENT ? HX_EINVALID : HX_ESYSTEM;
		}
	}
	if (!err)
		err = hx_atomic_open(&out, path);
	for (i = 0; i < plan_size && !err; i++) {
		ssize_t len;
		k = i % N;
		len = getline(&line, &cap, in[k]);
		if (len <= 0 || line[len - 1] != '\n') {
			const hx_shard_manifest *s = &m[by[k]];
			hx_error_set("'%s' (shard %lu/%lu) %s after %zu records, its manifest says %zu: "
				     "the shard's telemetry is truncated; run the shard again",
				     names[k], k, N, len > 0 ? "ends in a torn line" : "ends", got[k],
				     s->records);
			err = HX_EINVALID;
			break;
		}
		got[k]++;
		if (fwrite(line, 1, (size_t)len, out.fp) != (size_t)len) {
			hx_error_set_errno(errno, "cannot write '%s'", path);
			err = HX_ESYSTEM;
		} else {
			err = fn(fn_ctx, line, (size_t)len - 1, i + 1);
		}
	}
	for (k = 0; k < N && !err; k++)
		if (getline(&line, &cap, in[k]) > 0) {
			hx_error_set("'%s' (shard %lu/%lu) has more records than the shard's %zu tasks",
				     names[k], k, N, m[by[k]].tasks);
			err = HX_EINVALID;
		}
	if (err)
		hx_atomic_abort(&out);
	else
		err = hx_atomic_commit(&out);
	for (k = 0; k < N; k++) {
		if (in[k])
			fclose(in[k]);
		free(names[k]);
	}
	free(in);
	free(names);
	free(got);
	free(line);
	return err;
}

int hx_merge(hx_run_result *out, const hx_run_options *opt, const char *const *dirs, size_t n)
{
	hx_shard_manifest *m = hx_xcalloc(n ? n : 1, sizeof(*m));
	size_t *by = NULL, i, nread = 0;
	hx_spec *spec = NULL;
	hx_corpus corpus = {0};
	hx_plan plan = {0};
	hx_buf text = HX_BUF_INIT;
	hx_run_state state;
	hx_run_options ro;
	hx_run_finish_args fa;
	interleave_args ia;
	char utc[32], date[32], *path = NULL;
	time_t now = time(NULL);
	struct tm tmv;
	double start = hx_run_now(CLOCK_MONOTONIC);
	int err = 0;

	memset(&state, 0, sizeof(state));
	memset(&fa, 0, sizeof(fa));
	gmtime_r(&now, &tmv);
	strftime(utc, sizeof(utc), "%Y%m%dT%H%M%SZ", &tmv);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tmv);
	if (n == 0) {
		hx_error_set("no shard directories to merge");
		err = HX_EINVALID;
		goto done;
	}
	for (i = 0; i < n; i++, nread++)
		if ((err = hx_shard_manifest_read(&m[i], dirs[i])) != 0)
			goto done;
	if ((err = check_same_plan(m, dirs, n)) != 0)
		goto done;
	by = hx_xcalloc(m[0].shard.n, sizeof(size_t));
	if ((err = check_partition(m, dirs, n, by)) != 0 ||
	    (err = load_spec(&spec, &text, opt, &m[0], dirs[0])) != 0 ||
	    (err = hx_corpus_load(&corpus, spec)) != 0 ||
	    (err = hx_plan_build(&plan, spec, corpus.n)) != 0)
		goto done;
	if (plan.n != m[0].plan_size) {
		hx_error_set("the spec's plan has %zu tasks, the shards' %zu (its corpus changed?)",
			     plan.n, m[0].plan_size);
		err = HX_EINVALID;
		goto done;
	}
	ro = *opt;
	ro.spec_text = text.ptr;
	ro.spec_text_len = text.len;
	ro.spec_path = spec->path;
	ro.resume = 1; /* the state file of an earlier attempt, if any: its archive name */
	out->experiment = hx_xstrdup(spec->experiment);
	out->spec_path = hx_xstrdup(spec->path);
	out->seed = spec->seed;
	out->tasks = out->plan_size = plan.n;
	out->shards_merged = m[0].shard.n;
	out->workers = opt->workers > 0 ? opt->workers
					: spec->workers > 0 ? spec->workers : hx_pool_cores();
	out->modules_skipped = corpus.skipped;
	out->modules_skipped_text = corpus.skipped_text ? hx_xstrdup(corpus.skipped_text) : NULL;
	out->run_dir = opt->out_dir ? hx_xstrdup(opt->out_dir) : hx_run_default_dir(spec->experiment, utc, NULL);
	out->snapshot_dir = hx_path_join(opt->snapshots_dir ? opt->snapshots_dir : "snapshots",
					 spec->experiment);
	out->golden_dir = hx_xstrdup(spec->golden);
	out->ci = opt->ci;
	hx_engine_id_dup(&out->engine, &m[0].engine);
	if ((err = hx_run_prepare_outputs(out, &ro)) != 0 ||
	    (err = hx_run_start_state(&state, &ro, out->run_dir, utc, date)) != 0)
		goto done;
	if (!state.archive) /* a first attempt: start_state wrote nothing when resuming */
		hx_run_state_write(&state, out->run_dir);
	path = hx_path_join(out->run_dir, "telemetry.jsonl");
	if (opt->progress != HX_PROGRESS_NONE)
		fprintf(stderr, "%s: %s: merging %lu shards (%zu tasks) into '%s'\n",
			opt->label ? opt->label : "harness merge", spec->experiment, m[0].shard.n,
			plan.n, path);
	hx_run_clean_leftovers(out->run_dir, state.archive);
	ia.m = m;
	ia.dirs = dirs;
	ia.by = by;
	ia.plan_size = plan.n;
	ia.path = path;
	fa.lines = interleave;
	fa.lines_ctx = &ia;
	fa.spec = spec;
	fa.corpus = &corpus;
	fa.plan = &plan;
	fa.telemetry_path = path;
	fa.workers = out->workers;
	fa.opt = &ro;
	fa.state = &state;
	fa.start = start;
	err = hx_run_finish(out, &fa);
done:
	for (i = 0; i < nread; i++)
		hx_shard_manifest_release(&m[i]);
	free(m);
	free(by);
	free(path);
	hx_buf_release(&text);
	hx_run_state_release(&state);
	hx_plan_release(&plan);
	hx_corpus_release(&corpus);
	hx_spec_free(spec);
	return err;
}
