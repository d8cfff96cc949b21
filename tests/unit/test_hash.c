/* test_hash.c - XXH3-128 digests print xxh128sum's digits; XXH64 seeds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "hash.h"

/* Expected digits from `printf ... | xxh128sum` (xxHash 0.8.1). */
static void test_empty_and_abc(void **state)
{
	char hex[HX_HASH_HEX_LEN];
	(void)state;
	hx_hash128_buf(hex, "", 0);
	assert_string_equal(hex, "xxh3-128:99aa06d3014798d86001c324468d497f");
	hx_hash128_buf(hex, "abc", 3);
	assert_string_equal(hex, "xxh3-128:06b05ab6733a618578af5f94892f3950");
}

static void test_streaming_equals_one_shot(void **state)
{
	char a[HX_HASH_HEX_LEN], b[HX_HASH_HEX_LEN];
	char data[10000];
	hx_hash128 *h = hx_hash128_new();
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	for (i = 0; i < sizeof(data); i += 333)
		hx_hash128_update(h, data + i, i + 333 > sizeof(data) ? sizeof(data) - i : 333);
	hx_hash128_hex(h, a);
	hx_hash128_buf(b, data, sizeof(data));
	assert_string_equal(a, b);
	hx_hash128_free(h);
	hx_hash128_free(NULL);
}

static void test_file(void **state)
{
	char path[] = "/tmp/hx_test_hash_XXXXXX", hex[HX_HASH_HEX_LEN];
	int fd = mkstemp(path);
	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(hx_hash128_file(hex, path), 0);
	assert_string_equal(hex, "xxh3-128:06b05ab6733a618578af5f94892f3950");
	unlink(path);
	assert_int_equal(hx_hash128_file(hex, path), HX_ENOTFOUND);
	assert_non_null(strstr(hx_error_last(), "cannot open '/tmp/hx_test_hash_"));
}

/* `printf abc | xxhsum -H1` = 44bc2cf5ad770999 (seed 0). */
static void test_xxh64(void **state)
{
	(void)state;
	assert_true(hx_hash64("abc", 3, 0) == 0x44bc2cf5ad770999ULL);
	assert_true(hx_hash64("abc", 3, 1) != hx_hash64("abc", 3, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_abc),
		cmocka_unit_test(test_streaming_equals_one_shot),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_xxh64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
