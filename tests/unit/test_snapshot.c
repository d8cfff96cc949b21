/* test_snapshot.c - snapshot files, the golden verdicts, accept and reject.
 * The spec scan, golden status and the review walk: test_golden.c. */
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
#include "snapshot_fixture.h"

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
	assert_string_equal(g.diff.text.ptr, "  paths:\n    .v: 1 changed\n"
					     "  record 1 (tier=fast):\n    .v: 2 -> 3\n");
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

/* A golden that is the snapshot directory itself is refused, clearly. */
static void test_accept_into_itself(void **state)
{
	char *snap = hx_path_join(root, "itself");
	(void)state;
	write_snapshot(snap, "{\"a\":1}\n");
	assert_int_equal(hx_golden_accept(snap, snap), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "is the snapshot directory itself"));
	assert_true(hx_path_exists(snap));
	free(snap);
}

/* run --pending-dir keeps this run's snapshot or nothing: a snapshot
 * another run wrote meanwhile (another hash) is not copied. */
static void test_copy_expects_the_runs_hash(void **state)
{
	char *snap = hx_path_join(root, "pending-src"), *dst = hx_path_join(root, "pending-dst");
	char mine[HX_HASH_HEX_LEN], theirs[HX_HASH_HEX_LEN];
	(void)state;
	hash_of(mine, "{\"a\":1}\n");
	write_snapshot(snap, "{\"a\":2}\n");
	hash_of(theirs, "{\"a\":2}\n");
	assert_int_equal(hx_snapshot_copy(snap, dst, mine), HX_EMISMATCH);
	assert_non_null(strstr(hx_error_last(), "is another run's snapshot now"));
	assert_false(hx_path_exists(dst));
	assert_int_equal(hx_snapshot_copy(snap, dst, theirs), 0);
	assert_true(hx_path_exists(dst));
	free(snap);
	free(dst);
}

/* A temp file an interrupted write (of an older harness) left in a
 * snapshot is never accepted: removed; golden holds the manifest, its
 * streams and the notes a person left, nothing else. */
static void test_accept_leaves_out_temp_files(void **state)
{
	char *snap = hx_path_join(root, "tmpsnap"), *gold = hx_path_join(root, "tmpsnap-gold");
	char *tmp = hx_path_join(snap, "manifest.json.tmp.Q1w2E3");
	char *notes = hx_path_join(snap, "notes.txt"), *old = hx_path_join(gold, "old.jsonl");
	char cmd[512];
	(void)state;

	write_snapshot(snap, "{\"a\":1}\n");
	assert_int_equal(hx_file_write_atomic(tmp, "{\"half", 6), 0);
	assert_int_equal(hx_file_write_atomic(notes, "why\n", 4), 0);
	assert_int_equal(hx_mkdirs(gold, 0777), 0);
	assert_int_equal(hx_file_write_atomic(old, "{}\n", 3), 0);
	assert_int_equal(hx_golden_accept(snap, gold), 0);
	assert_false(hx_path_exists(tmp));
	snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s' | tr '\\n' ' ')\" = "
		 "'manifest.json notes.txt telemetry.jsonl '", gold);
	assert_int_equal(system(cmd), 0);
	free(old);
	free(notes);
	free(tmp);
	free(snap);
	free(gold);
}

/* Streams without a manifest (an older harness's interrupted write): an
 * incomplete snapshot, said so; a snapshot is never written over a
 * directory holding a subdirectory. */
