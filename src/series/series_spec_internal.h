/* series/series_spec_internal.h - what series_spec.c (the spec) and
 * series_step_spec.c (one step) share; not for other modules. */
#ifndef HX_SERIES_SPEC_INTERNAL_H
#define HX_SERIES_SPEC_INTERNAL_H

#include "series/series_spec.h"
#include "ydoc.h"

/* A non-empty list of distinct strings (*out NULL-terminated; *count, when
 * given, follows what was read so far, for release on an error). */
int hx_series_read_strings(const hx_ydoc *doc, const hx_ynode *n, const char *what, char ***out,
			   size_t *count);
/* A node as canonical JSON text (caller frees). */
char *hx_series_definition_of(const hx_ynode *n);
/* Record a file the spec names (once). */
void hx_series_note_file(hx_series_spec *s, const char *file);
/* Read step st (its name set) from node n; engine_node locates errors in
 * the engine's templates. */
int hx_series_read_step(hx_series_spec *s, hx_series_step *st, const hx_ydoc *doc,
			const hx_ynode *n, const hx_ynode *engine_node);

#endif
