/* testutil.h - helpers shared by the unit tests (header only: static inline,
 * so a test that uses part of it gets no unused-function warning). */
#ifndef HX_TESTUTIL_H
#define HX_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models.h"

/* Make /tmp/hx-test-TAG-XXXXXX and chdir into it; 0 or -1 (for a cmocka
 * group setup). */
static inline int hx_test_tmpdir_enter(char *dir, size_t size, const char *tag)
{
	snprintf(dir, size, "/tmp/hx-test-%s-XXXXXX", tag);
	return mkdtemp(dir) && chdir(dir) == 0 ? 0 : -1;
}

/* Remove it with everything in it (the tests wrote only there). */
static inline int hx_test_tmpdir_remove(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A cmocka group fixture: setup() makes /tmp/hx-test-TAG-XXXXXX and enters
 * it, teardown() removes it. */
#define HX_TEST_TMPDIR_FIXTURE(tag)                                                              \
	static char hx_test_dir[64];                                                             \
	static int setup(void **state)                                                           \
	{                                                                                        \
		(void)state;                                                                     \
		return hx_test_tmpdir_enter(hx_test_dir, sizeof(hx_test_dir), tag);               \
	}                                                                                        \
	static int teardown(void **state)                                                        \
	{                                                                                        \
		(void)state;                                                                     \
		return hx_test_tmpdir_remove(hx_test_dir);                                       \
	}

/* The simulator section's documented defaults (models.h). */
static inline void hx_test_sim_defaults(hx_sim_params *p)
{
	memset(p, 0, sizeof(*p));
	p->invalid_fraction = 0.2;
	p->difficulty_sigma = 0.5;
	p->duration_median_ms = 2000;
	p->duration_sigma = 0.6;
	p->memory_base_mb = 350;
}

#endif
