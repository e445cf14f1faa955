#include "clip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "mem.h"

struct planner {
    struct cc_clip *c;
    const struct cc_segment *seg;
    const struct cc_m3u8_state *ps; /* the parse in progress (current MAP) */
    struct cc_chunk_iter it;
    const char *dir; /* the playlist's folder, relative to ROOT */
    size_t dir_len;
    int64_t from_ms, to_ms;
    const int64_t *times; /* sampled plan: the instants wanted, sorted; else NULL */
    size_t ntimes;
    int64_t step_back; /* the segment's largest step back in time between spans */
    bool need_map;
    int rc;
};

void cc_clip_init(struct cc_clip *c)
{
    memset(c, 0, sizeof(*c));
    cc_buf_init(&c->names);
    c->start_ms = INT64_MAX;
    c->end_ms = INT64_MIN;
}

void cc_clip_free(struct cc_clip *c)
{
    free(c->parts);
    cc_buf_free(&c->names);
    memset(c, 0, sizeof(*c));
}

/* A URI names a file in the playlist's folder or below it: no scheme, no
 * absolute path, no "..", no backslash or control bytes. The server checks
 * the resolved path again; this keeps foreign names out of the plan. */
static bool uri_local(const char *u, size_t n)
{
    if (!n || u[0] == '/')
        return false;
    size_t seg = 0; /* start of the current segment */
    for (size_t i = 0; i <= n; i++) {
        if (i == n || u[i] == '/') {
            if (i - seg == 2 && u[seg] == '.' && u[seg + 1] == '.')
                return false;
            seg = i + 1;
            continue;
        }
        unsigned char ch = (unsigned char)u[i];
        if (ch < 0x20 || ch == 0x7f || ch == '\\' || ch == ':')
            return false;
    }
    return true;
}

static struct cc_clip_part *add_part(struct planner *p, const char *uri, size_t uri_len)
{
    struct cc_clip *c = p->c;
    if (c->nparts >= CC_CLIP_MAX_PARTS) {
        p->rc = -E2BIG;
        return NULL;
    }
    cc_grow(&c->parts, &c->cap, c->nparts + 1, sizeof(*c->parts));
    struct cc_clip_part *part = &c->parts[c->nparts++];
    memset(part, 0, sizeof(*part));
    part->name_off = c->names.len;
    cc_buf_append(&c->names, p->dir, p->dir_len);
    cc_buf_putc(&c->names, '/');
    cc_buf_append(&c->names, uri, uri_len);
    cc_buf_putc(&c->names, '\0');
    return part;
}

static int add_init(struct planner *p)
{
    const struct cc_m3u8_state *ps = p->ps;
    size_t n = strlen(ps->map_uri);
    if (!uri_local(ps->map_uri, n)) {
        p->c->skipped_unsafe++;
        return 0;
    }
    struct cc_clip_part *part = add_part(p, ps->map_uri, n);
    if (!part)
        return p->rc;
    part->kind = CC_CLIP_INIT;
    part->has_range = ps->map_has_range;
    part->off = ps->map_off;
    part->len = ps->map_len;
    return 0;
}

static void account(struct cc_clip *c, const struct cc_segment *s, int64_t t, uint32_t dur)
{
    if (!c->chunks)
        c->off_min = s->off_min;
    c->chunks++;
    c->dur_ms += dur;
    if (t < c->start_ms)
        c->start_ms = t;
    if (t + dur > c->end_ms)
        c->end_ms = t + dur;
    if (s->flags & CC_SEG_FMP4)
        c->has_fmp4 = true;
    else
        c->has_ts = true;
}

