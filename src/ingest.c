/* ingest — see ingest.h. */
#include <errno.h>
#include <stdlib.h>

#include "ingest.h"
#include "mem.h"

struct cc_ingest {
    struct cc_seg *seg;
    struct cc_recwriter *rec;
    bool closed;
    cc_ingest_full_fn on_full;
    void *full_ud;
};

/* A full disk gets one chance per chunk: the hook frees what it can, the
 * chunk is written again (the failed try left no file behind). */
static int on_chunk(void *ud, const struct cc_seg_chunk *c)
{
    struct cc_ingest *in = ud;
    int rc = cc_recwriter_chunk(in->rec, c);
    if ((rc == -ENOSPC || rc == -EDQUOT) && in->on_full && in->on_full(in->full_ud) == 0)
        rc = cc_recwriter_chunk(in->rec, c);
    return rc;
}

void cc_ingest_on_full(struct cc_ingest *in, cc_ingest_full_fn fn, void *ud)
{
    in->on_full = fn;
    in->full_ud = ud;
}

void cc_ingest_on_listed(struct cc_ingest *in, cc_recwriter_listed_fn fn, void *ud)
{
    cc_recwriter_on_listed(in->rec, fn, ud);
}

struct cc_ingest *cc_ingest_new(const char *root, const struct cc_seg_config *cfg)
{
    struct cc_ingest *in = cc_xcalloc(1, sizeof(*in));
    in->rec = cc_recwriter_new(root);
    in->seg = cc_seg_new(cfg, on_chunk, in);
    return in;
}

void cc_ingest_free(struct cc_ingest *in)
{
    if (!in)
        return;
    cc_seg_free(in->seg);
    cc_recwriter_free(in->rec);
    free(in);
}

/* A refused stream or a failed write still ends the recording properly: the
 * chunks already listed stay, and the playlist says it is complete. */
static int close_after(struct cc_ingest *in, int rc, bool endlist)
{
    if (!in->closed) {
        in->closed = true;
        int crc = cc_recwriter_close(in->rec, endlist);
        if (rc == 0)
            rc = crc;
    }
    return rc;
}

int cc_ingest_feed(struct cc_ingest *in, const uint8_t *buf, size_t len, int64_t now_ms)
{
    bool before = cc_recwriter_anchored(in->rec);
    int rc = cc_seg_feed(in->seg, buf, len);
    if (!before) {
        struct cc_seg_info si;
        cc_seg_get_info(in->seg, &si);
        if (si.started && !cc_recwriter_anchored(in->rec))
            cc_recwriter_anchor(in->rec, now_ms, si.first_pts);
    }
    if (rc < 0)
        return close_after(in, rc, true);
    return 0;
}

int cc_ingest_end(struct cc_ingest *in, enum cc_ingest_end how)
{
    bool clean = how == CC_INGEST_CLEAN;
    int rc = cc_seg_finish(in->seg, clean);
    return close_after(in, rc, clean || (rc < 0 && rc != -ENODATA));
}

const char *cc_ingest_error(const struct cc_ingest *in)
{
    return cc_seg_error(in->seg);
}

const char *cc_ingest_folder(const struct cc_ingest *in)
{
    return cc_recwriter_folder(in->rec);
}

void cc_ingest_get_stats(const struct cc_ingest *in, struct cc_seg_info *seg,
                         struct cc_recwriter_stats *rec)
{
    if (seg)
        cc_seg_get_info(in->seg, seg);
    if (rec)
        cc_recwriter_get_stats(in->rec, rec);
}
