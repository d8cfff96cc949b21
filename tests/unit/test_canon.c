/* test_canon.c - canonical form v1: ES number formatting, Python rounding,
 * JCS escaping and key order, strip/round paths, lines and streams, and the
 * RFC 8785 test vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"
#include "json.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double from_bits(uint64_t b)
{
	double x;
	memcpy(&x, &b, 8);
	return x;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *p;
	long n;
	if (!fp)
		fail_msg("cannot open '%s'", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, fp), (size_t)n);
	p[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return p;
}

static void expect_number(double v, const char *want)
{
	char out[32], ref[32];
	size_t n = hx_canon_format_number(out, v);
	if (strcmp(out, want) != 0)
		fail_msg("%.17g formatted as '%s', expected '%s'", v, out, want);
	assert_int_equal(n, strlen(want));
	hx_canon_format_number_ref(ref, v);
	if (strcmp(ref, want) != 0)
		fail_msg("%.17g formatted by the reference as '%s', expected '%s'", v, ref, want);
}

static void test_number_rules(void **state)
{
	(void)state;
	/* RFC 8785 examples */
	expect_number(333333333.33333329, "333333333.3333333");
	expect_number(1e30, "1e+30");
	expect_number(4.50, "4.5");
	expect_number(2e-3, "0.002");
	expect_number(0.000000000000000000000000001, "1e-27");
	/* zero, sign, integers */
	expect_number(0.0, "0");
	expect_number(-0.0, "0");
	expect_number(-1.0, "-1");
	expect_number(100, "100");
	expect_number(9007199254740993.0, "9007199254740992");
	expect_number(1e20, "100000000000000000000");
	expect_number(1e21, "1e+21");
	expect_number(-1e21, "-1e+21");
	/* 2^60: ES prints the 16 shortest digits padded with zeros (node agrees) */
	expect_number(1152921504606846976.0, "1152921504606847000");
	/* extremes */
	expect_number(5e-324, "5e-324");
	expect_number(-5e-324, "-5e-324");
	expect_number(ldexp(1, -1074), "5e-324");
	expect_number(1.7976931348623157e308, "1.7976931348623157e+308");
	expect_number(ldexp(1, -1022), "2.2250738585072014e-308");
	expect_number(2.225073858507201e-308, "2.225073858507201e-308");
	/* decimal point placement */
	expect_number(0.1 + 0.2, "0.30000000000000004");
	expect_number(123e-20, "1.23e-18");
	expect_number(1e-6, "0.000001");
	expect_number(1.5e-6, "0.0000015");
	expect_number(1e-7, "1e-7");
	expect_number(1.5e-7, "1.5e-7");
	expect_number(123456.789, "123456.789");
	expect_number(1.5, "1.5");
	expect_number(-0.5, "-0.5");
	expect_number(1.2345678901234567e21, "1.2345678901234568e+21");
	expect_number(123456789012345680000.0, "123456789012345680000");
	/* powers of two: the asymmetric rounding interval */
	expect_number(ldexp(1, 60), "1152921504606847000");
	expect_number(ldexp(1, -20), "9.5367431640625e-7");
	expect_number(ldexp(1, 1023), "8.98846567431158e+307");
	expect_number(ldexp(1, -1000), "9.332636185032189e-302");
	expect_number(9.5e-323, "9.4e-323"); /* 19 * 2^-1074 */
	expect_number(1e23, "1e+23");
	expect_number(2.675, "2.675");
}

/* Every line of numbers-es6.txt (made with node's Number#toString). */
static void test_number_fixture(void **state)
{
	size_t len, lines = 0;
	char *text = read_file(HX_FIXTURES "/numbers-es6.txt", &len), *line, *save = NULL;
	(void)state;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		uint64_t bits;
		assert_non_null(sp);
		*sp = '\0';
		bits = strtoull(line, NULL, 16);
		expect_number(from_bits(bits), sp + 1);
		lines++;
	}
	assert_true(lines > 2000);
	free(text);
}

/* x = s * 10^e as a double, via strtod. */
static double dec(uint64_t s, int e)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%llue%d", (unsigned long long)s, e);
	return strtod(buf, NULL);
}

/* Digits of a formatted number as s * 10^e, s free of trailing zeros, with
 * k digits. Works on the digit string: integers may exceed 2^64. */
static void parse_formatted(const char *txt, uint64_t *s, int *e, int *k)
{
	char dig[40];
	const char *p = txt;
	int nd = 0, point = -1, i, first, last;
	if (*p == '-')
		p++;
	for (; *p && *p != 'e'; p++) {
		if (*p == '.')
			point = nd;
		else
			dig[nd++] = *p;
	}
	if (point < 0)
		point = nd;
	/* value = 0.dig * 10^(point + exp) */
	*e = (*p == 'e' ? atoi(p + 1) : 0) + point;
	for (first = 0; first < nd - 1 && dig[first] == '0'; first++)
		;
	for (last = nd - 1; last > first && dig[last] == '0'; last--)
		;
	*s = 0;
	for (i = first; i <= last; i++)
		*s = *s * 10 + (uint64_t)(dig[i] - '0');
	*k = last - first + 1;
	*e -= last + 1;
}

/* Random bit patterns: the output reads back as x, and no decimal with one
 * digit fewer (the correctly rounded one or its neighbours) does. */
