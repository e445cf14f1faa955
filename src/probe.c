/* probe — see probe.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "probe.h"

void cc_probe_init(struct cc_probe *p, bool want_audio)
{
    memset(p, 0, sizeof(*p));
    cc_ts_init(&p->ts);
    cc_buf_init(&p->kf.au);
    cc_buf_init(&p->kf.vps);
    cc_buf_init(&p->kf.sps);
    cc_buf_init(&p->kf.pps);
    p->kf.pts = -1;
    p->want_audio = want_audio;
}

void cc_probe_free(struct cc_probe *p)
{
    cc_ts_free(&p->ts);
    cc_buf_free(&p->kf.au);
    cc_buf_free(&p->kf.vps);
    cc_buf_free(&p->kf.sps);
    cc_buf_free(&p->kf.pps);
}

static enum cc_vcodec codec_of(uint8_t stream_type)
{
    return stream_type == CC_TS_TYPE_H265 ? CC_VCODEC_H265 : CC_VCODEC_H264;
}

static void keep(struct cc_buf *b, const struct cc_nal *n)
{
    cc_buf_reset(b);
    cc_buf_append(b, n->data, n->len);
}

/* Keeps the parameter sets of a PES; true when it holds a keyframe. */
static bool scan_pes(struct cc_probe *p, const struct cc_ts_pes *pes)
{
    enum cc_vcodec codec = codec_of(pes->stream_type);
    struct cc_nal n;
    size_t pos = 0;
    bool key = false;
    while (cc_nal_next(pes->data, pes->len, &pos, codec, &n)) {
        if (codec == CC_VCODEC_H265 && n.type == CC_H265_VPS)
            keep(&p->kf.vps, &n);
        else if (n.type == (codec == CC_VCODEC_H265 ? CC_H265_SPS : CC_H264_SPS))
            keep(&p->kf.sps, &n);
        else if (n.type == (codec == CC_VCODEC_H265 ? CC_H265_PPS : CC_H264_PPS))
            keep(&p->kf.pps, &n);
        else if (!key && cc_nal_is_keyframe(codec, n.type)) {
            key = true;
            p->kf.nal_type = n.type;
        }
    }
    return key;
}

static bool starts_with_aud(const struct cc_ts_pes *pes)
{
    struct cc_nal n;
    size_t pos = 0;
    enum cc_vcodec codec = codec_of(pes->stream_type);
    return cc_nal_next(pes->data, pes->len, &pos, codec, &n) && cc_nal_is_aud(codec, n.type);
}

static bool is_vcl(enum cc_vcodec codec, uint8_t type)
{
    return codec == CC_VCODEC_H265 ? type < 32 : type >= 1 && type <= 5;
}

/* Does this slice NAL begin a new picture (first_mb_in_slice == 0, or
 * first_slice_segment_in_pic_flag)? */
static bool first_slice(enum cc_vcodec codec, const struct cc_nal *n)
{
    if (codec == CC_VCODEC_H265)
        return n->len > 2 && (n->data[2] & 0x80);
    return n->len > 1 && (n->data[1] & 0x80);
}

/* Cuts the access unit where a second picture would begin, for muxers that
 * put more than one picture into a PES. */
static void trim_au(struct cc_probe *p, enum cc_vcodec codec)
{
    const uint8_t *d = (const uint8_t *)p->kf.au.data;
    struct cc_nal n;
    size_t pos = 0;
    bool pic = false;
    while (cc_nal_next(d, p->kf.au.len, &pos, codec, &n)) {
        bool vcl = is_vcl(codec, n.type);
        bool ends = pic && (!vcl || first_slice(codec, &n));
        if (vcl && cc_nal_is_keyframe(codec, n.type))
            pic = true;
        if (ends) {
            size_t cut = (size_t)(n.data - d) - 3; /* before its 00 00 01 */
            while (cut > 0 && !d[cut - 1])
                cut--; /* a 4-byte start code's zero, trailing zeros */
            p->kf.au.len = cut;
            p->kf.au.data[cut] = '\0';
            return;
        }
    }
}

static void props_from_sps(struct cc_probe *p, enum cc_vcodec codec)
{
    struct cc_props *pr = &p->props;
    const uint8_t *s = (const uint8_t *)p->kf.sps.data;
    pr->vcodec = codec;
    if (p->kf.sps.len && cc_sps_parse(s, p->kf.sps.len, codec, &pr->sps) == 0) {
        pr->has_sps = true;
        cc_sps_codec_string(&pr->sps, pr->codec_string, sizeof(pr->codec_string));
        cc_sps_frame_rate(&pr->sps, &pr->fps_num, &pr->fps_den);
    }
}

/* Does PES pes (complete or only begun) start another access unit than the
 * keyframe's? */
static bool next_au(const struct cc_probe *p, const struct cc_ts_pes *pes)
{
    return (pes->pts >= 0 && pes->pts != p->kf.pts) || starts_with_aud(pes) ||
           p->kf.au.len + pes->len > CC_TS_PES_MAX;
}

