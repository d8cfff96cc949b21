/* ydoc.c - libyaml events into a located node tree (the typed readers are
 * in ydoc_read.c).
 *
 * Ownership: every allocation made for a document (nodes, scalar text, item
 * and pair arrays) is recorded in the document's private list and freed by
 * hx_ydoc_free. An alias becomes a shallow copy of its anchor's node (own
 * position, shared contents), so sharing needs no reference counts and an
 * alias-heavy document cannot blow up memory.
 */
#include "ydoc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <yaml.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "hash.h"

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

/* A collection being built: its arrays are not yet in the alloc list.
 * A map's keys are also in `keys`, an open-addressing hash set of pair
 * indices, so that the duplicate check costs O(1) per key instead of a scan
 * of the keys before it (which made 80k keys take 30 s). */
typedef struct {
	hx_ynode *node;
	size_t cap;
	hx_ynode *pending_key; /* map: key waiting for its value */
	char *anchor;          /* registered when the collection ends */
	size_t *keys;          /* map: slots holding pair index + 1, 0 = empty */
	size_t keys_cap;       /* a power of two, at least twice parent->n */
} frame;

typedef struct {
	hx_ydoc *doc;
	ydoc_priv *priv;
	frame *frames;
	size_t depth, frames_cap;
	const char *text;
	size_t len;
	uint64_t seed; /* of the key sets' hash: random, so that no file can be
			* made of colliding keys (the set's layout changes no result) */
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

/* The slot of `key` in f's key set: the one holding an equal key, or the
 * empty one where it would go. keys_cap > 0 and the set is never full. */
static size_t key_slot(const builder *b, const frame *f, const hx_ynode *key)
{
	size_t mask = f->keys_cap - 1;
	size_t i = (size_t)hx_hash64(key->scalar, key->scalar_len, b->seed) & mask;

	while (f->keys[i] && !key_equal(f->node->pairs[f->keys[i] - 1].key, key))
		i = (i + 1) & mask;
	return i;
}

/* Add pair `index` of f's map to its key set, growing the set to keep its
 * load at most one half (so probes stay short). */
static void key_add(const builder *b, frame *f, size_t index)
{
	size_t i;

	if (2 * (index + 1) > f->keys_cap) {
		size_t old_cap = f->keys_cap, *old = f->keys;
		f->keys_cap = old_cap ? old_cap * 2 : 16;
		f->keys = hx_xcalloc(f->keys_cap, sizeof(*f->keys));
		for (i = 0; i < old_cap; i++) {
			if (old[i])
				f->keys[key_slot(b, f, f->node->pairs[old[i] - 1].key)] = old[i];
		}
		free(old);
	}
	f->keys[key_slot(b, f, f->node->pairs[index].key)] = index + 1;
}

/* Attach a finished node to the open collection (or make it the root). */
static int attach(builder *b, hx_ynode *n)
{
	frame *f;
	hx_ynode *parent;

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
		if (f->keys_cap && f->keys[key_slot(b, f, n)])
			return located(b->doc, n->line, n->col, "duplicate key '%s'", n->scalar);
		f->pending_key = n;
		return 0;
	}
	if (parent->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		parent->pairs = hx_xrealloc(parent->pairs, f->cap * sizeof(*parent->pairs));
	}
	parent->pairs[parent->n].key = f->pending_key;
	parent->pairs[parent->n].value = n;
	key_add(b, f, parent->n);
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
	free(f.keys);
	if (f.anchor) {
		add_anchor(b, f.anchor, n);
		free(f.anchor);
	}
	return attach(b, n);
}

/* A seed nobody can predict: the kernel's random bytes, or (when they are
 * not available) the clock mixed with an ASLR-randomized address. */
static uint64_t random_seed(void)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)&seed;
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
		free(b->frames[i].keys);
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
	b.seed = random_seed();

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
