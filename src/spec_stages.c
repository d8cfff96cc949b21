#include "spec_stages.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "spec_engine.h"

static const char *const label_keys[] = {"sample", "timeout_multiplier", "min_confidence",
					 "consensus", NULL};
static const char *const voter_keys[] = {"engine", "tier", "timeout_s", NULL};
static const char *const validate_keys[] = {"split", "holdout", "alpha", "monotonicity",
					    "cross_tier", "max_calibration_error", "envelopes",
					    NULL};
static const char *const export_keys[] = {"report", "noise_config", NULL};
static const char *const tier_names[] = {"FAST", "BALANCED", "SLOW", NULL};
static const char *const rate_names[] = {"timeout_rate", "spurious_fail_rate",
					 "spurious_pass_rate", NULL};

#define MAX_LABEL_SAMPLE 10000000LL

/* A stage is `false` (off), `true` or null (on, defaults), or a map (on,
 * its keys checked against `keys`). Returns 1 when the body is a map to
 * read, 0 when done, or an error. */
static int stage_switch(const hx_ydoc *doc, const hx_ynode *n, const char *what,
			const char *const *keys, int *enabled)
{
	int err;
	if (!n)
		return 0;
	if (hx_ynode_is_null(n)) {
		*enabled = 1;
		return 0;
	}
	if (n->type == HX_Y_SCALAR) {
		if ((err = hx_ydoc_bool(doc, n, what, enabled)) != 0)
			return hx_ydoc_error(doc, n, "'%s' must be true, false or a mapping", what);
		return 0;
	}
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, what)) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, keys)) != 0)
		return err;
	*enabled = 1;
	return 1;
}

static int read_flag(const hx_ydoc *doc, const hx_ynode *map, const char *key, int *out)
{
	const hx_ynode *v = hx_ynode_get(map, key);
	return v ? hx_ydoc_bool(doc, v, key, out) : 0;
}

static int read_tier(const hx_ydoc *doc, const hx_ynode *n, hx_tier *out)
{
	int t, err = hx_ydoc_enum(doc, n, "tier", tier_names, &t);
	if (!err)
		*out = (hx_tier)t;
	return err;
}

static int read_voter(hx_spec_voter *v, const hx_ydoc *doc, const hx_ynode *n, const char *dir,
		      const char *engine_root)
{
	const hx_ynode *x;
	int err;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "consensus entry")) != 0 ||
	    (err = hx_ydoc_check_keys(doc, n, voter_keys)) != 0)
		return err;
	if ((x = hx_ynode_get(n, "engine"))) {
		if ((err = hx_spec_engine_read(&v->engine, doc, x, dir, engine_root)) != 0)
			return err;
		v->has_engine = 1;
		v->kind = hx_xstrdup(v->engine.kind);
	}
	if ((x = hx_ynode_get(n, "tier"))) {
		if ((err = read_tier(doc, x, &v->tier)) != 0)
			return err;
		v->has_tier = 1;
	}
	if ((x = hx_ynode_get(n, "timeout_s")) &&
	    (err = hx_ydoc_double_gt(doc, x, "timeout_s", 0, 86400 * 7, &v->timeout_s)) != 0)
		return err;
	return 0;
}

static int read_label(hx_spec *s, const hx_ydoc *doc, const hx_ynode *n, const char *dir,
		      const char *engine_root)
{
	hx_spec_label *l = &s->label;
	const hx_ynode *v;
	long long k;
	size_t i;
	int err = stage_switch(doc, n, "label", label_keys, &l->enabled);
	if (err <= 0)
		return err;
	if ((v = hx_ynode_get(n, "sample"))) {
		if ((err = hx_ydoc_int(doc, v, "sample", 1, MAX_LABEL_SAMPLE, &k)) != 0)
			return err;
		l->sample = (long)k;
	}
	if ((v = hx_ynode_get(n, "timeout_multiplier")) &&
	    (err = hx_ydoc_double(doc, v, "timeout_multiplier", 1, 1000, &l->timeout_multiplier)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "min_confidence")) &&
	    (err = hx_ydoc_double(doc, v, "min_confidence", 0, 1, &l->min_confidence)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "consensus")) && !hx_ynode_is_null(v)) {
		if ((err = hx_ydoc_expect(doc, v, HX_Y_SEQ, "consensus")) != 0)
			return err;
		l->voters = hx_xcalloc(v->n ? v->n : 1, sizeof(hx_spec_voter));
		for (i = 0; i < v->n; i++) {
			l->nvoters = i + 1;
			if ((err = read_voter(&l->voters[i], doc, v->items[i], dir, engine_root)) != 0)
				return err;
		}
	}
	return 0;
}

