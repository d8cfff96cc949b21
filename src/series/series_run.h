/* series/series_run.h - running an experiment series (series_spec.h).
 *
 * The work directory (default runs/<experiment>/, kept from one
 * invocation to the next) holds one directory per step and state.json:
 *
 *   runs/<experiment>/state.json          per step: inputs and outputs hashes
 *   runs/<experiment>/<runs step>/runs.jsonl        the table: one line per run
 *                                 /runs.csv
 *                                 /telemetry/<label>.jsonl   each run's own file
 *   runs/<experiment>/<condense step>/dataset.jsonl  the table (the dataset)
 *                                 /dataset.csv, report.txt
 *   runs/<experiment>/<summary step>/summary.jsonl, summary.csv, report.txt
 *   runs/<experiment>/<align step>/alignment.jsonl, alignment.csv, report.txt
 *   runs/<experiment>/<select step>/presets.jsonl, presets.csv, report.txt
 *   runs/<experiment>/<tune step>/tuning.jsonl, tuning_report.csv,
 *                                 tuned_presets.yaml, report.txt
 *
 * Every step has one table (JSONL, canonical under the spec's profile):
 * its output. A step's inputs hash covers the harness version, the step's
 * definition (with the text of any file it names), the outputs hash of
 * every step it needs, and for a runs step the engine section, the engine
 * binary's hash, the seed and the experiment name. A step whose inputs
 * hash equals the one in state.json, and whose table (and, for runs, every
 * telemetry file) still hashes as recorded, is up to date: skipped unless
 * forced. state.json is rewritten (temp + rename) after each step, so an
 * interrupted series keeps what it finished.
 *
 * Runs: each run removes its telemetry file first (engines append), runs
 * the engine with the templates expanded (series_spec.h) under the step's
 * timeout on the worker pool (pool.h), and is ok when the engine exited 0
 * and wrote its file; otherwise it is failed with the reason (exit status
 * and the last line of stderr, signal, timeout, no telemetry) and the
 * series goes on. A runs table line (keys sorted):
 *   {"error":null|REASON,"label":..,"params":{grid and vars},"profile":..,
 *    "repeat":1,"run":0,"seed":"S","status":"ok"|"failed",
 *    "telemetry":"STEP/telemetry/LABEL.jsonl","telemetry_hash":..|null}
 * (paths relative to the work directory).
 *
 * After the steps: the snapshot snapshots/<experiment>/ with one stream
 * <step>.jsonl per step (snapshot.h), each checked against the golden's;
 * then, when some step ran, the series archive (series_replay.c).
 */
#ifndef HX_SERIES_RUN_H
#define HX_SERIES_RUN_H

#include <stdatomic.h>
#include <stddef.h>

#include "buf.h"
#include "exec.h"
#include "hash.h"
#include "progress.h"
#include "series/series_spec.h"
#include "snapshot.h"
#include "template.h"

typedef struct {
	const char *spec_path;
	const char *spec_text; /* optional: the spec itself (spec_path names it) */
	size_t spec_text_len;
	int workers;           /* 0: the spec's, else the number of cores */
	int force;             /* run every step */
	int ci;                /* a missing golden fails */
	const char *out_dir;   /* NULL: runs/<experiment> */
	const char *snapshots_dir; /* NULL: snapshots */
	const char *archive_dir;   /* NULL: runs */
	int no_archive;
	hx_progress_mode progress;
	const char *label;     /* prefix of progress lines; default "harness run" */
	const atomic_int *cancel;
} hx_series_options;

typedef struct {
	char *name;
	hx_step_kind kind;
	int ran;       /* 0: up to date */
	const char *why; /* why it ran (static): "first run", "inputs changed",
			  * "outputs changed on disk", "forced" */
	char inputs[HX_HASH_HEX_LEN];
	char outputs[HX_HASH_HEX_LEN];
	size_t records;
	size_t runs, failed; /* runs and condense steps: rows, failed rows */
	char *report;  /* what the step prints (summary, align, ...), or NULL */
	hx_golden_result golden;
	double elapsed_s;
} hx_series_step_result;

typedef struct {
	char *experiment;
	char *spec_path;
	char *work_dir;       /* absolute */
	char *work_dir_shown; /* as given (or the default) */
	char *snapshot_dir;
	char *golden_dir;
	char *archive_path; /* NULL: not archived (nothing ran, or --no-archive) */
	char *engine_version, *engine_path, *engine_hash;
	char hash[HX_HASH_HEX_LEN]; /* the snapshot's */
	hx_series_step_result *steps;
	size_t nsteps;
	size_t ran;          /* steps that ran */
	char **failures;     /* "LABEL: reason", plan order */
	size_t nfailures;
	hx_golden_verdict verdict; /* mismatch if any step mismatches, else
				    * missing if any is missing, else match */
	int workers;
	double elapsed_s;
} hx_series_result;

