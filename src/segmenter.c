/* segmenter — see segmenter.h. Input offsets (the ts reader's) index the
 * bytes kept in buf: buf.data[0] is input offset base. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "segmenter.h"
#include "ts.h"

#define WRAP (1LL << 33)
#define SYNC 0x47
/* DTS may repeat or step back a little (muxer jitter); more is a jump. */
#define BACK_TOLERANCE (CC_SEG_HZ / 10)
/* Input that is not MPEG-TS is refused once this much has been read. */
#define NOT_TS_BYTES (64u << 10)
#define NO_PROGRAM_BYTES (1u << 20)
#define FIRST_BYTES (256u << 10)

/* Where a video PES begins and its decode time (unwrapped). */
struct frame {
    uint64_t start;
    int64_t dts;
    bool valid;
};

struct cc_seg {
    struct cc_seg_config cfg;
    cc_seg_chunk_fn fn;
    void *ud;
    struct cc_ts ts;
    struct cc_buf buf;
    uint64_t base;                 /* input offset of buf.data[0] */
    size_t high;                   /* the most buf has held */
    uint64_t psi_scanned;          /* packets before this offset were looked at for PAT/PMT */
    uint8_t psi[2 * CC_TS_PACKET]; /* the latest PAT, then a PMT it leads to */
    bool have_pat;                 /* psi holds a PAT ... */
    bool have_psi;                 /* ... and a PMT: the pair plays (psi_pair_plays) */
    bool have_dts;
    int64_t last_raw;       /* last DTS as sent (33 bits) */
    int64_t last_dts;       /* ... unwrapped */
    int64_t top_dts;        /* the latest unwrapped DTS */
    int64_t frame_dur;      /* last positive DTS step */
    int64_t max_pts;        /* latest presentation time announced (unwrapped) */
    int64_t max_pts_before; /* ... before the newest video PES */
    struct frame cur, prev; /* the newest video PES announced, and the one before */
    struct cc_nal_scan key; /* keyframe search over the video PES at key_start */
    uint64_t key_start;
    uint64_t opened_by; /* the keyframe PES the open chunk starts with ... */
    bool opened_whole;  /* ... has ended whole */
    bool open;          /* a chunk is in progress */
    uint64_t chunk_start;
    int64_t chunk_pts, chunk_dts;
    bool waiting; /* video seen, no keyframe yet */
    int64_t wait_dts;
    uint32_t chunks;
    int64_t end_pts; /* where the last chunk handed out ends */
    uint64_t bytes_in;
    int64_t first_pts;
    int err;
    char msg[192];
};

struct cc_seg *cc_seg_new(const struct cc_seg_config *cfg, cc_seg_chunk_fn fn, void *ud)
{
    struct cc_seg *s = cc_xcalloc(1, sizeof(*s));
    s->cfg = *cfg;
    s->fn = fn;
    s->ud = ud;
    s->first_pts = -1;
    cc_ts_init(&s->ts);
    /* PES payloads are looked at as they pass: the chunk buffer already
     * holds their packets, a second copy of a keyframe would double it. */
    s->ts.video.stream = true;
    s->ts.audio.stream = true;
    s->key_start = UINT64_MAX;
    cc_buf_init(&s->buf);
    return s;
}

void cc_seg_free(struct cc_seg *s)
{
    if (!s)
        return;
    cc_ts_free(&s->ts);
    cc_buf_free(&s->buf);
    free(s);
}

const char *cc_seg_error(const struct cc_seg *s)
{
    return s->msg;
}

void cc_seg_get_info(const struct cc_seg *s, struct cc_seg_info *out)
{
    *out = (struct cc_seg_info){
        .codec = s->ts.video.type == CC_TS_TYPE_H265   ? CC_VCODEC_H265
                 : s->ts.video.type == CC_TS_TYPE_H264 ? CC_VCODEC_H264
                                                       : CC_VCODEC_NONE,
        .audio = s->ts.audio.pid != 0,
        .started = s->first_pts >= 0,
        .first_pts = s->first_pts,
        .chunks = s->chunks,
        .bytes_in = s->bytes_in,
        .lost = s->ts.lost,
        .held_max = s->high,
    };
}

