/* test_json_flat.c - the one-pass reader of flat rows (hx_json_scan_flat,
 * hx_json_scan_flat_shape) against the tree parser: on every row it reads,
 * the very members and values hx_json_parse_flags gives; on every row the
 * parser rejects, -1. Random rows, both clean and broken, and the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

#define CAP 16

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

typedef struct {
	char s[2048];
	size_t n;
} row_t;

static void put(row_t *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	r->n += (size_t)vsnprintf(r->s + r->n, sizeof(r->s) - r->n, fmt, ap);
	va_end(ap);
	assert_true(r->n < sizeof(r->s));
}

static void put_ws(row_t *r)
{
	static const char *ws[] = {"", "", "", " ", "  ", "\t", "\n", " \r\n "};
	put(r, "%s", ws[pick(8)]);
}

static void put_digits(row_t *r, unsigned n, int lead_nonzero)
{
	unsigned i;
	for (i = 0; i < n; i++)
		put(r, "%c", (char)((i == 0 && lead_nonzero) ? '1' + pick(9) : '0' + pick(10)));
}

/* A number, mostly valid: every form the grammar has, lengths on both
 * sides of the 32-byte window, exponents up to out of range. */
static void put_number(row_t *r)
{
	unsigned k = pick(16);
	if (pick(2))
		put(r, "-");
	if (k == 0) {
		put(r, "0");
	} else if (k == 1) {
		put(r, "0%u", pick(10)); /* a leading zero: invalid unless 0 */
	} else {
		put_digits(r, 1 + pick(k < 12 ? 18 : 40), 1);
	}
	if (pick(2)) {
		put(r, ".");
		if (pick(40))
			put_digits(r, pick(3) ? 1 + pick(17) : 1 + pick(40), 0);
	}
	if (pick(5) == 0) {
		static const char *e[] = {"e", "E", "e+", "e-", "E-"};
		put(r, "%s", e[pick(5)]);
		if (pick(30))
			put(r, "%u", pick(3) ? pick(30) : pick(2) ? 300 + pick(30) : 99999 + pick(9));
	}
}

static void put_string(row_t *r)
{
	static const char *s[] = {"Normal", "", "Warning", "a b", "x\\\"y", "tab\\t", "\xc3\xa9t\xc3\xa9",
				  "ctl\x01", "long string of some thirty bytes..", "\\u0041"};
	put(r, "\"%s\"", s[pick(pick(4) ? 4 : 10)]);
}

static void put_key(row_t *r, unsigned i)
{
	static const char *k[] = {"basis_usd", "t", "pnl_total", "kill_switch", "risk_regime", "",
				  "q_global_tao", "a", "b", "k\\\"q", "caf\xc3\xa9"};
	if (pick(6))
		put(r, "\"key%u\"", i); /* distinct */
	else
		put(r, "\"%s\"", k[pick(pick(3) ? 9 : 11)]);
}

static void put_value(row_t *r)
{
	static const char *lit[] = {"true", "false", "null", "NaN", "Infinity", "-Infinity",
				    "nul", "truex", "{}", "[1,2]", "{\"a\":1}", "NaNa"};
	unsigned k = pick(10);
	if (k < 5)
		put_number(r);
	else if (k < 8)
		put_string(r);
	else
		put(r, "%s", lit[pick(pick(3) ? 6 : 12)]);
}

static void make_row(row_t *r)
{
	unsigned n = pick(pick(10) ? 11 : CAP + 4), i;
	r->n = 0;
	put_ws(r);
	put(r, "{");
	put_ws(r);
	for (i = 0; i < n; i++) {
		if (i) {
			put(r, ",");
			put_ws(r);
		}
		put_key(r, i);
		if (pick(8) == 0)
			put_ws(r);
		put(r, ":");
		put_ws(r);
		put_value(r);
		if (pick(8) == 0)
			put_ws(r);
	}
	put(r, "}");
	put_ws(r);
	switch (pick(20)) {
	case 0: /* cut short */
		r->n = pick((unsigned)r->n + 1);
		break;
	case 1: /* a byte dropped */
		if (r->n > 1) {
			size_t at = pick((unsigned)r->n);
			memmove(r->s + at, r->s + at + 1, r->n - at - 1);
			r->n--;
		}
		break;
	case 2: /* trailing junk */
		put(r, "%s", pick(2) ? "," : "x");
		break;
	default:
		break;
	}
	r->s[r->n] = '\0';
}

