/* The segmenter and the recording writer on streams made by Debian's ffmpeg
 * at test time (libx264 with short and long GOPs, libx265, AAC audio), fed in
 * awkward pieces; the bad inputs of issue 15; and the folder written. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "fsutil.h"
#include "ingest.h"
#include "mem.h"
#include "nal.h"
#include "recwriter.h"
#include "segmenter.h"
#include "isotime.h"
#include "testutil.h"
#include "ts.h"

#define SEC CC_SEG_HZ

static char *tmp;

/* A stream from ffmpeg: lavfi test pattern (+ sine as AAC when audio). */
static void make_ts(struct cc_buf *out, const char *name, const char *args)
{
    char path[512], cmd[1536];
    snprintf(path, sizeof(path), "%s/%s", tmp, name);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -hide_banner -loglevel error -f lavfi "
             "-i testsrc2=size=160x120:rate=30 %s -f mpegts -y %s",
             args, path);
    assert_int_equal(system(cmd), 0);
    cc_buf_init(out);
    assert_int_equal(cc_read_file(path, 0, 64u << 20, out), 0);
}

struct got {
    int n;
    int64_t pts[64], dur[64];
    bool psi_first[64], key_first[64];
    size_t bytes[64];
};

/* Does the chunk, read alone, start with PAT, PMT and then a keyframe PES? */
struct first_pes {
    bool seen, key;
};

static int first_video(void *ud, const struct cc_ts_pes *pes)
{
    struct first_pes *f = ud;
    if (!pes->video || pes->partial || f->seen)
        return 0;
    f->seen = true;
    enum cc_vcodec codec = pes->stream_type == CC_TS_TYPE_H265 ? CC_VCODEC_H265 : CC_VCODEC_H264;
    size_t pos = 0;
    struct cc_nal nal;
    while (cc_nal_next(pes->data, pes->len, &pos, codec, &nal))
        f->key |= cc_nal_is_keyframe(codec, nal.type);
    return 1;
}

static int on_chunk(void *ud, const struct cc_seg_chunk *c)
{
    struct got *g = ud;
    assert_true(g->n < 64);
    struct cc_buf b;
    cc_buf_init(&b);
    cc_buf_append(&b, c->psi, c->psi_len);
    cc_buf_append(&b, c->data, c->len);
    const uint8_t *p = (const uint8_t *)b.data;
    g->psi_first[g->n] = b.len > 376 && p[0] == 0x47 && p[1] == 0x40 && p[2] == 0 && p[188] == 0x47;
    struct cc_ts ts;
    cc_ts_init(&ts);
    struct first_pes f = {0};
    cc_ts_feed(&ts, p, b.len, first_video, &f);
    if (!f.seen)
        cc_ts_finish(&ts, first_video, &f);
    /* the first packet the reader took as video after PAT/PMT was the keyframe */
    g->key_first[g->n] = f.key && ts.lost == 0;
    cc_ts_free(&ts);
    cc_buf_free(&b);
    g->pts[g->n] = c->pts;
    g->dur[g->n] = c->dur;
    g->bytes[g->n] = c->len + c->psi_len;
    g->n++;
    return 0;
}

static const struct cc_seg_config cfg2 = {2000, 10000, 16u << 20};
static struct cc_seg_info last_info; /* of the last run() */

/* Feeds in pieces of step bytes (the last one shorter). */
static int run(const struct cc_buf *in, size_t step, const struct cc_seg_config *cfg, bool clean,
               size_t upto, struct got *g, char *msg, size_t msgsz)
{
    memset(g, 0, sizeof(*g));
    struct cc_seg *s = cc_seg_new(cfg, on_chunk, g);
    int rc = 0;
    for (size_t o = 0; o < upto && rc == 0; o += step)
        rc = cc_seg_feed(s, (const uint8_t *)in->data + o, o + step > upto ? upto - o : step);
    if (rc == 0)
        rc = cc_seg_finish(s, clean);
    cc_seg_get_info(s, &last_info);
    if (msg)
        snprintf(msg, msgsz, "%s", cc_seg_error(s));
    cc_seg_free(s);
    return rc;
}

