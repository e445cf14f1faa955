/* sidecar — the binary cache of one day's index on flash.
 *
 * Layout (little-endian): a 32-byte header
 *   magic "CCIDX\0\r\n" | u16 version | u16 header size | u32 file size |
 *   u32 section count | i64 built_ns (wall clock of the last source check) | u32 reserved
 * then sections { u16 type | u16 0 | u32 length | payload }, and a trailer:
 * u32 CRC-32 of every byte before it. Payloads are LEB128 varints.
 * Sections: DAY (once), SEGMENT (one per playlist, in order), each followed
 * by NAMES when its chunk names follow one pattern (chunkname.h), then by
 * PROPS once its first chunk was probed, EVFILE (one per events.txt),
 * EVENTS (once). A section of a type this version does not know is skipped,
 * so adding one needs no new version: PROPS came that way (version 3 files
 * without it still load, their segments are probed at the next refresh), and
 * NAMES (without it a segment's chunk names come from its playlist). SEGMENT ends with the bytes its chunk files
 * and its playlist take on disk, EVFILE with the events file's (so storage
 * per day needs no tree walk). Only source data is stored; gaps, merged
 * events and totals are derived again on load (cc_day_finish).
 *
 * Any defect — magic, version, size, CRC, a section that does not decode
 * exactly, numbers that do not add up — rejects the whole file: it is never
 * trusted partially. Encoding/decoding is pure; the file functions do I/O.
 * Thread rules: none needed; callers serialise writes to one path. */
#ifndef CC_SIDECAR_H
#define CC_SIDECAR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "day.h"

/* 2: storage bytes per segment (media, playlist) and per events file.
 * 3: chunk bytes are counted apart from indexing (CC_SEG_SIZED says which
 * segments have them). An older file is rejected as another version and
 * rebuilt once. */
#define CC_SIDECAR_VERSION 3
#define CC_SIDECAR_NAME ".camcat.idx"
#define CC_SIDECAR_MAX (64u << 20) /* a larger file is not ours */

/* Appends the encoding of d (which must be flushed) to out. */
void cc_sidecar_encode(const struct cc_day *d, struct cc_buf *out);
/* Decodes buf into a new day for date (finished, ready to use); date NULL
 * takes the day the file names. Returns 0 or -EBADMSG (corrupt), -EPROTO
 * (other version), -EINVAL (another day's file). */
int cc_sidecar_decode(const void *buf, size_t len, const struct cc_date *date, struct cc_day **out);

/* Where the sidecar of a day lives: DAYDIR/.camcat.idx, or
 * CACHE/YYYY-MM-DD.camcat.idx when cache_dir is set. Caller frees. */
char *cc_sidecar_path(const char *root, const char *cache_dir, const char *day);

/* Reads and decodes a sidecar file. 0, -ENOENT, or a decode error. */
int cc_sidecar_load(const char *path, const struct cc_date *date, struct cc_day **out);

/* Writes atomically: temp file in the same folder, write, fsync, rename, fsync
 * the folder. Nothing is written when the file already holds the same index
 * (header timestamp aside): returns 1 then, 0 after a write, -errno on
 * failure (no partial file is left behind). *written gets the bytes written. */
int cc_sidecar_save(const char *path, const struct cc_day *d, uint64_t *written);

/* Stale temp files: a crash between cc_write_atomic's write and rename
 * leaves DAYDIR/.camcat.idx.tmp.PID or CACHE/YYYY-MM-DD.camcat.idx.tmp.PID.
 * Removes exactly those names (nothing else), when they are regular files
 * modified more than CC_SIDECAR_TMP_STALE_S before now_ns (a writer may be
 * mid-write), in every day folder of root and in cache_dir (NULL: none).
 * report (may be NULL) gets each path removed. Returns how many were removed,
 * or -errno if root cannot be listed. Not for a request path: it lists ROOT. */
#define CC_SIDECAR_TMP_STALE_S 60
int cc_sidecar_clean_tmp(const char *root, const char *cache_dir, int64_t now_ns,
                         void (*report)(void *ud, const char *path), void *ud);
/* Is name one of those temp names (pure, for tests and the tool)? */
bool cc_sidecar_is_tmp_name(const char *name);

#endif
