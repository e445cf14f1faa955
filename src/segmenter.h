/* segmenter — cuts an MPEG-TS stream, fed as it arrives, into HLS chunks that
 * each start with a video keyframe, the way a camera's recorder does.
 *
 * The stream is read with the ts reader (PAT/PMT, PES of the first video
 * stream); H.264 IDR and H.265 IRAP pictures (nal.h) are the cut points. A
 * chunk is cut at the first keyframe once chunk_ms has passed since the
 * chunk's own first keyframe (by PTS, unwrapped past the 33-bit wrap), and
 * handed out through a callback with its bytes, its first PTS and its
 * duration. The PAT and PMT packets that come right before a keyframe go with
 * it; a chunk that does not start with a PAT and PMT that, read alone, lead to
 * the video stream (a PAT may be damaged or name a stale PMT PID) is handed
 * copies of the first such pair seen (psi) to write in front, so every chunk
 * plays alone. Bytes before the first keyframe are dropped (nothing decodes
 * from them).
 *
 * Bad input ends the stream with a negative errno and a message
 * (cc_seg_error): no sync bytes / no program (-EPROTO), no video stream
 * (-ENOMEDIUM), no keyframe within max_chunk_ms or max_chunk_bytes
 * (-EFBIG), timestamps that jump forward by more than max_chunk_ms or back
 * by more than 0.1 s from the latest (-ERANGE). The chunk in progress up to
 * that point starts with a keyframe and is handed out first, so nothing
 * before the fault is lost. A PTS before its DTS, or more than max_chunk_ms
 * after it, is damage too, but only of that picture: its DTS stands in.
 * A chunk is cut as soon as the next keyframe shows in its PES's first bytes;
 * if that PES then loses packets, the chunk it opened is dropped (no player
 * could start there) and the next whole keyframe opens one.
 *
 * Pure: no I/O, no clock. Memory: the chunk in progress and what came
 * after its end up to the next cut (the next chunk's keyframe), at most
 * max_chunk_bytes plus one feed; PES payloads are scanned for keyframes as
 * they pass (ts.h streamed PES), not kept a second time. Ownership:
 * cc_seg_new() allocates, cc_seg_free() releases; a chunk's bytes are
 * borrowed until the callback returns. Thread rules: one caller at a time. */
#ifndef CC_SEGMENTER_H
#define CC_SEGMENTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nal.h"

#define CC_SEG_HZ 90000

struct cc_seg_chunk {
    const uint8_t *psi; /* PAT + PMT packets to write first; NULL when data has them */
    size_t psi_len;
    const uint8_t *data; /* starts with the keyframe's first packet (or its PAT/PMT) */
    size_t len;
    int64_t pts;     /* the keyframe's PTS, 90 kHz, unwrapped: >= 0, may exceed 2^33 */
    int64_t dur;     /* 90 kHz: up to the next chunk's keyframe */
    uint64_t offset; /* input offset of data[0] */
    uint32_t seq;    /* 0 for the first chunk */
};

/* Returns 0, or a negative errno that stops the stream (cc_seg_feed returns it). */
typedef int (*cc_seg_chunk_fn)(void *ud, const struct cc_seg_chunk *c);

struct cc_seg_config {
    uint32_t chunk_ms;      /* cut at the first keyframe after this much */
    uint32_t max_chunk_ms;  /* no keyframe for longer: -EFBIG */
    size_t max_chunk_bytes; /* a chunk larger than this: -EFBIG */
};

struct cc_seg;

struct cc_seg_info {
    enum cc_vcodec codec; /* CC_VCODEC_NONE until the PMT named one */
    bool audio;           /* the PMT has an audio stream */
    bool started;         /* the first keyframe has been seen */
    int64_t first_pts;    /* its PTS (-1 before) */
    uint32_t chunks;      /* handed out */
    uint64_t bytes_in;
    uint32_t lost;   /* PES lost (continuity), from the ts reader */
    size_t held_max; /* the most input bytes held at once (the chunk buffer) */
};

struct cc_seg *cc_seg_new(const struct cc_seg_config *cfg, cc_seg_chunk_fn fn, void *ud);
void cc_seg_free(struct cc_seg *s);

/* Feeds the next len bytes (any split). 0, or a negative errno: the input is
 * bad (see above) or the callback failed; later calls return it again. */
int cc_seg_feed(struct cc_seg *s, const uint8_t *buf, size_t len);
/* End of input. clean: the sender finished, the last chunk runs to the end of
 * the input. Otherwise (a dropped connection) the last chunk ends before the
 * video frame that may have been cut short. 0, the stream's error, or
 * -ENODATA when no chunk at all came out (with a message saying why). */
int cc_seg_finish(struct cc_seg *s, bool clean);

/* Why the stream was refused; "" while there is no error. Borrowed. */
const char *cc_seg_error(const struct cc_seg *s);
void cc_seg_get_info(const struct cc_seg *s, struct cc_seg_info *out);

#endif
