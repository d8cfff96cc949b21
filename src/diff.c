#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "json.h"

typedef struct {
	const char *ptr;
	size_t len;
} line_ref;

typedef struct {
	line_ref *lines;
	size_t n;
} line_list;

typedef struct {
	const hx_diff_options *opt;
	hx_buf *text;
	size_t shown_paths; /* in the current record */
	size_t total_paths; /* in the current record */
	hx_buf scratch;
} walker;

void hx_diff_result_init(hx_diff_result *r)
{
	memset(r, 0, sizeof(*r));
	hx_buf_init(&r->text);
}

void hx_diff_result_release(hx_diff_result *r)
{
	hx_buf_release(&r->text);
}

static int blank(const char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/* Split into non-blank lines (line numbers are not kept: messages use the
 * record index, which is what a reader of the snapshot sees). */
static void split_lines(line_list *out, const char *text, size_t len)
{
	size_t cap = 64, start = 0, i;
	out->lines = hx_xmalloc(cap * sizeof(line_ref));
	out->n = 0;
	for (i = 0; i <= len; i++) {
		if (i == len || text[i] == '\n') {
			if (!blank(text + start, i - start)) {
				if (out->n == cap) {
					cap *= 2;
					out->lines = hx_xrealloc(out->lines, cap * sizeof(line_ref));
				}
				out->lines[out->n].ptr = text + start;
				out->lines[out->n].len = i - start;
				out->n++;
			}
			start = i + 1;
		}
	}
}

static void put_value(walker *w, const hx_json *v)
{
	size_t max = w->opt->max_value ? w->opt->max_value : 60;
	if (!v) {
		hx_buf_puts(w->text, "(absent)");
		return;
	}
	hx_buf_reset(&w->scratch);
	hx_canon_serialize(&w->scratch, v);
	if (w->scratch.len > max) {
		hx_buf_put(w->text, w->scratch.ptr, max);
		hx_buf_puts(w->text, "...");
	} else {
		hx_buf_put(w->text, w->scratch.ptr, w->scratch.len);
	}
}

static void report(walker *w, const hx_buf *path, const hx_json *a, const hx_json *b)
{
	size_t max = w->opt->max_paths ? w->opt->max_paths : 8;
	w->total_paths++;
	if (w->shown_paths >= max)
		return;
	w->shown_paths++;
	hx_buf_puts(w->text, "    ");
	hx_buf_put(w->text, path->len ? path->ptr : ".", path->len ? path->len : 1);
	hx_buf_puts(w->text, ": ");
	put_value(w, a);
	hx_buf_puts(w->text, " -> ");
	put_value(w, b);
	hx_buf_putc(w->text, '\n');
}

static int plain_key(const char *k, size_t n)
{
	size_t i;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void push_key(hx_buf *path, const char *k, size_t n)
{
	if (plain_key(k, n)) {
		hx_buf_putc(path, '.');
		hx_buf_put(path, k, n);
	} else {
		hx_buf_putc(path, '[');
		hx_canon_write_string(path, k, n);
		hx_buf_putc(path, ']');
	}
}

static const hx_json *member(const hx_json *obj, const char *k, size_t n)
{
	size_t i;
	for (i = 0; i < obj->u.object.len; i++)
		if (obj->u.object.members[i].key_len == n &&
		    memcmp(obj->u.object.members[i].key, k, n) == 0)
			return obj->u.object.members[i].value;
	return NULL;
}

static void walk(walker *w, hx_buf *path, const hx_json *a, const hx_json *b)
{
	size_t mark = path->len, i;

	if (a->type == HX_JSON_OBJECT && b->type == HX_JSON_OBJECT) {
		for (i = 0; i < a->u.object.len; i++) {
			const hx_json_member *m = &a->u.object.members[i];
			const hx_json *bv = member(b, m->key, m->key_len);
			push_key(path, m->key, m->key_len);
			if (!bv)
				report(w, path, m->value, NULL);
			else
				walk(w, path, m->value, bv);
			path->len = mark;
			path->ptr[mark] = '\0';
		}
		for (i = 0; i < b->u.object.len; i++) {
			const hx_json_member *m = &b->u.object.members[i];
			if (member(a, m->key, m->key_len))
				continue;
			push_key(path, m->key, m->key_len);
			report(w, path, NULL, m->value);
			path->len = mark;
			path->ptr[mark] = '\0';
		}
		return;
	}
	if (a->type == HX_JSON_ARRAY && b->type == HX_JSON_ARRAY) {
		size_t na = a->u.array.len, nb = b->u.array.len;
		for (i = 0; i < (na > nb ? na : nb); i++) {
			hx_buf_printf(path, "[%zu]", i);
			if (i >= nb)
				report(w, path, a->u.array.items[i], NULL);
			else if (i >= na)
				report(w, path, NULL, b->u.array.items[i]);
			else
				walk(w, path, a->u.array.items[i], b->u.array.items[i]);
			path->len = mark;
			path->ptr[mark] = '\0';
		}
		return;
	}
	if (!hx_json_equal(a, b))
		report(w, path, a, b);
}

static void put_keys(walker *w, const hx_json *rec)
{
	const char *const *k;
	int first = 1;
	if (!w->opt->key_fields || !rec || rec->type != HX_JSON_OBJECT)
		return;
	for (k = w->opt->key_fields; *k; k++) {
		const hx_json *v = hx_json_get(rec, *k);
		if (!v)
			continue;
		hx_buf_puts(w->text, first ? " (" : ", ");
		first = 0;
		hx_buf_puts(w->text, *k);
		hx_buf_putc(w->text, '=');
		if (v->type == HX_JSON_STRING)
			hx_buf_put(w->text, v->u.string.ptr, v->u.string.len);
		else
			put_value(w, v);
	}
	if (!first)
		hx_buf_putc(w->text, ')');
}

static int parse_line(hx_json **out, hx_arena *arena, const line_ref *l, const char *name,
		      size_t index)
{
	hx_json_error e;
	if (hx_json_parse(out, arena, l->ptr, l->len, &e) != 0) {
		hx_error_set("%s: record %zu: column %zu: %s", name, index, e.column, e.msg);
		return HX_EINVALID;
	}
	return 0;
}

int hx_diff_jsonl(hx_diff_result *out, const char *old_text, size_t old_len,
		  const char *old_name, const char *new_text, size_t new_len,
		  const char *new_name, const hx_diff_options *opt)
{
	line_list a = {0}, b = {0};
	hx_arena *arena = hx_arena_new();
	walker w;
	hx_buf path = HX_BUF_INIT;
	size_t i, n, shown = 0, max_records = opt->max_records ? opt->max_records : 5;
	int err = 0;

	memset(&w, 0, sizeof(w));
	w.opt = opt;
	w.text = &out->text;
	hx_buf_init(&w.scratch);
	split_lines(&a, old_text, old_len);
	split_lines(&b, new_text, new_len);
	out->old_records = a.n;
	out->new_records = b.n;
	n = a.n < b.n ? a.n : b.n;

	for (i = 0; i < n; i++) {
		hx_json *ja, *jb;
		if (a.lines[i].len == b.lines[i].len &&
		    memcmp(a.lines[i].ptr, b.lines[i].ptr, a.lines[i].len) == 0)
			continue;
		hx_arena_reset(arena);
		if ((err = parse_line(&ja, arena, &a.lines[i], old_name, i)) != 0 ||
		    (err = parse_line(&jb, arena, &b.lines[i], new_name, i)) != 0)
			goto done;
		if (hx_json_equal(ja, jb))
			continue; /* same values, different spelling */
		out->changed++;
		if (shown >= max_records)
			continue;
		shown++;
		hx_buf_printf(&out->text, "  record %zu", i);
		put_keys(&w, jb);
		hx_buf_puts(&out->text, ":\n");
		w.shown_paths = w.total_paths = 0;
		hx_buf_reset(&path);
		walk(&w, &path, ja, jb);
		if (w.total_paths > w.shown_paths)
			hx_buf_printf(&out->text, "    ... and %zu more paths\n",
				      w.total_paths - w.shown_paths);
	}
	/* Tail records exist on one side only. */
	for (i = n; i < a.n || i < b.n; i++) {
		int added = i >= a.n;
		hx_json *j;
		if (added)
			out->added++;
		else
			out->removed++;
		if (shown >= max_records)
			continue;
		shown++;
		hx_arena_reset(arena);
		if ((err = parse_line(&j, arena, added ? &b.lines[i] : &a.lines[i],
				      added ? new_name : old_name, i)) != 0)
			goto done;
		hx_buf_printf(&out->text, "  record %zu %s", i, added ? "added" : "removed");
		put_keys(&w, j);
		hx_buf_putc(&out->text, '\n');
	}
	{
		size_t total = out->changed + out->added + out->removed;
		if (total > shown)
			hx_buf_printf(&out->text, "  ... and %zu more differing records\n",
				      total - shown);
	}
done:
	free(a.lines);
	free(b.lines);
	hx_buf_release(&path);
	hx_buf_release(&w.scratch);
	hx_arena_free(arena);
	return err;
}
