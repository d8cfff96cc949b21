/* test_nightly_history.c - the history of the nightly report: which archive
 * names belong to an experiment, the runs read from archives built here
 * (ordered by the manifest's start, not the name; hash changes; rates from
 * calibration.yaml or telemetry; a corrupt archive listed, an archive of
 * another experiment left out; the cap), and nightly.html rendered twice
 * to the same bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive.h"
#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "nightly.h"
#include "report/html.h"
#include "report/nightly_history.h"
#include "report/nightly_report.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("nightly-history")

#define H1 "xxh3-128:11111111000000000000000000000001"
#define H2 "xxh3-128:22222222000000000000000000000002"

/* FAST: 4 records, 1 timeout; of the 3 completed (all truly valid), 1
 * failed: timeout 1/4, spurious fail 1/3, spurious pass not measured. */
static const char telemetry[] =
	"{\"tier\":\"fast\",\"outcome\":\"verified\",\"duration_ms\":100,\"timeout_s\":10,"
	"\"metadata\":{\"ground_truth\":\"valid\"}}\n"
	"{\"tier\":\"fast\",\"outcome\":\"verified\",\"duration_ms\":200,\"timeout_s\":10,"
	"\"metadata\":{\"ground_truth\":\"valid\"}}\n"
	"{\"tier\":\"fast\",\"outcome\":\"proof_invalid\",\"duration_ms\":300,\"timeout_s\":10,"
	"\"metadata\":{\"ground_truth\":\"valid\"}}\n"
	"{\"tier\":\"fast\",\"outcome\":\"verifier_timeout\",\"duration_ms\":10000,\"timeout_s\":10,"
	"\"metadata\":{\"ground_truth\":\"valid\"}}\n";

/* BALANCED as a calibration exports it (the rates as written). */
static const char calibration[] =
	"calibration_metadata: {experiment: exp, ground_truth: simulator}\n"
	"noise_models:\n"
	"  balanced:\n"
	"    training_samples: 40\n"
	"    timeout_s: 60\n"
	"    timeout_rate: 0.1\n"
	"    timeout_rate_ci: [0.04, 0.23]\n"
	"    timeout_rate_counts: [4, 40]\n"
	"    spurious_fail_rate: 0.05\n"
	"    spurious_fail_rate_ci: [0.01, 0.2]\n"
	"    spurious_fail_rate_counts: [2, 36]\n"
	"    spurious_pass_rate: null\n"
	"    spurious_pass_rate_ci: [0, 0]\n"
	"    spurious_pass_rate_counts: [0, 0]\n"
	"    outcome_counts: {verified: 34, proof_invalid: 2, verifier_timeout: 4}\n";

static void write_archive_at(const char *file, const char *experiment, const char *started,
			     const char *finished, const char *hash, const char *member,
			     const char *text)
{
	hx_archive_meta m;
	hx_archive_member ms[2];
	char path[256];
	size_t n = 0;

	memset(&m, 0, sizeof(m));
	m.experiment = experiment;
	m.seed = 1;
	m.spec_member = "spec.yaml";
	m.engine.kind = "sim-verifier";
	m.engine.version = "1";
	m.workers = 1;
	m.started = started;
	m.finished = finished;
	m.snapshot_hash = hash;
	m.golden = "match";
	ms[n].name = "spec.yaml";
	ms[n].data = "experiment: x\n";
	ms[n++].len = 14;
	if (member) {
		ms[n].name = member;
		ms[n].data = text;
		ms[n++].len = strlen(text);
	}
	snprintf(path, sizeof(path), "runs/%s", file);
	assert_int_equal(hx_archive_write(path, &m, ms, n, NULL), 0);
}

static void write_archive(const char *file, const char *experiment, const char *started,
			  const char *hash, const char *member, const char *text)
{
	write_archive_at(file, experiment, started, started, hash, member, text);
}

/* The names put the runs in another order than their starts:
 *   file time  started     hash  rates
 *   01-01      01-03       H1    telemetry (FAST)
 *   01-02      01-01       H1    calibration.yaml (BALANCED)
 *   01-03      01-02       H2    none (a series)
 *   01-04      -           -     corrupt
 *   01-05      01-05       H2    experiment "other": not this one's */
