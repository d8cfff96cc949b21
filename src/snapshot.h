/* snapshot.h - canonical snapshots and the golden gate.
 *
 * A snapshot directory holds <stream>.jsonl (canonical) and manifest.json:
 *   {"engine":{"kind":..,"version":..[,"path":..,"binary_hash":..,
 *    "toolchain":..]},"experiment":..,
 *    "format":"harness-snapshot/1","profile":{"name":..,"round":{..},
 *    "strip":[..]},"seed":"42","streams":{"telemetry.jsonl":
 *    {"hash":"xxh3-128:..","records":100}}}
 * written as one RFC 8785 line, so a snapshot of the same run is the same
 * bytes. golden/<experiment>/ has the same shape.
 *
 * A snapshot of several streams (an experiment series: one canonical table
 * per step, hx_snapshot_write_streams) lists each of them under "streams"
 * and adds a top-level "hash": the XXH3-128 of the RFC 8785 text of the
 * "streams" object, which is the snapshot's hash:
 *   {...,"hash":"xxh3-128:..","seed":"42","streams":{"align.jsonl":{"hash":
 *    "xxh3-128:..","records":3},"dataset.jsonl":{"hash":..,"records":30}}}
 * A manifest with a top-level "hash" is a several-stream one; one without
 * is the single-stream shape above (whatever its stream names).
 *
 * A snapshot or golden directory changes as a unit: its new content is
 * written into a fresh directory beside it, which then replaces it in one
 * step (fsutil.h: hx_atomic_dir), so a reader or a crash sees the old
 * snapshot or the new one, never one's manifest beside the other's stream,
 * and no temp file ever sits in it. Writers hold the directory's lock
 * exclusive (lock.h; the writers of snapshots take it themselves, accept
 * and reject take both theirs), readers of golden take it shared. A
 * directory with streams but no manifest.json (an older harness's
 * interrupted write) is incomplete: reading it fails saying so.
 *
 * snapshot.c writes and reads snapshots; golden_gate.c holds the golden
 * gate (check, accept, reject); golden.c scans the specs and implements
 * `golden status` and the review.
 */
#ifndef HX_SNAPSHOT_H
#define HX_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "canon.h"
#include "diff.h"
#include "engine_id.h"
#include "hash.h"

#define HX_SNAPSHOT_FORMAT "harness-snapshot/1"
#define HX_SNAPSHOT_STREAM "telemetry.jsonl"

typedef struct {
	const char *experiment;
	uint64_t seed;
	hx_engine_id engine;
	const hx_canon_profile *profile;
	char hash[HX_HASH_HEX_LEN]; /* of the canonical stream */
	size_t records;
} hx_snapshot_info;

/* Replace dir (made with its parents) with a snapshot of one stream:
 * telemetry.jsonl and manifest.json, and the files of the old dir that are
 * no part of a snapshot (not manifest.json, *.jsonl, temp files or hidden:
 * notes a person left). The caller holds dir's lock exclusive (lock.h).
 * HX_EINVALID when dir holds a subdirectory (not a snapshot: left alone). */
int hx_snapshot_write(const char *dir, const hx_snapshot_info *info, const char *canonical,
		      size_t len);

/* hx_snapshot_write with the canonical stream in the file canonical_path
 * (canonical and len unused), linked or copied into the snapshot
 * (fsutil.h: hx_file_link_or_copy), never read into memory. */
int hx_snapshot_write_from(const char *dir, const hx_snapshot_info *info, const char *canonical,
			   size_t len, const char *canonical_path);

/* The manifest.json hx_snapshot_write writes for info (one RFC 8785
 * line and '\n'), appended to out. */
void hx_snapshot_manifest_format(hx_buf *out, const hx_snapshot_info *info);

/* One stream of a several-stream snapshot: the caller fills name, data,
 * len, records and key_fields; hx_snapshot_write_streams fills hash. */
typedef struct {
	const char *name;  /* the file in the snapshot: [A-Za-z0-9._-]+ ending
			    * in ".jsonl", not starting with '.' ("dataset.jsonl") */
	const char *data;  /* its canonical text (RFC 8785 lines); NULL when len 0 */
	size_t len;
	size_t records;
	const char *const *key_fields; /* the record fields a diff of this stream
				        * shows (NULL-terminated), or NULL for the
				        * record index only; written nowhere: give
				        * them again to hx_golden_check_stream */
	char hash[HX_HASH_HEX_LEN];    /* out: XXH3-128 of data */
} hx_snapshot_stream;

/* 1 when name is a valid stream name (see hx_snapshot_stream). */
int hx_snapshot_stream_name_ok(const char *name);

