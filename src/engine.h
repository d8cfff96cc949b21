/* engine.h - what runs a task. An engine is prepared once per run from the
 * spec, then called from any worker thread for any task: run_task must be
 * safe to call concurrently and depend only on the task, never on the worker
 * or on other tasks.
 */
#ifndef HX_ENGINE_H
#define HX_ENGINE_H

#include <stdatomic.h>

#include "corpus.h"
#include "engine_id.h"
#include "plan.h"
#include "spec.h"
#include "telemetry.h"

typedef struct {
	const hx_spec *spec;
	const hx_corpus *corpus;
	const char *out_dir;      /* the run directory ({out_dir} in templates) */
	const atomic_int *cancel; /* nonzero: stop running tasks (SIGINT) */
} hx_engine_ctx;

typedef struct hx_engine hx_engine;

struct hx_engine {
	const char *kind;    /* "sim-verifier", "lean", "coq", "command" */
	const char *version; /* version string recorded in every record */
	const char *path;    /* resolved binary path, or NULL (built-in) */
	const char *binary_hash; /* "xxh3-128:..." of that binary, or NULL */
	const char *toolchain;   /* lean-toolchain contents, or NULL */
	/* Fill *out (initialised by the caller) for one task. Returns 0, or a
	 * negative code when the harness could not run it at all (not when
	 * the verifier failed: that is an outcome). HX_ETIMEOUT with
	 * ctx->cancel set means the task was canceled and has no record. */
	int (*run_task)(hx_engine *e, const hx_task *task, hx_record *out);
	void (*free)(hx_engine *e);
};

/* Prepare the engine named by the spec (a real engine runs its version
 * command here, once). */
int hx_engine_new(hx_engine **out, const hx_engine_ctx *ctx);
void hx_engine_free(hx_engine *e); /* accepts NULL */

/* e's identity, borrowing e's strings (valid while e is). */
hx_engine_id hx_engine_id_of(const hx_engine *e);

/* The built-in simulated verifier (sim.c). */
int hx_sim_new(hx_engine **out, const hx_engine_ctx *ctx);
/* Engines that run a verifier process: lean, coq, command (proc_engine.c). */
int hx_proc_engine_new(hx_engine **out, const hx_engine_ctx *ctx);

/* What a process engine is (spec.h's engine section, kind lean, coq or
 * command): the version command's first line (without one, "KIND: ARGV"),
 * the binary it names resolved (PATH, or relative to root) and that
 * binary's XXH3-128, and the toolchain file's text. NULL where unknown. */
typedef struct {
	char *version, *path, *binary_hash, *toolchain;
} hx_engine_identity;
/* Fill *id (released by the caller whatever the return). HX_EENGINE when
 * the version command cannot run or fails; HX_EINTERRUPTED when *cancel
 * (optional) is set while it runs (it is terminated). */
int hx_engine_identify(hx_engine_identity *id, const hx_spec_engine *se, const char *root,
		       const atomic_int *cancel);
void hx_engine_identity_release(hx_engine_identity *id);

#endif
