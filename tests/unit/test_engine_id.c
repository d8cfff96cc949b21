/* test_engine_id.c - an engine's identity: a dup owns copies of all five
 * strings (NULL kept), equality is NULL-safe and covers every field. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "engine_id.h"

static void test_dup_release(void **state)
{
	char version[] = "lean 4.9.0";
	hx_engine_id src = {"lean", version, "/usr/bin/lean", NULL, "leanprover/lean4:v4.9.0"};
	hx_engine_id d;
	(void)state;
	hx_engine_id_dup(&d, &src);
	assert_true(hx_engine_id_equal(&d, &src));
	assert_ptr_not_equal(d.version, src.version);
	assert_null(d.hash);
	version[0] = 'L'; /* the dup does not borrow */
	assert_string_equal(d.version, "lean 4.9.0");
	assert_false(hx_engine_id_equal(&d, &src));
	hx_engine_id_release(&d);
	assert_null(d.kind);
	assert_null(d.toolchain);
}

static void test_equal(void **state)
{
	hx_engine_id a = {"sim-verifier", "sim-verifier/1", NULL, NULL, NULL};
	hx_engine_id b = a;
	(void)state;
	assert_true(hx_engine_id_equal(&a, &b));
	b.path = "/bin/x"; /* NULL against a string */
	assert_false(hx_engine_id_equal(&a, &b));
	assert_false(hx_engine_id_equal(&b, &a));
	b = a;
	b.toolchain = "t";
	assert_false(hx_engine_id_equal(&a, &b));
	b = a;
	b.kind = "lean";
	assert_false(hx_engine_id_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dup_release),
		cmocka_unit_test(test_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
