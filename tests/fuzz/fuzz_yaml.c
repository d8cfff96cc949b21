/* fuzz_yaml.c - libFuzzer target: the YAML tree and the spec loaders. The
 * input is a calibration spec and a series spec at once (each loader takes
 * what it can; most inputs are errors, which must be located and one line).
 * The fuzzer runs in an empty scratch directory so relative file names in
 * a spec find nothing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "series/series_spec.h"
#include "spec.h"
#include "ydoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[] = "/tmp/hx-fuzz-yaml-XXXXXX";
	(void)argc;
	(void)argv;
	if (mkdtemp(tmpl) && chdir(tmpl) == 0)
		return 0;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	hx_ydoc *doc = NULL;
	hx_spec *s = NULL;
	hx_series_spec *ss = NULL;
	const char *msg;

	if (hx_ydoc_parse(&doc, "fuzz.yaml", text, size) == 0)
		hx_ydoc_free(doc);
	if (hx_spec_parse(&s, "fuzz.yaml", text, size) == 0)
		hx_spec_free(s);
	else if ((msg = hx_error_last()) && strchr(msg, '\n'))
		abort(); /* an error is one line */
	if (hx_series_spec_parse(&ss, "fuzz.yaml", text, size) == 0)
		hx_series_spec_free(ss);
	else if ((msg = hx_error_last()) && strchr(msg, '\n'))
		abort();
	hx_error_clear();
	return 0;
}
