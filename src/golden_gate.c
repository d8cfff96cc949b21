/* golden_gate.c - the golden gate (snapshot.h): the verdict of a snapshot
 * against its golden, accept and reject. Golden directories are read under
 * their lock shared and written under it exclusive (lock.h), each accept
 * replacing golden/<experiment> as a unit. */
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
#include "lock.h"
#include "snapshot_internal.h"

const char *hx_golden_verdict_name(hx_golden_verdict v)
{
	switch (v) {
	case HX_GOLDEN_MATCH:
		return "match";
	case HX_GOLDEN_MISMATCH:
		return "mismatch";
	default:
		return "missing";
	}
}

void hx_golden_result_init(hx_golden_result *r)
{
	memset(r, 0, sizeof(*r));
	hx_diff_result_init(&r->diff);
}

void hx_golden_result_release(hx_golden_result *r)
{
	hx_diff_result_release(&r->diff);
}

/* The gate's diff options (zero fields: match by position, no tolerance). */
static void gate_options(hx_diff_options *opt, const char *const *key_fields)
{
	memset(opt, 0, sizeof(*opt));
	opt->key_fields = key_fields;
	opt->max_records = 5;
	opt->max_paths = 8;
	opt->max_value = 60;
	opt->old_label = "golden";
	opt->new_label = "now";
}

/* Diff golden_dir/<stream> with snapshot_dir/<stream>; a side whose
 * manifest does not list the stream (has_old / has_new 0) is empty. */
static int diff_stream_files(hx_diff_result *out, const char *golden_dir, const char *snapshot_dir,
			     const char *stream, const char *const *key_fields, int has_old,
			     int has_new)
{
	hx_buf old_text = HX_BUF_INIT, new_text = HX_BUF_INIT;
	char *old_path = hx_path_join(golden_dir, stream), *new_path = hx_path_join(snapshot_dir, stream);
	hx_diff_options opt;
	int err = 0;

	gate_options(&opt, key_fields);
	if ((has_old && (err = hx_file_read(&old_text, old_path)) != 0) ||
	    (has_new && (err = hx_file_read(&new_text, new_path)) != 0))
		goto done;
	err = hx_diff_jsonl(out, old_text.ptr ? old_text.ptr : "", old_text.len, old_path,
			    new_text.ptr ? new_text.ptr : "", new_text.len, new_path, &opt);
done:
	free(old_path);
	free(new_path);
	hx_buf_release(&old_text);
	hx_buf_release(&new_text);
	return err;
}

static int diff_stream_unlocked(hx_diff_result *out, const char *golden_dir, const char *snapshot_dir,
			  const char *stream, const char *const *key_fields)
{
	hx_snapshot_manifest g, n;
	int err;

	memset(&g, 0, sizeof(g));
	memset(&n, 0, sizeof(n));
	if ((err = hx_snapshot_manifest_read(&g, golden_dir)) != 0 && err != HX_ENOTFOUND)
		goto done;
	if ((err = hx_snapshot_manifest_read(&n, snapshot_dir)) != 0 && err != HX_ENOTFOUND)
		goto done;
	hx_error_clear();
	err = diff_stream_files(out, golden_dir, snapshot_dir, stream, key_fields,
				hx_snapshot_manifest_find(&g, stream) != NULL,
				hx_snapshot_manifest_find(&n, stream) != NULL);
done:
	hx_snapshot_manifest_release(&g);
	hx_snapshot_manifest_release(&n);
	return err;
}

/* The verdict once the golden's hash was read (err: how that went):
 * missing, match, or mismatch (the caller then diffs); a read error other
 * than a missing golden is returned. */
static int settle(hx_golden_result *out, int err, const char *hash)
{
	if (err == HX_ENOTFOUND) {
		out->verdict = HX_GOLDEN_MISSING;
		out->golden_hash[0] = '\0';
		hx_error_clear();
		return 0;
	}
	if (err)
		return err;
	out->verdict = strcmp(out->golden_hash, hash) == 0 ? HX_GOLDEN_MATCH : HX_GOLDEN_MISMATCH;
	return 0;
}

static int check_stream_unlocked(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
			   const char *stream, const char *hash, const char *const *key_fields)
{
	int err = hx_snapshot_read_stream_hash(golden_dir, stream, out->golden_hash, NULL);

	if ((err = settle(out, err, hash)) != 0 || out->verdict != HX_GOLDEN_MISMATCH)
		return err;
	return diff_stream_files(&out->diff, golden_dir, snapshot_dir, stream, key_fields, 1, 1);
}

/* A mismatch between manifests one of which has several streams: the
 * diff of the first stream (by name) whose hash differs. */
