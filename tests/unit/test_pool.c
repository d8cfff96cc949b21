/* test_pool.c - the worker pool: every job runs exactly once, flush sees a
 * growing prefix in index order whatever the worker count (later jobs
 * finish first here), a failure stops the pool with its message, cancel
 * flushes the completed prefix and returns HX_EINTERRUPTED, and the worker
 * count is clamped to the jobs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "pool.h"

typedef struct {
	size_t n;
	atomic_int *runs;     /* per job: how often it ran */
	int *result;          /* per job: written by run, checked by flush */
	atomic_int *order;    /* per job: its place among the runs started */
	atomic_int started;
	atomic_int max_worker;
	size_t fail_at;       /* this job fails (HX_EINVALID), when < n */
	size_t cancel_at;     /* this job sets *cancel and has no result, when < n */
	atomic_int *cancel;
	long slow_ns;         /* every 4th job sleeps this long: later ones overtake it */
	size_t window;        /* the pool's window (0: none) */
	atomic_size_t seen_flushed; /* the calling thread's flushed prefix, for run */
	atomic_int window_broken;   /* a job started a window or more ahead of it */
	/* the calling thread's view */
	size_t flushed;       /* the end of the last flush */
	int flush_calls;
	int flush_fail_at;    /* this flush call fails (HX_ESYSTEM), when > 0 */
	size_t last_tick;
	int ticks;
} job_ctx;

