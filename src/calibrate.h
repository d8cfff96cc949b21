/* calibrate.h - stages 4 to 6 of a run: fit, validate, export.
 *
 * From the run's telemetry (and labels.jsonl when the label stage kept a
 * label for a completed record; otherwise the records' own
 * metadata.ground_truth): the training part of the split (all records when
 * validation is off) gives the rates and duration fits; the held-out part
 * the validation (validate.h); then calibration.yaml, calibration.md and
 * noise_config.yaml go to the run directory (export.h), each as the spec's
 * stages say.
 */
#ifndef HX_CALIBRATE_H
#define HX_CALIBRATE_H

#include "export.h"
#include "spec.h"
#include "validate.h"

typedef struct {
	const hx_spec *spec;
	const char *telemetry_path;
	const char *labels_path; /* NULL: no labels to use */
	const char *run_dir;
	const char *export_path; /* NULL, or also write calibration.yaml here */
	hx_calib_meta meta;      /* everything but total_samples/validation_split */
	int keep_data;           /* keep every record's and the fitted training
				  * part's data in the result (the report's) */
} hx_calibrate_options;

typedef struct {
	int validated;        /* validation ran */
	int passed;
	size_t npass, nfail, nskip;
	hx_gt_source gt_source;
	size_t ntiers;
	hx_tier tiers[HX_TIER_COUNT];
	char best[HX_TIER_COUNT][16]; /* best family, "" when no fit */
	int exported;         /* calibration.yaml written */
	int kept;             /* options.keep_data: all and train hold the data */
	hx_calib_data all, train;
} hx_calibrate_result;

/* Returns 0 or an error; release the result with hx_calibrate_result_release
 * either way. */
int hx_calibrate(hx_calibrate_result *out, const hx_calibrate_options *opt);
void hx_calibrate_result_release(hx_calibrate_result *r);

/* The seed of the training/held-out split of a run with this seed (what
 * hx_calibrate uses, so a report can read the same training part). */
uint64_t hx_calibrate_split_seed(uint64_t seed);

#endif
