#include "stitch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "isotime.h"
#include "log.h"
#include "urlpath.h"

#define FLUSH_AT 16384
#define PDT_SLACK_US 1000 /* a player's implied date may be this far off */

struct stitch {
    const struct cc_day *day;
    const struct cc_stitch_opts *o;
    cc_sink_fn sink;
    void *ud;
    struct cc_buf out;
    struct cc_stitch_stats *stats;
    /* per segment */
    const struct cc_segment *seg;
    struct cc_chunk_iter it;
    const struct cc_m3u8_state *pst; /* the parse in progress (current MAP) */
    const char *dir;                 /* the playlist's folder, relative to ROOT */
    size_t dir_len;
    bool need_discont; /* before the next written chunk */
    bool need_map;
    bool wrote_any;
    int64_t implied_us; /* the date a player gives the next chunk if untagged */
};

static int flush(struct stitch *st, bool force)
{
    if (st->out.len && (force || st->out.len >= FLUSH_AT)) {
        int r = st->sink(st->ud, st->out.data, st->out.len);
        cc_buf_reset(&st->out);
        if (r < 0)
            return r;
    }
    return 0;
}

static bool uri_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-' || c == '~' || c == '/';
}

void cc_stitch_put_uri(struct cc_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && uri_safe((unsigned char)s[run]))
            run++;
        cc_buf_append(b, s + i, run - i);
        if (run == n)
            break;
        unsigned char c = (unsigned char)s[run];
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        cc_buf_append(b, esc, 3);
        i = run + 1;
    }
}

static void put_rec_uri(struct stitch *st, const char *uri, size_t len)
{
    cc_buf_puts(&st->out, st->o->rec_prefix);
    cc_stitch_put_uri(&st->out, st->dir, st->dir_len);
    cc_buf_putc(&st->out, '/');
    cc_stitch_put_uri(&st->out, uri, len);
}

static void put_map(struct stitch *st)
{
    const struct cc_m3u8_state *ps = st->pst;
    size_t n = strlen(ps->map_uri);
    const char *map = cc_urlpath_chunk(ps->map_uri, &n);
    cc_buf_puts(&st->out, "#EXT-X-MAP:URI=\"");
    if (map)
        put_rec_uri(st, map, n);
    else
        put_rec_uri(st, ps->map_uri, strlen(ps->map_uri));
    cc_buf_putc(&st->out, '"');
    if (ps->map_has_range)
        cc_buf_printf(&st->out, ",BYTERANGE=\"%llu@%llu\"", (unsigned long long)ps->map_len,
                      (unsigned long long)ps->map_off);
    cc_buf_putc(&st->out, '\n');
}

/* A player dates a chunk without EXT-X-PROGRAM-DATE-TIME by the previous
 * chunk's date plus its EXTINF (RFC 8216 4.3.2.6): the tag is written only
 * where that would be off by more than PDT_SLACK_US, so a day of regular
 * chunks carries a handful, not one per chunk (hls.js parses each). */