static void test_number_random(void **state)
{
	int i;
	(void)state;
	for (i = 0; i < 1000000; i++) {
		uint64_t bits = rnd(), s;
		double x = from_bits(bits), ax;
		char out[32], buf[48];
		int e, k;
		if (!isfinite(x))
			continue;
		hx_canon_format_number(out, x);
		if (strtod(out, NULL) != x && !(x == 0 && strcmp(out, "0") == 0))
			fail_msg("%a formatted as '%s' does not read back", x, out);
		if (x == 0)
			continue;
		ax = fabs(x);
		parse_formatted(out, &s, &e, &k);
		if (k > 1) {
			uint64_t c;
			int ce, j;
			snprintf(buf, sizeof(buf), "%.*e", k - 2, ax);
			parse_formatted(buf, &c, &ce, &j);
			/* rescale to exactly k-1 digits */
			while (j < k - 1) {
				c *= 10;
				ce--;
				j++;
			}
			if (dec(c, ce) == ax || dec(c + 1, ce) == ax || (c > 1 && dec(c - 1, ce) == ax))
				fail_msg("%a formatted as '%s' but %d digits suffice", x, out, k - 1);
		}
	}
	/* fast path against the reference on values with short and long digits */
	for (i = 0; i < 200000; i++) {
		uint64_t r = rnd();
		double x;
		char a[32], b[32];
		switch (i % 4) {
		case 0:
			x = from_bits(r);
			break;
		case 1:
			x = (double)(r % 100000000) / 100.0;
			break;
		case 2:
			x = dec(r % 10000000000000000ULL, (int)(r >> 56) % 40 - 30);
			break;
		default:
			x = ldexp(1.0, (int)(r % 2000) - 1000) * ((r >> 40) & 1 ? 1 : -1);
			break;
		}
		if (!isfinite(x))
			continue;
		hx_canon_format_number(a, x);
		hx_canon_format_number_ref(b, x);
		if (strcmp(a, b) != 0)
			fail_msg("%a: fast '%s' reference '%s'", x, a, b);
	}
}

static void expect_round(double x, int n, double want)
{
	double got = hx_canon_round(x, n);
	if (got != want || signbit(got) != signbit(want))
		fail_msg("round(%.17g, %d) = %.17g, expected %.17g", x, n, got, want);
	got = hx_canon_round_ref(x, n);
	if (got != want || signbit(got) != signbit(want))
		fail_msg("reference round(%.17g, %d) = %.17g, expected %.17g", x, n, got, want);
}

static void test_round(void **state)
{
	char out[32];
	(void)state;
	expect_round(2.675, 2, 2.67); /* binary value below the tie */
	expect_round(0.125, 2, 0.12); /* exact tie: to even */
	expect_round(0.375, 2, 0.38);
	expect_round(2.5, 0, 2.0);
	expect_round(3.5, 0, 4.0);
	expect_round(-0.5, 0, -0.0);
	expect_round(-0.4, 0, -0.0);
	expect_round(-0.001, 2, -0.0);
	expect_round(1.005, 2, 1.0);
	expect_round(1.0049999999999999, 2, 1.0);
	expect_round(0.285, 2, 0.28);
	expect_round(1.15, 1, 1.1);
	expect_round(1.25, 1, 1.2);
	expect_round(1.35, 1, 1.4);
	expect_round(123.456789, 2, 123.46);
	expect_round(-123.456789, 3, -123.457);
	expect_round(1234.5678, 0, 1235.0);
	expect_round(0.1 + 0.2, 15, 0.3);
	expect_round(1e-320, 2, 0.0);
	expect_round(-1e-320, 2, -0.0);
	expect_round(1e300, 2, 1e300);
	expect_round(4503599627370497.0, 2, 4503599627370497.0);
	expect_round(1e15 + 0.3, 2, 1e15 + 0.3);
	expect_round(0.0, 2, 0.0);
	expect_round(-0.0, 2, -0.0);
	hx_canon_format_number(out, hx_canon_round(1.005, 2));
	assert_string_equal(out, "1");
	hx_canon_format_number(out, hx_canon_round(2.675, 2));
	assert_string_equal(out, "2.67");
	hx_canon_format_number(out, hx_canon_round(-0.5, 0));
	assert_string_equal(out, "0");
}

/* The fast rounding path against Python's algorithm on millions of values:
 * random magnitudes, short decimals near ties, and exact binary ties. */
static void test_round_random(void **state)
{
	int i;
	(void)state;
	for (i = 0; i < 2000000; i++) {
		uint64_t r = rnd();
		int n = (int)(r % 16);
		double x, a, b;
		switch ((r >> 4) % 5) {
		case 0: /* uniform magnitude over a wide range */
			x = ldexp((double)(r >> 11) / 9007199254740992.0 + 0.5, (int)((r >> 7) % 80) - 40);
			break;
		case 1: /* decimals with one digit more than n: near the tie */
			x = dec((r >> 12) % 1000000000ULL * 10 + 5, -(n + 1));
			break;
		case 2: /* exact binary ties and friends */
			x = (double)((r >> 12) % 1000000) / 1024.0;
			break;
		case 3: /* telemetry-like milliseconds */
			x = (double)((r >> 12) % 100000000000ULL) / 1e7;
			break;
		default: /* random bit patterns */
			x = from_bits(rnd());
			break;
		}
		if (!isfinite(x))
			continue;
		if ((r >> 63) & 1)
			x = -x;
		a = hx_canon_round(x, n);
		b = hx_canon_round_ref(x, n);
		if (a != b || signbit(a) != signbit(b))
			fail_msg("round(%a, %d): fast %.17g, reference %.17g", x, n, a, b);
	}
}

