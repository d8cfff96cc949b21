/* testhook.c - fault injection for tests (testhook.h). */
#include "testhook.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

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
