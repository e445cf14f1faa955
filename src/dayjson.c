#include "dayjson.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "mem.h"
#include "nal.h"
#include "probe.h"

static void put_time(struct cc_json *j, const char *key, int64_t ms, int off_min)
{
    char iso[CC_ISO_MAX], k[32];
    cc_iso_format(ms, off_min, iso);
    cc_json_key(j, key);
    cc_json_str(j, iso);
    snprintf(k, sizeof(k), "%s_ms", key);
    cc_json_key(j, k);
    cc_json_int(j, ms);
}

static void put_range(struct cc_json *j, int64_t a, int64_t b, int off)
{
    cc_json_obj_open(j);
    put_time(j, "start", a, off);
    put_time(j, "end", b, off);
    cc_json_key(j, "duration_s");
    cc_json_fixed(j, (double)(b - a) / 1000.0, 3);
    cc_json_obj_close(j);
}

static const char *const span_kinds[] = {"start", "discontinuity", "resync", "gap", "overlap"};

static void put_breaks(struct cc_json *j, const struct cc_segment *s)
{
    cc_json_key(j, "breaks");
    cc_json_arr_open(j);
    for (uint32_t k = 1; k < s->nspans; k++) {
        const struct cc_span *sp = &s->spans[k];
        cc_json_obj_open(j);
        put_time(j, "at", sp->start_ms, s->off_min);
        cc_json_key(j, "chunk");
        cc_json_int(j, sp->first_chunk);
        cc_json_key(j, "kind");
        cc_json_str(j, span_kinds[sp->kind <= CC_SPAN_OVERLAP ? sp->kind : 0]);
        cc_json_obj_close(j);
    }
    cc_json_arr_close(j);
}

static const char *seg_state(const struct cc_segment *s, bool recording)
{
    if (s->flags & CC_SEG_ENDLIST)
        return "closed";
    return recording ? "recording" : "interrupted";
}

/* What the segment holds, from its first chunk: null where not known (not
 * probed yet, no such stream, or not on disk). The bitrate is the chunk's
 * file bytes x 8 / its EXTINF, a few % above the streams' own (TS packet
 * overhead, see README). */
static void put_props(struct cc_json *j, const struct cc_media_props *m)
{
    cc_media_props_json(m, j);
    cc_json_key(j, "bitrate");
    if (m->chunk_bytes && m->chunk_ms)
        cc_json_int(j, (int64_t)(m->chunk_bytes * 8000 / m->chunk_ms));
    else
        cc_json_null(j);
    cc_json_key(j, "chunk_bytes");
    if (m->chunk_bytes)
        cc_json_int(j, (int64_t)m->chunk_bytes);
    else
        cc_json_null(j);
}

static void put_segment(struct cc_json *j, const struct cc_segment *s, const char *prefix,
                        bool recording)
{
    char url[4200];
    cc_json_obj_open(j);
    cc_json_key(j, "id");
    cc_json_str(j, s->id);
    snprintf(url, sizeof(url), "%s%s", prefix, s->playlist);
    cc_json_key(j, "playlist");
    cc_json_str(j, url);
    if (s->nchunks) {
        put_time(j, "start", s->start_ms, s->off_min);
        put_time(j, "end", s->end_ms, s->off_min);
    } else {
        const char *keys[] = {"start", "start_ms", "end", "end_ms"};
        for (int i = 0; i < 4; i++) {
            cc_json_key(j, keys[i]);
            cc_json_null(j);
        }
    }
    char off[8];
    cc_offset_format(s->off_min, off);
    cc_json_key(j, "utc_offset");
    cc_json_str(j, off);
    cc_json_key(j, "duration_s");
    cc_json_fixed(j, (double)s->dur_ms / 1000.0, 3);
    cc_json_key(j, "chunks");
    cc_json_int(j, s->nchunks);
    cc_json_key(j, "target_s");
    cc_json_int(j, s->pst.target_s);
    cc_json_key(j, "closed");
    cc_json_bool(j, !recording);
    cc_json_key(j, "state");
    cc_json_str(j, seg_state(s, recording));
    cc_json_key(j, "untimed");
    cc_json_bool(j, (s->flags & CC_SEG_UNTIMED) != 0);
    cc_json_key(j, "fmp4");
    cc_json_bool(j, (s->flags & CC_SEG_FMP4) != 0);
    cc_json_key(j, "missing_chunks");
    cc_json_int(j, s->nmissing);
    cc_json_key(j, "bad_lines");
    cc_json_int(j, s->pst.bad_lines);
    cc_json_key(j, "bad_pdt");
    cc_json_int(j, s->bad_pdt);
    put_props(j, &s->props);
    put_breaks(j, s);
    cc_json_obj_close(j);
}

