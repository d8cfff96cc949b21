/* test_ydoc.c - the located YAML tree and its typed readers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "ydoc.h"

static hx_ydoc *parse_ok(const char *text)
{
	hx_ydoc *doc = NULL;
	int err = hx_ydoc_parse(&doc, "t.yaml", text, strlen(text));
	if (err)
		fail_msg("parse failed: %s", hx_error_last());
	assert_non_null(doc);
	return doc;
}

static void expect_parse_error(const char *text, const char *msg)
{
	hx_ydoc *doc = (hx_ydoc *)1;
	assert_int_equal(hx_ydoc_parse(&doc, "t.yaml", text, strlen(text)), HX_EINVALID);
	assert_null(doc);
	assert_string_equal(hx_error_last(), msg);
}

static void test_tree_positions(void **state)
{
	hx_ydoc *doc;
	hx_ynode *root, *tiers, *bal, *tags;
	(void)state;

	doc = parse_ok("# comment\n"
		       "experiment: smoke\n"
		       "tiers:\n"
		       "  BALANCED: {timeout_s: 60}\n"
		       "tags: [a, \"b\"]\n");
	root = doc->root;
	assert_int_equal(root->type, HX_Y_MAP);
	assert_int_equal(root->line, 2);
	assert_int_equal(root->col, 1);
	assert_int_equal(root->n, 3);
	assert_string_equal(root->pairs[0].key->scalar, "experiment");
	assert_string_equal(root->pairs[0].value->scalar, "smoke");
	assert_int_equal(root->pairs[0].value->line, 2);
	assert_int_equal(root->pairs[0].value->col, 13);
	tiers = hx_ynode_get(root, "tiers");
	assert_non_null(tiers);
	assert_int_equal(tiers->type, HX_Y_MAP);
	assert_int_equal(tiers->line, 4);
	assert_int_equal(tiers->col, 3);
	bal = hx_ynode_get(tiers, "BALANCED");
	assert_int_equal(bal->line, 4);
	assert_int_equal(bal->col, 13);
	assert_string_equal(hx_ynode_get(bal, "timeout_s")->scalar, "60");
	assert_int_equal(hx_ynode_get(bal, "timeout_s")->col, 25);
	tags = hx_ynode_get(root, "tags");
	assert_int_equal(tags->type, HX_Y_SEQ);
	assert_int_equal(tags->n, 2);
	assert_true(tags->items[0]->plain);
	assert_false(tags->items[1]->plain);
	assert_string_equal(tags->items[1]->scalar, "b");
	assert_int_equal(tags->items[1]->col, 11);
	assert_null(hx_ynode_get(root, "missing"));
	assert_null(hx_ynode_get(tags, "a"));
	hx_ydoc_free(doc);
}

static void test_empty_document(void **state)
{
	hx_ydoc *doc;
	(void)state;
	doc = parse_ok("# nothing here\n");
	assert_null(doc->root);
	assert_true(hx_ynode_is_null(doc->root));
	hx_ydoc_free(doc);
	hx_ydoc_free(NULL);
}

static void test_aliases(void **state)
{
	hx_ydoc *doc;
	hx_ynode *a, *b;
	(void)state;
	doc = parse_ok("base: &d {type: uniform, min_ms: 1}\n"
		       "other: *d\n"
		       "name: &n hello\n"
		       "copy: *n\n");
	a = hx_ynode_get(doc->root, "other");
	assert_int_equal(a->type, HX_Y_MAP);
	assert_int_equal(a->n, 2);
	assert_string_equal(hx_ynode_get(a, "type")->scalar, "uniform");
	/* An alias is located where it is used. */
	assert_int_equal(a->line, 2);
	assert_int_equal(a->col, 8);
	b = hx_ynode_get(doc->root, "copy");
	assert_string_equal(b->scalar, "hello");
	assert_int_equal(b->line, 4);
	hx_ydoc_free(doc);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("seed: 1\nsamples: 2\nseed: 3\n", "t.yaml:3:1: duplicate key 'seed'");
	expect_parse_error("a:\n  b: 1\n  b: 2\n", "t.yaml:3:3: duplicate key 'b'");
	expect_parse_error("? [a]\n: 1\n", "t.yaml:1:3: a mapping key must be a scalar");
	expect_parse_error("a: 1\n---\nb: 2\n", "t.yaml:2:1: multiple documents are not supported");
	expect_parse_error("a: b: c\n", "t.yaml:1:5: mapping values are not allowed in this context");
	expect_parse_error("a: [1, 2\n", "t.yaml:2:1: did not find expected ',' or ']'");
	expect_parse_error("a: *x\n", "t.yaml:1:4: unknown anchor 'x'");
	/* An anchor is usable only once its node is complete: no cycles. */
	expect_parse_error("x: &a [*a]\n", "t.yaml:1:8: unknown anchor 'a'");
	expect_parse_error("a: !foo 1\n", "t.yaml:1:4: unsupported tag '!foo'");
	expect_parse_error("a: 1\nb: \"\xff\"\n", "t.yaml:2:5: invalid leading UTF-8 octet");
}

