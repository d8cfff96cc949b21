/* shard.h - shards of one plan, and the manifest a shard leaves.
 *
 * Shard K of N (0-based) is the tasks K, K + N, K + 2N, ... of the plan:
 * strided, not contiguous. The plan is ordered tier by tier (plan.h), and
 * the tiers differ in timeout and duration by an order of magnitude, so a
 * contiguous cut would give one shard the slow tier's tasks and another
 * the fast tier's, and the array job would wait for its slowest shard;
 * a stride gives every shard the same mix of tiers and modules, so shards
 * finish together. Merging stays a single pass: the shards' telemetry
 * files are read round robin, task i coming from shard i mod N.
 *
 * A shard's run directory holds DIR/telemetry.jsonl (its tasks in plan
 * order) and DIR/shard.json, one RFC 8785 line (keys sorted):
 *
 *   {"attempts":1,"complete":true,"engine":{"hash":null,"kind":"sim-verifier",
 *    "path":null,"toolchain":null,"version":"sim-verifier/2"},
 *    "experiment":"full","first":2,"format":"harness-shard/1",
 *    "plan_size":30000,"records":7500,"seed":"42","shard":2,"shards":4,
 *    "spec":"experiments/full.yaml","spec_hash":"xxh3-128:..","stride":4,
 *    "tasks":7500}
 *
 * written (atomically) when the shard starts, complete false and records
 * what a resumed shard took back, and again when its last task is done.
 * attempts counts the starts, --resume included.
 */
#ifndef HX_SHARD_H
#define HX_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "engine_id.h"
#include "hash.h"

#define HX_SHARD_FORMAT "harness-shard/1"
#define HX_SHARD_MANIFEST "shard.json"

typedef struct {
	unsigned long k, n; /* shard k of n; n == 0: the whole plan */
} hx_shard;

/* "K/N" with 0 <= K < N, N >= 1. HX_EINVALID with "'--shard' takes K/N
 * (0 <= K < N): 'TEXT'". */
int hx_shard_parse(hx_shard *out, const char *text);

/* The number of tasks of shard s in a plan of plan_n tasks. */
size_t hx_shard_tasks(size_t plan_n, const hx_shard *s);

/* The plan index of the shard's j-th task. */
static inline size_t hx_shard_task_index(const hx_shard *s, size_t j)
{
	return (size_t)s->k + j * (size_t)s->n;
}

typedef struct {
	char *experiment, *spec;
	char spec_hash[HX_HASH_HEX_LEN];
	uint64_t seed;
	size_t plan_size;
	hx_shard shard;
	size_t tasks;   /* in this shard (first = shard.k, stride = shard.n) */
	size_t records; /* written so far */
	int complete;
	unsigned long attempts;
	hx_engine_id engine; /* owned (hx_engine_id_dup) */
} hx_shard_manifest;

void hx_shard_manifest_release(hx_shard_manifest *m);

/* DIR/shard.json, atomically. */
int hx_shard_manifest_write(const char *dir, const hx_shard_manifest *m);

/* Read DIR/shard.json. HX_ENOTFOUND ("'DIR' is not a shard: no DIR/shard.json")
 * or HX_EINVALID ("DIR/shard.json: ...") for one that is not a manifest. */
int hx_shard_manifest_read(hx_shard_manifest *m, const char *dir);

#endif
