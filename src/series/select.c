/* select.c - presets per tier that meet the budgets, ranked by score. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "series/align.h"

/* Same preset: same profile and the same parameters with the same text. */
static int same_preset(const hx_row *a, const hx_row *b)
{
	size_t i;
	if (strcmp(a->profile, b->profile) != 0 || a->nparams != b->nparams)
		return 0;
	for (i = 0; i < a->nparams; i++) {
		const char *v = hx_row_param(b, a->params[i].name);
		if (!v || strcmp(v, a->params[i].value) != 0)
			return 0;
	}
	return 1;
}

/* Better first: a larger score, NaN last; equal ones keep their order. */
static int cmp_preset(const void *pa, const void *pb)
{
	const hx_preset *a = pa, *b = pb;
	double x = a->stats.score, y = b->stats.score;
	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x > y ? -1 : 1;
	return (a->first_row > b->first_row) - (a->first_row < b->first_row);
}

static void select_tier(hx_selection *out, const hx_rowset *rs, const char *tier,
			const hx_budget *b, size_t k)
{
	size_t *idx = hx_xmalloc((rs->n ? rs->n : 1) * sizeof(size_t));
	hx_preset *all = hx_xmalloc((rs->n ? rs->n : 1) * sizeof(hx_preset));
	char *done = hx_xcalloc(rs->n ? rs->n : 1, 1);
	size_t i, j, n, np = 0, nok = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < rs->n; i++) {
		const hx_row *r = &rs->rows[i];
		if (done[i] || r->failed || strcmp(r->profile, tier) != 0)
			continue;
		n = 0;
		for (j = i; j < rs->n; j++)
			if (!done[j] && !rs->rows[j].failed && same_preset(r, &rs->rows[j])) {
				done[j] = 1;
				idx[n++] = j;
			}
		all[np].first_row = i;
		hx_align_stats_of(&all[np].stats, rs, idx, n, b);
		np++;
	}
	out->npresets = np;
	/* the presets within budget first (stable: a partition in order) */
	for (i = 0; i < np; i++)
		if (all[i].stats.status == HX_ALIGN_PASS) {
			hx_preset t = all[i];
			memmove(&all[nok + 1], &all[nok], (i - nok) * sizeof(hx_preset));
			all[nok++] = t;
		}
	if (nok) {
		qsort(all, nok, sizeof(hx_preset), cmp_preset);
		out->nchosen = nok < k ? nok : k;
	} else if (np) {
		qsort(all, np, sizeof(hx_preset), cmp_preset);
		out->nchosen = 1;
		out->fallback = 1;
	}
	out->chosen = hx_xmalloc((out->nchosen ? out->nchosen : 1) * sizeof(hx_preset));
	memcpy(out->chosen, all, out->nchosen * sizeof(hx_preset));
	free(idx);
	free(all);
	free(done);
}

void hx_select_compute(hx_selections *out, const hx_rowset *rs, const hx_budgets *b, size_t k)
{
	size_t t;
	for (t = 0; t < HX_ALIGN_NTIERS; t++)
		select_tier(&out->tier[t], rs, hx_align_tier_names[t], &b->tier[t], k);
}

void hx_select_release(hx_selections *s)
{
	size_t t;
	for (t = 0; t < HX_ALIGN_NTIERS; t++) {
		free(s->tier[t].chosen);
		s->tier[t].chosen = NULL;
		s->tier[t].nchosen = 0;
	}
}
