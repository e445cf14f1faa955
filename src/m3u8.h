/* m3u8 — an incremental, pure parser for HLS media playlists (the RFC 8216
 * subset that recorders write).
 *
 * No I/O: the caller hands in the bytes of the playlist from st->offset on.
 * Only complete lines (ending in '\n') are consumed, so a half-written last
 * line after a power cut is never used; an unterminated "#EXT-X-ENDLIST" at
 * end of file is the one exception, as it cannot be partial.
 *
 * Resuming: st->offset only advances to "commit points", the ends of lines
 * after which no chunk is half-described (no EXTINF/PDT/BYTERANGE/
 * DISCONTINUITY waiting for its URI). Re-parsing from st->offset with the same
 * state therefore continues exactly where the previous call stopped; a
 * DATERANGE line past the last commit point may be reported twice, so
 * consumers de-duplicate events by ID. An over-long line (CC_M3U8_LINE_MAX)
 * is the one place st->offset moves elsewhere: past the bytes of it seen so
 * far, remembered in skip_line.
 *
 * Strings in callbacks are borrowed: valid only during the call.
 * Thread rules: none; a state belongs to one caller at a time. */
#ifndef CC_M3U8_H
#define CC_M3U8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CC_M3U8_MAP_MAX 256                     /* longest EXT-X-MAP URI kept */
#define CC_M3U8_URI_MAX 1024                    /* longer chunk URIs are rejected as bad lines */
#define CC_M3U8_MAX_CHUNK_US (3600LL * 1000000) /* an EXTINF over an hour is absurd */
/* A line, or the lines describing one chunk, longer than this (garbage after
 * a power cut can be a 50 MB "line") is skipped as ONE bad line, the chunk it
 * was describing dropped (the next one starts a discontinuity); parsing
 * resumes after the next newline. The parser never leaves more than this
 * after st->offset, so a caller feeding it in blocks holds at most this plus
 * one block, whatever the file holds. */
#define CC_M3U8_LINE_MAX 65536

struct cc_m3u8_state {
    uint64_t offset;     /* bytes of the file consumed (to the last commit point) */
    uint64_t media_seq;  /* EXT-X-MEDIA-SEQUENCE */
    uint64_t next_range; /* where a BYTERANGE without @offset starts */
    uint64_t map_len;    /* EXT-X-MAP BYTERANGE, if map_has_range */
    uint64_t map_off;
    uint32_t target_s; /* EXT-X-TARGETDURATION, 0 if absent */
    uint32_t version;
    uint32_t nchunks;    /* chunks reported so far */
    uint32_t bad_lines;  /* lines ignored as malformed or absurd */
    uint32_t bad_tail;   /* ... of them past offset (counted at end of file) */
    uint8_t header_seen; /* #EXTM3U was the first line */
    uint8_t endlist;
    uint8_t map_has_range;
    uint8_t skip_line;             /* st->offset is inside an over-long line */
    uint8_t carry_discont;         /* a chunk was dropped there: the next is discontinuous */
    char map_uri[CC_M3U8_MAP_MAX]; /* "" when no EXT-X-MAP */
};

struct cc_m3u8_chunk {
    const char *uri;
    size_t uri_len;
    int64_t dur_us;     /* EXTINF, 0 .. CC_M3U8_MAX_CHUNK_US */
    uint64_t seq;       /* media sequence number */
    uint32_t index;     /* position in the playlist, from 0 */
    bool discontinuity; /* EXT-X-DISCONTINUITY (or a dropped chunk) before it */
    bool has_pdt;
    bool pdt_has_off;
    int pdt_off_min;
    int64_t pdt_ms;
    bool has_range; /* EXT-X-BYTERANGE */
    uint64_t range_len;
    uint64_t range_off;
    bool map_changed; /* first chunk after an EXT-X-MAP tag */
};

struct cc_m3u8_daterange {
    const char *id, *cls, *label; /* label: X-LABEL, else "" */
    size_t id_len, cls_len, label_len;
    bool has_start, has_end, has_dur;
    int start_off_min;
    bool start_has_off;
    int64_t start_ms, end_ms, dur_ms;
};

struct cc_m3u8_handler {
    /* Return 0 to go on, negative to stop parsing (that value is returned). */
    int (*chunk)(void *ud, const struct cc_m3u8_chunk *c);
    void (*daterange)(void *ud, const struct cc_m3u8_daterange *d);
    void *ud;
};

void cc_m3u8_state_init(struct cc_m3u8_state *st);

/* Parses buf (the file's bytes from st->offset on; len of them). at_eof says
 * whether buf ends at the file's current end. Returns 0 or the handler's
 * negative value. */
int cc_m3u8_parse(struct cc_m3u8_state *st, const char *buf, size_t len, bool at_eof,
                  const struct cc_m3u8_handler *h);

/* Parses an HLS decimal duration ("2", "2.000", "1.96") into microseconds.
 * Returns 0 or -EINVAL (exponents, signs, NaN, overflow). */
int cc_m3u8_parse_duration(const char *s, size_t len, int64_t *us);

/* Iterates an attribute list: *p advances past each KEY=VALUE. Quoted values
 * come back without their quotes. Returns 1 for a pair, 0 at the end, -EINVAL
 * on malformed input. */
int cc_m3u8_attr_next(const char **p, const char *end, const char **key, size_t *key_len,
                      const char **val, size_t *val_len);

#endif
