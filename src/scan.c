#include "scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "bytes.h"
#include "crc32.h"
#include "events.h"
#include "fsutil.h"
#include "hash.h"
#include "log.h"
#include "mem.h"
#include "urlpath.h"
#include "nameset.h"
#include "probe.h"

#define EVENTS_NAME "events.txt"

/* ---- a folder's entry names, for "is this chunk on disk?" ------------- */

struct nameset {
    struct cc_nameset names; /* only the names /rec serves (cc_urlpath_chunk_name) */
    uint32_t media;          /* entries that look like media chunks, served or not */
};

/* s (n bytes) ends in the literal suf. */
#define has_suffix(s, n, suf) \
    ((n) >= sizeof(suf) - 1 && memcmp((s) + (n) - (sizeof(suf) - 1), suf, sizeof(suf) - 1) == 0)

static bool is_media_name(const char *s, size_t n)
{
    return has_suffix(s, n, ".ts") || has_suffix(s, n, ".m4s") || has_suffix(s, n, ".mp4") ||
           has_suffix(s, n, ".aac") || has_suffix(s, n, ".m4v");
}

static void nameset_add(struct nameset *ns, const char *name, size_t len, bool served)
{
    if (served)
        cc_nameset_add(&ns->names, name, len);
    if (is_media_name(name, len))
        ns->media++;
}

static bool nameset_has(const struct nameset *ns, const char *name, size_t len)
{
    return cc_nameset_has(&ns->names, name, len);
}

static void nameset_clear(struct nameset *ns)
{
    cc_nameset_clear(&ns->names);
    ns->media = 0;
}

/* ---- listing ------------------------------------------------------------ */

struct folder {
    char *name;
    uint64_t num;
    struct cc_fprint fp; /* the folder's own, from the day's listing */
};

/* A folder number: digits that fit a uint64_t. */
static bool all_digits(const char *s)
{
    return strlen(s) <= 18 && cc_bytes_digits(s);
}

static int cmp_folder(const void *a, const void *b)
{
    const struct folder *x = a, *y = b;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Segment folders of a day folder, in recording order. */
static int list_day(int dfd, struct folder **out, size_t *n)
{
    DIR *dir = cc_opendir_fd(dfd);
    if (!dir)
        return -errno;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        struct stat st;
        if (!all_digits(de->d_name) || fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISDIR(st.st_mode))
            continue;
        cc_grow(out, &cap, *n + 1, sizeof(**out));
        cc_fprint_from_stat(&(*out)[*n].fp, &st);
        (*out)[*n].name = cc_xstrdup(de->d_name);
        (*out)[(*n)++].num = strtoull(de->d_name, NULL, 10);
    }
    closedir(dir);
    if (*n)
        qsort(*out, *n, sizeof(**out), cmp_folder);
    return 0;
}

/* Playlists (sorted), events file presence and all names of a folder (ns,
 * emptied first). */
static int list_folder(int fd_in, char ***pls, size_t *npl, bool *has_events, struct nameset *ns)
{
    struct cc_dir dir;
    cc_dir_open(&dir, fd_in);
    size_t cap = 0;
    *pls = NULL;
    *npl = 0;
    *has_events = false;
    nameset_clear(ns);
    const char *nm;
    unsigned char type;
    /* an error ends the listing where it stopped, as readdir did */
    while (cc_dir_next(&dir, &nm, &type) > 0) {
        if (nm[0] == '.' || type == DT_LNK)
            continue;
        size_t len;
        bool served = cc_urlpath_chunk_name(nm, &len);
        nameset_add(ns, nm, len, served);
        if (type != DT_REG && type != DT_UNKNOWN)
            continue;
        if (len > 5 && has_suffix(nm, len, ".m3u8")) {
            cc_grow(pls, &cap, *npl + 1, sizeof(**pls));
            (*pls)[(*npl)++] = cc_xstrdup(nm);
        } else if (len == sizeof(EVENTS_NAME) - 1 && memcmp(nm, EVENTS_NAME, len) == 0) {
            *has_events = true;
        }
    }
    cc_dir_close(&dir);
    if (*npl)
        qsort(*pls, *npl, sizeof(**pls), cmp_str);
    return 0;
}

/* ---- parsing one playlist ------------------------------------------------ */

struct seg_ctx {
    struct cc_day *day;
    uint32_t seg_idx;
    int dirfd;
    const struct nameset *ns;        /* NULL: no listing, a stat decides */
    const struct cc_m3u8_state *pst; /* the parse in progress */
    bool sizes;                      /* count chunk bytes (a stat each) */
    struct cc_scan_stats *stats;
    size_t missing_cap;
    char first_uri[256];
    uint32_t new_present;
};

static struct cc_segment *ctx_seg(struct seg_ctx *x)
{
    return &x->day->segs[x->seg_idx];
}

/* The common case of a cold index, with no system call and no check of the
 * name's bytes: the listing holds only names /rec serves, so a URI naming
 * one of them (after any leading "./") is one. */
static bool in_listing(const struct nameset *ns, const char *uri, size_t len)
{
    while (len >= 2 && uri[0] == '.' && uri[1] == '/') {
        uri += 2;
        len -= 2;
    }
    return nameset_has(ns, uri, len);
}

