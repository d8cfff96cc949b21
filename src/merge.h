/* merge.h - shards of one plan (shard.h) into one run.
 *
 * hx_merge reads each shard directory's shard.json and checks that the
 * shards belong to one plan (the same spec bytes, seed, plan size and
 * engine identity), that they are complete (every task of the shard has
 * its record, the last line whole) and that together they are every shard
 * 0..N-1 of one partition exactly once; what is missing or mismatched is
 * named, shard directory by shard directory (HX_EINVALID). It then writes
 * RUN/telemetry.jsonl in plan order, task i from shard i mod N (one line
 * of each file in memory at a time), and finishes the run exactly as
 * `harness run` does (run.h): snapshot, golden gate, calibration stages,
 * summary, report and archive. The merged snapshot hash is the unsharded
 * run's, and the archive replays as one.
 */
#ifndef HX_MERGE_H
#define HX_MERGE_H

#include <stddef.h>

#include "run.h"

/* opt as for hx_run, with spec_path NULL (the shards' spec, as their
 * manifests name it) or the spec, which must be the same bytes; seed,
 * resume and shard are not used (the seed is the shards'). out_dir NULL:
 * runs/<experiment>-<utc>/. A merge that stopped after the telemetry is
 * written (a crash, an interrupt while labeling) is finished by merging
 * again into the same out_dir. */
int hx_merge(hx_run_result *out, const hx_run_options *opt, const char *const *shard_dirs,
	     size_t n);

#endif
