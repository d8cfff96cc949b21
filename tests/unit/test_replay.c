/* test_replay.c - a run's archive replays bit for bit; a changed model
 * parameter shows up as a diff; a damaged archive is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "replay.h"
#include "run.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("replay")

static const char spec_text[] =
	"experiment: rp\nseed: 11\nengine: {kind: sim-verifier}\n"
	"models: models/noise.yaml\n"
	"corpus: {kind: synthetic, modules: 300}\n"
	"tiers: {FAST: , BALANCED: }\nsamples: 150\n"
	"label: {sample: 60, consensus: [{tier: BALANCED}, {tier: BALANCED}, {tier: BALANCED}]}\n";

static const char models_text[] =
	"tiers:\n"
	"  fast_noisy: {timeout_rate: 0.10, spurious_fail_rate: 0.05, spurious_pass_rate: 0.02,"
	" base_timeout_s: 30, timeout_distribution: {type: uniform, min_ms: 500, max_ms: 1500}}\n"
	"  balanced: {timeout_rate: 0.05, spurious_fail_rate: 0.02, spurious_pass_rate: 0.01,"
	" base_timeout_s: 60, timeout_distribution: {type: uniform, min_ms: 1000, max_ms: 2000}}\n";

static char archive_path[256];

static void run_and_archive(void)
{
	hx_run_options opt;
	hx_run_result r;
	FILE *fp;
	assert_int_equal(hx_mkdirs("spec/models", 0777), 0);
	fp = fopen("spec/models/noise.yaml", "w");
	fputs(models_text, fp);
	fclose(fp);
	fp = fopen("spec/rp.yaml", "w");
	fputs(spec_text, fp);
	fclose(fp);
	memset(&opt, 0, sizeof(opt));
	opt.spec_path = "spec/rp.yaml";
	opt.out_dir = "run1";
	opt.workers = 3;
	opt.archive_dir = "arch";
	hx_run_result_init(&r);
	assert_int_equal(hx_run(&r, &opt), 0);
	assert_non_null(r.archive_path);
	assert_true(strncmp(r.archive_path, "arch/rp-", 8) == 0);
	assert_non_null(strstr(r.archive_path, ".tar.zst"));
	snprintf(archive_path, sizeof(archive_path), "%s", r.archive_path);
	hx_run_result_release(&r);
}

static void test_replay_identical(void **state)
{
	hx_replay_options opt;
	hx_replay_result r;
	hx_archive_contents c;
	const hx_buf *spec;
	(void)state;
	run_and_archive();

	/* The archive holds the resolved spec (seed, models by member name)
	 * and the models the run used. */
	assert_int_equal(hx_archive_read(&c, archive_path), 0);
	spec = hx_archive_member_data(&c, "spec.yaml");
	assert_non_null(spec);
	assert_non_null(strstr(spec->ptr, "models: models.yaml"));
	assert_non_null(strstr(spec->ptr, "seed: 11"));
	assert_non_null(hx_archive_member_data(&c, "models.yaml"));
	assert_int_equal(hx_archive_member_data(&c, "models.yaml")->len, strlen(models_text));
	assert_non_null(hx_archive_member_data(&c, "labels.jsonl"));
	assert_non_null(hx_archive_member_data(&c, "snapshot/telemetry.jsonl"));
	hx_archive_contents_release(&c);

	/* From another directory, with another worker count: identical. */
	memset(&opt, 0, sizeof(opt));
	opt.archive_path = archive_path;
	opt.workers = 1;
	opt.work_dir = "w1";
	hx_replay_result_init(&r);
	assert_int_equal(hx_replay(&r, &opt), 0);
	assert_true(r.snapshot_identical);
	assert_true(r.models_identical);
	assert_string_equal(r.archived_hash, r.replayed_hash);
	assert_string_equal(r.experiment, "rp");
	assert_string_equal(r.seed, "11");
	assert_true(r.members >= 10);
	hx_replay_result_release(&r);
}

/* Rewrite member `name` of the test archive with `fix` applied to a copy of
 * its bytes, into a consistent archive at `out_path` (a new manifest). */
