/* json_internal.h - what the JSON reader's files share (json.c: the tree
 * parser; json_number.c: numbers; json_flat.c: flat rows). Not for other
 * modules: their interface is json.h.
 */
#ifndef HX_JSON_INTERNAL_H
#define HX_JSON_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "json.h"

typedef struct {
	const unsigned char *start;
	const unsigned char *p;
	const unsigned char *end;
	hx_arena *a;
	hx_json_error *err;
	size_t msp; /* members in use on a->mstack */
	size_t vsp; /* items in use on a->vstack */
	int depth;
	int lazy; /* hx_json_parse_lazy: numbers keep their text, strings
		   * without escapes point into the input */
	int nonfinite; /* HX_JSON_NONFINITE: NaN, Infinity, -Infinity */
} parser;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int hx_json_fail(parser *ps, const unsigned char *at, const char *fmt, ...);

/* Numbers at ps->p (json_number.c). hx_json_parse_number converts;
 * hx_json_parse_number_lazy checks the grammar and the range and records
 * the text (the lazy mode); hx_json_parse_nonfinite takes a
 * HX_JSON_NONFINITE token when one is there (1), else 0. */
int hx_json_parse_number(parser *ps, double *out);
int hx_json_parse_number_lazy(parser *ps, hx_json *v);
int hx_json_parse_nonfinite(parser *ps, hx_json *v);

/* A character that can continue a literal (true, NaN, ...). */
static inline int hx_json_ident_char(unsigned c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The HX_JSON_NONFINITE token at p (NaN, Infinity, -Infinity: what
 * Python's json module writes for non-finite floats) not followed by a
 * character that could continue it: its length, and in *kind 0 for NaN, 1
 * for +inf, -1 for -inf; 0 when there is none. */
static inline size_t hx_json_nonfinite_len(const unsigned char *p, const unsigned char *end,
					   int *kind)
{
	size_t left = (size_t)(end - p), n;
	const char *tok;
	if (!left)
		return 0;
	switch (*p) {
	case 'N':
		tok = "NaN", n = 3, *kind = 0;
		break;
	case 'I':
		tok = "Infinity", n = 8, *kind = 1;
		break;
	case '-':
		if (left < 2 || p[1] != 'I')
			return 0;
		tok = "-Infinity", n = 9, *kind = -1;
		break;
	default:
		return 0;
	}
	if (left < n || memcmp(p, tok, n) != 0 || (left > n && hx_json_ident_char(p[n])))
		return 0;
	return n;
}

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define HX_JSON_SSE2 1
/* The mask of the bytes of p[0..16) that are '"', '\\', < 0x20 or >= 0x80
 * (a signed compare with 0x20 catches both of the last two), and in *quotes
 * those that are '"': when the first special byte is a quote the string
 * ends there, known without loading that byte again. */
static inline unsigned hx_json_special_mask16(const unsigned char *p, unsigned *quotes)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
	__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')),
				 _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
	*quotes = (unsigned)_mm_movemask_epi8(q);
	return *quotes | (unsigned)_mm_movemask_epi8(m);
}
#endif

/* True when one of the 8 bytes of w is '"', '\\', < 0x20 or >= 0x80. */
#ifndef HX_JSON_SSE2
static inline int hx_json_word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"');
	uint64_t b = w ^ (ones * '\\');
	uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w;
	return (t & highs) != 0;
}
#endif

/* The end of the run of ASCII digits at p, 16 bytes at a time with SSE2,
 * else 8 at a time while 8 can be read: a byte b is a digit when b & 0xf0 and (b + 6) & 0xf0 are both
 * 0x30; t gets a nonzero byte for each other byte, and the lowest one is
 * where the run ends. (b + 6 may carry into the next byte, but only out of
 * a byte >= 0xfa, itself a non-digit before the bytes it disturbs.) */
static inline const unsigned char *hx_json_skip_digits(const unsigned char *p, const unsigned char *end)
{
#ifdef HX_JSON_SSE2
	/* 16 at a time: b - '0' is a digit's value, and min(b - '0', 9)
	 * equals it only for a digit */
	while (end - p >= 16) {
		__m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)p),
					 _mm_set1_epi8('0'));
		unsigned other = ~(unsigned)_mm_movemask_epi8(
				     _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)) & 0xffffu;
		if (other)
			return p + __builtin_ctz(other);
		p += 16;
	}
