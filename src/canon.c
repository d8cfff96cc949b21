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

int hx_canon_profile_is_builtin(const char *name)
{
	return strcmp(name, "telemetry") == 0 || strcmp(name, "telemetry-real") == 0 ||
	       strcmp(name, "none") == 0;
}

int hx_canon_profile_builtin(hx_canon_profile *out, const char *name)
{
	static const char *const strip[] = {"verification_id", "timestamp", "metadata.worker"};
	static const char *const round[] = {"duration_ms", "cpu_time_ms", "memory_peak_mb",
					    "memory_final_mb"};
	/* What a real process does not reproduce between identical runs: its
	 * timings and memory, its output's tails (temporary paths, timings)
	 * and their sizes, the machine's binary path and hash, and the same
	 * volatile fields in the engine's own telemetry (the seeds'
	 * LeanVerificationTelemetry names). */
	static const char *const real_strip[] = {
		"verification_id",
		"timestamp",
		"duration_ms",
		"cpu_time_ms",
		"memory_peak_mb",
		"memory_final_mb",
		"stdout_tail",
		"stderr_tail",
		"metadata.worker",
		"metadata.engine_path",
		"metadata.engine_hash",
		"metadata.stdout_dropped",
		"metadata.stderr_dropped",
		"engine_telemetry.verification_id",
		"engine_telemetry.timestamp",
		"engine_telemetry.duration_ms",
		"engine_telemetry.cpu_time_ms",
		"engine_telemetry.memory_peak_mb",
		"engine_telemetry.memory_final_mb",
	};
	size_t i;
	hx_canon_profile_init(out);
	if (strcmp(name, "none") == 0) {
		out->name = hx_xstrdup(name);
		return 0;
	}
	if (strcmp(name, "telemetry-real") == 0) {
		out->name = hx_xstrdup(name);
		for (i = 0; i < sizeof(real_strip) / sizeof(real_strip[0]); i++)
			hx_canon_profile_add_strip(out, real_strip[i]);
		return 0;
	}
	if (strcmp(name, "telemetry") != 0) {
		hx_error_set("unknown profile '%s' (built-in: telemetry, telemetry-real, none)", name);
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
	/* One pass at the root (rules_apply), for up to 64 rules with every
	 * path compiled: bit j of bucket[root_hash(key)] | any is set for each
	 * rule j whose first segment may match the key ("*" is in any). */
	int onepass;
	uint64_t any;
	uint64_t bucket[64];
} canon_rules;

/* A 6-bit hash of a key from its length and its first and last bytes. */
static inline unsigned root_hash(const char *k, size_t n)
{
	uint32_t x = (uint32_t)(n & 0xff);
	if (n)
		x |= (uint32_t)(unsigned char)k[0] << 8 | (uint32_t)(unsigned char)k[n - 1] << 16;
	return (unsigned)((x * UINT32_C(0x9e3779b1)) >> 26);
}

static void rules_compile(canon_rules *r, const hx_canon_profile *p)
{
	size_t i, n = p ? p->nstrip + p->nround : 0;
	r->rules = n ? hx_xcalloc(n, sizeof(*r->rules)) : NULL;
	r->n = n;
	r->onepass = n <= 64;
	r->any = 0;
	memset(r->bucket, 0, sizeof(r->bucket));
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
		if (!c->nseg)
			r->onepass = 0;
		else if (i >= 64)
			;
		else if (c->len[0] == 1 && c->seg[0][0] == '*')
			r->any |= (uint64_t)1 << i;
		else
			r->bucket[root_hash(c->seg[0], c->len[0])] |= (uint64_t)1 << i;
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

static size_t round_text(char out[32], const char *t, size_t len, int decimals);

/* Round the number v to `decimals`. lazy is NULL for a tree of converted
 * numbers; for a tree from hx_json_parse_lazy it is the arena that gets the
 * rounded number's canonical text. */
static void round_value(hx_json *v, int decimals, hx_arena *lazy)
{
	char *o;
	if (!lazy) {
		v->u.number = hx_canon_round(v->u.number, decimals);
		return;
	}
	o = hx_arena_alloc(lazy, 32);
	v->u.lazy.len = round_text(o, v->u.lazy.text, v->u.lazy.len, decimals);
	v->u.lazy.text = o;
	v->u.lazy.plain = 1;
}

/* Apply rule r from segment `level` on to obj. Paths name object keys only;
 * arrays are not descended into. */
static void apply_compiled(hx_json *obj, const canon_rule *r, int level, hx_arena *lazy)
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
					apply_compiled(v, r, level + 1, lazy);
			} else if (r->decimals < 0) {
				continue; /* stripped */
			} else if (v->type == HX_JSON_NUMBER) {
				round_value(v, r->decimals, lazy);
			}
		}
		if (kept != i)
			ms[kept] = *m;
		kept++;
	}
	obj->u.object.len = kept;
}