/* hx_canon_line rounds a number from its text (hx_json_parse_lazy): the
 * canonical text must be that of Python's round of the parsed double. */
static void expect_line_round(const char *num, int n)
{
	char in[160], want[200], ref[32];
	hx_canon_profile p;
	hx_arena *a = hx_arena_new();
	hx_json *v;
	hx_json_error err;
	hx_buf b = HX_BUF_INIT;
	snprintf(in, sizeof(in), "{\"x\":%s}", num);
	if (hx_json_parse(&v, a, in, strlen(in), &err) != 0)
		fail_msg("'%s': %s", in, err.msg);
	hx_canon_format_number_ref(ref, hx_canon_round_ref(hx_json_get(v, "x")->u.number, n));
	snprintf(want, sizeof(want), "{\"x\":%s}\n", ref);
	hx_canon_profile_init(&p);
	assert_int_equal(hx_canon_profile_add_round(&p, "x", n), 0);
	assert_int_equal(hx_canon_line(&b, a, in, strlen(in), &p, "t", 1), 0);
	if (strcmp(b.ptr, want) != 0)
		fail_msg("round(%s, %d): got %s want %s", num, n, b.ptr, want);
	hx_canon_profile_release(&p);
	hx_buf_release(&b);
	hx_arena_free(a);
}

static void test_round_text(void **state)
{
	static const char *const fixed[] = {
		"2.675", "0.125", "0.375", "2.5", "3.5", "-0.5", "-0.4", "-0.001", "1.005",
		"1.0049999999999999", "0.285", "1.15", "1.25", "1.35", "123.456789",
		"-123.456789", "1234.5678", "0.30000000000000004", "1e-320", "-1e-320",
		"1e300", "4503599627370497", "1000000000000000.3", "0", "-0", "-0.0", "0e5",
		"9404.671704520611", "1269.5877998516141", "1718000000.0255976", "0.005",
		"0.015", "0.0050000000000000001", "0.00499999999999999", "12.34567", "2.675e0",
		"267.5e-2", "0.02675E+2", "1E2", "1e-7", "-1e-7", "5e-16", "4.9999e-16",
		"1099511627775.5", "1099511627776.5", "10995116277755e-1", "99999999999.995",
		"99999999999.994999", "0.0000004999", "12345678901234567890", "1e21", "1e22",
		"123456789012345678901234567890e-25", "7.0000000000000000000000000001",
		"0.50025", "0.49975", "0.5002441", "0.4997559", "1.7976931348623157e308",
	};
	size_t i;
	int n;
	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		for (n = 0; n <= 15; n++)
			expect_line_round(fixed[i], n);
	/* random texts: plain decimals, near-tie digit runs, exponents */
	for (i = 0; i < 300000; i++) {
		char num[96];
		size_t k = 0;
		uint64_t r = rnd();
		int id = (int)(r % 7), fd = (int)((r >> 3) % 22), j, tail;
		n = (r >> 8) % 4 ? 2 : (int)((r >> 10) % 16);
		if ((r >> 14) & 1)
			num[k++] = '-';
		if (id == 0) {
			num[k++] = '0';
		} else {
			num[k++] = (char)('1' + rnd() % 9);
			for (j = 1; j < id; j++)
				num[k++] = (char)('0' + rnd() % 10);
		}
		if (fd) {
			num[k++] = '.';
			/* the digits up to the rounding position, then maybe a
			 * tie-like run: 5000..., 4999..., 5000...1 */
			tail = (int)((r >> 20) % 4);
			for (j = 0; j < fd; j++) {
				int d = (int)(rnd() % 10);
				if (tail && j == n)
					d = tail == 2 ? 4 : 5;
				else if (tail && j > n)
					d = tail == 2 ? 9 : (tail == 3 && j == fd - 1) ? 1 : 0;
				num[k++] = (char)('0' + d);
			}
		}
		if ((r >> 24) % 5 == 0)
			k += (size_t)snprintf(num + k, sizeof(num) - k, "e%d",
					      (int)((r >> 28) % 41) - 20);
		num[k] = '\0';
		expect_line_round(num, n);
	}
}

/* The line path (lazy tree) against parse + apply + serialize (a tree of
 * converted numbers and copied strings) on random records. */
