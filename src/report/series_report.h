/* series_report.h - report.html of an experiment series (harness run
 * SERIES), written in the work directory after the golden check and
 * before the archive (which keeps it):
 *
 *   WORK/report.html        the page
 *   WORK/figures/NAME.svg   each figure (series_figures.h)
 *   WORK/last_change.txt    per step what the last invocation that ran a
 *                           step did: "STEP<TAB>ran (WHY)" or
 *                           "STEP<TAB>up to date"
 *
 * The page: the series (spec, seed, engine, snapshot hash, golden), the
 * steps table (kind, needs, last change, rows and failed rows, inputs and
 * outputs hashes, golden verdict), the failed runs, the diff of each step
 * that mismatches its golden, then per step its figures or why it has
 * none, and what the step prints (report.txt).
 *
 * Deterministic: everything drawn is read from the step tables on disk
 * (dataset.jsonl, alignment.jsonl, report.txt) and from the result's
 * hashes and verdicts; nothing depends on the clock, the host or the
 * worker count. An invocation in which every step was up to date keeps
 * last_change.txt as it is, so it writes the same bytes as the one before
 * it (unless a golden verdict changed).
 */
#ifndef HX_REPORT_SERIES_REPORT_H
#define HX_REPORT_SERIES_REPORT_H

#include "series/series_run.h"
#include "series/series_spec.h"

/* Write r->work_dir/report.html, its figures and last_change.txt. Figures
 * in WORK/figures/ that this report does not draw (left by an earlier
 * spec) are removed. Errors name the file. */
int hx_series_report(const hx_series_result *r, const hx_series_spec *s);

#endif
