/* The bit reader, SPS parser, ADTS header and TS probe on small committed
 * bytes. Expected values are ffprobe's for the same streams (made with
 * Debian's ffmpeg: libx264, libx265). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "adts.h"
#include "buf.h"
#include "fsutil.h"
#include "nal.h"
#include "probe.h"

/* ffmpeg -f lavfi -i testsrc2=size=1920x1080:rate=30000/1001 -c:v libx264
 * -preset ultrafast: Constrained Baseline, level 40, cropped from 1088 lines. */
static const uint8_t sps_1080p[] = {0x67, 0x42, 0xc0, 0x28, 0xda, 0x01, 0xe0, 0x08,
                                    0x9f, 0x97, 0x01, 0x10, 0x00, 0x00, 0x3e, 0x90,
                                    0x00, 0x0e, 0xa6, 0x00, 0xf1, 0x83, 0x2a};
/* 640x360 yuv422p, -profile:v high422: High 4:2:2, level 30, with
 * emulation-prevention bytes (00 00 03) inside. */
static const uint8_t sps_422[] = {0x67, 0x7a, 0x00, 0x1e, 0xbc, 0xb4, 0x05, 0x01, 0x7f,
                                  0xc4, 0xe0, 0x22, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00,
                                  0x00, 0x03, 0x00, 0x64, 0x1e, 0x2c, 0x5d, 0x40};

static void test_bits_exp_golomb(void **state)
{
    /* 1 | 010 | 011 | 00100 | 00101 | 0001000 -> ue 0 1 2 3 4 7, then se */
    static const uint8_t v[] = {0xa6, 0x42, 0x88};
    struct cc_bits b;
    cc_bits_init(&b, v, sizeof(v));
    assert_int_equal(cc_bits_ue(&b), 0);
    assert_int_equal(cc_bits_ue(&b), 1);
    assert_int_equal(cc_bits_ue(&b), 2);
    assert_int_equal(cc_bits_ue(&b), 3);
    assert_int_equal(cc_bits_ue(&b), 4);
    assert_int_equal(cc_bits_ue(&b), 7);
    assert_false(b.err);
    static const uint8_t s[] = {0x4c}; /* 010 011 00: se +1, -1 */
    cc_bits_init(&b, s, sizeof(s));
    assert_int_equal(cc_bits_se(&b), 1);
    assert_int_equal(cc_bits_se(&b), -1);
    assert_false(b.err);
    /* past the end: zeros and err, never a read beyond */
    assert_int_equal(cc_bits_u(&b, 8), 0);
    assert_true(b.err);
    static const uint8_t z[] = {0, 0, 0, 0, 0};
    cc_bits_init(&b, z, sizeof(z));
    cc_bits_ue(&b);
    assert_true(b.err);
}

static void test_unescape(void **state)
{
    static const uint8_t in[] = {0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x03};
    static const uint8_t want[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03};
    uint8_t out[sizeof(in)];
    size_t n = cc_nal_unescape(in, sizeof(in), out);
    assert_int_equal(n, sizeof(want));
    assert_memory_equal(out, want, n);
}

static void test_sps_1080p_cropped(void **state)
{
    struct cc_sps s;
    assert_int_equal(cc_sps_parse(sps_1080p, sizeof(sps_1080p), CC_VCODEC_H264, &s), 0);
    assert_int_equal(s.width, 1920);
    assert_int_equal(s.height, 1080);
    assert_int_equal(s.profile_idc, 66);
    assert_int_equal(s.level_idc, 40);
    assert_string_equal(cc_sps_profile_name(&s), "Constrained Baseline");
    uint32_t num, den;
    cc_sps_frame_rate(&s, &num, &den);
    assert_int_equal(num, 30000);
    assert_int_equal(den, 1001);
    char str[48];
    cc_sps_codec_string(&s, str, sizeof(str));
    assert_string_equal(str, "avc1.42c028");
}

static void test_sps_422_escaped(void **state)
{
    struct cc_sps s;
    assert_int_equal(cc_sps_parse(sps_422, sizeof(sps_422), CC_VCODEC_H264, &s), 0);
    assert_int_equal(s.width, 640);
    assert_int_equal(s.height, 360);
    assert_int_equal(s.chroma_format, 2);
    assert_string_equal(cc_sps_profile_name(&s), "High 4:2:2");
    uint32_t num, den;
    cc_sps_frame_rate(&s, &num, &den);
    assert_int_equal(num, 25);
    assert_int_equal(den, 1);
}

