/* spec.h - declarative experiment specs (YAML).
 *
 *   experiment: smoke                # [a-z0-9._-]+, names snapshots/golden dirs
 *   description: "..."
 *   seed: 42                          # 0 .. 2^64-1
 *   engine: {kind: sim-verifier}      # or lean, coq, command (see hx_spec_engine)
 *   models: models/noise.yaml         # path (relative to the spec) or inline map;
 *                                     # default: the built-in phase 2 configuration
 *   corpus: {kind: synthetic, modules: 500}   # or {list: FILE} or {dir: DIR},
 *                                     # optional filter: REGEX (on module names),
 *                                     # missing: error | skip (corpus.h)
 *   tiers: {BALANCED: {timeout_s: 60, samples: 100}}   # timeout_s, samples optional
 *   samples: 100                      # per tier, unless the tier says otherwise
 *   workers: 4                        # optional; 0 or absent = number of cores
 *   canonical: {profile: telemetry}   # built-in name or a profile file (relative to the spec);
 *                                     # default: telemetry for the simulator,
 *                                     # telemetry-real for lean, coq, command
 *   golden: golden/smoke              # optional; relative to the project directory
 *   tags: [smoke, nightly]
 *
 * Calibration stages after the run (each may be `false` to switch it off;
 * defaults shown):
 *   label:                            # stage 3 (label.h): ground truth
 *     sample: 1000                    #   records to label, stratified
 *     timeout_multiplier: 10          #   timed-out records run again so long
 *     min_confidence: 0.8             #   keep labels at least this sure
 *     consensus:                      #   engines that vote (none by default)
 *       - {tier: SLOW}                #   the run's engine on another tier
 *       - {engine: {kind: coq, ...}, tier: BALANCED, timeout_s: 300}
 *   fit: true                         # stage 4: duration fits per tier
 *   validate:                         # stage 5 (validate.h)
 *     split: 0.2                      #   held-out fraction
 *     alpha: 0.05
 *     monotonicity: true
 *     holdout: true
 *     cross_tier: true
 *     max_calibration_error: 0.01     #   optional
 *     envelopes: {FAST: {timeout_rate: [0.15, 0.25]}}   # optional
 *   export: {report: true, noise_config: true}   # stage 6 (export.h);
 *                                     #   calibration.yaml is always written
 *                                     #   unless `export: false`
 *
 * Unknown keys, wrong types and missing fields are located errors:
 * "experiments/x.yaml:12:5: unknown key 'sampels' (did you mean 'samples'?)".
 */
#ifndef HX_SPEC_H
#define HX_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "canon.h"
#include "models.h"
#include "tier.h"
#include "ydoc.h"

/* The engine section. Templates may use {module}, {module_base} (its last
 * dotted component), {module_path}, {tier}, {timeout_s}, {seed},
 * {task_index}, {out_dir}, {task_dir} (a scratch directory made for the task
 * and removed after it), {telemetry_path}, {root}. */
typedef struct {
	char *pattern;   /* POSIX ERE */
	int stream;      /* 0 both, 1 stdout, 2 stderr (hx_stream_sel) */
	int outcome;     /* hx_outcome */
} hx_spec_regex;

typedef struct {
	int exit_code;
	int outcome; /* hx_outcome */
} hx_spec_exit;

/* The sim-monitor engine's per-token value distribution: normal with that
 * mean and sd, or lognormal whose log has them. */
typedef struct {
	int lognormal;
	double mean, sd;
} hx_spec_token_dist;

/* kind sim-monitor (series specs only: scores steps): per sample a label
 * (positive with probability positive_rate) and max_tokens values from
 * the negative or positive distribution; the score is the mean of the
 * top_k largest. */
typedef struct {
	double positive_rate;
	long max_tokens, top_k;
	hx_spec_token_dist negative, positive;
} hx_spec_monitor;

typedef struct {
	char *kind;              /* sim-verifier, lean, coq, command; sim-monitor */
	char **command;          /* argv template (NULL-terminated); real engines */
	char **version_command;  /* argv (NULL-terminated) or NULL */
	char *root;              /* project root (resolved against the spec's dir) */
	char *toolchain_file;    /* resolved path or NULL (lean: ROOT/lean-toolchain) */
	char *extension;         /* module file extension: ".lean", ".v", or NULL */
	int require_module_file; /* module_not_found when {module_path} is missing */
	int json;                /* lean --json messages */
	int sorry_invalid;       /* a sorry makes a run proof_invalid */
	char **env;              /* "KEY=template" (NULL-terminated) or NULL */
	char *cwd;               /* template or NULL (= root) */
	char *telemetry;         /* template of a JSONL file the engine writes, or NULL */
	long memory_limit_mb;    /* 0: none */
	double grace_s;          /* SIGTERM -> SIGKILL */
	hx_spec_exit *exits;
	size_t nexits;
	hx_spec_regex *regexes;
	size_t nregexes;
	char **tactics;          /* tactic regexes (NULL-terminated) or NULL */
	hx_spec_monitor monitor; /* kind sim-monitor */
} hx_spec_engine;

