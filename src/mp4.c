/* mp4 — see mp4.h. Box layouts from ISO/IEC 14496-12 (8.x) and the
 * decoder configuration records of ISO/IEC 14496-15 (5.3.3 avcC, 8.3.3 hvcC). */
#include <errno.h>
#include <string.h>

#include "mp4.h"

static void be16(struct cc_buf *b, uint32_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    cc_buf_append(b, x, 2);
}

static void be32(struct cc_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    cc_buf_append(b, x, 4);
}

static void zeros(struct cc_buf *b, size_t n)
{
    static const uint8_t z[32];
    while (n) {
        size_t k = n < sizeof(z) ? n : sizeof(z);
        cc_buf_append(b, z, k);
        n -= k;
    }
}

static void patch32(struct cc_buf *b, size_t at, uint32_t v)
{
    b->data[at] = (char)(v >> 24);
    b->data[at + 1] = (char)(v >> 16);
    b->data[at + 2] = (char)(v >> 8);
    b->data[at + 3] = (char)v;
}

/* Opens a box: returns where its size goes (patched by box_end). */
static size_t box(struct cc_buf *b, const char type[4])
{
    size_t at = b->len;
    be32(b, 0);
    cc_buf_append(b, type, 4);
    return at;
}

static size_t fullbox(struct cc_buf *b, const char type[4], uint32_t version_flags)
{
    size_t at = box(b, type);
    be32(b, version_flags);
    return at;
}

static void box_end(struct cc_buf *b, size_t at)
{
    patch32(b, at, (uint32_t)(b->len - at));
}

static void matrix(struct cc_buf *b)
{
    static const uint32_t m[9] = {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000};
    for (int i = 0; i < 9; i++)
        be32(b, m[i]);
}

static void nal_array(struct cc_buf *b, uint8_t type, const uint8_t *nal, size_t len)
{
    cc_buf_put_u8(b, (uint8_t)(0x80 | type)); /* array_completeness */
    be16(b, 1);
    be16(b, (uint32_t)len);
    cc_buf_append(b, nal, len);
}

static void avcc(struct cc_buf *b, const struct cc_mp4_track *t)
{
    const struct cc_sps *s = t->sps;
    size_t at = box(b, "avcC");
    uint8_t head[6] = {1, s->profile_idc, s->constraint, s->level_idc, 0xff, 0xe1};
    cc_buf_append(b, head, sizeof(head));
    be16(b, (uint32_t)t->sps_len);
    cc_buf_append(b, t->sps_nal, t->sps_len);
    cc_buf_put_u8(b, 1);
    be16(b, (uint32_t)t->pps_len);
    cc_buf_append(b, t->pps, t->pps_len);
    if (s->profile_idc == 100 || s->profile_idc == 110 || s->profile_idc == 122 ||
        s->profile_idc == 144) {
        uint8_t ext[4] = {(uint8_t)(0xfc | s->chroma_format),
                          (uint8_t)(0xf8 | (s->bit_depth_luma - 8)),
                          (uint8_t)(0xf8 | (s->bit_depth_chroma - 8)), 0};
        cc_buf_append(b, ext, sizeof(ext));
    }
    box_end(b, at);
}

static void hvcc(struct cc_buf *b, const struct cc_mp4_track *t)
{
    const struct cc_sps *s = t->sps;
    size_t at = box(b, "hvcC");
    cc_buf_put_u8(b, 1);
    cc_buf_put_u8(b, (uint8_t)(s->profile_space << 6 | s->tier << 5 | s->profile_idc));
    be32(b, s->compat_flags);
    cc_buf_append(b, s->constraint48, 6);
    cc_buf_put_u8(b, s->level_idc);
    be16(b, 0xf000); /* min_spatial_segmentation_idc unknown: 0 */
    cc_buf_put_u8(b, 0xfc);
    cc_buf_put_u8(b, (uint8_t)(0xfc | s->chroma_format));
    cc_buf_put_u8(b, (uint8_t)(0xf8 | (s->bit_depth_luma - 8)));
    cc_buf_put_u8(b, (uint8_t)(0xf8 | (s->bit_depth_chroma - 8)));
    be16(b, 0); /* avgFrameRate unknown */
    cc_buf_put_u8(b, (uint8_t)(s->max_sub_layers << 3 | s->temporal_id_nested << 2 | 3));
    cc_buf_put_u8(b, 3);
    nal_array(b, CC_H265_VPS, t->vps, t->vps_len);
    nal_array(b, CC_H265_SPS, t->sps_nal, t->sps_len);
    nal_array(b, CC_H265_PPS, t->pps, t->pps_len);
    box_end(b, at);
}

