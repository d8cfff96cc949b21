/* series/series_run.c - a series from its spec to its golden verdicts:
 * steps in order, skipped when up to date, their tables snapshot and
 * checked, the whole archived (series_run.h). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "series/series_run.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "canon.h"
#include "engine.h"
#include "error.h"
#include "fsutil.h"
#include "lock.h"
#include "json.h"
#include "pool.h"
#include "report/series_report.h"
#include "run_archive.h"
#include "series/series_replay.h"
#include "threshold/sim_monitor.h"

#define STATE_FORMAT "harness-series-state/1"
#define MAX_FILES 8

static const char *const label_keys[] = {"label", NULL};
static const char *const tier_keys[] = {"risk_tier", NULL};
static const char *const sample_keys[] = {"sample", NULL};

void hx_series_result_init(hx_series_result *r)
{
	memset(r, 0, sizeof(*r));
}

void hx_series_result_release(hx_series_result *r)
{
	size_t i;
	free(r->experiment);
	free(r->spec_path);
	free(r->work_dir);
	free(r->work_dir_shown);
	free(r->snapshot_dir);
	free(r->golden_dir);
	free(r->archive_path);
	free(r->engine_version);
	free(r->engine_path);
	free(r->engine_hash);
	for (i = 0; i < r->nsteps; i++) {
		free(r->steps[i].name);
		free(r->steps[i].report);
		hx_golden_result_release(&r->steps[i].golden);
	}
	free(r->steps);
	for (i = 0; i < r->nfailures; i++)
		free(r->failures[i]);
	free(r->failures);
	memset(r, 0, sizeof(*r));
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int hx_series_next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;
	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	*p = nl ? nl + 1 : end;
	return 1;
}

/* ---- state.json ---- */

typedef struct {
	char inputs[HX_HASH_HEX_LEN], outputs[HX_HASH_HEX_LEN];
	int known;
} step_state;

static void copy_hash(char out[HX_HASH_HEX_LEN], const hx_json *v)
{
	out[0] = '\0';
	if (v && v->type == HX_JSON_STRING && v->u.string.len == HX_HASH_HEX_LEN - 1)
		memcpy(out, v->u.string.ptr, HX_HASH_HEX_LEN);
}

/* What the last invocation recorded; a missing or unreadable state is
 * empty (every step runs). */
static void state_read(step_state *st, const hx_series_spec *s, const char *path)
{
	hx_buf text = HX_BUF_INIT;
	hx_arena *a = hx_arena_new();
	hx_json *root, *steps;
	hx_json_error e;
	size_t i;
	if (hx_file_read(&text, path) == 0 && hx_json_parse(&root, a, text.ptr, text.len, &e) == 0 &&
	    (steps = hx_json_get(root, "steps")) != NULL) {
		for (i = 0; i < s->nsteps; i++) {
			hx_json *one = hx_json_get(steps, s->steps[i].name);
			copy_hash(st[i].inputs, hx_json_get(one, "inputs"));
			copy_hash(st[i].outputs, hx_json_get(one, "outputs"));
			st[i].known = st[i].inputs[0] && st[i].outputs[0];
		}
	}
	hx_error_clear();
	hx_buf_release(&text);
	hx_arena_free(a);
}

static int state_write(const step_state *st, const hx_series_spec *s, const char *path)
{
	hx_buf b = HX_BUF_INIT;
	const char **names = hx_xcalloc(s->nsteps + 1, sizeof(char *));
	size_t i, j, n = 0;
	int err;
	/* steps sorted by name (RFC 8785 order) */
	for (i = 0; i < s->nsteps; i++) {
		if (!st[i].known)
			continue;
		for (j = n; j > 0 && strcmp(names[j - 1], s->steps[i].name) > 0; j--)
			names[j] = names[j - 1];
		names[j] = s->steps[i].name;
		n++;
	}
	hx_buf_puts(&b, "{\"format\":\"" STATE_FORMAT "\",\"steps\":{");
	for (i = 0; i < n; i++) {
		long k = hx_series_step_index(s, names[i]);
		hx_canon_write_cstr(&b, names[i]);
		hx_buf_printf(&b, ":{\"inputs\":\"%s\",\"outputs\":\"%s\"}%s", st[k].inputs,
			      st[k].outputs, i + 1 < n ? "," : "");
	}
	hx_buf_puts(&b, "}}\n");
	err = hx_file_write_atomic(path, b.ptr, b.len);
	hx_buf_release(&b);
	free(names);
	return err;
}

