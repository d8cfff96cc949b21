/* hash.h - XXH3-128 digests and XXH64 seeds (the only user of xxHash).
 *
 * Digests print as "xxh3-128:" + 32 lowercase hex digits in xxHash's
 * canonical big-endian form: the same digits `xxh128sum` prints.
 */
#ifndef HX_HASH_H
#define HX_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HX_HASH_HEX_LEN 42 /* "xxh3-128:" (9) + 32 hex + NUL */
#define HX_HASH_PREFIX "xxh3-128:"

typedef struct hx_hash128 hx_hash128; /* opaque streaming state */

hx_hash128 *hx_hash128_new(void);
void hx_hash128_free(hx_hash128 *h); /* accepts NULL */
void hx_hash128_update(hx_hash128 *h, const void *data, size_t len);
/* Write "xxh3-128:<hex>" into out[HX_HASH_HEX_LEN]; the state stays usable. */
void hx_hash128_hex(const hx_hash128 *h, char out[HX_HASH_HEX_LEN]);

/* One-shot digest of a buffer. */
void hx_hash128_buf(char out[HX_HASH_HEX_LEN], const void *data, size_t len);

/* Digest a file's bytes ("-" is stdin). */
int hx_hash128_file(char out[HX_HASH_HEX_LEN], const char *path);

uint64_t hx_hash64(const void *data, size_t len, uint64_t seed);

#endif
