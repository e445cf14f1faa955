/* libFuzzer target: arbitrary bytes pushed at the segmenter, in pieces whose
 * size the first byte picks, with short chunks and a small memory bound.
 * Every chunk handed out must start with a PAT and, read alone, have a
 * keyframe as its first video picture; chunk numbers and times only go up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "nal.h"
#include "segmenter.h"
#include "ts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
    uint32_t next_seq;
    int64_t next_pts;
    struct cc_buf chunk;
};

static int first_video(void *ud, const struct cc_ts_pes *pes)
{
    int *key = ud;
    if (!pes->video || pes->partial)
        return 0;
    enum cc_vcodec codec = pes->stream_type == CC_TS_TYPE_H265 ? CC_VCODEC_H265 : CC_VCODEC_H264;
    size_t pos = 0;
    struct cc_nal nal;
    *key = 0;
    while (cc_nal_next(pes->data, pes->len, &pos, codec, &nal))
        if (cc_nal_is_keyframe(codec, nal.type))
            *key = 1;
    return 1;
}

static int on_chunk(void *ud, const struct cc_seg_chunk *c)
{
    struct state *st = ud;
    if (c->len == 0 || c->seq != st->next_seq || c->dur < 0 || c->pts < st->next_pts)
        abort();
    st->next_seq++;
    st->next_pts = c->pts + c->dur;
    struct cc_buf *b = &st->chunk;
    cc_buf_reset(b);
    cc_buf_append(b, c->psi, c->psi_len);
    cc_buf_append(b, c->data, c->len);
    const uint8_t *p = (const uint8_t *)b->data;
    if (b->len < CC_TS_PACKET || p[0] != 0x47 || (p[1] & 0x1f) != 0 || p[2] != 0)
        abort();
    struct cc_ts ts;
    cc_ts_init(&ts);
    int key = -1;
    if (cc_ts_feed(&ts, p, b->len, first_video, &key) == 0)
        cc_ts_finish(&ts, first_video, &key);
    cc_ts_free(&ts);
    if (key == 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = 1 + (size_t)data[0] * 7;
    struct cc_seg_config cfg = {.chunk_ms = 100, .max_chunk_ms = 2000, .max_chunk_bytes = 1 << 20};
    struct state st = {0};
    cc_buf_init(&st.chunk);
    struct cc_seg *s = cc_seg_new(&cfg, on_chunk, &st);
    int rc = 0;
    for (size_t o = 1; o < size && rc == 0; o += step)
        rc = cc_seg_feed(s, data + o, o + step > size ? size - o : step);
    cc_seg_finish(s, data[0] & 1);
    cc_seg_free(s);
    cc_buf_free(&st.chunk);
    return 0;
}
