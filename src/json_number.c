/* json_number.c - JSON numbers: the grammar, the range of a double, and
 * correctly rounded conversion (see json.h for the lazy mode's contract).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "json_internal.h"

static const double exact_pow10[] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#if LDBL_MANT_DIG >= 64
/* 10^n for 0 <= n <= 27, exact in a 64-bit-mantissa long double. */
static long double ldpow10(long n)
{
	static const long double tab[] = {
		1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
		1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
		1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
	};
	return tab[n];
}
#endif

/* The value of the 8 ASCII digits at p (little-endian SWAR: pairs, then
 * fours, then the eight, each step one multiply). */
static inline uint64_t eight_digits(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	v -= UINT64_C(0x3030303030303030);
	v = v * 10 + (v >> 8);
	return ((v & UINT64_C(0x000000ff000000ff)) * (100 + (UINT64_C(1000000) << 32)) +
		((v >> 16) & UINT64_C(0x000000ff000000ff)) * (1 + (UINT64_C(10000) << 32))) >>
	       32;
}

/* The digits p..q (an integer part when !frac, else a fraction) into
 * value = mant * 10^exp10: at most 19 significant digits are kept (a
 * fraction's leading zeros before any are not significant), the rest set
 * *dropped. Returns q. */
static inline const unsigned char *take_digits(const unsigned char *p, const unsigned char *q,
					       int frac, uint64_t *mant, int *nd, long *exp10,
					       int *dropped)
{
	const unsigned char *t;
	uint64_t m = *mant;
	size_t take;
	if (m == 0 && frac) {
		const unsigned char *z = p;
		while (p < q && *p == '0')
			p++;
		*exp10 -= (long)(p - z);
	}
	take = (size_t)(q - p);
	if (take > (size_t)(19 - *nd))
		take = (size_t)(19 - *nd);
	t = p + take;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (t - p >= 8) {
		m = m * 100000000u + eight_digits(p);
		p += 8;
	}
#endif
	while (p < t)
		m = m * 10 + (uint64_t)(*p++ - '0');
	*mant = m;
	*nd += (int)take;
	if (frac)
		*exp10 -= (long)take;
	if (q > t) {
		*dropped = 1;
		if (!frac)
			*exp10 += (long)(q - t);
	}
	return q;
}

/* mant * 10^exp10, correctly rounded, in *out when it can be had without
 * strtod (1), else 0: zero; Clinger's fast path, where mant and 10^|e| are
 * exact doubles so one IEEE multiply or divide rounds correctly; and, with
 * an extended long double, up to 19 digits and |e| <= 27. */
static inline int fast_value(uint64_t mant, long exp10, double *out)
{
	if (mant == 0) {
		*out = 0.0;
		return 1;
	}
	if (mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22 + 15) {
		double v = (double)mant;
		if (exp10 > 22) {
			/* 1e30 = (1 * 10^8) * 10^22 with the first product exact. */
			uint64_t m = mant;
			long e = exp10;
			while (e > 22 && m <= (UINT64_C(1) << 53) / 10) {
				m *= 10;
				e--;
			}
			if (e > 22)
				return 0;
			v = (double)m * exact_pow10[e];
		} else if (exp10 >= 0) {
			v *= exact_pow10[exp10];
		} else {
			v /= exact_pow10[-exp10];
		}
		*out = v;
		return 1;
	}
#if LDBL_MANT_DIG >= 64
	if (exp10 >= -27 && exp10 <= 27) {
		/* mant and 10^|e| (e <= 27) are exact in an extended long double,
		 * so the quotient or product is correctly rounded there. Rounding
		 * that to double again is only wrong when the long double lands
		 * exactly on a midpoint between doubles. */
		long double l = (long double)mant;
		double d;
		if (exp10 >= 0)
			l *= ldpow10(exp10);
		else
			l /= ldpow10(-exp10);
		d = (double)l;
#if LDBL_MANT_DIG == 64 && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		{
			/* x87 extended: the 64-bit significand is the first 8
			 * bytes, and l (>= 1e-27, far from the subnormals) is on a
			 * midpoint exactly when its 11 bits below the double's 53
			 * are 10000000000 */
			uint64_t sig;
			memcpy(&sig, &l, sizeof(sig));
			if ((sig & 0x7ff) == 0x400)
				return 0;
		}
#else
		{
			long double lo = l - (long double)d;
			double nb = lo > 0 ? nextafter(d, INFINITY) : nextafter(d, 0.0);
			if (lo != 0 && fabsl(lo) * 2 == fabsl((long double)nb - (long double)d))
				return 0;
		}
#endif
		*out = d;
		return 1;
	}
#endif
	return 0;
}

