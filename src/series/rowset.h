/* rowset.h - read a research dataset: one row per run, as the users' tools
 * and the harness's condense step write it.
 *
 * Formats (chosen by the content, not the name): JSONL, one object per
 * line (blank lines skipped); or CSV (RFC 4180: a header line, fields
 * separated by commas, quoted with '"' when they hold a comma, quote or
 * newline, "" for a quote inside; CRLF or LF). A file whose first
 * non-blank byte is '{' is JSONL, anything else CSV.
 *
 * Fields of a row:
 * - required: profile (string), final_pnl, max_drawdown, max_pnl,
 *   min_pnl (finite numbers), kill_switch (JSON true/false; in CSV
 *   True/False, true/false or 1/0, as pandas and the harness write it);
 * - label (string; "" when absent);
 * - a row with a non-empty `error` field (a run whose engine or telemetry
 *   failed) is kept as a failed row: counted, never in the statistics;
 * - parameters: every other field except label, profile, error, status,
 *   telemetry, telemetry_path, seed, repeat, num_ticks, time_to_kill and
 *   frac_* (status and telemetry: columns of harness condense's rows);
 *   their text (a JSON number in its shortest form, a string as is, a CSV
 *   cell as written) tells presets apart. In JSONL the members of a
 *   `params` object are parameters too (by their own names).
 * Values that cannot be read are errors "FILE:LINE: 'field' must be ...".
 */
#ifndef HX_SERIES_ROWSET_H
#define HX_SERIES_ROWSET_H

#include <stddef.h>

typedef struct {
	char *name;  /* owned */
	char *value; /* owned: the value's text */
} hx_param;

typedef struct {
	char *label;   /* owned, never NULL */
	char *profile; /* owned, never NULL */
	double final_pnl, max_drawdown, max_pnl, min_pnl;
	int kill_switch;
	int failed;      /* 1: an `error` field was set; metrics are 0 */
	size_t line;     /* 1-based line of the row in its file */
	hx_param *params; /* owned, in the file's field order */
	size_t nparams;
} hx_row;

typedef struct {
	hx_row *rows; /* in file order */
	size_t n;
	size_t failed; /* rows with failed set */
} hx_rowset;

void hx_rowset_init(hx_rowset *s);
void hx_rowset_release(hx_rowset *s);

/* Append a row (the set takes the strings and params: ownership passes). */
void hx_rowset_push(hx_rowset *s, const hx_row *row);

/* Read PATH (JSONL or CSV, see above) into *out (initialized here; release
 * it even on failure). HX_EINVALID with a located message for bad content,
 * HX_ENOTFOUND / HX_ESYSTEM when the file cannot be read. */
int hx_rowset_load(hx_rowset *out, const char *path);

/* The same from text in memory; `name` is used in messages. */
int hx_rowset_parse(hx_rowset *out, const char *name, const char *text, size_t len);

/* A parameter's text, or NULL when the row has none of that name. */
const char *hx_row_param(const hx_row *row, const char *name);

#endif
