#include "calibrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "hash.h"

static int write_exports(const hx_calibrate_options *o, const hx_calib_meta *m,
			 const hx_calib_data *train, const hx_calib_data *all,
			 const hx_validation *v)
{
	const hx_spec_export *x = &o->spec->export_;
	char *path = hx_path_join(o->run_dir, "calibration.yaml");
	int err = hx_export_calibration(path, m, train, all, v);
	free(path);
	if (!err && o->export_path)
		err = hx_export_calibration(o->export_path, m, train, all, v);
	if (!err && x->report) {
		path = hx_path_join(o->run_dir, "calibration.md");
		err = hx_export_report_md(path, m, train, all, v);
		free(path);
	}
	if (!err && x->noise_config) {
		path = hx_path_join(o->run_dir, "noise_config.yaml");
		err = hx_export_noise_config(path, m, train);
		free(path);
	}
	return err;
}

/* Which models the run used: their file and its hash (the built-in text's
 * for the built-in models; inline models are the spec's). */
static void set_models_meta(hx_calib_meta *m, const hx_spec *spec, char hash[HX_HASH_HEX_LEN])
{
	m->models = spec->models;
	if (!spec->models_path) {
		m->models_file = "inline";
	} else if (strcmp(spec->models_path, HX_MODELS_BUILTIN_NAME) == 0) {
		size_t len;
		const char *text = hx_models_builtin_text(&len);
		hx_hash128_buf(hash, text, len);
		m->models_file = "built-in";
		m->models_hash = hash;
	} else {
		m->models_file = spec->models_path;
		if (hx_hash128_file(hash, spec->models_path) == 0)
			m->models_hash = hash;
	}
}

void hx_calibrate_result_release(hx_calibrate_result *r)
{
	if (r->kept) {
		hx_calib_release(&r->all);
		hx_calib_release(&r->train);
	}
	r->kept = 0;
}

uint64_t hx_calibrate_split_seed(uint64_t seed)
{
	return seed ^ 0x76616c6964617465ULL; /* "validate" */
}

int hx_calibrate(hx_calibrate_result *out, const hx_calibrate_options *opt)
{
	char models_hash[HX_HASH_HEX_LEN];
	const hx_spec *spec = opt->spec;
	const hx_spec_validate *sv = &spec->validate;
	hx_calib_read_options ro;
	hx_calib_data all, train, holdout;
	hx_validation v;
	hx_validate_options vo;
	hx_calib_meta meta = opt->meta;
	hx_envelope *env = NULL;
	size_t t;
	int err, split = sv->enabled && sv->split > 0;

	memset(out, 0, sizeof(*out));
	memset(&all, 0, sizeof(all));
	memset(&train, 0, sizeof(train));
	memset(&holdout, 0, sizeof(holdout));
	memset(&v, 0, sizeof(v));
	memset(&ro, 0, sizeof(ro));
	ro.labels_path = opt->labels_path;
	ro.split = split ? sv->split : 0;
	ro.split_seed = hx_calibrate_split_seed(spec->seed);
	if ((err = hx_calib_read_split(&all, &train, split ? &holdout : NULL, opt->telemetry_path,
				       &ro)) != 0)
		goto done;
	if (spec->fit)
		hx_calib_fit(&train);
	if (sv->enabled) {
		memset(&vo, 0, sizeof(vo));
		vo.alpha = sv->alpha;
		vo.monotonicity = sv->monotonicity;
		vo.holdout = sv->holdout && split;
		vo.cross_tier = sv->cross_tier && spec->fit;
		vo.max_calibration_error = sv->max_calibration_error;
		env = hx_xcalloc(sv->nenvelopes + 1, sizeof(*env));
		for (t = 0; t < sv->nenvelopes; t++) {
			env[t].tier = sv->envelopes[t].tier;
			env[t].rate = sv->envelopes[t].rate;
			env[t].min = sv->envelopes[t].min;
			env[t].max = sv->envelopes[t].max;
		}
		vo.envelopes = env;
		vo.nenvelopes = sv->nenvelopes;
		if ((err = hx_validate(&v, &train, split ? &holdout : NULL, &vo)) != 0)
			goto done;
		out->validated = 1;
		out->passed = v.passed;
		out->npass = v.npass;
		out->nfail = v.nfail;
		out->nskip = v.nskip;
	}
	out->gt_source = train.gt_source;
	out->ntiers = train.ntiers;
	for (t = 0; t < train.ntiers; t++) {
		out->tiers[t] = train.tiers[t].tier;
		if (train.tiers[t].has_fit)
			snprintf(out->best[t], sizeof(out->best[t]), "%s",
				 hx_fit_family_name(train.tiers[t].best));
	}
	set_models_meta(&meta, spec, models_hash);
	meta.total_samples = all.records;
	meta.validation_split = ro.split;
	if (spec->export_.enabled) {
		if ((err = write_exports(opt, &meta, &train, &all, sv->enabled ? &v : NULL)) != 0)
			goto done;
		out->exported = 1;
	}
	if (opt->keep_data) {
		out->all = all;
		out->train = train;
		memset(&all, 0, sizeof(all));
		memset(&train, 0, sizeof(train));
		out->kept = 1;
	}
done:
	free(env);
	hx_validation_release(&v);
	hx_calib_release(&all);
	hx_calib_release(&train);
	hx_calib_release(&holdout);
	return err;
}