int hx_json_parse_number(parser *ps, double *out)
{
	const unsigned char *p = ps->p, *end = ps->end, *tok = p;
	uint64_t mant = 0;
	int nd = 0;        /* significant digits accumulated in mant */
	int dropped = 0;   /* digits that did not fit in mant */
	long exp10 = 0;    /* value = mant * 10^exp10 (when !dropped) */
	int neg = 0;
	double v;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p >= end || *p < '0' || *p > '9')
		goto bad;
	if (*p == '0') {
		p++;
		if (p < end && *p >= '0' && *p <= '9')
			goto bad;
	} else {
		p = take_digits(p, hx_json_skip_digits(p, end), 0, &mant, &nd, &exp10, &dropped);
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		p = take_digits(p, hx_json_skip_digits(p, end), 1, &mant, &nd, &exp10, &dropped);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		long e = 0;
		int eneg = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9') {
			if (e < 100000)
				e = e * 10 + (*p - '0');
			p++;
		}
		exp10 += eneg ? -e : e;
	}
	ps->p = p;
	if (!dropped && fast_value(mant, exp10, &v)) {
		*out = neg ? -v : v;
		return 0;
	} else {
		char small[64], *tmp;
		size_t n;
		n = (size_t)(p - tok);
		tmp = n < sizeof(small) ? small : hx_xmalloc(n + 1);
		memcpy(tmp, tok, n);
		tmp[n] = '\0';
		v = strtod(tmp, NULL);
		if (tmp != small)
			free(tmp);
		if (isinf(v))
			return hx_json_fail(ps, tok, "number out of range '%.*s'", (int)(n > 40 ? 40 : n), tok);
		*out = v;
		return 0;
	}
bad:
	while (p < end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
			   *p == '+' || *p == '-'))
		p++;
	if (p == tok + 1 && p < end)
		p++; /* show the offending byte after a bare '-' */
	return hx_json_fail(ps, tok, "invalid number '%.*s'", (int)(p - tok > 40 ? 40 : p - tok), tok);
}

/* HX_JSON_NONFINITE: a NaN, Infinity or -Infinity token at ps->p becomes
 * the number (lazily: its text). */
int hx_json_parse_nonfinite(parser *ps, hx_json *v)
{
	int kind;
	size_t n = hx_json_nonfinite_len(ps->p, ps->end, &kind);
	if (!n)
		return 0;
	if (ps->lazy) {
		v->u.lazy.text = (const char *)ps->p;
		v->u.lazy.len = n;
		v->u.lazy.plain = 0;
	} else {
		v->u.number = kind == 0 ? NAN : kind * HUGE_VAL;
	}
	ps->p += n;
	return 1;
}

/* Lazy mode: check the number at ps->p against the grammar and the range,
 * and record its text without converting it. The range test is exact: the
 * magnitude mag (value < 10^mag) settles it below 10^308; only a number of
 * 309 or more integer digits (or a huge exponent) is converted to see
 * whether it overflows, with the same errors as parse_number. */
int hx_json_parse_number_lazy(parser *ps, hx_json *v)
{
	const unsigned char *tok = ps->p, *p;
	int plain;
	if (ps->nonfinite && *tok == '-' && ps->end - tok > 1 && tok[1] == 'I' &&
	    hx_json_parse_nonfinite(ps, v))
		return 0;
	if (!(p = hx_json_scan_number(tok, ps->end, &plain))) {
		/* not a number (parse_number words the error) or one whose range
		 * only the conversion settles */
		double d;
		int rc;
		if ((rc = hx_json_parse_number(ps, &d)) < 0)
			return rc;
		p = ps->p;
		plain = 0;
	}
	ps->p = p;
	v->u.lazy.text = (const char *)tok;
	v->u.lazy.len = (size_t)(p - tok);
	v->u.lazy.plain = plain;
	return 0;
}


/* mant with the digits p..q appended (mant * 10^(q-p) + their value; the
 * caller keeps it within 19 digits). Returns q. */
static inline const unsigned char *accumulate(const unsigned char *p, const unsigned char *q,
					      uint64_t *mant)
{
	uint64_t m = *mant;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (q - p >= 8) {
		m = m * 100000000u + eight_digits(p);
		p += 8;
	}
#endif
	while (p < q)
		m = m * 10 + (uint64_t)(*p++ - '0');
	*mant = m;
	return q;
}

double hx_json_number_value(const char *text, size_t len)
{
	parser ps;
	double v = 0;
	memset(&ps, 0, sizeof(ps));
	ps.start = ps.p = (const unsigned char *)text;
	ps.end = ps.start + len;
	if (len >= 3 && (text[0] == 'N' || text[0] == 'I' || (text[0] == '-' && text[1] == 'I')))
		return text[0] == 'N' ? NAN : text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
	if (len > 0 && len <= 21) {
		/* the usual -?digits(.digits)? of at most 19 digits (zeros
		 * included): the digits are the mantissa, the fraction's count
		 * the exponent */
		const unsigned char *p = (const unsigned char *)text, *end = p + len;
		uint64_t mant = 0;
		long frac = 0;
		int neg = *p == '-', nd = 0;
		p += neg;
		const unsigned char *q = hx_json_skip_digits(p, end);
		nd = (int)(q - p);
		p = accumulate(p, q, &mant);
		if (p < end && *p == '.') {
			q = hx_json_skip_digits(++p, end);
			frac = q - p;
			nd += (int)frac;
			if (nd <= 19)
				p = accumulate(p, q, &mant);
		}
		if (p == end && nd <= 19 && fast_value(mant, -frac, &v))
			return neg ? -v : v;
	}
	if (len == 0 || hx_json_parse_number(&ps, &v) < 0)
		return 0;
	return v;
}

