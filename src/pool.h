/* pool.h - the worker pool: n jobs on a few threads, results in job order.
 *
 * `workers` threads take jobs in index order (0, 1, 2, ...); each job
 * leaves its result in a slot of the caller's, indexed by the job, and
 * marks it done with hx_pool's release store. The calling thread wakes
 * about every 100 ms (and when the last job is done) and hands the newly
 * completed *prefix* of the jobs to `flush`, in order, so whatever the
 * caller writes never depends on scheduling or on the worker count.
 *
 * With a window (below) memory stays flat in n: a worker that runs ahead
 * of the oldest unfinished job by `window` jobs waits for it, and the
 * calling thread is woken as soon as half the window waits to be flushed,
 * not only every 100 ms.
 *
 * Cancel: when *cancel becomes nonzero no job is started, `run` is
 * expected to stop what it runs (the engines watch the same flag), the
 * completed prefix is flushed and hx_pool_run returns HX_EINTERRUPTED.
 * A job that failed (run returned a code other than 0 and
 * HX_EINTERRUPTED) stops the pool: no further job starts, its message
 * (hx_error_last of the worker's thread) becomes the caller's, and its code
 * is returned after the running jobs end.
 */
#ifndef HX_POOL_H
#define HX_POOL_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct {
	size_t n;    /* jobs */
	int workers; /* threads; clamped to 1..n */
	void *ctx;
	/* Run job i on worker `worker` (0-based; for progress and records).
	 * Returns 0 when the job has a result, HX_EINTERRUPTED when it was
	 * canceled and has none, or another negative code (message set): the
	 * pool fails. Called concurrently from the workers. */
	int (*run)(void *ctx, size_t i, int worker);
	/* On the calling thread: jobs [from, to) are done and have not been
	 * flushed yet (called with a growing prefix, never twice for a job).
	 * Nonzero fails the pool with that code. May be NULL. */
	int (*flush)(void *ctx, size_t from, size_t to);
	/* On the calling thread, about every 100 ms while jobs run: `done`
	 * jobs have finished (in any order). May be NULL. */
	void (*tick)(void *ctx, size_t done);
	const atomic_int *cancel; /* optional */
	/* The reorder window: job i starts only once the jobs before i - window
	 * are flushed, so at most `window` results wait for the prefix at any
	 * time and the caller's slots can be a ring of `window` entries (slot
	 * i % window). 0: no bound (a slot per job). */
	size_t window;
} hx_pool_options;

/* Run the jobs. Returns 0 when every job ran and was flushed;
 * HX_EINTERRUPTED when canceled (the completed prefix was flushed); else
 * the first failure's code with its message. *flushed (may be NULL) gets
 * the length of the flushed prefix in every case. */
int hx_pool_run(const hx_pool_options *opt, size_t *flushed);

/* The number of online processors (at least 1): the default worker count. */
int hx_pool_cores(void);

#endif
