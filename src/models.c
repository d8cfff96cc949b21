/* models.c - read and validate the verifier's noise configuration. */
#include "models.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"

/* Timeouts above a day are a typo, never a verifier setting. */
#define MAX_TIMEOUT_S 86400.0
/* Slice weights may sum to 1 up to rounding in their decimal spelling. */
#define WEIGHT_SLACK 1e-9

static const char *const top_keys[] = {"global", "tiers", "slices", "test_slices", "simulator",
					NULL};
static const char *const global_keys[] = {"noise_enabled", "default_tier", "escalation_policy",
					  "max_escalation_attempts", NULL};
static const char *const tier_names[] = {"fast_noisy", "balanced", "slow_precise", NULL};
static const char *const tier_keys[] = {"timeout_rate", "spurious_fail_rate",
					"spurious_pass_rate", "base_timeout_s",
					"timeout_distribution", NULL};
static const char *const override_keys[] = {"timeout_rate", "spurious_fail_rate",
					    "spurious_pass_rate", NULL};
static const char *const slice_keys[] = {"noise_enabled", "tier_overrides",
					 "timeout_distribution", NULL};
static const char *const policies[] = {"on_failure", "on_timeout", "on_noise", "never", "always",
				       NULL};
static const char *const dist_types[] = {"uniform", "exponential", "fixed", NULL};
static const char *const dist_keys[] = {"type", "min_ms", "max_ms", "mean_ms", "fixed_ms", NULL};
static const char *const sim_keys[] = {"invalid_fraction", "difficulty_sigma",
				       "duration_median_ms", "duration_sigma", "memory_base_mb",
				       "slice_weights", NULL};

/* Parameters each distribution type takes (all of them required). */
static const char *const uniform_params[] = {"min_ms", "max_ms", NULL};
static const char *const exponential_params[] = {"mean_ms", NULL};
static const char *const fixed_params[] = {"fixed_ms", NULL};
static const char *const *const dist_params[] = {uniform_params, exponential_params,
						 fixed_params};
static const char *const dist_phrase[] = {"a uniform", "an exponential", "a fixed"};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
	}
	return 0;
}

/* An optional section: absent or null reads as empty; otherwise a mapping. */
static int optional_map(const hx_ydoc *doc, const hx_ynode *n, const char *what)
{
	if (hx_ynode_is_null(n))
		return 0;
	return hx_ydoc_expect(doc, n, HX_Y_MAP, what);
}

static int parse_dist(const hx_ydoc *doc, const hx_ynode *n, hx_timeout_dist *out)
{
	static const char *const type_key[] = {"type", NULL};
	const hx_ynode *k;
	size_t i;
	int kind, err;

	memset(out, 0, sizeof(*out));
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "timeout_distribution")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, dist_keys)) != 0 ||
	    (err = hx_ydoc_require(doc, n, type_key)) != 0 ||
	    (err = hx_ydoc_enum(doc, hx_ynode_get(n, "type"), "type", dist_types, &kind)) != 0)
		return err;
	/* Another type's parameter is a mistake worth naming as such. */
	for (i = 0; i < n->n; i++) {
		k = n->pairs[i].key;
		if (strcmp(k->scalar, "type") != 0 && !in_list(k->scalar, dist_params[kind]))
			return hx_ydoc_error(doc, k, "unknown key '%s' for %s distribution",
					     k->scalar, dist_phrase[kind]);
	}
	if ((err = hx_ydoc_require(doc, n, dist_params[kind])) != 0)
		return err;
	out->kind = (hx_dist_kind)kind;
	switch (out->kind) {
	case HX_DIST_UNIFORM:
		if ((err = hx_ydoc_double(doc, hx_ynode_get(n, "min_ms"), "min_ms", 0, INFINITY,
					  &out->min_ms)) != 0 ||
		    (err = hx_ydoc_double(doc, hx_ynode_get(n, "max_ms"), "max_ms", 0, INFINITY,
					  &out->max_ms)) != 0)
			return err;
		if (out->max_ms < out->min_ms)
			return hx_ydoc_error(doc, hx_ynode_get(n, "max_ms"),
					     "'max_ms' (%.15g) must not be less than 'min_ms' (%.15g)",
					     out->max_ms, out->min_ms);
		break;
	case HX_DIST_EXPONENTIAL:
		err = hx_ydoc_double_gt(doc, hx_ynode_get(n, "mean_ms"), "mean_ms", 0, INFINITY,
					&out->mean_ms);
		break;
	case HX_DIST_FIXED:
		err = hx_ydoc_double(doc, hx_ynode_get(n, "fixed_ms"), "fixed_ms", 0, INFINITY,
				     &out->fixed_ms);
		break;
	}
	return err;
}