static void test_incomplete_and_odd_dirs(void **state)
{
	char *snap = hx_path_join(root, "half"), *gold = hx_path_join(root, "half-gold");
	char *manifest = hx_path_join(snap, "manifest.json"), *sub = hx_path_join(gold, "sub");
	char hash[HX_HASH_HEX_LEN], msg[512];
	hx_buf want = HX_BUF_INIT, got = HX_BUF_INIT;
	hx_snapshot_info info;
	hx_canon_profile p;
	(void)state;

	write_snapshot(snap, "{\"a\":1}\n");
	assert_int_equal(hx_file_read(&got, manifest), 0);
	/* hx_snapshot_manifest_format gives the bytes written */
	demo_info(&info, &p, "{\"a\":1}\n");
	hx_snapshot_manifest_format(&want, &info);
	assert_string_equal(want.ptr, got.ptr);
	p.name = NULL;
	hx_canon_profile_release(&p);

	assert_int_equal(unlink(manifest), 0);
	assert_int_equal(hx_snapshot_read_hash(snap, hash, NULL), HX_EINVALID);
	snprintf(msg, sizeof(msg),
		 "'%s' is incomplete: streams without a manifest.json (an interrupted write); "
		 "write it again (run the experiment, or accept its snapshot)",
		 snap);
	assert_string_equal(hx_error_last(), msg);
	assert_int_equal(hx_golden_accept(snap, gold), HX_EINVALID);
	assert_false(hx_path_exists(gold));
	write_snapshot(snap, "{\"a\":1}\n");
	assert_int_equal(hx_snapshot_read_hash(snap, hash, NULL), 0);

	assert_int_equal(hx_mkdirs(sub, 0777), 0);
	assert_int_equal(hx_golden_accept(snap, gold), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "holds a directory ('sub'): not a snapshot"));
	assert_true(hx_is_dir(sub));
	hx_buf_release(&want);
	hx_buf_release(&got);
	free(sub);
	free(manifest);
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


static void test_reject(void **state)
{
	char *snap = hx_path_join(root, "rej"), *gold = hx_path_join(root, "rej-gold");
	char *odd = hx_path_join(root, "odd"), *sub = hx_path_join(odd, "sub");
	char hash[HX_HASH_HEX_LEN], want[HX_HASH_HEX_LEN];
	(void)state;

	write_snapshot(snap, "{\"a\":1}\n");
	assert_int_equal(hx_golden_accept(snap, gold), 0);
	write_snapshot(snap, "{\"a\":2}\n");
	assert_int_equal(hx_golden_reject(snap), 0);
	assert_false(hx_path_exists(snap));
	/* golden is left as it was */
	assert_int_equal(hx_snapshot_read_hash(gold, hash, NULL), 0);
	hash_of(want, "{\"a\":1}\n");
	assert_string_equal(hash, want);
	assert_int_equal(hx_golden_reject(snap), HX_ENOTFOUND);
	assert_non_null(strstr(hx_error_last(), "no snapshot in '"));

	/* A directory with a subdirectory is not a snapshot: nothing removed,
	 * nothing written over it. */
	write_snapshot(odd, "{\"a\":1}\n");
	assert_int_equal(hx_mkdirs(sub, 0777), 0);
	assert_int_equal(hx_golden_reject(odd), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "not a snapshot"));
	assert_true(hx_is_dir(sub));
	assert_int_equal(hx_snapshot_read_hash(odd, hash, NULL), 0);
	free(sub);
	free(odd);
	free(snap);
	free(gold);
}

/* ---- several streams (an experiment series) ---- */

/* The example below, hashed independently:
 *   printf '{"k":1}\n{"k":2}\n' | xxh128sum    -> 358735c0135b3eaf46eb37b26e991623
 *   printf '{"x":"y"}\n' | xxh128sum           -> 0f713b51bcc5ccac515ea442eb5373b0
 *   printf '%s' '{"a.jsonl":{"hash":"xxh3-128:358735c0135b3eaf46eb37b26e991623",'\
 *     '"records":2},"b.jsonl":{"hash":"xxh3-128:0f713b51bcc5ccac515ea442eb5373b0",'\
 *     '"records":1}}' | xxh128sum              -> a4e373ab0f1e54bd21f42fd005afd159 */
#define HA "xxh3-128:358735c0135b3eaf46eb37b26e991623"
#define HB "xxh3-128:0f713b51bcc5ccac515ea442eb5373b0"
#define HTOP "xxh3-128:a4e373ab0f1e54bd21f42fd005afd159"


