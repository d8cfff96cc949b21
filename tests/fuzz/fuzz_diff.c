/* fuzz_diff.c - libFuzzer target: the snapshot diff. The input is two JSONL
 * texts separated by the first line "--"; they are diffed keyed (by "id")
 * and in order, and every report is formatted. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "diff.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const char *a, size_t na, const char *b, size_t nb, const char *const *keys)
{
	hx_diff_options opt;
	hx_diff_result r;
	hx_diff_style style;
	hx_buf out = HX_BUF_INIT;
	memset(&opt, 0, sizeof(opt));
	opt.match_fields = keys;
	opt.key_fields = keys;
	hx_diff_result_init(&r);
	if (hx_diff_jsonl(&r, a, na, "a", b, nb, "b", &opt) == 0) {
		memset(&style, 0, sizeof(style));
		hx_diff_format_text(&out, &r, &style);
		style.grouped = 1;
		hx_diff_format_text(&out, &r, &style);
		hx_diff_format_json(&out, &r, "a", "b", SIZE_MAX);
	}
	hx_buf_release(&out);
	hx_diff_result_release(&r);
	hx_error_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"id", NULL};
	const char *text = (const char *)data, *sep = NULL;
	size_t i;
	for (i = 0; i + 3 <= size; i++)
		if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, "--\n", 3) == 0) {
			sep = text + i;
			break;
		}
	if (!sep)
		return 0;
	one(text, (size_t)(sep - text), sep + 3, size - (size_t)(sep + 3 - text), NULL);
	one(text, (size_t)(sep - text), sep + 3, size - (size_t)(sep + 3 - text), keys);
	return 0;
}
