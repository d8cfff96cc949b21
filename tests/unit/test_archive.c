/* test_archive.c - run archives: round trip, determinism, and every way a
 * damaged or doctored archive must be refused. Archives that hx_archive_write
 * would never make are crafted with GNU tar and zstd (libarchive belongs to
 * src/archive.c alone). */
#define _DEFAULT_SOURCE /* wait4, MAP_ANONYMOUS */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "archive.h"
#include "buf.h"
#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "hash.h"
#include "json.h"
#include "testutil.h"

HX_TEST_TMPDIR_FIXTURE("archive")

static const char spec_text[] = "experiment: smoke\nseed: 18446744073709551615\n";
static const char telemetry_text[] = "{\"a\":1}\n{\"a\":2}\n";
static const char report_text[] = "# report\n";

static const hx_archive_member sample_members[] = {
	{"spec.yaml", spec_text, sizeof(spec_text) - 1, NULL},
	{"telemetry.jsonl", telemetry_text, sizeof(telemetry_text) - 1, NULL},
	{"report/report.md", report_text, sizeof(report_text) - 1, NULL},
};

static void sample_meta(hx_archive_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->experiment = "smoke";
	m->seed = UINT64_MAX;
	m->spec_member = "spec.yaml";
	m->engine.kind = "sim-verifier";
	m->engine.version = "sim-verifier/1";
	m->engine.toolchain = "lean 4.9";
	m->workers = 2;
	m->started = "2026-11-22T10:00:00Z";
	m->finished = "2026-11-22T10:00:05Z";
	m->snapshot_hash = "xxh3-128:00112233445566778899aabbccddeeff";
	m->golden = "match";
}

static void write_sample(const char *path)
{
	hx_archive_meta m;
	const char *compression = NULL;
	sample_meta(&m);
	assert_int_equal(hx_archive_write(path, &m, sample_members, 3, &compression), 0);
	assert_string_equal(compression, "zstd");
}

/* Run a shell command built printf-style; its exit status. */
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void assert_contains(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("'%s' does not contain '%s'", s, part);
}

/* hx_archive_read must refuse path with code, saying what is in `part`. */
static void assert_refused(const char *path, int code, const char *part)
{
	hx_archive_contents c;
	int err = hx_archive_read(&c, path);
	if (err != code)
		fail_msg("'%s': got %d (%s), want %d", path, err, hx_error_last(), code);
	assert_contains(hx_error_last(), path);
	assert_contains(hx_error_last(), part);
	assert_null(c.manifest);
	assert_int_equal(c.n, 0);
}

static void test_round_trip(void **state)
{
	hx_archive_contents c;
	hx_arena *arena = hx_arena_new();
	hx_json *root = NULL, *members, *engine;
	hx_buf canon = HX_BUF_INIT;
	char hex[HX_HASH_HEX_LEN];
	size_t i;
	(void)state;

	write_sample("rt.tar.zst");
	assert_int_equal(hx_archive_read(&c, "rt.tar.zst"), 0);
	assert_int_equal(c.n, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(c.names[i], sample_members[i].name);
		assert_int_equal(c.data[i].len, sample_members[i].len);
		assert_memory_equal(c.data[i].ptr, sample_members[i].data, sample_members[i].len);
	}
	assert_ptr_equal(hx_archive_member_data(&c, "telemetry.jsonl"), &c.data[1]);
	assert_null(hx_archive_member_data(&c, "nope"));

	/* One RFC 8785 line: canonicalizing it changes nothing. */
	assert_int_equal(c.manifest_len, strlen(c.manifest));
	assert_int_equal(c.manifest[c.manifest_len - 1], '\n');
	assert_null(memchr(c.manifest, '\n', c.manifest_len - 1));
	assert_int_equal(hx_canon_line(&canon, arena, c.manifest, c.manifest_len - 1, NULL, "m", 1), 0);
	assert_string_equal(canon.ptr, c.manifest);
	assert_true(strncmp(c.manifest, "{\"engine\":{", 11) == 0);

	assert_int_equal(hx_json_parse(&root, arena, c.manifest, c.manifest_len, NULL), 0);
	assert_string_equal(hx_json_get(root, "format")->u.string.ptr, HX_ARCHIVE_FORMAT);
	assert_string_equal(hx_json_get(root, "harness_version")->u.string.ptr, HX_VERSION);
	assert_true(hx_json_get(root, "git_revision")->type == HX_JSON_STRING ||
		    hx_json_get(root, "git_revision")->type == HX_JSON_NULL);
	assert_string_equal(hx_json_get(root, "experiment")->u.string.ptr, "smoke");
	assert_string_equal(hx_json_get(root, "seed")->u.string.ptr, "18446744073709551615");
	assert_string_equal(hx_json_get(root, "spec")->u.string.ptr, "spec.yaml");
	assert_true(hx_json_get(root, "workers")->u.number == 2);
	assert_string_equal(hx_json_get(root, "started")->u.string.ptr, "2026-11-22T10:00:00Z");
	assert_string_equal(hx_json_get(root, "finished")->u.string.ptr, "2026-11-22T10:00:05Z");
	assert_string_equal(hx_json_get(root, "snapshot_hash")->u.string.ptr,
			    "xxh3-128:00112233445566778899aabbccddeeff");
	assert_string_equal(hx_json_get(root, "golden")->u.string.ptr, "match");
	engine = hx_json_get(root, "engine");
	assert_int_equal(engine->u.object.len, 3); /* path and binary_hash left out */
	assert_string_equal(hx_json_get(engine, "kind")->u.string.ptr, "sim-verifier");
	assert_string_equal(hx_json_get(engine, "version")->u.string.ptr, "sim-verifier/1");
	assert_string_equal(hx_json_get(engine, "toolchain")->u.string.ptr, "lean 4.9");
	assert_int_equal(hx_json_get(root, "manifest_hash")->u.string.len, HX_HASH_HEX_LEN - 1);
	assert_true(hx_json_get(hx_json_get(root, "host"), "name")->u.string.len > 0);
	assert_true(hx_json_get(hx_json_get(root, "host"), "os")->u.string.len > 0);
	members = hx_json_get(root, "members");
	assert_int_equal(members->u.array.len, 3);
	for (i = 0; i < 3; i++) {
		const hx_json *m = members->u.array.items[i];
		hx_hash128_buf(hex, sample_members[i].data, sample_members[i].len);
		assert_string_equal(hx_json_get(m, "name")->u.string.ptr, sample_members[i].name);
		assert_true(hx_json_get(m, "size")->u.number == (double)sample_members[i].len);
		assert_string_equal(hx_json_get(m, "hash")->u.string.ptr, hex);
	}
	assert_string_equal(hx_json_get(members->u.array.items[1], "hash")->u.string.ptr,
			    "xxh3-128:b0f50a1de50c8d4d55e73022c3e319a2");

	/* GNU tar reads it too, MANIFEST.json first, owner 0, mode 0644, 1970. */
	assert_int_equal(sh("tar --zstd -tvf rt.tar.zst > listing.txt"), 0);
	hx_buf_reset(&canon);
	assert_int_equal(hx_file_read(&canon, "listing.txt"), 0);
	assert_true(strncmp(canon.ptr, "-rw-r--r-- 0/0", 14) == 0);
	assert_contains(canon.ptr, "1970-01-01 00:00 MANIFEST.json\n");
	assert_contains(canon.ptr, " report/report.md\n");
	/* No temp file left next to it. */
	assert_int_equal(sh("ls | grep -q tmp"), 256);

	hx_archive_contents_release(&c);
	hx_buf_release(&canon);
	hx_arena_free(arena);
}

