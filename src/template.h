/* template.h - {name} placeholders in the command, env and path templates
 * of engines (proc_engine.c) and experiment series (series/).
 *
 * A placeholder is '{', one or more of [a-z_], '}'. Any other brace is
 * literal (a JSON document in a shell command stays as written); "{{" is a
 * literal '{' for the rare "{name}" meant literally.
 */
#ifndef HX_TEMPLATE_H
#define HX_TEMPLATE_H

#include <stddef.h>

#include "buf.h"

/* The value of placeholder name[0..len), or NULL when there is no such
 * placeholder. */
typedef const char *(*hx_template_lookup)(void *ctx, const char *name, size_t len);

/* Append tmpl with its placeholders replaced. An unknown one is
 * HX_EINVALID "unknown placeholder '{x}' in 'TMPL' (known: KNOWN)". */
int hx_template_expand(hx_buf *out, const char *tmpl, hx_template_lookup lookup, void *ctx,
		       const char *known);

/* Expand each string of a NULL-terminated list into a new NULL-terminated
 * list (*out, the caller's to free with hx_strv_free of spec_engine.h or
 * its own loop). */
int hx_template_expand_all(char ***out, char *const *tmpl, hx_template_lookup lookup,
			   void *ctx, const char *known);

#endif
