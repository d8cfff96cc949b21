/* json_flat.c - the one-pass reader of flat rows (see json.h): one object
 * of plain strings, numbers and literals, the shape of every telemetry
 * line. It gives up (-1) on anything else, and the caller then runs the
 * tree parser, which accepts the same documents and words the errors.
 *
 * A row with the keys of the row before, in the same order (what a
 * telemetry writer emits line after line), is read against the keys kept
 * from that row: each key is one compare of its bytes, with no scan for
 * its end, no duplicate test and, for the caller, no lookup (*same).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json_internal.h"

/* The keys of the last row read, each as written: '"' key '"' ':'. */
struct hx_json_shape {
	size_t n; /* 0: none kept */
	unsigned char *text;
	size_t *off; /* key j is text[off[j] .. off[j] + len[j]), zero-padded */
	size_t *len; /* to a multiple of 8 bytes */
};

hx_json_shape *hx_json_shape_new(void)
{
	return hx_xcalloc(1, sizeof(hx_json_shape));
}

void hx_json_shape_free(hx_json_shape *sh)
{
	if (!sh)
		return;
	free(sh->text);
	free(sh->off);
	free(sh->len);
	free(sh);
}

static inline int is_ws(unsigned c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* The string whose opening quote is at p-1: the end of its text (the
 * closing quote), or NULL when it has an escape, a control or non-ASCII
 * byte or no end. */
static inline const unsigned char *plain_string_end(const unsigned char *p, const unsigned char *end)
{
#ifdef HX_JSON_SSE2
	while (end - p >= 16) {
		unsigned quotes, m = hx_json_special_mask16(p, &quotes);
		if (m)
			return (quotes & m & (0u - m)) ? p + __builtin_ctz(m) : NULL;
		p += 16;
	}
#endif
	for (; p < end; p++) {
		if (*p == '"')
			return p;
		if (*p == '\\' || *p < 0x20 || *p >= 0x80)
			return NULL;
	}
	return NULL;
}

/* A small hash of a key for the duplicate test: equal keys set the same
 * bit of the 128 in seen[], so a key whose bit is new cannot repeat an
 * earlier one; only a key whose bit is taken is compared with the others. */
static inline int key_seen(uint64_t seen[2], const unsigned char *k, size_t n)
{
	uint32_t h = (uint32_t)n * 0x9e3779b1u;
	uint64_t bit;
	int was;
	if (n)
		h ^= k[0] * 0x85ebca77u ^ k[n - 1] * 0xc2b2ae3du ^ k[n >> 1] * 0x27d4eb2fu;
	h >>= 25; /* 7 bits */
	bit = (uint64_t)1 << (h & 63);
	was = (seen[h >> 6] & bit) != 0;
	seen[h >> 6] |= bit;
	return was;
}

static inline const unsigned char *nonfinite(const unsigned char *p, const unsigned char *end,
					     int flags, hx_json *v)
{
	int kind;
	size_t k;
	if (!(flags & HX_JSON_NONFINITE) || !(k = hx_json_nonfinite_len(p, end, &kind)))
		return NULL;
	v->type = HX_JSON_NUMBER;
	v->u.lazy.text = (const char *)p;
	v->u.lazy.len = k;
	v->u.lazy.plain = 0;
	return p + k;
}

/* The value at p (p < end) into *v: the end of its text, or NULL when it
 * is not a plain string, a number or a literal. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline const unsigned char *scan_value(const unsigned char *p, const unsigned char *end,
					      int flags, hx_json *v)
{
	const unsigned char *q;
	int plain;
	switch (*p) {
	case '"':
		if (!(q = plain_string_end(p + 1, end)))
			return NULL;
		v->type = HX_JSON_STRING;
		v->u.string.ptr = (const char *)p + 1;
		v->u.string.len = (size_t)(q - p - 1);
		v->u.string.plain = 1;
		return q + 1;
	case 't':
		if (end - p < 4 || memcmp(p, "true", 4) != 0)
			return NULL;
		v->type = HX_JSON_TRUE;
		return p + 4;
	case 'f':
		if (end - p < 5 || memcmp(p, "false", 5) != 0)
			return NULL;
		v->type = HX_JSON_FALSE;
		return p + 5;
	case 'n':
		if (end - p < 4 || memcmp(p, "null", 4) != 0)
			return NULL;
		v->type = HX_JSON_NULL;
		return p + 4;
	case 'N':
	case 'I':
		return nonfinite(p, end, flags, v);
	default:
		if (*p == '-' && end - p > 1 && p[1] == 'I')
			return nonfinite(p, end, flags, v);
		if (!(q = hx_json_scan_number(p, end, &plain)))
			return NULL;
		v->type = HX_JSON_NUMBER;
		v->u.lazy.text = (const char *)p;
		v->u.lazy.len = (size_t)(q - p);
		v->u.lazy.plain = plain;
		return q;
	}
}

/* After a member's value: the start of the next member (*last = 0) or the
 * end of the object (*last = 1), or NULL when neither follows. */
static inline const unsigned char *after_value(const unsigned char *p, const unsigned char *end,
					       int *last)
{
	if (p < end && *p == ',') {
		p++;
	} else {
		p = skip_ws(p, end);
		if (p < end && *p == '}') {
			*last = 1;
			return skip_ws(p + 1, end);
		}
		if (p >= end || *p != ',')
			return NULL;
		p++;
	}
	*last = 0;
	if (p < end && is_ws(*p))
		p = skip_ws(p, end);
	return p;
}

static long scan_any(const unsigned char *p, const unsigned char *end, int flags,
		     hx_json_member *members, hx_json *values, size_t cap, int *keys_tight)
{
	const unsigned char *s, *q;
	uint64_t seen[2] = {0, 0};
	size_t n = 0, i;
	int last = 0;

	*keys_tight = 1;
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return -1;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}')
		return skip_ws(p + 1, end) == end ? 0 : -1;
	while (!last) {
		hx_json_member *m;
		if (n == cap || p >= end || *p != '"')
			return -1;
		s = p + 1;
		if (!(q = plain_string_end(s, end)))
			return -1;
		m = &members[n];
		m->key = (const char *)s;
		m->key_len = (size_t)(q - s);
		m->value = &values[n];
		if (key_seen(seen, s, m->key_len)) {
			for (i = 0; i < n; i++)
				if (members[i].key_len == m->key_len &&
				    memcmp(members[i].key, s, m->key_len) == 0)
					return -1;
		}
		p = q + 1;
		if (p < end && *p == ':') {
			p++;
		} else if ((p = skip_ws(p, end)) < end && *p == ':') {
			*keys_tight = 0;
			p++;
		} else {
			return -1;
		}
		if (p < end && is_ws(*p))
			p = skip_ws(p, end);
		if (p >= end || !(p = scan_value(p, end, flags, &values[n])))
			return -1;
		n++;
		if (!(p = after_value(p, end, &last)))
			return -1;
	}
	return p == end ? (long)n : -1;
}

