#include "engine_id.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static const char *dup_opt(const char *s)
{
	return s ? hx_xstrdup(s) : NULL;
}

void hx_engine_id_dup(hx_engine_id *dst, const hx_engine_id *src)
{
	dst->kind = dup_opt(src->kind);
	dst->version = dup_opt(src->version);
	dst->path = dup_opt(src->path);
	dst->hash = dup_opt(src->hash);
	dst->toolchain = dup_opt(src->toolchain);
}

void hx_engine_id_release(hx_engine_id *id)
{
	free((char *)id->kind);
	free((char *)id->version);
	free((char *)id->path);
	free((char *)id->hash);
	free((char *)id->toolchain);
	memset(id, 0, sizeof(*id));
}

static int str_equal(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int hx_engine_id_equal(const hx_engine_id *a, const hx_engine_id *b)
{
	return str_equal(a->kind, b->kind) && str_equal(a->version, b->version) &&
	       str_equal(a->path, b->path) && str_equal(a->hash, b->hash) &&
	       str_equal(a->toolchain, b->toolchain);
}
