/* recwriter — writes a recording folder the way the cameras' own recorders
 * do: ROOT/YYYY-MM-DD/NNNNN/ (the next free number of the day, a new folder
 * per recording: a "power-up"), one segNNNNN.ts per chunk and index.m3u8.
 *
 * Files: each chunk is written once, complete (PAT/PMT in front when the
 * chunk lacks them), by a single writev into a new file opened O_EXCL and
 * fdatasync'ed before the playlist names it: the name is unlisted until it is
 * complete, so no temp + rename is needed, and an existing file is never
 * overwritten. The playlist is then rewritten whole by cc_write_atomic (temp,
 * fsync, rename): #EXT-X-TARGETDURATION is the longest chunk rounded to the
 * nearest second (RFC 8216), every chunk has #EXT-X-PROGRAM-DATE-TIME, and
 * #EXT-X-ENDLIST is written only by a clean close. So per chunk: one chunk
 * file write and one playlist update.
 *
 * Time: chunk PDTs are the anchor (the wall clock when the first keyframe
 * arrived) plus the chunk's PTS distance from it: they follow the stream's
 * own clock and never drift from its durations. The folder's day and UTC
 * offset are the anchor's, in this machine's time zone.
 *
 * Memory: the playlist's lines (about 80 bytes a chunk). Ownership:
 * cc_recwriter_new() allocates, cc_recwriter_free() releases. Thread rules:
 * one caller at a time. Errors: -errno, logged where first seen. */
#ifndef CC_RECWRITER_H
#define CC_RECWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "segmenter.h"

struct cc_recwriter;

struct cc_recwriter_stats {
    uint32_t chunks;          /* listed in the playlist */
    uint64_t bytes;           /* chunk bytes written */
    uint32_t file_writes;     /* writev calls on chunk files */
    uint32_t playlist_writes; /* playlist rewrites */
    int64_t dur_ms;           /* sum of the listed chunks' durations */
    uint32_t target_s;
};

/* root is copied. Nothing is created before the first chunk. */
struct cc_recwriter *cc_recwriter_new(const char *root);
void cc_recwriter_free(struct cc_recwriter *w);

/* Fixes the wall clock: the PTS pts (90 kHz, unwrapped) was at wall_ms (epoch
 * ms). Without a call, the first chunk is placed at the time it is written. */
void cc_recwriter_anchor(struct cc_recwriter *w, int64_t wall_ms, int64_t pts);
bool cc_recwriter_anchored(const struct cc_recwriter *w);

/* Writes the chunk, then the playlist that lists it. 0 or -errno; on any
 * error the chunk file is removed, the playlist still lists only whole
 * chunks, and the same chunk may be written again (after freeing space). */
int cc_recwriter_chunk(struct cc_recwriter *w, const struct cc_seg_chunk *c);
/* Ends the recording: endlist (a clean end) rewrites the playlist with
 * #EXT-X-ENDLIST; otherwise it stays open and the folder reads as
 * interrupted. 0 or -errno. */
int cc_recwriter_close(struct cc_recwriter *w, bool endlist);

/* What a playlist write left on disk, for whoever keeps an index of the
 * folder (camcatd's catalog) to follow it without reading it back: all
 * borrowed for the call. */
struct cc_recwriter_listed {
    const char *folder;   /* "YYYY-MM-DD/NNNNN" */
    const char *playlist; /* its name in the folder */
    const char *text;     /* the playlist as written, whole */
    size_t len;
    const struct stat *pl_st;  /* the playlist after the rename */
    const struct stat *dir_st; /* the folder after it */
};
/* Called after each playlist write (a chunk listed, the closing ENDLIST),
 * on the writing thread. With a hook set, each write costs two stat calls
 * more; without one, none. */
typedef void (*cc_recwriter_listed_fn)(void *ud, const struct cc_recwriter_listed *l);
void cc_recwriter_on_listed(struct cc_recwriter *w, cc_recwriter_listed_fn fn, void *ud);

/* "YYYY-MM-DD/NNNNN" relative to ROOT, "" before the first chunk. Borrowed. */
const char *cc_recwriter_folder(const struct cc_recwriter *w);
void cc_recwriter_get_stats(const struct cc_recwriter *w, struct cc_recwriter_stats *out);

#endif
