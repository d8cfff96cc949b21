/* export.h - YAML output (libyaml's emitter; ydoc.c is the reader). */
#ifndef HX_EXPORT_H
#define HX_EXPORT_H

#include "run.h"

/* Write calibration.yaml for a run: calibration_metadata and per-tier
 * noise_models with observed rates and Wilson 95% CIs. Atomic. */
int hx_export_calibration(const char *path, const hx_run_result *r, const char *date_utc);

#endif
