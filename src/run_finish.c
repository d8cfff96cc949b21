/* run_finish.c - a run after its tasks (run_internal.h): from the
 * finished RUN/telemetry.jsonl, read once in blocks, the canonical stream
 * (RUN/.canonical.jsonl, hashed as it is written) and the summary's counts;
 * then the snapshot, the golden gate, the calibration stages, summary.txt,
 * report.html and the archive, each of which reads files, never a copy of
 * every record in memory. `harness run` and `harness merge` both end here,
 * so a merged run is finished exactly as an unsharded one. */
#include "run_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calibrate.h"
#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "hash.h"
#include "json.h"
#include "label.h"
#include "lines.h"
#include "lock.h"
#include "run_archive.h"
#include "report/run_report.h"
#include "stats.h"
#include "testhook.h"

double hx_run_now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void set_rate(hx_run_rate *r, unsigned long k, unsigned long n)
{
	r->k = k;
	r->n = n;
	r->rate = n ? (double)k / (double)n : 0;
	hx_stats_wilson(k, n, 0.95, &r->lo, &r->hi);
}


/* The walk over the telemetry: record i must be task i of the plan. */
typedef struct {
	const hx_run_finish_args *a;
	hx_run_result *out;
	FILE *canon;
	hx_hash128 *hash;
	hx_arena *arena;
	hx_buf line;
	size_t i;
	unsigned long sf[HX_TIER_COUNT][2], sp[HX_TIER_COUNT][2];
} walk;

static void count_record(walk *w, const hx_task *task, hx_outcome o, signed char truth)
{
	hx_run_result *r = w->out;
	size_t t;
	for (t = 0; t < r->ntiers && r->tiers[t].tier != task->tier; t++)
		;
	if (t == r->ntiers)
		return;
	if (o == HX_OUT_VERIFIER_TIMEOUT && r->tiers[t].counts[o] < HX_RUN_TIMEOUTS_SHOWN) {
		char nb[64];
		r->tiers[t].timed_out[r->tiers[t].counts[o]] = hx_xstrdup(
			hx_corpus_name(w->a->corpus, (size_t)task->module, nb, sizeof(nb)));
	}
	r->tiers[t].n++;
	r->tiers[t].counts[o]++;
	r->has_truth |= truth >= 0;
	/* calib.h's definitions: conditional on not timing out */
	if (truth >= 0 && o != HX_OUT_VERIFIER_TIMEOUT) {
		unsigned long *c = truth ? w->sf[t] : w->sp[t];
		c[1]++;
		c[0] += o == (truth ? HX_OUT_PROOF_INVALID : HX_OUT_VERIFIED);
	}
}

static int walk_line(void *ctx, const char *text, size_t len, size_t lineno)
{
	walk *w = ctx;
	const hx_run_finish_args *a = w->a;
	hx_json *rec;
	hx_json_error je;
	const hx_json *gt;
	hx_outcome o;
	signed char truth;
	int err;

	if (w->i >= a->plan->n) {
		hx_error_set("'%s' has more records than the plan's %zu tasks", a->telemetry_path,
			     a->plan->n);
		return HX_EINVALID;
	}
	hx_arena_reset(w->arena);
	if (hx_json_parse(&rec, w->arena, text, len, &je) != 0) {
		hx_error_set("%s:%zu:%zu: %s", a->telemetry_path, lineno, je.column, je.msg);
		return HX_EINVALID;
	}
	if (hx_run_record_is_task(a->plan, a->spec, a->corpus, rec, w->i, &o) != 0) {
		hx_error_set("%s:%zu: the record is not task %zu of this plan (another spec, seed or "
			     "corpus?)",
			     a->telemetry_path, lineno, a->plan->tasks[w->i].index);
		return HX_EINVALID;
	}
	gt = hx_json_get(hx_json_get(rec, "metadata"), "ground_truth");
	truth = hx_run_truth_of(gt && gt->type == HX_JSON_STRING ? gt->u.string.ptr : NULL);
	count_record(w, &a->plan->tasks[w->i], o, truth);
	hx_buf_reset(&w->line);
	hx_arena_reset(w->arena);
	if ((err = hx_canon_line(&w->line, w->arena, text, len, &a->spec->profile,
				 a->telemetry_path, lineno)) != 0)
		return err;
	hx_hash128_update(w->hash, w->line.ptr, w->line.len);
	if (fwrite(w->line.ptr, 1, w->line.len, w->canon) != w->line.len) {
		hx_error_set_errno(errno, "cannot write '%s'", w->out->canonical_path);
		return HX_ESYSTEM;
	}
	w->i++;
	return 0;
}

