#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char slot[1024];

void hx_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(slot, sizeof(slot), fmt, ap);
	va_end(ap);
}

void hx_error_set_errno(int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	va_start(ap, fmt);
	vsnprintf(slot, sizeof(slot), fmt, ap);
	va_end(ap);
	n = strlen(slot);
	if (n < sizeof(slot))
		snprintf(slot + n, sizeof(slot) - n, ": %s", strerror(errnum));
}

const char *hx_error_last(void)
{
	return slot;
}

void hx_error_clear(void)
{
	slot[0] = '\0';
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
