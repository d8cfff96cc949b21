/* corpus.h - the modules an experiment samples from.
 *
 *   synthetic  N modules named Synthetic.Proof000000 ... (no files)
 *   list       a file, one module per line; '#' starts a comment
 *   dir        every module file below a directory (the engine's extension,
 *              else .lean and .v), named by its path: A/B/C.lean -> A.B.C;
 *              sorted, so the corpus does not depend on directory order
 * An optional filter (POSIX ERE, unanchored) keeps the matching names.
 *
 * Modules that do not exist: for an engine that needs a module's file
 * (require_module_file: lean, coq, or a command engine that says so), every
 * module of the corpus must have its file ROOT/A/B/C<ext>; the ones that do
 * not are an error naming the first three and the count, unless the spec's
 * corpus says `missing: skip`, which leaves them out of the corpus (so out
 * of the plan) and counts them in `skipped`. The simulator has no files:
 * every name exists for it, and a command engine without
 * require_module_file is not checked (harness cannot know what it reads).
 */
#ifndef HX_CORPUS_H
#define HX_CORPUS_H

#include <stddef.h>

#include "spec.h"

typedef struct {
	char **names; /* NULL for an unfiltered synthetic corpus */
	size_t n;
	size_t skipped;   /* modules left out for want of a file (missing: skip) */
	char *skipped_text; /* "'A.B', 'C.D' and 3 more", or NULL */
} hx_corpus;

/* Load the spec's corpus. Errors: a bad list line ("FILE:LINE: ..."), an
 * unreadable file or directory, modules without a file (above; HX_EINVALID),
 * or no module left after the filter. */
int hx_corpus_load(hx_corpus *out, const hx_spec *spec);
void hx_corpus_release(hx_corpus *c);

/* Name of module i (buf is used for synthetic names). */
const char *hx_corpus_name(const hx_corpus *c, size_t i, char *buf, size_t size);

/* Path of a module's file: ROOT/A/B/C<ext> for module A.B.C. Caller frees. */
char *hx_corpus_module_path(const char *root, const char *module, const char *ext);

#endif
