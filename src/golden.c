/* golden.c - the project's specs, `golden status` and the interactive
 * review (declared in snapshot.h, beside the snapshots they are about). */
#include "snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "spec.h"
#include "ydoc.h"

/* ---- the project's specs ---- */

void hx_golden_specs_init(hx_golden_specs *s)
{
	memset(s, 0, sizeof(*s));
}

static void spec_entry_release(hx_golden_spec *e)
{
	size_t i;
	free(e->path);
	free(e->experiment);
	free(e->golden);
	for (i = 0; i < e->ntags; i++)
		free(e->tags[i]);
	free(e->tags);
	free(e->error);
	free(e->duplicate);
}

void hx_golden_specs_release(hx_golden_specs *s)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		spec_entry_release(&s->items[i]);
	free(s->items);
	hx_golden_specs_init(s);
}

typedef struct {
	char **v;
	size_t n, cap;
} strvec;

static void strvec_push(strvec *sv, char *s)
{
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 16;
		sv->v = hx_xrealloc(sv->v, sv->cap * sizeof(char *));
	}
	sv->v[sv->n++] = s;
}

static void strvec_release(strvec *sv)
{
	size_t i;
	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Collect dir's *.yaml files, recursively (symlinked directories are not
 * followed: a link back up would loop). */
static int find_yaml(strvec *out, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	int err = 0;

	if (!d) {
		hx_error_set_errno(errno, "cannot open directory '%s'", dir);
		return errno == ENOENT ? HX_ENOTFOUND : HX_ESYSTEM;
	}
	while (!err && (de = readdir(d)) != NULL) {
		char *path;
		if (de->d_name[0] == '.')
			continue;
		path = hx_path_join(dir, de->d_name);
		if (lstat(path, &st) != 0) {
			free(path);
			continue; /* vanished while we looked */
		}
		if (S_ISDIR(st.st_mode)) {
			err = find_yaml(out, path);
			free(path);
		} else if (ends_with(de->d_name, ".yaml") && stat(path, &st) == 0 &&
			   S_ISREG(st.st_mode)) {
			strvec_push(out, path);
		} else {
			free(path);
		}
	}
	closedir(d);
	return err;
}

/* A spec has `experiment:` at its top level, a series spec `steps:`;
 * anything else (models, profiles) is not one. Unparseable YAML might be a
 * broken spec: say so. *series is 1 for a series spec. */
static int looks_like_spec(const char *path, char **why, int *series)
{
	hx_ydoc *doc = NULL;
	int is_spec;

	*why = NULL;
	*series = 0;
	if (hx_ydoc_load(&doc, path) != 0) {
		*why = hx_xstrdup(hx_error_last());
		hx_error_clear();
		return 1;
	}
	is_spec = doc->root && doc->root->type == HX_Y_MAP &&
		  (hx_ynode_get(doc->root, "experiment") != NULL ||
		   hx_ynode_get(doc->root, "steps") != NULL);
	*series = is_spec && hx_ynode_get(doc->root, "steps") != NULL;
	hx_ydoc_free(doc);
	return is_spec;
}

/* A series spec's experiment, golden and tags, read from its YAML (the
 * series runner reads the rest); errors located. */
static int read_series(hx_golden_spec *e, const char *path)
{
	hx_ydoc *doc = NULL;
	const hx_ynode *root, *v;
	char *s = NULL;
	size_t i;
	int err;

	if ((err = hx_ydoc_load(&doc, path)) != 0)
		return err;
	root = doc->root;
	if ((v = hx_ynode_get(root, "experiment")) == NULL) {
		err = hx_ydoc_error(doc, root, "missing key 'experiment'");
		goto done;
	}
	if ((err = hx_spec_read_experiment_name(doc, v, &s)) != 0)
		goto done;
	e->experiment = s;
	s = NULL;
	if ((v = hx_ynode_get(root, "golden")) != NULL) {
		if ((err = hx_ydoc_string(doc, v, "golden", &s)) != 0)
			goto done;
		if (!s[0]) {
			err = hx_ydoc_error(doc, v, "'golden' must not be empty");
			goto done;
		}
		e->golden = s;
		s = NULL;
	} else {
		hx_buf g = HX_BUF_INIT;
		hx_buf_printf(&g, "golden/%s", e->experiment);
		e->golden = hx_buf_detach(&g, NULL);
	}
	v = hx_ynode_get(root, "tags");
	if (!hx_ynode_is_null(v)) {
		if ((err = hx_ydoc_expect(doc, v, HX_Y_SEQ, "tags")) != 0)
			goto done;
		e->tags = hx_xcalloc(v->n ? v->n : 1, sizeof(char *));
		for (i = 0; i < v->n; i++) {
			if ((err = hx_ydoc_string(doc, v->items[i], "tag", &s)) != 0)
				goto done;
			e->tags[e->ntags++] = s;
			s = NULL;
		}
	}
done:
	free(s);
	hx_ydoc_free(doc);
	return err;
}