#endif
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t f0 = UINT64_C(0xf0f0f0f0f0f0f0f0), k30 = UINT64_C(0x3030303030303030);
	const uint64_t k7f = UINT64_C(0x7f7f7f7f7f7f7f7f);
	while (end - p >= 8) {
		uint64_t x, t;
		memcpy(&x, p, 8);
		t = ((x & f0) ^ k30) | (((x + UINT64_C(0x0606060606060606)) & f0) ^ k30);
		/* the high bit of each nonzero byte of t */
		t = (((t & k7f) + k7f) | t) & ~k7f;
		if (t)
			return p + (__builtin_ctzll(t) >> 3);
		p += 8;
	}
#endif
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}


/* The JSON number at p, in the lazy mode's terms: the end of its text,
 * and in *plain whether that text is already its RFC 8785 form (an
 * integer of up to 15 digits other than -0). NULL when the text is not a
 * number or may be out of range: only a magnitude (value < 10^mag) over
 * 308 needs the conversion to tell, and the caller converts
 * (hx_json_parse_number, which also words the errors). */
static inline const unsigned char *hx_json_scan_number(const unsigned char *p,
						       const unsigned char *end, int *plain)
{
	const unsigned char *q;
	long long mag = 0;
	long e = 0;
	int neg = 0, nonzero = 0;
	*plain = 1;
	if (*p == '-') {
		neg = 1;
		p++;
	}
#ifdef HX_JSON_SSE2
	/* The usual number, -?digits(.digits)? within 32 bytes, from one digit
	 * mask of those bytes: the integer digits are its trailing ones, the
	 * fraction's the ones after the point. Anything else (an exponent,
	 * digits running past the window) takes the byte-wise path below. */
	if (end - p >= 32) {
		const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
		__m128i d0 = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), zero);
		__m128i d1 = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)),
					  zero);
		uint64_t other =
			~((uint64_t)(unsigned)_mm_movemask_epi8(
				  _mm_cmpeq_epi8(_mm_min_epu8(d0, nine), d0)) |
			  (uint64_t)(unsigned)_mm_movemask_epi8(
				  _mm_cmpeq_epi8(_mm_min_epu8(d1, nine), d1))
				  << 16);
		unsigned i = (unsigned)__builtin_ctzll(other), f;
		if (i == 0 || (*p == '0' && i > 1))
			return NULL;
		if (i < 31) {
			q = p + i;
			if (*q == '.') {
				f = (unsigned)__builtin_ctzll(other >> (i + 1));
				if (f == 0)
					return NULL;
				q += 1 + f;
				*plain = 0;
			} else {
				*plain = i <= 15 && !(neg && *p == '0');
			}
			if (q - p < 32 && *q != 'e' && *q != 'E')
				return q;
			*plain = 1;
		}
	}
#endif
	if (p >= end || *p < '0' || *p > '9')
		return NULL;
	if (*p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9')
			return NULL;
	} else {
		q = p;
		p = hx_json_skip_digits(p, end);
		nonzero = 1;
		mag = (long long)(p - q);
		if (p - q > 15)
			*plain = 0;
	}
	if (p < end && *p == '.') {
		p++;
		*plain = 0;
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		if (!nonzero) {
			q = p;
			while (p < end && *p == '0')
				p++;
			mag = -(long long)(p - q);
			if (p < end && *p >= '1' && *p <= '9')
				nonzero = 1;
		}
		p = hx_json_skip_digits(p, end);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0;
		p++;
		*plain = 0;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= end || *p < '0' || *p > '9')
			return NULL;
		while (p < end && *p >= '0' && *p <= '9') {
			if (e >= 100000)
				return NULL;
			e = e * 10 + (*p - '0');
			p++;
		}
		mag += eneg ? -e : e;
	}
	if (nonzero && mag > 308)
		return NULL;
	if (neg && !nonzero)
		*plain = 0; /* "-0" prints as "0" */
	return p;
}

#endif
