/* diff_format.c - the reports of a diff: the outcome summary, the counts per
 * path, the records with the paths that matter first, and the JSON form. */
#include "diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"

/* What each telemetry field is to a reader of a diff. The outcome is the
 * verdict; success, exit code and signal are how the verdict came about;
 * timings, resources, tactic counts and stderr move with every run of a
 * real verifier and with any change of outcome, so listing them buries
 * the change that matters. An entry covers its field and everything below
 * it. */
static const struct {
	const char *field;
	hx_diff_path_class cls;
} path_classes[] = {
	{"outcome", HX_DIFF_PATH_KEY},
	{"success", HX_DIFF_PATH_CONSEQUENCE},
	{"exit_code", HX_DIFF_PATH_CONSEQUENCE},
	{"signal", HX_DIFF_PATH_CONSEQUENCE},
	{"duration_ms", HX_DIFF_PATH_INCIDENTAL},
	{"cpu_time_ms", HX_DIFF_PATH_INCIDENTAL},
	{"memory_peak_mb", HX_DIFF_PATH_INCIDENTAL},
	{"tactics", HX_DIFF_PATH_INCIDENTAL},
	{"stderr_tail", HX_DIFF_PATH_INCIDENTAL},
};

/* Is path ".F" for the dotted field F (whole=1), or below it? */
static int path_is(const char *path, const char *field, int whole)
{
	size_t n = strlen(field);
	if (path[0] != '.' || strncmp(path + 1, field, n) != 0)
		return 0;
	return path[1 + n] == '\0' || (!whole && (path[1 + n] == '.' || path[1 + n] == '['));
}

hx_diff_path_class hx_diff_path_class_of(const char *path, const char *const *key_fields,
					 const char *const *match_fields)
{
	const char *const *f;
	size_t i;
	for (f = key_fields; f && *f; f++)
		if (path_is(path, *f, 1))
			return HX_DIFF_PATH_KEY;
	for (f = match_fields; f && *f; f++)
		if (path_is(path, *f, 1))
			return HX_DIFF_PATH_KEY;
	for (i = 0; i < sizeof(path_classes) / sizeof(path_classes[0]); i++)
		if (path_is(path, path_classes[i].field, 0))
			return path_classes[i].cls;
	return HX_DIFF_PATH_OTHER;
}

