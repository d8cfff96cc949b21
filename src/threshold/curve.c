/* curve.c - the ROC, PR and tau curves at every distinct score
 * (threshold/curve.h): one walk down the sorted negatives and positives. */
#include "threshold/curve.h"

#include <math.h>
#include <stdlib.h>

#include "buf.h"
#include "threshold/threshold_internal.h"

void hx_threshold_curve_init(hx_threshold_curve *c)
{
	memset(c, 0, sizeof(*c));
}

void hx_threshold_curve_release(hx_threshold_curve *c)
{
	free(c->pts);
	hx_threshold_curve_init(c);
}

static void fill(hx_curve_point *p, double tau, size_t tp, size_t fp, size_t npos, size_t nneg)
{
	p->tau = tau;
	p->tp = tp;
	p->fp = fp;
	p->flagged = tp + fp;
	p->tpr = npos ? (double)tp / (double)npos : NAN;
	p->fpr = nneg ? (double)fp / (double)nneg : NAN;
	p->precision = p->flagged ? (double)tp / (double)p->flagged : 1.0;
	if (isnan(p->tpr))
		p->f1 = NAN;
	else
		p->f1 = p->precision + p->tpr > 0
				? 2 * p->precision * p->tpr / (p->precision + p->tpr)
				: 0.0;
}

void hx_threshold_curve_compute(hx_threshold_curve *out, hx_scores *s)
{
	hx_threshold_curve *c = out;
	const uint64_t *neg, *pos;
	size_t i, j, n = 0;
	hx_threshold_curve_release(c);
	hx_scores_sort(s);
	neg = s->key[0];
	pos = s->key[1];
	c->nneg = s->n[0];
	c->npos = s->n[1];
	c->pts = hx_xcalloc(c->nneg + c->npos + 1, sizeof(*c->pts));
	fill(&c->pts[n++], INFINITY, 0, 0, c->npos, c->nneg);
	/* i positives and j negatives (from the top) are above the next score */
	i = c->npos;
	j = c->nneg;
	while (i > 0 || j > 0) {
		uint64_t v = j == 0 || (i > 0 && pos[i - 1] > neg[j - 1]) ? pos[i - 1] : neg[j - 1];
		while (i > 0 && pos[i - 1] == v)
			i--;
		while (j > 0 && neg[j - 1] == v)
			j--;
		fill(&c->pts[n++], hx_threshold_value(v), c->npos - i, c->nneg - j, c->npos,
		     c->nneg);
	}
	c->n = n;
}

/* |a - b| >= eps, a NaN on one side only counting as a move */
static int moved(double a, double b, double eps)
{
	if (isnan(a) || isnan(b))
		return isnan(a) != isnan(b);
	return fabs(a - b) >= eps;
}

size_t hx_threshold_curve_thin(unsigned char *keep, const hx_threshold_curve *c, double eps,
			       double lo, double hi)
{
	size_t i, last = 0, kept = 0;
	double span = hi > lo ? hi - lo : 1;
	if (!c->n)
		return 0;
	memset(keep, 0, c->n);
	keep[0] = 1;
	for (i = 1; i < c->n; i++) {
		const hx_curve_point *a = &c->pts[last], *b = &c->pts[i];
		int far = moved(a->tpr, b->tpr, eps) || moved(a->fpr, b->fpr, eps) ||
			  moved(a->precision, b->precision, eps) ||
			  (last > 0 && fabs(a->tau - b->tau) / span >= eps);
		if (far || i == c->n - 1) {
			keep[i - 1] = 1;
			keep[i] = 1;
			last = i;
		}
	}
	for (i = 0; i < c->n; i++)
		kept += keep[i];
	return kept;
}