/* NKEYS keys "key000001: 1" ... "key080000: 80000", each line after
 * `indent`. */
#define NKEYS 80000
static void many_keys(hx_buf *b, const char *indent)
{
	int i;
	for (i = 1; i <= NKEYS; i++)
		hx_buf_printf(b, "%skey%06d: %d\n", indent, i, i);
}

/* 80k top-level keys followed by `tail` fail with `msg`. */
static void expect_after_many_keys(const char *tail, const char *msg)
{
	hx_buf b = HX_BUF_INIT;
	many_keys(&b, "");
	hx_buf_puts(&b, tail);
	expect_parse_error(b.ptr, msg);
	hx_buf_release(&b);
}

/* The duplicate check is a hash set (not a scan of the keys before): it
 * must still find every duplicate, with the same located message. */
static void test_duplicates_among_many_keys(void **state)
{
	hx_buf b = HX_BUF_INIT;
	hx_ydoc *doc;
	(void)state;

	/* 80k distinct keys: all kept, in order. */
	many_keys(&b, "");
	doc = parse_ok(b.ptr);
	assert_int_equal(doc->root->n, NKEYS);
	assert_string_equal(doc->root->pairs[0].key->scalar, "key000001");
	assert_string_equal(doc->root->pairs[NKEYS - 1].key->scalar, "key080000");
	assert_string_equal(hx_ynode_get(doc->root, "key080000")->scalar, "80000");
	assert_string_equal(hx_ynode_get(doc->root, "key040000")->scalar, "40000");
	hx_ydoc_free(doc);

	/* the last key repeats the first, one in the middle, or the last */
	expect_after_many_keys("key000001: 0\n", "t.yaml:80001:1: duplicate key 'key000001'");
	expect_after_many_keys("key040000: 0\n", "t.yaml:80001:1: duplicate key 'key040000'");
	expect_after_many_keys("key080000: 0\n", "t.yaml:80001:1: duplicate key 'key080000'");
	/* the first duplicate in document order is the one reported */
	expect_after_many_keys("key079999: 0\nkey000002: 0\n",
			       "t.yaml:80001:1: duplicate key 'key079999'");

	/* a nested map with 80k keys, duplicate in its last line */
	hx_buf_reset(&b);
	hx_buf_puts(&b, "outer:\n");
	many_keys(&b, "  ");
	hx_buf_puts(&b, "  key012345: 0\n");
	expect_parse_error(b.ptr, "t.yaml:80002:3: duplicate key 'key012345'");
	hx_buf_release(&b);
}

