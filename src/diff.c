/* diff.c - match records, walk the two value trees, keep every difference.
 *
 * Every record of both streams is parsed once up front (bad JSON is an error
 * wherever it is, and keyed matching needs the keys of all records); the
 * trees are then dropped and only pairs whose bytes differ are parsed again
 * and walked, so memory is bounded by the texts and the differences.
 */
#include "diff.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "diff_outcomes.h"
#include "error.h"
#include "escape.h"
#include "fsutil.h"

typedef struct {
	const char *ptr;
	size_t len;
	size_t lineno;   /* 1-based line in the text */
	const char *key; /* keyed matching: the key values' RFC 8785 text, '\n'-joined */
	size_t occ;      /* keyed matching: which record with this key (1-based) */
	size_t run;      /* keyed matching: records with this key in the stream */
	int group, state; /* the outcome summary's ids (-1: none) */
} line_ref;

typedef struct {
	line_ref *lines; /* non-blank lines */
	size_t n;
	const char *name;
} stream;

/* One step of the current path, for tolerance patterns. */
typedef struct {
	const char *key; /* NULL for an array index */
	size_t len;
} step;

typedef struct {
	const hx_diff_options *opt;
	hx_diff_result *out;
	int by_line;     /* errors as NAME:LINE:COL, else NAME: record N */
	hx_arena *trees; /* the records being looked at; reset per record */
	hx_arena *keys;  /* match keys of all records */
	hx_diff_tally *tally;
	hx_buf path, scratch, json;
	step *steps;
	size_t nsteps;
	/* The record whose differences are being collected: its key strings
	 * and its entry in out->records are made when the first difference
	 * needs them. */
	const hx_json *key_rec;
	size_t key_index, occurrence;
	const char *key, *key_json;
	size_t cur; /* out->records index, or SIZE_MAX */
} differ;

/* Room for element n of an array of n: capacities are 16, 32, 64, ... so
 * they follow from n and need no field of their own. */
static void *grow(void *p, size_t n, size_t size)
{
	if (n == 0)
		return hx_xrealloc(p, 16 * size);
	return n < 16 || (n & (n - 1)) != 0 ? p : hx_xrealloc(p, 2 * n * size);
}

void hx_diff_result_init(hx_diff_result *r)
{
	memset(r, 0, sizeof(*r));
	hx_buf_init(&r->text);
}

void hx_diff_result_release(hx_diff_result *r)
{
	free(r->changes);
	free(r->records);
	free(r->paths);
	hx_buf_release(&r->text);
	hx_arena_free(r->arena);
}

static int blank(const char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

static void split_lines(stream *out, const char *text, size_t len)
{
	size_t start = 0, lineno = 1;
	for (; start <= len; start++, lineno++) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		if (!blank(text + start, end - start)) {
			line_ref l = {text + start, end - start, lineno, NULL, 0, 0, -1, -1};
			out->lines = grow(out->lines, out->n, sizeof(line_ref));
			out->lines[out->n++] = l;
		}
		start = end;
	}
}

/* Set the error for record i of s (col 0: no column) and return HX_EINVALID. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail(const differ *d, const stream *s, size_t i, size_t col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->by_line && col)
		hx_error_set("%s:%zu:%zu: %s", s->name, s->lines[i].lineno, col, msg);
	else if (d->by_line)
		hx_error_set("%s:%zu: %s", s->name, s->lines[i].lineno, msg);
	else if (col)
		hx_error_set("%s: record %zu: column %zu: %s", s->name, i, col, msg);
	else
		hx_error_set("%s: record %zu: %s", s->name, i, msg);
	return HX_EINVALID;
}

static int parse(hx_json **out, differ *d, const stream *s, size_t i)
{
	hx_json_error e;
	if (hx_json_parse(out, d->trees, s->lines[i].ptr, s->lines[i].len, &e) != 0)
		return fail(d, s, i, e.column, "%s", e.msg);
	return 0;
}

static const hx_json *member(const hx_json *obj, const char *k, size_t n)
{
	size_t i;
	if (!obj || obj->type != HX_JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (obj->u.object.members[i].key_len == n &&
		    memcmp(obj->u.object.members[i].key, k, n) == 0)
			return obj->u.object.members[i].value;
	return NULL;
}

/* The value at a dotted path ("metadata.task_index"), NULL when absent. */
static const hx_json *lookup(const hx_json *rec, const char *dotted)
{
	for (;;) {
		const char *dot = strchr(dotted, '.');
		size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
		rec = member(rec, dotted, n);
		if (!dot || !rec)
			return rec;
		dotted = dot + 1;
	}
}