static int fail(struct cc_seg *s, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct cc_seg *s, int err, const char *fmt, ...)
{
    if (s->err)
        return s->err;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof(s->msg), fmt, ap);
    va_end(ap);
    s->err = err;
    return err;
}

static const uint8_t *at(const struct cc_seg *s, uint64_t off)
{
    return (const uint8_t *)s->buf.data + (off - s->base);
}

static uint16_t pid_of(const uint8_t *p)
{
    return (uint16_t)((p[1] & 0x1f) << 8 | p[2]);
}

/* A packet the ts reader may take as a PAT or PMT (never one of the video:
 * a damaged PAT can name the video PID as the PMT's). */
static bool is_psi_packet(const struct cc_seg *s, const uint8_t *p)
{
    uint16_t pid = pid_of(p);
    return p[0] == SYNC && pid != s->ts.video.pid &&
           (pid == 0 || (s->ts.pmt_pid && pid == s->ts.pmt_pid));
}

static int ignore_pes(void *ud, const struct cc_ts_pes *pes)
{
    (void)ud;
    (void)pes;
    return 0;
}

/* Does a reader that starts with the packets pat and pmt find the stream's
 * video stream? Bytes with the PIDs of a PAT and PMT are not enough: a PAT
 * may be damaged, or name a PMT PID that a later PAT changes (the ts reader
 * follows the latest PAT but only the first PMT). Asking a fresh reader
 * answers exactly what a player of the chunk alone will see. */
static bool psi_pair_plays(const struct cc_seg *s, const uint8_t *pat, const uint8_t *pmt)
{
    if (!s->ts.video.pid || pat[0] != SYNC || pid_of(pat) != 0 || pmt[0] != SYNC)
        return false;
    struct cc_ts t;
    cc_ts_init(&t);
    cc_ts_feed(&t, pat, CC_TS_PACKET, ignore_pes, NULL);
    cc_ts_feed(&t, pmt, CC_TS_PACKET, ignore_pes, NULL);
    bool ok = t.have_pmt && t.video.pid == s->ts.video.pid && t.video.type == s->ts.video.type;
    cc_ts_free(&t);
    return ok;
}

/* Looks at the whole packets before upto (all read by the ts reader) for the
 * first PAT and PMT that play as a pair, so a chunk that lacks them can be
 * given copies. */
static void scan_psi(struct cc_seg *s, uint64_t upto)
{
    uint64_t o = s->psi_scanned > s->base ? s->psi_scanned : s->base;
    while (!s->have_psi && o + CC_TS_PACKET <= upto) {
        const uint8_t *p = at(s, o);
        if (p[0] != SYNC) {
            o++;
            continue;
        }
        bool start = p[1] & 0x40;
        if (start && pid_of(p) == 0) {
            memcpy(s->psi, p, CC_TS_PACKET);
            s->have_pat = true;
        } else if (start && s->have_pat && psi_pair_plays(s, s->psi, p)) {
            memcpy(s->psi + CC_TS_PACKET, p, CC_TS_PACKET);
            s->have_psi = true;
        }
        o += CC_TS_PACKET;
    }
    if (o > s->psi_scanned)
        s->psi_scanned = o;
}

/* Drops the kept bytes before off (looked at for PAT/PMT first). */
static void discard(struct cc_seg *s, uint64_t off)
{
    if (off <= s->base)
        return;
    scan_psi(s, off);
    size_t n = (size_t)(off - s->base);
    memmove(s->buf.data, s->buf.data + n, s->buf.len - n);
    s->buf.len -= n;
    s->base = off;
}

/* A cut at a keyframe's first packet takes the PAT/PMT right before it along
 * (only when they begin with the PAT: a chunk must start with one). */
static uint64_t walk_back(const struct cc_seg *s, uint64_t off)
{
    uint64_t o = off, best = off;
    for (int i = 0; i < 4 && o >= s->base + CC_TS_PACKET; i++) {
        const uint8_t *p = at(s, o - CC_TS_PACKET);
        if (!is_psi_packet(s, p))
            break;
        o -= CC_TS_PACKET;
        if (pid_of(p) == 0)
            best = o;
    }
    return best;
}

