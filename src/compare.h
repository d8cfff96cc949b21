/* compare.h - do two calibrations differ? (harness compare)
 *
 * Paired when A and B ran one plan: both sides are telemetry whose records
 * are the same tasks, the same set of (tier, metadata.task_index) with the
 * same module_name on both sides (checked, never assumed). Then records
 * are paired by task and, per tier:
 *
 *   rates        timeout_rate        event verifier_timeout, over all pairs;
 *                spurious_fail_rate  event proof_invalid, over the pairs
 *                                    whose task is truly valid and did not
 *                                    time out in A, nor in B;
 *                spurious_pass_rate  event verified, over the pairs whose
 *                                    task is truly invalid and did not time
 *                                    out in A, nor in B.
 *                The spurious rates are conditional (calib.h), so a pair
 *                counts only where the condition holds on both sides: a
 *                task that timed out in B has no spurious-fail outcome
 *                there to compare. Per rate: the discordant counts (event
 *                in A only, in B only), the exact McNemar test on them
 *                (exact binomial, two-sided, not the mid-p), and the paired
 *                difference B - A with Newcombe's paired interval (1998,
 *                method 10).
 *   duration     tasks completed (calib.h's durations) with a positive
 *                duration in both: the median of the per-task ratios B/A
 *                with its distribution-free order-statistic 95% interval,
 *                and Wilcoxon's signed-rank test on the log ratios.
 *   flips        every task whose outcome differs between A and B.
 *
 * Unpaired otherwise (a calibration.yaml has no per-task records; the task
 * sets differ; a record has no task_index), with the reason: per tier and
 * rate, A, B, the difference B - A with Newcombe's hybrid Wilson 95%
 * interval, and a two-sided pooled two-proportion z-test; for durations
 * (completed runs): the median ratio B/A with a seeded bootstrap 95%
 * percentile interval, and a two-sample KS test.
 *
 * Either way the p-values of all tests are Holm-adjusted together and a
 * comparison is significant when its adjusted p is below alpha; the
 * intervals are at confidence 1 - alpha (95% by default) and not adjusted
 * for multiplicity (the reports say so, and mark a row whose interval and
 * verdict disagree: an interval that excludes no change beside "not
 * significant" after Holm, or the reverse where the interval's method
 * differs from the test's). A comparison without
 * information (no observations on a side, no variance, no discordant pair,
 * no duration that changed) is not tested (p 1, left out of Holm).
 */
#ifndef HX_COMPARE_H
#define HX_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "calib.h"
#include "telemetry.h"

/* One record of a run, as pairing needs it. */
typedef struct {
	size_t task_index;  /* metadata.task_index */
	hx_tier tier;
	hx_outcome outcome;
	signed char valid;  /* metadata.ground_truth: 1 valid, 0 invalid, -1 none */
	double duration_ms;
	const char *module; /* module_name, into the set's names */
} hx_task_outcome;

typedef struct {
	hx_task_outcome *tasks; /* in file order (owned) */
	size_t n;
	char *names;            /* the module names (owned) */
	size_t no_index_line;   /* first line without metadata.task_index, 0: none */
} hx_task_outcomes;

/* Read the records of a telemetry JSONL file (the checks and messages of
 * hx_calib_read: tier, outcome, duration_ms). Records without
 * metadata.task_index are kept (no_index_line says where the first is):
 * such a run cannot be paired. */
int hx_task_outcomes_read(hx_task_outcomes *out, const char *path);
/* hx_calib_read of a telemetry file and its records by task, in one
 * parse of the file (what a telemetry side of compare needs). On an error
 * neither is left filled. */
int hx_compare_read_run(hx_calib_data *d, hx_task_outcomes *t, const char *path);
void hx_task_outcomes_release(hx_task_outcomes *s);

/* Whether a and b are the same tasks, as above. 1 when they are; 0 when
 * not, with why (e.g. "plans differ (FAST task 17: module 'X' in A, 'Y'
 * in B)") written to why[0..len). */
int hx_compare_same_plan(const hx_task_outcomes *a, const hx_task_outcomes *b, char *why,
			 size_t len);

