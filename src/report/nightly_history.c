/* nightly_history.c - an experiment's archived runs (nightly_history.h). */
#include "report/nightly_history.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive.h"
#include "buf.h"
#include "error.h"
#include "export.h"
#include "fsutil.h"
#include "json.h"

static const char *const exts[] = {".tar.zst", ".tar.gz", ".tar", NULL};

static int all_digits(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int all_hex(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int hx_nightly_archive_name_match(const char *file, const char *experiment, char utc[32])
{
	size_t len = strlen(file), elen = strlen(experiment), stem = 0, i;
	const char *s;

	for (i = 0; exts[i]; i++) {
		size_t xl = strlen(exts[i]);
		if (len > xl && strcmp(file + len - xl, exts[i]) == 0) {
			stem = len - xl;
			break;
		}
	}
	if (!stem)
		return 0;
	/* EXPERIMENT-YYYYMMDDTHHMMSSZ-HASH8 then an optional -K */
	if (stem < elen + 1 + 16 + 1 + 8 || strncmp(file, experiment, elen) != 0 || file[elen] != '-')
		return 0;
	s = file + elen + 1;
	if (!all_digits(s, 8) || s[8] != 'T' || !all_digits(s + 9, 6) || s[15] != 'Z' ||
	    s[16] != '-' || !all_hex(s + 17, 8))
		return 0;
	i = (size_t)(s + 25 - file);
	if (i != stem) {
		if (file[i] != '-' || i + 1 >= stem || !all_digits(file + i + 1, stem - i - 1))
			return 0;
	}
	if (utc)
		snprintf(utc, 32, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s, s + 4, s + 6, s + 9, s + 11,
			 s + 13);
	return 1;
}

void hx_nightly_history_release(hx_nightly_history *h)
{
	size_t i;
	for (i = 0; i < h->n; i++) {
		free(h->runs[i].file);
		free(h->runs[i].error);
	}
	free(h->runs);
	free(h->experiment);
	memset(h, 0, sizeof(*h));
}

static int run_cmp(const void *a, const void *b)
{
	const hx_nightly_run *x = a, *y = b;
	int c = strcmp(x->started, y->started);
	if (!c)
		c = strcmp(x->finished, y->finished);
	return c ? c : strcmp(x->file, y->file);
}

void hx_nightly_history_order(hx_nightly_history *h)
{
	const char *prev = NULL;
	size_t i;
	if (h->n > 1)
		qsort(h->runs, h->n, sizeof(*h->runs), run_cmp);
	for (i = 0; i < h->n; i++) {
		hx_nightly_run *r = &h->runs[i];
		r->hash_changed = 0;
		if (r->error)
			continue;
		if (prev && strcmp(prev, r->hash) != 0)
			r->hash_changed = 1;
		prev = r->hash;
	}
}

size_t hx_nightly_history_tier_runs(const hx_nightly_history *h, hx_tier t)
{
	size_t i, k = 0;
	for (i = 0; i < h->n; i++)
		if (h->runs[i].has_rates && h->runs[i].tiers[t].present)
			k++;
	return k;
}

/* ---- one archive ---- */

static const char *manifest_str(const hx_json *m, const char *key)
{
	const hx_json *v = hx_json_get(m, key);
	return v && v->type == HX_JSON_STRING ? v->u.string.ptr : NULL;
}

static int listed(const hx_json *m, const char *name)
{
	const hx_json *ms = hx_json_get(m, "members");
	size_t i;
	if (!ms || ms->type != HX_JSON_ARRAY)
		return 0;
	for (i = 0; i < ms->u.array.len; i++) {
		const char *n = manifest_str(ms->u.array.items[i], "name");
		if (n && strcmp(n, name) == 0)
			return 1;
	}
	return 0;
}

/* The rates of a member's bytes, read through a temporary file (the
 * readers take paths). Errors name "FILE: MEMBER:..." */
static int member_rates(hx_nightly_run *r, const hx_buf *data, const char *member)
{
	const char *base = getenv("TMPDIR");
	char dir[512];
	char *path = NULL;
	hx_calib_data d;
	size_t i;
	int err;

	snprintf(dir, sizeof(dir), "%s/hx-nightly-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		hx_error_set_errno(errno, "cannot make a temporary directory in '%s'",
				   base && *base ? base : "/tmp");
		return HX_ESYSTEM;
	}
	path = hx_path_join(dir, member);
	if ((err = hx_file_write_atomic(path, data->ptr ? data->ptr : "", data->len)) == 0)
		err = strcmp(member, "calibration.yaml") == 0 ? hx_calib_read_yaml(&d, path)
							      : hx_calib_read(&d, path);
	if (err) {
		/* the temporary directory means nothing to a reader */
		const char *msg = hx_error_last();
		size_t dl = strlen(dir);
		hx_buf b = HX_BUF_INIT;
		if (strncmp(msg, dir, dl) == 0 && msg[dl] == '/')
			msg += dl + 1;
		hx_buf_printf(&b, "%s: %s", r->file, msg);
		hx_error_set("%s", b.ptr);
		hx_buf_release(&b);
	} else {
		for (i = 0; i < d.ntiers; i++) {
			const hx_tier_data *t = &d.tiers[i];
			hx_nightly_tier_rates *tr = &r->tiers[t->tier];
			int k;
			tr->present = 1;
			for (k = 0; k < HX_NIGHTLY_NRATES; k++)
				tr->rates[k] = *hx_tier_rate(t, k);
		}
		r->has_rates = d.ntiers > 0;
		snprintf(r->rates_from, sizeof(r->rates_from), "%s", member);
		hx_calib_release(&d);
	}
	hx_remove_tree(dir);
	free(path);
	return err;
}

/* Read one archive into r (r->file and r->started set from the name).
 * Returns 1 when it is a run of experiment (r filled, r->error set when it
 * could not be read), 0 when its manifest names another experiment. */
static int read_run(hx_nightly_run *r, const char *path, const char *experiment)
{
	static const char *const calib[] = {"calibration.yaml"};
	static const char *const telem[] = {"telemetry.jsonl"};
	hx_archive_contents c;
	hx_arena *arena = hx_arena_new();
	hx_json *m = NULL;
	hx_json_error je;
	const hx_buf *data;
	const char *s;
	int err, ours = 1;

	if ((err = hx_archive_read_some(&c, path, calib, 1)) != 0)
		goto failed;
	if (hx_json_parse(&m, arena, c.manifest, c.manifest_len, &je) != 0 ||
	    m->type != HX_JSON_OBJECT) {
		hx_error_set("'%s': MANIFEST.json does not parse", path);
		err = HX_EINVALID;
		goto failed;
	}
	if ((s = manifest_str(m, "experiment")) && strcmp(s, experiment) != 0) {
		ours = 0;
		goto done;
	}
	if ((s = manifest_str(m, "started")))
		snprintf(r->started, sizeof(r->started), "%s", s);
	if ((s = manifest_str(m, "finished")))
		snprintf(r->finished, sizeof(r->finished), "%s", s);
	if ((s = manifest_str(m, "snapshot_hash")))
		snprintf(r->hash, sizeof(r->hash), "%s", s);
	if ((s = manifest_str(m, "golden")))
		snprintf(r->golden, sizeof(r->golden), "%s", s);
	if ((data = hx_archive_member_data(&c, "calibration.yaml"))) {
		if ((err = member_rates(r, data, "calibration.yaml")) != 0)
			goto failed;
	} else if (listed(m, "telemetry.jsonl")) {
		/* the second pass keeps the telemetry alone */
		hx_archive_contents_release(&c);
		if ((err = hx_archive_read_some(&c, path, telem, 1)) != 0)
			goto failed;
		if ((data = hx_archive_member_data(&c, "telemetry.jsonl")) &&
		    (err = member_rates(r, data, "telemetry.jsonl")) != 0)
			goto failed;
	}
	goto done;
failed:
	r->error = hx_xstrdup(hx_error_last());
	r->hash[0] = '\0';
	r->golden[0] = '\0';
	r->has_rates = 0;
	memset(r->tiers, 0, sizeof(r->tiers));
	hx_error_clear();
done:
	hx_archive_contents_release(&c);
	hx_arena_free(arena);
	return ours;
}

typedef struct {
	char *file;
	char utc[32];
} candidate;

static int cand_cmp(const void *a, const void *b)
{
	const candidate *x = a, *y = b;
	int c = strcmp(x->utc, y->utc);
	return c ? c : strcmp(x->file, y->file);
}

int hx_nightly_history_load(hx_nightly_history *h, const char *runs_dir, const char *experiment,
			    size_t cap)
{
	candidate *cs = NULL;
	size_t n = 0, ncap = 0, i, first;
	struct dirent *de;
	DIR *d;

	memset(h, 0, sizeof(*h));
	h->experiment = hx_xstrdup(experiment);
	if (cap < 1)
		cap = 1;
	if (!(d = opendir(runs_dir))) {
		if (errno == ENOENT)
			return 0;
		hx_error_set_errno(errno, "cannot list '%s'", runs_dir);
		return HX_ESYSTEM;
	}
	while ((de = readdir(d))) {
		char utc[32];
		if (!hx_nightly_archive_name_match(de->d_name, experiment, utc))
			continue;
		if (n == ncap) {
			ncap = ncap ? 2 * ncap : 16;
			cs = hx_xrealloc(cs, ncap * sizeof(*cs));
		}
		cs[n].file = hx_xstrdup(de->d_name);
		memcpy(cs[n].utc, utc, sizeof(utc));
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(cs, n, sizeof(*cs), cand_cmp);
	/* newest first until cap runs of the experiment are in */
	h->runs = hx_xcalloc(cap, sizeof(*h->runs));
	for (first = n; first > 0 && h->n < cap; first--) {
		candidate *c = &cs[first - 1];
		hx_nightly_run *r = &h->runs[h->n];
		char *path = hx_path_join(runs_dir, c->file);
		memset(r, 0, sizeof(*r));
		r->file = c->file;
		memcpy(r->started, c->utc, sizeof(r->started));
		if (read_run(r, path, experiment)) {
			c->file = NULL;
			h->n++;
		} else {
			free(r->error);
			memset(r, 0, sizeof(*r));
		}
		free(path);
	}
	/* the rest are older archives named for the experiment */
	h->older = first;
	for (i = 0; i < n; i++)
		free(cs[i].file);
	free(cs);
	hx_nightly_history_order(h);
	return 0;
}