/* The JSON grammar of a number, written out here on its own (the scan and
 * the parser share their number reader, so comparing them cannot catch a
 * fault in it): 1 when text[0..n) is -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number_ok(const char *t, size_t n)
{
	size_t i = 0;
	if (i < n && t[i] == '-')
		i++;
	if (i < n && t[i] == '0')
		i++;
	else if (i < n && t[i] >= '1' && t[i] <= '9')
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && t[i] == '.') {
		size_t d = ++i;
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		size_t d;
		i++;
		if (i < n && (t[i] == '+' || t[i] == '-'))
			i++;
		d = i;
		while (i < n && t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	return i == n;
}

/* A number value checked against the text alone: the grammar, where it
 * ends (strtod stops there too), its value, and plain exactly for
 * integers of at most 15 digits other than -0. */
static void expect_number(const hx_json *v)
{
	const char *t = v->u.lazy.text;
	size_t n = v->u.lazy.len, digits;
	char buf[256], *end;
	int neg = t[0] == '-';
	if (t[neg] == 'N' || t[neg] == 'I')
		return;
	if (!json_number_ok(t, n))
		fail_msg("'%.*s' is not a JSON number", (int)n, t);
	assert_true(n < sizeof(buf));
	memcpy(buf, t, n);
	buf[n] = '\0';
	assert_true(hx_json_number_value(t, n) == strtod(buf, &end));
	assert_ptr_equal(end, buf + n);
	digits = strspn(buf + neg, "0123456789");
	if (v->u.lazy.plain != (neg + digits == n && digits <= 15 && strcmp(buf, "-0") != 0))
		fail_msg("'%s': plain %d", buf, v->u.lazy.plain);
}

/* The scan's result n (>= 0) is the parser's tree, member by member. */
static void expect_same(const row_t *r, long n, const hx_json_member *m, const hx_json *root)
{
	size_t i;
	assert_int_equal(root->type, HX_JSON_OBJECT);
	if ((size_t)n != root->u.object.len)
		fail_msg("'%s': %ld members, the parser has %zu", r->s, n, root->u.object.len);
	for (i = 0; i < (size_t)n; i++) {
		const hx_json_member *pm = &root->u.object.members[i];
		const hx_json *a = m[i].value, *b = pm->value;
		assert_int_equal(m[i].key_len, pm->key_len);
		assert_memory_equal(m[i].key, pm->key, pm->key_len);
		if (a->type != b->type)
			fail_msg("'%s': member %zu has type %d, the parser's %d", r->s, i, a->type,
				 b->type);
		if (a->type == HX_JSON_NUMBER) {
			expect_number(a);
			assert_ptr_equal(a->u.lazy.text, b->u.lazy.text);
			assert_int_equal(a->u.lazy.len, b->u.lazy.len);
			if (a->u.lazy.plain != b->u.lazy.plain)
				fail_msg("'%.*s': plain %d, the parser's %d", (int)a->u.lazy.len,
					 a->u.lazy.text, a->u.lazy.plain, b->u.lazy.plain);
		} else if (a->type == HX_JSON_STRING) {
			assert_ptr_equal(a->u.string.ptr, b->u.string.ptr);
			assert_int_equal(a->u.string.len, b->u.string.len);
			assert_int_equal(a->u.string.plain, b->u.string.plain);
		}
	}
}