static void video_pes(struct cc_probe *p, const struct cc_ts_pes *pes)
{
    enum cc_vcodec codec = codec_of(pes->stream_type);
    if (pes->partial) {
        /* The PES after the keyframe's has begun: if it is another access
         * unit, the keyframe is complete without reading the rest of it. */
        if (p->kf_state == CC_PROBE_COLLECT && next_au(p, pes)) {
            trim_au(p, codec);
            p->kf_state = CC_PROBE_DONE;
        }
    } else if (p->kf_state == CC_PROBE_SEARCH) {
        if (!scan_pes(p, pes))
            return;
        p->cut = pes->cut;
        cc_buf_append(&p->kf.au, pes->data, pes->len);
        p->kf.pts = pes->pts;
        p->kf.ts_start = pes->start;
        p->kf.ts_end = pes->end;
        p->kf_state = CC_PROBE_COLLECT;
        props_from_sps(p, codec);
    } else if (p->kf_state == CC_PROBE_COLLECT) {
        if (next_au(p, pes)) {
            trim_au(p, codec);
            p->kf_state = CC_PROBE_DONE;
            return;
        }
        cc_buf_append(&p->kf.au, pes->data, pes->len);
        p->kf.ts_end = pes->end;
        p->cut = pes->cut;
    }
}

static int on_pes(void *ud, const struct cc_ts_pes *pes)
{
    struct cc_probe *p = ud;
    if (pes->video) {
        video_pes(p, pes);
    } else if (!p->audio_done && !pes->partial) {
        p->props.audio_type = pes->stream_type;
        if (pes->stream_type == CC_TS_TYPE_AAC)
            p->props.has_adts = cc_adts_parse(pes->data, pes->len, &p->props.adts) == 0;
        p->audio_done = true;
    }
    bool audio_ok = !p->want_audio || p->audio_done || !p->ts.audio.pid;
    return p->kf_state == CC_PROBE_DONE && audio_ok;
}

int cc_probe_feed(struct cc_probe *p, const uint8_t *buf, size_t len)
{
    if (p->ts.have_pmt && !p->ts.audio.pid)
        p->audio_done = true;
    return cc_ts_feed(&p->ts, buf, len, on_pes, p) ? 1 : 0;
}

void cc_probe_finish(struct cc_probe *p)
{
    cc_ts_finish(&p->ts, on_pes, p);
    if (p->kf_state == CC_PROBE_COLLECT) {
        trim_au(p, p->props.vcodec);
        p->kf_state = CC_PROBE_DONE;
    }
    if (p->ts.video.pid && !p->props.vcodec)
        p->props.vcodec = codec_of(p->ts.video.type);
    if (p->ts.audio.pid && !p->props.audio_type)
        p->props.audio_type = p->ts.audio.type;
}

bool cc_probe_has_keyframe(const struct cc_probe *p)
{
    return p->kf_state == CC_PROBE_DONE && !p->cut && p->props.has_sps && p->kf.pps.len &&
           (p->props.vcodec != CC_VCODEC_H265 || p->kf.vps.len);
}

/* The video bytes seen count PES headers too (a few dozen bytes): one packet
 * of the slack is kept back for them. */
size_t cc_probe_read_size(const struct cc_probe *p, uint64_t done)
{
    uint64_t video = p->kf.au.len + p->ts.video.got;
    uint64_t limit = video + CC_PROBE_SLACK - CC_TS_PACKET;
    uint64_t n = limit > done ? (limit - done) / CC_TS_PACKET * CC_TS_PACKET : 0;
    if (n < CC_PROBE_READ)
        return CC_PROBE_READ;
    return n > CC_PROBE_READ_MAX ? CC_PROBE_READ_MAX : (size_t)n;
}

int cc_probe_fd(struct cc_probe *p, int fd, uint64_t *bytes_read)
{
    uint8_t buf[CC_PROBE_READ_MAX];
    *bytes_read = 0;
    for (;;) {
        size_t want = cc_probe_read_size(p, *bytes_read);
        ssize_t n = pread(fd, buf, want, (off_t)*bytes_read);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        *bytes_read += (uint64_t)n;
        if (cc_probe_feed(p, buf, (size_t)n))
            return 0;
        if (!p->ts.have_pmt && *bytes_read >= CC_PROBE_NO_TS_MAX)
            break;
    }
    cc_probe_finish(p);
    return 0;
}

size_t cc_probe_sample(const struct cc_keyframe *kf, enum cc_vcodec codec, bool bla,
                       struct cc_buf *out)
{
    size_t before = out->len;
    struct cc_nal n;
    size_t pos = 0;
    const uint8_t *d = (const uint8_t *)kf->au.data;
    while (cc_nal_next(d, kf->au.len, &pos, codec, &n)) {
        if (cc_nal_is_param_set(codec, n.type) || cc_nal_is_aud(codec, n.type))
            continue;
        uint8_t len[4] = {(uint8_t)(n.len >> 24), (uint8_t)(n.len >> 16), (uint8_t)(n.len >> 8),
                          (uint8_t)n.len};
        cc_buf_append(out, len, 4);
        size_t at = out->len;
        cc_buf_append(out, n.data, n.len);
        if (bla && codec == CC_VCODEC_H265 && n.type == CC_H265_CRA)
            out->data[at] = (char)((out->data[at] & 0x81) | (CC_H265_BLA_W_LP << 1));
    }
    return out->len - before;
}

