/* run_archive.c - the archive of a finished run (run_archive.h). */
#include "run_archive.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "canon.h"
#include "error.h"
#include "export.h"
#include "fsutil.h"
#include "ydoc.h"

char *hx_run_archive_name(const char *dir, const char *experiment, const char *utc,
			  const char *snapshot_hash)
{
	const char *hex = strchr(snapshot_hash, ':');
	hx_buf b = HX_BUF_INIT;
	int k;
	hex = hex ? hex + 1 : snapshot_hash;
	for (k = 1;; k++) {
		hx_buf_reset(&b);
		hx_buf_printf(&b, "%s/%s-%s-%.8s", dir, experiment, utc, hex);
		if (k > 1)
			hx_buf_printf(&b, "-%d", k);
		hx_buf_puts(&b, ".tar.zst");
		if (!hx_path_exists(b.ptr))
			break;
	}
	return hx_buf_detach(&b, NULL);
}

/* The spec made self-contained (see run_archive.h). */
static int resolved_spec(hx_buf *out, const hx_spec *spec, const char *text, size_t len,
			 int has_profile_file)
{
	hx_ydoc *doc = NULL;
	hx_yaml_substs s;
	hx_buf v = HX_BUF_INIT;
	int err;

	memset(&s, 0, sizeof(s));
	if ((err = hx_ydoc_parse(&doc, spec->path, text, len)) != 0)
		goto done;
	hx_buf_printf(&v, "%llu", (unsigned long long)spec->seed);
	if ((err = hx_yaml_substs_add(&s, "seed", v.ptr)) != 0)
		goto done;
	if (spec->models_path && (err = hx_yaml_substs_add(&s, "models", "models.yaml")) != 0)
		goto done;
	if (has_profile_file && (err = hx_yaml_substs_add(&s, "canonical.profile", "profile.yaml")) != 0)
		goto done;
	if (spec->corpus_path && strcmp(spec->corpus_kind, "list") == 0 &&
	    (err = hx_yaml_substs_add(&s, "corpus.list", "corpus.txt")) != 0)
		goto done;
	if (spec->corpus_path && strcmp(spec->corpus_kind, "dir") == 0 &&
	    (err = hx_yaml_substs_add_path(&s, "corpus.dir", spec->corpus_path)) != 0)
		goto done;
	if (spec->engine.root && strcmp(spec->engine_kind, "sim-verifier") != 0 &&
	    (err = hx_yaml_substs_add_path(&s, "engine.root", spec->engine.root)) != 0)
		goto done;
	err = hx_export_yaml_tree(out, doc->root, s.subst, s.n);
done:
	hx_yaml_substs_release(&s);
	hx_ydoc_free(doc);
	hx_buf_release(&v);
	return err;
}

/* The members of an archive being written (grown as needed: a report
 * brings a figure file per tier and kind). */
typedef struct {
	hx_archive_member *m;
	hx_buf *data;
	char **names, **paths;
	size_t n, cap;
} members;

/* A member: data's bytes (taken), or when path is set (taken), that
 * file's, which the archive reads in blocks (archive.h). */
static void add_member_from(members *ms, const char *name, hx_buf *data, char *path)
{
	if (ms->n == ms->cap) {
		ms->cap = ms->cap ? 2 * ms->cap : 32;
		ms->m = hx_xrealloc(ms->m, ms->cap * sizeof(*ms->m));
		ms->data = hx_xrealloc(ms->data, ms->cap * sizeof(*ms->data));
		ms->names = hx_xrealloc(ms->names, ms->cap * sizeof(*ms->names));
		ms->paths = hx_xrealloc(ms->paths, ms->cap * sizeof(*ms->paths));
	}
	memset(&ms->m[ms->n], 0, sizeof(ms->m[ms->n]));
	ms->names[ms->n] = hx_xstrdup(name);
	ms->paths[ms->n] = path;
	hx_buf_init(&ms->data[ms->n]);
	ms->m[ms->n].name = ms->names[ms->n];
	if (path) {
		ms->m[ms->n].path = path;
	} else {
		ms->data[ms->n] = *data;
		hx_buf_init(data);
		ms->m[ms->n].data = ms->data[ms->n].ptr ? ms->data[ms->n].ptr : "";
		ms->m[ms->n].len = ms->data[ms->n].len;
	}
	ms->n++;
}

