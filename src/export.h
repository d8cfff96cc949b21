/* export.h - stage 6: what a calibration leaves behind, and reading it back.
 *
 *   calibration.yaml  (libyaml's emitter; plain scalars, maps and lists, so
 *                     any safe loader reads it: strings are quoted, numbers
 *                     are shortest round-trip decimals, never NaN or inf,
 *                     with a ".0" before a bare exponent so that YAML 1.1
 *                     loaders read 1.0e-7 as a float too)
 *     calibration_metadata: experiment, spec, date, corpus, engine,
 *       engine_version [, engine_path, engine_binary_hash,
 *       engine_toolchain], seed (a plain integer), total_samples,
 *       training_samples, validation_split, ground_truth (none | simulator |
 *       labels), labels_used, snapshot_hash, models_file (the models'
 *       path, "built-in" or "inline"), models_hash (XXH3-128 of the file's
 *       bytes, or of the built-in text), validation_passed (true/false/null
 *       when validation did not run)
 *     calibrated_models.<FAST|BALANCED|SLOW>: the smoke test plan's view
 *       (calibrate_noise's own export) over every record of the tier:
 *       n_samples, timeout_rate (verifier_timeout / n), timeout_rate_ci,
 *       fail_rate (proof_invalid / n), fail_rate_ci, success_rate
 *       (verified / n); intervals Wilson 95% as [lo, hi]
 *     validation_report: summary (PASS | FAIL | "not run"), coverage,
 *       checks: [{name, status, reason, observed, expected, ci: [lo, hi],
 *       statistic, p_value}]  (figures that are NaN are left out)
 *     noise_models.<fast|balanced|slow>:
 *       n_samples (from `all`), training_samples, timeout_s,
 *       timeout_rate, timeout_rate_ci: [lo, hi], timeout_rate_counts: [k, n],
 *       spurious_fail_rate, ..._ci, ..._counts, spurious_pass_rate, ...,
 *         (a weighted rate adds NAME_weighted: true, and its counts are
 *         effective, rounded; a rate without ground truth is null with
 *         counts [0, 0] and the vacuous interval [0, 1])
 *       outcome_counts: {outcome: count}
 *       timeout_distribution: the verifier's (see below)
 *       duration_fit: {type: best family, params: {...}, se: {...}, loglik,
 *         aic, bic, ks_d, ks_p, censor_at_ms, n_completed, n_censored,
 *         families: {name: {params, se, loglik, aic, bic, delta_aic, ks_d,
 *         ks_p} | {error}}}  or {type: none, reason: "...", censor_at_ms,
 *         n_completed, n_censored}  (a standard error that is NaN is null)
 *
 *   calibration.md    the same for people: a metadata list, per tier a rate
 *                     table (rate | estimate | 95% CI | k/n | note), the
 *                     timeout distribution, the censoring (n completed, n
 *                     censored at T ms) and a fitdistrplus-style table of
 *                     the four fits (family | parameters ± SE | loglik | AIC
 *                     | BIC | ΔAIC | KS D | KS p; "**name** (best)"), then
 *                     the validation checks (status | check | reason) and
 *                     "**Verdict: PASS|FAIL|not run**". No clock: the text
 *                     depends on its inputs only.
 *
 *   noise_config.yaml the verifier's own noise-configuration format
 *                     (shared/reference/verifier_noise_phase2.yaml; what
 *                     models.h reads): global, then tiers.<fast_noisy|
 *                     balanced|slow_precise> with timeout_rate,
 *                     spurious_fail_rate, spurious_pass_rate (a rate
 *                     without ground truth is written as 0, and the header
 *                     comment says so; calibration.yaml has it as null),
 *                     base_timeout_s (timeout_ms / 1000),
 *                     timeout_distribution: how long a timed-out call
 *                     lasted: fixed (all within 1% of their mean: fixed_ms =
 *                     mean), else uniform (min_ms, max_ms = the sample's
 *                     range) or exponential (mean_ms = the sample mean),
 *                     whichever has the higher log-likelihood (uniform:
 *                     -n ln(max - min), exponential: -n ln(mean) - n; a tie
 *                     is uniform); a tier without timeouts, or without
 *                     their durations (timeout_durations NULL), gets
 *                     fixed_ms = its timeout. global holds the verifier's
 *                     defaults (noise on, on_failure, 3 attempts) with
 *                     default_tier balanced, or the first tier when there
 *                     is no balanced one. A comment header names the
 *                     experiment and date and points to calibration.yaml
 *                     for the intervals. It is always a complete
 *                     configuration: the tiers of `train` as calibrated,
 *                     then every other tier of the input models
 *                     (m->models) unchanged, each after a comment
 *                     "# NAME: not calibrated in this run; carried over
 *                     from MODELS"; global and the slices and test_slices
 *                     come from the input models too (their simulator
 *                     section, the harness's own, is left out). No tier
 *                     calibrated, or a timeout outside (0, 86400] s (which
 *                     models.h would refuse) is HX_EINVALID.
 *
 * Every file is written atomically (temp file, then rename).
 */
