/* threshold/curve.h - the curves of a threshold calibration at every
 * distinct score (what the report's figures draw), from the scores pass 1
 * kept (threshold.h).
 *
 * Point k of a curve is "flag the samples with score >= tau" for tau the
 * k-th largest distinct score, after point 0, tau = +inf (nothing
 * flagged): so the points go from nothing flagged to everything flagged,
 * the ROC from (0, 0) to (1, 1). Ties are one point (a tie between a
 * positive and a negative is a diagonal segment of the ROC, as
 * scikit-learn's roc_curve draws it with drop_intermediate=False).
 *
 * Per point: tp, fp, flagged = tp + fp; TPR = recall = tp / npos; FPR =
 * fp / nneg; precision = tp / flagged, 1 when nothing is flagged (as
 * sklearn's precision_recall_curve ends, and as the tau table has it); F1
 * = 2PR / (P + R), 0 when P + R = 0. A rate whose denominator is 0 (TPR
 * with no positive, FPR with no negative) is NaN, never a division by 0;
 * F1 is then NaN too. No samples: one point (nothing flagged).
 */
#ifndef HX_THRESHOLD_CURVE_H
#define HX_THRESHOLD_CURVE_H

#include <stddef.h>

#include "threshold/threshold.h"

typedef struct {
	double tau; /* +inf for point 0 */
	size_t tp, fp, flagged;
	double tpr, fpr, precision, f1; /* recall is tpr */
} hx_curve_point;

typedef struct {
	hx_curve_point *pts; /* n points, tau descending */
	size_t n;
	size_t npos, nneg;
	size_t ndistinct; /* distinct scores (points before thinning: + 1) */
} hx_threshold_curve;

void hx_threshold_curve_init(hx_threshold_curve *c);
void hx_threshold_curve_release(hx_threshold_curve *c);

/* The curve of s (sorted in place, as hx_threshold_sweep does) into out
 * (initialized; what it held is released; out->pts is out's, freed by
 * hx_threshold_curve_release), the points worth drawing at a resolution
 * of eps (a fraction of an axis, e.g. 1/1000): point 0, the last point
 * (everything flagged), each point whose TPR, FPR, precision or tau (as a
 * fraction of the score range lo .. hi) moved by eps or more from the
 * last point kept, and the point before each of those (so a step or a
 * diagonal keeps its corners).
 * eps <= 0 keeps every point. The points are chosen during the one walk,
 * so the memory is the kept points' (a few thousand at eps 1/1000,
 * however many samples), not a point per distinct score. Never fails. */
void hx_threshold_curve_compute(hx_threshold_curve *out, hx_scores *s, double eps, double lo,
				double hi);

#endif
