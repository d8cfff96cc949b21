/* test_nightly.c - the nightly report: outcomes, summary, Markdown, JUnit XML
 * (and its escaping), and writing both files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "nightly.h"
#include "run.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("nightly")

#define H1 "xxh3-128:00000000000000000000000000000001"
#define H2 "xxh3-128:00000000000000000000000000000002"
#define H3 "xxh3-128:00000000000000000000000000000003"

/* alpha matches, beta regressed (a diff full of markup), gamma has no
 * golden yet, and broken.yaml could not run. */
static void make_report(hx_nightly_report *r, int ci)
{
	hx_nightly_entry *e;

	hx_nightly_report_init(r, "nightly", ci, 0);
	r->elapsed_s = 12.3456;

	e = hx_nightly_report_add(r, "alpha", "experiments/alpha.yaml");
	e->ran = 1;
	e->verdict = HX_GOLDEN_MATCH;
	strcpy(e->hash, H1);
	strcpy(e->golden_hash, H1);
	e->golden_dir = hx_xstrdup("golden/alpha");
	e->records = 100;
	e->elapsed_s = 1.5;
	e->run_dir = hx_xstrdup("runs/alpha-1");
	e->archive_path = hx_xstrdup("runs/alpha-1.tar.zst");
	e->validated = 1;
	e->validation_passed = 1;

	e = hx_nightly_report_add(r, "beta", "experiments/sub/beta.yaml");
	e->ran = 1;
	e->verdict = HX_GOLDEN_MISMATCH;
	strcpy(e->hash, H2);
	strcpy(e->golden_hash, H3);
	e->golden_dir = hx_xstrdup("golden/beta");
	e->records = 98;
	e->changed = 1;
	e->removed = 2;
	e->diff_text = hx_xstrdup("  record 0 (tier=fast):\n"
				  "    .note: \"a<b\" -> \"a>b & 'c'\"\n"
				  "  ``` not a fence\n");
	e->elapsed_s = 2.25;
	e->run_dir = hx_xstrdup("runs/beta|x");
	e->validated = 1;
	e->validation_passed = 0;

	e = hx_nightly_report_add(r, "gamma", "experiments/gamma.yaml");
	e->ran = 1;
	e->verdict = HX_GOLDEN_MISSING;
	strcpy(e->hash, H3);
	e->golden_dir = hx_xstrdup("golden/gamma");
	e->records = 5;
	e->elapsed_s = 0.0004;
	e->run_dir = hx_xstrdup("runs/gamma-1");

	e = hx_nightly_report_add(r, "experiments/broken.yaml", "experiments/broken.yaml");
	hx_nightly_entry_set_error(e, "experiments/broken.yaml:1:1: bad <key> & \"x\"");
}

static void test_outcomes(void **state)
{
	hx_nightly_report r;
	hx_nightly_counts c;
	(void)state;

	make_report(&r, 0);
	assert_int_equal(hx_nightly_entry_outcome(&r.items[0], 0), HX_NIGHTLY_PASS);
	assert_int_equal(hx_nightly_entry_outcome(&r.items[1], 0), HX_NIGHTLY_FAILURE);
	assert_int_equal(hx_nightly_entry_outcome(&r.items[2], 0), HX_NIGHTLY_PASS);
	assert_int_equal(hx_nightly_entry_outcome(&r.items[2], 1), HX_NIGHTLY_FAILURE);
	assert_int_equal(hx_nightly_entry_outcome(&r.items[3], 0), HX_NIGHTLY_ERROR);
	c = hx_nightly_report_counts(&r);
	assert_int_equal(c.passed, 2);
	assert_int_equal(c.failures, 1);
	assert_int_equal(c.errors, 1);
	assert_string_equal(r.date, "1970-01-01T00:00:00Z");
	hx_nightly_report_release(&r);

	make_report(&r, 1);
	c = hx_nightly_report_counts(&r);
	assert_int_equal(c.passed, 1);
	assert_int_equal(c.failures, 2);
	assert_int_equal(c.errors, 1);
	hx_nightly_report_release(&r);
}