static void test_line_lazy_vs_tree(void **state)
{
	static const char *const keys[] = {
		"a", "b", "timestamp", "duration_ms", "metadata", "worker", "k\\u00e9y", "\\ue000",
		"\\ud83d\\ude02", "x\\ny", "q\\\"", "longer_key_with_more_than_16", "", "tab\\t",
	};
	static const char *const nums[] = {
		"0", "-0", "1", "-1", "123456789012345", "1234567890123456", "-0.0", "1.50",
		"2.675", "1e-7", "1E+21", "0.000001", "9404.671704520611", "1e308", "5e-324",
		"123456789012345678901234567890", "0.1", "100", "-100e-2", "4.35",
	};
	static const char *const strs[] = {
		"\"\"", "\"plain\"", "\"e\\u0301\"", "\"nl\\n\"", "\"\\u001f\"", "\"a\\/b\"",
		"\"\xc3\xa9t\xc3\xa9\"", "\"\\ud83d\\ude02\"", "\"0123456789abcdef0123\"",
	};
	hx_canon_profile p;
	int i, rounds;
	(void)state;
	assert_int_equal(hx_canon_profile_builtin(&p, "telemetry"), 0);
	assert_int_equal(hx_canon_profile_add_round(&p, "*.a", 1), 0);
	assert_int_equal(hx_canon_profile_add_strip(&p, "b.*"), 0);
	for (rounds = 0; rounds < 2; rounds++) {
		const hx_canon_profile *prof = rounds ? &p : NULL;
		for (i = 0; i < 20000; i++) {
			char in[4096];
			size_t k = 0;
			int depth = 0, first[8] = {1}, j, nv = 1 + (int)(rnd() % 24);
			hx_arena *a = hx_arena_new();
			hx_json *v;
			hx_json_error err;
			hx_buf got = HX_BUF_INIT, want = HX_BUF_INIT;
			uint64_t used[8] = {0};
			in[k++] = '{';
			for (j = 0; j < nv; j++) {
				uint64_t r = rnd();
				int ki = (int)(r % (sizeof(keys) / sizeof(keys[0])));
				if (used[depth] >> ki & 1)
					continue;
				used[depth] |= (uint64_t)1 << ki;
				k += (size_t)snprintf(in + k, sizeof(in) - k, "%s\"%s\": ",
						      first[depth] ? "" : ", ", keys[ki]);
				first[depth] = 0;
				switch ((r >> 8) % 5) {
				case 0:
				case 1:
					k += (size_t)snprintf(in + k, sizeof(in) - k, "%s",
							      nums[(r >> 12) % (sizeof(nums) / sizeof(nums[0]))]);
					break;
				case 2:
					k += (size_t)snprintf(in + k, sizeof(in) - k, "%s",
							      strs[(r >> 12) % (sizeof(strs) / sizeof(strs[0]))]);
					break;
				case 3:
					k += (size_t)snprintf(in + k, sizeof(in) - k, "[1, \"s\", {\"b\": 2.5}]");
					break;
				default:
					if (depth < 6) {
						in[k++] = '{';
						depth++;
						first[depth] = 1;
						used[depth] = 0;
						continue;
					}
					k += (size_t)snprintf(in + k, sizeof(in) - k, "null");
				}
				if (depth && (r >> 40) % 3 == 0) {
					in[k++] = '}';
					depth--;
				}
			}
			while (depth-- >= 0)
				in[k++] = '}';
			in[k] = '\0';
			if (hx_json_parse(&v, a, in, k, &err) != 0)
				fail_msg("'%s': %s", in, err.msg);
			if (prof)
				hx_canon_apply(v, prof);
			hx_canon_serialize(&want, v);
			hx_buf_putc(&want, '\n');
			assert_int_equal(hx_canon_line(&got, a, in, k, prof, "t", 1), 0);
			if (strcmp(got.ptr, want.ptr) != 0)
				fail_msg("'%s':\n got  %s want %s", in, got.ptr, want.ptr);
			hx_buf_release(&got);
			hx_buf_release(&want);
			hx_arena_free(a);
		}
	}
	hx_canon_profile_release(&p);
}

/* Stripped values are not converted, but still checked: the errors are
 * those of a full parse. */