static int parse_global(hx_models *m, const hx_ydoc *doc, const hx_ynode *g)
{
	const hx_ynode *v;
	long long n;
	int idx, err;

	if ((err = optional_map(doc, g, "global")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, g, global_keys)) != 0)
		return err;
	if ((v = hx_ynode_get(g, "noise_enabled")) &&
	    (err = hx_ydoc_bool(doc, v, "noise_enabled", &m->noise_enabled)) != 0)
		return err;
	if ((v = hx_ynode_get(g, "default_tier"))) {
		if ((err = hx_ydoc_enum(doc, v, "default_tier", tier_names, &idx)) != 0)
			return err;
		free(m->default_tier);
		m->default_tier = hx_xstrdup(tier_names[idx]);
	}
	if ((v = hx_ynode_get(g, "escalation_policy"))) {
		if ((err = hx_ydoc_enum(doc, v, "escalation_policy", policies, &idx)) != 0)
			return err;
		free(m->escalation_policy);
		m->escalation_policy = hx_xstrdup(policies[idx]);
	}
	if ((v = hx_ynode_get(g, "max_escalation_attempts"))) {
		if ((err = hx_ydoc_int(doc, v, "max_escalation_attempts", 0, 100, &n)) != 0)
			return err;
		m->max_escalation_attempts = (int)n;
	}
	return 0;
}

static int parse_tier(hx_tier_model *t, const hx_ydoc *doc, const hx_ynode *n)
{
	int err;

	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "tier")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, tier_keys)) != 0 ||
	    (err = hx_ydoc_require(doc, n, tier_keys)) != 0)
		return err;
	if ((err = hx_ydoc_double(doc, hx_ynode_get(n, "timeout_rate"), "timeout_rate", 0, 1,
				  &t->timeout_rate)) != 0 ||
	    (err = hx_ydoc_double(doc, hx_ynode_get(n, "spurious_fail_rate"), "spurious_fail_rate",
				  0, 1, &t->spurious_fail_rate)) != 0 ||
	    (err = hx_ydoc_double(doc, hx_ynode_get(n, "spurious_pass_rate"), "spurious_pass_rate",
				  0, 1, &t->spurious_pass_rate)) != 0 ||
	    (err = hx_ydoc_double_gt(doc, hx_ynode_get(n, "base_timeout_s"), "base_timeout_s", 0,
				     MAX_TIMEOUT_S, &t->base_timeout_s)) != 0)
		return err;
	return parse_dist(doc, hx_ynode_get(n, "timeout_distribution"), &t->timeout_distribution);
}

static int parse_tiers(hx_models *m, const hx_ydoc *doc, const hx_ynode *tiers)
{
	size_t i;
	hx_tier t;
	int err;

	if ((err = hx_ydoc_expect(doc, tiers, HX_Y_MAP, "tiers")) != 0 ||
	    (err = hx_ydoc_check_names(doc, tiers, tier_names, "tier")) != 0)
		return err;
	if (tiers->n == 0)
		return hx_ydoc_error(doc, tiers,
				     "'tiers' must define at least one of fast_noisy, balanced, "
				     "slow_precise");
	for (i = 0; i < tiers->n; i++) {
		hx_tier_parse(tiers->pairs[i].key->scalar, &t);
		if ((err = parse_tier(&m->tiers[t], doc, tiers->pairs[i].value)) != 0)
			return err;
		m->has_tier[t] = 1;
	}
	return 0;
}

static int parse_override(hx_tier_override *o, const hx_ydoc *doc, const hx_ynode *n)
{
	const hx_ynode *v;
	int err;

	if ((err = optional_map(doc, n, "tier override")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, override_keys)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "timeout_rate"))) {
		if ((err = hx_ydoc_double(doc, v, "timeout_rate", 0, 1, &o->timeout_rate)) != 0)
			return err;
		o->has_timeout_rate = 1;
	}
	if ((v = hx_ynode_get(n, "spurious_fail_rate"))) {
		if ((err = hx_ydoc_double(doc, v, "spurious_fail_rate", 0, 1,
					  &o->spurious_fail_rate)) != 0)
			return err;
		o->has_spurious_fail_rate = 1;
	}
	if ((v = hx_ynode_get(n, "spurious_pass_rate"))) {
		if ((err = hx_ydoc_double(doc, v, "spurious_pass_rate", 0, 1,
					  &o->spurious_pass_rate)) != 0)
			return err;
		o->has_spurious_pass_rate = 1;
	}
	return 0;
}

