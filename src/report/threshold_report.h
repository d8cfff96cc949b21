/* threshold_report.h - report.html of a threshold calibration (harness
 * threshold --report, and the threshold step of a series: STEP/report.html).
 *
 * The page: the summary as the text report words it (samples, score
 * range, AUROC with DeLong's interval, AP, PR-AUC, the chosen tau and what
 * it gives), three figures, and the tau table (the chosen row in bold).
 * Figures (files figures/PREFIXNAME.svg, html.h), from the curve at every
 * distinct score (threshold/curve.h), drawn with the points that move it
 * by 1/1000 of an axis or more:
 *   roc   FPR against TPR, the chance diagonal dashed, the chosen tau's
 *         (FPR, TPR) marked and labelled, AUROC and its interval in the
 *         title and the legend
 *   pr    recall against precision, the positive rate (a classifier that
 *         flags at random) as a dashed line, the chosen tau marked
 *   tau   precision, recall and F1 against tau (steps: flag score >= tau),
 *         the chosen tau a vertical line
 * No chosen tau (no tau of the grid reaches the target recall): nothing
 * marked, and the captions say so. The same result and scores give the
 * same bytes.
 */
#ifndef HX_REPORT_THRESHOLD_REPORT_H
#define HX_REPORT_THRESHOLD_REPORT_H

#include "buf.h"
#include "report/html.h"
#include "threshold/threshold.h"

/* The page into html (appended to) and its figures into figs (initialized
 * by the caller with the report's path); s: the scores r was swept from
 * (sorted in place). Returns 0 or the plot module's error. */
int hx_threshold_report(hx_buf *html, hx_report_figs *figs, const hx_threshold_result *r,
			hx_scores *s, const char *title);

/* hx_threshold_report written to html_path, its figures beside it
 * (hx_report_write). */
int hx_threshold_report_write(const char *html_path, const hx_threshold_result *r, hx_scores *s,
			      const char *title);

#endif
