/* template.c - {name} placeholders (template.h). */
#include "template.h"

#include <stdlib.h>

#include "error.h"

int hx_template_expand(hx_buf *out, const char *tmpl, hx_template_lookup lookup, void *ctx,
		       const char *known)
{
	const char *p = tmpl;
	while (*p) {
		const char *close, *val;
		if (p[0] == '{' && p[1] == '{') {
			hx_buf_putc(out, '{');
			p += 2;
			continue;
		}
		for (close = p + 1; *p == '{' && ((*close >= 'a' && *close <= 'z') || *close == '_'); close++)
			;
		if (*p != '{' || close == p + 1 || *close != '}') {
			hx_buf_putc(out, *p++);
			continue;
		}
		if (!(val = lookup(ctx, p + 1, (size_t)(close - p - 1)))) {
			hx_error_set("unknown placeholder '%.*s' in '%s' (known: %s)",
				     (int)(close - p + 1), p, tmpl, known);
			return HX_EINVALID;
		}
		hx_buf_puts(out, val);
		p = close + 1;
	}
	return 0;
}

int hx_template_expand_all(char ***out, char *const *tmpl, hx_template_lookup lookup,
			   void *ctx, const char *known)
{
	size_t n = 0, i;
	char **res;
	int err = 0;
	while (tmpl && tmpl[n])
		n++;
	res = hx_xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n && !err; i++) {
		hx_buf b = HX_BUF_INIT;
		err = hx_template_expand(&b, tmpl[i], lookup, ctx, known);
		res[i] = hx_buf_detach(&b, NULL);
	}
	if (err) {
		for (i = 0; i < n; i++)
			free(res[i]);
		free(res);
		return err;
	}
	*out = res;
	return 0;
}
