/* series/dataset.h - rows of a research dataset: one condensed run
 * (series/condense.h) with its label, profile and parameters; condensing
 * rows on threads; the JSONL, CSV and table writers. */
#ifndef HX_SERIES_DATASET_H
#define HX_SERIES_DATASET_H

#include <stddef.h>

#include "buf.h"
#include "series/condense.h"

/* One row of a research dataset. */
typedef struct {
	char *label;
	char *profile;
	char *telemetry; /* the file condensed */
	char **param_keys; /* the parameters the run used, in the caller's order */
	hx_cval *param_values;
	size_t nparams;
	int ok;      /* 0: the run failed, error says why, no metrics */
	char *error;
	char **names; /* metric names (copied from the set) */
	hx_cval *values;
	size_t nvalues;
} hx_dataset_row;

void hx_dataset_row_init(hx_dataset_row *r, const char *label, const char *profile,
			 const char *telemetry);
void hx_dataset_row_release(hx_dataset_row *r);
/* Add a parameter (value copied). HX_EINVALID for a repeated key or one of
 * the row's own columns (label, profile, telemetry, status, error). */
int hx_dataset_row_add_param(hx_dataset_row *r, const char *key, const hx_cval *value);
/* Condense r->telemetry with s into the row. On failure the row is marked
 * failed with the message (also left in the error slot) and the code is
 * returned; a parameter named like a metric fails the row too. */
int hx_dataset_row_condense(hx_dataset_row *r, const hx_condense_set *s);
/* hx_dataset_row_condense for rows[0..n), on up to `workers` threads
 * (each file is read by one thread; the rows are the same whatever the
 * count). Returns the number of rows that failed. */
size_t hx_dataset_rows_condense(hx_dataset_row *rows, size_t n, const hx_condense_set *s,
				int workers);
/* Mark a row failed with a reason of the caller's (a run that wrote no
 * telemetry, say). */
void hx_dataset_row_fail(hx_dataset_row *r, const char *reason);

/* JSONL, one line per row, RFC 8785 (keys sorted, shortest numbers): the
 * keys label, profile, telemetry, status ("ok" or "failed"), the
 * parameters, the metrics (ok rows) or error (failed rows). Non-finite
 * numbers are null. */
void hx_dataset_write_jsonl(hx_buf *out, const hx_dataset_row *rows, size_t n);
/* CSV (RFC 4180, "\n" line ends): a header, then one line per row. The
 * columns: label, profile, the parameters, the metrics (each list in order
 * of first appearance over the rows), telemetry, status, error. A field is
 * quoted when it holds a comma, a quote, CR, LF or begins or ends with a
 * space, a quote doubled inside; numbers are shortest round-trip, NaN and
 * null are empty, infinities inf/-inf, booleans true/false (all as pandas
 * reads them back). */
void hx_dataset_write_csv(hx_buf *out, const hx_dataset_row *rows, size_t n);
/* A table for people: label, profile, the metrics (numbers to 6
 * significant digits, "-" when null), status; then one "failed LABEL:
 * reason" line per failed row. */
void hx_dataset_write_table(hx_buf *out, const hx_dataset_row *rows, size_t n);

#endif