static int check_streams_diff(hx_golden_result *out, const char *golden_dir,
			      const char *snapshot_dir)
{
	hx_snapshot_manifest g, n;
	size_t i = 0, j = 0;
	int err;

	if ((err = hx_snapshot_manifest_read(&g, golden_dir)) != 0)
		return err;
	if ((err = hx_snapshot_manifest_read(&n, snapshot_dir)) != 0) {
		hx_snapshot_manifest_release(&g);
		return err;
	}
	/* Both sorted by name: walk the union. */
	while (i < g.n || j < n.n) {
		int c = i == g.n ? 1 : j == n.n ? -1 : strcmp(g.items[i].name, n.items[j].name);
		const char *name = c <= 0 ? g.items[i].name : n.items[j].name;
		if (c == 0 && strcmp(g.items[i].hash, n.items[j].hash) == 0) {
			i++;
			j++;
			continue;
		}
		err = diff_stream_files(&out->diff, golden_dir, snapshot_dir, name,
					strcmp(name, HX_SNAPSHOT_STREAM) == 0 ? hx_telemetry_key_fields
									      : NULL,
					c <= 0, c >= 0);
		break;
	}
	hx_snapshot_manifest_release(&g);
	hx_snapshot_manifest_release(&n);
	return err;
}

/* 1 when dir's manifest has a top-level hash (several streams). */
static int is_multi(const char *dir)
{
	hx_snapshot_manifest m;
	int multi;
	if (hx_snapshot_manifest_read(&m, dir) != 0) {
		hx_error_clear();
		return 0;
	}
	multi = m.hash[0] != '\0';
	hx_snapshot_manifest_release(&m);
	return multi;
}

static int check_unlocked(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
			  const char *hash)
{
	int err = hx_snapshot_read_hash(golden_dir, out->golden_hash, NULL);

	if ((err = settle(out, err, hash)) != 0 || out->verdict != HX_GOLDEN_MISMATCH)
		return err;
	if (is_multi(golden_dir) || is_multi(snapshot_dir))
		return check_streams_diff(out, golden_dir, snapshot_dir);
	return diff_stream_files(&out->diff, golden_dir, snapshot_dir, HX_SNAPSHOT_STREAM,
				 hx_telemetry_key_fields, 1, 1);
}

/* The readers of golden_dir: under its lock shared, so an accept never
 * changes it between the manifest and the streams they read. */
int hx_golden_diff_stream(hx_diff_result *out, const char *golden_dir, const char *snapshot_dir,
			  const char *stream, const char *const *key_fields)
{
	hx_lock lock = HX_LOCK_NONE;
	int err = hx_lock_take(&lock, golden_dir, 0);
	if (!err)
		err = diff_stream_unlocked(out, golden_dir, snapshot_dir, stream, key_fields);
	hx_lock_release(&lock);
	return err;
}

int hx_golden_check_stream(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
			   const char *stream, const char *hash, const char *const *key_fields)
{
	hx_lock lock = HX_LOCK_NONE;
	int err = hx_lock_take(&lock, golden_dir, 0);
	if (!err)
		err = check_stream_unlocked(out, golden_dir, snapshot_dir, stream, hash, key_fields);
	hx_lock_release(&lock);
	return err;
}

int hx_golden_check(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
		    const char *hash)
{
	hx_lock lock = HX_LOCK_NONE;
	int err = hx_lock_take(&lock, golden_dir, 0);
	if (!err)
		err = check_unlocked(out, golden_dir, snapshot_dir, hash);
	hx_lock_release(&lock);
	return err;
}

/* A snapshot as read for an accept: its manifest, and every file (the
 * streams it lists, then manifest.json) with its data. */
typedef struct {
	hx_snapshot_manifest m;
	hx_buf *bufs;
	hx_snapshot_file *files;
	size_t n;
} snapshot_read;

static void snapshot_read_release(snapshot_read *r)
{
	size_t i;
	for (i = 0; r->bufs && i <= r->m.n; i++)
		hx_buf_release(&r->bufs[i]);
	free(r->bufs);
	free(r->files);
	hx_snapshot_manifest_release(&r->m);
	memset(r, 0, sizeof(*r));
}

/* Read snapshot_dir's manifest and every stream it lists, each checked
 * against its hash, then the manifest's own hash of them (several
 * streams), then manifest.json itself. */