static void test_same_input_same_bytes(void **state)
{
	hx_buf a = HX_BUF_INIT, b = HX_BUF_INIT;
	(void)state;
	write_sample("d1.tar.zst");
	write_sample("d2.tar.zst");
	assert_int_equal(hx_file_read(&a, "d1.tar.zst"), 0);
	assert_int_equal(hx_file_read(&b, "d2.tar.zst"), 0);
	assert_true(a.len > 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	hx_buf_release(&a);
	hx_buf_release(&b);
}

/* A member read from a file (in blocks, past one 128 KiB block here) gives
 * the archive the same bytes as the member given in memory; a file that is
 * missing is an error naming it. */
static void test_members_from_files(void **state)
{
	hx_buf big = HX_BUF_INIT, a = HX_BUF_INIT, b = HX_BUF_INIT;
	hx_archive_member mem[2], file[2];
	hx_archive_meta m;
	size_t i;
	(void)state;
	for (i = 0; i < 40000; i++)
		hx_buf_printf(&big, "{\"i\":%zu}\n", i);
	assert_int_equal(hx_file_write_atomic("big.jsonl", big.ptr, big.len), 0);
	sample_meta(&m);
	memset(mem, 0, sizeof(mem));
	memset(file, 0, sizeof(file));
	mem[0].name = file[0].name = "spec.yaml";
	mem[0].data = file[0].data = spec_text;
	mem[0].len = file[0].len = sizeof(spec_text) - 1;
	mem[1].name = file[1].name = "telemetry.jsonl";
	mem[1].data = big.ptr;
	mem[1].len = big.len;
	file[1].path = "big.jsonl";
	assert_int_equal(hx_archive_write("mem.tar.zst", &m, mem, 2, NULL), 0);
	assert_int_equal(hx_archive_write("file.tar.zst", &m, file, 2, NULL), 0);
	assert_int_equal(hx_file_read(&a, "mem.tar.zst"), 0);
	assert_int_equal(hx_file_read(&b, "file.tar.zst"), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.ptr, b.ptr, a.len);
	file[1].path = "no-such.jsonl";
	assert_int_not_equal(hx_archive_write("none.tar.zst", &m, file, 2, NULL), 0);
	assert_contains(hx_error_last(), "no-such.jsonl");
	assert_false(hx_path_exists("none.tar.zst"));
	hx_buf_release(&big);
	hx_buf_release(&a);
	hx_buf_release(&b);
}

static void test_write_refuses_bad_names(void **state)
{
	static const char *bad[] = {"../x", "/etc/x", "a/../b", "a//b", "a/", "", "./a",
				    HX_ARCHIVE_MANIFEST};
	hx_archive_meta m;
	hx_archive_member two[2] = {{"a", "1", 1, NULL}, {"a", "2", 1, NULL}};
	size_t i;
	(void)state;
	sample_meta(&m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hx_archive_member one = {bad[i], "x", 1, NULL};
		assert_int_equal(hx_archive_write("bad.tar.zst", &m, &one, 1, NULL), HX_EINVALID);
		assert_contains(hx_error_last(), "cannot be an archive member name");
	}
	assert_int_equal(hx_archive_write("bad.tar.zst", &m, two, 2, NULL), HX_EINVALID);
	assert_string_equal(hx_error_last(), "archive member 'a' given twice");
	assert_false(hx_path_exists("bad.tar.zst"));
}

/* Unpack path's members into directory x (emptied first). */
static void unpack(const char *path)
{
	assert_int_equal(sh("rm -rf x && mkdir x && tar --zstd -xf %s -C x", path), 0);
}

static void test_member_changed_after_the_fact(void **state)
{
	(void)state;
	write_sample("good.tar.zst");
	unpack("good.tar.zst");
	/* Same size, one byte different: the hash tells. */
	assert_int_equal(sh("printf '{\"a\":1}\\n{\"a\":3}\\n' > x/telemetry.jsonl"), 0);
	assert_int_equal(sh("tar --zstd -cf hash.tar.zst -C x MANIFEST.json spec.yaml telemetry.jsonl "
			    "report/report.md"), 0);
	assert_refused("hash.tar.zst", HX_EMISMATCH,
		       "member 'telemetry.jsonl' does not match the manifest (hash xxh3-128:");
	/* One byte more: the size tells. */
	assert_int_equal(sh("printf '{\"a\":1}\\n{\"a\":2}\\n\\n' > x/telemetry.jsonl"), 0);
	assert_int_equal(sh("tar --zstd -cf size.tar.zst -C x MANIFEST.json spec.yaml telemetry.jsonl "
			    "report/report.md"), 0);
	assert_refused("size.tar.zst", HX_EMISMATCH,
		       "member 'telemetry.jsonl' does not match the manifest (size 17 != 16)");
}

/* hx_archive_read_some keeps the named members only, and still checks
 * the others: a changed member it does not keep is refused. */
static void test_read_some(void **state)
{
	static const char *const keep[] = {"telemetry.jsonl", "nosuch"};
	hx_archive_contents c;
	(void)state;
	write_sample("good.tar.zst");
	assert_int_equal(hx_archive_read_some(&c, "good.tar.zst", keep, 2), 0);
	assert_non_null(c.manifest);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.names[0], "telemetry.jsonl");
	assert_int_equal(c.data[0].len, sizeof(telemetry_text) - 1);
	assert_memory_equal(c.data[0].ptr, telemetry_text, c.data[0].len);
	assert_null(hx_archive_member_data(&c, "spec.yaml"));
	hx_archive_contents_release(&c);

	unpack("good.tar.zst");
	assert_int_equal(sh("printf 'experiment: smokE\\nseed: 18446744073709551615\\n' > x/spec.yaml"), 0);
	assert_int_equal(sh("tar --zstd -cf some.tar.zst -C x MANIFEST.json spec.yaml telemetry.jsonl "
			    "report/report.md"), 0);
	assert_int_equal(hx_archive_read_some(&c, "some.tar.zst", keep, 2), HX_EMISMATCH);
	assert_contains(hx_error_last(), "member 'spec.yaml' does not match the manifest (hash");
	assert_null(c.manifest);
	assert_int_equal(c.n, 0);
}

