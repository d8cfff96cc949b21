/* slurm/slurm.h - running the shards of one plan as a Slurm array job.
 *
 * The scheduler lives here and nowhere else in the library: a run of N
 * shards on Slurm is a directory RUN with
 *
 *   RUN/slurm/submit.json    what was asked (spec, shards, seed, options),
 *                            so a resubmission needs only RUN
 *   RUN/slurm/shard.sbatch   the array job: task K runs
 *                            `harness run SPEC --shard K/N --out RUN/shards/K`
 *   RUN/slurm/merge.sbatch   `harness merge RUN/shards/0 ... --out RUN/merged`
 *   RUN/slurm/jobs.json      every submission: job ids and the shards in it
 *   RUN/slurm/shard-K.out, merge.out   the jobs' output
 *   RUN/shards/K/            shard K's run directory (shard.json, telemetry)
 *   RUN/merged/              the merged run
 *
 * What is done is read from the shard manifests (RUN/shards/K/shard.json),
 * never from the scheduler, so a resubmission reruns exactly the shards
 * that are not complete whatever the scheduler remembers. sbatch, sacct,
 * scontrol and scancel are run as child processes (exec.h).
 */
#ifndef HX_SLURM_H
#define HX_SLURM_H

#include <stddef.h>

#include "buf.h"

#define HX_SLURM_SHARDS_MAX 100000

/* A Slurm run: what submit.json holds. Strings are owned (malloc'd);
 * NULL (or 0) means "not given": sbatch's default applies. */
typedef struct {
	char *spec;        /* the spec as given, relative to cwd or absolute */
	char *experiment;  /* the spec's experiment name */
	int shards;        /* 1..HX_SLURM_SHARDS_MAX */
	char *seed;        /* decimal master seed, or NULL: the spec's */
	char *partition;
	char *time;
	char *mem;
	char *account;
	int cpus_per_task; /* 0: not given */
	int max_parallel;  /* 0: no limit on array tasks at once */
	char *harness;     /* absolute path of the harness the jobs run */
	char *cwd;         /* absolute directory the jobs run in */
	char *run;         /* absolute run directory */
} hx_slurm_job;

void hx_slurm_job_init(hx_slurm_job *j);
void hx_slurm_job_release(hx_slurm_job *j);

/* Check a job before anything is written: shards in range, the options
 * free of what cannot go on an #SBATCH line (a newline, a double quote),
 * absolute harness, cwd and run. HX_EINVALID with the message. */
int hx_slurm_job_check(const hx_slurm_job *j);

/* The text of RUN/slurm/shard.sbatch and merge.sbatch (appended to out). */
void hx_slurm_shard_script(hx_buf *out, const hx_slurm_job *j);
void hx_slurm_merge_script(hx_buf *out, const hx_slurm_job *j);

/* Slurm's --array value for the shard indices idx[0..n) (ascending):
 * runs of consecutive indices as "a-b", joined by ',', then "%M" when
 * max_parallel > 0 ("0-3%2", "2", "1,3"). Appended to out. */
void hx_slurm_array_spec(hx_buf *out, const int *idx, size_t n, int max_parallel);

/* s as one word of a POSIX shell, appended: as it is when it holds only
 * letters, digits and /._-+:,=%@, else in '...' (a ' as '\''). */
void hx_slurm_shell_quote(hx_buf *out, const char *s);

/* Write RUN/slurm/shard.sbatch and merge.sbatch (mode 0755) and
 * submit.json, each atomically; makes RUN/slurm and RUN/shards. */
int hx_slurm_write(const hx_slurm_job *j);

/* Read RUN/slurm/submit.json into *out (initialized by the call; release
 * it whatever the return). HX_ENOTFOUND "'RUN' is not a harness slurm run
 * (no 'RUN/slurm/submit.json')"; HX_EINVALID for a file that is not one. */
int hx_slurm_load(hx_slurm_job *out, const char *run);

/* The state of one shard, from its manifest. */
typedef enum {
	HX_SLURM_SHARD_NONE,    /* no shard.json: not started */
	HX_SLURM_SHARD_STARTED, /* shard.json says not complete */
	HX_SLURM_SHARD_DONE     /* shard.json says complete */
} hx_slurm_shard_state;

typedef struct {
	hx_slurm_shard_state state;
	unsigned long tasks;    /* the shard's task count (0 when unknown) */
	unsigned long records;  /* done: the manifest's; started: whole lines
				 * in telemetry.jsonl.partial so far */
	unsigned long attempts; /* starts of the shard (0 when not started) */
	int partial;            /* telemetry.jsonl.partial exists */
} hx_slurm_shard;

/* Read the manifest of shard k of run: RUN/shards/K/shard.json. A missing
 * manifest is HX_SLURM_SHARD_NONE; an unreadable one is HX_EINVALID. */
int hx_slurm_shard_read(hx_slurm_shard *out, const char *run, int k);

/* RUN/merged holds a finished merge: its summary.txt, and the archive its
 * .run-state.json names (relative to j->cwd) when it names one. */
int hx_slurm_merged_done(const hx_slurm_job *j);

