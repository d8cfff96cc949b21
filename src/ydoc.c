/* ydoc.c - libyaml events into a located node tree, plus typed readers.
 *
 * Ownership: every allocation made for a document (nodes, scalar text, item
 * and pair arrays) is recorded in the document's private list and freed by
 * hx_ydoc_free. An alias becomes a shallow copy of its anchor's node (own
 * position, shared contents), so sharing needs no reference counts and an
 * alias-heavy document cannot blow up memory.
 */
#include "ydoc.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"

/* hx_ydoc_u64 relies on strtoull covering the whole uint64_t range. */
_Static_assert(sizeof(unsigned long long) == sizeof(uint64_t), "64-bit unsigned long long");

#define TAG_STR "tag:yaml.org,2002:str"
#define TAG_PREFIX "tag:yaml.org,2002:"

typedef struct {
	char *name;
	hx_ynode *node;
} anchor;

typedef struct {
	void **allocs;
	size_t nallocs, allocs_cap;
	anchor *anchors;
	size_t nanchors, anchors_cap;
} ydoc_priv;

/* A collection being built: its arrays are not yet in the alloc list. */
typedef struct {
	hx_ynode *node;
	size_t cap;
	hx_ynode *pending_key; /* map: key waiting for its value */
	char *anchor;          /* registered when the collection ends */
} frame;

typedef struct {
	hx_ydoc *doc;
	ydoc_priv *priv;
	frame *frames;
	size_t depth, frames_cap;
	const char *text;
	size_t len;
} builder;

static void own(ydoc_priv *p, void *ptr)
{
	if (p->nallocs == p->allocs_cap) {
		p->allocs_cap = p->allocs_cap ? p->allocs_cap * 2 : 64;
		p->allocs = hx_xrealloc(p->allocs, p->allocs_cap * sizeof(*p->allocs));
	}
	p->allocs[p->nallocs++] = ptr;
}

static hx_ynode *new_node(builder *b, hx_ynode_type type, const yaml_mark_t *mark)
{
	hx_ynode *n = hx_xcalloc(1, sizeof(*n));
	n->type = type;
	n->line = mark->line + 1;
	n->col = mark->column + 1;
	own(b->priv, n);
	return n;
}

static void add_anchor(builder *b, const char *name, hx_ynode *node)
{
	ydoc_priv *p = b->priv;
	if (p->nanchors == p->anchors_cap) {
		p->anchors_cap = p->anchors_cap ? p->anchors_cap * 2 : 8;
		p->anchors = hx_xrealloc(p->anchors, p->anchors_cap * sizeof(*p->anchors));
	}
	p->anchors[p->nanchors].name = hx_xstrdup(name);
	p->anchors[p->nanchors].node = node;
	p->nanchors++;
}

/* The most recent definition wins, as YAML specifies for redefined anchors. */
static hx_ynode *find_anchor(builder *b, const char *name)
{
	size_t i = b->priv->nanchors;
	while (i-- > 0) {
		if (strcmp(b->priv->anchors[i].name, name) == 0)
			return b->priv->anchors[i].node;
	}
	return NULL;
}

