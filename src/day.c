#include "day.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"

struct cc_day *cc_day_new(const struct cc_date *date)
{
    struct cc_day *d = cc_xcalloc(1, sizeof(*d));
    d->date = *date;
    d->utc_midnight_ms = cc_date_start_ms(date, 0);
    cc_date_format(date, d->name);
    atomic_init(&d->json_cache, NULL);
    return d;
}

static void segment_free(struct cc_segment *s)
{
    free(s->id);
    free(s->playlist);
    free(s->spans);
    free(s->runs);
    free(s->missing);
}

static void derived_free(struct cc_day *d)
{
    free(d->events);
    free(d->gaps);
    free(d->overlaps);
    d->events = NULL;
    d->gaps = d->overlaps = NULL;
    d->nevents = d->ngaps = d->noverlaps = 0;
}

void cc_day_free(struct cc_day *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; i < d->nsegs; i++)
        segment_free(&d->segs[i]);
    free(d->segs);
    for (uint32_t i = 0; i < d->nevfiles; i++)
        free(d->evfiles[i].path);
    free(d->evfiles);
    for (uint32_t i = 0; i < d->nraw; i++)
        free(d->raw[i].label);
    free(d->raw);
    free(d->quiet);
    derived_free(d);
    free(atomic_load(&d->json_cache));
    free(d);
}

static void *dup_mem(const void *p, size_t n)
{
    if (!p || !n)
        return NULL;
    void *q = cc_xmalloc(n);
    memcpy(q, p, n);
    return q;
}

struct cc_segment *cc_day_copy_segment(struct cc_day *d, const struct cc_segment *a)
{
    cc_grow(&d->segs, &d->segs_cap, d->nsegs + 1, sizeof(*d->segs));
    struct cc_segment *b = &d->segs[d->nsegs++];
    *b = *a;
    b->id = cc_xstrdup(a->id);
    b->playlist = cc_xstrdup(a->playlist);
    b->spans = dup_mem(a->spans, a->nspans * sizeof(*a->spans));
    b->spans_cap = a->nspans;
    b->runs = dup_mem(a->runs, a->runs_len);
    b->runs_cap = a->runs_len;
    b->missing = dup_mem(a->missing, a->nmissing * sizeof(*a->missing));
    return b;
}

struct cc_day *cc_day_clone(const struct cc_day *src)
{
    struct cc_day *d = cc_day_new(&src->date);
    d->off_min = src->off_min;
    d->built_ns = src->built_ns;
    d->dir_fp = src->dir_fp;
    d->entries_hash = src->entries_hash;
    for (uint32_t i = 0; i < src->nsegs; i++)
        cc_day_copy_segment(d, &src->segs[i]);
    for (uint32_t i = 0; i < src->nevfiles; i++)
        cc_day_add_evfile(d, &src->evfiles[i]);
    d->quiet = dup_mem(src->quiet, src->nquiet * sizeof(*src->quiet));
    d->nquiet = d->quiet_cap = src->nquiet;
    for (uint32_t i = 0; i < src->nraw; i++) {
        cc_grow(&d->raw, &d->raw_cap, d->nraw + 1, sizeof(*d->raw));
        d->raw[d->nraw] = src->raw[i];
        d->raw[d->nraw++].label = cc_xstrdup(src->raw[i].label);
    }
    cc_day_finish(d);
    return d;
}

struct cc_evfile *cc_day_add_evfile(struct cc_day *d, const struct cc_evfile *f)
{
    cc_grow(&d->evfiles, &d->evfiles_cap, d->nevfiles + 1, sizeof(*d->evfiles));
    struct cc_evfile *e = &d->evfiles[d->nevfiles++];
    *e = *f;
    e->path = cc_xstrdup(f->path);
    return e;
}

struct cc_segment *cc_day_add_segment(struct cc_day *d, const char *id, const char *playlist)
{
    cc_grow(&d->segs, &d->segs_cap, d->nsegs + 1, sizeof(*d->segs));
    struct cc_segment *s = &d->segs[d->nsegs++];
    memset(s, 0, sizeof(*s));
    s->id = cc_xstrdup(id);
    s->playlist = cc_xstrdup(playlist);
    s->off_min = d->off_min;
    cc_m3u8_state_init(&s->pst);
    return s;
}

