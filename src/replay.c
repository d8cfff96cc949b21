#define _GNU_SOURCE /* memmem, mkdtemp */
#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive.h"
#include "canon.h"
#include "error.h"
#include "export.h"
#include "fsutil.h"
#include "json.h"
#include "snapshot.h"
#include "ydoc.h"

/* ---- replaying an archive ---- */

void hx_replay_result_init(hx_replay_result *r)
{
	memset(r, 0, sizeof(*r));
	hx_diff_result_init(&r->diff);
	hx_buf_init(&r->models_report);
	hx_buf_init(&r->rounded_fields);
}

void hx_replay_result_release(hx_replay_result *r)
{
	hx_diff_result_release(&r->diff);
	hx_buf_release(&r->models_report);
	hx_buf_release(&r->rounded_fields);
	memset(r, 0, sizeof(*r));
}

static void copy_string(char *dst, size_t size, const hx_json *v)
{
	snprintf(dst, size, "%s", v && v->type == HX_JSON_STRING ? v->u.string.ptr : "");
}

/* The archived spec, with the engine overrides of the options. */
static int replay_spec(hx_buf *out, const hx_buf *archived, const hx_replay_options *opt,
		       const char *name)
{
	hx_ydoc *doc = NULL, *eng = NULL;
	hx_yaml_substs s;
	hx_buf v = HX_BUF_INIT;
	int err = 0;

	memset(&s, 0, sizeof(s));
	if (!opt->engine_file && !opt->engine_root) {
		hx_buf_put(out, archived->ptr, archived->len);
		return 0;
	}
	if ((err = hx_ydoc_parse(&doc, name, archived->ptr, archived->len)) != 0)
		goto done;
	if (opt->engine_file) {
		if ((err = hx_ydoc_load(&eng, opt->engine_file)) != 0)
			goto done;
		if (!hx_ynode_get(eng->root, "engine")) {
			err = hx_ydoc_error(eng, eng->root, "missing key 'engine' (the engine to replay on)");
			goto done;
		}
		s.subst[s.n].path = "engine";
		s.subst[s.n].node = hx_ynode_get(eng->root, "engine");
		s.n++;
	}
	if (opt->engine_root && (err = hx_yaml_substs_add_path(&s, "engine.root", opt->engine_root)) != 0)
		goto done;
	err = hx_export_yaml_tree(out, doc->root, s.subst, s.n);
done:
	hx_yaml_substs_release(&s); /* docs[0] is NULL when the engine came from eng */
	hx_ydoc_free(doc);
	hx_ydoc_free(eng);
	hx_buf_release(&v);
	return err;
}

/* The text of the number after the only "key": in a line; 0 when found,
 * 1 when absent, -1 when it cannot be read that way (twice, or not a plain
 * scalar): the caller then canonicalizes. */
static int number_text(const char *line, size_t len, const char *key, const char **v, size_t *vlen)
{
	char pat[80];
	const char *at, *again, *end = line + len, *p;
	int n = snprintf(pat, sizeof(pat), "\"%s\":", key);
	if (n <= 0 || (size_t)n >= sizeof(pat))
		return -1;
	if (!(at = memmem(line, len, pat, (size_t)n)))
		return 1;
	at += n;
	again = memmem(at, (size_t)(end - at), pat, (size_t)n);
	if (again || at >= end || *at == '{' || *at == '[' || *at == '"')
		return -1;
	for (p = at; p < end && *p != ',' && *p != '}'; p++)
		;
	*v = at;
	*vlen = (size_t)(p - at);
	return 0;
}

/* Whether two raw records differ, given that their canonical forms are
 * equal: then only the profile's rounded fields can differ. For top-level
 * rounded keys their number texts are compared directly; anything else
 * (nested paths, a key met twice) canonicalizes both with the strip rules. */
