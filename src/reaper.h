/* reaper.h - the processes a task leaves behind outside its process group.
 *
 * hx_proc_run ends a task's process group at its timeout and when it exits,
 * but a descendant that calls setsid (or setpgid) has left that group. To
 * end those too the harness makes itself a child subreaper
 * (PR_SET_CHILD_SUBREAPER): a descendant whose parent dies is re-parented to
 * the harness, not to init, so every process a task leaves behind becomes a
 * child of the harness once the task's own process is gone. After each task
 * the harness looks at its children (/proc/self/task/T/children) and ends
 * the leftovers with SIGKILL, each with its descendants, and reaps them
 * (waitpid on that pid only: never wait(-1), which could take the status of
 * another task's process).
 *
 * The kernel does not say which task a re-parented process came from. The
 * rule: a child of the harness that is not a task's own process, is not in
 * the harness's process group (a pager, say), and started (its start time
 * in /proc/PID/stat) before every task still running began, cannot belong
 * to any of those tasks: it is a leftover of one that has ended, and is
 * ended. One started while a task was running may be that task's, and is
 * left to the sweep after that task. So with one task at a time a leftover
 * is gone when its task ends (timeout + grace at the latest); with several
 * workers, when every task that was running when it started has ended; a
 * process of a running task is never touched.
 *
 * Why not mark processes instead (an environment variable, a session id):
 * a task may clear its environment, and setsid is exactly what drops the
 * session; the start time cannot be changed by the process. Why not a
 * cgroup per task (as BenchExec does), which would attribute exactly: it
 * needs a delegated, writable cgroup v2 subtree, which CI runners and
 * containers rarely give; it is left as a possible addition.
 *
 * Thread-safe. Without PR_SET_CHILD_SUBREAPER (not Linux, or refused) the
 * leftovers go to init as before and the sweep finds nothing; without the
 * children files (CONFIG_PROC_CHILDREN) the sweep scans /proc, and
 * hx_reaper_kill_all does nothing.
 */
#ifndef HX_REAPER_H
#define HX_REAPER_H

#include <stddef.h>
#include <sys/types.h>

/* Before a task's process is started: register "a task starting now" (its
 * start time is taken here, before the fork, so the process and all it
 * starts begin no earlier), making this process a subreaper on first use.
 * Returns a handle for the calls below. */
size_t hx_reaper_begin(void);

/* The task's process exists: pid is a task, never a leftover. */
void hx_reaper_started(size_t handle, pid_t pid);

/* The task's process has been reaped (or never started): the task is over.
 * Ends and reaps the leftovers the rule above allows, this task's among
 * them. */
void hx_reaper_end(size_t handle);

/* The harness is ending at once (a second SIGINT): SIGKILL to every child
 * of the harness outside its own process group, and to the process group
 * of each that leads one (an escapee that called setsid), in rounds until
 * none is left alive, so what is re-parented meanwhile (the descendants of
 * the processes just killed) goes too; at most about 200 ms. No task is
 * told apart: nothing is running after this. Does not reap (the harness
 * exits). Async-signal-safe (open, read, getdents64, kill, nanosleep; no
 * allocation, no lock): for the signal handler, after hx_proc_kill_all. */
void hx_reaper_kill_all(void);

#endif
