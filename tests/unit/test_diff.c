/* test_diff.c - the structured diff names records, keys and paths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "error.h"
#include "json.h"

static const char *const keys[] = {"tier", "module_name", NULL};

/* Diff a against b labelling records by key_fields, matching them by
 * match_fields (NULL: by position). */
static int run_keyed(hx_diff_result *r, const char *a, const char *b, size_t max_records,
		     const char *const *key_fields, const char *const *match_fields)
{
	hx_diff_options opt;
	memset(&opt, 0, sizeof(opt));
	opt.key_fields = key_fields;
	opt.match_fields = match_fields;
	opt.max_records = max_records;
	opt.max_paths = 3;
	opt.max_value = 20;
	hx_diff_result_init(r);
	return hx_diff_jsonl(r, a, strlen(a), "old.jsonl", b, strlen(b), "new.jsonl", &opt);
}

static int run(hx_diff_result *r, const char *a, const char *b, size_t max_records)
{
	return run_keyed(r, a, b, max_records, keys, NULL);
}

static void test_identical(void **state)
{
	hx_diff_result r;
	(void)state;
	assert_int_equal(run(&r, "{\"a\":1}\n{\"a\":2}\n", "{\"a\":1}\n{\"a\":2}\n", 5), 0);
	assert_int_equal(r.changed + r.added + r.removed, 0);
	assert_int_equal(r.old_records, 2);
	assert_string_equal(r.text.ptr, "");
	hx_diff_result_release(&r);
}

static void test_same_values_other_spelling(void **state)
{
	hx_diff_result r;
	(void)state;
	assert_int_equal(run(&r, "{\"a\":1,\"b\":[1.0]}\n", "{\"b\":[1],\"a\":1.00}\n", 5), 0);
	assert_int_equal(r.changed, 0);
	hx_diff_result_release(&r);
}

static void test_paths_and_keys(void **state)
{
	hx_diff_result r;
	const char *a = "{\"tier\":\"fast\",\"module_name\":\"M1\",\"x\":1,\"m\":{\"w\":[1,2]},\"gone\":true}\n"
			"{\"tier\":\"fast\",\"module_name\":\"M2\",\"x\":1}\n";
	const char *b = "{\"tier\":\"fast\",\"module_name\":\"M1\",\"x\":2,\"m\":{\"w\":[1,3,4]},\"new key\":\"a long value that will be cut short\"}\n"
			"{\"tier\":\"fast\",\"module_name\":\"M2\",\"x\":1}\n"
			"{\"tier\":\"slow\",\"module_name\":\"M3\"}\n";
	(void)state;
	assert_int_equal(run(&r, a, b, 5), 0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 0);
	assert_string_equal(r.text.ptr,
			    "  paths:\n"
			    "    .gone: 1 changed\n"
			    "    .m.w[1]: 1 changed\n"
			    "    .m.w[2]: 1 changed\n"
			    "    .x: 1 changed\n"
			    "    [\"new key\"]: 1 changed\n"
			    "  record 0 (tier=fast, module_name=M1):\n"
			    "    .x: 1 -> 2\n"
			    "    .m.w[1]: 2 -> 3\n"
			    "    .m.w[2]: (absent) -> 4\n"
			    "    ... and 2 more paths\n"
			    "  record 2 added (tier=slow, module_name=M3)\n");
	hx_diff_result_release(&r);
}

static void test_record_limit_and_removed(void **state)
{
	hx_diff_result r;
	(void)state;
	assert_int_equal(run(&r, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", "{\"a\":9}\n{\"a\":8}\n", 1), 0);
	assert_int_equal(r.changed, 2);
	assert_int_equal(r.removed, 1);
	assert_string_equal(r.text.ptr, "  paths:\n"
					"    .a: 2 changed\n"
					"  record 0:\n"
					"    .a: 1 -> 9\n"
					"  ... and 2 more differing records\n");
	hx_diff_result_release(&r);
}

static void test_quoted_path_and_truncation(void **state)
{
	hx_diff_result r;
	(void)state;
	assert_int_equal(run(&r, "{\"a b\":\"short\"}\n", "{\"a b\":\"0123456789012345678901234\"}\n", 5), 0);
	assert_string_equal(r.text.ptr, "  paths:\n"
					"    [\"a b\"]: 1 changed\n"
					"  record 0:\n"
					"    [\"a b\"]: \"short\" -> \"0123456789012345678...\n");
	hx_diff_result_release(&r);
}

static void test_bad_json(void **state)
{
	hx_diff_result r;
	(void)state;
	assert_int_equal(run(&r, "{\"a\":1}\n", "{\"a\":}\n", 5), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "new.jsonl: record 0: column 6: "));
	hx_diff_result_release(&r);
}

/* --- keyed matching, tolerance, the report of `harness diff` --- */

static const char *const by_id[] = {"id", NULL};

static int run_opt(hx_diff_result *r, const char *a, const char *b, const char *const *match,
		   const hx_diff_tol *tol, size_t ntol)
{
	hx_diff_options opt;
	memset(&opt, 0, sizeof(opt));
	opt.match_fields = match;
	opt.tol = tol;
	opt.ntol = ntol;
	hx_diff_result_init(r);
	return hx_diff_jsonl(r, a, strlen(a), "old.jsonl", b, strlen(b), "new.jsonl", &opt);
}

