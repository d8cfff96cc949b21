/* ydoc.h - a YAML document as a tree whose nodes know their line and column
 * (the only reader of libyaml; the emitter lives in export.c).
 *
 * Every error message is located: "FILE:LINE:COL: what" (1-based), so a bad
 * spec, models file or profile points at the offending key.
 */
#ifndef HX_YDOC_H
#define HX_YDOC_H

#include <stddef.h>
#include <stdint.h>

typedef enum { HX_Y_SCALAR, HX_Y_SEQ, HX_Y_MAP } hx_ynode_type;

typedef struct hx_ynode hx_ynode;
typedef struct {
	hx_ynode *key; /* always a scalar */
	hx_ynode *value;
} hx_ypair;

struct hx_ynode {
	hx_ynode_type type;
	size_t line, col; /* 1-based position of the node's first character */
	char *scalar;     /* HX_Y_SCALAR: the text (NUL-terminated) */
	size_t scalar_len;
	int plain;        /* scalar was unquoted: may be null/bool/number */
	hx_ynode **items; /* HX_Y_SEQ */
	hx_ypair *pairs;  /* HX_Y_MAP, in document order */
	size_t n;         /* items or pairs */
};

typedef struct {
	char *file;     /* the name used in messages */
	hx_ynode *root; /* NULL for an empty document */
	void *priv;
} hx_ydoc;

/* Parse a file (one document; aliases resolved; duplicate keys rejected). */
int hx_ydoc_load(hx_ydoc **out, const char *path);
/* Parse text; `name` is used in messages. */
int hx_ydoc_parse(hx_ydoc **out, const char *name, const char *text, size_t len);
void hx_ydoc_free(hx_ydoc *doc); /* accepts NULL */

/* Value of `key` in a map node (NULL when absent or not a map). */
hx_ynode *hx_ynode_get(const hx_ynode *map, const char *key);

/* Typed readers: on a type error they set "FILE:L:C: 'KEY' must be ..."
 * (`what` names the value in the message) and return HX_EINVALID. Scalars
 * resolve by the YAML 1.2 core schema: a quoted scalar is always a string;
 * bools are true/True/TRUE/false/False/FALSE; ints are decimal, 0x hex or 0o
 * octal; numbers must be finite. hx_ydoc_string takes any non-null scalar
 * as text (`version: 4.12` is "4.12"); *out is the caller's to free. A NULL
 * node (absent) is reported at 1:1. */
int hx_ydoc_string(const hx_ydoc *doc, const hx_ynode *n, const char *what, char **out);
int hx_ydoc_bool(const hx_ydoc *doc, const hx_ynode *n, const char *what, int *out);
int hx_ydoc_int(const hx_ydoc *doc, const hx_ynode *n, const char *what, long long min,
		long long max, long long *out);
int hx_ydoc_u64(const hx_ydoc *doc, const hx_ynode *n, const char *what, uint64_t *out);
int hx_ydoc_double(const hx_ydoc *doc, const hx_ynode *n, const char *what, double min,
		   double max, double *out);
/* Like hx_ydoc_double with an exclusive lower bound (min < value <= max):
 * "'timeout_s' must be a number greater than 0 and at most 86400". Pass
 * INFINITY as max for no upper bound ("... greater than 0"). */
int hx_ydoc_double_gt(const hx_ydoc *doc, const hx_ynode *n, const char *what, double min,
		      double max, double *out);
/* A string that must be one of `choices` (NULL-terminated); *index_out is its
 * index. Else "FILE:L:C: unknown WHAT 'x' (did you mean 'y'?)" or, with no
 * close choice, "unknown WHAT 'x' (known: a, b, c)". */
int hx_ydoc_enum(const hx_ydoc *doc, const hx_ynode *n, const char *what,
		 const char *const *choices, int *index_out);
/* 1 when n is NULL (absent) or a plain null scalar: "", "~", null/Null/NULL. */
int hx_ynode_is_null(const hx_ynode *n);
/* Require n to be a map/seq; else "FILE:L:C: 'WHAT' must be a mapping". */
int hx_ydoc_expect(const hx_ydoc *doc, const hx_ynode *n, hx_ynode_type type, const char *what);

/* Check a map's keys against a NULL-terminated list; the first unknown key is
 * "FILE:L:C: unknown key 'sampels' (did you mean 'samples'?)", the hint given
 * when a known key is within edit distance 2 (or a third of its length). */
int hx_ydoc_check_keys(const hx_ydoc *doc, const hx_ynode *map, const char *const *allowed);
/* Like hx_ydoc_check_keys for maps whose keys are names of things (tiers,
 * slices): "FILE:L:C: unknown WHAT 'x' (did you mean 'y'?)", or without a
 * close name "unknown WHAT 'x' (known: a, b, c)". */
int hx_ydoc_check_names(const hx_ydoc *doc, const hx_ynode *map, const char *const *allowed,
			const char *what);
/* Require keys: "FILE:L:C: missing key 'seed'" located at the map. */
int hx_ydoc_require(const hx_ydoc *doc, const hx_ynode *map, const char *const *required);

/* Set the located error "FILE:L:C: <fmt>" for node n and return HX_EINVALID. */
int hx_ydoc_error(const hx_ydoc *doc, const hx_ynode *n, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Levenshtein distance (used for did-you-mean hints). */
size_t hx_edit_distance(const char *a, const char *b);
/* The closest of `known` (NULL-terminated) within edit distance
 * max(2, strlen(word) / 3), the first on ties; NULL when none is close. */
const char *hx_ydoc_suggest(const char *word, const char *const *known);

#endif
