#include "livewin.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "fsutil.h"
#include "isotime.h"
#include "m3u8.h"
#include "mem.h"
#include "stitch.h"
#include "urlpath.h"

#define TAIL_CHECK_BYTES 1024
#define NO_TIME INT64_MIN

struct lw_chunk {
    char *uri; /* rec_prefix + path under ROOT, encoded */
    char *map; /* EXT-X-MAP URI in effect (encoded), NULL when none */
    uint64_t map_len, map_off;
    bool map_has_range;
    bool has_range;
    uint64_t range_len, range_off;
    int64_t pdt_ms; /* NO_TIME until placed */
    int32_t off_min;
    int64_t dur_us;
    uint64_t seq, dseq; /* media and discontinuity sequence numbers */
    uint32_t gen;       /* which source it came from */
};

struct cc_livewin {
    char *root, *prefix;
    uint32_t cap;
    struct lw_chunk *ring; /* cap slots; the oldest at head */
    uint32_t head, n;

    /* The playlist being followed. */
    char *path; /* relative to ROOT; NULL before the first update */
    uint32_t gen;
    struct cc_m3u8_state ps;
    struct stat st;     /* as of the last read */
    uint32_t tail_crc;  /* of the bytes just before ps.offset */
    bool renumber;      /* the next chunk decides seq_adjust */
    bool rewritten;     /* ... after the same playlist was rewritten */
    uint64_t seq_floor; /* ... so that its number is at least this */
    int64_t seq_adjust; /* added to the source's numbers */
    uint64_t dseq;      /* discontinuity sequence of the source's next chunk */
    bool first_chunk;   /* the next chunk is the source's first */
    bool lost;          /* a chunk before the next one was left out */
    int64_t next_us;    /* where a chunk without PDT starts; NO_TIME if unknown */
    int32_t off_min;
    const struct cc_day *day; /* during an update */

    bool any; /* a number has been handed out */
    uint64_t last_seq, last_dseq;
    int64_t live_seen_ns; /* last update that found the source live */
    struct cc_livewin_stats stats;
};

struct cc_livewin *cc_livewin_new(const char *root, const char *rec_prefix, unsigned window)
{
    struct cc_livewin *w = cc_xcalloc(1, sizeof(*w));
    w->root = cc_xstrdup(root);
    w->prefix = cc_xstrdup(rec_prefix);
    w->cap = window ? window : 1;
    w->ring = cc_xcalloc(w->cap, sizeof(*w->ring));
    return w;
}

static void chunk_free(struct lw_chunk *c)
{
    free(c->uri);
    free(c->map);
    memset(c, 0, sizeof(*c));
}

static struct lw_chunk *ring_at(const struct cc_livewin *w, uint32_t i)
{
    return &w->ring[(w->head + i) % w->cap];
}

static void ring_clear(struct cc_livewin *w)
{
    for (uint32_t i = 0; i < w->n; i++)
        chunk_free(ring_at(w, i));
    w->head = w->n = 0;
}

void cc_livewin_free(struct cc_livewin *w)
{
    if (!w)
        return;
    ring_clear(w);
    free(w->ring);
    free(w->path);
    free(w->root);
    free(w->prefix);
    free(w);
}

static struct lw_chunk *ring_push(struct cc_livewin *w)
{
    if (w->n == w->cap) {
        chunk_free(ring_at(w, 0));
        w->head = (w->head + 1) % w->cap;
        w->n--;
    }
    return ring_at(w, w->n++);
}

/* Chunks without a usable PDT before the first one that has a time are
 * placed back from it (or from the playlist's mtime): they end where it starts. */
static void backfill(struct cc_livewin *w, int64_t end_ms)
{
    for (uint32_t i = w->n; i-- > 0;) {
        struct lw_chunk *c = ring_at(w, i);
        if (c->gen != w->gen || c->pdt_ms != NO_TIME)
            break;
        end_ms -= (c->dur_us + 500) / 1000;
        c->pdt_ms = end_ms;
    }
}