static int located(const hx_ydoc *doc, size_t line, size_t col, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static int located(const hx_ydoc *doc, size_t line, size_t col, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hx_error_set("%s:%zu:%zu: %s", doc->file, line, col, msg);
	return HX_EINVALID;
}

static int key_equal(const hx_ynode *a, const hx_ynode *b)
{
	return a->scalar_len == b->scalar_len && memcmp(a->scalar, b->scalar, a->scalar_len) == 0;
}

/* Attach a finished node to the open collection (or make it the root). */
static int attach(builder *b, hx_ynode *n)
{
	frame *f;
	hx_ynode *parent;
	size_t i;

	if (b->depth == 0) {
		b->doc->root = n;
		return 0;
	}
	f = &b->frames[b->depth - 1];
	parent = f->node;
	if (parent->type == HX_Y_SEQ) {
		if (parent->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 8;
			parent->items = hx_xrealloc(parent->items, f->cap * sizeof(*parent->items));
		}
		parent->items[parent->n++] = n;
		return 0;
	}
	if (!f->pending_key) {
		if (n->type != HX_Y_SCALAR)
			return located(b->doc, n->line, n->col, "a mapping key must be a scalar");
		for (i = 0; i < parent->n; i++) {
			if (key_equal(parent->pairs[i].key, n))
				return located(b->doc, n->line, n->col, "duplicate key '%s'", n->scalar);
		}
		f->pending_key = n;
		return 0;
	}
	if (parent->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		parent->pairs = hx_xrealloc(parent->pairs, f->cap * sizeof(*parent->pairs));
	}
	parent->pairs[parent->n].key = f->pending_key;
	parent->pairs[parent->n].value = n;
	parent->n++;
	f->pending_key = NULL;
	return 0;
}

/* Scalars: no tag or a core-schema tag; `!` and `!!str` force a string. */
static int scalar_event(builder *b, const yaml_event_t *ev)
{
	hx_ynode *n;
	const char *tag = (const char *)ev->data.scalar.tag;
	int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

	if (tag) {
		if (strcmp(tag, "!") == 0 || strcmp(tag, TAG_STR) == 0)
			plain = 0;
		else if (strcmp(tag, TAG_PREFIX "int") == 0 || strcmp(tag, TAG_PREFIX "float") == 0 ||
			 strcmp(tag, TAG_PREFIX "bool") == 0 || strcmp(tag, TAG_PREFIX "null") == 0)
			plain = 1;
		else
			return located(b->doc, ev->start_mark.line + 1, ev->start_mark.column + 1,
				       "unsupported tag '%s'", tag);
	}
	n = new_node(b, HX_Y_SCALAR, &ev->start_mark);
	n->scalar_len = ev->data.scalar.length;
	n->scalar = hx_xmalloc(n->scalar_len + 1);
	memcpy(n->scalar, ev->data.scalar.value, n->scalar_len);
	n->scalar[n->scalar_len] = '\0';
	own(b->priv, n->scalar);
	n->plain = plain;
	if (ev->data.scalar.anchor)
		add_anchor(b, (const char *)ev->data.scalar.anchor, n);
	return attach(b, n);
}

static int alias_event(builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	hx_ynode *target = find_anchor(b, name), *n;

	if (!target)
		return located(b->doc, ev->start_mark.line + 1, ev->start_mark.column + 1,
			       "unknown anchor '%s'", name);
	n = new_node(b, target->type, &ev->start_mark);
	n->scalar = target->scalar;
	n->scalar_len = target->scalar_len;
	n->plain = target->plain;
	n->items = target->items;
	n->pairs = target->pairs;
	n->n = target->n;
	return attach(b, n);
}

static int start_event(builder *b, const yaml_event_t *ev, hx_ynode_type type)
{
	const char *tag, *anch, *want;
	frame *f;

	if (type == HX_Y_MAP) {
		tag = (const char *)ev->data.mapping_start.tag;
		anch = (const char *)ev->data.mapping_start.anchor;
		want = TAG_PREFIX "map";
	} else {
		tag = (const char *)ev->data.sequence_start.tag;
		anch = (const char *)ev->data.sequence_start.anchor;
		want = TAG_PREFIX "seq";
	}
	if (tag && strcmp(tag, want) != 0 && strcmp(tag, "!") != 0)
		return located(b->doc, ev->start_mark.line + 1, ev->start_mark.column + 1,
			       "unsupported tag '%s'", tag);
	if (b->depth == b->frames_cap) {
		b->frames_cap = b->frames_cap ? b->frames_cap * 2 : 16;
		b->frames = hx_xrealloc(b->frames, b->frames_cap * sizeof(*b->frames));
	}
	f = &b->frames[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node = new_node(b, type, &ev->start_mark);
	f->anchor = anch ? hx_xstrdup(anch) : NULL;
	return 0;
}

/* The collection is complete: its array joins the alloc list, its anchor
 * becomes usable (only now, so an alias can never point into itself). */
static int end_event(builder *b)
{
	frame f = b->frames[--b->depth];
	hx_ynode *n = f.node;

	if (n->items)
		own(b->priv, n->items);
	if (n->pairs)
		own(b->priv, n->pairs);
	if (f.anchor) {
		add_anchor(b, f.anchor, n);
		free(f.anchor);
	}
	return attach(b, n);
}

/* A reader error has only a byte offset: turn it into line and column. */
static void offset_to_mark(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
	size_t i;
	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int parser_error(builder *b, const yaml_parser_t *p)
{
	size_t line, col;
	const char *problem = p->problem ? p->problem : "invalid yaml";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		hx_oom();
		return HX_ESYSTEM;
	case YAML_READER_ERROR:
		offset_to_mark(b->text, b->len, p->problem_offset, &line, &col);
		return located(b->doc, line, col, "%s", problem);
	default:
		return located(b->doc, p->problem_mark.line + 1, p->problem_mark.column + 1, "%s",
			       problem);
	}
}

static void builder_release(builder *b)
{
	size_t i;
	/* Unfinished collections still own their arrays. */
	for (i = 0; i < b->depth; i++) {
		free(b->frames[i].node->items);
		free(b->frames[i].node->pairs);
		b->frames[i].node->items = NULL;
		b->frames[i].node->pairs = NULL;
		free(b->frames[i].anchor);
	}
	free(b->frames);
}

int hx_ydoc_parse(hx_ydoc **out, const char *name, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	builder b;
	hx_ydoc *doc;
	int err = 0, have_event = 0, done = 0, ndocs = 0;

	*out = NULL;
	doc = hx_xcalloc(1, sizeof(*doc));
	doc->file = hx_xstrdup(name);
	doc->priv = hx_xcalloc(1, sizeof(ydoc_priv));
	memset(&b, 0, sizeof(b));
	b.doc = doc;
	b.priv = doc->priv;
	b.text = text;
	b.len = len;

	if (!yaml_parser_initialize(&parser))
		hx_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			err = parser_error(&b, &parser);
			goto done;
		}
		have_event = 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				err = located(doc, ev.start_mark.line + 1, ev.start_mark.column + 1,
					      "multiple documents are not supported");
				goto done;
			}
			break;
		case YAML_SCALAR_EVENT:
			err = scalar_event(&b, &ev);
			break;
		case YAML_ALIAS_EVENT:
			err = alias_event(&b, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			err = start_event(&b, &ev, HX_Y_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			err = start_event(&b, &ev, HX_Y_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			err = end_event(&b);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		have_event = 0;
		if (err)
			goto done;
	}
	*out = doc;
	doc = NULL;
done:
	if (have_event)
		yaml_event_delete(&ev);
	yaml_parser_delete(&parser);
	builder_release(&b);
	hx_ydoc_free(doc);
	return err;
}

int hx_ydoc_load(hx_ydoc **out, const char *path)
{
	hx_buf text = HX_BUF_INIT;
	int err;

	*out = NULL;
	if ((err = hx_file_read_spec(&text, path)) == 0)
		err = hx_ydoc_parse(out, path, text.ptr, text.len);
	hx_buf_release(&text);
	return err;
}

void hx_ydoc_free(hx_ydoc *doc)
{
	ydoc_priv *p;
	size_t i;

	if (!doc)
		return;
	p = doc->priv;
	if (p) {
		for (i = 0; i < p->nallocs; i++)
			free(p->allocs[i]);
		for (i = 0; i < p->nanchors; i++)
			free(p->anchors[i].name);
		free(p->allocs);
		free(p->anchors);
		free(p);
	}
	free(doc->file);
	free(doc);
}

hx_ynode *hx_ynode_get(const hx_ynode *map, const char *key)
{
	size_t i, len;

	if (!map || map->type != HX_Y_MAP)
		return NULL;
	len = strlen(key);
	for (i = 0; i < map->n; i++) {
		const hx_ynode *k = map->pairs[i].key;
		if (k->scalar_len == len && memcmp(k->scalar, key, len) == 0)
			return map->pairs[i].value;
	}
	return NULL;
}

int hx_ydoc_error(const hx_ydoc *doc, const hx_ynode *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		hx_error_set("%s:%zu:%zu: %s", doc->file, n->line, n->col, msg);
	else
		hx_error_set("%s:1:1: %s", doc->file, msg);
	return HX_EINVALID;
}

/* ---- scalar resolution (YAML 1.2 core schema) ---- */

int hx_ynode_is_null(const hx_ynode *n)
{
	if (!n)
		return 1;
	if (n->type != HX_Y_SCALAR || !n->plain)
		return 0;
	return n->scalar_len == 0 || strcmp(n->scalar, "~") == 0 || strcmp(n->scalar, "null") == 0 ||
	       strcmp(n->scalar, "Null") == 0 || strcmp(n->scalar, "NULL") == 0;
}

static int is_plain_scalar(const hx_ynode *n)
{
	return n && n->type == HX_Y_SCALAR && n->plain;
}

static int all_in(const char *s, const char *set)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		if (!strchr(set, *s))
			return 0;
	}
	return 1;
}