/* Two specs with one experiment name share snapshots/NAME (and by default
 * golden/NAME): each run overwrites the other's snapshot. */
static void mark_duplicates(hx_golden_specs *s)
{
	size_t i, j;
	for (i = 0; i < s->n; i++) {
		if (!s->items[i].experiment)
			continue;
		for (j = 0; j < s->n && !s->items[i].duplicate; j++)
			if (j != i && s->items[j].experiment &&
			    strcmp(s->items[i].experiment, s->items[j].experiment) == 0)
				s->items[i].duplicate = hx_xstrdup(s->items[j].path);
	}
}

int hx_golden_specs_scan(hx_golden_specs *out, const char *dir)
{
	strvec files = {0};
	size_t i, j, cap = 0;
	int err;

	if ((err = find_yaml(&files, dir)) != 0)
		goto done;
	if (files.n > 1)
		qsort(files.v, files.n, sizeof(char *), cmp_str);
	for (i = 0; i < files.n; i++) {
		hx_golden_spec e;
		hx_spec *spec = NULL;
		char *why = NULL;
		int series;

		if (!looks_like_spec(files.v[i], &why, &series))
			continue;
		memset(&e, 0, sizeof(e));
		e.path = hx_xstrdup(files.v[i]);
		e.series = series;
		if (why) {
			e.error = why;
		} else if (series) {
			if (read_series(&e, files.v[i]) != 0) {
				/* Unreadable: only the path and the reason. */
				for (j = 0; j < e.ntags; j++)
					free(e.tags[j]);
				free(e.tags);
				free(e.experiment);
				free(e.golden);
				e.tags = NULL;
				e.ntags = 0;
				e.experiment = e.golden = NULL;
				e.error = hx_xstrdup(hx_error_last());
				hx_error_clear();
			}
		} else if (hx_spec_load(&spec, files.v[i]) != 0) {
			e.error = hx_xstrdup(hx_error_last());
			hx_error_clear();
		} else {
			e.experiment = hx_xstrdup(spec->experiment);
			e.golden = hx_xstrdup(spec->golden);
			e.ntags = spec->ntags;
			e.tags = hx_xcalloc(spec->ntags ? spec->ntags : 1, sizeof(char *));
			for (j = 0; j < spec->ntags; j++)
				e.tags[j] = hx_xstrdup(spec->tags[j]);
			hx_spec_free(spec);
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 8;
			out->items = hx_xrealloc(out->items, cap * sizeof(*out->items));
		}
		out->items[out->n++] = e;
	}
	mark_duplicates(out);
done:
	strvec_release(&files);
	return err;
}

int hx_golden_spec_has_tag(const hx_golden_spec *s, const char *tag)
{
	size_t i;
	for (i = 0; i < s->ntags; i++)
		if (strcmp(s->tags[i], tag) == 0)
			return 1;
	return 0;
}

/* ---- golden status ---- */

const char *hx_golden_state_name(hx_golden_state s)
{
	switch (s) {
	case HX_GOLDEN_STATE_OK:
		return "ok";
	case HX_GOLDEN_STATE_PENDING:
		return "pending";
	case HX_GOLDEN_STATE_NEW:
		return "new";
	case HX_GOLDEN_STATE_MISSING:
		return "missing";
	case HX_GOLDEN_STATE_UNUSED:
		return "unused";
	case HX_GOLDEN_STATE_GOLDEN:
		return "golden";
	case HX_GOLDEN_STATE_DUPLICATE:
		return "duplicate";
	default:
		return "unreadable";
	}
}