typedef struct {
	hx_tier tier;
	double timeout_s; /* effective: the spec's, else the models' base_timeout_s */
	long samples;     /* effective: the tier's, else the spec's `samples` */
} hx_spec_tier;

/* One consensus voter: the run's engine unless `engine` is given; the
 * record's tier unless `tier` is; that tier's timeout unless `timeout_s` is. */
typedef struct {
	int has_engine;
	char *kind;
	hx_spec_engine engine;
	int has_tier;
	hx_tier tier;
	double timeout_s; /* 0: the tier's */
} hx_spec_voter;

typedef struct {
	int enabled;
	long sample;
	double timeout_multiplier;
	double min_confidence;
	hx_spec_voter *voters;
	size_t nvoters;
} hx_spec_label;

typedef struct {
	hx_tier tier;
	int rate; /* 0 timeout_rate, 1 spurious_fail_rate, 2 spurious_pass_rate */
	double min, max;
} hx_spec_envelope;

typedef struct {
	int enabled;
	double split;
	double alpha;
	int monotonicity, holdout, cross_tier;
	double max_calibration_error; /* 0: none */
	hx_spec_envelope *envelopes;
	size_t nenvelopes;
} hx_spec_validate;

typedef struct {
	int enabled; /* calibration.yaml */
	int report;  /* calibration.md */
	int noise_config; /* noise_config.yaml */
} hx_spec_export;

typedef struct {
	char *path; /* the spec file as given */
	char *experiment;
	char *description; /* "" when absent */
	uint64_t seed;
	char *engine_kind; /* = engine.kind */
	hx_spec_engine engine;
	char *models_path; /* resolved file path, "(built-in)", or NULL when inline */
	hx_models *models; /* owned; always set */
	char *corpus_kind; /* "synthetic", "list" or "dir" */
	long corpus_modules; /* synthetic: how many */
	char *corpus_path;   /* list file or directory, resolved; NULL for synthetic */
	char *corpus_filter; /* regex on module names, or NULL */
	int corpus_missing_skip; /* `missing: skip`: leave out modules without a
				  * file (else they are an error; corpus.h) */
	hx_spec_tier tiers[HX_TIER_COUNT]; /* in plan order: FAST, BALANCED, SLOW */
	size_t ntiers;
	long samples;
	int workers;       /* 0 = number of cores */
	char *profile_ref; /* as written: built-in name or path */
	hx_canon_profile profile;
	char *golden; /* default "golden/<experiment>" */
	char **tags;
	size_t ntags;
	hx_spec_label label;
	int fit;
	hx_spec_validate validate;
	hx_spec_export export_;
} hx_spec;

int hx_spec_load(hx_spec **out, const char *path);
/* The same from text; `name` is used in messages and its directory is the
 * base of relative paths. */
int hx_spec_parse(hx_spec **out, const char *name, const char *text, size_t len);
void hx_spec_free(hx_spec *s); /* accepts NULL */

/* 1 when a canonical profile reference names a file (it has a '/' or ends
 * in .yaml or .yml; resolved against the spec's directory), 0 when it is a
 * built-in profile's name. */
int hx_spec_profile_is_file(const char *ref);

/* 1 when s is a valid experiment name: [a-z0-9][a-z0-9._-]*. */
int hx_spec_name_ok(const char *s);
/* Read an `experiment:` value as specs do (a string of lowercase letters,
 * digits, '.', '_' and '-' starting with a letter or digit, at most 100
 * characters); errors located at v. *out is the caller's to free. Series
 * specs, which hx_spec_load does not read, name themselves the same way. */
int hx_spec_read_experiment_name(const hx_ydoc *doc, const hx_ynode *v, char **out);

/* Load a canonical profile: a built-in name (canon.h) or a YAML
 * file: {name: x, strip: [path...], round: {path: decimals}}. */
int hx_canon_profile_load(hx_canon_profile *out, const char *name_or_path);

#endif
