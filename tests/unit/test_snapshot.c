/* test_snapshot.c - snapshot files, the golden verdicts, accept and reject,
 * the spec scan, golden status and the review walk. */
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

/* The snapshot info of the tests' single-stream snapshots of text;
 * release p (hx_canon_profile_release after p->name = NULL). */
static void demo_info(hx_snapshot_info *info, hx_canon_profile *p, const char *text)
{
	memset(info, 0, sizeof(*info));
	hx_canon_profile_init(p);
	p->name = "none";
	info->experiment = "demo";
	info->seed = 18446744073709551615ULL;
	info->engine_kind = "sim-verifier";
	info->engine_version = "sim-verifier/1";
	info->profile = p;
	hx_hash128_buf(info->hash, text, strlen(text));
	info->records = 2;
}

static void write_snapshot(const char *dir, const char *text)
{
	hx_canon_profile p;
	hx_snapshot_info info;
	demo_info(&info, &p, text);
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

static void write_file(const char *path, const char *text)
{
	char *dir = hx_path_dirname(path);
	assert_int_equal(hx_mkdirs(dir, 0777), 0);
	assert_int_equal(hx_file_write_atomic(path, text, strlen(text)), 0);
	free(dir);
}

static void hash_of(char out[HX_HASH_HEX_LEN], const char *text)
{
	hx_hash128_buf(out, text, strlen(text));
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

#define SPEC_BODY "seed: 1\nengine: {kind: sim-verifier}\ntiers: {BALANCED: }\nsamples: 10\n"

/* A project under root/NAME (entered): specs a..e and three that are not
 * specs or are broken; snapshots a (= golden), b (!= golden), d and e (no
 * golden); golden a, b and old (no spec). */
static char *enter_project(const char *name)
{
	char *dir = hx_path_join(root, name);
	assert_int_equal(hx_mkdirs(dir, 0777), 0);
	assert_int_equal(chdir(dir), 0);
	return dir;
}

static void make_status_project(void)
{
	write_file("experiments/a.yaml", "experiment: a\n" SPEC_BODY "tags: [nightly, smoke]\n");
	write_file("experiments/b.yaml", "experiment: b\ngolden: ./golden//b/\n" SPEC_BODY);
	write_file("experiments/bad.yaml", "experiment: Bad\n" SPEC_BODY);
	write_file("experiments/broken.yaml", "experiment: [\n");
	write_file("experiments/models/m.yaml", "tiers: {}\n");
	write_file("experiments/x.profile.yaml", "name: x\nstrip: [timestamp]\n");
	write_file("experiments/notes.txt", "experiment: not yaml by name\n");
	write_file("experiments/.hidden/h.yaml", "experiment: h\n" SPEC_BODY);
	write_file("experiments/sub/c.yaml", "experiment: c\ngolden: golden/custom-c\n" SPEC_BODY);
	write_file("experiments/sub/e.yaml", "experiment: e\n" SPEC_BODY "tags: [nightly]\n");
	write_file("experiments/sub/e2.yaml", "experiment: e\n" SPEC_BODY);
	write_snapshot("golden/a", "{\"v\":1}\n");
	write_snapshot("snapshots/a", "{\"v\":1}\n");
	write_snapshot("golden/b", "{\"v\":1}\n");
	write_snapshot("snapshots/b", "{\"v\":2}\n");
	write_snapshot("snapshots/d", "{\"v\":3}\n");
	write_snapshot("snapshots/e", "{\"v\":4}\n");
	write_snapshot("golden/old", "{\"v\":5}\n");
}

static void test_specs_scan(void **state)
{
	char *dir = enter_project("scan");
	hx_golden_specs specs;
	(void)state;

	make_status_project();
	hx_golden_specs_init(&specs);
	assert_int_equal(hx_golden_specs_scan(&specs, "experiments"), 0);
	/* sorted by path; models, profiles, .txt and hidden entries skipped */
	assert_int_equal(specs.n, 7);
	assert_string_equal(specs.items[0].path, "experiments/a.yaml");
	assert_string_equal(specs.items[0].experiment, "a");
	assert_string_equal(specs.items[0].golden, "golden/a");
	assert_int_equal(specs.items[0].ntags, 2);
	assert_true(hx_golden_spec_has_tag(&specs.items[0], "nightly"));
	assert_true(hx_golden_spec_has_tag(&specs.items[0], "smoke"));
	assert_false(hx_golden_spec_has_tag(&specs.items[0], "night"));
	assert_null(specs.items[0].error);
	assert_string_equal(specs.items[1].path, "experiments/b.yaml");
	assert_string_equal(specs.items[1].golden, "./golden//b/");
	assert_false(hx_golden_spec_has_tag(&specs.items[1], "nightly"));
	assert_string_equal(specs.items[2].path, "experiments/bad.yaml");
	assert_null(specs.items[2].experiment);
	assert_non_null(strstr(specs.items[2].error, "experiments/bad.yaml:1:13: experiment name 'Bad'"));
	assert_string_equal(specs.items[3].path, "experiments/broken.yaml");
	assert_non_null(strstr(specs.items[3].error, "experiments/broken.yaml:2:1: "));
	assert_string_equal(specs.items[4].path, "experiments/sub/c.yaml");
	assert_string_equal(specs.items[4].golden, "golden/custom-c");
	assert_string_equal(specs.items[5].path, "experiments/sub/e.yaml");
	assert_string_equal(specs.items[6].path, "experiments/sub/e2.yaml");
	/* e.yaml and e2.yaml both say "experiment: e": each names the other */
	assert_string_equal(specs.items[5].duplicate, "experiments/sub/e2.yaml");
	assert_string_equal(specs.items[6].duplicate, "experiments/sub/e.yaml");
	assert_null(specs.items[0].duplicate);
	assert_null(specs.items[4].duplicate);
	hx_golden_specs_release(&specs);

	assert_int_equal(hx_golden_specs_scan(&specs, "nosuch"), HX_ENOTFOUND);
	assert_int_equal(specs.n, 0);
	hx_golden_specs_release(&specs);
	free(dir);
}

static void test_status_scan(void **state)
{
	char *dir = enter_project("status");
	hx_golden_specs specs;
	hx_golden_status st;
	hx_buf out = HX_BUF_INIT, want = HX_BUF_INIT;
	char h1[HX_HASH_HEX_LEN], h2[HX_HASH_HEX_LEN];
	const hx_golden_entry *e;
	(void)state;

	make_status_project();
	hash_of(h1, "{\"v\":1}\n");
	hash_of(h2, "{\"v\":2}\n");
	hx_golden_specs_init(&specs);
	hx_golden_status_init(&st);
	assert_int_equal(hx_golden_specs_scan(&specs, "experiments"), 0);
	assert_int_equal(hx_golden_status_scan(&st, &specs, "snapshots", "golden"), 0);
	assert_int_equal(st.n, 9);
	/* unreadable specs first, in path order */
	assert_int_equal(st.items[0].state, HX_GOLDEN_STATE_UNREADABLE);
	assert_string_equal(st.items[0].kind, "spec");
	assert_string_equal(st.items[0].name, "experiments/bad.yaml");
	assert_int_equal(st.items[1].state, HX_GOLDEN_STATE_UNREADABLE);
	assert_string_equal(st.items[1].name, "experiments/broken.yaml");
	hx_golden_entry_format(&out, &st.items[0]);
	assert_true(strncmp(out.ptr, "unreadable spec experiments/bad.yaml: experiments/bad.yaml:1:13: ",
			    65) == 0);
	hx_buf_reset(&out);
	/* then the experiment two specs give */
	assert_int_equal(st.items[2].state, HX_GOLDEN_STATE_DUPLICATE);
	hx_golden_entry_format(&out, &st.items[2]);
	assert_string_equal(out.ptr, "duplicate e  (named by experiments/sub/e.yaml and "
				     "experiments/sub/e2.yaml: one snapshot for several specs)\n");
	assert_non_null(hx_golden_status_duplicate(&st, "e"));
	assert_null(hx_golden_status_duplicate(&st, "a"));
	hx_buf_reset(&out);
	/* then by name; b's golden is its spec's ("./golden//b/"), which
	 * also keeps golden/b from being unused; c's spec has neither golden
	 * nor snapshot; e has a snapshot, so it is new and not missing too */
	hx_buf_printf(&want,
		      "ok        a\n"
		      "pending   b  (snapshot %s != golden %s)\n"
		      "missing   c  (spec experiments/sub/c.yaml has no golden)\n"
		      "new       d  (no golden yet)\n"
		      "new       e  (no golden yet)\n"
		      "unused    golden/old  (no spec refers to it)\n",
		      h2, h1);
	{
		hx_golden_status tail = st;
		tail.items += 3;
		tail.n -= 3;
		hx_golden_status_format(&out, &tail);
	}
	assert_string_equal(out.ptr, want.ptr);

	e = hx_golden_status_find(&st, "b");
	assert_non_null(e);
	assert_int_equal(e->state, HX_GOLDEN_STATE_PENDING);
	assert_string_equal(e->snapshot_dir, "snapshots/b");
	assert_string_equal(e->golden_dir, "./golden//b/");
	assert_string_equal(e->spec, "experiments/b.yaml");
	assert_string_equal(e->snapshot_hash, h2);
	assert_string_equal(e->golden_hash, h1);
	e = hx_golden_status_find(&st, "d");
	assert_non_null(e);
	assert_string_equal(e->golden_dir, "golden/d");
	assert_null(e->spec);
	assert_string_equal(hx_golden_status_find(&st, "e")->spec, "experiments/sub/e.yaml");
	assert_null(hx_golden_status_find(&st, "c")); /* no snapshot */
	assert_null(hx_golden_status_find(&st, "zz"));

	/* JSON: every key, null when absent */
	{
		hx_golden_status one = st;
		one.items += 5; /* missing c */
		one.n = 1;
		hx_buf_reset(&out);
		hx_golden_status_format_json(&out, &one);
		assert_string_equal(out.ptr,
				    "{\"entries\":[{\"error\":null,\"golden\":\"golden/custom-c\","
				    "\"golden_hash\":null,\"kind\":null,\"name\":\"c\",\"snapshot\":null,"
				    "\"snapshot_hash\":null,\"spec\":\"experiments/sub/c.yaml\","
				    "\"state\":\"missing\"}]}\n");
	}
	hx_golden_status_release(&st);

	/* No snapshots/ (nor golden/ as the root of unused ones): the specs
	 * speak; a and b have their golden and no snapshot yet. */
	hx_golden_status_init(&st);
	assert_int_equal(hx_golden_status_scan(&st, &specs, "no-snapshots", "no-golden"), 0);
	hx_buf_reset(&out);
	hx_golden_status_format(&out, &st);
	hx_buf_reset(&want);
	hx_buf_printf(&want,
		      "golden    a  (golden %s, no snapshot to compare yet)\n"
		      "golden    b  (golden %s, no snapshot to compare yet)\n"
		      "missing   c  (spec experiments/sub/c.yaml has no golden)\n"
		      "missing   e  (spec experiments/sub/e.yaml has no golden)\n",
		      h1, h1);
	assert_string_equal(strstr(out.ptr, "golden    a"), want.ptr);
	assert_int_equal(st.n, 7); /* 2 unreadable, 1 duplicate, 4 above */
	assert_int_equal(st.items[3].state, HX_GOLDEN_STATE_GOLDEN);
	assert_string_equal(st.items[3].golden_hash, h1);
	assert_null(st.items[3].snapshot_dir);
	assert_null(hx_golden_status_find(&st, "a")); /* nothing to accept */
	hx_golden_status_release(&st);
	hx_golden_specs_release(&specs);
	hx_buf_release(&out);
	hx_buf_release(&want);
	free(dir);
}

static void test_status_unreadable_manifests(void **state)
{
	char *dir = enter_project("unreadable");
	hx_golden_specs specs;
	hx_golden_status st;
	hx_buf out = HX_BUF_INIT;
	(void)state;

	/* spec f's golden has a manifest that is not JSON; snapshot g's has no
	 * hash; h's snapshot is fine but its golden is broken */
	write_file("experiments/f.yaml", "experiment: f\n" SPEC_BODY);
	write_file("experiments/h.yaml", "experiment: h\n" SPEC_BODY);
	write_file("golden/f/manifest.json", "not json\n");
	write_file("snapshots/g/manifest.json", "{}\n");
	write_snapshot("snapshots/h", "{\"v\":1}\n");
	write_file("golden/h/manifest.json", "{\"streams\":{}}\n");
	hx_golden_specs_init(&specs);
	hx_golden_status_init(&st);
	assert_int_equal(hx_golden_specs_scan(&specs, "experiments"), 0);
	assert_int_equal(hx_golden_status_scan(&st, &specs, "snapshots", "golden"), 0);
	hx_golden_status_format(&out, &st);
	assert_string_equal(out.ptr,
			    "unreadable golden golden/f: golden/f/manifest.json:1:1: invalid literal 'not'\n"
			    "unreadable golden golden/h: 'golden/h/manifest.json': no valid "
			    "streams.\"telemetry.jsonl\".hash\n"
			    "unreadable snapshot snapshots/g: 'snapshots/g/manifest.json': no valid "
			    "streams.\"telemetry.jsonl\".hash\n");
	assert_string_equal(st.items[0].kind, "golden");
	assert_string_equal(st.items[0].spec, "experiments/f.yaml");
	assert_string_equal(st.items[2].kind, "snapshot");
	assert_null(hx_golden_status_find(&st, "g"));
	assert_null(hx_golden_status_find(&st, "h"));
	hx_golden_status_release(&st);
	hx_golden_specs_release(&specs);
	hx_buf_release(&out);
	free(dir);
}

/* A pager that keeps what it was given (and can refuse). */
typedef struct {
	hx_buf seen;
	int refuse;
	size_t calls;
} fake_pager;

static int fake_page(void *ctx, const char *text, size_t len)
{
	fake_pager *p = ctx;
	p->calls++;
	if (p->refuse)
		return 1;
	hx_buf_put(&p->seen, text, len);
	return 0;
}

static char *review_paged(hx_golden_review_counts *counts, const char *keys, fake_pager *pager);

/* Run the review over `keys`; returns what it wrote. */
static char *review(hx_golden_review_counts *counts, const char *keys)
{
	return review_paged(counts, keys, NULL);
}

static char *review_paged(hx_golden_review_counts *counts, const char *keys, fake_pager *pager)
{
	hx_golden_specs specs;
	hx_golden_status st;
	char *text = NULL;
	size_t len = 0;
	FILE *in = tmpfile(), *out = open_memstream(&text, &len);

	assert_non_null(in);
	assert_non_null(out);
	fputs(keys, in);
	rewind(in);
	hx_golden_specs_init(&specs);
	hx_golden_status_init(&st);
	assert_int_equal(hx_golden_status_scan(&st, &specs, "snapshots", "golden"), 0);
	assert_int_equal(hx_golden_review(counts, &st, in, out, pager ? fake_page : NULL, pager), 0);
	fclose(in);
	fclose(out);
	hx_golden_status_release(&st);
	hx_golden_specs_release(&specs);
	return text;
}

static void test_review_walk(void **state)
{
	char *dir = enter_project("review");
	hx_golden_review_counts c;
	char hn[HX_HASH_HEX_LEN], hp1[HX_HASH_HEX_LEN], hp2[HX_HASH_HEX_LEN], hg[HX_HASH_HEX_LEN];
	char got[HX_HASH_HEX_LEN];
	hx_buf want = HX_BUF_INIT;
	char *text;
	(void)state;

	write_snapshot("golden/p1", "{\"tier\":\"fast\",\"v\":1}\n");
	write_snapshot("snapshots/p1", "{\"tier\":\"fast\",\"v\":2}\n");
	write_snapshot("golden/p2", "{\"tier\":\"fast\",\"v\":1}\n");
	write_snapshot("snapshots/p2", "{\"tier\":\"fast\",\"v\":3}\n");
	write_snapshot("snapshots/n1", "{\"tier\":\"slow\",\"v\":1}\n");
	hash_of(hn, "{\"tier\":\"slow\",\"v\":1}\n");
	hash_of(hp1, "{\"tier\":\"fast\",\"v\":2}\n");
	hash_of(hp2, "{\"tier\":\"fast\",\"v\":3}\n");
	hash_of(hg, "{\"tier\":\"fast\",\"v\":1}\n");

	/* n1: a wrong key, then accept; p1: reject; p2: quit */
	text = review(&c, "x a\nr\nq\n");
	hx_buf_printf(&want,
		      "new       n1  (no golden yet)\n"
		      "  accepting creates golden/n1 with 2 records (%s)\n"
		      "accept, reject, skip or quit? [a/r/s/q] ?\n"
		      "  a = accept into golden, r = reject (delete the snapshot), s = skip, q = quit\n"
		      "accept, reject, skip or quit? [a/r/s/q] accept\n"
		      "  accepted: snapshots/n1 -> golden/n1\n"
		      "pending   p1  (snapshot %s != golden %s)\n"
		      "  1 records in golden, 1 in the snapshot; 1 compared: 1 changed, 0 added, "
		      "0 removed\n"
		      "  paths:\n"
		      "    .v: 1 changed\n"
		      "  record 0 (tier=fast):\n"
		      "    .v: 1 -> 2\n"
		      "accept, reject, skip or quit? [a/r/s/q] reject\n"
		      "  rejected: removed snapshots/p1 (golden/p1 unchanged)\n"
		      "pending   p2  (snapshot %s != golden %s)\n"
		      "  1 records in golden, 1 in the snapshot; 1 compared: 1 changed, 0 added, "
		      "0 removed\n"
		      "  paths:\n"
		      "    .v: 1 changed\n"
		      "  record 0 (tier=fast):\n"
		      "    .v: 1 -> 3\n"
		      "accept, reject, skip or quit? [a/r/s/q] quit\n"
		      "review: 1 accepted, 1 rejected, 1 skipped\n",
		      hn, hp1, hg, hp2, hg);
	assert_string_equal(text, want.ptr);
	free(text);
	assert_int_equal(c.accepted, 1);
	assert_int_equal(c.rejected, 1);
	assert_int_equal(c.skipped, 1);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.err, 0);
	assert_int_equal(hx_snapshot_read_hash("golden/n1", got, NULL), 0);
	assert_string_equal(got, hn);
	assert_false(hx_path_exists("snapshots/p1"));
	assert_int_equal(hx_snapshot_read_hash("golden/p1", got, NULL), 0);
	assert_string_equal(got, hg);
	assert_int_equal(hx_snapshot_read_hash("snapshots/p2", got, NULL), 0);
	assert_string_equal(got, hp2);
	assert_int_equal(hx_snapshot_read_hash("golden/p2", got, NULL), 0);
	assert_string_equal(got, hg);

	/* End of input quits; an edited snapshot is refused and the walk goes on. */
	write_snapshot("snapshots/p0", "{\"v\":0}\n");
	write_file("snapshots/p0/telemetry.jsonl", "{\"v\":9}\n");
	text = review(&c, "A");
	assert_non_null(strstr(text, "accept, reject, skip or quit? [a/r/s/q] accept\n  error: "
				     "'snapshots/p0/telemetry.jsonl' does not hash to its manifest"));
	assert_non_null(strstr(text, "[a/r/s/q] (end of input) quit\n"
				     "review: 0 accepted, 0 rejected, 1 skipped, 1 failed\n"));
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.err, HX_EMISMATCH);
	assert_false(hx_path_exists("golden/p0"));
	free(text);

	/* Nothing left to review. */
	assert_int_equal(hx_golden_reject("snapshots/p0"), 0);
	assert_int_equal(hx_golden_reject("snapshots/p2"), 0);
	assert_int_equal(hx_golden_reject("snapshots/n1"), 0);
	text = review(&c, "");
	assert_string_equal(text, "nothing to review: no pending or new snapshots\n");
	free(text);
	hx_buf_release(&want);
	free(dir);
}