void hx_golden_status_init(hx_golden_status *st)
{
	memset(st, 0, sizeof(*st));
}

void hx_golden_status_release(hx_golden_status *st)
{
	size_t i;
	for (i = 0; i < st->n; i++) {
		hx_golden_entry *e = &st->items[i];
		free(e->name);
		free(e->spec);
		free(e->snapshot_dir);
		free(e->golden_dir);
		free(e->error);
	}
	free(st->items);
	hx_golden_status_init(st);
}

static hx_golden_entry *status_add(hx_golden_status *st, size_t *cap, hx_golden_state state,
				   const char *name)
{
	hx_golden_entry *e;
	if (st->n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		st->items = hx_xrealloc(st->items, *cap * sizeof(*st->items));
	}
	e = &st->items[st->n++];
	memset(e, 0, sizeof(*e));
	e->state = state;
	e->name = hx_xstrdup(name);
	return e;
}

/* "./golden//x/" and "golden/x" name the same directory. */
static char *normalize_path(const char *p)
{
	hx_buf b = HX_BUF_INIT;
	while (p[0] == '.' && p[1] == '/') {
		p += 2;
		while (*p == '/')
			p++;
	}
	for (; *p; p++)
		if (!(*p == '/' && (b.len && b.ptr[b.len - 1] == '/')))
			hx_buf_putc(&b, *p);
	while (b.len > 1 && b.ptr[b.len - 1] == '/')
		b.ptr[--b.len] = '\0';
	return hx_buf_detach(&b, NULL); /* "" when nothing was left */
}

static const hx_golden_spec *spec_for(const hx_golden_specs *specs, const char *experiment)
{
	size_t i;
	for (i = 0; i < specs->n; i++)
		if (specs->items[i].experiment && strcmp(specs->items[i].experiment, experiment) == 0)
			return &specs->items[i];
	return NULL;
}

/* Subdirectory names of root, sorted; none when root does not exist. */
static int list_dirs(strvec *out, const char *root)
{
	DIR *d = opendir(root);
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		hx_error_set_errno(errno, "cannot open directory '%s'", root);
		return HX_ESYSTEM;
	}
	while ((de = readdir(d)) != NULL) {
		char *path;
		if (de->d_name[0] == '.')
			continue;
		path = hx_path_join(root, de->d_name);
		if (hx_is_dir(path))
			strvec_push(out, hx_xstrdup(de->d_name));
		free(path);
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
	return 0;
}

static void add_snapshot(hx_golden_status *st, size_t *cap, const hx_golden_specs *specs,
			 const char *snapshots_root, const char *golden_root, const char *name)
{
	const hx_golden_spec *spec = spec_for(specs, name);
	char *snap = hx_path_join(snapshots_root, name);
	char *gold = spec ? hx_xstrdup(spec->golden) : hx_path_join(golden_root, name);
	char hash[HX_HASH_HEX_LEN], ghash[HX_HASH_HEX_LEN];
	size_t records = 0;
	hx_golden_entry *e;
	int err;

	if ((err = hx_snapshot_read_hash(snap, hash, &records)) != 0) {
		e = status_add(st, cap, HX_GOLDEN_STATE_UNREADABLE, snap);
		e->kind = "snapshot";
		e->error = hx_xstrdup(hx_error_last());
		e->snapshot_dir = snap;
		e->golden_dir = gold;
		hx_error_clear();
		return;
	}
	err = hx_snapshot_read_hash(gold, ghash, NULL);
	if (err && err != HX_ENOTFOUND) {
		e = status_add(st, cap, HX_GOLDEN_STATE_UNREADABLE, gold);
		e->kind = "golden";
		e->error = hx_xstrdup(hx_error_last());
	} else if (err) {
		e = status_add(st, cap, HX_GOLDEN_STATE_NEW, name);
	} else {
		e = status_add(st, cap,
			       strcmp(hash, ghash) == 0 ? HX_GOLDEN_STATE_OK : HX_GOLDEN_STATE_PENDING,
			       name);
		memcpy(e->golden_hash, ghash, sizeof(ghash));
	}
	hx_error_clear();
	memcpy(e->snapshot_hash, hash, sizeof(hash));
	e->snapshot_records = records;
	e->spec = spec ? hx_xstrdup(spec->path) : NULL;
	e->snapshot_dir = snap;
	e->golden_dir = gold;
}