static void nap(long ns)
{
	struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static int run(void *ctx, size_t i, int worker)
{
	job_ctx *c = ctx;
	int w = atomic_load(&c->max_worker);
	while (worker > w && !atomic_compare_exchange_weak(&c->max_worker, &w, worker))
		;
	atomic_store(&c->order[i], atomic_fetch_add(&c->started, 1));
	if (c->window && i >= atomic_load(&c->seen_flushed) + c->window)
		atomic_store(&c->window_broken, 1);
	atomic_fetch_add(&c->runs[i], 1);
	if (i % 4 == 0 && c->slow_ns)
		nap(c->slow_ns);
	if (i == c->fail_at) {
		hx_error_set("job %zu failed", i);
		return HX_EINVALID;
	}
	if (i == c->cancel_at) {
		atomic_store(c->cancel, 1);
		return HX_EINTERRUPTED;
	}
	c->result[i] = (int)i * 3 + 1;
	return 0;
}

static int flush(void *ctx, size_t from, size_t to)
{
	job_ctx *c = ctx;
	size_t i;
	assert_int_equal(from, c->flushed); /* a growing prefix, never twice */
	assert_true(to > from);
	assert_true(to <= c->n);
	for (i = from; i < to; i++) {
		assert_int_equal(atomic_load(&c->runs[i]), 1);
		assert_int_equal(c->result[i], (int)i * 3 + 1);
	}
	c->flushed = to;
	atomic_store(&c->seen_flushed, to);
	if (++c->flush_calls == c->flush_fail_at) {
		hx_error_set("cannot write 'x'");
		return HX_ESYSTEM;
	}
	return 0;
}

static void tick(void *ctx, size_t done)
{
	job_ctx *c = ctx;
	assert_true(done >= c->last_tick);
	assert_true(done <= c->n);
	c->last_tick = done;
	c->ticks++;
}

static void ctx_init(job_ctx *c, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->n = n;
	c->runs = calloc(n ? n : 1, sizeof(atomic_int));
	c->result = calloc(n ? n : 1, sizeof(int));
	c->order = calloc(n ? n : 1, sizeof(atomic_int));
	c->fail_at = c->cancel_at = (size_t)-1;
	c->max_worker = -1;
}

static void ctx_free(job_ctx *c)
{
	free(c->runs);
	free(c->result);
	free(c->order);
}

static int go(job_ctx *c, int workers, size_t *flushed)
{
	hx_pool_options o;
	memset(&o, 0, sizeof(o));
	o.n = c->n;
	o.workers = workers;
	o.ctx = c;
	o.run = run;
	o.flush = flush;
	o.tick = tick;
	o.cancel = c->cancel;
	o.window = c->window;
	return hx_pool_run(&o, flushed);
}

static void test_every_job_once_in_order(void **state)
{
	static const size_t ns[] = {0, 1, 1000};
	static const int ws[] = {1, 2, 8};
	size_t a, b, i, flushed;
	(void)state;
	for (a = 0; a < sizeof(ns) / sizeof(ns[0]); a++)
		for (b = 0; b < sizeof(ws) / sizeof(ws[0]); b++) {
			job_ctx c;
			ctx_init(&c, ns[a]);
			c.slow_ns = 200 * 1000;
			flushed = 12345;
			assert_int_equal(go(&c, ws[b], &flushed), 0);
			assert_int_equal(flushed, ns[a]);
			assert_int_equal(c.flushed, ns[a]);
			assert_true(ns[a] == 0 ? c.flush_calls == 0 : c.flush_calls >= 1);
			for (i = 0; i < ns[a]; i++)
				assert_int_equal(atomic_load(&c.runs[i]), 1);
			/* one worker takes the jobs in index order */
			if (ws[b] == 1)
				for (i = 0; i < ns[a]; i++)
					assert_int_equal(atomic_load(&c.order[i]), (int)i);
			assert_true(atomic_load(&c.max_worker) < ws[b]);
			ctx_free(&c);
		}
}

/* Later jobs finish first; the flushed prefix still grows in order, over
 * several flushes (the jobs take longer than the pool's 100 ms wake-up). */
static void test_out_of_order_many_flushes(void **state)
{
	job_ctx c;
	size_t flushed;
	(void)state;
	ctx_init(&c, 60);
	c.slow_ns = 30 * 1000 * 1000; /* 15 slow jobs of 30 ms on 2 workers */
	assert_int_equal(go(&c, 2, &flushed), 0);
	assert_int_equal(flushed, 60);
	assert_true(c.flush_calls >= 2);
	assert_true(c.ticks >= 1);
	ctx_free(&c);
}

/* With a window, no job starts `window` jobs or more ahead of the flushed
 * prefix, slow jobs and all, and every job still runs once, in order for
 * flush; a window of 1 runs the jobs one after another. */
static void test_window_bounds_the_jobs_ahead(void **state)
{
	static const size_t windows[] = {1, 2, 7, 64};
	static const int ws[] = {1, 2, 5};
	size_t a, b, i, flushed;
	(void)state;
	for (a = 0; a < sizeof(windows) / sizeof(windows[0]); a++)
		for (b = 0; b < sizeof(ws) / sizeof(ws[0]); b++) {
			job_ctx c;
			ctx_init(&c, 300);
			c.window = windows[a];
			c.slow_ns = 100 * 1000;
			assert_int_equal(go(&c, ws[b], &flushed), 0);
			assert_int_equal(flushed, 300);
			assert_int_equal(c.flushed, 300);
			assert_int_equal(atomic_load(&c.window_broken), 0);
			for (i = 0; i < 300; i++)
				assert_int_equal(atomic_load(&c.runs[i]), 1);
			ctx_free(&c);
		}
}

/* A canceled pool whose workers wait for the window ends. */
static void test_window_cancel(void **state)
{
	job_ctx c;
	atomic_int cancel = 0;
	size_t flushed;
	(void)state;
	ctx_init(&c, 500);
	c.window = 4;
	c.cancel = &cancel;
	c.cancel_at = 200;
	c.slow_ns = 50 * 1000;
	assert_int_equal(go(&c, 3, &flushed), HX_EINTERRUPTED);
	assert_true(flushed <= 200);
	assert_int_equal(atomic_load(&c.window_broken), 0);
	ctx_free(&c);
}

static void test_failure_stops_the_pool(void **state)
{
	int w;
	(void)state;
	for (w = 1; w <= 8; w *= 2) {
		job_ctx c;
		size_t flushed, i, ran = 0;
		ctx_init(&c, 1000);
		c.fail_at = 5;
		c.slow_ns = 1000 * 1000;
		hx_error_clear();
		assert_int_equal(go(&c, w, &flushed), HX_EINVALID);
		assert_string_equal(hx_error_last(), "job 5 failed");
		assert_true(flushed <= 5);
		assert_int_equal(flushed, c.flushed);
		for (i = 0; i < c.n; i++) {
			assert_true(atomic_load(&c.runs[i]) <= 1);
			ran += (size_t)atomic_load(&c.runs[i]);
		}
		/* the pool stopped: one worker exactly at the failure */
		assert_true(ran < c.n / 2);
		if (w == 1) {
			assert_int_equal(ran, 6);
			assert_int_equal(flushed, 5);
		}
		ctx_free(&c);
	}
}

static void test_flush_failure_stops_the_pool(void **state)
{
	job_ctx c;
	size_t flushed;
	(void)state;
	ctx_init(&c, 40);
	c.slow_ns = 30 * 1000 * 1000;
	c.flush_fail_at = 1; /* at the first wake-up, about 100 ms in of 300 */
	assert_int_equal(go(&c, 1, &flushed), HX_ESYSTEM);
	assert_string_equal(hx_error_last(), "cannot write 'x'");
	assert_int_equal(c.flush_calls, 1);
	assert_true(flushed < 40);
	ctx_free(&c);
}

static void test_cancel_flushes_the_prefix(void **state)
{
	int w;
	(void)state;
	for (w = 1; w <= 8; w *= 2) {
		job_ctx c;
		atomic_int cancel = 0;
		size_t flushed, i, ran = 0;
		ctx_init(&c, 1000);
		c.cancel = &cancel;
		c.cancel_at = 10;
		c.slow_ns = 1000 * 1000;
		assert_int_equal(go(&c, w, &flushed), HX_EINTERRUPTED);
		/* jobs 0..9 started before job 10 and completed: all flushed */
		assert_int_equal(flushed, 10);
		assert_int_equal(c.flushed, 10);
		for (i = 0; i < c.n; i++)
			ran += (size_t)atomic_load(&c.runs[i]);
		assert_true(ran < c.n / 2);
		if (w == 1)
			assert_int_equal(ran, 11);
		ctx_free(&c);
	}
}

static void test_cancel_before_start(void **state)
{
	job_ctx c;
	atomic_int cancel = 1;
	size_t flushed;
	(void)state;
	ctx_init(&c, 100);
	c.cancel = &cancel;
	assert_int_equal(go(&c, 4, &flushed), HX_EINTERRUPTED);
	assert_int_equal(flushed, 0);
	assert_int_equal(atomic_load(&c.started), 0);
	assert_int_equal(c.flush_calls, 0);
	ctx_free(&c);
	/* nothing to run: nothing to interrupt */
	ctx_init(&c, 0);
	c.cancel = &cancel;
	assert_int_equal(go(&c, 4, &flushed), 0);
	ctx_free(&c);
}

static void test_workers_clamped(void **state)
{
	job_ctx c;
	size_t flushed;
	(void)state;
	ctx_init(&c, 3);
	c.slow_ns = 5 * 1000 * 1000;
	assert_int_equal(go(&c, 8, &flushed), 0);
	assert_int_equal(flushed, 3);
	assert_true(atomic_load(&c.max_worker) < 3); /* at most 3 threads */
	ctx_free(&c);
	ctx_init(&c, 5);
	assert_int_equal(go(&c, 0, &flushed), 0); /* at least one */
	assert_int_equal(flushed, 5);
	assert_int_equal(atomic_load(&c.max_worker), 0);
	ctx_free(&c);
}

static void test_cores(void **state)
{
	(void)state;
	assert_true(hx_pool_cores() >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_job_once_in_order),
		cmocka_unit_test(test_out_of_order_many_flushes),
		cmocka_unit_test(test_window_bounds_the_jobs_ahead),
		cmocka_unit_test(test_window_cancel),
		cmocka_unit_test(test_failure_stops_the_pool),
		cmocka_unit_test(test_flush_failure_stops_the_pool),
		cmocka_unit_test(test_cancel_flushes_the_prefix),
		cmocka_unit_test(test_cancel_before_start),
		cmocka_unit_test(test_workers_clamped),
		cmocka_unit_test(test_cores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