static char *rec_uri(const struct cc_livewin *w, const char *uri, size_t len)
{
    struct cc_buf b;
    cc_buf_init(&b);
    cc_buf_puts(&b, w->prefix);
    const char *slash = strrchr(w->path, '/');
    cc_stitch_put_uri(&b, w->path, slash ? (size_t)(slash - w->path) + 1 : 0);
    cc_stitch_put_uri(&b, uri, len);
    return cc_buf_steal(&b, NULL);
}

static void place(struct cc_livewin *w, struct lw_chunk *lc, const struct cc_m3u8_chunk *c)
{
    bool pdt_ok = c->has_pdt &&
                  cc_day_pdt_plausible(w->day, c->pdt_ms, c->pdt_has_off ? c->pdt_off_min : 0);
    if (pdt_ok && c->pdt_has_off)
        w->off_min = c->pdt_off_min;
    lc->off_min = w->off_min;
    if (pdt_ok) {
        backfill(w, c->pdt_ms);
        lc->pdt_ms = c->pdt_ms;
    } else {
        lc->pdt_ms = w->next_us == NO_TIME ? NO_TIME : (w->next_us + 500) / 1000;
    }
    w->next_us = lc->pdt_ms == NO_TIME ? NO_TIME : lc->pdt_ms * 1000 + c->dur_us;
}

static void number(struct cc_livewin *w, struct lw_chunk *lc, const struct cc_m3u8_chunk *c)
{
    if (w->renumber) {
        w->renumber = false;
        if ((int64_t)c->seq + w->seq_adjust < (int64_t)w->seq_floor) {
            /* numbers went back: carry on after the last one handed out */
            w->seq_adjust = (int64_t)(w->last_seq + 1) - (int64_t)c->seq;
            if (w->rewritten) /* the same playlist started over: new media */
                w->dseq = w->last_dseq + 1;
        }
    }
    if ((c->discontinuity || w->lost) && !w->first_chunk)
        w->dseq++;
    w->first_chunk = false;
    w->lost = false;
    lc->seq = (uint64_t)((int64_t)c->seq + w->seq_adjust);
    lc->dseq = w->dseq;
    w->any = true;
    w->last_seq = lc->seq;
    w->last_dseq = lc->dseq;
}

/* A chunk /rec would refuse is left out; the numbers stay consecutive and
 * the next chunk starts a discontinuity. */
static int drop_chunk(struct cc_livewin *w)
{
    w->seq_adjust--;
    w->lost = true;
    w->stats.dropped++;
    return 0;
}

static int on_chunk(void *ud, const struct cc_m3u8_chunk *c)
{
    struct cc_livewin *w = ud;
    size_t ulen = c->uri_len;
    const char *uri = cc_urlpath_chunk(c->uri, &ulen);
    if (!uri)
        return drop_chunk(w);
    struct lw_chunk *lc = ring_push(w);
    lc->gen = w->gen;
    lc->uri = rec_uri(w, uri, ulen);
    if (w->ps.map_uri[0]) {
        size_t mlen = strlen(w->ps.map_uri);
        const char *map = cc_urlpath_chunk(w->ps.map_uri, &mlen);
        lc->map = map ? rec_uri(w, map, mlen) : rec_uri(w, w->ps.map_uri, strlen(w->ps.map_uri));
        lc->map_has_range = w->ps.map_has_range;
        lc->map_len = w->ps.map_len;
        lc->map_off = w->ps.map_off;
    }
    lc->has_range = c->has_range;
    lc->range_len = c->range_len;
    lc->range_off = c->range_off;
    lc->dur_us = c->dur_us;
    place(w, lc, c);
    number(w, lc, c);
    return 0;
}

static int read_at(struct cc_livewin *w, int fd, void *p, size_t n, uint64_t off)
{
    ssize_t r;
    do
        r = pread(fd, p, n, (off_t)off);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;
    w->stats.bytes_read += (uint64_t)r;
    return (int)r;
}