static void assert_chunks_play(const struct got *g)
{
    for (int i = 0; i < g->n; i++) {
        assert_true(g->psi_first[i]);
        assert_true(g->key_first[i]);
        if (i > 0)
            assert_int_equal(g->pts[i], g->pts[i - 1] + g->dur[i - 1]);
    }
}

static void test_h264_aac_any_split(void **state)
{
    struct cc_buf in;
    make_ts(&in, "a.ts",
            "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 7 -c:v libx264 "
            "-g 30 -preset ultrafast -c:a aac");
    static const size_t steps[] = {1, 187, 189, 4096, 1 << 20};
    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
        struct got g;
        assert_int_equal(run(&in, steps[k], &cfg2, true, in.len, &g, NULL, 0), 0);
        assert_int_equal(g.n, 4);
        assert_int_equal(g.dur[0], 2 * SEC);
        assert_int_equal(g.dur[1], 2 * SEC);
        assert_int_equal(g.dur[2], 2 * SEC);
        assert_int_equal(g.dur[3], 1 * SEC);
        assert_chunks_play(&g);
    }
    cc_buf_free(&in);
}

static void test_long_gop_cuts_only_at_keyframes(void **state)
{
    struct cc_buf in;
    make_ts(&in, "gop.ts",
            "-t 9 -c:v libx264 -g 75 -keyint_min 75 -sc_threshold 0 "
            "-preset ultrafast");
    struct got g;
    assert_int_equal(run(&in, 1000, &cfg2, true, in.len, &g, NULL, 0), 0);
    assert_int_equal(g.n, 4); /* keyframes every 2.5 s: 2.5 2.5 2.5 1.5 */
    for (int i = 0; i < 3; i++)
        assert_int_equal(g.dur[i], 5 * SEC / 2);
    assert_int_equal(g.dur[3], 3 * SEC / 2);
    assert_chunks_play(&g);
    cc_buf_free(&in);
}

static void test_h265(void **state)
{
    struct cc_buf in;
    make_ts(&in, "h265.ts",
            "-t 5 -c:v libx265 -preset ultrafast -x265-params "
            "keyint=30:min-keyint=30:scenecut=0:log-level=none");
    struct got g;
    assert_int_equal(run(&in, 5000, &cfg2, true, in.len, &g, NULL, 0), 0);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.dur[0] + g.dur[1] + g.dur[2], 5 * SEC);
    assert_chunks_play(&g);
    cc_buf_free(&in);
}

/* PTS near 2^33 (95443.7 s): the wrap inside the stream changes nothing. */
static void test_pts_wrap(void **state)
{
    struct cc_buf in;
    make_ts(&in, "wrap.ts", "-t 7 -c:v libx264 -g 30 -preset ultrafast -output_ts_offset 95441");
    struct got g;
    assert_int_equal(run(&in, 4096, &cfg2, true, in.len, &g, NULL, 0), 0);
    assert_int_equal(g.n, 4);
    assert_true(g.pts[3] > (1LL << 33)); /* unwrapped */
    assert_int_equal(g.dur[0] + g.dur[1] + g.dur[2] + g.dur[3], 7 * SEC);
    assert_chunks_play(&g);
    cc_buf_free(&in);
}

static void test_dropped_connection(void **state)
{
    struct cc_buf in;
    make_ts(&in, "drop.ts", "-t 7 -c:v libx264 -g 30 -preset ultrafast");
    struct got g;
    /* cut mid-packet, mid-frame, in the 3rd chunk */
    assert_int_equal(run(&in, 777, &cfg2, false, in.len * 5 / 7 + 100, &g, NULL, 0), 0);
    assert_int_equal(g.n, 3);
    assert_true(g.dur[2] > 0 && g.dur[2] < 2 * SEC);
    assert_chunks_play(&g);
    cc_buf_free(&in);
}