static void make_runs(void)
{
	FILE *f;
	assert_int_equal(hx_mkdirs("runs", 0777), 0);
	write_archive("exp-20260101T000000Z-11111111.tar.zst", "exp", "2026-01-03T00:00:00Z", H1,
		      "telemetry.jsonl", telemetry);
	write_archive("exp-20260102T000000Z-11111111.tar.zst", "exp", "2026-01-01T00:00:00Z", H1,
		      "calibration.yaml", calibration);
	write_archive("exp-20260103T000000Z-22222222.tar.zst", "exp", "2026-01-02T00:00:00Z", H2,
		      NULL, NULL);
	assert_non_null(f = fopen("runs/exp-20260104T000000Z-33333333.tar.zst", "w"));
	fputs("not an archive\n", f);
	fclose(f);
	write_archive("exp-20260105T000000Z-22222222.tar.zst", "other", "2026-01-05T00:00:00Z", H2,
		      NULL, NULL);
	/* neither is a run of exp by its name */
	write_archive("exp-big-20260106T000000Z-22222222.tar.zst", "exp-big", "2026-01-06T00:00:00Z",
		      H2, NULL, NULL);
	assert_non_null(f = fopen("runs/exp-notes.txt", "w"));
	fclose(f);
}

static void test_name_match(void **state)
{
	char utc[32];
	(void)state;
	assert_true(hx_nightly_archive_name_match("smoke-20261205T160636Z-23f36f51.tar.zst", "smoke",
						  utc));
	assert_string_equal(utc, "2026-12-05T16:06:36Z");
	assert_true(hx_nightly_archive_name_match("smoke-20261205T160636Z-23f36f51-2.tar.zst",
						  "smoke", NULL));
	assert_true(hx_nightly_archive_name_match("smoke-20261205T160636Z-23f36f51.tar.gz", "smoke",
						  NULL));
	assert_true(hx_nightly_archive_name_match("smoke-big-20261205T160636Z-23f36f51.tar.zst",
						  "smoke-big", NULL));
	assert_false(hx_nightly_archive_name_match("smoke-big-20261205T160636Z-23f36f51.tar.zst",
						   "smoke", NULL));
	assert_false(hx_nightly_archive_name_match("smoke-20261205T160636Z-23f36f51.zip", "smoke",
						   NULL));
	assert_false(hx_nightly_archive_name_match("smoke-20261205T160636Z-23F36F51.tar.zst",
						   "smoke", NULL));
	assert_false(hx_nightly_archive_name_match("smoke-20261205T160636Z-23f36f51-x.tar.zst",
						   "smoke", NULL));
	assert_false(hx_nightly_archive_name_match("smoke-20261205T160636Z", "smoke", NULL));
}

