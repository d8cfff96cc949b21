/* spec.h - declarative experiment specs (YAML).
 *
 *   experiment: smoke                # [a-z0-9._-]+, names snapshots/golden dirs
 *   description: "..."
 *   seed: 42                          # 0 .. 2^64-1
 *   engine: {kind: sim-verifier}
 *   models: models/noise.yaml         # path (relative to the spec) or inline map
 *   corpus: {kind: synthetic, modules: 500}
 *   tiers: {BALANCED: {timeout_s: 60, samples: 100}}   # timeout_s, samples optional
 *   samples: 100                      # per tier, unless the tier says otherwise
 *   workers: 4                        # optional; 0 or absent = number of cores
 *   canonical: {profile: telemetry}   # built-in name or a profile file (relative to the spec)
 *   golden: golden/smoke              # optional; relative to the project directory
 *   tags: [smoke, nightly]
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

typedef struct {
	hx_tier tier;
	double timeout_s; /* effective: the spec's, else the models' base_timeout_s */
	long samples;     /* effective: the tier's, else the spec's `samples` */
} hx_spec_tier;

typedef struct {
	char *path; /* the spec file as given */
	char *experiment;
	char *description; /* "" when absent */
	uint64_t seed;
	char *engine_kind; /* "sim-verifier" */
	char *models_path; /* resolved file path, or NULL when inline */
	hx_models *models; /* owned */
	char *corpus_kind; /* "synthetic" */
	long corpus_modules;
	hx_spec_tier tiers[HX_TIER_COUNT]; /* in plan order: FAST, BALANCED, SLOW */
	size_t ntiers;
	long samples;
	int workers;       /* 0 = number of cores */
	char *profile_ref; /* as written: built-in name or path */
	hx_canon_profile profile;
	char *golden; /* default "golden/<experiment>" */
	char **tags;
	size_t ntags;
} hx_spec;

int hx_spec_load(hx_spec **out, const char *path);
void hx_spec_free(hx_spec *s); /* accepts NULL */

/* Load a canonical profile: a built-in name ("telemetry", "none") or a YAML
 * file: {name: x, strip: [path...], round: {path: decimals}}. */
int hx_canon_profile_load(hx_canon_profile *out, const char *name_or_path);

#endif
