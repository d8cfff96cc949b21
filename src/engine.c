#include "engine.h"

#include <string.h>

#include "error.h"

int hx_engine_new(hx_engine **out, const hx_engine_ctx *ctx)
{
	const char *kind = ctx->spec->engine_kind;
	*out = NULL;
	if (strcmp(kind, "sim-verifier") == 0)
		return hx_sim_new(out, ctx);
	if (strcmp(kind, "lean") == 0 || strcmp(kind, "coq") == 0 || strcmp(kind, "command") == 0)
		return hx_proc_engine_new(out, ctx);
	hx_error_set("'%s': engine kind '%s' is not available", ctx->spec->path, kind);
	return HX_EINVALID;
}

void hx_engine_free(hx_engine *e)
{
	if (e)
		e->free(e);
}

hx_engine_id hx_engine_id_of(const hx_engine *e)
{
	hx_engine_id id = {
		.kind = e->kind,
		.version = e->version,
		.path = e->path,
		.hash = e->binary_hash,
		.toolchain = e->toolchain,
	};
	return id;
}
