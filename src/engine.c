#include "engine.h"

#include <string.h>

#include "error.h"

int hx_engine_new(hx_engine **out, const hx_spec *spec)
{
	*out = NULL;
	if (strcmp(spec->engine_kind, "sim-verifier") == 0)
		return hx_sim_new(out, spec);
	hx_error_set("'%s': engine kind '%s' is not available (known: sim-verifier)", spec->path,
		     spec->engine_kind);
	return HX_EINVALID;
}

void hx_engine_free(hx_engine *e)
{
	if (e)
		e->free(e);
}
