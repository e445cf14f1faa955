#include "sidecar.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "crc32.h"
#include "events.h"
#include "fsutil.h"
#include "isotime.h"
#include "log.h"
#include "mem.h"

static const char magic[8] = {'C', 'C', 'I', 'D', 'X', 0, '\r', '\n'};

enum {
    HDR_SIZE = 32,
    SEC_DAY = 1,
    SEC_SEGMENT = 2,
    SEC_EVFILE = 3,
    SEC_EVENTS = 4,
    SEC_PROPS = 5, /* the properties of the SEGMENT before it */
    SEC_NAMES = 6, /* the chunk name pattern of the SEGMENT before it */
};

/* ---- encoding ---------------------------------------------------------- */

static void put_str(struct cc_buf *b, const char *s)
{
    size_t n = strlen(s);
    cc_buf_put_uvar(b, n);
    cc_buf_append(b, s, n);
}

static void put_fprint(struct cc_buf *b, const struct cc_fprint *fp)
{
    cc_buf_put_uvar(b, fp->size);
    cc_buf_put_svar(b, fp->mtime_ns);
    cc_buf_put_uvar(b, fp->ino);
}

static void put_pstate(struct cc_buf *b, const struct cc_m3u8_state *st)
{
    cc_buf_put_uvar(b, st->offset);
    cc_buf_put_uvar(b, st->media_seq);
    cc_buf_put_uvar(b, st->next_range);
    cc_buf_put_uvar(b, st->map_len);
    cc_buf_put_uvar(b, st->map_off);
    cc_buf_put_uvar(b, st->target_s);
    cc_buf_put_uvar(b, st->version);
    cc_buf_put_uvar(b, st->nchunks);
    cc_buf_put_uvar(b, st->bad_lines);
    cc_buf_put_u8(b, (uint8_t)(st->header_seen | st->endlist << 1 | st->map_has_range << 2 |
                               st->skip_line << 3 | st->carry_discont << 4 |
                               (st->bad_tail != 0) << 5));
    if (st->bad_tail)
        cc_buf_put_uvar(b, st->bad_tail);
    put_str(b, st->map_uri);
}

/* Missing chunks as runs (gap since the last run, length): a folder whose
 * chunks were all deleted costs a few bytes, not one per chunk. */
static void put_missing(struct cc_buf *b, const struct cc_segment *s)
{
    uint32_t nruns = 0;
    for (uint32_t i = 0; i < s->nmissing; i++)
        nruns += i == 0 || s->missing[i] != s->missing[i - 1] + 1;
    cc_buf_put_uvar(b, nruns);
    uint32_t next = 0; /* first index after the previous run */
    for (uint32_t i = 0; i < s->nmissing;) {
        uint32_t k = i + 1;
        while (k < s->nmissing && s->missing[k] == s->missing[k - 1] + 1)
            k++;
        cc_buf_put_uvar(b, s->missing[i] - next);
        cc_buf_put_uvar(b, k - i);
        next = s->missing[k - 1] + 1;
        i = k;
    }
}

static void put_segment(struct cc_buf *b, const struct cc_segment *s)
{
    put_str(b, s->id);
    put_str(b, s->playlist);
    cc_buf_put_uvar(b, s->flags & ~(uint32_t)CC_SEG_NOTED); /* a process's own knowledge */
    cc_buf_put_svar(b, s->off_min);
    cc_buf_put_uvar(b, s->target_ms);
    cc_buf_put_uvar(b, s->bad_pdt);
    cc_buf_put_svar(b, s->base_ms);
    put_fprint(b, &s->fp);
    put_fprint(b, &s->dir_fp);
    put_pstate(b, &s->pst);
    cc_buf_put_u32(b, s->tail_crc);
    cc_buf_put_uvar(b, s->prev_run_dur_ms);
    cc_buf_put_uvar(b, s->span_cum_us);
    cc_buf_put_uvar(b, s->nspans);
    int64_t prev_end = 0;
    for (uint32_t i = 0; i < s->nspans; i++) {
        const struct cc_span *sp = &s->spans[i];
        cc_buf_put_svar(b, sp->start_ms - prev_end);
        cc_buf_put_uvar(b, sp->nchunks);
        cc_buf_put_uvar(b, sp->runs_len);
        cc_buf_put_u8(b, sp->kind);
        prev_end = sp->start_ms + sp->dur_ms;
    }
    cc_buf_put_uvar(b, s->runs_len);
    cc_buf_append(b, s->runs, s->runs_len);
    put_missing(b, s);
    cc_buf_put_uvar(b, s->media_bytes);
    cc_buf_put_uvar(b, s->pl_bytes);
}