static void test_bad_inputs(void **state)
{
    struct got g;
    char msg[200];
    struct cc_buf junk;
    cc_buf_init(&junk);
    for (int i = 0; i < 100000; i++)
        cc_buf_putc(&junk, (char)('a' + i % 26));
    assert_int_equal(run(&junk, 8192, &cfg2, true, junk.len, &g, msg, sizeof(msg)), -EPROTO);
    assert_non_null(strstr(msg, "not MPEG-TS"));
    assert_int_equal(g.n, 0);
    assert_int_equal(run(&junk, 8192, &cfg2, true, 500, &g, msg, sizeof(msg)), -ENODATA);
    cc_buf_free(&junk);

    struct cc_buf in;
    make_ts(&in, "audio.ts", "-t 1 -vn -f lavfi -i sine -c:a aac -map 1");
    assert_int_equal(run(&in, 4096, &cfg2, true, in.len, &g, msg, sizeof(msg)), -ENOMEDIUM);
    assert_non_null(strstr(msg, "no H.264"));
    cc_buf_free(&in);

    /* One keyframe, then none for 8 s with a 3 s limit: the first 3 s are kept. */
    make_ts(&in, "nokey.ts", "-t 8 -c:v libx264 -g 1000 -sc_threshold 0 -preset ultrafast");
    struct cc_seg_config c3 = {2000, 3000, 16u << 20};
    assert_int_equal(run(&in, 4096, &c3, true, in.len, &g, msg, sizeof(msg)), -EFBIG);
    assert_non_null(strstr(msg, "no keyframe for"));
    assert_int_equal(g.n, 1);
    assert_true(g.dur[0] >= 3 * SEC && g.dur[0] <= 3 * SEC + SEC / 10);
    assert_chunks_play(&g);
    /* ... and a 64 KiB chunk bound: refused as soon as the chunk would pass it */
    struct cc_seg_config small = {2000, 10000, 64u << 10};
    assert_int_equal(run(&in, 4096, &small, true, in.len, &g, msg, sizeof(msg)), -EFBIG);
    assert_true(g.n <= 1);
    cc_buf_free(&in);

    /* The same stream twice: timestamps go back at the join; the first copy is kept whole. */
    make_ts(&in, "twice.ts", "-t 5 -c:v libx264 -g 30 -preset ultrafast");
    size_t one = in.len;
    char *copy = cc_xmalloc(one);
    memcpy(copy, in.data, one);
    cc_buf_append(&in, copy, one); /* the same bytes again */
    free(copy);
    assert_int_equal(run(&in, 4096, &cfg2, true, in.len, &g, msg, sizeof(msg)), -ERANGE);
    assert_non_null(strstr(msg, "jumped back"));
    assert_int_equal(g.n, 3);
    assert_int_equal(g.dur[0] + g.dur[1] + g.dur[2], 5 * SEC);
    assert_chunks_play(&g);
    cc_buf_free(&in);
}

/* Hand-made streams: one PES per packet, short enough to show one fault. */
static uint32_t crc32_mpeg(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 24;
        for (int k = 0; k < 8; k++)
            crc = crc & 0x80000000u ? crc << 1 ^ 0x04c11db7u : crc << 1;
    }
    return crc;
}

/* One packet on pid carrying n <= 184 payload bytes, stuffed in front. */
static void put_packet(struct cc_buf *out, uint16_t pid, bool start, uint8_t *cc,
                       const uint8_t *pay, size_t n)
{
    uint8_t p[188];
    memset(p, 0xff, sizeof(p));
    p[0] = 0x47;
    p[1] = (uint8_t)((start ? 0x40 : 0) | pid >> 8);
    p[2] = (uint8_t)pid;
    p[3] = (uint8_t)((n < 184 ? 0x30 : 0x10) | (*cc)++ % 16);
    if (n < 184) {
        p[4] = (uint8_t)(183 - n); /* adaptation field length */
        if (n < 183)
            p[5] = 0; /* no flags, then stuffing */
    }
    memcpy(p + 188 - n, pay, n);
    cc_buf_append(out, p, sizeof(p));
}