static void random_rows(int flags)
{
	hx_arena *a = hx_arena_new();
	hx_json_member m[CAP];
	hx_json v[CAP];
	row_t r;
	int i, read = 0, rejected_valid = 0, invalid = 0;
	for (i = 0; i < 200000; i++) {
		hx_json *root = NULL;
		hx_json_error err;
		long n;
		int prc;
		make_row(&r);
		n = hx_json_scan_flat(r.s, r.n, flags, m, v, CAP);
		hx_arena_reset(a);
		prc = hx_json_parse_flags(&root, a, r.s, r.n, HX_JSON_LAZY | flags, &err);
		if (prc != 0) {
			invalid++;
			if (n != -1)
				fail_msg("'%s': read as %ld members, the parser says %s", r.s, n, err.msg);
			continue;
		}
		if (n < 0) {
			rejected_valid++;
			continue;
		}
		read++;
		expect_same(&r, n, m, root);
	}
	print_message("read %d, valid but left to the parser %d, invalid %d\n", read, rejected_valid, invalid);
	/* all three kinds came up often enough to mean something */
	assert_true(read > 20000);
	assert_true(rejected_valid > 5000);
	assert_true(invalid > 20000);
	hx_arena_free(a);
}

static void test_random_rows(void **state)
{
	(void)state;
	random_rows(0);
}

static void test_random_rows_nonfinite(void **state)
{
	(void)state;
	random_rows(HX_JSON_NONFINITE);
}

/* Rows with the keys of the row before are read against them: the same
 * members and values as the plain scan, *same set exactly then. */
static void test_shape_stream(void **state)
{
	hx_json_shape *sh = hx_json_shape_new();
	hx_json_member m[CAP], m2[CAP];
	hx_json v[CAP], v2[CAP];
	static const char *rows[] = {
		"{\"t\":0,\"pnl\":1.5,\"regime\":\"Normal\",\"kill\":false}",
		"{\"t\":1,\"pnl\":-2.25,\"regime\":\"Warning\",\"kill\":false}",
		"{\"t\": 2, \"pnl\": 3e5, \"regime\": \"Hard\", \"kill\": true}", /* blanks: same */
		"{\"t\":3,\"pnl\":4,\"regime\":\"Hard\"}",                        /* one fewer */
		"{\"t\":4,\"pnl\":4,\"regime\":\"Hard\"}",                        /* same again */
		"{\"t\":5,\"pnl\":4,\"regime\":\"Hard\",\"extra\":null}",         /* one more */
		"{\"t\":6,\"pnl\":4,\"regime\":\"Ha\\u0072d\",\"extra\":null}",   /* escape: -1 */
		"{\"t\":7,\"pnl\":4,\"regime\":\"Hard\",\"extra\":null}",         /* same as 5 */
		"{\"t\":8,\"pnl\":4,\"regime\":\"Hard\",\"extrb\":null}",         /* a key differs */
		"{\"t\":9,\"pnl\":4,\"regime\":\"Hard\",\"extrb\":null,\"t\":1}", /* duplicate: -1 */
		"{\"t\" :10,\"pnl\":4,\"regime\":\"Hard\",\"extrb\":null}",       /* blank before ':' */
		"{\"t\" :11,\"pnl\":4,\"regime\":\"Hard\",\"extrb\":null}",       /* not kept: not same */
		"{\"t\":12,\"pnl\":4,\"regime\":\"Hard\",\"extrb\":null}",
		"{\"t\":13,\"pnl\":4,\"regime\":\"Hard\",\"extrb\":null}",
		"{\"t\":14,\"pnl\":4,\"regime\":\"Hard\",\"extrb\":nul}", /* broken value: -1 */
		"{\"t\":15,\"pnl\":4,\"regime\":\"Hard\",\"extrb\":null}x", /* trailing junk: -1 */
		"{\"t\":16,\"pnl\":4,\"regime\":\"Hard\",\"extrb\":null}",
	};
	static const int want_same[] = {0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1};
	static const long want_n[] = {4, 4, 4, 3, 3, 4, -1, 4, 4, -1, 4, 4, 4, 4, -1, -1, 4};
	size_t i, j;
	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int same = -1;
		long n = hx_json_scan_flat_shape(sh, rows[i], strlen(rows[i]), 0, m, v, CAP, &same);
		long n2 = hx_json_scan_flat(rows[i], strlen(rows[i]), 0, m2, v2, CAP);
		if (n != want_n[i] || same != want_same[i])
			fail_msg("row %zu: %ld members, same %d; want %ld, %d", i, n, same, want_n[i],
				 want_same[i]);
		assert_int_equal(n, n2);
		for (j = 0; n > 0 && j < (size_t)n; j++) {
			assert_ptr_equal(m[j].key, m2[j].key);
			assert_int_equal(m[j].key_len, m2[j].key_len);
			assert_ptr_equal(m[j].value, &v[j]);
			assert_int_equal(v[j].type, v2[j].type);
			if (v[j].type == HX_JSON_NUMBER) {
				assert_ptr_equal(v[j].u.lazy.text, v2[j].u.lazy.text);
				assert_int_equal(v[j].u.lazy.len, v2[j].u.lazy.len);
				assert_int_equal(v[j].u.lazy.plain, v2[j].u.lazy.plain);
			} else if (v[j].type == HX_JSON_STRING) {
				assert_ptr_equal(v[j].u.string.ptr, v2[j].u.string.ptr);
				assert_int_equal(v[j].u.string.len, v2[j].u.string.len);
			}
		}
	}
	hx_json_shape_free(sh);
	hx_json_shape_free(NULL);
}

