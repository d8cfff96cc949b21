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
#include "engine_id.h"
#include "hash.h"

#define HX_ARCHIVE_FORMAT "harness-archive/1"
#define HX_ARCHIVE_MANIFEST "MANIFEST.json"

typedef struct {
	const char *name; /* member path inside the archive, e.g. "telemetry.jsonl" */
	const char *data; /* its bytes (not retained) */
	size_t len;
	/* data NULL and path set: the member is this file, read in blocks
	 * (twice: hashed for the manifest, then copied), never held whole,
	 * so a run's telemetry of any size is archived in a few buffers; len
	 * is ignored. The file must not change meanwhile (its size is checked). */
	const char *path;
} hx_archive_member;

typedef struct {
	const char *experiment;
	uint64_t seed;
	const char *spec_member;     /* name of the resolved spec member */
	hx_engine_id engine;         /* path, hash, toolchain NULL: left out */
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
 * MANIFEST.json, or is given twice ("archive member 'a' given twice"), and
 * for an archive the reader would refuse (a member over
 * HX_ARCHIVE_MEMBER_MAX, more than hx_archive_budget allows); HX_ESYSTEM
 * for I/O, the cause named ("cannot write 'PATH' (member 'x'): No space
 * left on device"; the temp file is removed). */
int hx_archive_write(const char *path, const hx_archive_meta *meta,
		     const hx_archive_member *members, size_t n, const char **compression_out);

/* What a reader accepts, so that a small hostile file cannot make it read
 * (or hold) without bound. An archive "unpacks to" its members' sizes plus,
 * per tar entry (MANIFEST.json and directories included), 512 bytes and
 * the length of its name; it may unpack to at most hx_archive_budget(its
 * file size):
 * HX_ARCHIVE_SLACK + HX_ARCHIVE_RATIO x its size, and never more than
 * HX_ARCHIVE_TOTAL_MAX. Real runs are far inside: the full experiment's
 * archive (30,000 tasks) is 5.4 MB and unpacks to 38 MB, 7x. A zstd
 * stream of zeros reaches 30,000x, the bombs this keeps out. */
#define HX_ARCHIVE_MEMBER_MAX ((uint64_t)1 << 30)   /* 1 GiB a member */
#define HX_ARCHIVE_MANIFEST_MAX ((uint64_t)16 << 20) /* 16 MiB of MANIFEST.json */
#define HX_ARCHIVE_TOTAL_MAX ((uint64_t)4 << 30)    /* 4 GiB in all */
#define HX_ARCHIVE_SLACK ((uint64_t)64 << 20)       /* 64 MiB whatever the size */
#define HX_ARCHIVE_RATIO 256
#define HX_ARCHIVE_HEADER_COST 512

/* The most an archive of file_size bytes may unpack to (see above). */
uint64_t hx_archive_budget(uint64_t file_size);

/* A verified archive: the manifest text and (hx_archive_read) every member. */
typedef struct {
	char *manifest;          /* MANIFEST.json text, '\n' included (owned) */
	size_t manifest_len;
	char **names;            /* member names, archive order, MANIFEST.json
				  * not among them, a leading "./" taken off (owned) */
	hx_buf *data;            /* their bytes (owned) */
	size_t n;                /* 0 after hx_archive_verify */
} hx_archive_contents;

void hx_archive_contents_release(hx_archive_contents *c);

/* Read PATH and check it against its manifest: every member listed is
 * present once with that size and XXH3-128, and nothing else is there.
 * The check streams: each member is hashed as it is read, and refused
 * before any of its bytes are read when its tar header says a size other
 * than the manifest's, or when the manifest does not list it; the sizes
 * the manifest lists must fit the budget above. So memory never exceeds
 * the sizes the manifest lists (hx_archive_read keeps the members) or a
 * few buffers (hx_archive_verify, hx_archive_extract).
 *
 * Accepted besides what hx_archive_write writes, so that a run directory
 * repacked with plain GNU tar ("tar -cf x.tar ." in an extracted archive,
 * with or without --zstd / -z) verifies: MANIFEST.json anywhere in the tar
 * (members before it are hashed, within the budget, and checked once it is
 * read); names with a leading "./"; directory entries for "." and for the
 * directories of listed members. Still refused: a member that is not a
 * regular file or directory (symbolic or hard link, device), and a name
 * that could leave an extraction directory (absolute, or an empty, "." or
 * ".." component). The reader takes tar, uncompressed or through zstd or
 * gzip (what hx_archive_write writes), nothing else.
 *
 * On success the caller owns *out (hx_archive_contents_release); on
 * failure *out is left empty. Errors:
 * - HX_ENOTFOUND: "cannot open 'PATH': No such file or directory";
 * - HX_EINVALID: "'PATH' is not a regular file"; "'PATH': truncated,
 *   corrupt or not a harness archive: <libarchive's message>" (cut short,
 *   a damaged compressed stream or tar header, not a tar); "'PATH': not a
 *   harness archive: ..." (no MANIFEST.json, a member that is not a regular
 *   file); a manifest that does not parse ("'PATH': MANIFEST.json:1:COL:
 *   ..."), is not harness-archive/1, is not one RFC 8785 line, has no
 *   manifest_hash, or lists a member twice or without a name, size or hash;
 *   "'PATH': member '../x' would be written outside the directory it is
 *   unpacked into"; and an archive bomb, refused unread: "'PATH': member
 *   'zero0' (1.0 GiB) takes it past the 106.3 MiB an archive of 169.1 KiB
 *   may unpack to (64 MiB + 256 x its size): refused unread" (a member
 *   the manifest does not list, or lists smaller, is a mismatch below,
 *   unless its size alone breaks the budget: then it is this), "'PATH':
 *   MANIFEST.json lists 4.0 GiB of members, past the ...", "'PATH':
 *   MANIFEST.json lists member 'x' at 1.0 TiB, larger than the 1 GiB a
 *   member may hold: refused unread", the same for a tar header, and
 *   "'PATH': MANIFEST.json (20.0 MiB) is larger than the 16 MiB a
 *   manifest may hold: refused unread";
 * - HX_EMISMATCH: "'PATH': member 'telemetry.jsonl' does not match the
 *   manifest (size 10 != 12 | hash ACTUAL != LISTED)" (what the archive
 *   holds first, what the manifest says second), "'PATH': member 'x' is
 *   listed in the manifest but missing (truncated archive?)", "... is not
 *   listed in the manifest", "... appears twice", "'PATH': MANIFEST.json
 *   does not match its manifest_hash (ACTUAL != LISTED)";
 * - HX_ESYSTEM: PATH cannot be opened for another reason. */
int hx_archive_read(hx_archive_contents *out, const char *path);

/* hx_archive_read keeping only the members named in keep[0..nkeep-1]: the
 * others are verified as they stream and dropped, so memory is the kept
 * members' sizes (for a reader that needs one member of a large archive).
 * A name the archive does not hold is absent from out, not an error. */
int hx_archive_read_some(hx_archive_contents *out, const char *path, const char *const *keep,
			 size_t nkeep);

/* hx_archive_read without keeping the members: out->manifest only. For
 * what needs the manifest of a verified archive (archive show, ls). */
int hx_archive_verify(hx_archive_contents *out, const char *path);

/* The bytes of member `name` (NULL when absent). */
const hx_buf *hx_archive_member_data(const hx_archive_contents *c, const char *name);

/* Verify and unpack: MANIFEST.json and every member, streamed into a new
 * directory beside dir (".NAME.extract-XXXXXX"), which is renamed to dir
 * once everything verified and was written (fsynced). dir must not exist
 * or be an empty directory (then it is replaced); its parents are created.
 * Whatever fails (verification, a full disk, an escaping name) nothing is
 * left: the temporary directory and the parents made for it are removed,
 * and the message, once the temporary directory was made, ends in ";
 * nothing extracted" (or "; 'TMP' is left behind" when it cannot be
 * removed; a SIGKILL leaves it too, under its hidden name). A name that could escape: HX_EINVALID "'PATH': member '../x'
 * would be written outside 'DIR'". dir not empty: HX_EINVALID "cannot
 * extract into 'DIR': it exists and is not an empty directory". Writing:
 * HX_ESYSTEM "'PATH': cannot write member 'x' into 'DIR': No space left on
 * device; nothing extracted". Other errors as hx_archive_read. */
int hx_archive_extract(const char *path, const char *dir);

#endif