static bool starts_with_psi(const struct cc_seg *s, const uint8_t *p, size_t len)
{
    return len >= 2 * CC_TS_PACKET && psi_pair_plays(s, p, p + CC_TS_PACKET);
}

/* Hands out the chunk in progress as [chunk_start, end) lasting dur. */
static int emit(struct cc_seg *s, uint64_t end, int64_t dur)
{
    s->open = false;
    if (end <= s->chunk_start)
        return 0;
    struct cc_seg_chunk c = {
        .data = at(s, s->chunk_start),
        .len = (size_t)(end - s->chunk_start),
        .pts = s->chunk_pts,
        .dur = dur > 0 ? dur : 0,
        .offset = s->chunk_start,
        .seq = s->chunks,
    };
    if (!starts_with_psi(s, c.data, c.len)) {
        scan_psi(s, end);   /* a pair inside the chunk will do too */
        if (!s->have_psi) { /* would not play alone: dropped */
            discard(s, end);
            return 0;
        }
        c.psi = s->psi;
        c.psi_len = sizeof(s->psi);
    }
    int rc = s->fn(s->ud, &c);
    s->chunks++;
    s->end_pts = c.pts + c.dur;
    discard(s, end);
    if (rc < 0)
        return fail(s, rc, "the chunk could not be written: %s", strerror(-rc));
    return 0;
}

/* The chunk in progress ends before the newest video PES (which a fault or a
 * dropped connection may have cut short). */
static void flush_before_cur(struct cc_seg *s)
{
    if (s->open && s->cur.start != s->opened_by) /* else nothing is complete */
        emit(s, s->cur.start, s->max_pts_before + s->frame_dur - s->chunk_pts);
}

/* Stops the stream: what was complete before the fault is handed out first. */
static int fault(struct cc_seg *s, int err, const char *msg)
{
    flush_before_cur(s);
    return fail(s, err, "%s", msg);
}

static int64_t signed33(int64_t d)
{
    d &= WRAP - 1;
    return d >= WRAP / 2 ? d - WRAP : d;
}

/* A picture's presentation time from its unwrapped DTS. B-frames put the PTS
 * a little after the DTS; one before it, or further off than a chunk may
 * last, is damage (it would give a chunk a time before the stream's start
 * or a duration of hours): the DTS stands in. */
static int64_t pts_of(const struct cc_seg *s, int64_t dts, const struct cc_ts_pes *pes)
{
    if (pes->pts < 0 || pes->dts < 0)
        return dts;
    int64_t off = signed33(pes->pts - pes->dts);
    return off >= 0 && off <= (int64_t)s->cfg.max_chunk_ms * 90 ? dts + off : dts;
}

/* The PES's DTS on the unwrapped timeline, which never goes below 0: 0, or
 * -ERANGE with the message in msg when it jumps. */
static int unwrap_dts(struct cc_seg *s, const struct cc_ts_pes *pes, int64_t *out, char *msg,
                      size_t msgsz)
{
    int64_t dts = s->last_dts + s->frame_dur; /* a PES without timestamps */
    if (pes->dts >= 0 && s->have_dts) {
        int64_t d = signed33(pes->dts - s->last_raw);
        /* jitter back is measured from the latest DTS: small steps back must not add up */
        int64_t back = s->top_dts - (s->last_dts + d);
        if (back > BACK_TOLERANCE || d > (int64_t)s->cfg.max_chunk_ms * 90) {
            snprintf(msg, msgsz, "timestamps jumped %s by %.3f s at byte %llu",
                     back > 0 ? "back" : "forward", (double)(back > 0 ? back : d) / CC_SEG_HZ,
                     (unsigned long long)pes->start);
            return -ERANGE;
        }
        dts = s->last_dts + d;
        if (d > 0)
            s->frame_dur = d;
    } else if (pes->dts >= 0) {
        /* one wrap later, so that jitter back cannot take the timeline below 0 */
        dts = pes->dts < BACK_TOLERANCE ? pes->dts + WRAP : pes->dts;
    }
    if (pes->dts >= 0) {
        s->have_dts = true;
        s->last_raw = pes->dts;
    }
    s->last_dts = dts;
    if (dts > s->top_dts)
        s->top_dts = dts;
    *out = dts;
    return 0;
}