static void test_keyed_reorder_one_changed(void **state)
{
	hx_diff_result r;
	(void)state;
	assert_int_equal(run_opt(&r, "{\"id\":1,\"x\":1}\n{\"id\":2,\"x\":1}\n{\"id\":3,\"x\":1}\n",
				 "{\"id\":3,\"x\":1}\n{\"id\":1,\"x\":1}\n{\"id\":2,\"x\":5}\n", by_id,
				 NULL, 0),
			 0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.added, 0);
	assert_int_equal(r.removed, 0);
	assert_int_equal(r.nchanges, 1);
	assert_int_equal(r.changes[0].kind, HX_DIFF_CHANGED);
	assert_string_equal(r.changes[0].key, "id=2");
	assert_string_equal(r.changes[0].key_json, "{\"id\":2}");
	assert_string_equal(r.changes[0].path, ".x");
	assert_string_equal(r.changes[0].old_value, "1");
	assert_string_equal(r.changes[0].new_value, "5");
	assert_int_equal(r.npaths, 1);
	assert_string_equal(r.paths[0].path, ".x");
	assert_int_equal(r.paths[0].changed, 1);
	hx_diff_result_release(&r);

	/* By position the same files differ in two records. */
	assert_int_equal(run_opt(&r, "{\"id\":1,\"x\":1}\n{\"id\":2,\"x\":1}\n{\"id\":3,\"x\":1}\n",
				 "{\"id\":3,\"x\":1}\n{\"id\":1,\"x\":1}\n{\"id\":2,\"x\":5}\n", NULL,
				 NULL, 0),
			 0);
	assert_int_equal(r.changed, 3);
	assert_string_equal(r.changes[0].key, "0");
	assert_string_equal(r.changes[0].key_json, "0");
	hx_diff_result_release(&r);
}

static void test_keyed_added_removed(void **state)
{
	static const char *const fields[] = {"tier", "metadata.task_index", NULL};
	hx_diff_result r;
	(void)state;
	assert_int_equal(run_opt(&r,
				 "{\"tier\":\"fast\",\"metadata\":{\"task_index\":0}}\n"
				 "{\"tier\":\"fast\",\"metadata\":{\"task_index\":1}}\n",
				 "{\"tier\":\"fast\",\"metadata\":{\"task_index\":1}}\n"
				 "{\"tier\":\"slow\",\"metadata\":{\"task_index\":0}}\n"
				 "{\"tier\":\"a b\",\"metadata\":{\"task_index\":0}}\n",
				 fields, NULL, 0),
			 0);
	assert_int_equal(r.changed, 0);
	assert_int_equal(r.removed, 1);
	assert_int_equal(r.added, 2);
	assert_int_equal(r.nchanges, 3);
	assert_int_equal(r.changes[0].kind, HX_DIFF_REMOVED);
	assert_string_equal(r.changes[0].key, "tier=fast metadata.task_index=0");
	assert_string_equal(r.changes[0].key_json, "{\"tier\":\"fast\",\"metadata.task_index\":0}");
	assert_null(r.changes[0].path);
	assert_int_equal(r.changes[1].kind, HX_DIFF_ADDED);
	assert_string_equal(r.changes[1].key, "tier=slow metadata.task_index=0");
	assert_int_equal(r.changes[2].kind, HX_DIFF_ADDED);
	assert_string_equal(r.changes[2].key, "tier=\"a b\" metadata.task_index=0");
	assert_int_equal(r.npaths, 0);
	hx_diff_result_release(&r);
}

/* A key that repeats pairs by occurrence: the n-th record with it in A
 * with the n-th in B; the extra ones are added or removed. */
static void test_keyed_repeated(void **state)
{
	hx_diff_result r;
	(void)state;
	assert_int_equal(run_opt(&r, "{\"id\":1,\"x\":1}\n{\"id\":2,\"x\":1}\n{\"id\":1,\"x\":2}\n",
				 "{\"id\":1,\"x\":1}\n{\"id\":2,\"x\":1}\n{\"id\":1.0,\"x\":3}\n"
				 "{\"id\":1,\"x\":4}\n",
				 by_id, NULL, 0),
			 0);
	assert_int_equal(r.compared, 3);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.added, 1);
	assert_int_equal(r.removed, 0);
	assert_int_equal(r.nchanges, 2);
	/* A's second id=1 (record 2) against B's second (record 2) */
	assert_string_equal(r.changes[0].key, "id=1 #2");
	assert_string_equal(r.changes[0].key_json, "{\"id\":1}");
	assert_int_equal(r.changes[0].occurrence, 2);
	assert_int_equal(r.records[0].index, 2);
	assert_string_equal(r.changes[0].old_value, "2");
	assert_string_equal(r.changes[0].new_value, "3");
	assert_int_equal(r.changes[1].kind, HX_DIFF_ADDED);
	assert_string_equal(r.changes[1].key, "id=1 #3");
	assert_int_equal(r.records[1].index, 3);
	hx_diff_result_release(&r);

	/* more in A: the last ones are removed; a key once on both sides has no
	 * number even when another key repeats */
	assert_int_equal(run_opt(&r, "{\"id\":5,\"x\":0}\n{\"id\":5,\"x\":1}\n{\"id\":6,\"x\":1}\n",
				 "{\"id\":6,\"x\":2}\n{\"id\":5,\"x\":0}\n", by_id, NULL, 0),
			 0);
	assert_int_equal(r.compared, 2);
	assert_int_equal(r.nchanges, 2);
	assert_int_equal(r.changes[0].kind, HX_DIFF_REMOVED);
	assert_string_equal(r.changes[0].key, "id=5 #2");
	assert_int_equal(r.changes[1].kind, HX_DIFF_CHANGED);
	assert_string_equal(r.changes[1].key, "id=6");
	assert_int_equal(r.changes[1].occurrence, 0);
	hx_diff_result_release(&r);
}

static void test_keyed_missing(void **state)
{
	hx_diff_result r;
	(void)state;
	assert_int_equal(run_opt(&r, "{\"id\":1}\n{\"x\":1}\n", "{\"id\":1}\n", by_id, NULL, 0),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(), "old.jsonl: record 1: key field 'id' is missing");
	hx_diff_result_release(&r);
}