/* Every truncation of an SPS is refused or parsed, never read past. */
static void test_sps_truncated(void **state)
{
    struct cc_sps s;
    for (size_t n = 0; n < sizeof(sps_422); n++)
        cc_sps_parse(sps_422, n, CC_VCODEC_H264, &s);
    assert_int_equal(cc_sps_parse(sps_422, 3, CC_VCODEC_H264, &s), -EINVAL);
}

static void test_adts(void **state)
{
    /* AAC LC, 48 kHz, 2 channels, 371-byte frame */
    static const uint8_t h[] = {0xff, 0xf1, 0x4c, 0x80, 0x2e, 0x7f, 0xfc};
    struct cc_adts a;
    assert_int_equal(cc_adts_parse(h, sizeof(h), &a), 0);
    assert_int_equal(a.object_type, 2);
    assert_int_equal(a.sample_rate, 48000);
    assert_int_equal(a.channels, 2);
    assert_int_equal(a.frame_len, 371);
    assert_int_equal(cc_adts_parse(h, 6, &a), -EINVAL);
}

static void probe_bytes(const struct cc_buf *b, size_t n, struct cc_probe *p)
{
    cc_probe_init(p, true);
    if (!cc_probe_feed(p, (const uint8_t *)b->data, n))
        cc_probe_finish(p);
}

/* A committed chunk (tests/fuzz/ts): its properties, and for every
 * truncation either no keyframe or the same keyframe as the whole file's. */
static void check_chunk(const char *path, enum cc_vcodec codec, uint32_t rate)
{
    struct cc_buf b;
    cc_buf_init(&b);
    assert_int_equal(cc_read_file(path, 0, 1 << 20, &b), 0);
    struct cc_probe whole;
    probe_bytes(&b, b.len, &whole);
    assert_true(cc_probe_has_keyframe(&whole));
    assert_int_equal(whole.props.vcodec, codec);
    assert_int_equal(whole.props.sps.width, 64);
    assert_int_equal(whole.props.sps.height, 48);
    assert_int_equal(whole.kf.ts_start, 564);
    assert_int_equal(whole.props.has_adts ? whole.props.adts.sample_rate : 0, rate);
    for (size_t n = 0; n < b.len; n++) {
        struct cc_probe p;
        probe_bytes(&b, n, &p);
        if (cc_probe_has_keyframe(&p)) {
            assert_true(p.kf.au.len <= whole.kf.au.len);
            assert_memory_equal(p.kf.au.data, whole.kf.au.data, p.kf.au.len);
        }
        if (n >= whole.kf.ts_end + 188) /* the next picture has begun */
            assert_int_equal(p.kf.au.len, whole.kf.au.len);
        cc_probe_free(&p);
    }
    cc_probe_free(&whole);
    cc_buf_free(&b);
}

static void test_chunks_truncated(void **state)
{
    check_chunk("tests/fuzz/ts/h264.ts", CC_VCODEC_H264, 0);
    check_chunk("tests/fuzz/ts/h264-aac.ts", CC_VCODEC_H264, 8000);
    check_chunk("tests/fuzz/ts/h265.ts", CC_VCODEC_H265, 0);
}

/* A lost packet inside the keyframe drops it rather than splicing. */
static void test_lost_packet(void **state)
{
    struct cc_buf b;
    cc_buf_init(&b);
    assert_int_equal(cc_read_file("tests/fuzz/ts/h264.ts", 0, 1 << 20, &b), 0);
    assert_true(b.len > 564 + 3 * 188);
    memmove(b.data + 564 + 188, b.data + 564 + 2 * 188, b.len - 564 - 2 * 188);
    b.len -= 188;
    struct cc_probe p;
    probe_bytes(&b, b.len, &p);
    assert_true(p.ts.lost > 0);
    assert_true(!cc_probe_has_keyframe(&p) || p.kf.ts_start > 564);
    cc_probe_free(&p);
    cc_buf_free(&b);
}

/* The start of the next 00 00 01 at or after pos, the plain way. */
static size_t naive_start(const uint8_t *b, size_t len, size_t pos)
{
    for (size_t i = pos; i + 2 < len; i++)
        if (!b[i] && !b[i + 1] && b[i + 2] == 1)
            return i;
    return len;
}

/* cc_nal_next finds the NAL units a plain byte-by-byte search finds: over
 * buffers dense in zeros and ones (start codes of 3 and 4 bytes, at the very
 * start and the very end, 00 00 00 01, trailing zeros), every length. */