static int on_video_start(struct cc_seg *s, const struct cc_ts_pes *pes)
{
    if (s->open && !s->opened_whole && pes->start != s->opened_by)
        s->open = false; /* its keyframe was dropped: the bytes go below */
    char msg[160];
    int64_t dts;
    if (unwrap_dts(s, pes, &dts, msg, sizeof(msg)) < 0) {
        if (s->open) /* everything before this PES is complete */
            emit(s, pes->start, s->max_pts + s->frame_dur - s->chunk_pts);
        return fail(s, -ERANGE, "%s", msg);
    }
    /* B-frames: the last frame shown is the one with the latest PTS */
    int64_t pts = pts_of(s, dts, pes);
    s->max_pts_before = s->max_pts;
    if (!s->cur.valid || pts > s->max_pts)
        s->max_pts = pts;
    s->prev = s->cur;
    s->cur = (struct frame){.start = pes->start, .dts = dts, .valid = true};
    int64_t max = (int64_t)s->cfg.max_chunk_ms * 90;
    if (s->open && dts - s->chunk_dts > max) {
        snprintf(msg, sizeof(msg), "no keyframe for %.1f s (ingest_max_chunk_s is %u)",
                 (double)(dts - s->chunk_dts) / CC_SEG_HZ, s->cfg.max_chunk_ms / 1000);
        return fault(s, -EFBIG, msg);
    }
    if (!s->open) {
        if (!s->waiting) {
            s->waiting = true;
            s->wait_dts = dts;
        } else if (dts - s->wait_dts > max) {
            return fail(s, -EFBIG, "no keyframe in the first %.1f s of video",
                        (double)(dts - s->wait_dts) / CC_SEG_HZ);
        }
        discard(s, walk_back(s, pes->start));
    }
    return 0;
}

static enum cc_vcodec codec_of(const struct cc_ts_pes *pes)
{
    return pes->stream_type == CC_TS_TYPE_H265 ? CC_VCODEC_H265 : CC_VCODEC_H264;
}

static int on_keyframe(struct cc_seg *s, const struct cc_ts_pes *pes);

/* The next payload bytes of the video PES at pes->start: scanned for a
 * keyframe until one is found. */
static int on_video_piece(struct cc_seg *s, const struct cc_ts_pes *pes)
{
    if (s->key_start != pes->start) {
        s->key_start = pes->start;
        cc_nal_scan_init(&s->key, codec_of(pes));
    }
    if (s->key.key || !cc_nal_scan_feed(&s->key, pes->data, pes->len))
        return 0;
    return on_keyframe(s, pes);
}

/* The video PES at pes->start holds a keyframe, seen in its first bytes: a
 * cut now, not at its end, so the chunk buffer never holds a keyframe more
 * than the chunk. The chunk it opens stands once the PES ends whole
 * (on_video_end); a PES the ts reader drops instead (packets lost) takes the
 * chunk with it (on_video_start), as no player could start there. */
static int on_keyframe(struct cc_seg *s, const struct cc_ts_pes *pes)
{
    const struct frame *f = pes->start == s->cur.start    ? &s->cur
                            : pes->start == s->prev.start ? &s->prev
                                                          : NULL;
    if (!f || !f->valid || pes->pts < 0 || pes->start < s->base)
        return 0; /* its start is gone: not a place to cut */
    int64_t pts = pts_of(s, f->dts, pes);
    if (s->open) {
        if (pts - s->chunk_pts < (int64_t)s->cfg.chunk_ms * 90)
            return 0;
        int rc = emit(s, walk_back(s, pes->start), pts - s->chunk_pts);
        if (rc < 0)
            return rc;
    } else if (s->chunks && pts < s->end_pts) {
        return 0; /* before the end of the chunk handed out last (its keyframe was lost) */
    } else {
        discard(s, walk_back(s, pes->start));
    }
    s->open = true;
    s->opened_by = pes->start;
    s->opened_whole = false;
    s->waiting = false;
    s->chunk_start = walk_back(s, pes->start);
    s->chunk_pts = pts;
    s->chunk_dts = f->dts;
    if (s->first_pts < 0)
        s->first_pts = pts;
    return 0;
}

static int on_video_end(struct cc_seg *s, const struct cc_ts_pes *pes)
{
    if (s->open && pes->start == s->opened_by)
        s->opened_whole = true;
    return 0;
}