/* hx_diff_files names lines (blank lines counted), as an editor does. */
static void test_files_locate_lines(void **state)
{
	char a[] = "/tmp/hx-test-diff-a-XXXXXX", b[] = "/tmp/hx-test-diff-b-XXXXXX";
	int fa = mkstemp(a), fb = mkstemp(b);
	char want[128];
	hx_diff_options opt;
	hx_diff_result r;
	(void)state;
	assert_true(fa >= 0 && fb >= 0);
	assert_int_equal(write(fa, "{\"id\":1}\n\n{\"id\":1}\n", 19), 19);
	assert_int_equal(write(fb, "{\"id\":1}\n\n{\"id\" 2}\n", 19), 19);
	close(fa);
	close(fb);
	memset(&opt, 0, sizeof(opt));
	hx_diff_result_init(&r);
	assert_int_equal(hx_diff_files(&r, a, b, &opt), HX_EINVALID);
	snprintf(want, sizeof(want), "%s:3:7: ", b);
	assert_memory_equal(hx_error_last(), want, strlen(want));
	hx_diff_result_release(&r);
	opt.match_fields = by_id;
	hx_diff_result_init(&r);
	assert_int_equal(hx_diff_files(&r, a, a, &opt), 0); /* id=1 twice pairs by occurrence */
	assert_int_equal(r.compared, 2);
	assert_int_equal(r.nchanges, 0);
	hx_diff_result_release(&r);
	hx_diff_result_init(&r);
	assert_int_equal(hx_diff_files(&r, a, "/nonexistent/x.jsonl", &opt), HX_ENOTFOUND);
	hx_diff_result_release(&r);
	unlink(a);
	unlink(b);
}

static void test_empty_side(void **state)
{
	hx_diff_options opt;
	hx_diff_result r;
	(void)state;
	memset(&opt, 0, sizeof(opt));
	opt.match_fields = by_id;
	hx_diff_result_init(&r);
	/* an empty hx_buf's text is NULL */
	assert_int_equal(hx_diff_jsonl(&r, NULL, 0, "old", "\n{\"id\":7}\n", 10, "new", &opt), 0);
	assert_int_equal(r.old_records, 0);
	assert_int_equal(r.added, 1);
	assert_string_equal(r.changes[0].key, "id=7");
	assert_string_equal(r.text.ptr, "  record id=7 added\n");
	hx_diff_result_release(&r);
}

static hx_diff_tol tol(const char *path, double abs, double rel)
{
	hx_diff_tol t;
	t.path = (char *)path;
	t.abs = abs;
	t.rel = rel;
	return t;
}

/* One record {"d":a} against {"d":b}: 0 equal, 1 within tolerance, 2 changed. */
static int verdict(const hx_diff_tol *t, size_t nt, const char *a, const char *b)
{
	char ta[64], tb[64];
	hx_diff_result r;
	int v;
	snprintf(ta, sizeof(ta), "{\"d\":%s}\n", a);
	snprintf(tb, sizeof(tb), "{\"d\":%s}\n", b);
	assert_int_equal(run_opt(&r, ta, tb, NULL, t, nt), 0);
	v = r.changed ? 2 : r.within_tolerance ? 1 : 0;
	if (v == 1) {
		assert_int_equal(r.nchanges, 0);
		assert_int_equal(r.npaths, 1);
		assert_string_equal(r.paths[0].path, ".d");
		assert_int_equal(r.paths[0].changed, 0);
		assert_int_equal(r.paths[0].within_tolerance, 1);
	}
	hx_diff_result_release(&r);
	return v;
}

static void test_tolerance_abs(void **state)
{
	hx_diff_tol t = tol(".d", 0.5, 0);
	(void)state;
	assert_int_equal(verdict(&t, 1, "1", "1.5"), 1);        /* exactly the tolerance */
	assert_int_equal(verdict(&t, 1, "1.5", "1"), 1);
	assert_int_equal(verdict(&t, 1, "1", "1.5000001"), 2);  /* just beyond */
	assert_int_equal(verdict(&t, 1, "-0.25", "0.25"), 1);
	assert_int_equal(verdict(&t, 1, "1", "\"1\""), 2);      /* numbers only */
	assert_int_equal(verdict(&t, 1, "1", "1.0"), 0);        /* equal is not counted */
	t = tol("d", 0.5, 0);                                   /* leading '.' optional */
	assert_int_equal(verdict(&t, 1, "1", "1.5"), 1);
	t = tol(".e", 0.5, 0);
	assert_int_equal(verdict(&t, 1, "1", "1.5"), 2);
}

static void test_tolerance_rel(void **state)
{
	hx_diff_tol t = tol(".d", 0, 0.5);
	hx_diff_tol both[2];
	(void)state;
	assert_int_equal(verdict(&t, 1, "2", "4"), 1);          /* |a-b| = 0.5 * max(|a|,|b|) */
	assert_int_equal(verdict(&t, 1, "4", "2"), 1);
	assert_int_equal(verdict(&t, 1, "-2", "-4"), 1);
	assert_int_equal(verdict(&t, 1, "2", "4.000001"), 2);   /* just beyond */
	assert_int_equal(verdict(&t, 1, "0", "0.000001"), 2);   /* rel of 0 is 0 */
	/* abs OR rel; the first matching rule decides */
	both[0] = tol(".d", 3, 0.1);
	assert_int_equal(verdict(both, 1, "100", "110"), 1);    /* rel: 10 <= 11 */
	assert_int_equal(verdict(both, 1, "1", "4"), 1);        /* abs: 3 <= 3 */
	assert_int_equal(verdict(both, 1, "1", "4.5"), 2);
	both[0] = tol(".d", 0, 0);
	both[1] = tol(".d", 10, 0);
	assert_int_equal(verdict(both, 2, "1", "2"), 2);
}