/* Parse a core-schema integer: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+.
 * Sets *neg and *mag (magnitude); returns 0, or -1 when not an integer or
 * the magnitude overflows 64 bits. */
static int parse_int(const char *s, int *neg, unsigned long long *mag)
{
	int base = 10;
	char *end;

	*neg = 0;
	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
		if (!all_in(s, "0123456789abcdefABCDEF"))
			return -1;
	} else if (s[0] == '0' && s[1] == 'o') {
		base = 8;
		s += 2;
		if (!all_in(s, "01234567"))
			return -1;
	} else {
		if (*s == '-' || *s == '+')
			*neg = *s++ == '-';
		if (!all_in(s, "0123456789"))
			return -1;
	}
	errno = 0;
	*mag = strtoull(s, &end, base);
	if (errno == ERANGE || *end)
		return -1;
	return 0;
}

/* Parse a core-schema float (ints included); returns 0 or -1. */
static int parse_float(const char *s, double *out)
{
	const char *p = s;
	char *end;
	int digits = 0;

	if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 || strcmp(s, ".NAN") == 0) {
		*out = NAN;
		return 0;
	}
	if (*p == '-' || *p == '+')
		p++;
	if (strcmp(p, ".inf") == 0 || strcmp(p, ".Inf") == 0 || strcmp(p, ".INF") == 0) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	/* Validate the shape first: strtod also takes hex floats, "inf", "nan". */
	while (*p >= '0' && *p <= '9') {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits++;
		}
	}
	if (!digits)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -1;
	*out = strtod(s, &end);
	return *end ? -1 : 0;
}

