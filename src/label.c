#include "label.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon.h"
#include "engine.h"
#include "error.h"
#include "fsutil.h"
#include "hash.h"
#include "json.h"
#include "pool.h"
#include "rng.h"

/* A record of the run, as labeling needs it. */
typedef struct {
	size_t index; /* task_index = plan position */
	hx_tier tier;
	hx_outcome outcome;
	int truth;    /* metadata.ground_truth: -1 none, 0 invalid, 1 valid */
	char *module;
} item;

/* One vote to cast: a task on an engine. */
typedef struct {
	size_t item;   /* which sampled item it votes on */
	int source;    /* 0 extended timeout, v + 1 voter v */
	const char *module; /* the record's, for the progress line */
	hx_task task;
	hx_outcome outcome;
} job;

/* One worker's scratch space, reused by every vote it casts. The padding
 * keeps two workers' records off a shared cache line. */
typedef struct {
	hx_record rec;
	char pad[64];
} scratch;

/* The votes on hx_pool_run: job j is jobs[j]; its outcome is its result. */
typedef struct {
	job *jobs;
	size_t n;
	hx_engine **engines; /* by source */
	const atomic_int *cancel;
	hx_progress progress;
	scratch *scratch; /* per worker id */
} label_ctx;

void hx_label_allocate(size_t *alloc, const size_t *sizes, size_t n, size_t total)
{
	size_t left = total, open = 0, i;
	for (i = 0; i < n; i++) {
		alloc[i] = 0;
		open += sizes[i] > 0;
	}
	/* Each round gives every stratum with room an equal share; strata
	 * that fill up drop out and the next round shares what they left. */
	while (left && open) {
		size_t share = left / open, extra = left % open, given = 0;
		for (i = 0; i < n; i++) {
			size_t room = sizes[i] - alloc[i], want;
			if (!room)
				continue;
			want = share + (extra ? 1 : 0);
			if (extra && want > share)
				extra--;
			if (want > room)
				want = room;
			alloc[i] += want;
			given += want;
			if (alloc[i] == sizes[i])
				open--;
		}
		left -= given;
		if (!given)
			break;
	}
}

static int bad_record(const char *path, size_t lineno, const char *what)
{
	hx_error_set("%s:%zu: %s", path, lineno, what);
	return HX_EINVALID;
}

typedef struct {
	hx_buf items; /* item */
	const hx_plan *plan;
	const char *path;
} reader;

static int read_item(reader *rd, const hx_json *rec, size_t lineno)
{
	const hx_json *meta = hx_json_get(rec, "metadata"), *idx = hx_json_get(meta, "task_index");
	const hx_json *tier = hx_json_get(rec, "tier"), *outc = hx_json_get(rec, "outcome");
	const hx_json *mod = hx_json_get(rec, "module_name"), *gt = hx_json_get(meta, "ground_truth");
	item it;

	if (!idx || idx->type != HX_JSON_NUMBER || !(idx->u.number >= 0) ||
	    idx->u.number >= (double)rd->plan->n || idx->u.number != (double)(size_t)idx->u.number)
		return bad_record(rd->path, lineno, "missing 'metadata.task_index' of this plan");
	it.index = (size_t)idx->u.number;
	if (!tier || tier->type != HX_JSON_STRING || hx_tier_parse(tier->u.string.ptr, &it.tier) ||
	    it.tier != rd->plan->tasks[it.index].tier)
		return bad_record(rd->path, lineno, "'tier' is not the plan's tier for its task");
	if (!outc || outc->type != HX_JSON_STRING || hx_outcome_parse(outc->u.string.ptr, &it.outcome))
		return bad_record(rd->path, lineno, "missing or unknown 'outcome'");
	it.truth = -1;
	if (gt && gt->type == HX_JSON_STRING)
		it.truth = strcmp(gt->u.string.ptr, "valid") == 0	  ? 1
			   : strcmp(gt->u.string.ptr, "invalid") == 0 ? 0
								      : -1;
	it.module = hx_xstrdup(mod && mod->type == HX_JSON_STRING ? mod->u.string.ptr : "");
	hx_buf_put(&rd->items, &it, sizeof(it));
	return 0;
}

