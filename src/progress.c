#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

double hx_progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int terminal_width(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

void hx_progress_init(hx_progress *p, hx_progress_mode mode, const char *label, const char *unit,
		      size_t total, size_t done, int workers, double now)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->label = label;
	p->unit = unit;
	p->total = total;
	p->workers = workers > 0 ? workers : 1;
	p->width = mode == HX_PROGRESS_TTY ? terminal_width() : 0;
	p->start = p->last_t = p->last_print = now;
	p->last_done = done;
	pthread_mutex_init(&p->lock, NULL);
	p->slots = hx_xcalloc((size_t)p->workers, sizeof(hx_progress_slot));
}

void hx_progress_release(hx_progress *p)
{
	if (!p->slots)
		return;
	free(p->slots);
	pthread_mutex_destroy(&p->lock);
	p->slots = NULL;
}

void hx_progress_begin(hx_progress *p, int worker, const char *name, hx_tier tier, double now)
{
	hx_progress_slot *s;
	if (!p || worker < 0 || worker >= p->workers)
		return;
	s = &p->slots[worker];
	pthread_mutex_lock(&p->lock);
	s->active = 1;
	s->since = now;
	s->tier = tier;
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "?");
	pthread_mutex_unlock(&p->lock);
}

void hx_progress_end(hx_progress *p, int worker)
{
	if (!p || worker < 0 || worker >= p->workers)
		return;
	pthread_mutex_lock(&p->lock);
	p->slots[worker].active = 0;
	pthread_mutex_unlock(&p->lock);
}

int hx_progress_tick(hx_progress *p, size_t done, double now)
{
	double dt = now - p->last_t;
	/* Until the first window is complete the rate is the mean since the
	 * start, so a line has a figure from its first task on. */
	if (dt >= HX_PROGRESS_WINDOW_S || (!p->windowed && dt > 0 && done > p->last_done)) {
		double inst = (double)(done - p->last_done) / dt;
		/* A window's weight grows with its length, so the average
		 * forgets at the same pace however often it is fed. */
		double tau = HX_PROGRESS_TAU_S;
		/* On long runs "recent" grows with the run (a quarter of the time
		 * so far), so tasks of minutes do not make the ETA jump. */
		if (0.25 * (now - p->start) > tau)
			tau = 0.25 * (now - p->start);
		if (!p->windowed)
			p->rate = inst;
		else
			p->rate += (1.0 - exp(-dt / tau)) * (inst - p->rate);
		p->have_rate = 1;
		if (dt >= HX_PROGRESS_WINDOW_S) {
			p->windowed = 1;
			p->last_t = now;
			p->last_done = done;
		}
	}
	switch (p->mode) {
	case HX_PROGRESS_TTY:
		return now - p->last_print >= HX_PROGRESS_TTY_S;
	case HX_PROGRESS_LINES:
		return now - p->last_print >= HX_PROGRESS_LINES_S;
	default:
		return 0;
	}
}

double hx_progress_eta(const hx_progress *p, size_t done)
{
	if (done >= p->total)
		return 0;
	if (!p->have_rate || !(p->rate > 0))
		return -1;
	return (double)(p->total - done) / p->rate;
}

int hx_progress_slowest(hx_progress *p, size_t done, double now, hx_progress_slot *out)
{
	size_t left = done < p->total ? p->total - done : 0;
	int w, found = 0;
	/* "Near the end": the tasks left no longer fill the workers, or the
	 * last 5% (done/total >= 0.95 without floating point). */
	if (!left || (left >= (size_t)p->workers && done * 20 < p->total * 19))
		return 0;
	pthread_mutex_lock(&p->lock);
	for (w = 0; w < p->workers; w++) {
		const hx_progress_slot *s = &p->slots[w];
		if (s->active && (!found || s->since < out->since)) {
			*out = *s;
			found = 1;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (found && out->since > now)
		out->since = now;
	return found;
}

void hx_progress_format_duration(hx_buf *out, double seconds)
{
	long s = seconds > 0 ? (long)(seconds + 0.5) : 0;
	if (s < 60)
		hx_buf_printf(out, "%lds", s);
	else if (s < 3600)
		hx_buf_printf(out, "%ldm%02lds", s / 60, s % 60);
	else
		hx_buf_printf(out, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
}

void hx_progress_format(hx_buf *out, hx_progress *p, size_t done, double now, const char *extra)
{
	double eta = hx_progress_eta(p, done);
	hx_progress_slot slow;
	int has_slow = hx_progress_slowest(p, done, now, &slow);

	/* The rate says when the tasks left would end at the usual pace; a
	 * task that has already run twice as long as a task takes on average
	 * (workers / rate) and for a second or more is not keeping it, and the
	 * run waits on it: then there is no estimate. */
	if (has_slow && eta >= 0 && p->rate > 0 && now - slow.since >= 1.0 &&
	    now - slow.since > 2.0 * (double)p->workers / p->rate)
		eta = -1;
	hx_buf_printf(out, "%s: %zu/%zu %s, ", p->label, done, p->total, p->unit);
	if (p->have_rate && p->rate > 0 && p->rate < 1)
		hx_buf_printf(out, "%.2g/s, ETA ", p->rate); /* slow tasks: 0.05/s */
	else if (p->have_rate)
		hx_buf_printf(out, "%.1f/s, ETA ", p->rate);
	else
		hx_buf_puts(out, "-/s, ETA ");
	if (eta < 0)
		hx_buf_putc(out, '?');
	else
		hx_progress_format_duration(out, eta);
	if (extra && *extra)
		hx_buf_printf(out, ", %s", extra);
	if (has_slow) {
		hx_buf_printf(out, "; slowest running: %s %s ", slow.name, hx_tier_name(slow.tier));
		hx_progress_format_duration(out, now - slow.since);
	}
}

void hx_progress_print(hx_progress *p, size_t done, double now, const char *extra)
{
	hx_buf line = HX_BUF_INIT;
	if (p->mode == HX_PROGRESS_NONE)
		return;
	hx_progress_format(&line, p, done, now, extra);
	if (p->mode == HX_PROGRESS_TTY) {
		/* A line longer than the terminal would wrap, and '\r' would
		 * then redraw only its last row. */
		size_t len = line.len;
		if (p->width > 1 && len > (size_t)p->width - 1)
			len = (size_t)p->width - 1;
		fprintf(stderr, "\r\033[K%.*s", (int)len, line.ptr);
	} else {
		fprintf(stderr, "%s\n", line.ptr);
	}
	fflush(stderr);
	p->last_print = now;
	p->printed = 1;
	hx_buf_release(&line);
}

void hx_progress_finish(hx_progress *p)
{
	if (p->mode == HX_PROGRESS_TTY && p->printed) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->printed = 0;
}
