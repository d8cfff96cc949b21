/* error.h - return codes and the per-thread error slot.
 *
 * Every library function returns int: 0 on success, a negative HX_E* code on
 * an expected failure. The human-readable message goes into a thread-local
 * slot (hx_error_set) that the caller reads with hx_error_last(). Messages are
 * one line, lowercase, the subject quoted, "file:line:col: " first when known.
 * Only the CLI maps codes to exit statuses (see hx_error_exit_status).
 */
#ifndef HX_ERROR_H
#define HX_ERROR_H

enum {
	HX_OK = 0,
	HX_EINVALID = -1,  /* bad input: spec, JSON, YAML, usage */
	HX_ENOTFOUND = -2, /* a named file, key or object does not exist */
	HX_ETIMEOUT = -3,  /* a time limit was reached */
	HX_EMISMATCH = -4, /* a comparison found a difference */
	HX_ESYSTEM = -5,   /* the OS refused (I/O, fork, memory) */
	HX_EENGINE = -6,   /* an engine failed to run */
	HX_EINTERRUPTED = -7 /* SIGINT/SIGTERM: stopped, what completed is kept */
};

/* Format a message into this thread's error slot (printf-style). The
 * message is stored escaped (escape.h: controls and invalid UTF-8 as \n,
 * \u00XX, \xHH), so quoted user text keeps it on one line; text escaped
 * already, hx_error_last() included, stays as it is. At most 1023 bytes
 * are kept, cut between characters. */
void hx_error_set(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Like hx_error_set, with ": <strerror(errnum)>" appended. */
void hx_error_set_errno(int errnum, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* The last message set on this thread ("" when none). Valid until the next
 * hx_error_set on the same thread. */
const char *hx_error_last(void);

void hx_error_clear(void);

/* The code for a failed system call's errno: a path that does not resolve
 * is the user's input, not a system failure. ENOENT is HX_ENOTFOUND;
 * ENOTDIR, ENAMETOOLONG, ELOOP and EISDIR (a path through a file, too long,
 * a symlink loop, a directory where a file is meant) are HX_EINVALID;
 * EINTR is HX_EINTERRUPTED; anything else is HX_ESYSTEM. */
int hx_error_from_errno(int errnum);

/* Exit status for a code: 0 ok, 1 mismatch, 2 bad input or not found,
 * 3 engine or system failure, 130 interrupted (as a shell reports SIGINT). */
int hx_error_exit_status(int code);

/* Notices: what the library did on its own that a user should hear of (a
 * wait for a lock, a stale temp file removed), one line on stderr,
 * "LABEL: message". Nothing is printed while no label is set (the
 * default: a library prints nothing); the CLI sets its command's name
 * ("harness run"). label is borrowed and must outlive the notices. */
void hx_notice_label(const char *label);
void hx_notice(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

#endif
