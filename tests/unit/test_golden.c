/* test_golden.c - golden.c: the spec scan, golden status and the review
 * walk, over single-stream snapshots and a series' several streams. */
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
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("golden")

#define SPEC_BODY "seed: 1\nengine: {kind: sim-verifier}\ntiers: {BALANCED: }\nsamples: 10\n"

/* A project under the test directory's NAME (entered): specs a..e and
 * three that are not specs or are broken; snapshots a (= golden), b (!= golden), d and e (no
 * golden); golden a, b and old (no spec). */
static char *enter_project(const char *name)
{
	char *dir = hx_path_join(hx_test_dir, name);
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
		cmocka_unit_test(test_specs_scan),
		cmocka_unit_test(test_status_scan),
		cmocka_unit_test(test_status_unreadable_manifests),
		cmocka_unit_test(test_review_walk),
		cmocka_unit_test(test_review_pages_full_diff),
		cmocka_unit_test(test_series_specs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
