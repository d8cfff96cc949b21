/* testhook.h - fault injection, for the test suite only.
 *
 * Nothing here changes what harness does unless one of these environment
 * variables is set, which only tests do (they are no user interface and
 * are not documented as one):
 *
 *   HARNESS_TEST_KILL_AT=POINT   hx_testhook_point("POINT") raises SIGKILL:
 *                                a crash at an exact point of a run
 *                                (tests/cli/cases/recover.sh)
 *   HARNESS_TEST_TASK_DELAY_MS=N each task of a run sleeps N ms first: a
 *                                shard slow enough to be canceled mid-run
 *                                (tests/slurm/cluster.sh)
 *   HARNESS_TEST_NO_EXCHANGE=1   hx_atomic_dir_commit takes the path of file
 *                                systems without renameat2(RENAME_EXCHANGE)
 *                                (tests/unit/test_lock.c)
 */
#ifndef HX_TESTHOOK_H
#define HX_TESTHOOK_H

/* Raise SIGKILL when HARNESS_TEST_KILL_AT equals name. */
void hx_testhook_point(const char *name);

/* Sleep HARNESS_TEST_TASK_DELAY_MS milliseconds (nothing when unset). */
void hx_testhook_task_delay(void);

/* 1 when HARNESS_TEST_NO_EXCHANGE is set and not "0". */
int hx_testhook_no_exchange(void);

#endif
