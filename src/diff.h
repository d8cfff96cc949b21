/* diff.h - structured difference of two JSONL streams.
 *
 * Records are matched by position (index from 0) or, with match_fields, by
 * the values of key fields. Values compare as JSON values in the RFC 8785
 * sense (1.0 equals 1, member order does not matter), optionally with a
 * per-path numeric tolerance. Paths are ".a.b[2]" from the record root (a
 * key that is not [A-Za-z0-9_-]+ is written ["a b"]); "." is the record.
 *
 * Every difference is kept in the result (changes, records, paths), with,
 * for telemetry streams (records with "tier" and "outcome"), the outcome
 * summary: per tier the transition matrix and each outcome's count on both
 * sides. The golden check reads `text`; hx_diff_format_text and
 * hx_diff_format_json render the result for `harness diff`.
 *
 * diff.c matches and walks, diff_outcomes.c keeps the outcome summary,
 * diff_format.c renders.
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

/* How a changed path ranks in a record's listing (hx_diff_path_class). */
typedef enum {
	HX_DIFF_PATH_KEY,         /* a key field or the outcome: listed first */
	HX_DIFF_PATH_OTHER,       /* listed next, in A's member order */
	HX_DIFF_PATH_CONSEQUENCE, /* follows from the outcome (success, exit_code,
				   * signal): folded when the record's outcome
				   * changed, else listed like OTHER */
	HX_DIFF_PATH_INCIDENTAL   /* volatile (durations, cpu and memory, tactic
				   * counts, stderr): always folded */
} hx_diff_path_class;

/* The class of a path (".tactics.simp"): a path equal to ".F" for a field F
 * of key_fields or match_fields (NULL-terminated, either may be NULL) or
 * to ".outcome" is KEY; otherwise the first entry of a fixed table whose
 * field is the path or one of its ancestors (".tactics" covers
 * ".tactics.simp") decides:
 *   outcome                                       KEY
 *   success, exit_code, signal                    CONSEQUENCE
 *   duration_ms, cpu_time_ms, memory_peak_mb,
 *   tactics, stderr_tail                          INCIDENTAL
 * and anything else is OTHER. */
hx_diff_path_class hx_diff_path_class_of(const char *path, const char *const *key_fields,
					 const char *const *match_fields);

/* Zero fields keep the behaviour the golden check has always had. */
typedef struct {
	const char *const *key_fields; /* NULL-terminated; shown per record in text */
	size_t max_records;            /* records shown in text (default 5) */
	size_t max_paths;              /* paths shown per record in text (default 8) */
	size_t max_value;              /* characters of a value shown in text (default 60) */
	/* NULL: match records by position. Else NULL-terminated dotted paths
	 * ("tier", "metadata.task_index"): records match when all those values
	 * are equal; every record needs them. A key that occurs more than once
	 * in a stream pairs by occurrence: the n-th record with that key in A
	 * with the n-th in B (in stream order); the extra ones on the longer
	 * side are removed or added. */
	const char *const *match_fields;
	const hx_diff_tol *tol; /* ntol rules; the first whose pattern matches */
	size_t ntol;            /* a path decides */
	const char *old_label, *new_label; /* the two sides in text ("golden",
					    * "now"); NULL: "A", "B" */
} hx_diff_options;

typedef enum { HX_DIFF_CHANGED, HX_DIFF_ADDED, HX_DIFF_REMOVED } hx_diff_kind;

/* One difference. Strings live in the result's arena. */
typedef struct {
	hx_diff_kind kind;
	const char *key;       /* the record: "3" (position) or "tier=fast module_name=M1"
				* (strings bare when plain, else JSON; other values JSON),
				* then " #N" when the key repeats (keyed matching) */
	const char *key_json;  /* the key values as JSON: 3 or {"tier":"fast","module_name":"M1"} */
	size_t occurrence;     /* keyed matching, a repeated key: which one (1-based); else 0 */
	const char *path;      /* CHANGED: the path; NULL otherwise */
	const char *old_value; /* CHANGED: RFC 8785 text; NULL when absent on that side */
	const char *new_value;
	hx_diff_path_class cls; /* CHANGED: the path's class */
	size_t record;          /* index into the result's records */
} hx_diff_change;

