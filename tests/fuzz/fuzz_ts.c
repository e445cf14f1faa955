/* libFuzzer target: MPEG-TS chunk bytes from disk. Probes them whole and fed
 * in two pieces (which must agree on the keyframe found), then remuxes any
 * keyframe into a one-frame MP4 and a time-lapse, as the server would. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "preview.h"
#include "probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void probe(const uint8_t *data, size_t size, size_t cut, struct cc_probe *p)
{
    cc_probe_init(p, true);
    if (!cc_probe_feed(p, data, cut) && !cc_probe_feed(p, data + cut, size - cut))
        cc_probe_finish(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cc_probe whole, split;
    probe(data, size, size, &whole);
    probe(data, size, size / 3, &split);
    bool kf = cc_probe_has_keyframe(&whole);
    if (kf != cc_probe_has_keyframe(&split) ||
        (kf && (whole.kf.au.len != split.kf.au.len ||
                memcmp(whole.kf.au.data, split.kf.au.data, whole.kf.au.len))))
        abort();
    struct cc_buf out, sample;
    cc_buf_init(&out);
    cc_buf_init(&sample);
    if (kf)
        cc_probe_sample(&whole.kf, whole.props.vcodec, false, &sample);
    /* the file ends with the sample, whole */
    if (kf && cc_probe_thumb(&whole, 3600, &out) == 0 &&
        (out.len < sample.len || memcmp(out.data + out.len - sample.len, sample.data, sample.len)))
        abort();
    cc_buf_free(&sample);
    struct cc_preview pv;
    cc_preview_init(&pv, 18000);
    cc_preview_add(&pv, &whole, &out);
    cc_preview_add(&pv, &split, &out);
    cc_preview_free(&pv);
    cc_buf_free(&out);
    cc_probe_free(&whole);
    cc_probe_free(&split);
    return 0;
}