typedef struct {
	hx_tier tier;
	const char *metric; /* timeout_rate, spurious_fail_rate, spurious_pass_rate, duration */
	const char *method; /* mcnemar-exact, two-proportion-z, wilcoxon-signed-rank, bootstrap-ks */
	const char *interval; /* newcombe-paired, newcombe-hybrid, order-statistic,
			       * bootstrap-percentile */
	int is_rate, paired;
	unsigned long ka, na, kb, nb; /* rates: events and trials (paired: na == nb,
				       * the pairs); durations: na, nb */
	unsigned long a_only, b_only; /* paired rates: discordant pairs, the event in
				       * A only, in B only */
	double a, b;        /* rates; or medians (ms) */
	double diff;        /* b - a; or the median ratio b / a */
	double lo, hi;      /* its interval at the result's confidence (unadjusted) */
	double stat;        /* z; KS D; McNemar: min(a_only, b_only); signed-rank V */
	double p, p_adjusted;
	int tested, significant;
	char note[96];
} hx_comparison;

/* A task whose outcome differs between A and B. */
typedef struct {
	hx_tier tier;
	size_t task_index;
	char *module; /* owned */
	hx_outcome a, b;
	double a_ms, b_ms;
} hx_flip;

typedef struct {
	hx_comparison *items;
	size_t n;
	size_t tested;
	double alpha;
	double confidence;  /* of the intervals: 1 - alpha, unadjusted */
	int any_significant;
	int paired;
	char pairing[224]; /* paired: what was paired; else why not */
	hx_flip *flips;    /* paired only, in plan order (tier, task_index) */
	size_t nflips;
	size_t pairs;      /* paired tasks */
} hx_compare_result;

typedef struct {
	double alpha;       /* default 0.05 */
	uint64_t seed;      /* bootstrap seed (unpaired durations) */
	unsigned bootstrap; /* resamples; default 1000 */
} hx_compare_options;

/* Compare A and B. a and b are the calibrations (rates and durations),
 * ta and tb their records (NULL for a calibration.yaml). When ta and tb
 * are the same plan the comparison is paired, and a and b are not used
 * (they may be NULL); else it is unpaired, from a and b. */
int hx_compare(hx_compare_result *out, const hx_calib_data *a, const hx_calib_data *b,
	       const hx_task_outcomes *ta, const hx_task_outcomes *tb,
	       const hx_compare_options *opt);
void hx_compare_release(hx_compare_result *r);

/* JSON (pinned): {"a", "b", "alpha", "confidence", "tests", "significant", "paired",
 * "pairing", "comparisons": [{"tier", "metric", "method", "interval", "a",
 * "b", "diff" and "diff_ci" (durations: "ratio" and "ratio_ci"),
 * "a_count" and "b_count" [k, n] (rates) or "n_a" and "n_b" (durations),
 * "discordant" {"a_only", "b_only"} (paired rates; null otherwise),
 * "test", "statistic", "p_value", "p_adjusted", "tested", "significant",
 * "note"?}], "n_flips", "flips": [{"tier", "task_index", "module",
 * "a_outcome", "b_outcome", "a_duration_ms", "b_duration_ms"}]} (every
 * flip). */
void hx_compare_format_json(hx_buf *out, const hx_compare_result *r, const char *name_a,
			    const char *name_b);
/* The table, its footnotes, at most max_flips flips (SIZE_MAX: all) and
 * the verdict as the last line. */
void hx_compare_format_text(hx_buf *out, const hx_compare_result *r, const char *name_a,
			    const char *name_b, size_t max_flips);

/* The cells of one comparison as the reports show them (text and HTML):
 * A and B ("0.0700 (7/100)", "median 12.3 ms", or "n=N" without a value),
 * the difference with its interval ("+0.0100 [-0.0200, +0.0400]",
 * "x1.050 [0.980, 1.120]" or "-"), the discordant pairs ("3/5" or "-"),
 * and whether interval and verdict disagree (0; 1: the interval excludes
 * no change, not significant; 2: significant, the interval includes it). */
typedef struct {
	char a[48], b[48], diff[64], discordant[32];
	int disagreement;
} hx_comparison_cells;
void hx_comparison_cells_format(hx_comparison_cells *out, const hx_comparison *c);

/* Median of v[0..n), n > 0, by quickselect in O(n): v is reordered. The
 * mean of the two middle values when n is even. */
double hx_median(double *v, size_t n);

/* Internal to compare*.c: the paired comparisons and the flips of two runs
 * of one plan (hx_compare_same_plan true), appended to out. */
void hx_compare_paired(hx_compare_result *out, const hx_task_outcomes *a,
		       const hx_task_outcomes *b);

#endif
