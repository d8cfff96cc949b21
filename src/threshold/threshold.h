/* threshold/threshold.h - two-pass threshold (tau) calibration: pass 1
 * keeps one score and one label per sample (hx_scores, 8 bytes a sample),
 * pass 2 sweeps tau over them without re-running anything: one sort, then
 * every tau from cumulative counts, O(n log n + T log n).
 *
 * Predict positive when score >= tau. Statistics (scikit-learn semantics
 * where it has them):
 * - AUROC: Mann-Whitney with mid-ranks (a tie between a positive and a
 *   negative counts one half), with DeLong's variance and a 95% interval
 *   (normal, clipped to [0, 1]);
 * - average precision: sum over distinct score thresholds, high to low, of
 *   (R_k - R_{k-1}) P_k (tied scores are one threshold), as
 *   sklearn.metrics.average_precision_score;
 * - PR-AUC: the trapezoidal area under sklearn's precision_recall_curve
 *   (its points at every distinct score, plus (recall 0, precision 1));
 * - the tau grid: default 40 type-7 quantiles of all scores at
 *   q = 0.60 ... 0.99 evenly spaced (numpy's np.quantile(scores,
 *   np.linspace(0.6, 0.99, 40))), or quantiles A:B:N, or start/stop/step;
 * - per tau: tp, fp, flagged = tp + fp, precision = tp / flagged (1 when
 *   nothing is flagged, as sklearn's curve ends), recall = tp / npos,
 *   F1, FPR = fp / nneg;
 * - the best tau: the highest precision among the rows with recall >=
 *   target_recall, ties to the larger tau; none when no row reaches it.
 */
#ifndef HX_THRESHOLD_H
#define HX_THRESHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

/* ---------------------------------------------------------------- scores */

/* The scores of pass 1: the positives' and the negatives' in two arrays of
 * 8-byte keys (an order-preserving image of the double), so a sample costs
 * 8 bytes (plus the arrays' slack; glibc grows large blocks with mremap,
 * without a copy). */
typedef struct hx_scores hx_scores;

hx_scores *hx_scores_new(void);
void hx_scores_free(hx_scores *s); /* accepts NULL */
/* Add one sample; score must be finite (the caller words the error with
 * its file and line). */
void hx_scores_add(hx_scores *s, double score, int positive);
size_t hx_scores_count(const hx_scores *s);
size_t hx_scores_positives(const hx_scores *s);

/* ------------------------------------------------------------- the sweep */

typedef enum {
	HX_TAU_QUANTILES, /* q_start .. q_stop, q_count values (default) */
	HX_TAU_RANGE      /* start, start + step, ... while <= stop (+1e-9 step) */
} hx_tau_kind;

typedef struct {
	hx_tau_kind kind;
	double q_start, q_stop;
	size_t q_count;
	double start, stop, step;
} hx_tau_grid;

/* 0.60 .. 0.99, 40 values. */
void hx_tau_grid_default(hx_tau_grid *g);
/* "A:B:N" (0 <= A <= B <= 1, N >= 1; N == 1 needs A == B) into g; HX_EINVALID
 * with the error set ("quantiles 'X': ...") otherwise. */
int hx_tau_grid_quantiles(hx_tau_grid *g, const char *text);
/* start/stop/step: step > 0, start <= stop, at most 100000 values. */
int hx_tau_grid_range(hx_tau_grid *g, double start, double stop, double step);

typedef struct {
	double tau;
	double quantile; /* the q it came from; NaN for a range grid */
	size_t tp, fp, flagged;
	double precision, recall, f1, fpr;
} hx_tau_row;

typedef struct {
	size_t n, npos, nneg;
	double score_min, score_max;
	double positive_rate;
	double auroc, auroc_se, auroc_lo, auroc_hi; /* DeLong, 95%; the three NaN
						     * with fewer than 2 positives or
						     * 2 negatives (no sample variance) */
	double ap;     /* average precision */
	double pr_auc; /* trapezoidal */
	hx_tau_row *rows; /* in grid order (ascending tau) */
	size_t nrows;
	double target_recall;
	long best; /* index into rows, or -1: no tau reaches target_recall */
} hx_threshold_result;

void hx_threshold_result_init(hx_threshold_result *r);
void hx_threshold_result_release(hx_threshold_result *r);

