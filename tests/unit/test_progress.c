/* test_progress.c - the progress line: moving-average rate and ETA, the
 * slowest running task near the end, and the formatted line, all on an
 * injected clock (times are passed in; nothing here sleeps). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "buf.h"
#include "progress.h"

static void test_rate_and_eta(void **state)
{
	hx_progress p;
	(void)state;
	hx_progress_init(&p, HX_PROGRESS_NONE, "x", "tasks", 100, 0, 4, 0.0);
	assert_true(hx_progress_eta(&p, 0) < 0); /* no rate yet: unknown */
	/* Before the first full window: the mean since the start. */
	hx_progress_tick(&p, 2, 0.5);
	assert_true(p.have_rate);
	assert_true(fabs(p.rate - 4.0) < 1e-12);
	/* The first full window is taken as is. */
	hx_progress_tick(&p, 10, 1.0);
	assert_true(fabs(p.rate - 10.0) < 1e-12);
	assert_true(fabs(hx_progress_eta(&p, 10) - 9.0) < 1e-12);
	/* A shorter window does not move it. */
	hx_progress_tick(&p, 12, 1.5);
	assert_true(fabs(p.rate - 10.0) < 1e-12);
	/* The next one (1.0 s, 5 tasks: 5/s) weighs 1 - exp(-1/20). */
	hx_progress_tick(&p, 15, 2.0);
	{
		double want = 10.0 + (1.0 - exp(-1.0 / HX_PROGRESS_TAU_S)) * (5.0 - 10.0);
		assert_true(fabs(p.rate - want) < 1e-12);
		assert_true(fabs(hx_progress_eta(&p, 15) - 85.0 / want) < 1e-9);
	}
	assert_true(hx_progress_eta(&p, 100) == 0);
	hx_progress_release(&p);
}

/* 60 s at 10/s then 30 s at 2/s: the mean since the start (7.3/s) would
 * promise an ETA almost four times too short; the moving average (tau 20 s,
 * then a quarter of the elapsed time) has mostly followed the slowdown:
 * 2 + 8 * exp(-20/20) * exp(-sum of 1/tau over the last 10 s) = 3.85. */
static void test_rate_follows_recent_pace(void **state)
{
	hx_progress p;
	size_t done = 0;
	int s;
	(void)state;
	hx_progress_init(&p, HX_PROGRESS_NONE, "x", "tasks", 10000, 0, 4, 0.0);
	for (s = 1; s <= 90; s++) {
		done += s <= 60 ? 10 : 2;
		hx_progress_tick(&p, done, (double)s);
	}
	assert_int_equal(done, 660);
	assert_true(p.rate < 4.0);
	assert_true(p.rate > 3.5);
	/* A stall: the rate decays towards 0, and at 0 the ETA is unknown. */
	p.rate = 0;
	assert_true(hx_progress_eta(&p, done) < 0);
	hx_progress_release(&p);
}

static void test_slowest_near_the_end(void **state)
{
	hx_progress p;
	hx_progress_slot s;
	(void)state;
	hx_progress_init(&p, HX_PROGRESS_NONE, "x", "tasks", 100, 0, 4, 0.0);
	hx_progress_begin(&p, 0, "Mod.A", HX_TIER_FAST, 5.0);
	hx_progress_begin(&p, 1, "Mod.B", HX_TIER_SLOW, 2.0);
	hx_progress_begin(&p, 2, "Mod.C", HX_TIER_BALANCED, 8.0);
	/* Mid-run: nothing named. */
	assert_int_equal(hx_progress_slowest(&p, 50, 10.0, &s), 0);
	assert_int_equal(hx_progress_slowest(&p, 94, 10.0, &s), 0);
	/* The last 5%: the longest-running one. */
	assert_int_equal(hx_progress_slowest(&p, 95, 10.0, &s), 1);
	assert_string_equal(s.name, "Mod.B");
	assert_int_equal(s.tier, HX_TIER_SLOW);
	assert_true(s.since == 2.0);
	/* Fewer tasks left than workers (small runs). */
	p.total = 10;
	assert_int_equal(hx_progress_slowest(&p, 7, 10.0, &s), 1);
	assert_string_equal(s.name, "Mod.B");
	hx_progress_end(&p, 1);
	assert_int_equal(hx_progress_slowest(&p, 7, 10.0, &s), 1);
	assert_string_equal(s.name, "Mod.A");
	/* Worker ids out of range are ignored; all done: nothing named. */
	hx_progress_begin(&p, 4, "Mod.Z", HX_TIER_FAST, 0.0);
	hx_progress_begin(&p, -1, "Mod.Z", HX_TIER_FAST, 0.0);
	assert_int_equal(hx_progress_slowest(&p, 9, 10.0, &s), 1);
	assert_string_equal(s.name, "Mod.A");
	assert_int_equal(hx_progress_slowest(&p, 10, 10.0, &s), 0);
	hx_progress_end(&p, 0);
	hx_progress_end(&p, 2);
	assert_int_equal(hx_progress_slowest(&p, 9, 10.0, &s), 0);
	hx_progress_release(&p);
}

