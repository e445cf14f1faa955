/* probe — what an MPEG-TS chunk holds, read from its first bytes: the
 * properties of its video and audio, and its first keyframe as a whole access
 * unit with the parameter sets it needs (what a thumbnail is made from).
 *
 * The first keyframe is the first access unit with an IDR (H.264) or IRAP
 * (H.265, NAL types 16-21) picture. Video PES in TS have no length, so the
 * access unit ends where the next one begins: a PES with another PTS or one
 * that starts with an access unit delimiter; inside a PES, at the next
 * delimiter, parameter set, SEI or picture. A keyframe that runs into a
 * cut-short end of the file (see cc_ts_pes.cut) is no keyframe: a truncated
 * picture would decode half grey. Reading stops as soon as the
 * keyframe (and, when asked for, the first audio frame) is complete, so a
 * thumbnail costs about the keyframe's bytes, not the chunk's.
 *
 * cc_probe_feed/finish are pure (bytes in, no I/O); cc_probe_fd is the one
 * reader of a file. Ownership: struct cc_probe owns its buffers,
 * cc_probe_free() them. Thread rules: none shared. */
#ifndef CC_PROBE_H
#define CC_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adts.h"
#include "buf.h"
#include "day.h"
#include "mp4.h"
#include "nal.h"
#include "ts.h"

/* cc_probe_fd reads at least this much at a time, and more only while what
 * it has read stays within the video bytes seen so far + CC_PROBE_SLACK: the
 * keyframe is at least those bytes, so the read that finds its end takes at
 * most CC_PROBE_SLACK past it (bench-thumb's "keyframe + 4 KiB" target) in
 * fewer, larger reads. CC_PROBE_READ_MAX bounds one read (it is on the
 * stack). */
#define CC_PROBE_READ (CC_TS_PACKET * 8)
#define CC_PROBE_SLACK 4096
#define CC_PROBE_READ_MAX (CC_TS_PACKET * 32)
/* A file without a PMT in its first this many bytes is not an MPEG-TS chunk
 * (ffmpeg's carry PAT and PMT in their first 564): cc_probe_fd stops there
 * instead of reading a damaged or foreign file to its end. */
#define CC_PROBE_NO_TS_MAX (64 * 1024)

struct cc_props {
    enum cc_vcodec vcodec; /* NONE: no video stream found */
    struct cc_sps sps;     /* valid when has_sps */
    bool has_sps;
    char codec_string[48];     /* "avc1.64001f" */
    uint32_t fps_num, fps_den; /* 0/0: not in the SPS */
    uint8_t audio_type;        /* PMT stream_type, 0: no audio stream */
    bool has_adts;             /* adts below is valid */
    struct cc_adts adts;
};

struct cc_keyframe {
    struct cc_buf au;            /* Annex-B bytes of the access unit */
    struct cc_buf vps, sps, pps; /* the parameter sets (one NAL each, no start code) */
    int64_t pts;                 /* 90 kHz, -1 unknown */
    uint8_t nal_type;            /* its picture's NAL type (5 IDR, 19/20 IDR, 21 CRA) */
    uint64_t ts_start, ts_end;   /* the TS packets it spans in the file */
};

enum cc_probe_state { CC_PROBE_SEARCH = 0, CC_PROBE_COLLECT = 1, CC_PROBE_DONE = 2 };

struct cc_probe {
    struct cc_ts ts;
    struct cc_props props;
    struct cc_keyframe kf;
    uint8_t kf_state; /* enum cc_probe_state */
    bool want_audio;
    bool audio_done;
    bool cut; /* the keyframe ran into a cut-short end */
};

void cc_probe_init(struct cc_probe *p, bool want_audio);
void cc_probe_free(struct cc_probe *p);
/* Feeds input bytes: 1 once everything wanted is found (stop reading), else 0. */
int cc_probe_feed(struct cc_probe *p, const uint8_t *buf, size_t len);
/* End of input: completes a keyframe that ran to the end. */
void cc_probe_finish(struct cc_probe *p);
/* Is a complete keyframe with its SPS (and PPS) in p->kf? */
bool cc_probe_has_keyframe(const struct cc_probe *p);

/* Reads fd from its start in pieces of cc_probe_read_size() until the probe
 * is done, the file ends or CC_PROBE_NO_TS_MAX bytes held no PMT, then
 * finishes it. *bytes_read: what was read. 0 or -errno. */
size_t cc_probe_read_size(const struct cc_probe *p, uint64_t done);
int cc_probe_fd(struct cc_probe *p, int fd, uint64_t *bytes_read);

/* Writes the access unit as an MP4 sample: each NAL with a 4-byte big-endian
 * length, parameter sets and delimiters left out (they live in the sample
 * entry). An H.265 CRA becomes a BLA_W_LP when bla is set: the same picture,
 * but it starts a new coded video sequence, so a decoder handed keyframes
 * from different chunks back to back neither waits for nor misorders
 * pictures (H.265 7.4.2.2 allows this change). Returns the bytes appended. */
size_t cc_probe_sample(const struct cc_keyframe *kf, enum cc_vcodec codec, bool bla,
                       struct cc_buf *out);

/* The MP4 track of p's keyframe (pointers borrowed from p). 0, or -ENOENT
 * without a complete keyframe. */
int cc_probe_track(const struct cc_probe *p, struct cc_mp4_track *t);
/* The keyframe as a one-sample MP4 file of dur ticks (CC_MP4_TIMESCALE),
 * appended to out. 0, -ENOENT without a keyframe, -EINVAL. */
int cc_probe_thumb(const struct cc_probe *p, uint32_t dur, struct cc_buf *out);

/* The properties as a segment keeps them (day.h): video and audio fields
 * only; probed, chunk_ms and chunk_bytes are the caller's. */
void cc_probe_media_props(const struct cc_props *pr, struct cc_media_props *m);

/* Writes "video": {...} and "audio": {...} (or null) into an open JSON object:
 * codec, codec_string, profile, level, width, height, frame_rate ("25/1"),
 * chroma_format, bit_depth; audio codec, channels, sample_rate. The one
 * writer for `camcat probe` and the segments of /api/days. */
struct cc_json;
void cc_media_props_json(const struct cc_media_props *m, struct cc_json *j);
/* The same for a probe's own result (cc_probe_media_props first). */
void cc_probe_props_json(const struct cc_props *pr, struct cc_json *j);

/* ffprobe's name of an audio PMT stream_type ("aac", "mp2", "ac3";
 * "unknown"). Static string. */
const char *cc_probe_audio_codec(uint8_t type);

#endif