static void test_nal_next_matches_naive(void **state)
{
    (void)state;
    uint8_t b[96];
    uint32_t x = 12345;
    for (int round = 0; round < 4000; round++) {
        size_t len = (size_t)round % sizeof(b);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            uint32_t r = (x >> 16) % 8;
            b[i] = r < 4 ? 0 : r < 6 ? 1 : (uint8_t)(x >> 8 | 2);
        }
        size_t pos = 0, want = naive_start(b, len, 0);
        struct cc_nal n;
        while (cc_nal_next(b, len, &pos, CC_VCODEC_H264, &n)) {
            /* each unit found begins right after the first start code left */
            while (want < len) {
                size_t end = naive_start(b, len, want + 3), e = end;
                while (e > want + 3 && !b[e - 1])
                    e--;
                if (e - (want + 3) >= 1)
                    break;
                want = end; /* empty: skipped by both */
            }
            assert_true(want < len);
            assert_ptr_equal(n.data, b + want + 3);
            assert_int_equal(pos, naive_start(b, len, want + 3));
            want = pos;
        }
        /* and none is left that the plain search would find */
        while (want < len) {
            size_t end = naive_start(b, len, want + 3), e = end;
            while (e > want + 3 && !b[e - 1])
                e--;
            assert_true(e - (want + 3) < 1);
            want = end;
        }
    }
}

/* Read sizes: whole packets, never below CC_PROBE_READ nor above
 * CC_PROBE_READ_MAX, and above CC_PROBE_READ only while the bytes read after
 * the read stay within the video seen + CC_PROBE_SLACK (the keyframe is at
 * least that video, so the read that ends it overshoots by the slack at
 * most). */
static void test_read_size(void **state)
{
    (void)state;
    struct cc_probe p;
    cc_probe_init(&p, false);
    assert_int_equal(cc_probe_read_size(&p, 0), 20 * CC_TS_PACKET); /* 3,908 B of room */
    assert_int_equal(cc_probe_read_size(&p, 3760), CC_PROBE_READ);  /* nothing seen yet */
    size_t big = 0;
    for (uint64_t got = 0; got < 200000; got += 977) {
        p.ts.video.got = got;
        for (uint64_t done = 0; done < 200000; done += 1504) {
            size_t n = cc_probe_read_size(&p, done);
            assert_int_equal(n % CC_TS_PACKET, 0);
            assert_true(n >= CC_PROBE_READ && n <= CC_PROBE_READ_MAX);
            if (n > CC_PROBE_READ)
                assert_true(done + n <= got + CC_PROBE_SLACK);
            big += n == CC_PROBE_READ_MAX;
        }
    }
    assert_true(big > 0);
    cc_buf_append(&p.kf.au, "x", 1); /* the keyframe's bytes count too */
    p.ts.video.got = 0;
    assert_int_equal(cc_probe_read_size(&p, 0), 20 * CC_TS_PACKET);
    cc_probe_free(&p);
}

/* A chunk that is not MPEG-TS (damaged, or another format under .ts) costs
 * CC_PROBE_NO_TS_MAX bytes of reading, not its size: random bytes, and
 * sync bytes at every packet start with nothing behind them. */
static void probe_file(const uint8_t *data, size_t len, uint64_t *read)
{
    char path[] = "/tmp/camcat-probe-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    struct cc_probe p;
    cc_probe_init(&p, false);
    assert_int_equal(cc_probe_fd(&p, fd, read), 0);
    assert_false(cc_probe_has_keyframe(&p));
    cc_probe_free(&p);
    close(fd);
}

static void test_not_ts(void **state)
{
    (void)state;
    size_t len = 1 << 20;
    uint8_t *d = malloc(len);
    assert_non_null(d);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        d[i] = (uint8_t)x;
    }
    uint64_t read = 0;
    probe_file(d, len, &read);
    assert_true(read >= CC_PROBE_NO_TS_MAX && read < CC_PROBE_NO_TS_MAX + CC_PROBE_READ_MAX);
    memset(d, 0xff, len);
    for (size_t i = 0; i < len; i += CC_TS_PACKET)
        d[i] = 0x47;
    probe_file(d, len, &read);
    assert_true(read >= CC_PROBE_NO_TS_MAX && read < CC_PROBE_NO_TS_MAX + CC_PROBE_READ_MAX);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits_exp_golomb),
        cmocka_unit_test(test_read_size),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_nal_next_matches_naive),
        cmocka_unit_test(test_sps_1080p_cropped),
        cmocka_unit_test(test_sps_422_escaped),
        cmocka_unit_test(test_sps_truncated),
        cmocka_unit_test(test_adts),
        cmocka_unit_test(test_chunks_truncated),
        cmocka_unit_test(test_lost_packet),
        cmocka_unit_test(test_not_ts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
