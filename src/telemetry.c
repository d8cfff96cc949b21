#include "telemetry.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "error.h"

static const char *const outcome_names[HX_OUT_COUNT] = {
	"verified",	      "proof_invalid",	"verifier_timeout",
	"deterministic_timeout", "resource_exhausted", "verifier_crash",
	"module_not_found",   "engine_error",
};

const char *hx_outcome_name(hx_outcome o)
{
	return outcome_names[o];
}

int hx_outcome_parse(const char *name, hx_outcome *out)
{
	int i;
	for (i = 0; i < HX_OUT_COUNT; i++) {
		if (strcmp(name, outcome_names[i]) == 0) {
			*out = (hx_outcome)i;
			return 0;
		}
	}
	return HX_EINVALID;
}

void hx_record_init(hx_record *r)
{
	memset(r, 0, sizeof(*r));
	r->difficulty = NAN;
}

void hx_record_release(hx_record *r)
{
	free(r->stderr_tail);
	free(r->stdout_tail);
	free(r->engine_telemetry);
	r->stderr_tail = r->stdout_tail = r->engine_telemetry = NULL;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void hx_utf8_sanitize(hx_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
	while (p < end) {
		size_t n = utf8_len(p, (size_t)(end - p));
		if (n) {
			p += n;
			continue;
		}
		hx_buf_put(out, run, (size_t)(p - run));
		hx_buf_puts(out, "\xef\xbf\xbd"); /* U+FFFD */
		run = ++p;
	}
	hx_buf_put(out, run, (size_t)(p - run));
}

static void key(hx_buf *out, const char *k, int first)
{
	if (!first)
		hx_buf_putc(out, ',');
	hx_canon_write_string(out, k, strlen(k));
	hx_buf_putc(out, ':');
}

static void str_field(hx_buf *out, const char *k, const char *v)
{
	key(out, k, 0);
	if (v)
		hx_canon_write_string(out, v, strlen(v));
	else
		hx_buf_puts(out, "null");
}

static void num_field(hx_buf *out, const char *k, double v)
{
	char tmp[32];
	key(out, k, 0);
	hx_buf_put(out, tmp, hx_canon_format_number(tmp, v));
}

static void u64_string_field(hx_buf *out, const char *k, uint64_t v)
{
	char tmp[24];
	snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	str_field(out, k, tmp);
}

static void opt_int_field(hx_buf *out, const char *k, int has, int v)
{
	key(out, k, 0);
	if (has)
		hx_buf_printf(out, "%d", v);
	else
		hx_buf_puts(out, "null");
}

void hx_record_write_json(hx_buf *out, const hx_record *r)
{
	size_t i;

	hx_buf_putc(out, '{');
	key(out, "verification_id", 1);
	hx_canon_write_string(out, r->verification_id, strlen(r->verification_id));
	num_field(out, "timestamp", r->timestamp);
	str_field(out, "module_name", r->module_name);
	str_field(out, "context", r->context);
	str_field(out, "tier", hx_tier_lower(r->tier));
	num_field(out, "timeout_s", r->timeout_s);
	str_field(out, "outcome", hx_outcome_name(r->outcome));
	key(out, "success", 0);
	hx_buf_puts(out, r->outcome == HX_OUT_VERIFIED ? "true" : "false");
	num_field(out, "duration_ms", r->duration_ms);
	num_field(out, "cpu_time_ms", r->cpu_time_ms);
	num_field(out, "memory_peak_mb", r->memory_peak_mb);
	opt_int_field(out, "exit_code", r->has_exit_code, r->exit_code);
	opt_int_field(out, "signal", r->has_signal, r->signal);
	key(out, "tactics", 0);
	hx_buf_putc(out, '{');
	for (i = 0; i < r->ntactics; i++) {
		key(out, r->tactics[i].name, i == 0);
		hx_buf_printf(out, "%ld", r->tactics[i].count);
	}
	hx_buf_putc(out, '}');
	str_field(out, "stderr_tail", r->stderr_tail ? r->stderr_tail : "");
	if (r->is_process) {
		str_field(out, "stdout_tail", r->stdout_tail ? r->stdout_tail : "");
		key(out, "messages", 0);
		hx_buf_printf(out, "{\"errors\":%ld,\"warnings\":%ld,\"sorries\":%ld}", r->errors,
			      r->warnings, r->sorries);
	}

	key(out, "metadata", 0);
	hx_buf_putc(out, '{');
	key(out, "master_seed", 1);
	{
		char tmp[24];
		snprintf(tmp, sizeof(tmp), "%" PRIu64, r->master_seed);
		hx_canon_write_string(out, tmp, strlen(tmp));
	}
	u64_string_field(out, "task_seed", r->task_seed);
	key(out, "task_index", 0);
	hx_buf_printf(out, "%zu", r->task_index);
	key(out, "worker", 0);
	hx_buf_printf(out, "%d", r->worker);
	str_field(out, "engine", r->engine);
	str_field(out, "engine_version", r->engine_version);
	str_field(out, "ground_truth", r->ground_truth);
	str_field(out, "slice", r->slice);
	if (!isnan(r->difficulty))
		num_field(out, "difficulty", r->difficulty);
	if (r->is_process) {
		str_field(out, "engine_path", r->engine_path);
		str_field(out, "engine_hash", r->engine_hash);
		str_field(out, "toolchain", r->toolchain);
		str_field(out, "limit", r->limit);
		str_field(out, "reason", r->reason);
		key(out, "stdout_dropped", 0);
		hx_buf_printf(out, "%zu", r->stdout_dropped);
		key(out, "stderr_dropped", 0);
		hx_buf_printf(out, "%zu", r->stderr_dropped);
	}
	hx_buf_putc(out, '}');
	if (r->engine_telemetry) {
		key(out, "engine_telemetry", 0);
		hx_buf_puts(out, r->engine_telemetry);
	}
	hx_buf_puts(out, "}\n");
}