void cc_day_add_event(struct cc_day *d, const struct cc_event *ev, const char *label)
{
    /* A DATERANGE with an ID seen before updates that event (RFC 8216
     * 4.3.2.7): recorders add END-DATE once the motion is over. */
    if (ev->id_hash) {
        for (uint32_t i = 0; i < d->nraw; i++) {
            struct cc_event *e = &d->raw[i];
            if (e->src == ev->src && e->src_seg == ev->src_seg && e->id_hash == ev->id_hash) {
                if (ev->end_ms > e->end_ms)
                    e->end_ms = ev->end_ms;
                return;
            }
        }
    }
    cc_grow(&d->raw, &d->raw_cap, d->nraw + 1, sizeof(*d->raw));
    struct cc_event *e = &d->raw[d->nraw++];
    *e = *ev;
    e->label = cc_xstrdup(label ? label : "");
}

void cc_day_drop_events(struct cc_day *d, enum cc_event_src src, uint16_t src_idx)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < d->nraw; i++) {
        if (d->raw[i].src == src && d->raw[i].src_seg == src_idx)
            free(d->raw[i].label);
        else
            d->raw[w++] = d->raw[i];
    }
    d->nraw = w;
}

bool cc_day_pdt_plausible(const struct cc_day *d, int64_t pdt_ms, int off_min)
{
    /* A folder is named by the camera's local date when recording started;
     * its chunks may run past midnight, but not start a day early or run for
     * a week. Anything else is a corrupt tag or a clock far off. */
    int64_t day0 = d->utc_midnight_ms - (int64_t)off_min * 60000;
    return pdt_ms >= day0 - CC_MS_PER_DAY && pdt_ms < day0 + 8 * CC_MS_PER_DAY;
}

static int64_t round_ms(uint64_t us)
{
    return (int64_t)((us + 500) / 1000);
}

static struct cc_span *open_span(const struct cc_segment *s)
{
    return s->nspans ? &s->spans[s->nspans - 1] : NULL;
}

/* A run is one varint when it is a single chunk (the common case when every
 * duration differs): zigzag(delta) << 1 | 1; otherwise count << 1, then
 * zigzag(delta). Deltas are against the previous run's duration. */
static void flush_run(struct cc_segment *s)
{
    struct cc_span *sp = open_span(s);
    if (!s->run_count || !sp)
        return;
    struct cc_buf b = {.data = (char *)s->runs, .len = s->runs_len, .cap = s->runs_cap};
    int64_t delta = (int64_t)s->run_dur_ms - (int64_t)s->prev_run_dur_ms;
    uint64_t zz = ((uint64_t)delta << 1) ^ (delta < 0 ? UINT64_MAX : 0); /* zigzag */
    if (s->run_count == 1) {
        cc_buf_put_uvar(&b, zz << 1 | 1);
    } else {
        cc_buf_put_uvar(&b, (uint64_t)s->run_count << 1);
        cc_buf_put_uvar(&b, zz);
    }
    sp->runs_len += (uint32_t)(b.len - s->runs_len);
    s->runs = (uint8_t *)b.data;
    s->runs_len = (uint32_t)b.len;
    s->runs_cap = b.cap;
    s->prev_run_dur_ms = s->run_dur_ms;
    s->run_count = 0;
}

void cc_segment_flush(struct cc_segment *s)
{
    flush_run(s);
}

static void start_span(struct cc_segment *s, int64_t start_ms, enum cc_span_kind kind)
{
    flush_run(s);
    cc_grow(&s->spans, &s->spans_cap, s->nspans + 1, sizeof(*s->spans));
    struct cc_span *sp = &s->spans[s->nspans++];
    memset(sp, 0, sizeof(*sp));
    sp->start_ms = start_ms;
    sp->first_chunk = s->nchunks;
    sp->runs_off = s->runs_len;
    sp->kind = (uint8_t)kind;
    s->prev_run_dur_ms = 0;
    s->span_cum_us = 0;
}

static int read_uvar(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -EINVAL;
}