/* Is a chunk's file on disk, servable from /rec/, and (when x->sizes) how
 * many bytes does it take? Only names /rec/ serves count (cc_urlpath_chunk:
 * one pass; a leading "./" dropped). A plain name is present when the folder
 * listing has it (symlinks are left out of it: /rec does not serve them): no
 * system call. A size, or a name with a folder in it, costs one stat. */
static bool uri_present(struct seg_ctx *x, const char *uri, size_t len, uint64_t *bytes)
{
    *bytes = 0;
    if (x->ns && !x->sizes && in_listing(x->ns, uri, len))
        return true;
    bool plain;
    uri = cc_urlpath_chunk_plain(uri, &len, &plain);
    if (!uri)
        return false;
    if (plain && x->ns && !nameset_has(x->ns, uri, len))
        return false;
    if (plain && !x->sizes)
        return true;
    char path[CC_URLPATH_MAX];
    memcpy(path, uri, len);
    path[len] = '\0';
    struct stat st;
    bool reg = fstatat(x->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
    if (reg && x->sizes)
        *bytes = (uint64_t)st.st_blocks * 512;
    x->stats->chunks_sized += x->sizes;
    return plain || reg;
}

/* A chunk's bytes (and its EXT-X-MAP file's at a new map) to s->media_bytes;
 * a byte range past 0 lies in a file counted at its first range. */
static bool count_chunk(struct seg_ctx *x, const struct cc_m3u8_chunk *c)
{
    struct cc_segment *s = ctx_seg(x);
    uint64_t bytes = 0;
    if (c->map_changed && uri_present(x, x->pst->map_uri, strlen(x->pst->map_uri), &bytes))
        s->media_bytes += bytes;
    bool present = uri_present(x, c->uri, c->uri_len, &bytes);
    if (present && (!c->has_range || c->range_off == 0))
        s->media_bytes += bytes;
    return present;
}

/* Counting stops at the chunks the index holds: bytes appended since are
 * counted with them, at the next count. */
#define COUNT_DONE (-ECANCELED)

static int on_count_chunk(void *ud, const struct cc_m3u8_chunk *c)
{
    struct seg_ctx *x = ud;
    if (c->index >= ctx_seg(x)->nchunks)
        return COUNT_DONE;
    count_chunk(x, c);
    return 0;
}

static int on_chunk(void *ud, const struct cc_m3u8_chunk *c)
{
    struct seg_ctx *x = ud;
    struct cc_segment *s = ctx_seg(x);
    if (c->index == 0 && c->uri_len < sizeof(x->first_uri)) {
        memcpy(x->first_uri, c->uri, c->uri_len);
        x->first_uri[c->uri_len] = '\0';
    }
    uint32_t idx = s->nchunks;
    cc_chunkname_feed(&s->names, idx, c->uri, c->uri_len, c->has_range, c->map_changed);
    cc_segment_add_chunk(s, x->day, c);
    /* A cold index's chunk goes straight to the listing; one not in it (a
     * name with a folder, a missing file), sizes or a new EXT-X-MAP take the
     * long way. */
    bool fast = x->ns && !x->sizes && !c->map_changed;
    bool present = (fast && in_listing(x->ns, c->uri, c->uri_len)) || count_chunk(x, c);
    if (!x->sizes)
        s->flags &= ~(uint32_t)CC_SEG_SIZED; /* this chunk's bytes are not in */
    if (present) {
        x->new_present++;
    } else {
        cc_grow(&s->missing, &x->missing_cap, s->nmissing + 1, sizeof(*s->missing));
        s->missing[s->nmissing++] = idx;
    }
    return 0;
}

static void on_daterange(void *ud, const struct cc_m3u8_daterange *dr)
{
    struct seg_ctx *x = ud;
    if (dr->cls_len != 6 || memcmp(dr->cls, "motion", 6) != 0)
        return;
    if (!cc_day_pdt_plausible(x->day, dr->start_ms, dr->start_off_min))
        return;
    struct cc_event e = {.start_ms = dr->start_ms,
                         .src = CC_EV_DATERANGE,
                         .src_seg = (uint16_t)x->seg_idx};
    e.end_ms = dr->has_end ? dr->end_ms : dr->has_dur ? dr->start_ms + dr->dur_ms : dr->start_ms;
    if (e.end_ms < e.start_ms)
        e.end_ms = e.start_ms;
    if (e.end_ms - e.start_ms > CC_MS_PER_DAY)
        e.end_ms = e.start_ms + CC_MS_PER_DAY;
    e.id_hash = dr->id_len ? cc_hash32(CC_HASH32_INIT, dr->id, dr->id_len) : 0;
    char label[CC_EVENT_LABEL_MAX + 1];
    size_t n = cc_label_clip(dr->label, dr->label_len, CC_EVENT_LABEL_MAX);
    memcpy(label, dr->label, n);
    label[n] = '\0';
    cc_day_add_event(x->day, &e, label);
}

/* CRC of the CC_TAIL_CRC_BYTES before end (fewer at the start of the file):
 * what says a playlist still holds the bytes an index parsed. */
static int tail_crc(int fd, uint64_t end, uint32_t *crc)
{
    char tail[CC_TAIL_CRC_BYTES];
    size_t n = end > sizeof(tail) ? sizeof(tail) : (size_t)end;
    ssize_t r;
    do
        r = pread(fd, tail, n, (off_t)(end - n));
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;
    if ((size_t)r != n)
        return -EAGAIN; /* shorter: the file shrank */
    *crc = cc_crc32(0, tail, n);
    return 0;
}

/* Tries to continue old's parse: the file must still hold the bytes it had. */
static bool can_resume(const struct cc_segment *old, int fd, uint64_t size)
{
    uint64_t end = old->pst.offset;
    uint32_t crc;
    return end > 0 && size >= end && tail_crc(fd, end, &crc) == 0 && crc == old->tail_crc;
}

static void place_untimed(struct cc_segment *s, struct seg_ctx *x, const struct stat *pl_st,
                          bool resumed)
{
    if ((s->flags & CC_SEG_TIMED) || !s->nchunks)
        return;
    s->flags |= CC_SEG_UNTIMED;
    if (resumed && s->base_ms)
        return; /* keep the placement made when it was first parsed */
    struct cc_chunk_iter it;
    int64_t t;
    uint32_t first_dur = 0, idx;
    cc_chunk_iter_init(&it, s);
    cc_chunk_iter_next(&it, &t, &first_dur, &idx, NULL);
    struct stat st;
    int64_t base;
    if (x->first_uri[0] && !strchr(x->first_uri, '/') &&
        fstatat(x->dirfd, x->first_uri, &st, AT_SYMLINK_NOFOLLOW) == 0)
        base = st.st_mtim.tv_sec * 1000LL + st.st_mtim.tv_nsec / 1000000 - first_dur;
    else
        base = pl_st->st_mtim.tv_sec * 1000LL + pl_st->st_mtim.tv_nsec / 1000000 - s->dur_ms;
    cc_segment_rebase(s, base);
}

static void copy_seg_events(struct cc_day *d, const struct cc_day *old, uint32_t old_idx,
                            uint32_t new_idx)
{
    for (uint32_t i = 0; i < old->nraw; i++) {
        const struct cc_event *e = &old->raw[i];
        if (e->src != CC_EV_DATERANGE || e->src_seg != old_idx)
            continue;
        struct cc_event c = *e;
        c.src_seg = (uint16_t)new_idx;
        cc_day_add_event(d, &c, e->label);
    }
}

/* Takes back the segment just added at idx (the last one). */
static void drop_last_segment(struct cc_day *d, uint32_t idx)
{
    struct cc_segment *s = &d->segs[idx];
    d->nsegs--;
    cc_day_drop_events(d, CC_EV_DATERANGE, (uint16_t)idx);
    free(s->id);
    free(s->playlist);
    free(s->spans);
    free(s->runs);
    free(s->missing);
}

struct pl_job {
    const char *rel; /* playlist path relative to ROOT */
    const char *folder;
    const char *name; /* file name in the folder */
    int dirfd;
    const struct nameset *ns;
    bool folder_changed;
    bool multi; /* folder holds several playlists */
    bool sizes; /* count chunk bytes while parsing */
};

/* Parses (or resumes) one playlist into a new segment of d, streamed in
 * blocks: what is held is bounded by CC_M3U8_LINE_MAX, not the file. */
static int index_playlist(struct cc_day *d, const struct cc_day *old, const struct cc_segment *os,
                          uint32_t os_idx, const struct pl_job *job, const struct stat *st,
                          struct cc_scan_stats *stats, bool *changed)
{
    int fd = cc_open_regular(job->dirfd, job->name, 0, NULL);
    if (fd < 0)
        return fd;
    bool resume = os && can_resume(os, fd, (uint64_t)st->st_size);
    uint32_t idx = d->nsegs;
    struct cc_segment *s;
    if (resume) {
        s = cc_day_copy_segment(d, os);
        copy_seg_events(d, old, os_idx, idx);
        cc_segment_reopen(s);
    } else {
        s = cc_day_add_segment(d, job->folder, job->rel);
    }
    cc_fprint_from_stat(&s->fp, st);
    s->pl_bytes = (uint64_t)st->st_blocks * 512;
    s->flags &= ~(uint32_t)CC_SEG_NOTED; /* read from the file now */
    struct seg_ctx x = {.day = d,
                        .seg_idx = idx,
                        .dirfd = job->dirfd,
                        .ns = job->ns,
                        .pst = &s->pst,
                        .sizes = job->sizes,
                        .stats = stats,
                        .missing_cap = s->nmissing};
    /* Counted in full here, or from a count the resumed segment had. */
    bool sized = job->sizes && (!resume || (s->flags & CC_SEG_SIZED));
    uint32_t before = s->nchunks, before_missing = s->nmissing;
    bool before_end = s->pst.endlist;
    struct cc_m3u8_handler h = {on_chunk, on_daterange, &x};
    uint64_t parsed = 0;
    int rc = cc_m3u8_parse_fd(fd, &s->pst, &h, &parsed);
    s = ctx_seg(&x);
    if (rc == 0)
        rc = tail_crc(fd, s->pst.offset, &s->tail_crc);
    close(fd);
    if (rc < 0) {
        drop_last_segment(d, idx);
        return rc;
    }
    if (s->pst.endlist)
        s->flags |= CC_SEG_ENDLIST;
    if (sized)
        s->flags |= CC_SEG_SIZED;
    cc_segment_flush(s);
    stats->bytes_parsed += parsed;
    if (resume) {
        /* A chunk deleted from a growing folder shows as fewer media files
         * than the chunks we believe present: then parse it all again. */
        uint32_t expect = (before - before_missing) + x.new_present;
        if (job->folder_changed && (job->multi || job->ns->media < expect)) {
            drop_last_segment(d, idx);
            return index_playlist(d, old, NULL, 0, job, st, stats, changed);
        }
        stats->playlists_resumed++;
        *changed = *changed || s->nchunks != before || s->pst.endlist != before_end ||
                   s->nmissing != before_missing;
        *changed = *changed || !cc_fprint_equal(&os->fp, &s->fp);
    } else {
        stats->playlists_full++;
        *changed = true;
    }
    place_untimed(s, &x, st, resume);
    return 0;
}

/* ---- the day ------------------------------------------------------------- */

struct ev_ctx {
    struct cc_day *day;
    uint16_t idx;
    uint32_t implausible;
    uint32_t bad;
};

static void on_event_line(void *ud, const struct cc_event_line *ev)
{
    struct ev_ctx *x = ud;
    if (!cc_day_pdt_plausible(x->day, ev->start_ms, x->day->off_min)) {
        x->implausible++; /* a century off is as bad as unparsable */
        return;
    }
    struct cc_event e = {.start_ms = ev->start_ms,
                         .end_ms = ev->end_ms,
                         .src = CC_EV_FILE,
                         .src_seg = x->idx};
    char label[CC_EVENT_LABEL_MAX + 1];
    memcpy(label, ev->label, ev->label_len);
    label[ev->label_len] = '\0';
    cc_day_add_event(x->day, &e, label);
}

static int on_events_line(void *ud, const char *line, size_t len)
{
    struct ev_ctx *x = ud;
    x->bad += cc_events_parse(line, len, x->day->off_min, on_event_line, x);
    return 0;
}

/* events.txt line by line: a line over CC_M3U8_LINE_MAX is a bad line, as in
 * a playlist, and the file's size costs no memory. */
static void read_events(struct cc_day *d, int dirfd, struct cc_evfile *f, uint16_t idx)
{
    int fd = cc_open_regular(dirfd, EVENTS_NAME, 0, NULL);
    struct ev_ctx x = {d, idx, 0, 0};
    int rc = fd < 0 ? fd : cc_read_lines(fd, CC_M3U8_LINE_MAX, on_events_line, &x, &x.bad);
    if (rc < 0)
        cc_warn("%s: cannot read: %s", f->path, strerror(-rc));
    f->bad_lines = x.bad + x.implausible;
    if (fd >= 0)
        close(fd);
}

/* Possibly changed since `since`: a different fingerprint, or an mtime so
 * close to (or after) the last check that a later write could hide in it. */
static bool maybe_changed(const struct cc_fprint *old, const struct stat *st, int64_t since)
{
    struct cc_fprint now;
    cc_fprint_from_stat(&now, st);
    return !cc_fprint_equal(old, &now) || now.mtime_ns >= since - CC_MTIME_SLACK_NS;
}

/* The same for a segment's playlist or folder: a noted segment's
 * fingerprints are exact (its writer took them after its last write). */
static bool seg_changed(const struct cc_segment *os, const struct cc_fprint *old,
                        const struct stat *st, int64_t since)
{
    if (!(os->flags & CC_SEG_NOTED))
        return maybe_changed(old, st, since);
    struct cc_fprint now;
    cc_fprint_from_stat(&now, st);
    return !cc_fprint_equal(old, &now);
}

static const struct cc_segment *find_old_seg(const struct cc_day *old, const char *rel,
                                             uint32_t *idx)
{
    for (uint32_t i = 0; old && i < old->nsegs; i++) {
        if (strcmp(old->segs[i].playlist, rel) == 0) {
            *idx = i;
            return &old->segs[i];
        }
    }
    return NULL;
}

static const struct cc_evfile *find_old_evfile(const struct cc_day *old, const char *rel,
                                               uint16_t *idx)
{
    for (uint32_t i = 0; old && i < old->nevfiles; i++) {
        if (strcmp(old->evfiles[i].path, rel) == 0) {
            *idx = (uint16_t)i;
            return &old->evfiles[i];
        }
    }
    return NULL;
}

struct pending_ev {
    int fd;      /* the folder */
    int old_idx; /* its record in the old index, -1 if new */
};

struct day_scan {
    const char *root;
    struct cc_day *d;
    const struct cc_day *old;
    int64_t since; /* the old index's last check */
    struct cc_scan_stats *stats;
    bool sizes; /* every segment CC_SEG_SIZED */
    bool changed;
    uint32_t hash;
    int day_fd;
    uint32_t quiet_at; /* cursor in old->quiet (folders come in order) */
    struct nameset ns; /* the folder being scanned's names (memory kept) */
    /* events files waiting for the day's offset, by folder fd */
    struct pending_ev *ev; /* events files to read once the offset is known */
    size_t nev, ev_cap;
};

/* The entries of a folder the old index saw, if the folder is unchanged
 * since: its playlists (by name, in order) and whether it had events.txt. */
static bool old_entries(const struct day_scan *sc, const char *name, const struct stat *dst,
                        char ***pls, size_t *npl, bool *has_events)
{
    const struct cc_day *old = sc->old;
    size_t cap = 0;
    *npl = 0;
    *pls = NULL;
    for (uint32_t i = 0; old && i < old->nsegs; i++) {
        const struct cc_segment *s = &old->segs[i];
        if (strcmp(s->id, name) != 0)
            continue;
        if (seg_changed(s, &s->dir_fp, dst, sc->since))
            goto changed;
        const char *base = strrchr(s->playlist, '/');
        cc_grow(pls, &cap, *npl + 1, sizeof(**pls));
        (*pls)[(*npl)++] = cc_xstrdup(base ? base + 1 : s->playlist);
    }
    if (*npl == 0)
        return false;
    char ev[64];
    snprintf(ev, sizeof(ev), "%s/%s/%s", old->name, name, EVENTS_NAME);
    *has_events = false;
    for (uint32_t i = 0; i < old->nevfiles; i++)
        *has_events = *has_events || strcmp(old->evfiles[i].path, ev) == 0;
    return true;
changed:
    for (size_t k = 0; k < *npl; k++)
        free((*pls)[k]);
    free(*pls);
    *pls = NULL;
    *npl = 0;
    return false;
}

/* Counts the bytes of a segment's chunk files: its playlist read again up
 * to where the index parsed it, one stat per chunk. Off the request path:
 * only cc_scan_update_sizes() comes here, once per segment. */
static void count_segment(struct day_scan *sc, int dirfd, const char *name, uint32_t idx)
{
    struct cc_segment *s = &sc->d->segs[idx];
    struct cc_m3u8_state ps;
    cc_m3u8_state_init(&ps);
    struct seg_ctx x = {.day = sc->d,
                        .seg_idx = idx,
                        .dirfd = dirfd,
                        .pst = &ps,
                        .sizes = true,
                        .stats = sc->stats};
    struct cc_m3u8_handler h = {on_count_chunk, NULL, &x};
    uint64_t bytes = s->media_bytes;
    s->media_bytes = 0;
    int fd = cc_open_regular(dirfd, name, 0, NULL);
    int rc = fd < 0 ? fd : cc_m3u8_parse_fd(fd, &ps, &h, NULL);
    if (fd >= 0)
        close(fd);
    if (rc < 0 && rc != COUNT_DONE) {
        cc_warn("%s: cannot count its chunks: %s", s->playlist, strerror(-rc));
        s->media_bytes = bytes; /* left uncounted: the next count tries again */
        return;
    }
    s->flags |= CC_SEG_SIZED;
    sc->stats->segments_sized++;
    sc->changed = true;
}

/* The first chunk's URI: the playlist parsed only up to its first chunk. */
struct first_uri {
    char uri[CC_URLPATH_MAX];
    uint32_t dur_ms;
};

#define FIRST_DONE (-ECANCELED)

static int on_first_chunk(void *ud, const struct cc_m3u8_chunk *c)
{
    struct first_uri *f = ud;
    size_t len = c->uri_len;
    const char *uri = cc_urlpath_chunk(c->uri, &len);
    if (uri && len < sizeof(f->uri)) {
        memcpy(f->uri, uri, len);
        f->uri[len] = '\0';
    }
    f->dur_ms = (uint32_t)((c->dur_us + 500) / 1000);
    return FIRST_DONE;
}

/* Probes a segment's first chunk, once (props.probed is kept in the
 * sidecar, found or not): the playlist's head, then about the first
 * keyframe and audio frame of the chunk (see probe.h), not the chunk. */
static void probe_segment(struct day_scan *sc, int dirfd, const char *name, uint32_t idx)
{
    struct cc_segment *s = &sc->d->segs[idx];
    struct cc_media_props m = {.probed = true};
    struct first_uri f = {{0}, 0};
    struct cc_m3u8_state ps;
    cc_m3u8_state_init(&ps);
    struct cc_m3u8_handler h = {on_first_chunk, NULL, &f};
    int fd = cc_open_regular(dirfd, name, 0, NULL);
    int rc = fd < 0 ? fd : cc_m3u8_parse_fd(fd, &ps, &h, NULL);
    if (fd >= 0)
        close(fd);
    if (rc < 0 && rc != FIRST_DONE)
        return; /* unreadable now: tried again at the next refresh */
    m.chunk_ms = f.dur_ms;
    struct stat st;
    fd = f.uri[0] && !(s->flags & CC_SEG_FMP4) ? cc_open_regular(dirfd, f.uri, 0, &st) : -ENOENT;
    if (fd >= 0) {
        struct cc_probe p;
        cc_probe_init(&p, true);
        uint64_t read = 0;
        if (cc_probe_fd(&p, fd, &read) == 0)
            cc_probe_media_props(&p.props, &m);
        m.chunk_bytes = (uint64_t)st.st_size;
        sc->stats->probe_bytes += read;
        cc_probe_free(&p);
        close(fd);
    }
    s->props = m;
    sc->stats->segments_probed++;
    sc->changed = true;
}

/* The playlists of one folder: reused when stat says nothing changed. */
static int scan_folder(struct day_scan *sc, const char *name)
{
    int fd = openat(sc->day_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0; /* vanished or unreadable: as if absent */
    struct stat dst;
    fstat(fd, &dst);
    struct nameset *ns = &sc->ns;
    char **pls = NULL;
    size_t npl = 0;
    bool has_events = false;
    /* An unchanged folder has the entries it had: no listing (with 43,000
     * chunks a listing costs milliseconds), the playlists come from the old
     * index. A folder is listed only when it changed or a playlist needs
     * parsing (to see which chunks are on disk). */
    bool listed = !old_entries(sc, name, &dst, &pls, &npl, &has_events);
    int rc = listed ? list_folder(fd, &pls, &npl, &has_events, ns) : 0;
    sc->stats->dirs_listed += listed;
    if (rc < 0)
        goto out;
    struct cc_buf rel;
    cc_buf_init(&rel);
    for (size_t i = 0; i < npl && rc == 0; i++) {
        cc_buf_reset(&rel);
        cc_buf_printf(&rel, "%s/%s/%s", sc->d->name, name, pls[i]);
        sc->hash = cc_hash32(sc->hash, rel.data, rel.len + 1);
        struct stat st;
        if (fstatat(fd, pls[i], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
            continue;
        uint32_t oi = 0;
        const struct cc_segment *os = find_old_seg(sc->old, rel.data, &oi);
        bool folder_changed = !os || seg_changed(os, &os->dir_fp, &dst, sc->since);
        struct cc_segment *s;
        if (os && !folder_changed && !seg_changed(os, &os->fp, &st, sc->since)) {
            uint32_t idx = sc->d->nsegs;
            s = cc_day_copy_segment(sc->d, os);
            copy_seg_events(sc->d, sc->old, oi, idx);
            sc->stats->playlists_reused++;
        } else {
            if (!listed) {
                char **again = NULL;
                size_t nagain = 0;
                bool ev;
                rc = list_folder(fd, &again, &nagain, &ev, ns);
                for (size_t k = 0; k < nagain; k++)
                    free(again[k]);
                free(again);
                sc->stats->dirs_listed++;
                listed = true;
                if (rc < 0)
                    break;
            }
            struct pl_job job = {rel.data, name,           pls[i],  fd,
                                 ns,       folder_changed, npl > 1, sc->sizes};
            rc = index_playlist(sc->d, sc->old, os, oi, &job, &st, sc->stats, &sc->changed);
            if (rc < 0) {
                cc_warn("%s: cannot index: %s", rel.data, strerror(-rc));
                rc = 0; /* an unreadable playlist is skipped, not fatal */
                continue;
            }
            s = &sc->d->segs[sc->d->nsegs - 1];
        }
        if (sc->sizes && !(s->flags & CC_SEG_SIZED))
            count_segment(sc, fd, pls[i], sc->d->nsegs - 1);
        if (!s->props.probed && s->nchunks)
            probe_segment(sc, fd, pls[i], sc->d->nsegs - 1);
        cc_fprint_from_stat(&s->dir_fp, &dst);
        if (os && !cc_fprint_equal(&os->dir_fp, &s->dir_fp))
            sc->changed = true;
    }
    if (has_events) {
        cc_buf_reset(&rel);
        cc_buf_printf(&rel, "%s/%s/%s", sc->d->name, name, EVENTS_NAME);
        sc->hash = cc_hash32(sc->hash, rel.data, rel.len + 1);
        struct stat st;
        if (fstatat(fd, EVENTS_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
            struct cc_evfile f = {.path = rel.data};
            cc_fprint_from_stat(&f.fp, &st);
            uint16_t oi = 0;
            const struct cc_evfile *of = find_old_evfile(sc->old, rel.data, &oi);
            uint16_t idx = (uint16_t)sc->d->nevfiles;
            struct cc_evfile *nf = cc_day_add_evfile(sc->d, of ? of : &f);
            nf->bytes = (uint64_t)st.st_blocks * 512;
            if (of && !maybe_changed(&of->fp, &st, sc->since)) {
                for (uint32_t k = 0; k < sc->old->nraw; k++) {
                    const struct cc_event *e = &sc->old->raw[k];
                    if (e->src == CC_EV_FILE && e->src_seg == oi) {
                        struct cc_event c = *e;
                        c.src_seg = idx;
                        cc_day_add_event(sc->d, &c, e->label);
                    }
                }
            } else {
                nf->fp = f.fp;
                cc_grow(&sc->ev, &sc->ev_cap, sc->nev + 1, sizeof(*sc->ev));
                sc->ev[sc->nev++] = (struct pending_ev){dup(fd), of ? oi : -1};
                nf->bad_lines = UINT32_MAX; /* marks "read after the playlists" */
            }
        }
    }
    cc_buf_free(&rel);
out:
    for (size_t i = 0; i < npl; i++)
        free(pls[i]);
    free(pls);
    close(fd);
    return rc;
}

/* Did re-reading an events file change anything the index keeps? A file
 * re-read only because its mtime is close to the last check usually did not. */
static bool events_differ(const struct cc_day *d, uint16_t idx, const struct cc_day *old,
                          int old_idx)
{
    const struct cc_evfile *a = &d->evfiles[idx], *b = &old->evfiles[old_idx];
    if (!cc_fprint_equal(&a->fp, &b->fp) || a->bad_lines != b->bad_lines)
        return true;
    uint32_t i = 0, k = 0;
    for (;;) {
        while (i < d->nraw && !(d->raw[i].src == CC_EV_FILE && d->raw[i].src_seg == idx))
            i++;
        while (k < old->nraw && !(old->raw[k].src == CC_EV_FILE && old->raw[k].src_seg == old_idx))
            k++;
        if (i == d->nraw || k == old->nraw)
            return (i == d->nraw) != (k == old->nraw);
        const struct cc_event *x = &d->raw[i++], *y = &old->raw[k++];
        if (x->start_ms != y->start_ms || x->end_ms != y->end_ms || strcmp(x->label, y->label))
            return true;
    }
}

/* Events files are read last: a start without a zone needs the day's offset. */
static void read_pending_events(struct day_scan *sc)
{
    size_t k = 0;
    for (uint32_t i = 0; i < sc->d->nevfiles; i++) {
        struct cc_evfile *f = &sc->d->evfiles[i];
        if (f->bad_lines != UINT32_MAX)
            continue;
        f->bad_lines = 0;
        struct pending_ev *p = &sc->ev[k++];
        read_events(sc->d, p->fd, f, (uint16_t)i);
        close(p->fd);
        p->fd = -1;
        if (p->old_idx < 0 || events_differ(sc->d, (uint16_t)i, sc->old, p->old_idx))
            sc->changed = true;
    }
}

static void mark_last(struct cc_day *d)
{
    for (uint32_t i = 0; i < d->nsegs; i++) {
        if (i + 1 == d->nsegs)
            d->segs[i].flags |= CC_SEG_LAST;
        else
            d->segs[i].flags &= ~(uint32_t)CC_SEG_LAST;
    }
}

static bool last_flags_moved(const struct cc_day *d, const struct cc_day *old)
{
    if (!old || !old->nsegs || !d->nsegs)
        return old && old->nsegs != d->nsegs;
    const struct cc_segment *a = &d->segs[d->nsegs - 1], *b = &old->segs[old->nsegs - 1];
    return strcmp(a->playlist, b->playlist) != 0;
}

/* A folder that held nothing indexed last time and whose own fingerprint
 * has not changed since still holds nothing: one stat (the day's listing)
 * instead of open, list and close, for each of thousands of empty folders. */
static bool quiet_unchanged(struct day_scan *sc, const struct folder *f)
{
    const struct cc_day *old = sc->old;
    size_t len = strlen(f->name);
    while (old && sc->quiet_at < old->nquiet && old->quiet[sc->quiet_at].num < f->num)
        sc->quiet_at++;
    for (uint32_t i = sc->quiet_at; old && i < old->nquiet && old->quiet[i].num == f->num; i++) {
        const struct cc_quiet_dir *q = &old->quiet[i];
        if (q->name_len != len)
            continue;
        return q->size == f->fp.size && q->mtime_ns == f->fp.mtime_ns &&
               f->fp.mtime_ns < sc->since - CC_MTIME_SLACK_NS;
    }
    return false;
}

static void add_quiet(struct cc_day *d, const struct folder *f)
{
    cc_grow(&d->quiet, &d->quiet_cap, d->nquiet + 1, sizeof(*d->quiet));
    d->quiet[d->nquiet++] = (struct cc_quiet_dir){f->num, (uint32_t)strlen(f->name),
                                                  (uint32_t)f->fp.size, f->fp.mtime_ns};
}

/* Every numbered folder of the day, in order. */
static int scan_folders(struct day_scan *sc, const struct folder *fl, size_t nfl)
{
    int rc = 0;
    for (size_t i = 0; i < nfl && rc == 0; i++) {
        if (quiet_unchanged(sc, &fl[i])) {
            add_quiet(sc->d, &fl[i]);
            sc->stats->dirs_skipped++;
            continue;
        }
        uint32_t segs = sc->d->nsegs, evs = sc->d->nevfiles;
        rc = scan_folder(sc, fl[i].name);
        if (rc == 0 && sc->d->nsegs == segs && sc->d->nevfiles == evs)
            add_quiet(sc->d, &fl[i]);
    }
    return rc;
}

static int scan_day(const char *root, const struct cc_date *date, const struct cc_day *old,
                    bool sizes, struct cc_day **out, bool *changed, struct cc_scan_stats *stats)
{
    struct cc_scan_stats dummy;
    if (!stats)
        stats = &dummy;
    memset(stats, 0, sizeof(*stats));
    *out = NULL;
    *changed = false;
    struct day_scan sc = {.root = root,
                          .old = old,
                          .stats = stats,
                          .sizes = sizes,
                          .hash = CC_HASH32_INIT};
    sc.since = old ? old->built_ns : 0;
    struct cc_buf path;
    cc_buf_init(&path);
    char name[11];
    cc_date_format(date, name);
    cc_buf_printf(&path, "%s/%s", root, name);
    struct folder *fl = NULL;
    size_t nfl = 0;
    int rc = 0;
    sc.day_fd = open(path.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (sc.day_fd < 0) {
        rc = errno == ENOTDIR || errno == ELOOP ? -ENOENT : -errno;
        goto out;
    }
    rc = list_day(sc.day_fd, &fl, &nfl);
    if (rc < 0)
        goto out;
    sc.d = cc_day_new(date);
    sc.d->built_ns = cc_now_ns();
    sc.d->off_min = old ? old->off_min
                        : cc_local_offset_min(cc_date_start_ms(date, 0) + CC_MS_PER_DAY / 2);
    struct stat dst;
    if (fstat(sc.day_fd, &dst) == 0)
        cc_fprint_from_stat(&sc.d->dir_fp, &dst);
    rc = scan_folders(&sc, fl, nfl);
    if (rc < 0)
        goto out;
    mark_last(sc.d);
    /* The day's offset (first timed playlist) before events files use it. */
    cc_day_finish(sc.d);
    read_pending_events(&sc);
    sc.d->entries_hash = sc.hash;
    if (old && (old->entries_hash != sc.hash || last_flags_moved(sc.d, old) ||
                old->off_min != sc.d->off_min))
        sc.changed = true;
    cc_day_finish(sc.d);
    *changed = !old || sc.changed;
    /* a day loaded from a sidecar learns its quiet folders once */
    if (old && !sc.changed && old->nquiet == sc.d->nquiet) {
        cc_day_free(sc.d);
    } else {
        *out = sc.d;
    }
    sc.d = NULL;
out:
    for (size_t i = 0; i < nfl; i++)
        free(fl[i].name);
    free(fl);
    for (size_t i = 0; i < sc.nev; i++)
        if (sc.ev[i].fd >= 0)
            close(sc.ev[i].fd);
    free(sc.ev);
    cc_nameset_free(&sc.ns.names);
    cc_day_free(sc.d);
    if (sc.day_fd >= 0)
        close(sc.day_fd);
    cc_buf_free(&path);
    return rc;
}

int cc_scan_update(const char *root, const struct cc_date *date, const struct cc_day *old,
                   struct cc_day **out, bool *changed, struct cc_scan_stats *stats)
{
    return scan_day(root, date, old, false, out, changed, stats);
}

int cc_scan_update_sizes(const char *root, const struct cc_date *date, const struct cc_day *old,
                         struct cc_day **out, bool *changed, struct cc_scan_stats *stats)
{
    return scan_day(root, date, old, true, out, changed, stats);
}

/* ---- a writer's note --------------------------------------------------- */

/* Can old's segment os follow the note? See cc_scan_note. */
static bool note_usable(const struct cc_day *old, const struct cc_segment *os,
                        const struct cc_scan_note *n)
{
    const uint32_t closed = CC_SEG_ENDLIST | CC_SEG_FMP4 | CC_SEG_UNTIMED;
    if (!(os->flags & CC_SEG_TIMED) || (os->flags & closed) || !os->props.probed)
        return false;
    for (uint32_t i = 0; i < old->nsegs; i++)
        if (&old->segs[i] != os && strcmp(old->segs[i].id, os->id) == 0)
            return false; /* one of several playlists: the scan knows which chunks are whose */
    uint64_t end = os->pst.offset;
    if (end == 0 || end > n->len)
        return false;
    size_t k = end > CC_TAIL_CRC_BYTES ? CC_TAIL_CRC_BYTES : (size_t)end;
    return cc_crc32(0, n->text + end - k, k) == os->tail_crc;
}

int cc_scan_note(const struct cc_day *old, const struct cc_scan_note *n, struct cc_day **out,
                 uint64_t *parsed)
{
    uint32_t idx;
    const struct cc_segment *os = find_old_seg(old, n->playlist, &idx);
    if (!os || !note_usable(old, os, n))
        return -EAGAIN;
    uint64_t end = os->pst.offset;
    struct cc_day *d = cc_day_clone(old);
    struct cc_segment *s = &d->segs[idx];
    cc_segment_reopen(s);
    struct cc_scan_stats stats = {0};
    /* No listing, no folder: the writer listed only chunks it had written
     * whole, and a plain name is then present without a stat (uri_present). */
    struct seg_ctx x = {.day = d,
                        .seg_idx = idx,
                        .dirfd = -1,
                        .pst = &s->pst,
                        .stats = &stats,
                        .missing_cap = s->nmissing};
    struct cc_m3u8_handler h = {on_chunk, on_daterange, &x};
    int rc = cc_m3u8_parse(&s->pst, n->text + end, n->len - (size_t)end, true, &h);
    s = ctx_seg(&x);
    if (rc < 0) {
        cc_day_free(d);
        return rc;
    }
    size_t k = s->pst.offset > CC_TAIL_CRC_BYTES ? CC_TAIL_CRC_BYTES : (size_t)s->pst.offset;
    s->tail_crc = cc_crc32(0, n->text + s->pst.offset - k, k);
    if (s->pst.endlist)
        s->flags |= CC_SEG_ENDLIST;
    cc_segment_flush(s);
    cc_fprint_from_stat(&s->fp, n->pl_st);
    cc_fprint_from_stat(&s->dir_fp, n->dir_st);
    s->pl_bytes = (uint64_t)n->pl_st->st_blocks * 512;
    s->flags |= CC_SEG_NOTED;
    cc_day_finish(d);
    *out = d;
    *parsed = n->len - end;
    return 0;
}