static int parse_slice(hx_slice_model *s, const hx_ydoc *doc, const hx_ynode *n)
{
	const hx_ynode *v;
	size_t i;
	hx_tier t;
	int err;

	if ((err = optional_map(doc, n, s->name)) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, slice_keys)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "noise_enabled")) &&
	    (err = hx_ydoc_bool(doc, v, "noise_enabled", &s->noise_enabled)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "tier_overrides"))) {
		if ((err = optional_map(doc, v, "tier_overrides")) != 0 ||
		    (err = hx_ydoc_check_names(doc, v, tier_names, "tier")) != 0)
			return err;
		for (i = 0; v->type == HX_Y_MAP && i < v->n; i++) {
			hx_tier_parse(v->pairs[i].key->scalar, &t);
			if ((err = parse_override(&s->overrides[t], doc, v->pairs[i].value)) != 0)
				return err;
		}
	}
	if ((v = hx_ynode_get(n, "timeout_distribution"))) {
		if ((err = parse_dist(doc, v, &s->timeout_distribution)) != 0)
			return err;
		s->has_timeout_distribution = 1;
	}
	return 0;
}

static int parse_slices(hx_models *m, const hx_ydoc *doc, const hx_ynode *n, int is_test)
{
	const hx_ynode *k;
	hx_slice_model *s;
	size_t i;
	int err;

	if ((err = optional_map(doc, n, is_test ? "test_slices" : "slices")) != 0)
		return err;
	if (hx_ynode_is_null(n))
		return 0;
	m->slices = hx_xrealloc(m->slices, (m->nslices + n->n) * sizeof(*m->slices));
	for (i = 0; i < n->n; i++) {
		k = n->pairs[i].key;
		/* Slices and test slices share one namespace: a task names one. */
		if (hx_models_slice(m, k->scalar))
			return hx_ydoc_error(doc, k, "duplicate slice '%s'", k->scalar);
		s = &m->slices[m->nslices++];
		memset(s, 0, sizeof(*s));
		s->name = hx_xstrdup(k->scalar);
		s->is_test = is_test;
		s->noise_enabled = 1;
		if ((err = parse_slice(s, doc, n->pairs[i].value)) != 0)
			return err;
	}
	return 0;
}

static int parse_weights(hx_models *m, const hx_ydoc *doc, const hx_ynode *n)
{
	hx_sim_params *sim = &m->sim;
	const char **names = NULL;
	double sum = 0;
	size_t i;
	int err;

	if ((err = optional_map(doc, n, "slice_weights")) != 0 || hx_ynode_is_null(n))
		return err;
	names = hx_xcalloc(m->nslices + 1, sizeof(*names));
	for (i = 0; i < m->nslices; i++)
		names[i] = m->slices[i].name;
	if ((err = hx_ydoc_check_names(doc, n, names, "slice")) != 0)
		goto done;
	sim->slice_names = hx_xcalloc(n->n, sizeof(*sim->slice_names));
	sim->slice_weights = hx_xcalloc(n->n, sizeof(*sim->slice_weights));
	for (i = 0; i < n->n; i++) {
		const hx_ynode *k = n->pairs[i].key;
		if ((err = hx_ydoc_double(doc, n->pairs[i].value, k->scalar, 0, 1,
					  &sim->slice_weights[i])) != 0)
			goto done;
		sim->slice_names[i] = hx_xstrdup(k->scalar);
		sim->nslice_weights++;
		sum += sim->slice_weights[i];
	}
	if (sum > 1 + WEIGHT_SLACK)
		err = hx_ydoc_error(doc, n, "slice weights sum to %.15g, more than 1", sum);
done:
	free(names);
	return err;
}

static int parse_simulator(hx_models *m, const hx_ydoc *doc, const hx_ynode *n)
{
	const hx_ynode *v;
	int err;

	if ((err = optional_map(doc, n, "simulator")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, sim_keys)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "invalid_fraction")) &&
	    (err = hx_ydoc_double(doc, v, "invalid_fraction", 0, 1, &m->sim.invalid_fraction)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "difficulty_sigma")) &&
	    (err = hx_ydoc_double(doc, v, "difficulty_sigma", 0, 10, &m->sim.difficulty_sigma)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "duration_median_ms")) &&
	    (err = hx_ydoc_double_gt(doc, v, "duration_median_ms", 0, MAX_TIMEOUT_S * 1000,
				     &m->sim.duration_median_ms)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "duration_sigma")) &&
	    (err = hx_ydoc_double(doc, v, "duration_sigma", 0, 10, &m->sim.duration_sigma)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "memory_base_mb")) &&
	    (err = hx_ydoc_double_gt(doc, v, "memory_base_mb", 0, 1048576,
				     &m->sim.memory_base_mb)) != 0)
		return err;
	return parse_weights(m, doc, hx_ynode_get(n, "slice_weights"));
}