/* One submission in RUN/slurm/jobs.json. */
typedef struct {
	char *array_job; /* the array job's id, or NULL: no shard submitted */
	char *merge_job; /* the merge job's id */
	int *shards;     /* the shards in the array job, ascending */
	size_t nshards;
	char *submitted; /* UTC, "2026-01-02T03:04:05Z" */
} hx_slurm_submission;

typedef struct {
	hx_slurm_submission *v;
	size_t len;
} hx_slurm_history;

void hx_slurm_history_release(hx_slurm_history *h);
/* Read RUN/slurm/jobs.json (none yet: empty, 0). */
int hx_slurm_history_load(hx_slurm_history *out, const char *run);

/* What a (re)submission has to do, from the shard manifests. */
typedef struct {
	int *shards;   /* the shards that are not complete, ascending (owned) */
	size_t nshards;
	int merge;     /* the merge has to run (it has not finished) */
} hx_slurm_todo;

void hx_slurm_todo_release(hx_slurm_todo *t);
int hx_slurm_todo_get(hx_slurm_todo *out, const hx_slurm_job *j);

/* The scheduler's view of a job: a state per array task ("RUNNING",
 * "PENDING", "COMPLETED", "CANCELLED", "FAILED", ...; a pending task
 * range is one entry per task) or, for a job without tasks, one entry of
 * task -1. */
typedef struct {
	int task;    /* array index, or -1 for the job itself */
	char *state; /* as Slurm spells it, "CANCELLED by 0" cut to "CANCELLED" */
} hx_slurm_task_state;

typedef struct {
	hx_slurm_task_state *v;
	size_t len;
	const char *source; /* "sacct", "scontrol", or NULL: neither knows it */
} hx_slurm_states;

void hx_slurm_states_release(hx_slurm_states *s);
/* The state of task (or -1) in s, or NULL. */
const char *hx_slurm_states_get(const hx_slurm_states *s, int task);

/* Parse `sacct -n -P -X -o JobID,State -j ID` output: lines "ID|STATE",
 * "ID_K|STATE", "ID_[A-B,C%M]|STATE". Appends to out; lines of other jobs
 * are skipped. HX_EINVALID on a line that is not of that shape. */
int hx_slurm_parse_sacct(hx_slurm_states *out, const char *job_id, const char *text);
/* Parse `scontrol -o show job ID` output: one line per record, with
 * JobId=, ArrayJobId=, ArrayTaskId= (K, or a range list for the pending
 * ones) and JobState=. Appends to out. */
int hx_slurm_parse_scontrol(hx_slurm_states *out, const char *job_id, const char *text);

/* Ask the scheduler about job_id: sacct when accounting works, else
 * scontrol show job. *out is initialized; a job neither knows (or no
 * Slurm commands) gives an empty list with source NULL, and 0. */
int hx_slurm_query(hx_slurm_states *out, const char *job_id);

/* A state in which the job may still run (pending, running, suspended,
 * configuring, completing, requeued, ...). */
int hx_slurm_state_active(const char *state);

/* The sbatch command lines of a submission, for printing ("sbatch
 * --parsable [--array=...] RUN/slurm/shard.sbatch" and the merge's with
 * "--dependency=afterok:ARRAY_ID", ARRAY_ID as given). */
void hx_slurm_sbatch_line(hx_buf *out, const hx_slurm_job *j, const hx_slurm_todo *todo, int merge,
			  const char *array_id);

/* Submit what todo says: the array job of todo->shards (when any), then
 * the merge job (afterok on the array job when there is one). A merge job
 * of an earlier submission that is still pending is cancelled first (its
 * dependency on a failed array can never be met). The submission is
 * appended to RUN/slurm/jobs.json and returned in *out (release with
 * hx_slurm_submission_release). sbatch missing or failing: HX_EENGINE,
 * one line with sbatch's message; when the array job went in and the
 * merge job did not, the submission is recorded all the same (merge_job
 * NULL) and the message names the array job. */
int hx_slurm_submit(hx_slurm_submission *out, const hx_slurm_job *j, const hx_slurm_todo *todo);
void hx_slurm_submission_release(hx_slurm_submission *s);

/* The scheduler's view of a run's submissions: states[i] for history
 * entry i's array job, merge[i] for its merge job (each queried once). */
typedef struct {
	hx_slurm_states *array;
	hx_slurm_states *merge;
	size_t len;
} hx_slurm_view;

int hx_slurm_view_get(hx_slurm_view *out, const hx_slurm_history *h);
void hx_slurm_view_release(hx_slurm_view *v);

/* Shard k's latest array task: the scheduler's state of it (NULL when
 * unknown or never submitted) and its id "ARRAY_K" into job (job[0] = 0
 * when never submitted). */
const char *hx_slurm_view_shard(const hx_slurm_view *v, const hx_slurm_history *h, int k,
				char job[64]);

/* The shards of earlier submissions the scheduler still runs or has
 * queued, ascending, into *out (owned, may be NULL when *n is 0): a
 * resubmission of one of them would run it twice at once. */
void hx_slurm_view_active(int **out, size_t *n, const hx_slurm_view *v, const hx_slurm_history *h,
			  int shards);

#endif
