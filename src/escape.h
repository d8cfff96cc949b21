/* escape.h - user text made safe to echo on one line: the one escaping of
 * every string an error or a report quotes (a spec value, a key, a path, a
 * command-line argument, a line of a file).
 *
 * The rules are canon's JSON string escaping (RFC 8785, canon.c) for
 * control characters: \b \t \n \f \r, every other byte below 0x20 as
 * \u00XX; further, DEL and the C1 controls (U+0080..U+009F), which a
 * terminal also acts on, as \u007f..\u009f; and each byte that is not
 * part of well-formed UTF-8 (canon refuses those: overlong forms,
 * surrogates, above U+10FFFF, truncated sequences) as \xHH. Everything
 * else, valid multibyte UTF-8 included, is kept.
 *
 * '"', '\\' and '\'' are kept, unlike in canon's strings: the output is
 * printable and escaping it again changes nothing, so a message assembled
 * from text escaped already (hx_error_last() quoted by another message) is
 * never escaped twice. The price is that a literal "\n" in the input reads
 * like an escaped newline; messages are for people, not for parsing.
 *
 * Depends on nothing of ours but buf (for hx_escape_append).
 */
#ifndef HX_ESCAPE_H
#define HX_ESCAPE_H

#include <stddef.h>

#include "buf.h"

/* Escape s[0..len) into out[0..size) (size > 0), always NUL-terminated;
 * when it does not fit, stop before the first character or escape that
 * would not fit whole (never half a UTF-8 sequence or half an escape).
 * Returns the bytes written, the NUL excluded. */
size_t hx_escape_write(char *out, size_t size, const char *s, size_t len);

/* Append the escaped s[0..len) to out. */
void hx_escape_append(hx_buf *out, const char *s, size_t len);

/* 1 when s[0..len) would change when escaped, else 0. */
int hx_escape_needed(const char *s, size_t len);

#endif
