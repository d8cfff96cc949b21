/* test_threshold_read.c - scored samples from JSON lines: one line's
 * score and label (errors, dotted paths, --positive, a shape kept across
 * lines) and files (blank lines, CRLF, located errors, a file read in two
 * halves by two threads). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"
#include "threshold/threshold.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("threshold")

static int line_of(const hx_score_fields *f, const char *line, double *score, int *positive)
{
	return hx_score_line(f, NULL, line, strlen(line), score, positive);
}

static void expect_line_error(const hx_score_fields *f, const char *line, const char *msg)
{
	double score;
	int positive;
	assert_int_equal(line_of(f, line, &score, &positive), HX_EINVALID);
	assert_string_equal(hx_error_last(), msg);
}

static void test_score_line(void **state)
{
	hx_score_fields f = {"score", "label", NULL};
	hx_score_fields nested = {"result.hs.top5", "meta.halluc", NULL};
	hx_score_fields named = {"score", "label", "hallucinated"};
	hx_score_fields numbered = {"score", "label", "2"};
	hx_json_shape *sh = hx_json_shape_new();
	double score;
	int positive, i;
	(void)state;
	assert_int_equal(line_of(&f, "{\"score\": 0.25, \"label\": true}", &score, &positive), 0);
	assert_true(score == 0.25 && positive == 1);
	assert_int_equal(line_of(&f, "{\"label\":0,\"x\":[1],\"score\":-3e2}", &score, &positive), 0);
	assert_true(score == -300 && positive == 0);
	assert_int_equal(line_of(&f, "{\"label\":1.0,\"score\":1}", &score, &positive), 0);
	assert_true(positive == 1);
	/* with a shape kept across lines: the same keys, then others */
	for (i = 0; i < 3; i++) {
		const char *l = i < 2 ? "{\"score\":1.5,\"label\":false}" : "{\"label\":true,\"score\":2}";
		assert_int_equal(hx_score_line(&f, sh, l, strlen(l), &score, &positive), 0);
		assert_true(score == (i < 2 ? 1.5 : 2) && positive == (i == 2));
	}
	hx_json_shape_free(sh);
	expect_line_error(&f, "{\"label\":true}", "no 'score'");
	expect_line_error(&f, "{\"score\":null,\"label\":true}", "'score' is null");
	expect_line_error(&f, "{\"score\":\"0.5\",\"label\":true}", "'score' is a string, not a number");
	expect_line_error(&f, "{\"score\":{\"v\":1},\"label\":true}", "'score' is an object, not a number");
	expect_line_error(&f, "{\"score\":NaN,\"label\":true}", "'score' is NaN");
	expect_line_error(&f, "{\"score\":-Infinity,\"label\":true}", "'score' is infinite");
	expect_line_error(&f, "{\"score\":1}", "no 'label'");
	expect_line_error(&f, "{\"score\":1,\"label\":null}", "'label' is null");
	expect_line_error(&f, "{\"score\":1,\"label\":\"yes\"}",
			  "'label' is not true/false or 1/0 (--positive names the positive label)");
	expect_line_error(&f, "{\"score\":1,\"label\":2}",
			  "'label' is not true/false or 1/0 (--positive names the positive label)");
	expect_line_error(&f, "[1, 2]", "the line is an array, not a JSON object");
	expect_line_error(&f, "{\"score\":1,\"label\":tru}", "column 20: invalid literal 'tru'");
	/* dotted paths */
	assert_int_equal(line_of(&nested, "{\"result\":{\"hs\":{\"top5\":3.5}},\"meta\":{\"halluc\":1}}",
				 &score, &positive),
			 0);
	assert_true(score == 3.5 && positive == 1);
	expect_line_error(&nested, "{\"result\":{\"hs\":3.5},\"meta\":{\"halluc\":1}}",
			  "no 'result.hs.top5'");
	expect_line_error(&nested, "{\"result\":{\"hs\":{\"top5\":null}},\"meta\":{\"halluc\":1}}",
			  "'result.hs.top5' is null");
	/* --positive: a string's text, a number's value, a boolean's text */
	assert_int_equal(line_of(&named, "{\"score\":1,\"label\":\"hallucinated\"}", &score, &positive), 0);
	assert_int_equal(positive, 1);
	assert_int_equal(line_of(&named, "{\"score\":1,\"label\":\"grounded\"}", &score, &positive), 0);
	assert_int_equal(positive, 0);
	assert_int_equal(line_of(&named, "{\"score\":1,\"label\":1}", &score, &positive), 0);
	assert_int_equal(positive, 0);
	assert_int_equal(line_of(&numbered, "{\"score\":1,\"label\":2.0}", &score, &positive), 0);
	assert_int_equal(positive, 1);
	assert_int_equal(line_of(&numbered, "{\"score\":1,\"label\":\"2\"}", &score, &positive), 0);
	assert_int_equal(positive, 1);
	assert_int_equal(line_of(&numbered, "{\"score\":1,\"label\":3}", &score, &positive), 0);
	assert_int_equal(positive, 0);
	named.positive = "true";
	assert_int_equal(line_of(&named, "{\"score\":1,\"label\":true}", &score, &positive), 0);
	assert_int_equal(positive, 1);
	expect_line_error(&named, "{\"score\":1,\"label\":[1]}",
			  "'label' is an array, not a string, number or boolean");
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void test_read_file(void **state)
{
	hx_score_fields f = {"score", "label", NULL};
	hx_scores *s = hx_scores_new();
	(void)state;
	write_file("ok.jsonl", "{\"score\":0.5,\"label\":true}\n\n  \r\n"
			       "{\"score\":0.25,\"label\":false}\r\n{\"label\":0,\"score\":1}");
	assert_int_equal(hx_scores_read_jsonl(s, "ok.jsonl", &f), 0);
	assert_int_equal(hx_scores_count(s), 3);
	assert_int_equal(hx_scores_positives(s), 1);
	write_file("bad.jsonl", "{\"score\":0.5,\"label\":true}\n\n{\"score\":NaN,\"label\":true}\n");
	assert_int_equal(hx_scores_read_jsonl(s, "bad.jsonl", &f), HX_EINVALID);
	assert_string_equal(hx_error_last(), "bad.jsonl:3: 'score' is NaN");
	write_file("bad.jsonl", "{\"score\":0.5,\"label\":true}\n{\"score\":0.5,,}\n");
	assert_int_equal(hx_scores_read_jsonl(s, "bad.jsonl", &f), HX_EINVALID);
	assert_string_equal(hx_error_last(), "bad.jsonl:2:14: unexpected character ',' (expected a string key)");
	assert_int_equal(hx_scores_read_jsonl(s, "none.jsonl", &f), HX_ENOTFOUND);
	assert_string_equal(hx_error_last(), "cannot open 'none.jsonl': No such file or directory");
	hx_scores_free(s);
}

