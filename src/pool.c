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
	atomic_uchar *done_flags; /* per job: set (release) when its result is in */
	atomic_size_t next;
	atomic_size_t done;
	atomic_int failed;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the last job is done, or a job failed */
	char err[1024];
	int err_code;
	size_t flushed;
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

static void *worker_main(void *arg)
{
	worker_arg *wa = arg;
	pool *p = wa->p;
	size_t i;

	while (!atomic_load(&p->failed) && !canceled(p) &&
	       (i = atomic_fetch_add(&p->next, 1)) < p->o->n) {
		int err = p->o->run(p->o->ctx, i, wa->id);
		if (err == HX_EINTERRUPTED && canceled(p))
			break; /* canceled: this job has no result */
		if (err == HX_EINTERRUPTED)
			hx_error_set("job %zu was interrupted without a cancel", i);
		if (err) {
			fail(p, err);
			break;
		}
		atomic_store_explicit(&p->done_flags[i], 1, memory_order_release);
		if (atomic_fetch_add(&p->done, 1) + 1 == p->o->n)
			wake(p);
	}
	return NULL;
}

/* Hand the newly completed prefix to the caller. */
static int flush_prefix(pool *p)
{
	size_t start = p->flushed, end = start;
	while (end < p->o->n && atomic_load_explicit(&p->done_flags[end], memory_order_acquire))
		end++;
	if (end == start)
		return 0;
	p->flushed = end;
	return p->o->flush ? p->o->flush(p->o->ctx, start, end) : 0;
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
	p.done_flags = hx_xcalloc(o->n, sizeof(atomic_uchar));
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.wake, NULL);
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
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p.wake, &p.lock, &until);
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
		if (!err && p.flushed < o->n && canceled(&p))
			err = HX_EINTERRUPTED;
	}
	if (flushed)
		*flushed = p.flushed;
	pthread_mutex_destroy(&p.lock);
	pthread_cond_destroy(&p.wake);
	free(p.done_flags);
	return err;
}