int cc_runs_next(const uint8_t **p, const uint8_t *end, uint32_t prev, uint32_t *count,
                 uint32_t *dur)
{
    uint64_t head, z, c;
    if (read_uvar(p, end, &head) < 0)
        return -EINVAL;
    if (head & 1) {
        c = 1;
        z = head >> 1;
    } else {
        c = head >> 1;
        if (c < 2 || read_uvar(p, end, &z) < 0)
            return -EINVAL;
    }
    int64_t delta = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
    int64_t d = (int64_t)prev + delta;
    if (c > UINT32_MAX || d < 0 || d > UINT32_MAX)
        return -EINVAL;
    *count = (uint32_t)c;
    *dur = (uint32_t)d;
    return 0;
}

void cc_segment_reopen(struct cc_segment *s)
{
    struct cc_span *sp = open_span(s);
    if (!sp || s->run_count || !sp->runs_len)
        return;
    const uint8_t *p = s->runs + sp->runs_off, *end = p + sp->runs_len;
    uint32_t prev = 0, count = 0, dur = 0, before = 0;
    const uint8_t *last = p;
    uint64_t cum_ms = 0;
    while (p < end) {
        last = p;
        before = prev;
        if (cc_runs_next(&p, end, prev, &count, &dur) < 0)
            return; /* validated at load; cannot happen */
        cum_ms += (uint64_t)count * dur;
        prev = dur;
    }
    uint32_t popped = (uint32_t)(end - last);
    sp->runs_len -= popped;
    s->runs_len -= popped;
    s->run_count = count;
    s->run_dur_ms = dur;
    s->prev_run_dur_ms = before;
    (void)cum_ms;
}

void cc_segment_rebase(struct cc_segment *s, int64_t base_ms)
{
    int64_t shift = base_ms - s->base_ms;
    for (uint32_t i = 0; i < s->nspans; i++)
        s->spans[i].start_ms += shift;
    s->base_ms = base_ms;
}

static int64_t gap_threshold_ms(const struct cc_segment *s)
{
    int64_t t = s->target_ms > 1000 ? s->target_ms : 1000;
    return t * 3 / 2;
}

/* Where the next chunk of the open span would start, in microseconds. */
static int64_t expected_us(const struct cc_segment *s)
{
    const struct cc_span *sp = open_span(s);
    return sp->start_ms * 1000 + (int64_t)s->span_cum_us;
}

static void place_chunk(struct cc_segment *s, const struct cc_day *d, const struct cc_m3u8_chunk *c,
                        bool pdt_ok)
{
    if (s->nchunks == 0 || !s->nspans) {
        start_span(s, pdt_ok ? c->pdt_ms : s->base_ms, CC_SPAN_START);
        return;
    }
    int64_t exp_us = expected_us(s);
    if (pdt_ok && !(s->flags & CC_SEG_TIMED)) {
        /* First PDT after untimed chunks: they end where this one starts. */
        cc_segment_rebase(s, s->base_ms + (c->pdt_ms - (exp_us + 500) / 1000));
        s->base_ms = 0;
        if (c->discontinuity)
            start_span(s, c->pdt_ms, CC_SPAN_DISCONT);
        return;
    }
    if (!pdt_ok) {
        if (c->discontinuity)
            start_span(s, (exp_us + 500) / 1000, CC_SPAN_DISCONT);
        return;
    }
    int64_t delta_ms = (c->pdt_ms * 1000 - exp_us) / 1000;
    int64_t thr = gap_threshold_ms(s);
    if (delta_ms > thr)
        start_span(s, c->pdt_ms, CC_SPAN_GAP);
    else if (delta_ms < -thr)
        start_span(s, c->pdt_ms, CC_SPAN_OVERLAP);
    else if (c->discontinuity)
        start_span(s, c->pdt_ms, CC_SPAN_DISCONT);
    else if (delta_ms > CC_RESYNC_MS || delta_ms < -CC_RESYNC_MS)
        start_span(s, c->pdt_ms, CC_SPAN_RESYNC);
}