/* Non-empty dot-separated names, one leading '.' allowed when dot_ok. */
static int valid_dotted(const char *s, size_t n, int dot_ok)
{
	size_t i;
	if (dot_ok && n > 0 && s[0] == '.')
		s++, n--;
	for (i = 0; i < n; i++)
		if (s[i] == '.' && (i == 0 || i == n - 1 || s[i - 1] == '.'))
			return 0;
	return n > 0;
}

/* Key fields are dotted names, each once (they name key_json's members). */
static int check_fields(const char *const *f)
{
	const char *const *g;
	for (; f && *f; f++) {
		for (g = f + 1; *g && strcmp(*f, *g) != 0; g++)
			;
		if (*g || !valid_dotted(*f, strlen(*f), 0)) {
			hx_error_set("bad or repeated key field '%s'", *f);
			return HX_EINVALID;
		}
	}
	return 0;
}

/* Non-empty, of letters, digits and the characters in `extra` only. */
static int plain(const char *k, size_t n, const char *extra)
{
	size_t i;
	for (i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c && strchr(extra, c))))
			return 0;
	}
	return n > 0;
}

static const char *keep(differ *d, const hx_buf *b)
{
	return hx_arena_strndup(d->out->arena, b->ptr ? b->ptr : "", b->len);
}

/* d->key and d->key_json of the current record (whose key fields were
 * checked by scan). A string is shown bare when nothing in it could be
 * misread. */
static void make_key(differ *d)
{
	const char *const *f;
	hx_buf_reset(&d->scratch);
	hx_buf_reset(&d->json);
	if (!d->opt->match_fields) {
		hx_buf_printf(&d->scratch, "%zu", d->key_index);
		d->key = d->key_json = keep(d, &d->scratch);
		return;
	}
	for (f = d->opt->match_fields; *f; f++) {
		const hx_json *v = lookup(d->key_rec, *f);
		int first = f == d->opt->match_fields;
		if (!first)
			hx_buf_putc(&d->scratch, ' ');
		hx_escape_append(&d->scratch, *f, strlen(*f));
		hx_buf_putc(&d->scratch, '=');
		if (v->type == HX_JSON_STRING && plain(v->u.string.ptr, v->u.string.len, "_-.:/"))
			hx_buf_put(&d->scratch, v->u.string.ptr, v->u.string.len);
		else
			hx_canon_serialize(&d->scratch, v);
		hx_buf_putc(&d->json, first ? '{' : ',');
		hx_canon_write_cstr(&d->json, *f);
		hx_buf_putc(&d->json, ':');
		hx_canon_serialize(&d->json, v);
	}
	hx_buf_putc(&d->json, '}');
	if (d->occurrence)
		hx_buf_printf(&d->scratch, " #%zu", d->occurrence);
	d->key = keep(d, &d->scratch);
	d->key_json = keep(d, &d->json);
}

/* The record whose differences come next; occurrence: of a repeated key. */
static void set_record(differ *d, const hx_json *rec, size_t index, size_t occurrence)
{
	d->key_rec = rec;
	d->key_index = index;
	d->occurrence = occurrence;
	d->key = d->key_json = NULL;
	d->cur = SIZE_MAX;
}

/* Parse every record of s (side 0: A, 1: B): bad JSON anywhere is an
 * error; the outcome summary counts each record, and keyed matching
 * records each key. */
static int scan(differ *d, stream *s, int side)
{
	const char *const *f;
	size_t i;
	int err;
	for (i = 0; i < s->n; i++) {
		hx_json *rec;
		hx_arena_reset(d->trees);
		if ((err = parse(&rec, d, s, i)) != 0)
			return err;
		hx_diff_tally_record(d->tally, side, rec, &s->lines[i].group, &s->lines[i].state);
		if (!d->opt->match_fields)
			continue;
		hx_buf_reset(&d->scratch);
		for (f = d->opt->match_fields; *f; f++) {
			const hx_json *v = lookup(rec, *f);
			if (!v)
				return fail(d, s, i, 0, "key field '%s' is missing", *f);
			if (f != d->opt->match_fields)
				hx_buf_putc(&d->scratch, '\n'); /* never in RFC 8785 text */
			hx_canon_serialize(&d->scratch, v);
		}
		s->lines[i].key = hx_arena_strndup(d->keys, d->scratch.ptr, d->scratch.len);
	}
	return 0;
}