static void test_line_strip_still_checks(void **state)
{
	hx_canon_profile p;
	hx_buf b = HX_BUF_INIT;
	hx_arena *a = hx_arena_new();
	static const struct {
		const char *in, *err;
	} bad[] = {
		{"{\"timestamp\":1e400}", "t:1:14: number out of range '1e400'"},
		{"{\"timestamp\":-1e309}", "t:1:14: number out of range '-1e309'"},
		{"{\"timestamp\":17976931348623159e292}",
		 "t:1:14: number out of range '17976931348623159e292'"},
		{"{\"timestamp\":0.1e310}", "t:1:14: number out of range '0.1e310'"},
		{"{\"timestamp\":01}", "t:1:14: invalid number '01'"},
		{"{\"timestamp\":1.}", "t:1:14: invalid number '1.'"},
		{"{\"timestamp\":-}", "t:1:14: invalid number '-}'"},
		{"{\"timestamp\":1e+}", "t:1:14: invalid number '1e+'"},
	};
	static const char *const good[] = {
		"1e308", "17976931348623158e292", "0.1e309", "1e-400", "0e99999999",
		"0.000000000000000000000000000000000000001e-99999999",
	};
	size_t i;
	(void)state;
	assert_int_equal(hx_canon_profile_builtin(&p, "telemetry"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b.len = 0;
		assert_int_equal(hx_canon_line(&b, a, bad[i].in, strlen(bad[i].in), &p, "t", 1),
				 HX_EINVALID);
		assert_string_equal(hx_error_last(), bad[i].err);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char in[128];
		snprintf(in, sizeof(in), "{\"timestamp\":%s,\"a\":1}", good[i]);
		b.len = 0;
		assert_int_equal(hx_canon_line(&b, a, in, strlen(in), &p, "t", 1), 0);
		assert_string_equal(b.ptr, "{\"a\":1}\n");
	}
	hx_canon_profile_release(&p);
	hx_buf_release(&b);
	hx_arena_free(a);
}

static void expect_jcs_string(const char *in, size_t len, const char *want)
{
	hx_buf b = HX_BUF_INIT;
	hx_canon_write_string(&b, in, len);
	assert_string_equal(b.ptr, want);
	assert_int_equal(b.len, strlen(want));
	hx_buf_release(&b);
}

static void test_escaping(void **state)
{
	char all[32], want[200];
	int i;
	size_t n = 0;
	(void)state;
	expect_jcs_string("", 0, "\"\"");
	expect_jcs_string("plain text that is longer than eight bytes", 42,
		      "\"plain text that is longer than eight bytes\"");
	expect_jcs_string("\"", 1, "\"\\\"\"");
	expect_jcs_string("\\", 1, "\"\\\\\"");
	expect_jcs_string("/", 1, "\"/\"");
	expect_jcs_string("\b\t\n\f\r", 5, "\"\\b\\t\\n\\f\\r\"");
	expect_jcs_string("\x7f", 1, "\"\x7f\"");
	expect_jcs_string("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\xe2\x80\xa8\xe2\x80\xa9\"");
	expect_jcs_string("\xc3\xa9\xf0\x9f\x98\x82", 6, "\"\xc3\xa9\xf0\x9f\x98\x82\"");
	expect_jcs_string("a\0b", 3, "\"a\\u0000b\"");
	expect_jcs_string("0123456789abcdef\x1f", 17, "\"0123456789abcdef\\u001f\"");
	/* every control character */
	for (i = 0; i < 32; i++)
		all[i] = (char)i;
	n += (size_t)snprintf(want + n, sizeof(want) - n, "\"");
	for (i = 0; i < 32; i++) {
		const char *sh = i == 8 ? "\\b" : i == 9 ? "\\t" : i == 10 ? "\\n" : i == 12 ? "\\f" : i == 13 ? "\\r" : NULL;
		if (sh)
			n += (size_t)snprintf(want + n, sizeof(want) - n, "%s", sh);
		else
			n += (size_t)snprintf(want + n, sizeof(want) - n, "\\u%04x", i);
	}
	snprintf(want + n, sizeof(want) - n, "\"");
	expect_jcs_string(all, 32, want);
	expect_jcs_string("\x0b\x1b", 2, "\"\\u000b\\u001b\"");
}

/* Strings of every length up to 70 with escapes at random places, against
 * a byte-at-a-time reference (exercises the vector and tail windows). */
static void naive_string(hx_buf *b, const unsigned char *s, size_t n)
{
	size_t i;
	hx_buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c == '"')
			hx_buf_puts(b, "\\\"");
		else if (c == '\\')
			hx_buf_puts(b, "\\\\");
		else if (c == '\b')
			hx_buf_puts(b, "\\b");
		else if (c == '\t')
			hx_buf_puts(b, "\\t");
		else if (c == '\n')
			hx_buf_puts(b, "\\n");
		else if (c == '\f')
			hx_buf_puts(b, "\\f");
		else if (c == '\r')
			hx_buf_puts(b, "\\r");
		else if (c < 0x20)
			hx_buf_printf(b, "\\u%04x", c);
		else
			hx_buf_putc(b, (char)c);
	}
	hx_buf_putc(b, '"');
}

static void test_escaping_random(void **state)
{
	unsigned char s[80];
	int i;
	(void)state;
	for (i = 0; i < 200000; i++) {
		size_t n = (size_t)(rnd() % 71), j;
		hx_buf got, want;
		uint64_t r = rnd();
		for (j = 0; j < n; j++) {
			/* mostly plain bytes (ASCII and UTF-8-ish high bytes) */
			unsigned c = (unsigned)(rnd() & 0xff);
			if ((r >> (j % 64)) & 1 && c < 0x20)
				c += 0x20;
			if (c == '"' || c == '\\' || c < 0x20)
				c = (r & 3) ? 'a' + (c % 26) : c;
			s[j] = (unsigned char)c;
		}
		if (n && (r & 7) == 0)
			s[rnd() % n] = (unsigned char)"\"\\\n\x01\x1f"[rnd() % 5];
		hx_buf_init(&got);
		hx_buf_init(&want);
		hx_buf_puts(&got, "prefix");
		hx_canon_write_string(&got, (const char *)s, n);
		hx_buf_puts(&want, "prefix");
		naive_string(&want, s, n);
		if (got.len != want.len || memcmp(got.ptr, want.ptr, got.len) != 0)
			fail_msg("escaping %zu bytes: got '%s' want '%s'", n, got.ptr, want.ptr);
		assert_int_equal(got.ptr[got.len], '\0');
		hx_buf_release(&got);
		hx_buf_release(&want);
	}
}

static void canon_ok(const char *in, const hx_canon_profile *p, const char *want)
{
	hx_buf b = HX_BUF_INIT;
	hx_arena *a = hx_arena_new();
	int rc = hx_canon_line(&b, a, in, strlen(in), p, "t.jsonl", 1);
	if (rc != 0)
		fail_msg("canon of '%s' failed: %s", in, hx_error_last());
	assert_string_equal(b.ptr, want);
	hx_buf_release(&b);
	hx_arena_free(a);
}

static void canon_err(const char *in, size_t len, size_t lineno, const char *want)
{
	hx_buf b = HX_BUF_INIT;
	hx_arena *a = hx_arena_new();
	assert_int_equal(hx_canon_line(&b, a, in, len, NULL, "t.jsonl", lineno), HX_EINVALID);
	assert_string_equal(hx_error_last(), want);
	hx_buf_release(&b);
	hx_arena_free(a);
}

