/* nal — see nal.h. Syntax from ITU-T H.264 (7.3.2.1.1, E.1.1) and H.265
 * (7.3.2.2, 7.3.3, 7.3.4, 7.3.7, E.2.1). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nal.h"

/* An SPS is a few dozen bytes; scaling lists and many reference picture sets
 * stay far below this. Longer ones are parsed from their first bytes only. */
#define SPS_MAX 1024

void cc_bits_init(struct cc_bits *b, const uint8_t *p, size_t len)
{
    *b = (struct cc_bits){.p = p, .len = len};
}

uint32_t cc_bits_u(struct cc_bits *b, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (b->bit >= b->len * 8) {
            b->err = true;
            return 0;
        }
        v = (v << 1) | ((b->p[b->bit >> 3] >> (7 - (b->bit & 7))) & 1);
        b->bit++;
    }
    return v;
}

void cc_bits_skip(struct cc_bits *b, size_t n)
{
    if (n > b->len * 8 - b->bit || b->bit > b->len * 8) {
        b->bit = b->len * 8;
        b->err = true;
        return;
    }
    b->bit += n;
}

uint32_t cc_bits_ue(struct cc_bits *b)
{
    unsigned zeros = 0;
    while (!cc_bits_u(b, 1)) {
        if (b->err || ++zeros > 31) {
            b->err = true;
            return 0;
        }
    }
    return (uint32_t)((1ull << zeros) - 1 + cc_bits_u(b, zeros));
}

int32_t cc_bits_se(struct cc_bits *b)
{
    uint32_t k = cc_bits_ue(b);
    return (k & 1) ? (int32_t)((k + 1) / 2) : -(int32_t)(k / 2);
}

size_t cc_nal_unescape(const uint8_t *src, size_t len, uint8_t *dst)
{
    size_t n = 0, zeros = 0;
    for (size_t i = 0; i < len; i++) {
        if (zeros >= 2 && src[i] == 3) {
            zeros = 0;
            continue;
        }
        zeros = src[i] ? 0 : zeros + 1;
        dst[n++] = src[i];
    }
    return n;
}

/* Offset of the next 00 00 01 at or after pos, or len. A thumbnail scans
 * its keyframe three times: memchr for the 01 (one byte in 256 of coded
 * slice data) is several times faster than a byte loop. */
static size_t find_start(const uint8_t *buf, size_t len, size_t pos)
{
    for (size_t i = pos + 2; i < len; i++) {
        const uint8_t *one = memchr(buf + i, 1, len - i);
        if (!one)
            return len;
        i = (size_t)(one - buf);
        if (!buf[i - 1] && !buf[i - 2])
            return i - 2;
    }
    return len;
}

bool cc_nal_next(const uint8_t *buf, size_t len, size_t *pos, enum cc_vcodec codec,
                 struct cc_nal *nal)
{
    size_t hdr = codec == CC_VCODEC_H265 ? 2 : 1;
    for (;;) {
        size_t s = find_start(buf, len, *pos);
        if (s >= len)
            return false;
        size_t begin = s + 3;
        size_t end = find_start(buf, len, begin);
        *pos = end;
        while (end > begin && !buf[end - 1])
            end--; /* trailing_zero_8bits and a 4-byte start code's zero */
        if (end - begin < hdr)
            continue;
        nal->data = buf + begin;
        nal->len = end - begin;
        nal->type = codec == CC_VCODEC_H265 ? (buf[begin] >> 1) & 0x3f : buf[begin] & 0x1f;
        return true;
    }
}

bool cc_nal_is_keyframe(enum cc_vcodec codec, uint8_t type)
{
    if (codec == CC_VCODEC_H265)
        return type >= CC_H265_BLA_W_LP && type <= CC_H265_CRA;
    return type == CC_H264_IDR;
}

void cc_nal_scan_init(struct cc_nal_scan *k, enum cc_vcodec codec)
{
    *k = (struct cc_nal_scan){.codec = codec};
}

/* One byte in a state the fast path leaves: a NAL header is due, or an H.265
 * keyframe header waits for a byte that is neither zero nor its end. */
