/* nal — H.264 / H.265 elementary streams without decoding them: Annex-B NAL
 * unit scanning, emulation-prevention removal, and the sequence parameter set
 * (what a picture is: size, profile, level, frame rate) parsed with an
 * exp-Golomb bit reader.
 *
 * Pure functions over caller-owned bytes: no I/O, no allocation. Every read
 * is bounded by the length given; malformed input gives -EINVAL, never a read
 * past the end. Thread rules: none shared. */
#ifndef CC_NAL_H
#define CC_NAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cc_vcodec { CC_VCODEC_NONE = 0, CC_VCODEC_H264 = 1, CC_VCODEC_H265 = 2 };

/* The NAL unit types this project acts on. */
enum {
    CC_H264_IDR = 5,
    CC_H264_SEI = 6,
    CC_H264_SPS = 7,
    CC_H264_PPS = 8,
    CC_H264_AUD = 9,
    CC_H265_BLA_W_LP = 16,
    CC_H265_CRA = 21, /* 16..21: IRAP pictures, decodable on their own */
    CC_H265_VPS = 32,
    CC_H265_SPS = 33,
    CC_H265_PPS = 34,
    CC_H265_AUD = 35,
};

/* One NAL unit inside an Annex-B buffer: its bytes (header included, start
 * code and trailing zero bytes excluded) point into that buffer. */
struct cc_nal {
    const uint8_t *data;
    size_t len;
    uint8_t type;
};

/* Iterates the NAL units of buf: *pos starts at 0. Returns true with *nal
 * filled, false when there are no more. Bytes before the first start code
 * are skipped. */
bool cc_nal_next(const uint8_t *buf, size_t len, size_t *pos, enum cc_vcodec codec,
                 struct cc_nal *nal);

/* Is this NAL type a picture that decodes on its own (H.264 IDR; H.265 BLA,
 * IDR and CRA: x265's open GOPs start chunks with a CRA)? */
bool cc_nal_is_keyframe(enum cc_vcodec codec, uint8_t type);
/* Looks for a keyframe NAL unit in an Annex-B buffer that arrives in pieces
 * (a PES, packet by packet), holding a few bytes of state instead of the
 * buffer: start codes and NAL headers may be split across pieces. The answer
 * for the pieces joined is the one cc_nal_next() and cc_nal_is_keyframe()
 * give for the whole buffer (a NAL unit counts once it has a header's worth
 * of bytes that are not trailing zeros). cc_nal_scan_init() for each buffer. */
struct cc_nal_scan {
    enum cc_vcodec codec;
    uint8_t zeros;    /* zero bytes just seen (at most 2 counted) */
    bool want_header; /* a start code ended the last piece */
    bool pending;     /* an H.265 keyframe header without its second byte yet */
    bool key;
};

void cc_nal_scan_init(struct cc_nal_scan *k, enum cc_vcodec codec);
/* The next piece; returns k->key (true once a keyframe was seen). */
bool cc_nal_scan_feed(struct cc_nal_scan *k, const uint8_t *p, size_t len);

/* Parameter sets and access unit delimiters: what an MP4 sample leaves out. */
bool cc_nal_is_param_set(enum cc_vcodec codec, uint8_t type);
bool cc_nal_is_aud(enum cc_vcodec codec, uint8_t type);

/* A parsed sequence parameter set: the fields properties and the MP4 sample
 * entry need. */
struct cc_sps {
    enum cc_vcodec codec;
    uint8_t profile_idc;
    uint8_t level_idc;     /* H.264: level x 10; H.265: level x 30 */
    uint8_t constraint;    /* H.264: the constraint_set flags byte */
    uint8_t chroma_format; /* 0 mono, 1 4:2:0, 2 4:2:2, 3 4:4:4 */
    uint8_t bit_depth_luma;
    uint8_t bit_depth_chroma;
    /* H.265 profile_tier_level */
    uint8_t profile_space;
    uint8_t tier;
    uint32_t compat_flags;
    uint8_t constraint48[6]; /* progressive_source_flag onwards, 48 bits */
    uint8_t max_sub_layers;
    bool temporal_id_nested;
    uint32_t width, height;     /* after cropping */
    uint32_t num_units_in_tick; /* 0: no timing in the VUI */
    uint32_t time_scale;
};

/* Parses an SPS NAL unit (header included, emulation prevention still in).
 * 0 or -EINVAL. */
int cc_sps_parse(const uint8_t *nal, size_t len, enum cc_vcodec codec, struct cc_sps *out);

/* The frame rate as a reduced fraction (H.264: time_scale / (2 x
 * num_units_in_tick), H.265: time_scale / num_units_in_tick); 0/0 unknown. */
void cc_sps_frame_rate(const struct cc_sps *s, uint32_t *num, uint32_t *den);
/* RFC 6381 codec string ("avc1.64001f", "hvc1.1.6.L93.90") into out. */
void cc_sps_codec_string(const struct cc_sps *s, char *out, size_t size);
/* ffprobe's profile name ("High", "Constrained Baseline", "Main"). Static. */
const char *cc_sps_profile_name(const struct cc_sps *s);

/* Copies src to dst without emulation-prevention bytes (00 00 03 -> 00 00).
 * dst holds at least len bytes. Returns the bytes written. */
size_t cc_nal_unescape(const uint8_t *src, size_t len, uint8_t *dst);

/* A most-significant-bit-first reader over unescaped bytes. Reading past the
 * end sets err and yields zeros, so parsers check once at the end. */
struct cc_bits {
    const uint8_t *p;
    size_t len;
    size_t bit;
    bool err;
};

void cc_bits_init(struct cc_bits *b, const uint8_t *p, size_t len);
uint32_t cc_bits_u(struct cc_bits *b, unsigned n); /* n <= 32 */
uint32_t cc_bits_ue(struct cc_bits *b);            /* exp-Golomb; err past 2^32 - 2 */
int32_t cc_bits_se(struct cc_bits *b);
void cc_bits_skip(struct cc_bits *b, size_t n);

#endif
