/* slurm_internal.h - shared by the files of src/slurm/ only. */
#ifndef HX_SLURM_INTERNAL_H
#define HX_SLURM_INTERNAL_H

#include "slurm/slurm.h"

/* RUN/slurm/FILE (caller frees). */
char *hx_slurm_path(const char *run, const char *file);
/* Append s to RUN/slurm/jobs.json (rewritten atomically). */
int hx_slurm_history_append(const char *run, const hx_slurm_submission *s);
/* "2026-01-02T03:04:05Z" */
void hx_slurm_utc_now(char out[32]);

#endif