/* Replace dir with a several-stream snapshot, as hx_snapshot_write does
 * (the caller holds dir's lock): hash each stream (s[i].hash); dir then
 * holds dir/<name> for each, no other *.jsonl (streams of an earlier
 * snapshot whose step is gone, telemetry.jsonl included), and
 * dir/manifest.json: info's
 * engine, experiment, profile and seed as hx_snapshot_write writes them
 * (info->hash and info->records are ignored), "streams": {name: {"hash",
 * "records"}} for every stream and "hash": XXH3-128 of the RFC 8785 text of
 * that "streams" object, which hash_out (may be NULL) receives. n may be 0.
 * HX_EINVALID (nothing written) for an invalid or repeated name, or a dir
 * holding a subdirectory. */
int hx_snapshot_write_streams(const char *dir, const hx_snapshot_info *info, hx_snapshot_stream *s,
			      size_t n, char hash_out[HX_HASH_HEX_LEN]);

/* The snapshot's hash and record count from dir/manifest.json: for a
 * single-stream manifest the telemetry stream's hash and records, for a
 * several-stream one the top-level "hash" and the sum of the streams'
 * records. HX_ENOTFOUND when there is no manifest (HX_EINVALID when dir
 * has streams or temp files but no manifest: "'DIR' is incomplete: ..."). */
int hx_snapshot_read_hash(const char *dir, char hash[HX_HASH_HEX_LEN], size_t *records);

/* One stream's hash and records from dir/manifest.json (either shape).
 * HX_ENOTFOUND when there is no manifest or it lists no such stream. */
int hx_snapshot_read_stream_hash(const char *dir, const char *stream, char hash[HX_HASH_HEX_LEN],
				 size_t *records);

/* A manifest's streams, as read. */
typedef struct {
	char *name;
	char hash[HX_HASH_HEX_LEN];
	size_t records;
} hx_snapshot_entry;

typedef struct {
	hx_snapshot_entry *items; /* sorted by name; owned */
	size_t n;
	char hash[HX_HASH_HEX_LEN]; /* the top-level hash; "" for a single-stream manifest */
} hx_snapshot_manifest;

/* Read dir/manifest.json's streams (names checked as stream names, hashes
 * well formed). HX_ENOTFOUND when there is no manifest, HX_EINVALID when it
 * is not one. Release with hx_snapshot_manifest_release (also after an error). */
int hx_snapshot_manifest_read(hx_snapshot_manifest *out, const char *dir);
void hx_snapshot_manifest_release(hx_snapshot_manifest *m);
/* The entry named stream, or NULL. */
const hx_snapshot_entry *hx_snapshot_manifest_find(const hx_snapshot_manifest *m,
						    const char *stream);

typedef enum { HX_GOLDEN_MATCH, HX_GOLDEN_MISMATCH, HX_GOLDEN_MISSING } hx_golden_verdict;

const char *hx_golden_verdict_name(hx_golden_verdict v); /* match, mismatch, missing */

typedef struct {
	hx_golden_verdict verdict;
	char golden_hash[HX_HASH_HEX_LEN]; /* "" when missing */
	hx_diff_result diff;               /* filled on a mismatch */
} hx_golden_result;

void hx_golden_result_init(hx_golden_result *r);
void hx_golden_result_release(hx_golden_result *r);

/* Compare the snapshot in snapshot_dir (whose hash, as hx_snapshot_read_hash
 * reads it, is `hash`) with golden_dir: equal manifest hashes pass at hash
 * speed; otherwise the two telemetry streams are diffed record by record.
 * When either manifest has several streams, the diff is the one of the
 * first stream (by name) whose hashes differ, a stream only one side lists
 * diffing against an empty one (key fields: hx_telemetry_key_fields for
 * telemetry.jsonl, else none). Missing: golden_dir has no manifest.
 * golden_dir is read under its lock shared (lock.h; the caller may hold
 * the snapshot's lock, never golden's exclusive). */
int hx_golden_check(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
		    const char *hash);

/* One stream of a snapshot (hash: its hash, s[i].hash after
 * hx_snapshot_write_streams): missing when golden_dir has no manifest or
 * its manifest lists no such stream; match on equal stream hashes; else a
 * mismatch with the diff of golden_dir/<stream> and snapshot_dir/<stream>
 * (options as hx_golden_check's, records shown by key_fields, matched by
 * position). */
int hx_golden_check_stream(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
			   const char *stream, const char *hash, const char *const *key_fields);

/* The diff of golden_dir/<stream> and snapshot_dir/<stream> with the gate's
 * options, a side whose manifest does not list the stream (or that has no
 * manifest) being an empty stream. out is initialized by the caller. */