/* A record that differs, with its changes (added/removed: one change). */
typedef struct {
	hx_diff_kind kind;
	const char *key, *key_json; /* as in its changes */
	size_t occurrence;
	size_t index;          /* its position in A (in B when added) */
	const char *label;     /* "tier=fast, module_name=M1" from key_fields (the
				* record in B, else A), or NULL */
	int outcome_changed;   /* .outcome is among its changes */
	size_t first, n;       /* changes[first .. first+n) */
} hx_diff_record;

/* Per path: records where the value changed, and records where it differed
 * within tolerance (numbers only). */
typedef struct {
	const char *path;
	size_t changed, within_tolerance;
	hx_diff_path_class cls;
} hx_diff_path;

/* The outcome summary of telemetry streams. */
typedef struct {
	const char *from, *to; /* outcomes in A and in B */
	size_t count;
} hx_diff_transition;

typedef struct {
	const char *outcome;
	size_t old_count, new_count; /* records of the tier with it, in A and B */
} hx_diff_rate;

typedef struct {
	const char *tier;
	size_t old_records, new_records; /* records of this tier in A and B */
	size_t compared;                 /* matched pairs whose A record has it */
	hx_diff_transition *transitions; /* every nonzero cell of the matrix
					  * (from == to included), by from then
					  * to in outcome order */
	size_t ntransitions;
	hx_diff_rate *rates; /* outcomes with a record on either side, in order */
	size_t nrates;
} hx_diff_tier;

typedef struct {
	size_t old_records, new_records;
	size_t compared;         /* matched pairs (same or not) */
	size_t changed;          /* matched records that differ (beyond tolerance) */
	size_t added, removed;   /* records only in new / only in old */
	size_t within_tolerance; /* values that differ but are within tolerance */
	hx_diff_change *changes; /* in order: A's records (B's for added; keyed:
				  * added ones last), paths in A's member order */
	size_t nchanges;
	hx_diff_record *records; /* the differing records, in the same order */
	size_t nrecords;
	hx_diff_path *paths; /* sorted by path (bytes) */
	size_t npaths;
	/* Present (has_outcomes) when every record of both streams has string
	 * fields "tier" and "outcome" and each takes at most 32 values. Tiers
	 * in order of first appearance, A then B; outcomes in the telemetry's
	 * order (verified, proof_invalid, verifier_timeout, ...), others after
	 * them by first appearance; a matched pair counts under its A record's
	 * tier. */
	int has_outcomes;
	hx_diff_tier *tiers;
	size_t ntiers;
	hx_buf text;     /* the golden check's report, empty when nothing differs:
			  * hx_diff_format_summary and _records, grouped, indent
			  * "  ", the options' caps (max_records, max_paths,
			  * max_value) */
	const char *old_label, *new_label; /* the options' (static), or "A", "B" */
	hx_arena *arena; /* owns the strings and arrays above but changes, records, paths */
} hx_diff_result;

void hx_diff_result_init(hx_diff_result *r);
void hx_diff_result_release(hx_diff_result *r);

/* Compare two JSONL texts (already canonical or not). Names are used in
 * error messages, which locate a record by index: "NAME: record N: column
 * C: ..." Returns 0 (the result says whether anything differs), or
 * HX_EINVALID on bad JSON or a missing key field. */
int hx_diff_jsonl(hx_diff_result *out, const char *old_text, size_t old_len,
		  const char *old_name, const char *new_text, size_t new_len,
		  const char *new_name, const hx_diff_options *opt);

/* The same for two files ("-" is stdin), with errors located by line as an
 * editor wants them: "PATH:LINE:COL: ..." (HX_EINVALID); unreadable files
 * are HX_ENOTFOUND or HX_ESYSTEM. */
int hx_diff_files(hx_diff_result *out, const char *old_path, const char *new_path,
		  const hx_diff_options *opt);

/* How a report looks. */
typedef struct {
	const char *indent; /* before every line; NULL: "" */
	int grouped;        /* "record KEY (LABEL):" and a line per path under it,
			     * else one line per change: "record KEY: PATH OLD -> NEW" */
	size_t max_records; /* 0 or SIZE_MAX: all */
	size_t max_changes; /* flat: change lines; SIZE_MAX: all, 0: none */
	size_t max_paths;   /* grouped: lines per record; 0 or SIZE_MAX: all */
	size_t max_value;   /* bytes of a value; 0: 60 */
	int all_paths;      /* list the folded paths too */
	int color;          /* old values and removed in red, new and added in green */
} hx_diff_style;

