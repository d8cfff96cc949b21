/* nightly_history.h - an experiment's archived runs, for the nightly report
 * (report/nightly_report.h): per run its time, snapshot hash, golden
 * verdict and per-tier rates, oldest first.
 *
 * The runs are the archives in the runs directory named as harness run
 * names them, EXPERIMENT-YYYYMMDDTHHMMSSZ-HASH8[-K].tar.zst (.tar.gz and
 * .tar too), whose MANIFEST.json names the experiment. The newest `cap`
 * by the time in their names are read (so a long runs directory is not
 * read whole), then ordered by the manifest's `started` (UTC), ties by
 * file name. Each archive is verified whole, but only one member is kept:
 * calibration.yaml (the rates of the calibration, hx_calib_read_yaml), or
 * when the run has none, telemetry.jsonl (hx_calib_read: every record's
 * rates); a run with neither (a series) has a hash and no rates. An
 * archive that does not verify, or whose member does not read, is a run
 * with its error (placed by the time in its name), not a failure.
 */
#ifndef HX_REPORT_NIGHTLY_HISTORY_H
#define HX_REPORT_NIGHTLY_HISTORY_H

#include <stddef.h>

#include "calib.h"
#include "hash.h"
#include "tier.h"

#define HX_NIGHTLY_NRATES 3 /* timeout, spurious fail, spurious pass (hx_tier_rate) */

typedef struct {
	int present;                       /* the run has this tier */
	hx_rate rates[HX_NIGHTLY_NRATES];  /* n == 0: not measured */
} hx_nightly_tier_rates;

typedef struct {
	char *file;        /* the archive's file name (no directory) */
	char *error;       /* NULL, or why the archive could not be read */
	char started[32];  /* manifest's started; unreadable: the name's time
			    * as YYYY-MM-DDTHH:MM:SSZ */
	char finished[32]; /* manifest's finished ("" when unreadable) */
	char hash[HX_HASH_HEX_LEN]; /* snapshot hash ("" when unreadable) */
	char golden[16];   /* match, mismatch, missing ("" when unreadable) */
	int hash_changed;  /* differs from the previous readable run's hash */
	int has_rates;     /* tiers[] hold rates */
	char rates_from[24]; /* "calibration.yaml" or "telemetry.jsonl" */
	hx_nightly_tier_rates tiers[HX_TIER_COUNT]; /* by hx_tier */
} hx_nightly_run;

typedef struct {
	char *experiment;
	hx_nightly_run *runs; /* oldest first */
	size_t n;
	size_t older;         /* archives of the experiment left out by the cap */
} hx_nightly_history;

/* Fill h with the newest cap (>= 1) runs of experiment in runs_dir. A
 * missing runs_dir gives no runs. Errors: HX_ESYSTEM when runs_dir cannot
 * be listed. */
int hx_nightly_history_load(hx_nightly_history *h, const char *runs_dir, const char *experiment,
			    size_t cap);
void hx_nightly_history_release(hx_nightly_history *h);

/* Order h->runs by (started, finished, file) and set each hash_changed. */
void hx_nightly_history_order(hx_nightly_history *h);

/* Whether file is an archive name of experiment (the pattern above); utc
 * (may be NULL) gets its time as YYYY-MM-DDTHH:MM:SSZ. */
int hx_nightly_archive_name_match(const char *file, const char *experiment, char utc[32]);

/* How many runs of h have rates for tier t. */
size_t hx_nightly_history_tier_runs(const hx_nightly_history *h, hx_tier t);

#endif
