/* exec.h - run one child process, measured and bounded (shaped like git's
 * run-command.h).
 *
 * The child runs in its own process group with stdin from /dev/null;
 * stdout and stderr are captured into capped buffers that keep the LAST
 * capture_max bytes of each stream and count what they dropped. An exec
 * failure reaches the parent through a close-on-exec pipe (status
 * HX_PROC_EXEC_FAILED with the child's errno). Wall time is measured on the
 * monotonic clock; user+system CPU time and peak RSS come from wait4.
 * On timeout (or cancel) the whole group gets SIGTERM, then SIGKILL after
 * grace_s, so a grandchild that ignores SIGTERM is gone too; when the child
 * exits on its own, whatever is left of its group is killed as well, so no
 * process of a task outlives it. A descendant that left the group (setsid)
 * is re-parented to the harness, a child subreaper, when its parent dies,
 * and ended with SIGKILL once the child is reaped (reaper.h: with several
 * tasks at once, once every task that was running when it started has
 * ended).
 */
#ifndef HX_EXEC_H
#define HX_EXEC_H

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>

#include "buf.h"

typedef struct {
	const char *const *argv; /* argv[0] is searched in PATH (execvp rules) */
	const char *const *env;  /* NULL: inherit; else the whole "K=V" list */
	const char *cwd;         /* NULL: inherit */
	double timeout_s;        /* <= 0: no limit */
	double grace_s;          /* SIGTERM -> SIGKILL; <= 0 means 1 s */
	long memory_limit_mb;    /* 0: none; RLIMIT_AS in the child */
	size_t capture_max;      /* bytes kept per stream; 0 means 64 KiB */
	const atomic_int *cancel; /* optional: when it becomes nonzero the child
				   * is terminated like on a timeout */
} hx_proc_options;

typedef enum {
	HX_PROC_EXITED,      /* exit_code is valid */
	HX_PROC_SIGNALED,    /* signal is valid */
	HX_PROC_EXEC_FAILED  /* exec_errno is valid; nothing ran */
} hx_proc_status;

typedef enum {
	HX_LIMIT_NONE,
	HX_LIMIT_TIMEOUT,  /* the wall-clock timeout ended it */
	HX_LIMIT_MEMORY,   /* memory_limit_mb was set and the child died of it
			    * (heuristic with RLIMIT_AS: see exec.c) */
	HX_LIMIT_CANCELED  /* *cancel ended it */
} hx_proc_limit;

typedef struct {
	hx_proc_status status;
	int exit_code;
	int signal;
	int exec_errno;
	hx_proc_limit limit;
	double wall_ms;
	double cpu_ms;     /* user + system */
	long maxrss_kb;    /* at least the harness's own peak RSS: Linux
			    * counts the pre-exec image (see exec.c) */
	hx_buf out, err;   /* the last capture_max bytes of each stream */
	size_t out_dropped, err_dropped; /* bytes dropped from the front */
	int pipes_leaked;  /* a process outside the group (setsid) still held
			    * the pipes 1 s after the child ended (one whose
			    * end reaper.h defers, or one that is no longer
			    * the harness's descendant): capture was cut
			    * there */
} hx_proc_result;

void hx_proc_result_init(hx_proc_result *r);
void hx_proc_result_release(hx_proc_result *r);

/* Run to completion. Returns 0 when a result is available (including exec
 * failure, timeout and signals: those are in *out), or HX_ESYSTEM when the
 * harness itself could not (pipe, fork, poll failures), message set
 * (HX_EINVALID for an empty argv). *out is initialized by the call (earlier
 * contents are not freed: release a reused result first); the caller owns
 * it and releases it with hx_proc_result_release, whatever the return.
 * Thread-safe: several threads may run children at once. */
int hx_proc_run(hx_proc_result *out, const hx_proc_options *opt);

/* Send sig to the process group of every child now running under
 * hx_proc_run (in any thread). Async-signal-safe: for a signal handler that
 * must not leave verifiers behind when the harness itself is ending. */
void hx_proc_kill_all(int sig);

/* Find a program as execvp would: a name with a '/' relative to cwd (NULL:
 * the current directory), else the first executable in PATH. Returns an
 * absolute path (caller frees) or NULL. */
char *hx_proc_which(const char *prog, const char *cwd);

/* The harness's own environment with `overrides` ("K=V", NULL-terminated,
 * may be NULL) replacing or adding variables: a NULL-terminated list the
 * caller frees (each string, then the list). */
char **hx_proc_env(const char *const *overrides);

#endif
