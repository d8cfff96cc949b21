/* test_label.c - stage 3: stratified sample, extended-timeout and consensus
 * votes, labels.jsonl, and estimates weighted back to the population. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calib.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "label.h"
#include "run.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("label")

static void test_allocate(void **state)
{
	size_t sizes[4] = {5, 100, 100, 0}, alloc[4], big[2] = {3, 4};
	(void)state;
	/* 60 over {5, 100, 100, 0}: 20 each, the small stratum keeps 5 and
	 * its 15 go to the others (8 and 7). */
	hx_label_allocate(alloc, sizes, 4, 60);
	assert_int_equal(alloc[0], 5);
	assert_int_equal(alloc[1], 28);
	assert_int_equal(alloc[2], 27);
	assert_int_equal(alloc[3], 0);
	hx_label_allocate(alloc, big, 2, 1000); /* more than there is: everything */
	assert_int_equal(alloc[0], 3);
	assert_int_equal(alloc[1], 4);
	hx_label_allocate(alloc, sizes, 4, 2); /* fewer than strata: the first ones */
	assert_int_equal(alloc[0] + alloc[1] + alloc[2], 2);
}

/* Two tiers, 1,500 tasks each, high noise so every outcome stratum is
 * well populated; three voters on the SLOW tier (which the run does not
 * use) label a sample of 600. */
static const char spec_text[] =
	"experiment: labeling\nseed: 7\nengine: {kind: sim-verifier}\n"
	"models:\n"
	"  tiers:\n"
	"    fast_noisy: {timeout_rate: 0.15, spurious_fail_rate: 0.10, spurious_pass_rate: 0.08,"
	" base_timeout_s: 30, timeout_distribution: {type: uniform, min_ms: 500, max_ms: 1500}}\n"
	"    balanced: {timeout_rate: 0.08, spurious_fail_rate: 0.05, spurious_pass_rate: 0.04,"
	" base_timeout_s: 60, timeout_distribution: {type: uniform, min_ms: 1000, max_ms: 2000}}\n"
	"    slow_precise: {timeout_rate: 0.01, spurious_fail_rate: 0.005, spurious_pass_rate: 0.002,"
	" base_timeout_s: 120, timeout_distribution: {type: fixed, fixed_ms: 120000}}\n"
	"  simulator: {invalid_fraction: 0.3}\n"
	"corpus: {kind: synthetic, modules: 5000}\n"
	"tiers: {FAST: , BALANCED: }\nsamples: 1500\n"
	"label:\n  sample: 600\n  consensus: [{tier: SLOW}, {tier: SLOW}, {tier: SLOW}]\n"
	"validate: false\nexport: false\n";

static void run_labeling(const char *out_dir, int workers, hx_run_result *res)
{
	hx_run_options opt;
	memset(&opt, 0, sizeof(opt));
	opt.spec_path = "./labeling.yaml";
	opt.spec_text = spec_text;
	opt.spec_text_len = strlen(spec_text);
	opt.out_dir = out_dir;
	opt.workers = workers;
	hx_run_result_init(res);
	assert_int_equal(hx_run(res, &opt), 0);
}