/* ---- hashes ---- */

static void inputs_hash(char out[HX_HASH_HEX_LEN], const hx_series_spec *s, size_t i,
			const step_state *st, const char *engine_hash)
{
	const hx_series_step *step = &s->steps[i];
	hx_hash128 *h = hx_hash128_new();
	hx_buf b = HX_BUF_INIT;
	size_t j;
	hx_buf_printf(&b, "harness-series-step/1\n%s\n%s\n%s\n%s\n", HX_VERSION,
		      hx_step_kind_name(step->kind), step->name, step->definition);
	for (j = 0; j < step->nneeds; j++)
		hx_buf_printf(&b, "needs %s %s\n", s->steps[step->needs[j]].name,
			      st[step->needs[j]].outputs);
	if (step->kind == HX_STEP_RUNS || step->kind == HX_STEP_SCORES)
		hx_buf_printf(&b, "experiment %s\nseed %" PRIu64 "\nengine %s\nbinary %s\n",
			      s->experiment, s->seed, s->engine_definition,
			      engine_hash ? engine_hash : "unknown");
	if (s->profile_ref) {
		hx_buf pb = HX_BUF_INIT;
		size_t k;
		for (k = 0; k < s->profile.nstrip; k++)
			hx_buf_printf(&pb, "strip %s\n", s->profile.strip[k]);
		for (k = 0; k < s->profile.nround; k++)
			hx_buf_printf(&pb, "round %s %d\n", s->profile.round[k].path,
				      s->profile.round[k].decimals);
		hx_buf_put(&b, pb.ptr ? pb.ptr : "", pb.len);
		hx_buf_release(&pb);
	}
	hx_hash128_update(h, b.ptr, b.len);
	hx_hash128_hex(h, out);
	hx_hash128_free(h);
	hx_buf_release(&b);
}

/* Every telemetry file a runs table names still hashes as recorded. */
static int telemetry_intact(const char *work_dir, const hx_buf *table)
{
	const char *p = table->ptr, *end = table->ptr + table->len;
	hx_arena *a = hx_arena_new();
	int ok = 1;
	const char *line;
	size_t len;
	while (ok && hx_series_next_line(&p, end, &line, &len)) {
		hx_json *v, *t, *h;
		hx_json_error e;
		if (hx_json_parse(&v, a, line, len, &e) != 0) {
			ok = 0;
			break;
		}
		t = hx_json_get(v, "telemetry");
		h = hx_json_get(v, "telemetry_hash");
		if (t && t->type == HX_JSON_STRING && h && h->type == HX_JSON_STRING) {
			char *path = hx_path_join(work_dir, t->u.string.ptr), got[HX_HASH_HEX_LEN];
			ok = hx_hash128_file(got, path) == 0 && strcmp(got, h->u.string.ptr) == 0;
			free(path);
		}
		hx_arena_reset(a);
	}
	hx_arena_free(a);
	hx_error_clear();
	return ok;
}

/* Each line of `in` in canonical form under the profile. */
static int canon_table(hx_buf *out, const hx_buf *in, const hx_canon_profile *p, const char *name)
{
	const char *s = in->ptr, *end = in->ptr + in->len, *text;
	hx_arena *a = hx_arena_new();
	size_t line = 0, len;
	int err = 0;
	while (!err && hx_series_next_line(&s, end, &text, &len)) {
		line++;
		if (len) {
			err = hx_canon_line(out, a, text, len, p, name, line);
			hx_arena_reset(a);
		}
	}
	hx_arena_free(a);
	return err;
}

