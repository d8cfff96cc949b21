/* models.h - the verifier's noise configuration (its own format, e.g.
 * verifier_noise_phase2.yaml), which the sim-verifier engine reads and a
 * calibration writes back.
 *
 * Format: `global` (noise_enabled, default_tier, escalation_policy,
 * max_escalation_attempts), `tiers.<fast_noisy|balanced|slow_precise>`
 * (timeout_rate, spurious_fail_rate, spurious_pass_rate, base_timeout_s,
 * timeout_distribution), `slices.<name>` and `test_slices.<name>`
 * (noise_enabled, tier_overrides.<tier>.<rate>, timeout_distribution).
 * The harness adds an optional `simulator` section (see hx_sim_params).
 */
#ifndef HX_MODELS_H
#define HX_MODELS_H

#include <stddef.h>

#include "tier.h"
#include "ydoc.h"

typedef enum { HX_DIST_UNIFORM, HX_DIST_EXPONENTIAL, HX_DIST_FIXED } hx_dist_kind;

/* How long a timed-out call lasts, in milliseconds. */
typedef struct {
	hx_dist_kind kind;
	double min_ms, max_ms; /* uniform */
	double mean_ms;        /* exponential */
	double fixed_ms;       /* fixed */
} hx_timeout_dist;

typedef struct {
	double timeout_rate;
	double spurious_fail_rate;
	double spurious_pass_rate;
	double base_timeout_s;
	hx_timeout_dist timeout_distribution;
} hx_tier_model;

typedef struct {
	int has_timeout_rate, has_spurious_fail_rate, has_spurious_pass_rate;
	double timeout_rate, spurious_fail_rate, spurious_pass_rate;
} hx_tier_override;

typedef struct {
	char *name;
	int is_test;       /* from test_slices */
	int noise_enabled; /* default 1 */
	hx_tier_override overrides[HX_TIER_COUNT];
	int has_timeout_distribution;
	hx_timeout_dist timeout_distribution;
} hx_slice_model;

/* Harness additions under `simulator:`; every key optional. */
typedef struct {
	double invalid_fraction;     /* share of modules whose proof is invalid; 0.2 */
	double difficulty_sigma;     /* difficulty ~ lognormal(0, sigma); 0.5 */
	double duration_median_ms;   /* completed time at difficulty 1; 2000 */
	double duration_sigma;       /* lognormal sigma of completed time; 0.6 */
	double memory_base_mb;       /* peak memory at difficulty 1; 350 */
	char **slice_names;          /* slice_weights: share of modules per slice */
	double *slice_weights;       /* (the rest belong to no slice) */
	size_t nslice_weights;
} hx_sim_params;

typedef struct {
	char *path; /* file it came from, or the spec's path when inline */
	int noise_enabled;
	char *default_tier;
	char *escalation_policy;
	int max_escalation_attempts;
	int has_tier[HX_TIER_COUNT];
	hx_tier_model tiers[HX_TIER_COUNT];
	hx_slice_model *slices; /* slices then test_slices, document order */
	size_t nslices;
	hx_sim_params sim;
} hx_models;

/* Load and validate (rates in [0,1], positive timeouts, known distribution
 * types with their parameters, min <= max, known keys only, slice weights
 * naming existing slices and summing to at most 1). Errors are located. */
int hx_models_load(hx_models **out, const char *path);
/* The same from a node of an already-parsed document (inline `models:`). */
int hx_models_from_node(hx_models **out, const hx_ydoc *doc, const hx_ynode *node);
void hx_models_free(hx_models *m); /* accepts NULL */

/* The built-in models: experiments/models/verifier_noise_phase2.yaml as it
 * was at build time, compiled in. */
#define HX_MODELS_BUILTIN_NAME "(built-in) verifier_noise_phase2.yaml"
int hx_models_builtin(hx_models **out);
/* Its text (static; *len gets its length). */
const char *hx_models_builtin_text(size_t *len);

/* Slice by name, or NULL. */
const hx_slice_model *hx_models_slice(const hx_models *m, const char *name);

/* Effective parameters for tier t in `slice` (NULL: none): tier values, then
 * the slice's overrides and timeout distribution. *noise_enabled_out is 0 when
 * noise is off globally or for the slice. Returns HX_ENOTFOUND (message set)
 * when the models have no such tier. */
int hx_models_resolve(const hx_models *m, hx_tier t, const hx_slice_model *slice,
		      hx_tier_model *out, int *noise_enabled_out);

#endif
