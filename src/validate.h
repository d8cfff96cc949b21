/* validate.h - stage 5: is a calibration any good? (PASS/FAIL per check)
 *
 * Inputs: the calibration fitted on the training part of a split and the
 * held-out part (calib.h, hx_calib_read_ex), both with hx_calib_fit done.
 * Checks, each PASS, FAIL or SKIP with its reason:
 *
 *   monotonicity.<rate>   adjacent tiers, faster vs slower (FAST > BALANCED >
 *                         SLOW expected), one-sided pooled two-proportion
 *                         z-tests on the training part. FAIL only when the
 *                         slower tier is significantly *higher* (reverse
 *                         one-sided p < alpha): a lack of power is not
 *                         evidence against the ordering. The reason says
 *                         whether the decrease itself is significant.
 *                         Adjacent means among the tiers where the rate has
 *                         observations; a pair without variance (no events,
 *                         or only events) is not tested, and SKIP when no
 *                         pair was. statistic: the smallest pair z (faster
 *                         minus slower); p_value: its reverse p.
 *   trend.<rate>          Cochran-Armitage over all tiers present (scores
 *                         0, 1, 2 for FAST, BALANCED, SLOW); FAIL when
 *                         significant (two-sided p < alpha) and increasing
 *                         (the sign of the statistic's numerator).
 *                         statistic: chi-squared; p_value: its p.
 *   holdout.<tier>.<rate> calibration error |observed_holdout - predicted|
 *                         (predicted = the training rate) and Newcombe's
 *                         95% interval of held-out minus training (0 inside:
 *                         the held-out rate is inside its prediction
 *                         interval; that is what coverage counts). FAIL when
 *                         the family-wise interval at 1 - 0.05/m (Bonferroni
 *                         over the m holdout checks that run) excludes 0, or
 *                         the error exceeds max_calibration_error when that
 *                         is set: among m checks at 95% some miss by chance.
 *                         observed/expected: held-out/training rate; lo, hi:
 *                         the 95% interval.
 *   coverage              the share of holdout checks (that ran) whose
 *                         interval contains 0; FAIL when that many misses
 *                         are improbable at 95% nominal coverage: p =
 *                         P(X >= misses), X ~ Binomial(checks, 0.05), the
 *                         checks taken as independent, < alpha. A FAIL
 *                         from max_calibration_error alone is no miss.
 *   cross_tier.<tier>     one duration model across the tiers (a timeout
 *                         is a stall or a run that outlasted the limit;
 *                         fit.h, stall model): for each faster tier, (1)
 *                         its completed durations against the slowest
 *                         tier's completed durations below its timeout,
 *                         two-sample KS at the family-wise level alpha / m
 *                         (Bonferroni over the m cross-tier checks): both
 *                         are the same law truncated there; (2) its timeout
 *                         rate's Wilson (1 - alpha) interval must reach
 *                         S(its timeout) of the slowest tier's best fit,
 *                         the share of runs that outlast that timeout
 *                         (fewer timeouts than that cannot be). FAIL when
 *                         either fails; the reason gives the implied stall
 *                         fraction. observed/expected: timeout rate and S;
 *                         lo, hi: its interval; statistic, p_value: the KS
 *                         D and p. SKIP when the slowest tier has no fit
 *                         that fits. None with one tier.
 *   envelope.<tier>.<rate> a user's acceptance range [min, max]: PASS when
 *                         the rate's 95% interval overlaps it (the reason
 *                         says whether it lies inside), FAIL when the
 *                         interval lies wholly outside. The interval is the
 *                         rate's own (hx_rate lo, hi).
 *
 * Rates: timeout_rate, spurious_fail_rate, spurious_pass_rate. A check
 * whose data are missing (one tier, no events, no ground truth, no fit, an
 * empty held-out part) is SKIP with the reason; SKIP never fails a
 * validation. The validation passes when no check FAILs. Checks come in
 * the order above (monotonicity for each rate, then trend for each rate;
 * holdout tier-major), envelopes in the order given.
 */
#ifndef HX_VALIDATE_H
#define HX_VALIDATE_H

#include <stddef.h>

#include "buf.h"
#include "calib.h"
#include "tier.h"

typedef enum { HX_CHECK_PASS, HX_CHECK_FAIL, HX_CHECK_SKIP } hx_check_status;

typedef struct {
	char name[64];   /* e.g. "monotonicity.timeout_rate",
			  * "holdout.fast.spurious_fail_rate", "cross_tier.fast" */
	hx_check_status status;
	/* Figures, NaN when the check has none: */
	double observed;  /* held-out rate, observed timeout rate, ... */
	double expected;  /* training rate, S(timeout), ... */
	double lo, hi;    /* the interval the decision used */
	double statistic; /* z or chi-squared */
	double p_value;
	char reason[256]; /* one line, no trailing newline */
} hx_check;

typedef struct {
	hx_tier tier;
	int rate;        /* 0 timeout_rate, 1 spurious_fail_rate, 2 spurious_pass_rate */
	double min, max; /* inclusive range of acceptable rates */
} hx_envelope;

typedef struct {
	double alpha;                 /* 0.05 when 0 */
	/* Run these checks (nonzero). Checks not asked for are left out, not
	 * SKIP. monotonicity also runs trend; holdout also runs coverage.
	 * Envelopes always run. */
	int monotonicity;
	int holdout;
	int cross_tier;
	double max_calibration_error; /* > 0: also bound |observed - predicted| */
	const hx_envelope *envelopes;
	size_t nenvelopes;
} hx_validate_options;

typedef struct {
	hx_check *checks;
	size_t n;
	size_t npass, nfail, nskip;
	int passed;      /* nfail == 0 */
	double coverage; /* share of holdout checks whose interval contained 0;
			  * NaN when none ran */
} hx_validation;

/* Rate names in check names and exports, by index 0..2; NULL otherwise. */
const char *hx_rate_name(int rate);

/* Run the checks. holdout may be NULL (or have no records): the holdout
 * and coverage checks are SKIP. opt NULL: every check at alpha 0.05.
 * Returns 0 (a FAIL is a result, not an error), or HX_EINVALID for bad
 * options (alpha outside (0, 1), an envelope with an unknown tier or rate,
 * min > max or outside [0, 1]), *out then empty. The caller releases *out
 * with hx_validation_release (it owns checks). */
int hx_validate(hx_validation *out, const hx_calib_data *train, const hx_calib_data *holdout,
		const hx_validate_options *opt);
void hx_validation_release(hx_validation *v);

/* "PASS" / "FAIL" / "SKIP". */
const char *hx_check_status_name(hx_check_status s);

/* Text: one line per check ("PASS  holdout.fast.timeout_rate  reason"),
 * then "validation: PASS (n checks: p passed, f failed, s skipped)". */
void hx_validation_format_text(hx_buf *out, const hx_validation *v);
/* JSON: {"passed":bool,"coverage":x|null,"checks":[{"name","status",
 * "reason", and each figure that is not NaN: "observed","expected","ci"
 * [lo,hi],"statistic","p_value"}]} with '\n'. */
void hx_validation_format_json(hx_buf *out, const hx_validation *v);

#endif