static int write_in(const char *dir, const char *name, const hx_buf *text)
{
	char *path = hx_path_join(dir, name);
	int err = hx_file_write_atomic(path, text->ptr ? text->ptr : "", text->len);
	free(path);
	return err;
}

static void add_failures(hx_series_result *out, const hx_buf *table)
{
	const char *p = table->ptr, *end = table->ptr + table->len;
	hx_arena *a = hx_arena_new();
	const char *line;
	size_t len;
	while (hx_series_next_line(&p, end, &line, &len)) {
		hx_json *v, *err, *label, *sample;
		hx_json_error e;
		if (hx_json_parse(&v, a, line, len, &e) == 0 && (err = hx_json_get(v, "error")) &&
		    err->type == HX_JSON_STRING &&
		    (((label = hx_json_get(v, "label")) && label->type == HX_JSON_STRING) ||
		     ((sample = hx_json_get(v, "sample")) && sample->type == HX_JSON_NUMBER))) {
			/* a run by its label, a scores sample by its number */
			hx_buf b = HX_BUF_INIT;
			if (label && label->type == HX_JSON_STRING)
				hx_buf_printf(&b, "%s: %s", label->u.string.ptr, err->u.string.ptr);
			else
				hx_buf_printf(&b, "sample %.0f: %s", sample->u.number,
					      err->u.string.ptr);
			out->failures = hx_xrealloc(out->failures,
						    (out->nfailures + 1) * sizeof(char *));
			out->failures[out->nfailures++] = hx_buf_detach(&b, NULL);
		}
		hx_arena_reset(a);
	}
	hx_arena_free(a);
	hx_error_clear();
}

/* One lock per work directory: two invocations of a series must not
 * write the same files. */
static int lock_work_dir(const char *dir, int *fd_out)
{
	char *path = hx_path_join(dir, ".lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		hx_error_set_errno(errno, "cannot open '%s'", path);
		free(path);
		return HX_ESYSTEM;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		hx_error_set("'%s' is in use by another harness run of this series", dir);
		close(fd);
		free(path);
		return HX_EINVALID;
	}
	free(path);
	*fd_out = fd;
	return 0;
}

static int count_lines(const hx_buf *b)
{
	size_t i;
	int n = 0;
	for (i = 0; i < b->len; i++)
		n += b->ptr[i] == '\n';
	return n;
}

/* 1 when a condense step reads runs step i. */
static int condensed(const hx_series_spec *s, size_t i)
{
	size_t j, k;
	for (j = 0; j < s->nsteps; j++)
		for (k = 0; s->steps[j].kind == HX_STEP_CONDENSE && k < s->steps[j].nneeds; k++)
			if (s->steps[j].needs[k] == i)
				return 1;
	return 0;
}

