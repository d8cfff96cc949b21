/* series_figures.h - the figures of an experiment series (report/).
 *
 * The numbers each figure draws are computed by the functions below (unit
 * tested), then drawn through plot.h:
 *
 *   STEP-heatmap-PROFILE-A-B   (condense step; a sweep over two grid
 *                   parameters A and B) the mean final PnL of the ok runs of
 *                   PROFILE at each (A, B) cell, over the other parameters
 *                   and the repeats; cells labelled, empty cells grey
 *   STEP-heatmap-A  (condense step; one grid parameter, two or more
 *                   profiles) the same with the profiles as rows
 *   STEP-sweep-A    (condense step; one grid parameter) every run's final
 *                   PnL against the parameter, a line through each
 *                   profile's means (the source's "PnL vs band")
 *   STEP-final-pnl, STEP-max-drawdown   (condense step) per profile the
 *                   runs' values (points), the box of the quartiles and
 *                   the median
 *   STEP-kill, STEP-drawdown, STEP-pnl   (align step) per tier the metric
 *                   (kill probability with its Wilson 95% interval, mean
 *                   drawdown, mean final PnL) against its budget: the
 *                   allowed region shaded, the budget a dashed line, the
 *                   point a green circle within budget, a vermillion
 *                   triangle over it
 *
 * Categories (parameter values, profiles) are in order of first
 * appearance in the dataset, which is the plan's order, so the spec's.
 * Quantiles are the linear interpolation of the order statistics
 * (Hyndman-Fan type 7, numpy's and pandas' default).
 */
#ifndef HX_REPORT_SERIES_FIGURES_H
#define HX_REPORT_SERIES_FIGURES_H

#include <stddef.h>

#include "report/html.h"
#include "series/rowset.h"

/* Type-7 quantile p in [0, 1] of n ascending values (NaN when n == 0). */
double hx_series_quantile(const double *sorted, size_t n, double p);

/* Distinct texts in order of first appearance. */
typedef struct {
	char **items; /* owned */
	size_t n;
} hx_series_cats;
void hx_series_cats_release(hx_series_cats *c);
/* Index of s, added when new. */
size_t hx_series_cats_add(hx_series_cats *c, const char *s);
/* Index of s, or (size_t)-1. */
size_t hx_series_cats_find(const hx_series_cats *c, const char *s);

/* The profiles of the ok rows. */
void hx_series_profiles(hx_series_cats *out, const hx_rowset *rows);

/* A heatmap's grid: x categories (the values of parameter xname), y
 * categories (of yname, or the profiles when yname is NULL), mean[i * ny
 * + j] the mean final PnL of the ok rows (of profile when not NULL) with
 * x value i and y value j (NaN: none), count[] how many. Rows without
 * the parameter are left out. Released with hx_series_grid_release. */
typedef struct {
	hx_series_cats x, y;
	double *mean;
	size_t *count;
} hx_series_grid;
void hx_series_grid_build(hx_series_grid *out, const hx_rowset *rows, const char *profile,
			  const char *xname, const char *yname);
void hx_series_grid_release(hx_series_grid *g);

/* One profile's values of a metric (final_pnl or max_drawdown) over the
 * ok rows: sorted ascending, and the quartiles. */
typedef struct {
	double *sorted; /* owned */
	size_t n;
	double q1, median, q3;
} hx_series_dist;
typedef enum { HX_SERIES_FINAL_PNL, HX_SERIES_MAX_DRAWDOWN } hx_series_metric;
void hx_series_dist_build(hx_series_dist *out, const hx_rowset *rows, const char *profile,
			  hx_series_metric m);
void hx_series_dist_release(hx_series_dist *d);

/* Figures of a condense step's dataset: the distributions, and the sweep
 * figures for the grid parameters axes[0..naxes) (the runs steps'). */
int hx_series_dataset_figures(hx_report_figs *figs, const char *step, const hx_rowset *rows,
			      const char *const *axes, size_t naxes);

/* One tier of an alignment table (align.h), as the figures draw it. */
typedef struct {
	char tier[32];
	int has_runs;
	double kill_prob, kill_lo, kill_hi, max_kill_prob;
	double dd_mean, max_drawdown_abs;
	double pnl_mean, min_final_pnl_mean;
	int kill_ok, dd_ok, pnl_ok;
} hx_series_tier;

/* The tiers of an alignment.jsonl line ({"tiers":[...],...}); at most
 * max. Returns the count, or -1 (message set) when the text is not an
 * alignment table. */
long hx_series_tiers_parse(hx_series_tier *out, size_t max, const char *text, size_t len);

/* Figures of an align step. */
int hx_series_align_figures(hx_report_figs *figs, const char *step, const hx_series_tier *t,
			    size_t n);

#endif