static void scan_slow(struct cc_nal_scan *k, uint8_t b)
{
    bool start = b == 1 && k->zeros >= 2;
    if (k->want_header) {
        k->want_header = false;
        uint8_t type = k->codec == CC_VCODEC_H265 ? (b >> 1) & 0x3f : b & 0x1f;
        if (cc_nal_is_keyframe(k->codec, type))
            k->key = k->codec != CC_VCODEC_H265; /* H.265: a header has two bytes */
        k->pending = k->codec == CC_VCODEC_H265 && cc_nal_is_keyframe(k->codec, type);
    } else if (k->pending && b && !start) {
        k->key = true; /* a NAL unit's byte that is no trailing zero */
    } else if (start) {
        k->pending = false;
        k->want_header = true;
        k->zeros = 0;
        return;
    }
    k->zeros = b ? 0 : (uint8_t)(k->zeros < 2 ? k->zeros + 1 : 2);
}

bool cc_nal_scan_feed(struct cc_nal_scan *k, const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && !k->key) {
        if (k->want_header || k->pending) {
            scan_slow(k, p[i++]);
            continue;
        }
        /* Only a 01 after two zeros matters: jump from 01 to 01. */
        const uint8_t *one = memchr(p + i, 1, len - i);
        size_t end = one ? (size_t)(one - p) : len;
        size_t z = 0;
        while (z < 2 && end - z > i && !p[end - z - 1])
            z++;
        if (end - z == i) /* only zeros before it: those of the last piece count too */
            z = z + k->zeros > 2 ? 2 : z + k->zeros;
        if (!one) {
            k->zeros = (uint8_t)z;
            break;
        }
        k->zeros = (uint8_t)z;
        scan_slow(k, 1);
        i = end + 1;
    }
    return k->key;
}

bool cc_nal_is_param_set(enum cc_vcodec codec, uint8_t type)
{
    if (codec == CC_VCODEC_H265)
        return type >= CC_H265_VPS && type <= CC_H265_PPS;
    return type == CC_H264_SPS || type == CC_H264_PPS;
}

bool cc_nal_is_aud(enum cc_vcodec codec, uint8_t type)
{
    return type == (codec == CC_VCODEC_H265 ? CC_H265_AUD : CC_H264_AUD);
}

static void skip_scaling_list(struct cc_bits *b, int size)
{
    int last = 8, next = 8;
    for (int j = 0; j < size && !b->err; j++) {
        if (next) {
            int32_t delta = cc_bits_se(b);
            if (delta < -128 || delta > 127) { /* delta_scale's range (7.4.2.1.1.1) */
                b->err = true;
                return;
            }
            next = (last + delta + 256) % 256;
        }
        last = next ? next : last;
    }
}

/* Fills the fields every VUI begins with up to timing_info; the caller has
 * read vui_parameters_present_flag. */
static void vui_head(struct cc_bits *b, bool hevc, struct cc_sps *s)
{
    if (cc_bits_u(b, 1) && cc_bits_u(b, 8) == 255) /* aspect_ratio_idc: Extended_SAR */
        cc_bits_skip(b, 32);
    if (cc_bits_u(b, 1)) /* overscan_info_present_flag */
        cc_bits_skip(b, 1);
    if (cc_bits_u(b, 1)) { /* video_signal_type_present_flag */
        cc_bits_skip(b, 4);
        if (cc_bits_u(b, 1))
            cc_bits_skip(b, 24);
    }
    if (cc_bits_u(b, 1)) { /* chroma_loc_info_present_flag */
        cc_bits_ue(b);
        cc_bits_ue(b);
    }
    if (hevc) {
        cc_bits_skip(b, 3);  /* neutral_chroma, field_seq, frame_field_info */
        if (cc_bits_u(b, 1)) /* default_display_window_flag */
            for (int i = 0; i < 4; i++)
                cc_bits_ue(b);
    }
    if (cc_bits_u(b, 1)) { /* timing_info_present_flag */
        s->num_units_in_tick = cc_bits_u(b, 32);
        s->time_scale = cc_bits_u(b, 32);
    }
}

static bool h264_high(uint8_t p)
{
    static const uint8_t high[] = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135};
    return memchr(high, p, sizeof(high)) != NULL;
}