/* A PSI section (table id, id, body) with its pointer field and CRC. */
static void put_section(struct cc_buf *out, uint16_t pid, uint8_t *cc, uint8_t table,
                        const uint8_t *body, size_t n)
{
    uint8_t s[64] = {0, table, 0xb0, (uint8_t)(n + 9), 0, 1, 0xc1, 0, 0};
    memcpy(s + 9, body, n);
    uint32_t crc = crc32_mpeg(s + 1, 8 + n);
    for (int i = 0; i < 4; i++)
        s[9 + n + i] = (uint8_t)(crc >> (24 - 8 * i));
    put_packet(out, pid, true, cc, s, 13 + n);
}

static void put_pat(struct cc_buf *out, uint8_t *cc, uint16_t pmt_pid)
{
    const uint8_t prog[] = {0, 1, (uint8_t)(0xe0 | pmt_pid >> 8), (uint8_t)pmt_pid};
    put_section(out, 0, cc, 0x00, prog, sizeof(prog));
}

/* H.264 video on 0x100, which also carries the PCR. */
static void put_pmt(struct cc_buf *out, uint8_t *cc, uint16_t pmt_pid)
{
    const uint8_t body[] = {0xe1, 0x00, 0xf0, 0x00, 0x1b, 0xe1, 0x00, 0xf0, 0x00};
    put_section(out, pmt_pid, cc, 0x02, body, sizeof(body));
}

/* A PES timestamp field (33 bits, wrapped) with its 4-bit prefix. */
static void put_time(uint8_t *p, uint8_t prefix, int64_t t)
{
    t &= (1LL << 33) - 1;
    p[0] = (uint8_t)(prefix << 4 | (t >> 29 & 0x0e) | 1);
    p[1] = (uint8_t)(t >> 22);
    p[2] = (uint8_t)(t >> 14 | 1);
    p[3] = (uint8_t)(t >> 7);
    p[4] = (uint8_t)(t << 1 | 1);
}

/* A picture in one PES, IDR or not; the DTS is written when it differs. */
static void put_picture_at(struct cc_buf *out, uint8_t *cc, int64_t pts, int64_t dts, bool idr)
{
    uint8_t pes[40] = {0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5};
    size_t n = 14;
    put_time(pes + 9, pts == dts ? 2 : 3, pts);
    if (pts != dts) {
        pes[7] = 0xc0;
        pes[8] = 10;
        put_time(pes + 14, 1, dts);
        n = 19;
    }
    const uint8_t es[] = {0,    0,    0,    1,   0x09,
                          0xf0, /* access unit delimiter */
                          0,    0,    0,    1,   idr ? 0x65 : 0x41,
                          0x88, 0x84, 0x21, 0xa0};
    memcpy(pes + n, es, sizeof(es));
    put_packet(out, 0x100, true, cc, pes, n + sizeof(es));
}

/* ffmpeg's first DTS (1.4 s) */
#define T0 126000

static void put_picture(struct cc_buf *out, uint8_t *cc, int64_t pts, bool idr)
{
    put_picture_at(out, cc, pts, pts, idr);
}

/* The first PAT names a PMT PID that never comes (a stale program map); the
 * PAT right after names the real one. A chunk that does not start with its
 * own tables must be given a PAT that leads to the PMT it is given: read
 * alone, the pair has to reach the video. */
static void test_stale_pat_not_copied(void **state)
{
    struct cc_buf in;
    cc_buf_init(&in);
    uint8_t cc_pat = 0, cc_pmt = 0, cc_vid = 0;
    put_pat(&in, &cc_pat, 0x1100);
    put_pat(&in, &cc_pat, 0x1000);
    put_pmt(&in, &cc_pmt, 0x1000);
    for (int i = 0; i < 20; i++) /* 25 fps, keyframes at 0 and 0.6 s, no tables before the second */
        put_picture(&in, &cc_vid, T0 + 3600 * i, i % 15 == 0);
    const struct cc_seg_config c500 = {500, 10000, 1u << 20};
    static const size_t steps[] = {1, 188, 4096};
    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
        struct got g;
        assert_int_equal(run(&in, steps[k], &c500, true, in.len, &g, NULL, 0), 0);
        assert_int_equal(g.n, 2);
        assert_int_equal(g.pts[1], T0 + 15 * 3600);
        assert_int_equal(g.dur[0] + g.dur[1], 20 * 3600);
        assert_chunks_play(&g);
    }
    cc_buf_free(&in);
}

