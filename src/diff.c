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
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "fsutil.h"

typedef struct {
	const char *ptr;
	size_t len;
	size_t lineno;   /* 1-based line in the text */
	const char *key; /* keyed matching: the key values' RFC 8785 text, '\n'-joined */
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
	hx_buf path, scratch, json;
	step *steps;
	size_t nsteps;
	size_t shown; /* records in out->text */
	/* The record whose differences are being collected: its key strings
	 * are made when the first difference needs them. */
	const hx_json *key_rec;
	size_t key_index;
	const char *key, *key_json;
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
			line_ref l = {text + start, end - start, lineno, NULL};
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
		hx_buf_printf(&d->scratch, "%s%s=", first ? "" : " ", *f);
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
	d->key = keep(d, &d->scratch);
	d->key_json = keep(d, &d->json);
}

static void set_record(differ *d, const hx_json *rec, size_t index)
{
	d->key_rec = rec;
	d->key_index = index;
	d->key = d->key_json = NULL;
}

/* Parse every record of s: bad JSON anywhere is an error, and keyed
 * matching records each key. */
static int scan(differ *d, stream *s)
{
	const char *const *f;
	size_t i;
	int err;
	for (i = 0; i < s->n; i++) {
		hx_json *rec;
		hx_arena_reset(d->trees);
		if ((err = parse(&rec, d, s, i)) != 0)
			return err;
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
	return &r->paths[lo];
}

static hx_diff_change *push_change(differ *d, hx_diff_kind kind)
{
	hx_diff_result *r = d->out;
	hx_diff_change *c;
	if (!d->key)
		make_key(d);
	r->changes = grow(r->changes, r->nchanges, sizeof(*r->changes));
	c = &r->changes[r->nchanges++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->key = d->key;
	c->key_json = d->key_json;
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

/* The golden check's " (tier=fast, module_name=M1)". */
static void put_keys(differ *d, const hx_json *rec)
{
	const char *const *k;
	hx_buf *text = &d->out->text;
	int first = 1;
	if (!d->opt->key_fields || !rec || rec->type != HX_JSON_OBJECT)
		return;
	for (k = d->opt->key_fields; *k; k++) {
		const hx_json *v = hx_json_get(rec, *k);
		if (!v)
			continue;
		hx_buf_puts(text, first ? " (" : ", ");
		first = 0;
		hx_buf_puts(text, *k);
		hx_buf_putc(text, '=');
		if (v->type == HX_JSON_STRING) {
			hx_buf_put(text, v->u.string.ptr, v->u.string.len);
		} else {
			hx_buf_reset(&d->scratch);
			hx_canon_serialize(&d->scratch, v);
			put_cut(text, d->scratch.ptr, d->opt->max_value ? d->opt->max_value : 60);
		}
	}
	if (!first)
		hx_buf_putc(text, ')');
}

/* Room for one more record in the golden check's text? */
static int text_room(differ *d)
{
	return d->shown < (d->opt->max_records ? d->opt->max_records : 5) ? ++d->shown, 1 : 0;
}

/* The golden check's lines for a changed record: changes[first..]. */
static void text_changed(differ *d, size_t index, const hx_json *rec, size_t first)
{
	hx_diff_result *r = d->out;
	size_t maxp = d->opt->max_paths ? d->opt->max_paths : 8;
	size_t maxv = d->opt->max_value ? d->opt->max_value : 60;
	size_t n = r->nchanges - first, k;
	if (!text_room(d))
		return;
	hx_buf_printf(&r->text, "  record %zu", index);
	put_keys(d, rec);
	hx_buf_puts(&r->text, ":\n");
	for (k = 0; k < n && k < maxp; k++) {
		const hx_diff_change *c = &r->changes[first + k];
		hx_buf_printf(&r->text, "    %s: ", c->path);
		put_cut(&r->text, c->old_value, maxv);
		hx_buf_puts(&r->text, " -> ");
		put_cut(&r->text, c->new_value, maxv);
		hx_buf_putc(&r->text, '\n');
	}
	if (n > maxp)
		hx_buf_printf(&r->text, "    ... and %zu more paths\n", n - maxp);
}

static int compare_pair(differ *d, const stream *a, size_t ia, const stream *b, size_t ib)
{
	const line_ref *la = &a->lines[ia], *lb = &b->lines[ib];
	size_t first = d->out->nchanges;
	hx_json *ja, *jb;
	int err;
	if (la->len == lb->len && memcmp(la->ptr, lb->ptr, la->len) == 0)
		return 0;
	hx_arena_reset(d->trees);
	if ((err = parse(&ja, d, a, ia)) != 0 || (err = parse(&jb, d, b, ib)) != 0)
		return err;
	set_record(d, jb, ia);
	hx_buf_reset(&d->path);
	d->nsteps = 0;
	walk(d, ja, jb);
	if (d->out->nchanges == first)
		return 0; /* same values, other spelling, or within tolerance */
	d->out->changed++;
	text_changed(d, ia, jb, first);
	return 0;
}

static int one_side(differ *d, const stream *s, size_t i, int added)
{
	hx_json *rec;
	int err;
	hx_arena_reset(d->trees);
	if ((err = parse(&rec, d, s, i)) != 0)
		return err;
	set_record(d, rec, i);
	push_change(d, added ? HX_DIFF_ADDED : HX_DIFF_REMOVED);
	if (added)
		d->out->added++;
	else
		d->out->removed++;
	if (text_room(d)) {
		hx_buf_printf(&d->out->text, "  record %zu %s", i, added ? "added" : "removed");
		put_keys(d, rec);
		hx_buf_putc(&d->out->text, '\n');
	}
	return 0;
}

static int match_positional(differ *d, const stream *a, const stream *b)
{
	size_t n = a->n < b->n ? a->n : b->n, i;
	int err;
	for (i = 0; i < n; i++)
		if ((err = compare_pair(d, a, i, b, i)) != 0)
			return err;
	/* Tail records exist on one side only. */
	for (i = n; i < a->n || i < b->n; i++)
		if ((err = one_side(d, i >= a->n ? b : a, i, i >= a->n)) != 0)
			return err;
	return 0;
}

static int cmp_key(const void *x, const void *y)
{
	const line_ref *a = *(const line_ref *const *)x, *b = *(const line_ref *const *)y;
	return strcmp(a->key, b->key);
}

/* s's records sorted by key (caller frees); a repeated key is an error. */
static int sort_keys(line_ref ***out, differ *d, const stream *s)
{
	line_ref **v = hx_xmalloc((s->n ? s->n : 1) * sizeof(*v));
	size_t i;
	for (i = 0; i < s->n; i++)
		v[i] = &s->lines[i];
	qsort(v, s->n, sizeof(*v), cmp_key);
	for (i = 1; i < s->n; i++) {
		size_t x = (size_t)(v[i] - s->lines), y = (size_t)(v[i - 1] - s->lines);
		size_t later = x > y ? x : y, earlier = x > y ? y : x;
		hx_json *rec;
		if (strcmp(v[i]->key, v[i - 1]->key) != 0)
			continue;
		free(v);
		hx_arena_reset(d->trees);
		if (parse(&rec, d, s, later) == 0) {
			set_record(d, rec, later);
			make_key(d);
		}
		return fail(d, s, later, 0, "duplicate key %s (first %s %zu)", d->key ? d->key : "",
			    d->by_line ? "on line" : "at record",
			    d->by_line ? s->lines[earlier].lineno : earlier);
	}
	*out = v;
	return 0;
}

static int match_keyed(differ *d, const stream *a, const stream *b)
{
	line_ref **sa = NULL, **sb = NULL;
	char *used = hx_xcalloc(b->n + 1, 1);
	size_t i;
	int err;
	if ((err = sort_keys(&sa, d, a)) != 0 || (err = sort_keys(&sb, d, b)) != 0)
		goto done;
	for (i = 0; i < a->n; i++) {
		const line_ref *key = &a->lines[i];
		line_ref **hit = bsearch(&key, sb, b->n, sizeof(*sb), cmp_key);
		if (hit) {
			size_t j = (size_t)(*hit - b->lines);
			used[j] = 1;
			err = compare_pair(d, a, i, b, j);
		} else {
			err = one_side(d, a, i, 0);
		}
		if (err)
			goto done;
	}
	for (i = 0; i < b->n; i++)
		if (!used[i] && (err = one_side(d, b, i, 1)) != 0)
			goto done;
done:
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
	differ d;
	int err;
	memset(&d, 0, sizeof(d));
	d.opt = opt;
	d.out = out;
	d.by_line = by_line;
	d.trees = hx_arena_new();
	d.keys = hx_arena_new();
	/* the zeroed buffers are HX_BUF_INIT */
	if (!out->arena)
		out->arena = hx_arena_new();
	split_lines(&a, old_text ? old_text : "", old_len); /* an empty hx_buf has NULL */
	split_lines(&b, new_text ? new_text : "", new_len);
	out->old_records = a.n;
	out->new_records = b.n;

	if ((err = check_fields(opt->match_fields)) != 0 || (err = scan(&d, &a)) != 0 ||
	    (err = scan(&d, &b)) != 0)
		goto done;
	err = opt->match_fields ? match_keyed(&d, &a, &b) : match_positional(&d, &a, &b);
	if (err == 0 && out->changed + out->added + out->removed > d.shown)
		hx_buf_printf(&out->text, "  ... and %zu more differing records\n",
			      out->changed + out->added + out->removed - d.shown);
done:
	free(a.lines);
	free(b.lines);
	free(d.steps);
	hx_buf_release(&d.path);
	hx_buf_release(&d.scratch);
	hx_buf_release(&d.json);
	hx_arena_free(d.trees);
	hx_arena_free(d.keys);
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

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void hx_diff_format_text(hx_buf *out, const hx_diff_result *r, size_t max_changes,
			 size_t max_value, int color)
{
	const char *red = color ? "\033[31m" : "", *green = color ? "\033[32m" : "";
	const char *off = color ? "\033[0m" : "";
	size_t i;

	if (!max_value)
		max_value = 60;
	hx_buf_printf(out, "A: %zu record%s, B: %zu record%s; %zu changed, %zu added, %zu removed",
		      r->old_records, plural(r->old_records), r->new_records,
		      plural(r->new_records), r->changed, r->added, r->removed);
	if (r->within_tolerance)
		hx_buf_printf(out, "; %zu value%s within tolerance", r->within_tolerance,
			      plural(r->within_tolerance));
	hx_buf_putc(out, '\n');
	for (i = 0; i < r->npaths; i++) {
		const hx_diff_path *p = &r->paths[i];
		hx_buf_printf(out, "  %s: %zu changed", p->path, p->changed);
		if (p->within_tolerance)
			hx_buf_printf(out, " (%zu %swithin tolerance)", p->within_tolerance,
				      p->changed ? "more " : "");
		hx_buf_putc(out, '\n');
	}
	for (i = 0; i < r->nchanges && i < max_changes; i++) {
		const hx_diff_change *c = &r->changes[i];
		hx_buf_printf(out, "record %s: ", c->key);
		if (c->kind == HX_DIFF_CHANGED) {
			hx_buf_printf(out, "%s %s", c->path, red);
			put_cut(out, c->old_value, max_value);
			hx_buf_printf(out, "%s -> %s", off, green);
			put_cut(out, c->new_value, max_value);
			hx_buf_puts(out, off);
		} else if (c->kind == HX_DIFF_ADDED) {
			hx_buf_printf(out, "%sadded%s", green, off);
		} else {
			hx_buf_printf(out, "%sremoved%s", red, off);
		}
		hx_buf_putc(out, '\n');
	}
	if (r->nchanges > i)
		hx_buf_printf(out, "... and %zu more change%s\n", r->nchanges - i,
			      plural(r->nchanges - i));
}

void hx_diff_format_json(hx_buf *out, const hx_diff_result *r, const char *name_a,
			 const char *name_b, size_t max_changes)
{
	size_t i;
	hx_buf_puts(out, "{\"a\":");
	hx_canon_write_cstr(out, name_a);
	hx_buf_puts(out, ",\"b\":");
	hx_canon_write_cstr(out, name_b);
	hx_buf_printf(out, ",\"records_a\":%zu,\"records_b\":%zu,\"changed\":%zu,\"added\":%zu,"
			   "\"removed\":%zu,\"within_tolerance\":%zu,\"paths\":{",
		      r->old_records, r->new_records, r->changed, r->added, r->removed,
		      r->within_tolerance);
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
		if (c->kind == HX_DIFF_CHANGED) {
			hx_buf_puts(out, ",\"path\":");
			hx_canon_write_cstr(out, c->path);
			if (c->old_value)
				hx_buf_printf(out, ",\"old\":%s", c->old_value);
			if (c->new_value)
				hx_buf_printf(out, ",\"new\":%s", c->new_value);
		} else {
			hx_buf_printf(out, ",\"%s\":true", c->kind == HX_DIFF_ADDED ? "added" : "removed");
		}
		hx_buf_putc(out, '}');
	}
	hx_buf_printf(out, "],\"omitted\":%zu}\n", r->nchanges - i);
}