static void test_tolerance_star(void **state)
{
	hx_diff_tol t = tol(".tactics.*", 1, 0);
	hx_diff_result r;
	(void)state;
	assert_int_equal(
		run_opt(&r,
			"{\"tactics\":{\"simp\":3,\"rw\":3,\"deep\":{\"x\":1}},\"n\":1,\"w\":[1]}\n",
			"{\"tactics\":{\"simp\":4,\"rw\":5,\"deep\":{\"x\":2}},\"n\":2,\"w\":[2]}\n", NULL,
			&t, 1),
		0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.within_tolerance, 1);
	assert_int_equal(r.nchanges, 4);
	assert_string_equal(r.changes[0].path, ".tactics.rw");
	assert_string_equal(r.changes[1].path, ".tactics.deep.x"); /* one level only */
	assert_string_equal(r.changes[2].path, ".n");
	assert_string_equal(r.changes[3].path, ".w[0]");
	assert_int_equal(r.npaths, 5);
	assert_string_equal(r.paths[3].path, ".tactics.simp");
	assert_int_equal(r.paths[3].changed, 0);
	assert_int_equal(r.paths[3].within_tolerance, 1);
	hx_diff_result_release(&r);

	t = tol(".*", 1, 0);
	assert_int_equal(run_opt(&r, "{\"a\":1,\"b\":{\"c\":1}}\n", "{\"a\":2,\"b\":{\"c\":2}}\n",
				 NULL, &t, 1),
			 0);
	assert_int_equal(r.within_tolerance, 1);
	assert_int_equal(r.nchanges, 1);
	assert_string_equal(r.changes[0].path, ".b.c");
	hx_diff_result_release(&r);
}

static void test_tol_parse(void **state)
{
	hx_diff_tol t;
	(void)state;
	assert_int_equal(hx_diff_tol_parse(&t, ".duration_ms=abs:5,rel:0.01"), 0);
	assert_string_equal(t.path, ".duration_ms");
	assert_true(t.abs == 5 && t.rel == 0.01);
	free(t.path);
	assert_int_equal(hx_diff_tol_parse(&t, "tactics.*=rel:0.1"), 0);
	assert_string_equal(t.path, "tactics.*");
	assert_true(t.abs == 0 && t.rel == 0.1);
	free(t.path);
	assert_int_equal(hx_diff_tol_parse(&t, ".x=rel:1e-3,abs:.5"), 0);
	assert_true(t.abs == 0.5 && t.rel == 0.001);
	free(t.path);
	assert_int_equal(hx_diff_tol_parse(&t, ".x"), HX_EINVALID);
	assert_string_equal(hx_error_last(), "bad tolerance '.x' (expected PATH=abs:X,rel:Y with "
					     "either or both, X and Y numbers >= 0)");
	assert_int_equal(hx_diff_tol_parse(&t, ".x="), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, "=abs:1"), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, ".=abs:1"), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, ".a..b=abs:1"), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, ".x=abs:"), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, ".x=abs:-1"), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, ".x=abs:1x"), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, ".x=abs:inf"), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, ".x=abs:1,abs:2"), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, ".x=abs:1,"), HX_EINVALID);
	assert_int_equal(hx_diff_tol_parse(&t, ".x=pct:1"), HX_EINVALID);
}

/* The flat style of `harness diff`. */
static const hx_diff_style *style(size_t max_changes, size_t max_value, int color)
{
	static hx_diff_style s;
	memset(&s, 0, sizeof(s));
	s.max_changes = max_changes;
	s.max_value = max_value;
	s.color = color;
	return &s;
}

static const char *const two_a = "{\"id\":1,\"d\":10,\"s\":\"x\"}\n{\"id\":2,\"d\":10}\n"
				 "{\"id\":3,\"d\":10}\n";
static const char *const two_b = "{\"id\":2,\"d\":10.2}\n{\"id\":1,\"d\":12,\"s\":\"\\u00e9\\u00e9\"}\n"
				 "{\"id\":4}\n";

static void test_format_text(void **state)
{
	hx_diff_tol t = tol(".d", 0.5, 0);
	hx_diff_result r;
	hx_buf out = HX_BUF_INIT;
	(void)state;
	assert_int_equal(run_opt(&r, two_a, two_b, by_id, &t, 1), 0);
	hx_diff_format_text(&out, &r, style(SIZE_MAX, 0, 0));
	assert_string_equal(out.ptr, "A: 3 records, B: 3 records; 2 compared: 1 changed, 1 added, "
				     "1 removed; 1 value within tolerance\n"
				     "paths:\n"
				     "  .d: 1 changed (1 more within tolerance)\n"
				     "  .s: 1 changed\n"
				     "record id=1: .d 10 -> 12\n"
				     "record id=1: .s \"x\" -> \"\xc3\xa9\xc3\xa9\"\n"
				     "record id=3: removed\n"
				     "record id=4: added\n");
	/* --max, colour, and a cut that must not split a UTF-8 character */
	hx_buf_reset(&out);
	hx_diff_format_text(&out, &r, style(2, 2, 1));
	assert_string_equal(out.ptr, "A: 3 records, B: 3 records; 2 compared: 1 changed, 1 added, "
				     "1 removed; 1 value within tolerance\n"
				     "paths:\n"
				     "  .d: 1 changed (1 more within tolerance)\n"
				     "  .s: 1 changed\n"
				     "record id=1: .d \033[31m10\033[0m -> \033[32m12\033[0m\n"
				     "record id=1: .s \033[31m\"x...\033[0m -> \033[32m\"...\033[0m\n"
				     "... and 2 more changes\n");
	hx_diff_result_release(&r);

	assert_int_equal(run_opt(&r, "{\"d\":1}\n", "{\"d\":1.2}\n", NULL, &t, 1), 0);
	hx_buf_reset(&out);
	hx_diff_format_text(&out, &r, style(0, 0, 1));
	assert_string_equal(out.ptr, "A: 1 record, B: 1 record; 1 compared: 0 changed, 0 added, "
				     "0 removed; 1 value within tolerance\n"
				     "paths:\n"
				     "  .d: 0 changed (1 within tolerance)\n");
	hx_diff_result_release(&r);
	hx_buf_release(&out);
}