/* Run (or skip) step i; tables[i] gets its table. */
static int do_step(hx_series_result *out, const hx_series_spec *s, size_t i, step_state *st,
		   hx_buf *tables, const hx_series_options *opt, const char *engine_hash,
		   int workers)
{
	const hx_series_step *step = &s->steps[i];
	hx_series_step_result *res = &out->steps[i];
	char *dir = hx_path_join(out->work_dir, step->name);
	char *table_path = hx_path_join(dir, hx_series_table_name(step->kind));
	char *state_path = hx_path_join(out->work_dir, "state.json");
	hx_series_file files[MAX_FILES];
	hx_buf raw = HX_BUF_INIT, csv = HX_BUF_INIT;
	size_t nfiles = 0, k;
	double t0 = now_s();
	int err = 0, skip = 0;

	memset(files, 0, sizeof(files));
	res->name = hx_xstrdup(step->name);
	res->kind = step->kind;
	hx_golden_result_init(&res->golden);
	inputs_hash(res->inputs, s, i, st, engine_hash);
	if (opt->force)
		res->why = "forced";
	else if (!st[i].known)
		res->why = "first run";
	else if (strcmp(st[i].inputs, res->inputs) != 0)
		res->why = "inputs changed";
	else if (hx_file_read(&tables[i], table_path) != 0) {
		hx_error_clear();
		res->why = "outputs changed on disk";
	} else {
		hx_hash128_buf(res->outputs, tables[i].ptr, tables[i].len);
		skip = strcmp(res->outputs, st[i].outputs) == 0 &&
		       (step->kind != HX_STEP_RUNS || telemetry_intact(out->work_dir, &tables[i]));
		if (!skip)
			res->why = "outputs changed on disk";
	}
	if (skip) {
		res->ran = 0;
		res->records = (size_t)count_lines(&tables[i]);
		goto report;
	}
	hx_buf_reset(&tables[i]);
	res->ran = 1;
	out->ran++;
	/* the step's outputs are being replaced: forget them until done */
	st[i].known = 0;
	if ((err = state_write(st, s, state_path)) != 0 || (err = hx_mkdirs(dir, 0777)) != 0)
		goto done;
	if (step->kind == HX_STEP_RUNS) {
		if (opt->progress != HX_PROGRESS_NONE) {
			size_t runs = step->nprofiles * (size_t)step->repeats, g;
			for (g = 0; g < step->ngrid; g++)
				runs *= step->grid[g].n;
			fprintf(stderr, "%s: %s: step '%s': %zu runs on %d worker%s\n",
				opt->label ? opt->label : "harness run", s->experiment, step->name, runs, workers, workers == 1 ? "" : "s");
		}
		err = hx_series_step_runs(s, i, out->work_dir, workers, opt->progress, opt->label, opt->cancel,
					  &raw, &csv, &res->runs, &res->failed);
		if (err == HX_EINTERRUPTED)
			hx_error_set("interrupted in step '%s'; the steps before it are kept: run the "
				     "series again to go on",
				     step->name);
		if (err)
			goto done;
		files[nfiles].name = "runs.csv";
		files[nfiles++].text = csv;
		hx_buf_init(&csv);
	} else if (step->kind == HX_STEP_SCORES) {
		if (opt->progress != HX_PROGRESS_NONE)
			fprintf(stderr, "%s: %s: step '%s': %ld sample%s on %d worker%s (%s)\n",
				opt->label ? opt->label : "harness run", s->experiment, step->name,
				step->samples, step->samples == 1 ? "" : "s", workers,
				workers == 1 ? "" : "s", s->engine.kind);
		err = hx_series_step_scores(s, i, out->work_dir, workers, opt->progress, opt->label,
					    opt->cancel, &raw, &csv, &res->runs, &res->failed);
		if (err == HX_EINTERRUPTED)
			hx_error_set("interrupted in step '%s'; the steps before it are kept: run the "
				     "series again to go on",
				     step->name);
		if (err)
			goto done;
		files[nfiles].name = "scores.csv";
		files[nfiles++].text = csv;
		hx_buf_init(&csv);
	} else {
		hx_buf *in = hx_xcalloc(step->nneeds, sizeof(hx_buf));
		for (k = 0; k < step->nneeds; k++)
			in[k] = tables[step->needs[k]]; /* borrowed */
		err = hx_series_step_analyze(s, i, out->work_dir, in, step->nneeds, workers, &raw,
					     files, &nfiles, &res->runs, &res->failed);
		free(in);
		if (err)
			goto done;
	}
	if ((err = canon_table(&tables[i], &raw, &s->profile, table_path)) != 0)
		goto done;
	for (k = 0; k < nfiles; k++)
		if ((err = write_in(dir, files[k].name, &files[k].text)) != 0)
			goto done;
	if ((err = write_in(dir, hx_series_table_name(step->kind), &tables[i])) != 0)
		goto done;
	hx_hash128_buf(res->outputs, tables[i].ptr ? tables[i].ptr : "", tables[i].len);
	res->records = (size_t)count_lines(&tables[i]);
	memcpy(st[i].inputs, res->inputs, HX_HASH_HEX_LEN);
	memcpy(st[i].outputs, res->outputs, HX_HASH_HEX_LEN);
	st[i].known = 1;
	if ((err = state_write(st, s, state_path)) != 0)
		goto done;
report:
	/* failed runs: as the dataset reports them (engine failures and
	 * telemetry that cannot be condensed); a runs step no condense step
	 * reads reports its own */
	if (step->kind == HX_STEP_CONDENSE || (step->kind == HX_STEP_RUNS && !condensed(s, i)))
		add_failures(out, &tables[i]);
	if (step->kind == HX_STEP_SCORES)
		add_failures(out, &tables[i]);
	if (step->kind != HX_STEP_RUNS && step->kind != HX_STEP_SCORES) {
		char *rp = hx_path_join(dir, "report.txt");
		hx_buf rb = HX_BUF_INIT;
		if (hx_file_read(&rb, rp) == 0)
			res->report = hx_buf_detach(&rb, NULL);
		hx_error_clear();
		hx_buf_release(&rb);
		free(rp);
	}
	if (skip && (step->kind == HX_STEP_RUNS || step->kind == HX_STEP_CONDENSE ||
		     step->kind == HX_STEP_SCORES)) {
		/* the counts, from the table */
		res->runs = res->records;
		res->failed = 0;
		{
			const char *p = tables[i].ptr;
			while (p && (p = strstr(p, "\"status\":\"failed\"")) != NULL) {
				res->failed++;
				p++;
			}
		}
	}
done:
	res->elapsed_s = now_s() - t0;
	for (k = 0; k < nfiles; k++)
		hx_buf_release(&files[k].text);
	hx_buf_release(&raw);
	hx_buf_release(&csv);
	free(dir);
	free(table_path);
	free(state_path);
	return err;
}