static void test_edges(void **state)
{
	hx_json_member m[CAP];
	hx_json v[CAP];
	static const struct {
		const char *text;
		int flags;
		long n;
	} cases[] = {
		{"{}", 0, 0},
		{" \t{ } \r\n", 0, 0},
		{"{\"a\":1}", 0, 1},
		{"{\"a\" : 1 , \"b\" :\"x\" }", 0, 2},
		{"{\"\":0}", 0, 1},
		{"{\"a\":1,}", 0, -1},
		{"{\"a\":1", 0, -1},
		{"{\"a\":1}}", 0, -1},
		{"{\"a\":1,\"a\":2}", 0, -1},
		{"{\"a\":NaN}", 0, -1},
		{"{\"a\":NaN}", HX_JSON_NONFINITE, 1},
		{"{\"a\":-Infinity,\"b\":Infinity}", HX_JSON_NONFINITE, 2},
		{"{\"a\":-Inf}", HX_JSON_NONFINITE, -1},
		{"{\"a\":[]}", 0, -1},
		{"[1]", 0, -1},
		{"", 0, -1},
		{"{\"a\":1e309}", 0, -1},
		{"{\"a\":01}", 0, -1},
		{"{\"a\":1.}", 0, -1},
		{"{\"a\":-}", 0, -1},
		/* numbers right at the 32-byte window of the fast number path */
		{"{\"a\":1234567890123456789012345678901,\"b\":0}", 0, 2},
		{"{\"a\":12345678901234567890123456789012,\"b\":0}", 0, 2},
		{"{\"a\":1.23456789012345678901234567890,\"b\":0}", 0, 2},
		{"{\"a\":1.234567890123456789012345678901,\"b\":0}", 0, 2},
		{"{\"a\":1.2345678901234567890123456789012e5,\"b\":0}", 0, 2},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long n = hx_json_scan_flat(cases[i].text, strlen(cases[i].text), cases[i].flags, m, v,
					   CAP);
		if (n != cases[i].n)
			fail_msg("'%s': %ld, want %ld", cases[i].text, n, cases[i].n);
	}
	/* more members than the caller has room for */
	assert_int_equal(hx_json_scan_flat("{\"a\":1,\"b\":2,\"c\":3}", 19, 0, m, v, 2), -1);
	assert_int_equal(hx_json_scan_flat("{\"a\":1,\"b\":2}", 13, 0, m, v, 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_rows),
		cmocka_unit_test(test_random_rows_nonfinite),
		cmocka_unit_test(test_shape_stream),
		cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