static void h264_chroma(struct cc_bits *b, struct cc_sps *s)
{
    s->chroma_format = 1;
    s->bit_depth_luma = s->bit_depth_chroma = 8;
    if (!h264_high(s->profile_idc))
        return;
    s->chroma_format = (uint8_t)cc_bits_ue(b);
    if (s->chroma_format == 3)
        cc_bits_skip(b, 1); /* separate_colour_plane_flag */
    s->bit_depth_luma = (uint8_t)(8 + cc_bits_ue(b));
    s->bit_depth_chroma = (uint8_t)(8 + cc_bits_ue(b));
    cc_bits_skip(b, 1);  /* qpprime_y_zero_transform_bypass_flag */
    if (cc_bits_u(b, 1)) /* seq_scaling_matrix_present_flag */
        for (int i = 0; i < (s->chroma_format != 3 ? 8 : 12) && !b->err; i++)
            if (cc_bits_u(b, 1))
                skip_scaling_list(b, i < 6 ? 16 : 64);
}

static int h264_sps(struct cc_bits *b, struct cc_sps *s)
{
    s->profile_idc = (uint8_t)cc_bits_u(b, 8);
    s->constraint = (uint8_t)cc_bits_u(b, 8);
    s->level_idc = (uint8_t)cc_bits_u(b, 8);
    cc_bits_ue(b); /* seq_parameter_set_id */
    h264_chroma(b, s);
    cc_bits_ue(b); /* log2_max_frame_num_minus4 */
    uint32_t poc_type = cc_bits_ue(b);
    if (poc_type == 0) {
        cc_bits_ue(b);
    } else if (poc_type == 1) {
        cc_bits_skip(b, 1);
        cc_bits_se(b);
        cc_bits_se(b);
        uint32_t n = cc_bits_ue(b);
        if (n > 255)
            return -EINVAL;
        for (uint32_t i = 0; i < n; i++)
            cc_bits_se(b);
    }
    cc_bits_ue(b); /* max_num_ref_frames */
    cc_bits_skip(b, 1);
    uint32_t wmbs = cc_bits_ue(b) + 1, hmaps = cc_bits_ue(b) + 1;
    uint32_t frame_mbs_only = cc_bits_u(b, 1);
    if (!frame_mbs_only)
        cc_bits_skip(b, 1);
    cc_bits_skip(b, 1); /* direct_8x8_inference_flag */
    uint32_t crop[4] = {0};
    if (cc_bits_u(b, 1))
        for (int i = 0; i < 4; i++)
            crop[i] = cc_bits_ue(b);
    if (cc_bits_u(b, 1))
        vui_head(b, false, s);
    if (b->err || wmbs > 1024 || hmaps > 1024 || s->chroma_format > 3)
        return -EINVAL;
    uint32_t cx = s->chroma_format == 1 || s->chroma_format == 2 ? 2 : 1;
    uint32_t cy = (s->chroma_format == 1 ? 2 : 1) * (2 - frame_mbs_only);
    uint64_t w = wmbs * 16, h = (uint64_t)hmaps * 16 * (2 - frame_mbs_only);
    uint64_t cw = (uint64_t)cx * ((uint64_t)crop[0] + crop[1]);
    uint64_t ch = (uint64_t)cy * ((uint64_t)crop[2] + crop[3]);
    if (cw >= w || ch >= h)
        return -EINVAL;
    s->width = (uint32_t)(w - cw);
    s->height = (uint32_t)(h - ch);
    return 0;
}

static void h265_ptl(struct cc_bits *b, struct cc_sps *s)
{
    s->profile_space = (uint8_t)cc_bits_u(b, 2);
    s->tier = (uint8_t)cc_bits_u(b, 1);
    s->profile_idc = (uint8_t)cc_bits_u(b, 5);
    s->compat_flags = cc_bits_u(b, 32);
    for (int i = 0; i < 6; i++)
        s->constraint48[i] = (uint8_t)cc_bits_u(b, 8);
    s->level_idc = (uint8_t)cc_bits_u(b, 8);
    unsigned sub = s->max_sub_layers - 1u;
    bool prof[8] = {0}, lev[8] = {0};
    for (unsigned i = 0; i < sub; i++) {
        prof[i] = cc_bits_u(b, 1);
        lev[i] = cc_bits_u(b, 1);
    }
    if (sub > 0)
        cc_bits_skip(b, 2 * (8 - sub));
    for (unsigned i = 0; i < sub; i++)
        cc_bits_skip(b, (prof[i] ? 88 : 0) + (lev[i] ? 8 : 0));
}