static hx_models *models_new(const char *path)
{
	hx_models *m = hx_xcalloc(1, sizeof(*m));
	m->path = hx_xstrdup(path);
	/* Defaults are the verifier's own (the phase 2 reference file). */
	m->noise_enabled = 1;
	m->default_tier = hx_xstrdup("balanced");
	m->escalation_policy = hx_xstrdup("on_failure");
	m->max_escalation_attempts = 3;
	m->sim.invalid_fraction = 0.2;
	m->sim.difficulty_sigma = 0.5;
	m->sim.duration_median_ms = 2000;
	m->sim.duration_sigma = 0.6;
	m->sim.memory_base_mb = 350;
	return m;
}

int hx_models_from_node(hx_models **out, const hx_ydoc *doc, const hx_ynode *node)
{
	static const char *const required[] = {"tiers", NULL};
	hx_models *m = NULL;
	int err;

	*out = NULL;
	m = models_new(doc->file);
	if (!node || hx_ynode_is_null(node)) {
		err = hx_ydoc_error(doc, node, "missing key 'tiers'");
		goto done;
	}
	if ((err = hx_ydoc_expect(doc, node, HX_Y_MAP, "models")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, node, top_keys)) != 0 ||
	    (err = hx_ydoc_require(doc, node, required)) != 0 ||
	    (err = parse_global(m, doc, hx_ynode_get(node, "global"))) != 0 ||
	    (err = parse_tiers(m, doc, hx_ynode_get(node, "tiers"))) != 0 ||
	    (err = parse_slices(m, doc, hx_ynode_get(node, "slices"), 0)) != 0 ||
	    (err = parse_slices(m, doc, hx_ynode_get(node, "test_slices"), 1)) != 0 ||
	    (err = parse_simulator(m, doc, hx_ynode_get(node, "simulator"))) != 0)
		goto done;
	*out = m;
	m = NULL;
done:
	hx_models_free(m);
	return err;
}

int hx_models_load(hx_models **out, const char *path)
{
	hx_ydoc *doc = NULL;
	int err;

	*out = NULL;
	if ((err = hx_ydoc_load(&doc, path)) == 0)
		err = hx_models_from_node(out, doc, doc->root);
	hx_ydoc_free(doc);
	return err;
}

extern const char hx_default_models_yaml[];
extern const unsigned long hx_default_models_yaml_len;

const char *hx_models_builtin_text(size_t *len)
{
	*len = (size_t)hx_default_models_yaml_len;
	return hx_default_models_yaml;
}

int hx_models_builtin(hx_models **out)
{
	hx_ydoc *doc = NULL;
	int err;

	*out = NULL;
	if ((err = hx_ydoc_parse(&doc, HX_MODELS_BUILTIN_NAME, hx_default_models_yaml,
				 hx_default_models_yaml_len)) == 0)
		err = hx_models_from_node(out, doc, doc->root);
	hx_ydoc_free(doc);
	return err;
}

void hx_models_free(hx_models *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nslices; i++)
		free(m->slices[i].name);
	free(m->slices);
	for (i = 0; i < m->sim.nslice_weights; i++)
		free(m->sim.slice_names[i]);
	free(m->sim.slice_names);
	free(m->sim.slice_weights);
	free(m->default_tier);
	free(m->escalation_policy);
	free(m->path);
	free(m);
}

const hx_slice_model *hx_models_slice(const hx_models *m, const char *name)
{
	size_t i;
	for (i = 0; i < m->nslices; i++) {
		if (strcmp(m->slices[i].name, name) == 0)
			return &m->slices[i];
	}
	return NULL;
}

int hx_models_resolve(const hx_models *m, hx_tier t, const hx_slice_model *slice,
		      hx_tier_model *out, int *noise_enabled_out)
{
	const hx_tier_override *o;

	if (!m->has_tier[t]) {
		hx_error_set("models in '%s' have no tier '%s'", m->path, hx_tier_model_name(t));
		return HX_ENOTFOUND;
	}
	*out = m->tiers[t];
	if (noise_enabled_out)
		*noise_enabled_out = m->noise_enabled && (!slice || slice->noise_enabled);
	if (!slice)
		return 0;
	o = &slice->overrides[t];
	if (o->has_timeout_rate)
		out->timeout_rate = o->timeout_rate;
	if (o->has_spurious_fail_rate)
		out->spurious_fail_rate = o->spurious_fail_rate;
	if (o->has_spurious_pass_rate)
		out->spurious_pass_rate = o->spurious_pass_rate;
	if (slice->has_timeout_distribution)
		out->timeout_distribution = slice->timeout_distribution;
	return 0;
}