/* Unreadable entries, then duplicates, then the rest. */
static int entry_rank(const hx_golden_entry *e)
{
	return e->state == HX_GOLDEN_STATE_UNREADABLE ? 0 : e->state == HX_GOLDEN_STATE_DUPLICATE ? 1 : 2;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const hx_golden_entry *a = pa, *b = pb;
	if (entry_rank(a) != entry_rank(b))
		return entry_rank(a) - entry_rank(b);
	return strcmp(a->name, b->name);
}

/* "experiments/a.yaml and experiments/b.yaml" (", " before the others):
 * every spec naming s's experiment, in path order. */
static void add_duplicate(hx_golden_status *st, size_t *cap, const hx_golden_specs *specs,
			  const hx_golden_spec *s)
{
	hx_buf paths = HX_BUF_INIT;
	hx_golden_entry *e;
	size_t i, n = 0, total = 0;
	for (i = 0; i < specs->n; i++)
		total += specs->items[i].experiment &&
			 strcmp(specs->items[i].experiment, s->experiment) == 0;
	for (i = 0; i < specs->n; i++) {
		if (!specs->items[i].experiment || strcmp(specs->items[i].experiment, s->experiment))
			continue;
		if (n++)
			hx_buf_puts(&paths, n == total ? " and " : ", ");
		hx_buf_puts(&paths, specs->items[i].path);
	}
	e = status_add(st, cap, HX_GOLDEN_STATE_DUPLICATE, s->experiment);
	e->spec = hx_xstrdup(s->path);
	e->golden_dir = hx_xstrdup(s->golden);
	e->error = hx_buf_detach(&paths, NULL);
}

int hx_golden_status_scan(hx_golden_status *out, const hx_golden_specs *specs,
			  const char *snapshots_root, const char *golden_root)
{
	strvec snaps = {0}, golds = {0}, used = {0};
	size_t i, j, cap = out->n;
	char hash[HX_HASH_HEX_LEN];
	int err;

	if ((err = list_dirs(&snaps, snapshots_root)) != 0 ||
	    (err = list_dirs(&golds, golden_root)) != 0)
		goto done;
	for (i = 0; i < snaps.n; i++)
		add_snapshot(out, &cap, specs, snapshots_root, golden_root, snaps.v[i]);

	for (i = 0; i < specs->n; i++) {
		const hx_golden_spec *s = &specs->items[i];
		hx_golden_entry *e;
		if (s->error) {
			e = status_add(out, &cap, HX_GOLDEN_STATE_UNREADABLE, s->path);
			e->kind = "spec";
			e->spec = hx_xstrdup(s->path);
			e->error = hx_xstrdup(s->error);
			continue;
		}
		strvec_push(&used, normalize_path(s->golden));
		/* One line per experiment: the first spec by path speaks for it,
		 * and a snapshot already says "new". */
		if (spec_for(specs, s->experiment) != s)
			continue;
		if (s->duplicate)
			add_duplicate(out, &cap, specs, s);
		for (j = 0; j < snaps.n && strcmp(snaps.v[j], s->experiment) != 0; j++)
			;
		if (j < snaps.n)
			continue;
		err = hx_snapshot_read_hash(s->golden, hash, NULL);
		if (err == 0) {
			/* approved before, not run since (a fresh checkout) */
			e = status_add(out, &cap, HX_GOLDEN_STATE_GOLDEN, s->experiment);
			e->spec = hx_xstrdup(s->path);
			e->golden_dir = hx_xstrdup(s->golden);
			memcpy(e->golden_hash, hash, sizeof(hash));
		} else if (err == HX_ENOTFOUND) {
			e = status_add(out, &cap, HX_GOLDEN_STATE_MISSING, s->experiment);
			e->spec = hx_xstrdup(s->path);
			e->golden_dir = hx_xstrdup(s->golden);
		} else if (err) {
			e = status_add(out, &cap, HX_GOLDEN_STATE_UNREADABLE, s->golden);
			e->kind = "golden";
			e->spec = hx_xstrdup(s->path);
			e->golden_dir = hx_xstrdup(s->golden);
			e->error = hx_xstrdup(hx_error_last());
		}
		err = 0;
		hx_error_clear();
	}

	for (i = 0; i < golds.n; i++) {
		char *dir = hx_path_join(golden_root, golds.v[i]), *norm = normalize_path(dir);
		for (j = 0; j < used.n && strcmp(used.v[j], norm) != 0; j++)
			;
		if (j == used.n) {
			hx_golden_entry *e = status_add(out, &cap, HX_GOLDEN_STATE_UNUSED, dir);
			e->golden_dir = hx_xstrdup(dir);
			if (hx_snapshot_read_hash(dir, e->golden_hash, NULL) != 0)
				e->golden_hash[0] = '\0';
			hx_error_clear();
		}
		free(norm);
		free(dir);
	}
	if (out->n > 1)
		qsort(out->items, out->n, sizeof(*out->items), cmp_entry);
done:
	strvec_release(&snaps);
	strvec_release(&golds);
	strvec_release(&used);
	return err;
}

