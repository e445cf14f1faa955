/* day — the index of one recording day: segments (one per playlist), their
 * timing, gaps, overlaps and motion events.
 *
 * Timing model. A segment's chunks are grouped in spans: contiguous chunks on
 * one clock. A span starts at the first chunk, at every EXT-X-DISCONTINUITY,
 * and wherever a chunk's program-date-time differs from where the previous
 * chunk ended by more than CC_RESYNC_MS (a clock jump, or drift between the
 * camera clock and the media clock). Inside a span, chunk durations are kept
 * in whole milliseconds as runs (count, duration delta against the previous
 * run) encoded as LEB128 varints, a single-chunk run in one varint, so
 * equal-duration chunks cost nothing and varying ones one or two bytes. Durations are rounded on the running sum, so a day of 2.0003 s
 * chunks does not drift.
 *
 * Ownership: a struct cc_day owns everything it points to; cc_day_free()
 * releases it. Days handed out by the catalog are immutable and shared between
 * threads: never modify one you did not build. */
#ifndef CC_DAY_H
#define CC_DAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chunkname.h"
#include "isotime.h"
#include "m3u8.h"

#define CC_RESYNC_MS 250 /* PDT error absorbed inside a span (jitter, drift) */
#define CC_TAIL_CRC_BYTES 4096

enum cc_span_kind {
    CC_SPAN_START = 0,   /* the segment's first chunk */
    CC_SPAN_DISCONT = 1, /* the source had EXT-X-DISCONTINUITY (or a dropped chunk) */
    CC_SPAN_RESYNC = 2,  /* PDT moved by more than CC_RESYNC_MS, less than a gap */
    CC_SPAN_GAP = 3,     /* PDT jumped forward by more than 1.5 x target duration */
    CC_SPAN_OVERLAP = 4, /* PDT jumped backwards by more than 1.5 x target duration */
};

struct cc_span {
    int64_t start_ms;
    int64_t dur_ms;       /* sum of its chunk durations */
    uint32_t first_chunk; /* index of its first chunk in the segment */
    uint32_t nchunks;
    uint32_t runs_off; /* its run pairs in the segment's run stream */
    uint32_t runs_len;
    uint8_t kind; /* enum cc_span_kind */
};

enum cc_seg_flag {
    CC_SEG_ENDLIST = 1 << 0, /* #EXT-X-ENDLIST seen: closed properly */
    CC_SEG_UNTIMED = 1 << 1, /* no usable PDT: placed by the fallback (see scan.h) */
    CC_SEG_TIMED = 1 << 2,   /* at least one PDT seen (builder state) */
    CC_SEG_FMP4 = 1 << 3,    /* uses EXT-X-MAP */
    CC_SEG_LAST = 1 << 4,    /* last playlist of the day folder */
    CC_SEG_SIZED = 1 << 5,   /* media_bytes counts every chunk indexed (see scan.h) */
    /* Its fingerprints came from its writer's own note (cc_scan_note): exact,
     * so a refresh trusts them without the mtime slack. Never in a sidecar. */
    CC_SEG_NOTED = 1 << 6,
};

/* Where a file stood when it was indexed: decides staleness by stat alone. */
struct cc_fprint {
    uint64_t size;
    int64_t mtime_ns;
    uint64_t ino; /* a hint only: FAT renumbers inodes on remount */
};

/* What a segment holds, probed once from its first chunk (see probe.h and
 * scan.h): plain values, so a segment copies with them. */
#define CC_PROPS_STR 48
struct cc_media_props {
    bool probed;           /* its first chunk was looked at (found or not) */
    uint8_t vcodec;        /* enum cc_vcodec (nal.h); 0: no video found */
    uint8_t level;         /* level_idc (H.264: x 10, H.265: x 30) */
    uint8_t chroma_format; /* 1: 4:2:0, 2: 4:2:2 */
    uint8_t bit_depth;
    uint8_t audio_type;              /* PMT stream_type; 0: no audio stream */
    uint8_t channels;                /* ADTS channel configuration; 0: unknown */
    uint32_t width, height;          /* 0: no SPS parsed */
    uint32_t fps_num, fps_den;       /* 0/0: not in the SPS */
    uint32_t sample_rate;            /* 0: unknown */
    uint32_t chunk_ms;               /* the first chunk's EXTINF */
    uint64_t chunk_bytes;            /* the first chunk's file size; 0: not on disk */
    char codec_string[CC_PROPS_STR]; /* "avc1.64001f"; "": no SPS */
    char profile[CC_PROPS_STR];      /* ffprobe's name, "High" */
};