/* A damaged PAT right before the picture that precedes a keyframe names the
 * video PID as the PMT's: that picture is no table to take along, or the
 * chunk read alone would start with it. */
static void test_pat_naming_video_pid(void **state)
{
    struct cc_buf in;
    cc_buf_init(&in);
    uint8_t cc_pat = 0, cc_pmt = 0, cc_vid = 0;
    put_pat(&in, &cc_pat, 0x1000);
    put_pmt(&in, &cc_pmt, 0x1000);
    for (int i = 0; i < 20; i++) {
        if (i == 14)
            put_pat(&in, &cc_pat, 0x100);
        put_picture(&in, &cc_vid, T0 + 3600 * i, i % 15 == 0);
    }
    const struct cc_seg_config c500 = {500, 10000, 1u << 20};
    struct got g;
    assert_int_equal(run(&in, 188, &c500, true, in.len, &g, NULL, 0), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.pts[1], T0 + 15 * 3600);
    assert_chunks_play(&g);
    cc_buf_free(&in);
}

/* Timestamps the fuzzer found or that follow from it: a keyframe's PTS ten
 * hours before its DTS (wrapped), a stream starting at DTS 0 that steps
 * back, and steps back that each stay under 0.1 s but add up. No chunk gets a
 * time below 0 or a duration of hours; the last is refused. */
static void test_damaged_timestamps(void **state)
{
    const struct cc_seg_config c500 = {500, 10000, 1u << 20};
    uint8_t cc_pat, cc_pmt, cc_vid;
    struct cc_buf in;
    struct got g;
    char msg[200];

    cc_buf_init(&in);
    cc_pat = cc_pmt = cc_vid = 0;
    put_pat(&in, &cc_pat, 0x1000);
    put_pmt(&in, &cc_pmt, 0x1000);
    for (int i = 0; i < 20; i++) {
        int64_t dts = T0 + 3600 * i;
        put_picture_at(&in, &cc_vid, i == 0 ? dts - 10LL * 3600 * SEC : dts, dts, i % 15 == 0);
    }
    assert_int_equal(run(&in, 188, &c500, true, in.len, &g, NULL, 0), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.pts[0], T0); /* the DTS stands in */
    assert_int_equal(g.dur[0], 15 * 3600);
    assert_chunks_play(&g);
    cc_buf_free(&in);

    cc_buf_init(&in);
    cc_pat = cc_pmt = cc_vid = 0;
    put_pat(&in, &cc_pat, 0x1000);
    put_pmt(&in, &cc_pmt, 0x1000);
    put_picture(&in, &cc_vid, 3000, false);
    for (int i = 0; i < 20; i++) /* starts 3000 back: below 0 */
        put_picture(&in, &cc_vid, 3600 * i - 3000, i % 15 == 0);
    assert_int_equal(run(&in, 188, &c500, true, in.len, &g, NULL, 0), 0);
    assert_int_equal(g.n, 2);
    assert_true(g.pts[0] >= 0);
    assert_int_equal(g.dur[0], 15 * 3600);
    assert_chunks_play(&g);
    cc_buf_free(&in);

    cc_buf_init(&in);
    cc_pat = cc_pmt = cc_vid = 0;
    put_pat(&in, &cc_pat, 0x1000);
    put_pmt(&in, &cc_pmt, 0x1000);
    for (int i = 0; i < 20; i++) /* 0.05 s back each time after the first 0.2 s */
        put_picture(&in, &cc_vid, T0 + (i < 5 ? 3600 * i : 3600 * 4 - 4500 * (i - 4)), i == 0);
    assert_int_equal(run(&in, 188, &c500, true, in.len, &g, msg, sizeof(msg)), -ERANGE);
    assert_non_null(strstr(msg, "jumped back by 0.150 s"));
    assert_int_equal(g.n, 1);
    assert_true(g.pts[0] == T0);
    cc_buf_free(&in);
}