void cc_segment_add_chunk(struct cc_segment *s, const struct cc_day *d,
                          const struct cc_m3u8_chunk *c)
{
    int off = c->pdt_has_off ? c->pdt_off_min : 0;
    bool pdt_ok = c->has_pdt && cc_day_pdt_plausible(d, c->pdt_ms, off);
    if (c->has_pdt && !pdt_ok)
        s->bad_pdt++;
    if (s->pst.target_s)
        s->target_ms = s->pst.target_s * 1000;
    place_chunk(s, d, c, pdt_ok);
    if (pdt_ok && !(s->flags & CC_SEG_TIMED)) {
        s->flags |= CC_SEG_TIMED;
        s->flags &= ~(uint32_t)CC_SEG_UNTIMED;
        s->off_min = off;
    }
    if (c->map_changed)
        s->flags |= CC_SEG_FMP4;

    int64_t before = round_ms(s->span_cum_us);
    s->span_cum_us += (uint64_t)c->dur_us;
    uint32_t dms = (uint32_t)(round_ms(s->span_cum_us) - before);
    if (s->run_count && s->run_dur_ms == dms) {
        s->run_count++;
    } else {
        flush_run(s);
        s->run_dur_ms = dms;
        s->run_count = 1;
    }
    struct cc_span *sp = open_span(s);
    sp->nchunks++;
    sp->dur_ms += dms;
    s->nchunks++;
    s->dur_ms += dms;
}

void cc_chunk_iter_init(struct cc_chunk_iter *it, const struct cc_segment *seg)
{
    memset(it, 0, sizeof(*it));
    it->seg = seg;
    it->span = UINT32_MAX;
}

/* Moves the iterator onto span `next` (or past the end: false). */
static bool iter_enter_span(struct cc_chunk_iter *it, uint32_t next)
{
    const struct cc_segment *s = it->seg;
    if (next >= s->nspans)
        return false;
    it->span = next;
    it->in_span = 0;
    it->rp = s->runs + s->spans[next].runs_off;
    it->rend = it->rp + s->spans[next].runs_len;
    it->run_left = 0;
    it->run_dur = 0;
    it->t_ms = s->spans[next].start_ms;
    return true;
}

bool cc_chunk_iter_next(struct cc_chunk_iter *it, int64_t *start_ms, uint32_t *dur_ms,
                        uint32_t *index, uint8_t *span_kind)
{
    const struct cc_segment *s = it->seg;
    while (it->span == UINT32_MAX || it->in_span >= s->spans[it->span].nchunks)
        if (!iter_enter_span(it, it->span == UINT32_MAX ? 0 : it->span + 1))
            return false;
    if (it->run_left == 0) {
        uint32_t prev = it->run_dur;
        if (cc_runs_next(&it->rp, it->rend, it->in_span ? prev : 0, &it->run_left, &it->run_dur) <
            0)
            return false;
    }
    const struct cc_span *sp = &s->spans[it->span];
    *start_ms = it->t_ms;
    *dur_ms = it->run_dur;
    *index = sp->first_chunk + it->in_span;
    if (span_kind)
        *span_kind = it->in_span == 0 ? sp->kind : CC_SPAN_START;
    it->t_ms += it->run_dur;
    it->run_left--;
    it->in_span++;
    it->index = *index + 1;
    return true;
}

void cc_chunk_iter_skip_before(struct cc_chunk_iter *it, int64_t ms)
{
    const struct cc_segment *s = it->seg;
    for (;;) {
        if (it->span == UINT32_MAX || it->in_span >= s->spans[it->span].nchunks) {
            if (!iter_enter_span(it, it->span == UINT32_MAX ? 0 : it->span + 1))
                return;
            const struct cc_span *sp = &s->spans[it->span];
            if (sp->start_ms + sp->dur_ms <= ms) {
                it->in_span = sp->nchunks; /* the whole span ends before ms */
                continue;
            }
        }
        const uint8_t *rp = it->rp;
        if (it->run_left == 0 && cc_runs_next(&it->rp, it->rend, it->in_span ? it->run_dur : 0,
                                              &it->run_left, &it->run_dur) < 0) {
            it->rp = rp; /* damaged runs: left for next() to fail on, as it would */
            return;
        }
        int64_t run_end = it->t_ms + (int64_t)it->run_left * it->run_dur;
        uint32_t k = it->run_left;
        if (run_end > ms)
            k = it->t_ms >= ms || !it->run_dur ? 0 : (uint32_t)((ms - it->t_ms) / it->run_dur);
        it->t_ms += (int64_t)k * it->run_dur;
        it->run_left -= k;
        it->in_span += k;
        it->index = s->spans[it->span].first_chunk + it->in_span;
        if (run_end > ms)
            return;
    }
}