static void test_format_json(void **state)
{
	hx_diff_tol t = tol(".d", 0.5, 0);
	hx_diff_result r;
	hx_buf out = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	hx_json *doc;
	const hx_json *changes, *c;
	(void)state;
	assert_int_equal(run_opt(&r, two_a, two_b, by_id, &t, 1), 0);
	hx_diff_format_json(&out, &r, "a.jsonl", "b \"x\"", SIZE_MAX);
	assert_true(out.len > 0 && out.ptr[out.len - 1] == '\n');
	assert_int_equal(hx_json_parse(&doc, arena, out.ptr, out.len, NULL), 0);
	assert_string_equal(hx_json_get(doc, "a")->u.string.ptr, "a.jsonl");
	assert_string_equal(hx_json_get(doc, "b")->u.string.ptr, "b \"x\"");
	assert_true(hx_json_get(doc, "records_a")->u.number == 3);
	assert_true(hx_json_get(doc, "records_b")->u.number == 3);
	assert_true(hx_json_get(doc, "changed")->u.number == 1);
	assert_true(hx_json_get(doc, "added")->u.number == 1);
	assert_true(hx_json_get(doc, "removed")->u.number == 1);
	assert_true(hx_json_get(doc, "within_tolerance")->u.number == 1);
	assert_true(hx_json_get(doc, "omitted")->u.number == 0);
	c = hx_json_get(hx_json_get(doc, "paths"), ".d");
	assert_true(hx_json_get(c, "changed")->u.number == 1);
	assert_true(hx_json_get(c, "within_tolerance")->u.number == 1);
	changes = hx_json_get(doc, "changes");
	assert_int_equal(changes->u.array.len, 4);
	c = changes->u.array.items[0];
	assert_true(hx_json_get(hx_json_get(c, "key"), "id")->u.number == 1);
	assert_string_equal(hx_json_get(c, "path")->u.string.ptr, ".d");
	assert_true(hx_json_get(c, "old")->u.number == 10);
	assert_true(hx_json_get(c, "new")->u.number == 12);
	c = changes->u.array.items[2];
	assert_int_equal(hx_json_get(c, "removed")->type, HX_JSON_TRUE);
	assert_null(hx_json_get(c, "path"));
	c = changes->u.array.items[3];
	assert_int_equal(hx_json_get(c, "added")->type, HX_JSON_TRUE);
	hx_diff_result_release(&r);

	/* positional keys are indices; absent values leave "old"/"new" out */
	assert_int_equal(run_opt(&r, "{\"a\":1}\n", "{\"b\":[1]}\n", NULL, NULL, 0), 0);
	hx_buf_reset(&out);
	hx_diff_format_json(&out, &r, "a", "b", 1);
	assert_string_equal(out.ptr, "{\"a\":\"a\",\"b\":\"b\",\"records_a\":1,\"records_b\":1,"
				     "\"compared\":1,\"changed\":1,\"added\":0,\"removed\":0,"
				     "\"within_tolerance\":0,\"outcomes\":null,"
				     "\"paths\":{\".a\":{\"changed\":1,\"within_tolerance\":0},"
				     "\".b\":{\"changed\":1,\"within_tolerance\":0}},"
				     "\"changes\":[{\"key\":0,\"path\":\".a\",\"old\":1,\"folded\":false}],"
				     "\"omitted\":1}\n");
	hx_arena_reset(arena);
	assert_int_equal(hx_json_parse(&doc, arena, out.ptr, out.len, NULL), 0);
	hx_diff_result_release(&r);
	hx_buf_release(&out);
	hx_arena_free(arena);
}

/* The golden check's options (snapshot.c): positional, text as before, and
 * the same differences in the change list. */
static void test_golden_positional_unchanged(void **state)
{
	hx_diff_options opt;
	hx_diff_result r;
	const char *a = "{\"tier\":\"balanced\",\"module_name\":\"M0\",\"d\":1}\n"
			"{\"tier\":\"balanced\",\"module_name\":\"M1\",\"d\":1}\n"
			"{\"tier\":\"balanced\",\"module_name\":\"M2\",\"d\":1}\n";
	const char *b = "{\"tier\":\"balanced\",\"module_name\":\"M1\",\"d\":1}\n";
	(void)state;
	memset(&opt, 0, sizeof(opt));
	opt.key_fields = keys;
	opt.max_records = 5;
	opt.max_paths = 8;
	opt.max_value = 60;
	hx_diff_result_init(&r);
	assert_int_equal(hx_diff_jsonl(&r, a, strlen(a), "golden", b, strlen(b), "snap", &opt), 0);
	assert_int_equal(r.old_records, 3);
	assert_int_equal(r.new_records, 1);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.removed, 2);
	assert_string_equal(r.text.ptr, "  paths:\n"
					"    .module_name: 1 changed\n"
					"  record 0 (tier=balanced, module_name=M1):\n"
					"    .module_name: \"M0\" -> \"M1\"\n"
					"  record 1 removed (tier=balanced, module_name=M1)\n"
					"  record 2 removed (tier=balanced, module_name=M2)\n");
	assert_int_equal(r.nchanges, 3);
	assert_string_equal(r.changes[0].key, "0");
	assert_int_equal(r.changes[1].kind, HX_DIFF_REMOVED);
	assert_string_equal(r.changes[2].key, "2");
	hx_diff_result_release(&r);
}

