/* run_internal.h - what run.c shares with run_resume.c. */
#ifndef HX_RUN_INTERNAL_H
#define HX_RUN_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "corpus.h"
#include "engine.h"
#include "json.h"
#include "lines.h"
#include "outcome.h"
#include "plan.h"
#include "progress.h"
#include "run.h"
#include "shard.h"
#include "spec.h"

/* What a worker leaves for one task. The pool publishes it (pool.h) and
 * the writer reads the slots in plan order, so output never depends on
 * scheduling. The slots are a ring of the pool's window (RUN_WINDOW
 * tasks): job j's is slots[j % window], freed once it is written. */
typedef struct {
	char *raw;   /* telemetry line, '\n'-terminated */
	size_t raw_len;
	hx_outcome outcome;
} task_slot;

/* One worker's scratch space, reused by every task it runs. The padding
 * keeps two workers' buffers off a shared cache line (their lengths change
 * with every byte written). */
typedef struct {
	hx_buf raw;
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
	task_slot *slots; /* a ring of `window` */
	size_t window;
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

/* metadata.ground_truth: -1 none, 0 invalid, 1 valid. */
signed char hx_run_truth_of(const char *gt);

/* 0 when rec is task i of plan (task_index, tier, module, and the master
 * seed where the record gives one), with its outcome in *o; -1 if not. */
int hx_run_record_is_task(const hx_plan *plan, const hx_spec *spec, const hx_corpus *corpus,
			  const hx_json *rec, size_t i, hx_outcome *o);

/* Take back the records of an interrupted run (p->plan, spec, corpus,
 * partial_path set), counting their outcomes: from the partial file when
 * there is one (a torn last line cut off, the file left open in p->partial
 * for the rest: *final = 0), else from final_path, RUN/telemetry.jsonl,
 * which must hold every task (*final = 1: the tasks are done; what follows
 * them is to do again). Each record must be task i of this plan
 * (hx_run_record_is_task). The files are read line by line, never whole.
 * HX_ENOTFOUND when there is neither file ("nothing to resume: ..."),
 * HX_EINVALID for records of another plan. */
int hx_run_resume_records(run_ctx *p, hx_arena *arena, const char *final_path, int *final);

/* CLOCK_MONOTONIC or CLOCK_REALTIME in seconds. */
double hx_run_now(clockid_t clock);

/* fflush, fsync and fclose *fp (NULL after; nothing when it is NULL). */
int hx_run_sync_close(FILE **fp, const char *path);

/* What a run keeps about itself in RUN/.run-state.json, so that finishing
 * it later (--resume) names and dates it as the first attempt did:
 * {"archive":..,"date":..,"utc":..} (archive: once chosen). */
typedef struct {
	char utc[32];   /* 20261122T101500Z: in the archive's name */
	char date[32];  /* 2026-11-22T10:15:00Z: the run's start */
	char *archive;  /* the archive's path, or NULL */
} hx_run_state;

/* Read run_dir's state; 0 with an empty state (utc "") when there is none
 * or it cannot be read (a run dir of an older harness). */
void hx_run_state_read(hx_run_state *st, const char *run_dir);
/* Write it (atomically). */
int hx_run_state_write(const hx_run_state *st, const char *run_dir);
void hx_run_state_release(hx_run_state *st);

/* Everything after the tasks (run_finish.c): from telemetry_path, which
 * holds every task of plan in plan order, the canonical stream, hash and
 * summary counts, the snapshot and golden gate, the calibration stages,
 * summary.txt, report.html and the archive. out has the run's identity
 * (experiment, engine, run, snapshot and golden directories) set. Each
 * step rewrites its output whole (atomically), so after a crash anywhere
 * here finishing again does them all from the telemetry and ends as the
 * first attempt would have; the archive keeps the name state gives it. */
typedef struct {
	const hx_spec *spec;
	const hx_corpus *corpus;
	const hx_plan *plan;
	const char *telemetry_path;
	int workers;              /* for the label stage's votes */
	const hx_run_options *opt;
	hx_run_state *state;
	double start;             /* hx_run_now(CLOCK_MONOTONIC) at the start */
	/* NULL: the records are read from telemetry_path. Else they come, in
	 * plan order, from lines(lines_ctx, fn, fn_ctx) (fn as for
	 * hx_lines_each: each record without its '\n'), which also leaves them
	 * in telemetry_path (atomically) before it returns 0: merge writes the
	 * merged telemetry and canonicalizes it in one pass. */
	int (*lines)(void *lines_ctx, hx_line_fn fn, void *fn_ctx);
	void *lines_ctx;
} hx_run_finish_args;

int hx_run_finish(hx_run_result *out, const hx_run_finish_args *a);

/* Before finishing a run again: remove what an interrupted attempt left
 * in run_dir (temp files of its atomic writes, the labeling's scratch
 * directory) and beside the archive (its temp file), each temp file with
 * a notice (lock.h). archive may be NULL. */
void hx_run_clean_leftovers(const char *run_dir, const char *archive);

/* runs/<experiment>-<utc>[-shard-K-of-N][-2...]: the first that does not
 * exist (shard may be NULL). */
char *hx_run_default_dir(const char *experiment, const char *utc, const hx_shard *shard);

/* Make and check every place the run writes to (run.c). */
int hx_run_prepare_outputs(const hx_run_result *out, const hx_run_options *opt);

/* The run's start (utc: in names; date: ISO 8601): now, or when resuming,
 * the first attempt's from run_dir's state file; a new run writes it. */
int hx_run_start_state(hx_run_state *state, const hx_run_options *opt, const char *run_dir,
		       const char *utc, const char *date);

/* run_shard.c: plan becomes the shard's tasks (shard.h; their index
 * stays their place in the whole plan). */
void hx_run_shard_plan(hx_plan *plan, const hx_shard *shard);

/* A shard starts: its manifest m (out: experiment, engine, plan_size,
 * shard, tasks set), written with complete false. Resuming, the shard
 * directory's manifest must be this shard of this plan (the same spec
 * bytes, seed, plan size, shard and engine), and its attempts go on. */
int hx_run_shard_begin(hx_shard_manifest *m, const hx_run_result *out, const hx_spec *spec,
		       const hx_run_options *opt);

#endif