static void stsd(struct cc_buf *b, const struct cc_mp4_track *t)
{
    bool hevc = t->sps->codec == CC_VCODEC_H265;
    size_t sd = fullbox(b, "stsd", 0);
    be32(b, 1);
    size_t e = box(b, hevc ? "hvc1" : "avc1");
    zeros(b, 6);
    be16(b, 1); /* data_reference_index */
    zeros(b, 16);
    be16(b, t->sps->width);
    be16(b, t->sps->height);
    be32(b, 0x480000); /* 72 dpi */
    be32(b, 0x480000);
    be32(b, 0);
    be16(b, 1);   /* frame_count */
    zeros(b, 32); /* compressorname */
    be16(b, 0x18);
    be16(b, 0xffff);
    if (hevc)
        hvcc(b, t);
    else
        avcc(b, t);
    box_end(b, e);
    box_end(b, sd);
}

/* The sample table: one chunk of n samples (n 0 or 1 here) at *stco_at's
 * offset, patched by the caller. */
static void stbl(struct cc_buf *b, const struct cc_mp4_track *t, uint32_t n, uint32_t size,
                 uint32_t dur, size_t *stco_at)
{
    size_t at = box(b, "stbl");
    stsd(b, t);
    size_t x = fullbox(b, "stts", 0);
    be32(b, n);
    if (n) {
        be32(b, n);
        be32(b, dur);
    }
    box_end(b, x);
    x = fullbox(b, "stsc", 0);
    be32(b, n ? 1 : 0);
    if (n) {
        be32(b, 1);
        be32(b, n);
        be32(b, 1);
    }
    box_end(b, x);
    x = fullbox(b, "stsz", 0);
    be32(b, 0);
    be32(b, n);
    if (n)
        be32(b, size);
    box_end(b, x);
    x = fullbox(b, "stco", 0);
    be32(b, n ? 1 : 0);
    *stco_at = b->len;
    if (n)
        be32(b, 0);
    box_end(b, x);
    box_end(b, at);
}

static void minf(struct cc_buf *b, const struct cc_mp4_track *t, uint32_t n, uint32_t size,
                 uint32_t dur, size_t *stco_at)
{
    size_t at = box(b, "minf");
    size_t x = fullbox(b, "vmhd", 1);
    zeros(b, 8);
    box_end(b, x);
    size_t di = box(b, "dinf");
    size_t dr = fullbox(b, "dref", 0);
    be32(b, 1);
    box_end(b, fullbox(b, "url ", 1)); /* flag 1: media in this file */
    box_end(b, dr);
    box_end(b, di);
    stbl(b, t, n, size, dur, stco_at);
    box_end(b, at);
}

static void trak(struct cc_buf *b, const struct cc_mp4_track *t, uint32_t n, uint32_t size,
                 uint32_t dur, size_t *stco_at)
{
    size_t at = box(b, "trak");
    size_t x = fullbox(b, "tkhd", 3); /* enabled, in movie */
    zeros(b, 8);
    be32(b, 1); /* track_ID */
    be32(b, 0);
    be32(b, n * dur);
    zeros(b, 16); /* reserved, layer, alternate_group, volume, reserved */
    matrix(b);
    be32(b, t->sps->width << 16);
    be32(b, t->sps->height << 16);
    box_end(b, x);
    size_t md = box(b, "mdia");
    x = fullbox(b, "mdhd", 0);
    zeros(b, 8);
    be32(b, CC_MP4_TIMESCALE);
    be32(b, n * dur);
    be16(b, 0x55c4); /* "und" */
    be16(b, 0);
    box_end(b, x);
    x = fullbox(b, "hdlr", 0);
    be32(b, 0);
    cc_buf_append(b, "vide", 4);
    zeros(b, 12);
    cc_buf_append(b, "camcat\0", 7);
    box_end(b, x);
    minf(b, t, n, size, dur, stco_at);
    box_end(b, md);
    box_end(b, at);
}

