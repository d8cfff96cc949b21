#include "series/csv.h"

#include <math.h>
#include <string.h>

#include "canon.h"

void hx_series_csv_number(hx_buf *out, double v)
{
	char tmp[32];
	if (isfinite(v))
		hx_buf_put(out, tmp, hx_canon_format_number(tmp, v));
}

void hx_series_csv_string(hx_buf *out, const char *s)
{
	size_t len = strlen(s);

	if (!len || (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && s[len - 1] != ' ')) {
		hx_buf_put(out, s, len);
		return;
	}
	hx_buf_putc(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			hx_buf_putc(out, '"');
		hx_buf_putc(out, *s);
	}
	hx_buf_putc(out, '"');
}