static void test_members_added_dropped_doubled(void **state)
{
	(void)state;
	write_sample("good.tar.zst");
	unpack("good.tar.zst");
	assert_int_equal(sh("echo extra > x/extra.txt && tar --zstd -cf extra.tar.zst -C x "
			    "MANIFEST.json spec.yaml telemetry.jsonl report/report.md extra.txt"), 0);
	assert_refused("extra.tar.zst", HX_EMISMATCH, "member 'extra.txt' is not listed in the manifest");
	assert_int_equal(sh("tar --zstd -cf dropped.tar.zst -C x MANIFEST.json spec.yaml report/report.md"),
			 0);
	assert_refused("dropped.tar.zst", HX_EMISMATCH,
		       "member 'telemetry.jsonl' is listed in the manifest but missing");
	/* --hard-dereference: a second copy, not a hard link to the first. */
	assert_int_equal(sh("tar --hard-dereference --zstd -cf twice.tar.zst -C x MANIFEST.json "
			    "spec.yaml telemetry.jsonl report/report.md spec.yaml"), 0);
	assert_refused("twice.tar.zst", HX_EMISMATCH, "member 'spec.yaml' appears twice");
	/* Not a regular file: a symbolic link, a hard link. */
	assert_int_equal(sh("ln -s spec.yaml x/link.yaml && tar --zstd -cf symlink.tar.zst -C x "
			    "MANIFEST.json spec.yaml telemetry.jsonl report/report.md link.yaml"), 0);
	assert_refused("symlink.tar.zst", HX_EINVALID,
		       "not a harness archive: member 'link.yaml' is not a regular file");
	assert_int_equal(sh("ln x/spec.yaml x/hard.yaml && tar --zstd -cf hard.tar.zst -C x "
			    "MANIFEST.json spec.yaml telemetry.jsonl report/report.md hard.yaml"), 0);
	assert_refused("hard.tar.zst", HX_EINVALID,
		       "member 'hard.yaml' is not a regular file (a hard link: repack with tar "
		       "--hard-dereference)");
	/* A directory no listed member is in. */
	assert_int_equal(sh("mkdir x/empty && tar --zstd -cf dir.tar.zst -C x MANIFEST.json spec.yaml "
			    "telemetry.jsonl report/report.md empty"), 0);
	assert_refused("dir.tar.zst", HX_EMISMATCH, "member 'empty/' is not listed in the manifest");
}

/* Every member of c is the sample's, whatever the order. */
static void assert_sample_members(const hx_archive_contents *c)
{
	size_t i;
	assert_int_equal(c->n, 3);
	for (i = 0; i < 3; i++) {
		const hx_buf *d = hx_archive_member_data(c, sample_members[i].name);
		assert_non_null(d);
		assert_int_equal(d->len, sample_members[i].len);
		assert_memory_equal(d->ptr, sample_members[i].data, d->len);
	}
}

/* A run directory repacked by hand with plain GNU tar verifies: "./"
 * prefixes, a "./" entry and the directories of members, MANIFEST.json
 * wherever tar put it, uncompressed, zstd or gzip. */
