/* engine.h - what runs a task. An engine is prepared once per run from the
 * spec, then called from any worker thread for any task: run_task must be
 * safe to call concurrently and depend only on the task (its seed), never on
 * the worker or on other tasks.
 */
#ifndef HX_ENGINE_H
#define HX_ENGINE_H

#include "plan.h"
#include "spec.h"
#include "telemetry.h"

typedef struct hx_engine hx_engine;

struct hx_engine {
	const char *kind;    /* "sim-verifier" */
	const char *version; /* engine identity recorded in every record */
	/* Fill *out (initialised by the caller) for one task. Returns 0, or a
	 * negative code when the engine itself broke (not when the verifier
	 * reported a failure: that is an outcome). */
	int (*run_task)(hx_engine *e, const hx_task *task, hx_record *out);
	void (*free)(hx_engine *e);
};

/* Prepare the engine named by spec->engine_kind. */
int hx_engine_new(hx_engine **out, const hx_spec *spec);
void hx_engine_free(hx_engine *e); /* accepts NULL */

/* The built-in simulated verifier (sim.c). */
int hx_sim_new(hx_engine **out, const hx_spec *spec);

#endif
