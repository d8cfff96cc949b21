/* threshold/threshold_internal.h - what the threshold files share and no
 * caller needs: the score store's layout, the order-preserving key of a
 * double, the in-place sort, the lookups in sorted keys, the checks of
 * degenerate input. */
#ifndef HX_THRESHOLD_INTERNAL_H
#define HX_THRESHOLD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "threshold/threshold.h"

struct hx_scores {
	uint64_t *key[2]; /* [0] negatives, [1] positives: keys (hx_threshold_key) */
	size_t n[2], cap[2];
	int sorted; /* both arrays ascending (cleared by hx_scores_add) */
};

/* The key of a finite double: unsigned order of keys == numeric order of
 * values (negative numbers have every bit flipped, the others the sign
 * bit set). -0 is taken as +0, so that equal scores have equal keys. */
static inline uint64_t hx_threshold_key(double x)
{
	uint64_t u;
	if (x == 0)
		x = 0.0;
	memcpy(&u, &x, sizeof(u));
	return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static inline double hx_threshold_value(uint64_t key)
{
	uint64_t u = (key >> 63) ? key & ~(UINT64_C(1) << 63) : ~key;
	double x;
	memcpy(&x, &u, sizeof(x));
	return x;
}

/* Sort a[0..n) ascending, in place (no buffer of n). */
void hx_threshold_sort_keys(uint64_t *a, size_t n);

/* Sort both of s's arrays unless they are sorted. */
void hx_scores_sort(hx_scores *s);

/* Move src's samples to the end of dst's (src is left empty). */
void hx_scores_take(hx_scores *dst, hx_scores *src);

/* In ascending a[0..n): the count of keys below k (lower bound) and of
 * keys at most k (upper bound). */
size_t hx_threshold_below(const uint64_t *a, size_t n, uint64_t k);
size_t hx_threshold_at_most(const uint64_t *a, size_t n, uint64_t k);

/* The k-th smallest (0-based) key of the union of ascending a[0..na) and
 * b[0..nb); k < na + nb. */
uint64_t hx_threshold_kth(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, size_t k);

/* HX_EINVALID with the one line that says why, when npos positives and
 * nneg negatives scored from lo to hi have no AUROC or threshold (no
 * samples, one, a single label, a single score); 0 otherwise. what
 * prefixes the message ("monitor B: "; "" for none). */
int hx_threshold_check(size_t npos, size_t nneg, double lo, double hi, const char *what);

/* The 95% normal interval of an AUROC with standard error se, clipped to
 * [0, 1] (NaN bounds for a NaN se). */
void hx_threshold_interval(double auc, double se, double *lo, double *hi);

#endif