int cc_probe_track(const struct cc_probe *p, struct cc_mp4_track *t)
{
    if (!cc_probe_has_keyframe(p))
        return -ENOENT;
    *t = (struct cc_mp4_track){
        .sps = &p->props.sps,
        .vps = (const uint8_t *)p->kf.vps.data,
        .vps_len = p->kf.vps.len,
        .sps_nal = (const uint8_t *)p->kf.sps.data,
        .sps_len = p->kf.sps.len,
        .pps = (const uint8_t *)p->kf.pps.data,
        .pps_len = p->kf.pps.len,
    };
    return 0;
}

int cc_probe_thumb(const struct cc_probe *p, uint32_t dur, struct cc_buf *out)
{
    struct cc_mp4_track t;
    int rc = cc_probe_track(p, &t);
    if (rc < 0)
        return rc;
    struct cc_buf sample;
    cc_buf_init(&sample);
    cc_probe_sample(&p->kf, p->props.vcodec, false, &sample);
    rc = sample.len ? cc_mp4_write_single(out, &t, sample.data, sample.len, dur) : -EINVAL;
    cc_buf_free(&sample);
    return rc;
}

const char *cc_probe_audio_codec(uint8_t type)
{
    switch (type) {
    case CC_TS_TYPE_AAC: return "aac";
    case 0x03:
    case 0x04: return "mp2";
    case 0x11: return "aac_latm";
    case 0x81: return "ac3";
    default: return "unknown";
    }
}

void cc_probe_media_props(const struct cc_props *pr, struct cc_media_props *m)
{
    m->vcodec = (uint8_t)pr->vcodec;
    if (pr->has_sps) {
        m->level = pr->sps.level_idc;
        m->chroma_format = pr->sps.chroma_format;
        m->bit_depth = pr->sps.bit_depth_luma;
        m->width = pr->sps.width;
        m->height = pr->sps.height;
        m->fps_num = pr->fps_num;
        m->fps_den = pr->fps_den;
        snprintf(m->codec_string, sizeof(m->codec_string), "%s", pr->codec_string);
        snprintf(m->profile, sizeof(m->profile), "%s", cc_sps_profile_name(&pr->sps));
    }
    m->audio_type = pr->audio_type;
    if (pr->has_adts) {
        m->channels = pr->adts.channels;
        m->sample_rate = pr->adts.sample_rate;
    }
}

static void video_json(const struct cc_media_props *m, struct cc_json *j)
{
    cc_json_obj_open(j);
    cc_json_key(j, "codec");
    cc_json_str(j, m->vcodec == CC_VCODEC_H265 ? "hevc" : "h264");
    if (m->codec_string[0]) {
        char fr[24];
        snprintf(fr, sizeof(fr), "%u/%u", m->fps_num, m->fps_den);
        cc_json_key(j, "codec_string");
        cc_json_str(j, m->codec_string);
        cc_json_key(j, "profile");
        cc_json_str(j, m->profile);
        cc_json_key(j, "level");
        cc_json_int(j, m->level);
        cc_json_key(j, "width");
        cc_json_int(j, m->width);
        cc_json_key(j, "height");
        cc_json_int(j, m->height);
        cc_json_key(j, "frame_rate");
        if (m->fps_den)
            cc_json_str(j, fr);
        else
            cc_json_null(j);
        cc_json_key(j, "chroma_format");
        cc_json_int(j, m->chroma_format);
        cc_json_key(j, "bit_depth");
        cc_json_int(j, m->bit_depth);
    }
    cc_json_obj_close(j);
}

void cc_media_props_json(const struct cc_media_props *m, struct cc_json *j)
{
    cc_json_key(j, "video");
    if (m->vcodec)
        video_json(m, j);
    else
        cc_json_null(j);
    cc_json_key(j, "audio");
    if (!m->audio_type) {
        cc_json_null(j);
        return;
    }
    cc_json_obj_open(j);
    cc_json_key(j, "codec");
    cc_json_str(j, cc_probe_audio_codec(m->audio_type));
    if (m->sample_rate) {
        cc_json_key(j, "channels");
        cc_json_int(j, m->channels);
        cc_json_key(j, "sample_rate");
        cc_json_int(j, m->sample_rate);
    }
    cc_json_obj_close(j);
}

void cc_probe_props_json(const struct cc_props *pr, struct cc_json *j)
{
    struct cc_media_props m = {0};
    cc_probe_media_props(pr, &m);
    cc_media_props_json(&m, j);
}