static void test_load(void **state)
{
	hx_nightly_history h;
	const hx_nightly_tier_rates *t;
	(void)state;
	make_runs();
	assert_int_equal(hx_nightly_history_load(&h, "runs", "exp", 30), 0);
	assert_string_equal(h.experiment, "exp");
	assert_int_equal(h.n, 4);
	assert_int_equal(h.older, 0);

	/* by the manifest's start; the corrupt one by its name's time */
	assert_string_equal(h.runs[0].file, "exp-20260102T000000Z-11111111.tar.zst");
	assert_string_equal(h.runs[0].started, "2026-01-01T00:00:00Z");
	assert_string_equal(h.runs[1].file, "exp-20260103T000000Z-22222222.tar.zst");
	assert_string_equal(h.runs[2].file, "exp-20260101T000000Z-11111111.tar.zst");
	assert_string_equal(h.runs[3].file, "exp-20260104T000000Z-33333333.tar.zst");
	assert_string_equal(h.runs[3].started, "2026-01-04T00:00:00Z");

	/* H1, H2 (changed), H1 (changed back), unreadable (no hash) */
	assert_string_equal(h.runs[0].hash, H1);
	assert_string_equal(h.runs[0].golden, "match");
	assert_false(h.runs[0].hash_changed);
	assert_true(h.runs[1].hash_changed);
	assert_true(h.runs[2].hash_changed);
	assert_false(h.runs[3].hash_changed);
	assert_null(h.runs[0].error);
	assert_non_null(h.runs[3].error);
	assert_non_null(strstr(h.runs[3].error, "exp-20260104T000000Z-33333333.tar.zst"));
	assert_string_equal(h.runs[3].hash, "");

	/* calibration.yaml: its rates as written */
	assert_true(h.runs[0].has_rates);
	assert_string_equal(h.runs[0].rates_from, "calibration.yaml");
	t = &h.runs[0].tiers[HX_TIER_BALANCED];
	assert_true(t->present);
	assert_false(h.runs[0].tiers[HX_TIER_FAST].present);
	assert_int_equal(t->rates[0].k, 4);
	assert_int_equal(t->rates[0].n, 40);
	assert_float_equal(t->rates[0].rate, 0.1, 1e-12);
	assert_float_equal(t->rates[0].lo, 0.04, 1e-12);
	assert_float_equal(t->rates[0].hi, 0.23, 1e-12);
	assert_int_equal(t->rates[1].k, 2);
	assert_int_equal(t->rates[1].n, 36);
	assert_int_equal(t->rates[2].n, 0);

	/* a series: a hash, no rates */
	assert_false(h.runs[1].has_rates);
	assert_null(h.runs[1].error);

	/* telemetry: timeout 1/4, spurious fail 1/3, Wilson 95% */
	assert_true(h.runs[2].has_rates);
	assert_string_equal(h.runs[2].rates_from, "telemetry.jsonl");
	t = &h.runs[2].tiers[HX_TIER_FAST];
	assert_true(t->present);
	assert_int_equal(t->rates[0].k, 1);
	assert_int_equal(t->rates[0].n, 4);
	assert_float_equal(t->rates[0].rate, 0.25, 1e-12);
	assert_float_equal(t->rates[0].lo, 0.045587, 1e-6);
	assert_float_equal(t->rates[0].hi, 0.699358, 1e-6);
	assert_int_equal(t->rates[1].k, 1);
	assert_int_equal(t->rates[1].n, 3);
	assert_float_equal(t->rates[1].lo, 0.061492, 1e-6);
	assert_float_equal(t->rates[1].hi, 0.792340, 1e-6);
	assert_int_equal(t->rates[2].n, 0);

	assert_int_equal(hx_nightly_history_tier_runs(&h, HX_TIER_FAST), 1);
	assert_int_equal(hx_nightly_history_tier_runs(&h, HX_TIER_BALANCED), 1);
	assert_int_equal(hx_nightly_history_tier_runs(&h, HX_TIER_SLOW), 0);
	hx_nightly_history_release(&h);

	/* the cap reads the newest names: "other"'s archive is passed over,
	 * then the corrupt one and the series; the first readable run has no
	 * change */
	assert_int_equal(hx_nightly_history_load(&h, "runs", "exp", 2), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.older, 2);
	assert_string_equal(h.runs[0].file, "exp-20260103T000000Z-22222222.tar.zst");
	assert_false(h.runs[0].hash_changed);
	assert_non_null(h.runs[1].error);
	hx_nightly_history_release(&h);

	/* one start: the finish decides, then the name */
	assert_int_equal(hx_mkdirs("ties", 0777), 0);
	write_archive_at("../ties/t-20260101T000000Z-aaaaaaaa.tar.zst", "t", "2026-01-01T00:00:00Z",
			 "2026-01-01T00:00:09Z", H1, NULL, NULL);
	write_archive_at("../ties/t-20260101T000000Z-bbbbbbbb.tar.zst", "t", "2026-01-01T00:00:00Z",
			 "2026-01-01T00:00:05Z", H2, NULL, NULL);
	assert_int_equal(hx_nightly_history_load(&h, "ties", "t", 30), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.runs[0].file, "t-20260101T000000Z-bbbbbbbb.tar.zst");
	assert_string_equal(h.runs[0].finished, "2026-01-01T00:00:05Z");
	assert_true(h.runs[1].hash_changed);
	hx_nightly_history_release(&h);

	/* no runs directory: no runs */
	assert_int_equal(hx_nightly_history_load(&h, "nosuch", "exp", 30), 0);
	assert_int_equal(h.n, 0);
	hx_nightly_history_release(&h);
}