static void put_events(struct cc_buf *b, const struct cc_day *d)
{
    cc_buf_put_uvar(b, d->nraw);
    int64_t prev = 0;
    for (uint32_t i = 0; i < d->nraw; i++) {
        const struct cc_event *e = &d->raw[i];
        cc_buf_put_svar(b, e->start_ms - prev);
        cc_buf_put_uvar(b, (uint64_t)(e->end_ms - e->start_ms));
        cc_buf_put_u32(b, e->id_hash);
        cc_buf_put_u8(b, e->src);
        cc_buf_put_uvar(b, e->src_seg);
        put_str(b, e->label);
        prev = e->start_ms;
    }
}

/* Starts a section; returns where its length field is, to patch later. */
/* A segment's properties: an old file without them reads as "not probed
 * yet", and they are probed at the next refresh. */
static void put_props(struct cc_buf *b, const struct cc_media_props *m)
{
    cc_buf_put_u8(b, m->vcodec);
    put_str(b, m->codec_string);
    put_str(b, m->profile);
    cc_buf_put_uvar(b, m->level);
    cc_buf_put_uvar(b, m->width);
    cc_buf_put_uvar(b, m->height);
    cc_buf_put_uvar(b, m->fps_num);
    cc_buf_put_uvar(b, m->fps_den);
    cc_buf_put_uvar(b, m->chroma_format);
    cc_buf_put_uvar(b, m->bit_depth);
    cc_buf_put_u8(b, m->audio_type);
    cc_buf_put_uvar(b, m->channels);
    cc_buf_put_uvar(b, m->sample_rate);
    cc_buf_put_uvar(b, m->chunk_ms);
    cc_buf_put_uvar(b, m->chunk_bytes);
}

/* Written only for a segment whose names follow a pattern: an old file (or
 * an old reader) without it plans that segment from its playlist. */
static void put_names(struct cc_buf *b, const struct cc_chunkname *n)
{
    cc_buf_put_uvar(b, n->width);
    cc_buf_put_uvar(b, n->first);
    cc_buf_put_uvar(b, n->prefix_len);
    cc_buf_put_uvar(b, n->suffix_len);
    cc_buf_append(b, n->affix, (size_t)n->prefix_len + n->suffix_len);
}

static size_t section_open(struct cc_buf *b, uint16_t type)
{
    cc_buf_put_u16(b, type);
    cc_buf_put_u16(b, 0);
    size_t at = b->len;
    cc_buf_put_u32(b, 0);
    return at;
}

static void patch_u32(struct cc_buf *b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->data[at + i] = (char)(v >> (8 * i));
}

static void section_close(struct cc_buf *b, size_t at)
{
    patch_u32(b, at, (uint32_t)(b->len - at - 4));
}

