/* testhook.c - fault injection for tests (testhook.h). */
#include "testhook.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void hx_testhook_point(const char *name)
{
	const char *at = getenv("HARNESS_TEST_KILL_AT");
	if (at && strcmp(at, name) == 0)
		raise(SIGKILL);
}

int hx_testhook_no_exchange(void)
{
	const char *v = getenv("HARNESS_TEST_NO_EXCHANGE");
	return v && *v && strcmp(v, "0") != 0;
}

void hx_testhook_task_delay(void)
{
	const char *v = getenv("HARNESS_TEST_TASK_DELAY_MS");
	long ms = v ? strtol(v, NULL, 10) : 0;
	if (ms > 0) {
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) != 0)
			;
	}
}
