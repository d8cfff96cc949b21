/* run_internal.h - what run.c shares with run_resume.c. */
#ifndef HX_RUN_INTERNAL_H
#define HX_RUN_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "corpus.h"
#include "engine.h"
#include "json.h"
#include "outcome.h"
#include "plan.h"
#include "progress.h"
#include "spec.h"

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

/* metadata.ground_truth as task_slot's truth. */
signed char hx_run_truth_of(const char *gt);

/* Take back the records of an interrupted run into p's slots (p->plan,
 * spec, corpus, slots, partial_path set): from the partial file when there
 * is one (a torn last line dropped, the file rewritten as exactly the
 * records kept and left open in p->partial for the rest: *final = 0),
 * else from final_path, RUN/telemetry.jsonl, which must hold every task
 * (*final = 1: the tasks are done; what follows them is to do again).
 * Each record must be task i of this plan (index, tier, module, and the
 * master seed where the record gives one). HX_ENOTFOUND when there is
 * neither file ("nothing to resume: ..."), HX_EINVALID for records of
 * another plan. */
int hx_run_resume_records(run_ctx *p, hx_arena *arena, const char *final_path, int *final);

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

/* Before finishing a run again: remove what an interrupted attempt left
 * in run_dir (temp files of its atomic writes, the labeling's scratch
 * directory) and beside the archive (its temp file), each temp file with
 * a notice (lock.h). archive may be NULL. */
void hx_run_clean_leftovers(const char *run_dir, const char *archive);

#endif