static void test_repacked_by_plain_tar(void **state)
{
	static const char *const packs[] = {
		"cd x && tar -cf ../plain.tar .",
		"cd x && tar --zstd -cf ../plain.tar .",
		"cd x && tar -czf ../plain.tar .",
		/* the manifest late, after members and a directory entry */
		"cd x && tar -cf ../plain.tar ./spec.yaml ./report ./MANIFEST.json ./telemetry.jsonl",
		"cd x && tar -cf ../plain.tar telemetry.jsonl MANIFEST.json report spec.yaml",
	};
	hx_archive_contents c;
	hx_buf listing = HX_BUF_INIT;
	size_t i;
	(void)state;
	write_sample("orig.tar.zst");
	unpack("orig.tar.zst");
	for (i = 0; i < sizeof(packs) / sizeof(packs[0]); i++) {
		assert_int_equal(sh("rm -f plain.tar && %s", packs[i]), 0);
		if (hx_archive_read(&c, "plain.tar") != 0)
			fail_msg("'%s': %s", packs[i], hx_error_last());
		assert_sample_members(&c);
		assert_null(strstr(c.names[0], "./"));
		hx_archive_contents_release(&c);
		assert_int_equal(hx_archive_verify(&c, "plain.tar"), 0);
		assert_int_equal(c.n, 0);
		assert_non_null(c.manifest);
		hx_archive_contents_release(&c);
	}
	/* the first is really what the issue describes */
	assert_int_equal(sh("cd x && tar -cf ../plain.tar . && tar -tf ../plain.tar > ../listing.txt"),
			 0);
	assert_int_equal(hx_file_read(&listing, "listing.txt"), 0);
	assert_true(strncmp(listing.ptr, "./\n", 3) == 0);
	assert_contains(listing.ptr, "./report/\n./report/report.md\n");
	/* and it extracts */
	assert_int_equal(hx_archive_extract("plain.tar", "fromplain"), 0);
	assert_int_equal(sh("cmp fromplain/report/report.md x/report/report.md && "
			    "cmp fromplain/MANIFEST.json x/MANIFEST.json"), 0);
	hx_buf_release(&listing);
}

/* Write x/MANIFEST.json: body, an RFC 8785 object whose last key is
 * "members", sealed with its manifest_hash as hx_archive_write would. */
static void write_manifest(const char *body)
{
	char hex[HX_HASH_HEX_LEN];
	const char *at = strstr(body, "\"members\":");
	hx_buf m = HX_BUF_INIT;
	assert_non_null(at);
	hx_hash128_buf(hex, body, strlen(body));
	hx_buf_put(&m, body, (size_t)(at - body));
	hx_buf_printf(&m, "\"manifest_hash\":\"%s\",%s\n", hex, at);
	assert_int_equal(hx_file_write_atomic("x/MANIFEST.json", m.ptr, m.len), 0);
	hx_buf_release(&m);
}

static void test_bad_manifests(void **state)
{
	char hex[HX_HASH_HEX_LEN];
	hx_buf body = HX_BUF_INIT;
	(void)state;
	assert_int_equal(sh("rm -rf x && mkdir x && echo hi > x/a.txt"), 0);
	hx_hash128_buf(hex, "hi\n", 3);

	/* A sealed, canonical manifest that lists a.txt verifies. */
	hx_buf_printf(&body, "{\"format\":\"harness-archive/1\",\"members\":[{\"hash\":\"%s\","
			     "\"name\":\"a.txt\",\"size\":3}]}", hex);
	write_manifest(body.ptr);
	assert_int_equal(sh("tar --zstd -cf ok.tar.zst -C x MANIFEST.json a.txt"), 0);
	{
		hx_archive_contents c;
		assert_int_equal(hx_archive_read(&c, "ok.tar.zst"), 0);
		hx_archive_contents_release(&c);
	}
	/* The same with a seal that is off by one digit. */
	{
		hx_buf m = HX_BUF_INIT;
		char *d;
		assert_int_equal(hx_file_read(&m, "x/MANIFEST.json"), 0);
		d = strstr(m.ptr, "\"manifest_hash\":\"xxh3-128:") + 27;
		*d = *d == '0' ? '1' : '0';
		assert_int_equal(hx_file_write_atomic("x/MANIFEST.json", m.ptr, m.len), 0);
		hx_buf_release(&m);
	}
	assert_int_equal(sh("tar --zstd -cf seal.tar.zst -C x MANIFEST.json a.txt"), 0);
	assert_refused("seal.tar.zst", HX_EMISMATCH, "MANIFEST.json does not match its manifest_hash (");
	/* No seal at all. */
	assert_int_equal(sh("printf '%%s\\n' '%s' > x/MANIFEST.json && "
			    "tar --zstd -cf noseal.tar.zst -C x MANIFEST.json a.txt", body.ptr), 0);
	assert_refused("noseal.tar.zst", HX_EINVALID, "MANIFEST.json has no manifest_hash");
	/* Sealed, but not canonical: a space after a colon. */
	write_manifest(body.ptr);
	assert_int_equal(sh("sed -i 's/\"format\":/\"format\": /' x/MANIFEST.json && "
			    "tar --zstd -cf space.tar.zst -C x MANIFEST.json a.txt"), 0);
	assert_refused("space.tar.zst", HX_EINVALID, "MANIFEST.json is not one RFC 8785 line");
	/* A size that is no size. */
	hx_buf_reset(&body);
	hx_buf_printf(&body, "{\"format\":\"harness-archive/1\",\"members\":[{\"hash\":\"%s\","
			     "\"name\":\"a.txt\",\"size\":-1}]}", hex);
	write_manifest(body.ptr);
	assert_int_equal(sh("tar --zstd -cf neg.tar.zst -C x MANIFEST.json a.txt"), 0);
	assert_refused("neg.tar.zst", HX_EINVALID, "members[0] needs a name, a size and a hash");
	/* Listed twice. */
	hx_buf_reset(&body);
	hx_buf_printf(&body, "{\"format\":\"harness-archive/1\",\"members\":[{\"hash\":\"%s\","
			     "\"name\":\"a.txt\",\"size\":3},{\"hash\":\"%s\",\"name\":\"a.txt\","
			     "\"size\":3}]}", hex, hex);
	write_manifest(body.ptr);
	assert_int_equal(sh("tar --zstd -cf listed2.tar.zst -C x MANIFEST.json a.txt"), 0);
	assert_refused("listed2.tar.zst", HX_EINVALID, "MANIFEST.json lists 'a.txt' twice");
	/* Another format version; not JSON; no manifest; nothing at all. */
	assert_int_equal(sh("printf '{\"format\":\"harness-archive/2\",\"members\":[]}\\n' > "
			    "x/MANIFEST.json && tar --zstd -cf v2.tar.zst -C x MANIFEST.json"), 0);
	assert_refused("v2.tar.zst", HX_EINVALID,
		       "MANIFEST.json is not harness-archive/1 (format 'harness-archive/2')");
	assert_int_equal(sh("printf '{\"format\":' > x/MANIFEST.json && "
			    "tar --zstd -cf cut.tar.zst -C x MANIFEST.json"), 0);
	assert_refused("cut.tar.zst", HX_EINVALID, "MANIFEST.json:1:11: ");
	assert_int_equal(sh("tar --zstd -cf nomanifest.tar.zst -C x a.txt"), 0);
	assert_refused("nomanifest.tar.zst", HX_EINVALID, "not a harness archive: no MANIFEST.json");
	assert_int_equal(sh("tar --zstd -cf empty.tar.zst -T /dev/null"), 0);
	assert_refused("empty.tar.zst", HX_EINVALID, "not a harness archive: no MANIFEST.json");
	hx_buf_release(&body);
}

