/* buf.h - growable byte buffer (always NUL-terminated).
 *
 * A value struct: hx_buf_init / hx_buf_release. Out of memory aborts with a
 * message: this is a CLI library and has nothing better to do.
 */
#ifndef HX_BUF_H
#define HX_BUF_H

#include <stddef.h>

typedef struct {
	char *ptr;  /* NUL-terminated; owned by the buffer */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
} hx_buf;

#define HX_BUF_INIT {NULL, 0, 0}

void hx_buf_init(hx_buf *b);
void hx_buf_release(hx_buf *b);
/* Make room for at least n more bytes (plus the NUL). */
void hx_buf_grow(hx_buf *b, size_t n);
void hx_buf_reset(hx_buf *b);
void hx_buf_put(hx_buf *b, const void *data, size_t n);
void hx_buf_puts(hx_buf *b, const char *s);
void hx_buf_putc(hx_buf *b, char c);
void hx_buf_printf(hx_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Hand the storage to the caller (who frees it); the buffer is left empty. */
char *hx_buf_detach(hx_buf *b, size_t *len_out);

/* Abort the process with "harness: out of memory". */
void hx_oom(void);
void *hx_xmalloc(size_t n);
void *hx_xcalloc(size_t n, size_t size);
void *hx_xrealloc(void *p, size_t n);
char *hx_xstrdup(const char *s);

#endif