static void test_set_run(void **state)
{
	hx_run_result res;
	hx_nightly_report r;
	hx_nightly_entry *e;
	(void)state;

	hx_run_result_init(&res);
	res.golden.verdict = HX_GOLDEN_MISMATCH;
	strcpy(res.hash, H2);
	strcpy(res.golden.golden_hash, H1);
	res.golden_dir = hx_xstrdup("golden/x");
	res.records = 7;
	res.golden.diff.changed = 3;
	res.golden.diff.added = 1;
	res.golden.diff.removed = 0;
	hx_buf_puts(&res.golden.diff.text, "  record 1 changed\n");
	res.elapsed_s = 0.5;
	res.run_dir = hx_xstrdup("runs/x-1");
	res.archive_path = hx_xstrdup("runs/x-1-00000002.tar.zst");
	res.calib.validated = 1;
	res.calib.passed = 0;

	hx_nightly_report_init(&r, "nightly", 0, 86400);
	e = hx_nightly_report_add(&r, "x", "experiments/x.yaml");
	hx_nightly_entry_set_run(e, &res);
	hx_run_result_release(&res); /* the entry keeps copies */
	assert_true(e->ran);
	assert_int_equal(e->verdict, HX_GOLDEN_MISMATCH);
	assert_string_equal(e->hash, H2);
	assert_string_equal(e->golden_hash, H1);
	assert_string_equal(e->golden_dir, "golden/x");
	assert_int_equal(e->records, 7);
	assert_int_equal(e->changed, 3);
	assert_int_equal(e->added, 1);
	assert_int_equal(e->removed, 0);
	assert_string_equal(e->diff_text, "  record 1 changed\n");
	assert_string_equal(e->run_dir, "runs/x-1");
	assert_string_equal(e->archive_path, "runs/x-1-00000002.tar.zst");
	assert_true(e->validated);
	assert_false(e->validation_passed);
	assert_string_equal(r.date, "1970-01-02T00:00:00Z");
	assert_int_equal(hx_nightly_entry_outcome(e, 0), HX_NIGHTLY_FAILURE);
	hx_nightly_report_release(&r);
}

static void test_summary(void **state)
{
	hx_nightly_report r;
	hx_buf out = HX_BUF_INIT;
	(void)state;

	make_report(&r, 0);
	hx_nightly_format_summary(&out, &r);
	assert_string_equal(out.ptr,
			    "match     alpha  " H1 "  100 records  validation PASS\n"
			    "MISMATCH  beta  " H2 "  1 changed, 0 added, 2 removed (golden " H3
			    ")  validation FAIL\n"
			    "missing   gamma  " H3 "  5 records, no golden in golden/gamma\n"
			    "ERROR     experiments/broken.yaml  experiments/broken.yaml:1:1: bad <key> & "
			    "\"x\"\n"
			    "nightly: 4 experiments (tag nightly): 2 passed, 1 regressed, 1 error\n");
	hx_nightly_report_release(&r);

	hx_buf_reset(&out);
	make_report(&r, 1);
	hx_nightly_format_summary(&out, &r);
	assert_non_null(strstr(out.ptr, "MISSING   gamma  " H3
					"  5 records, no golden in golden/gamma (CI is set)\n"));
	assert_non_null(strstr(out.ptr, "1 passed, 2 regressed, 1 error\n"));
	hx_nightly_report_release(&r);
	hx_buf_release(&out);
}

static void test_markdown(void **state)
{
	hx_nightly_report r;
	hx_buf out = HX_BUF_INIT;
	(void)state;

	make_report(&r, 0);
	hx_nightly_format_md(&out, &r);
	assert_string_equal(
		out.ptr,
		"# harness nightly 1970-01-01T00:00:00Z\n"
		"\n"
		"Tag `nightly`: 4 experiments, 2 passed, 1 regressed, 1 error.\n"
		"\n"
		"| experiment | verdict | snapshot hash | golden hash | records | changes | validation "
		"| run dir | archive |\n"
		"|---|---|---|---|---:|---|---|---|---|\n"
		"| alpha | match | `" H1 "` | `" H1 "` | 100 | - | PASS | runs/alpha-1 "
		"| runs/alpha-1.tar.zst |\n"
		"| beta | mismatch | `" H2 "` | `" H3 "` | 98 | 1 changed, 0 added, 2 removed "
		"| FAIL | runs/beta\\|x | - |\n"
		"| gamma | missing | `" H3 "` | - | 5 | - | - | runs/gamma-1 | - |\n"
		"| experiments/broken.yaml | error | - | - | - | - | - | - | - |\n"
		"\n"
		"## Regressions\n"
		"\n"
		"### beta\n"
		"\n"
		"Golden mismatch against `golden/beta` (spec `experiments/sub/beta.yaml`): 1 changed, "
		"0 added, 2 removed; golden `" H3 "`, snapshot `" H2 "`.\n"
		"\n"
		"````text\n"
		"  record 0 (tier=fast):\n"
		"    .note: \"a<b\" -> \"a>b & 'c'\"\n"
		"  ``` not a fence\n"
		"````\n"
		"\n"
		"## Errors\n"
		"\n"
		"### experiments/broken.yaml\n"
		"\n"
		"`experiments/broken.yaml` could not run:\n"
		"\n"
		"```text\n"
		"experiments/broken.yaml:1:1: bad <key> & \"x\"\n"
		"```\n"
		"\n");
	hx_nightly_report_release(&r);

	/* CI: the missing golden is a regression with its own section; no
	 * archive column when no run has one. */
	hx_buf_reset(&out);
	make_report(&r, 1);
	free(r.items[0].archive_path);
	r.items[0].archive_path = NULL;
	hx_nightly_format_md(&out, &r);
	assert_non_null(strstr(out.ptr, " CI is set: a missing golden counts as a regression.\n"));
	assert_non_null(strstr(out.ptr, "| validation | run dir |\n|---|---|---|---|---:|---|---|---|\n"));
	assert_non_null(strstr(out.ptr, "### gamma\n\nNo golden snapshot in `golden/gamma` (spec "
					"`experiments/gamma.yaml`), and CI is set."));
	hx_nightly_report_release(&r);
	hx_buf_release(&out);
}

