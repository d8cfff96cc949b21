/* test_diff.c - the structured diff names records, keys and paths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "diff.h"
#include "error.h"

static const char *const keys[] = {"tier", "module_name", NULL};

static int run(hx_diff_result *r, const char *a, const char *b, size_t max_records)
{
	hx_diff_options opt = {keys, max_records, 3, 20};
	hx_diff_result_init(r);
	return hx_diff_jsonl(r, a, strlen(a), "old.jsonl", b, strlen(b), "new.jsonl", &opt);
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
	assert_string_equal(r.text.ptr, "  record 0:\n"
					"    .a: 1 -> 9\n"
					"  ... and 2 more differing records\n");
	hx_diff_result_release(&r);
}

static void test_quoted_path_and_truncation(void **state)
{
	hx_diff_result r;
	(void)state;
	assert_int_equal(run(&r, "{\"a b\":\"short\"}\n", "{\"a b\":\"0123456789012345678901234\"}\n", 5), 0);
	assert_string_equal(r.text.ptr, "  record 0:\n"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_same_values_other_spelling),
		cmocka_unit_test(test_paths_and_keys),
		cmocka_unit_test(test_record_limit_and_removed),
		cmocka_unit_test(test_quoted_path_and_truncation),
		cmocka_unit_test(test_bad_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
