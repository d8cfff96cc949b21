/* test_json.c - the strict JSON parser: values, errors (message, line,
 * column), numbers against strtod, equality and the arena. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"

static hx_json *parse_ok(hx_arena *a, const char *text)
{
	hx_json *v = NULL;
	hx_json_error err;
	int rc = hx_json_parse(&v, a, text, strlen(text), &err);
	if (rc != 0)
		fail_msg("parse of '%s' failed: %s", text, err.msg);
	assert_non_null(v);
	return v;
}

/* Parse text[0..len) expecting an error with this message at line:col. */
static void expect_error_n(const char *text, size_t len, const char *msg, size_t line,
			   size_t col)
{
	hx_arena *a = hx_arena_new();
	hx_json *v = NULL;
	hx_json_error err;
	memset(&err, 0, sizeof(err));
	assert_int_equal(hx_json_parse(&v, a, text, len, &err), HX_EINVALID);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, col);
	/* the lazy parser reports the very same errors */
	memset(&err, 0, sizeof(err));
	assert_int_equal(hx_json_parse_lazy(&v, a, text, len, &err), HX_EINVALID);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, col);
	hx_arena_free(a);
}

static void expect_error(const char *text, const char *msg, size_t line, size_t col)
{
	expect_error_n(text, strlen(text), msg, line, col);
}

static void test_values(void **state)
{
	hx_arena *a = hx_arena_new();
	hx_json *v;
	(void)state;
	v = parse_ok(a, " {\"a\": [1, -2.5, true, false, null, \"x\"], \"b\": {}} ");
	assert_int_equal(v->type, HX_JSON_OBJECT);
	assert_int_equal(v->u.object.len, 2);
	assert_string_equal(v->u.object.members[0].key, "a");
	assert_string_equal(v->u.object.members[1].key, "b");
	v = hx_json_get(v, "a");
	assert_non_null(v);
	assert_int_equal(v->type, HX_JSON_ARRAY);
	assert_int_equal(v->u.array.len, 6);
	assert_true(v->u.array.items[0]->u.number == 1.0);
	assert_true(v->u.array.items[1]->u.number == -2.5);
	assert_int_equal(v->u.array.items[2]->type, HX_JSON_TRUE);
	assert_int_equal(v->u.array.items[3]->type, HX_JSON_FALSE);
	assert_int_equal(v->u.array.items[4]->type, HX_JSON_NULL);
	assert_int_equal(v->u.array.items[5]->type, HX_JSON_STRING);
	assert_string_equal(v->u.array.items[5]->u.string.ptr, "x");

	v = parse_ok(a, "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude02\"");
	assert_int_equal(v->u.string.len, 8 + 2 + 4);
	assert_memory_equal(v->u.string.ptr, "\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x82", 14);
	assert_int_equal(v->u.string.ptr[14], '\0');

	/* U+0000 is allowed: lengths are explicit */
	v = parse_ok(a, "\"a\\u0000b\"");
	assert_int_equal(v->u.string.len, 3);
	assert_memory_equal(v->u.string.ptr, "a\0b", 3);

	/* raw UTF-8 of every length */
	v = parse_ok(a, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x82\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"");
	assert_int_equal(v->u.string.len, 2 + 3 + 4 + 4 + 3 + 3);

	v = parse_ok(a, "[]");
	assert_int_equal(v->u.array.len, 0);
	v = parse_ok(a, "-0");
	assert_true(v->u.number == 0 && signbit(v->u.number));
	v = parse_ok(a, "\t\r\n 7 \n");
	assert_true(v->u.number == 7);
	assert_null(hx_json_get(v, "a"));
	hx_arena_free(a);
}