void cc_dayjson_motion(struct cc_json *j, const struct cc_day *d)
{
    cc_json_arr_open(j);
    for (uint32_t i = 0; i < d->nevents; i++) {
        const struct cc_event *e = &d->events[i];
        cc_json_obj_open(j);
        put_time(j, "start", e->start_ms, d->off_min);
        put_time(j, "end", e->end_ms, d->off_min);
        cc_json_key(j, "label");
        cc_json_str(j, e->label[0] ? e->label : "motion");
        cc_json_key(j, "source");
        cc_json_str(j, e->src == CC_EV_FILE ? "events.txt" : "playlist");
        cc_json_obj_close(j);
    }
    cc_json_arr_close(j);
}

static void put_ranges(struct cc_json *j, const char *key, const struct cc_range *r, uint32_t n,
                       int off)
{
    cc_json_key(j, key);
    cc_json_arr_open(j);
    for (uint32_t i = 0; i < n; i++)
        put_range(j, r[i].start_ms, r[i].end_ms, off);
    cc_json_arr_close(j);
}

static void put_day_head(struct cc_json *j, const struct cc_day *d)
{
    char off[8];
    cc_offset_format(d->off_min, off);
    cc_json_key(j, "date");
    cc_json_str(j, d->name);
    cc_json_key(j, "utc_offset");
    cc_json_str(j, off);
    cc_json_key(j, "utc_offset_min");
    cc_json_int(j, d->off_min);
    cc_json_key(j, "day_start_ms");
    cc_json_int(j, cc_date_start_ms(&d->date, d->off_min));
    if (d->nchunks) {
        put_time(j, "start", d->start_ms, d->off_min);
        put_time(j, "end", d->end_ms, d->off_min);
    }
}

void cc_dayjson_day(struct cc_json *j, const struct cc_day *d, const char *rec_prefix,
                    const bool *recording)
{
    cc_json_obj_open(j);
    put_day_head(j, d);
    cc_json_key(j, "segments");
    cc_json_arr_open(j);
    for (uint32_t i = 0; i < d->nsegs; i++)
        put_segment(j, &d->segs[i], rec_prefix, recording && recording[i]);
    cc_json_arr_close(j);
    put_ranges(j, "gaps", d->gaps, d->ngaps, d->off_min);
    put_ranges(j, "overlaps", d->overlaps, d->noverlaps, d->off_min);
    cc_json_key(j, "motion");
    cc_dayjson_motion(j, d);
    cc_json_key(j, "events_files");
    cc_json_arr_open(j);
    for (uint32_t i = 0; i < d->nevfiles; i++) {
        cc_json_obj_open(j);
        cc_json_key(j, "path");
        cc_json_str(j, d->evfiles[i].path);
        cc_json_key(j, "bad_lines");
        cc_json_int(j, d->evfiles[i].bad_lines);
        cc_json_obj_close(j);
    }
    cc_json_arr_close(j);
    cc_json_key(j, "totals");
    cc_json_obj_open(j);
    cc_json_key(j, "recorded_s");
    cc_json_fixed(j, (double)d->recorded_ms / 1000.0, 3);
    cc_json_key(j, "gap_s");
    cc_json_fixed(j, (double)d->gap_ms / 1000.0, 3);
    cc_json_key(j, "motion");
    cc_json_int(j, d->nevents);
    cc_json_key(j, "segments");
    cc_json_int(j, d->nsegs);
    cc_json_key(j, "chunks");
    cc_json_int(j, d->nchunks);
    cc_json_obj_close(j);
    cc_json_obj_close(j);
}