void hx_series_result_init(hx_series_result *r);
void hx_series_result_release(hx_series_result *r);

/* Run a series. 0 when it completed (whatever the golden verdicts and
 * failed runs: see the result), or a negative code (a bad spec, I/O;
 * HX_EINTERRUPTED when canceled: the finished steps are kept). */
int hx_series_run(hx_series_result *out, const hx_series_options *opt);

/* The report: one line per step (ran or up to date, with counts), the
 * failed runs, each analysis step's report, the snapshot hash, the golden
 * verdict per step (with the diff of a mismatch), the archive. */
void hx_series_format(hx_buf *out, const hx_series_result *r);
/* 0 ok; 1 when a step mismatches its golden, a run failed, or (ci) a
 * golden is missing. */
int hx_series_exit_status(const hx_series_result *r, int ci);

/* ---- internals shared by the series modules ---- */

/* One run of a runs step, as planned. */
typedef struct {
	char *label;
	const char *profile;
	long repeat;
	uint64_t seed;
	char **param_names;  /* grid then vars */
	hx_cval *param_values;
	size_t nparams;
	char *telemetry_rel; /* relative to the work dir */
} hx_series_run_plan;

/* Execute a runs step: write STEP/runs.jsonl's text into *table (one
 * canonical line per run, plan order) and the CSV into *csv; *failed gets
 * the failed runs. */
int hx_series_step_runs(const hx_series_spec *s, size_t step, const char *work_dir,
			int workers, hx_progress_mode progress, const char *label,
			const atomic_int *cancel,
			hx_buf *table, hx_buf *csv, size_t *runs, size_t *failed);

/* A scores step (pass 1 of a threshold calibration): the engine once per
 * sample (sim-monitor in-process; a command engine's last line of stdout
 * read with the step's score and label fields), in plan order into *table:
 *   {"error":null|REASON,"label":true|false|null,"sample":0,
 *    "score":X|null,"seed":"S","status":"ok"|"failed"}
 * and the CSV into *csv; *failed gets the failed samples. */
int hx_series_step_scores(const hx_series_spec *s, size_t step, const char *work_dir,
			  int workers, hx_progress_mode progress, const char *label,
			  const atomic_int *cancel, hx_buf *table, hx_buf *csv, size_t *samples,
			  size_t *failed);

/* The ok samples of a scores table (the lines above), in file order:
 * (*sample)[i], (*score)[i], (*label)[i] (1 positive) for i < *n, failed
 * samples left out; the arrays are the caller's to free. HX_EINVALID with
 * "PATH:LINE: ..." for a line that is not a scores line. */
int hx_series_scores_read(const char *path, uint64_t **sample, double **score,
			  unsigned char **label, size_t *n);
/* The scores table that path names: a scores.jsonl file, a scores step's
 * directory, or a series work directory with exactly one scores step. *out
 * (freed by the caller) is its path; HX_ENOTFOUND when path is none of
 * those (nothing reported: the caller may try other readings of path). */
int hx_series_scores_locate(char **out, const char *path);

/* The engine of a runs or scores step once: its command, env and cwd
 * expanded with `expand` (the step's env over the engine's), under the
 * step's timeout, capturing the last capture_max bytes of each stream.
 * *prog (the command's argv[0], freed by the caller) is set when it ran.
 * HX_EINTERRUPTED when canceled. */
int hx_series_exec(hx_proc_result *pr, char **prog, const hx_series_spec *s,
		   const hx_series_step *st, hx_template_lookup expand, void *ctx,
		   size_t capture_max, const atomic_int *cancel);
/* Why a run failed, from how the process ended ("engine exited with status
 * 2", "timed out after 60 s", ...; nothing when it exited 0) ... */
void hx_series_exit_reason(hx_buf *out, const hx_proc_result *pr, const char *prog,
			   double timeout_s, long memory_limit_mb);
/* ... and, when there is a reason, ": " and the last line of its stderr. */
void hx_series_reason_tail(hx_buf *reason, const hx_proc_result *pr);

/* The analysis steps: from the tables of what the step needs (texts, in
 * needs order) to its table, its other files (name, text) and report. */
typedef struct {
	const char *name; /* file name in the step's directory */
	hx_buf text;
} hx_series_file;

int hx_series_step_analyze(const hx_series_spec *s, size_t step, const char *work_dir,
			   const hx_buf *inputs, size_t ninputs, int workers, hx_buf *table,
			   hx_series_file *files, size_t *nfiles, size_t *rows, size_t *failed);

/* The next line of [*p, end) without its '\n' (*line, *len), *p moved past
 * it; 0 at the end. */
int hx_series_next_line(const char **p, const char *end, const char **line, size_t *len);

/* The table file name of a step kind ("runs.jsonl", "dataset.jsonl", ...). */
const char *hx_series_table_name(hx_step_kind k);

#endif