void cc_sidecar_encode(const struct cc_day *d, struct cc_buf *out)
{
    size_t start = out->len;
    cc_buf_append(out, magic, sizeof(magic));
    cc_buf_put_u16(out, CC_SIDECAR_VERSION);
    cc_buf_put_u16(out, HDR_SIZE);
    size_t size_at = out->len;
    cc_buf_put_u32(out, 0);
    uint32_t nprops = 0;
    for (uint32_t i = 0; i < d->nsegs; i++)
        nprops += d->segs[i].props.probed + d->segs[i].names.valid;
    cc_buf_put_u32(out, d->nsegs + nprops + d->nevfiles + 2);
    cc_buf_put_u64(out, (uint64_t)d->built_ns);
    cc_buf_put_u32(out, 0);

    size_t at = section_open(out, SEC_DAY);
    put_str(out, d->name);
    cc_buf_put_svar(out, d->off_min);
    put_fprint(out, &d->dir_fp);
    cc_buf_put_u32(out, d->entries_hash);
    section_close(out, at);
    for (uint32_t i = 0; i < d->nsegs; i++) {
        at = section_open(out, SEC_SEGMENT);
        put_segment(out, &d->segs[i]);
        section_close(out, at);
        if (d->segs[i].names.valid) {
            at = section_open(out, SEC_NAMES);
            put_names(out, &d->segs[i].names);
            section_close(out, at);
        }
        if (d->segs[i].props.probed) {
            at = section_open(out, SEC_PROPS);
            put_props(out, &d->segs[i].props);
            section_close(out, at);
        }
    }
    for (uint32_t i = 0; i < d->nevfiles; i++) {
        at = section_open(out, SEC_EVFILE);
        put_str(out, d->evfiles[i].path);
        put_fprint(out, &d->evfiles[i].fp);
        cc_buf_put_uvar(out, d->evfiles[i].bad_lines);
        cc_buf_put_uvar(out, d->evfiles[i].bytes);
        section_close(out, at);
    }
    at = section_open(out, SEC_EVENTS);
    put_events(out, d);
    section_close(out, at);

    patch_u32(out, size_at, (uint32_t)(out->len - start + 4));
    cc_buf_put_u32(out, cc_crc32(0, out->data + start, out->len - start));
}

/* ---- decoding ---------------------------------------------------------- */

struct rd {
    const uint8_t *p, *end;
    bool bad;
};