/* The canonical stream, its hash, and the summary's counts and rates. */
static int canonicalize(hx_run_result *out, const hx_run_finish_args *a)
{
	walk w;
	size_t t;
	int fd = -1, err, e2;

	memset(&w, 0, sizeof(w));
	w.a = a;
	w.out = out;
	for (t = 0; t < HX_TIER_COUNT * HX_RUN_TIMEOUTS_SHOWN; t++) {
		free(out->tiers[t / HX_RUN_TIMEOUTS_SHOWN].timed_out[t % HX_RUN_TIMEOUTS_SHOWN]);
		out->tiers[t / HX_RUN_TIMEOUTS_SHOWN].timed_out[t % HX_RUN_TIMEOUTS_SHOWN] = NULL;
	}
	memset(out->tiers, 0, sizeof(out->tiers));
	out->has_truth = 0;
	for (t = 0; t < a->spec->ntiers; t++)
		out->tiers[t].tier = a->spec->tiers[t].tier;
	out->ntiers = a->spec->ntiers;
	free(out->canonical_path);
	out->canonical_path = hx_path_join(out->run_dir, ".canonical.jsonl");
	/* A new file: the snapshot directory may hold a link to the last one. */
	unlink(out->canonical_path);
	if (!a->lines && (fd = open(a->telemetry_path, O_RDONLY | O_CLOEXEC)) < 0) {
		hx_error_set_errno(errno, "cannot open '%s'", a->telemetry_path);
		return HX_ESYSTEM;
	}
	if (!(w.canon = fopen(out->canonical_path, "w"))) {
		hx_error_set_errno(errno, "cannot create '%s'", out->canonical_path);
		if (!a->lines)
			close(fd);
		return HX_ESYSTEM;
	}
	w.hash = hx_hash128_new();
	w.arena = hx_arena_new();
	if (a->lines) {
		err = a->lines(a->lines_ctx, walk_line, &w);
	} else {
		err = hx_lines_each(fd, a->telemetry_path, NULL, walk_line, &w, NULL);
		close(fd);
	}
	if (!err && w.i != a->plan->n) {
		hx_error_set("'%s' has %zu records, the plan %zu tasks", a->telemetry_path, w.i,
			     a->plan->n);
		err = HX_EINVALID;
	}
	e2 = hx_run_sync_close(&w.canon, out->canonical_path);
	if (!err)
		err = e2;
	hx_hash128_hex(w.hash, out->hash);
	out->records = w.i;
	for (t = 0; t < out->ntiers; t++) {
		hx_tier_summary *s = &out->tiers[t];
		unsigned long vf = s->n - s->counts[HX_OUT_VERIFIED] - s->counts[HX_OUT_PROOF_INVALID];
		set_rate(&s->proof_invalid, s->counts[HX_OUT_PROOF_INVALID], s->n);
		set_rate(&s->verifier_failure, vf, s->n);
		set_rate(&s->timeout, s->counts[HX_OUT_VERIFIER_TIMEOUT], s->n);
		set_rate(&s->spurious_fail, w.sf[t][0], w.sf[t][1]);
		set_rate(&s->spurious_pass, w.sp[t][0], w.sp[t][1]);
	}
	hx_hash128_free(w.hash);
	hx_arena_free(w.arena);
	hx_buf_release(&w.line);
	return err;
}

/* The snapshot of the finished telemetry, and its golden verdict: under
 * the snapshot's lock (lock.h), so a racing run of the experiment cannot
 * replace it between the write and the check, nor golden accept read it
 * half way. The canonical stream stays in the run directory for the
 * archive (linked into the snapshot where the file system allows): the
 * snapshot directory may be another run's by then. */