/* The same from the path string, for paths deeper than CANON_MAX_SEGS. */
static void apply_path(hx_json *obj, const char *seg, int decimals, hx_arena *lazy)
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
					apply_path(v, dot + 1, decimals, lazy);
			} else if (decimals < 0) {
				continue;
			} else if (v->type == HX_JSON_NUMBER) {
				round_value(v, decimals, lazy);
			}
		}
		if (kept != i)
			ms[kept] = *m;
		kept++;
	}
	obj->u.object.len = kept;
}

/* Strip rules first, then round rules, in profile order. Rules act on the
 * members they match independently of the other members, so applying all
 * of them to one member before the next (in rule order, stopping at a
 * strip) is the same as applying them one after the other to the whole
 * object; the one pass saves walking the root once per rule. */
static void rules_apply(hx_json *root, const canon_rules *r, hx_arena *lazy)
{
	hx_json_member *ms;
	size_t i, j, len, kept = 0;
	if (!root || root->type != HX_JSON_OBJECT)
		return;
	if (!r->onepass) {
		for (i = 0; i < r->n; i++) {
			const canon_rule *c = &r->rules[i];
			if (c->nseg)
				apply_compiled(root, c, 0, lazy);
			else
				apply_path(root, c->path, c->decimals, lazy);
		}
		return;
	}
	ms = root->u.object.members;
	len = root->u.object.len;
	for (i = 0; i < len; i++) {
		hx_json_member *m = &ms[i];
		uint64_t cand = r->any | r->bucket[root_hash(m->key, m->key_len)];
		int stripped = 0;
		/* the candidates in rule order */
		for (; cand; cand &= cand - 1) {
			const canon_rule *c;
			hx_json *v = m->value;
#if defined(__GNUC__)
			j = (size_t)__builtin_ctzll(cand);
#else
			for (j = 0; !(cand >> j & 1); j++)
				;
#endif
			c = &r->rules[j];
			if (!(c->len[0] == 1 && c->seg[0][0] == '*') && !key_is(m, c->seg[0], c->len[0]))
				continue;
			if (c->nseg > 1) {
				if (v->type == HX_JSON_OBJECT)
					apply_compiled(v, c, 1, lazy);
			} else if (c->decimals < 0) {
				stripped = 1;
				break;
			} else if (v->type == HX_JSON_NUMBER) {
				round_value(v, c->decimals, lazy);
			}
		}
		if (stripped)
			continue;
		if (kept != i)
			ms[kept] = *m;
		kept++;
	}
	root->u.object.len = kept;
}

