/* calib_yaml.c - calibration.yaml read back into the rates and counts
 * compare needs (export.h, hx_calib_read_yaml). */
#include "export.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "telemetry.h"
#include "ydoc.h"

static const char *const gt_source_names[] = {"none", "simulator", "labels", NULL};

/* The node of a required key, or NULL with the located error set. */
static const hx_ynode *need(const hx_ydoc *doc, const hx_ynode *map, const char *k)
{
	const char *req[2] = {k, NULL};
	return hx_ydoc_require(doc, map, req) == 0 ? hx_ynode_get(map, k) : NULL;
}

/* An unsigned long (counts). */
static int read_ulong(const hx_ydoc *doc, const hx_ynode *n, const char *what,
		      unsigned long *out)
{
	uint64_t u;
	int err;

	if ((err = hx_ydoc_u64(doc, n, what, &u)) != 0)
		return err;
	if (u > ULONG_MAX)
		return hx_ydoc_error(doc, n, "'%s' is too large", what);
	*out = (unsigned long)u;
	return 0;
}

/* key: [a, b] of numbers (counts: unsigned integers). */
static int read_two(const hx_ydoc *doc, const hx_ynode *map, const char *k, int counts,
		    double out[2])
{
	const hx_ynode *n = need(doc, map, k);
	unsigned long u;
	int i, err;

	if (!n)
		return HX_EINVALID;
	if (n->type != HX_Y_SEQ || n->n != 2)
		return hx_ydoc_error(doc, n, "'%s' must be a list of two %s", k,
				     counts ? "counts" : "numbers");
	for (i = 0; i < 2; i++) {
		if (counts) {
			if ((err = read_ulong(doc, n->items[i], k, &u)) != 0)
				return err;
			out[i] = (double)u;
		} else if ((err = hx_ydoc_double(doc, n->items[i], k, 0, 1, &out[i])) != 0) {
			return err;
		}
	}
	return 0;
}

static int read_rate(hx_rate *r, const hx_ydoc *doc, const hx_ynode *map, const char *name)
{
	const hx_ynode *v, *w;
	char k[64];
	double counts[2], ci[2];
	int err;

	memset(r, 0, sizeof(*r));
	snprintf(k, sizeof(k), "%s_counts", name);
	if ((err = read_two(doc, map, k, 1, counts)) != 0)
		return err;
	r->k = (unsigned long)counts[0];
	r->n = (unsigned long)counts[1];
	if (r->k > r->n)
		return hx_ydoc_error(doc, hx_ynode_get(map, k), "'%s' has k > n", k);
	snprintf(k, sizeof(k), "%s_ci", name);
	if ((err = read_two(doc, map, k, 0, ci)) != 0)
		return err;
	r->lo = ci[0];
	r->hi = ci[1];
	if (!(v = need(doc, map, name)))
		return HX_EINVALID;
	/* null: no ground truth, which a rate of n == 0 means anyway. */
	if (hx_ynode_is_null(v)) {
		if (r->n)
			return hx_ydoc_error(doc, v, "'%s' is null but has %lu trials", name, r->n);
	} else if ((err = hx_ydoc_double(doc, v, name, 0, 1, &r->rate)) != 0) {
		return err;
	}
	snprintf(k, sizeof(k), "%s_weighted", name);
	if ((w = hx_ynode_get(map, k)) && (err = hx_ydoc_bool(doc, w, k, &r->weighted)) != 0)
		return err;
	return 0;
}

static int read_outcomes(hx_tier_data *t, const hx_ydoc *doc, const hx_ynode *map)
{
	const hx_ynode *n = need(doc, map, "outcome_counts");
	hx_outcome o;
	size_t i;
	int err;

	if (!n)
		return HX_EINVALID;
	if ((err = hx_ydoc_expect(doc, n, HX_Y_MAP, "outcome_counts")) != 0)
		return err;
	for (i = 0; i < n->n; i++) {
		const hx_ynode *k = n->pairs[i].key;
		if (hx_outcome_parse(k->scalar, &o) != 0)
			return hx_ydoc_error(doc, k, "unknown outcome '%s'", k->scalar);
		if ((err = read_ulong(doc, n->pairs[i].value, k->scalar, &t->outcomes[o])) != 0)
			return err;
	}
	return 0;
}

