/* export.c - calibration.yaml through libyaml's emitter, so quoting and
 * escaping are libyaml's problem and any safe loader reads the result. */
#include "export.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "buf.h"
#include "canon.h"
#include "error.h"
#include "fsutil.h"

typedef struct {
	yaml_emitter_t em;
	int failed;
} emitter;

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	hx_buf_put((hx_buf *)data, buffer, size);
	return 1;
}

static void emit(emitter *e, yaml_event_t *ev)
{
	if (!e->failed && !yaml_emitter_emit(&e->em, ev))
		e->failed = 1;
}

static void scalar(emitter *e, const char *s, int plain)
{
	yaml_event_t ev;
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), plain,
				     !plain, plain ? YAML_PLAIN_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
	emit(e, &ev);
}

static void str(emitter *e, const char *s)
{
	scalar(e, s, 0);
}

static void num(emitter *e, double v)
{
	char tmp[32];
	hx_canon_format_number(tmp, v);
	scalar(e, tmp, 1);
}

static void map_start(emitter *e, int flow)
{
	yaml_event_t ev;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
					    flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
	emit(e, &ev);
}

static void map_end(emitter *e)
{
	yaml_event_t ev;
	yaml_mapping_end_event_initialize(&ev);
	emit(e, &ev);
}

static void pair_ci(emitter *e, const char *key, double lo, double hi)
{
	yaml_event_t ev;
	scalar(e, key, 1);
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_FLOW_SEQUENCE_STYLE);
	emit(e, &ev);
	num(e, lo);
	num(e, hi);
	yaml_sequence_end_event_initialize(&ev);
	emit(e, &ev);
}

int hx_export_calibration(const char *path, const hx_run_result *r, const char *date_utc)
{
	emitter e;
	yaml_event_t ev;
	hx_buf out = HX_BUF_INIT;
	char tmp[64];
	size_t t;
	int o, err = 0;

	memset(&e, 0, sizeof(e));
	if (!yaml_emitter_initialize(&e.em))
		hx_oom();
	yaml_emitter_set_output(&e.em, write_handler, &out);
	yaml_emitter_set_unicode(&e.em, 1);
	yaml_emitter_set_width(&e.em, 100);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(&e, &ev);
	map_start(&e, 0);

	scalar(&e, "calibration_metadata", 1);
	map_start(&e, 0);
	scalar(&e, "experiment", 1);
	str(&e, r->experiment);
	scalar(&e, "spec", 1);
	str(&e, r->spec_path);
	scalar(&e, "date", 1);
	str(&e, date_utc);
	scalar(&e, "engine", 1);
	str(&e, r->engine_kind);
	scalar(&e, "engine_version", 1);
	str(&e, r->engine_version);
	if (r->engine_path) {
		scalar(&e, "engine_path", 1);
		str(&e, r->engine_path);
	}
	if (r->engine_hash) {
		scalar(&e, "engine_binary_hash", 1);
		str(&e, r->engine_hash);
	}
	if (r->engine_toolchain) {
		scalar(&e, "engine_toolchain", 1);
		str(&e, r->engine_toolchain);
	}
	scalar(&e, "seed", 1);
	snprintf(tmp, sizeof(tmp), "%" PRIu64, r->seed);
	scalar(&e, tmp, 1);
	scalar(&e, "total_samples", 1);
	num(&e, (double)r->tasks);
	scalar(&e, "snapshot_hash", 1);
	str(&e, r->hash);
	scalar(&e, "fitting", 1);
	str(&e, "observed rates with Wilson 95% intervals; no duration fit");
	map_end(&e);

	scalar(&e, "noise_models", 1);
	map_start(&e, 0);
	for (t = 0; t < r->ntiers; t++) {
		const hx_tier_summary *s = &r->tiers[t];
		scalar(&e, hx_tier_lower(s->tier), 1);
		map_start(&e, 0);
		scalar(&e, "n_samples", 1);
		num(&e, (double)s->n);
		scalar(&e, "timeout_rate", 1);
		num(&e, s->timeout_rate);
		pair_ci(&e, "timeout_rate_ci", s->timeout_lo, s->timeout_hi);
		scalar(&e, "fail_rate", 1);
		num(&e, s->fail_rate);
		pair_ci(&e, "fail_rate_ci", s->fail_lo, s->fail_hi);
		scalar(&e, "success_rate", 1);
		num(&e, s->n ? (double)s->counts[HX_OUT_VERIFIED] / (double)s->n : 0);
		scalar(&e, "outcome_counts", 1);
		map_start(&e, 0);
		for (o = 0; o < HX_OUT_COUNT; o++) {
			scalar(&e, hx_outcome_name(o), 1);
			num(&e, (double)s->counts[o]);
		}
		map_end(&e);
		map_end(&e);
	}
	map_end(&e);

	map_end(&e);
	yaml_document_end_event_initialize(&ev, 1);
	emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(&e, &ev);
	if (e.failed || !yaml_emitter_flush(&e.em)) {
		hx_error_set("cannot write '%s': yaml emitter: %s", path,
			     e.em.problem ? e.em.problem : "unknown error");
		err = HX_ESYSTEM;
	} else {
		err = hx_file_write_atomic(path, out.ptr, out.len);
	}
	yaml_emitter_delete(&e.em);
	hx_buf_release(&out);
	return err;
}
