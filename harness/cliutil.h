/* cliutil.h - option parsing helpers for the subcommands. */
#ifndef HX_CLIUTIL_H
#define HX_CLIUTIL_H

#include <stdatomic.h>
#include <stdint.h>

#include "run.h"

/* Whole-string decimal parse; returns 0 or -1. */
int hx_cli_parse_u64(const char *s, uint64_t *out);
int hx_cli_parse_int(const char *s, int min, int max, int *out);
/* A whole-string finite decimal number in [min, max]; 0 or -1. */
int hx_cli_parse_double(const char *s, double min, double max, double *out);

/* The value of --workers (1..1024) into *out; on a bad value print the
 * error for `cmd` and return -1. */
int hx_cli_parse_workers(const char *cmd, const char *v, int *out);

/* CI is set and is not "", "0" or "false". */
int hx_cli_in_ci(void);

/* If argv[*i] is `name VALUE` or `name=VALUE`, return VALUE (advancing *i
 * past a separate value; "" when the value is missing); else NULL. */
const char *hx_cli_option_value(int argc, char **argv, int *i, const char *name);

/* The known option of `known` (NULL-terminated, e.g. "--workers") closest
 * to arg ("--worker", "--worker=4", "-workers"): the only one that
 * starts with arg's name (at least 3 letters), else the nearest within edit
 * distance max(1, len / 3) (and below the name's length, so "-v" is not
 * taken for "--n"), else the only one arg's name starts with followed by a
 * '-' ("--export-path": "--export"); NULL when none is close. */
const char *hx_cli_suggest_option(const char *arg, const char *const *known);

/* Print "harness CMD: unknown option 'ARG'[ for 'CONTEXT'] (did you mean
 * '--x'?)", or without a close option "(see 'HELP')". */
void hx_cli_unknown_option(const char *cmd, const char *arg, const char *context,
			   const char *const *known, const char *help);

/* Locks (lock.h) in command cmd: a wait for one says so on stderr
 * ("harness CMD: waiting for ..."); no_wait (--no-wait): fail at once
 * instead. A wait ends at SIGINT/SIGTERM once hx_cli_catch_interrupts ran. */
void hx_cli_locks(const char *cmd, int no_wait);

/* SIGINT/SIGTERM set *cancel (the first time; a second signal kills). */
void hx_cli_catch_interrupts(const atomic_int **cancel);

/* Run a spec with progress on stderr and print the summary (or --json);
 * returns the exit status. Shared by run and calibrate; golden_required:
 * with CI set, a missing golden fails. */
int hx_cli_run_spec(const char *cmd, hx_run_options *opt, int json, int golden_required);
/* The same; with pending_dir, a mismatch or a missing golden also copies
 * the run's snapshot directory to pending_dir/<experiment>/ (said on
 * stderr), so CI can keep what it refuses to approve. */
int hx_cli_run_spec_pending(const char *cmd, hx_run_options *opt, int json, int golden_required,
			    const char *pending_dir);
/* The same with another runner than hx_run (merge: hx_merge). */
int hx_cli_run_with(const char *cmd, hx_run_options *opt, int json, int golden_required,
		    const char *pending_dir,
		    int (*runner)(hx_run_result *res, const hx_run_options *opt, void *ctx), void *ctx);

#endif
