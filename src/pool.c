/* pool.c - the worker pool (pool.h). */
#include "pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"

typedef struct {
	const hx_pool_options *o;
	atomic_uchar *done_flags; /* per job i, at i % window: set (release) when
				   * its result is in, cleared when flushed */
	size_t window;            /* o->window, or n */
	atomic_size_t next;
	atomic_size_t done;
	atomic_size_t flushed;    /* the flushed prefix (stored by the caller's thread) */
	atomic_int kicked;        /* a worker has woken the caller's thread */
	atomic_int failed;
	pthread_mutex_t lock;
	pthread_cond_t wake;  /* the last job is done, a job failed, or the window fills */
	pthread_cond_t space; /* the flushed prefix grew */
	char err[1024];
	int err_code;
} pool;

typedef struct {
	pool *p;
	int id;
} worker_arg;

static int canceled(const pool *p)
{
	return p->o->cancel && atomic_load(p->o->cancel);
}

static void wake(pool *p)
{
	pthread_mutex_lock(&p->lock);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

/* Keep the first failure (its message comes from the failing thread). */
static void fail(pool *p, int code)
{
	pthread_mutex_lock(&p->lock);
	if (!atomic_load(&p->failed)) {
		snprintf(p->err, sizeof(p->err), "%s", hx_error_last());
		p->err_code = code;
		atomic_store(&p->failed, 1);
	}
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

static void deadline_100ms(struct timespec *until)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_nsec += 100 * 1000 * 1000;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/* Job i may start once it is inside the window: 0, or 1 when the pool
 * failed or was canceled while waiting. */
static int wait_for_window(pool *p, size_t i)
{
	if (i < atomic_load(&p->flushed) + p->window)
		return 0;
	pthread_mutex_lock(&p->lock);
	while (i >= atomic_load(&p->flushed) + p->window && !atomic_load(&p->failed) &&
	       !canceled(p)) {
		struct timespec until;
		if (!atomic_exchange(&p->kicked, 1))
			pthread_cond_broadcast(&p->wake);
		deadline_100ms(&until);
		pthread_cond_timedwait(&p->space, &p->lock, &until);
	}
	pthread_mutex_unlock(&p->lock);
	return atomic_load(&p->failed) || canceled(p);
}

static void *worker_main(void *arg)
{
	worker_arg *wa = arg;
	pool *p = wa->p;
	size_t i;

	while (!atomic_load(&p->failed) && !canceled(p) &&
	       (i = atomic_fetch_add(&p->next, 1)) < p->o->n) {
		int err;
		if (wait_for_window(p, i))
			break;
		err = p->o->run(p->o->ctx, i, wa->id);
		if (err == HX_EINTERRUPTED && canceled(p))
			break; /* canceled: this job has no result */
		if (err == HX_EINTERRUPTED)
			hx_error_set("job %zu was interrupted without a cancel", i);
		if (err) {
			fail(p, err);
			break;
		}
		atomic_store_explicit(&p->done_flags[i % p->window], 1, memory_order_release);
		if (atomic_fetch_add(&p->done, 1) + 1 == p->o->n)
			wake(p);
		else if (p->window < p->o->n &&
			 atomic_load(&p->next) - atomic_load(&p->flushed) >= p->window / 2 &&
			 !atomic_exchange(&p->kicked, 1))
			wake(p); /* half the window waits: flush now, not in 100 ms */
	}
	return NULL;
}

/* Hand the newly completed prefix to the caller. */
static int flush_prefix(pool *p)
{
	size_t start = atomic_load(&p->flushed), end = start, i;
	int err;
	while (end < p->o->n && end < start + p->window &&
	       atomic_load_explicit(&p->done_flags[end % p->window], memory_order_acquire))
		end++;
	if (end == start)
		return 0;
	err = p->o->flush ? p->o->flush(p->o->ctx, start, end) : 0;
	/* The slots are free again: the jobs a window further on may start. */
	for (i = start; i < end; i++)
		atomic_store_explicit(&p->done_flags[i % p->window], 0, memory_order_relaxed);
	pthread_mutex_lock(&p->lock);
	atomic_store(&p->flushed, end);
	pthread_cond_broadcast(&p->space);
	pthread_mutex_unlock(&p->lock);
	return err;
}

int hx_pool_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

int hx_pool_run(const hx_pool_options *o, size_t *flushed)
{
	pool p;
	pthread_t *th;
	worker_arg *args;
	int workers = o->workers, i, started = 0, err = 0;

	memset(&p, 0, sizeof(p));
	p.o = o;
	if (flushed)
		*flushed = 0;
	if (o->n == 0)
		return 0;
	if (workers < 1)
		workers = 1;
	if ((size_t)workers > o->n)
		workers = (int)o->n;
	p.window = o->window && o->window < o->n ? o->window : o->n;
	p.done_flags = hx_xcalloc(p.window, sizeof(atomic_uchar));
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.wake, NULL);
	pthread_cond_init(&p.space, NULL);
	th = hx_xcalloc((size_t)workers, sizeof(pthread_t));
	args = hx_xcalloc((size_t)workers, sizeof(worker_arg));
	for (i = 0; i < workers; i++) {
		args[i].p = &p;
		args[i].id = i;
		if (pthread_create(&th[i], NULL, worker_main, &args[i]) != 0) {
			hx_error_set("cannot start worker thread %d", i);
			fail(&p, HX_ESYSTEM);
			break;
		}
		started++;
	}
	pthread_mutex_lock(&p.lock);
	while (atomic_load(&p.done) < o->n && !atomic_load(&p.failed) && !canceled(&p)) {
		struct timespec until;
		deadline_100ms(&until);
		if (!atomic_load(&p.kicked))
			pthread_cond_timedwait(&p.wake, &p.lock, &until);
		atomic_store(&p.kicked, 0);
		pthread_mutex_unlock(&p.lock);
		if (!err && (err = flush_prefix(&p)) != 0)
			fail(&p, err);
		if (o->tick)
			o->tick(o->ctx, atomic_load(&p.done));
		pthread_mutex_lock(&p.lock);
	}
	pthread_mutex_unlock(&p.lock);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	free(args);
	if (atomic_load(&p.failed)) {
		hx_error_set("%s", p.err);
		err = p.err_code;
	} else {
		/* What finished while the workers wound down is flushed too. */
		err = flush_prefix(&p);
		if (!err && atomic_load(&p.flushed) < o->n && canceled(&p))
			err = HX_EINTERRUPTED;
	}
	if (flushed)
		*flushed = atomic_load(&p.flushed);
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.wake);
	pthread_cond_destroy(&p.space);
	free(p.done_flags);
	return err;
}
