/* summary.h - the research summary of a dataset (the users'
 * research_summary.py): global statistics, per profile, top runs.
 *
 * Statistics are over the rows that did not fail (rowset.h). Standard
 * deviations are sample ones (n - 1; NaN for fewer than 2 runs), a median
 * of an even count is the mean of the middle two. The utility of a run is
 * final_pnl - dd_weight * max(max_drawdown, 0) (default weight 0.5).
 */
#ifndef HX_SERIES_SUMMARY_H
#define HX_SERIES_SUMMARY_H

#include <stddef.h>

#include "buf.h"
#include "series/csv.h"
#include "series/rowset.h"

#define HX_SUMMARY_DD_WEIGHT 0.5

/* mean, median and sample standard deviation of one metric */
typedef struct {
	double mean, median, std;
} hx_moments;

enum { HX_M_FINAL_PNL, HX_M_MAX_DRAWDOWN, HX_M_MAX_PNL, HX_M_MIN_PNL, HX_M_COUNT };
extern const char *const hx_summary_metric_names[HX_M_COUNT];

typedef struct {
	const char *name; /* "all" or the profile (points into the rowset) */
	size_t runs, kills;
	double kill_frac;      /* NaN with no runs */
	hx_moments m[HX_M_COUNT];
	double dd_clipped_mean; /* mean of max(max_drawdown, 0) */
	double utility_mean;
} hx_summary_group;

typedef struct {
	size_t row;     /* index into the rowset */
	double utility;
} hx_summary_top;

typedef struct {
	hx_summary_group all;
	hx_summary_group *profiles; /* sorted by name (strcmp) */
	size_t nprofiles;
	hx_summary_top *top; /* best utility first, ties in dataset order */
	size_t ntop;
	size_t failed;    /* failed rows left out */
	double dd_weight; /* the utility's drawdown weight */
} hx_summary;

/* Statistics of v[0..n) (v is reordered). NaN where undefined. */
void hx_moments_of(hx_moments *out, double *v, size_t n);

/* Summarise rs with the top `top_n` runs by utility. *out is the caller's
 * to release with hx_summary_release; it points into rs (keep rs alive). */
void hx_summary_compute(hx_summary *out, const hx_rowset *rs, double dd_weight, size_t top_n);
void hx_summary_release(hx_summary *s);

/* Renderings (appended to out). Text for people; JSON one canonical object
 * (numbers shortest round-trip, NaN as null); CSV one row per group, "all"
 * first then the profiles, header
 * group,runs,kills,kill_frac,final_pnl_mean,final_pnl_median,final_pnl_std,
 * max_drawdown_*,max_pnl_*,min_pnl_* (mean, median, std each),
 * dd_clipped_mean,utility_mean (NaN as an empty cell). */
void hx_summary_format_text(hx_buf *out, const hx_summary *s, const hx_rowset *rs);
void hx_summary_format_json(hx_buf *out, const hx_summary *s, const hx_rowset *rs);
void hx_summary_format_csv(hx_buf *out, const hx_summary *s);

/* Shared by the series renderings: a number for text tables (%.2f, "-"
 * for NaN); CSV cells are series/csv.h's. */
void hx_series_text_number(hx_buf *out, double v);

#endif