static int snapshot_phase(hx_run_result *out, const hx_run_finish_args *a)
{
	const hx_spec *spec = a->spec;
	hx_snapshot_info info;
	hx_lock lock = HX_LOCK_NONE;
	int err;

	if ((err = canonicalize(out, a)) != 0)
		return err;
	memset(&info, 0, sizeof(info));
	info.experiment = spec->experiment;
	info.seed = spec->seed;
	info.engine = out->engine;
	info.profile = &spec->profile;
	memcpy(info.hash, out->hash, sizeof(info.hash));
	info.records = out->records;
	hx_buf_reset(&out->snapshot_manifest);
	hx_snapshot_manifest_format(&out->snapshot_manifest, &info);
	if ((err = hx_lock_take(&lock, out->snapshot_dir, 1)) != 0)
		return err;
	if ((err = hx_snapshot_write_from(out->snapshot_dir, &info, NULL, 0, out->canonical_path)) ==
	    0) {
		hx_testhook_point("snapshot-written");
		err = hx_golden_check(&out->golden, out->golden_dir, out->snapshot_dir, out->hash);
	}
	hx_lock_release(&lock);
	return err;
}

static char *corpus_text(const hx_spec *spec, const hx_corpus *corpus)
{
	hx_buf b = HX_BUF_INIT;
	if (spec->corpus_path)
		hx_buf_printf(&b, "%s %s (%zu modules)", spec->corpus_kind, spec->corpus_path, corpus->n);
	else
		hx_buf_printf(&b, "%s (%zu modules)", spec->corpus_kind, corpus->n);
	if (spec->corpus_filter)
		hx_buf_printf(&b, ", filter %s", spec->corpus_filter);
	if (corpus->skipped)
		hx_buf_printf(&b, ", %zu without a file skipped", corpus->skipped);
	return hx_buf_detach(&b, NULL);
}

/* Stages 3 to 6 on the finished telemetry (telemetry_path). */
static int calibration_stages(hx_run_result *out, const hx_spec *spec, const hx_plan *plan,
			      const hx_corpus *corpus, const char *telemetry_path, int workers,
			      const hx_run_options *opt, const char *date)
{
	hx_calibrate_options co;
	char *labels = NULL, *work = NULL, *corpus_desc = corpus_text(spec, corpus);
	const char *label = opt->label ? opt->label : "harness run";
	hx_buf plabel = HX_BUF_INIT;
	int err = 0;

	if (spec->label.enabled) {
		hx_label_options lo;
		memset(&lo, 0, sizeof(lo));
		labels = hx_path_join(out->run_dir, "labels.jsonl");
		work = hx_path_join(out->run_dir, "label");
		lo.spec = spec;
		lo.plan = plan;
		lo.corpus = corpus;
		lo.telemetry_path = telemetry_path;
		lo.labels_path = labels;
		lo.work_dir = work;
		lo.workers = workers;
		lo.cancel = opt->cancel;
		lo.progress = opt->progress;
		hx_buf_printf(&plabel, "%s: %s: label", label, spec->experiment);
		lo.progress_label = plabel.ptr;
		if (opt->progress != HX_PROGRESS_NONE)
			fprintf(stderr, "%s: %s: labeling a stratified sample of up to %ld records\n", label,
				spec->experiment, spec->label.sample);
		if ((err = hx_label_run(&out->labels, &lo)) != 0)
			goto done;
		out->labeled = 1;
		out->labels_used = out->labels.kept_completed > 0;
		if (hx_is_dir(work))
			hx_remove_tree(work);
	}
	memset(&co, 0, sizeof(co));
	co.spec = spec;
	co.telemetry_path = telemetry_path;
	co.labels_path = out->labels_used ? labels : NULL;
	co.run_dir = out->run_dir;
	co.export_path = opt->export_path;
	co.meta.experiment = spec->experiment;
	co.meta.spec_path = spec->path;
	co.meta.date_utc = date;
	co.meta.corpus = corpus_desc;
	co.meta.engine = out->engine;
	co.meta.snapshot_hash = out->hash;
	co.meta.seed = spec->seed;
	co.keep_data = 1; /* for the report: not read and fitted twice */
	err = hx_calibrate(&out->calib, &co);
done:
	hx_buf_release(&plabel);
	free(labels);
	free(work);
	free(corpus_desc);
	return err;
}

