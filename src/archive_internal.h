/* archive_internal.h - what the archive module's files share: archive.c
 * (the writer), archive_read.c (the reader), archive_extract.c. No other
 * file includes it. */
#ifndef HX_ARCHIVE_INTERNAL_H
#define HX_ARCHIVE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "archive.h"
#include "buf.h"

struct archive;

/* A relative path of plain components: no "", ".", ".." or leading '/'.
 * Names like this can neither escape an extraction directory nor collide
 * with themselves under another spelling. */
int hx_archive_name_ok(const char *name);

/* What an entry of the archive counts toward the budget (archive.h): its
 * header block, its name (a long one takes a pax header of its own) and
 * its data. */
uint64_t hx_archive_entry_cost(const char *name, uint64_t size);

/* libarchive's message for the last error on a, the OS's cause named: a
 * failed write(2) is "Write error" to libarchive, so strerror(errno) is
 * put after it (or in its place). *scratch holds the text; the result is
 * valid while scratch and a are. */
const char *hx_archive_la_msg(struct archive *a, hx_buf *scratch);

/* bytes as "512 bytes", "62.7 KiB", "1.0 GiB" (one decimal) into out. */
void hx_archive_size_str(char *out, size_t cap, uint64_t bytes);

/* Set the error for an archive that would unpack to `what` (a phrase such
 * as "member 'x' (1.0 GiB) takes it") past the budget of an archive of
 * file_size bytes: "'PATH': WHAT past the 80.1 MiB an archive of 62.7 KiB
 * may unpack to (64 MiB + 256 x its size)". */
void hx_archive_set_budget_error(const char *path, const char *what, uint64_t file_size);

/* hx_archive_read, the members written below tmpdir (an empty directory)
 * as they are read, then MANIFEST.json; *out gets the manifest only. dir
 * is the extraction target named in messages. On failure what was written
 * stays below tmpdir: the caller removes it. */
int hx_archive_read_into(hx_archive_contents *out, const char *path, const char *tmpdir,
			 const char *dir);

#endif