int hx_golden_diff_stream(hx_diff_result *out, const char *golden_dir, const char *snapshot_dir,
			  const char *stream, const char *const *key_fields);

/* Copy snapshot_dir into golden_dir after checking that every stream its
 * manifest lists still hashes to its entry and, for a several-stream
 * manifest, that the top-level hash is the hash of its "streams" object (a
 * hand-edited snapshot is refused: HX_EMISMATCH). Under the snapshot's
 * lock shared and golden's exclusive (lock.h), golden_dir is replaced as
 * a unit by one holding manifest.json, the streams it lists (a stream the
 * snapshot no longer has is gone from golden) and the snapshot's files
 * that are no part of a snapshot (notes). No temp file is ever copied:
 * those in snapshot_dir, left by an interrupted write, are removed with a
 * notice (hx_notice). HX_EINVALID when golden_dir holds a
 * subdirectory (not a snapshot: left alone). */
int hx_golden_accept(const char *snapshot_dir, const char *golden_dir);
/* The same copy into any directory (run --pending-dir's); expect_hash
 * (optional): the snapshot must still be the one with this hash (the
 * stream's, or a multi-stream manifest's top-level one), else nothing is
 * copied and HX_EMISMATCH says another run replaced it. */
int hx_snapshot_copy(const char *snapshot_dir, const char *dst_dir, const char *expect_hash);

/* Drop a pending snapshot: remove snapshot_dir as a unit, under its lock
 * exclusive (golden is never touched). HX_ENOTFOUND when there is no such
 * directory; a subdirectory inside is refused (HX_EINVALID): snapshots are
 * flat, so it is not one. */
int hx_golden_reject(const char *snapshot_dir);

/* The project's specs, as `golden status` and `nightly` see them. */
typedef struct {
	char *path;       /* the spec file */
	char *experiment; /* NULL when unreadable */
	char *golden;     /* its golden directory (`golden:`); NULL when unreadable */
	char **tags;      /* ntags strings */
	size_t ntags;
	char *error;      /* unreadable: hx_spec_load's message (a series: the
			   * located reason its experiment, golden or tags
			   * cannot be read); else NULL */
	int series;       /* 1: a series spec (top level has `steps:`) */
	char *duplicate;  /* another spec (the first by path) with the same
			   * experiment, or NULL */
} hx_golden_spec;

typedef struct {
	hx_golden_spec *items; /* sorted by path; owned */
	size_t n;
} hx_golden_specs;

void hx_golden_specs_init(hx_golden_specs *s);
void hx_golden_specs_release(hx_golden_specs *s);

/* Every *.yaml file in dir and below (entries starting with '.' skipped)
 * that is a spec. A YAML file whose top level has neither `experiment:` nor
 * `steps:` (models, profiles) is not a spec and is skipped silently; a file
 * that is not valid YAML, or a spec hx_spec_load refuses, is kept with
 * `error` set. A top-level `steps:` makes it a series spec (series = 1),
 * which hx_spec_load does not read: its `experiment` (a string, required,
 * named as in specs), `golden` (a string, default golden/<experiment>) and
 * `tags` (a list of strings) are read from the YAML, other keys left to the
 * series runner; a bad one is `error`, located ("FILE:L:C: ...").
 * Specs sharing an experiment name each get `duplicate`.
 * HX_ENOTFOUND when dir does not exist; HX_ESYSTEM when it cannot be read. */
int hx_golden_specs_scan(hx_golden_specs *out, const char *dir);

/* 1 when spec s has tag `tag`. */
int hx_golden_spec_has_tag(const hx_golden_spec *s, const char *tag);

/* What `golden status` says about one name. */
typedef enum {
	HX_GOLDEN_STATE_UNREADABLE, /* a spec or manifest that cannot be read */
	HX_GOLDEN_STATE_OK,         /* snapshot hash == golden hash */
	HX_GOLDEN_STATE_PENDING,    /* snapshot hash != golden hash */
	HX_GOLDEN_STATE_NEW,        /* a snapshot without a golden */
	HX_GOLDEN_STATE_MISSING,    /* a spec without golden nor snapshot */
	HX_GOLDEN_STATE_UNUSED,     /* a golden/NAME no spec refers to */
	HX_GOLDEN_STATE_GOLDEN,     /* a golden without a snapshot (not run yet) */
	HX_GOLDEN_STATE_DUPLICATE   /* an experiment name several specs give */
} hx_golden_state;

const char *hx_golden_state_name(hx_golden_state s); /* "ok", "pending", ... */

