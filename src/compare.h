/* compare.h - do two calibrations differ? (harness compare)
 *
 * For every tier both sides have, and each rate (timeout, spurious fail,
 * spurious pass): A, B, the difference B - A with Newcombe's hybrid Wilson
 * 95% interval, and a two-sided pooled two-proportion z-test; for
 * durations (completed runs): the median ratio B/A with a seeded bootstrap
 * 95% percentile interval, and a two-sample KS test. The p-values of all
 * tests are Holm-adjusted together; a comparison is significant when its
 * adjusted p is below alpha. A rate with no events on either side, or no
 * observations on one side, is not tested (p 1, left out of Holm).
 */
#ifndef HX_COMPARE_H
#define HX_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "calib.h"

typedef struct {
	hx_tier tier;
	const char *metric; /* timeout_rate, spurious_fail_rate, spurious_pass_rate, duration */
	int is_rate;
	unsigned long ka, na, kb, nb; /* rates: events and trials; duration: na, nb */
	double a, b;        /* rates; or medians (ms) */
	double diff;        /* b - a; or the median ratio b / a */
	double lo, hi;      /* its 95% interval */
	double stat;        /* z; or KS D */
	double p, p_adjusted;
	int tested, significant;
	char note[96];
} hx_comparison;

typedef struct {
	hx_comparison *items;
	size_t n;
	size_t tested;
	double alpha;
	int any_significant;
} hx_compare_result;

typedef struct {
	double alpha;       /* default 0.05 */
	uint64_t seed;      /* bootstrap seed */
	unsigned bootstrap; /* resamples; default 1000 */
} hx_compare_options;

int hx_compare(hx_compare_result *out, const hx_calib_data *a, const hx_calib_data *b,
	       const hx_compare_options *opt);
void hx_compare_release(hx_compare_result *r);

/* JSON (pinned): {"alpha","tests","significant","comparisons":[{"tier",
 * "metric","a","b","diff","diff_ci","p_value","p_adjusted","significant",
 * "tested",...}]}. */
void hx_compare_format_json(hx_buf *out, const hx_compare_result *r, const char *name_a,
			    const char *name_b);
void hx_compare_format_text(hx_buf *out, const hx_compare_result *r, const char *name_a,
			    const char *name_b);

/* Median of v[0..n), n > 0, by quickselect in O(n): v is reordered. The
 * mean of the two middle values when n is even. */
double hx_median(double *v, size_t n);

#endif