/* Pass 2 over s (sorted in place, so it may be called again) into out
 * (initialized; what it held is released first; out->rows is the
 * result's, freed by hx_threshold_result_release). HX_EINVALID with the
 * error set, one clear line, for what has no answer: no samples, one
 * sample, every sample positive, every sample negative, every score the
 * same; and for a grid the hx_tau_grid_* functions would refuse. */
int hx_threshold_sweep(hx_threshold_result *out, hx_scores *s, const hx_tau_grid *g,
		       double target_recall);

/* The report: text (what `harness threshold` prints), JSON (one object,
 * RFC 8785), markdown (threshold.md). */
void hx_threshold_format_text(hx_buf *out, const hx_threshold_result *r);
void hx_threshold_format_json(hx_buf *out, const hx_threshold_result *r);
void hx_threshold_format_md(hx_buf *out, const hx_threshold_result *r, const char *title);

/* The pieces of the text report, for other renderings (the HTML report):
 * the summary's items, name[k] and value[k] (appended to, initialized by
 * the caller) as the text report words them (the last, "best tau", with
 * what it gives after ": "); the tau table's column names and one row's
 * cells. */
#define HX_THRESHOLD_NSUMMARY 6
#define HX_THRESHOLD_NCOLS 7
void hx_threshold_summary(hx_buf value[HX_THRESHOLD_NSUMMARY],
			  const char *name[HX_THRESHOLD_NSUMMARY], const hx_threshold_result *r);
extern const char *const hx_threshold_col_names[HX_THRESHOLD_NCOLS];
void hx_threshold_row_cells(char cell[HX_THRESHOLD_NCOLS][32], const hx_tau_row *row);

/* ------------------------------------------------ reading scored samples */

/* Where a sample's score and label are in a JSON line: dotted paths
 * ("a.b.c": members of nested objects). Labels: true/false or the numbers
 * 1/0; with positive set, a label equal to it (a string's text, or a
 * number's or boolean's JSON text) is positive and any other non-null one
 * negative. */
typedef struct {
	const char *score;
	const char *label;
	const char *positive; /* NULL: true/false, 1/0 */
} hx_score_fields;

/* The score and label of one JSON line. HX_EINVALID with the error set
 * ("no 'score'", "'score' is null", "'score' is a string, not a number",
 * "'score' is NaN", "'score' is infinite", "'label' is not true/false or
 * 1/0 ...", a line that is not JSON "column C: what"), without a
 * location: the caller prefixes "FILE:LINE: ". The tokens NaN, Infinity
 * and -Infinity (what Python's json writes) are read, to be refused by
 * name. A flat line is read in one pass (hx_json_scan_flat_shape, sh may
 * be NULL), others through the parser. */
int hx_score_line(const hx_score_fields *f, hx_json_shape *sh, const char *line, size_t len,
		  double *score, int *positive);

/* Every nonblank line of path (or standard input for "-", named
 * "<stdin>" in errors) into s, read in blocks: memory is the store's and
 * the longest line's. Errors "PATH:LINE: ..." (a JSON error:
 * "PATH:LINE:COL: ..."), HX_EINVALID; a file that cannot be read
 * HX_ESYSTEM / HX_ENOTFOUND. */
int hx_scores_read_jsonl(hx_scores *s, const char *path, const hx_score_fields *f);

/* ---------------------------------------------------- comparing monitors */

/* Two monitors' AUROC: B - A with its 95% interval. paired: the same
 * samples with the same labels scored by both (sample i of a is sample i
 * of b), DeLong's paired covariance; otherwise independent samples
 * (variances add). The difference of recall and precision at each run's
 * own best tau rides along (NaN where a run has none). */
typedef struct {
	int paired;
	double auroc_a, auroc_b, diff, diff_se, diff_lo, diff_hi, p; /* two-sided z */
	double recall_a, recall_b, precision_a, precision_b, tau_a, tau_b;
} hx_threshold_compare;

/* Paired comparison from per-sample arrays (score_a[i], score_b[i],
 * label[i]): sets paired = 1 and the AUROC fields only (call
 * hx_threshold_compare_results first for the rest); HX_EINVALID as
 * hx_threshold_sweep for degenerate input. */
int hx_threshold_compare_paired(hx_threshold_compare *out, const double *score_a,
				const double *score_b, const unsigned char *label, size_t n);
/* Unpaired, from two results. */
void hx_threshold_compare_results(hx_threshold_compare *out, const hx_threshold_result *a,
				  const hx_threshold_result *b);

#endif
