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
 */
#ifndef HX_SNAPSHOT_H
#define HX_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "canon.h"
#include "diff.h"
#include "hash.h"

#define HX_SNAPSHOT_FORMAT "harness-snapshot/1"
#define HX_SNAPSHOT_STREAM "telemetry.jsonl"

typedef struct {
	const char *experiment;
	uint64_t seed;
	const char *engine_kind;
	const char *engine_version;
	const char *engine_path;  /* real engines: the binary, its XXH3 and the */
	const char *engine_hash;  /* Lean toolchain; NULL when not known */
	const char *toolchain;
	const hx_canon_profile *profile;
	char hash[HX_HASH_HEX_LEN]; /* of the canonical stream */
	size_t records;
} hx_snapshot_info;

/* Write dir/telemetry.jsonl then dir/manifest.json, each atomically. */
int hx_snapshot_write(const char *dir, const hx_snapshot_info *info, const char *canonical,
		      size_t len);

/* Read the telemetry stream hash and record count from dir/manifest.json.
 * HX_ENOTFOUND when there is no manifest. */
int hx_snapshot_read_hash(const char *dir, char hash[HX_HASH_HEX_LEN], size_t *records);

typedef enum { HX_GOLDEN_MATCH, HX_GOLDEN_MISMATCH, HX_GOLDEN_MISSING } hx_golden_verdict;

const char *hx_golden_verdict_name(hx_golden_verdict v); /* match, mismatch, missing */

typedef struct {
	hx_golden_verdict verdict;
	char golden_hash[HX_HASH_HEX_LEN]; /* "" when missing */
	hx_diff_result diff;               /* filled on a mismatch */
} hx_golden_result;

void hx_golden_result_init(hx_golden_result *r);
void hx_golden_result_release(hx_golden_result *r);

/* Compare the snapshot in snapshot_dir (whose stream hashes to `hash`) with
 * golden_dir: equal manifest hashes pass at hash speed; otherwise the two
 * streams are diffed record by record. */
int hx_golden_check(hx_golden_result *out, const char *golden_dir, const char *snapshot_dir,
		    const char *hash);

/* Copy snapshot_dir into golden_dir after checking that the snapshot's
 * stream still hashes to its manifest (a hand-edited snapshot is refused). */
int hx_golden_accept(const char *snapshot_dir, const char *golden_dir);

/* Key fields the diff shows for telemetry records. */
extern const char *const hx_telemetry_key_fields[];

#endif
