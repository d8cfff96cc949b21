/* threshold/compare_report.h - the report of two threshold calibrations
 * compared (threshold.h's hx_threshold_compare): what `harness compare`
 * prints for two scores tables. */
#ifndef HX_THRESHOLD_COMPARE_REPORT_H
#define HX_THRESHOLD_COMPARE_REPORT_H

#include "buf.h"
#include "threshold/threshold.h"

typedef struct {
	const char *a, *b;         /* what the two sides are (paths) */
	size_t na, npos_a, nb, npos_b;
	const char *pairing;       /* why paired or not, one line */
	double alpha;              /* significance level of the AUROC difference */
	double target_recall;
	const char *grid;          /* the tau grid, words ("40 quantiles 0.6..0.99") */
} hx_threshold_compare_info;

/* Text: the sides, the pairing, AUROC A and B with B-A, its 95% interval,
 * p and the verdict at alpha; each side's best tau with its precision and
 * recall, and their differences. */
void hx_threshold_compare_format_text(hx_buf *out, const hx_threshold_compare *c,
				      const hx_threshold_compare_info *info);
/* One RFC 8785 JSON object with the same content. */
void hx_threshold_compare_format_json(hx_buf *out, const hx_threshold_compare *c,
				      const hx_threshold_compare_info *info);
/* 1 when the AUROC difference is significant at info->alpha. */
int hx_threshold_compare_significant(const hx_threshold_compare *c,
				     const hx_threshold_compare_info *info);

#endif