static void test_streams_manifest(void **state)
{
	char *dir = hx_path_join(root, "ms"), *path = hx_path_join(dir, "manifest.json");
	char *stale = hx_path_join(dir, "old.jsonl"), *tel = hx_path_join(dir, "telemetry.jsonl");
	char *other = hx_path_join(dir, "notes.txt");
	hx_snapshot_stream s[2];
	hx_snapshot_info info;
	hx_canon_profile p;
	hx_buf b = HX_BUF_INIT;
	char top[HX_HASH_HEX_LEN], hash[HX_HASH_HEX_LEN], check[HX_HASH_HEX_LEN];
	size_t records = 0;
	(void)state;

	/* An earlier snapshot's streams (a step removed since) go; other files stay. */
	write_file(stale, "{}\n");
	write_file(tel, "{}\n");
	write_file(other, "kept\n");
	streams_info(&info, &p);
	memset(s, 0, sizeof(s));
	s[0].name = "b.jsonl";
	s[0].data = "{\"x\":\"y\"}\n";
	s[0].len = strlen(s[0].data);
	s[0].records = 1;
	s[1].name = "a.jsonl";
	s[1].data = "{\"k\":1}\n{\"k\":2}\n";
	s[1].len = strlen(s[1].data);
	s[1].records = 2;
	assert_int_equal(hx_snapshot_write_streams(dir, &info, s, 2, top), 0);
	assert_string_equal(s[0].hash, HB);
	assert_string_equal(s[1].hash, HA);
	assert_string_equal(top, HTOP);
	/* the same, through hash.h, of the literal streams text */
	hash_of(check, "{\"a.jsonl\":{\"hash\":\"" HA "\",\"records\":2},"
		       "\"b.jsonl\":{\"hash\":\"" HB "\",\"records\":1}}");
	assert_string_equal(top, check);
	assert_int_equal(hx_file_read(&b, path), 0);
	assert_string_equal(b.ptr, "{\"engine\":{\"kind\":\"ticksim\",\"version\":\"ticksim/1\"},"
				   "\"experiment\":\"series\",\"format\":\"harness-snapshot/1\","
				   "\"hash\":\"" HTOP "\","
				   "\"profile\":{\"name\":\"none\",\"round\":{},\"strip\":[]},"
				   "\"seed\":\"7\",\"streams\":{"
				   "\"a.jsonl\":{\"hash\":\"" HA "\",\"records\":2},"
				   "\"b.jsonl\":{\"hash\":\"" HB "\",\"records\":1}}}\n");
	hx_buf_reset(&b);
	assert_false(hx_path_exists(stale));
	assert_false(hx_path_exists(tel));
	assert_true(hx_path_exists(other));
	free(stale);
	stale = hx_path_join(dir, "a.jsonl");
	assert_int_equal(hx_file_read(&b, stale), 0);
	assert_string_equal(b.ptr, "{\"k\":1}\n{\"k\":2}\n");

	/* read_hash: no telemetry stream, so the top-level hash and the sum */
	assert_int_equal(hx_snapshot_read_hash(dir, hash, &records), 0);
	assert_string_equal(hash, HTOP);
	assert_int_equal(records, 3);
	assert_int_equal(hx_snapshot_read_stream_hash(dir, "b.jsonl", hash, &records), 0);
	assert_string_equal(hash, HB);
	assert_int_equal(records, 1);
	assert_int_equal(hx_snapshot_read_stream_hash(dir, "c.jsonl", hash, &records), HX_ENOTFOUND);
	assert_int_equal(hx_snapshot_read_stream_hash(root, "a.jsonl", hash, NULL), HX_ENOTFOUND);
	hx_error_clear();

	/* A single-stream manifest answers for its one stream. */
	free(path);
	path = hx_path_join(root, "ms-single");
	write_snapshot(path, "{\"a\":1}\n");
	hash_of(check, "{\"a\":1}\n");
	assert_int_equal(hx_snapshot_read_stream_hash(path, "telemetry.jsonl", hash, &records), 0);
	assert_string_equal(hash, check);
	assert_int_equal(records, 2);

	/* Bad or repeated names: refused, nothing written. */
	{
		static const char *const bad[] = {"",          "x.json",    "../a.jsonl", "a/b.jsonl",
						  ".a.jsonl",  ".jsonl",    "manifest.json", "a b.jsonl",
						  "a.jsonl.x", NULL};
		char *fresh = hx_path_join(root, "ms-bad");
		size_t i;
		for (i = 0; bad[i]; i++) {
			s[0].name = bad[i];
			assert_int_equal(hx_snapshot_write_streams(fresh, &info, s, 2, top), HX_EINVALID);
			assert_non_null(strstr(hx_error_last(), "is not valid"));
			assert_false(hx_snapshot_stream_name_ok(bad[i]));
		}
		s[0].name = "a.jsonl";
		assert_int_equal(hx_snapshot_write_streams(fresh, &info, s, 2, top), HX_EINVALID);
		assert_string_equal(hx_error_last(), "stream 'a.jsonl' is given twice");
		assert_false(hx_path_exists(fresh));
		assert_true(hx_snapshot_stream_name_ok("Step_2.v-1.jsonl"));
		hx_error_clear();
		free(fresh);
	}
	p.name = NULL;
	hx_canon_profile_release(&p);
	hx_buf_release(&b);
	free(other);
	free(tel);
	free(stale);
	free(path);
	free(dir);
}