static void test_junit(void **state)
{
	hx_nightly_report r;
	hx_buf out = HX_BUF_INIT;
	(void)state;

	make_report(&r, 0);
	hx_nightly_format_junit(&out, &r);
	assert_string_equal(
		out.ptr,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"harness nightly\" tests=\"4\" failures=\"1\" errors=\"1\" "
		"time=\"12.346\">\n"
		"  <testsuite name=\"harness nightly\" tests=\"4\" failures=\"1\" errors=\"1\" "
		"skipped=\"0\" time=\"12.346\" timestamp=\"1970-01-01T00:00:00\">\n"
		"    <properties>\n"
		"      <property name=\"tag\" value=\"nightly\"/>\n"
		"      <property name=\"ci\" value=\"false\"/>\n"
		"    </properties>\n"
		"    <testcase classname=\"nightly\" name=\"alpha\" time=\"1.500\">\n"
		"      <system-out>spec: experiments/alpha.yaml\n"
		"verdict: match\n"
		"snapshot: " H1 " (100 records)\n"
		"golden: golden/alpha " H1 "\n"
		"validation: PASS\n"
		"run: runs/alpha-1\n"
		"archive: runs/alpha-1.tar.zst\n"
		"</system-out>\n"
		"    </testcase>\n"
		"    <testcase classname=\"nightly\" name=\"beta\" time=\"2.250\">\n"
		"      <failure type=\"mismatch\" message=\"golden mismatch: 1 changed, 0 added, 2 "
		"removed\">  record 0 (tier=fast):\n"
		"    .note: &quot;a&lt;b&quot; -&gt; &quot;a&gt;b &amp; &apos;c&apos;&quot;\n"
		"  ``` not a fence\n"
		"</failure>\n"
		"      <system-out>spec: experiments/sub/beta.yaml\n"
		"verdict: mismatch\n"
		"snapshot: " H2 " (98 records)\n"
		"golden: golden/beta " H3 "\n"
		"validation: FAIL\n"
		"run: runs/beta|x\n"
		"</system-out>\n"
		"    </testcase>\n"
		"    <testcase classname=\"nightly\" name=\"gamma\" time=\"0.000\">\n"
		"      <system-out>spec: experiments/gamma.yaml\n"
		"verdict: missing\n"
		"snapshot: " H3 " (5 records)\n"
		"golden: golden/gamma (missing)\n"
		"validation: not run\n"
		"run: runs/gamma-1\n"
		"</system-out>\n"
		"    </testcase>\n"
		"    <testcase classname=\"nightly\" name=\"experiments/broken.yaml\" time=\"0.000\">\n"
		"      <error type=\"error\" message=\"experiments/broken.yaml:1:1: bad &lt;key&gt; "
		"&amp; &quot;x&quot;\">experiments/broken.yaml:1:1: bad &lt;key&gt; &amp; "
		"&quot;x&quot;</error>\n"
		"      <system-out>spec: experiments/broken.yaml\n"
		"</system-out>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"</testsuites>\n");
	hx_nightly_report_release(&r);

	/* CI: the missing golden fails too. */
	hx_buf_reset(&out);
	make_report(&r, 1);
	hx_nightly_format_junit(&out, &r);
	assert_non_null(strstr(out.ptr, "<testsuites name=\"harness nightly\" tests=\"4\" "
					"failures=\"2\" errors=\"1\""));
	assert_non_null(strstr(out.ptr, "<property name=\"ci\" value=\"true\"/>"));
	assert_non_null(strstr(out.ptr, "name=\"gamma\" time=\"0.000\">\n"
					"      <failure type=\"missing\" message=\"golden missing: no "
					"golden snapshot in golden/gamma (CI is set)\">accept the "
					"snapshot outside CI: harness golden accept gamma\n</failure>\n"));
	hx_nightly_report_release(&r);
	hx_buf_release(&out);
}

static void escape(hx_buf *out, const char *s, size_t len, int attr)
{
	hx_buf_reset(out);
	hx_nightly_xml_escape(out, s, len, attr);
	if (!out->ptr)
		hx_buf_puts(out, "");
}

static void test_xml_escape(void **state)
{
	hx_buf out = HX_BUF_INIT;
	(void)state;

	escape(&out, "a<b>&\"'z", 8, 0);
	assert_string_equal(out.ptr, "a&lt;b&gt;&amp;&quot;&apos;z");
	escape(&out, "&amp;", 5, 1);
	assert_string_equal(out.ptr, "&amp;amp;");
	/* whitespace: kept in text, character references in attributes */
	escape(&out, "a\tb\nc\rd", 7, 0);
	assert_string_equal(out.ptr, "a\tb\nc\rd");
	escape(&out, "a\tb\nc\rd", 7, 1);
	assert_string_equal(out.ptr, "a&#9;b&#10;c&#13;d");
	/* UTF-8 passes through: é, €, U+1F600 */
	escape(&out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, 0);
	assert_string_equal(out.ptr, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* what XML 1.0 cannot carry becomes U+FFFD, one per byte: a NUL, an
	 * escape character, a stray continuation byte, 0xff, a truncated
	 * sequence, an overlong '/', a surrogate, U+FFFF */
	escape(&out, "a\0b", 3, 0);
	assert_string_equal(out.ptr, "a\xef\xbf\xbd" "b");
	escape(&out, "\x1b[0m", 4, 0);
	assert_string_equal(out.ptr, "\xef\xbf\xbd[0m");
	escape(&out, "\x80\xff", 2, 0);
	assert_string_equal(out.ptr, "\xef\xbf\xbd\xef\xbf\xbd");
	escape(&out, "x\xc3", 2, 0);
	assert_string_equal(out.ptr, "x\xef\xbf\xbd");
	escape(&out, "\xc0\xaf", 2, 0);
	assert_string_equal(out.ptr, "\xef\xbf\xbd\xef\xbf\xbd");
	escape(&out, "\xed\xa0\x80", 3, 0);
	assert_string_equal(out.ptr, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	escape(&out, "\xef\xbf\xbf", 3, 0);
	assert_string_equal(out.ptr, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	escape(&out, "\xef\xbf\xbd", 3, 0); /* U+FFFD itself is fine */
	assert_string_equal(out.ptr, "\xef\xbf\xbd");
	hx_buf_release(&out);
}

static void test_write(void **state)
{
	hx_nightly_report r;
	hx_buf md = HX_BUF_INIT, xml = HX_BUF_INIT, got = HX_BUF_INIT;
	(void)state;

	make_report(&r, 0);
	assert_int_equal(hx_nightly_write(&r, "out/reports"), 0);
	hx_nightly_format_md(&md, &r);
	hx_nightly_format_junit(&xml, &r);
	assert_int_equal(hx_file_read(&got, "out/reports/nightly.md"), 0);
	assert_string_equal(got.ptr, md.ptr);
	hx_buf_reset(&got);
	assert_int_equal(hx_file_read(&got, "out/reports/nightly.xml"), 0);
	assert_string_equal(got.ptr, xml.ptr);

	/* A file where the directory should be: a system error, said so. */
	assert_int_equal(hx_file_write_atomic("blocker", "x", 1), 0);
	assert_int_not_equal(hx_nightly_write(&r, "blocker/reports"), 0);
	assert_non_null(strstr(hx_error_last(), "blocker"));
	hx_nightly_report_release(&r);
	hx_buf_release(&md);
	hx_buf_release(&xml);
	hx_buf_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_set_run),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_xml_escape),
		cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
