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