/* A record's label quotes its key fields' strings bare, but escaped: a
 * module name with a newline or an escape sequence stays on its line, and
 * so does a key field named with a tab. */
static void test_labels_one_line(void **state)
{
	static const char *const tab_keys[] = {"ti\ter", NULL};
	static const char *const match[] = {"ti\ter", NULL};
	hx_diff_result r;
	const char *a = "{\"tier\":\"fa\\nst\",\"module_name\":\"M\\u001b[31m1\u20ac\",\"d\":1}\n";
	const char *b = "{\"tier\":\"fa\\nst\",\"module_name\":\"M\\u001b[31m1\u20ac\",\"d\":2}\n";
	const char *c = "{\"ti\\ter\":\"x\\ny\",\"d\":1}\n";
	const char *e = "{\"ti\\ter\":\"x\\ny\",\"d\":2}\n";
	(void)state;
	assert_int_equal(run(&r, a, b, 5), 0);
	assert_string_equal(r.text.ptr, "  paths:\n"
					"    .d: 1 changed\n"
					"  record 0 (tier=fa\\nst, module_name=M\\u001b[31m1\u20ac):\n"
					"    .d: 1 -> 2\n");
	hx_diff_result_release(&r);

	assert_int_equal(run_keyed(&r, c, e, 5, tab_keys, match), 0);
	assert_string_equal(r.text.ptr, "  paths:\n"
					"    .d: 1 changed\n"
					"  record ti\\ter=\"x\\ny\" (ti\\ter=x\\ny):\n"
					"    .d: 1 -> 2\n");
	/* the JSON form of the key is canon's, as before */
	assert_string_equal(r.records[0].key_json, "{\"ti\\ter\":\"x\\ny\"}");
	hx_diff_result_release(&r);
}

/* --- the outcome summary and the folding of incidental paths --- */

#define REC(tier, module, outcome, success, dur, simp)                                        \
	"{\"tier\":\"" tier "\",\"module_name\":\"" module "\",\"outcome\":\"" outcome           \
	"\",\"success\":" success ",\"duration_ms\":" dur ",\"tactics\":{\"simp\":" simp "},"    \
	"\"timeout_s\":60}\n"

static const char *const tel_a = REC("fast", "M1", "verified", "true", "10", "1")
	REC("fast", "M2", "verified", "true", "10", "1")
	REC("fast", "M3", "verified", "true", "10", "1")
	REC("balanced", "M1", "verified", "true", "10", "1")
	REC("balanced", "M2", "proof_invalid", "false", "10", "1");
static const char *const tel_b = REC("fast", "M1", "verified", "true", "10", "1")
	REC("fast", "M2", "verifier_timeout", "false", "60000", "0")
	REC("fast", "M3", "verifier_timeout", "false", "60000", "1")
	REC("balanced", "M1", "verified", "true", "12", "1")
	REC("balanced", "M2", "verifier_timeout", "false", "60000", "2")
	REC("balanced", "M4", "proof_invalid", "false", "10", "1");

static int run_tel(hx_diff_result *r, const char *a, const char *b)
{
	hx_diff_options opt;
	memset(&opt, 0, sizeof(opt));
	opt.key_fields = keys;
	opt.old_label = "golden";
	opt.new_label = "now";
	hx_diff_result_init(r);
	return hx_diff_jsonl(r, a, strlen(a), "golden", b, strlen(b), "now", &opt);
}

static void test_transitions_and_rates(void **state)
{
	hx_diff_result r;
	const hx_diff_tier *t;
	const char *want;
	(void)state;
	assert_int_equal(run_tel(&r, tel_a, tel_b), 0);
	assert_int_equal(r.compared, 5);
	assert_int_equal(r.added, 1);
	assert_true(r.has_outcomes);
	assert_int_equal(r.ntiers, 2);

	t = &r.tiers[0];
	assert_string_equal(t->tier, "fast");
	assert_int_equal(t->old_records, 3);
	assert_int_equal(t->new_records, 3);
	assert_int_equal(t->compared, 3);
	assert_int_equal(t->ntransitions, 2); /* verified -> verified, verified -> timeout */
	assert_string_equal(t->transitions[0].from, "verified");
	assert_string_equal(t->transitions[0].to, "verified");
	assert_int_equal(t->transitions[0].count, 1);
	assert_string_equal(t->transitions[1].to, "verifier_timeout");
	assert_int_equal(t->transitions[1].count, 2);
	/* rates in the telemetry order, whatever order they came in */
	assert_int_equal(t->nrates, 2);
	assert_string_equal(t->rates[0].outcome, "verified");
	assert_int_equal(t->rates[0].old_count, 3);
	assert_int_equal(t->rates[0].new_count, 1);
	assert_string_equal(t->rates[1].outcome, "verifier_timeout");
	assert_int_equal(t->rates[1].old_count, 0);
	assert_int_equal(t->rates[1].new_count, 2);

	t = &r.tiers[1];
	assert_string_equal(t->tier, "balanced");
	assert_int_equal(t->old_records, 2);
	assert_int_equal(t->new_records, 3); /* the added M4 counts in the rates */
	assert_int_equal(t->compared, 2);
	assert_int_equal(t->nrates, 3);
	assert_string_equal(t->rates[1].outcome, "proof_invalid");
	assert_int_equal(t->rates[1].old_count, 1);
	assert_int_equal(t->rates[1].new_count, 1);

	want = "  outcome transitions (golden -> now):\n"
			    "    fast      verified -> verifier_timeout       2\n"
			    "    balanced  proof_invalid -> verifier_timeout  1\n"
			    "  outcome rates (golden -> now):\n"
			    "    fast      verified          100.0% ->  33.3%  (3 -> 1 of 3)\n"
			    "    fast      verifier_timeout    0.0% ->  66.7%  (0 -> 2 of 3)\n"
			    "    balanced  verified           50.0% ->  33.3%  (1 of 2 -> 1 of 3)\n"
			    "    balanced  proof_invalid      50.0% ->  33.3%  (1 of 2 -> 1 of 3)\n"
			    "    balanced  verifier_timeout    0.0% ->  33.3%  (0 of 2 -> 1 of 3)\n"
			    "  paths:\n";
	assert_memory_equal(r.text.ptr, want, strlen(want));
	hx_diff_result_release(&r);

	/* Nothing moved: said so, and no rates. */
	assert_int_equal(run_tel(&r, REC("fast", "M1", "verified", "true", "1", "1"),
				 REC("fast", "M1", "verified", "true", "2", "1")),
			 0);
	assert_true(r.has_outcomes);
	assert_string_equal(r.text.ptr, "  outcome transitions (golden -> now): none\n"
					"  paths:\n"
					"    incidental: .duration_ms 1\n"
					"  record 0 (tier=fast, module_name=M1):\n"
					"    1 incidental change\n");
	hx_diff_result_release(&r);

	/* One record without an outcome: not telemetry, no summary. */
	assert_int_equal(run_tel(&r, REC("fast", "M1", "verified", "true", "1", "1"),
				 "{\"tier\":\"fast\",\"module_name\":\"M1\"}\n"),
			 0);
	assert_false(r.has_outcomes);
	assert_int_equal(r.ntiers, 0);
	assert_null(strstr(r.text.ptr, "outcome transitions"));
	hx_diff_result_release(&r);
}

