/* snapshot_fixture.h - the snapshots test_snapshot.c and test_golden.c
 * write (header only, static inline; include after cmocka.h). */
#ifndef HX_SNAPSHOT_FIXTURE_H
#define HX_SNAPSHOT_FIXTURE_H

#include <stdarg.h>
#include <string.h>

#include "fsutil.h"
#include "hash.h"
#include "snapshot.h"

/* The snapshot info of the tests' single-stream snapshots of text;
 * release p (hx_canon_profile_release after p->name = NULL). */
static inline void demo_info(hx_snapshot_info *info, hx_canon_profile *p, const char *text)
{
	memset(info, 0, sizeof(*info));
	hx_canon_profile_init(p);
	p->name = "none";
	info->experiment = "demo";
	info->seed = 18446744073709551615ULL;
	info->engine.kind = "sim-verifier";
	info->engine.version = "sim-verifier/1";
	info->profile = p;
	hx_hash128_buf(info->hash, text, strlen(text));
	info->records = 2;
}

static inline void write_snapshot(const char *dir, const char *text)
{
	hx_canon_profile p;
	hx_snapshot_info info;
	demo_info(&info, &p, text);
	assert_int_equal(hx_snapshot_write(dir, &info, text, strlen(text)), 0);
	p.name = NULL;
	hx_canon_profile_release(&p);
}

static inline void write_file(const char *path, const char *text)
{
	char *dir = hx_path_dirname(path);
	assert_int_equal(hx_mkdirs(dir, 0777), 0);
	assert_int_equal(hx_file_write_atomic(path, text, strlen(text)), 0);
	free(dir);
}

static inline void hash_of(char out[HX_HASH_HEX_LEN], const char *text)
{
	hx_hash128_buf(out, text, strlen(text));
}

static inline void streams_info(hx_snapshot_info *info, hx_canon_profile *p)
{
	memset(info, 0, sizeof(*info));
	hx_canon_profile_init(p);
	p->name = "none";
	info->experiment = "series";
	info->seed = 7;
	info->engine.kind = "ticksim";
	info->engine.version = "ticksim/1";
	info->profile = p;
	/* ignored by hx_snapshot_write_streams */
	strcpy(info->hash, "xxh3-128:00000000000000000000000000000000");
	info->records = 99;
}

/* Write streams (name, text, records)... (NULL-terminated) into dir. */
static inline void write_streams(const char *dir, char top[HX_HASH_HEX_LEN], ...)
{
	hx_snapshot_stream s[8];
	hx_snapshot_info info;
	hx_canon_profile p;
	size_t n = 0;
	const char *name;
	va_list ap;

	streams_info(&info, &p);
	memset(s, 0, sizeof(s));
	va_start(ap, top);
	while ((name = va_arg(ap, const char *)) != NULL) {
		s[n].name = name;
		s[n].data = va_arg(ap, const char *);
		s[n].len = strlen(s[n].data);
		s[n].records = va_arg(ap, size_t);
		n++;
	}
	va_end(ap);
	assert_int_equal(hx_snapshot_write_streams(dir, &info, s, n, top), 0);
	p.name = NULL;
	hx_canon_profile_release(&p);
}

#endif