int hx_series_run(hx_series_result *out, const hx_series_options *opt)
{
	hx_series_spec *s = NULL;
	hx_engine_identity id;
	step_state *st = NULL;
	hx_buf *tables = NULL;
	hx_snapshot_stream *streams = NULL;
	char **stream_names = NULL;
	hx_snapshot_info info;
	char *state_path = NULL, started[32], utc[32];
	double t0 = now_s();
	time_t now = time(NULL);
	struct tm tmv;
	size_t i;
	int err, workers, lock_fd = -1;
	hx_lock snap_lock = HX_LOCK_NONE;

	memset(&id, 0, sizeof(id));
	gmtime_r(&now, &tmv);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tmv);
	strftime(utc, sizeof(utc), "%Y%m%dT%H%M%SZ", &tmv);
	err = opt->spec_text ? hx_series_spec_parse(&s, opt->spec_path, opt->spec_text,
						    opt->spec_text_len)
			     : hx_series_spec_load(&s, opt->spec_path);
	if (err)
		return err;
	out->experiment = hx_xstrdup(s->experiment);
	out->spec_path = hx_xstrdup(s->path);
	out->golden_dir = hx_xstrdup(s->golden);
	out->snapshot_dir = hx_path_join(opt->snapshots_dir ? opt->snapshots_dir : "snapshots",
					 s->experiment);
	if (opt->out_dir)
		out->work_dir = hx_xstrdup(opt->out_dir);
	else
		out->work_dir = hx_path_join("runs", s->experiment);
	out->work_dir_shown = hx_xstrdup(out->work_dir);
	workers = opt->workers > 0 ? opt->workers : s->workers > 0 ? s->workers : hx_pool_cores();
	out->workers = workers;
	if ((err = hx_mkdirs(out->work_dir, 0777)) != 0 ||
	    (err = lock_work_dir(out->work_dir, &lock_fd)) != 0)
		goto done;
	{
		/* absolute, so the templates' paths work from any cwd */
		char *abs = realpath(out->work_dir, NULL);
		if (abs) {
			free(out->work_dir);
			out->work_dir = abs;
		}
	}
	if (strcmp(s->engine.kind, "sim-monitor") == 0)
		id.version = hx_xstrdup(HX_SIM_MONITOR_VERSION); /* built in: no binary */
	else if ((err = hx_engine_identify(&id, &s->engine,
					   s->engine.root ? s->engine.root : s->dir, opt->cancel)) != 0)
		goto done;
	out->engine_version = id.version ? hx_xstrdup(id.version) : NULL;
	out->engine_path = id.path ? hx_xstrdup(id.path) : NULL;
	out->engine_hash = id.binary_hash ? hx_xstrdup(id.binary_hash) : NULL;

	st = hx_xcalloc(s->nsteps, sizeof(step_state));
	tables = hx_xcalloc(s->nsteps, sizeof(hx_buf));
	out->steps = hx_xcalloc(s->nsteps, sizeof(hx_series_step_result));
	state_path = hx_path_join(out->work_dir, "state.json");
	state_read(st, s, state_path);
	for (i = 0; i < s->nsteps; i++) {
		out->nsteps = i + 1;
		if ((err = do_step(out, s, i, st, tables, opt, id.binary_hash, workers)) != 0)
			goto done;
	}

	/* the snapshot: one stream per step */
	streams = hx_xcalloc(s->nsteps, sizeof(*streams));
	stream_names = hx_xcalloc(s->nsteps, sizeof(char *));
	for (i = 0; i < s->nsteps; i++) {
		hx_buf nb = HX_BUF_INIT;
		hx_buf_printf(&nb, "%s.jsonl", s->steps[i].name);
		stream_names[i] = hx_buf_detach(&nb, NULL);
		streams[i].name = stream_names[i];
		streams[i].data = tables[i].ptr ? tables[i].ptr : "";
		streams[i].len = tables[i].len;
		streams[i].records = out->steps[i].records;
		switch (s->steps[i].kind) {
		case HX_STEP_RUNS:
		case HX_STEP_CONDENSE:
			streams[i].key_fields = label_keys;
			break;
		case HX_STEP_SCORES:
			streams[i].key_fields = sample_keys;
			break;
		case HX_STEP_SUMMARY:
		case HX_STEP_THRESHOLD:
			streams[i].key_fields = NULL;
			break;
		default:
			streams[i].key_fields = tier_keys;
		}
	}
	/* The snapshot, its verdicts and the archive that packs it, under the
	 * snapshot's lock (lock.h): a run of this series in another work
	 * directory, or golden accept, waits meanwhile. */
	if ((err = hx_lock_take(&snap_lock, out->snapshot_dir, 1)) != 0)
		goto done;
	memset(&info, 0, sizeof(info));
	info.experiment = s->experiment;
	info.seed = s->seed;
	info.engine.kind = s->engine.kind;
	info.engine.version = id.version ? id.version : "unknown";
	info.engine.path = id.path;
	info.engine.hash = id.binary_hash;
	info.profile = &s->profile;
	if ((err = hx_snapshot_write_streams(out->snapshot_dir, &info, streams, s->nsteps,
					     out->hash)) != 0)
		goto done;
	out->verdict = HX_GOLDEN_MATCH;
	for (i = 0; i < s->nsteps; i++) {
		hx_golden_result *g = &out->steps[i].golden;
		if ((err = hx_golden_check_stream(g, out->golden_dir, out->snapshot_dir,
						  streams[i].name, streams[i].hash,
						  streams[i].key_fields)) != 0)
			goto done;
		if (g->verdict == HX_GOLDEN_MISMATCH)
			out->verdict = HX_GOLDEN_MISMATCH;
		else if (g->verdict == HX_GOLDEN_MISSING && out->verdict == HX_GOLDEN_MATCH)
			out->verdict = HX_GOLDEN_MISSING;
	}
	/* the report: after the verdicts it shows, before the archive that
	 * keeps it */
	if ((err = hx_series_report(out, s)) != 0)
		goto done;
	out->elapsed_s = now_s() - t0;
	if (out->ran && !opt->no_archive) {
		char finished[32];
		time_t end = time(NULL);
		gmtime_r(&end, &tmv);
		strftime(finished, sizeof(finished), "%Y-%m-%dT%H:%M:%SZ", &tmv);
		const char *adir = opt->archive_dir ? opt->archive_dir : "runs";
		if ((err = hx_mkdirs(adir, 0777)) != 0)
			goto done;
		out->archive_path = hx_run_archive_name(adir, s->experiment, utc, out->hash);
		err = hx_series_archive(out->archive_path, out, s, opt, started, finished);
		if (err) {
			free(out->archive_path);
			out->archive_path = NULL;
		}
	}
