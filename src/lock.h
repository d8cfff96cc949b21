/* lock.h - advisory locks (flock(2)) on the directories harness changes as
 * a unit: snapshots/<experiment> and golden/<experiment>.
 *
 * The lock of directory D is the file .NAME.lock beside it (NAME: D's last
 * component). It is never removed, so every process locks the same inode
 * whatever happens to D itself (replaced, removed, made again). Writers
 * (a run or series writing its snapshot, golden accept and reject) take it
 * exclusive; readers that read several files of D as one (golden accept
 * reading the snapshot, the golden check reading golden) take it shared.
 * Order: a snapshot's lock before a golden's, so two processes never wait
 * for each other.
 *
 * When another process holds the lock, hx_lock_take waits for it, saying
 * so once (a notice, error.h), or with no_wait (hx_lock_configure) fails
 * at once. A lock this
 * process already holds (the same file, as when a spec's golden: is its
 * own snapshot directory) is taken again without waiting, and released
 * when the last taker releases it. Locks are released by the kernel when
 * the process ends, however it ends.
 */
#ifndef HX_LOCK_H
#define HX_LOCK_H

#include <stdatomic.h>

/* How the locks of this process behave (the CLI sets this once):
 * no_wait: a lock another process holds fails at once (HX_EINVALID)
 * instead of being waited for; cancel: optional, set by a SIGINT/SIGTERM
 * handler: a wait ends with HX_EINTERRUPTED. */
void hx_lock_configure(int no_wait, const atomic_int *cancel);

typedef struct {
	int slot; /* index in this process's table of held locks; -1: none */
} hx_lock;

#define HX_LOCK_NONE {-1}

/* Lock directory dir (exclusive or shared). Exclusive makes the lock file
 * (and dir's parent); shared makes nothing, and where there is no lock
 * file (no writer ever made one) or it cannot be opened (a read-only
 * checkout) takes none (out->slot = -1: nothing to wait for). Errors: HX_EINVALID
 * when no_wait and another process holds it ("'DIR' is locked by another
 * harness process (pid N) ..."), HX_EINTERRUPTED when canceled while
 * waiting, HX_ESYSTEM when the lock file cannot be opened or locked, or
 * when this process holds it shared and asks for it exclusive. */
int hx_lock_take(hx_lock *out, const char *dir, int exclusive);

/* Release (accepts a lock never taken: slot -1). */
void hx_lock_release(hx_lock *l);

/* The lock file of dir: "PARENT/.NAME.lock" (caller frees). */
char *hx_lock_path(const char *dir);

#endif
