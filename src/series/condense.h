/* condense.h - one per-tick telemetry file into one dataset row.
 *
 * A telemetry file is JSONL, one object per tick, as the users' engine
 * writes it (keys basis_usd, dollar_delta_usd, kill_switch, pnl_realised,
 * pnl_total, pnl_unrealised, q_global_tao, risk_regime, t). It is read with
 * the strict JSON parser, one line at a time (memory is bounded by the
 * longest line, not the file), and with the tokens NaN, Infinity and
 * -Infinity accepted as numbers: that is what Python's json module writes
 * for non-finite floats and reads back, so files that went through the
 * users' Python tools keep loading. A null number (what a Rust serializer
 * writes for a non-finite float) counts as NaN. Blank lines are skipped;
 * anything else that is not a JSON object is an error "FILE:LINE:COL: ...".
 *
 * Functions over the rows in FILE ORDER (never sorted by t). A field that
 * is absent from a row, or null, is "missing" in that row:
 *   count         rows (no field), or rows where the field is not missing
 *   last          the field's value in the last row (null when missing);
 *                 numbers, booleans and strings are kept as they are
 *   min, max      over the field's numbers, NaN and missing skipped (as
 *                 pandas' skipna), infinities included; null when none
 *   mean          the same rows, their sum / their count; null when none
 *   max_drawdown  over the finite values only: the largest (running max -
 *                 value), the running max starting at the first finite
 *                 value; a magnitude >= 0, 0 when no value is finite
 *   fraction      rows where field == value over rows where the field is
 *                 not missing (other values count in the denominator only);
 *                 a string matches exactly, a boolean as "true"/"false", a
 *                 number when value is the same number; null when no row
 *                 has the field
 *   any           whether some row has the field true (missing = false)
 *   first_t       `t` of the first row where the field is true; null when
 *                 none (that row must have a numeric t)
 * min, max, mean and max_drawdown need numbers (a string or boolean is an
 * error "FILE:LINE: 'F' is not a number"); any and first_t need booleans.
 * A file without rows is an error. A field made required
 * (hx_condense_set_require) must be present in every row (it may be null).
 */
#ifndef HX_SERIES_CONDENSE_H
#define HX_SERIES_CONDENSE_H

#include <stddef.h>

#include "buf.h"

typedef enum {
	HX_CONDENSE_LAST,
	HX_CONDENSE_MIN,
	HX_CONDENSE_MAX,
	HX_CONDENSE_MEAN,
	HX_CONDENSE_COUNT,
	HX_CONDENSE_MAX_DRAWDOWN,
	HX_CONDENSE_FRACTION,
	HX_CONDENSE_ANY,
	HX_CONDENSE_FIRST_T
} hx_condense_fn;

/* The function of a name ("last", "max_drawdown", ...): 0, or HX_EINVALID
 * (message lists the names). */
int hx_condense_fn_parse(const char *name, hx_condense_fn *out);
const char *hx_condense_fn_name(hx_condense_fn fn);

typedef struct {
	char *name;  /* the output column */
	hx_condense_fn fn;
	char *field; /* NULL only for count of rows */
	char *value; /* fraction only */
} hx_condense_metric;

typedef struct {
	hx_condense_metric *metrics; /* in output order */
	size_t n;
	char **required; /* fields every row must have */
	size_t nrequired;
} hx_condense_set;

void hx_condense_set_init(hx_condense_set *s);
void hx_condense_set_release(hx_condense_set *s);
/* Append a metric. HX_EINVALID (message "condense metric 'NAME': ...") for
 * an empty or repeated name, a missing field (other than count), a value
 * given to anything but fraction or missing for fraction. */
int hx_condense_set_add(hx_condense_set *s, const char *name, hx_condense_fn fn,
			const char *field, const char *value);
int hx_condense_set_require(hx_condense_set *s, const char *field);
/* The users' condensing tool, plus time_to_kill: num_ticks (count),
 * final_pnl (last pnl_total), max_pnl, min_pnl, max_drawdown (of
 * pnl_total), frac_normal, frac_warning, frac_hard (fraction of
 * risk_regime Normal, Warning, HardLimit), kill_switch (any), time_to_kill
 * (first_t of kill_switch); pnl_total is required. */
void hx_condense_set_default(hx_condense_set *s);

typedef enum {
	HX_CVAL_NULL,
	HX_CVAL_NUMBER, /* may be NaN or infinite: writers print those as null */
	HX_CVAL_BOOL,
	HX_CVAL_STRING
} hx_cval_type;

typedef struct {
	hx_cval_type type;
	double num;  /* NUMBER; BOOL: 0 or 1 */
	char *str;   /* STRING: owned, NUL-terminated */
} hx_cval;

void hx_cval_release(hx_cval *v);
/* *dst = a copy of *src (its string duplicated). */
void hx_cval_copy(hx_cval *dst, const hx_cval *src);
/* A CLI value: a JSON number's text is a number, true/false a boolean,
 * anything else a string. */
void hx_cval_from_text(hx_cval *v, const char *text);

/* Condense one file: values[i] (s->n of them, released by the caller with
 * hx_cval_release) for s->metrics[i]; *rows gets the rows read (may be
 * NULL). On error (HX_ENOTFOUND, HX_EINVALID, HX_ESYSTEM; the message names
 * the file and line) the values are all null. */
int hx_condense_file(const hx_condense_set *s, const char *path, hx_cval *values,
		     unsigned long *rows);

#endif