static void test_not_an_archive(void **state)
{
	hx_archive_contents c;
	(void)state;
	assert_int_equal(hx_archive_read(&c, "missing.tar.zst"), HX_ENOTFOUND);
	assert_string_equal(hx_error_last(), "cannot open 'missing.tar.zst': No such file or directory");
	assert_int_equal(sh("echo 'just some text' > text.tar.zst"), 0);
	assert_refused("text.tar.zst", HX_EINVALID, "truncated, corrupt or not a harness archive: ");
	assert_int_equal(sh("mkdir -p adir.tar.zst"), 0);
	assert_refused("adir.tar.zst", HX_EINVALID, "is not a regular file");
}

static void test_truncated(void **state)
{
	hx_buf b = HX_BUF_INIT;
	(void)state;
	write_sample("full.tar.zst");
	assert_int_equal(hx_file_read(&b, "full.tar.zst"), 0);
	assert_int_equal(hx_file_write_atomic("half.tar.zst", b.ptr, b.len / 2), 0);
	assert_refused("half.tar.zst", HX_EINVALID, "truncated, corrupt or not a harness archive: ");
	assert_int_equal(hx_file_write_atomic("short.tar.zst", b.ptr, b.len - 1), 0);
	assert_refused("short.tar.zst", HX_EINVALID, "truncated, corrupt or not a harness archive: ");
	hx_buf_release(&b);
}

/* The archive read is exactly what write_sample wrote. */
static int is_sample(const hx_archive_contents *c, const char *manifest)
{
	size_t i;
	if (c->n != 3 || strcmp(c->manifest, manifest) != 0)
		return 0;
	for (i = 0; i < 3; i++)
		if (strcmp(c->names[i], sample_members[i].name) != 0 ||
		    c->data[i].len != sample_members[i].len ||
		    memcmp(c->data[i].ptr, sample_members[i].data, c->data[i].len) != 0)
			return 0;
	return 1;
}

/* Flip each byte of a compressed archive in turn: never a crash; an error
 * naming the archive, or (a byte zstd or tar does not depend on, such as a
 * frame header's window size) exactly the original contents. */