/* The summary's sections, each line after style->indent:
 *   outcome transitions (A -> B):          (has_outcomes only)
 *     balanced  verified -> verifier_timeout  335
 *   or "outcome transitions (A -> B): none"; then for the tiers with a
 *   transition or a changed count:
 *   outcome rates (A -> B):
 *     balanced  verifier_timeout   5.1% ->  15.3%  (51 -> 153 of 1000)
 *   ("(51 of 1000 -> 153 of 990)" when the tier's sizes differ), then
 *   paths:                                 (when any path differs)
 *     .outcome: 3 changed
 *     .x: 0 changed (1 within tolerance)
 *     incidental: .duration_ms 3 (+1 within tolerance), .tactics.simp 2
 * the INCIDENTAL paths on that one line unless all_paths.
 * Transitions leave out the unchanged (from == to) cells and are sorted by
 * count, largest first, then tier, from and to in order of appearance.
 * Labels are the result's (A and B unless the options named them). */
void hx_diff_format_summary(hx_buf *out, const hx_diff_result *r, const hx_diff_style *style);

/* The records, in the result's order, each with its KEY paths first, then
 * the others in member order; folded paths (see hx_diff_path_class) are not
 * listed unless all_paths, but counted: "  (+7 incidental changes)" after
 * the record's last line, or a line of its own ("7 incidental changes")
 * when nothing else changed. Grouped:
 *   record 3 (tier=fast, module_name=M1):
 *     .outcome: "verified" -> "verifier_timeout"  (+7 incidental changes)
 *     ... and 2 more paths
 *   record 5 added (tier=slow, module_name=M3)
 *   ... and 427 more differing records
 * else:
 *   record 3: .outcome "verified" -> "verifier_timeout"  (+7 incidental changes)
 *   record 5: added
 *   ... and 12 more changes
 * Values are RFC 8785 text ("(absent)" for none), cut to max_value bytes
 * (never inside a UTF-8 character) plus "...". */
void hx_diff_format_records(hx_buf *out, const hx_diff_result *r, const hx_diff_style *style);

/* The report of `harness diff`: the line
 *   A: 3 records, B: 4 records; 3 compared: 1 changed, 1 added, 0 removed
 * ("; 1 value within tolerance" when some were), the summary, the records. */
void hx_diff_format_text(hx_buf *out, const hx_diff_result *r, const hx_diff_style *style);

/* Append one JSON object and '\n':
 *   {"a":NAME_A,"b":NAME_B,"records_a":N,"records_b":M,"compared":C,
 *    "changed":K,"added":X,"removed":Y,"within_tolerance":W,
 *    "outcomes":null | {"tiers":[{"tier":T,"records_a":n,"records_b":m,
 *        "compared":c,"transitions":[{"from":O,"to":O,"count":k},...],
 *        "rates":[{"outcome":O,"count_a":x,"rate_a":p,"count_b":y,
 *                  "rate_b":q},...]},...]},
 *    "paths":{PATH:{"changed":n,"within_tolerance":m},...},
 *    "changes":[{"key":KEY,"path":PATH,"old":V,"new":V,"folded":F}
 *              | {"key":KEY,"added":true} | {"key":KEY,"removed":true}, ...],
 *    "omitted":O}
 * KEY is key_json; a change of a repeated key also has "occurrence":N;
 * "old"/"new" are left out when absent on that side; "folded" says whether
 * the text folds it; values are never cut; transitions include the
 * unchanged cells; a rate is null for a tier with no records on that side;
 * "changes" holds at most max_changes entries (SIZE_MAX: all) and
 * "omitted" counts the rest. */
void hx_diff_format_json(hx_buf *out, const hx_diff_result *r, const char *name_a,
			 const char *name_b, size_t max_changes);

/* 1 when the text folds change c of record rec (style->all_paths aside). */
int hx_diff_change_folded(const hx_diff_change *c, const hx_diff_record *rec);

#endif
