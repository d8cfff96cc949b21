/* run_report.h - report.html of a calibration run (harness run, harness
 * report).
 *
 * Built from the run directory's files alone, so rebuilding it later (or
 * from the run's archive) gives the same bytes:
 *   calibration.yaml   metadata, validation checks, the split (seed and
 *                      fraction) and the ground truth used
 *   telemetry.jsonl    per tier the counts, rates and durations, read with
 *                      the split of the calibration (labels.jsonl joined
 *                      when the calibration used labels), the training part
 *                      fitted again exactly as the calibration fitted it
 *   golden.txt         the golden verdict, and the diff on a mismatch
 *   summary.txt        the run's summary as printed, at the end
 * A run without calibration.yaml (export off) gets the counts and rates of
 * all its records and no fits or checks.
 *
 * The page: a metadata table, the golden verdict (with the diff on a
 * mismatch), the validation verdict, the rate table of every tier, then per
 * tier its figures (calib_figures.h) and the fit table (family, parameters
 * ± SE, log-likelihood, AIC, ΔAIC, KS p; the best marked), the validation
 * checks coloured PASS/FAIL/SKIP, and the summary.
 */
#ifndef HX_REPORT_RUN_REPORT_H
#define HX_REPORT_RUN_REPORT_H

#include "calib.h"

/* Write the report of run_dir to html_path (NULL: run_dir/report.html),
 * its figures beside it (html.h). Errors name the file. */
int hx_report_run(const char *run_dir, const char *html_path);
/* The same with the calibration's data at hand (what hx_calibrate read and
 * fitted, which is what hx_report_run reads and fits again from the files:
 * the run passes it, so a report costs no second read of the telemetry).
 * NULL, NULL: read them. Borrowed, not modified. */
int hx_report_run_with(const char *run_dir, const char *html_path, const hx_calib_data *all,
		       const hx_calib_data *train);

/* The same for a run's archive (archive.h; verified as it is read): its
 * members are the run directory's files. html_path NULL: beside the
 * archive, its name with ".html" for ".tar.zst" (or ".tar.gz"). The
 * report is the one the run wrote, byte for byte. */
int hx_report_archive(const char *archive_path, const char *html_path);
/* Where hx_report_archive writes by default (caller frees). */
char *hx_report_archive_default(const char *archive_path);

/* The run directory's golden.txt (what hx_report_run reads): "verdict:
 * match|mismatch|missing", "golden: DIR", "golden_hash: H" (when there is
 * one), "snapshot_hash: H", and on a mismatch a blank line and the diff. */
int hx_report_write_golden(const char *run_dir, const char *verdict, const char *golden_dir,
			   const char *golden_hash, const char *snapshot_hash, const char *diff);

#endif
