/* lines.h - the nonblank lines of a file, read in blocks.
 *
 * The file descriptor is read in blocks of 128 KiB (the fastest size
 * measured for condense's telemetry) into a buffer on the stack; only a
 * line longer than that moves it to the heap, so memory is bounded by the
 * longest line, never the file. Each line that is not blank (spaces and
 * tabs only) goes to fn without its '\n' (nor a '\r' before it); a last
 * line without '\n' counts. Line numbers count every line, from 1.
 */
#ifndef HX_LINES_H
#define HX_LINES_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

typedef int (*hx_line_fn)(void *ctx, const char *line, size_t len, size_t lineno);

/* Part of a regular file, for a reader of its own (a thread): the bytes
 * [from, to) by pread(2) (to < 0: up to the end). stop (may be NULL) is
 * checked between blocks: once it is set the walk ends, returning 0. */
typedef struct {
	off_t from, to;
	const atomic_int *stop;
} hx_lines_part;

/* Call fn for each nonblank line of fd (part NULL: read(2) from fd's
 * position to the end, a pipe too). Returns 0, fn's nonzero return (which
 * stops the walk), or HX_ESYSTEM with "cannot read 'NAME': ..." set.
 * *lines (may be NULL) gets the count of lines read, blank ones too. */
int hx_lines_each(int fd, const char *name, const hx_lines_part *part, hx_line_fn fn, void *ctx,
		  size_t *lines);

#endif
