/* label.h - stage 3: ground truth for a stratified sample of a run's records.
 *
 * Sample: `sample` records (spec label.sample), shared equally among the
 * tiers and, within a tier, among its outcome strata; a stratum smaller than
 * its share gives the rest to the others (water-filling). Each stratum is
 * drawn without replacement by a shuffle seeded with XXH64 of
 * "label" NUL tier NUL outcome under the master seed. Because rare outcomes
 * are oversampled, estimates weight each labeled record by its stratum's
 * size / labeled count (calib.c), never count the sample as if it were
 * random.
 *
 * Votes, each a run of the task on an engine:
 *   extended timeout  a sampled verifier_timeout record runs again on the
 *                     run's engine, same tier, same task seed, with timeout x
 *                     timeout_multiplier;
 *   consensus         each listed voter runs every sampled task, on its own
 *                     engine and tier (default: the run's, the record's),
 *                     with seed XXH64(task seed, voter number), so simulated
 *                     voters err independently.
 * verified votes "valid", proof_invalid votes "invalid", anything else
 * abstains. The label is the majority of the votes cast; confidence = its
 * votes / all votes asked for (an abstention counts against it); no vote or
 * a tie gives no label. A label is kept when confidence >= min_confidence.
 *
 * labels.jsonl, one line per sampled record in plan order (written
 * atomically):
 *   {"task_index":N,"tier":"fast","module_name":"...","outcome":"...",
 *    "ground_truth":"valid"|"invalid"|null,"method":"extended_timeout"|
 *    "consensus"|"extended_timeout+consensus"|"none","confidence":x,
 *    "votes":{"valid":n,"invalid":n,"abstain":n},"kept":bool}
 * Engines write their scratch files under work_dir/<extended|voter-N>/.
 */
#ifndef HX_LABEL_H
#define HX_LABEL_H

#include <stdatomic.h>
#include <stddef.h>

#include "corpus.h"
#include "plan.h"
#include "progress.h"
#include "spec.h"

typedef struct {
	const hx_spec *spec;      /* spec->label says what to do */
	const hx_plan *plan;
	const hx_corpus *corpus;
	const char *telemetry_path; /* the run's records, plan order */
	const char *labels_path;    /* written */
	const char *work_dir;
	int workers;
	const atomic_int *cancel;
	hx_progress_mode progress;  /* the reruns' progress line on stderr */
	const char *progress_label; /* its prefix, e.g. "harness run: smoke: label" */
} hx_label_options;

typedef struct {
	size_t records;   /* records read */
	size_t sampled;
	size_t runs;      /* engine runs made (votes asked for) */
	size_t labeled;   /* sampled records with a label */
	size_t kept;      /* labels at or above min_confidence */
	size_t kept_completed; /* ... of records that did not time out (the
				* ones spurious rates need) */
	size_t with_truth; /* kept labels whose record carries metadata.ground_truth */
	size_t agree;      /* ... that agree with it */
} hx_label_stats;

/* Sample, vote, label, write labels.jsonl. 0, or an error: bad telemetry
 * (located), a voter whose tier has no timeout, an engine that could not
 * run a task (its message), HX_EINTERRUPTED when *cancel was set. */
int hx_label_run(hx_label_stats *out, const hx_label_options *opt);

/* Water-filling: share `total` among n strata of the given sizes, each
 * getting an equal part capped by its size; alloc[i] <= sizes[i] and the
 * allocations sum to min(total, sum of sizes). Remainders go to the first
 * strata that can take them. */
void hx_label_allocate(size_t *alloc, const size_t *sizes, size_t n, size_t total);

#endif