/* CRC of the bytes just before ps.offset: -errno, or 0 and *crc. */
static int tail_crc(struct cc_livewin *w, int fd, uint32_t *crc)
{
    char tail[TAIL_CHECK_BYTES];
    uint64_t n = w->ps.offset < sizeof(tail) ? w->ps.offset : sizeof(tail);
    int r = read_at(w, fd, tail, (size_t)n, w->ps.offset - n);
    if (r < 0)
        return r;
    *crc = cc_crc32(0, tail, (size_t)r);
    return (uint64_t)r == n ? 0 : -EAGAIN; /* shorter: the file shrank */
}

/* Parses the playlist from ps.offset to its end, in blocks. */
static int parse_rest(struct cc_livewin *w, int fd)
{
    struct cc_m3u8_handler h = {on_chunk, NULL, w};
    return cc_m3u8_parse_fd(fd, &w->ps, &h, &w->stats.bytes_read);
}

/* Starts the source over from its first byte. A new playlist continues the
 * numbering after the last number handed out, as a new discontinuity; the
 * same playlist rewritten keeps its own numbers unless they went back. */
static void restart(struct cc_livewin *w, const char *path, int64_t now_ns)
{
    bool same = w->path && !strcmp(w->path, path);
    uint64_t floor = w->any ? w->last_seq + 1 : 0;
    if (same) {
        while (w->n && ring_at(w, w->n - 1)->gen == w->gen) {
            floor = ring_at(w, w->n - 1)->seq;
            w->dseq = ring_at(w, w->n - 1)->dseq;
            chunk_free(ring_at(w, --w->n));
        }
    } else {
        free(w->path);
        w->path = cc_xstrdup(path);
        w->seq_adjust = 0;
        bool was_live = w->live_seen_ns &&
                        now_ns - w->live_seen_ns <= CC_RECORDING_FRESH_MS * 1000000LL;
        if (!was_live)
            ring_clear(w);
    }
    if (!same && w->any)
        w->dseq = w->last_dseq + 1;
    w->gen++;
    w->renumber = true;
    w->rewritten = same;
    w->seq_floor = floor;
    w->first_chunk = true;
    w->lost = false;
    w->next_us = NO_TIME;
    cc_m3u8_state_init(&w->ps);
    w->stats.full_parses++;
}

/* Can parsing go on from ps.offset? Same file (or a copy with the same
 * bytes before the offset), not shorter. */
static bool can_resume(struct cc_livewin *w, int fd, const struct stat *st)
{
    if ((uint64_t)st->st_size < w->ps.offset)
        return false;
    uint32_t crc;
    return tail_crc(w, fd, &crc) == 0 && crc == w->tail_crc;
}

