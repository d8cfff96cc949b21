/* run_archive.h - a run's archive, which replay.h replays.
 *
 * hx_run calls hx_run_archive_write after a run: the members
 *   spec.yaml            the resolved spec: the run's spec with its seed,
 *                        and references made self-contained: models:
 *                        models.yaml, canonical profile: profile.yaml (when a
 *                        file), corpus list: corpus.txt, a corpus dir and a
 *                        real engine's root as absolute paths
 *   models.yaml          the models the engine ran with (the file, or the
 *                        built-in text; absent when inline in the spec)
 *   profile.yaml, corpus.txt   when the spec used them
 *   telemetry.jsonl, labels.jsonl, calibration.yaml, calibration.md,
 *   noise_config.yaml, summary.txt     the run directory's files
 *   snapshot/telemetry.jsonl, snapshot/manifest.json   the snapshot
 * go to ARCHIVE_DIR/<experiment>-<utc>-<hash8>.tar.zst (archive.h).
 */
#ifndef HX_RUN_ARCHIVE_H
#define HX_RUN_ARCHIVE_H

#include <stddef.h>

#include "run.h"
#include "spec.h"

/* DIR/<experiment>-<utc>-<first 8 hex of the hash>.tar.zst (caller frees);
 * "-2", "-3", ... before the extension when that exists. */
char *hx_run_archive_name(const char *dir, const char *experiment, const char *utc,
			  const char *snapshot_hash);

/* Write the archive of a finished run to path (r: its result, spec and
 * spec_text: what ran; started/finished: UTC ISO 8601). */
int hx_run_archive_write(const char *path, const hx_run_result *r, const hx_spec *spec,
			 const char *spec_text, size_t spec_len, const char *started,
			 const char *finished);

#endif
