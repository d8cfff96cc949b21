/* series/series_spec.h - experiment series specs (`exp-series`): the research loop
 * as named steps of one YAML file.
 *
 *   experiment: exp13-loop          # [a-z0-9._-]+: runs/, snapshots/, golden/
 *   description: "..."
 *   seed: 13                         # master seed, 0 .. 2^64-1
 *   engine:                          # the spec's engine section (spec.h),
 *     kind: command                  # kind command: the research engine
 *     command: [ticksim, --ticks, "{ticks}", --profile, "{profile}", --seed, "{seed}"]
 *     env: {PARAPHINA_TELEMETRY_MODE: jsonl, PARAPHINA_TELEMETRY_PATH: "{telemetry_path}"}
 *   workers: 2                       # optional; 0 or absent = number of cores
 *   canonical: {profile: FILE}       # optional, applied to every step's table;
 *                                    # default none (pure RFC 8785)
 *   golden: golden/exp13-loop        # optional; default golden/<experiment>
 *   tags: [exp-series]
 *   steps:                           # run in dependency order (`needs:`),
 *     runs:                          # ties in the order written
 *       kind: runs
 *       profiles: [conservative, balanced, aggressive]
 *       repeats: 3                   # per profile and grid point (default 1)
 *       grid: {hedge_band_base: [0.5, 1]}   # cartesian, first key slowest
 *       vars: {ticks: 2000}          # constants for the templates
 *       env: {PARAPHINA_HEDGE_BAND_BASE: "{hedge_band_base}"}  # over engine.env
 *       label: "exp13_{profile}_r{repeat}"  # default <experiment>_{profile}[_<k>{k}...]_r{repeat}
 *       timeout_s: 600               # per run (default 3600)
 *     dataset:
 *       kind: condense
 *       needs: [runs]                # runs steps
 *       metrics: default             # or [{name, function, field, value}, ...]
 *     summary: {kind: summary, needs: [dataset], top: 5, dd_weight: 0.5}
 *     align: {kind: align, needs: [dataset], budgets: {...} | FILE}
 *     select: {kind: select, needs: [dataset], budgets: ..., k: 3}   # k default 1
 *     tune: {kind: tune, needs: [dataset], budgets: ..., presets: {...} | FILE,
 *            risk_params: [daily_loss_limit, mm_size_eta]}
 *
 * Threshold (tau) calibration, in two passes (threshold/threshold.h):
 *   engine: {kind: sim-monitor, max_tokens: 20, ...}  # the default when
 *                                    # the spec has no engine section; or a
 *                                    # command printing one JSON line per sample
 *   steps:
 *     scores:                        # pass 1: the engine once per sample
 *       kind: scores
 *       samples: 100
 *       score: score                 # command engine: the fields of its
 *       label: label                 # line (dotted paths), positive: VALUE
 *       vars: {...}, env: {...}, timeout_s: 60    # command engine
 *     threshold:                     # pass 2: the tau sweep, nothing re-run
 *       kind: threshold
 *       needs: [scores]
 *       target_recall: 0.9           # default
 *       quantiles: "0.6:0.99:40"     # default; or tau: {start, stop, step}
 * Sample i gets the seed hx_plan_seed(seed, experiment, step, i); a
 * command engine's templates may name {sample} (0-based), {seed},
 * {experiment}, {step}, {step_dir}, {root} and every var.
 *
 * Runs, in plan order: for each profile, for each grid point, repeats
 * 1..R. Run i of step S gets the seed hx_plan_seed(seed, experiment, S, i).
 * Templates (engine command, env and cwd, the step's env and label) may
 * name {profile}, {repeat} (1-based), {run} (0-based index), {seed},
 * {label} (not in the label), {telemetry_path} (the run's own file,
 * absolute), {step_dir}, {experiment}, {step}, {root}, every grid
 * parameter and every var (their names: [a-z_]+).
 * The steps after runs read their `needs` (condense: runs steps; the
 * others: condense steps, their rows concatenated in needs order).
 * A budgets or presets FILE is relative to the spec; inline maps are as in
 * those files (series/align.h).
 *
 * Unknown keys, wrong types, missing fields, an unknown or cyclic `needs`
 * and templates naming unknown placeholders are located errors
 * "FILE:LINE:COL: ...".
 */
#ifndef HX_SERIES_SPEC_H
#define HX_SERIES_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "canon.h"
#include "series/align.h"
#include "series/condense.h"
#include "spec.h"
#include "threshold/threshold.h"

typedef enum {
	HX_STEP_RUNS,
	HX_STEP_CONDENSE,
	HX_STEP_SUMMARY,
	HX_STEP_ALIGN,
	HX_STEP_SELECT,
	HX_STEP_TUNE,
	HX_STEP_SCORES,
	HX_STEP_THRESHOLD
} hx_step_kind;

const char *hx_step_kind_name(hx_step_kind k);

typedef struct {
	char *name;
	hx_cval *values; /* numbers or strings */
	size_t n;
} hx_grid_axis;

typedef struct {
	char *name;
	hx_step_kind kind;
	size_t *needs; /* indices into the spec's steps (always earlier ones) */
	size_t nneeds;
	char *definition; /* the step's YAML node as canonical JSON (scalars
			   * as strings), then a line "FILE HASH" per file it
			   * names and "grid NAME string TEXT" per quoted grid
			   * value that would read as a number unquoted: hashed
			   * into its inputs */
	/* runs */
	char **profiles;
	size_t nprofiles;
	hx_grid_axis *grid;
	size_t ngrid;
	char **var_names, **var_values;
	size_t nvars;
	char **env; /* "K=template", NULL-terminated, or NULL */
	char *label;
	long repeats;
	double timeout_s;
	/* condense */
	hx_condense_set metrics;
	/* summary */
	long top;
	double dd_weight;
	/* align, select, tune */
	hx_budgets budgets;
	long k;
	hx_tune_presets presets;
	char **risk_params; /* NULL-terminated, or NULL: the defaults */
	/* scores (pass 1 of a threshold calibration; also vars, env,
	 * timeout_s) */
	long samples;
	char *score_field, *label_field; /* where a command engine's line has them */
	char *positive;                  /* NULL: labels true/false, 1/0 */
	/* threshold (pass 2) */
	double target_recall;
	hx_tau_grid tau;
} hx_series_step;

typedef struct {
	char *path; /* as given */
	char *dir;  /* its directory */
	char *experiment;
	char *description;
	uint64_t seed;
	hx_spec_engine engine;
	char *engine_definition; /* engine: as canonical JSON */
	int workers;
	char *profile_ref; /* NULL: none */
	hx_canon_profile profile;
	char *golden;
	char **tags;
	size_t ntags;
	char **files; /* files the spec names (budgets, presets, profile), as
		       * written, relative to dir, each once (in the order first
		       * named); nfiles of them, NULL-terminated */
	size_t nfiles;
	hx_series_step *steps; /* in run order */
	size_t nsteps;
} hx_series_spec;

/* 1 when the YAML text's top level has a `steps:` key (a series, not a
 * calibration spec); 0 otherwise, or when it does not parse. */
int hx_series_is_series(const char *text, size_t len);

int hx_series_spec_load(hx_series_spec **out, const char *path);
/* From text; `name` is used in messages, its directory is the base of
 * relative paths. */
int hx_series_spec_parse(hx_series_spec **out, const char *name, const char *text, size_t len);
void hx_series_spec_free(hx_series_spec *s); /* accepts NULL */

/* The index of the step with that name, or -1. */
long hx_series_step_index(const hx_series_spec *s, const char *name);

#endif
