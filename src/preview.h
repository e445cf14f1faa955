/* preview — a keyframe-only time-lapse: the first keyframes of several
 * chunks, each shown for a fixed time, as one fragmented MP4 written as the
 * chunks are read (one fragment per frame: nothing is held back, so memory
 * does not grow with the number of frames). Remuxed, never re-encoded.
 *
 * An MP4 track has one set of parameter sets here: a keyframe whose codec or
 * parameter sets differ from the first one's (a resolution change between
 * recordings) is left out and counted rather than spliced in undecodable.
 *
 * Pure: bytes appended to the caller's buffer. Ownership: struct cc_preview
 * owns its copies of the parameter sets; cc_preview_free(). Thread rules:
 * none shared. */
#ifndef CC_PREVIEW_H
#define CC_PREVIEW_H

#include <stdint.h>

#include "buf.h"
#include "probe.h"

/* How long each frame of a time-lapse shows. */
#define CC_PREVIEW_FRAME_MS 100

struct cc_preview {
    uint32_t frame_ticks; /* each frame's duration, CC_MP4_TIMESCALE units */
    uint32_t frames;      /* frames written */
    uint32_t skipped;     /* keyframes left out: parameter sets differ */
    enum cc_vcodec codec;
    struct cc_buf params; /* the first keyframe's VPS, SPS, PPS, as compared */
    struct cc_buf sample; /* scratch */
};

void cc_preview_init(struct cc_preview *pv, uint32_t frame_ticks);
void cc_preview_free(struct cc_preview *pv);
/* Appends probe p's keyframe (the file's head first, before the first one):
 * 0, -ENOENT without a keyframe, -EXDEV when its parameter sets differ from
 * the first frame's (skipped), -EINVAL when it cannot be described. */
int cc_preview_add(struct cc_preview *pv, const struct cc_probe *p, struct cc_buf *out);

#endif