/* RUN/golden.txt: the verdict and, on a mismatch, the diff (the report's). */
static int write_golden(const hx_run_result *out)
{
	const hx_golden_result *g = &out->golden;
	hx_buf diff = HX_BUF_INIT;
	int err;
	if (g->verdict == HX_GOLDEN_MISMATCH) {
		hx_buf_printf(&diff, "%zu records in golden, %zu in the snapshot; %zu compared: "
				     "%zu changed, %zu added, %zu removed\n",
			      g->diff.old_records, g->diff.new_records, g->diff.compared,
			      g->diff.changed, g->diff.added, g->diff.removed);
		hx_buf_put(&diff, g->diff.text.ptr ? g->diff.text.ptr : "", g->diff.text.len);
	}
	err = hx_report_write_golden(out->run_dir, hx_golden_verdict_name(g->verdict),
				     out->golden_dir, g->golden_hash, out->hash, diff.ptr);
	hx_buf_release(&diff);
	return err;
}

/* Everything after the telemetry is final: snapshot, golden check,
 * calibration stages, summary.txt, report.html, archive. Each step rewrites its
 * output whole (atomically), so after a crash anywhere here `--resume`
 * does them all again from RUN/telemetry.jsonl and ends as the run would
 * have; the archive keeps the name the state file gives it. */
int hx_run_finish(hx_run_result *out, const hx_run_finish_args *a)
{
	const hx_spec *spec = a->spec;
	const hx_run_options *opt = a->opt;
	hx_run_state *state = a->state;
	hx_buf summary = HX_BUF_INIT, text = HX_BUF_INIT;
	char *path = NULL, finished[32];
	struct tm tmv;
	time_t end;
	int err;

	if ((err = snapshot_phase(out, a)) != 0)
		goto done;
	if ((err = write_golden(out)) != 0)
		goto done;
	out->elapsed_s = hx_run_now(CLOCK_MONOTONIC) - a->start;
	if ((err = calibration_stages(out, spec, a->plan, a->corpus, a->telemetry_path, a->workers,
				      opt, state->date)) != 0)
		goto done;
	hx_testhook_point("stages-done");
	if (!opt->no_archive) {
		const char *dir = opt->archive_dir ? opt->archive_dir : "runs";
		/* The name chosen the first time (the state file), so finishing
		 * a run twice replaces its archive instead of adding one. */
		out->archive_path = state->archive ? hx_xstrdup(state->archive)
						   : hx_run_archive_name(dir, spec->experiment,
									    state->utc, out->hash);
		if (!state->archive || strcmp(state->archive, out->archive_path) != 0) {
			free(state->archive);
			state->archive = hx_xstrdup(out->archive_path);
			if ((err = hx_run_state_write(state, out->run_dir)) != 0)
				goto done;
		}
	}
	path = hx_path_join(out->run_dir, "summary.txt");
	hx_run_format_summary(&summary, out);
	if ((err = hx_file_write_atomic(path, summary.ptr, summary.len)) != 0)
		goto done;
	hx_testhook_point("summary-written");
	if (!opt->no_report &&
	    (err = hx_report_run_with(out->run_dir, NULL,
				      out->calib.kept && out->calib.exported ? &out->calib.all : NULL,
				      out->calib.kept && out->calib.exported ? &out->calib.train
									      : NULL)) != 0)
		goto done;
	if (out->archive_path) {
		end = time(NULL);
		gmtime_r(&end, &tmv);
		strftime(finished, sizeof(finished), "%Y-%m-%dT%H:%M:%SZ", &tmv);
		if (!opt->spec_text && (err = hx_file_read_spec(&text, spec->path)) != 0)
			goto done;
		if ((err = hx_run_archive_write(out->archive_path, out, spec,
						 opt->spec_text ? opt->spec_text : text.ptr,
						 opt->spec_text ? opt->spec_text_len : text.len,
						 state->date, finished)) != 0)
			goto done;
		hx_testhook_point("archive-written");
	}
	/* The archive has the run's snapshot; the snapshot directory its own link. */
	unlink(out->canonical_path);
done:
	hx_buf_release(&summary);
	hx_buf_release(&text);
	free(path);
	return err;
}

