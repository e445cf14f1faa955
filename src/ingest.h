/* ingest — a pushed MPEG-TS stream recorded into the tree: the segmenter
 * (segmenter.h) cuts it, the writer (recwriter.h) files it. Shared by
 * camcatd's POST /api/ingest and `camcat record`, which only move bytes.
 *
 * The wall clock enters once: the time of the feed in which the first
 * keyframe arrived anchors every chunk's program-date-time (see recwriter.h).
 *
 * Ownership: cc_ingest_new() allocates, cc_ingest_free() releases. Thread
 * rules: one caller at a time. */
#ifndef CC_INGEST_H
#define CC_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "recwriter.h"
#include "segmenter.h"

enum cc_ingest_end {
    CC_INGEST_CLEAN,   /* the sender finished: the last chunk, then #EXT-X-ENDLIST */
    CC_INGEST_DROPPED, /* the connection dropped: no ENDLIST, the folder reads as interrupted */
};

struct cc_ingest;

struct cc_ingest *cc_ingest_new(const char *root, const struct cc_seg_config *cfg);
void cc_ingest_free(struct cc_ingest *in);

/* Called when a chunk cannot be written for lack of space (ENOSPC, EDQUOT),
 * before the stream gives up: it may free space (camcatd runs a retention
 * sweep) and returns 0 when the write is worth one more try, else -errno.
 * Runs on the feeding thread. Without a hook, a full disk ends the stream. */
typedef int (*cc_ingest_full_fn)(void *ud);
void cc_ingest_on_full(struct cc_ingest *in, cc_ingest_full_fn fn, void *ud);

/* See cc_recwriter_on_listed(): the folder's index can follow each write. */
void cc_ingest_on_listed(struct cc_ingest *in, cc_recwriter_listed_fn fn, void *ud);

/* The next bytes, read at now_ms (epoch ms). 0 or a negative errno: the
 * stream was refused or a write failed (cc_ingest_error says which); the
 * folder is then already closed with what was complete, and readable. */
int cc_ingest_feed(struct cc_ingest *in, const uint8_t *buf, size_t len, int64_t now_ms);
/* Ends the stream. 0, or the stream's error (-ENODATA: nothing recorded). */
int cc_ingest_end(struct cc_ingest *in, enum cc_ingest_end how);

/* Why it failed ("" when it did not). Borrowed. */
const char *cc_ingest_error(const struct cc_ingest *in);
/* "YYYY-MM-DD/NNNNN" or "" (nothing written yet). Borrowed. */
const char *cc_ingest_folder(const struct cc_ingest *in);
void cc_ingest_get_stats(const struct cc_ingest *in, struct cc_seg_info *seg,
                         struct cc_recwriter_stats *rec);

#endif