bool cc_segment_chunk_missing(const struct cc_segment *s, uint32_t index)
{
    uint32_t lo = 0, hi = s->nmissing;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->missing[mid] < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nmissing && s->missing[lo] == index;
}

static int cmp_event(const void *a, const void *b)
{
    const struct cc_event *x = a, *y = b;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    if (x->end_ms != y->end_ms)
        return x->end_ms < y->end_ms ? -1 : 1;
    return 0;
}

static void merge_events(struct cc_day *d)
{
    d->events = cc_xcalloc(d->nraw ? d->nraw : 1, sizeof(*d->events));
    if (d->nraw) {
        memcpy(d->events, d->raw, d->nraw * sizeof(*d->raw));
        qsort(d->events, d->nraw, sizeof(*d->events), cmp_event);
    }
    uint32_t w = 0;
    for (uint32_t i = 0; i < d->nraw; i++) {
        struct cc_event *e = &d->events[i];
        /* The same event in the playlist and in events.txt is one event. */
        if (w && cmp_event(&d->events[w - 1], e) == 0) {
            if (!d->events[w - 1].label[0])
                d->events[w - 1].label = e->label;
            continue;
        }
        d->events[w++] = *e;
    }
    d->nevents = w;
}

static void add_range(struct cc_range **arr, uint32_t *n, int64_t a, int64_t b)
{
    size_t cap = *n;
    cc_grow(arr, &cap, *n + 1, sizeof(**arr));
    (*arr)[(*n)++] = (struct cc_range){a, b};
}

struct interval {
    int64_t start, end, thr;
};

