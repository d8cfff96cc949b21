#include "calib.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
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

void hx_calib_fit(hx_calib_data *d)
{
	size_t i;
	for (i = 0; i < d->ntiers; i++) {
		hx_tier_data *t = &d->tiers[i];
		int err = hx_fit_all(t->fits, t->durations, t->ndurations, t->ncensored,
				     t->ncensored ? t->timeout_ms : 0, &t->best);
		t->has_fit = err == 0;
		if (err)
			snprintf(t->no_fit, sizeof(t->no_fit), "%s", hx_error_last());
	}
}

static void json_families(hx_buf *out, const hx_fit_result fits[HX_FIT_NFAMILIES], int has_fit,
			  hx_fit_family best)
{
	int f, i;
	hx_buf_puts(out, "\"families\":{");
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		const hx_fit_result *r = &fits[f];
		hx_buf_printf(out, "%s\"%s\":{", f ? "," : "", hx_fit_family_name((hx_fit_family)f));
		if (!r->ok) {
			hx_buf_puts(out, "\"error\":");
			hx_canon_write_string(out, r->msg, strlen(r->msg));
			hx_buf_putc(out, '}');
			continue;
		}
		hx_buf_puts(out, "\"params\":{");
		for (i = 0; i < r->k; i++) {
			hx_buf_printf(out, "%s\"%s\":", i ? "," : "",
				      hx_fit_param_name((hx_fit_family)f, i));
			hx_canon_write_number(out, r->p[i]);
		}
		hx_buf_puts(out, "},\"se\":{");
		for (i = 0; i < r->k; i++) {
			hx_buf_printf(out, "%s\"%s\":", i ? "," : "",
				      hx_fit_param_name((hx_fit_family)f, i));
			hx_canon_write_number(out, r->se[i]);
		}
		hx_buf_puts(out, "},\"loglik\":");
		hx_canon_write_number(out, r->loglik);
		hx_buf_puts(out, ",\"aic\":");
		hx_canon_write_number(out, r->aic);
		hx_buf_puts(out, ",\"bic\":");
		hx_canon_write_number(out, r->bic);
		hx_buf_puts(out, ",\"delta_aic\":");
		hx_canon_write_number(out, has_fit ? r->aic - fits[best].aic : NAN);
		hx_buf_puts(out, ",\"ks_d\":");
		hx_canon_write_number(out, r->ks_d);
		hx_buf_puts(out, ",\"ks_p\":");
		hx_canon_write_number(out, r->ks_p);
		hx_buf_putc(out, '}');
	}
	hx_buf_putc(out, '}');
}

void hx_fit_format_json(hx_buf *out, const hx_fit_result fits[HX_FIT_NFAMILIES], int has_fit,
			hx_fit_family best, const char *no_fit, size_t n, size_t ncensored,
			double censor_at)
{
	hx_buf_printf(out, "{\"n_completed\":%zu,\"n_censored\":%zu,\"censor_at\":", n, ncensored);
	hx_canon_write_number(out, censor_at > 0 ? censor_at : NAN);
	hx_buf_puts(out, ",\"best\":");
	if (has_fit) {
		const char *b = hx_fit_family_name(best);
		hx_canon_write_string(out, b, strlen(b));
		hx_buf_putc(out, ',');
		json_families(out, fits, has_fit, best);
	} else {
		hx_buf_puts(out, "null,\"error\":");
		hx_canon_write_string(out, no_fit, strlen(no_fit));
	}
	hx_buf_puts(out, "}\n");
}

