/* escape.c - see escape.h for the rules. */
#include "escape.h"

#include <string.h>

/* The length of the well-formed UTF-8 sequence starting at s (s[0] >=
 * 0x80), or 0 when there is none: the same rules as json.c's reader. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	unsigned c = s[0], cp;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0; /* a continuation byte, C0/C1 (overlong) or F5..FF */
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The next unit of s[0..len) (len > 0): returns the bytes it takes; when
 * it must be escaped, the escape is in esc[0..*esc_len), else *esc_len is
 * 0 and the bytes are kept. */
static size_t next_unit(const unsigned char *s, size_t len, char esc[8], size_t *esc_len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned c = s[0];
	size_t n;

	*esc_len = 0;
	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c < 0x20 || c == 0x7f) {
		static const char short_form[] = {['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',
						  ['\f'] = 'f', ['\r'] = 'r'};
		esc[0] = '\\';
		if (c < sizeof(short_form) && short_form[c]) {
			esc[1] = short_form[c];
			*esc_len = 2;
		} else {
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			*esc_len = 6;
		}
		return 1;
	}
	n = utf8_len(s, len);
	if (n == 2 && c == 0xc2 && s[1] < 0xa0) { /* U+0080..U+009F */
		memcpy(esc, "\\u00", 4);
		esc[4] = hex[s[1] >> 4];
		esc[5] = hex[s[1] & 15];
		*esc_len = 6;
		return 2;
	}
	if (n)
		return n;
	esc[0] = '\\';
	esc[1] = 'x';
	esc[2] = hex[c >> 4];
	esc[3] = hex[c & 15];
	*esc_len = 4;
	return 1;
}

size_t hx_escape_write(char *out, size_t size, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, o = 0, n, elen;
	char esc[8];

	while (i < len) {
		n = next_unit(s + i, len - i, esc, &elen);
		if (o + (elen ? elen : n) >= size)
			break;
		memcpy(out + o, elen ? esc : str + i, elen ? elen : n);
		o += elen ? elen : n;
		i += n;
	}
	out[o] = '\0';
	return o;
}

void hx_escape_append(hx_buf *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, n, elen;
	char esc[8];

	while (i < len) {
		n = next_unit(s + i, len - i, esc, &elen);
		if (elen) {
			hx_buf_put(out, str + run, i - run);
			hx_buf_put(out, esc, elen);
			run = i + n;
		}
		i += n;
	}
	hx_buf_put(out, str + run, len - run);
}

int hx_escape_needed(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, elen;
	char esc[8];

	while (i < len) {
		i += next_unit(s + i, len - i, esc, &elen);
		if (elen)
			return 1;
	}
	return 0;
}