static void render(hx_buf *html, hx_report_figs *figs, const hx_nightly_report *r)
{
	const char **names = NULL;
	size_t n = hx_nightly_history_names(r, &names), i;
	hx_nightly_history *h = hx_xcalloc(n, sizeof(*h));
	for (i = 0; i < n; i++)
		assert_int_equal(hx_nightly_history_load(&h[i], "runs", names[i], 30), 0);
	hx_report_figs_init(figs, "reports/nightly.html");
	assert_int_equal(hx_nightly_format_html(html, figs, r, h, n, 30), 0);
	for (i = 0; i < n; i++)
		hx_nightly_history_release(&h[i]);
	free(h);
	free(names);
}

static void test_html(void **state)
{
	hx_nightly_report r;
	hx_nightly_entry *e;
	hx_buf a = HX_BUF_INIT, b = HX_BUF_INIT;
	hx_report_figs fa, fb;
	const char **names = NULL;
	size_t i;
	(void)state;
	if (!hx_path_exists("runs"))
		make_runs();
	hx_nightly_report_init(&r, "nightly", 0, 0);
	e = hx_nightly_report_add(&r, "exp", "experiments/exp.yaml");
	e->ran = 1;
	e->verdict = HX_GOLDEN_MISMATCH;
	strcpy(e->hash, H1);
	strcpy(e->golden_hash, H2);
	e->golden_dir = hx_xstrdup("golden/exp");
	e->diff_text = hx_xstrdup("  <changed> & more\n");
	e->changed = 1;
	/* an unreadable spec (named by its path) gets no history; a second
	 * entry of one experiment one history */
	e = hx_nightly_report_add(&r, "experiments/bad.yaml", "experiments/bad.yaml");
	hx_nightly_entry_set_error(e, "experiments/bad.yaml:1:1: no experiment");
	e = hx_nightly_report_add(&r, "exp", "experiments/exp2.yaml");
	hx_nightly_entry_set_error(e, "duplicate");
	assert_int_equal(hx_nightly_history_names(&r, &names), 1);
	assert_string_equal(names[0], "exp");
	free(names);

	render(&a, &fa, &r);
	render(&b, &fb, &r);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	/* FAST and BALANCED have a run with rates each; the hash figure */
	assert_int_equal(fa.n, 3);
	assert_string_equal(fa.items[0].name, "exp-fast");
	assert_string_equal(fa.items[1].name, "exp-balanced");
	assert_string_equal(fa.items[2].name, "exp-hashes");
	for (i = 0; i < fa.n; i++) {
		assert_int_equal(fa.items[i].svg.len, fb.items[i].svg.len);
		assert_memory_equal(fa.items[i].svg.ptr, fb.items[i].svg.ptr, fa.items[i].svg.len);
	}
	assert_non_null(strstr(a.ptr, "&lt;changed&gt; &amp; more"));
	assert_non_null(strstr(a.ptr, "badge mismatch"));
	assert_non_null(strstr(a.ptr, "badge other\">unreadable</span>"));
	assert_non_null(strstr(a.ptr, "<td><code>22222222</code></td>"));
	assert_non_null(strstr(a.ptr, "4 archived runs"));
	assert_null(strstr(a.ptr, "1970")); /* no clock date */

	/* written: the page and its figures beside it */
	assert_int_equal(hx_nightly_write_html(&r, "reports", "runs", 30), 0);
	assert_true(hx_path_exists("reports/nightly.html"));
	assert_true(hx_path_exists("reports/figures/nightly-exp-fast.svg"));
	assert_true(hx_path_exists("reports/figures/nightly-exp-balanced.svg"));
	assert_true(hx_path_exists("reports/figures/nightly-exp-hashes.svg"));

	hx_buf_release(&a);
	hx_buf_release(&b);
	hx_report_figs_release(&fa);
	hx_report_figs_release(&fb);
	hx_nightly_report_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_match),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_html),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