static void ftyp(struct cc_buf *b, bool fragmented)
{
    size_t at = box(b, "ftyp");
    cc_buf_append(b, "isom", 4);
    be32(b, 0x200);
    cc_buf_append(b, fragmented ? "isomiso6mp41" : "isomiso2mp41", 12);
    box_end(b, at);
}

static void moov(struct cc_buf *b, const struct cc_mp4_track *t, uint32_t n, uint32_t size,
                 uint32_t dur, size_t *stco_at)
{
    size_t at = box(b, "moov");
    size_t x = fullbox(b, "mvhd", 0);
    zeros(b, 8);
    be32(b, CC_MP4_TIMESCALE);
    be32(b, n * dur);
    be32(b, 0x10000); /* rate 1.0 */
    be16(b, 0x100);   /* volume 1.0 */
    zeros(b, 10);
    matrix(b);
    zeros(b, 24);
    be32(b, 2); /* next_track_ID */
    box_end(b, x);
    trak(b, t, n, size, dur, stco_at);
    if (!n) {
        size_t mv = box(b, "mvex");
        x = fullbox(b, "trex", 0);
        be32(b, 1);
        be32(b, 1);
        zeros(b, 12);
        box_end(b, x);
        box_end(b, mv);
    }
    box_end(b, at);
}

static bool track_ok(const struct cc_mp4_track *t)
{
    const struct cc_sps *s = t->sps;
    if (!s || !t->sps_len || !t->pps_len || t->sps_len > 0xffff || t->pps_len > 0xffff ||
        t->vps_len > 0xffff || s->width > 0xffff || s->height > 0xffff)
        return false;
    if (s->bit_depth_luma < 8 || s->bit_depth_chroma < 8 || s->bit_depth_luma > 15 ||
        s->bit_depth_chroma > 15)
        return false;
    return s->codec == CC_VCODEC_H264 || (s->codec == CC_VCODEC_H265 && t->vps_len);
}

int cc_mp4_write_single(struct cc_buf *out, const struct cc_mp4_track *t, const void *sample,
                        size_t len, uint32_t dur)
{
    if (!track_ok(t) || len > UINT32_MAX - 8)
        return -EINVAL;
    size_t stco_at;
    ftyp(out, false);
    moov(out, t, 1, (uint32_t)len, dur, &stco_at);
    be32(out, (uint32_t)(len + 8));
    cc_buf_append(out, "mdat", 4);
    patch32(out, stco_at, (uint32_t)out->len);
    cc_buf_append(out, sample, len);
    return 0;
}

int cc_mp4_write_init(struct cc_buf *out, const struct cc_mp4_track *t)
{
    if (!track_ok(t))
        return -EINVAL;
    size_t stco_at;
    ftyp(out, true);
    moov(out, t, 0, 0, 0, &stco_at);
    return 0;
}

void cc_mp4_write_fragment(struct cc_buf *out, uint32_t seq, uint64_t dts, uint32_t dur,
                           const void *sample, size_t len)
{
    size_t moof = box(out, "moof");
    size_t x = fullbox(out, "mfhd", 0);
    be32(out, seq);
    box_end(out, x);
    size_t traf = box(out, "traf");
    x = fullbox(out, "tfhd", 0x020000); /* default-base-is-moof */
    be32(out, 1);
    box_end(out, x);
    x = fullbox(out, "tfdt", 0x01000000); /* version 1: 64-bit time */
    be32(out, (uint32_t)(dts >> 32));
    be32(out, (uint32_t)dts);
    box_end(out, x);
    /* data offset, first-sample flags, duration, size */
    x = fullbox(out, "trun", 0x000001 | 0x000004 | 0x000100 | 0x000200);
    be32(out, 1);
    size_t data_off = out->len;
    be32(out, 0);
    be32(out, 0x02000000); /* depends on no other sample: a sync sample */
    be32(out, dur);
    be32(out, (uint32_t)len);
    box_end(out, x);
    box_end(out, traf);
    box_end(out, moof);
    patch32(out, data_off, (uint32_t)(out->len - moof + 8));
    be32(out, (uint32_t)(len + 8));
    cc_buf_append(out, "mdat", 4);
    cc_buf_append(out, sample, len);
}