static void test_numbers(void **state)
{
	static const struct {
		const char *text;
		double v;
	} cases[] = {
		{"0", 0.0},
		{"1E30", 1e30},
		{"1e+30", 1e30},
		{"4.50", 4.5},
		{"2e-3", 0.002},
		{"0.000000000000000000000000001", 1e-27},
		{"333333333.33333329", 333333333.33333329},
		{"9007199254740993", 9007199254740992.0},
		{"123e-20", 123e-20},
		{"1.7976931348623157e308", 1.7976931348623157e308},
		{"5e-324", 5e-324},
		{"4.9406564584124654e-324", 5e-324},
		{"1e-400", 0.0},
		{"0.1", 0.1},
		{"2.675", 2.675},
		{"12345678901234567890123", 12345678901234567890123.0},
		/* 1 + 2^-53 is the exact tie between 1 and 1 + 2^-52: to even */
		{"1.00000000000000011102230246251565404236316680908203125", 1.0},
		{"1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002},
		{"1.00000000000000011102230246251565404236316680908203124", 1.0},
	};
	hx_arena *a = hx_arena_new();
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hx_json *v = parse_ok(a, cases[i].text);
		assert_int_equal(v->type, HX_JSON_NUMBER);
		if (v->u.number != cases[i].v)
			fail_msg("'%s' parsed as %.17g, expected %.17g", cases[i].text, v->u.number,
				 cases[i].v);
	}
	hx_arena_free(a);
}

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* The fast path must agree with strtod (correctly rounded) everywhere. */
static void test_numbers_random(void **state)
{
	hx_arena *a = hx_arena_new();
	char text[64];
	int i;
	(void)state;
	for (i = 0; i < 300000; i++) {
		hx_json *v;
		hx_json_error err;
		uint64_t r = rnd();
		/* up to 24 digits: more than the 19 the fast paths keep */
		int digits = 1 + (int)(r % 24), exp = (int)((r >> 8) % 80) - 40, j, n = 0;
		if (r >> 63)
			text[n++] = '-';
		if (((r >> 28) & 7) == 0) {
			/* a fraction with leading zeros: 0.000ddd */
			int zeros = (int)((r >> 32) % 12);
			text[n++] = '0';
			text[n++] = '.';
			while (zeros--)
				text[n++] = '0';
			for (j = 0; j < digits; j++)
				text[n++] = (char)('0' + rnd() % 10);
			text[n] = '\0';
			goto parse;
		}
		text[n++] = (char)('1' + (r >> 16) % 9);
		for (j = 1; j < digits; j++)
			text[n++] = (char)('0' + rnd() % 10);
		if ((r >> 20) & 1) {
			snprintf(text + n, sizeof(text) - (size_t)n, "e%d", exp);
		} else if (digits > 1) {
			/* put a decimal point somewhere inside the digits */
			int at = 1 + (int)((r >> 24) % (unsigned)(digits - 1)) + (text[0] == '-');
			memmove(text + at + 1, text + at, (size_t)(n - at));
			text[at] = '.';
			text[n + 1] = '\0';
		} else {
			text[n] = '\0';
		}
	parse:
		hx_arena_reset(a);
		assert_int_equal(hx_json_parse(&v, a, text, strlen(text), &err), 0);
		if (v->u.number != strtod(text, NULL))
			fail_msg("'%s' parsed as %.17g, strtod says %.17g", text, v->u.number,
				 strtod(text, NULL));
		/* and the lazy mode's conversion, which has fast paths of its own */
		if (hx_json_number_value(text, strlen(text)) != strtod(text, NULL) ||
		    signbit(hx_json_number_value(text, strlen(text))) != signbit(v->u.number))
			fail_msg("'%s' converted to %.17g, strtod says %.17g", text,
				 hx_json_number_value(text, strlen(text)), strtod(text, NULL));
	}
	hx_arena_free(a);
}

/* hx_json_parse_lazy of one number: same acceptance, same error, and
 * hx_json_number_value gives the very double hx_json_parse stores. */