static const char *const label_key[] = {"label", NULL};

static void test_check_stream(void **state)
{
	char *snap = hx_path_join(root, "cs"), *gold = hx_path_join(root, "cs-gold");
	char *none = hx_path_join(root, "cs-none");
	char top[HX_HASH_HEX_LEN], hash[HX_HASH_HEX_LEN];
	hx_golden_result g;
	(void)state;

	write_streams(snap, top, "a.jsonl", "{\"label\":\"r1\",\"v\":1}\n", (size_t)1, "b.jsonl",
		      "{\"label\":\"r1\",\"v\":1}\n{\"label\":\"r2\",\"v\":2}\n", (size_t)2,
		      (const char *)NULL);
	/* no golden at all */
	assert_int_equal(hx_snapshot_read_stream_hash(snap, "b.jsonl", hash, NULL), 0);
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check_stream(&g, none, snap, "b.jsonl", hash, label_key), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MISSING);
	assert_string_equal(g.golden_hash, "");
	hx_golden_result_release(&g);
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check(&g, none, snap, top), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MISSING);
	hx_golden_result_release(&g);

	assert_int_equal(hx_golden_accept(snap, gold), 0);
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check(&g, gold, snap, top), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MATCH);
	assert_string_equal(g.golden_hash, top);
	hx_golden_result_release(&g);

	/* b changes in record r2, c is new */
	write_streams(snap, top, "a.jsonl", "{\"label\":\"r1\",\"v\":1}\n", (size_t)1, "b.jsonl",
		      "{\"label\":\"r1\",\"v\":1}\n{\"label\":\"r2\",\"v\":3}\n", (size_t)2,
		      "c.jsonl", "{\"n\":1}\n", (size_t)1, (const char *)NULL);
	assert_int_equal(hx_snapshot_read_stream_hash(snap, "a.jsonl", hash, NULL), 0);
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check_stream(&g, gold, snap, "a.jsonl", hash, label_key), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MATCH);
	assert_string_equal(g.golden_hash, hash);
	hx_golden_result_release(&g);

	assert_int_equal(hx_snapshot_read_stream_hash(snap, "b.jsonl", hash, NULL), 0);
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check_stream(&g, gold, snap, "b.jsonl", hash, label_key), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MISMATCH);
	assert_int_equal(g.diff.changed, 1);
	assert_string_equal(g.diff.text.ptr, "  paths:\n    .v: 1 changed\n"
					     "  record 1 (label=r2):\n    .v: 2 -> 3\n");
	hx_golden_result_release(&g);

	assert_int_equal(hx_snapshot_read_stream_hash(snap, "c.jsonl", hash, NULL), 0);
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check_stream(&g, gold, snap, "c.jsonl", hash, NULL), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MISSING);
	assert_string_equal(g.golden_hash, "");
	hx_golden_result_release(&g);

	/* The whole snapshot: the first differing stream by name is b. */
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check(&g, gold, snap, top), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MISMATCH);
	assert_int_equal(g.diff.changed, 1);
	assert_int_equal(g.diff.added, 0);
	assert_string_equal(g.diff.text.ptr, "  paths:\n    .v: 1 changed\n"
					     "  record 1:\n    .v: 2 -> 3\n");
	hx_golden_result_release(&g);

	/* A stream only the snapshot has, first by name, diffs against empty. */
	write_streams(snap, top, "a.jsonl", "{\"label\":\"r1\",\"v\":1}\n", (size_t)1, "a0.jsonl",
		      "{\"n\":1}\n{\"n\":2}\n", (size_t)2, "b.jsonl",
		      "{\"label\":\"r1\",\"v\":1}\n{\"label\":\"r2\",\"v\":2}\n", (size_t)2,
		      (const char *)NULL);
	hx_golden_result_init(&g);
	assert_int_equal(hx_golden_check(&g, gold, snap, top), 0);
	assert_int_equal(g.verdict, HX_GOLDEN_MISMATCH);
	assert_int_equal(g.diff.old_records, 0);
	assert_int_equal(g.diff.added, 2);
	hx_golden_result_release(&g);
	free(none);
	free(snap);
	free(gold);
}