static int cmp_interval(const void *a, const void *b)
{
    const struct interval *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* Gaps and overlaps are about wall-clock coverage, whatever order the
 * footage was recorded in: sort every span by start and sweep. */
static void find_gaps(struct cc_day *d)
{
    size_t n = 0, cap = 0;
    struct interval *iv = NULL;
    for (uint32_t i = 0; i < d->nsegs; i++) {
        const struct cc_segment *s = &d->segs[i];
        for (uint32_t k = 0; k < s->nspans; k++) {
            if (!s->spans[k].nchunks)
                continue;
            cc_grow(&iv, &cap, n + 1, sizeof(*iv));
            iv[n++] = (struct interval){s->spans[k].start_ms,
                                        s->spans[k].start_ms + s->spans[k].dur_ms,
                                        gap_threshold_ms(s)};
        }
    }
    if (n)
        qsort(iv, n, sizeof(*iv), cmp_interval);
    int64_t cover = n ? iv[0].end : 0;
    for (size_t i = 1; i < n; i++) {
        if (iv[i].start > cover + iv[i].thr) {
            add_range(&d->gaps, &d->ngaps, cover, iv[i].start);
        } else if (iv[i].start < cover - CC_RESYNC_MS) {
            int64_t end = iv[i].end < cover ? iv[i].end : cover;
            struct cc_range *last = d->noverlaps ? &d->overlaps[d->noverlaps - 1] : NULL;
            if (last && iv[i].start <= last->end_ms)
                last->end_ms = end > last->end_ms ? end : last->end_ms;
            else
                add_range(&d->overlaps, &d->noverlaps, iv[i].start, end);
        }
        if (iv[i].end > cover)
            cover = iv[i].end;
    }
    free(iv);
}

static void segment_bounds(struct cc_segment *s)
{
    s->start_ms = s->end_ms = 0;
    bool any = false;
    for (uint32_t k = 0; k < s->nspans; k++) {
        const struct cc_span *sp = &s->spans[k];
        int64_t end = sp->start_ms + sp->dur_ms;
        if (!any || sp->start_ms < s->start_ms)
            s->start_ms = sp->start_ms;
        if (!any || end > s->end_ms)
            s->end_ms = end;
        any = true;
    }
}

bool cc_recording_fresh(int64_t mtime_ns, uint32_t target_ms, int64_t now_ns)
{
    int64_t fresh_ms = (int64_t)target_ms * 3;
    if (fresh_ms < CC_RECORDING_FRESH_MS)
        fresh_ms = CC_RECORDING_FRESH_MS;
    /* A time ahead of now was written before the clock went back (or by a
     * boot with a clock far ahead): a recorder still writing there stamps
     * its next chunk with the new time within one chunk. */
    int64_t age = now_ns - mtime_ns;
    return (age < 0 ? -age : age) <= fresh_ms * 1000000;
}

bool cc_segment_recording(const struct cc_segment *s, int64_t now_ns)
{
    if (s->flags & CC_SEG_ENDLIST)
        return false;
    int64_t changed = s->fp.mtime_ns > s->dir_fp.mtime_ns ? s->fp.mtime_ns : s->dir_fp.mtime_ns;
    return cc_recording_fresh(changed, s->target_ms, now_ns);
}

void cc_day_finish(struct cc_day *d)
{
    derived_free(d);
    d->recorded_ms = d->gap_ms = 0;
    d->start_ms = d->end_ms = 0;
    d->nchunks = 0;
    d->bytes = 0;
    bool any = false, have_off = false;
    size_t mem = sizeof(*d) + d->segs_cap * sizeof(*d->segs);
    for (uint32_t i = 0; i < d->nsegs; i++) {
        struct cc_segment *s = &d->segs[i];
        segment_bounds(s);
        if ((s->flags & CC_SEG_TIMED) && !have_off) {
            d->off_min = s->off_min;
            have_off = true;
        }
        mem += s->spans_cap * sizeof(*s->spans) + s->runs_cap + s->nmissing * 4 + strlen(s->id) +
               strlen(s->playlist) + 2;
        d->bytes += s->media_bytes + s->pl_bytes;
        if (!s->nchunks)
            continue;
        d->recorded_ms += s->dur_ms;
        d->nchunks += s->nchunks;
        if (!any || s->start_ms < d->start_ms)
            d->start_ms = s->start_ms;
        if (!any || s->end_ms > d->end_ms)
            d->end_ms = s->end_ms;
        any = true;
    }
    merge_events(d);
    find_gaps(d);
    for (uint32_t i = 0; i < d->ngaps; i++)
        d->gap_ms += d->gaps[i].end_ms - d->gaps[i].start_ms;
    for (uint32_t i = 0; i < d->nraw; i++)
        mem += sizeof(struct cc_event) * 2 + strlen(d->raw[i].label) + 1;
    for (uint32_t i = 0; i < d->nevfiles; i++) {
        mem += sizeof(*d->evfiles) + strlen(d->evfiles[i].path) + 1;
        d->bytes += d->evfiles[i].bytes;
    }
    d->mem_bytes = mem + (d->ngaps + d->noverlaps) * sizeof(struct cc_range) +
                   d->nquiet * sizeof(*d->quiet);
}

int cc_day_locate(const struct cc_day *d, int64_t ms, struct cc_position *pos)
{
    for (uint32_t i = 0; i < d->nsegs; i++) {
        const struct cc_segment *s = &d->segs[i];
        for (uint32_t k = 0; k < s->nspans; k++) {
            const struct cc_span *sp = &s->spans[k];
            if (ms < sp->start_ms || ms >= sp->start_ms + sp->dur_ms)
                continue;
            struct cc_chunk_iter it;
            int64_t t;
            uint32_t dur, idx;
            cc_chunk_iter_init(&it, s);
            while (cc_chunk_iter_next(&it, &t, &dur, &idx, NULL)) {
                if (idx < sp->first_chunk || ms >= t + dur)
                    continue;
                *pos = (struct cc_position){i, idx, t, ms - t};
                return 0;
            }
        }
    }
    return -ENOENT;
}

int cc_day_next_recorded(const struct cc_day *d, int64_t ms, struct cc_position *pos)
{
    if (cc_day_locate(d, ms, pos) == 0)
        return 0;
    bool found = false;
    int64_t best = 0;
    for (uint32_t i = 0; i < d->nsegs; i++) {
        const struct cc_segment *s = &d->segs[i];
        for (uint32_t k = 0; k < s->nspans; k++) {
            const struct cc_span *sp = &s->spans[k];
            if (sp->nchunks && sp->start_ms >= ms && (!found || sp->start_ms < best)) {
                best = sp->start_ms;
                found = true;
            }
        }
    }
    return found ? cc_day_locate(d, best, pos) : -ENOENT;
}
