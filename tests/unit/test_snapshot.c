/* test_snapshot.c - snapshot files, the golden verdicts and accept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "hash.h"
#include "snapshot.h"

static char root[] = "/tmp/hx_test_snapshot_XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_snapshot(const char *dir, const char *text)
{
	hx_canon_profile p;
	hx_snapshot_info info;
	memset(&info, 0, sizeof(info));
	hx_canon_profile_init(&p);
	p.name = "none";
	info.experiment = "demo";
	info.seed = 18446744073709551615ULL;
	info.engine_kind = "sim-verifier";
	info.engine_version = "sim-verifier/1";
	info.profile = &p;
	hx_hash128_buf(info.hash, text, strlen(text));
	info.records = 2;
	assert_int_equal(hx_snapshot_write(dir, &info, text, strlen(text)), 0);
	p.name = NULL;
	hx_canon_profile_release(&p);
}

static void test_manifest_is_canonical_json(void **state)
{
	char *dir = hx_path_join(root, "m"), *path = hx_path_join(dir, "manifest.json");
	hx_buf b = HX_BUF_INIT;
	char hash[HX_HASH_HEX_LEN];
	size_t records = 0;
	(void)state;
	write_snapshot(dir, "{\"a\":1}\n{\"a\":2}\n");
	assert_int_equal(hx_file_read(&b, path), 0);
	assert_string_equal(b.ptr,
			    "{\"engine\":{\"kind\":\"sim-verifier\",\"version\":\"sim-verifier/1\"},"
			    "\"experiment\":\"demo\",\"format\":\"harness-snapshot/1\","
			    "\"profile\":{\"name\":\"none\",\"round\":{},\"strip\":[]},"
			    "\"seed\":\"18446744073709551615\",\"streams\":{\"telemetry.jsonl\":"
			    "{\"hash\":\"xxh3-128:b0f50a1de50c8d4d55e73022c3e319a2\",\"records\":2}}}\n");
	assert_int_equal(hx_snapshot_read_hash(dir, hash, &records), 0);
	assert_string_equal(hash, "xxh3-128:b0f50a1de50c8d4d55e73022c3e319a2");
	assert_int_equal(records, 2);
	hx_buf_release(&b);
	free(path);
	free(dir);
}

static void test_verdicts(void **state)
{
	char *snap = hx_path_join(root, "snap"), *gold = hx_path_join(root, "gold");
	char hash[HX_HASH_HEX_LEN];
	hx_golden_result g;
	(void)state;

	write_snapshot(snap, "{\"tier\":\"fast\",\"v\":1}\n{\"tier\":\"fast\",\"v\":2}\n");
	assert_int_equal(hx_snapshot_read_hash(snap, hash, NULL), 0);

	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check(&g, gold, snap, hash), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MISSING);
	hx_golden_result_release(&g);

	assert_int_equal(hx_golden_accept(snap, gold), 0);
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check(&g, gold, snap, hash), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MATCH);
	assert_string_equal(g.golden_hash, hash);
	hx_golden_result_release(&g);

	write_snapshot(snap, "{\"tier\":\"fast\",\"v\":1}\n{\"tier\":\"fast\",\"v\":3}\n");
	assert_int_equal(hx_snapshot_read_hash(snap, hash, NULL), 0);
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check(&g, gold, snap, hash), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MISMATCH);
	assert_int_equal(g.diff.changed, 1);
	assert_string_equal(g.diff.text.ptr, "  record 1 (tier=fast):\n    .v: 2 -> 3\n");
	hx_golden_result_release(&g);
	free(snap);
	free(gold);
}

static void test_accept_refuses_edited_snapshot(void **state)
{
	char *snap = hx_path_join(root, "edited"), *gold = hx_path_join(root, "edited-gold");
	char *stream = hx_path_join(snap, "telemetry.jsonl");
	(void)state;
	write_snapshot(snap, "{\"a\":1}\n");
	assert_int_equal(hx_file_write_atomic(stream, "{\"a\":2}\n", 8), 0);
	assert_int_equal(hx_golden_accept(snap, gold), HX_EMISMATCH);
	assert_non_null(strstr(hx_error_last(), "does not hash to its manifest"));
	assert_false(hx_path_exists(gold));
	free(stream);
	free(snap);
	free(gold);
}

static void test_accept_without_snapshot(void **state)
{
	char *snap = hx_path_join(root, "nothing"), *gold = hx_path_join(root, "nothing-gold");
	(void)state;
	assert_int_equal(hx_golden_accept(snap, gold), HX_ENOTFOUND);
	assert_non_null(strstr(hx_error_last(), "no snapshot in '"));
	free(snap);
	free(gold);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_is_canonical_json),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_accept_refuses_edited_snapshot),
		cmocka_unit_test(test_accept_without_snapshot),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
