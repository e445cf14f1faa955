/* preview — see preview.h. */
#include <errno.h>
#include <string.h>

#include "preview.h"

void cc_preview_init(struct cc_preview *pv, uint32_t frame_ticks)
{
    memset(pv, 0, sizeof(*pv));
    pv->frame_ticks = frame_ticks;
    cc_buf_init(&pv->params);
    cc_buf_init(&pv->sample);
}

void cc_preview_free(struct cc_preview *pv)
{
    cc_buf_free(&pv->params);
    cc_buf_free(&pv->sample);
}

/* The parameter sets as one comparable string (lengths keep them apart). */
static void params_of(const struct cc_keyframe *kf, struct cc_buf *out)
{
    const struct cc_buf *sets[3] = {&kf->vps, &kf->sps, &kf->pps};
    for (int i = 0; i < 3; i++) {
        cc_buf_put_u32(out, (uint32_t)sets[i]->len);
        cc_buf_append(out, sets[i]->data, sets[i]->len);
    }
}

int cc_preview_add(struct cc_preview *pv, const struct cc_probe *p, struct cc_buf *out)
{
    struct cc_mp4_track t;
    int rc = cc_probe_track(p, &t);
    if (rc < 0)
        return rc;
    if (pv->frames) {
        cc_buf_reset(&pv->sample);
        params_of(&p->kf, &pv->sample);
        if (p->props.vcodec != pv->codec || pv->sample.len != pv->params.len ||
            memcmp(pv->sample.data, pv->params.data, pv->params.len)) {
            pv->skipped++;
            return -EXDEV;
        }
    }
    cc_buf_reset(&pv->sample);
    /* CRA -> BLA: each frame starts its own coded video sequence */
    if (!cc_probe_sample(&p->kf, p->props.vcodec, true, &pv->sample))
        return -ENOENT;
    if (!pv->frames) {
        rc = cc_mp4_write_init(out, &t);
        if (rc < 0)
            return rc;
        pv->codec = p->props.vcodec;
        cc_buf_reset(&pv->params);
        params_of(&p->kf, &pv->params);
    }
    cc_mp4_write_fragment(out, pv->frames + 1, (uint64_t)pv->frames * pv->frame_ticks,
                          pv->frame_ticks, pv->sample.data, pv->sample.len);
    pv->frames++;
    return 0;
}
