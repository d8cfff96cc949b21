/* json.h - strict JSON (RFC 8259) parser into an arena-allocated tree.
 *
 * Strict: invalid UTF-8, lone surrogates (escaped or not), duplicate object
 * keys, NaN/Infinity (unless a caller opts in with HX_JSON_NONFINITE), leading
 * zeros, trailing commas, and anything after the value are errors. Numbers are IEEE doubles (RFC 8785 semantics), parsed
 * correctly rounded. Every node lives in the hx_arena passed in and dies with
 * hx_arena_reset/hx_arena_free: there is nothing to free per node.
 */
#ifndef HX_JSON_H
#define HX_JSON_H

#include <stddef.h>

typedef struct hx_arena hx_arena;

/* A bump allocator of large chunks; reset keeps the first chunk for reuse. */
hx_arena *hx_arena_new(void);
void hx_arena_free(hx_arena *a); /* accepts NULL */
void hx_arena_reset(hx_arena *a);
void *hx_arena_alloc(hx_arena *a, size_t n); /* 8-byte aligned, never NULL */
char *hx_arena_strndup(hx_arena *a, const char *s, size_t n);

typedef enum {
	HX_JSON_NULL,
	HX_JSON_FALSE,
	HX_JSON_TRUE,
	HX_JSON_NUMBER,
	HX_JSON_STRING,
	HX_JSON_ARRAY,
	HX_JSON_OBJECT
} hx_json_type;

typedef struct hx_json hx_json;

typedef struct {
	const char *key; /* UTF-8, NUL-terminated (may also contain U+0000) */
	size_t key_len;
	hx_json *value;
} hx_json_member;

struct hx_json {
	hx_json_type type;
	union {
		double number;
		struct {
			const char *ptr; /* decoded UTF-8, NUL-terminated */
			size_t len;
			int plain; /* 1: no byte needs JSON escaping (set by the
				    * parser for strings without escapes; 0 is
				    * always safe) */
		} string;
		/* HX_JSON_NUMBER from hx_json_parse_lazy only (u.number is
		 * then not set): the number's text in the input, checked
		 * against the grammar and the range of a double. */
		struct {
			const char *text; /* not NUL-terminated */
			size_t len;
			int plain; /* 1: text is already the RFC 8785 form of
				    * the value (the parser sets it for integers
				    * of up to 15 digits other than -0; 0 is
				    * always safe) */
		} lazy;
		struct {
			hx_json **items;
			size_t len;
		} array;
		struct {
			hx_json_member *members; /* in document order */
			size_t len;
		} object;
	} u;
};

typedef struct {
	size_t offset; /* byte offset of the problem in the input */
	size_t line;   /* 1-based line of the problem within the input */
	size_t column; /* 1-based column (bytes) within that line */
	char msg[160]; /* lowercase, e.g. "duplicate key 'a'" */
} hx_json_error;

/* Parse exactly one JSON value (whitespace around it allowed) from
 * text[0..len). Returns 0 and *out, or HX_EINVALID with *err filled (err may
 * be NULL). Does not touch the thread error slot. */
int hx_json_parse(hx_json **out, hx_arena *arena, const char *text, size_t len,
		  hx_json_error *err);

/* The same for a caller that reads the tree once, right away (canon's line
 * path), without work it may not need:
 * - numbers are not converted: u.lazy holds their text (convert with
 *   hx_json_number_value), and the errors are those of hx_json_parse, out of
 *   range included;
 * - keys and strings without escapes are not copied: they point into text
 *   (not NUL-terminated), which must outlive the tree. Keys and strings with
 *   escapes are decoded into the arena as usual.
 * Only code that knows the tree came from here may read it. */
int hx_json_parse_lazy(hx_json **out, hx_arena *arena, const char *text, size_t len,
		       hx_json_error *err);

/* Flags of hx_json_parse_flags. HX_JSON_LAZY: as hx_json_parse_lazy.
 * HX_JSON_NONFINITE: also accept the tokens NaN, Infinity and -Infinity
 * (what Python's json module writes for non-finite floats) as numbers; off
 * everywhere except readers of foreign telemetry (series/condense), since
 * such a tree has no JSON serialization (canon must not be given one). */
enum { HX_JSON_LAZY = 1, HX_JSON_NONFINITE = 2 };
int hx_json_parse_flags(hx_json **out, hx_arena *arena, const char *text, size_t len,
			int flags, hx_json_error *err);

/* A flat row read in one pass, without the tree: when text is exactly one
 * object whose members (at most cap) are strings without escapes or
 * non-ASCII bytes, numbers, true, false or null (and, with
 * HX_JSON_NONFINITE in flags, NaN, Infinity, -Infinity), and whose keys
 * are plain and distinct, fills members[0..n) and values[0..n) in document
 * order exactly as hx_json_parse_flags(HX_JSON_LAZY | flags) would (keys
 * and strings point into text) and returns n. Returns -1 for anything else,
 * valid or not: the caller then parses with hx_json_parse_flags, which
 * accepts the same documents and words the errors. */
long hx_json_scan_flat(const char *text, size_t len, int flags, hx_json_member *members,
		       hx_json *values, size_t cap);

/* The same for a stream of rows: sh keeps the keys of the last row read
 * (as written, without blanks before the colon), and a row with the same
 * keys in the same order is read against them, faster; *same is then 1 (a
 * caller's lookups by member position still hold), else 0. */
typedef struct hx_json_shape hx_json_shape;
hx_json_shape *hx_json_shape_new(void);
void hx_json_shape_free(hx_json_shape *sh); /* accepts NULL */
long hx_json_scan_flat_shape(hx_json_shape *sh, const char *text, size_t len, int flags,
			     hx_json_member *members, hx_json *values, size_t cap, int *same);

/* The correctly rounded double of a number's text as recorded by
 * hx_json_parse_lazy (exactly what hx_json_parse would have stored; NaN and
 * the infinities for the HX_JSON_NONFINITE tokens). For text that is not a
 * valid in-range JSON number the result is unspecified. */
double hx_json_number_value(const char *text, size_t len);

/* Member of an object by key (NULL when absent or obj is not an object). */
hx_json *hx_json_get(const hx_json *obj, const char *key);

/* Node constructors (for building documents to serialize). */
hx_json *hx_json_new(hx_arena *a, hx_json_type type);
hx_json *hx_json_new_number(hx_arena *a, double v);
hx_json *hx_json_new_string(hx_arena *a, const char *s, size_t len);

/* Deep equality in the RFC 8785 sense (object member order ignored). */
int hx_json_equal(const hx_json *a, const hx_json *b);

/* Call fn(ctx, record, lineno) for each nonblank line of a JSONL file
 * (lineno 1-based; the record lives until fn returns). A line that is not
 * JSON is "PATH:LINE:COL: ..." (HX_EINVALID); fn's nonzero return stops the
 * walk and is returned. *count (may be NULL) gets the records seen. */
int hx_jsonl_each(const char *path, int (*fn)(void *ctx, const hx_json *rec, size_t lineno),
		  void *ctx, unsigned long *count);

#endif