static void expect_lazy_number(const char *text)
{
	hx_arena *a = hx_arena_new();
	hx_json *v = NULL, *l = NULL;
	hx_json_error e1, e2;
	size_t n = strlen(text);
	int r1, r2;
	memset(&e1, 0, sizeof(e1));
	memset(&e2, 0, sizeof(e2));
	r1 = hx_json_parse(&v, a, text, n, &e1);
	r2 = hx_json_parse_lazy(&l, a, text, n, &e2);
	if (r1 != r2)
		fail_msg("'%s': parse %d, lazy parse %d (%s)", text, r1, r2, r2 ? e2.msg : e1.msg);
	if (r1 != 0) {
		assert_string_equal(e1.msg, e2.msg);
		assert_int_equal(e1.offset, e2.offset);
	} else if (v->type == HX_JSON_NUMBER) {
		double x;
		const char *t;
		size_t i;
		assert_int_equal(l->type, HX_JSON_NUMBER);
		x = hx_json_number_value(l->u.lazy.text, l->u.lazy.len);
		if (memcmp(&x, &v->u.number, sizeof(x)) != 0)
			fail_msg("'%s': lazy value %.17g, parsed %.17g", text, x, v->u.number);
		/* the text is the number's own bytes in the input */
		t = l->u.lazy.text;
		assert_true(t >= text && t + l->u.lazy.len <= text + n);
		if (l->u.lazy.plain) {
			/* plain: an integer of at most 15 digits, not -0 */
			assert_true(l->u.lazy.len <= 16);
			for (i = t[0] == '-'; i < l->u.lazy.len; i++)
				assert_true(t[i] >= '0' && t[i] <= '9');
			assert_false(l->u.lazy.len == 2 && t[0] == '-' && t[1] == '0');
		}
	}
	hx_arena_free(a);
}

static void test_lazy(void **state)
{
	static const char *const texts[] = {
		"0", "-0", "1", "-1", "0.0", "-0.0", "1E30", "1e+30", "4.50", "2e-3",
		"123456789012345", "-123456789012345", "1234567890123456", "1.7976931348623157e308",
		"1.7976931348623158e308", "1.7976931348623159e308", "17976931348623158e292",
		"17976931348623159e292", "1e308", "1e309", "-1e309", "9.99e308", "0.1e309",
		"0.1e310", "0.0000001e315", "1e-400", "5e-324", "0e999999999", "1e999999999",
		"1e-999999999", "1e+0000000000000000000000000000000000000000000000002", "01",
		"-", "-a", "1.", "1.e5", ".5", "1e", "1e+", "+1", "--1", "1ee2", "1.5.2",
		"00", "-01", "0x10", "1e5.5", " 12 ", "[1,2.5e3,-0]",
		"100000000000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000",
		"100000000000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000000000000000000000000000"
		"0000000000000000000000000000000000000",
		"0.00000000000000000000000000000000000000000000000000000000000000000000000001e380",
	};
	char text[96];
	size_t i;
	int j;
	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		expect_lazy_number(texts[i]);
	for (j = 0; j < 200000; j++) {
		uint64_t r = rnd();
		int digits = 1 + (int)(r % 25), n = 0, k;
		if (r >> 63)
			text[n++] = '-';
		text[n++] = (char)('0' + (r >> 16) % 10);
		for (k = 1; k < digits; k++) {
			text[n++] = (char)('0' + rnd() % 10);
			if ((r >> 8) % 23 == (unsigned)k)
				text[n++] = '.';
		}
		if ((r >> 20) & 1)
			n += snprintf(text + n, sizeof(text) - (size_t)n, "e%d",
				      (int)((r >> 24) % 700) - 350);
		text[n] = '\0';
		expect_lazy_number(text);
	}
}

/* Lazy strings: without escapes they are the input's own bytes, with
 * escapes decoded copies; values and keys alike. */