static int raw_differs(const char *a, size_t la, const char *b, size_t lb,
		       const hx_canon_profile *profile, const hx_canon_profile *strip, hx_buf *ca,
		       hx_buf *cb, hx_arena *arena, size_t line, int *err)
{
	size_t i;
	for (i = 0; i < profile->nround; i++) {
		const char *path = profile->round[i].path, *va = NULL, *vb = NULL;
		size_t na = 0, nb = 0;
		int ra, rb;
		if (strchr(path, '.') || strchr(path, '*'))
			goto canonical;
		ra = number_text(a, la, path, &va, &na);
		rb = number_text(b, lb, path, &vb, &nb);
		if (ra < 0 || rb < 0)
			goto canonical;
		if (ra != rb || na != nb || (na && memcmp(va, vb, na) != 0))
			return 1;
	}
	return 0;
canonical:
	hx_buf_reset(ca);
	hx_buf_reset(cb);
	hx_arena_reset(arena);
	if ((*err = hx_canon_line(ca, arena, a, la, strip, "archived telemetry", line)) != 0 ||
	    (*err = hx_canon_line(cb, arena, b, lb, strip, "replayed telemetry", line)) != 0)
		return 0;
	return ca->len != cb->len || memcmp(ca->ptr, cb->ptr, ca->len) != 0;
}

/* Fields every run changes by design, whatever the profile. */
static const char *const always_volatile[] = {"verification_id", "timestamp", "metadata.worker",
					      NULL};

static int is_always_volatile(const char *path)
{
	size_t i;
	for (i = 0; always_volatile[i]; i++)
		if (strcmp(path, always_volatile[i]) == 0)
			return 1;
	return 0;
}

/* Records whose raw telemetry differs while the canonical records are equal
 * (the caller checked the snapshot hash): the differences lie within what
 * the profile rounds or, past the always volatile fields, strips (timings,
 * output tails of real engines). A profile that strips no more than those
 * is checked field by field (raw_differs); one that strips more compares
 * the records less the always volatile fields. */
static int rounded_differences(hx_replay_result *out, const hx_buf *archived, const char *run_dir,
			       const char *spec_path)
{
	hx_spec *spec = NULL;
	hx_canon_profile strip;
	hx_buf now = HX_BUF_INIT, ca = HX_BUF_INIT, cb = HX_BUF_INIT;
	hx_arena *arena = hx_arena_new();
	char *path = hx_path_join(run_dir, "telemetry.jsonl");
	size_t i, sa = 0, sb = 0, line = 0;
	int err = 0;

	hx_canon_profile_init(&strip);
	if (!archived || !archived->ptr)
		goto done;
	if ((err = hx_spec_load(&spec, spec_path)) != 0 || (err = hx_file_read(&now, path)) != 0)
		goto done;
	snprintf(out->profile, sizeof(out->profile), "%s",
		 spec->profile.name ? spec->profile.name : spec->profile_ref);
	for (i = 0; i < spec->profile.nround; i++)
		hx_buf_printf(&out->rounded_fields, "%s%s", i ? ", " : "", spec->profile.round[i].path);
	for (i = 0; i < spec->profile.nstrip; i++) {
		if (is_always_volatile(spec->profile.strip[i])) {
			hx_canon_profile_add_strip(&strip, spec->profile.strip[i]);
			continue;
		}
		hx_buf_printf(&out->rounded_fields, "%s%s", out->rounded_fields.len ? ", " : "",
			      spec->profile.strip[i]);
		out->stripped_beyond = 1;
	}
	if (out->stripped_beyond) {
		/* compare everything but what changes in every run */
		hx_canon_profile_release(&strip);
		hx_canon_profile_init(&strip);
		for (i = 0; always_volatile[i]; i++)
			hx_canon_profile_add_strip(&strip, always_volatile[i]);
	}
	while (sa < archived->len && sb < now.len && !err) {
		const char *na = memchr(archived->ptr + sa, '\n', archived->len - sa);
		const char *nb = memchr(now.ptr + sb, '\n', now.len - sb);
		size_t ea = na ? (size_t)(na - archived->ptr) : archived->len;
		size_t eb = nb ? (size_t)(nb - now.ptr) : now.len;
		line++;
		if (out->stripped_beyond) {
			hx_buf_reset(&ca);
			hx_buf_reset(&cb);
			hx_arena_reset(arena);
			if ((err = hx_canon_line(&ca, arena, archived->ptr + sa, ea - sa, &strip,
						 "archived telemetry", line)) == 0 &&
			    (err = hx_canon_line(&cb, arena, now.ptr + sb, eb - sb, &strip,
						 "replayed telemetry", line)) == 0)
				out->raw_records_differing +=
					ca.len != cb.len || memcmp(ca.ptr, cb.ptr, ca.len) != 0;
		} else {
			out->raw_records_differing +=
				(size_t)raw_differs(archived->ptr + sa, ea - sa, now.ptr + sb, eb - sb,
						    &spec->profile, &strip, &ca, &cb, arena, line, &err);
		}
		sa = ea + 1;
		sb = eb + 1;
	}
done:
	hx_canon_profile_release(&strip);
	hx_spec_free(spec);
	hx_buf_release(&now);
	hx_buf_release(&ca);
	hx_buf_release(&cb);
	hx_arena_free(arena);
	free(path);
	return err;
}

