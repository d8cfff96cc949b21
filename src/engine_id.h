/* engine_id.h - what identifies the engine behind a run: its kind, version,
 * and for real engines the binary, that binary's XXH3-128 and the Lean
 * toolchain. Run results, snapshots, archives and calibration exports all
 * record it. Depends only on buf (hx_xstrdup).
 */
#ifndef HX_ENGINE_ID_H
#define HX_ENGINE_ID_H

typedef struct {
	const char *kind;      /* "sim-verifier", "lean", "coq", "command" */
	const char *version;   /* version string recorded in every record */
	const char *path;      /* resolved binary path; NULL: not known */
	const char *hash;      /* "xxh3-128:..." of that binary; NULL: not known */
	const char *toolchain; /* lean-toolchain contents; NULL: not known */
} hx_engine_id;

/* Copy src into *dst with strings of its own (NULL stays NULL), released
 * with hx_engine_id_release. */
void hx_engine_id_dup(hx_engine_id *dst, const hx_engine_id *src);
/* Free the strings of an id filled by hx_engine_id_dup and zero it; never
 * on an id that borrows its strings. */
void hx_engine_id_release(hx_engine_id *id);
/* Nonzero when all five strings are equal (two NULLs are equal, NULL and a
 * string are not). */
int hx_engine_id_equal(const hx_engine_id *a, const hx_engine_id *b);

#endif
