/* stitch — ONE media playlist for a whole day (or a time range of it), made
 * from the day's playlists in recording order.
 *
 * A chunk's wall-clock date is its own PDT when the source had one, else the
 * index's. EXT-X-PROGRAM-DATE-TIME is written only where a player could not
 * imply that date to within 1 ms from the previous chunk's date plus its
 * EXTINF: the first chunk, after each discontinuity and at clock jumps. EXTINF
 * is exact in its shortest form ("2", "2.002"). EXT-X-DISCONTINUITY goes
 * between folders, wherever the source had one, and where a chunk missing on
 * disk was left out. URIs are rewritten to rec_prefix + path under ROOT.
 * Output is streamed to a sink in pieces of a few KiB: nothing the size of the
 * day is held in memory. Reads the playlists; writes nothing. */
#ifndef CC_STITCH_H
#define CC_STITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "day.h"

/* Receives output; returns 0 to go on or a negative value to stop. */
typedef int (*cc_sink_fn)(void *ud, const void *data, size_t len);

struct cc_stitch_opts {
    const char *root;       /* recordings ROOT */
    const char *rec_prefix; /* e.g. "/rec/" */
    int64_t from_ms;        /* INT64_MIN: from the start */
    int64_t to_ms;          /* INT64_MAX: to the end */
    bool ended;             /* write EXT-X-ENDLIST (else PLAYLIST-TYPE:EVENT) */
};

struct cc_stitch_stats {
    uint32_t chunks; /* chunks written */
    uint32_t skipped_missing;
    uint64_t bytes_read; /* playlist bytes read */
};

/* 0, a sink's negative value, or -errno if a playlist could not be read (a
 * vanished playlist is skipped, not an error). stats may be NULL. */
int cc_stitch_day(const struct cc_day *d, const struct cc_stitch_opts *o, cc_sink_fn sink, void *ud,
                  struct cc_stitch_stats *stats);

/* Appends s (n bytes) percent-encoded wherever a byte is not plainly safe in
 * a URL path ('/' stays): how chunk paths are written into playlists. */
void cc_stitch_put_uri(struct cc_buf *b, const char *s, size_t n);

#endif