static int read_verified(snapshot_read *r, const char *snapshot_dir)
{
	char got[HX_HASH_HEX_LEN], text_hash[HX_HASH_HEX_LEN];
	char *path = NULL;
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	if ((err = hx_snapshot_manifest_load(&r->m, snapshot_dir, text_hash)) != 0) {
		if (err == HX_ENOTFOUND)
			hx_error_set("no snapshot in '%s' (run the experiment first)", snapshot_dir);
		return err;
	}
	r->bufs = hx_xcalloc(r->m.n + 1, sizeof(*r->bufs));
	r->files = hx_xcalloc(r->m.n + 1, sizeof(*r->files));
	for (i = 0; i < r->m.n; i++) {
		path = hx_path_join(snapshot_dir, r->m.items[i].name);
		if ((err = hx_file_read(&r->bufs[i], path)) != 0)
			goto done;
		hx_hash128_buf(got, r->bufs[i].ptr ? r->bufs[i].ptr : "", r->bufs[i].len);
		if (strcmp(r->m.items[i].hash, got) != 0) {
			hx_error_set("'%s' does not hash to its manifest (%s, manifest says %s); "
				     "re-run the experiment",
				     path, got, r->m.items[i].hash);
			err = HX_EMISMATCH;
			goto done;
		}
		r->files[i].name = r->m.items[i].name;
		r->files[i].data = r->bufs[i].ptr ? r->bufs[i].ptr : "";
		r->files[i].len = r->bufs[i].len;
		free(path);
		path = NULL;
	}
	if (r->m.hash[0] && strcmp(r->m.hash, text_hash) != 0) {
		hx_error_set("'%s/manifest.json': its streams do not hash to its \"hash\" (%s, "
			     "manifest says %s); re-run the experiment",
			     snapshot_dir, text_hash, r->m.hash);
		err = HX_EMISMATCH;
		goto done;
	}
	path = hx_path_join(snapshot_dir, "manifest.json");
	if ((err = hx_file_read(&r->bufs[i], path)) == 0) {
		r->files[i].name = "manifest.json";
		r->files[i].data = r->bufs[i].ptr ? r->bufs[i].ptr : "";
		r->files[i].len = r->bufs[i].len;
		r->n = i + 1;
	}
done:
	free(path);
	return err;
}

int hx_snapshot_copy(const char *snapshot_dir, const char *golden_dir, const char *expect_hash)
{
	hx_lock snap_lock = HX_LOCK_NONE, gold_lock = HX_LOCK_NONE;
	snapshot_read r;
	int err;

	memset(&r, 0, sizeof(r));
	{
		/* A spec whose golden: is its own snapshot directory has nothing
		 * to accept (and would lock the one directory twice). */
		struct stat a, b;
		if (stat(snapshot_dir, &a) == 0 && stat(golden_dir, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			hx_error_set("'%s' is the snapshot directory itself: the spec's 'golden:' "
				     "must name another directory", golden_dir);
			return HX_EINVALID;
		}
	}
	/* The snapshot's lock first (lock.h): no run replaces the snapshot
	 * while it is read, and no other accept writes golden meanwhile. */
	if ((err = hx_lock_take(&snap_lock, snapshot_dir, 0)) != 0 ||
	    (err = hx_lock_take(&gold_lock, golden_dir, 1)) != 0)
		goto done;
	/* The temp files an interrupted write (of an older harness) left:
	 * the lock says no writer is at work there. */
	hx_remove_temp_files(snapshot_dir, NULL, NULL,
			     "a temp file an interrupted write left (not accepted)");
	if ((err = read_verified(&r, snapshot_dir)) != 0)
		goto done;
	if (expect_hash) {
		/* the run's own hash: one stream's, or the manifest's top level */
		const char *got = r.m.hash[0] ? r.m.hash : r.m.n == 1 ? r.m.items[0].hash : "";
		if (strcmp(got, expect_hash) != 0) {
			hx_error_set("'%s' is another run's snapshot now (%s, this run's is %s): "
				     "another run of the experiment replaced it",
				     snapshot_dir, got, expect_hash);
			err = HX_EMISMATCH;
			goto done;
		}
	}
	err = hx_snapshot_replace_dir(golden_dir, snapshot_dir, r.files, r.n);
done:
	snapshot_read_release(&r);
	hx_lock_release(&gold_lock);
	hx_lock_release(&snap_lock);
	return err;
}

int hx_golden_accept(const char *snapshot_dir, const char *golden_dir)
{
	return hx_snapshot_copy(snapshot_dir, golden_dir, NULL);
}

int hx_golden_reject(const char *snapshot_dir)
{
	hx_lock lock = HX_LOCK_NONE;
	DIR *d = NULL;
	struct dirent *de;
	char *path = NULL;
	struct stat st;
	int err;

	if (!hx_is_dir(snapshot_dir)) {
		hx_error_set("no snapshot in '%s' (nothing to reject)", snapshot_dir);
		return HX_ENOTFOUND;
	}
	if ((err = hx_lock_take(&lock, snapshot_dir, 1)) != 0)
		return err;
	if (!hx_is_dir(snapshot_dir)) { /* rejected while this one waited */
		hx_error_set("no snapshot in '%s' (nothing to reject)", snapshot_dir);
		err = HX_ENOTFOUND;
		goto done;
	}
	if (!(d = opendir(snapshot_dir))) {
		hx_error_set_errno(errno, "cannot open directory '%s'", snapshot_dir);
		err = HX_ESYSTEM;
		goto done;
	}
	/* Look before removing anything: a directory with subdirectories is not
	 * a snapshot. */
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = hx_path_join(snapshot_dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			hx_error_set("'%s' holds a directory ('%s'): not a snapshot, left alone",
				     snapshot_dir, de->d_name);
			err = HX_EINVALID;
			goto done;
		}
		free(path);
		path = NULL;
	}
	err = hx_atomic_dir_remove(snapshot_dir);
done:
	if (d)
		closedir(d);
	free(path);
	hx_lock_release(&lock);
	return err;
}
