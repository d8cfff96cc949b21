/* series/series_replay.h - the archive of a series run, and replaying it.
 *
 * Members (archive.h; MANIFEST.json first):
 *   spec.yaml                     the series spec as it ran
 *   spec/<file>                   the files it names (budgets, presets, a
 *                                 canonical profile), by their names in the
 *                                 spec (below the spec's directory)
 *   steps/<step>/<file>           every step's table and other files, and
 *                                 each run's telemetry (steps/<step>/telemetry/)
 *   snapshot/<step>.jsonl, snapshot/manifest.json   the snapshot
 *   report.html, figures/<name>.svg, last_change.txt   the report
 *                                 (report/series_report.h)
 * written to ARCHIVE_DIR/<experiment>-<utc>-<hash8>.tar.zst.
 *
 * Replaying: verify the archive, write the spec and its files to a work
 * directory, run every step there (forced, the archived worker count
 * unless told otherwise), and compare each step's table hash and the
 * snapshot hash with the archived ones.
 */
#ifndef HX_SERIES_REPLAY_H
#define HX_SERIES_REPLAY_H

#include "archive.h"
#include "series/series_run.h"

/* Write the archive of a finished series run: the spec (opt's text, else
 * the file), the files it names and the work directory's step files. */
int hx_series_archive(const char *path, const hx_series_result *r, const hx_series_spec *s,
		      const hx_series_options *opt, const char *started, const char *finished);

/* 1 when a verified archive holds a series run (its spec.yaml has steps). */
int hx_series_archive_is_series(const hx_archive_contents *c);

typedef struct {
	const char *archive_path;
	const char *work_dir; /* created; NULL: a temporary directory, removed after */
	int workers;          /* 0: the archived count */
	hx_progress_mode progress;
	const atomic_int *cancel;
} hx_series_replay_options;

typedef struct {
	char *experiment;
	char *seed;
	char *engine_version;  /* archived */
	char *engine_hash;     /* archived binary hash, or NULL */
	char *replay_engine;   /* what ran now */
	char *replay_engine_hash;
	size_t members;
	char archived_hash[HX_HASH_HEX_LEN], replayed_hash[HX_HASH_HEX_LEN];
	char **steps;          /* step names, run order */
	char (*archived)[HX_HASH_HEX_LEN];
	char (*replayed)[HX_HASH_HEX_LEN];
	size_t nsteps;
	int identical;         /* every step's table and the snapshot hash */
	double run_s;
} hx_series_replay_result;

void hx_series_replay_result_init(hx_series_replay_result *r);
void hx_series_replay_result_release(hx_series_replay_result *r);

/* Replay a verified archive's series run (c: hx_archive_read's). */
int hx_series_replay(hx_series_replay_result *out, const hx_archive_contents *c,
		     const hx_series_replay_options *opt);
/* "identical" or the steps that differ, one line each. */
void hx_series_replay_format(hx_buf *out, const hx_series_replay_result *r);

#endif