static void test_format(void **state)
{
	hx_progress p;
	hx_buf b = HX_BUF_INIT;
	(void)state;
	hx_progress_init(&p, HX_PROGRESS_NONE, "harness run: smoke: label", "reruns", 493, 0, 4,
			 100.0);
	hx_progress_format(&b, &p, 0, 100.0, NULL);
	assert_string_equal(b.ptr, "harness run: smoke: label: 0/493 reruns, -/s, ETA ?");
	hx_progress_tick(&p, 120, 138.7);
	hx_buf_reset(&b);
	hx_progress_format(&b, &p, 120, 138.7, NULL);
	/* 120 in 38.7 s: 3.1/s; 373 left: 120.3 s */
	assert_string_equal(b.ptr, "harness run: smoke: label: 120/493 reruns, 3.1/s, ETA 2m00s");
	hx_progress_begin(&p, 2, "Mathlib.Foo", HX_TIER_BALANCED, 100.0);
	hx_progress_begin(&p, 3, "Mathlib.Bar", HX_TIER_FAST, 130.0);
	hx_buf_reset(&b);
	hx_progress_format(&b, &p, 490, 165.0, "verified=3");
	assert_string_equal(b.ptr, "harness run: smoke: label: 490/493 reruns, 3.1/s, ETA ?, "
				   "verified=3; slowest running: Mathlib.Foo BALANCED 1m05s");
	/* A slowest task within twice the mean time of a task (4 workers /
	 * 3.1/s = 1.3 s): the ETA stands. */
	hx_progress_end(&p, 2);
	hx_progress_end(&p, 3);
	hx_progress_begin(&p, 1, "Mathlib.Baz", HX_TIER_SLOW, 163.0);
	hx_buf_reset(&b);
	hx_progress_format(&b, &p, 490, 165.0, NULL);
	assert_string_equal(b.ptr, "harness run: smoke: label: 490/493 reruns, 3.1/s, ETA 1s; "
				   "slowest running: Mathlib.Baz SLOW 2s");
	/* Slow tasks: two significant digits. */
	p.rate = 0.0512;
	hx_buf_reset(&b);
	hx_progress_format(&b, &p, 100, 165.0, NULL);
	assert_string_equal(b.ptr, "harness run: smoke: label: 100/493 reruns, 0.051/s, ETA 2h07m");
	hx_buf_release(&b);
	hx_progress_release(&p);
}

static void test_duration_and_due(void **state)
{
	hx_buf b = HX_BUF_INIT;
	hx_progress p;
	(void)state;
	hx_progress_format_duration(&b, 0);
	hx_buf_puts(&b, " ");
	hx_progress_format_duration(&b, 59.4);
	hx_buf_puts(&b, " ");
	hx_progress_format_duration(&b, 130);
	hx_buf_puts(&b, " ");
	hx_progress_format_duration(&b, 3725);
	hx_buf_puts(&b, " ");
	hx_progress_format_duration(&b, -3);
	assert_string_equal(b.ptr, "0s 59s 2m10s 1h02m 0s");
	hx_buf_release(&b);

	/* Plain lines every 10 s from the start; none in NONE mode. */
	hx_progress_init(&p, HX_PROGRESS_LINES, "x", "tasks", 10, 0, 1, 50.0);
	assert_int_equal(hx_progress_tick(&p, 1, 55.0), 0);
	assert_int_equal(hx_progress_tick(&p, 2, 60.0), 1);
	hx_progress_release(&p);
	hx_progress_init(&p, HX_PROGRESS_NONE, "x", "tasks", 10, 0, 1, 50.0);
	assert_int_equal(hx_progress_tick(&p, 2, 600.0), 0);
	hx_progress_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_and_eta),
		cmocka_unit_test(test_rate_follows_recent_pace),
		cmocka_unit_test(test_slowest_near_the_end),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_duration_and_due),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
