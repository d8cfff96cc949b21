/* run_shard.c - a run of one shard of a plan (shard.h, run_internal.h). */
#include "run_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fsutil.h"
#include "hash.h"
#include "shard.h"

void hx_run_shard_plan(hx_plan *plan, const hx_shard *shard)
{
	size_t n = hx_shard_tasks(plan->n, shard), j;
	hx_task *tasks = hx_xcalloc(n ? n : 1, sizeof(hx_task));
	for (j = 0; j < n; j++)
		tasks[j] = plan->tasks[hx_shard_task_index(shard, j)];
	free(plan->tasks);
	plan->tasks = tasks;
	plan->n = n;
}

int hx_run_shard_begin(hx_shard_manifest *m, const hx_run_result *out, const hx_spec *spec,
		       const hx_run_options *opt)
{
	hx_shard_manifest old;
	hx_buf text = HX_BUF_INIT;
	int err;

	memset(m, 0, sizeof(*m));
	if (opt->spec_text)
		hx_buf_put(&text, opt->spec_text, opt->spec_text_len);
	else if ((err = hx_file_read_spec(&text, spec->path)) != 0)
		return err;
	hx_hash128_buf(m->spec_hash, text.ptr ? text.ptr : "", text.len);
	hx_buf_release(&text);
	m->experiment = hx_xstrdup(spec->experiment);
	m->spec = hx_xstrdup(spec->path);
	m->seed = spec->seed;
	m->plan_size = out->plan_size;
	m->shard = opt->shard;
	m->tasks = out->tasks;
	m->attempts = 1;
	hx_engine_id_dup(&m->engine, &out->engine);
	if (opt->resume && (err = hx_shard_manifest_read(&old, out->run_dir)) != HX_ENOTFOUND) {
		const char *what = NULL;
		if (err)
			return err;
		if (old.shard.k != m->shard.k || old.shard.n != m->shard.n)
			what = "shard";
		else if (strcmp(old.spec_hash, m->spec_hash) != 0)
			what = "spec";
		else if (old.seed != m->seed)
			what = "seed";
		else if (old.plan_size != m->plan_size)
			what = "plan";
		else if (!hx_engine_id_equal(&old.engine, &m->engine))
			what = "engine";
		if (what) {
			hx_error_set("cannot resume: '%s' is shard %lu/%lu of %s (seed %" PRIu64
				     ", %zu tasks, engine %s), another %s than this one's",
				     out->run_dir, old.shard.k, old.shard.n, old.spec, old.seed,
				     old.plan_size, old.engine.version ? old.engine.version : "?", what);
			hx_shard_manifest_release(&old);
			return HX_EINVALID;
		}
		m->attempts = old.attempts + 1;
		m->records = old.records;
		hx_shard_manifest_release(&old);
	}
	return hx_shard_manifest_write(out->run_dir, m);
}