static int on_pes(void *ud, const struct cc_ts_pes *pes)
{
    struct cc_seg *s = ud;
    if (!pes->video)
        return 0;
    int rc = pes->piece     ? on_video_piece(s, pes)
             : pes->partial ? on_video_start(s, pes)
                            : on_video_end(s, pes);
    return rc < 0 ? rc : s->err;
}

/* Input that cannot become a recording, recognised as early as possible. */
static int check_stream(struct cc_seg *s)
{
    const struct cc_ts *t = &s->ts;
    if (t->have_pmt && !t->video.pid)
        return fail(s, -ENOMEDIUM, "the stream has no H.264 or H.265 video");
    if (!t->pmt_pid && s->bytes_in >= NOT_TS_BYTES && t->skipped > s->bytes_in / 2)
        return fail(s, -EPROTO, "not MPEG-TS: no sync bytes in the first %llu bytes",
                    (unsigned long long)s->bytes_in);
    if (!t->have_pmt && s->bytes_in >= NO_PROGRAM_BYTES)
        return fail(s, -EPROTO, "not MPEG-TS: no PAT/PMT in the first %llu bytes",
                    (unsigned long long)s->bytes_in);
    if (s->buf.len > s->cfg.max_chunk_bytes) {
        if (s->open)
            return fault(s, -EFBIG, "no keyframe within ingest_max_chunk_mb of video");
        return fail(s, -EFBIG, "no keyframe in the first %zu bytes", s->buf.len);
    }
    return 0;
}

/* Appends to the chunk buffer, the largest memory of a recording. Chunks are
 * alike: it grows straight to the most it held before, else by an eighth, and
 * never past what check_stream allows it (a doubling would reserve up to
 * twice a chunk). It starts at FIRST_BYTES, above malloc's mmap threshold
 * (glibc: 128 KiB), so growing it remaps pages instead of copying them
 * through the heap: only the bytes held are ever touched. */
static void keep(struct cc_seg *s, const uint8_t *p, size_t n)
{
    struct cc_buf *b = &s->buf;
    size_t need = b->len + n + 1; /* cc_buf keeps a NUL after the bytes */
    if (need > b->cap) {
        size_t cap = s->high + 1 > need ? s->high + 1 : need + need / 8;
        if (cap < FIRST_BYTES)
            cap = FIRST_BYTES;
        size_t most = s->cfg.max_chunk_bytes + n + 1;
        if (cap > most)
            cap = most > need ? most : need;
        b->data = cc_xrealloc(b->data, cap);
        b->cap = cap;
    }
    cc_buf_append(b, p, n);
    if (b->len > s->high)
        s->high = b->len;
}

int cc_seg_feed(struct cc_seg *s, const uint8_t *buf, size_t len)
{
    if (s->err)
        return s->err;
    keep(s, buf, len);
    s->bytes_in += len;
    int rc = cc_ts_feed(&s->ts, buf, len, on_pes, s);
    if (rc < 0)
        return rc;
    if (!s->open && !s->waiting && s->ts.part_len == 0)
        discard(s, s->base + s->buf.len); /* nothing to keep yet but PAT/PMT */
    return check_stream(s);
}

static const char *why_nothing(const struct cc_seg *s)
{
    if (!s->ts.pmt_pid)
        return "not MPEG-TS: no PAT";
    if (!s->ts.have_pmt)
        return "no PMT in the stream";
    if (!s->ts.video.pid)
        return "the stream has no H.264 or H.265 video";
    return "no keyframe in the stream";
}

int cc_seg_finish(struct cc_seg *s, bool clean)
{
    if (s->err)
        return s->err;
    if (clean) {
        int rc = cc_ts_finish(&s->ts, on_pes, s);
        if (rc < 0)
            return rc;
        if (s->open && s->opened_whole) {
            uint64_t end = s->base + s->buf.len - s->ts.part_len;
            emit(s, end, s->max_pts + s->frame_dur - s->chunk_pts);
        }
    } else {
        flush_before_cur(s);
    }
    if (s->err)
        return s->err;
    if (s->chunks == 0)
        return fail(s, -ENODATA, "%s", why_nothing(s));
    return 0;
}
