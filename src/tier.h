/* tier.h - the three verifier tiers and their names in each vocabulary. */
#ifndef HX_TIER_H
#define HX_TIER_H

typedef enum { HX_TIER_FAST, HX_TIER_BALANCED, HX_TIER_SLOW, HX_TIER_COUNT } hx_tier;

const char *hx_tier_name(hx_tier t);       /* "FAST", "BALANCED", "SLOW" (spec, CLI) */
const char *hx_tier_lower(hx_tier t);      /* "fast", ... (telemetry `tier` field) */
const char *hx_tier_model_name(hx_tier t); /* "fast_noisy", "balanced", "slow_precise" */
/* Parse any of the three vocabularies, case-insensitive for the first two.
 * Returns 0 or HX_EINVALID (no message set). */
int hx_tier_parse(const char *s, hx_tier *out);

#endif
