/* calib.h - per-tier noise estimates from telemetry: the rates a verifier's
 * noise configuration holds, with Wilson 95% intervals, and the durations a
 * fit needs (completed runs, plus timed-out runs right-censored at the tier
 * timeout: never fitted as durations, never dropped).
 *
 *   timeout_rate        verifier_timeout / n
 *   spurious_fail_rate  P(proof_invalid | truly valid, not timed out)
 *   spurious_pass_rate  P(verified | truly invalid, not timed out)
 *
 * The spurious rates are conditional on completion because that is how the
 * verifier's noise model (and the simulator) applies them: a call times out
 * first, or else it may fail or pass spuriously. Ground truth comes from a
 * record's metadata.ground_truth ("valid"/"invalid"); records without one
 * count for the timeout rate only.
 */
#ifndef HX_CALIB_H
#define HX_CALIB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fit.h"
#include "json.h"
#include "telemetry.h"
#include "tier.h"

/* A rate with its Wilson 95% interval. Plain counts: rate = k / n (0 when
 * n == 0). Weighted (ground truth from a stratified label sample): rate is
 * the weighted ratio, n its effective sample size (calib.c, gt_rate: from
 * the linearized variance of the ratio under stratified sampling)
 * rounded, k = rate * n rounded, and the interval is Wilson's at that
 * effective size. */
typedef struct {
	unsigned long k, n;
	double rate, lo, hi;
	int weighted;
} hx_rate;

typedef struct {
	hx_tier tier;
	unsigned long n;
	unsigned long outcomes[HX_OUT_COUNT]; /* records per outcome */
	hx_rate timeout, spurious_fail, spurious_pass;
	double timeout_ms;   /* censoring point: the tier's timeout_s * 1000 */
	double *durations;   /* completed runs' duration_ms (owned) */
	size_t ndurations;
	size_t ncensored;    /* verifier_timeout runs */
	double *timeout_durations; /* how long each verifier_timeout run lasted
				    * (duration_ms; owned; ncensored of them) */
	/* filled by hx_calib_fit (stall model, fit.h) */
	hx_fit_result fits[HX_FIT_NFAMILIES];
	int fitted;          /* some family fitted: fits[] hold results */
	int has_fit;         /* some family fits (KS p >= HX_FIT_MIN_KS_P):
			      * best is it */
	hx_fit_family best;  /* when fitted: the best that fits, else the
			      * smallest AIC (the reference of delta AIC) */
	int joint;           /* the fits are one law shared by every tier,
			      * with this tier's stall fraction (hx_fit_joint) */
	char no_fit[256];    /* why no family fits, when !has_fit */
} hx_tier_data;

typedef enum {
	HX_GT_NONE,     /* no record had ground truth: spurious rates n/a */
	HX_GT_METADATA, /* the records' metadata.ground_truth (the simulator's) */
	HX_GT_LABELS    /* labels.jsonl (stratified sample, weighted) */
} hx_gt_source;

typedef struct {
	hx_tier_data tiers[HX_TIER_COUNT]; /* in FAST, BALANCED, SLOW order */
	size_t ntiers;
	unsigned long records;  /* records read (this part of the split) */
	unsigned long skipped;  /* records of the other part of the split */
	hx_gt_source gt_source;
	unsigned long labels_used; /* labels joined to records of this part */
} hx_calib_data;

/* Which records of a split to read. A record is held out when
 * XXH64(its task key, seed) / 2^64 < split, its task key being
 * metadata.task_index when present, else its line number: the same record
 * always lands on the same side, whatever the file order. */
typedef enum { HX_PART_ALL, HX_PART_TRAIN, HX_PART_HOLDOUT } hx_split_part;

