/* nightly_report.h - reports/nightly.html of harness nightly.
 *
 * The page: today's table (experiment, verdict badge, snapshot and golden
 * hashes, records, changes, validation badge, run directory, archive),
 * each regression's diff, each error's message, then per experiment its
 * history across the archived runs (nightly_history.h):
 *   EXP-TIER    per tier of the calibration, the timeout, spurious-fail and
 *               spurious-pass rates of each run (x: the runs, oldest first,
 *               labelled with their start time) as points with their Wilson
 *               95% intervals, joined by a line; a dashed grey line at each
 *               run whose snapshot hash differs from the previous run's
 *   EXP-hashes  the snapshot hash of each run as the n-th distinct hash seen,
 *               the same dashed lines, the new hash's first 8 digits
 * and a table of the runs (start, archive, hash8, golden verdict, whether
 * the hash changed; an unreadable archive with its error). A series (no
 * rates) gets the hash figure and the table. Figures are
 * figures/nightly-EXP-TIER.svg and figures/nightly-EXP-hashes.svg (EXP with
 * characters other than letters, digits, '-', '_' and '.' made '_').
 *
 * No clock: the page depends on the report's entries and the archives, so
 * the same entries and runs give the same bytes (the nightly's date is in
 * nightly.md and nightly.xml, not here).
 */
#ifndef HX_REPORT_NIGHTLY_REPORT_H
#define HX_REPORT_NIGHTLY_REPORT_H

#include <stddef.h>

#include "buf.h"
#include "nightly.h"
#include "report/html.h"
#include "report/nightly_history.h"

#define HX_NIGHTLY_HISTORY_DEFAULT 30

/* The experiments of r that get a history: each distinct experiment name of
 * an entry whose spec was read (an unreadable spec's entry is named by its
 * path), in report order. *out is owned by the caller (free the array,
 * not the strings, which are r's). */
size_t hx_nightly_history_names(const hx_nightly_report *r, const char ***out);

/* The page into html and its figures into figs (initialized by the caller
 * with the page's path): hist[0..nhist) are the histories of
 * hx_nightly_history_names's experiments, cap the cap they were loaded
 * with. Returns 0 or the plot module's error. */
int hx_nightly_format_html(hx_buf *html, hx_report_figs *figs, const hx_nightly_report *r,
			   const hx_nightly_history *hist, size_t nhist, size_t cap);

/* Load the histories from runs_dir (the newest cap runs each) and write
 * dir/nightly.html with its figures (hx_report_write). */
int hx_nightly_write_html(const hx_nightly_report *r, const char *dir, const char *runs_dir,
			  size_t cap);

#endif