static void test_every_flipped_byte_is_caught(void **state)
{
	hx_buf b = HX_BUF_INIT;
	hx_archive_contents c;
	char *manifest;
	size_t i, invalid = 0, mismatch = 0, harmless = 0;
	(void)state;
	write_sample("flip.tar.zst");
	assert_int_equal(hx_archive_read(&c, "flip.tar.zst"), 0);
	manifest = hx_xstrdup(c.manifest);
	hx_archive_contents_release(&c);
	assert_int_equal(hx_file_read(&b, "flip.tar.zst"), 0);
	for (i = 0; i < b.len; i++) {
		int err;
		b.ptr[i] ^= 0x20;
		assert_int_equal(hx_file_write_atomic("flipped.tar.zst", b.ptr, b.len), 0);
		b.ptr[i] ^= 0x20;
		err = hx_archive_read(&c, "flipped.tar.zst");
		if (err == 0) {
			int same = is_sample(&c, manifest);
			hx_archive_contents_release(&c);
			if (!same)
				fail_msg("flipping byte %zu of %zu changed the contents unnoticed", i, b.len);
			harmless++;
			continue;
		}
		assert_true(err == HX_EINVALID || err == HX_EMISMATCH);
		assert_contains(hx_error_last(), "'flipped.tar.zst': ");
		if (err == HX_EINVALID)
			invalid++;
		else
			mismatch++;
	}
	print_message("%zu bytes flipped: %zu invalid, %zu mismatch, %zu harmless\n", b.len, invalid,
		      mismatch, harmless);
	free(manifest);
	hx_buf_release(&b);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_extract(void **state)
{
	hx_buf b = HX_BUF_INIT;
	hx_archive_contents c;
	size_t i;
	(void)state;
	write_sample("ex.tar.zst");
	assert_int_equal(hx_archive_extract("ex.tar.zst", "out/deep"), 0);
	for (i = 0; i < 3; i++) {
		char *p = hx_path_join("out/deep", sample_members[i].name);
		hx_buf_reset(&b);
		assert_int_equal(hx_file_read(&b, p), 0);
		assert_int_equal(b.len, sample_members[i].len);
		assert_memory_equal(b.ptr, sample_members[i].data, b.len);
		free(p);
	}
	assert_int_equal(hx_archive_read(&c, "ex.tar.zst"), 0);
	hx_buf_reset(&b);
	assert_int_equal(hx_file_read(&b, "out/deep/MANIFEST.json"), 0);
	assert_string_equal(b.ptr, c.manifest);
	hx_archive_contents_release(&c);
	assert_int_equal(count_entries("out/deep"), 4); /* 3 files and report/ */
	/* A damaged archive writes nothing. */
	assert_int_equal(sh("echo junk > junk.tar.zst"), 0);
	assert_int_equal(hx_archive_extract("junk.tar.zst", "out/junk"), HX_EINVALID);
	assert_false(hx_path_exists("out/junk"));
	hx_buf_release(&b);
}

/* An archive whose member name would leave the directory: crafted with tar
 * -P (which keeps "../" and "/"), the manifest written to match (x/spec/
 * is there for names that go through it). */
static void craft_escaping(const char *archive, const char *name, const char *file)
{
	char hex[HX_HASH_HEX_LEN];
	hx_buf m = HX_BUF_INIT;
	hx_hash128_buf(hex, "evil\n", 5);
	hx_buf_printf(&m, "{\"format\":\"harness-archive/1\",\"members\":[{\"hash\":\"%s\",\"name\":", hex);
	hx_canon_write_cstr(&m, name);
	hx_buf_puts(&m, ",\"size\":5}]}");
	assert_int_equal(sh("rm -rf x && mkdir -p x/spec && printf 'evil\\n' > %s", file), 0);
	write_manifest(m.ptr);
	assert_int_equal(sh("cd x && tar -P --zstd -cf ../%s MANIFEST.json %s", archive, name), 0);
	hx_buf_release(&m);
}

static void test_extract_refuses_escaping_names(void **state)
{
	char abs[256];
	(void)state;
	craft_escaping("up.tar.zst", "../evil.txt", "evil.txt");
	/* Reading refuses it too: replay of a series writes members below its
	 * work directory by name. */
	assert_refused("up.tar.zst", HX_EINVALID,
		       "member '../evil.txt' would be written outside the directory it is unpacked "
		       "into");
	assert_int_equal(sh("rm -f evil.txt"), 0);
	assert_int_equal(hx_archive_extract("up.tar.zst", "dest/in"), HX_EINVALID);
	assert_string_equal(hx_error_last(), "'up.tar.zst': member '../evil.txt' would be written "
					     "outside 'dest/in'; nothing extracted");
	assert_false(hx_path_exists("dest"));
	assert_false(hx_path_exists("dest/evil.txt"));
	assert_false(hx_path_exists("evil.txt"));

	snprintf(abs, sizeof(abs), "%s/abs.txt", hx_test_dir);
	craft_escaping("abs.tar.zst", abs, abs);
	assert_int_equal(sh("rm -f %s", abs), 0);
	assert_int_equal(hx_archive_extract("abs.tar.zst", "dest"), HX_EINVALID);
	assert_contains(hx_error_last(), "would be written outside 'dest'");
	assert_false(hx_path_exists(abs));
	/* a name inside that climbs out: "spec/../../x" */
	craft_escaping("climb.tar.zst", "spec/../../evil.txt", "evil.txt");
	assert_refused("climb.tar.zst", HX_EINVALID, "member 'spec/../../evil.txt' would be written");
}

static void test_gzip_archives_read(void **state)
{
	hx_archive_contents c;
	(void)state;
	write_sample("z.tar.zst");
	unpack("z.tar.zst");
	assert_int_equal(sh("tar -czf z.tar.gz -C x MANIFEST.json spec.yaml telemetry.jsonl "
			    "report/report.md"), 0);
	assert_int_equal(hx_archive_read(&c, "z.tar.gz"), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.names[2], "report/report.md");
	hx_archive_contents_release(&c);
}


/* fn(arg) in a child process: its code, its message (into msg) and its
 * resource usage. A child, so that what it does to its memory or its
 * limits stays there. */
static int in_child(int (*fn)(const void *), const void *arg, char *msg, size_t cap,
		    struct rusage *ru)
{
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int err;
		close(pfd[0]);
		err = fn(arg);
		if (write(pfd[1], hx_error_last(), strlen(hx_error_last())) < 0)
			_exit(99);
		_exit(-err);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], msg + got, cap - 1 - (size_t)got)) > 0)
		got += n;
	msg[got] = '\0';
	close(pfd[0]);
	assert_int_equal(wait4(pid, &status, 0, ru), pid);
	assert_true(WIFEXITED(status));
	return -WEXITSTATUS(status);
}

static int verify_path(const void *path)
{
	hx_archive_contents c;
	int err = hx_archive_verify(&c, path);
	if (!err)
		hx_archive_contents_release(&c);
	return err;
}

static int read_path(const void *path)
{
	hx_archive_contents c;
	int err = hx_archive_read(&c, path);
	if (!err)
		hx_archive_contents_release(&c);
	return err;
}

/* What hx_archive_verify (keep 0) or hx_archive_read (keep 1) made of
 * path in a child: its code, message and peak RSS. The child is what
 * shows the memory bounded: an unbounded reader would take GiBs. */
static int child_read(const char *path, int keep, long *maxrss_kib, char *msg, size_t cap)
{
	struct rusage ru;
	int err = in_child(keep ? read_path : verify_path, path, msg, cap, &ru);
	*maxrss_kib = ru.ru_maxrss;
	return err;
}

/* Build archives with tests/fixtures/make_bomb.py (ARGS after OUT). */
static void make_bomb(const char *out, const char *args)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "python3 %s/make_bomb.py %s %s", HX_FIXTURES, out, args);
	assert_int_equal(system(cmd), 0);
}

#define RSS_BOUND_KIB (256L * 1024) /* a quarter of one bomb member */

