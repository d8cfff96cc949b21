/* series/csv.h - CSV cells of the series subsystem's tables (condense's
 * dataset rows, summary, align, select, tune). */
#ifndef HX_SERIES_CSV_H
#define HX_SERIES_CSV_H

#include "buf.h"

/* A number: shortest round-trip; NaN and infinities as an empty cell. */
void hx_series_csv_number(hx_buf *out, double v);

/* A string as an RFC 4180 cell: quoted (quotes doubled) when it holds a
 * comma, a quote, CR or LF, or begins or ends with a space (which readers
 * that skip initial space would lose); as it is otherwise. */
void hx_series_csv_string(hx_buf *out, const char *s);

#endif