/* The keyframe PES that opens a chunk loses a packet: no player could start
 * there, so the chunk it would open goes (the one before is whole and
 * kept), and the next keyframe opens the next chunk. */
static void test_lost_keyframe_drops_its_chunk(void **state)
{
    const struct cc_seg_config c500 = {500, 10000, 1u << 20};
    uint8_t cc_pat = 0, cc_pmt = 0, cc_vid = 0;
    struct cc_buf in;
    struct got g;
    cc_buf_init(&in);
    put_pat(&in, &cc_pat, 0x1000);
    put_pmt(&in, &cc_pmt, 0x1000);
    const uint8_t more[184] = {0x11};
    for (int i = 0; i < 45; i++) {
        put_picture(&in, &cc_vid, T0 + 3600 * i, i % 15 == 0);
        if (i == 15) { /* the second keyframe's next packet, one counter skipped */
            cc_vid++;
            put_packet(&in, 0x100, false, &cc_vid, more, sizeof(more));
        }
    }
    assert_int_equal(run(&in, 188, &c500, true, in.len, &g, NULL, 0), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.pts[0], T0);
    assert_int_equal(g.dur[0], 15 * 3600);
    assert_int_equal(g.pts[1], T0 + 30 * 3600); /* 15..29 went with their keyframe */
    for (int i = 0; i < g.n; i++)
        assert_true(g.psi_first[i] && g.key_first[i]);
    cc_buf_free(&in);
}

/* The chunk buffer holds a chunk and what arrived since its end, never a
 * keyframe more: the cut is made as soon as the next keyframe shows in its
 * PES's first bytes (issue 15's bound: one chunk + 256 KiB). */
static void test_memory_one_chunk(void **state)
{
    struct cc_buf in;
    make_ts(&in, "m.ts",
            "-t 7 -c:v libx264 -g 30 -preset ultrafast -b:v 2M -minrate 2M "
            "-maxrate 2M -bufsize 500k");
    const size_t step = 4096;
    struct got g;
    assert_int_equal(run(&in, step, &cfg2, true, in.len, &g, NULL, 0), 0);
    assert_int_equal(g.n, 4);
    size_t most = 0;
    for (int i = 0; i < g.n; i++)
        most = g.bytes[i] > most ? g.bytes[i] : most;
    /* a chunk, the feed that showed the keyframe, a few packets before it */
    assert_true(last_info.held_max <= most + step + 8 * CC_TS_PACKET);
    assert_true(last_info.held_max >= most - 2 * CC_TS_PACKET);
    cc_buf_free(&in);
}

/* The keyframe scan over pieces answers as cc_nal_next over the whole:
 * random Annex-B-like bytes (mostly 00, 01 and keyframe headers) split at
 * random points, both codecs. */
static bool whole_has_key(const uint8_t *p, size_t n, enum cc_vcodec codec)
{
    size_t pos = 0;
    struct cc_nal nal;
    while (cc_nal_next(p, n, &pos, codec, &nal))
        if (cc_nal_is_keyframe(codec, nal.type))
            return true;
    return false;
}