struct cc_segment {
    char *id;         /* segment folder name, e.g. "00003" */
    char *playlist;   /* playlist path relative to ROOT */
    int64_t start_ms; /* earliest span start */
    int64_t end_ms;   /* latest span end */
    int64_t dur_ms;   /* sum of chunk durations */
    int64_t base_ms;  /* untimed placement added to raw span starts */
    uint32_t nchunks;
    uint32_t target_ms;
    int32_t off_min;  /* UTC offset its PDTs used */
    uint32_t flags;   /* enum cc_seg_flag */
    uint32_t bad_pdt; /* PDTs ignored as implausible */
    struct cc_span *spans;
    uint32_t nspans;
    size_t spans_cap;
    uint8_t *runs;
    uint32_t runs_len;
    size_t runs_cap;
    uint32_t *missing; /* sorted chunk indices whose file is not on disk */
    uint32_t nmissing;
    /* Resume state for appended bytes. */
    struct cc_m3u8_state pst;
    uint32_t tail_crc;  /* CRC-32 of up to CC_TAIL_CRC_BYTES before pst.offset */
    uint32_t run_count; /* open run not yet in runs[]: count and duration */
    uint32_t run_dur_ms;
    uint32_t prev_run_dur_ms; /* duration of the last flushed run in the open span */
    uint64_t span_cum_us;     /* exact EXTINF sum since the open span started */
    struct cc_fprint fp;      /* the playlist */
    struct cc_fprint dir_fp;  /* its folder (entries: chunks present or missing) */
    /* Storage it uses, in allocated bytes (st_blocks * 512: what deleting
     * frees): its chunk files (and EXT-X-MAP init files) on disk, exact only
     * when CC_SEG_SIZED is set (they cost a stat each, so they are counted
     * off the request path, see scan.h), and the playlist file itself. */
    uint64_t media_bytes;
    uint64_t pl_bytes;
    struct cc_media_props props;
    /* Its chunk names as one numeric pattern, when they follow one
     * (chunkname.h): lets a thumbnail skip reading the playlist. */
    struct cc_chunkname names;
};

enum cc_event_src { CC_EV_DATERANGE = 0, CC_EV_FILE = 1 };

struct cc_event {
    int64_t start_ms;
    int64_t end_ms;   /* == start_ms for a point event */
    uint32_t id_hash; /* DATERANGE ID (0 for events.txt lines) */
    uint16_t src_seg; /* segment (DATERANGE) or events file index */
    uint8_t src;      /* enum cc_event_src */
    char *label;      /* owned, never NULL */
};

struct cc_evfile {
    char *path; /* relative to ROOT */
    struct cc_fprint fp;
    uint32_t bad_lines;
    uint64_t bytes; /* allocated bytes (st_blocks * 512) */
};

struct cc_range {
    int64_t start_ms;
    int64_t end_ms;
};

struct cc_dayjson_cache;

struct cc_day {
    struct cc_date date;
    char name[11];           /* "YYYY-MM-DD" */
    int64_t utc_midnight_ms; /* the date's midnight in UTC (PDT plausibility) */
    int32_t off_min;         /* the day's UTC offset (first timed segment) */
    int64_t built_ns;        /* wall clock when its sources were last checked */
    struct cc_fprint dir_fp; /* the day folder */
    uint32_t entries_hash;   /* hash of the day folder's relevant entry names */

    struct cc_segment *segs;
    uint32_t nsegs;
    size_t segs_cap;
    struct cc_evfile *evfiles;
    uint32_t nevfiles;
    size_t evfiles_cap;
    struct cc_event *raw; /* events as found, by source */
    uint32_t nraw;
    size_t raw_cap;

    /* Numbered folders that held nothing indexed (no playlist, no
     * events.txt), in scan order, with their fingerprint: an unchanged one
     * is not opened again on a refresh. Never stored in a sidecar (the first
     * refresh after a load lists them once). */
    struct cc_quiet_dir *quiet;
    uint32_t nquiet;
    size_t quiet_cap;

    /* Derived by cc_day_finish(); never stored in a sidecar. */
    struct cc_event *events; /* merged, sorted, de-duplicated; labels borrowed from raw */
    uint32_t nevents;
    struct cc_range *gaps;
    uint32_t ngaps;
    struct cc_range *overlaps;
    uint32_t noverlaps;
    int64_t start_ms, end_ms;
    int64_t recorded_ms, gap_ms;
    uint32_t nchunks;
    uint64_t bytes;   /* storage of its recordings: segments + events files */
    size_t mem_bytes; /* heap held, for the cache's budget */
    uint32_t refs;    /* references handed out; the catalog's, under its lock */
    /* The day's JSON, rendered once by dayjson and published with a
     * compare-and-swap (the day is otherwise immutable and shared); one
     * allocation, freed with the day. */
    _Atomic(struct cc_dayjson_cache *) json_cache;
};

struct cc_quiet_dir {
    uint64_t num;      /* the folder's number ... */
    uint32_t name_len; /* ... and its digits, leading zeros included */
    uint32_t size;     /* of the fingerprint */
    int64_t mtime_ns;
};