#ifndef HX_EXPORT_H
#define HX_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "calib.h"
#include "engine_id.h"
#include "models.h"
#include "ydoc.h"
#include "validate.h"

typedef struct {
	const char *experiment;
	const char *spec_path;
	const char *date_utc;     /* "2026-11-22T10:00:00Z" */
	const char *corpus;       /* e.g. "synthetic (5000 modules)" */
	hx_engine_id engine;          /* path, hash, toolchain NULL: left out */
	const char *snapshot_hash;    /* NULL: left out */
	uint64_t seed;
	unsigned long total_samples;
	double validation_split;
	const char *models_file;      /* the models' path, "built-in" or "inline";
				       * NULL: left out */
	const char *models_hash;      /* XXH3-128 of its text; NULL: left out */
	const hx_models *models;      /* the input models: noise_config.yaml
				       * carries over what was not calibrated;
				       * NULL: nothing to carry over */
} hx_calib_meta;

/* train: the fitted training part (hx_calib_fit done); all: every record
 * (n_samples per tier; may be the same as train); v: NULL when validation
 * did not run. */
int hx_export_calibration(const char *path, const hx_calib_meta *m, const hx_calib_data *train,
			  const hx_calib_data *all, const hx_validation *v);
int hx_export_report_md(const char *path, const hx_calib_meta *m, const hx_calib_data *train,
			const hx_calib_data *all, const hx_validation *v);
int hx_export_noise_config(const char *path, const hx_calib_meta *m, const hx_calib_data *train);

/* The verifier's timeout_distribution for a tier (the rule above). */
void hx_export_timeout_dist(const hx_tier_data *t, hx_timeout_dist *out);

/* A substitution in a YAML tree: the value at a dotted key path from the
 * root ("seed", "engine.root") becomes `node`. */
typedef struct {
	const char *path;
	const hx_ynode *node;
} hx_yaml_subst;

/* Emit the mapping `root` as YAML into out, with each substituted path's
 * value replaced (or added at the end of its parent map when the key is
 * absent; the parent must exist). Scalars keep their plain/quoted form. */
int hx_export_yaml_tree(hx_buf *out, const hx_ynode *root, const hx_yaml_subst *subst, size_t n);

/* Substitutions for hx_export_yaml_tree whose values are small YAML
 * documents, parsed and kept until released; strings go in as JSON strings
 * (valid YAML double-quoted). A caller may also append a node it owns
 * itself (docs[n] left NULL). Zero it before use. */
typedef struct {
	hx_yaml_subst subst[8];
	hx_ydoc *docs[8];
	size_t n;
} hx_yaml_substs;

/* Add the substitution of `path` by the YAML text (HX_EINVALID past 8). */
int hx_yaml_substs_add(hx_yaml_substs *s, const char *path, const char *yaml_text);
/* Add the substitution of `key` by the absolute form of a file path. */
int hx_yaml_substs_add_path(hx_yaml_substs *s, const char *key, const char *path);
void hx_yaml_substs_release(hx_yaml_substs *s);

/* Read calibration.yaml back into the rates and counts compare needs: per
 * tier of noise_models (in FAST, BALANCED, SLOW order) tier, n (=
 * training_samples: the rates' counts refer to the training part),
 * timeout_ms, the three rates (k, n, rate, lo, hi, weighted) and the
 * outcome counts; records = the sum of n; gt_source and labels_used from
 * calibration_metadata when present. No durations, which need telemetry:
 * ndurations and ncensored are 0, durations and timeout_durations NULL, no
 * fit. Release with hx_calib_release. Errors are located (file:line:col);
 * a file without noise_models is HX_EINVALID ("missing key
 * 'noise_models': not a calibration.yaml"). */
int hx_calib_read_yaml(hx_calib_data *out, const char *path);

#endif
