/* calib_figures.h - the figures of a calibration, per tier (report/).
 *
 *   TIER-rates      every outcome's share of the tier's runs and the
 *                   spurious-fail and spurious-pass rates, each with its
 *                   Wilson 95% interval
 *   TIER-durations  the completed runs' durations as a density histogram
 *                   (bins of equal width over [0, timeout]) with the four
 *                   fitted densities, each truncated at the timeout (the
 *                   completed runs are those that ended before it):
 *                   f(t) / F(T); the best by AIC is named in the legend;
 *                   the timeout is a dashed line
 *   TIER-survival   the Kaplan-Meier estimate of the durations with the
 *                   timed-out runs censored at the timeout (marks), as the fits have them, its
 *                   log-log 95% band, and each fitted family's survival
 *                   1 - (1 - pi) F(t) (pi: the stall fraction when fitted
 *                   with the stall model, else 0) over it
 *
 * A step curve is drawn with only the steps that move it by a visible
 * amount (1/1000 of the axis) and the censoring marks at distinct places,
 * so a 30,000-run tier makes a figure of tens of kilobytes, not megabytes.
 */
#ifndef HX_REPORT_CALIB_FIGURES_H
#define HX_REPORT_CALIB_FIGURES_H

#include "calib.h"
#include "report/html.h"

/* Draw the figures of tier t into figs (names TIER-rates, ...); each
 * figure whose data is missing (no completed run, no fit) is left out.
 * Returns 0 or the plot module's error. */
int hx_calib_figures(hx_report_figs *figs, const hx_tier_data *t);

#endif
