#include "tier.h"

#include <strings.h>

#include "error.h"

static const char *const names[HX_TIER_COUNT] = {"FAST", "BALANCED", "SLOW"};
static const char *const lower[HX_TIER_COUNT] = {"fast", "balanced", "slow"};
static const char *const model[HX_TIER_COUNT] = {"fast_noisy", "balanced", "slow_precise"};

const char *hx_tier_name(hx_tier t)
{
	return names[t];
}

const char *hx_tier_lower(hx_tier t)
{
	return lower[t];
}

const char *hx_tier_model_name(hx_tier t)
{
	return model[t];
}

int hx_tier_parse(const char *s, hx_tier *out)
{
	int i;
	for (i = 0; i < HX_TIER_COUNT; i++) {
		if (strcasecmp(s, names[i]) == 0 || strcasecmp(s, model[i]) == 0) {
			*out = (hx_tier)i;
			return 0;
		}
	}
	return HX_EINVALID;
}