static void test_path_classes(void **state)
{
	static const char *const match[] = {"metadata.task_index", NULL};
	(void)state;
	assert_int_equal(hx_diff_path_class_of(".outcome", NULL, NULL), HX_DIFF_PATH_KEY);
	assert_int_equal(hx_diff_path_class_of(".tier", keys, NULL), HX_DIFF_PATH_KEY);
	assert_int_equal(hx_diff_path_class_of(".tier", NULL, NULL), HX_DIFF_PATH_OTHER);
	assert_int_equal(hx_diff_path_class_of(".metadata.task_index", NULL, match),
			 HX_DIFF_PATH_KEY);
	assert_int_equal(hx_diff_path_class_of(".success", NULL, NULL), HX_DIFF_PATH_CONSEQUENCE);
	assert_int_equal(hx_diff_path_class_of(".exit_code", NULL, NULL), HX_DIFF_PATH_CONSEQUENCE);
	assert_int_equal(hx_diff_path_class_of(".duration_ms", NULL, NULL), HX_DIFF_PATH_INCIDENTAL);
	assert_int_equal(hx_diff_path_class_of(".tactics", NULL, NULL), HX_DIFF_PATH_INCIDENTAL);
	assert_int_equal(hx_diff_path_class_of(".tactics.simp", NULL, NULL), HX_DIFF_PATH_INCIDENTAL);
	assert_int_equal(hx_diff_path_class_of(".stderr_tail", NULL, NULL), HX_DIFF_PATH_INCIDENTAL);
	/* a field only shares a prefix: not covered */
	assert_int_equal(hx_diff_path_class_of(".tactics_used", NULL, NULL), HX_DIFF_PATH_OTHER);
	assert_int_equal(hx_diff_path_class_of(".outcomes", NULL, NULL), HX_DIFF_PATH_OTHER);
	assert_int_equal(hx_diff_path_class_of(".metadata.difficulty", NULL, NULL),
			 HX_DIFF_PATH_OTHER);
	assert_int_equal(hx_diff_path_class_of(".timeout_s", NULL, NULL), HX_DIFF_PATH_OTHER);
}

/* A flipped record shows its outcome first and folds the rest; a record
 * whose outcome stayed shows success but folds the duration. */