/* What the models comparison leaves out: calibration_metadata's date and
 * paths (spec, models file, the corpus line naming its list) always; with `timing`, what the durations decide, for a profile
 * that strips them from the snapshot (real engines): duration fits,
 * timeout distributions, the cross-tier checks, and the validation
 * verdict they feed. */
typedef struct {
	int timing;
} model_skips;

static int skip_key(const char *parent, const char *k, const model_skips *sk)
{
	if (strcmp(parent, "calibration_metadata") == 0 &&
	    (strcmp(k, "date") == 0 || strcmp(k, "spec") == 0 || strcmp(k, "models_file") == 0 ||
	     strcmp(k, "corpus") == 0))
		return 1;
	if (!sk->timing)
		return 0;
	if (strcmp(k, "duration_fit") == 0 || strcmp(k, "timeout_distribution") == 0)
		return 1;
	return (strcmp(parent, "calibration_metadata") == 0 && strcmp(k, "validation_passed") == 0) ||
	       (strcmp(parent, "validation_report") == 0 && strcmp(k, "summary") == 0);
}

/* A check of validation_report.checks that the durations decide. */
static int skip_item(const hx_ynode *item, const model_skips *sk)
{
	const hx_ynode *name = hx_ynode_get(item, "name");
	return sk->timing && name && name->type == HX_Y_SCALAR &&
	       strncmp(name->scalar, "cross_tier", 10) == 0;
}

static int ynode_equal(const hx_ynode *a, const hx_ynode *b, const char *key,
		       const model_skips *sk)
{
	size_t i, j;
	if (!a || !b)
		return a == b;
	if (a->type != b->type)
		return 0;
	if (a->type == HX_Y_SCALAR)
		return a->scalar_len == b->scalar_len && memcmp(a->scalar, b->scalar, a->scalar_len) == 0;
	if (a->type == HX_Y_SEQ) {
		for (i = j = 0;; i++, j++) {
			while (i < a->n && skip_item(a->items[i], sk))
				i++;
			while (j < b->n && skip_item(b->items[j], sk))
				j++;
			if (i == a->n || j == b->n)
				return i == a->n && j == b->n;
			if (!ynode_equal(a->items[i], b->items[j], "", sk))
				return 0;
		}
	}
	for (i = j = 0;; i++, j++) {
		while (i < a->n && skip_key(key, a->pairs[i].key->scalar, sk))
			i++;
		while (j < b->n && skip_key(key, b->pairs[j].key->scalar, sk))
			j++;
		if (i == a->n || j == b->n)
			return i == a->n && j == b->n;
		if (strcmp(a->pairs[i].key->scalar, b->pairs[j].key->scalar) != 0 ||
		    !ynode_equal(a->pairs[i].value, b->pairs[j].value, a->pairs[i].key->scalar, sk))
			return 0;
	}
}

/* Two YAML texts as trees (comments and layout aside); 0 when either does
 * not parse. */
static int yaml_equal(const hx_buf *a, const hx_buf *b, const model_skips *sk)
{
	hx_ydoc *da = NULL, *db = NULL;
	int same = hx_ydoc_parse(&da, "archived", a->ptr ? a->ptr : "", a->len) == 0 &&
		   hx_ydoc_parse(&db, "replayed", b->ptr ? b->ptr : "", b->len) == 0 &&
		   ynode_equal(da->root, db->root, "", sk);
	hx_ydoc_free(da);
	hx_ydoc_free(db);
	return same;
}