static uint64_t get_uvar(struct rd *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            break;
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

static int64_t get_svar(struct rd *r)
{
    uint64_t z = get_uvar(r);
    return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
}

static uint32_t get_u32v(struct rd *r)
{
    uint64_t v = get_uvar(r);
    if (v > UINT32_MAX)
        r->bad = true;
    return (uint32_t)v;
}

static uint64_t get_fixed(struct rd *r, int n)
{
    if (r->end - r->p < n) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    return v;
}

/* Returns a NUL-terminated copy of a length-prefixed string (max bytes). */
static char *get_str(struct rd *r, size_t max)
{
    uint64_t n = get_uvar(r);
    if (r->bad || n > max || n > (uint64_t)(r->end - r->p) || memchr(r->p, 0, n)) {
        r->bad = true;
        return cc_xstrdup("");
    }
    char *s = cc_xstrndup((const char *)r->p, n);
    r->p += n;
    return s;
}

static void get_fprint(struct rd *r, struct cc_fprint *fp)
{
    fp->size = get_uvar(r);
    fp->mtime_ns = get_svar(r);
    fp->ino = get_uvar(r);
}

static void get_pstate(struct rd *r, struct cc_m3u8_state *st)
{
    st->offset = get_uvar(r);
    st->media_seq = get_uvar(r);
    st->next_range = get_uvar(r);
    st->map_len = get_uvar(r);
    st->map_off = get_uvar(r);
    st->target_s = get_u32v(r);
    st->version = get_u32v(r);
    st->nchunks = get_u32v(r);
    st->bad_lines = get_u32v(r);
    uint8_t f = (uint8_t)get_fixed(r, 1);
    st->header_seen = f & 1;
    st->endlist = (f >> 1) & 1;
    st->map_has_range = (f >> 2) & 1;
    st->skip_line = (f >> 3) & 1;
    st->carry_discont = (f >> 4) & 1;
    st->bad_tail = (f >> 5) & 1 ? get_u32v(r) : 0;
    if (f >> 6 || st->bad_tail > st->bad_lines)
        r->bad = true;
    char *map = get_str(r, CC_M3U8_MAP_MAX - 1);
    strcpy(st->map_uri, map);
    free(map);
}

/* Walks a span's runs: they must decode exactly and add up. */
static bool span_runs_ok(const uint8_t *p, uint32_t len, uint32_t nchunks, int64_t *dur)
{
    const uint8_t *end = p + len;
    uint64_t count = 0;
    int64_t total = 0;
    uint32_t prev = 0, c, d;
    while (p < end) {
        if (cc_runs_next(&p, end, prev, &c, &d) < 0)
            return false;
        count += c;
        total += (int64_t)c * d;
        prev = d;
    }
    *dur = total;
    return count == nchunks;
}

static int get_missing(struct rd *r, struct cc_segment *s)
{
    uint64_t nruns = get_uvar(r), next = 0;
    size_t cap = 0;
    if (r->bad || nruns > s->nchunks)
        return -EBADMSG;
    for (uint64_t i = 0; i < nruns; i++) {
        uint64_t gap = get_uvar(r), len = get_uvar(r);
        uint64_t start = next + gap;
        if (r->bad || len == 0 || (i > 0 && gap == 0) || start + len > s->nchunks)
            return -EBADMSG;
        cc_grow(&s->missing, &cap, s->nmissing + len, sizeof(*s->missing));
        for (uint64_t k = 0; k < len; k++)
            s->missing[s->nmissing++] = (uint32_t)(start + k);
        next = start + len;
    }
    return 0;
}

static int get_segment(struct rd *r, struct cc_day *d)
{
    char *id = get_str(r, 255), *pl = get_str(r, 4096);
    struct cc_segment *s = cc_day_add_segment(d, id, pl);
    free(id);
    free(pl);
    s->flags = get_u32v(r);
    s->off_min = (int32_t)get_svar(r);
    s->target_ms = get_u32v(r);
    s->bad_pdt = get_u32v(r);
    s->base_ms = get_svar(r);
    get_fprint(r, &s->fp);
    get_fprint(r, &s->dir_fp);
    get_pstate(r, &s->pst);
    s->tail_crc = (uint32_t)get_fixed(r, 4);
    s->prev_run_dur_ms = get_u32v(r);
    s->span_cum_us = get_uvar(r);
    uint64_t nspans = get_uvar(r);
    if (r->bad || nspans > (uint64_t)(r->end - r->p))
        return -EBADMSG;
    s->spans = cc_xcalloc(nspans ? nspans : 1, sizeof(*s->spans));
    s->nspans = (uint32_t)nspans;
    s->spans_cap = nspans;
    uint32_t first = 0, runs_off = 0;
    for (uint32_t i = 0; i < s->nspans; i++) {
        struct cc_span *sp = &s->spans[i];
        sp->start_ms = get_svar(r); /* relative to the previous span's end */
        sp->nchunks = get_u32v(r);
        sp->runs_len = get_u32v(r);
        sp->kind = (uint8_t)get_fixed(r, 1);
        sp->first_chunk = first;
        sp->runs_off = runs_off;
        if (sp->kind > CC_SPAN_OVERLAP || (uint64_t)first + sp->nchunks > UINT32_MAX)
            return -EBADMSG;
        first += sp->nchunks;
        runs_off += sp->runs_len;
    }
    uint64_t runs_len = get_uvar(r);
    if (r->bad || runs_len != runs_off || runs_len > (uint64_t)(r->end - r->p))
        return -EBADMSG;
    s->runs = cc_xmalloc(runs_len ? runs_len : 1);
    memcpy(s->runs, r->p, runs_len);
    s->runs_len = s->runs_cap = (uint32_t)runs_len;
    r->p += runs_len;
    int64_t total = 0, end = 0;
    for (uint32_t i = 0; i < s->nspans; i++) {
        struct cc_span *sp = &s->spans[i];
        sp->start_ms += end;
        if (!span_runs_ok(s->runs + sp->runs_off, sp->runs_len, sp->nchunks, &sp->dur_ms))
            return -EBADMSG;
        end = sp->start_ms + sp->dur_ms;
        total += sp->dur_ms;
    }
    s->nchunks = first;
    s->dur_ms = total;
    if (get_missing(r, s) < 0)
        return -EBADMSG;
    s->media_bytes = get_uvar(r);
    s->pl_bytes = get_uvar(r);
    if (s->pst.nchunks != s->nchunks)
        return -EBADMSG;
    return r->bad || r->p != r->end ? -EBADMSG : 0;
}

static uint8_t get_u8max(struct rd *r, uint64_t max)
{
    uint64_t v = get_uvar(r);
    if (v > max)
        r->bad = true;
    return (uint8_t)v;
}

static void get_strbuf(struct rd *r, char *out, size_t size)
{
    char *v = get_str(r, size - 1);
    memcpy(out, v, strlen(v) + 1);
    free(v);
}

static int get_props(struct rd *r, struct cc_segment *s)
{
    struct cc_media_props *m = &s->props;
    if (m->probed)
        return -EBADMSG; /* twice for one segment */
    m->probed = true;
    m->vcodec = (uint8_t)get_fixed(r, 1);
    get_strbuf(r, m->codec_string, sizeof(m->codec_string));
    get_strbuf(r, m->profile, sizeof(m->profile));
    m->level = get_u8max(r, UINT8_MAX);
    m->width = get_u32v(r);
    m->height = get_u32v(r);
    m->fps_num = get_u32v(r);
    m->fps_den = get_u32v(r);
    m->chroma_format = get_u8max(r, 3);
    m->bit_depth = get_u8max(r, UINT8_MAX);
    m->audio_type = (uint8_t)get_fixed(r, 1);
    m->channels = get_u8max(r, UINT8_MAX);
    m->sample_rate = get_u32v(r);
    m->chunk_ms = get_u32v(r);
    m->chunk_bytes = get_uvar(r);
    if (m->vcodec > 2)
        r->bad = true;
    return r->bad || r->p != r->end ? -EBADMSG : 0;
}

static int get_names(struct rd *r, struct cc_segment *s)
{
    struct cc_chunkname *n = &s->names;
    if (n->valid || !s->nchunks)
        return -EBADMSG; /* twice, or a pattern of no chunk */
    n->next_index = 0;   /* no cursor until fed */
    n->width = get_u8max(r, CC_CHUNKNAME_DIGITS_MAX);
    n->first = get_uvar(r);
    n->prefix_len = get_u8max(r, CC_CHUNKNAME_AFFIX_MAX);
    n->suffix_len = get_u8max(r, CC_CHUNKNAME_AFFIX_MAX);
    size_t len = (size_t)n->prefix_len + n->suffix_len;
    if (r->bad || len > (size_t)(r->end - r->p) || len > CC_CHUNKNAME_AFFIX_MAX ||
        memchr(r->p, '\0', len))
        return -EBADMSG;
    memcpy(n->affix, r->p, len);
    r->p += len;
    n->valid = cc_chunkname_sane(n);
    return n->valid && r->p == r->end ? 0 : -EBADMSG;
}

static int get_evfile(struct rd *r, struct cc_day *d)
{
    cc_grow(&d->evfiles, &d->evfiles_cap, d->nevfiles + 1, sizeof(*d->evfiles));
    struct cc_evfile *f = &d->evfiles[d->nevfiles++];
    memset(f, 0, sizeof(*f));
    f->path = get_str(r, 4096);
    get_fprint(r, &f->fp);
    f->bad_lines = get_u32v(r);
    f->bytes = get_uvar(r);
    return r->bad || r->p != r->end ? -EBADMSG : 0;
}

static int get_events(struct rd *r, struct cc_day *d)
{
    uint64_t n = get_uvar(r);
    if (r->bad || n > (uint64_t)(r->end - r->p))
        return -EBADMSG;
    int64_t prev = 0;
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        struct cc_event e = {0};
        e.start_ms = prev + get_svar(r);
        e.end_ms = e.start_ms + (int64_t)get_uvar(r);
        e.id_hash = (uint32_t)get_fixed(r, 4);
        e.src = (uint8_t)get_fixed(r, 1);
        uint32_t src_seg = get_u32v(r);
        char *label = get_str(r, 4 * CC_EVENT_LABEL_MAX);
        if (e.src > CC_EV_FILE || src_seg > UINT16_MAX)
            r->bad = true;
        e.src_seg = (uint16_t)src_seg;
        prev = e.start_ms;
        /* Appended as stored: no ID merging, it was done before saving. */
        cc_grow(&d->raw, &d->raw_cap, d->nraw + 1, sizeof(*d->raw));
        d->raw[d->nraw] = e;
        d->raw[d->nraw++].label = label;
    }
    return r->bad || r->p != r->end ? -EBADMSG : 0;
}