static void test_key_order(void **state)
{
	(void)state;
	/* UTF-16 order: U+1F602 (D83D DE02) sorts before U+E000 */
	canon_ok("{\"\\ue000\":1,\"\\ud83d\\ude02\":2}", NULL,
		 "{\"\xf0\x9f\x98\x82\":2,\"\xee\x80\x80\":1}\n");
	canon_ok("{\"\\uffff\":1,\"\\ud800\\udc00\":2,\"\\ud7ff\":3}", NULL,
		 "{\"\xed\x9f\xbf\":3,\"\xf0\x90\x80\x80\":2,\"\xef\xbf\xbf\":1}\n");
	/* prefixes, bytes, lengths */
	canon_ok("{\"b\":1,\"a\":2,\"aa\":3,\"\":4,\"A\":5,\"\\u00e9\":6}", NULL,
		 "{\"\":4,\"A\":5,\"a\":2,\"aa\":3,\"b\":1,\"\xc3\xa9\":6}\n");
	canon_ok("{\"longer-common-prefix-b\":1,\"longer-common-prefix-a\":2}", NULL,
		 "{\"longer-common-prefix-a\":2,\"longer-common-prefix-b\":1}\n");
	canon_ok("{\"x\":{\"d\":[{\"z\":1,\"y\":2}],\"c\":null}}", NULL,
		 "{\"x\":{\"c\":null,\"d\":[{\"y\":2,\"z\":1}]}}\n");
	canon_ok("  [ 1 , 2.50 , \"a\\/b\" , true ]  ", NULL, "[1,2.5,\"a/b\",true]\n");
}

static void test_key_order_large(void **state)
{
	/* more than 32 members goes through qsort */
	char in[4096], want[4096];
	size_t n = 0, m = 0;
	int i;
	(void)state;
	n += (size_t)snprintf(in + n, sizeof(in) - n, "{");
	for (i = 99; i >= 0; i--)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "%s\"k%03d\":%d", i < 99 ? "," : "", i, i);
	n += (size_t)snprintf(in + n, sizeof(in) - n, ",\"\\ue000\":0,\"\\ud83d\\ude02\":0}");
	m += (size_t)snprintf(want + m, sizeof(want) - m, "{");
	for (i = 0; i < 100; i++)
		m += (size_t)snprintf(want + m, sizeof(want) - m, "%s\"k%03d\":%d", i ? "," : "", i, i);
	snprintf(want + m, sizeof(want) - m, ",\"\xf0\x9f\x98\x82\":0,\"\xee\x80\x80\":0}\n");
	canon_ok(in, NULL, want);
}