static int read_envelopes(hx_spec_validate *vd, const hx_ydoc *doc, const hx_ynode *n)
{
	size_t i, j;
	int err;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "envelopes")) != 0 ||
	    (err = hx_ydoc_check_names(doc, n, tier_names, "tier")) != 0)
		return err;
	for (i = 0; i < n->n; i++) {
		const hx_ynode *body = n->pairs[i].value;
		hx_tier t;
		if ((err = read_tier(doc, n->pairs[i].key, &t)) != 0 ||
		    (err = hx_ydoc_expect(doc, body, HX_Y_MAP, n->pairs[i].key->scalar)) != 0 ||
		    (err = hx_ydoc_check_names(doc, body, rate_names, "rate")) != 0)
			return err;
		for (j = 0; j < body->n; j++) {
			const hx_ynode *range = body->pairs[j].value;
			hx_spec_envelope *e;
			int r;
			hx_ydoc_enum(doc, body->pairs[j].key, "rate", rate_names, &r);
			if (range->type != HX_Y_SEQ || range->n != 2)
				return hx_ydoc_error(doc, range, "an envelope must be [min, max]");
			vd->envelopes = hx_xrealloc(vd->envelopes,
						    (vd->nenvelopes + 1) * sizeof(*vd->envelopes));
			e = &vd->envelopes[vd->nenvelopes++];
			e->tier = t;
			e->rate = r;
			if ((err = hx_ydoc_double(doc, range->items[0], "min", 0, 1, &e->min)) != 0 ||
			    (err = hx_ydoc_double(doc, range->items[1], "max", 0, 1, &e->max)) != 0)
				return err;
			if (e->min > e->max)
				return hx_ydoc_error(doc, range, "envelope min %g is above max %g",
						     e->min, e->max);
		}
	}
	return 0;
}

static int read_validate(hx_spec *s, const hx_ydoc *doc, const hx_ynode *n)
{
	hx_spec_validate *vd = &s->validate;
	const hx_ynode *v;
	int err = stage_switch(doc, n, "validate", validate_keys, &vd->enabled);
	if (err <= 0)
		return err;
	if ((v = hx_ynode_get(n, "split")) &&
	    (err = hx_ydoc_double(doc, v, "split", 0, 0.9, &vd->split)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "alpha")) &&
	    (err = hx_ydoc_double_gt(doc, v, "alpha", 0, 0.5, &vd->alpha)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "max_calibration_error")) &&
	    (err = hx_ydoc_double_gt(doc, v, "max_calibration_error", 0, 1,
				     &vd->max_calibration_error)) != 0)
		return err;
	if ((err = read_flag(doc, n, "monotonicity", &vd->monotonicity)) != 0 ||
	    (err = read_flag(doc, n, "holdout", &vd->holdout)) != 0 ||
	    (err = read_flag(doc, n, "cross_tier", &vd->cross_tier)) != 0)
		return err;
	if ((v = hx_ynode_get(n, "envelopes")) && !hx_ynode_is_null(v))
		return read_envelopes(vd, doc, v);
	return 0;
}

static int read_export(hx_spec *s, const hx_ydoc *doc, const hx_ynode *n)
{
	int err = stage_switch(doc, n, "export", export_keys, &s->export_.enabled);
	if (err <= 0)
		return err;
	if ((err = read_flag(doc, n, "report", &s->export_.report)) != 0)
		return err;
	return read_flag(doc, n, "noise_config", &s->export_.noise_config);
}

int hx_spec_stages_read(hx_spec *s, const hx_ydoc *doc, const hx_ynode *root, const char *dir,
			const char *engine_root)
{
	const hx_ynode *v;
	int err;

	s->label.enabled = 1;
	s->label.sample = 1000;
	s->label.timeout_multiplier = 10;
	s->label.min_confidence = 0.8;
	s->fit = 1;
	s->validate.enabled = 1;
	s->validate.split = 0.2;
	s->validate.alpha = 0.05;
	s->validate.monotonicity = s->validate.holdout = s->validate.cross_tier = 1;
	s->export_.enabled = s->export_.report = s->export_.noise_config = 1;
	if (!root)
		return 0;
	if ((err = read_label(s, doc, hx_ynode_get(root, "label"), dir, engine_root)) != 0)
		return err;
	if ((v = hx_ynode_get(root, "fit")) && (err = hx_ydoc_bool(doc, v, "fit", &s->fit)) != 0)
		return err;
	if ((err = read_validate(s, doc, hx_ynode_get(root, "validate"))) != 0)
		return err;
	return read_export(s, doc, hx_ynode_get(root, "export"));
}

void hx_spec_stages_release(hx_spec *s)
{
	size_t i;
	for (i = 0; i < s->label.nvoters; i++) {
		free(s->label.voters[i].kind);
		if (s->label.voters[i].has_engine)
			hx_spec_engine_release(&s->label.voters[i].engine);
	}
	free(s->label.voters);
	free(s->validate.envelopes);
	memset(&s->label, 0, sizeof(s->label));
	memset(&s->validate, 0, sizeof(s->validate));
}