/* Does [t, t + dur) hold one of the sorted instants? */
static bool holds_one(const int64_t *times, size_t n, int64_t t, uint32_t dur)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first instant >= t */
        size_t mid = lo + (hi - lo) / 2;
        if (times[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && times[lo] < t + dur;
}

static int on_chunk(void *ud, const struct cc_m3u8_chunk *ch)
{
    struct planner *p = ud;
    int64_t t;
    uint32_t dur, idx;
    if (!cc_chunk_iter_next(&p->it, &t, &dur, &idx, NULL))
        return -ECANCELED; /* grew since indexed: the index is the truth */
    if (ch->map_changed)
        p->need_map = true;
    if (t >= p->to_ms + p->step_back)
        return -ECANCELED; /* no later chunk can reach into the range */
    if (t >= p->to_ms || t + dur <= p->from_ms)
        return 0;
    if (p->times && !holds_one(p->times, p->ntimes, t, dur))
        return 0;
    if (!uri_local(ch->uri, ch->uri_len)) {
        p->c->skipped_unsafe++;
        return 0;
    }
    if (cc_segment_chunk_missing(p->seg, idx)) {
        p->c->skipped_missing++;
        return 0;
    }
    if (p->need_map && p->ps->map_uri[0] && add_init(p) < 0)
        return p->rc;
    p->need_map = false;
    struct cc_clip_part *part = add_part(p, ch->uri, ch->uri_len);
    if (!part)
        return p->rc;
    part->kind = CC_CLIP_CHUNK;
    part->has_range = ch->has_range;
    part->off = ch->range_off;
    part->len = ch->range_len;
    part->start_ms = t;
    part->dur_ms = dur;
    account(p->c, p->seg, t, dur);
    return 0;
}

/* How far back in time the segment's clock ever stepped (a resync, a clock
 * set back): a chunk later in the playlist starts at most this much before
 * one earlier in it. */
static int64_t step_back(const struct cc_segment *s)
{
    int64_t back = 0, end = INT64_MIN;
    for (uint32_t i = 0; i < s->nspans; i++) {
        const struct cc_span *sp = &s->spans[i];
        if (end != INT64_MIN && end - sp->start_ms > back)
            back = end - sp->start_ms;
        if (sp->start_ms + sp->dur_ms > end)
            end = sp->start_ms + sp->dur_ms;
    }
    return back;
}

/* The same choice as on_chunk, for a segment whose chunk names follow one
 * pattern: chunk k's name is computed, the playlist is never opened. */
static int plan_by_names(struct planner *p, const struct cc_segment *s)
{
    char uri[CC_CHUNKNAME_MAX + 1];
    int64_t t;
    uint32_t dur, idx;
    /* chunks ending before the range are never chosen: skip them in bulk */
    cc_chunk_iter_skip_before(&p->it, p->from_ms);
    while (cc_chunk_iter_next(&p->it, &t, &dur, &idx, NULL)) {
        if (t >= p->to_ms + p->step_back)
            break;
        if (t >= p->to_ms || t + dur <= p->from_ms || !holds_one(p->times, p->ntimes, t, dur))
            continue;
        size_t n = cc_chunkname_format(&s->names, idx, uri, sizeof(uri));
        if (!uri_local(uri, n)) {
            p->c->skipped_unsafe++;
            continue;
        }
        if (cc_segment_chunk_missing(s, idx)) {
            p->c->skipped_missing++;
            continue;
        }
        struct cc_clip_part *part = add_part(p, uri, n);
        if (!part)
            return p->rc;
        part->kind = CC_CLIP_CHUNK;
        part->start_ms = t;
        part->dur_ms = dur;
        account(p->c, s, t, dur);
    }
    return 0;
}

static int plan_segment(struct planner *p, const struct cc_segment *s, const char *root)
{
    char path[8192];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, s->playlist) >= sizeof(path))
        return -ENAMETOOLONG;
    const char *slash = strrchr(s->playlist, '/');
    p->seg = s;
    p->dir = s->playlist;
    p->dir_len = slash ? (size_t)(slash - s->playlist) : 0;
    p->need_map = true;
    p->step_back = step_back(s);
    cc_chunk_iter_init(&p->it, s);
    /* A sampled plan (thumbnails, time-lapses) wants a few names; an export
     * keeps reading the playlist, the one source of its ranges and maps. */
    if (p->times && s->names.valid && !(s->flags & CC_SEG_FMP4))
        return plan_by_names(p, s);
    struct cc_m3u8_state ps;
    cc_m3u8_state_init(&ps);
    /* cppcheck-suppress autoVariables ; reset to NULL below, before ps ends */
    p->ps = &ps;
    struct cc_m3u8_handler h = {on_chunk, NULL, p};
    int rc = cc_m3u8_parse_file(path, &ps, &h, NULL);
    p->ps = NULL;
    if (rc == -ENOENT || rc == -ECANCELED)
        return 0;
    return rc;
}

static int add_day(struct planner *pl, const struct cc_day *d, const char *root)
{
    struct planner p = *pl;
    int64_t from_ms = p.from_ms, to_ms = p.to_ms;
    for (uint32_t i = 0; i < d->nsegs; i++) {
        const struct cc_segment *s = &d->segs[i];
        if (!s->nchunks || s->start_ms >= to_ms || s->end_ms <= from_ms)
            continue;
        int rc = plan_segment(&p, s, root);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int cc_clip_add_day(struct cc_clip *c, const struct cc_day *d, const char *root, int64_t from_ms,
                    int64_t to_ms)
{
    struct planner p = {.c = c, .from_ms = from_ms, .to_ms = to_ms};
    return add_day(&p, d, root);
}

int cc_clip_add_day_at(struct cc_clip *c, const struct cc_day *d, const char *root,
                       const int64_t *times, size_t n)
{
    if (!n)
        return 0;
    struct planner p = {.c = c,
                        .from_ms = times[0],
                        .to_ms = times[n - 1] + 1,
                        .times = times,
                        .ntimes = n};
    return add_day(&p, d, root);
}

int cc_clip_add_segment(struct cc_clip *c, const struct cc_segment *s, const char *root)
{
    struct planner p = {.c = c, .from_ms = INT64_MIN, .to_ms = INT64_MAX};
    return s->nchunks ? plan_segment(&p, s, root) : 0;
}