static void h265_scaling_lists(struct cc_bits *b)
{
    for (int size = 0; size < 4; size++)
        for (int m = 0; m < 6 && !b->err; m += size == 3 ? 3 : 1) {
            if (!cc_bits_u(b, 1)) { /* scaling_list_pred_mode_flag */
                cc_bits_ue(b);
                continue;
            }
            int coefs = 1 << (4 + (size << 1));
            if (coefs > 64)
                coefs = 64;
            if (size > 1)
                cc_bits_se(b);
            for (int i = 0; i < coefs && !b->err; i++)
                cc_bits_se(b);
        }
}

/* st_ref_pic_set(idx) of the SPS; ndelta holds NumDeltaPocs of the earlier
 * sets. Returns this one's NumDeltaPocs, or -1 when malformed. */
static int h265_st_rps(struct cc_bits *b, unsigned idx, const uint8_t *ndelta)
{
    if (idx && cc_bits_u(b, 1)) { /* inter_ref_pic_set_prediction_flag */
        cc_bits_skip(b, 1);
        cc_bits_ue(b);
        int n = 0;
        for (unsigned j = 0; j <= ndelta[idx - 1]; j++) {
            bool used = cc_bits_u(b, 1);
            if (used || cc_bits_u(b, 1))
                n++;
        }
        return n > 32 ? -1 : n;
    }
    uint32_t neg = cc_bits_ue(b), pos = cc_bits_ue(b);
    if (neg > 16 || pos > 16)
        return -1;
    for (uint32_t i = 0; i < neg + pos; i++) {
        cc_bits_ue(b);
        cc_bits_skip(b, 1);
    }
    return (int)(neg + pos);
}

/* From log2_min_luma_coding_block_size to the VUI. */
static int h265_sps_tail(struct cc_bits *b, struct cc_sps *s, unsigned poc_lsb_bits)
{
    for (int i = 0; i < 6; i++)
        cc_bits_ue(b);
    if (cc_bits_u(b, 1) && cc_bits_u(b, 1)) /* scaling_list_enabled, _data_present */
        h265_scaling_lists(b);
    cc_bits_skip(b, 2);    /* amp, sample_adaptive_offset */
    if (cc_bits_u(b, 1)) { /* pcm_enabled_flag */
        cc_bits_skip(b, 8);
        cc_bits_ue(b);
        cc_bits_ue(b);
        cc_bits_skip(b, 1);
    }
    uint32_t nsets = cc_bits_ue(b);
    if (nsets > 64)
        return -EINVAL;
    uint8_t ndelta[64];
    for (unsigned i = 0; i < nsets && !b->err; i++) {
        int n = h265_st_rps(b, i, ndelta);
        if (n < 0)
            return -EINVAL;
        ndelta[i] = (uint8_t)n;
    }
    if (cc_bits_u(b, 1)) { /* long_term_ref_pics_present_flag */
        uint32_t n = cc_bits_ue(b);
        if (n > 32)
            return -EINVAL;
        for (uint32_t i = 0; i < n; i++)
            cc_bits_skip(b, poc_lsb_bits + 1);
    }
    cc_bits_skip(b, 2); /* temporal_mvp, strong_intra_smoothing */
    if (cc_bits_u(b, 1))
        vui_head(b, true, s);
    return b->err ? -EINVAL : 0;
}

static int h265_sps(struct cc_bits *b, struct cc_sps *s)
{
    cc_bits_skip(b, 4); /* sps_video_parameter_set_id */
    s->max_sub_layers = (uint8_t)(cc_bits_u(b, 3) + 1);
    s->temporal_id_nested = cc_bits_u(b, 1);
    if (s->max_sub_layers > 7)
        return -EINVAL;
    h265_ptl(b, s);
    cc_bits_ue(b); /* sps_seq_parameter_set_id */
    s->chroma_format = (uint8_t)cc_bits_ue(b);
    if (s->chroma_format > 3)
        return -EINVAL;
    if (s->chroma_format == 3)
        cc_bits_skip(b, 1);
    uint32_t w = cc_bits_ue(b), h = cc_bits_ue(b);
    uint64_t crop[4] = {0};
    if (cc_bits_u(b, 1))
        for (int i = 0; i < 4; i++)
            crop[i] = cc_bits_ue(b);
    s->bit_depth_luma = (uint8_t)(8 + cc_bits_ue(b));
    s->bit_depth_chroma = (uint8_t)(8 + cc_bits_ue(b));
    uint32_t poc_lsb_bits = cc_bits_ue(b) + 4;
    if (poc_lsb_bits > 16)
        return -EINVAL;
    bool all = cc_bits_u(b, 1); /* sps_sub_layer_ordering_info_present_flag */
    for (unsigned i = all ? 0 : s->max_sub_layers - 1u; i < s->max_sub_layers; i++)
        for (int k = 0; k < 3; k++)
            cc_bits_ue(b);
    uint64_t cx = s->chroma_format == 1 || s->chroma_format == 2 ? 2 : 1;
    uint64_t cy = s->chroma_format == 1 ? 2 : 1;
    uint64_t cw = cx * (crop[0] + crop[1]), ch = cy * (crop[2] + crop[3]);
    if (b->err || w > 16888 || h > 16888 || cw >= w || ch >= h)
        return -EINVAL;
    s->width = (uint32_t)(w - cw);
    s->height = (uint32_t)(h - ch);
    return h265_sps_tail(b, s, poc_lsb_bits);
}