static const char *node_name(const char *what)
{
	return what ? what : "value";
}

int hx_ydoc_string(const hx_ydoc *doc, const hx_ynode *n, const char *what, char **out)
{
	/* Any non-null scalar is text: `version: 4.12` reads as "4.12". */
	if (!n || n->type != HX_Y_SCALAR || hx_ynode_is_null(n))
		return hx_ydoc_error(doc, n, "'%s' must be a string", node_name(what));
	if (strlen(n->scalar) != n->scalar_len)
		return hx_ydoc_error(doc, n, "'%s' must not contain a NUL character",
				     node_name(what));
	*out = hx_xstrdup(n->scalar);
	return 0;
}

int hx_ydoc_bool(const hx_ydoc *doc, const hx_ynode *n, const char *what, int *out)
{
	static const char *const t[] = {"true", "True", "TRUE"};
	static const char *const f[] = {"false", "False", "FALSE"};
	size_t i;

	if (is_plain_scalar(n)) {
		for (i = 0; i < 3; i++) {
			if (strcmp(n->scalar, t[i]) == 0) {
				*out = 1;
				return 0;
			}
			if (strcmp(n->scalar, f[i]) == 0) {
				*out = 0;
				return 0;
			}
		}
	}
	return hx_ydoc_error(doc, n, "'%s' must be true or false", node_name(what));
}