done:
	hx_lock_release(&snap_lock);
	if (lock_fd >= 0)
		close(lock_fd);
	if (tables) {
		for (i = 0; i < s->nsteps; i++)
			hx_buf_release(&tables[i]);
		free(tables);
	}
	if (stream_names) {
		for (i = 0; i < s->nsteps; i++)
			free(stream_names[i]);
		free(stream_names);
	}
	free(streams);
	free(st);
	free(state_path);
	hx_engine_identity_release(&id);
	hx_series_spec_free(s);
	return err;
}

int hx_series_exit_status(const hx_series_result *r, int ci)
{
	if (r->verdict == HX_GOLDEN_MISMATCH || r->nfailures)
		return 1;
	if (ci && r->verdict == HX_GOLDEN_MISSING)
		return 1;
	return 0;
}

void hx_series_format(hx_buf *out, const hx_series_result *r)
{
	size_t i;
	hx_buf_printf(out, "series      %s (%s)\n", r->experiment, r->spec_path);
	hx_buf_printf(out, "engine      %s\n", r->engine_version ? r->engine_version : "unknown");
	for (i = 0; i < r->nsteps; i++) {
		const hx_series_step_result *st = &r->steps[i];
		hx_buf_printf(out, "step        %-12s %-9s ", st->name, hx_step_kind_name(st->kind));
		if (st->ran)
			hx_buf_printf(out, "ran (%s)", st->why);
		else
			hx_buf_puts(out, "up to date");
		if (st->kind == HX_STEP_RUNS)
			hx_buf_printf(out, ": %zu runs, %zu failed", st->runs, st->failed);
		else if (st->kind == HX_STEP_CONDENSE)
			hx_buf_printf(out, ": %zu rows, %zu failed", st->runs, st->failed);
		else if (st->kind == HX_STEP_SCORES)
			hx_buf_printf(out, ": %zu samples, %zu failed", st->runs, st->failed);
		else
			hx_buf_printf(out, ": %zu record%s", st->records, st->records == 1 ? "" : "s");
		hx_buf_putc(out, '\n');
	}
	for (i = 0; i < r->nfailures; i++)
		hx_buf_printf(out, "failed run  %s\n", r->failures[i]);
	for (i = 0; i < r->nsteps; i++) {
		const hx_series_step_result *st = &r->steps[i];
		if (!st->report || st->kind == HX_STEP_CONDENSE)
			continue;
		hx_buf_printf(out, "\n== %s (%s) ==\n%s", st->name, hx_step_kind_name(st->kind),
			      st->report);
		if (st->report[0] && st->report[strlen(st->report) - 1] != '\n')
			hx_buf_putc(out, '\n');
	}
	hx_buf_putc(out, '\n');
	hx_buf_printf(out, "work dir    %s\n", r->work_dir_shown ? r->work_dir_shown : r->work_dir);
	hx_buf_printf(out, "snapshot    %s  %s\n", r->hash, r->snapshot_dir);
	for (i = 0; i < r->nsteps; i++) {
		const hx_series_step_result *st = &r->steps[i];
		hx_buf_printf(out, "golden      %-12s %s", st->name,
			      hx_golden_verdict_name(st->golden.verdict));
		if (st->golden.verdict == HX_GOLDEN_MISSING)
			hx_buf_printf(out, " (accept with: harness golden accept %s)", r->experiment);
		hx_buf_putc(out, '\n');
		if (st->golden.verdict == HX_GOLDEN_MISMATCH)
			hx_buf_put(out, st->golden.diff.text.ptr ? st->golden.diff.text.ptr : "",
				   st->golden.diff.text.len);
	}
	if (r->archive_path)
		hx_buf_printf(out, "archive     %s\n", r->archive_path);
	else if (!r->ran)
		hx_buf_puts(out, "archive     none (every step was up to date)\n");
	hx_buf_printf(out, "elapsed     %.1f s, %zu of %zu steps ran\n", r->elapsed_s, r->ran,
		      r->nsteps);
}