void hx_calib_format_json(hx_buf *out, const hx_calib_data *d)
{
	size_t i;
	hx_buf_printf(out, "{\"records\":%lu,\"tiers\":{", d->records);
	for (i = 0; i < d->ntiers; i++) {
		const hx_tier_data *t = &d->tiers[i];
		hx_buf_printf(out, "%s\"%s\":{\"n\":%lu", i ? "," : "", hx_tier_lower(t->tier), t->n);
		hx_canon_write_rate(out, "timeout_rate", t->timeout.rate, t->timeout.lo,
				    t->timeout.hi);
		hx_canon_write_rate(out, "spurious_fail_rate", t->spurious_fail.rate, t->spurious_fail.lo,
				    t->spurious_fail.hi);
		hx_canon_write_rate(out, "spurious_pass_rate", t->spurious_pass.rate, t->spurious_pass.lo,
				    t->spurious_pass.hi);
		hx_buf_puts(out, ",\"duration_fit\":{\"best\":");
		if (t->has_fit) {
			const char *b = hx_fit_family_name(t->best);
			hx_canon_write_string(out, b, strlen(b));
		} else {
			hx_buf_puts(out, "null,\"error\":");
			hx_canon_write_string(out, t->no_fit, strlen(t->no_fit));
		}
		hx_buf_puts(out, ",\"censor_at_ms\":");
		hx_canon_write_number(out, t->timeout_ms);
		hx_buf_printf(out, ",\"n_completed\":%zu,\"n_censored\":%zu", t->ndurations,
			      t->ncensored);
		if (t->has_fit) {
			hx_buf_putc(out, ',');
			json_families(out, t->fits, t->has_fit, t->best);
		}
		hx_buf_puts(out, "}}");
	}
	hx_buf_puts(out, "}}\n");
}

static void text_rate(hx_buf *out, const hx_rate *r)
{
	if (r->n)
		hx_buf_printf(out, "  %.4f [%.4f, %.4f] (%lu/%lu)", r->rate, r->lo, r->hi, r->k, r->n);
	else
		hx_buf_puts(out, "  n/a (no ground truth)");
}

void hx_fit_format_text(hx_buf *out, const hx_fit_result fits[HX_FIT_NFAMILIES], int has_fit,
			hx_fit_family best, const char *no_fit)
{
	int f, i;
	if (!has_fit) {
		hx_buf_printf(out, "  no duration fit: %s\n", no_fit);
		return;
	}
	hx_buf_puts(out, "  family        parameters (+- SE)                                loglik"
			 "         AIC     dAIC    KS D    KS p\n");
	for (f = 0; f < HX_FIT_NFAMILIES; f++) {
		const hx_fit_result *r = &fits[f];
		hx_buf params = HX_BUF_INIT;
		if (!r->ok) {
			hx_buf_printf(out, "  %-12s  no fit: %s\n", hx_fit_family_name((hx_fit_family)f),
				      r->msg);
			continue;
		}
		for (i = 0; i < r->k; i++)
			hx_buf_printf(&params, "%s%s=%.6g+-%.2g", i ? " " : "",
				      hx_fit_param_name((hx_fit_family)f, i), r->p[i], r->se[i]);
		hx_buf_printf(out, "  %-12s%c %-46s %12.3f %11.3f %8.3f  %.4f  %.4f\n",
			      hx_fit_family_name((hx_fit_family)f), f == (int)best ? '*' : ' ',
			      params.ptr, r->loglik, r->aic, r->aic - fits[best].aic, r->ks_d, r->ks_p);
		hx_buf_release(&params);
	}
}

void hx_calib_format_text(hx_buf *out, const hx_calib_data *d)
{
	size_t i;
	hx_buf_printf(out, "%lu records\n", d->records);
	for (i = 0; i < d->ntiers; i++) {
		const hx_tier_data *t = &d->tiers[i];
		hx_buf_printf(out, "\n%s: n=%lu\n  timeout rate      ", hx_tier_name(t->tier), t->n);
		text_rate(out, &t->timeout);
		hx_buf_puts(out, "\n  spurious fail rate");
		text_rate(out, &t->spurious_fail);
		hx_buf_puts(out, "\n  spurious pass rate");
		text_rate(out, &t->spurious_pass);
		hx_buf_printf(out, "\n  durations: %zu completed, %zu censored at %g ms (* = best by AIC)\n",
			      t->ndurations, t->ncensored, t->timeout_ms);
		hx_fit_format_text(out, t->fits, t->has_fit, t->best, t->no_fit);
	}
}