int hx_ydoc_int(const hx_ydoc *doc, const hx_ynode *n, const char *what, long long min,
		long long max, long long *out)
{
	unsigned long long mag;
	int neg;
	long long v;

	if (!is_plain_scalar(n) || parse_int(n->scalar, &neg, &mag) != 0)
		goto bad;
	if (neg) {
		if (mag > (unsigned long long)LLONG_MAX + 1ULL)
			goto bad;
		v = mag == (unsigned long long)LLONG_MAX + 1ULL ? LLONG_MIN : -(long long)mag;
	} else {
		if (mag > (unsigned long long)LLONG_MAX)
			goto bad;
		v = (long long)mag;
	}
	if (v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	return hx_ydoc_error(doc, n, "'%s' must be an integer from %lld to %lld", node_name(what),
			     min, max);
}

int hx_ydoc_u64(const hx_ydoc *doc, const hx_ynode *n, const char *what, uint64_t *out)
{
	unsigned long long mag;
	int neg;

	if (!is_plain_scalar(n) || parse_int(n->scalar, &neg, &mag) != 0 || (neg && mag != 0))
		return hx_ydoc_error(doc, n, "'%s' must be an integer from 0 to %llu",
				     node_name(what), (unsigned long long)UINT64_MAX);
	*out = (uint64_t)mag;
	return 0;
}

/* "from 0 to 1", "greater than 0", "at least 0", "greater than 0 and at most
 * 86400": the range as a reader would say it. */
static void describe_range(char *buf, size_t size, double min, int min_excl, double max)
{
	if (isinf(min) && isinf(max))
		snprintf(buf, size, "a finite number");
	else if (isinf(max))
		snprintf(buf, size, "a number %s %.15g", min_excl ? "greater than" : "at least", min);
	else if (isinf(min))
		snprintf(buf, size, "a number at most %.15g", max);
	else if (min_excl)
		snprintf(buf, size, "a number greater than %.15g and at most %.15g", min, max);
	else
		snprintf(buf, size, "a number from %.15g to %.15g", min, max);
}

static int read_double(const hx_ydoc *doc, const hx_ynode *n, const char *what, double min,
		       int min_excl, double max, double *out)
{
	double v;
	char range[160];

	if (is_plain_scalar(n) && parse_float(n->scalar, &v) == 0 && isfinite(v) &&
	    (min_excl ? v > min : v >= min) && v <= max) {
		*out = v;
		return 0;
	}
	describe_range(range, sizeof(range), min, min_excl, max);
	return hx_ydoc_error(doc, n, "'%s' must be %s", node_name(what), range);
}

int hx_ydoc_double(const hx_ydoc *doc, const hx_ynode *n, const char *what, double min,
		   double max, double *out)
{
	return read_double(doc, n, what, min, 0, max, out);
}

int hx_ydoc_double_gt(const hx_ydoc *doc, const hx_ynode *n, const char *what, double min,
		      double max, double *out)
{
	return read_double(doc, n, what, min, 1, max, out);
}

int hx_ydoc_expect(const hx_ydoc *doc, const hx_ynode *n, hx_ynode_type type, const char *what)
{
	static const char *const names[] = {"a scalar", "a list", "a mapping"};
	if (n && n->type == type)
		return 0;
	return hx_ydoc_error(doc, n, "'%s' must be %s", node_name(what), names[type]);
}

size_t hx_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *row, prev, tmp, best;

	row = hx_xmalloc((lb + 1) * sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

const char *hx_ydoc_suggest(const char *word, const char *const *known)
{
	size_t limit = strlen(word) / 3, best = (size_t)-1, d;
	const char *pick = NULL;

	if (limit < 2)
		limit = 2;
	for (; *known; known++) {
		d = hx_edit_distance(word, *known);
		if (d <= limit && d < best) {
			best = d;
			pick = *known;
		}
	}
	return pick;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
	}
	return 0;
}

int hx_ydoc_check_keys(const hx_ydoc *doc, const hx_ynode *map, const char *const *allowed)
{
	size_t i;
	const hx_ynode *k;
	const char *hint;

	if (!map || map->type != HX_Y_MAP)
		return 0;
	for (i = 0; i < map->n; i++) {
		k = map->pairs[i].key;
		if (strlen(k->scalar) == k->scalar_len && in_list(k->scalar, allowed))
			continue;
		hint = hx_ydoc_suggest(k->scalar, allowed);
		if (hint)
			return hx_ydoc_error(doc, k, "unknown key '%s' (did you mean '%s'?)",
					     k->scalar, hint);
		return hx_ydoc_error(doc, k, "unknown key '%s'", k->scalar);
	}
	return 0;
}

int hx_ydoc_require(const hx_ydoc *doc, const hx_ynode *map, const char *const *required)
{
	for (; *required; required++) {
		if (!hx_ynode_get(map, *required))
			return hx_ydoc_error(doc, map, "missing key '%s'", *required);
	}
	return 0;
}

/* "unknown WHAT 'x' (did you mean 'y'?)" or "unknown WHAT 'x' (known: ...)". */
static int unknown_name(const hx_ydoc *doc, const hx_ynode *n, const char *what, const char *s,
			const char *const *choices)
{
	hx_buf known = HX_BUF_INIT;
	const char *hint = hx_ydoc_suggest(s, choices);
	size_t i;
	int err;

	if (hint)
		return hx_ydoc_error(doc, n, "unknown %s '%s' (did you mean '%s'?)", what, s, hint);
	for (i = 0; choices[i]; i++)
		hx_buf_printf(&known, "%s%s", i ? ", " : "", choices[i]);
	err = hx_ydoc_error(doc, n, "unknown %s '%s' (known: %s)", what, s, known.ptr);
	hx_buf_release(&known);
	return err;
}

int hx_ydoc_enum(const hx_ydoc *doc, const hx_ynode *n, const char *what,
		 const char *const *choices, int *index_out)
{
	char *s = NULL;
	int i, err;

	if ((err = hx_ydoc_string(doc, n, what, &s)) != 0)
		return err;
	for (i = 0; choices[i]; i++) {
		if (strcmp(s, choices[i]) == 0) {
			*index_out = i;
			free(s);
			return 0;
		}
	}
	err = unknown_name(doc, n, node_name(what), s, choices);
	free(s);
	return err;
}

int hx_ydoc_check_names(const hx_ydoc *doc, const hx_ynode *map, const char *const *allowed,
			const char *what)
{
	size_t i;
	const hx_ynode *k;

	if (!map || map->type != HX_Y_MAP)
		return 0;
	for (i = 0; i < map->n; i++) {
		k = map->pairs[i].key;
		if (strlen(k->scalar) != k->scalar_len || !in_list(k->scalar, allowed))
			return unknown_name(doc, k, what, k->scalar, allowed);
	}
	return 0;
}