static void test_nal_scan_matches_whole(void **state)
{
    static const uint8_t alphabet[] = {0, 0, 0, 1, 0x65, 0x41, 0x26, 0x2a, 0x02, 0x03, 0x09, 0x80};
    uint32_t seed = 12345;
    unsigned keys = 0;
    for (int round = 0; round < 20000; round++) {
        uint8_t buf[48];
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 16) % sizeof(buf);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = alphabet[(seed >> 16) % sizeof(alphabet)];
        }
        for (int c = 1; c <= 2; c++) {
            enum cc_vcodec codec = (enum cc_vcodec)c;
            struct cc_nal_scan k;
            cc_nal_scan_init(&k, codec);
            for (size_t o = 0; o < n;) {
                seed = seed * 1103515245u + 12345u;
                size_t piece = (seed >> 16) % 6;
                if (piece > n - o)
                    piece = n - o;
                cc_nal_scan_feed(&k, buf + o, piece);
                o += piece;
            }
            bool want = whole_has_key(buf, n, codec);
            assert_int_equal(k.key, want);
            keys += want;
        }
    }
    assert_true(keys > 400 && keys < 39600); /* both answers were asked often */
}

static void read_playlist(const char *root, const char *folder, struct cc_buf *b)
{
    char p[1024];
    snprintf(p, sizeof(p), "%s/%s/index.m3u8", root, folder);
    cc_buf_init(b);
    assert_int_equal(cc_read_file(p, 0, 1 << 20, b), 0);
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
        n++;
    return n;
}

static void test_folder_written(void **state)
{
    struct cc_buf in, pl;
    make_ts(&in, "w.ts", "-t 5 -c:v libx264 -g 30 -preset ultrafast");
    char root[512];
    snprintf(root, sizeof(root), "%s/rec", tmp);
    tu_mkdirs(root);
    char first[32] = "";
    for (int k = 0; k < 2; k++) {
        struct cc_ingest *ing = cc_ingest_new(root, &cfg2);
        assert_int_equal(cc_ingest_feed(ing, (const uint8_t *)in.data, in.len, 1750000000000LL), 0);
        assert_int_equal(cc_ingest_end(ing, k == 0 ? CC_INGEST_CLEAN : CC_INGEST_DROPPED), 0);
        struct cc_recwriter_stats st;
        cc_ingest_get_stats(ing, NULL, &st);
        assert_int_equal(st.chunks, 3); /* dropped: the last chunk ends a frame early */
        assert_int_equal(st.file_writes, st.chunks);
        assert_int_equal(st.playlist_writes, st.chunks + (k == 0));
        read_playlist(root, cc_ingest_folder(ing), &pl);
        assert_non_null(strstr(pl.data, "#EXT-X-TARGETDURATION:2\n"));
        assert_int_equal(count(pl.data, "#EXT-X-PROGRAM-DATE-TIME:"), (int)st.chunks);
        assert_int_equal(count(pl.data, "#EXT-X-ENDLIST"), k == 0);
        if (k == 0) {
            snprintf(first, sizeof(first), "%s", cc_ingest_folder(ing));
            assert_non_null(strstr(pl.data, "seg00002.ts"));
        } else {
            assert_string_not_equal(first, cc_ingest_folder(ing)); /* a new folder */
        }
        cc_buf_free(&pl);
        cc_ingest_free(ing);
    }
    cc_buf_free(&in);
}

/* Chunk times come from the anchor plus each chunk's own PTS distance, never
 * from summed durations: with chunks of 2.0015 s (no whole number of ms: a
 * sum of rounded durations would drift), an hour later, past 2^33, the
 * PDTs still follow the PTS to within 1 ms (issue 15: <= 1 ms of drift per
 * hour). Written straight through the recorder, chunks an hour apart. */
