/* test_run_summary.c - the run summary's tables: proof_invalid apart from
 * verifier failures, the spurious rates (n/a where a tier has no ground
 * truth), columns aligned, the modules that timed out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "run.h"
#include "stats.h"

static void rate(hx_run_rate *r, unsigned long k, unsigned long n)
{
	r->k = k;
	r->n = n;
	r->rate = n ? (double)k / (double)n : 0;
	hx_stats_wilson(k, n, 0.95, &r->lo, &r->hi);
}

/* The line of `text` that starts with `prefix`, as a copy. */
static char *line_of(const char *text, const char *prefix)
{
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			char *out = malloc(len + 1);
			memcpy(out, p, len);
			out[len] = '\0';
			return out;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static void fill(hx_run_result *r)
{
	static char m1[] = "Mod.A", m2[] = "Mod.B", m3[] = "Mod.C";
	hx_tier_summary *f = &r->tiers[0], *s = &r->tiers[1];
	memset(r, 0, sizeof(*r));
	r->experiment = "x";
	r->engine.kind = "sim";
	r->engine.version = "sim/1";
	r->snapshot_dir = "snapshots/x";
	r->golden_dir = "golden/x";
	r->run_dir = "runs/x";
	r->tasks = 200;
	r->ntiers = 2;
	r->has_truth = 1;
	f->tier = HX_TIER_FAST;
	f->n = 100;
	f->counts[HX_OUT_VERIFIED] = 60;
	f->counts[HX_OUT_PROOF_INVALID] = 20;
	f->counts[HX_OUT_VERIFIER_TIMEOUT] = 15;
	f->counts[HX_OUT_VERIFIER_CRASH] = 5;
	rate(&f->proof_invalid, 20, 100);
	rate(&f->verifier_failure, 20, 100);
	rate(&f->timeout, 15, 100);
	rate(&f->spurious_fail, 3, 60);
	rate(&f->spurious_pass, 1, 25);
	f->timed_out[0] = m1;
	f->timed_out[1] = m2;
	f->timed_out[2] = m3;
	s->tier = HX_TIER_SLOW;
	s->n = 100;
	s->counts[HX_OUT_VERIFIED] = 80;
	s->counts[HX_OUT_PROOF_INVALID] = 20;
	rate(&s->proof_invalid, 20, 100);
	rate(&s->verifier_failure, 0, 100);
	rate(&s->timeout, 0, 100);
	rate(&s->spurious_fail, 0, 80);
	rate(&s->spurious_pass, 0, 0); /* no truly invalid record completed */
}

static void test_tables(void **state)
{
	hx_run_result r;
	hx_buf b = HX_BUF_INIT;
	char *head, *row, *pass, *to;
	(void)state;
	fill(&r);
	hx_run_format_summary(&b, &r);
	/* crashes get their column; they count as verifier failures */
	row = line_of(b.ptr, "tier ");
	assert_string_equal(row, "tier           n  verified   invalid   timeout     crash");
	free(row);
	row = line_of(b.ptr, "FAST ");
	assert_string_equal(row, "FAST         100        60        20        15         5");
	free(row);
	head = line_of(b.ptr, "rate [95% CI]");
	assert_string_equal(head, "rate [95% CI]     FAST                  SLOW");
	row = line_of(b.ptr, "proof invalid");
	assert_string_equal(row, "proof invalid     0.200 [0.133, 0.289]  0.200 [0.133, 0.289]");
	free(row);
	row = line_of(b.ptr, "verifier failure");
	assert_string_equal(row, "verifier failure  0.200 [0.133, 0.289]  0.000 [0.000, 0.037]");
	/* the SLOW column starts at the same place in every row */
	assert_int_equal(strstr(head, "SLOW") - head, strstr(row, "0.000") - row);
	free(row);
	pass = line_of(b.ptr, "spurious pass");
	assert_string_equal(pass, "spurious pass     0.040 [0.007, 0.195]  n/a");
	free(pass);
	to = line_of(b.ptr, "timed out");
	assert_string_equal(to, "timed out   FAST      Mod.A, Mod.B, Mod.C and 12 more");
	free(to);
	assert_null(line_of(b.ptr, "timed out   SLOW"));
	free(head);

	/* without ground truth: one line says so */
	r.has_truth = 0;
	hx_buf_reset(&b);
	hx_run_format_summary(&b, &r);
	assert_null(line_of(b.ptr, "spurious fail"));
	row = line_of(b.ptr, "spurious ");
	assert_string_equal(row, "spurious        n/a (no record carries metadata.ground_truth)");
	free(row);
	hx_buf_release(&b);
}

static void test_json(void **state)
{
	hx_run_result r;
	hx_buf b = HX_BUF_INIT;
	(void)state;
	fill(&r);
	hx_run_format_json(&b, &r);
	assert_non_null(strstr(b.ptr, "\"proof_invalid_rate\":0.2,"));
	assert_non_null(strstr(b.ptr, "\"verifier_failure_rate_counts\":[20,100]"));
	assert_non_null(strstr(b.ptr, "\"spurious_fail_rate_counts\":[3,60]"));
	assert_non_null(strstr(b.ptr, "\"spurious_pass_rate\":null,"));
	assert_non_null(strstr(b.ptr, "\"timed_out_first\":[\"Mod.A\",\"Mod.B\",\"Mod.C\"]"));
	assert_null(strstr(b.ptr, "\"failure_rate\""));
	hx_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
