/* outcome.h - what happened to a verifier run, from its exit status, signal,
 * the limit that ended it, and its output.
 *
 * Precedence (first that applies): exec failure -> engine_error; harness
 * timeout -> verifier_timeout; memory limit -> resource_exhausted; the
 * engine's own regex rules (first match); out-of-memory text ->
 * resource_exhausted; stack overflow text or a signal (SIGABRT, SIGSEGV, ...)
 * -> verifier_crash; heartbeat timeout text -> deterministic_timeout;
 * recursion-depth text -> resource_exhausted; the engine's exit-code rules;
 * exit 0 -> verified (proof_invalid when sorry counts as invalid and there
 * is a sorry); nonzero exit with an error message -> proof_invalid; nonzero
 * exit without one -> engine_error (the generic dialect: proof_invalid).
 *
 * Dialects know their verifier's messages:
 *   lean       "F:L:C: error: ..." / "F:L:C: error(lean.name): ..." and
 *              warnings; "(deterministic) timeout at `whnf`, maximum number
 *              of heartbeats (200000) has been reached" (older: 'whnf' and a
 *              parenthesised hint; possibly nested in another error);
 *              "maximum recursion depth has been reached"; "INTERNAL PANIC:
 *              out of memory"; "Stack overflow detected. Aborting."; sorry
 *              warnings "declaration uses 'sorry'" (or `sorry`)
 *   lean-json  `lean --json`: one JSON message per line with severity, pos,
 *              data, fileName; the same texts are looked for in `data`
 *   coq        'File "x.v", line N, characters A-B:' then "Error: ...";
 *              "Warning: ..."; "Stack overflow."; "Out of memory."
 *   generic    exit 0 verified, nonzero proof_invalid; regex/exit rules
 */
#ifndef HX_OUTCOME_H
#define HX_OUTCOME_H

#include <stddef.h>

#include "exec.h"
#include "telemetry.h"

typedef enum {
	HX_DIALECT_LEAN,
	HX_DIALECT_LEAN_JSON,
	HX_DIALECT_COQ,
	HX_DIALECT_GENERIC
} hx_dialect;

typedef enum { HX_STREAM_BOTH, HX_STREAM_STDOUT, HX_STREAM_STDERR } hx_stream_sel;

typedef struct {
	const char *pattern; /* POSIX extended regex */
	hx_stream_sel stream;
	hx_outcome outcome;
} hx_regex_rule;

typedef struct {
	int exit_code;
	hx_outcome outcome;
} hx_exit_rule;

typedef struct {
	hx_dialect dialect;
	int sorry_invalid;             /* a sorry makes an exit-0 run proof_invalid */
	const hx_regex_rule *regexes;  /* engine rules, tried in order */
	size_t nregexes;
	const hx_exit_rule *exits;
	size_t nexits;
	const char *const *tactic_patterns; /* ERE with one capture group: the
					     * tactic name; NULL-terminated or NULL
					     * (lean's default: \[tactic\.([A-Za-z_.]+)\]) */
} hx_outcome_config;

typedef struct hx_outcome_rules hx_outcome_rules; /* compiled, immutable */

/* Compile; a bad regex is HX_EINVALID "invalid regex 'x': <regerror>". */
int hx_outcome_rules_new(hx_outcome_rules **out, const hx_outcome_config *cfg);
void hx_outcome_rules_free(hx_outcome_rules *r); /* accepts NULL */

/* "lean", "lean-json", "coq" or "generic". Returns 0 and *out, or
 * HX_EINVALID for an unknown name (no message). */
int hx_outcome_dialect_parse(const char *name, hx_dialect *out);

typedef struct {
	hx_outcome outcome;
	long errors;   /* error messages seen */
	long warnings; /* warning messages seen */
	long sorries;  /* sorry warnings */
	hx_tactic_count tactics[HX_MAX_TACTICS]; /* first HX_MAX_TACTICS names */
	size_t ntactics;
	char reason[160]; /* why, one line, e.g. "exit 1 with 2 errors" */
} hx_classification;

/* Classify a finished run. Safe to call from several threads at once on the
 * same rules. */
void hx_outcome_classify(hx_classification *out, const hx_outcome_rules *rules,
			 const hx_proc_result *r);

#endif