const hx_golden_entry *hx_golden_status_duplicate(const hx_golden_status *st, const char *name)
{
	size_t i;
	for (i = 0; i < st->n; i++)
		if (st->items[i].state == HX_GOLDEN_STATE_DUPLICATE &&
		    strcmp(st->items[i].name, name) == 0)
			return &st->items[i];
	return NULL;
}

const hx_golden_entry *hx_golden_status_find(const hx_golden_status *st, const char *name)
{
	size_t i;
	for (i = 0; i < st->n; i++) {
		const hx_golden_entry *e = &st->items[i];
		if (e->snapshot_dir && e->state != HX_GOLDEN_STATE_UNREADABLE &&
		    strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

void hx_golden_entry_format(hx_buf *out, const hx_golden_entry *e)
{
	if (e->state == HX_GOLDEN_STATE_UNREADABLE) {
		hx_buf_printf(out, "unreadable %s %s: %s\n", e->kind, e->name, e->error);
		return;
	}
	if (e->state == HX_GOLDEN_STATE_DUPLICATE) {
		hx_buf_printf(out, "duplicate %s  (named by %s: one snapshot for several specs)\n",
			      e->name, e->error);
		return;
	}
	hx_buf_printf(out, "%-9s %s", hx_golden_state_name(e->state), e->name);
	switch (e->state) {
	case HX_GOLDEN_STATE_PENDING:
		hx_buf_printf(out, "  (snapshot %s != golden %s)", e->snapshot_hash, e->golden_hash);
		break;
	case HX_GOLDEN_STATE_NEW:
		hx_buf_puts(out, "  (no golden yet)");
		break;
	case HX_GOLDEN_STATE_MISSING:
		hx_buf_printf(out, "  (spec %s has no golden)", e->spec);
		break;
	case HX_GOLDEN_STATE_UNUSED:
		hx_buf_puts(out, "  (no spec refers to it)");
		break;
	case HX_GOLDEN_STATE_GOLDEN:
		hx_buf_printf(out, "  (golden %s, no snapshot to compare yet)", e->golden_hash);
		break;
	default:
		break;
	}
	hx_buf_putc(out, '\n');
}

void hx_golden_status_format(hx_buf *out, const hx_golden_status *st)
{
	size_t i;
	for (i = 0; i < st->n; i++)
		hx_golden_entry_format(out, &st->items[i]);
}

static void json_member(hx_buf *out, const char *key, const char *value, int first)
{
	if (!first)
		hx_buf_putc(out, ',');
	hx_canon_write_cstr(out, key);
	hx_buf_putc(out, ':');
	if (value)
		hx_canon_write_cstr(out, value);
	else
		hx_buf_puts(out, "null");
}

void hx_golden_status_format_json(hx_buf *out, const hx_golden_status *st)
{
	size_t i;
	hx_buf_puts(out, "{\"entries\":[");
	for (i = 0; i < st->n; i++) {
		const hx_golden_entry *e = &st->items[i];
		if (i)
			hx_buf_putc(out, ',');
		/* Keys in RFC 8785 order, like every JSON the harness writes. */
		hx_buf_putc(out, '{');
		json_member(out, "error", e->error, 1);
		json_member(out, "golden", e->golden_dir, 0);
		json_member(out, "golden_hash", e->golden_hash[0] ? e->golden_hash : NULL, 0);
		json_member(out, "kind", e->state == HX_GOLDEN_STATE_UNREADABLE ? e->kind : NULL, 0);
		json_member(out, "name", e->name, 0);
		json_member(out, "snapshot", e->snapshot_dir, 0);
		json_member(out, "snapshot_hash", e->snapshot_hash[0] ? e->snapshot_hash : NULL, 0);
		json_member(out, "spec", e->spec, 0);
		json_member(out, "state", hx_golden_state_name(e->state), 0);
		hx_buf_putc(out, '}');
	}
	hx_buf_puts(out, "]}\n");
}

/* ---- the interactive review ---- */

static int read_key(FILE *keys)
{
	int c;
	do
		c = fgetc(keys);
	while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
	return c;
}

static void review_diff(hx_buf *out, const hx_diff_result *d)
{
	hx_diff_style style;

	hx_buf_printf(out, "  %zu records in golden, %zu in the snapshot; %zu compared: "
			   "%zu changed, %zu added, %zu removed\n",
		      d->old_records, d->new_records, d->compared, d->changed, d->added, d->removed);
	memset(&style, 0, sizeof(style));
	style.indent = "  ";
	style.grouped = 1;
	style.max_value = 60;
	hx_diff_format_summary(out, d, &style);
	hx_diff_format_records(out, d, &style);
}

/* A pending entry where either manifest has several streams: a header line
 * and the diff for each stream whose hashes differ, in name order. 0 when
 * both manifests are single-stream ones (the caller shows the usual diff). */
static int review_streams(hx_buf *out, const hx_golden_entry *e)
{
	hx_snapshot_manifest g, n;
	size_t i = 0, j = 0;

	if (hx_snapshot_manifest_read(&g, e->golden_dir) != 0) {
		hx_error_clear();
		return 0;
	}
	if (hx_snapshot_manifest_read(&n, e->snapshot_dir) != 0) {
		hx_error_clear();
		hx_snapshot_manifest_release(&g);
		return 0;
	}
	if (!g.hash[0] && !n.hash[0]) {
		hx_snapshot_manifest_release(&g);
		hx_snapshot_manifest_release(&n);
		return 0;
	}
	while (i < g.n || j < n.n) {
		int c = i == g.n ? 1 : j == n.n ? -1 : strcmp(g.items[i].name, n.items[j].name);
		const char *name = c <= 0 ? g.items[i].name : n.items[j].name;
		hx_diff_result d;

		if (c == 0 && strcmp(g.items[i].hash, n.items[j].hash) == 0) {
			i++;
			j++;
			continue;
		}
		if (c < 0)
			hx_buf_printf(out, "  stream %s  (golden %s, not in the snapshot)\n", name,
				      g.items[i].hash);
		else if (c > 0)
			hx_buf_printf(out, "  stream %s  (snapshot %s, not in golden)\n", name,
				      n.items[j].hash);
		else
			hx_buf_printf(out, "  stream %s  (snapshot %s != golden %s)\n", name,
				      n.items[j].hash, g.items[i].hash);
		hx_diff_result_init(&d);
		if (hx_golden_diff_stream(&d, e->golden_dir, e->snapshot_dir, name,
					  strcmp(name, HX_SNAPSHOT_STREAM) == 0 ? hx_telemetry_key_fields
										: NULL) != 0) {
			hx_buf_printf(out, "  (no diff: %s)\n", hx_error_last());
			hx_error_clear();
		} else {
			review_diff(out, &d);
		}
		hx_diff_result_release(&d);
		i += c <= 0;
		j += c >= 0;
	}
	hx_snapshot_manifest_release(&g);
	hx_snapshot_manifest_release(&n);
	return 1;
}

/* The whole of what the reviewer decides on: the status line, then what
 * accepting would create (new) or the full diff (every record; the
 * incidental paths still folded). */
static void review_text(hx_buf *out, const hx_golden_entry *e)
{
	hx_golden_result g;

	hx_golden_entry_format(out, e);
	if (e->state == HX_GOLDEN_STATE_NEW) {
		hx_buf_printf(out, "  accepting creates %s with %zu records (%s)\n", e->golden_dir,
			      e->snapshot_records, e->snapshot_hash);
		return;
	}
	if (review_streams(out, e))
		return;
	hx_golden_result_init(&g);
	if (hx_golden_check(&g, e->golden_dir, e->snapshot_dir, e->snapshot_hash) != 0) {
		hx_buf_printf(out, "  (no diff: %s)\n", hx_error_last());
		hx_error_clear();
	} else if (g.verdict == HX_GOLDEN_MISMATCH) {
		review_diff(out, &g.diff);
	}
	hx_golden_result_release(&g);
}

static void review_show(FILE *term, const hx_golden_entry *e, hx_golden_pager pager, void *ctx)
{
	hx_buf text = HX_BUF_INIT;
	review_text(&text, e);
	/* A pager that cannot run leaves the text to the terminal. */
	if (!pager || pager(ctx, text.ptr, text.len) != 0)
		fwrite(text.ptr, 1, text.len, term);
	hx_buf_release(&text);
}

static void review_failed(hx_golden_review_counts *out, FILE *term, int err)
{
	fprintf(term, "  error: %s\n", hx_error_last());
	hx_error_clear();
	out->failed++;
	if (!out->err)
		out->err = err;
}

int hx_golden_review(hx_golden_review_counts *out, const hx_golden_status *st, FILE *keys,
		     FILE *term, hx_golden_pager pager, void *pager_ctx)
{
	size_t i, todo = 0;
	int quit = 0, err;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < st->n; i++)
		if (st->items[i].state == HX_GOLDEN_STATE_PENDING ||
		    st->items[i].state == HX_GOLDEN_STATE_NEW)
			todo++;
	if (!todo) {
		fputs("nothing to review: no pending or new snapshots\n", term);
		goto done;
	}
	for (i = 0; i < st->n; i++) {
		const hx_golden_entry *e = &st->items[i];
		int c;
		if (e->state != HX_GOLDEN_STATE_PENDING && e->state != HX_GOLDEN_STATE_NEW)
			continue;
		if (quit) {
			out->skipped++;
			continue;
		}
		review_show(term, e, pager, pager_ctx);
		for (;;) {
			fputs("accept, reject, skip or quit? [a/r/s/q] ", term);
			fflush(term);
			c = read_key(keys);
			if (c == EOF || (c != '\0' && strchr("arsqARSQ", c)))
				break;
			fputs("?\n  a = accept into golden, r = reject (delete the snapshot), "
			      "s = skip, q = quit\n",
			      term);
		}
		switch (c == EOF ? 'q' : c | 0x20) {
		case 'a':
			fputs("accept\n", term);
			if ((err = hx_golden_accept(e->snapshot_dir, e->golden_dir)) != 0) {
				review_failed(out, term, err);
			} else {
				fprintf(term, "  accepted: %s -> %s\n", e->snapshot_dir, e->golden_dir);
				out->accepted++;
			}
			break;
		case 'r':
			fputs("reject\n", term);
			if ((err = hx_golden_reject(e->snapshot_dir)) != 0) {
				review_failed(out, term, err);
			} else {
				fprintf(term, "  rejected: removed %s (%s unchanged)\n", e->snapshot_dir,
					e->golden_dir);
				out->rejected++;
			}
			break;
		case 's':
			fputs("skip\n", term);
			out->skipped++;
			break;
		default:
			fputs(c == EOF ? "(end of input) quit\n" : "quit\n", term);
			quit = 1;
			out->skipped++;
			break;
		}
	}
	fprintf(term, "review: %zu accepted, %zu rejected, %zu skipped", out->accepted,
		out->rejected, out->skipped);
	if (out->failed)
		fprintf(term, ", %zu failed", out->failed);
	fputc('\n', term);
done:
	if (fflush(term) != 0 || ferror(term)) {
		hx_error_set("cannot write the review");
		return HX_ESYSTEM;
	}
	return 0;
}