static void test_duplicates_close_keys(void **state)
{
	hx_buf b = HX_BUF_INIT;
	hx_ydoc *doc;
	static const char last[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t i;
	(void)state;

	/* 62 long keys that differ only in their last byte */
	for (i = 0; last[i]; i++)
		hx_buf_printf(&b, "%0200d%c: %zu\n", 0, last[i], i);
	doc = parse_ok(b.ptr);
	assert_int_equal(doc->root->n, 62);
	hx_ydoc_free(doc);
	hx_buf_printf(&b, "%0200dZ: 0\n", 0);
	{
		hx_buf msg = HX_BUF_INIT;
		hx_buf_printf(&msg, "t.yaml:63:1: duplicate key '%0200dZ'", 0);
		expect_parse_error(b.ptr, msg.ptr);
		hx_buf_release(&msg);
	}
	hx_buf_release(&b);

	/* keys that differ in length only, or after a NUL, are different */
	doc = parse_ok("\"a\\0b\": 1\n\"a\\0c\": 2\n\"a\": 3\n\"a\\0\": 4\n\"\": 5\n");
	assert_int_equal(doc->root->n, 5);
	hx_ydoc_free(doc);
	expect_parse_error("\"a\\0b\": 1\n\"a\\0b\": 2\n", "t.yaml:2:1: duplicate key 'a'");
	expect_parse_error("\"\": 1\n? \"\"\n: 2\n", "t.yaml:2:3: duplicate key ''");
	/* a quoted key equals the plain one with the same text */
	expect_parse_error("a: 1\n\"a\": 2\n", "t.yaml:2:1: duplicate key 'a'");
	/* flow maps; the same key in sibling and nested maps is no duplicate */
	expect_parse_error("m: {x: 1, y: 2, x: 3}\n", "t.yaml:1:17: duplicate key 'x'");
	doc = parse_ok("a: {x: 1, y: {x: 2, a: 3}}\nb: {x: 1}\nx: [{x: 1}, {x: 2}]\n");
	assert_int_equal(doc->root->n, 3);
	hx_ydoc_free(doc);
	/* an alias key counts as its text */
	expect_parse_error("&k a: 1\n*k : 2\n", "t.yaml:2:1: duplicate key 'a'");
}

static void test_load_missing_file(void **state)
{
	hx_ydoc *doc = NULL;
	(void)state;
	assert_int_equal(hx_ydoc_load(&doc, HX_FIXTURES "/spec/no-such-file.yaml"), HX_ENOTFOUND);
	assert_null(doc);
	assert_string_equal(hx_error_last(), "cannot open '" HX_FIXTURES
					     "/spec/no-such-file.yaml': No such file or directory");
}

static void test_int(void **state)
{
	hx_ydoc *doc;
	long long v = -7;
	hx_ynode *r;
	(void)state;
	doc = parse_ok("a: 42\nb: -5\nc: 0x1F\nd: 0o17\ne: \"42\"\nf: 1.0\ng: 1e3\nh:\n"
		       "i: 9223372036854775808\nj: [1]\nk: +3\n");
	r = doc->root;
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "a"), "a", 1, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "b"), "b", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "c"), "c", 0, 100, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "d"), "d", 0, 100, &v), 0);
	assert_int_equal(v, 15);
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "k"), "k", 0, 100, &v), 0);
	assert_int_equal(v, 3);

	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "a"), "samples", 1, 10, &v), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:1:4: 'samples' must be an integer from 1 to 10");
	/* A quoted scalar is a string, whatever it looks like. */
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "e"), "e", 0, 100, &v), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:5:4: 'e' must be an integer from 0 to 100");
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "f"), "f", 0, 100, &v), HX_EINVALID);
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "g"), "g", 0, 100000, &v), HX_EINVALID);
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "h"), "h", 0, 100, &v), HX_EINVALID);
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "i"), "i", LLONG_MIN, LLONG_MAX, &v),
			 HX_EINVALID);
	assert_int_equal(hx_ydoc_int(doc, hx_ynode_get(r, "j"), "j", 0, 100, &v), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:10:4: 'j' must be an integer from 0 to 100");
	assert_int_equal(v, 3); /* untouched on error */
	hx_ydoc_free(doc);
}

