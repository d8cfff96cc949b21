/* test_shard.c - shards of a plan: K/N parsing, the strided partition
 * (every task in exactly one shard, in plan order), and shard.json written
 * and read back, a bad one refused naming the field. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "shard.h"

static void test_parse(void **state)
{
	static const char *bad[] = {"", "1", "/4", "1/", "4/4", "5/4", "1/0", "-1/4", "1/-4",
				    "a/4", "1/4x", "1 /4", "1/4/2", "1234567890/9999999999"};
	hx_shard s;
	size_t i;
	(void)state;
	assert_int_equal(hx_shard_parse(&s, "0/1"), 0);
	assert_int_equal(s.k, 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(hx_shard_parse(&s, "6/7"), 0);
	assert_int_equal(s.k, 6);
	assert_int_equal(s.n, 7);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hx_shard t = {9, 9};
		assert_int_equal(hx_shard_parse(&t, bad[i]), HX_EINVALID);
		assert_non_null(strstr(hx_error_last(), "'--shard' takes K/N"));
		assert_int_equal(t.k, 9); /* untouched */
	}
}

/* Every task of plans of 0..50 tasks is in exactly one shard of N, for N
 * 1..9, and each shard's tasks ascend. */
static void test_partition(void **state)
{
	size_t plan, j;
	unsigned long n, k;
	(void)state;
	for (plan = 0; plan <= 50; plan++)
		for (n = 1; n <= 9; n++) {
			int *seen = calloc(plan + 1, sizeof(int));
			size_t total = 0;
			for (k = 0; k < n; k++) {
				hx_shard s = {k, n};
				size_t cnt = hx_shard_tasks(plan, &s), prev = 0;
				for (j = 0; j < cnt; j++) {
					size_t i = hx_shard_task_index(&s, j);
					assert_true(i < plan);
					assert_true(j == 0 || i > prev);
					prev = i;
					seen[i]++;
				}
				total += cnt;
			}
			assert_int_equal(total, plan);
			for (j = 0; j < plan; j++)
				assert_int_equal(seen[j], 1);
			free(seen);
		}
	{
		hx_shard whole = {0, 0};
		assert_int_equal(hx_shard_tasks(12, &whole), 12);
	}
}

static void sample(hx_shard_manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->experiment = "full";
	m->spec = "experiments/full.yaml";
	strcpy(m->spec_hash, "xxh3-128:00112233445566778899aabbccddeeff");
	m->seed = UINT64_MAX;
	m->plan_size = 30000;
	m->shard.k = 2;
	m->shard.n = 7;
	m->tasks = hx_shard_tasks(30000, &m->shard);
	m->records = 17;
	m->attempts = 3;
	m->engine.kind = "lean";
	m->engine.version = "Lean (version 4.9.0)";
	m->engine.path = "/usr/bin/lean";
	m->engine.hash = "xxh3-128:ffeeddccbbaa99887766554433221100";
}

static void test_round_trip(void **state)
{
	hx_shard_manifest m, r;
	(void)state;
	sample(&m);
	assert_int_equal(hx_mkdirs("rt", 0777), 0);
	assert_int_equal(hx_shard_manifest_write("rt", &m), 0);
	assert_int_equal(hx_shard_manifest_read(&r, "rt"), 0);
	assert_string_equal(r.experiment, "full");
	assert_string_equal(r.spec, m.spec);
	assert_string_equal(r.spec_hash, m.spec_hash);
	assert_true(r.seed == UINT64_MAX);
	assert_int_equal(r.plan_size, 30000);
	assert_int_equal(r.shard.k, 2);
	assert_int_equal(r.shard.n, 7);
	assert_int_equal(r.tasks, 4286);
	assert_int_equal(r.records, 17);
	assert_int_equal(r.complete, 0);
	assert_int_equal(r.attempts, 3);
	assert_string_equal(r.engine.kind, "lean");
	assert_string_equal(r.engine.version, m.engine.version);
	assert_string_equal(r.engine.path, m.engine.path);
	assert_string_equal(r.engine.hash, m.engine.hash);
	assert_null(r.engine.toolchain);
	hx_shard_manifest_release(&r);
}

/* A field changed by hand: refused, the field named. */
static void test_bad_manifests(void **state)
{
	static const struct {
		const char *from, *to, *field;
	} cases[] = {
		{"\"format\":\"harness-shard/1\"", "\"format\":\"harness-shard/2\"", "format"},
		{"\"seed\":\"18446744073709551615\"", "\"seed\":\"18446744073709551616\"", "seed"},
		{"\"seed\":\"18446744073709551615\"", "\"seed\":42", "seed"},
		{"\"shard\":2", "\"shard\":7", "shard"},
		{"\"stride\":7", "\"stride\":6", "stride"},
		{"\"first\":2", "\"first\":1", "first"},
		{"\"records\":17", "\"records\":5000", "records"},
		{"\"tasks\":4286", "\"tasks\":4285", "4286"},
		{"\"complete\":false", "\"complete\":0", "complete"},
		{"\"spec_hash\":\"xxh3-128:00112233445566778899aabbccddeeff\"", "\"spec_hash\":\"x\"",
		 "spec_hash"},
	};
	hx_shard_manifest m, r;
	hx_buf text = HX_BUF_INIT, edited = HX_BUF_INIT;
	size_t i;
	(void)state;
	sample(&m);
	assert_int_equal(hx_mkdirs("bad", 0777), 0);
	assert_int_equal(hx_shard_manifest_write("bad", &m), 0);
	assert_int_equal(hx_file_read(&text, "bad/shard.json"), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *at = strstr(text.ptr, cases[i].from);
		assert_non_null(at);
		hx_buf_reset(&edited);
		hx_buf_put(&edited, text.ptr, (size_t)(at - text.ptr));
		hx_buf_puts(&edited, cases[i].to);
		hx_buf_puts(&edited, at + strlen(cases[i].from));
		assert_int_equal(hx_file_write_atomic("bad/shard.json", edited.ptr, edited.len), 0);
		assert_int_equal(hx_shard_manifest_read(&r, "bad"), HX_EINVALID);
		if (!strstr(hx_error_last(), cases[i].field) || !strstr(hx_error_last(), "bad/shard.json"))
			fail_msg("case %zu: '%s'", i, hx_error_last());
	}
	assert_int_equal(hx_file_write_atomic("bad/shard.json", "{", 1), 0);
	assert_int_equal(hx_shard_manifest_read(&r, "bad"), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "bad/shard.json:1:"));
	assert_int_equal(hx_shard_manifest_read(&r, "nowhere"), HX_ENOTFOUND);
	assert_non_null(strstr(hx_error_last(), "'nowhere' is not a shard"));
	hx_buf_release(&text);
	hx_buf_release(&edited);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_partition),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_manifests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
