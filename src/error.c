/* error.c - the error slot. Every message is escaped as it is stored
 * (escape.h), so a newline, a control or an invalid byte in a user string
 * a caller quoted can never make an error span lines or reach a terminal
 * raw, and no caller has to remember to escape. Escaping is idempotent:
 * a message quoting hx_error_last() is not escaped twice. */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

#define SLOT_SIZE 1024
static _Thread_local char slot[SLOT_SIZE];

/* The formatted text goes to a buffer twice the slot's size, so that when
 * it is cut the cut lies past what the slot keeps (escaping never shortens
 * text) and a sequence cut in half there is never shown as \xHH. */
static void store(const char *raw, int n)
{
	size_t len = n < 0 ? 0 : (size_t)n;
	if (len >= 2 * SLOT_SIZE)
		len = 2 * SLOT_SIZE - 1;
	hx_escape_write(slot, sizeof(slot), raw, len);
}

void hx_error_set(const char *fmt, ...)
{
	char raw[2 * SLOT_SIZE];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	store(raw, n);
}

void hx_error_set_errno(int errnum, const char *fmt, ...)
{
	char raw[2 * SLOT_SIZE];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(raw))
		n += snprintf(raw + n, sizeof(raw) - (size_t)n, ": %s", strerror(errnum));
	store(raw, n);
}

const char *hx_error_last(void)
{
	return slot;
}

void hx_error_clear(void)
{
	slot[0] = '\0';
}

int hx_error_from_errno(int errnum)
{
	switch (errnum) {
	case ENOENT:
		return HX_ENOTFOUND;
	case ENOTDIR:
	case ENAMETOOLONG:
	case ELOOP:
	case EISDIR:
		return HX_EINVALID;
	case EINTR:
		return HX_EINTERRUPTED;
	default:
		return HX_ESYSTEM;
	}
}

int hx_error_exit_status(int code)
{
	switch (code) {
	case HX_OK:
		return 0;
	case HX_EMISMATCH:
		return 1;
	case HX_EINVALID:
	case HX_ENOTFOUND:
		return 2;
	case HX_EINTERRUPTED:
		return 130;
	default:
		return 3;
	}
}

static const char *notice_label;

void hx_notice_label(const char *label)
{
	notice_label = label;
}

void hx_notice(const char *fmt, ...)
{
	va_list ap;
	if (!notice_label)
		return;
	fprintf(stderr, "%s: ", notice_label);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