static void put_pdt_extinf(struct stitch *st, int64_t when_ms, int64_t dur_us, bool must)
{
    struct cc_buf *b = &st->out;
    int64_t off = when_ms * 1000 - st->implied_us;
    if (must || off > PDT_SLACK_US || off < -PDT_SLACK_US) {
        char iso[CC_ISO_MAX];
        size_t iso_len = cc_iso_format(when_ms, st->seg->off_min, iso);
        cc_buf_append(b, "#EXT-X-PROGRAM-DATE-TIME:", 25);
        cc_buf_append(b, iso, iso_len);
        cc_buf_putc(b, '\n');
        st->implied_us = when_ms * 1000;
    }
    st->implied_us += dur_us;
    /* The shortest exact form: "2" for whole seconds, else no trailing 0s. */
    cc_buf_append(b, "#EXTINF:", 8);
    cc_buf_put_dec(b, (uint64_t)(dur_us / 1000000), 1);
    uint32_t frac = (uint32_t)(dur_us % 1000000), digits = 6;
    while (frac && frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    if (frac) {
        cc_buf_putc(b, '.');
        cc_buf_put_dec(b, frac, (int)digits);
    }
    cc_buf_append(b, ",\n", 2);
}

static int on_chunk(void *ud, const struct cc_m3u8_chunk *c)
{
    struct stitch *st = ud;
    int64_t t;
    uint32_t dur, idx;
    if (!cc_chunk_iter_next(&st->it, &t, &dur, &idx, NULL))
        return -ECANCELED; /* grew since indexed: the next refresh adds the rest */
    if (c->discontinuity)
        st->need_discont = true;
    if (c->map_changed)
        st->need_map = true;
    if (t >= st->o->to_ms || t + dur <= st->o->from_ms)
        return 0;
    /* Only what /rec serves is listed (an index from an older version may
     * hold a name it refuses): the rest is as good as missing. */
    size_t ulen = c->uri_len;
    const char *uri = cc_urlpath_chunk(c->uri, &ulen);
    if (!uri || cc_segment_chunk_missing(st->seg, idx)) {
        st->need_discont = true;
        if (st->stats)
            st->stats->skipped_missing++;
        return 0;
    }
    struct cc_buf *b = &st->out;
    bool wrote_discont = st->need_discont && st->wrote_any;
    if (wrote_discont)
        cc_buf_puts(b, "#EXT-X-DISCONTINUITY\n");
    st->need_discont = false;
    if (st->need_map && st->pst->map_uri[0])
        put_map(st);
    st->need_map = false;
    int64_t when = c->has_pdt && cc_day_pdt_plausible(st->day, c->pdt_ms, c->pdt_off_min)
                       ? c->pdt_ms
                       : t;
    put_pdt_extinf(st, when, c->dur_us, !st->wrote_any || wrote_discont);
    if (c->has_range) {
        cc_buf_append(b, "#EXT-X-BYTERANGE:", 17);
        cc_buf_put_dec(b, c->range_len, 1);
        cc_buf_putc(b, '@');
        cc_buf_put_dec(b, c->range_off, 1);
        cc_buf_putc(b, '\n');
    }
    put_rec_uri(st, uri, ulen);
    cc_buf_putc(b, '\n');
    st->wrote_any = true;
    if (st->stats)
        st->stats->chunks++;
    return flush(st, false);
}

/* Streams one playlist through the parser in blocks: nothing day-sized is held. */
static int stitch_segment(struct stitch *st, const struct cc_segment *seg)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", st->o->root, seg->playlist);
    st->seg = seg;
    cc_chunk_iter_init(&st->it, seg);
    const char *slash = strrchr(seg->playlist, '/');
    st->dir = seg->playlist;
    st->dir_len = slash ? (size_t)(slash - seg->playlist) : 0;
    st->need_discont = true; /* between folders */
    st->need_map = true;
    struct cc_m3u8_state ps;
    cc_m3u8_state_init(&ps);
    /* cppcheck-suppress autoVariables ; reset to NULL below, before ps ends */
    st->pst = &ps;
    struct cc_m3u8_handler h = {on_chunk, NULL, st};
    int rc = cc_m3u8_parse_file(path, &ps, &h, st->stats ? &st->stats->bytes_read : NULL);
    st->pst = NULL; /* ps ends with this call */
    if (rc == -ENOENT)
        return 0; /* the playlist vanished: skipped */
    return rc == -ECANCELED ? 0 : rc;
}

static uint32_t max_target_s(const struct cc_day *d)
{
    uint32_t max_ms = 1000;
    for (uint32_t i = 0; i < d->nsegs; i++) {
        const struct cc_segment *s = &d->segs[i];
        struct cc_chunk_iter it;
        int64_t t;
        uint32_t dur, idx;
        if (s->pst.target_s * 1000 > max_ms)
            max_ms = s->pst.target_s * 1000;
        cc_chunk_iter_init(&it, s);
        while (cc_chunk_iter_next(&it, &t, &dur, &idx, NULL))
            if (dur > max_ms)
                max_ms = dur;
    }
    return (max_ms + 999) / 1000;
}

int cc_stitch_day(const struct cc_day *d, const struct cc_stitch_opts *o, cc_sink_fn sink, void *ud,
                  struct cc_stitch_stats *stats)
{
    struct stitch st = {.day = d, .o = o, .sink = sink, .ud = ud, .stats = stats};
    cc_buf_init(&st.out);
    if (stats)
        memset(stats, 0, sizeof(*stats));
    bool fmp4 = false;
    for (uint32_t i = 0; i < d->nsegs; i++)
        fmp4 = fmp4 || (d->segs[i].flags & CC_SEG_FMP4);
    cc_buf_printf(&st.out,
                  "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%u\n"
                  "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:%s\n",
                  fmp4 ? 7 : 4, max_target_s(d), o->ended ? "VOD" : "EVENT");
    int rc = 0;
    for (uint32_t i = 0; i < d->nsegs && rc == 0; i++) {
        const struct cc_segment *s = &d->segs[i];
        if (!s->nchunks || s->start_ms >= o->to_ms || s->end_ms <= o->from_ms)
            continue;
        rc = stitch_segment(&st, s);
        if (rc == 0)
            rc = flush(&st, false);
    }
    if (rc == 0 && o->ended)
        cc_buf_puts(&st.out, "#EXT-X-ENDLIST\n");
    if (rc == 0)
        rc = flush(&st, true);
    cc_buf_free(&st.out);
    return rc;
}