int cc_sps_parse(const uint8_t *nal, size_t len, enum cc_vcodec codec, struct cc_sps *out)
{
    uint8_t rbsp[SPS_MAX];
    size_t hdr = codec == CC_VCODEC_H265 ? 2 : 1;
    memset(out, 0, sizeof(*out));
    out->codec = codec;
    if (len <= hdr || (codec != CC_VCODEC_H264 && codec != CC_VCODEC_H265))
        return -EINVAL;
    if (len - hdr > SPS_MAX)
        len = SPS_MAX + hdr;
    size_t n = cc_nal_unescape(nal + hdr, len - hdr, rbsp);
    struct cc_bits b;
    cc_bits_init(&b, rbsp, n);
    int rc = codec == CC_VCODEC_H265 ? h265_sps(&b, out) : h264_sps(&b, out);
    if (rc == 0 && b.err)
        rc = -EINVAL;
    return rc;
}

static uint32_t gcd32(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void cc_sps_frame_rate(const struct cc_sps *s, uint32_t *num, uint32_t *den)
{
    *num = *den = 0;
    if (!s->num_units_in_tick || !s->time_scale)
        return;
    uint64_t d = (uint64_t)s->num_units_in_tick * (s->codec == CC_VCODEC_H264 ? 2 : 1);
    uint64_t n = s->time_scale;
    while (d > UINT32_MAX) {
        d >>= 1;
        n >>= 1;
    }
    uint32_t g = gcd32((uint32_t)n, (uint32_t)d);
    if (!g || !n)
        return;
    *num = (uint32_t)n / g;
    *den = (uint32_t)d / g;
}

static uint32_t reverse32(uint32_t v)
{
    uint32_t r = 0;
    for (int i = 0; i < 32; i++, v >>= 1)
        r = (r << 1) | (v & 1);
    return r;
}

void cc_sps_codec_string(const struct cc_sps *s, char *out, size_t size)
{
    if (s->codec == CC_VCODEC_H264) {
        snprintf(out, size, "avc1.%02x%02x%02x", s->profile_idc, s->constraint, s->level_idc);
        return;
    }
    static const char *const space[] = {"", "A", "B", "C"};
    int n = snprintf(out, size, "hvc1.%s%u.%X.%c%u", space[s->profile_space & 3], s->profile_idc,
                     reverse32(s->compat_flags), s->tier ? 'H' : 'L', s->level_idc);
    int last = 5; /* trailing zero bytes are left out */
    while (last >= 0 && !s->constraint48[last])
        last--;
    for (int i = 0; i <= last && n > 0 && (size_t)n < size; i++)
        n += snprintf(out + n, size - (size_t)n, ".%X", s->constraint48[i]);
}

const char *cc_sps_profile_name(const struct cc_sps *s)
{
    if (s->codec == CC_VCODEC_H265) {
        switch (s->profile_idc) {
        case 1: return "Main";
        case 2: return "Main 10";
        case 3: return "Main Still Picture";
        case 4: return "Rext";
        default: return "unknown";
        }
    }
    switch (s->profile_idc) {
    case 66: return (s->constraint & 0x40) ? "Constrained Baseline" : "Baseline";
    case 77: return "Main";
    case 88: return "Extended";
    case 100: return "High";
    case 110: return (s->constraint & 0x10) ? "High 10 Intra" : "High 10";
    case 122: return (s->constraint & 0x10) ? "High 4:2:2 Intra" : "High 4:2:2";
    case 244: return (s->constraint & 0x10) ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
    default: return "unknown";
    }
}