static void test_lazy_strings(void **state)
{
	static const char text[] = "{\"plain\": \"abc\", \"esc\\u00e9\": \"a\\nb\", \"\": \"\"}";
	hx_arena *a = hx_arena_new();
	hx_json *v;
	hx_json_error err;
	const hx_json_member *m;
	(void)state;
	assert_int_equal(hx_json_parse_lazy(&v, a, text, sizeof(text) - 1, &err), 0);
	assert_int_equal(v->u.object.len, 3);
	m = v->u.object.members;
	assert_ptr_equal(m[0].key, text + 2);
	assert_int_equal(m[0].key_len, 5);
	assert_ptr_equal(m[0].value->u.string.ptr, text + 11);
	assert_int_equal(m[0].value->u.string.len, 3);
	assert_true(m[0].value->u.string.plain);
	assert_false(m[1].key >= text && m[1].key < text + sizeof(text));
	assert_int_equal(m[1].key_len, 5);
	assert_memory_equal(m[1].key, "esc\xc3\xa9", 5);
	assert_false(m[1].value->u.string.plain);
	assert_memory_equal(m[1].value->u.string.ptr, "a\nb", 3);
	assert_int_equal(m[2].key_len, 0);
	assert_int_equal(m[2].value->u.string.len, 0);
	/* duplicates are found among borrowed and decoded keys alike, and
	 * a short key at the very end of the input is read safely */
	expect_error("{\"ab\":1,\"a\\u0062\":2}", "duplicate key 'ab'", 1, 9);
	assert_int_equal(hx_json_parse_lazy(&v, a, "{\"\":{\"k\":0}}", 12, &err), 0);
	hx_arena_free(a);
}

static void test_errors(void **state)
{
	char deep[1100];
	int i;
	(void)state;
	expect_error("", "unexpected end of input", 1, 1);
	expect_error("{\"a\":1,}", "trailing comma", 1, 8);
	expect_error("[1,]", "trailing comma", 1, 4);
	expect_error("{\"a\" 1}", "unexpected character '1' (expected ':')", 1, 6);
	expect_error("{\"a\":1 \"b\":2}", "unexpected character '\"' (expected ',' or '}')", 1, 8);
	expect_error("[1 2]", "unexpected character '2' (expected ',' or ']')", 1, 4);
	expect_error("{1:2}", "unexpected character '1' (expected a string key)", 1, 2);
	expect_error("{\"a\":1", "unexpected end of input (expected ',' or '}')", 1, 7);
	expect_error("{\"a\":1,\"b\":2,\"a\":3}", "duplicate key 'a'", 1, 14);
	expect_error("{\n  \"x\": {\"k\": 1,\n  \"k\": 2}\n}", "duplicate key 'k'", 3, 3);
	expect_error("[NaN]", "invalid literal 'NaN'", 1, 2);
	expect_error("Infinity", "invalid literal 'Infinity'", 1, 1);
	expect_error("-Infinity", "invalid number '-I'", 1, 1);
	expect_error("tru", "invalid literal 'tru'", 1, 1);
	expect_error("{\"a\":1} x", "unexpected character 'x' after value", 1, 9);
	expect_error("1 2", "unexpected character '2' after value", 1, 3);
	expect_error("01", "invalid number '01'", 1, 1);
	expect_error("[1.]", "invalid number '1.'", 1, 2);
	expect_error("[.5]", "unexpected character '.'", 1, 2);
	expect_error("1e", "invalid number '1e'", 1, 1);
	expect_error("+1", "unexpected character '+'", 1, 1);
	expect_error("1e400", "number out of range '1e400'", 1, 1);
	expect_error("\"abc", "unterminated string", 1, 1);
	expect_error("\"a\nb\"", "control character 0x0a in string", 1, 3);
	expect_error("\"\\x\"", "invalid escape '\\x'", 1, 2);
	expect_error("\"\\u12g4\"", "invalid unicode escape", 1, 2);
	expect_error("\"ab\\ud800\"", "lone surrogate \\ud800", 1, 4);
	expect_error("\"\\udc00\"", "lone surrogate \\udc00", 1, 2);
	expect_error("\"\\ud83d\\u0041\"", "lone surrogate \\ud83d", 1, 2);
	expect_error("\"\\ud83d\\ud83d\"", "lone surrogate \\ud83d", 1, 2);
	expect_error("[\"\xff\"]", "invalid utf-8 byte 0xff", 1, 3);
	expect_error("\"\x80\"", "invalid utf-8 byte 0x80", 1, 2);
	expect_error("\"\xc0\xaf\"", "invalid utf-8 byte 0xc0", 1, 2);
	expect_error("\"\xe0\x80\xaf\"", "overlong utf-8 sequence", 1, 2);
	expect_error("\"\xf0\x80\x80\xaf\"", "overlong utf-8 sequence", 1, 2);
	expect_error("\"\xed\xa0\x80\"", "utf-8 encoded surrogate", 1, 2);
	expect_error("\"\xf4\x90\x80\x80\"", "utf-8 sequence above u+10ffff", 1, 2);
	expect_error("\"\xf5\x80\x80\x80\"", "invalid utf-8 byte 0xf5", 1, 2);
	expect_error("\"abcdefghij\xc3(\"", "truncated utf-8 sequence", 1, 12);
	expect_error("\"\xe2\x82\"", "truncated utf-8 sequence", 1, 2);
	expect_error("\xc3\xa9", "unexpected byte 0xc3", 1, 1);
	expect_error_n("\"a\0\"", 4, "control character 0x00 in string", 1, 3);
	expect_error_n("1\0", 2, "unexpected byte 0x00 after value", 1, 2);

	/* 512 levels are fine, 513 are not */
	for (i = 0; i < 512; i++)
		deep[i] = '[';
	for (i = 0; i < 512; i++)
		deep[512 + i] = ']';
	{
		hx_arena *a = hx_arena_new();
		hx_json *v;
		assert_int_equal(hx_json_parse(&v, a, deep, 1024, NULL), 0);
		hx_arena_free(a);
	}
	for (i = 0; i < 513; i++)
		deep[i] = '[';
	for (i = 0; i < 513; i++)
		deep[513 + i] = ']';
	expect_error_n(deep, 1026, "nesting deeper than 512", 1, 513);
	/* NULL err is allowed */
	{
		hx_arena *a = hx_arena_new();
		hx_json *v;
		assert_int_equal(hx_json_parse(&v, a, "[", 1, NULL), HX_EINVALID);
		hx_arena_free(a);
	}
}