static void test_pdt_no_drift_over_an_hour(void **state)
{
    char root[512];
    snprintf(root, sizeof(root), "%s/drift", tmp);
    tu_mkdirs(root);
    struct cc_recwriter *w = cc_recwriter_new(root);
    const int64_t p0 = (1LL << 33) - 3 * SEC, step = 180135; /* 2.0015 s: no whole ms */
    cc_recwriter_anchor(w, 1750000000000LL, p0);
    static uint8_t data[188] = {0x47};
    const uint32_t at[] = {0, 1, 1798, 1799}; /* an hour is 1798.2 chunks */
    for (size_t i = 0; i < 4; i++) {
        struct cc_seg_chunk c = {.data = data,
                                 .len = sizeof(data),
                                 .pts = p0 + at[i] * step,
                                 .dur = step,
                                 .seq = (uint32_t)i};
        assert_int_equal(cc_recwriter_chunk(w, &c), 0);
    }
    struct cc_buf pl;
    read_playlist(root, cc_recwriter_folder(w), &pl);
    const char *p = pl.data;
    int64_t first = 0;
    for (size_t i = 0; i < 4; i++) {
        p = strstr(p, "#EXT-X-PROGRAM-DATE-TIME:");
        assert_non_null(p);
        p += strlen("#EXT-X-PROGRAM-DATE-TIME:");
        int64_t ms;
        int off;
        bool has_off;
        assert_int_equal(cc_iso_parse(p, strcspn(p, "\n"), &ms, &off, &has_off), 0);
        if (i == 0)
            first = ms;
        int64_t want = (int64_t)at[i] * step / 90;
        assert_true(llabs(ms - first - want) <= 1);
    }
    cc_buf_free(&pl);
    cc_recwriter_free(w);
}

/* A disk that fills: writes fail past a file-size limit. The chunks before
 * stay listed, the playlist stays whole, the error says why. */
static void test_write_failure_keeps_folder(void **state)
{
    struct cc_buf in, pl;
    make_ts(&in, "full.ts", "-t 7 -c:v libx264 -g 30 -preset ultrafast");
    char root[512];
    snprintf(root, sizeof(root), "%s/full", tmp);
    tu_mkdirs(root);
    struct cc_ingest *ing = cc_ingest_new(root, &cfg2);
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 20000; /* a playlist fits, a chunk does not */
    signal(SIGXFSZ, SIG_IGN);
    int rc = 0;
    struct cc_recwriter_stats st;
    for (size_t o = 0; o < in.len && rc == 0; o += 4096) {
        rc = cc_ingest_feed(ing, (const uint8_t *)in.data + o,
                            o + 4096 > in.len ? in.len - o : 4096, 1750000000000LL);
        cc_ingest_get_stats(ing, NULL, &st);
        if (st.chunks == 1) /* the disk fills after the first chunk */
            assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    }
    setrlimit(RLIMIT_FSIZE, &old);
    assert_int_equal(rc, -EFBIG);
    assert_non_null(strstr(cc_ingest_error(ing), "could not be written"));
    cc_ingest_get_stats(ing, NULL, &st);
    assert_int_equal(st.chunks, 1);
    read_playlist(root, cc_ingest_folder(ing), &pl);
    assert_int_equal(count(pl.data, "#EXTINF"), 1);
    assert_int_equal(count(pl.data, "#EXT-X-ENDLIST"), 1); /* stopped cleanly */
    char p2[600];
    snprintf(p2, sizeof(p2), "%s/%s/seg00001.ts", root, cc_ingest_folder(ing));
    assert_int_equal(access(p2, F_OK), -1); /* the half-written chunk is gone */
    cc_buf_free(&pl);
    cc_ingest_free(ing);
    cc_buf_free(&in);
}

static int setup(void **state)
{
    tmp = tu_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    tu_rmrf(tmp);
    free(tmp);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h264_aac_any_split),
        cmocka_unit_test(test_long_gop_cuts_only_at_keyframes),
        cmocka_unit_test(test_h265),
        cmocka_unit_test(test_pts_wrap),
        cmocka_unit_test(test_dropped_connection),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_stale_pat_not_copied),
        cmocka_unit_test(test_pat_naming_video_pid),
        cmocka_unit_test(test_damaged_timestamps),
        cmocka_unit_test(test_lost_keyframe_drops_its_chunk),
        cmocka_unit_test(test_memory_one_chunk),
        cmocka_unit_test(test_nal_scan_matches_whole),
        cmocka_unit_test(test_folder_written),
        cmocka_unit_test(test_pdt_no_drift_over_an_hour),
        cmocka_unit_test(test_write_failure_keeps_folder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
