/* clip — plans a clip export: which bytes of which files make up the
 * wall-clock range [from, to) of one or more days.
 *
 * A clip is the recorded chunks that overlap the range, concatenated as they
 * are (no transcoding). Order is recording order: days oldest first, a day's
 * folders in recording order, a playlist's chunks in playlist order. That is
 * also wall-clock order except around a clock jump backwards, where footage
 * stays in the order it was recorded rather than being interleaved. For fMP4
 * recordings (EXT-X-MAP) the init section comes before the first fragment
 * that uses it. Chunks the index knows to be missing on disk are left out and
 * counted; so are URIs that could name a file outside the playlist's folder
 * tree (absolute, with a scheme, with "..").
 *
 * The chunk URIs and byte ranges are not in the index, so planning reads the
 * days' playlists (streamed, see cc_m3u8_parse_file) up to the range's end
 * (plus however far the segment's clock ever stepped back); it never opens a
 * chunk and writes nothing. A sampled plan (cc_clip_add_day_at) of a segment
 * whose chunk names follow one pattern (cc_segment.names, chunkname.h; never
 * with byte ranges or EXT-X-MAP) computes the names and reads no playlist. Paths in the plan are relative to ROOT and still need
 * the caller's inside-ROOT check before anything is opened.
 *
 * Ownership: a struct cc_clip owns its parts and names; cc_clip_free() them.
 * Thread rules: none shared; a clip belongs to one caller. The days passed in
 * are only read. */
#ifndef CC_CLIP_H
#define CC_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "day.h"

/* A bound on one plan's memory (about 80 bytes a part): an hour of even
 * 100 ms chunks fits, a playlist of absurdly short chunks does not. */
#define CC_CLIP_MAX_PARTS 100000

enum cc_clip_kind {
    CC_CLIP_CHUNK = 0,
    CC_CLIP_INIT = 1, /* an fMP4 init section (EXT-X-MAP) */
};

struct cc_clip_part {
    size_t name_off; /* its path, relative to ROOT, in the clip's names */
    uint64_t off;    /* byte range when has_range, else the whole file */
    uint64_t len;
    int64_t start_ms; /* chunks: wall-clock start and duration; init: 0 */
    uint32_t dur_ms;
    uint8_t kind; /* enum cc_clip_kind */
    bool has_range;
};

struct cc_clip {
    struct cc_clip_part *parts;
    size_t nparts;
    size_t cap;
    struct cc_buf names;      /* NUL-separated paths */
    uint32_t chunks;          /* CC_CLIP_CHUNK parts */
    uint32_t skipped_missing; /* chunks the index lists as missing on disk */
    uint32_t skipped_unsafe;  /* URIs refused as pointing elsewhere */
    int64_t start_ms;         /* first chunk's start (INT64_MAX: none yet) */
    int64_t end_ms;           /* latest chunk end (INT64_MIN: none yet) */
    int64_t dur_ms;           /* sum of chunk durations */
    int32_t off_min;          /* UTC offset of the first chunk's recording */
    bool has_ts;              /* chunks from playlists without EXT-X-MAP */
    bool has_fmp4;            /* chunks from playlists with EXT-X-MAP */
};

void cc_clip_init(struct cc_clip *c);
void cc_clip_free(struct cc_clip *c);

/* Appends the chunks of day d that overlap [from_ms, to_ms) (root: the
 * recordings ROOT the day's playlist paths are relative to). Call it for each
 * day in date order. Returns 0, -E2BIG past CC_CLIP_MAX_PARTS, or -errno when
 * a playlist cannot be read (one that vanished is skipped, not an error). */
int cc_clip_add_day(struct cc_clip *c, const struct cc_day *d, const char *root, int64_t from_ms,
                    int64_t to_ms);

/* A sampled plan: only the chunks of day d that hold one of the instants
 * times[0..n) (sorted ascending), each chunk once however many it holds. Its
 * size grows with n, not with the range (a day's time-lapse of 300 frames
 * plans 300 chunks, not 43,200). Returns as cc_clip_add_day. */
int cc_clip_add_day_at(struct cc_clip *c, const struct cc_day *d, const char *root,
                       const int64_t *times, size_t n);
/* Appends every chunk of one recording folder (segment s of a day), in
 * playlist order. Same returns as cc_clip_add_day. */
int cc_clip_add_segment(struct cc_clip *c, const struct cc_segment *s, const char *root);

static inline const char *cc_clip_name(const struct cc_clip *c, const struct cc_clip_part *p)
{
    return c->names.data + p->name_off;
}

#endif
