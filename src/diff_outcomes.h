/* diff_outcomes.h - the diff's outcome summary (internal to diff.c).
 *
 * While diff.c reads the streams it notes every record's tier and outcome
 * here and every matched pair's; at the end the tally becomes the result's
 * tiers (diff.h). One record without the fields, or too many distinct
 * values, turns the summary off: the stream is not telemetry.
 */
#ifndef HX_DIFF_OUTCOMES_H
#define HX_DIFF_OUTCOMES_H

#include "diff.h"
#include "json.h"

/* The fields the summary reads: a record's group and its state. */
#define HX_DIFF_GROUP_FIELD "tier"
#define HX_DIFF_STATE_FIELD "outcome"
#define HX_DIFF_MAX_VALUES 32 /* distinct values of each, else no summary */

typedef struct hx_diff_tally hx_diff_tally;

hx_diff_tally *hx_diff_tally_new(void);
void hx_diff_tally_free(hx_diff_tally *t); /* accepts NULL */

/* Count record rec of side 0 (A) or 1 (B); *group and *state get its ids
 * (-1 when the summary is off). */
void hx_diff_tally_record(hx_diff_tally *t, int side, const hx_json *rec, int *group, int *state);

/* Count a matched pair: A's group and state, B's state. */
void hx_diff_tally_pair(hx_diff_tally *t, int group, int state_a, int state_b);

/* Fill out->has_outcomes, tiers, ntiers (in out->arena): tiers as they
 * came, outcomes in the telemetry order (telemetry.h), then unknown ones as
 * they came. */
void hx_diff_tally_finish(hx_diff_tally *t, hx_diff_result *out);

#endif