static int check_header(const uint8_t *p, size_t len)
{
    if (len < HDR_SIZE + 4 || memcmp(p, magic, sizeof(magic)) != 0)
        return -EBADMSG;
    struct rd r = {p + 8, p + HDR_SIZE, false};
    uint16_t version = (uint16_t)get_fixed(&r, 2);
    uint16_t hdr = (uint16_t)get_fixed(&r, 2);
    uint32_t size = (uint32_t)get_fixed(&r, 4);
    if (size != len)
        return -EBADMSG;
    uint32_t crc = (uint32_t)(p[len - 4] | p[len - 3] << 8 | p[len - 2] << 16 |
                              (uint32_t)p[len - 1] << 24);
    if (crc != cc_crc32(0, p, len - 4))
        return -EBADMSG;
    if (version != CC_SIDECAR_VERSION || hdr != HDR_SIZE)
        return -EPROTO;
    return 0;
}

/* Sections of a type this version does not know are skipped (a later
 * version may add some without bumping CC_SIDECAR_VERSION); *extra counts
 * them with the PROPS ones. */
static int decode_sections(struct rd *r, uint32_t nsec, struct cc_day *d, uint32_t *extra)
{
    bool have_day = false, have_events = false, after_seg = false;
    *extra = 0;
    for (uint32_t i = 0; i < nsec; i++) {
        uint16_t type = (uint16_t)get_fixed(r, 2);
        get_fixed(r, 2);
        uint32_t len = (uint32_t)get_fixed(r, 4);
        if (r->bad || len > (uint64_t)(r->end - r->p))
            return -EBADMSG;
        struct rd s = {r->p, r->p + len, false};
        r->p += len;
        int rc = -EBADMSG;
        if (type == SEC_DAY && !have_day && i == 0) {
            char *name = get_str(&s, 10);
            rc = strcmp(name, d->name) == 0 ? 0 : -EINVAL;
            free(name);
            d->off_min = (int32_t)get_svar(&s);
            get_fprint(&s, &d->dir_fp);
            d->entries_hash = (uint32_t)get_fixed(&s, 4);
            if (s.bad || s.p != s.end)
                rc = -EBADMSG;
            have_day = true;
        } else if (type == SEC_SEGMENT && have_day && !have_events) {
            rc = get_segment(&s, d);
        } else if (type == SEC_PROPS && after_seg) {
            rc = get_props(&s, &d->segs[d->nsegs - 1]);
            ++*extra;
        } else if (type == SEC_NAMES && after_seg) {
            rc = get_names(&s, &d->segs[d->nsegs - 1]);
            ++*extra;
        } else if (type > SEC_NAMES && have_day) {
            rc = 0;
            ++*extra;
        } else if (type == SEC_EVFILE && have_day && !have_events) {
            rc = get_evfile(&s, d);
        } else if (type == SEC_EVENTS && have_day && !have_events) {
            rc = get_events(&s, d);
            have_events = true;
        }
        if (rc < 0)
            return rc;
        after_seg = type == SEC_SEGMENT || (after_seg && type > SEC_PROPS);
    }
    return have_events && r->p == r->end ? 0 : -EBADMSG;
}