static int read_tier(hx_tier_data *t, const hx_ydoc *doc, const hx_ynode *map)
{
	hx_rate *rates[3] = {&t->timeout, &t->spurious_fail, &t->spurious_pass};
	const hx_ynode *n;
	double s;
	int i, err;

	if ((err = hx_ydoc_expect(doc, map, HX_Y_MAP, "tier")) != 0)
		return err;
	/* The rates' counts refer to the training part: that is the tier's n. */
	if (!(n = need(doc, map, "training_samples")))
		return HX_EINVALID;
	if ((err = read_ulong(doc, n, "training_samples", &t->n)) != 0)
		return err;
	if (!(n = need(doc, map, "timeout_s")))
		return HX_EINVALID;
	if ((err = hx_ydoc_double_gt(doc, n, "timeout_s", 0, INFINITY, &s)) != 0)
		return err;
	t->timeout_ms = s * 1000.0;
	for (i = 0; i < 3; i++) {
		if ((err = read_rate(rates[i], doc, map, hx_rate_name(i))) != 0)
			return err;
	}
	return read_outcomes(t, doc, map);
}

static int read_meta(hx_calib_data *out, const hx_ydoc *doc, const hx_ynode *meta)
{
	const hx_ynode *v;
	int idx, err;

	if (hx_ynode_is_null(meta))
		return 0;
	if ((err = hx_ydoc_expect(doc, meta, HX_Y_MAP, "calibration_metadata")) != 0)
		return err;
	if ((v = hx_ynode_get(meta, "ground_truth"))) {
		if ((err = hx_ydoc_enum(doc, v, "ground truth", gt_source_names, &idx)) != 0)
			return err;
		out->gt_source = (hx_gt_source)idx;
	}
	if ((v = hx_ynode_get(meta, "labels_used")))
		return read_ulong(doc, v, "labels_used", &out->labels_used);
	return 0;
}

int hx_calib_read_yaml(hx_calib_data *out, const char *path)
{
	hx_tier_data tiers[HX_TIER_COUNT];
	int seen[HX_TIER_COUNT] = {0};
	const hx_ynode *models;
	hx_ydoc *doc = NULL;
	size_t i;
	hx_tier t;
	int err;

	memset(out, 0, sizeof(*out));
	memset(tiers, 0, sizeof(tiers));
	if ((err = hx_ydoc_load(&doc, path)) != 0)
		goto done;
	if (!doc->root || doc->root->type != HX_Y_MAP ||
	    !(models = hx_ynode_get(doc->root, "noise_models"))) {
		err = hx_ydoc_error(doc, doc->root,
				    "missing key 'noise_models': not a calibration.yaml");
		goto done;
	}
	if ((err = read_meta(out, doc, hx_ynode_get(doc->root, "calibration_metadata"))) != 0 ||
	    (err = hx_ydoc_expect(doc, models, HX_Y_MAP, "noise_models")) != 0)
		goto done;
	if (!models->n) {
		err = hx_ydoc_error(doc, models, "'noise_models' has no tiers");
		goto done;
	}
	for (i = 0; i < models->n; i++) {
		const hx_ynode *k = models->pairs[i].key;
		if (hx_tier_parse(k->scalar, &t) != 0) {
			err = hx_ydoc_error(doc, k, "unknown tier '%s' (known: fast, balanced, slow)",
					    k->scalar);
			goto done;
		}
		if (seen[t]) {
			err = hx_ydoc_error(doc, k, "tier '%s' appears twice", hx_tier_lower(t));
			goto done;
		}
		seen[t] = 1;
		tiers[t].tier = t;
		if ((err = read_tier(&tiers[t], doc, models->pairs[i].value)) != 0)
			goto done;
	}
	/* hx_calib_data keeps tiers in FAST, BALANCED, SLOW order. */
	for (i = 0; i < HX_TIER_COUNT; i++) {
		if (!seen[i])
			continue;
		out->tiers[out->ntiers++] = tiers[i];
		out->records += tiers[i].n;
	}
done:
	hx_ydoc_free(doc);
	if (err)
		hx_calib_release(out);
	return err;
}
