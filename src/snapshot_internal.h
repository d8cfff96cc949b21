/* snapshot_internal.h - what snapshot.c shares with golden_gate.c. */
#ifndef HX_SNAPSHOT_INTERNAL_H
#define HX_SNAPSHOT_INTERNAL_H

#include <stddef.h>

#include "hash.h"
#include "snapshot.h"

/* One file of a snapshot directory being written (borrowed). */
typedef struct {
	const char *name;
	const char *data;
	size_t len;
	const char *from; /* data NULL: the file's bytes are this file's
			   * (hx_file_link_or_copy) */
} hx_snapshot_file;

/* Replace directory dir as a unit (fsutil.h: hx_atomic_dir; the caller
 * holds dir's lock exclusive) with one holding files[] and the files of
 * extras_from that are no part of a snapshot (regular, not hidden, neither
 * manifest.json nor *.jsonl: notes a person left there). A temp file in
 * extras_from (hx_is_temp_name) is left out, with a notice. A dir holding
 * a subdirectory is not a snapshot: HX_EINVALID, nothing changed. */
int hx_snapshot_replace_dir(const char *dir, const char *extras_from, const hx_snapshot_file *files,
			    size_t n);

/* hx_snapshot_manifest_read; streams_text_hash (may be NULL) also gets the
 * hash of the RFC 8785 text of the manifest's "streams" object. */
int hx_snapshot_manifest_load(hx_snapshot_manifest *m, const char *dir, char *streams_text_hash);

#endif