static bool unchanged(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int follow(struct cc_livewin *w, const char *rel, int64_t now_ns)
{
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", w->root, rel);
    struct stat st;
    int fd = cc_open_regular(AT_FDCWD, path, 0, &st);
    if (fd < 0)
        return fd;
    int rc = 0;
    bool same = w->path && !strcmp(w->path, rel);
    if (same && unchanged(&st, &w->st))
        goto out;
    if (!same || !can_resume(w, fd, &st))
        restart(w, rel, now_ns);
    rc = parse_rest(w, fd);
    if (rc == 0 && w->next_us == NO_TIME && w->n && ring_at(w, w->n - 1)->gen == w->gen) {
        /* untimed: the playlist was written when its last chunk ended */
        int64_t end_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
        backfill(w, end_ms);
        w->next_us = end_ms * 1000;
    }
    if (rc == 0)
        rc = tail_crc(w, fd, &w->tail_crc);
    w->st = st;
    if (rc < 0)
        memset(&w->st, 0, sizeof(w->st)); /* read it all again next time */
out:
    close(fd);
    return rc;
}

/* The source's target duration, raised to the longest chunk in the window
 * (rounded as RFC 8216 rounds EXTINF against it). */
static uint32_t target_s(const struct cc_livewin *w)
{
    uint32_t t = w->ps.target_s;
    for (uint32_t i = 0; i < w->n; i++) {
        uint32_t d = (uint32_t)((ring_at(w, i)->dur_us + 500000) / 1000000);
        if (d > t)
            t = d;
    }
    return t ? t : 1;
}

uint32_t cc_livewin_target_ms(const struct cc_livewin *w)
{
    return w->path ? target_s(w) * 1000 : 0;
}

int cc_livewin_update(struct cc_livewin *w, const struct cc_day *d, uint32_t seg, int64_t now_ns)
{
    w->stats.updates++;
    w->day = d;
    w->off_min = d->off_min;
    int rc = follow(w, d->segs[seg].playlist, now_ns);
    w->day = NULL;
    if (rc < 0)
        return rc;
    int64_t mtime_ns = (int64_t)w->st.st_mtim.tv_sec * 1000000000LL + w->st.st_mtim.tv_nsec;
    bool live = !w->ps.endlist && w->n && ring_at(w, w->n - 1)->gen == w->gen &&
                cc_recording_fresh(mtime_ns, cc_livewin_target_ms(w), now_ns);
    if (live)
        w->live_seen_ns = now_ns;
    return live;
}

static void put_chunk(struct cc_buf *b, const struct lw_chunk *c, const struct lw_chunk *prev)
{
    if (prev && c->dseq != prev->dseq)
        cc_buf_puts(b, "#EXT-X-DISCONTINUITY\n");
    bool map_new = c->map && (!prev || !prev->map || strcmp(c->map, prev->map) ||
                              c->map_off != prev->map_off);
    if (map_new) {
        cc_buf_printf(b, "#EXT-X-MAP:URI=\"%s\"", c->map);
        if (c->map_has_range)
            cc_buf_printf(b, ",BYTERANGE=\"%llu@%llu\"", (unsigned long long)c->map_len,
                          (unsigned long long)c->map_off);
        cc_buf_putc(b, '\n');
    }
    if (c->pdt_ms != NO_TIME) {
        char iso[CC_ISO_MAX];
        size_t n = cc_iso_format(c->pdt_ms, c->off_min, iso);
        cc_buf_puts(b, "#EXT-X-PROGRAM-DATE-TIME:");
        cc_buf_append(b, iso, n);
        cc_buf_putc(b, '\n');
    }
    cc_buf_printf(b, "#EXTINF:%lld.%06lld,\n", (long long)(c->dur_us / 1000000),
                  (long long)(c->dur_us % 1000000));
    if (c->has_range)
        cc_buf_printf(b, "#EXT-X-BYTERANGE:%llu@%llu\n", (unsigned long long)c->range_len,
                      (unsigned long long)c->range_off);
    cc_buf_puts(b, c->uri);
    cc_buf_putc(b, '\n');
}

void cc_livewin_render(const struct cc_livewin *w, struct cc_buf *out)
{
    bool fmp4 = false;
    for (uint32_t i = 0; i < w->n; i++)
        fmp4 = fmp4 || ring_at(w, i)->map;
    const struct lw_chunk *first = w->n ? ring_at(w, 0) : NULL;
    cc_buf_printf(out,
                  "#EXTM3U\n#EXT-X-VERSION:%d\n#EXT-X-TARGETDURATION:%u\n"
                  "#EXT-X-MEDIA-SEQUENCE:%llu\n#EXT-X-DISCONTINUITY-SEQUENCE:%llu\n",
                  fmp4 ? 7 : 4, target_s(w), (unsigned long long)(first ? first->seq : 0),
                  (unsigned long long)(first ? first->dseq : 0));
    for (uint32_t i = 0; i < w->n; i++)
        put_chunk(out, ring_at(w, i), i ? ring_at(w, i - 1) : NULL);
}

void cc_livewin_get_stats(const struct cc_livewin *w, struct cc_livewin_stats *out)
{
    *out = w->stats;
}
