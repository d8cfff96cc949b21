/* curve.c - the ROC, PR and tau curves at every distinct score
 * (threshold/curve.h): one walk down the sorted negatives and positives,
 * each point offered to the thinning as it comes. */
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

/* |a - b| >= eps, a NaN on one side only counting as a move */
static int moved(double a, double b, double eps)
{
	if (isnan(a) || isnan(b))
		return isnan(a) != isnan(b);
	return fabs(a - b) >= eps;
}

/* The kept points, as the walk goes. */
typedef struct {
	hx_threshold_curve *c;
	size_t cap;
	double eps, span;
	hx_curve_point last;  /* the last point kept */
	hx_curve_point prev;  /* the point before this one */
	int prev_kept;
} thinner;

static void emit(thinner *t, const hx_curve_point *p)
{
	if (t->c->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->c->pts = hx_xrealloc(t->c->pts, t->cap * sizeof(*t->c->pts));
	}
	t->c->pts[t->c->n++] = *p;
	t->last = *p;
}

static void offer(thinner *t, const hx_curve_point *p)
{
	const hx_curve_point *a = &t->last;
	int far = t->c->n == 0 || t->eps <= 0 || moved(a->tpr, p->tpr, t->eps) ||
		  moved(a->fpr, p->fpr, t->eps) || moved(a->precision, p->precision, t->eps) ||
		  (!isinf(a->tau) && fabs(a->tau - p->tau) / t->span >= t->eps);
	if (far) {
		if (t->c->n && !t->prev_kept)
			emit(t, &t->prev);
		emit(t, p);
	}
	t->prev = *p;
	t->prev_kept = far;
}

void hx_threshold_curve_compute(hx_threshold_curve *out, hx_scores *s, double eps, double lo,
				double hi)
{
	const uint64_t *neg, *pos;
	size_t i, j;
	hx_curve_point p;
	thinner t;
	hx_threshold_curve_release(out);
	hx_scores_sort(s);
	neg = s->key[0];
	pos = s->key[1];
	out->nneg = s->n[0];
	out->npos = s->n[1];
	memset(&t, 0, sizeof(t));
	t.c = out;
	t.eps = eps;
	t.span = hi > lo ? hi - lo : 1;
	fill(&p, INFINITY, 0, 0, out->npos, out->nneg);
	offer(&t, &p);
	/* i positives and j negatives (from the top) are above the next score */
	i = out->npos;
	j = out->nneg;
	while (i > 0 || j > 0) {
		uint64_t v = j == 0 || (i > 0 && pos[i - 1] > neg[j - 1]) ? pos[i - 1] : neg[j - 1];
		while (i > 0 && pos[i - 1] == v)
			i--;
		while (j > 0 && neg[j - 1] == v)
			j--;
		fill(&p, hx_threshold_value(v), out->npos - i, out->nneg - j, out->npos, out->nneg);
		out->ndistinct++;
		offer(&t, &p);
	}
	/* the last point (everything flagged) ends the curve */
	if (!t.prev_kept) {
		p = t.prev;
		emit(&t, &p);
	}
}
