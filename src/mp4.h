/* mp4 — writes keyframes remuxed into MP4 (ISO/IEC 14496-12 and -15): a
 * single-sample file (a thumbnail a plain <video> shows), or a fragmented
 * stream of one sample per fragment (a time-lapse streamed as it is read,
 * without knowing the sizes of later frames). No decoding or re-encoding:
 * the samples are the recorded bytes, length-prefixed (cc_probe_sample), and
 * the sample entry's avcC / hvcC is built from the parameter sets.
 *
 * Pure: appends to a caller's cc_buf. Thread rules: none shared. */
#ifndef CC_MP4_H
#define CC_MP4_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "nal.h"

/* Media time units per second in the files written. */
#define CC_MP4_TIMESCALE 90000

struct cc_mp4_track {
    const struct cc_sps *sps;           /* parsed from sps below */
    const uint8_t *vps, *sps_nal, *pps; /* NAL units, emulation prevention in */
    size_t vps_len, sps_len, pps_len;   /* vps: H.265 only */
};

/* A whole file holding one sample of dur ticks: ftyp, moov, mdat.
 * 0, or -EINVAL when the track cannot be described (sizes over 16 bits,
 * a missing parameter set). */
int cc_mp4_write_single(struct cc_buf *out, const struct cc_mp4_track *t, const void *sample,
                        size_t len, uint32_t dur);

/* The head of a fragmented file (ftyp, moov with mvex); then one
 * cc_mp4_write_fragment per sample, seq counting from 1. 0 or -EINVAL. */
int cc_mp4_write_init(struct cc_buf *out, const struct cc_mp4_track *t);
void cc_mp4_write_fragment(struct cc_buf *out, uint32_t seq, uint64_t dts, uint32_t dur,
                           const void *sample, size_t len);

#endif
