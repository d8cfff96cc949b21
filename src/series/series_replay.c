/* series/series_replay.c - the archive of a series run and its replay
 * (series_replay.h). */
#include "series/series_replay.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "fsutil.h"
#include "json.h"
#include "replay.h"
#include "snapshot.h"

typedef struct {
	hx_archive_member *m;
	char **names;
	hx_buf *data;
	size_t n, cap;
} members;

static void add(members *ms, const char *name, const char *data, size_t len)
{
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? 2 * ms->cap : 64;
		ms->names = hx_xrealloc(ms->names, ms->cap * sizeof(char *));
		ms->data = hx_xrealloc(ms->data, ms->cap * sizeof(hx_buf));
	}
	ms->names[ms->n] = hx_xstrdup(name);
	hx_buf_init(&ms->data[ms->n]);
	hx_buf_put(&ms->data[ms->n], data ? data : "", len);
	ms->n++;
}

static int add_file(members *ms, const char *name, const char *path)
{
	hx_buf b = HX_BUF_INIT;
	int err = hx_file_read(&b, path);
	if (!err)
		add(ms, name, b.ptr, b.len);
	hx_buf_release(&b);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir (and of its telemetry/ and figures/
 * subdirectories: a report's SVGs), sorted, as prefix/<name>. */
static int add_dir(members *ms, const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int err = 0;
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = hx_xrealloc(names, (n + 1) * sizeof(char *));
		names[n++] = hx_xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_str);
	for (i = 0; i < n && !err; i++) {
		char *path = hx_path_join(dir, names[i]);
		hx_buf mn = HX_BUF_INIT;
		hx_buf_printf(&mn, "%s/%s", prefix, names[i]);
		if (hx_is_dir(path)) {
			if (strcmp(names[i], "telemetry") == 0 || strcmp(names[i], "figures") == 0)
				err = add_dir(ms, path, mn.ptr);
		} else {
			err = add_file(ms, mn.ptr, path);
		}
		hx_buf_release(&mn);
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

static int safe_relative(const char *p)
{
	const char *c = p;
	if (!*p || *p == '/')
		return 0;
	while (*c) {
		const char *slash = strchr(c, '/');
		size_t len = slash ? (size_t)(slash - c) : strlen(c);
		if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		c = slash ? slash + 1 : c + len;
	}
	return 1;
}

int hx_series_archive(const char *path, const hx_series_result *r, const hx_series_spec *s,
		      const hx_series_options *opt, const char *started, const char *finished)
{
	members ms;
	hx_archive_meta meta;
	char *dir;
	size_t i;
	int err = 0;

	memset(&ms, 0, sizeof(ms));
	if (opt->spec_text)
		add(&ms, "spec.yaml", opt->spec_text, opt->spec_text_len);
	else
		err = add_file(&ms, "spec.yaml", s->path);
	for (i = 0; i < s->nfiles && !err; i++) {
		char *fp;
		hx_buf mn = HX_BUF_INIT;
		if (!safe_relative(s->files[i])) {
			hx_error_set("%s: '%s': a series archive keeps the files a spec names below "
				     "its directory; move the file there or write it inline",
				     s->path, s->files[i]);
			err = HX_EINVALID;
			break;
		}
		fp = hx_path_join(s->dir, s->files[i]);
		hx_buf_printf(&mn, "spec/%s", s->files[i]);
		err = add_file(&ms, mn.ptr, fp);
		hx_buf_release(&mn);
		free(fp);
	}
	for (i = 0; i < s->nsteps && !err; i++) {
		hx_buf mn = HX_BUF_INIT;
		dir = hx_path_join(r->work_dir, s->steps[i].name);
		hx_buf_printf(&mn, "steps/%s", s->steps[i].name);
		err = add_dir(&ms, dir, mn.ptr);
		hx_buf_release(&mn);
		free(dir);
	}
	if (!err)
		err = add_dir(&ms, r->snapshot_dir, "snapshot");
	/* the report (series_report.h) and what it was drawn from besides the
	 * steps' files */
	for (i = 0; i < 2 && !err; i++) {
		const char *name = i == 0 ? "report.html" : "last_change.txt";
		char *fp = hx_path_join(r->work_dir, name);
		if (hx_path_exists(fp))
			err = add_file(&ms, name, fp);
		free(fp);
	}
	if (!err) {
		dir = hx_path_join(r->work_dir, "figures");
		err = add_dir(&ms, dir, "figures");
		free(dir);
	}
	if (!err) {
		ms.m = hx_xcalloc(ms.n ? ms.n : 1, sizeof(hx_archive_member));
		for (i = 0; i < ms.n; i++) {
			ms.m[i].name = ms.names[i];
			ms.m[i].data = ms.data[i].ptr ? ms.data[i].ptr : "";
			ms.m[i].len = ms.data[i].len;
		}
		memset(&meta, 0, sizeof(meta));
		meta.experiment = s->experiment;
		meta.seed = s->seed;
		meta.spec_member = "spec.yaml";
		meta.engine.kind = s->engine.kind;
		meta.engine.version = r->engine_version;
		meta.engine.path = r->engine_path;
		meta.engine.hash = r->engine_hash;
		meta.workers = r->workers;
		meta.started = started;
		meta.finished = finished;
		meta.snapshot_hash = r->hash;
		meta.golden = hx_golden_verdict_name(r->verdict);
		err = hx_archive_write(path, &meta, ms.m, ms.n, NULL);
	}
	for (i = 0; i < ms.n; i++) {
		free(ms.names[i]);
		hx_buf_release(&ms.data[i]);
	}
	free(ms.names);
	free(ms.data);
	free(ms.m);
	return err;
}

int hx_series_archive_is_series(const hx_archive_contents *c)
{
	const hx_buf *spec = hx_archive_member_data(c, "spec.yaml");
	return spec && hx_series_is_series(spec->ptr ? spec->ptr : "", spec->len);
}

void hx_series_replay_result_init(hx_series_replay_result *r)
{
	memset(r, 0, sizeof(*r));
}

void hx_series_replay_result_release(hx_series_replay_result *r)
{
	size_t i;
	free(r->experiment);
	free(r->seed);
	free(r->engine_version);
	free(r->engine_hash);
	free(r->replay_engine);
	free(r->replay_engine_hash);
	for (i = 0; i < r->nsteps; i++)
		free(r->steps[i]);
	free(r->steps);
	free(r->archived);
	free(r->replayed);
	memset(r, 0, sizeof(*r));
}

static char *json_str(const hx_json *v)
{
	return v && v->type == HX_JSON_STRING ? hx_xstrdup(v->u.string.ptr) : NULL;
}

int hx_series_replay(hx_series_replay_result *out, const hx_archive_contents *c,
		     const hx_series_replay_options *opt)
{
	hx_arena *a = hx_arena_new();
	hx_json *man, *eng, *w;
	hx_json_error je;
	hx_series_options so;
	hx_series_result rr;
	char *work = NULL, *spec_path = NULL,
	     *snap_dir = NULL, *arch_snap = NULL;
	const hx_buf *spec;
	size_t i;
	int err = 0, temp = 0, workers = 0;

	hx_series_result_init(&rr);
	out->members = c->n;
	if (hx_json_parse(&man, a, c->manifest, c->manifest_len, &je) != 0) {
		hx_error_set("'%s': MANIFEST.json does not parse", opt->archive_path);
		err = HX_EINVALID;
		goto done;
	}
	out->experiment = json_str(hx_json_get(man, "experiment"));
	out->seed = json_str(hx_json_get(man, "seed"));
	eng = hx_json_get(man, "engine");
	out->engine_version = json_str(hx_json_get(eng, "version"));
	out->engine_hash = json_str(hx_json_get(eng, "binary_hash"));
	if ((w = hx_json_get(man, "workers")) && w->type == HX_JSON_NUMBER)
		workers = (int)w->u.number;
	spec = hx_archive_member_data(c, "spec.yaml");
	if ((err = hx_replay_work_dir(opt->work_dir, &work, &temp)) != 0)
		goto done;
	/* the spec beside the files it names, as it was written */
	spec_path = hx_path_join(work, "spec/spec.yaml");
	{
		char *sd = hx_path_join(work, "spec");
		err = hx_mkdirs(sd, 0777);
		free(sd);
	}
	if (err || (err = hx_file_write_atomic(spec_path, spec->ptr, spec->len)) != 0)
		goto done;
	for (i = 0; i < c->n; i++) {
		char *p, *d;
		if (strncmp(c->names[i], "spec/", 5) != 0)
			continue;
		p = hx_path_join(work, c->names[i]);
		d = hx_path_dirname(p);
		err = hx_mkdirs(d, 0777);
		if (!err)
			err = hx_file_write_atomic(p, c->data[i].ptr ? c->data[i].ptr : "", c->data[i].len);
		free(p);
		free(d);
		if (err)
			goto done;
	}
	memset(&so, 0, sizeof(so));
	so.spec_path = spec_path;
	so.workers = opt->workers > 0 ? opt->workers : workers;
	so.force = 1;
	so.out_dir = hx_path_join(work, "run");
	snap_dir = hx_path_join(work, "snapshots");
	so.snapshots_dir = snap_dir;
	so.no_archive = 1;
	so.progress = opt->progress;
	so.label = "harness replay";
	so.cancel = opt->cancel;
	err = hx_series_run(&rr, &so);
	free((char *)so.out_dir);
	if (err)
		goto done;
	out->run_s = rr.elapsed_s;
	out->replay_engine = rr.engine_version ? hx_xstrdup(rr.engine_version) : NULL;
	out->replay_engine_hash = rr.engine_hash ? hx_xstrdup(rr.engine_hash) : NULL;
	memcpy(out->replayed_hash, rr.hash, HX_HASH_HEX_LEN);
	/* the archived snapshot's hashes */
	arch_snap = hx_path_join(work, "archived-snapshot");
	if ((err = hx_mkdirs(arch_snap, 0777)) != 0)
		goto done;
	for (i = 0; i < c->n; i++) {
		char *p;
		if (strncmp(c->names[i], "snapshot/", 9) != 0)
			continue;
		p = hx_path_join(arch_snap, c->names[i] + 9);
		err = hx_file_write_atomic(p, c->data[i].ptr ? c->data[i].ptr : "", c->data[i].len);
		free(p);
		if (err)
			goto done;
	}
	if ((err = hx_snapshot_read_hash(arch_snap, out->archived_hash, NULL)) != 0)
		goto done;
	out->nsteps = rr.nsteps;
	out->steps = hx_xcalloc(rr.nsteps ? rr.nsteps : 1, sizeof(char *));
	out->archived = hx_xcalloc(rr.nsteps ? rr.nsteps : 1, HX_HASH_HEX_LEN);
	out->replayed = hx_xcalloc(rr.nsteps ? rr.nsteps : 1, HX_HASH_HEX_LEN);
	out->identical = strcmp(out->archived_hash, out->replayed_hash) == 0;
	for (i = 0; i < rr.nsteps; i++) {
		hx_buf sn = HX_BUF_INIT;
		out->steps[i] = hx_xstrdup(rr.steps[i].name);
		memcpy(out->replayed[i], rr.steps[i].outputs, HX_HASH_HEX_LEN);
		hx_buf_printf(&sn, "%s.jsonl", rr.steps[i].name);
		if (hx_snapshot_read_stream_hash(arch_snap, sn.ptr, out->archived[i], NULL) != 0) {
			hx_error_clear();
			snprintf(out->archived[i], HX_HASH_HEX_LEN, "%s", "(not archived)");
		}
		hx_buf_release(&sn);
		if (strcmp(out->archived[i], out->replayed[i]) != 0)
			out->identical = 0;
	}
done:
	if (temp && work)
		hx_remove_tree(work);
	hx_series_result_release(&rr);
	hx_arena_free(a);
	free(work);
	free(spec_path);
	free(snap_dir);
	free(arch_snap);
	return err;
}

void hx_series_replay_format(hx_buf *out, const hx_series_replay_result *r)
{
	size_t i;
	hx_buf_printf(out, "series      %s (seed %s)\n", r->experiment ? r->experiment : "?",
		      r->seed ? r->seed : "?");
	hx_buf_printf(out, "archive     %zu members verified\n", r->members);
	hx_buf_printf(out, "engine      archived: %s\n", r->engine_version ? r->engine_version : "?");
	if (r->engine_hash && r->replay_engine_hash && strcmp(r->engine_hash, r->replay_engine_hash))
		hx_buf_printf(out, "            replayed with another binary (%s, archived %s)\n",
			      r->replay_engine_hash, r->engine_hash);
	for (i = 0; i < r->nsteps; i++) {
		int same = strcmp(r->archived[i], r->replayed[i]) == 0;
		hx_buf_printf(out, "step        %-12s %s", r->steps[i], same ? "identical" : "differs");
		if (!same)
			hx_buf_printf(out, " (archived %s, replayed %s)", r->archived[i], r->replayed[i]);
		hx_buf_putc(out, '\n');
	}
	hx_buf_printf(out, "snapshot    %s  %s\n", r->replayed_hash,
		      r->identical ? "identical" : "DIFFERS");
	hx_buf_printf(out, "replay      %s in %.1f s\n", r->identical ? "identical" : "differs",
		      r->run_s);
}
