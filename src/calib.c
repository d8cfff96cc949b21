#include "calib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "stats.h"
#include "telemetry.h"

void hx_rate_set(hx_rate *r, unsigned long k, unsigned long n)
{
	r->k = k;
	r->n = n;
	r->rate = n ? (double)k / (double)n : 0.0;
	hx_stats_wilson(k, n, 0.95, &r->lo, &r->hi);
}

typedef struct {
	unsigned long n, timeouts, valid, valid_failed, invalid, invalid_passed;
	double timeout_s;
	int seen;
	hx_buf durations; /* doubles */
} acc;

static int field_error(const char *path, size_t lineno, const char *what)
{
	hx_error_set("%s:%zu: %s", path, lineno, what);
	return HX_EINVALID;
}

static int take(acc *accs, const hx_json *rec, const char *path, size_t lineno)
{
	const hx_json *tier = hx_json_get(rec, "tier"), *outc = hx_json_get(rec, "outcome");
	const hx_json *dur = hx_json_get(rec, "duration_ms"), *tmo = hx_json_get(rec, "timeout_s");
	const hx_json *gt = hx_json_get(hx_json_get(rec, "metadata"), "ground_truth");
	hx_tier t;
	hx_outcome o;
	acc *a;

	if (!rec || rec->type != HX_JSON_OBJECT)
		return field_error(path, lineno, "a record must be a JSON object");
	if (!tier || tier->type != HX_JSON_STRING || hx_tier_parse(tier->u.string.ptr, &t) != 0)
		return field_error(path, lineno, "missing or unknown 'tier'");
	if (!outc || outc->type != HX_JSON_STRING || hx_outcome_parse(outc->u.string.ptr, &o) != 0)
		return field_error(path, lineno, "missing or unknown 'outcome'");
	if (!dur || dur->type != HX_JSON_NUMBER || !(dur->u.number >= 0))
		return field_error(path, lineno, "missing or negative 'duration_ms'");
	if (!tmo || tmo->type != HX_JSON_NUMBER || !(tmo->u.number > 0))
		return field_error(path, lineno, "missing or nonpositive 'timeout_s'");
	a = &accs[t];
	if (a->seen && a->timeout_s != tmo->u.number) {
		hx_error_set("%s:%zu: tier '%s' has two timeouts (%g s and %g s)", path, lineno,
			     hx_tier_name(t), a->timeout_s, tmo->u.number);
		return HX_EINVALID;
	}
	a->seen = 1;
	a->timeout_s = tmo->u.number;
	a->n++;
	if (o == HX_OUT_VERIFIER_TIMEOUT) {
		a->timeouts++;
		return 0;
	}
	/* No duration for runs that never verified anything. */
	if (o != HX_OUT_MODULE_NOT_FOUND && o != HX_OUT_ENGINE_ERROR)
		hx_buf_put(&a->durations, &dur->u.number, sizeof(double));
	if (gt && gt->type == HX_JSON_STRING) {
		if (strcmp(gt->u.string.ptr, "valid") == 0) {
			a->valid++;
			a->valid_failed += o == HX_OUT_PROOF_INVALID;
		} else if (strcmp(gt->u.string.ptr, "invalid") == 0) {
			a->invalid++;
			a->invalid_passed += o == HX_OUT_VERIFIED;
		}
	}
	return 0;
}

int hx_calib_read(hx_calib_data *out, const char *path)
{
	acc accs[HX_TIER_COUNT];
	hx_buf text = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	size_t start = 0, lineno = 0;
	int t, err;

	memset(out, 0, sizeof(*out));
	memset(accs, 0, sizeof(accs));
	for (t = 0; t < HX_TIER_COUNT; t++)
		hx_buf_init(&accs[t].durations);
	if ((err = hx_file_read(&text, path)) != 0)
		goto done;
	while (start < text.len) {
		char *nl = memchr(text.ptr + start, '\n', text.len - start);
		size_t end = nl ? (size_t)(nl - text.ptr) : text.len, i;
		hx_json *rec;
		hx_json_error je;
		lineno++;
		for (i = start; i < end && (text.ptr[i] == ' ' || text.ptr[i] == '\t' || text.ptr[i] == '\r'); i++)
			;
		if (i < end) {
			hx_arena_reset(arena);
			if (hx_json_parse(&rec, arena, text.ptr + start, end - start, &je) != 0) {
				hx_error_set("%s:%zu:%zu: %s", path, lineno, je.column, je.msg);
				err = HX_EINVALID;
				goto done;
			}
			if ((err = take(accs, rec, path, lineno)) != 0)
				goto done;
			out->records++;
		}
		start = end + 1;
	}
	if (!out->records) {
		hx_error_set("'%s' has no records", path);
		err = HX_EINVALID;
		goto done;
	}
	for (t = 0; t < HX_TIER_COUNT; t++) {
		acc *a = &accs[t];
		hx_tier_data *d;
		if (!a->n)
			continue;
		d = &out->tiers[out->ntiers++];
		d->tier = (hx_tier)t;
		d->n = a->n;
		hx_rate_set(&d->timeout, a->timeouts, a->n);
		hx_rate_set(&d->spurious_fail, a->valid_failed, a->valid);
		hx_rate_set(&d->spurious_pass, a->invalid_passed, a->invalid);
		d->timeout_ms = a->timeout_s * 1000.0;
		d->ndurations = a->durations.len / sizeof(double);
		d->ncensored = a->timeouts;
		d->durations = hx_xmalloc(a->durations.len ? a->durations.len : 1);
		memcpy(d->durations, a->durations.ptr, a->durations.len);
	}
done:
	for (t = 0; t < HX_TIER_COUNT; t++)
		hx_buf_release(&accs[t].durations);
	hx_buf_release(&text);
	hx_arena_free(arena);
	if (err)
		hx_calib_release(out);
	return err;
}

void hx_calib_release(hx_calib_data *d)
{
	size_t i;
	for (i = 0; i < d->ntiers; i++)
		free(d->tiers[i].durations);
	memset(d, 0, sizeof(*d));
}