static int read_item_cb(void *ctx, const hx_json *rec, size_t lineno)
{
	return read_item(ctx, rec, lineno);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* The stratified sample: positions into items, ascending (plan order). */
static size_t *draw_sample(const item *items, size_t n, const hx_spec *spec, size_t *nout)
{
	size_t tier_size[HX_TIER_COUNT] = {0}, tier_alloc[HX_TIER_COUNT];
	size_t *out = hx_xcalloc(n ? n : 1, sizeof(size_t)), nsel = 0, i;
	int t, o;

	for (i = 0; i < n; i++)
		tier_size[items[i].tier]++;
	hx_label_allocate(tier_alloc, tier_size, HX_TIER_COUNT, (size_t)spec->label.sample);
	for (t = 0; t < HX_TIER_COUNT; t++) {
		size_t sizes[HX_OUT_COUNT] = {0}, alloc[HX_OUT_COUNT];
		for (i = 0; i < n; i++)
			if (items[i].tier == (hx_tier)t)
				sizes[items[i].outcome]++;
		hx_label_allocate(alloc, sizes, HX_OUT_COUNT, tier_alloc[t]);
		for (o = 0; o < HX_OUT_COUNT; o++) {
			size_t *pool = NULL, m = 0, k;
			char key[64];
			int len;
			hx_rng r;
			if (!alloc[o])
				continue;
			pool = hx_xcalloc(sizes[o], sizeof(size_t));
			for (i = 0; i < n; i++)
				if (items[i].tier == (hx_tier)t && items[i].outcome == (hx_outcome)o)
					pool[m++] = i;
			len = snprintf(key, sizeof(key), "label%c%s%c%s", 0, hx_tier_name((hx_tier)t), 0,
				       hx_outcome_name((hx_outcome)o));
			hx_rng_init(&r, hx_hash64(key, (size_t)len, spec->seed));
			for (k = 0; k < alloc[o]; k++) { /* partial Fisher-Yates */
				size_t j = k + (size_t)hx_rng_below(&r, m - k), tmp = pool[k];
				pool[k] = pool[j];
				pool[j] = tmp;
				out[nsel++] = pool[k];
			}
			free(pool);
		}
	}
	qsort(out, nsel, sizeof(size_t), cmp_size);
	*nout = nsel;
	return out;
}

/* The pool's run: one vote on one worker. */
static int run_job(void *ctx, size_t i, int worker)
{
	label_ctx *c = ctx;
	job *j = &c->jobs[i];
	hx_record *rec = &c->scratch[worker].rec;
	int err;
	hx_record_init(rec);
	hx_progress_begin(&c->progress, worker, j->module, j->task.tier, hx_progress_now());
	err = c->engines[j->source]->run_task(c->engines[j->source], &j->task, rec);
	hx_progress_end(&c->progress, worker);
	j->outcome = rec->outcome;
	hx_record_release(rec);
	/* an engine reports a vote it stopped on cancel as a timeout */
	if (err == HX_ETIMEOUT && c->cancel && atomic_load(c->cancel))
		err = HX_EINTERRUPTED;
	return err;
}

/* The pool's tick (about every 100 ms; progress.h says how often a line is
 * printed). */
static void tick_jobs(void *ctx, size_t done)
{
	label_ctx *c = ctx;
	double t = hx_progress_now();
	if (hx_progress_tick(&c->progress, done, t) && done < c->n)
		hx_progress_print(&c->progress, done, t, NULL);
}

/* Run the jobs on `workers` threads while this one reports progress. The
 * outcomes are tallied once every job is done, so no flush is needed. */
static int run_jobs(label_ctx *c, int workers, hx_progress_mode mode, const char *label)
{
	hx_pool_options po;
	char msg[1024];
	int err;
	if ((size_t)workers > c->n)
		workers = c->n ? (int)c->n : 1;
	hx_progress_init(&c->progress, mode, label ? label : "label", "reruns", c->n, 0, workers,
			 hx_progress_now());
	c->scratch = hx_xcalloc((size_t)workers, sizeof(scratch));
	memset(&po, 0, sizeof(po));
	po.n = c->n;
	po.workers = workers;
	po.ctx = c;
	po.run = run_job;
	po.tick = tick_jobs;
	po.cancel = c->cancel;
	err = hx_pool_run(&po, NULL);
	hx_progress_finish(&c->progress);
	hx_progress_release(&c->progress);
	free(c->scratch);
	c->scratch = NULL;
	if (err && err != HX_EINTERRUPTED) {
		snprintf(msg, sizeof(msg), "%s", hx_error_last());
		hx_error_set("labeling: %s", msg);
		return err;
	}
	if (err || (c->cancel && atomic_load(c->cancel))) {
		hx_error_set("labeling interrupted");
		return HX_EINTERRUPTED;
	}
	return 0;
}

/* The timeout a voter runs with on a tier. */
static int voter_timeout(const hx_spec *spec, const hx_spec_voter *v, hx_tier t, double *out)
{
	size_t k;
	if (v->timeout_s > 0) {
		*out = v->timeout_s;
		return 0;
	}
	for (k = 0; k < spec->ntiers; k++)
		if (spec->tiers[k].tier == t) {
			*out = spec->tiers[k].timeout_s;
			return 0;
		}
	if (spec->models->has_tier[t]) {
		*out = spec->models->tiers[t].base_timeout_s;
		return 0;
	}
	hx_error_set("'%s': a consensus voter on tier %s needs 'timeout_s' (the spec and its models "
		     "have no timeout for that tier)",
		     spec->path, hx_tier_name(t));
	return HX_EINVALID;
}

static int make_engine(hx_engine **out, const hx_spec *spec, const hx_label_options *opt,
		       const char *sub)
{
	hx_engine_ctx ctx;
	char *dir = hx_path_join(opt->work_dir, sub);
	int err = hx_mkdirs(dir, 0777);
	memset(&ctx, 0, sizeof(ctx));
	ctx.spec = spec;
	ctx.corpus = opt->corpus;
	ctx.out_dir = dir;
	ctx.cancel = opt->cancel;
	if (!err)
		err = hx_engine_new(out, &ctx);
	free(dir);
	return err;
}

static void write_label(hx_buf *b, const item *it, const int votes[3], int asked, double min_conf,
			int has_extended, int has_consensus, hx_label_stats *st)
{
	int label = votes[1] > votes[0] ? 1 : votes[0] > votes[1] ? 0 : -1;
	double conf = label < 0 || !asked ? 0 : (double)votes[label] / asked;
	int kept = label >= 0 && conf >= min_conf;
	const char *method = has_extended && has_consensus ? "extended_timeout+consensus"
			     : has_extended		     ? "extended_timeout"
			     : has_consensus		     ? "consensus"
							     : "none";
	hx_buf_printf(b, "{\"task_index\":%zu,\"tier\":\"%s\",\"module_name\":", it->index,
		      hx_tier_lower(it->tier));
	hx_canon_write_string(b, it->module, strlen(it->module));
	hx_buf_printf(b, ",\"outcome\":\"%s\",\"ground_truth\":%s,\"method\":\"%s\",\"confidence\":",
		      hx_outcome_name(it->outcome),
		      label < 0 ? "null" : label ? "\"valid\"" : "\"invalid\"", method);
	hx_canon_write_number(b, conf);
	hx_buf_printf(b, ",\"votes\":{\"valid\":%d,\"invalid\":%d,\"abstain\":%d},\"kept\":%s}\n",
		      votes[1], votes[0], votes[2], kept ? "true" : "false");
	st->labeled += label >= 0;
	st->kept += kept;
	st->kept_completed += kept && it->outcome != HX_OUT_VERIFIER_TIMEOUT;
	if (kept && it->truth >= 0) {
		st->with_truth++;
		st->agree += it->truth == label;
	}
}

int hx_label_run(hx_label_stats *out, const hx_label_options *opt)
{
	const hx_spec *spec = opt->spec;
	const hx_spec_label *L = &spec->label;
	reader rd = {HX_BUF_INIT, opt->plan, opt->telemetry_path};
	hx_spec *vspecs = NULL;
	size_t nsources = L->nvoters + 1, *sample = NULL, nsample = 0, i, v, nitems;
	label_ctx lc;
	hx_buf lines = HX_BUF_INIT;
	item *items;
	int err, s, has_timeouts = 0;

	memset(out, 0, sizeof(*out));
	memset(&lc, 0, sizeof(lc));
	lc.engines = hx_xcalloc(nsources, sizeof(hx_engine *));
	lc.cancel = opt->cancel;
	vspecs = hx_xcalloc(nsources, sizeof(hx_spec));
	if ((err = hx_jsonl_each(rd.path, read_item_cb, &rd, NULL)) != 0)
		goto done;
	items = (item *)rd.items.ptr;
	nitems = rd.items.len / sizeof(item);
	out->records = nitems;
	sample = draw_sample(items, nitems, spec, &nsample);
	out->sampled = nsample;

	/* The votes to cast, in a fixed order: per sampled record, the
	 * extended run (timeouts only), then each voter. */
	lc.jobs = hx_xcalloc(nsample * nsources + 1, sizeof(job));
	for (i = 0; i < nsample; i++) {
		const item *it = &items[sample[i]];
		const hx_task *task = &opt->plan->tasks[it->index];
		if (it->outcome == HX_OUT_VERIFIER_TIMEOUT) {
			job *j = &lc.jobs[lc.n++];
			j->item = i;
			j->source = 0;
			j->module = it->module;
			j->task = *task;
			j->task.timeout_s = task->timeout_s * L->timeout_multiplier;
			has_timeouts = 1;
		}
		for (v = 0; v < L->nvoters; v++) {
			const hx_spec_voter *sv = &L->voters[v];
			job *j = &lc.jobs[lc.n++];
			unsigned char b[8];
			int k;
			j->item = i;
			j->source = (int)v + 1;
			j->module = it->module;
			j->task = *task;
			j->task.tier = sv->has_tier ? sv->tier : task->tier;
			if ((err = voter_timeout(spec, sv, j->task.tier, &j->task.timeout_s)) != 0)
				goto done;
			for (k = 0; k < 8; k++)
				b[k] = (unsigned char)(task->seed >> (8 * k));
			j->task.seed = hx_hash64(b, sizeof(b), (uint64_t)v + 1);
		}
	}
	out->runs = lc.n;

	/* Engines: the run's for extended timeouts, one per voter (each with
	 * its own scratch directory, so task directories never collide). */
	for (s = 0; s < (int)nsources; s++) {
		char sub[32];
		vspecs[s] = *spec;
		if (s > 0 && L->voters[s - 1].has_engine) {
			vspecs[s].engine_kind = L->voters[s - 1].kind;
			vspecs[s].engine = L->voters[s - 1].engine;
		}
		if (s == 0 && !has_timeouts)
			continue;
		if (s == 0)
			snprintf(sub, sizeof(sub), "extended");
		else
			snprintf(sub, sizeof(sub), "voter-%d", s);
		if ((err = make_engine(&lc.engines[s], &vspecs[s], opt, sub)) != 0)
			goto done;
	}
	if ((err = run_jobs(&lc, opt->workers > 0 ? opt->workers : 1, opt->progress,
			    opt->progress_label)) != 0)
		goto done;

	/* Tally in plan order; jobs are grouped by sampled record. */
	{
		size_t j = 0;
		for (i = 0; i < nsample; i++) {
			int votes[3] = {0, 0, 0}, asked = 0, ext = 0;
			for (; j < lc.n && lc.jobs[j].item == i; j++) {
				hx_outcome o = lc.jobs[j].outcome;
				votes[o == HX_OUT_VERIFIED ? 1 : o == HX_OUT_PROOF_INVALID ? 0 : 2]++;
				asked++;
				ext |= lc.jobs[j].source == 0;
			}
			write_label(&lines, &items[sample[i]], votes, asked, L->min_confidence, ext,
				    L->nvoters > 0, out);
		}
	}
	err = hx_file_write_atomic(opt->labels_path, lines.ptr ? lines.ptr : "", lines.len);
done:
	for (s = 0; s < (int)nsources; s++)
		hx_engine_free(lc.engines[s]);
	free(lc.engines);
	free(lc.jobs);
	free(vspecs);
	free(sample);
	for (i = 0; i < rd.items.len / sizeof(item); i++)
		free(((item *)rd.items.ptr)[i].module);
	hx_buf_release(&rd.items);
	hx_buf_release(&lines);
	return err;
}