typedef struct {
	const char *labels_path; /* labels.jsonl (label.h), joined on task_index:
				  * its kept labels give the ground truth, with
				  * stratum weights; NULL: metadata.ground_truth */
	double split;            /* held-out fraction in [0, 1) */
	uint64_t split_seed;
	hx_split_part part;
	/* Called with every record once this reader has taken it (NULL: not
	 * at all), so that another reader shares the parse (compare's records
	 * by task); a nonzero return stops the read with that error. */
	int (*each)(void *ctx, const hx_json *rec, size_t lineno);
	void *each_ctx;
} hx_calib_read_options;

/* Read a telemetry JSONL file (all of it: hx_calib_read_ex with NULL
 * options). Errors name "FILE:LINE: ..." (a record without
 * tier/outcome/duration_ms, an unknown tier or outcome, two timeouts for one
 * tier). */
int hx_calib_read(hx_calib_data *out, const char *path);
int hx_calib_read_ex(hx_calib_data *out, const char *path, const hx_calib_read_options *opt);
/* The same for several parts in one pass over the file (opt->part is not
 * used): every record into *all, the training ones into *train, the held
 * out ones into *holdout; any of the three may be NULL. On an error none
 * is left filled. */
int hx_calib_read_split(hx_calib_data *all, hx_calib_data *train, hx_calib_data *holdout,
			const char *path, const hx_calib_read_options *opt);
void hx_calib_release(hx_calib_data *d);

/* Fit the four duration families for every tier (completed durations,
 * timeouts censored at the tier timeout, with the stall model of fit.h);
 * with two tiers or more, jointly (hx_fit_joint: one duration law, a
 * stall fraction per tier), else per tier.
 * A tier where no family fits (none fitted, or every KS p below
 * HX_FIT_MIN_KS_P) keeps the reason in no_fit; that is not an error. */
void hx_calib_fit(hx_calib_data *d);

/* Reports. JSON names are pinned: per tier "n", "timeout_rate",
 * "timeout_rate_ci", "spurious_fail_rate", "spurious_fail_rate_ci",
 * "spurious_pass_rate", "spurious_pass_rate_ci", "duration_fit" {"best" (null and "error" when no family fits),
 * "censor_at_ms", "n_completed", "n_censored", "families" {name: {"params"
 * {...}, "se" {...}, "loglik", "aic", "bic", "delta_aic", "ks_d", "ks_p"}}}
 * ("best": null and "error" when nothing fits). */
void hx_calib_format_json(hx_buf *out, const hx_calib_data *d);
void hx_calib_format_text(hx_buf *out, const hx_calib_data *d);

/* One fit report of plain durations (harness fit --durations). fitted:
 * fits[] hold results; has_best: best fits (else no_fit says why no
 * family does, and best is only the reference of delta AIC). */
void hx_fit_format_json(hx_buf *out, const hx_fit_result fits[HX_FIT_NFAMILIES], int fitted,
			int has_best, hx_fit_family best, const char *no_fit, size_t n,
			size_t ncensored, double censor_at);
void hx_fit_format_text(hx_buf *out, const hx_fit_result fits[HX_FIT_NFAMILIES], int fitted,
			int has_best, hx_fit_family best, const char *no_fit);

/* "none", "simulator", "labels". */
const char *hx_gt_source_name(hx_gt_source s);

/* The tier t of d (NULL when d is NULL or has none). */
const hx_tier_data *hx_calib_tier(const hx_calib_data *d, hx_tier t);
/* Rate i of a tier: 0 timeout, 1 spurious fail, 2 spurious pass. */
const hx_rate *hx_tier_rate(const hx_tier_data *t, int i);

/* The timeout rate a verifier noise configuration holds for tier t: the
 * injected (stall) timeouts, i.e. the stall fraction of the tier's best
 * duration fit when it has one (fit.h, stall model: the other timeouts
 * are runs that outlast the timeout, which the verifier does by itself),
 * else the observed timeout rate. */
double hx_tier_noise_timeout_rate(const hx_tier_data *t);

/* k of n with its Wilson 95% interval. */
void hx_rate_set(hx_rate *r, unsigned long k, unsigned long n);

#endif