static void test_folding(void **state)
{
	hx_diff_result r;
	hx_diff_style st;
	hx_buf out = HX_BUF_INIT;
	const char *a = "{\"duration_ms\":1,\"module_name\":\"M1\",\"outcome\":\"verified\","
			"\"success\":true,\"tactics\":{\"rw\":2,\"simp\":1},\"tier\":\"fast\",\"x\":1}\n"
			"{\"duration_ms\":1,\"module_name\":\"M2\",\"outcome\":\"verified\","
			"\"success\":true,\"tier\":\"fast\"}\n";
	const char *b = "{\"duration_ms\":9,\"module_name\":\"M1\",\"outcome\":\"verifier_timeout\","
			"\"success\":false,\"tactics\":{\"rw\":1},\"tier\":\"fast\",\"x\":2}\n"
			"{\"duration_ms\":2,\"module_name\":\"M2\",\"outcome\":\"verified\","
			"\"success\":false,\"tier\":\"fast\"}\n";
	(void)state;
	assert_int_equal(run_tel(&r, a, b), 0);
	assert_int_equal(r.nrecords, 2);
	assert_true(r.records[0].outcome_changed);
	assert_false(r.records[1].outcome_changed);
	assert_int_equal(r.records[0].n, 6);
	assert_true(hx_diff_change_folded(&r.changes[0], &r.records[0])); /* .duration_ms */
	assert_false(hx_diff_change_folded(&r.changes[1], &r.records[0])); /* .outcome */
	assert_true(hx_diff_change_folded(&r.changes[2], &r.records[0])); /* .success */
	assert_true(hx_diff_change_folded(&r.changes[3], &r.records[0])); /* .tactics.rw */

	memset(&st, 0, sizeof(st));
	st.grouped = 1;
	hx_diff_format_records(&out, &r, &st);
	assert_string_equal(out.ptr, "record 0 (tier=fast, module_name=M1):\n"
				     "  .outcome: \"verified\" -> \"verifier_timeout\"\n"
				     "  .x: 1 -> 2  (+4 incidental changes)\n"
				     "record 1 (tier=fast, module_name=M2):\n"
				     "  .success: true -> false  (+1 incidental change)\n");
	hx_buf_reset(&out);
	st.grouped = 0;
	st.max_changes = SIZE_MAX;
	hx_diff_format_records(&out, &r, &st);
	assert_string_equal(out.ptr, "record 0: .outcome \"verified\" -> \"verifier_timeout\"\n"
				     "record 0: .x 1 -> 2  (+4 incidental changes)\n"
				     "record 1: .success true -> false  (+1 incidental change)\n");
	/* the budget counts listed lines; what is cut is counted */
	hx_buf_reset(&out);
	st.max_changes = 1;
	hx_diff_format_records(&out, &r, &st);
	assert_string_equal(out.ptr, "record 0: .outcome \"verified\" -> \"verifier_timeout\"\n"
				     "... and 7 more changes\n");
	hx_buf_reset(&out);
	st.max_changes = SIZE_MAX;
	st.all_paths = 1;
	hx_diff_format_records(&out, &r, &st);
	assert_string_equal(out.ptr, "record 0: .outcome \"verified\" -> \"verifier_timeout\"\n"
				     "record 0: .duration_ms 1 -> 9\n"
				     "record 0: .success true -> false\n"
				     "record 0: .tactics.rw 2 -> 1\n"
				     "record 0: .tactics.simp 1 -> (absent)\n"
				     "record 0: .x 1 -> 2\n"
				     "record 1: .duration_ms 1 -> 2\n"
				     "record 1: .success true -> false\n");
	hx_diff_result_release(&r);
	hx_buf_release(&out);
}

static void test_json_outcomes(void **state)
{
	hx_diff_result r;
	hx_buf out = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	hx_json *doc;
	const hx_json *tiers, *t, *x;
	(void)state;
	assert_int_equal(run_tel(&r, tel_a, tel_b), 0);
	hx_diff_format_json(&out, &r, "a", "b", SIZE_MAX);
	assert_int_equal(hx_json_parse(&doc, arena, out.ptr, out.len, NULL), 0);
	assert_true(hx_json_get(doc, "compared")->u.number == 5);
	tiers = hx_json_get(hx_json_get(doc, "outcomes"), "tiers");
	assert_int_equal(tiers->u.array.len, 2);
	t = tiers->u.array.items[1];
	assert_string_equal(hx_json_get(t, "tier")->u.string.ptr, "balanced");
	assert_true(hx_json_get(t, "records_a")->u.number == 2);
	assert_true(hx_json_get(t, "records_b")->u.number == 3);
	assert_true(hx_json_get(t, "compared")->u.number == 2);
	x = hx_json_get(t, "transitions")->u.array.items[1];
	assert_string_equal(hx_json_get(x, "from")->u.string.ptr, "proof_invalid");
	assert_string_equal(hx_json_get(x, "to")->u.string.ptr, "verifier_timeout");
	assert_true(hx_json_get(x, "count")->u.number == 1);
	x = hx_json_get(t, "rates")->u.array.items[2];
	assert_string_equal(hx_json_get(x, "outcome")->u.string.ptr, "verifier_timeout");
	assert_true(hx_json_get(x, "count_a")->u.number == 0);
	assert_true(hx_json_get(x, "rate_a")->u.number == 0);
	assert_true(hx_json_get(x, "count_b")->u.number == 1);
	assert_true(hx_json_get(x, "rate_b")->u.number == 1.0 / 3.0);
	/* the first change of fast M2 is its .outcome; .duration_ms is folded */
	x = hx_json_get(doc, "changes")->u.array.items[0];
	assert_string_equal(hx_json_get(x, "path")->u.string.ptr, ".outcome");
	assert_int_equal(hx_json_get(x, "folded")->type, HX_JSON_FALSE);
	x = hx_json_get(doc, "changes")->u.array.items[2];
	assert_string_equal(hx_json_get(x, "path")->u.string.ptr, ".duration_ms");
	assert_int_equal(hx_json_get(x, "folded")->type, HX_JSON_TRUE);
	hx_diff_result_release(&r);
	hx_buf_release(&out);
	hx_arena_free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_same_values_other_spelling),
		cmocka_unit_test(test_paths_and_keys),
		cmocka_unit_test(test_record_limit_and_removed),
		cmocka_unit_test(test_quoted_path_and_truncation),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_keyed_reorder_one_changed),
		cmocka_unit_test(test_keyed_added_removed),
		cmocka_unit_test(test_keyed_repeated),
		cmocka_unit_test(test_keyed_missing),
		cmocka_unit_test(test_files_locate_lines),
		cmocka_unit_test(test_empty_side),
		cmocka_unit_test(test_tolerance_abs),
		cmocka_unit_test(test_tolerance_rel),
		cmocka_unit_test(test_tolerance_star),
		cmocka_unit_test(test_tol_parse),
		cmocka_unit_test(test_format_text),
		cmocka_unit_test(test_format_json),
		cmocka_unit_test(test_golden_positional_unchanged),
		cmocka_unit_test(test_labels_one_line),
		cmocka_unit_test(test_transitions_and_rates),
		cmocka_unit_test(test_path_classes),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_json_outcomes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
