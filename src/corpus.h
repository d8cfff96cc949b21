/* corpus.h - the modules an experiment samples from.
 *
 *   synthetic  N modules named Synthetic.Proof000000 ... (no files)
 *   list       a file, one module per line; '#' starts a comment
 *   dir        every module file below a directory (the engine's extension,
 *              else .lean and .v), named by its path: A/B/C.lean -> A.B.C;
 *              sorted, so the corpus does not depend on directory order
 * An optional filter (POSIX ERE, unanchored) keeps the matching names.
 */
#ifndef HX_CORPUS_H
#define HX_CORPUS_H

#include <stddef.h>

#include "spec.h"

typedef struct {
	char **names; /* NULL for an unfiltered synthetic corpus */
	size_t n;
} hx_corpus;

/* Load the spec's corpus. Errors: a bad list line ("FILE:LINE: ..."), an
 * unreadable file or directory, or no module left after the filter. */
int hx_corpus_load(hx_corpus *out, const hx_spec *spec);
void hx_corpus_release(hx_corpus *c);

/* Name of module i (buf is used for synthetic names). */
const char *hx_corpus_name(const hx_corpus *c, size_t i, char *buf, size_t size);

/* Path of a module's file: ROOT/A/B/C<ext> for module A.B.C. Caller frees. */
char *hx_corpus_module_path(const char *root, const char *module, const char *ext);

#endif