/* A file of 17 MB is read in two halves: the same samples as one thread
 * would read, and an error in the second half at its line in the file. */
static void test_read_halves(void **state)
{
	hx_score_fields f = {"score", "label", NULL};
	hx_scores *s = hx_scores_new();
	hx_threshold_result r;
	hx_tau_grid g;
	size_t i, n = 600000, npos = 0;
	FILE *fp = fopen("big.jsonl", "w");
	(void)state;
	assert_non_null(fp);
	for (i = 0; i < n; i++) {
		int y = i % 3 == 0;
		npos += (size_t)y;
		fprintf(fp, "{\"score\": %zu.25, \"label\": %s}\n", i % 1000 + (size_t)y * 100,
			y ? "true" : "false");
	}
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(hx_scores_read_jsonl(s, "big.jsonl", &f), 0);
	assert_int_equal(hx_scores_count(s), n);
	assert_int_equal(hx_scores_positives(s), npos);
	hx_tau_grid_default(&g);
	hx_threshold_result_init(&r);
	assert_int_equal(hx_threshold_sweep(&r, s, &g, 0.9), 0);
	hx_threshold_result_release(&r);
	hx_scores_free(s);

	fp = fopen("big.jsonl", "a");
	assert_non_null(fp);
	fputs("{\"score\": 1, \"label\": \"x\"}\n", fp);
	assert_int_equal(fclose(fp), 0);
	s = hx_scores_new();
	assert_int_equal(hx_scores_read_jsonl(s, "big.jsonl", &f), HX_EINVALID);
	assert_string_equal(hx_error_last(), "big.jsonl:600001: 'label' is not true/false or 1/0 "
					     "(--positive names the positive label)");
	hx_scores_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_line),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_halves),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