static void test_profiles(void **state)
{
	hx_canon_profile p;
	(void)state;
	assert_int_equal(hx_canon_profile_builtin(&p, "telemetry"), 0);
	assert_string_equal(p.name, "telemetry");
	assert_int_equal(p.nstrip, 3);
	assert_int_equal(p.nround, 4);
	canon_ok("{\"verification_id\":\"u\",\"timestamp\":1700000000.123,\"duration_ms\":12.34567,"
		 "\"cpu_time_ms\":2.675,\"memory_peak_mb\":\"n/a\",\"memory_final_mb\":null,"
		 "\"metadata\":{\"worker\":3,\"engine\":\"sim\"},\"z\":1.23456}",
		 &p,
		 "{\"cpu_time_ms\":2.67,\"duration_ms\":12.35,\"memory_final_mb\":null,"
		 "\"memory_peak_mb\":\"n/a\",\"metadata\":{\"engine\":\"sim\"},\"z\":1.23456}\n");
	hx_canon_profile_release(&p);

	/* telemetry-real: two records of one task that differ only in what a
	 * real process does not reproduce canonicalize to the same line */
	assert_int_equal(hx_canon_profile_builtin(&p, "telemetry-real"), 0);
	assert_string_equal(p.name, "telemetry-real");
	assert_int_equal(p.nround, 0);
	assert_true(hx_canon_profile_is_builtin("telemetry-real"));
	assert_false(hx_canon_profile_is_builtin("telemetry-real.yaml"));
	canon_ok("{\"verification_id\":\"u\",\"timestamp\":1.5,\"module_name\":\"A.B\","
		 "\"outcome\":\"verified\",\"duration_ms\":512.25,\"cpu_time_ms\":300.1,"
		 "\"memory_peak_mb\":65.4,\"exit_code\":0,\"stderr_tail\":\"/tmp/x1/a\","
		 "\"stdout_tail\":\"took 3 ms\",\"messages\":{\"errors\":0},"
		 "\"metadata\":{\"worker\":1,\"engine_version\":\"v1\",\"engine_path\":\"/usr/bin/x\","
		 "\"engine_hash\":\"xxh3-128:01\",\"reason\":\"exit 0\",\"stdout_dropped\":7,"
		 "\"stderr_dropped\":0},\"engine_telemetry\":{\"duration_ms\":4.5,\"timestamp\":9,"
		 "\"goals\":3}}",
		 &p,
		 "{\"engine_telemetry\":{\"goals\":3},\"exit_code\":0,\"messages\":{\"errors\":0},"
		 "\"metadata\":{\"engine_version\":\"v1\",\"reason\":\"exit 0\"},"
		 "\"module_name\":\"A.B\",\"outcome\":\"verified\"}\n");
	canon_ok("{\"verification_id\":\"w\",\"timestamp\":2.5,\"module_name\":\"A.B\","
		 "\"outcome\":\"verified\",\"duration_ms\":498.75,\"cpu_time_ms\":290.7,"
		 "\"memory_peak_mb\":66.1,\"exit_code\":0,\"stderr_tail\":\"/tmp/x2/a\","
		 "\"stdout_tail\":\"took 4 ms\",\"messages\":{\"errors\":0},"
		 "\"metadata\":{\"worker\":0,\"engine_version\":\"v1\",\"engine_path\":\"/opt/x\","
		 "\"engine_hash\":\"xxh3-128:02\",\"reason\":\"exit 0\",\"stdout_dropped\":9,"
		 "\"stderr_dropped\":0},\"engine_telemetry\":{\"duration_ms\":5.5,\"timestamp\":8,"
		 "\"goals\":3}}",
		 &p,
		 "{\"engine_telemetry\":{\"goals\":3},\"exit_code\":0,\"messages\":{\"errors\":0},"
		 "\"metadata\":{\"engine_version\":\"v1\",\"reason\":\"exit 0\"},"
		 "\"module_name\":\"A.B\",\"outcome\":\"verified\"}\n");
	hx_canon_profile_release(&p);

	assert_int_equal(hx_canon_profile_builtin(&p, "none"), 0);
	assert_int_equal(p.nstrip + p.nround, 0);
	hx_canon_profile_release(&p);
	assert_int_equal(hx_canon_profile_builtin(&p, "nope"), HX_ENOTFOUND);
	assert_string_equal(hx_error_last(), "unknown profile 'nope' (built-in: telemetry, telemetry-real, none)");
	hx_canon_profile_release(&p);

	/* wildcards, nested paths, round only touches numbers */
	hx_canon_profile_init(&p);
	assert_int_equal(hx_canon_profile_add_strip(&p, "tactics.*"), 0);
	assert_int_equal(hx_canon_profile_add_strip(&p, "*.host"), 0);
	assert_int_equal(hx_canon_profile_add_round(&p, "stats.*.mean", 1), 0);
	assert_int_equal(hx_canon_profile_add_round_spec(&p, "a.b=0"), 0);
	canon_ok("{\"tactics\":{\"simp\":3,\"ring\":1},\"m\":{\"host\":\"h\",\"k\":1},"
		 "\"host\":\"top\",\"stats\":{\"x\":{\"mean\":1.25,\"sd\":1.25},\"y\":{\"mean\":\"s\"},"
		 "\"z\":[{\"mean\":1.25}]},\"a\":{\"b\":2.5,\"c\":2.5},\"b\":2.5}",
		 &p,
		 "{\"a\":{\"b\":2,\"c\":2.5},\"b\":2.5,\"host\":\"top\",\"m\":{\"k\":1},"
		 "\"stats\":{\"x\":{\"mean\":1.2,\"sd\":1.25},\"y\":{\"mean\":\"s\"},"
		 "\"z\":[{\"mean\":1.25}]},\"tactics\":{}}\n");
	/* a path through a non-object is left alone; root arrays too */
	canon_ok("{\"tactics\":[1,2],\"a\":\"b\"}", &p, "{\"a\":\"b\",\"tactics\":[1,2]}\n");
	canon_ok("[{\"host\":1}]", &p, "[{\"host\":1}]\n");
	hx_canon_profile_release(&p);

	hx_canon_profile_init(&p);
	assert_int_equal(hx_canon_profile_add_strip(&p, "*"), 0);
	canon_ok("{\"a\":1,\"b\":{}}", &p, "{}\n");
	assert_int_equal(hx_canon_profile_add_strip(&p, "a..b"), HX_EINVALID);
	assert_string_equal(hx_error_last(), "invalid path 'a..b'");
	assert_int_equal(hx_canon_profile_add_strip(&p, ""), HX_EINVALID);
	assert_int_equal(hx_canon_profile_add_round_spec(&p, "x=16"), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "invalid round rule 'x=16' (expected FIELD=N with N in 0..15)");
	assert_int_equal(hx_canon_profile_add_round_spec(&p, "x"), HX_EINVALID);
	assert_string_equal(hx_error_last(), "invalid round rule 'x' (expected FIELD=N)");
	assert_int_equal(hx_canon_profile_add_round_spec(&p, "x=-1"), HX_EINVALID);
	assert_int_equal(hx_canon_profile_add_round_spec(&p, "=1"), HX_EINVALID);
	assert_int_equal(hx_canon_profile_add_round(&p, "x", 16), HX_EINVALID);
	hx_canon_profile_release(&p);
	hx_canon_profile_release(NULL);
}

static void test_line_errors(void **state)
{
	(void)state;
	canon_err("{\"a\":1,\"a\":2}", 13, 3, "t.jsonl:3:8: duplicate key 'a'");
	canon_err("{\"a\":NaN}", 9, 1, "t.jsonl:1:6: invalid literal 'NaN'");
	canon_err("{\"a\":\"\xff\"}", 9, 12, "t.jsonl:12:7: invalid utf-8 byte 0xff");
	canon_err("{\"a\":\"\\udead\"}", 14, 2, "t.jsonl:2:7: lone surrogate \\udead");
	canon_err("{\"a\":1}}", 8, 5, "t.jsonl:5:8: unexpected character '}' after value");
	canon_err("{\"a\":", 5, 1, "t.jsonl:1:6: unexpected end of input");
}

