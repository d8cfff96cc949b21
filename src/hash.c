#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "buf.h"
#include "error.h"

struct hx_hash128 {
	XXH3_state_t *st;
};

hx_hash128 *hx_hash128_new(void)
{
	hx_hash128 *h = hx_xmalloc(sizeof(*h));
	h->st = XXH3_createState();
	if (!h->st)
		hx_oom();
	XXH3_128bits_reset(h->st);
	return h;
}

void hx_hash128_free(hx_hash128 *h)
{
	if (!h)
		return;
	XXH3_freeState(h->st);
	free(h);
}

void hx_hash128_update(hx_hash128 *h, const void *data, size_t len)
{
	XXH3_128bits_update(h->st, data, len);
}

static void to_hex(XXH128_hash_t v, char out[HX_HASH_HEX_LEN])
{
	static const char digits[] = "0123456789abcdef";
	XXH128_canonical_t c;
	size_t i, p = sizeof(HX_HASH_PREFIX) - 1;
	XXH128_canonicalFromHash(&c, v);
	memcpy(out, HX_HASH_PREFIX, p);
	for (i = 0; i < sizeof(c.digest); i++) {
		out[p++] = digits[c.digest[i] >> 4];
		out[p++] = digits[c.digest[i] & 15];
	}
	out[p] = '\0';
}

void hx_hash128_hex(const hx_hash128 *h, char out[HX_HASH_HEX_LEN])
{
	to_hex(XXH3_128bits_digest(h->st), out);
}

void hx_hash128_buf(char out[HX_HASH_HEX_LEN], const void *data, size_t len)
{
	to_hex(XXH3_128bits(data, len), out);
}

int hx_hash128_file(char out[HX_HASH_HEX_LEN], const char *path)
{
	enum { CHUNK = 1 << 20 };
	char *chunk;
	int is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	hx_hash128 *h;
	size_t n;
	int err = 0;

	if (!fp) {
		int e = errno;
		hx_error_set_errno(e, "cannot open '%s'", path);
		return hx_error_from_errno(e);
	}
	h = hx_hash128_new();
	chunk = hx_xmalloc(CHUNK);
	while ((n = fread(chunk, 1, CHUNK, fp)) > 0)
		hx_hash128_update(h, chunk, n);
	free(chunk);
	if (ferror(fp)) {
		hx_error_set_errno(errno, "cannot read '%s'", path);
		err = HX_ESYSTEM;
	} else {
		hx_hash128_hex(h, out);
	}
	hx_hash128_free(h);
	if (!is_stdin)
		fclose(fp);
	return err;
}

uint64_t hx_hash64(const void *data, size_t len, uint64_t seed)
{
	return XXH64(data, len, seed);
}