/* Does the tolerance pattern name exactly the current path? */
static int pattern_matches(const char *pat, const step *st, size_t n)
{
	size_t k = 0;
	if (*pat == '.')
		pat++;
	for (;; k++) {
		const char *dot = strchr(pat, '.');
		size_t len = dot ? (size_t)(dot - pat) : strlen(pat);
		if (k == n || !st[k].key)
			return 0;
		if (!(len == 1 && pat[0] == '*') &&
		    !(st[k].len == len && memcmp(st[k].key, pat, len) == 0))
			return 0;
		if (!dot)
			return k + 1 == n;
		pat = dot + 1;
	}
}

static int within_tolerance(const differ *d, const hx_json *a, const hx_json *b)
{
	size_t i;
	double x, y, delta;
	if (!a || !b || a->type != HX_JSON_NUMBER || b->type != HX_JSON_NUMBER)
		return 0;
	for (i = 0; i < d->opt->ntol; i++) {
		const hx_diff_tol *t = &d->opt->tol[i];
		if (!pattern_matches(t->path, d->steps, d->nsteps))
			continue;
		x = a->u.number;
		y = b->u.number;
		delta = fabs(x - y);
		return delta <= t->abs || delta <= t->rel * fmax(fabs(x), fabs(y));
	}
	return 0;
}

/* The counts of a path, added in sorted place when new. */
static hx_diff_path *path_entry(differ *d, const char *path)
{
	hx_diff_result *r = d->out;
	size_t lo = 0, hi = r->npaths;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->paths[mid].path, path);
		if (c == 0)
			return &r->paths[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	r->paths = grow(r->paths, r->npaths, sizeof(*r->paths));
	memmove(&r->paths[lo + 1], &r->paths[lo], (r->npaths - lo) * sizeof(*r->paths));
	r->npaths++;
	r->paths[lo].path = hx_arena_strndup(r->arena, path, strlen(path));
	r->paths[lo].changed = r->paths[lo].within_tolerance = 0;
	r->paths[lo].cls = hx_diff_path_class_of(r->paths[lo].path, d->opt->key_fields,
						 d->opt->match_fields);
	return &r->paths[lo];
}

/* The label of the current record from the key fields, or NULL. */
static const char *make_label(differ *d)
{
	const char *const *k;
	const hx_json *rec = d->key_rec;
	int first = 1;
	if (!d->opt->key_fields || !rec || rec->type != HX_JSON_OBJECT)
		return NULL;
	hx_buf_reset(&d->scratch);
	for (k = d->opt->key_fields; *k; k++) {
		const hx_json *v = hx_json_get(rec, *k);
		if (!v)
			continue;
		if (!first)
			hx_buf_puts(&d->scratch, ", ");
		first = 0;
		hx_escape_append(&d->scratch, *k, strlen(*k));
		hx_buf_putc(&d->scratch, '=');
		if (v->type == HX_JSON_STRING) /* bare, but on one line */
			hx_escape_append(&d->scratch, v->u.string.ptr, v->u.string.len);
		else
			hx_canon_serialize(&d->scratch, v);
	}
	return first ? NULL : keep(d, &d->scratch);
}