/* Compare a model file of the archive with the replay's: YAML files as
 * trees less the skipped keys, others byte for byte. */
static int same_model(hx_replay_result *out, const hx_archive_contents *c, const char *name,
		      const char *run_dir, const model_skips *sk)
{
	const hx_buf *a = hx_archive_member_data(c, name);
	hx_buf b = HX_BUF_INIT;
	char *path = hx_path_join(run_dir, name);
	size_t n = strlen(name);
	int have_b = hx_path_exists(path) && hx_file_read(&b, path) == 0, same;
	free(path);
	if (!a && !have_b) {
		hx_buf_release(&b);
		return 1;
	}
	if (!a || !have_b)
		same = 0;
	else if (n > 5 && strcmp(name + n - 5, ".yaml") == 0)
		same = yaml_equal(a, &b, sk);
	else
		same = a->len == b.len && memcmp(a->ptr ? a->ptr : "", b.ptr ? b.ptr : "", a->len) == 0;
	if (!same)
		hx_buf_printf(&out->models_report, "  %s: %s\n", name,
			      !a ? "not in the archive" : !have_b ? "not written by the replay" : "differs");
	hx_buf_release(&b);
	return same;
}

/* Whether the profile leaves the durations out of the snapshot. */
static int strips_durations(const char *spec_path)
{
	hx_spec *spec = NULL;
	size_t i;
	int strips = 0;
	if (hx_spec_load(&spec, spec_path) != 0)
		return 0;
	for (i = 0; i < spec->profile.nstrip && !strips; i++)
		strips = strcmp(spec->profile.strip[i], "duration_ms") == 0;
	hx_spec_free(spec);
	return strips;
}

static int write_member(const hx_archive_contents *c, const char *name, const char *dir)
{
	const hx_buf *d = hx_archive_member_data(c, name);
	char *path;
	int err;
	if (!d)
		return 0;
	path = hx_path_join(dir, name);
	err = hx_file_write_atomic(path, d->ptr ? d->ptr : "", d->len);
	free(path);
	return err;
}

int hx_replay_work_dir(const char *given, char **work, int *temp)
{
	char tmpl[] = "/tmp/harness-replay-XXXXXX";
	int err;
	*work = NULL;
	*temp = 0;
	if (given) {
		if ((err = hx_mkdirs(given, 0777)) != 0)
			return err;
		*work = hx_xstrdup(given);
		return 0;
	}
	if (!mkdtemp(tmpl)) {
		hx_error_set_errno(errno, "cannot create a directory in /tmp");
		return HX_ESYSTEM;
	}
	*work = hx_xstrdup(tmpl);
	*temp = 1;
	return 0;
}

