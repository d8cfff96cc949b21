/* diff.h - structured difference of two canonical JSONL streams.
 *
 * Records are matched by position. For each differing record the diff names
 * it by index and key fields (e.g. tier, module_name) and lists each
 * differing path, old -> new. Paths are ".a.b[2]" from the record root.
 */
#ifndef HX_DIFF_H
#define HX_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"

typedef struct {
	const char *const *key_fields; /* NULL-terminated; shown per record */
	size_t max_records;            /* records shown in full (default 5) */
	size_t max_paths;              /* paths shown per record (default 8) */
	size_t max_value;              /* characters of a value shown (default 60) */
} hx_diff_options;

typedef struct {
	size_t old_records, new_records;
	size_t changed;         /* records present in both that differ */
	size_t added, removed;  /* tail records only in new / only in old */
	hx_buf text;            /* the readable report, lines indented by two */
} hx_diff_result;

void hx_diff_result_init(hx_diff_result *r);
void hx_diff_result_release(hx_diff_result *r);

/* Compare two JSONL texts (already canonical or not: values compare by
 * RFC 8785 equality). Names are used in error messages. Returns 0 (the
 * result says whether anything differs) or HX_EINVALID on bad JSON. */
int hx_diff_jsonl(hx_diff_result *out, const char *old_text, size_t old_len,
		  const char *old_name, const char *new_text, size_t new_len,
		  const char *new_name, const hx_diff_options *opt);

#endif