typedef struct {
	hx_golden_state state;
	char *name;         /* the experiment; unused: the golden dir; unreadable:
			     * the spec file or manifest directory */
	const char *kind;   /* unreadable: "spec", "snapshot" or "golden" (static) */
	char *spec;         /* the (first by path) spec of this experiment, or NULL */
	char *snapshot_dir; /* NULL when there is no snapshot */
	char *golden_dir;   /* where the golden is or would go; NULL: unreadable spec */
	char snapshot_hash[HX_HASH_HEX_LEN]; /* "" when none */
	char golden_hash[HX_HASH_HEX_LEN];   /* "" when none */
	size_t snapshot_records;
	char *error;        /* unreadable: why; duplicate: the specs
			     * ("a.yaml and b.yaml"); else NULL */
} hx_golden_entry;

typedef struct {
	hx_golden_entry *items; /* unreadable ones first, then duplicates, then
				 * by name; owned */
	size_t n;
} hx_golden_status;

void hx_golden_status_init(hx_golden_status *st);
void hx_golden_status_release(hx_golden_status *st);

/* Compare snapshots_root/<name>/ (each with a manifest) with its golden:
 * the golden dir of the spec whose experiment is <name> (the first by path),
 * else golden_root/<name>. Also lists specs whose golden has no manifest and
 * no snapshot either (missing; a spec with a snapshot but no golden is new),
 * directories golden_root/<name>/ that no spec's `golden:` names (unused),
 * and what cannot be read: specs, and snapshot or golden manifests. A spec
 * whose golden exists but has no snapshot is "golden"; an experiment
 * several specs name gets a "duplicate" entry besides its usual one. Golden paths compare after dropping "./" and
 * trailing slashes. Only manifests are read: a hand-edited stream shows up
 * at accept time, not here. A missing snapshots_root or golden_root is
 * empty; HX_ESYSTEM when one cannot be read. */
int hx_golden_status_scan(hx_golden_status *out, const hx_golden_specs *specs,
			  const char *snapshots_root, const char *golden_root);

/* The duplicate entry of this experiment name, or NULL. */
const hx_golden_entry *hx_golden_status_duplicate(const hx_golden_status *st, const char *name);

/* The entry with this name and a snapshot (pending, new or ok), or NULL. */
const hx_golden_entry *hx_golden_status_find(const hx_golden_status *st, const char *name);

/* One line per entry:
 *   "pending   NAME  (snapshot xxh3-128:.. != golden xxh3-128:..)"
 *   "new       NAME  (no golden yet)"
 *   "missing   NAME  (spec SPEC has no golden)"
 *   "unused    golden/NAME  (no spec refers to it)"
 *   "ok        NAME"
 *   "golden    NAME  (golden xxh3-128:.., no snapshot to compare yet)"
 *   "duplicate NAME  (named by A.yaml and B.yaml: one snapshot for several specs)"
 *   "unreadable spec FILE: reason" (or "snapshot DIR", "golden DIR") */
void hx_golden_entry_format(hx_buf *out, const hx_golden_entry *e);
void hx_golden_status_format(hx_buf *out, const hx_golden_status *st);
/* {"entries":[{"error":..,"golden":..,"golden_hash":..,"kind":..,"name":..,
 *  "snapshot":..,"snapshot_hash":..,"spec":..,"state":..},...]} and '\n';
 * absent values are null. */
void hx_golden_status_format_json(hx_buf *out, const hx_golden_status *st);

/* Shows one entry's review text (len bytes, lines ending in '\n'): the
 * CLI pages it. Nonzero: it could not, and the text goes to `term`. */
typedef int (*hx_golden_pager)(void *ctx, const char *text, size_t len);

/* The interactive review: for each pending or new entry, show its status
 * line and its full diff (hx_diff_format_summary and every record, grouped,
 * indented by two; for a new one, what accepting would create) through
 * `pager` (NULL: written to `term`), then prompt on `term` and read one
 * key from `keys` (whitespace skipped):
 * a = accept (hx_golden_accept), r = reject (hx_golden_reject), s = skip,
 * q or end of input = quit (what is left counts as skipped); any other key
 * repeats the prompt. The choice is written out as a word, so the terminal
 * need not echo. A failed accept or reject is reported on `term` and the
 * walk goes on; `err` keeps the first such code. */
typedef struct {
	size_t accepted, rejected, skipped;
	size_t failed;
	int err; /* first failure's code, 0 when none */
} hx_golden_review_counts;

int hx_golden_review(hx_golden_review_counts *out, const hx_golden_status *st, FILE *keys,
		     FILE *term, hx_golden_pager pager, void *pager_ctx);

/* Key fields the diff shows for telemetry records. */
extern const char *const hx_telemetry_key_fields[];

#endif
