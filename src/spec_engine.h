/* spec_engine.h - the engine section of a spec (spec.c's helper; not for
 * other modules). */
#ifndef HX_SPEC_ENGINE_H
#define HX_SPEC_ENGINE_H

#include "spec.h"
#include "ydoc.h"

/* Read and validate `engine:` (n is its node), filling defaults per kind.
 * Relative paths resolve against dir; the root defaults to default_root. */
int hx_spec_engine_read(hx_spec_engine *e, const hx_ydoc *doc, const hx_ynode *n,
			const char *dir, const char *default_root);
void hx_spec_engine_release(hx_spec_engine *e);

/* The same for a series spec, which may also name the sim-monitor engine
 * (n NULL: sim-monitor with its defaults). */
int hx_spec_engine_read_series(hx_spec_engine *e, const hx_ydoc *doc, const hx_ynode *n,
			       const char *dir, const char *default_root);
/* sim-monitor's defaults: 20% positive, 20 tokens, top 5, values normal
 * (2.0, 0.7) for negatives and (2.5, 0.7) for positives. */
void hx_spec_monitor_default(hx_spec_monitor *m);

/* NULL-terminated string vector helpers. */
char **hx_strv_dup(const char *const *v);
void hx_strv_free(char **v);
size_t hx_strv_len(const char *const *v);

#endif