static void rewrite_member(const char *out_path, const char *name, void (*fix)(hx_buf *))
{
	hx_archive_contents c;
	hx_archive_member m[32];
	hx_archive_meta meta;
	hx_arena *arena = hx_arena_new();
	hx_json *man;
	hx_json_error je;
	hx_buf copy = HX_BUF_INIT;
	size_t i;
	assert_int_equal(hx_archive_read(&c, archive_path), 0);
	for (i = 0; i < c.n; i++) {
		m[i].name = c.names[i];
		m[i].data = c.data[i].ptr ? c.data[i].ptr : "";
		m[i].len = c.data[i].len;
		if (strcmp(c.names[i], name) == 0) {
			hx_buf_put(&copy, c.data[i].ptr, c.data[i].len);
			fix(&copy);
			m[i].data = copy.ptr;
			m[i].len = copy.len;
		}
	}
	/* keep the archived snapshot hash: that is what a replay checks */
	assert_int_equal(hx_json_parse(&man, arena, c.manifest, c.manifest_len, &je), 0);
	memset(&meta, 0, sizeof(meta));
	meta.experiment = "rp";
	meta.seed = 11;
	meta.spec_member = "spec.yaml";
	meta.engine.kind = "sim-verifier";
	meta.engine.version = "sim-verifier/1";
	meta.workers = 2;
	meta.started = meta.finished = "2026-11-22T00:00:00Z";
	meta.snapshot_hash = hx_json_get(man, "snapshot_hash")->u.string.ptr;
	meta.golden = "missing";
	assert_int_equal(hx_archive_write(out_path, &meta, m, c.n, NULL), 0);
	hx_arena_free(arena);
	hx_buf_release(&copy);
	hx_archive_contents_release(&c);
}

/* balanced's timeout_rate 0.05 -> 0.30. */
static void raise_timeout_rate(hx_buf *b)
{
	char *at = strstr(b->ptr, "balanced: {timeout_rate: 0.05");
	assert_non_null(at);
	memcpy(at + strlen("balanced: {timeout_rate: "), "0.30", 4);
}

/* An archive whose models say 0.30 where the run had 0.05 (a consistent
 * archive, not a damaged one): the replay differs and says where. */
static void test_replay_changed_model(void **state)
{
	hx_replay_options opt;
	hx_replay_result r;
	(void)state;
	rewrite_member("changed.tar.zst", "models.yaml", raise_timeout_rate);
	memset(&opt, 0, sizeof(opt));
	opt.archive_path = "changed.tar.zst";
	hx_replay_result_init(&r);
	assert_int_equal(hx_replay(&r, &opt), 0);
	assert_false(r.snapshot_identical);
	assert_true(r.diff.changed > 0);
	assert_non_null(strstr(r.diff.text.ptr, "outcome"));
	assert_false(r.models_identical);
	assert_non_null(strstr(r.models_report.ptr, "noise_config.yaml: differs"));
	hx_replay_result_release(&r);
}

/* One more digit on the first record's duration_ms: the same value at the
 * profile's 2 decimals. */
static void nudge_duration(hx_buf *b)
{
	char *at = strstr(b->ptr, "\"duration_ms\":"), *end;
	hx_buf out = HX_BUF_INIT;
	assert_non_null(at);
	at += strlen("\"duration_ms\":");
	end = at + strcspn(at, ",}");
	hx_buf_put(&out, b->ptr, (size_t)(end - b->ptr));
	hx_buf_puts(&out, memchr(at, '.', (size_t)(end - at)) ? "0001" : ".0001");
	hx_buf_put(&out, end, b->len - (size_t)(end - b->ptr));
	hx_buf_release(b);
	*b = out;
}

/* A raw timing that differs within the canonical profile's rounding: the
 * replay is identical (the canonical form decides) and the report counts
 * the record. */
static void test_replay_within_rounding(void **state)
{
	hx_replay_options opt;
	hx_replay_result r;
	(void)state;
	rewrite_member("rounded.tar.zst", "telemetry.jsonl", nudge_duration);
	memset(&opt, 0, sizeof(opt));
	opt.archive_path = "rounded.tar.zst";
	hx_replay_result_init(&r);
	assert_int_equal(hx_replay(&r, &opt), 0);
	assert_true(r.snapshot_identical);
	assert_true(r.models_identical);
	assert_int_equal(r.raw_records_differing, 1);
	assert_non_null(strstr(r.rounded_fields.ptr, "duration_ms"));
	hx_replay_result_release(&r);
}

/* Damage: a truncated archive is refused with a clear error, before any run. */
static void test_replay_damaged(void **state)
{
	hx_buf b = HX_BUF_INIT;
	hx_replay_options opt;
	hx_replay_result r;
	int err;
	(void)state;
	assert_int_equal(hx_file_read(&b, archive_path), 0);
	assert_int_equal(hx_file_write_atomic("half.tar.zst", b.ptr, b.len / 2), 0);
	memset(&opt, 0, sizeof(opt));
	opt.archive_path = "half.tar.zst";
	opt.work_dir = "never";
	hx_replay_result_init(&r);
	err = hx_replay(&r, &opt);
	assert_true(err == HX_EINVALID || err == HX_EMISMATCH);
	assert_non_null(strstr(hx_error_last(), "half.tar.zst"));
	assert_false(hx_path_exists("never/run"));
	hx_replay_result_release(&r);
	hx_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_identical),
		cmocka_unit_test(test_replay_changed_model),
		cmocka_unit_test(test_replay_within_rounding),
		cmocka_unit_test(test_replay_damaged),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