/* An archive bomb is refused, read or verified, before its members are
 * read: peak memory far below one member. */
static void assert_bomb_refused(const char *path, int code, const char *part)
{
	char msg[1024];
	long rss;
	int keep;
	for (keep = 0; keep < 2; keep++) {
		int err = child_read(path, keep, &rss, msg, sizeof(msg));
		if (err != code)
			fail_msg("'%s' (keep %d): got %d (%s), want %d", path, keep, err, msg, code);
		assert_contains(msg, part);
		print_message("%s: %s %d: peak RSS %ld KiB\n", path, keep ? "read" : "verify", err,
			      rss);
		assert_true(rss < RSS_BOUND_KIB);
	}
}

static void test_archive_bombs(void **state)
{
	char msg[1024];
	long rss;
	hx_archive_contents c;
	const hx_buf *d;
	size_t i;
	(void)state;
	make_bomb("unlisted.tar.zst", /* the issue's: 4 GiB of zeros the manifest does not list */
		  "spec.yaml=text:x zero0=zeros:1G zero1=zeros:1G zero2=zeros:1G zero3=zeros:1G "
		  "--unlisted zero0 --unlisted zero1 --unlisted zero2 --unlisted zero3 "
		  /* a member bigger than the manifest says */
		  "-- bigger.tar.zst spec.yaml=text:x zero0=zeros:1G --list-size zero0=10 "
		  /* a manifest that claims it all, honestly */
		  "-- claims.tar.zst zero0=zeros:1G zero1=zeros:1G zero2=zeros:1G zero3=zeros:1G "
		  /* a manifest claiming what no member may be */
		  "-- huge.tar.zst zero0=zeros:1M --list-size zero0=1099511627776 "
		  /* MANIFEST.json last, or absent */
		  "-- late.tar.zst zero0=zeros:1G spec.yaml=text:x --manifest-last "
		  "-- none.tar.zst zero0=zeros:1G zero1=zeros:1G --no-manifest "
		  /* a larger file has a larger budget, up to 4 GiB, and 1 GiB a member */
		  "-- padded.tar.zst pad=random:17M zero0=zeros:2G --unlisted zero0 "
		  "-- padded4.tar.zst pad=random:17M zero0=zeros:1G zero1=zeros:1G zero2=zeros:1G "
		  "zero3=zeros:1G "
		  /* within the budget, before the manifest: hashed, kept, checked */
		  "-- within.tar.zst zero0=zeros:8M spec.yaml=text:x --manifest-last "
		  "-- within2.tar.zst zero0=zeros:8M --list-size zero0=10 --manifest-last");
	assert_bomb_refused("unlisted.tar.zst", HX_EINVALID,
			    "'unlisted.tar.zst': member 'zero0' (1.0 GiB) takes it past the ");
	assert_bomb_refused("unlisted.tar.zst", HX_EINVALID,
			    " may unpack to (64 MiB + 256 x its size): refused unread");
	assert_bomb_refused("bigger.tar.zst", HX_EINVALID, "member 'zero0' (1.0 GiB) takes it past");
	assert_bomb_refused("claims.tar.zst", HX_EINVALID,
			    "'claims.tar.zst': MANIFEST.json lists 4.0 GiB of members, past the ");
	assert_bomb_refused("huge.tar.zst", HX_EINVALID,
			    "MANIFEST.json lists member 'zero0' at 1.0 TiB, larger than the 1 GiB a "
			    "member may hold: refused unread");
	assert_bomb_refused("late.tar.zst", HX_EINVALID, "member 'zero0' (1.0 GiB) takes it past");
	assert_bomb_refused("none.tar.zst", HX_EINVALID, "member 'zero0' (1.0 GiB) takes it past");
	assert_bomb_refused("padded.tar.zst", HX_EINVALID,
			    "member 'zero0' (2.0 GiB) is larger than the 1 GiB a member may hold: "
			    "refused unread");
	assert_bomb_refused("padded4.tar.zst", HX_EINVALID,
			    "MANIFEST.json lists 4.0 GiB of members, past the 4.0 GiB any archive "
			    "may unpack to: refused unread");

	assert_int_equal(child_read("within.tar.zst", 0, &rss, msg, sizeof(msg)), 0);
	assert_int_equal(hx_archive_read(&c, "within.tar.zst"), 0);
	assert_int_equal(c.n, 2);
	assert_non_null(d = hx_archive_member_data(&c, "zero0"));
	assert_int_equal(d->len, 8 << 20);
	for (i = 0; i < d->len && d->ptr[i] == 0; i++)
		;
	assert_int_equal(i, d->len);
	hx_archive_contents_release(&c);
	/* one listed smaller than it is, within the budget: a mismatch (exit
	 * 1), not a bomb */
	assert_refused("within2.tar.zst", HX_EMISMATCH,
		       "member 'zero0' does not match the manifest (size 8388608 != 10)");
}

typedef struct {
	const char *path, *dir;
	rlim_t limit;
} capped_extract;

/* hx_archive_extract with files capped at limit bytes, SIGXFSZ ignored:
 * write(2) fails with EFBIG, as it fails with ENOSPC on a full disk. */
static int extract_capped(const void *arg)
{
	const capped_extract *x = arg;
	struct rlimit rl;
	rl.rlim_cur = rl.rlim_max = x->limit;
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		return HX_ESYSTEM;
	return hx_archive_extract(x->path, x->dir);
}

/* An extract that fails partway leaves nothing: not the members written
 * before, not the temporary directory, not the parents made for it. */
