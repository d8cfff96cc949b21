/* telemetry.h - the per-task telemetry record and its JSONL form.
 *
 * Field order in the raw JSONL follows DESIGN.md (after the seeds'
 * LeanVerificationTelemetry); the canonical form sorts keys anyway. The
 * harness's own 64-bit values (seeds) are written as decimal strings because
 * JSON numbers beyond 2^53 lose precision under RFC 8785.
 */
#ifndef HX_TELEMETRY_H
#define HX_TELEMETRY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "tier.h"

typedef enum {
	HX_OUT_VERIFIED,
	HX_OUT_PROOF_INVALID,
	HX_OUT_VERIFIER_TIMEOUT,
	HX_OUT_DETERMINISTIC_TIMEOUT,
	HX_OUT_RESOURCE_EXHAUSTED,
	HX_OUT_VERIFIER_CRASH,
	HX_OUT_MODULE_NOT_FOUND,
	HX_OUT_ENGINE_ERROR,
	HX_OUT_COUNT
} hx_outcome;

const char *hx_outcome_name(hx_outcome o);
/* Returns 0 and *out, or HX_EINVALID for an unknown name (no message). */
int hx_outcome_parse(const char *name, hx_outcome *out);

#define HX_MAX_TACTICS 16

typedef struct {
	char name[48];
	long count;
} hx_tactic_count;

typedef struct {
	char verification_id[48];
	double timestamp; /* seconds since the epoch, wall clock */
	char module_name[160];
	char context[224];
	hx_tier tier;
	double timeout_s;
	hx_outcome outcome;
	double duration_ms;
	double cpu_time_ms;
	double memory_peak_mb;
	int has_exit_code, exit_code;
	int has_signal, signal;
	hx_tactic_count tactics[HX_MAX_TACTICS];
	size_t ntactics;
	char *stderr_tail; /* owned, may be NULL (written as "") */

	/* metadata */
	uint64_t master_seed;
	uint64_t task_seed;
	size_t task_index;
	int worker;
	const char *engine;         /* static or owned by the engine */
	const char *engine_version; /* likewise */
	const char *ground_truth;   /* "valid", "invalid" or NULL (unknown) */
	const char *slice;          /* corpus slice or NULL */
	double difficulty;          /* NaN when the engine has none */

	/* Engines that run a process (written only when is_process is set). */
	int is_process;
	char *stdout_tail;          /* owned, may be NULL (written as "") */
	long errors, warnings, sorries; /* messages the verifier printed */
	size_t stdout_dropped, stderr_dropped; /* output bytes not kept */
	const char *limit;          /* "timeout", "memory" or NULL */
	char reason[160];           /* how the outcome was decided */
	const char *engine_path;    /* binary that identifies the engine */
	const char *engine_hash;    /* its xxh3-128 */
	const char *toolchain;      /* lean-toolchain, or NULL */
	char *engine_telemetry;     /* owned: a JSON object merged from the
				     * engine's own JSONL file, or NULL */
} hx_record;

void hx_record_init(hx_record *r);
void hx_record_release(hx_record *r);

/* Append s[0..len) to out as valid UTF-8: each invalid byte becomes U+FFFD,
 * so arbitrary process output can go into a JSON string. */
void hx_utf8_sanitize(hx_buf *out, const char *s, size_t len);

/* Append the record as one JSON line (with '\n'). */
void hx_record_write_json(hx_buf *out, const hx_record *r);

#endif