static void test_labels_recover_truth(void **state)
{
	hx_run_result r1, r4;
	hx_buf a = HX_BUF_INIT, b = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	unsigned long per_outcome[2][8] = {{0}}, extended = 0, extended_right = 0;
	size_t start = 0, lines = 0;
	(void)state;

	run_labeling("w1", 1, &r1);
	run_labeling("w4", 4, &r4);
	assert_true(r1.labeled);
	assert_int_equal(r1.labels.records, 3000);
	assert_int_equal(r1.labels.sampled, 600);
	/* Consensus of three independent low-noise voters (and, for a
	 * timeout, the extended run on the noisy tier): a label is dropped
	 * when one vote of four dissents (about 46 expected), and the kept
	 * labels are (almost) the simulator's ground truth. */
	assert_true(r1.labels.kept >= 520);
	assert_true(r1.labels.with_truth == r1.labels.kept);
	if ((double)r1.labels.agree < 0.99 * (double)r1.labels.with_truth)
		fail_msg("labels agree with the ground truth on %zu of %zu", r1.labels.agree,
			 r1.labels.with_truth);
	assert_true(r1.labels_used);
	assert_int_equal(r1.calib.gt_source, HX_GT_LABELS);

	/* labels.jsonl: one line per sampled record, plan order, the same
	 * bytes whatever the worker count. */
	assert_int_equal(hx_file_read(&a, "w1/labels.jsonl"), 0);
	assert_int_equal(hx_file_read(&b, "w4/labels.jsonl"), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	{
		double last = -1;
		hx_buf tel = HX_BUF_INIT;
		assert_int_equal(hx_file_read(&tel, "w1/telemetry.jsonl"), 0);
		while (start < a.len) {
			char *nl = memchr(a.ptr + start, '\n', a.len - start);
			hx_json *rec;
			hx_json_error je;
			const hx_json *idx, *tier, *outc, *gt, *method;
			size_t end = (size_t)(nl - a.ptr);
			assert_non_null(nl);
			hx_arena_reset(arena);
			assert_int_equal(hx_json_parse(&rec, arena, a.ptr + start, end - start, &je), 0);
			idx = hx_json_get(rec, "task_index");
			tier = hx_json_get(rec, "tier");
			outc = hx_json_get(rec, "outcome");
			gt = hx_json_get(rec, "ground_truth");
			method = hx_json_get(rec, "method");
			assert_true(idx->u.number > last);
			last = idx->u.number;
			per_outcome[strcmp(tier->u.string.ptr, "fast") == 0 ? 0 : 1]
				   [strcmp(outc->u.string.ptr, "verified") == 0	       ? 0
				    : strcmp(outc->u.string.ptr, "proof_invalid") == 0 ? 1
										       : 2]++;
			if (strcmp(outc->u.string.ptr, "verifier_timeout") == 0) {
				/* The record's own line of telemetry holds its truth. */
				char needle[64];
				const char *p = tel.ptr;
				size_t k;
				assert_string_equal(method->u.string.ptr, "extended_timeout+consensus");
				for (k = 0; k < (size_t)idx->u.number; k++)
					p = strchr(p, '\n') + 1;
				snprintf(needle, sizeof(needle), "\"ground_truth\":\"%s\"",
					 gt->type == HX_JSON_STRING ? gt->u.string.ptr : "none");
				extended++;
				extended_right += strstr(p, needle) && strstr(p, needle) < strchr(p, '\n');
			} else {
				assert_string_equal(method->u.string.ptr, "consensus");
			}
			lines++;
			start = end + 1;
		}
		hx_buf_release(&tel);
	}
	assert_int_equal(lines, 600);
	/* Stratified: 300 a tier, 100 for each of the three outcomes. */
	assert_int_equal(per_outcome[0][0], 100);
	assert_int_equal(per_outcome[0][1], 100);
	assert_int_equal(per_outcome[0][2], 100);
	assert_int_equal(per_outcome[1][2], 100);
	assert_int_equal(extended, 200);
	assert_true(extended_right >= 196);

	hx_buf_release(&a);
	hx_buf_release(&b);
	hx_arena_free(arena);
	hx_run_result_release(&r1);
	hx_run_result_release(&r4);
}

/* The oversampled strata are weighted back: over 40 seeds, the weighted
 * spurious rates' 95% intervals (Wilson at the effective size of the
 * linearized stratified variance) cover the rates simulated in 89-99% of
 * the 160 cases; each is flagged weighted and has a smaller effective size
 * than the full-truth count. */
static void test_weighted_coverage(void **state)
{
	static const double truth[2][2] = {{0.10, 0.08}, {0.05, 0.04}};
	unsigned covered = 0, total = 0, seed;
	char *text = hx_xstrdup(spec_text), *at = strstr(text, "seed: 7\n");
	(void)state;
	assert_non_null(at);
	for (seed = 1; seed <= 40; seed++) {
		hx_run_options opt;
		hx_run_result res;
		hx_calib_read_options ro;
		hx_calib_data lab, all;
		size_t t;
		char *spec = NULL;
		hx_buf b = HX_BUF_INIT;
		hx_buf_put(&b, text, (size_t)(at - text));
		hx_buf_printf(&b, "seed: %u\n%s", seed, at + strlen("seed: 7\n"));
		spec = hx_buf_detach(&b, NULL);
		memset(&opt, 0, sizeof(opt));
		opt.spec_path = "./labeling.yaml";
		opt.spec_text = spec;
		opt.spec_text_len = strlen(spec);
		opt.out_dir = "cov";
		opt.workers = 2;
		hx_run_result_init(&res);
		assert_int_equal(hx_run(&res, &opt), 0);
		hx_run_result_release(&res);
		memset(&ro, 0, sizeof(ro));
		ro.labels_path = "cov/labels.jsonl";
		assert_int_equal(hx_calib_read_ex(&lab, "cov/telemetry.jsonl", &ro), 0);
		assert_int_equal(hx_calib_read(&all, "cov/telemetry.jsonl"), 0);
		assert_int_equal(lab.gt_source, HX_GT_LABELS);
		for (t = 0; t < 2; t++) {
			const hx_rate *r[2] = {&lab.tiers[t].spurious_fail, &lab.tiers[t].spurious_pass};
			const hx_rate *full[2] = {&all.tiers[t].spurious_fail, &all.tiers[t].spurious_pass};
			int k;
			assert_int_equal(lab.tiers[t].timeout.k, all.tiers[t].timeout.k);
			for (k = 0; k < 2; k++) {
				assert_true(r[k]->weighted);
				assert_false(full[k]->weighted);
				assert_true(r[k]->n < full[k]->n);
				covered += r[k]->lo <= truth[t][k] && truth[t][k] <= r[k]->hi;
				total++;
			}
		}
		hx_calib_release(&lab);
		hx_calib_release(&all);
		free(spec);
	}
	free(text);
	if (covered < 0.89 * total || covered > 0.99 * total)
		fail_msg("weighted intervals covered %u of %u", covered, total);
}

static void test_bad_labels(void **state)
{
	hx_calib_read_options ro;
	hx_calib_data d;
	FILE *fp = fopen("bad.jsonl", "w");
	(void)state;
	fputs("{\"task_index\":0,\"ground_truth\":\"maybe\",\"kept\":true}\n", fp);
	fclose(fp);
	memset(&ro, 0, sizeof(ro));
	ro.labels_path = "bad.jsonl";
	assert_int_equal(hx_calib_read_ex(&d, "w1/telemetry.jsonl", &ro), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "bad.jsonl:1: 'ground_truth'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allocate),
		cmocka_unit_test(test_labels_recover_truth),
		cmocka_unit_test(test_weighted_coverage),
		cmocka_unit_test(test_bad_labels),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