static void test_extract_failing_partway_leaves_nothing(void **state)
{
	capped_extract x = {"big.tar.zst", "lim/a/out", 256 * 1024};
	struct rusage ru;
	char msg[1024];
	(void)state;
	/* a full file system (EFBIG from a file size limit here) on the second
	 * member, after MANIFEST.json and spec.yaml were written */
	make_bomb("big.tar.zst", "spec.yaml=text:x big.bin=random:1M");
	assert_int_equal(in_child(extract_capped, &x, msg, sizeof(msg), &ru), HX_ESYSTEM);
	assert_string_equal(msg, "'big.tar.zst': cannot write member 'big.bin' into 'lim/a/out': "
				 "File too large; nothing extracted");
	assert_false(hx_path_exists("lim"));
	/* the same without the limit works */
	assert_int_equal(hx_archive_extract("big.tar.zst", "lim/a/out"), 0);
	assert_int_equal(count_entries("lim/a/out"), 3);
	assert_int_equal(count_entries("lim/a"), 1);

	/* a member that does not verify, after others were written */
	write_sample("good.tar.zst");
	unpack("good.tar.zst");
	assert_int_equal(sh("printf '# r3port\\n' > x/report/report.md && tar --zstd -cf late.tar.zst "
			    "-C x MANIFEST.json spec.yaml telemetry.jsonl report/report.md"), 0);
	assert_int_equal(hx_archive_extract("late.tar.zst", "lim/b"), HX_EMISMATCH);
	assert_contains(hx_error_last(), "member 'report/report.md' does not match the manifest");
	assert_contains(hx_error_last(), "; nothing extracted");
	assert_int_equal(count_entries("lim"), 1); /* a/, nothing else */

	/* a target that is not empty is refused, and left as it was */
	assert_int_equal(hx_archive_extract("good.tar.zst", "lim/a/out"), HX_EINVALID);
	assert_string_equal(hx_error_last(), "cannot extract into 'lim/a/out': it exists and is not "
					     "an empty directory");
	assert_int_equal(count_entries("lim/a/out"), 3);
	/* an empty one is replaced */
	assert_int_equal(sh("mkdir -p lim/empty"), 0);
	assert_int_equal(hx_archive_extract("good.tar.zst", "lim/empty/"), 0);
	assert_int_equal(count_entries("lim/empty"), 4);
	assert_int_equal(count_entries("lim"), 2);
}

/* A full disk while writing an archive names the cause, not libarchive's
 * bare "Write error": the temp file is a symbolic link to /dev/full. */
static void test_write_enospc_names_the_cause(void **state)
{
	hx_archive_meta m;
	hx_archive_member big;
	char link[64], *data = hx_xmalloc(1 << 20);
	size_t i;
	(void)state;
	if (!hx_path_exists("/dev/full"))
		skip();
	for (i = 0; i < 1 << 20; i++) /* incompressible enough to be written at once */
		data[i] = (char)(hx_hash64(&i, sizeof(i), 0) & 0xff);
	big.name = "big.bin";
	big.data = data;
	big.len = 1 << 20;
	sample_meta(&m);
	snprintf(link, sizeof(link), "enospc.tar.zst.tmp-%ld", (long)getpid());
	assert_int_equal(symlink("/dev/full", link), 0);
	assert_int_equal(hx_archive_write("enospc.tar.zst", &m, &big, 1, NULL), HX_ESYSTEM);
	assert_contains(hx_error_last(), "cannot write 'enospc.tar.zst");
	assert_contains(hx_error_last(), ": No space left on device");
	assert_null(strstr(hx_error_last(), "Write error"));
	assert_false(hx_path_exists("enospc.tar.zst"));
	assert_int_equal(access(link, F_OK), -1); /* removed */
	free(data);
}

/* The writer does not write what the reader would refuse as a bomb. */
static void test_write_refuses_what_reading_would(void **state)
{
	hx_archive_meta m;
	hx_archive_member one;
	size_t len = ((size_t)1 << 30) + 1;
	void *zeros = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	(void)state;
	assert_true(zeros != MAP_FAILED);
	sample_meta(&m);
	one.name = "zeros.bin";
	one.data = zeros;
	one.len = len;
	assert_int_equal(hx_archive_write("w.tar.zst", &m, &one, 1, NULL), HX_EINVALID);
	assert_string_equal(hx_error_last(), "cannot archive 'zeros.bin' in 'w.tar.zst' (1.0 GiB): "
					     "larger than the 1 GiB a member may hold");
	/* 80 MiB of zeros compress to a few KiB: past 64 MiB + 256 x that */
	one.len = (size_t)80 << 20;
	assert_int_equal(hx_archive_write("w.tar.zst", &m, &one, 1, NULL), HX_EINVALID);
	assert_contains(hx_error_last(), "cannot write 'w.tar.zst': its members (80.0 MiB) compress to ");
	assert_contains(hx_error_last(), "past what a reader takes for no archive bomb");
	assert_false(hx_path_exists("w.tar.zst"));
	assert_int_equal(sh("ls | grep -q w.tar.zst.tmp"), 256);
	munmap(zeros, len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_same_input_same_bytes),
		cmocka_unit_test(test_members_from_files),
		cmocka_unit_test(test_write_refuses_bad_names),
		cmocka_unit_test(test_member_changed_after_the_fact),
		cmocka_unit_test(test_read_some),
		cmocka_unit_test(test_members_added_dropped_doubled),
		cmocka_unit_test(test_bad_manifests),
		cmocka_unit_test(test_not_an_archive),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_every_flipped_byte_is_caught),
		cmocka_unit_test(test_extract),
		cmocka_unit_test(test_extract_refuses_escaping_names),
		cmocka_unit_test(test_gzip_archives_read),
		cmocka_unit_test(test_repacked_by_plain_tar),
		cmocka_unit_test(test_archive_bombs),
		cmocka_unit_test(test_extract_failing_partway_leaves_nothing),
		cmocka_unit_test(test_write_enospc_names_the_cause),
		cmocka_unit_test(test_write_refuses_what_reading_would),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