/* Objects above the pairwise threshold use the sorting check. */
static void test_duplicates_large(void **state)
{
	char text[4096];
	size_t n = 0;
	int i;
	hx_arena *a = hx_arena_new();
	hx_json *v;
	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "{");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"k%d\":%d", i ? "," : "", i, i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "}");
	assert_int_equal(hx_json_parse(&v, a, text, n, NULL), 0);
	assert_int_equal(v->u.object.len, 100);
	assert_true(hx_json_get(v, "k42")->u.number == 42);
	/* now make key 77 a copy of key 7: the later one is reported */
	n = 0;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "{");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\"k%d\":0", i ? "," : "",
				      i == 77 ? 7 : i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "}");
	hx_arena_free(a);
	{
		/* offset of the second "k7": find it */
		const char *second = strstr(strstr(text, "\"k7\"") + 1, "\"k7\"");
		expect_error_n(text, n, "duplicate key 'k7'", 1, (size_t)(second - text) + 1);
	}
}

/* Objects of up to 32 members use a hash filter: every position of a
 * duplicate among 2..32 members must be found, and no false alarm raised. */
static void test_duplicates_small(void **state)
{
	char text[2048];
	int n, dup, i;
	(void)state;
	for (n = 2; n <= 32; n++) {
		for (dup = 1; dup < n; dup++) {
			size_t len = 0;
			hx_arena *a = hx_arena_new();
			hx_json *v;
			hx_json_error err;
			/* keys longer than 8 bytes share a prefix: k0 vs k1 differ late */
			len += (size_t)snprintf(text + len, sizeof(text) - len, "{");
			for (i = 0; i < n; i++)
				len += (size_t)snprintf(text + len, sizeof(text) - len,
							"%s\"%s%d\":%d", i ? "," : "",
							i % 2 ? "long-shared-prefix-" : "", i, i);
			len += (size_t)snprintf(text + len, sizeof(text) - len, "}");
			assert_int_equal(hx_json_parse(&v, a, text, len, &err), 0);
			assert_int_equal(v->u.object.len, (size_t)n);
			/* now member `dup` repeats the key of an earlier member */
			len = 0;
			len += (size_t)snprintf(text + len, sizeof(text) - len, "{");
			for (i = 0; i < n; i++) {
				int k = i == dup ? (dup * 5 + n) % dup : i;
				len += (size_t)snprintf(text + len, sizeof(text) - len,
							"%s\"%s%d\":%d", i ? "," : "",
							k % 2 ? "long-shared-prefix-" : "", k, i);
			}
			len += (size_t)snprintf(text + len, sizeof(text) - len, "}");
			hx_arena_reset(a);
			assert_int_equal(hx_json_parse(&v, a, text, len, &err), HX_EINVALID);
			{
				char want[80];
				int k = (dup * 5 + n) % dup;
				snprintf(want, sizeof(want), "duplicate key '%s%d'",
					 k % 2 ? "long-shared-prefix-" : "", k);
				assert_string_equal(err.msg, want);
			}
			hx_arena_free(a);
		}
	}
}