void hx_canon_apply(hx_json *root, const hx_canon_profile *p)
{
	canon_rules r;
	if (!p || !root || root->type != HX_JSON_OBJECT)
		return;
	rules_compile(&r, p);
	rules_apply(root, &r, NULL);
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

/* Number of decimal digits of v (1 for 0). */
static inline int u64_ndigits(uint64_t v)
{
	int n = 1;
	uint64_t p = 10;
	while (n < 20 && v >= p) {
		n++;
		p *= 10;
	}
	return n;
}

/* The k decimal digits of v into out[0..k), written from the right. */
static inline void put_digits(char *out, uint64_t v, int k)
{
	while (k > 0) {
		out[--k] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Decimal digits of v into out, no NUL; returns the count. */
static int u64_digits(char *out, uint64_t v)
{
	int n = u64_ndigits(v);
	put_digits(out, v, n);
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
	char *o = out;
	int k = u64_ndigits(s), n = k + e, i;
	if (neg)
		*o++ = '-';
	if (k <= n && n <= 21) {
		put_digits(o, s, k);
		o += k;
		for (i = k; i < n; i++)
			*o++ = '0';
	} else if (0 < n && n <= 21) {
		/* the digits from the right, with the point after n of them */
		char *q = o + k + 1;
		for (i = k - n; i > 0; i--) {
			*--q = (char)('0' + s % 10);
			s /= 10;
		}
		*--q = '.';
		put_digits(o, s, n);
		o += k + 1;
	} else if (-6 < n && n <= 0) {
		*o++ = '0';
		*o++ = '.';
		for (i = 0; i < -n; i++)
			*o++ = '0';
		put_digits(o, s, k);
		o += k;
	} else {
		char dig[24];
		int x = n - 1;
		put_digits(dig, s, k);
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

#define ROUND_MAX_M (UINT64_C(1) << 40)

/* True when the 8 bytes at p are all ASCII digits. */
static inline int eight_digits(const unsigned char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return ((x & UINT64_C(0xf0f0f0f0f0f0f0f0)) |
		(((x + UINT64_C(0x0606060606060606)) & UINT64_C(0xf0f0f0f0f0f0f0f0)) >> 4)) ==
	       UINT64_C(0x3333333333333333);
}

/* Python round(x, n) written in canonical form, where x is the double of
 * the decimal D in t[0..len) (a valid JSON number), decided from D's digits
 * without converting it; returns the length, or 0 when D is too close to a
 * rounding tie (or too large) to decide that way.
 *
 * Why it is exact: round(x, n) is m / 10^n with m the integer nearest to
 * x * 10^n (ties to even). Write D * 10^n = q + f (q an integer, 0 <= f < 1,
 * read off D's digits around the position n places right of the point).
 * x = RN(D) is within 2^-53 |x| of D, so when q < 2^40, x * 10^n is within
 * 2^-12 of q + f; if f is farther than that from 1/2, x * 10^n has the same
 * nearest integer, q or q + 1. Five digits of f settle that: f >= 0.50025
 * or f < 0.49975 (f5 <= 49974) leave a margin > 2^-12 whatever follows.
 * And m <= 2^40 has at most 13 digits: the double m / 10^n then has no
 * shorter representation than the decimal m * 10^-n itself (two decimals of
 * 15 or fewer digits never read back as the same double), so its ES form is
 * that decimal, laid out like any other. */
static size_t round_text_fast(char out[32], const char *t, size_t len, int n)
{
	const unsigned char *p = (const unsigned char *)t, *end = p + len, *ip, *fp;
	uint64_t q = 0, f5 = 0, m;
	long e = 0, I, L, R, j;
	int neg = 0, nd;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	ip = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	I = (long)(p - ip);
	fp = p;
	L = I;
	if (p < end && *p == '.') {
		fp = ++p;
		while (end - p >= 8 && eight_digits(p))
			p += 8;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		L = I + (long)(p - fp);
	}
	if (p < end) {
		/* the exponent (the grammar is already checked) */
		long x = 0;
		int eneg = 0;
		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		while (p < end) {
			if (x > 1000)
				return 0;
			x = x * 10 + (*p++ - '0');
		}
		e = eneg ? -x : x;
	}
	/* digit j of the significand (ip then fp) sits at 10^(R - 1 - j) in
	 * D * 10^n; outside 0..L-1 it is 0 */
	R = I + e + n;
	if (R > 19)
		return 0;
	if (e == 0 && L - I >= n + 5) {
		/* the usual case, without the bounds tests below: q is the
		 * integer part and n fraction digits, f5 the 5 after them */
		for (j = 0; j < I; j++)
			q = q * 10 + (uint64_t)(ip[j] - '0');
		for (j = 0; j < n; j++)
			q = q * 10 + (uint64_t)(fp[j] - '0');
		for (; j < n + 5; j++)
			f5 = f5 * 10 + (uint64_t)(fp[j] - '0');
		goto decide;
	}
	for (j = R < 0 ? R : 0; j < R + 5; j++) {
		unsigned d = 0;
		if (j >= 0 && j < L)
			d = (unsigned)((j < I ? ip[j] : fp[j - I]) - '0');
		if (j < R)
			q = q * 10 + d;
		else
			f5 = f5 * 10 + d;
	}
decide:
	if (q >= ROUND_MAX_M)
		return 0;
	if (f5 >= 50025)
		m = q + 1;
	else if (f5 <= 49974)
		m = q;
	else
		return 0; /* too close to the tie: x's side is unknown */
	if (m == 0) {
		out[0] = '0'; /* -0 too */
		out[1] = '\0';
		return 1;
	}
	nd = n;
	while (nd > 0 && m % 10 == 0) {
		m /= 10;
		nd--;
	}
	return layout(out, neg, m, -nd);
}

/* Python round(x, n) in canonical form for the number text t (a valid JSON
 * number): the digits decide when they can, else x itself is rounded. */
static size_t round_text(char out[32], const char *t, size_t len, int n)
{
	size_t r = round_text_fast(out, t, len, n);
	if (r)
		return r;
	return hx_canon_format_number(out, hx_canon_round(hx_json_number_value(t, len), n));
}

/* ------------------------------------------------------------- serializer */

static inline char *reserve(hx_buf *out, size_t n)
{
	if (out->cap - out->len < n + 1)
		hx_buf_grow(out, n);
	return out->ptr + out->len;
}

/* memcpy for the short runs a record is made of (keys, values): moves of
 * whole words that may overlap each other, never touching a byte outside
 * s[0..n) or d[0..n), and no call into the C library. */
static inline void copy_short(char *d, const char *s, size_t n)
{
	uint64_t a, b, c, e;
	uint32_t x, y;
	if (n > 32) {
		memcpy(d, s, n);
	} else if (n >= 16) {
		memcpy(&a, s, 8);
		memcpy(&b, s + 8, 8);
		memcpy(&c, s + n - 16, 8);
		memcpy(&e, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + 8, &b, 8);
		memcpy(d + n - 16, &c, 8);
		memcpy(d + n - 8, &e, 8);
	} else if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n) {
		char s0 = s[0], s1 = s[n / 2], s2 = s[n - 1];
		d[0] = s0;
		d[n / 2] = s1;
		d[n - 1] = s2;
	}
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

/* The key order last used for an object of the same depth, size and first
 * key (a slot of a small direct-mapped table): JSONL records tend to repeat
 * their shape, and checking that the old order still sorts the keys (n - 1
 * compares) is cheaper than sorting again. The check is a full proof (keys
 * are distinct), so any cache content is safe. */
#define SORT_CACHE_SLOTS 64
#define SORT_SMALL 32

typedef struct {
	size_t n; /* 0: empty */
	unsigned char perm[SORT_SMALL];
} sort_cache;

/* How to write a tree: plain (u.number trees) or lazy (the tree came from
 * hx_json_parse_lazy of the bytes [lo, hi): numbers carry their text, and a
 * key that points into those bytes was borrowed because it had no escape,
 * so it has no byte that needs one either). */
typedef struct {
	hx_buf *out;
	int lazy;
	uintptr_t lo, hi;
	int depth;
	sort_cache *cache; /* SORT_CACHE_SLOTS entries, or NULL */
} writer;

static void serialize(writer *w, const hx_json *v);
static inline void write_scalar(writer *w, const hx_json *v);

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

static inline int key_borrowed(const writer *w, const char *k)
{
	return w->lazy && (uintptr_t)k >= w->lo && (uintptr_t)k < w->hi;
}

/* be_prefix for a key of a lazy tree: one load when 8 bytes can be read
 * (an arena block, or a borrowed key with input after it) and the bytes
 * are ASCII, which need no remapping. */
static inline uint64_t be_prefix_lazy(const writer *w, const char *k, size_t n)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (!key_borrowed(w, k) || w->hi - (uintptr_t)k >= 8) {
		uint64_t x;
		memcpy(&x, k, 8);
		x = __builtin_bswap64(x);
		if (n < 8)
			x &= ~(UINT64_MAX >> (8 * n));
		if (!(x & UINT64_C(0x8080808080808080)))
			return x;
	}
#endif
	return be_prefix(k, n);
}

static void serialize_object(writer *w, const hx_json *v)
{
	hx_buf *out = w->out;
	sort_item small[SORT_SMALL], *ms = small;
	sort_cache *c = NULL;
	const unsigned char *perm = NULL;
	size_t n = v->u.object.len, i, j;
	if (n > SORT_SMALL)
		ms = hx_xmalloc(n * sizeof(*ms));
	for (i = 0; i < n; i++) {
		const hx_json_member *m = &v->u.object.members[i];
		ms[i].prefix = w->lazy ? be_prefix_lazy(w, m->key, m->key_len)
				       : be_prefix(m->key, m->key_len);
		ms[i].m = m;
	}
	if (w->cache && n > 1 && n <= SORT_SMALL) {
		uint64_t h = (ms[0].prefix ^ ((uint64_t)n << 8 | (uint64_t)(unsigned)w->depth)) *
			     UINT64_C(0x9e3779b97f4a7c15);
		c = &w->cache[h >> 58];
	}
	if (c && c->n == n) {
		for (i = 1; i < n; i++)
			if (item_cmp(&ms[c->perm[i - 1]], &ms[c->perm[i]]) >= 0)
				break;
		if (i == n)
			perm = c->perm;
	}
	if (perm) {
		/* the cached order holds */
	} else if (n <= SORT_SMALL) {
		for (i = 1; i < n; i++) {
			sort_item it = ms[i];
			for (j = i; j > 0 && item_cmp(&ms[j - 1], &it) > 0; j--)
				ms[j] = ms[j - 1];
			ms[j] = it;
		}
		if (c) {
			for (i = 0; i < n; i++)
				c->perm[i] = (unsigned char)(ms[i].m - v->u.object.members);
			c->n = n;
		}
	} else {
		qsort(ms, n, sizeof(*ms), item_cmp_q);
	}
	*reserve(out, 1) = '{';
	out->len++;
	w->depth++;
	for (i = 0; i < n; i++) {
		const hx_json_member *m = perm ? ms[perm[i]].m : ms[i].m;
		const hx_json *mv = m->value;
		if (key_borrowed(w, m->key)) {
			/* ',' then the key with the quotes around it in the
			 * input, then ':', and a borrowed string or a plain
			 * number right after it: one reserve for all */
			const char *vt = NULL;
			size_t vn = 0;
			char *o;
			if (mv->type == HX_JSON_STRING && mv->u.string.plain) {
				vt = mv->u.string.ptr - 1; /* with its quotes */
				vn = mv->u.string.len + 2;
			} else if (mv->type == HX_JSON_NUMBER && mv->u.lazy.plain) {
				vt = mv->u.lazy.text;
				vn = mv->u.lazy.len;
			}
			o = reserve(out, m->key_len + 4 + vn);
			*o = ',';
			o += i != 0;
			copy_short(o, m->key - 1, m->key_len + 2);
			o += m->key_len + 2;
			*o++ = ':';
			if (vt) {
				copy_short(o, vt, vn);
				out->len = (size_t)(o + vn - out->ptr);
				continue;
			}
			out->len = (size_t)(o - out->ptr);
		} else {
			if (i) {
				*reserve(out, 1) = ',';
				out->len++;
			}
			hx_canon_write_string(out, m->key, m->key_len);
			*reserve(out, 1) = ':';
			out->len++;
		}
		if (mv->type == HX_JSON_OBJECT || mv->type == HX_JSON_ARRAY)
			serialize(w, mv);
		else
			write_scalar(w, mv);
	}
	w->depth--;
	*reserve(out, 1) = '}';
	out->len++;
	if (ms != small)
		free(ms);
}

/* A value other than an array or an object. */
static inline void write_scalar(writer *w, const hx_json *v)
{
	hx_buf *out = w->out;
	char *o;
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
		if (!w->lazy) {
			o = reserve(out, 32);
			out->len += hx_canon_format_number(o, v->u.number);
		} else if (v->u.lazy.plain) {
			o = reserve(out, v->u.lazy.len);
			copy_short(o, v->u.lazy.text, v->u.lazy.len);
			out->len += v->u.lazy.len;
		} else {
			o = reserve(out, 32);
			out->len += hx_canon_format_number(
				o, hx_json_number_value(v->u.lazy.text, v->u.lazy.len));
		}
		break;
	case HX_JSON_STRING:
		if (v->u.string.plain && w->lazy) {
			/* borrowed (see json.h): the input has the quotes too */
			o = reserve(out, v->u.string.len + 2);
			copy_short(o, v->u.string.ptr - 1, v->u.string.len + 2);
			out->len += v->u.string.len + 2;
		} else if (v->u.string.plain) {
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
	case HX_JSON_OBJECT:
		break; /* see serialize */
	}
}

static void serialize(writer *w, const hx_json *v)
{
	hx_buf *out = w->out;
	size_t i;
	switch (v->type) {
	case HX_JSON_ARRAY:
		*reserve(out, 1) = '[';
		out->len++;
		for (i = 0; i < v->u.array.len; i++) {
			if (i) {
				*reserve(out, 1) = ',';
				out->len++;
			}
			serialize(w, v->u.array.items[i]);
		}
		*reserve(out, 1) = ']';
		out->len++;
		break;
	case HX_JSON_OBJECT:
		serialize_object(w, v);
		break;
	default:
		write_scalar(w, v);
	}
}

void hx_canon_serialize(hx_buf *out, const hx_json *v)
{
	writer w;
	w.out = out;
	w.lazy = 0;
	w.lo = w.hi = 0;
	w.depth = 0;
	w.cache = NULL;
	serialize(&w, v);
	reserve(out, 0)[0] = '\0';
}

/* ------------------------------------------------------------- lines */

static int canon_line(hx_buf *out, hx_arena *arena, const char *line, size_t len,
		      const canon_rules *r, sort_cache *cache, const char *file, size_t lineno)
{
	hx_json *root;
	hx_json_error err;
	writer w;
	hx_arena_reset(arena);
	/* lazy: the line outlives the tree, and only this function reads it */
	if (hx_json_parse_lazy(&root, arena, line, len, &err) < 0) {
		hx_error_set("%s:%zu:%zu: %s", file, lineno + err.line - 1, err.column, err.msg);
		return HX_EINVALID;
	}
	if (r->n)
		rules_apply(root, r, arena);
	w.out = out;
	w.lazy = 1;
	w.lo = (uintptr_t)line;
	w.hi = (uintptr_t)line + len;
	w.depth = 0;
	w.cache = cache;
	serialize(&w, root);
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
	rc = canon_line(out, arena, line, len, &r, NULL, file, lineno);
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
	sort_cache cache[SORT_CACHE_SLOTS];
	memset(cache, 0, sizeof(cache));
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
			rc = canon_line(&out, arena, buf + pos, end - pos, &rules, cache, file,
					lineno);
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

void hx_canon_write_cstr(hx_buf *out, const char *s)
{
	hx_canon_write_string(out, s, strlen(s));
}

void hx_canon_write_number(hx_buf *out, double v)
{
	char tmp[32];
	if (!isfinite(v)) {
		hx_buf_puts(out, "null");
		return;
	}
	hx_buf_put(out, tmp, hx_canon_format_number(tmp, v));
}

void hx_canon_write_rate(hx_buf *out, const char *name, double rate, double lo, double hi)
{
	hx_buf_printf(out, ",\"%s\":", name);
	hx_canon_write_number(out, rate);
	hx_buf_printf(out, ",\"%s_ci\":[", name);
	hx_canon_write_number(out, lo);
	hx_buf_putc(out, ',');
	hx_canon_write_number(out, hi);
	hx_buf_putc(out, ']');
}