/* Keep the keys of a row just read as the shape. */
static void shape_keep(hx_json_shape *sh, const hx_json_member *members, size_t n)
{
	size_t j, at = 0, need = 0;
	for (j = 0; j < n; j++)
		need += (members[j].key_len + 3 + 7) / 8 * 8;
	free(sh->text);
	free(sh->off);
	free(sh->len);
	sh->text = hx_xcalloc(need ? need : 1, 1);
	sh->off = hx_xmalloc(n * sizeof(*sh->off));
	sh->len = hx_xmalloc(n * sizeof(*sh->len));
	for (j = 0; j < n; j++) {
		unsigned char *k = sh->text + at;
		sh->off[j] = at;
		sh->len[j] = members[j].key_len + 3;
		k[0] = '"';
		memcpy(k + 1, members[j].key, members[j].key_len);
		k[members[j].key_len + 1] = '"';
		k[members[j].key_len + 2] = ':';
		at += (sh->len[j] + 7) / 8 * 8;
	}
	sh->n = n;
}

/* p[0..n) == k[0..n), p with at least n bytes before end; k is padded
 * with zeros to a multiple of 8 bytes. Word by word where the input has
 * the bytes to load (a key is followed by its value, so it almost always
 * does), the last word masked to n. */
static inline int same_bytes(const unsigned char *p, const unsigned char *end,
			     const unsigned char *k, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	size_t words = (n + 7) / 8, i;
	if ((size_t)(end - p) >= words * 8) {
		uint64_t diff = 0, a, b;
		for (i = 0; i + 1 < words; i++) {
			memcpy(&a, p + 8 * i, 8);
			memcpy(&b, k + 8 * i, 8);
			diff |= a ^ b;
		}
		memcpy(&a, p + 8 * i, 8);
		memcpy(&b, k + 8 * i, 8);
		if (n % 8)
			a &= ((uint64_t)1 << (8 * (n % 8))) - 1;
		return (diff | (a ^ b)) == 0;
	}
#endif
	return memcmp(p, k, n) == 0;
}

/* The row at p read against the shape: its member count, or -1 when its
 * keys are not the shape's (or anything else is off). */
static long scan_shaped(const hx_json_shape *sh, const unsigned char *p, const unsigned char *end,
			int flags, hx_json_member *members, hx_json *values, size_t cap)
{
	size_t j;
	int last = 0;
	if (sh->n == 0 || sh->n > cap || p >= end || *p != '{')
		return -1;
	p++;
	if (p < end && is_ws(*p))
		p = skip_ws(p, end);
	for (j = 0; j < sh->n; j++) {
		const unsigned char *k = sh->text + sh->off[j];
		size_t kn = sh->len[j];
		if (last || (size_t)(end - p) < kn || !same_bytes(p, end, k, kn))
			return -1;
		members[j].key = (const char *)p + 1;
		members[j].key_len = kn - 3;
		members[j].value = &values[j];
		p += kn;
		if (p < end && is_ws(*p))
			p = skip_ws(p, end);
		if (p >= end || !(p = scan_value(p, end, flags, &values[j])) ||
		    !(p = after_value(p, end, &last)))
			return -1;
	}
	return last && p == end ? (long)sh->n : -1;
}

long hx_json_scan_flat(const char *text, size_t len, int flags, hx_json_member *members,
		       hx_json *values, size_t cap)
{
	int tight;
	const unsigned char *p = (const unsigned char *)text;
	return scan_any(p, p + len, flags, members, values, cap, &tight);
}

long hx_json_scan_flat_shape(hx_json_shape *sh, const char *text, size_t len, int flags,
			     hx_json_member *members, hx_json *values, size_t cap, int *same)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	long n;
	int tight;
	*same = 0;
	if ((n = scan_shaped(sh, p, end, flags, members, values, cap)) >= 0) {
		*same = 1;
		return n;
	}
	if ((n = scan_any(p, end, flags, members, values, cap, &tight)) < 0)
		return -1;
	if (tight && n > 0)
		shape_keep(sh, members, (size_t)n);
	else
		sh->n = 0;
	return n;
}