/* The pager gets the whole diff, every record of it, and the prompt comes
 * after; a pager that cannot run leaves the text to the terminal. */
static void test_review_pages_full_diff(void **state)
{
	char *dir = enter_project("paged");
	hx_golden_review_counts c;
	fake_pager pager;
	hx_buf gold = HX_BUF_INIT, snap = HX_BUF_INIT;
	char *text;
	size_t i;
	(void)state;

	for (i = 0; i < 7; i++) {
		hx_buf_printf(&gold, "{\"outcome\":\"verified\",\"tier\":\"fast\",\"duration_ms\":1}\n");
		hx_buf_printf(&snap, "{\"outcome\":\"%s\",\"tier\":\"fast\",\"duration_ms\":2}\n",
			      i < 6 ? "verifier_timeout" : "verified");
	}
	write_snapshot("golden/p", gold.ptr);
	write_snapshot("snapshots/p", snap.ptr);
	memset(&pager, 0, sizeof(pager));
	text = review_paged(&c, "s", &pager);
	assert_int_equal(pager.calls, 1);
	assert_non_null(strstr(pager.seen.ptr, "  outcome transitions (golden -> now):\n"
					       "    fast  verified -> verifier_timeout  6\n"));
	assert_non_null(strstr(pager.seen.ptr, "  record 5 (tier=fast):\n"
					       "    .outcome: \"verified\" -> \"verifier_timeout\""
					       "  (+1 incidental change)\n"
					       "  record 6 (tier=fast):\n"
					       "    1 incidental change\n"));
	assert_null(strstr(pager.seen.ptr, "more differing records"));
	assert_string_equal(text, "accept, reject, skip or quit? [a/r/s/q] skip\n"
				  "review: 0 accepted, 0 rejected, 1 skipped\n");
	free(text);

	pager.refuse = 1;
	text = review_paged(&c, "s", &pager);
	assert_int_equal(pager.calls, 2);
	assert_true(strncmp(text, "pending   p  ", 13) == 0);
	assert_non_null(strstr(text, "  record 6 (tier=fast):\n"));
	free(text);
	hx_buf_release(&pager.seen);
	hx_buf_release(&gold);
	hx_buf_release(&snap);
	free(dir);
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

static void streams_info(hx_snapshot_info *info, hx_canon_profile *p)
{
	memset(info, 0, sizeof(*info));
	hx_canon_profile_init(p);
	p->name = "none";
	info->experiment = "series";
	info->seed = 7;
	info->engine_kind = "ticksim";
	info->engine_version = "ticksim/1";
	info->profile = p;
	/* ignored by hx_snapshot_write_streams */
	strcpy(info->hash, "xxh3-128:00000000000000000000000000000000");
	info->records = 99;
}

/* Write streams (name, text, records)... (NULL-terminated) into dir. */
static void write_streams(const char *dir, char top[HX_HASH_HEX_LEN], ...)
{
	hx_snapshot_stream s[8];
	hx_snapshot_info info;
	hx_canon_profile p;
	size_t n = 0;
	const char *name;
	va_list ap;

	streams_info(&info, &p);
	memset(s, 0, sizeof(s));
	va_start(ap, top);
	while ((name = va_arg(ap, const char *)) != NULL) {
		s[n].name = name;
		s[n].data = va_arg(ap, const char *);
		s[n].len = strlen(s[n].data);
		s[n].records = va_arg(ap, size_t);
		n++;
	}
	va_end(ap);
	assert_int_equal(hx_snapshot_write_streams(dir, &info, s, n, top), 0);
	p.name = NULL;
	hx_canon_profile_release(&p);
}

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
static void test_series_specs(void **state)
{
	char *dir = enter_project("series");
	hx_golden_specs specs;
	hx_golden_status st;
	hx_golden_review_counts c;
	char top[HX_HASH_HEX_LEN], gtop[HX_HASH_HEX_LEN], hb[HX_HASH_HEX_LEN], gb[HX_HASH_HEX_LEN];
	const hx_golden_entry *e;
	hx_buf want = HX_BUF_INIT;
	char *text;
	(void)state;

	write_file("experiments/loop.yaml", "experiment: loop\ntags: [nightly, series]\n"
					    "golden: golden/the-loop\n"
					    "engine: {command: ticksim}\nsteps:\n  runs: {kind: runs}\n");
	write_file("experiments/plain.yaml", "experiment: plain\nsteps: []\n");
	write_file("experiments/noexp.yaml", "steps:\n  a: {kind: runs}\n");
	write_file("experiments/badtags.yaml", "experiment: bt\nsteps: []\ntags: nightly\n");
	write_file("experiments/badname.yaml", "experiment: Loop\nsteps: []\n");
	hx_golden_specs_init(&specs);
	assert_int_equal(hx_golden_specs_scan(&specs, "experiments"), 0);
	assert_int_equal(specs.n, 5);
	assert_string_equal(specs.items[0].path, "experiments/badname.yaml");
	assert_true(specs.items[0].series);
	assert_null(specs.items[0].experiment);
	assert_non_null(strstr(specs.items[0].error, "experiments/badname.yaml:1:13: experiment "
						     "name 'Loop' is not valid"));
	assert_string_equal(specs.items[1].path, "experiments/badtags.yaml");
	assert_string_equal(specs.items[1].error,
			    "experiments/badtags.yaml:3:7: 'tags' must be a list");
	assert_null(specs.items[1].experiment);
	assert_null(specs.items[1].golden);
	assert_int_equal(specs.items[1].ntags, 0);
	assert_string_equal(specs.items[2].path, "experiments/loop.yaml");
	assert_true(specs.items[2].series);
	assert_null(specs.items[2].error);
	assert_string_equal(specs.items[2].experiment, "loop");
	assert_string_equal(specs.items[2].golden, "golden/the-loop");
	assert_int_equal(specs.items[2].ntags, 2);
	assert_true(hx_golden_spec_has_tag(&specs.items[2], "series"));
	assert_string_equal(specs.items[3].path, "experiments/noexp.yaml");
	assert_true(specs.items[3].series);
	assert_null(specs.items[3].experiment);
	assert_string_equal(specs.items[3].error,
			    "experiments/noexp.yaml:1:1: missing key 'experiment'");
	assert_string_equal(specs.items[4].path, "experiments/plain.yaml");
	assert_string_equal(specs.items[4].experiment, "plain");
	assert_string_equal(specs.items[4].golden, "golden/plain");
	assert_int_equal(specs.items[4].ntags, 0);
	assert_false(hx_golden_spec_has_tag(&specs.items[4], "nightly"));

	/* loop: golden a and b, snapshot with b changed; plain: new */
	write_streams("golden/the-loop", gtop, "a.jsonl", "{\"v\":1}\n", (size_t)1, "b.jsonl",
		      "{\"v\":1}\n", (size_t)1, (const char *)NULL);
	write_streams("snapshots/loop", top, "a.jsonl", "{\"v\":1}\n", (size_t)1, "b.jsonl",
		      "{\"v\":2}\n", (size_t)1, (const char *)NULL);
	write_streams("snapshots/plain", NULL, "x.jsonl", "{\"v\":1}\n{\"v\":2}\n", (size_t)2,
		      (const char *)NULL);
	hx_golden_status_init(&st);
	assert_int_equal(hx_golden_status_scan(&st, &specs, "snapshots", "golden"), 0);
	assert_non_null(e = hx_golden_status_find(&st, "loop"));
	assert_int_equal(e->state, HX_GOLDEN_STATE_PENDING);
	assert_string_equal(e->snapshot_hash, top);
	assert_string_equal(e->golden_hash, gtop);
	assert_string_equal(e->golden_dir, "golden/the-loop");
	assert_int_equal(e->snapshot_records, 2);
	assert_non_null(e = hx_golden_status_find(&st, "plain"));
	assert_int_equal(e->state, HX_GOLDEN_STATE_NEW);
	assert_int_equal(e->snapshot_records, 2);
	hx_golden_status_release(&st);
	hx_golden_specs_release(&specs);

	/* The review names each differing stream. */
	hash_of(hb, "{\"v\":2}\n");
	hash_of(gb, "{\"v\":1}\n");
	write_streams("golden/loop", gtop, "a.jsonl", "{\"v\":1}\n", (size_t)1, "b.jsonl",
		      "{\"v\":1}\n", (size_t)1, "c.jsonl", "{\"v\":1}\n", (size_t)1,
		      (const char *)NULL);
	text = review(&c, "s\ns\n");
	hx_buf_printf(&want,
		      "pending   loop  (snapshot %s != golden %s)\n"
		      "  stream b.jsonl  (snapshot %s != golden %s)\n"
		      "  1 records in golden, 1 in the snapshot; 1 compared: 1 changed, 0 added, "
		      "0 removed\n"
		      "  paths:\n"
		      "    .v: 1 changed\n"
		      "  record 0:\n"
		      "    .v: 1 -> 2\n"
		      "  stream c.jsonl  (golden %s, not in the snapshot)\n"
		      "  1 records in golden, 0 in the snapshot; 0 compared: 0 changed, 0 added, "
		      "1 removed\n",
		      top, gtop, hb, gb, gb);
	assert_true(strncmp(text, want.ptr, want.len) == 0);
	assert_non_null(strstr(text, "new       plain  (no golden yet)\n"
				     "  accepting creates golden/plain with 2 records"));
	assert_int_equal(c.skipped, 2);
	free(text);
	hx_buf_release(&want);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_is_canonical_json),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_accept_refuses_edited_snapshot),
		cmocka_unit_test(test_accept_without_snapshot),
		cmocka_unit_test(test_accept_leaves_out_temp_files),
		cmocka_unit_test(test_incomplete_and_odd_dirs),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_specs_scan),
		cmocka_unit_test(test_status_scan),
		cmocka_unit_test(test_status_unreadable_manifests),
		cmocka_unit_test(test_review_walk),
		cmocka_unit_test(test_review_pages_full_diff),
		cmocka_unit_test(test_streams_manifest),
		cmocka_unit_test(test_check_stream),
		cmocka_unit_test(test_accept_streams),
		cmocka_unit_test(test_series_specs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