static void test_u64(void **state)
{
	hx_ydoc *doc;
	uint64_t v = 0;
	hx_ynode *r;
	(void)state;
	doc = parse_ok("a: 18446744073709551615\nb: 18446744073709551616\nc: -1\n"
		       "d: \"42\"\ne: 0\n");
	r = doc->root;
	assert_int_equal(hx_ydoc_u64(doc, hx_ynode_get(r, "a"), "seed", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(hx_ydoc_u64(doc, hx_ynode_get(r, "e"), "seed", &v), 0);
	assert_true(v == 0);
	assert_int_equal(hx_ydoc_u64(doc, hx_ynode_get(r, "b"), "seed", &v), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "t.yaml:2:4: 'seed' must be an integer from 0 to 18446744073709551615");
	assert_int_equal(hx_ydoc_u64(doc, hx_ynode_get(r, "c"), "seed", &v), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "t.yaml:3:4: 'seed' must be an integer from 0 to 18446744073709551615");
	assert_int_equal(hx_ydoc_u64(doc, hx_ynode_get(r, "d"), "seed", &v), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "t.yaml:4:4: 'seed' must be an integer from 0 to 18446744073709551615");
	hx_ydoc_free(doc);
}

static void test_double(void **state)
{
	hx_ydoc *doc;
	double v = -1;
	hx_ynode *r;
	(void)state;
	doc = parse_ok("a: .5\nb: 1e3\nc: 7\nd: .inf\ne: .nan\nf: '0.5'\ng: 1.5\nh: -0.25\n"
		       "i: 0x10\nj: 1.\nk: abc\n");
	r = doc->root;
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "a"), "a", 0, 1, &v), 0);
	assert_true(v == 0.5);
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "b"), "b", 0, INFINITY, &v), 0);
	assert_true(v == 1000.0);
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "c"), "c", 0, 10, &v), 0);
	assert_true(v == 7.0);
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "h"), "h", -1, 1, &v), 0);
	assert_true(v == -0.25);
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "j"), "j", 0, 10, &v), 0);
	assert_true(v == 1.0);

	/* Infinity and NaN are never a finite number, even without bounds. */
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "d"), "d", -INFINITY, INFINITY, &v),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:4:4: 'd' must be a finite number");
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "e"), "e", 0, 1, &v), HX_EINVALID);
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "f"), "timeout_rate", 0, 1, &v),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:6:4: 'timeout_rate' must be a number from 0 to 1");
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "g"), "timeout_rate", 0, 1, &v),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:7:4: 'timeout_rate' must be a number from 0 to 1");
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "i"), "i", 0, 100, &v), HX_EINVALID);
	assert_int_equal(hx_ydoc_double(doc, hx_ynode_get(r, "k"), "min_ms", 0, INFINITY, &v),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:11:4: 'min_ms' must be a number at least 0");

	assert_int_equal(hx_ydoc_double_gt(doc, hx_ynode_get(r, "c"), "t", 0, 86400, &v), 0);
	assert_true(v == 7.0);
	assert_int_equal(hx_ydoc_double_gt(doc, hx_ynode_get(r, "h"), "timeout_s", 0, 86400, &v),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "t.yaml:8:4: 'timeout_s' must be a number greater than 0 and at most 86400");
	assert_int_equal(hx_ydoc_double_gt(doc, hx_ynode_get(r, "h"), "mean_ms", 0, INFINITY, &v),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:8:4: 'mean_ms' must be a number greater than 0");
	hx_ydoc_free(doc);
}

static void test_bool_string_null(void **state)
{
	hx_ydoc *doc;
	hx_ynode *r;
	int b = -1;
	char *s = NULL;
	(void)state;
	doc = parse_ok("a: true\nb: FALSE\nc: yes\nd: \"true\"\ne: ~\nf: null\ng:\nh: ''\n"
		       "i: 4.12\nj: {x: 1}\n");
	r = doc->root;
	assert_int_equal(hx_ydoc_bool(doc, hx_ynode_get(r, "a"), "a", &b), 0);
	assert_int_equal(b, 1);
	assert_int_equal(hx_ydoc_bool(doc, hx_ynode_get(r, "b"), "b", &b), 0);
	assert_int_equal(b, 0);
	/* YAML 1.2: yes/no/on/off are strings. */
	assert_int_equal(hx_ydoc_bool(doc, hx_ynode_get(r, "c"), "noise_enabled", &b), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:3:4: 'noise_enabled' must be true or false");
	assert_int_equal(hx_ydoc_bool(doc, hx_ynode_get(r, "d"), "d", &b), HX_EINVALID);

	assert_true(hx_ynode_is_null(hx_ynode_get(r, "e")));
	assert_true(hx_ynode_is_null(hx_ynode_get(r, "f")));
	assert_true(hx_ynode_is_null(hx_ynode_get(r, "g")));
	assert_false(hx_ynode_is_null(hx_ynode_get(r, "h")));
	assert_false(hx_ynode_is_null(hx_ynode_get(r, "a")));

	assert_int_equal(hx_ydoc_string(doc, hx_ynode_get(r, "i"), "version", &s), 0);
	assert_string_equal(s, "4.12");
	free(s);
	assert_int_equal(hx_ydoc_string(doc, hx_ynode_get(r, "h"), "h", &s), 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(hx_ydoc_string(doc, hx_ynode_get(r, "f"), "experiment", &s), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:6:4: 'experiment' must be a string");
	assert_int_equal(hx_ydoc_string(doc, hx_ynode_get(r, "j"), "experiment", &s), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:10:4: 'experiment' must be a string");

	assert_int_equal(hx_ydoc_expect(doc, hx_ynode_get(r, "j"), HX_Y_MAP, "j"), 0);
	assert_int_equal(hx_ydoc_expect(doc, hx_ynode_get(r, "a"), HX_Y_MAP, "engine"), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:1:4: 'engine' must be a mapping");
	assert_int_equal(hx_ydoc_expect(doc, hx_ynode_get(r, "j"), HX_Y_SEQ, "tags"), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:10:4: 'tags' must be a list");
	hx_ydoc_free(doc);
}

static void test_keys(void **state)
{
	static const char *const allowed[] = {"experiment", "seed", "samples", "tiers", NULL};
	static const char *const required[] = {"seed", "experiment", NULL};
	static const char *const kinds[] = {"uniform", "exponential", "fixed", NULL};
	hx_ydoc *doc;
	int idx = -1;
	(void)state;

	doc = parse_ok("experiment: x\nsampels: 3\n");
	assert_int_equal(hx_ydoc_check_keys(doc, doc->root, allowed), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:2:1: unknown key 'sampels' (did you mean 'samples'?)");
	assert_int_equal(hx_ydoc_require(doc, doc->root, required), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:1:1: missing key 'seed'");
	hx_ydoc_free(doc);

	doc = parse_ok("seed: 1\nexperiment: x\ncolour: blue\n");
	assert_int_equal(hx_ydoc_require(doc, doc->root, required), 0);
	assert_int_equal(hx_ydoc_check_keys(doc, doc->root, allowed), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:3:1: unknown key 'colour'");
	hx_ydoc_free(doc);

	doc = parse_ok("tiers: {BALANCD: 1}\na: unifrom\nb: gauss\nc: fixed\n");
	assert_int_equal(hx_ydoc_check_names(doc, hx_ynode_get(doc->root, "tiers"),
					     (const char *const[]){"FAST", "BALANCED", "SLOW", NULL},
					     "tier"),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:1:9: unknown tier 'BALANCD' (did you mean 'BALANCED'?)");
	assert_int_equal(hx_ydoc_enum(doc, hx_ynode_get(doc->root, "a"), "type", kinds, &idx),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:2:4: unknown type 'unifrom' (did you mean 'uniform'?)");
	assert_int_equal(hx_ydoc_enum(doc, hx_ynode_get(doc->root, "b"), "type", kinds, &idx),
			 HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "t.yaml:3:4: unknown type 'gauss' (known: uniform, exponential, fixed)");
	assert_int_equal(hx_ydoc_enum(doc, hx_ynode_get(doc->root, "c"), "type", kinds, &idx), 0);
	assert_int_equal(idx, 2);
	hx_ydoc_free(doc);

	/* An empty document is missing everything, located at its start. */
	doc = parse_ok("");
	assert_int_equal(hx_ydoc_require(doc, doc->root, required), HX_EINVALID);
	assert_string_equal(hx_error_last(), "t.yaml:1:1: missing key 'seed'");
	hx_ydoc_free(doc);
}

static void test_edit_distance(void **state)
{
	static const char *const known[] = {"samples", "seed", "experiment", NULL};
	(void)state;
	assert_int_equal(hx_edit_distance("", ""), 0);
	assert_int_equal(hx_edit_distance("abc", ""), 3);
	assert_int_equal(hx_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(hx_edit_distance("sampels", "samples"), 2);
	assert_string_equal(hx_ydoc_suggest("sampels", known), "samples");
	assert_string_equal(hx_ydoc_suggest("sed", known), "seed");
	assert_string_equal(hx_ydoc_suggest("exprimnt", known), "experiment");
	/* A third of a long word: 4 edits in 19 characters still hint. */
	assert_int_equal(hx_edit_distance("mx_escalaton_atempt", "max_escalation_attempts"), 4);
	assert_string_equal(hx_ydoc_suggest("mx_escalaton_atempt",
					    (const char *const[]){"max_escalation_attempts", NULL}),
			    "max_escalation_attempts");
	assert_null(hx_ydoc_suggest("mx_esclaton_atmpt",
				    (const char *const[]){"max_escalation_attempts", NULL}));
	assert_null(hx_ydoc_suggest("colour", known));
	assert_null(hx_ydoc_suggest("workers", known));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_positions),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_duplicates_among_many_keys),
		cmocka_unit_test(test_duplicates_close_keys),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_bool_string_null),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_edit_distance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
