/* run.h - one experiment run: spec -> plan -> engine on a worker pool ->
 * telemetry (plan order) -> canonical snapshot -> hash -> golden check ->
 * the spec's calibration stages: label (RUN/labels.jsonl), fit, validate,
 * export (RUN/calibration.yaml, calibration.md, noise_config.yaml) ->
 * RUN/summary.txt -> the run archive (run_archive.h) unless no_archive.
 *
 * The pool (pool.h): `workers` threads take tasks in plan order; each result lands in
 * its task's slot, and the completed prefix of the plan is appended to
 * RUN/telemetry.jsonl.partial as it grows (whole lines only), which becomes
 * RUN/telemetry.jsonl when every task is done. When *cancel becomes nonzero
 * (SIGINT/SIGTERM) no task is started, running ones are terminated, the
 * completed prefix is flushed and synced, and hx_run returns HX_EINTERRUPTED;
 * `resume` continues such a run from its partial file.
 */
#ifndef HX_RUN_H
#define HX_RUN_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "calibrate.h"
#include "engine_id.h"
#include "hash.h"
#include "label.h"
#include "progress.h"
#include "shard.h"
#include "snapshot.h"
#include "telemetry.h"
#include "tier.h"

typedef struct {
	const char *spec_path;
	const char *spec_text;    /* optional: the spec itself (spec_path names it) */
	size_t spec_text_len;
	int workers;          /* 0: the spec's, else the number of cores */
	int has_seed;         /* override the spec's seed */
	uint64_t seed;
	const char *out_dir;  /* NULL: runs/<experiment>-<utc>/ */
	hx_progress_mode progress;
	const char *label;    /* prefix of progress lines; default "harness run" */
	int ci;               /* CI mode: a missing golden fails the run */
	int resume;           /* continue out_dir's interrupted run */
	const char *export_path; /* also write calibration.yaml here */
	int no_archive;           /* skip the run archive (run_archive.h) */
	int no_report;            /* skip RUN/report.html (report/run_report.h) */
	const char *archive_dir;  /* NULL: "runs" */
	const char *snapshots_dir; /* NULL: "snapshots" */
	const atomic_int *cancel; /* optional: set by a signal handler */
	hx_shard shard;           /* n > 0: run only shard k of n (shard.h) into
				   * out_dir (default runs/<experiment>-<utc>-shard-K-of-N),
				   * which gets the shard's telemetry and shard.json;
				   * no snapshot, stages nor archive: merge.h does them */
} hx_run_options;

/* A rate k / n with its Wilson 95% interval (rate 0 when n == 0). */
typedef struct {
	unsigned long k, n;
	double rate, lo, hi;
} hx_run_rate;

#define HX_RUN_TIMEOUTS_SHOWN 3

typedef struct {
	hx_tier tier;
	unsigned long n;
	unsigned long counts[HX_OUT_COUNT];
	hx_run_rate proof_invalid;  /* proof_invalid / n: the proofs that failed */
	hx_run_rate verifier_failure; /* every outcome but verified and
				       * proof_invalid (timeouts, crashes,
				       * resources, engine errors) / n */
	hx_run_rate timeout;        /* verifier_timeout / n */
	/* Over records with metadata.ground_truth that did not time out (as
	 * calib.h defines them): proof_invalid among the truly valid, verified
	 * among the truly invalid. n == 0: no such record. */
	hx_run_rate spurious_fail, spurious_pass;
	/* the modules of the first verifier_timeout records, plan order (there
	 * are counts[HX_OUT_VERIFIER_TIMEOUT] in all) */
	char *timed_out[HX_RUN_TIMEOUTS_SHOWN];
} hx_tier_summary;

typedef struct {
	char *experiment;
	char *spec_path;
	uint64_t seed;
	hx_engine_id engine;      /* owned (hx_engine_id_dup) */
	size_t tasks;             /* run here (a shard's: its own) */
	size_t plan_size;         /* in the whole plan */
	hx_shard shard;           /* the shard run (n == 0: none) */
	size_t shards_merged;     /* merge.h: how many shards were merged (0: not a merge) */
	int workers;
	hx_tier_summary tiers[HX_TIER_COUNT];
	size_t ntiers;
	int has_truth;            /* some record carries metadata.ground_truth */
	char *run_dir;
	char *snapshot_dir;
	char *golden_dir;
	char hash[HX_HASH_HEX_LEN];
	size_t records;
	hx_golden_result golden;
	int ci;                   /* run in CI mode (options' ci): the hints say so */
	int labeled;              /* the label stage ran */
	hx_label_stats labels;
	int labels_used;          /* the fit took its ground truth from them */
	hx_calibrate_result calib;
	char *archive_path;       /* the run's archive, or NULL (--no-archive) */
	char *canonical_path;     /* the snapshot as written: its canonical stream */
	hx_buf snapshot_manifest; /* (RUN/.canonical.jsonl, until the archive has it)
				   * and manifest.json */
	size_t modules_skipped;   /* corpus modules without a file (missing: skip) */
	char *modules_skipped_text; /* "'A.B', 'C.D' and 3 more", or NULL */
	double elapsed_s;
} hx_run_result;

void hx_run_result_init(hx_run_result *r);
void hx_run_result_release(hx_run_result *r);

/* Run a spec. Returns 0 when the run completed (whatever the golden
 * verdict: see out->golden.verdict), or a negative code. */
int hx_run(hx_run_result *out, const hx_run_options *opt);

/* Print the plan of a spec (one task a line: index, tier, sample, module,
 * timeout, seed) without running anything. */
int hx_run_dry(hx_buf *out, const hx_run_options *opt);

/* The human summary (run_summary.c): per-tier outcome counts, the rates
 * with their intervals (proof_invalid apart from verifier failures, the
 * spurious rates where ground truth exists), the first modules that timed
 * out, snapshot hash, golden verdict and diff, the calibration stages. */
void hx_run_format_summary(hx_buf *out, const hx_run_result *r);
/* The same as one JSON object (with '\n'). */
void hx_run_format_json(hx_buf *out, const hx_run_result *r);

/* Exit status the CLI should use for a completed run. */
int hx_run_exit_status(const hx_run_result *r, int ci);

#endif
