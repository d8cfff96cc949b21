/* archive.h - run archives (the only user of libarchive).
 *
 * An archive is a tar compressed with zstd (gzip when libarchive cannot
 * write zstd in-process) whose first member is MANIFEST.json, one RFC 8785
 * line ending in '\n' (keys sorted; shown here in a readable order):
 *
 *   {"format":"harness-archive/1","harness_version":"0.1.0",
 *    "git_revision":"abc1234" | null,"experiment":"smoke","seed":"42",
 *    "spec":"spec.yaml","engine":{"kind":..,"version":..[,"path":..,
 *    "binary_hash":..,"toolchain":..]},"host":{"name":..,"os":..},
 *    "workers":2,"started":"2026-11-22T10:00:00Z","finished":"...",
 *    "snapshot_hash":"xxh3-128:..","golden":"match"|"mismatch"|"missing",
 *    "members":[{"name":"spec.yaml","size":123,"hash":"xxh3-128:.."},...],
 *    "manifest_hash":"xxh3-128:.."}
 *
 * manifest_hash is the XXH3-128 of the manifest's RFC 8785 text without
 * the manifest_hash field (and without the '\n'). The manifest guards
 * itself this way because zstd as libarchive writes it carries no checksum:
 * a damaged byte can decompress into another valid value. To check it by
 * hand: sed -E 's/"manifest_hash":"[^"]*",//' MANIFEST.json | tr -d '\n' |
 * xxh128sum.
 *
 * The members follow in the order given, each a regular file (mode 0644,
 * mtime 0, owner 0, no owner names: the same run on the same host gives the
 * same archive bytes). hx_archive_write writes PATH.tmp-PID, fsyncs it and
 * renames it to PATH, so there is never a partial archive under PATH.
 *
 * Note: src/ is on the include path, so this header shadows libarchive's
 * <archive.h>; archive.c reaches libarchive's as <../include/archive.h>.
 */
#ifndef HX_ARCHIVE_H
#define HX_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hash.h"

#define HX_ARCHIVE_FORMAT "harness-archive/1"
#define HX_ARCHIVE_MANIFEST "MANIFEST.json"

typedef struct {
	const char *name; /* member path inside the archive, e.g. "telemetry.jsonl" */
	const char *data; /* its bytes (not retained) */
	size_t len;
} hx_archive_member;

typedef struct {
	const char *experiment;
	uint64_t seed;
	const char *spec_member;     /* name of the resolved spec member */
	const char *engine_kind, *engine_version;
	const char *engine_path, *engine_hash, *engine_toolchain; /* NULL: left out */
	int workers;
	const char *started, *finished; /* UTC, ISO 8601 */
	const char *snapshot_hash;
	const char *golden;          /* match, mismatch, missing */
} hx_archive_meta;

/* Write an archive: MANIFEST.json (meta, harness version and git revision
 * (HX_GIT_REVISION when built in a checkout, else null), host name and OS
 * ("sysname release machine") from uname, each member's size and XXH3-128),
 * then the members. NULL strings in meta are written as null. The seed is
 * a decimal string (a JSON number cannot hold every uint64_t).
 * *compression_out (may be NULL) gets "zstd" or "gzip" (a static string).
 * Atomic: PATH's directory must exist. Errors: HX_EINVALID for a member
 * name that is empty, absolute, has an empty, "." or ".." component, is
 * MANIFEST.json, or is given twice ("archive member 'a' given twice");
 * HX_ESYSTEM for I/O (the temp file is removed). */
int hx_archive_write(const char *path, const hx_archive_meta *meta,
		     const hx_archive_member *members, size_t n, const char **compression_out);

/* A verified archive in memory: the manifest text and every member. */
typedef struct {
	char *manifest;          /* MANIFEST.json text, '\n' included (owned) */
	size_t manifest_len;
	char **names;            /* member names, archive order, MANIFEST.json
				  * not among them (owned) */
	hx_buf *data;            /* their bytes (owned) */
	size_t n;
} hx_archive_contents;

void hx_archive_contents_release(hx_archive_contents *c);

/* Read PATH and check it against its manifest: every member listed is
 * present once with that size and XXH3-128, and nothing else is there.
 * Members of more than 1 GiB are refused (archives are read whole). On
 * success the caller owns *out (hx_archive_contents_release); on failure
 * *out is left empty. Errors:
 * - HX_ENOTFOUND: "cannot open 'PATH': No such file or directory";
 * - HX_EINVALID: "'PATH' is not a regular file", "'PATH': truncated, corrupt or not a harness archive:
 *   <libarchive's message>" (cut short, a damaged compressed stream or tar
 *   header, not a tar), "'PATH': not a harness archive: ..." (MANIFEST.json
 *   not first or absent, a member that is not a regular file), and a
 *   manifest that does not parse ("'PATH': MANIFEST.json:1:COL: ..."), is
 *   not harness-archive/1, is not one RFC 8785 line, has no manifest_hash,
 *   or lists a member twice or without a name, size or hash;
 * - HX_EMISMATCH: "'PATH': member 'telemetry.jsonl' does not match the
 *   manifest (size 10 != 12 | hash ACTUAL != LISTED)" (what was read first,
 *   what the manifest says second), "'PATH': member 'x' is listed in the
 *   manifest but missing (truncated archive?)", "... is not listed in the
 *   manifest", "... appears twice", "'PATH': MANIFEST.json does not match
 *   its manifest_hash (ACTUAL != LISTED)";
 * - HX_ESYSTEM: PATH cannot be opened for another reason. */
int hx_archive_read(hx_archive_contents *out, const char *path);

/* The bytes of member `name` (NULL when absent). */
const hx_buf *hx_archive_member_data(const hx_archive_contents *c, const char *name);

/* Verify, then write every member (and MANIFEST.json) below dir (created
 * with any missing parents; each file atomically). Nothing is written when
 * the archive does not verify or a member name could escape dir (absolute,
 * or an empty, "." or ".." component): HX_EINVALID "'PATH': member '../x'
 * would be written outside 'DIR'". Other errors as hx_archive_read. */
int hx_archive_extract(const char *path, const char *dir);

#endif