struct cc_day *cc_day_new(const struct cc_date *date);
void cc_day_free(struct cc_day *d);
/* A deep copy (for building a new version from a shared one). Caller frees. */
struct cc_day *cc_day_clone(const struct cc_day *d);

/* Appends an empty segment (id and playlist copied) and returns it; the
 * pointer is valid until the next append. */
struct cc_segment *cc_day_add_segment(struct cc_day *d, const char *id, const char *playlist);
/* Appends a deep copy of a segment (of this or another day). */
struct cc_segment *cc_day_copy_segment(struct cc_day *d, const struct cc_segment *src);
/* Appends a copy of an events-file record (path copied). */
struct cc_evfile *cc_day_add_evfile(struct cc_day *d, const struct cc_evfile *f);
void cc_day_add_event(struct cc_day *d, const struct cc_event *ev, const char *label);
/* Drops raw events from one source (before re-reading it). */
void cc_day_drop_events(struct cc_day *d, enum cc_event_src src, uint16_t src_idx);

/* Decodes the next run pair of a span's run stream (prev: the previous run's
 * duration, 0 at a span's start). Returns 0 or -EINVAL on malformed bytes. */
int cc_runs_next(const uint8_t **p, const uint8_t *end, uint32_t prev, uint32_t *count,
                 uint32_t *dur);

/* Timeline builder: feeds one parsed chunk into segment s of day d. */
void cc_segment_add_chunk(struct cc_segment *s, const struct cc_day *d,
                          const struct cc_m3u8_chunk *c);
/* Flushes the open run so runs[] is complete (idempotent; resumable). */
void cc_segment_flush(struct cc_segment *s);
/* Re-opens the last run of the last span after loading (inverse of flush). */
void cc_segment_reopen(struct cc_segment *s);
/* Is this PDT plausible for the day folder (see day.c)? */
bool cc_day_pdt_plausible(const struct cc_day *d, int64_t pdt_ms, int off_min);
/* Moves an untimed segment to a new base (its spans shift with it). */
void cc_segment_rebase(struct cc_segment *s, int64_t base_ms);

/* "Being recorded", the one rule for the whole product (live view, the day
 * JSON, DELETE, retention): a playlist without #EXT-X-ENDLIST whose file or
 * folder changed within CC_RECORDING_FRESH_MS, or three target durations if
 * that is longer, of now, either way (a time that far ahead of now is a
 * clock that went back since, not a recording).
 * Whatever day folder it is in: a boot with a wrong clock records into a
 * day named by that clock. Everything else without ENDLIST was cut short. */
#define CC_RECORDING_FRESH_MS 10000
bool cc_recording_fresh(int64_t mtime_ns, uint32_t target_ms, int64_t now_ns);
/* The rule for an indexed segment, from the fingerprints taken when its day
 * was last checked (the catalog re-checks at most recheck_ms apart). */
bool cc_segment_recording(const struct cc_segment *s, int64_t now_ns);

/* Computes the derived fields (events, gaps, overlaps, totals). */
void cc_day_finish(struct cc_day *d);

/* Chunk iteration over a segment's spans, in playlist order. */
struct cc_chunk_iter {
    const struct cc_segment *seg;
    uint32_t span;    /* current span */
    uint32_t in_span; /* chunks of the span consumed */
    const uint8_t *rp, *rend;
    uint32_t run_left, run_dur;
    int64_t t_ms;   /* start of the next chunk */
    uint32_t index; /* index of the next chunk */
};
void cc_chunk_iter_init(struct cc_chunk_iter *it, const struct cc_segment *seg);
/* Returns true and the next chunk's start/duration, or false at the end. */
bool cc_chunk_iter_next(struct cc_chunk_iter *it, int64_t *start_ms, uint32_t *dur_ms,
                        uint32_t *index, uint8_t *span_kind);
/* Skips the chunks ahead that end at or before ms, in playlist order, up to
 * the first that ends after it: whole spans and duration runs at a time, so a
 * thumbnail in a long segment does not walk every chunk before it. Chunks of
 * a later span that end before ms (a clock set back) are not skipped. */
void cc_chunk_iter_skip_before(struct cc_chunk_iter *it, int64_t ms);

/* Maps a wall-clock instant to the chunk that holds it: 0 and the position, or
 * -ENOENT when ms falls in no chunk (a gap, or outside the day). With
 * overlapping footage the earliest-recorded chunk wins. */
struct cc_position {
    uint32_t seg;
    uint32_t chunk;
    int64_t chunk_start_ms;
    int64_t offset_ms;
};
int cc_day_locate(const struct cc_day *d, int64_t ms, struct cc_position *pos);
/* The first recorded instant at or after ms (to jump over a gap): 0 or -ENOENT. */
int cc_day_next_recorded(const struct cc_day *d, int64_t ms, struct cc_position *pos);

/* True when the segment's chunk index is listed as missing on disk. */
bool cc_segment_chunk_missing(const struct cc_segment *s, uint32_t index);

#endif
