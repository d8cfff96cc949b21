/* report/compare_report.h - harness compare's HTML report (issue 13).
 *
 * The report (html.h) holds what was compared (A, B, paired or why not),
 * the comparisons table (the text report's columns, significant rows
 * marked), the flips (the first max_flips, with the count), and per tier
 * three figures:
 *
 *   TIER-rates      per rate (timeout, spurious fail, spurious pass) A and
 *                   B side by side, each with its Wilson interval at the
 *                   comparison's confidence;
 *   TIER-diff       per rate the difference B - A with the comparison's
 *                   Newcombe interval (paired or hybrid) and no change
 *                   (0) as a line, significant ones marked. A forest plot
 *                   drawn upright: the rates are the categories of the x
 *                   axis and 0 is a horizontal line (plot.h has no
 *                   categorical y axis, so rows would carry meaningless
 *                   y numbers);
 *   TIER-durations  the ECDFs of the completed durations of A and of B
 *                   (all of each side's, paired or not), their medians
 *                   dotted, the median ratio B/A with its interval in the
 *                   title. Only when both sides are telemetry: a
 *                   calibration.yaml has no durations, and the report says
 *                   so instead.
 *
 * Deterministic: the same result gives the same bytes of HTML and SVG.
 */
#ifndef HX_REPORT_COMPARE_REPORT_H
#define HX_REPORT_COMPARE_REPORT_H

#include <stddef.h>

#include "buf.h"
#include "calib.h"
#include "compare.h"
#include "report/html.h"

/* The empirical CDF of a sample as a right-continuous step function:
 * x[0..n) its distinct values ascending, y[i] the fraction of the sample
 * at most x[i] (so y[n-1] == 1); total the values counted. */
typedef struct {
	double *x, *y; /* owned */
	size_t n;
	size_t total;
} hx_ecdf;

/* The ECDF of v[0..n) (NaNs left out; none left: n == 0). Release with
 * hx_ecdf_release. */
void hx_ecdf_build(hx_ecdf *out, const double *v, size_t n);
/* Keep at most max_steps + 1 of its points for drawing: a point is kept
 * when its y reaches a multiple of 1/max_steps above the last kept one's
 * (and the last point always), so the curve drawn through the kept points
 * is never more than 1/max_steps below the true one, and every kept x is
 * a jump of it. max_steps 0: nothing changes. */
void hx_ecdf_thin(hx_ecdf *e, size_t max_steps);
void hx_ecdf_release(hx_ecdf *e);

/* A side of a rate comparison (side 0: A, 1: B): its rate and the Wilson
 * interval of its counts (k of n) at `confidence`. 0, or -1 when the side
 * has no observations (n == 0, nothing written) or c is not a rate. */
int hx_compare_side_rate(const hx_comparison *c, int side, double confidence, double *rate,
			 double *lo, double *hi);

typedef struct {
	const char *name_a, *name_b; /* what A and B are, as the user named them */
	/* The sides' calibrations when they are telemetry (their completed
	 * durations are drawn); NULL for a calibration.yaml. */
	const hx_calib_data *a, *b;
	size_t max_flips; /* flips listed (the count is always given) */
} hx_compare_report_info;

/* The report of r: its HTML appended to html, its figures added to figs
 * (initialised by the caller with the HTML's path, hx_report_figs_init).
 * 0, or the error of hx_plot_end (message set). */
int hx_compare_report(hx_buf *html, hx_report_figs *figs, const hx_compare_result *r,
		      const hx_compare_report_info *info);

/* hx_compare_report, written to html_path with its figures beside it
 * (hx_report_write: DIR/figures/PREFIXNAME.svg). 0 or an error code with
 * the message set. */
int hx_compare_report_write(const char *html_path, const hx_compare_result *r,
			    const hx_compare_report_info *info);

#endif