int cc_sidecar_decode(const void *buf, size_t len, const struct cc_date *date, struct cc_day **out)
{
    const uint8_t *p = buf;
    int rc = check_header(p, len);
    if (rc < 0)
        return rc;
    struct rd hr = {p + 16, p + HDR_SIZE, false};
    uint32_t nsec = (uint32_t)get_fixed(&hr, 4);
    int64_t built = (int64_t)get_fixed(&hr, 8);
    struct cc_date own;
    if (!date) {
        /* The first section is DAY and begins with the day's name. */
        struct rd nr = {p + HDR_SIZE + 8, p + len - 4, false};
        char *name = get_str(&nr, 10);
        rc = nr.bad || cc_date_parse(name, strlen(name), &own) < 0 ? -EBADMSG : 0;
        free(name);
        if (rc < 0)
            return rc;
        date = &own;
    }
    struct cc_day *d = cc_day_new(date);
    d->built_ns = built;
    struct rd r = {p + HDR_SIZE, p + len - 4, false};
    uint32_t extra = 0;
    rc = nsec < 2 || nsec > len ? -EBADMSG : decode_sections(&r, nsec, d, &extra);
    if (rc == 0 && d->nevfiles + d->nsegs + 2 + extra != nsec)
        rc = -EBADMSG;
    if (rc < 0) {
        cc_day_free(d);
        return rc;
    }
    cc_day_finish(d);
    *out = d;
    return 0;
}

/* ---- files ------------------------------------------------------------- */