int hx_diff_change_folded(const hx_diff_change *c, const hx_diff_record *rec)
{
	if (c->kind != HX_DIFF_CHANGED)
		return 0;
	return c->cls == HX_DIFF_PATH_INCIDENTAL ||
	       (c->cls == HX_DIFF_PATH_CONSEQUENCE && rec->outcome_changed);
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static size_t cap(size_t n)
{
	return n ? n : SIZE_MAX;
}

/* s cut to max bytes (never inside a UTF-8 character) plus "...". */
static void put_cut(hx_buf *out, const char *s, size_t max)
{
	if (!s || strlen(s) <= max) {
		hx_buf_puts(out, s ? s : "(absent)");
		return;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	hx_buf_put(out, s, max);
	hx_buf_puts(out, "...");
}

/* ---- the summary ---- */

static int tier_differs(const hx_diff_tier *t)
{
	size_t i;
	for (i = 0; i < t->ntransitions; i++)
		if (strcmp(t->transitions[i].from, t->transitions[i].to) != 0)
			return 1;
	for (i = 0; i < t->nrates; i++)
		if (t->rates[i].old_count != t->rates[i].new_count)
			return 1;
	return 0;
}

typedef struct {
	const hx_diff_tier *tier;
	const hx_diff_transition *t;
	size_t order; /* tier, then the matrix order: ties keep it */
} moved;

static int cmp_moved(const void *x, const void *y)
{
	const moved *a = x, *b = y;
	if (a->t->count != b->t->count)
		return a->t->count > b->t->count ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static void put_pct(hx_buf *out, size_t k, size_t n)
{
	if (n)
		hx_buf_printf(out, "%5.1f%%", 100.0 * (double)k / (double)n);
	else
		hx_buf_puts(out, "    -");
}

static void format_outcomes(hx_buf *out, const hx_diff_result *r, const char *ind)
{
	moved *v = NULL;
	size_t nv = 0, i, j, wt = 0, wm = 0, wo = 0, wc = 0;
	char num[32];
	int any_rates = 0;

	for (i = 0; i < r->ntiers; i++) {
		const hx_diff_tier *t = &r->tiers[i];
		v = realloc(v, (nv + t->ntransitions + 1) * sizeof(*v));
		if (!v)
			hx_oom();
		for (j = 0; j < t->ntransitions; j++) {
			const hx_diff_transition *x = &t->transitions[j];
			if (strcmp(x->from, x->to) == 0)
				continue;
			v[nv].tier = t;
			v[nv].t = x;
			v[nv].order = nv;
			nv++;
		}
		if (tier_differs(t)) {
			any_rates = 1;
			if (strlen(t->tier) > wt)
				wt = strlen(t->tier);
			for (j = 0; j < t->nrates; j++)
				if (strlen(t->rates[j].outcome) > wo)
					wo = strlen(t->rates[j].outcome);
		}
	}
	qsort(v, nv, sizeof(*v), cmp_moved);
	for (i = 0; i < nv; i++) {
		size_t m = strlen(v[i].t->from) + 4 + strlen(v[i].t->to);
		if (strlen(v[i].tier->tier) > wt)
			wt = strlen(v[i].tier->tier);
		wm = m > wm ? m : wm;
		j = (size_t)snprintf(num, sizeof(num), "%zu", v[i].t->count);
		wc = j > wc ? j : wc;
	}
	hx_buf_printf(out, "%soutcome transitions (%s -> %s):%s\n", ind, r->old_label, r->new_label,
		      nv ? "" : " none");
	for (i = 0; i < nv; i++) {
		size_t m = strlen(v[i].t->from) + 4 + strlen(v[i].t->to);
		hx_buf_printf(out, "%s  %-*s  %s -> %s%*s  %*zu\n", ind, (int)wt, v[i].tier->tier,
			      v[i].t->from, v[i].t->to, (int)(wm - m), "", (int)wc, v[i].t->count);
	}
	free(v);
	if (!any_rates)
		return;
	hx_buf_printf(out, "%soutcome rates (%s -> %s):\n", ind, r->old_label, r->new_label);
	for (i = 0; i < r->ntiers; i++) {
		const hx_diff_tier *t = &r->tiers[i];
		if (!tier_differs(t))
			continue;
		for (j = 0; j < t->nrates; j++) {
			const hx_diff_rate *x = &t->rates[j];
			hx_buf_printf(out, "%s  %-*s  %-*s  ", ind, (int)wt, t->tier, (int)wo, x->outcome);
			put_pct(out, x->old_count, t->old_records);
			hx_buf_puts(out, " -> ");
			put_pct(out, x->new_count, t->new_records);
			if (t->old_records == t->new_records)
				hx_buf_printf(out, "  (%zu -> %zu of %zu)\n", x->old_count, x->new_count,
					      t->old_records);
			else
				hx_buf_printf(out, "  (%zu of %zu -> %zu of %zu)\n", x->old_count,
					      t->old_records, x->new_count, t->new_records);
		}
	}
}

void hx_diff_format_summary(hx_buf *out, const hx_diff_result *r, const hx_diff_style *style)
{
	const char *ind = style->indent ? style->indent : "";
	size_t i, nfold = 0;

	if (r->has_outcomes)
		format_outcomes(out, r, ind);
	if (r->npaths)
		hx_buf_printf(out, "%spaths:\n", ind);
	for (i = 0; i < r->npaths; i++) {
		const hx_diff_path *p = &r->paths[i];
		if (!style->all_paths && p->cls == HX_DIFF_PATH_INCIDENTAL) {
			nfold++;
			continue;
		}
		hx_buf_printf(out, "%s  %s: %zu changed", ind, p->path, p->changed);
		if (p->within_tolerance)
			hx_buf_printf(out, " (%zu %swithin tolerance)", p->within_tolerance,
				      p->changed ? "more " : "");
		hx_buf_putc(out, '\n');
	}
	if (!nfold)
		return;
	/* The incidental ones on one line: their counts are there, they take
	 * no room from the paths that matter. */
	hx_buf_printf(out, "%s  incidental:", ind);
	for (i = 0; i < r->npaths; i++) {
		const hx_diff_path *p = &r->paths[i];
		if (p->cls != HX_DIFF_PATH_INCIDENTAL)
			continue;
		nfold--;
		hx_buf_printf(out, " %s %zu", p->path, p->changed);
		if (p->within_tolerance)
			hx_buf_printf(out, " (+%zu within tolerance)", p->within_tolerance);
		if (nfold)
			hx_buf_putc(out, ',');
	}
	hx_buf_putc(out, '\n');
}

/* ---- the records ---- */

typedef struct {
	hx_buf *out;
	const hx_diff_result *r;
	const hx_diff_style *s;
	const char *ind, *red, *green, *off;
	size_t max_value;
	size_t lines; /* change lines written (flat style's budget) */
} writer;

/* rec's listed changes in order: KEY ones first, then the rest as they
 * came; *nfold gets the folded ones' count. Caller frees. */
static const hx_diff_change **listed(const writer *w, const hx_diff_record *rec, size_t *n,
				     size_t *nfold)
{
	const hx_diff_change **v = malloc((rec->n ? rec->n : 1) * sizeof(*v));
	size_t i, pass;
	if (!v)
		hx_oom();
	*n = *nfold = 0;
	for (pass = 0; pass < 2; pass++)
		for (i = rec->first; i < rec->first + rec->n; i++) {
			const hx_diff_change *c = &w->r->changes[i];
			int folded = !w->s->all_paths && hx_diff_change_folded(c, rec);
			if (pass == 0 && folded)
				(*nfold)++;
			if (folded || (c->cls == HX_DIFF_PATH_KEY) != (pass == 0))
				continue;
			v[(*n)++] = c;
		}
	return v;
}

static void put_change(writer *w, const hx_diff_change *c, int grouped)
{
	hx_buf_printf(w->out, grouped ? "%s: %s" : "%s %s", c->path, w->red);
	put_cut(w->out, c->old_value, w->max_value);
	hx_buf_printf(w->out, "%s -> %s", w->off, w->green);
	put_cut(w->out, c->new_value, w->max_value);
	hx_buf_puts(w->out, w->off);
}

static void put_fold(writer *w, size_t nfold, int alone)
{
	if (alone)
		hx_buf_printf(w->out, "%zu incidental change%s\n", nfold, plural(nfold));
	else
		hx_buf_printf(w->out, "  (+%zu incidental change%s)\n", nfold, plural(nfold));
}

static void grouped_record(writer *w, const hx_diff_record *rec)
{
	size_t n, nfold, k, maxp = cap(w->s->max_paths);
	const hx_diff_change **v;

	hx_buf_printf(w->out, "%srecord %s", w->ind, rec->key);
	if (rec->kind != HX_DIFF_CHANGED) {
		hx_buf_printf(w->out, " %s%s%s", rec->kind == HX_DIFF_ADDED ? w->green : w->red,
			      rec->kind == HX_DIFF_ADDED ? "added" : "removed", w->off);
		if (rec->label)
			hx_buf_printf(w->out, " (%s)", rec->label);
		hx_buf_putc(w->out, '\n');
		return;
	}
	if (rec->label)
		hx_buf_printf(w->out, " (%s)", rec->label);
	hx_buf_puts(w->out, ":\n");
	v = listed(w, rec, &n, &nfold);
	for (k = 0; k < n && k < maxp; k++) {
		hx_buf_printf(w->out, "%s  ", w->ind);
		put_change(w, v[k], 1);
		if (k + 1 == n && nfold)
			put_fold(w, nfold, 0);
		else
			hx_buf_putc(w->out, '\n');
	}
	if (n > maxp) {
		hx_buf_printf(w->out, "%s  ... and %zu more paths", w->ind, n - maxp);
		if (nfold)
			put_fold(w, nfold, 0);
		else
			hx_buf_putc(w->out, '\n');
	} else if (n == 0 && nfold) {
		hx_buf_printf(w->out, "%s  ", w->ind);
		put_fold(w, nfold, 1);
	}
	free(v);
}

/* Returns the changes of rec accounted for (listed or folded), which is
 * fewer than rec->n when the budget ran out. */
static size_t flat_record(writer *w, const hx_diff_record *rec, size_t budget)
{
	size_t n, nfold, k;
	const hx_diff_change **v;

	if (rec->kind != HX_DIFF_CHANGED) {
		if (budget == 0)
			return 0;
		hx_buf_printf(w->out, "%srecord %s: %s%s%s\n", w->ind, rec->key,
			      rec->kind == HX_DIFF_ADDED ? w->green : w->red,
			      rec->kind == HX_DIFF_ADDED ? "added" : "removed", w->off);
		w->lines++;
		return 1;
	}
	v = listed(w, rec, &n, &nfold);
	for (k = 0; k < n && k < budget; k++) {
		hx_buf_printf(w->out, "%srecord %s: ", w->ind, rec->key);
		put_change(w, v[k], 0);
		if (k + 1 == n && nfold)
			put_fold(w, nfold, 0);
		else
			hx_buf_putc(w->out, '\n');
		w->lines++;
	}
	free(v);
	if (k < n)
		return k;
	if (n == 0 && nfold) {
		if (budget == 0)
			return 0;
		hx_buf_printf(w->out, "%srecord %s: ", w->ind, rec->key);
		put_fold(w, nfold, 1);
		w->lines++;
	}
	return n + nfold;
}

void hx_diff_format_records(hx_buf *out, const hx_diff_result *r, const hx_diff_style *style)
{
	writer w;
	size_t i, maxr = cap(style->max_records), maxc = style->max_changes, done = 0;

	memset(&w, 0, sizeof(w));
	w.out = out;
	w.r = r;
	w.s = style;
	w.ind = style->indent ? style->indent : "";
	w.red = style->color ? "\033[31m" : "";
	w.green = style->color ? "\033[32m" : "";
	w.off = style->color ? "\033[0m" : "";
	w.max_value = style->max_value ? style->max_value : 60;
	for (i = 0; i < r->nrecords && i < maxr; i++) {
		const hx_diff_record *rec = &r->records[i];
		if (style->grouped) {
			grouped_record(&w, rec);
			continue;
		}
		if (w.lines == maxc)
			break;
		done += flat_record(&w, rec, maxc - w.lines);
	}
	if (style->grouped && r->nrecords > i)
		hx_buf_printf(out, "%s... and %zu more differing records\n", w.ind, r->nrecords - i);
	else if (!style->grouped && r->nchanges > done)
		hx_buf_printf(out, "%s... and %zu more change%s\n", w.ind, r->nchanges - done,
			      plural(r->nchanges - done));
}

void hx_diff_format_text(hx_buf *out, const hx_diff_result *r, const hx_diff_style *style)
{
	hx_buf_printf(out, "%s: %zu record%s, %s: %zu record%s; %zu compared: %zu changed, "
			   "%zu added, %zu removed",
		      r->old_label ? r->old_label : "A", r->old_records, plural(r->old_records),
		      r->new_label ? r->new_label : "B", r->new_records, plural(r->new_records),
		      r->compared, r->changed, r->added, r->removed);
	if (r->within_tolerance)
		hx_buf_printf(out, "; %zu value%s within tolerance", r->within_tolerance,
			      plural(r->within_tolerance));
	hx_buf_putc(out, '\n');
	hx_diff_format_summary(out, r, style);
	hx_diff_format_records(out, r, style);
}

/* ---- JSON ---- */

static void json_rate(hx_buf *out, size_t k, size_t n)
{
	if (n)
		hx_canon_write_number(out, (double)k / (double)n);
	else
		hx_buf_puts(out, "null");
}

static void json_outcomes(hx_buf *out, const hx_diff_result *r)
{
	size_t i, j;
	if (!r->has_outcomes) {
		hx_buf_puts(out, "null");
		return;
	}
	hx_buf_puts(out, "{\"tiers\":[");
	for (i = 0; i < r->ntiers; i++) {
		const hx_diff_tier *t = &r->tiers[i];
		hx_buf_puts(out, i ? ",{\"tier\":" : "{\"tier\":");
		hx_canon_write_cstr(out, t->tier);
		hx_buf_printf(out, ",\"records_a\":%zu,\"records_b\":%zu,\"compared\":%zu,"
				   "\"transitions\":[",
			      t->old_records, t->new_records, t->compared);
		for (j = 0; j < t->ntransitions; j++) {
			hx_buf_puts(out, j ? ",{\"from\":" : "{\"from\":");
			hx_canon_write_cstr(out, t->transitions[j].from);
			hx_buf_puts(out, ",\"to\":");
			hx_canon_write_cstr(out, t->transitions[j].to);
			hx_buf_printf(out, ",\"count\":%zu}", t->transitions[j].count);
		}
		hx_buf_puts(out, "],\"rates\":[");
		for (j = 0; j < t->nrates; j++) {
			const hx_diff_rate *x = &t->rates[j];
			hx_buf_puts(out, j ? ",{\"outcome\":" : "{\"outcome\":");
			hx_canon_write_cstr(out, x->outcome);
			hx_buf_printf(out, ",\"count_a\":%zu,\"rate_a\":", x->old_count);
			json_rate(out, x->old_count, t->old_records);
			hx_buf_printf(out, ",\"count_b\":%zu,\"rate_b\":", x->new_count);
			json_rate(out, x->new_count, t->new_records);
			hx_buf_putc(out, '}');
		}
		hx_buf_puts(out, "]}");
	}
	hx_buf_puts(out, "]}");
}

void hx_diff_format_json(hx_buf *out, const hx_diff_result *r, const char *name_a,
			 const char *name_b, size_t max_changes)
{
	size_t i;
	hx_buf_puts(out, "{\"a\":");
	hx_canon_write_cstr(out, name_a);
	hx_buf_puts(out, ",\"b\":");
	hx_canon_write_cstr(out, name_b);
	hx_buf_printf(out, ",\"records_a\":%zu,\"records_b\":%zu,\"compared\":%zu,\"changed\":%zu,"
			   "\"added\":%zu,\"removed\":%zu,\"within_tolerance\":%zu,\"outcomes\":",
		      r->old_records, r->new_records, r->compared, r->changed, r->added, r->removed,
		      r->within_tolerance);
	json_outcomes(out, r);
	hx_buf_puts(out, ",\"paths\":{");
	for (i = 0; i < r->npaths; i++) {
		if (i)
			hx_buf_putc(out, ',');
		hx_canon_write_cstr(out, r->paths[i].path);
		hx_buf_printf(out, ":{\"changed\":%zu,\"within_tolerance\":%zu}", r->paths[i].changed,
			      r->paths[i].within_tolerance);
	}
	hx_buf_puts(out, "},\"changes\":[");
	for (i = 0; i < r->nchanges && i < max_changes; i++) {
		const hx_diff_change *c = &r->changes[i];
		hx_buf_printf(out, "%s{\"key\":%s", i ? "," : "", c->key_json);
		if (c->occurrence)
			hx_buf_printf(out, ",\"occurrence\":%zu", c->occurrence);
		if (c->kind == HX_DIFF_CHANGED) {
			hx_buf_puts(out, ",\"path\":");
			hx_canon_write_cstr(out, c->path);
			if (c->old_value)
				hx_buf_printf(out, ",\"old\":%s", c->old_value);
			if (c->new_value)
				hx_buf_printf(out, ",\"new\":%s", c->new_value);
			hx_buf_printf(out, ",\"folded\":%s",
				      hx_diff_change_folded(c, &r->records[c->record]) ? "true"
										      : "false");
		} else {
			hx_buf_printf(out, ",\"%s\":true", c->kind == HX_DIFF_ADDED ? "added" : "removed");
		}
		hx_buf_putc(out, '}');
	}
	hx_buf_printf(out, "],\"omitted\":%zu}\n", r->nchanges - i);
}
