/* nightly.h - the nightly regression gate's report.
 *
 * `harness nightly` runs every spec with a tag and collects one entry per
 * spec here; this module turns the entries into the summary printed on
 * stdout, reports/nightly.md (a table and each regression's diff) and
 * reports/nightly.xml (JUnit XML, for CI test report viewers).
 *
 * An entry's outcome: error when the run could not complete (spec or
 * engine failure), failure on a golden mismatch and, in CI, on a missing
 * golden; pass otherwise.
 */
#ifndef HX_NIGHTLY_H
#define HX_NIGHTLY_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "hash.h"
#include "run.h"
#include "snapshot.h"

typedef enum { HX_NIGHTLY_PASS, HX_NIGHTLY_FAILURE, HX_NIGHTLY_ERROR } hx_nightly_outcome;

typedef struct {
	char *experiment; /* the spec's experiment; its path when it has none */
	char *spec_path;
	int ran;          /* 0: the run failed before a verdict (see error) */
	char *error;      /* !ran: the message */
	hx_golden_verdict verdict;
	char hash[HX_HASH_HEX_LEN];        /* the snapshot's */
	char golden_hash[HX_HASH_HEX_LEN]; /* "" when missing */
	char *golden_dir;
	size_t records;
	size_t changed, added, removed;    /* mismatch only */
	char *diff_text;   /* mismatch: the diff (lines indented by two); else NULL */
	double elapsed_s;
	char *run_dir;
	char *archive_path; /* NULL when the run was not archived */
	int validated;      /* validation ran; then validation_passed says how */
	int validation_passed;
} hx_nightly_entry;

typedef struct {
	char *tag;
	char date[32]; /* "YYYY-MM-DDTHH:MM:SSZ" (UTC) */
	int ci;        /* CI mode: a missing golden is a failure */
	double elapsed_s;
	hx_nightly_entry *items; /* owned; in the order added */
	size_t n, cap;
} hx_nightly_report;

void hx_nightly_report_init(hx_nightly_report *r, const char *tag, int ci, time_t when);
void hx_nightly_report_release(hx_nightly_report *r);

/* Append a zeroed entry (owned by r; valid until the next add). */
hx_nightly_entry *hx_nightly_report_add(hx_nightly_report *r, const char *experiment,
					const char *spec_path);
/* Copy what the report needs from a completed run (nothing is retained). */
void hx_nightly_entry_set_run(hx_nightly_entry *e, const hx_run_result *res);
/* Mark the entry as a run that could not complete. */
void hx_nightly_entry_set_error(hx_nightly_entry *e, const char *msg);

hx_nightly_outcome hx_nightly_entry_outcome(const hx_nightly_entry *e, int ci);

typedef struct {
	size_t passed, failures, errors;
} hx_nightly_counts;

hx_nightly_counts hx_nightly_report_counts(const hx_nightly_report *r);

/* One line per entry, then a total:
 *   "match     smoke  xxh3-128:..  100 records  validation PASS"
 *   "MISMATCH  smoke  xxh3-128:..  2 changed, 0 added, 1 removed (golden xxh3-128:..)"
 *   "ERROR     bad  <message>"
 *   "nightly: 2 experiments: 1 passed, 1 regressed, 0 errors" */
void hx_nightly_format_summary(hx_buf *out, const hx_nightly_report *r);

/* reports/nightly.md: a title with the date, a table (experiment | verdict |
 * snapshot hash | golden hash | records | changes | validation | run dir, and
 * archive when a run has one), then a section per regression with its diff
 * in a code block, and per error with its message. */
void hx_nightly_format_md(hx_buf *out, const hx_nightly_report *r);

/* JUnit XML: <testsuites> holding one <testsuite name="harness nightly">;
 * a <testcase classname="nightly" name=EXPERIMENT time=S> per entry, with
 * <failure message="golden mismatch: N changed, A added, R removed"> and
 * the diff as text, or <failure> for a missing golden in CI, or <error> for
 * a run that could not complete; <system-out> lists hashes and paths. */
void hx_nightly_format_junit(hx_buf *out, const hx_nightly_report *r);

/* Append s (len bytes) XML-escaped: & < > " ' as entities; in an
 * attribute (attr != 0) also tab, CR and LF as character references so
 * they survive attribute normalization. Characters XML 1.0 cannot carry
 * (C0 controls other than tab/LF/CR, and bytes that are not UTF-8) become
 * U+FFFD. */
void hx_nightly_xml_escape(hx_buf *out, const char *s, size_t len, int attr);

/* Write dir/nightly.md and dir/nightly.xml (dir created), each atomically. */
int hx_nightly_write(const hx_nightly_report *r, const char *dir);

#endif
