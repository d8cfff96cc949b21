/* fuzz_json.c - libFuzzer target: the JSON reader and canon's line path.
 * Every input goes through hx_canon_line (strict JSON, RFC 8785 output);
 * the one-pass flat reader must agree with the tree parser on every input
 * it reads (same members, same types, same texts), and its canonical text
 * must parse again to the same canonical text. A disagreement aborts (a
 * finding). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "error.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	hx_arena *a = hx_arena_new();
	hx_buf out = HX_BUF_INIT, again = HX_BUF_INIT;
	hx_json_member m[CAP];
	hx_json v[CAP];
	hx_json *root = NULL;
	hx_json_error err;
	long n;
	int flags;

	if (hx_canon_line(&out, a, text, size, NULL, "fuzz", 1) == 0) {
		/* canonical text is a fixed point */
		hx_arena_reset(a);
		if (hx_canon_line(&again, a, out.ptr, out.len - 1, NULL, "fuzz", 1) != 0 ||
		    again.len != out.len || memcmp(again.ptr, out.ptr, out.len) != 0)
			abort();
	}
	for (flags = 0; flags <= HX_JSON_NONFINITE; flags += HX_JSON_NONFINITE) {
		n = hx_json_scan_flat(text, size, flags, m, v, CAP);
		hx_arena_reset(a);
		if (hx_json_parse_flags(&root, a, text, size, HX_JSON_LAZY | flags, &err) != 0) {
			if (n >= 0)
				abort(); /* read what the parser refuses */
			continue;
		}
		if (n >= 0) {
			size_t i;
			if (root->type != HX_JSON_OBJECT || root->u.object.len != (size_t)n)
				abort();
			for (i = 0; i < (size_t)n; i++) {
				const hx_json_member *pm = &root->u.object.members[i];
				if (pm->key_len != m[i].key_len ||
				    memcmp(pm->key, m[i].key, pm->key_len) != 0 ||
				    pm->value->type != v[i].type)
					abort();
				if (v[i].type == HX_JSON_NUMBER &&
				    (v[i].u.lazy.len != pm->value->u.lazy.len ||
				     v[i].u.lazy.plain != pm->value->u.lazy.plain))
					abort();
			}
		}
	}
	hx_error_clear();
	hx_buf_release(&out);
	hx_buf_release(&again);
	hx_arena_free(a);
	return 0;
}
