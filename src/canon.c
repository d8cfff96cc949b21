/* canon.c - canonical form v1: strip/round profiles and RFC 8785 output.
 *
 * Hot path (hx_canon_stream): one read buffer, one arena reset per line, one
 * output buffer flushed to the sink in ~1 MiB chunks. Numbers are formatted
 * with a proven fast path (exact double arithmetic) and an exact fallback
 * through the C library's correctly rounded printf/strtod.
 */
#include "canon.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define TWO52 4503599627370496.0
#define TWO53 9007199254740992.0

static const double pow10_exact[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* -------------------------------------------------------------- profiles */

void hx_canon_profile_init(hx_canon_profile *p)
{
	memset(p, 0, sizeof(*p));
}

void hx_canon_profile_release(hx_canon_profile *p)
{
	size_t i;
	if (!p)
		return;
	free(p->name);
	for (i = 0; i < p->nstrip; i++)
		free(p->strip[i]);
	free(p->strip);
	for (i = 0; i < p->nround; i++)
		free(p->round[i].path);
	free(p->round);
	hx_canon_profile_init(p);
}

/* A path is one or more non-empty dot-separated segments. */
static int path_valid(const char *path)
{
	const char *s = path;
	if (!*s)
		return 0;
	for (;;) {
		const char *dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		if (n == 0)
			return 0;
		if (!dot)
			return 1;
		s = dot + 1;
	}
}

int hx_canon_profile_add_strip(hx_canon_profile *p, const char *path)
{
	if (!path_valid(path)) {
		hx_error_set("invalid path '%s'", path);
		return HX_EINVALID;
	}
	p->strip = hx_xrealloc(p->strip, (p->nstrip + 1) * sizeof(*p->strip));
	p->strip[p->nstrip++] = hx_xstrdup(path);
	return 0;
}

int hx_canon_profile_add_round(hx_canon_profile *p, const char *path, int decimals)
{
	if (!path_valid(path)) {
		hx_error_set("invalid path '%s'", path);
		return HX_EINVALID;
	}
	if (decimals < 0 || decimals > 15) {
		hx_error_set("invalid decimals %d for '%s' (expected 0..15)", decimals, path);
		return HX_EINVALID;
	}
	p->round = hx_xrealloc(p->round, (p->nround + 1) * sizeof(*p->round));
	p->round[p->nround].path = hx_xstrdup(path);
	p->round[p->nround].decimals = decimals;
	p->nround++;
	return 0;
}

int hx_canon_profile_add_round_spec(hx_canon_profile *p, const char *spec)
{
	const char *eq = strrchr(spec, '=');
	char *path = NULL, *end;
	long n;
	int rc;
	if (!eq || eq == spec || !eq[1]) {
		hx_error_set("invalid round rule '%s' (expected FIELD=N)", spec);
		return HX_EINVALID;
	}
	errno = 0;
	n = strtol(eq + 1, &end, 10);
	if (*end || errno || n < 0 || n > 15 || eq[1] == '-' || eq[1] == '+' || eq[1] == ' ') {
		hx_error_set("invalid round rule '%s' (expected FIELD=N with N in 0..15)", spec);
		return HX_EINVALID;
	}
	path = hx_xmalloc((size_t)(eq - spec) + 1);
	memcpy(path, spec, (size_t)(eq - spec));
	path[eq - spec] = '\0';
	rc = hx_canon_profile_add_round(p, path, (int)n);
	free(path);
	return rc;
}

int hx_canon_profile_builtin(hx_canon_profile *out, const char *name)
{
	static const char *const strip[] = {"verification_id", "timestamp", "metadata.worker"};
	static const char *const round[] = {"duration_ms", "cpu_time_ms", "memory_peak_mb",
					    "memory_final_mb"};
	size_t i;
	hx_canon_profile_init(out);
	if (strcmp(name, "none") == 0) {
		out->name = hx_xstrdup(name);
		return 0;
	}
	if (strcmp(name, "telemetry") != 0) {
		hx_error_set("unknown profile '%s' (built-in: telemetry, none)", name);
		return HX_ENOTFOUND;
	}
	out->name = hx_xstrdup(name);
	for (i = 0; i < sizeof(strip) / sizeof(strip[0]); i++)
		hx_canon_profile_add_strip(out, strip[i]);
	for (i = 0; i < sizeof(round) / sizeof(round[0]); i++)
		hx_canon_profile_add_round(out, round[i], 2);
	return 0;
}

/* ------------------------------------------------------------- apply */

/* A rule with its path split once into segments, so that applying it to
 * each record costs no string scanning. Deeper paths than CANON_MAX_SEGS
 * keep nseg == 0 and are walked from the string. */
#define CANON_MAX_SEGS 8

typedef struct {
	const char *seg[CANON_MAX_SEGS];
	size_t len[CANON_MAX_SEGS];
	int nseg;
	int decimals; /* < 0: strip */
	const char *path;
} canon_rule;

typedef struct {
	canon_rule *rules;
	size_t n;
} canon_rules;

static void rules_compile(canon_rules *r, const hx_canon_profile *p)
{
	size_t i, n = p ? p->nstrip + p->nround : 0;
	r->rules = n ? hx_xcalloc(n, sizeof(*r->rules)) : NULL;
	r->n = n;
	for (i = 0; i < n; i++) {
		canon_rule *c = &r->rules[i];
		const char *s;
		if (i < p->nstrip) {
			c->path = p->strip[i];
			c->decimals = -1;
		} else {
			c->path = p->round[i - p->nstrip].path;
			c->decimals = p->round[i - p->nstrip].decimals;
		}
		for (s = c->path;;) {
			const char *dot = strchr(s, '.');
			if (c->nseg == CANON_MAX_SEGS) {
				c->nseg = 0;
				break;
			}
			c->seg[c->nseg] = s;
			c->len[c->nseg] = dot ? (size_t)(dot - s) : strlen(s);
			c->nseg++;
			if (!dot)
				break;
			s = dot + 1;
		}
	}
}

static void rules_release(canon_rules *r)
{
	free(r->rules);
	r->rules = NULL;
	r->n = 0;
}

static inline int key_is(const hx_json_member *m, const char *seg, size_t n)
{
	return m->key_len == n && (n == 0 || (m->key[0] == seg[0] && memcmp(m->key, seg, n) == 0));
}

/* Apply rule r from segment `level` on to obj. Paths name object keys only;
 * arrays are not descended into. */
static void apply_compiled(hx_json *obj, const canon_rule *r, int level)
{
	const char *seg = r->seg[level];
	size_t n = r->len[level];
	int any = n == 1 && seg[0] == '*', last = level == r->nseg - 1;
	hx_json_member *ms = obj->u.object.members;
	size_t i, len = obj->u.object.len, kept = 0;
	for (i = 0; i < len; i++) {
		hx_json_member *m = &ms[i];
		if (any || key_is(m, seg, n)) {
			hx_json *v = m->value;
			if (!last) {
				if (v->type == HX_JSON_OBJECT)
					apply_compiled(v, r, level + 1);
			} else if (r->decimals < 0) {
				continue; /* stripped */
			} else if (v->type == HX_JSON_NUMBER) {
				v->u.number = hx_canon_round(v->u.number, r->decimals);
			}
		}
		if (kept != i)
			ms[kept] = *m;
		kept++;
	}
	obj->u.object.len = kept;
}

/* The same from the path string, for paths deeper than CANON_MAX_SEGS. */
static void apply_path(hx_json *obj, const char *seg, int decimals)
{
	const char *dot = strchr(seg, '.');
	size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
	int any = n == 1 && seg[0] == '*';
	hx_json_member *ms = obj->u.object.members;
	size_t i, len = obj->u.object.len, kept = 0;
	for (i = 0; i < len; i++) {
		hx_json_member *m = &ms[i];
		if (any || key_is(m, seg, n)) {
			hx_json *v = m->value;
			if (dot) {
				if (v->type == HX_JSON_OBJECT)
					apply_path(v, dot + 1, decimals);
			} else if (decimals < 0) {
				continue;
			} else if (v->type == HX_JSON_NUMBER) {
				v->u.number = hx_canon_round(v->u.number, decimals);
			}
		}
		if (kept != i)
			ms[kept] = *m;
		kept++;
	}
	obj->u.object.len = kept;
}

/* Strip rules first, then round rules, in profile order. */
static void rules_apply(hx_json *root, const canon_rules *r)
{
	size_t i;
	if (!root || root->type != HX_JSON_OBJECT)
		return;
	for (i = 0; i < r->n; i++) {
		const canon_rule *c = &r->rules[i];
		if (c->nseg)
			apply_compiled(root, c, 0);
		else
			apply_path(root, c->path, c->decimals);
	}
}

void hx_canon_apply(hx_json *root, const hx_canon_profile *p)
{
	canon_rules r;
	if (!p || !root || root->type != HX_JSON_OBJECT)
		return;
	rules_compile(&r, p);
	rules_apply(root, &r);
	rules_release(&r);
}

/* ------------------------------------------------------------- rounding */

/* Python's algorithm, literally: correctly rounded "%.nf" (glibc rounds the
 * exact binary value, ties to even, like _Py_dg_dtoa mode 3), then strtod. */
double hx_canon_round_ref(double x, int n)
{
	char buf[400];
	if (!isfinite(x) || x == 0)
		return x;
	snprintf(buf, sizeof(buf), "%.*f", n, x);
	return strtod(buf, NULL);
}

/* The integer nearest to the exact product x*P (x >= 0, P a power of ten),
 * ties to even, given t = RN(x*P) < 2^52. Every half-integer below 2^52 is a
 * double and rounding is monotone, so RN never carries the product across a
 * half-integer, only onto one; when t is exactly k + 0.5 the side depends on
 * the rounding error, which fma gives exactly (no underflow here). */
static double nearest_even_of_product(double x, double P, double t)
{
	double fl = floor(t), fr = t - fl, e;
	if (fr > 0.5)
		return fl + 1;
	if (fr < 0.5)
		return fl;
	e = fma(x, P, -t);
	if (e > 0)
		return fl + 1;
	if (e < 0)
		return fl;
	return fmod(fl, 2.0) == 0 ? fl : fl + 1;
}

double hx_canon_round(double x, int n)
{
	double ax, P, t, m;
	if (!isfinite(x) || x == 0)
		return x;
	ax = fabs(x);
	if (ax >= TWO52)
		return x; /* already integral */
	if (n < 0 || n > 15)
		return hx_canon_round_ref(x, n);
	P = pow10_exact[n];
	t = ax * P;
	if (t >= TWO52 || ax < 1e-300)
		return hx_canon_round_ref(x, n);
	m = nearest_even_of_product(ax, P, t);
	/* m and P are exact, so the IEEE quotient is the double nearest to the
	 * decimal m * 10^-n, which is what strtod of Python's digits yields. */
	return copysign(m / P, x);
}

/* ------------------------------------------------------------- numbers */

/* Decimal digits of v (v > 0) into out, no NUL; returns the count. */
static int u64_digits(char *out, uint64_t v)
{
	char tmp[24];
	int n = 0, i;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* The round trip test: does the decimal s * 10^e read back as x? */
static int roundtrips(uint64_t s, int e, double x)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%llue%d", (unsigned long long)s, e);
	return strtod(buf, NULL) == x;
}

/* Exact shortest digits of x > 0 by the C library: for p = p0..17 take the
 * correctly rounded p-digit decimal; if it fails, the only other p-digit
 * candidate that can round-trip is its neighbour on the other side of x (the
 * rounding interval is asymmetric at powers of two). Yields x = s * 10^e
 * with s free of trailing zeros. */
static void shortest_slow(double x, int p0, uint64_t *s_out, int *e_out)
{
	char buf[64];
	int p;
	if (p0 <= 15 && x >= 2.2250738585072014e-308) {
		/* For normal doubles every decimal of up to 15 significant digits
		 * survives decimal -> double -> "%.14e" (DBL_DIG), so if any such
		 * decimal reads back as x, the 15-digit rounding of x is that very
		 * decimal (padded with zeros), and it is the only one. One try
		 * settles all of p = 1..15. */
		p0 = 15;
	}
	for (p = p0; p <= 17; p++) {
		uint64_t s = 0, s2;
		int e, i;
		char *q;
		double y;
		snprintf(buf, sizeof(buf), "%.*e", p - 1, x);
		for (q = buf; *q != 'e'; q++)
			if (*q >= '0' && *q <= '9')
				s = s * 10 + (uint64_t)(*q - '0');
		e = atoi(q + 1) - (p - 1);
		/* 17 significant digits always round-trip (and the correctly
		 * rounded decimal is the closest), so no read-back is needed */
		if (p == 17)
			goto found_s;
		y = strtod(buf, NULL);
		if (y == x)
			goto found_s;
		if (p == 15 && p0 == 15)
			continue; /* see above: no other 15-digit candidate exists */
		if (p == 17)
			break; /* unreachable: the 17-digit rounding always reads back */
		s2 = y < x ? s + 1 : s - 1;
		if (s2 > 0 && roundtrips(s2, e, x)) {
			s = s2;
			goto found_s;
		}
		continue;
	found_s:
		for (i = 0; s % 10 == 0 && i < 20; i++) {
			s /= 10;
			e++;
		}
		*s_out = s;
		*e_out = e;
		return;
	}
	/* unreachable: 17 digits always round-trip */
	*s_out = 0;
	*e_out = 0;
}

/* Shortest digits of a finite x > 0 (ES Number::toString step 5): x =
 * s * 10^e, s without trailing zeros, fewest digits, closest to x. */
static void shortest(double x, uint64_t *s_out, int *e_out)
{
	int d;
	if (x < TWO53 && x == floor(x)) {
		uint64_t s = (uint64_t)x;
		int e = 0;
		while (s % 10 == 0) {
			s /= 10;
			e++;
		}
		*s_out = s;
		*e_out = e;
		return;
	}
	/* Fast path: for d = 1, 2, ... take m, the integer nearest to the exact
	 * x*10^d (found as in hx_canon_round), and accept m * 10^-d when the
	 * correctly rounded quotient m / 10^d is x itself: m and 10^d are exact
	 * doubles, so that proves the decimal reads back as x. The first d that
	 * works gives the fewest significant digits; at that d, m is the closest
	 * candidate, or, if m fails, its neighbour across x is the only other
	 * one that can round-trip. Candidates need m < 2^53 and d <= 22. */
	int covered16 = 0; /* every 16-digit candidate was tried */
	for (d = 1; d <= 22; d++) {
		double P = pow10_exact[d], t = x * P, m, alt;
		int below;
		if (t >= TWO53)
			break;
		/* m (and alt) < 2^53 at the scale where candidates have 16 digits */
		if (t >= 1e15 && t < TWO53 - 2)
			covered16 = 1;
		/* at or above 2^52, RN to an integer already picked the nearest */
		m = t >= TWO52 ? t : nearest_even_of_product(x, P, t);
		if (m >= 1 && m / P == x) {
			*s_out = (uint64_t)m;
			*e_out = -d;
			goto strip;
		}
		/* Which side of x is m*10^-d? m is an integer, so comparing it with
		 * t decides unless m == t, where the fma error does. */
		if (m < t)
			below = 1;
		else if (m > t)
			below = 0;
		else
			below = fma(x, P, -t) > 0;
		alt = below ? m + 1 : m - 1;
		if (alt >= 1 && alt < TWO53 && alt / P == x) {
			*s_out = (uint64_t)alt;
			*e_out = -d;
			goto strip;
		}
	}
	/* Between 1e-6 and 2^53 the fast path covered every candidate of up to
	 * 15 digits (m < 10^15 < 2^53, d <= 20), so the answer has 16 or 17. */
	shortest_slow(x, covered16 ? 17 : (x >= 1e-6 && x < TWO53) ? 16 : 1, s_out, e_out);
	return;
strip:
	while (*s_out % 10 == 0) {
		*s_out /= 10;
		(*e_out)++;
	}
}

/* ES2019 7.1.12.1 step 6-10: lay out digits s (k of them) with exponent n,
 * where the value is 0.s * 10^n. */
static size_t layout(char *out, int neg, uint64_t s, int e)
{
	char dig[24];
	char *o = out;
	int k = u64_digits(dig, s), n = k + e, i;
	if (neg)
		*o++ = '-';
	if (k <= n && n <= 21) {
		memcpy(o, dig, (size_t)k);
		o += k;
		for (i = k; i < n; i++)
			*o++ = '0';
	} else if (0 < n && n <= 21) {
		memcpy(o, dig, (size_t)n);
		o += n;
		*o++ = '.';
		memcpy(o, dig + n, (size_t)(k - n));
		o += k - n;
	} else if (-6 < n && n <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (i = 0; i < -n; i++)
			*o++ = '0';
		memcpy(o, dig, (size_t)k);
		o += k;
	} else {
		int x = n - 1;
		*o++ = dig[0];
		if (k > 1) {
			*o++ = '.';
			memcpy(o, dig + 1, (size_t)(k - 1));
			o += k - 1;
		}
		*o++ = 'e';
		*o++ = x < 0 ? '-' : '+';
		o += u64_digits(o, (uint64_t)(x < 0 ? -x : x));
	}
	*o = '\0';
	return (size_t)(o - out);
}

size_t hx_canon_format_number(char out[32], double v)
{
	uint64_t s;
	int e;
	double ax;
	if (v == 0 || !isfinite(v)) {
		/* JSON cannot carry NaN or infinities; print 0 rather than junk. */
		out[0] = '0';
		out[1] = '\0';
		return 1;
	}
	ax = fabs(v);
	if (ax < TWO53 && ax == (double)(int64_t)ax) {
		char *o = out;
		if (v < 0)
			*o++ = '-';
		o += u64_digits(o, (uint64_t)ax);
		*o = '\0';
		return (size_t)(o - out);
	}
	shortest(ax, &s, &e);
	return layout(out, v < 0, s, e);
}

size_t hx_canon_format_number_ref(char out[32], double v)
{
	uint64_t s;
	int e;
	if (v == 0 || !isfinite(v)) {
		out[0] = '0';
		out[1] = '\0';
		return 1;
	}
	shortest_slow(fabs(v), 1, &s, &e);
	return layout(out, v < 0, s, e);
}

/* ------------------------------------------------------------- serializer */

static inline char *reserve(hx_buf *out, size_t n)
{
	if (out->cap - out->len < n + 1)
		hx_buf_grow(out, n);
	return out->ptr + out->len;
}

/* Bytes that JCS escapes: '"', '\\' and U+0000..U+001F. */
static inline int byte_needs_escape(unsigned c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

static inline int word_needs_escape(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t q = w ^ (ones * '"');
	uint64_t b = w ^ (ones * '\\');
	uint64_t t = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
	return (t & highs) != 0;
}

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define HX_CANON_SSE2 1
/* Bit i set when p[i] (0 <= i < 16) needs escaping; x < 0x20 unsigned is
 * min(x, 0x1f) == x. */
static inline unsigned escape16(const unsigned char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
	__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
					      _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
				 ctl);
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* The first byte of s[0..end) that needs escaping, or end. begin is the
 * start of the string: short tails are tested with windows that overlap
 * the bytes before s, which must all be plain (s == begin, or known clean
 * for the 16-byte window, whose mask drops them). */
static inline const unsigned char *first_escape(const unsigned char *begin,
						const unsigned char *s,
						const unsigned char *end)
{
	uint64_t w;
#ifdef HX_CANON_SSE2
	while (end - s >= 16) {
		unsigned m = escape16(s);
		if (m)
			return s + __builtin_ctz(m);
		s += 16;
	}
	if (s == end)
		return end;
	if (end - begin >= 16) {
		unsigned m = escape16(end - 16) >> (16 - (end - s));
		return m ? s + __builtin_ctz(m) : end;
	}
#else
	while (end - s >= 8) {
		memcpy(&w, s, 8);
		if (word_needs_escape(w))
			break;
		s += 8;
	}
#endif
	if (s == begin && end - s >= 8 && end - s < 16) {
		uint64_t w2;
		memcpy(&w, s, 8);
		memcpy(&w2, end - 8, 8);
		if (!word_needs_escape(w) && !word_needs_escape(w2))
			return end;
	}
	while (s < end && !byte_needs_escape(*s))
		s++;
	return s;
}

void hx_canon_write_string(hx_buf *out, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *begin = (const unsigned char *)str, *end = begin + len;
	const unsigned char *s = first_escape(begin, begin, end), *run = begin;
	char *o = reserve(out, len + 2);
	if (s == end) {
		/* the common case: nothing to escape */
		o[0] = '"';
		memcpy(o + 1, str, len);
		o[len + 1] = '"';
		o[len + 2] = '\0';
		out->len += len + 2;
		return;
	}
	*o = '"';
	out->len++;
	while (s < end) {
		unsigned char c = *s;
		/* flush the run of plain bytes, then the escape */
		o = reserve(out, (size_t)(s - run) + 6 + (size_t)(end - s) + 1);
		memcpy(o, run, (size_t)(s - run));
		o += s - run;
		*o++ = '\\';
		switch (c) {
		case '"':
			*o++ = '"';
			break;
		case '\\':
			*o++ = '\\';
			break;
		case '\b':
			*o++ = 'b';
			break;
		case '\t':
			*o++ = 't';
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\f':
			*o++ = 'f';
			break;
		case '\r':
			*o++ = 'r';
			break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
		out->len = (size_t)(o - out->ptr);
		run = ++s;
		s = first_escape(begin, s, end);
	}
	o = reserve(out, (size_t)(end - run) + 1);
	memcpy(o, run, (size_t)(end - run));
	o += end - run;
	*o++ = '"';
	*o = '\0';
	out->len = (size_t)(o - out->ptr);
}

/* Order of keys by UTF-16 code units. UTF-8 byte order is code point order,
 * which agrees with UTF-16 order except between a supplementary character
 * (lead byte F0..F4, surrogates D800..DBFF in UTF-16) and U+E000..U+FFFF
 * (lead byte EE or EF): UTF-16 puts the supplementary one first. */
static int key_cmp(const hx_json_member *x, const hx_json_member *y)
{
	const unsigned char *a = (const unsigned char *)x->key, *b = (const unsigned char *)y->key;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len, i = 0;
	unsigned ca, cb;
	while (i + 8 <= n) {
		uint64_t wa, wb;
		memcpy(&wa, a + i, 8);
		memcpy(&wb, b + i, 8);
		if (wa != wb)
			break;
		i += 8;
	}
	while (i < n && a[i] == b[i])
		i++;
	if (i == n)
		return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
	ca = a[i];
	cb = b[i];
	/* bytes >= 0xEE are lead bytes, so both characters start at i */
	if (ca >= 0xee && cb >= 0xee && (ca >= 0xf0) != (cb >= 0xf0))
		return ca >= 0xf0 ? -1 : 1;
	return ca < cb ? -1 : 1;
}

static void serialize(hx_buf *out, const hx_json *v);

/* A member with the first 8 bytes of its key, big-endian and zero-padded,
 * so that most comparisons are one integer compare. */
typedef struct {
	uint64_t prefix;
	const hx_json_member *m;
} sort_item;

/* First 8 bytes of a key, big-endian, zero-padded, with the lead bytes
 * remapped so that integer order is UTF-16 order: F0..F4 (supplementary)
 * move below EE/EF (U+E000..U+FFFF), everything else keeps its order, and
 * no other byte value >= 0xEE occurs in valid UTF-8. */
static inline uint64_t be_prefix(const char *k, size_t n)
{
	uint64_t w = 0;
	size_t i, lim = n < 8 ? n : 8;
	for (i = 0; i < lim; i++) {
		unsigned c = (unsigned char)k[i];
		if (c >= 0xee)
			c = c >= 0xf0 && c <= 0xf4 ? c - 2 : c == 0xee ? 0xf3 : c == 0xef ? 0xf4 : c;
		w |= (uint64_t)c << (56 - 8 * i);
	}
	return w;
}

static inline int item_cmp(const sort_item *x, const sort_item *y)
{
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return key_cmp(x->m, y->m);
}

static int item_cmp_q(const void *x, const void *y)
{
	return item_cmp(x, y);
}

static void serialize_object(hx_buf *out, const hx_json *v)
{
	sort_item small[32], *ms = small;
	size_t n = v->u.object.len, i, j;
	if (n > 32)
		ms = hx_xmalloc(n * sizeof(*ms));
	for (i = 0; i < n; i++) {
		const hx_json_member *m = &v->u.object.members[i];
		ms[i].prefix = be_prefix(m->key, m->key_len);
		ms[i].m = m;
	}
	if (n <= 32) {
		for (i = 1; i < n; i++) {
			sort_item it = ms[i];
			for (j = i; j > 0 && item_cmp(&ms[j - 1], &it) > 0; j--)
				ms[j] = ms[j - 1];
			ms[j] = it;
		}
	} else {
		qsort(ms, n, sizeof(*ms), item_cmp_q);
	}
	*reserve(out, 1) = '{';
	out->len++;
	for (i = 0; i < n; i++) {
		const hx_json_member *m = ms[i].m;
		if (i) {
			*reserve(out, 1) = ',';
			out->len++;
		}
		hx_canon_write_string(out, m->key, m->key_len);
		*reserve(out, 1) = ':';
		out->len++;
		serialize(out, m->value);
	}
	*reserve(out, 1) = '}';
	out->len++;
	if (ms != small)
		free(ms);
}

static void serialize(hx_buf *out, const hx_json *v)
{
	char *o;
	size_t i;
	switch (v->type) {
	case HX_JSON_NULL:
		memcpy(reserve(out, 4), "null", 4);
		out->len += 4;
		break;
	case HX_JSON_TRUE:
		memcpy(reserve(out, 4), "true", 4);
		out->len += 4;
		break;
	case HX_JSON_FALSE:
		memcpy(reserve(out, 5), "false", 5);
		out->len += 5;
		break;
	case HX_JSON_NUMBER:
		o = reserve(out, 32);
		out->len += hx_canon_format_number(o, v->u.number);
		break;
	case HX_JSON_STRING:
		if (v->u.string.plain) {
			o = reserve(out, v->u.string.len + 2);
			o[0] = '"';
			memcpy(o + 1, v->u.string.ptr, v->u.string.len);
			o[v->u.string.len + 1] = '"';
			o[v->u.string.len + 2] = '\0';
			out->len += v->u.string.len + 2;
		} else {
			hx_canon_write_string(out, v->u.string.ptr, v->u.string.len);
		}
		break;
	case HX_JSON_ARRAY:
		*reserve(out, 1) = '[';
		out->len++;
		for (i = 0; i < v->u.array.len; i++) {
			if (i) {
				*reserve(out, 1) = ',';
				out->len++;
			}
			serialize(out, v->u.array.items[i]);
		}
		*reserve(out, 1) = ']';
		out->len++;
		break;
	case HX_JSON_OBJECT:
		serialize_object(out, v);
		break;
	}
}

void hx_canon_serialize(hx_buf *out, const hx_json *v)
{
	serialize(out, v);
	reserve(out, 0)[0] = '\0';
}

/* ------------------------------------------------------------- lines */

static int canon_line(hx_buf *out, hx_arena *arena, const char *line, size_t len,
		      const canon_rules *r, const char *file, size_t lineno)
{
	hx_json *root;
	hx_json_error err;
	hx_arena_reset(arena);
	if (hx_json_parse(&root, arena, line, len, &err) < 0) {
		hx_error_set("%s:%zu:%zu: %s", file, lineno + err.line - 1, err.column, err.msg);
		return HX_EINVALID;
	}
	if (r->n)
		rules_apply(root, r);
	serialize(out, root);
	*reserve(out, 1) = '\n';
	out->len++;
	out->ptr[out->len] = '\0';
	return 0;
}

int hx_canon_line(hx_buf *out, hx_arena *arena, const char *line, size_t len,
		  const hx_canon_profile *p, const char *file, size_t lineno)
{
	canon_rules r;
	int rc;
	rules_compile(&r, p);
	rc = canon_line(out, arena, line, len, &r, file, lineno);
	rules_release(&r);
	return rc;
}

static int blank(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

#define CANON_READ_CHUNK ((size_t)1 << 20)
#define CANON_FLUSH_AT ((size_t)1 << 20)

int hx_canon_stream(FILE *fp, const char *file, const hx_canon_profile *p,
		    hx_canon_sink sink, void *ctx, size_t *records_out)
{
	char *buf = NULL;
	size_t cap = CANON_READ_CHUNK, pos = 0, fill = 0, lineno = 0, records = 0;
	hx_buf out = HX_BUF_INIT;
	hx_arena *arena = NULL;
	int eof = 0, rc = 0;
	canon_rules rules;
	rules_compile(&rules, p);
	buf = hx_xmalloc(cap);
	arena = hx_arena_new();
	hx_buf_grow(&out, CANON_FLUSH_AT + 64 * 1024);
	for (;;) {
		char *nl = memchr(buf + pos, '\n', fill - pos);
		size_t end;
		if (!nl) {
			if (eof) {
				if (pos == fill)
					break;
				end = fill; /* last line without '\n' */
			} else {
				size_t got;
				/* keep the partial line, make room, read more */
				if (pos > 0) {
					memmove(buf, buf + pos, fill - pos);
					fill -= pos;
					pos = 0;
				}
				if (fill == cap) {
					cap *= 2;
					buf = hx_xrealloc(buf, cap);
				}
				got = fread(buf + fill, 1, cap - fill, fp);
				if (got == 0) {
					if (ferror(fp)) {
						hx_error_set_errno(errno, "cannot read '%s'", file);
						rc = HX_ESYSTEM;
						goto done;
					}
					eof = 1;
				}
				fill += got;
				continue;
			}
		} else {
			end = (size_t)(nl - buf);
		}
		lineno++;
		if (!blank(buf + pos, end - pos)) {
			rc = canon_line(&out, arena, buf + pos, end - pos, &rules, file, lineno);
			if (rc < 0)
				goto done;
			records++;
			if (out.len >= CANON_FLUSH_AT) {
				if ((rc = sink(ctx, out.ptr, out.len)) < 0)
					goto done;
				out.len = 0;
			}
		}
		pos = end < fill ? end + 1 : fill;
	}
	if (out.len && (rc = sink(ctx, out.ptr, out.len)) < 0)
		goto done;
	if (records_out)
		*records_out = records;
done:
	rules_release(&rules);
	free(buf);
	hx_arena_free(arena);
	hx_buf_release(&out);
	return rc;
}
