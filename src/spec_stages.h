/* spec_stages.h - the calibration stages of a spec: label, fit, validate,
 * export (spec.c's helper; the format is in spec.h). */
#ifndef HX_SPEC_STAGES_H
#define HX_SPEC_STAGES_H

#include "spec.h"
#include "ydoc.h"

/* Set the defaults, then read the stage keys of the spec's root map (absent
 * keys keep their defaults). dir resolves relative paths of voter engines,
 * whose root defaults to engine_root. Errors are located. */
int hx_spec_stages_read(hx_spec *s, const hx_ydoc *doc, const hx_ynode *root, const char *dir,
			const char *engine_root);
void hx_spec_stages_release(hx_spec *s);

#endif