static void add_member(members *ms, const char *name, hx_buf *data)
{
	add_member_from(ms, name, data, NULL);
}

/* A file of a directory as a member, when it exists: read when the
 * archive is written, in blocks, never whole. */
static int add_file(members *ms, const char *name, const char *dir, const char *file)
{
	char *path = dir ? hx_path_join(dir, file) : hx_xstrdup(file);
	if (!hx_path_exists(path)) {
		free(path);
		return 0;
	}
	add_member_from(ms, name, NULL, path);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The SVG files of RUN/figures (the report's), as figures/NAME in name order. */
static int add_figures(members *ms, const char *run_dir)
{
	char *dir = hx_path_join(run_dir, "figures"), **names = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	DIR *d = opendir(dir);
	int err = 0;
	if (!d) {
		free(dir);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".svg") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = hx_xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = hx_xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && !err; i++) {
		char member[512];
		snprintf(member, sizeof(member), "figures/%s", names[i]);
		err = add_file(ms, member, dir, names[i]);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
	return err;
}

int hx_run_archive_write(const char *path, const hx_run_result *r, const hx_spec *spec,
			 const char *spec_text, size_t spec_len, const char *started,
			 const char *finished)
{
	static const char *const run_files[] = {"telemetry.jsonl", "labels.jsonl", "calibration.yaml",
						"calibration.md", "noise_config.yaml", "summary.txt",
						"golden.txt", "report.html", NULL};
	members ms;
	hx_buf b = HX_BUF_INIT;
	hx_archive_meta meta;
	char *dir = hx_path_dirname(path);
	int has_profile = !hx_canon_profile_is_builtin(spec->profile_ref);
	size_t i;
	int err;

	memset(&ms, 0, sizeof(ms));
	if ((err = resolved_spec(&b, spec, spec_text, spec_len, has_profile)) != 0)
		goto done;
	add_member(&ms, "spec.yaml", &b);
	if (spec->models_path && strcmp(spec->models_path, HX_MODELS_BUILTIN_NAME) == 0) {
		size_t len;
		const char *t = hx_models_builtin_text(&len);
		hx_buf_put(&b, t, len);
		add_member(&ms, "models.yaml", &b);
	} else if (spec->models_path && (err = add_file(&ms, "models.yaml", NULL, spec->models_path)) != 0) {
		goto done;
	}
	if (has_profile) {
		char *sd = hx_path_dirname(spec->path), *p = hx_path_join(sd, spec->profile_ref);
		err = add_file(&ms, "profile.yaml", NULL, p);
		free(p);
		free(sd);
		if (err)
			goto done;
	}
	if (spec->corpus_path && strcmp(spec->corpus_kind, "list") == 0 &&
	    (err = add_file(&ms, "corpus.txt", NULL, spec->corpus_path)) != 0)
		goto done;
	for (i = 0; run_files[i]; i++)
		if ((err = add_file(&ms, run_files[i], r->run_dir, run_files[i])) != 0)
			goto done;
	if ((err = add_figures(&ms, r->run_dir)) != 0)
		goto done;
	/* The snapshot as the run wrote it: snapshots/<experiment> may hold
	 * another run's by now. */
	add_member_from(&ms, "snapshot/" HX_SNAPSHOT_STREAM, NULL, hx_xstrdup(r->canonical_path));
	hx_buf_put(&b, r->snapshot_manifest.ptr ? r->snapshot_manifest.ptr : "",
		   r->snapshot_manifest.len);
	add_member(&ms, "snapshot/manifest.json", &b);

	memset(&meta, 0, sizeof(meta));
	meta.experiment = r->experiment;
	meta.seed = r->seed;
	meta.spec_member = "spec.yaml";
	meta.engine = r->engine;
	meta.workers = r->workers;
	meta.started = started;
	meta.finished = finished;
	meta.snapshot_hash = r->hash;
	meta.golden = hx_golden_verdict_name(r->golden.verdict);
	if ((err = hx_mkdirs(dir, 0777)) != 0)
		goto done;
	err = hx_archive_write(path, &meta, ms.m, ms.n, NULL);
done:
	for (i = 0; i < ms.n; i++) {
		free(ms.names[i]);
		free(ms.paths[i]);
		hx_buf_release(&ms.data[i]);
	}
	free(ms.m);
	free(ms.data);
	free(ms.names);
	free(ms.paths);
	hx_buf_release(&b);
	free(dir);
	return err;
}