/* Stream through fmemopen: blank lines, CRLF, no final newline, errors. */
static int collect(void *ctx, const char *data, size_t len)
{
	hx_buf_put(ctx, data, len);
	return 0;
}

static int refuse(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	hx_error_set("cannot write 'sink'");
	return HX_ESYSTEM;
}

static void stream_case(const char *in, const hx_canon_profile *p, int want_rc, const char *want,
			size_t want_records)
{
	FILE *fp = fmemopen((void *)in, strlen(in), "r");
	hx_buf out;
	size_t records = 12345;
	int rc;
	assert_non_null(fp);
	hx_buf_init(&out);
	rc = hx_canon_stream(fp, "s.jsonl", p, collect, &out, &records);
	fclose(fp);
	assert_int_equal(rc, want_rc);
	if (rc == 0) {
		assert_string_equal(out.ptr, want);
		assert_int_equal(records, want_records);
	} else {
		assert_string_equal(hx_error_last(), want);
	}
	hx_buf_release(&out);
}

static void test_stream(void **state)
{
	(void)state;
	stream_case("", NULL, 0, "", 0);
	stream_case("\n \n\t\r\n", NULL, 0, "", 0);
	stream_case("{\"b\":1,\"a\":2}\n\n[3]\r\n  \n\"x\"", NULL, 0, "{\"a\":2,\"b\":1}\n[3]\n\"x\"\n",
		    3);
	stream_case("{}\n\n{\"a\":1,\n", NULL, HX_EINVALID,
		    "s.jsonl:3:8: unexpected end of input (expected a string key)", 0);
	stream_case("1\n2\n{\"k\":\"\\ud800x\"}\n", NULL, HX_EINVALID,
		    "s.jsonl:3:7: lone surrogate \\ud800", 0);
	{
		FILE *fp = fmemopen((void *)"1\n", 2, "r");
		assert_int_equal(hx_canon_stream(fp, "s", NULL, refuse, NULL, NULL), HX_ESYSTEM);
		assert_string_equal(hx_error_last(), "cannot write 'sink'");
		fclose(fp);
	}
}

/* Lines longer than the read buffer, and enough output to flush repeatedly. */
static void test_stream_big(void **state)
{
	size_t n = 0, cap = 40u << 20, i, records;
	char *in = malloc(cap);
	hx_buf out = HX_BUF_INIT;
	FILE *fp;
	(void)state;
	assert_non_null(in);
	/* one 3 MiB line */
	memcpy(in + n, "{\"s\":\"", 6);
	n += 6;
	memset(in + n, 'q', 3u << 20);
	n += 3u << 20;
	memcpy(in + n, "\"}\n", 3);
	n += 3;
	/* then 200k small lines */
	for (i = 0; i < 200000; i++)
		n += (size_t)snprintf(in + n, cap - n, "{\"i\":%zu,\"f\":%zu.250}\n", i, i);
	fp = fmemopen(in, n, "r");
	assert_non_null(fp);
	assert_int_equal(hx_canon_stream(fp, "big", NULL, collect, &out, &records), 0);
	fclose(fp);
	assert_int_equal(records, 200001);
	assert_int_equal(out.ptr[6 + (3u << 20)], '"');
	assert_non_null(strstr(out.ptr, "\n{\"f\":199999.25,\"i\":199999}\n"));
	assert_int_equal(out.ptr[out.len - 1], '\n');
	hx_buf_release(&out);
	free(in);
}

/* RFC 8785 test vectors: multi-line documents parsed whole. */
static void test_jcs_vectors(void **state)
{
	static const char *const names[] = {"arrays",  "french", "structures",
					    "unicode", "values", "weird"};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512];
		size_t in_len, want_len;
		char *in, *want;
		hx_arena *a = hx_arena_new();
		hx_json *v;
		hx_json_error err;
		hx_buf b = HX_BUF_INIT;
		snprintf(path, sizeof(path), "%s/jcs/input/%s.json", HX_FIXTURES, names[i]);
		in = read_file(path, &in_len);
		snprintf(path, sizeof(path), "%s/jcs/output/%s.json", HX_FIXTURES, names[i]);
		want = read_file(path, &want_len);
		if (hx_json_parse(&v, a, in, in_len, &err) != 0)
			fail_msg("%s: %s", names[i], err.msg);
		hx_canon_serialize(&b, v);
		if (b.len != want_len || memcmp(b.ptr, want, want_len) != 0)
			fail_msg("%s: got '%s' expected '%s'", names[i], b.ptr, want);
		hx_buf_release(&b);
		hx_arena_free(a);
		free(in);
		free(want);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_rules),
		cmocka_unit_test(test_number_fixture),
		cmocka_unit_test(test_number_random),
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_round_random),
		cmocka_unit_test(test_round_text),
		cmocka_unit_test(test_line_lazy_vs_tree),
		cmocka_unit_test(test_line_strip_still_checks),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_escaping_random),
		cmocka_unit_test(test_key_order),
		cmocka_unit_test(test_key_order_large),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_line_errors),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_big),
		cmocka_unit_test(test_jcs_vectors),
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
