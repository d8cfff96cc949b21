/* diff_outcomes.c - per tier, the outcome transitions of matched records
 * and each outcome's count in both streams. */
#include "diff_outcomes.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "telemetry.h"

typedef struct {
	char *v[HX_DIFF_MAX_VALUES];
	size_t n;
} names;

struct hx_diff_tally {
	int off;
	names groups, states;
	size_t counts[2][HX_DIFF_MAX_VALUES][HX_DIFF_MAX_VALUES]; /* side, group, state */
	size_t *pairs; /* [group][state_a][state_b], made by the first pair */
};

hx_diff_tally *hx_diff_tally_new(void)
{
	return hx_xcalloc(1, sizeof(hx_diff_tally));
}

static void names_release(names *n)
{
	size_t i;
	for (i = 0; i < n->n; i++)
		free(n->v[i]);
}

void hx_diff_tally_free(hx_diff_tally *t)
{
	if (!t)
		return;
	names_release(&t->groups);
	names_release(&t->states);
	free(t->pairs);
	free(t);
}

/* The id of a string value, added when new; -1 when full. Few values, so
 * a linear search is the fast one. */
static int intern(names *n, const hx_json *v)
{
	size_t i;
	for (i = 0; i < n->n; i++)
		if (strlen(n->v[i]) == v->u.string.len &&
		    memcmp(n->v[i], v->u.string.ptr, v->u.string.len) == 0)
			return (int)i;
	if (n->n == HX_DIFF_MAX_VALUES)
		return -1;
	n->v[n->n] = hx_xmalloc(v->u.string.len + 1);
	memcpy(n->v[n->n], v->u.string.ptr, v->u.string.len);
	n->v[n->n][v->u.string.len] = '\0';
	return (int)n->n++;
}

void hx_diff_tally_record(hx_diff_tally *t, int side, const hx_json *rec, int *group, int *state)
{
	const hx_json *g = NULL, *s = NULL;
	*group = *state = -1;
	if (t->off)
		return;
	if (rec && rec->type == HX_JSON_OBJECT) {
		g = hx_json_get(rec, HX_DIFF_GROUP_FIELD);
		s = hx_json_get(rec, HX_DIFF_STATE_FIELD);
	}
	if (!g || !s || g->type != HX_JSON_STRING || s->type != HX_JSON_STRING ||
	    (*group = intern(&t->groups, g)) < 0 || (*state = intern(&t->states, s)) < 0) {
		t->off = 1;
		*group = *state = -1;
		return;
	}
	t->counts[side][*group][*state]++;
}

void hx_diff_tally_pair(hx_diff_tally *t, int group, int state_a, int state_b)
{
	const size_t m = HX_DIFF_MAX_VALUES;
	if (t->off || group < 0 || state_a < 0 || state_b < 0)
		return;
	if (!t->pairs)
		t->pairs = hx_xcalloc(m * m * m, sizeof(size_t));
	t->pairs[((size_t)group * m + (size_t)state_a) * m + (size_t)state_b]++;
}

static const char *keep(hx_arena *a, const char *s)
{
	return hx_arena_strndup(a, s, strlen(s));
}

/* Outcomes in the telemetry's order (verified, proof_invalid,
 * verifier_timeout, ...), unknown ones after them as they came. */
static size_t rank(const char *name, size_t id)
{
	int o;
	for (o = 0; o < HX_OUT_COUNT; o++)
		if (strcmp(hx_outcome_name((hx_outcome)o), name) == 0)
			return (size_t)o;
	return HX_OUT_COUNT + id;
}

static void order_states(const hx_diff_tally *t, size_t *ord)
{
	size_t i, j;
	for (i = 0; i < t->states.n; i++) {
		size_t r = rank(t->states.v[i], i);
		for (j = i; j > 0 && rank(t->states.v[ord[j - 1]], ord[j - 1]) > r; j--)
			ord[j] = ord[j - 1];
		ord[j] = i;
	}
}

void hx_diff_tally_finish(hx_diff_tally *t, hx_diff_result *out)
{
	const size_t m = HX_DIFF_MAX_VALUES;
	size_t g, ia, ib, a, b, n, ord[HX_DIFF_MAX_VALUES];

	out->has_outcomes = !t->off && t->groups.n > 0;
	out->ntiers = 0;
	if (!out->has_outcomes)
		return;
	order_states(t, ord);
	out->tiers = hx_arena_alloc(out->arena, t->groups.n * sizeof(*out->tiers));
	for (g = 0; g < t->groups.n; g++) {
		hx_diff_tier *tier = &out->tiers[out->ntiers++];
		memset(tier, 0, sizeof(*tier));
		tier->tier = keep(out->arena, t->groups.v[g]);
		tier->transitions = hx_arena_alloc(out->arena, t->states.n * t->states.n *
								       sizeof(*tier->transitions));
		tier->rates = hx_arena_alloc(out->arena, t->states.n * sizeof(*tier->rates));
		for (ia = 0; ia < t->states.n; ia++) {
			size_t ca, cb;
			a = ord[ia];
			ca = t->counts[0][g][a];
			cb = t->counts[1][g][a];
			tier->old_records += ca;
			tier->new_records += cb;
			if (ca || cb) {
				hx_diff_rate *r = &tier->rates[tier->nrates++];
				r->outcome = keep(out->arena, t->states.v[a]);
				r->old_count = ca;
				r->new_count = cb;
			}
			for (ib = 0; ib < t->states.n && t->pairs; ib++) {
				b = ord[ib];
				n = t->pairs[(g * m + a) * m + b];
				if (!n)
					continue;
				tier->transitions[tier->ntransitions].from = keep(out->arena, t->states.v[a]);
				tier->transitions[tier->ntransitions].to = keep(out->arena, t->states.v[b]);
				tier->transitions[tier->ntransitions++].count = n;
				tier->compared += n;
			}
		}
	}
}
