/* progress.h - the progress line of a pool of workers running tasks (the
 * run's tasks, the labeling reruns), shared by run.c and label.c.
 *
 *   harness run: smoke: 120/493 tasks, 3.1/s, ETA 2m10s, verified=100 ...
 *   harness run: smoke: label: 480/493 reruns, 2.9/s, ETA 5s; slowest
 *       running: Mathlib.Foo BALANCED 41s
 *
 * Rate: an exponentially weighted moving average of the throughput measured
 * over windows of at least HX_PROGRESS_WINDOW_S seconds, each window
 * weighted 1 - exp(-dt / tau), tau = max(HX_PROGRESS_TAU_S, a quarter of
 * the time since the start), so the ETA follows the recent
 * pace (a calibration's long tail, a slower tier) rather than the mean
 * since the start. Until the first window is complete the rate is the mean
 * since the start; the first window's rate is then taken as is.
 * ETA = tasks left / rate.
 *
 * Near the end (fewer tasks left than workers, or at least 95% done) the
 * line names the task that has been running longest: the one the run is
 * waiting for. When that task has run for a second or more and more than
 * twice the mean time a task takes (workers / rate), the ETA is "?": the
 * run waits on it, not on the pace.
 *
 * Time is always passed in (seconds on any monotonic clock), so the
 * arithmetic is testable without a clock; hx_progress_now() reads
 * CLOCK_MONOTONIC. begin/end may be called from worker threads; the other
 * functions from one monitoring thread.
 */
#ifndef HX_PROGRESS_H
#define HX_PROGRESS_H

#include <pthread.h>
#include <stddef.h>

#include "buf.h"
#include "tier.h"

typedef enum { HX_PROGRESS_NONE, HX_PROGRESS_LINES, HX_PROGRESS_TTY } hx_progress_mode;

#define HX_PROGRESS_WINDOW_S 1.0 /* shortest window a rate is measured over */
#define HX_PROGRESS_TAU_S 20.0   /* shortest time constant of the moving average */
#define HX_PROGRESS_LINES_S 10.0 /* seconds between plain lines */
#define HX_PROGRESS_TTY_S 0.25   /* seconds between redraws on a terminal */

typedef struct {
	int active;
	double since;
	hx_tier tier;
	char name[96];
} hx_progress_slot;

typedef struct {
	hx_progress_mode mode;
	const char *label; /* "harness run: smoke" or "...: label" */
	const char *unit;  /* "tasks", "reruns" */
	size_t total;
	int workers;
	int width;         /* terminal columns (TTY mode), 0 unknown */
	double start;
	double last_t;     /* end of the last rate window */
	size_t last_done;
	double rate;       /* tasks/s; valid when have_rate */
	int have_rate;
	int windowed;      /* a full window has been measured */
	double last_print;
	int printed;
	pthread_mutex_t lock; /* guards slots */
	hx_progress_slot *slots; /* one per worker */
} hx_progress;

/* Start tracking `total` tasks, `done` of them already done (a resumed run),
 * on `workers` workers at time `now`. label and unit are borrowed. */
void hx_progress_init(hx_progress *p, hx_progress_mode mode, const char *label, const char *unit,
		      size_t total, size_t done, int workers, double now);
void hx_progress_release(hx_progress *p);

/* Worker `worker` (0 .. workers-1) starts / ends a task. */
void hx_progress_begin(hx_progress *p, int worker, const char *name, hx_tier tier, double now);
void hx_progress_end(hx_progress *p, int worker);

/* Feed the count of done tasks at `now` (updates the rate once a window of
 * HX_PROGRESS_WINDOW_S has passed). Returns 1 when a line is due (TTY:
 * every HX_PROGRESS_TTY_S, lines: every HX_PROGRESS_LINES_S, none: never). */
int hx_progress_tick(hx_progress *p, size_t done, double now);

/* Seconds left for `done` of total at the current rate; -1 when unknown. */
double hx_progress_eta(const hx_progress *p, size_t done);

/* The longest-running task when the end is near (see above): 1 and *out,
 * else 0. */
int hx_progress_slowest(hx_progress *p, size_t done, double now, hx_progress_slot *out);

/* The line (no '\r', no '\n'): "LABEL: D/T UNIT, R/s, ETA E[, EXTRA][;
 * slowest running: NAME TIER Ns]". extra may be NULL. */
void hx_progress_format(hx_buf *out, hx_progress *p, size_t done, double now, const char *extra);

/* Durations as "45s", "2m10s", "1h02m". */
void hx_progress_format_duration(hx_buf *out, double seconds);

/* Print the line to stderr as the mode asks (a redrawn line on a
 * terminal, a plain line otherwise). */
void hx_progress_print(hx_progress *p, size_t done, double now, const char *extra);

/* Clear a terminal's line when one was drawn. */
void hx_progress_finish(hx_progress *p);

double hx_progress_now(void);

#endif
