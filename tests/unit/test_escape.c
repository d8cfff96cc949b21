/* test_escape.c - the one escaping of user text in errors and reports, and
 * the error slot that applies it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "escape.h"

/* s[0..len) escaped with both entry points, which must agree. */
static void expect_escape(const char *s, size_t len, const char *want)
{
	hx_buf b = HX_BUF_INIT;
	char out[256];

	hx_buf_puts(&b, "<");
	hx_escape_append(&b, s, len);
	assert_string_equal(b.ptr + 1, want);
	assert_int_equal(hx_escape_write(out, sizeof(out), s, len), strlen(want));
	assert_string_equal(out, want);
	assert_int_equal(hx_escape_needed(s, len), strlen(want) != len || memcmp(want, s, len) != 0);
	hx_buf_release(&b);
}

#define ESC(lit, want) expect_escape(lit, sizeof(lit) - 1, want)

static void test_controls(void **state)
{
	(void)state;
	ESC("a\nb", "a\\nb");
	ESC("a\tb", "a\\tb");
	ESC("\r\b\f", "\\r\\b\\f");
	/* canon's \u00XX for the other C0 controls, NUL included */
	ESC("\x01\x1b[31m\x1f", "\\u0001\\u001b[31m\\u001f");
	ESC("a\0b", "a\\u0000b");
	/* DEL and the C1 controls (valid UTF-8, but a terminal acts on them) */
	ESC("\x7f", "\\u007f");
	ESC("\xc2\x80|\xc2\x9b|\xc2\x9f", "\\u0080|\\u009b|\\u009f");
	ESC("", "");
}

static void test_utf8(void **state)
{
	(void)state;
	/* well-formed multibyte UTF-8 is kept: 2, 3 and 4 bytes, U+00A0 (the
	 * first after C1), U+FFFF, U+10FFFF */
	ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	ESC("\xc2\xa0\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\xc2\xa0\xef\xbf\xbf\xf4\x8f\xbf\xbf");
	/* each byte that is not part of well-formed UTF-8 is \xHH */
	ESC("\xff", "\\xff");
	ESC("a\xfe\xff" "b", "a\\xfe\\xffb");
	ESC("\x80", "\\x80");                         /* lone continuation */
	ESC("\xc3", "\\xc3");                         /* truncated at the end */
	ESC("\xc3(", "\\xc3(");                       /* bad continuation */
	ESC("\xe2\x82", "\\xe2\\x82");                /* truncated 3-byte */
	ESC("\xc0\xaf", "\\xc0\\xaf");                /* overlong '/' */
	ESC("\xe0\x80\xaf", "\\xe0\\x80\\xaf");       /* overlong, 3 bytes */
	ESC("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf"); /* overlong, 4 bytes */
	ESC("\xed\xa0\x80", "\\xed\\xa0\\x80");       /* a surrogate, U+D800 */
	ESC("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
	ESC("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	/* a bad byte does not swallow the valid character after it */
	ESC("\xe2\xe2\x82\xac", "\\xe2\xe2\x82\xac");
}

/* Quotes and backslashes are kept: escaping twice changes nothing. */
static void test_idempotent(void **state)
{
	const char raw[] = "it's \"q\" \\ a\nb\x01\xff\xc2\x85\xe2\x82\xac";
	hx_buf once = HX_BUF_INIT, twice = HX_BUF_INIT;
	(void)state;
	hx_escape_append(&once, raw, sizeof(raw) - 1);
	assert_string_equal(once.ptr, "it's \"q\" \\ a\\nb\\u0001\\xff\\u0085\xe2\x82\xac");
	assert_int_equal(hx_escape_needed(once.ptr, once.len), 0);
	hx_escape_append(&twice, once.ptr, once.len);
	assert_string_equal(twice.ptr, once.ptr);
	hx_buf_release(&once);
	hx_buf_release(&twice);
}

/* A fixed buffer is cut between characters and escapes, never inside. */
static void test_write_truncates_whole_units(void **state)
{
	char out[8];
	(void)state;
	assert_int_equal(hx_escape_write(out, sizeof(out), "abcdefghij", 10), 7);
	assert_string_equal(out, "abcdefg");
	/* "ab" + "\u0001" (6) does not fit in 7 */
	assert_int_equal(hx_escape_write(out, sizeof(out), "ab\x01z", 4), 2);
	assert_string_equal(out, "ab");
	/* "abcde" + a 3-byte euro sign does not fit either */
	assert_int_equal(hx_escape_write(out, sizeof(out), "abcde\xe2\x82\xac", 8), 5);
	assert_string_equal(out, "abcde");
	assert_int_equal(hx_escape_write(out, 1, "abc", 3), 0);
	assert_string_equal(out, "");
}

/* The error slot escapes what it stores: every error is one line. */
static void test_error_slot(void **state)
{
	char big[3000];
	const char *m;
	(void)state;
	hx_error_set("experiment name '%s' is not valid", "a\nb\n");
	assert_string_equal(hx_error_last(), "experiment name 'a\\nb\\n' is not valid");
	/* quoting hx_error_last() (escaped) does not escape it twice */
	{
		char copy[1024];
		strcpy(copy, hx_error_last());
		hx_error_set("f.yaml:1:1: %s", copy);
		assert_string_equal(hx_error_last(), "f.yaml:1:1: experiment name 'a\\nb\\n' is not valid");
	}
	hx_error_set_errno(ENOENT, "cannot open '%s'", "x\ny\x01\xfe");
	assert_string_equal(hx_error_last(), "cannot open 'x\\ny\\u0001\\xfe': No such file or directory");
	/* a message past the slot's 1023 bytes is cut between characters */
	memset(big, 'a', sizeof(big));
	big[1021] = '\xe2'; /* a euro sign in bytes 1021..1023: one too far */
	big[1022] = '\x82';
	big[1023] = '\xac';
	big[sizeof(big) - 1] = '\0';
	hx_error_set("%s", big);
	m = hx_error_last();
	assert_int_equal(strlen(m), 1021);
	hx_error_set("%s", big + 1); /* now in bytes 1020..1022: kept whole */
	m = hx_error_last();
	assert_int_equal(strlen(m), 1023);
	assert_memory_equal(m + 1020, "\xe2\x82\xac", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_write_truncates_whole_units),
		cmocka_unit_test(test_error_slot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