static void test_equal(void **state)
{
	hx_arena *a = hx_arena_new();
	(void)state;
	assert_true(hx_json_equal(parse_ok(a, "{\"a\":[1,{\"b\":null}],\"c\":-0}"),
				  parse_ok(a, "{\"c\":0,\"a\":[1.0,{\"b\":null}]}")));
	assert_false(hx_json_equal(parse_ok(a, "{\"a\":1}"), parse_ok(a, "{\"a\":2}")));
	assert_false(hx_json_equal(parse_ok(a, "{\"a\":1}"), parse_ok(a, "{\"b\":1}")));
	assert_false(hx_json_equal(parse_ok(a, "[1,2]"), parse_ok(a, "[2,1]")));
	assert_false(hx_json_equal(parse_ok(a, "\"a\""), parse_ok(a, "\"a\\u0000\"")));
	assert_false(hx_json_equal(parse_ok(a, "true"), parse_ok(a, "false")));
	assert_true(hx_json_equal(parse_ok(a, "1e2"), hx_json_new_number(a, 100)));
	assert_true(hx_json_equal(parse_ok(a, "\"h\\u00e9\""), hx_json_new_string(a, "h\xc3\xa9", 3)));
	hx_arena_free(a);
}

static void test_arena(void **state)
{
	hx_arena *a = hx_arena_new();
	char *big, *s;
	int i;
	(void)state;
	for (i = 0; i < 100000; i++) {
		char *p = hx_arena_alloc(a, (size_t)(i % 37) + 1);
		assert_int_equal((uintptr_t)p % 8, 0);
		p[0] = 'x';
	}
	big = hx_arena_alloc(a, 10u << 20);
	memset(big, 1, 10u << 20);
	s = hx_arena_strndup(a, "hello world", 5);
	assert_string_equal(s, "hello");
	hx_arena_reset(a);
	s = hx_arena_strndup(a, "again", 5);
	assert_string_equal(s, "again");
	hx_arena_free(a);
	hx_arena_free(NULL);
}

/* A long document with long strings exercises chunk growth in the parser. */
static void test_big_document(void **state)
{
	size_t n = 0, cap = 8u << 20, i;
	char *text = malloc(cap);
	hx_arena *a = hx_arena_new();
	hx_json *v;
	(void)state;
	assert_non_null(text);
	text[n++] = '[';
	for (i = 0; i < 20000; i++) {
		n += (size_t)snprintf(text + n, cap - n, "%s{\"i\":%zu,\"s\":\"", i ? "," : "", i);
		memset(text + n, 'a' + (int)(i % 26), 200);
		n += 200;
		text[n++] = '"';
		text[n++] = '}';
	}
	text[n++] = ']';
	assert_int_equal(hx_json_parse(&v, a, text, n, NULL), 0);
	assert_int_equal(v->u.array.len, 20000);
	assert_true(hx_json_get(v->u.array.items[19999], "i")->u.number == 19999);
	assert_int_equal(hx_json_get(v->u.array.items[5], "s")->u.string.len, 200);
	hx_arena_free(a);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_numbers_random),
		cmocka_unit_test(test_lazy),
		cmocka_unit_test(test_lazy_strings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_duplicates_small),
		cmocka_unit_test(test_duplicates_large),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_arena),
		cmocka_unit_test(test_big_document),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