static hx_diff_change *push_change(differ *d, hx_diff_kind kind)
{
	hx_diff_result *r = d->out;
	hx_diff_change *c;
	if (d->cur == SIZE_MAX) {
		hx_diff_record *rec;
		if (!d->key)
			make_key(d);
		r->records = grow(r->records, r->nrecords, sizeof(*r->records));
		d->cur = r->nrecords++;
		rec = &r->records[d->cur];
		memset(rec, 0, sizeof(*rec));
		rec->kind = kind;
		rec->key = d->key;
		rec->key_json = d->key_json;
		rec->occurrence = d->occurrence;
		rec->index = d->key_index;
		rec->label = make_label(d);
		rec->first = r->nchanges;
	}
	r->changes = grow(r->changes, r->nchanges, sizeof(*r->changes));
	c = &r->changes[r->nchanges++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->key = d->key;
	c->key_json = d->key_json;
	c->occurrence = d->occurrence;
	c->record = d->cur;
	r->records[d->cur].n++;
	return c;
}

static const char *value_text(differ *d, const hx_json *v)
{
	if (!v)
		return NULL;
	hx_buf_reset(&d->scratch);
	hx_canon_serialize(&d->scratch, v);
	return keep(d, &d->scratch);
}

/* a and b (either may be absent) differ at the current path. */
static void leaf(differ *d, const hx_json *a, const hx_json *b)
{
	const char *path = d->path.len ? d->path.ptr : ".";
	hx_diff_change *c;
	hx_diff_path *p;
	if (within_tolerance(d, a, b)) {
		path_entry(d, path)->within_tolerance++;
		d->out->within_tolerance++;
		return;
	}
	c = push_change(d, HX_DIFF_CHANGED);
	c->old_value = value_text(d, a);
	c->new_value = value_text(d, b);
	p = path_entry(d, path);
	p->changed++;
	c->path = p->path;
	c->cls = p->cls;
	if (strcmp(p->path, "." HX_DIFF_STATE_FIELD) == 0)
		d->out->records[c->record].outcome_changed = 1;
}

static void push_step(differ *d, const char *k, size_t n)
{
	d->steps = grow(d->steps, d->nsteps, sizeof(*d->steps));
	d->steps[d->nsteps].key = k;
	d->steps[d->nsteps++].len = n;
	if (!k)
		return; /* the caller wrote "[i]" */
	if (plain(k, n, "_-")) {
		hx_buf_putc(&d->path, '.');
		hx_buf_put(&d->path, k, n);
	} else {
		hx_buf_putc(&d->path, '[');
		hx_canon_write_string(&d->path, k, n);
		hx_buf_putc(&d->path, ']');
	}
}

static void pop_step(differ *d, size_t mark)
{
	d->nsteps--;
	d->path.len = mark;
	d->path.ptr[mark] = '\0';
}

static void walk(differ *d, const hx_json *a, const hx_json *b)
{
	size_t mark = d->path.len, i;

	if (a->type == HX_JSON_OBJECT && b->type == HX_JSON_OBJECT) {
		for (i = 0; i < a->u.object.len; i++) {
			const hx_json_member *m = &a->u.object.members[i];
			const hx_json *bv = member(b, m->key, m->key_len);
			push_step(d, m->key, m->key_len);
			if (!bv)
				leaf(d, m->value, NULL);
			else
				walk(d, m->value, bv);
			pop_step(d, mark);
		}
		for (i = 0; i < b->u.object.len; i++) {
			const hx_json_member *m = &b->u.object.members[i];
			if (member(a, m->key, m->key_len))
				continue;
			push_step(d, m->key, m->key_len);
			leaf(d, NULL, m->value);
			pop_step(d, mark);
		}
		return;
	}
	if (a->type == HX_JSON_ARRAY && b->type == HX_JSON_ARRAY) {
		size_t na = a->u.array.len, nb = b->u.array.len;
		for (i = 0; i < (na > nb ? na : nb); i++) {
			hx_buf_printf(&d->path, "[%zu]", i);
			push_step(d, NULL, 0);
			if (i >= nb)
				leaf(d, a->u.array.items[i], NULL);
			else if (i >= na)
				leaf(d, NULL, b->u.array.items[i]);
			else
				walk(d, a->u.array.items[i], b->u.array.items[i]);
			pop_step(d, mark);
		}
		return;
	}
	if (!hx_json_equal(a, b))
		leaf(d, a, b);
}

/* occ: the pair's occurrence number to show (0: its key does not repeat). */
static int compare_pair(differ *d, const stream *a, size_t ia, const stream *b, size_t ib,
			size_t occ)
{
	const line_ref *la = &a->lines[ia], *lb = &b->lines[ib];
	size_t first = d->out->nchanges;
	hx_json *ja, *jb;
	int err;
	d->out->compared++;
	hx_diff_tally_pair(d->tally, la->group, la->state, lb->state);
	if (la->len == lb->len && memcmp(la->ptr, lb->ptr, la->len) == 0)
		return 0;
	hx_arena_reset(d->trees);
	if ((err = parse(&ja, d, a, ia)) != 0 || (err = parse(&jb, d, b, ib)) != 0)
		return err;
	set_record(d, jb, ia, occ);
	hx_buf_reset(&d->path);
	d->nsteps = 0;
	walk(d, ja, jb);
	if (d->out->nchanges == first)
		return 0; /* same values, other spelling, or within tolerance */
	d->out->changed++;
	return 0;
}

static int one_side(differ *d, const stream *s, size_t i, int added, size_t occ)
{
	hx_json *rec;
	int err;
	hx_arena_reset(d->trees);
	if ((err = parse(&rec, d, s, i)) != 0)
		return err;
	set_record(d, rec, i, occ);
	push_change(d, added ? HX_DIFF_ADDED : HX_DIFF_REMOVED);
	if (added)
		d->out->added++;
	else
		d->out->removed++;
	return 0;
}

static int match_positional(differ *d, const stream *a, const stream *b)
{
	size_t n = a->n < b->n ? a->n : b->n, i;
	int err;
	for (i = 0; i < n; i++)
		if ((err = compare_pair(d, a, i, b, i, 0)) != 0)
			return err;
	/* Tail records exist on one side only. */
	for (i = n; i < a->n || i < b->n; i++)
		if ((err = one_side(d, i >= a->n ? b : a, i, i >= a->n, 0)) != 0)
			return err;
	return 0;
}

/* By key, then occurrence (for bsearch) or position (for sorting: the
 * occurrences follow stream order). */
static int cmp_key(const void *x, const void *y)
{
	const line_ref *a = *(const line_ref *const *)x, *b = *(const line_ref *const *)y;
	int c = strcmp(a->key, b->key);
	if (c || (a->occ == 0 && b->occ == 0))
		return c ? c : a < b ? -1 : a > b;
	return a->occ < b->occ ? -1 : a->occ > b->occ;
}

/* s's records sorted by key (caller frees), each numbered within its key
 * (occ) and told how many share it (run). */
static line_ref **sort_keys(const stream *s)
{
	line_ref **v = hx_xmalloc((s->n ? s->n : 1) * sizeof(*v));
	size_t i, j, k;
	for (i = 0; i < s->n; i++) {
		v[i] = &s->lines[i];
		v[i]->occ = 0;
	}
	qsort(v, s->n, sizeof(*v), cmp_key);
	for (i = 0; i < s->n; i = j) {
		for (j = i + 1; j < s->n && strcmp(v[i]->key, v[j]->key) == 0; j++)
			;
		for (k = i; k < j; k++) {
			v[k]->occ = k - i + 1;
			v[k]->run = j - i;
		}
	}
	return v;
}

static int match_keyed(differ *d, const stream *a, const stream *b)
{
	line_ref **sa = sort_keys(a), **sb = sort_keys(b);
	char *used = hx_xcalloc(b->n + 1, 1);
	size_t i;
	int err = 0;
	for (i = 0; i < a->n && !err; i++) {
		const line_ref *key = &a->lines[i];
		line_ref **hit = bsearch(&key, sb, b->n, sizeof(*sb), cmp_key);
		if (hit) {
			size_t j = (size_t)(*hit - b->lines);
			int repeats = key->run > 1 || (*hit)->run > 1;
			used[j] = 1;
			err = compare_pair(d, a, i, b, j, repeats ? key->occ : 0);
		} else {
			/* B has fewer records with this key (or none: then its
			 * first one would have matched occurrence 1) */
			err = one_side(d, a, i, 0, key->run > 1 ? key->occ : 0);
		}
	}
	for (i = 0; i < b->n && !err; i++)
		if (!used[i])
			err = one_side(d, b, i, 1, b->lines[i].run > 1 ? b->lines[i].occ : 0);
	free(sa);
	free(sb);
	free(used);
	return err;
}

static int diff_texts(hx_diff_result *out, const char *old_text, size_t old_len,
		      const char *old_name, const char *new_text, size_t new_len,
		      const char *new_name, const hx_diff_options *opt, int by_line)
{
	stream a = {NULL, 0, old_name}, b = {NULL, 0, new_name};
	hx_diff_style style;
	differ d;
	int err;
	memset(&d, 0, sizeof(d));
	d.opt = opt;
	d.out = out;
	d.by_line = by_line;
	d.trees = hx_arena_new();
	d.keys = hx_arena_new();
	d.tally = hx_diff_tally_new();
	d.cur = SIZE_MAX;
	/* the zeroed buffers are HX_BUF_INIT */
	if (!out->arena)
		out->arena = hx_arena_new();
	out->old_label = opt->old_label ? opt->old_label : "A";
	out->new_label = opt->new_label ? opt->new_label : "B";
	split_lines(&a, old_text ? old_text : "", old_len); /* an empty hx_buf has NULL */
	split_lines(&b, new_text ? new_text : "", new_len);
	out->old_records = a.n;
	out->new_records = b.n;

	if ((err = check_fields(opt->match_fields)) != 0 || (err = scan(&d, &a, 0)) != 0 ||
	    (err = scan(&d, &b, 1)) != 0)
		goto done;
	err = opt->match_fields ? match_keyed(&d, &a, &b) : match_positional(&d, &a, &b);
	if (err)
		goto done;
	hx_diff_tally_finish(d.tally, out);
	/* The golden check's report: only a difference has one. */
	if (out->nrecords) {
		memset(&style, 0, sizeof(style));
		style.indent = "  ";
		style.grouped = 1;
		style.max_records = opt->max_records ? opt->max_records : 5;
		style.max_paths = opt->max_paths ? opt->max_paths : 8;
		style.max_value = opt->max_value ? opt->max_value : 60;
		hx_diff_format_summary(&out->text, out, &style);
		hx_diff_format_records(&out->text, out, &style);
	}
done:
	free(a.lines);
	free(b.lines);
	free(d.steps);
	hx_buf_release(&d.path);
	hx_buf_release(&d.scratch);
	hx_buf_release(&d.json);
	hx_arena_free(d.trees);
	hx_arena_free(d.keys);
	hx_diff_tally_free(d.tally);
	return err;
}

int hx_diff_jsonl(hx_diff_result *out, const char *old_text, size_t old_len,
		  const char *old_name, const char *new_text, size_t new_len,
		  const char *new_name, const hx_diff_options *opt)
{
	return diff_texts(out, old_text, old_len, old_name, new_text, new_len, new_name, opt, 0);
}

int hx_diff_files(hx_diff_result *out, const char *old_path, const char *new_path,
		  const hx_diff_options *opt)
{
	hx_buf a = HX_BUF_INIT, b = HX_BUF_INIT;
	int err;
	if ((err = hx_file_read(&a, old_path)) != 0 || (err = hx_file_read(&b, new_path)) != 0)
		goto done;
	err = diff_texts(out, a.ptr, a.len, old_path, b.ptr, b.len, new_path, opt, 1);
done:
	hx_buf_release(&a);
	hx_buf_release(&b);
	return err;
}

/* A whole finite number >= 0 from s[0..n). */
static int parse_amount(const char *s, size_t n, double *out)
{
	char tmp[64], *end;
	if (n == 0 || n >= sizeof(tmp) || !((s[0] >= '0' && s[0] <= '9') || s[0] == '.'))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*out = strtod(tmp, &end);
	return *end == '\0' && isfinite(*out) ? 0 : -1;
}

int hx_diff_tol_parse(hx_diff_tol *out, const char *spec)
{
	const char *eq = strchr(spec, '='), *p;
	int seen_abs = 0, seen_rel = 0;

	memset(out, 0, sizeof(*out));
	if (!eq || !valid_dotted(spec, (size_t)(eq - spec), 1))
		goto bad;
	for (p = eq + 1;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int is_abs = n > 4 && memcmp(p, "abs:", 4) == 0;
		int *seen = is_abs ? &seen_abs : &seen_rel;
		if (!is_abs && !(n > 4 && memcmp(p, "rel:", 4) == 0))
			goto bad;
		if (*seen || parse_amount(p + 4, n - 4, is_abs ? &out->abs : &out->rel) != 0)
			goto bad;
		*seen = 1;
		if (!end)
			break;
		p = end + 1;
	}
	out->path = hx_xmalloc((size_t)(eq - spec) + 1);
	memcpy(out->path, spec, (size_t)(eq - spec));
	out->path[eq - spec] = '\0';
	return 0;
bad:
	hx_error_set("bad tolerance '%s' (expected PATH=abs:X,rel:Y with either or both, "
		     "X and Y numbers >= 0)",
		     spec);
	return HX_EINVALID;
}