static void test_accept_streams(void **state)
{
	char *snap = hx_path_join(root, "as"), *gold = hx_path_join(root, "as-gold");
	char *bs = hx_path_join(snap, "b.jsonl"), *gb = hx_path_join(gold, "b.jsonl");
	char *man = hx_path_join(snap, "manifest.json");
	char top[HX_HASH_HEX_LEN], hash[HX_HASH_HEX_LEN], edited[HX_HASH_HEX_LEN];
	hx_buf b = HX_BUF_INIT;
	size_t records;
	char *at;
	(void)state;

	write_streams(snap, top, "a.jsonl", "{\"k\":1}\n{\"k\":2}\n", (size_t)2, "b.jsonl",
		      "{\"x\":\"y\"}\n", (size_t)1, (const char *)NULL);
	/* a hand-edited stream */
	write_file(bs, "{\"x\":\"z\"}\n");
	assert_int_equal(hx_golden_accept(snap, gold), HX_EMISMATCH);
	assert_non_null(strstr(hx_error_last(), "b.jsonl' does not hash to its manifest"));
	assert_false(hx_path_exists(gold));
	/* ... and its manifest entry edited to match: the top-level hash says no */
	hash_of(edited, "{\"x\":\"z\"}\n");
	assert_int_equal(hx_file_read(&b, man), 0);
	assert_non_null(at = strstr(b.ptr, HB));
	memcpy(at, edited, HX_HASH_HEX_LEN - 1);
	write_file(man, b.ptr);
	assert_int_equal(hx_golden_accept(snap, gold), HX_EMISMATCH);
	assert_non_null(strstr(hx_error_last(), "its streams do not hash to its \"hash\""));
	assert_false(hx_path_exists(gold));
	hx_error_clear();

	write_streams(snap, top, "a.jsonl", "{\"k\":1}\n{\"k\":2}\n", (size_t)2, "b.jsonl",
		      "{\"x\":\"y\"}\n", (size_t)1, (const char *)NULL);
	assert_string_equal(top, HTOP);
	assert_int_equal(hx_golden_accept(snap, gold), 0);
	assert_true(hx_path_exists(gb));
	assert_int_equal(hx_snapshot_read_hash(gold, hash, &records), 0);
	assert_string_equal(hash, HTOP);
	assert_int_equal(records, 3);

	/* step b removed: accepting leaves golden equal to the snapshot */
	write_streams(snap, top, "a.jsonl", "{\"k\":1}\n{\"k\":2}\n", (size_t)2, (const char *)NULL);
	assert_false(hx_path_exists(bs));
	assert_int_equal(hx_golden_accept(snap, gold), 0);
	assert_false(hx_path_exists(gb));
	assert_int_equal(hx_snapshot_read_hash(gold, hash, &records), 0);
	assert_string_equal(hash, top);
	assert_int_equal(records, 2);
	{
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "diff -r '%s' '%s' >/dev/null", snap, gold);
		assert_int_equal(system(cmd), 0);
	}
	hx_buf_release(&b);
	free(man);
	free(gb);
	free(bs);
	free(snap);
	free(gold);
}

/* Series specs in the scan, golden status and the review. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_is_canonical_json),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_accept_refuses_edited_snapshot),
		cmocka_unit_test(test_copy_expects_the_runs_hash),
		cmocka_unit_test(test_accept_into_itself),
		cmocka_unit_test(test_accept_without_snapshot),
		cmocka_unit_test(test_accept_leaves_out_temp_files),
		cmocka_unit_test(test_incomplete_and_odd_dirs),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_streams_manifest),
		cmocka_unit_test(test_check_stream),
		cmocka_unit_test(test_accept_streams),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