void cc_dayjson_summary(struct cc_json *j, const struct cc_day *d)
{
    cc_json_obj_open(j);
    put_day_head(j, d);
    cc_json_key(j, "segments");
    cc_json_int(j, d->nsegs);
    cc_json_key(j, "recorded_s");
    cc_json_fixed(j, (double)d->recorded_ms / 1000.0, 3);
    cc_json_key(j, "gap_s");
    cc_json_fixed(j, (double)d->gap_ms / 1000.0, 3);
    cc_json_key(j, "motion");
    cc_json_int(j, d->nevents);
    cc_json_obj_close(j);
}

/* What a day's JSON was rendered with, and the JSON itself, in one block. */
struct cc_dayjson_cache {
    size_t len;     /* JSON bytes */
    uint32_t nsegs; /* recording flags, one byte each */
    uint32_t prefix_len;
    char data[]; /* flags, prefix, JSON */
};

static bool cache_matches(const struct cc_dayjson_cache *c, const struct cc_day *d,
                          const char *prefix, size_t prefix_len, const bool *recording)
{
    if (c->nsegs != d->nsegs || c->prefix_len != prefix_len ||
        memcmp(c->data + c->nsegs, prefix, prefix_len) != 0)
        return false;
    for (uint32_t i = 0; i < d->nsegs; i++)
        if ((bool)c->data[i] != (recording && recording[i]))
            return false;
    return true;
}

static struct cc_dayjson_cache *cache_new(const struct cc_day *d, const char *prefix,
                                          size_t prefix_len, const bool *recording,
                                          const struct cc_buf *json)
{
    struct cc_dayjson_cache *c = cc_xmalloc(sizeof(*c) + d->nsegs + prefix_len + json->len);
    c->len = json->len;
    c->nsegs = d->nsegs;
    c->prefix_len = (uint32_t)prefix_len;
    for (uint32_t i = 0; i < d->nsegs; i++)
        c->data[i] = (char)(recording && recording[i]);
    memcpy(c->data + d->nsegs, prefix, prefix_len);
    memcpy(c->data + d->nsegs + prefix_len, json->data, json->len);
    return c;
}

static void cache_text(const struct cc_dayjson_cache *c, const char **text, size_t *len)
{
    *text = c->data + c->nsegs + c->prefix_len;
    *len = c->len;
}

bool cc_dayjson_cached(const struct cc_day *d, const char *rec_prefix, const bool *recording,
                       const char **text, size_t *len)
{
    struct cc_dayjson_cache *c = atomic_load_explicit(&d->json_cache, memory_order_acquire);
    if (!c || !cache_matches(c, d, rec_prefix, strlen(rec_prefix), recording))
        return false;
    cache_text(c, text, len);
    return true;
}

void cc_dayjson_render(const struct cc_day *d, const char *rec_prefix, const bool *recording,
                       struct cc_buf *out)
{
    struct cc_json j;
    cc_json_init(&j, out);
    cc_dayjson_day(&j, d, rec_prefix, recording);
    cc_buf_putc(out, '\n');
}

size_t cc_dayjson_publish(const struct cc_day *d, const char *rec_prefix, const bool *recording,
                          const struct cc_buf *text)
{
    /* The slot is the one thing ever written in a published day. */
    _Atomic(struct cc_dayjson_cache *) *slot = (void *)&d->json_cache;
    size_t plen = strlen(rec_prefix);
    struct cc_dayjson_cache *mine = cache_new(d, rec_prefix, plen, recording, text);
    struct cc_dayjson_cache *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(slot, &expected, mine, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        free(mine); /* published already (by a racing request, or with other flags) */
        return 0;
    }
    return sizeof(*mine) + d->nsegs + plen + text->len;
}
