/* replay.h - replaying a run's archive (run_archive.h writes it).
 *
 * Replaying: verify every member against the manifest, write the spec and
 * its inputs to a work directory, run them there (same seed, same models,
 * the archived worker count unless told otherwise), then compare the
 * canonical snapshot hash and the fitted models (calibration.yaml and
 * noise_config.yaml as YAML trees, without calibration_metadata's date,
 * spec, models_file and corpus, which name paths a replay changes (the
 * archive's members are checked by hash); labels.jsonl byte for byte). When the profile
 * strips duration_ms (the default of real engines), what the durations
 * decide is not compared either: every duration_fit and
 * timeout_distribution, the cross_tier.* checks, validation_report.summary
 * and calibration_metadata.validation_passed.
 */
#ifndef HX_REPLAY_H
#define HX_REPLAY_H

#include <stdatomic.h>
#include <stddef.h>

#include "archive.h"
#include "buf.h"
#include "diff.h"
#include "hash.h"
#include "run.h"
#include "spec.h"

typedef struct {
	const char *archive_path;
	const hx_archive_contents *contents; /* optional: archive_path already read
					      * and verified (hx_archive_read) */
	const char *work_dir;     /* created; NULL: a temporary directory, removed after */
	int workers;              /* 0: the archived worker count */
	const char *engine_file;  /* YAML file whose `engine:` replaces the archived one */
	const char *engine_root;  /* replaces engine.root */
	hx_progress_mode progress;
	const atomic_int *cancel;
} hx_replay_options;

typedef struct {
	char experiment[128];
	char seed[24];
	char engine_version[256];   /* archived */
	char replay_engine[256];    /* what ran now */
	size_t members;             /* verified */
	char archived_hash[HX_HASH_HEX_LEN], replayed_hash[HX_HASH_HEX_LEN];
	int snapshot_identical;
	hx_diff_result diff;        /* canonical snapshots, when they differ */
	int models_identical;
	hx_buf models_report;       /* which model file differs, line by line */
	size_t raw_records_differing; /* raw records that differ (past the
				       * always volatile id, timestamp, worker)
				       * while the canonical ones match: within
				       * what the profile rounds or strips */
	hx_buf rounded_fields;      /* "duration_ms, cpu_time_ms, ...": what the
				     * profile rounds, then what it strips
				     * past the always volatile fields */
	char profile[128];          /* the canonical profile's name */
	int stripped_beyond;        /* the profile strips more than the always
				     * volatile fields (real engines): the raw
				     * differences may lie in stripped fields */
	int timing_not_compared;    /* the profile strips duration_ms: duration
				     * fits, timeout distributions, cross-tier
				     * checks and the verdict were not compared */
	double run_s;               /* the replay's run */
} hx_replay_result;

void hx_replay_result_init(hx_replay_result *r);
void hx_replay_result_release(hx_replay_result *r);

/* A replay's work directory: `given` (created with its parents) or a new
 * /tmp/harness-replay-XXXXXX (*temp set: the caller removes it). */
int hx_replay_work_dir(const char *given, char **work, int *temp);

/* 0 when it ran (identical or not: see the result), or an error: the
 * archive's (archive.h: HX_EMISMATCH names the member), the run's. */
int hx_replay(hx_replay_result *out, const hx_replay_options *opt);

#endif