char *cc_sidecar_path(const char *root, const char *cache_dir, const char *day)
{
    struct cc_buf b;
    cc_buf_init(&b);
    if (cache_dir)
        cc_buf_printf(&b, "%s/%s%s", cache_dir, day, CC_SIDECAR_NAME);
    else
        cc_buf_printf(&b, "%s/%s/%s", root, day, CC_SIDECAR_NAME);
    return cc_buf_steal(&b, NULL);
}

int cc_sidecar_load(const char *path, const struct cc_date *date, struct cc_day **out)
{
    struct cc_buf b;
    cc_buf_init(&b);
    int rc = cc_read_file(path, 0, CC_SIDECAR_MAX, &b);
    if (rc == 0)
        rc = cc_sidecar_decode(b.data, b.len, date, out);
    cc_buf_free(&b);
    return rc;
}

/* Same index as the file at path? The header's timestamp and the CRC differ
 * between builds of identical content, so compare what lies between them. */
static bool same_content(const char *path, const struct cc_buf *enc)
{
    struct cc_buf old;
    cc_buf_init(&old);
    bool same = cc_read_file(path, 0, CC_SIDECAR_MAX, &old) == 0 && old.len == enc->len &&
                memcmp(old.data, enc->data, 16) == 0 &&
                memcmp(old.data + HDR_SIZE, enc->data + HDR_SIZE, enc->len - HDR_SIZE - 4) == 0;
    cc_buf_free(&old);
    return same;
}

int cc_sidecar_save(const char *path, const struct cc_day *d, uint64_t *written)
{
    struct cc_buf enc;
    cc_buf_init(&enc);
    cc_sidecar_encode(d, &enc);
    *written = 0;
    int rc = 1;
    if (!same_content(path, &enc)) {
        rc = cc_write_atomic(path, enc.data, enc.len);
        if (rc == 0)
            *written = enc.len;
    }
    cc_buf_free(&enc);
    return rc;
}

bool cc_sidecar_is_tmp_name(const char *name)
{
    static const char tail[] = CC_SIDECAR_NAME ".tmp.";
    struct cc_date d;
    const char *t = strstr(name, tail);
    if (!t)
        return false;
    size_t pre = (size_t)(t - name);
    if (pre != 0 && (pre != 10 || cc_date_parse(name, 10, &d) < 0))
        return false;
    return cc_bytes_digits(t + sizeof(tail) - 1);
}

/* Removes the stale temp names in one folder: how many. */
static int clean_folder(int dfd, const char *shown, int64_t now_ns,
                        void (*report)(void *ud, const char *path), void *ud)
{
    DIR *dir = cc_opendir_fd(dfd);
    if (!dir)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        struct stat st;
        if (!cc_sidecar_is_tmp_name(de->d_name) ||
            fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        int64_t mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
        if (now_ns - mtime_ns <= CC_SIDECAR_TMP_STALE_S * 1000000000LL)
            continue;
        if (unlinkat(dfd, de->d_name, 0) < 0)
            continue;
        n++;
        if (report) {
            char path[PATH_MAX];
            snprintf(path, sizeof(path), "%s/%s", shown, de->d_name);
            report(ud, path);
        }
    }
    closedir(dir);
    return n;
}

int cc_sidecar_clean_tmp(const char *root, const char *cache_dir, int64_t now_ns,
                         void (*report)(void *ud, const char *path), void *ud)
{
    int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0)
        return -errno;
    DIR *dir = cc_opendir_fd(rfd);
    if (!dir) {
        int rc = -errno;
        close(rfd);
        return rc;
    }
    int n = 0;
    struct dirent *de;
    struct cc_date d;
    char shown[PATH_MAX];
    while ((de = readdir(dir))) {
        if (strlen(de->d_name) != 10 || cc_date_parse(de->d_name, 10, &d) < 0)
            continue;
        int dfd = openat(rfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
            continue;
        snprintf(shown, sizeof(shown), "%s/%s", root, de->d_name);
        n += clean_folder(dfd, shown, now_ns, report, ud);
        close(dfd);
    }
    closedir(dir);
    close(rfd);
    int cfd = cache_dir ? open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (cfd >= 0) {
        n += clean_folder(cfd, cache_dir, now_ns, report, ud);
        close(cfd);
    }
    return n;
}
