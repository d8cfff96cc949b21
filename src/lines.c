/* lines.c - see lines.h. */
#include "lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"

static ssize_t read_block(int fd, const hx_lines_part *part, char *buf, size_t n, off_t *at)
{
	ssize_t got;
	if (!part)
		return read(fd, buf, n);
	if (part->to >= 0 && (off_t)n > part->to - *at)
		n = (size_t)(part->to - *at);
	got = n ? pread(fd, buf, n, *at) : 0;
	if (got > 0)
		*at += got;
	return got;
}

int hx_lines_each(int fd, const char *name, const hx_lines_part *part, hx_line_fn fn, void *ctx,
		  size_t *lines)
{
	char stack_buf[1 << 17];
	size_t cap = sizeof(stack_buf), have = 0, lineno = 0;
	char *buf = stack_buf;
	off_t at = part ? part->from : 0;
	int rc = 0, eof = 0;
	while (!eof && rc == 0) {
		size_t start = 0;
		ssize_t got;
		char *nl;
		if (part && part->stop && atomic_load(part->stop))
			break;
		if (have == cap) {
			if (buf == stack_buf) {
				buf = hx_xmalloc(2 * cap);
				memcpy(buf, stack_buf, have);
			} else {
				buf = hx_xrealloc(buf, 2 * cap);
			}
			cap *= 2;
		}
		got = read_block(fd, part, buf + have, cap - have, &at);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			hx_error_set_errno(errno, "cannot read '%s'", name);
			rc = HX_ESYSTEM;
			break;
		}
		if (got == 0) {
			eof = 1;
			if (have == 0)
				break;
			buf[have++] = '\n'; /* have < cap: a full buffer grew above */
		} else {
			have += (size_t)got;
		}
		while (rc == 0 && (nl = memchr(buf + start, '\n', have - start)) != NULL) {
			size_t len = (size_t)(nl - (buf + start)), k;
			const char *line = buf + start;
			lineno++;
			start += len + 1;
			if (len && line[len - 1] == '\r')
				len--;
			for (k = 0; k < len && (line[k] == ' ' || line[k] == '\t'); k++)
				;
			if (k < len)
				rc = fn(ctx, line, len, lineno);
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	if (buf != stack_buf)
		free(buf);
	if (lines)
		*lines = lineno;
	return rc;
}
