/* diff.h - structured difference of two JSONL streams.
 *
 * Records are matched by position (index from 0) or, with match_fields, by
 * the values of key fields. Values compare as JSON values in the RFC 8785
 * sense (1.0 equals 1, member order does not matter), optionally with a
 * per-path numeric tolerance. Paths are ".a.b[2]" from the record root (a
 * key that is not [A-Za-z0-9_-]+ is written ["a b"]); "." is the record.
 *
 * Every difference is kept in the result (changes, paths); the golden check
 * also reads `text`, the report it has always printed. hx_diff_format_text
 * and hx_diff_format_json render the result for `harness diff`.
 */
#ifndef HX_DIFF_H
#define HX_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "json.h"

/* A numeric tolerance: two numbers at a path the pattern matches are equal
 * when |a-b| <= abs or |a-b| <= rel * max(|a|,|b|). The pattern is object
 * keys from the record root separated by '.', with or without a leading
 * '.'; "*" matches any one key at its level (".tactics.*"). A pattern
 * matches paths of exactly its depth and never an array element. 0 for abs
 * or rel means "not given". */
typedef struct {
	char *path;
	double abs, rel;
} hx_diff_tol;

/* Parse "PATH=abs:X,rel:Y" (either or both of abs and rel, in any order;
 * X, Y finite and >= 0). out->path is allocated: free() it. HX_EINVALID on
 * bad syntax (the message names what is wrong). */
int hx_diff_tol_parse(hx_diff_tol *out, const char *spec);

/* Zero fields keep the behaviour the golden check has always had. */
typedef struct {
	const char *const *key_fields; /* NULL-terminated; shown per record in text */
	size_t max_records;            /* records shown in text (default 5) */
	size_t max_paths;              /* paths shown per record in text (default 8) */
	size_t max_value;              /* characters of a value shown in text (default 60) */
	/* NULL: match records by position. Else NULL-terminated dotted paths
	 * ("tier", "metadata.task_index"): records match when all those values
	 * are equal; every record needs them and a key must be unique within
	 * its stream. */
	const char *const *match_fields;
	const hx_diff_tol *tol; /* ntol rules; the first whose pattern matches */
	size_t ntol;            /* a path decides */
} hx_diff_options;

typedef enum { HX_DIFF_CHANGED, HX_DIFF_ADDED, HX_DIFF_REMOVED } hx_diff_kind;

/* One difference. Strings live in the result's arena. */
typedef struct {
	hx_diff_kind kind;
	const char *key;       /* the record: "3" (position) or "tier=fast module_name=M1"
				* (strings bare when plain, else JSON; other values JSON) */
	const char *key_json;  /* the same as JSON: 3 or {"tier":"fast","module_name":"M1"} */
	const char *path;      /* CHANGED: the path; NULL otherwise */
	const char *old_value; /* CHANGED: RFC 8785 text; NULL when absent on that side */
	const char *new_value;
} hx_diff_change;

/* Per path: records where the value changed, and records where it differed
 * within tolerance (numbers only). */
typedef struct {
	const char *path;
	size_t changed, within_tolerance;
} hx_diff_path;

typedef struct {
	size_t old_records, new_records;
	size_t changed;          /* matched records that differ (beyond tolerance) */
	size_t added, removed;   /* records only in new / only in old */
	size_t within_tolerance; /* values that differ but are within tolerance */
	hx_diff_change *changes; /* in order: A's records (B's for added; keyed:
				  * added ones last), paths in A's member order */
	size_t nchanges;
	hx_diff_path *paths; /* sorted by path (bytes) */
	size_t npaths;
	hx_buf text;     /* the golden check's report, lines indented by two */
	hx_arena *arena; /* owns the strings above */
} hx_diff_result;

void hx_diff_result_init(hx_diff_result *r);
void hx_diff_result_release(hx_diff_result *r);

/* Compare two JSONL texts (already canonical or not). Names are used in
 * error messages, which locate a record by index: "NAME: record N: column
 * C: ..." Returns 0 (the result says whether anything differs), or
 * HX_EINVALID on bad JSON, a missing key field or a duplicate key. */
int hx_diff_jsonl(hx_diff_result *out, const char *old_text, size_t old_len,
		  const char *old_name, const char *new_text, size_t new_len,
		  const char *new_name, const hx_diff_options *opt);

/* The same for two files ("-" is stdin), with errors located by line as an
 * editor wants them: "PATH:LINE:COL: ..." (HX_EINVALID); unreadable files
 * are HX_ENOTFOUND or HX_ESYSTEM. */
int hx_diff_files(hx_diff_result *out, const char *old_path, const char *new_path,
		  const hx_diff_options *opt);

/* Append the report of `harness diff`:
 *   A: 3 records, B: 4 records; 1 changed, 1 added, 0 removed; 1 value within tolerance
 *     .duration_ms: 1 changed (1 more within tolerance)
 *   record tier=fast module_name=M1: .x 1 -> 2
 *   record tier=slow module_name=M3: added
 *   ... and 2 more
 * The summary line ends at "removed" when no value was within tolerance;
 * a path with no change says "0 changed (N within tolerance)". Values are
 * RFC 8785 text ("(absent)" for none), cut to max_value bytes (0: 60) plus
 * "...". At most max_changes changes are listed (SIZE_MAX: all). color: old
 * values and removed in red, new values and added in green (ANSI). */
void hx_diff_format_text(hx_buf *out, const hx_diff_result *r, size_t max_changes,
			 size_t max_value, int color);

/* Append one JSON object and '\n':
 *   {"a":NAME_A,"b":NAME_B,"records_a":N,"records_b":M,"changed":K,"added":X,
 *    "removed":Y,"within_tolerance":W,
 *    "paths":{PATH:{"changed":n,"within_tolerance":m},...},
 *    "changes":[{"key":KEY,"path":PATH,"old":V,"new":V}
 *              | {"key":KEY,"added":true} | {"key":KEY,"removed":true}, ...],
 *    "omitted":O}
 * KEY is key_json; "old"/"new" are left out when absent on that side;
 * values are never cut; "changes" holds at most max_changes entries
 * (SIZE_MAX: all) and "omitted" counts the rest. */
void hx_diff_format_json(hx_buf *out, const hx_diff_result *r, const char *name_a,
			 const char *name_b, size_t max_changes);

#endif
