#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty_str[1];

void hx_oom(void)
{
	fputs("harness: out of memory\n", stderr);
	abort();
}

void *hx_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		hx_oom();
	return p;
}

void *hx_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		hx_oom();
	return p;
}

void *hx_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		hx_oom();
	return q;
}

char *hx_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = hx_xmalloc(n);
	memcpy(p, s, n);
	return p;
}

void hx_buf_init(hx_buf *b)
{
	b->ptr = empty_str;
	b->len = 0;
	b->cap = 0;
}

void hx_buf_release(hx_buf *b)
{
	if (b->cap)
		free(b->ptr);
	hx_buf_init(b);
}

void hx_buf_grow(hx_buf *b, size_t n)
{
	size_t need = b->len + n + 1, cap;
	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (b->cap) {
		b->ptr = hx_xrealloc(b->ptr, cap);
	} else {
		char *p = hx_xmalloc(cap);
		if (b->ptr && b->len)
			memcpy(p, b->ptr, b->len);
		b->ptr = p;
	}
	b->ptr[b->len] = '\0';
	b->cap = cap;
}

void hx_buf_reset(hx_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}

void hx_buf_put(hx_buf *b, const void *data, size_t n)
{
	hx_buf_grow(b, n);
	memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void hx_buf_puts(hx_buf *b, const char *s)
{
	hx_buf_put(b, s, strlen(s));
}

void hx_buf_putc(hx_buf *b, char c)
{
	hx_buf_grow(b, 1);
	b->ptr[b->len++] = c;
	b->ptr[b->len] = '\0';
}

void hx_buf_printf(hx_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	hx_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *hx_buf_detach(hx_buf *b, size_t *len_out)
{
	char *p;
	if (!b->cap)
		hx_buf_grow(b, 0);
	p = b->ptr;
	if (len_out)
		*len_out = b->len;
	hx_buf_init(b);
	return p;
}
