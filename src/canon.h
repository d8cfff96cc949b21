/* canon.h - canonical form v1 of JSON records.
 *
 * Per record: remove the profile's strip paths, round the profile's float
 * fields to N decimals (exactly as Python's round(x, N): correctly rounded
 * from the binary value, ties to even), then serialize as RFC 8785 (JCS):
 * keys sorted by UTF-16 code units, JCS string escaping, ECMAScript shortest
 * round-trip numbers, no whitespace. One record per line, '\n' after each.
 */
#ifndef HX_CANON_H
#define HX_CANON_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "json.h"

/* A path is a dot-separated list of object keys from the record's root,
 * e.g. "metadata.worker"; "*" matches any key at that level. A round rule
 * applies to a path the same way. */
typedef struct {
	char *path;
	int decimals; /* 0..15 */
} hx_canon_round_rule;

typedef struct {
	char *name; /* "telemetry", "none", or the file it was loaded from */
	char **strip;
	size_t nstrip;
	hx_canon_round_rule *round;
	size_t nround;
} hx_canon_profile;

void hx_canon_profile_init(hx_canon_profile *p); /* empty = pure RFC 8785 */
void hx_canon_profile_release(hx_canon_profile *p);
int hx_canon_profile_add_strip(hx_canon_profile *p, const char *path);
/* "FIELD=N" or (field, n). */
int hx_canon_profile_add_round(hx_canon_profile *p, const char *path, int decimals);
int hx_canon_profile_add_round_spec(hx_canon_profile *p, const char *spec);

/* Built-in profiles: "telemetry" strips verification_id, timestamp and
 * metadata.worker and rounds duration_ms, cpu_time_ms, memory_peak_mb,
 * memory_final_mb to 2 decimals; "telemetry-real" (the default of real
 * engines) strips, besides the first three, what a real process does not
 * reproduce: duration_ms, cpu_time_ms, memory_peak_mb, memory_final_mb,
 * stdout_tail, stderr_tail, metadata.engine_path, metadata.engine_hash,
 * metadata.stdout_dropped, metadata.stderr_dropped, and
 * engine_telemetry.<verification_id|timestamp|duration_ms|cpu_time_ms|
 * memory_peak_mb|memory_final_mb>; "none" is pure RFC 8785. Returns
 * HX_ENOTFOUND for another name. */
int hx_canon_profile_builtin(hx_canon_profile *out, const char *name);
/* Whether name is one of the built-in profiles above. */
int hx_canon_profile_is_builtin(const char *name);

/* Apply strip and round rules to a parsed record in place. */
void hx_canon_apply(hx_json *root, const hx_canon_profile *p);

/* Append the RFC 8785 serialization of v to out (no newline). */
void hx_canon_serialize(hx_buf *out, const hx_json *v);

/* Parse one line of JSON, apply p (may be NULL), append canonical text and
 * '\n' to out. On bad input returns HX_EINVALID and sets the error slot to
 * "FILE:LINE:COL: what" using the names given. */
int hx_canon_line(hx_buf *out, hx_arena *arena, const char *line, size_t len,
		  const hx_canon_profile *p, const char *file, size_t lineno);

/* Canonicalize a whole JSONL stream (blank lines skipped) from fp, calling
 * sink for each chunk of canonical output. Memory use is bounded by the
 * longest line, not the stream size. */
typedef int (*hx_canon_sink)(void *ctx, const char *data, size_t len);
int hx_canon_stream(FILE *fp, const char *file, const hx_canon_profile *p,
		    hx_canon_sink sink, void *ctx, size_t *records_out);

/* Python round(x, n) for 0 <= n <= 15. */
double hx_canon_round(double x, int n);

/* Reference implementations of the two functions above, kept for tests:
 * Python's own algorithm ("%.nf" then strtod) and the shortest round trip
 * found by trying 1..17 significant digits with printf/strtod. Slow. */
double hx_canon_round_ref(double x, int n);
size_t hx_canon_format_number_ref(char out[32], double v);

/* ECMAScript Number::toString of a finite double into out (NUL-terminated,
 * at most 32 bytes incl. NUL); -0 prints "0". Returns the length. */
size_t hx_canon_format_number(char out[32], double v);

/* Append s[0..len) as a JCS string literal (quotes included). */
void hx_canon_write_string(hx_buf *out, const char *s, size_t len);

/* Writers for the reports' JSON: a NUL-terminated string; a number in
 * RFC 8785 form, or null when it is NaN or infinite (JSON has neither);
 * and the pair of fields ,"NAME":rate,"NAME_ci":[lo,hi]. */
void hx_canon_write_cstr(hx_buf *out, const char *s);
void hx_canon_write_number(hx_buf *out, double v);
void hx_canon_write_rate(hx_buf *out, const char *name, double rate, double lo, double hi);

#endif