int hx_replay(hx_replay_result *out, const hx_replay_options *opt)
{
	hx_archive_contents c;
	const hx_archive_contents *cp;
	model_skips sk;
	hx_arena *arena = hx_arena_new();
	hx_json *man = NULL, *eng;
	hx_json_error je;
	hx_run_options ro;
	hx_run_result rr;
	hx_buf spec = HX_BUF_INIT;
	char *work = NULL, *spec_path = NULL, *run_dir = NULL, *snaps = NULL, *snap = NULL;
	const hx_buf *archived_spec, *archived_snap;
	double workers = 0;
	int err, temp = 0;

	memset(&c, 0, sizeof(c));
	hx_run_result_init(&rr);
	if (!opt->contents && (err = hx_archive_read(&c, opt->archive_path)) != 0)
		goto done;
	cp = opt->contents ? opt->contents : &c;
	out->members = cp->n;
	if (hx_json_parse(&man, arena, cp->manifest, cp->manifest_len, &je) != 0) {
		hx_error_set("'%s': %s:1:%zu: %s", opt->archive_path, HX_ARCHIVE_MANIFEST, je.column, je.msg);
		err = HX_EINVALID;
		goto done;
	}
	copy_string(out->experiment, sizeof(out->experiment), hx_json_get(man, "experiment"));
	copy_string(out->seed, sizeof(out->seed), hx_json_get(man, "seed"));
	copy_string(out->archived_hash, sizeof(out->archived_hash), hx_json_get(man, "snapshot_hash"));
	eng = hx_json_get(man, "engine");
	copy_string(out->engine_version, sizeof(out->engine_version), hx_json_get(eng, "version"));
	if (hx_json_get(man, "workers") && hx_json_get(man, "workers")->type == HX_JSON_NUMBER)
		workers = hx_json_get(man, "workers")->u.number;
	if (!(archived_spec = hx_archive_member_data(cp, "spec.yaml")) ||
	    !(archived_snap = hx_archive_member_data(cp, "snapshot/" HX_SNAPSHOT_STREAM))) {
		hx_error_set("'%s' has no spec.yaml or snapshot to replay", opt->archive_path);
		err = HX_EINVALID;
		goto done;
	}

	/* The work directory: the spec and its inputs, then the run. */
	if ((err = hx_replay_work_dir(opt->work_dir, &work, &temp)) != 0)
		goto done;
	spec_path = hx_path_join(work, "spec.yaml");
	if ((err = replay_spec(&spec, archived_spec, opt, spec_path)) != 0 ||
	    (err = hx_file_write_atomic(spec_path, spec.ptr, spec.len)) != 0 ||
	    (err = write_member(cp, "models.yaml", work)) != 0 ||
	    (err = write_member(cp, "profile.yaml", work)) != 0 ||
	    (err = write_member(cp, "corpus.txt", work)) != 0)
		goto done;
	run_dir = hx_path_join(work, "run");
	snaps = hx_path_join(work, "snapshots");
	memset(&ro, 0, sizeof(ro));
	ro.spec_path = spec_path;
	ro.workers = opt->workers > 0 ? opt->workers : workers >= 1 ? (int)workers : 0;
	ro.out_dir = run_dir;
	ro.snapshots_dir = snaps;
	ro.no_archive = 1;
	ro.progress = opt->progress;
	ro.label = "harness replay";
	ro.cancel = opt->cancel;
	if ((err = hx_run(&rr, &ro)) != 0)
		goto done;
	out->run_s = rr.elapsed_s;
	snprintf(out->replay_engine, sizeof(out->replay_engine), "%s", rr.engine.version);
	memcpy(out->replayed_hash, rr.hash, sizeof(out->replayed_hash));
	out->snapshot_identical = strcmp(out->archived_hash, rr.hash) == 0;
	if (!out->snapshot_identical) {
		hx_buf now = HX_BUF_INIT;
		hx_diff_options dopt;
		snap = hx_path_join(rr.snapshot_dir, HX_SNAPSHOT_STREAM);
		memset(&dopt, 0, sizeof(dopt));
		dopt.key_fields = hx_telemetry_key_fields;
		if ((err = hx_file_read(&now, snap)) == 0)
			err = hx_diff_jsonl(&out->diff, archived_snap->ptr, archived_snap->len,
					    "archived snapshot", now.ptr, now.len, "replayed snapshot", &dopt);
		hx_buf_release(&now);
		if (err)
			goto done;
	}
	if (out->snapshot_identical &&
	    (err = rounded_differences(out, hx_archive_member_data(cp, "telemetry.jsonl"), run_dir,
				       spec_path)) != 0)
		goto done;
	/* calibration.yaml names its date, spec and models paths, which a
	 * replay changes; what the durations decide is compared only when the
	 * snapshot holds them */
	sk.timing = strips_durations(spec_path);
	out->timing_not_compared = sk.timing;
	out->models_identical = same_model(out, cp, "calibration.yaml", run_dir, &sk);
	out->models_identical &= same_model(out, cp, "noise_config.yaml", run_dir, &sk);
	out->models_identical &= same_model(out, cp, "labels.jsonl", run_dir, &sk);
done:
	if (temp && work)
		hx_remove_tree(work);
	hx_run_result_release(&rr);
	hx_archive_contents_release(&c);
	hx_arena_free(arena);
	hx_buf_release(&spec);
	free(work);
	free(spec_path);
	free(run_dir);
	free(snaps);
	free(snap);
	return err;
}
