#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dayjson.h"
#include "fsutil.h"
#include "log.h"
#include "mem.h"
#include "scan.h"
#include "sidecar.h"

#define DEFAULT_CACHE_BYTES (2u << 20)
#define DEFAULT_LIVE_INTERVAL_S (4 * 3600)
/* Sources are stat'ed at most this often per day: under load, a burst of
 * requests costs one check, and a change is still seen within a second. */
#define DEFAULT_RECHECK_MS 1000

struct entry {
    struct cc_date date;
    struct cc_day *day; /* current version (one reference held here) */
    bool building;
    bool on_disk;              /* the sidecar holds exactly this version */
    bool forgotten;            /* files deleted during a build: re-check next time */
    int64_t checked_ms;        /* monotonic time of the last source check */
    int64_t saved_ns;          /* when the sidecar was last written (0: unknown) */
    uint32_t disk_shape;       /* segments and closed segments of the saved version */
    size_t cost;               /* bytes counted in the budget: the day and its JSON */
    struct entry *prev, *next; /* LRU: head = most recent */
};

struct cc_catalog {
    char *root;
    char *cache_dir;
    size_t cache_bytes;
    bool write_sidecars;
    int64_t live_interval_ns;
    int64_t recheck_ms;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t built; /* a build finished */
    struct entry *head, *tail;
    size_t nentries, bytes;
    struct cc_catalog_stats st;
    bool write_error_logged;
};

int cc_catalog_new(const struct cc_catalog_config *cfg, struct cc_catalog **out)
{
    struct cc_catalog *c = cc_xcalloc(1, sizeof(*c));
    c->root = cc_xstrdup(cfg->root);
    c->cache_dir = cfg->cache_dir ? cc_xstrdup(cfg->cache_dir) : NULL;
    c->cache_bytes = cfg->cache_bytes ? cfg->cache_bytes : DEFAULT_CACHE_BYTES;
    c->write_sidecars = cfg->write_sidecars;
    c->recheck_ms = cfg->recheck_ms ? cfg->recheck_ms : DEFAULT_RECHECK_MS;
    c->live_interval_ns = (int64_t)(cfg->live_write_interval_s > 0 ? cfg->live_write_interval_s
                                                                   : DEFAULT_LIVE_INTERVAL_S) *
                          1000000000LL;
    if (c->cache_dir && c->write_sidecars && mkdir(c->cache_dir, 0755) < 0 && errno != EEXIST)
        cc_warn("cache dir %s: %s", c->cache_dir, strerror(errno));
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->built, NULL);
    *out = c;
    return 0;
}

static void day_unref_locked(struct cc_day *d)
{
    if (d && --d->refs == 0)
        cc_day_free(d);
}

static uint32_t day_shape(const struct cc_day *d)
{
    uint32_t closed = 0;
    for (uint32_t i = 0; i < d->nsegs; i++)
        closed += (d->segs[i].flags & CC_SEG_ENDLIST) != 0;
    return d->nsegs << 16 | (closed & 0xffff);
}

static void save_entry(struct cc_catalog *c, struct entry *e, struct cc_day *d);

void cc_catalog_free(struct cc_catalog *c)
{
    if (!c)
        return;
    struct entry *e = c->head;
    while (e) {
        struct entry *next = e->next;
        /* A live day's last version may not be on flash yet (write policy):
         * one write now saves a full re-parse after the restart. */
        if (e->day && !e->on_disk && c->write_sidecars)
            save_entry(c, e, e->day);
        day_unref_locked(e->day);
        free(e);
        e = next;
    }
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->built);
    free(c->root);
    free(c->cache_dir);
    free(c);
}

const char *cc_catalog_root(const struct cc_catalog *c)
{
    return c->root;
}

int cc_catalog_root_status(struct cc_catalog *c)
{
    struct stat st;
    if (stat(c->root, &st) < 0)
        return -errno;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    return access(c->root, R_OK | X_OK) < 0 ? -errno : 0;
}

void cc_catalog_get_stats(struct cc_catalog *c, struct cc_catalog_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->st;
    out->cached_days = c->nentries;
    out->cached_bytes = c->bytes;
    pthread_mutex_unlock(&c->lock);
}

/* ---- LRU ------------------------------------------------------------------ */

static void lru_unlink(struct cc_catalog *c, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(struct cc_catalog *c, struct entry *e)
{
    e->next = c->head;
    e->prev = NULL;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

static struct entry *find_entry(struct cc_catalog *c, const struct cc_date *date)
{
    for (struct entry *e = c->head; e; e = e->next)
        if (memcmp(&e->date, date, sizeof(*date)) == 0)
            return e;
    return NULL;
}

/* Takes an entry out of the cache; its day lives on while referenced. */
static void drop_entry_locked(struct cc_catalog *c, struct entry *e)
{
    lru_unlink(c, e);
    c->bytes -= e->cost;
    day_unref_locked(e->day);
    free(e);
    c->nentries--;
}

static void evict_locked(struct cc_catalog *c, const struct entry *keep)
{
    struct entry *e = c->tail;
    while (e && c->bytes > c->cache_bytes) {
        struct entry *prev = e->prev;
        /* Unsaved days go too (read-only or full media): they can be
         * rebuilt, and the budget is what bounds the process. */
        if (e != keep && !e->building) {
            drop_entry_locked(c, e);
            c->st.evictions++;
        }
        e = prev;
    }
}

/* ---- building ------------------------------------------------------------ */

static bool day_is_live(const struct cc_day *d)
{
    int64_t now = cc_now_ns();
    for (uint32_t i = d->nsegs; i-- > 0;)
        if (cc_segment_recording(&d->segs[i], now))
            return true;
    return false;
}

static void save_entry(struct cc_catalog *c, struct entry *e, struct cc_day *d)
{
    char *path = cc_sidecar_path(c->root, c->cache_dir, d->name);
    uint64_t written = 0;
    int rc = cc_sidecar_save(path, d, &written);
    pthread_mutex_lock(&c->lock);
    if (rc >= 0) {
        if (rc == 0)
            c->st.sidecar_writes++;
        e->on_disk = true;
        e->saved_ns = cc_now_ns();
        e->disk_shape = day_shape(d);
    } else {
        c->st.sidecar_write_errors++;
        /* Read-only or full media: the index works from memory; say it once. */
        if (!c->write_error_logged)
            cc_warn("cannot write sidecar %s: %s (working from memory)", path, strerror(-rc));
        c->write_error_logged = true;
    }
    pthread_mutex_unlock(&c->lock);
    free(path);
}

/* The write policy: a finished day is saved whenever its index changed. A
 * day still recording is saved when its shape changes (a folder closed or
 * appeared) or when the saved copy is older than the live interval, so a
 * recorded day costs a handful of writes, not one per query. */
static bool should_save(struct cc_catalog *c, const struct entry *e, const struct cc_day *d)
{
    if (!c->write_sidecars || e->on_disk)
        return false;
    if (!day_is_live(d) || !e->saved_ns || e->disk_shape != day_shape(d))
        return true;
    return cc_now_ns() - e->saved_ns >= c->live_interval_ns;
}

/* Loads the sidecar for a day seen for the first time; NULL if unusable. */
static struct cc_day *load_sidecar(struct cc_catalog *c, struct entry *e)
{
    char name[11];
    cc_date_format(&e->date, name);
    char *path = cc_sidecar_path(c->root, c->cache_dir, name);
    struct cc_day *d = NULL;
    int rc = cc_sidecar_load(path, &e->date, &d);
    if (rc < 0 && rc != -ENOENT)
        cc_info("sidecar %s ignored: %s", path, strerror(-rc));
    struct stat st;
    if (rc == 0 && stat(path, &st) == 0)
        e->saved_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    free(path);
    pthread_mutex_lock(&c->lock);
    if (rc < 0 && rc != -ENOENT)
        c->st.sidecar_rejects++;
    pthread_mutex_unlock(&c->lock);
    if (d)
        e->disk_shape = day_shape(d);
    return d;
}

/* Runs outside the lock; e->building keeps others waiting. */
static int build_entry(struct cc_catalog *c, struct entry *e, struct cc_day *old, bool sizes,
                       struct cc_day **result)
{
    bool from_sidecar = false;
    if (!old) {
        old = load_sidecar(c, e);
        from_sidecar = old != NULL;
        if (old)
            old->refs = 1;
    }
    struct cc_day *fresh = NULL;
    bool changed = false;
    struct cc_scan_stats ss;
    int rc = sizes ? cc_scan_update_sizes(c->root, &e->date, old, &fresh, &changed, &ss)
                   : cc_scan_update(c->root, &e->date, old, &fresh, &changed, &ss);
    pthread_mutex_lock(&c->lock);
    c->st.bytes_parsed += ss.bytes_parsed;
    c->st.playlists_read += ss.playlists_full + ss.playlists_resumed;
    c->st.chunks_sized += ss.chunks_sized;
    c->st.segments_probed += ss.segments_probed;
    c->st.probe_bytes += ss.probe_bytes;
    if (rc == 0) {
        if (!old)
            c->st.builds++;
        else if (changed)
            c->st.refreshes++;
        else
            c->st.hits++;
        if (from_sidecar && !changed)
            c->st.sidecar_loads++;
        else if (from_sidecar)
            c->st.sidecar_rejects++;
        if (from_sidecar && !changed)
            e->on_disk = true;
        else if (changed)
            e->on_disk = false;
    }
    if (fresh)
        fresh->refs = 1;
    pthread_mutex_unlock(&c->lock);
    if (rc < 0) {
        if (from_sidecar)
            cc_day_free(old);
        return rc;
    }
    if (fresh && from_sidecar)
        cc_day_free(old);
    *result = fresh ? fresh : old;
    if (should_save(c, e, *result))
        save_entry(c, e, *result);
    return 0;
}

static bool day_sized(const struct cc_day *d)
{
    for (uint32_t i = 0; i < d->nsegs; i++)
        if (!(d->segs[i].flags & CC_SEG_SIZED))
            return false;
    return true;
}

static int get_day(struct cc_catalog *c, const struct cc_date *date, bool sizes,
                   const struct cc_day **out)
{
    pthread_mutex_lock(&c->lock);
    /* A waiter never keeps the entry pointer across the wait: a failed build
     * frees its entry, and eviction or cc_catalog_forget may drop it once the
     * build is over. Only the builder may touch an entry while it builds. */
    struct entry *e;
    while ((e = find_entry(c, date)) && e->building)
        pthread_cond_wait(&c->built, &c->lock);
    if (!e) {
        e = cc_xcalloc(1, sizeof(*e));
        e->date = *date;
        lru_push_front(c, e);
        c->nentries++;
    }
    int64_t now = cc_monotonic_ms();
    if (e->day && now - e->checked_ms < c->recheck_ms && (!sizes || day_sized(e->day))) {
        c->st.hits++;
        goto give;
    }
    e->building = true;
    struct cc_day *old = e->day;
    if (old)
        old->refs++;
    pthread_mutex_unlock(&c->lock);

    struct cc_day *result = NULL;
    int rc = build_entry(c, e, old, sizes, &result);

    pthread_mutex_lock(&c->lock);
    e->building = false;
    pthread_cond_broadcast(&c->built);
    if (rc < 0) {
        if (old)
            day_unref_locked(old);
        if (rc == -ENOENT && e->day) { /* the day folder is gone */
            c->bytes -= e->cost;
            e->cost = 0;
            day_unref_locked(e->day);
            e->day = NULL;
        }
        if (!e->day) {
            lru_unlink(c, e);
            c->nentries--;
            free(e);
        }
        pthread_mutex_unlock(&c->lock);
        return rc;
    }
    if (result != old) {
        c->bytes -= e->cost;
        day_unref_locked(e->day);
        e->day = result;
        e->cost = result->mem_bytes;
        c->bytes += e->cost;
        if (old)
            day_unref_locked(old);
    } else if (old) {
        day_unref_locked(old); /* the extra reference taken for the build */
    }
    e->checked_ms = e->forgotten ? INT64_MIN / 2 : now;
    e->forgotten = false;
    evict_locked(c, e);
give:
    lru_unlink(c, e);
    lru_push_front(c, e);
    e->day->refs++;
    *out = e->day;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

int cc_catalog_get_day(struct cc_catalog *c, const struct cc_date *date, const struct cc_day **out)
{
    return get_day(c, date, false, out);
}

int cc_catalog_get_day_sized(struct cc_catalog *c, const struct cc_date *date,
                             const struct cc_day **out)
{
    return get_day(c, date, true, out);
}

void cc_catalog_release(struct cc_catalog *c, const struct cc_day *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&c->lock);
    day_unref_locked((struct cc_day *)d);
    pthread_mutex_unlock(&c->lock);
}

/* Puts a day the note made in place of the entry's (the caller holds a
 * reference to the old one, released here). */
static void note_install_locked(struct cc_catalog *c, struct entry *e, struct cc_day *old,
                                struct cc_day *fresh)
{
    c->bytes -= e->cost;
    day_unref_locked(e->day);
    e->day = fresh;
    e->cost = fresh->mem_bytes;
    c->bytes += e->cost;
    day_unref_locked(old);
    e->on_disk = false;
}

void cc_catalog_note_chunk(struct cc_catalog *c, const struct cc_scan_note *n)
{
    struct cc_date date;
    if (strlen(n->playlist) < 10 || cc_date_parse(n->playlist, 10, &date) < 0)
        return;
    pthread_mutex_lock(&c->lock);
    struct entry *e = find_entry(c, &date);
    if (!e || e->building || !e->day) {
        pthread_mutex_unlock(&c->lock);
        return;
    }
    /* Single flight, as for a build: requests for the day wait for this. */
    e->building = true;
    struct cc_day *old = e->day;
    old->refs++;
    pthread_mutex_unlock(&c->lock);

    struct cc_day *fresh = NULL;
    uint64_t parsed = 0;
    int rc = cc_scan_note(old, n, &fresh, &parsed);

    pthread_mutex_lock(&c->lock);
    if (rc == 0 && !e->forgotten) {
        fresh->refs = 1;
        note_install_locked(c, e, old, fresh);
        c->st.notes++;
        c->st.note_bytes += parsed;
    } else {
        day_unref_locked(old);
        if (fresh)
            cc_day_free(fresh);
        fresh = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (fresh && should_save(c, e, fresh))
        save_entry(c, e, fresh);
    pthread_mutex_lock(&c->lock);
    e->building = false;
    if (e->forgotten) /* files deleted meanwhile: the next request looks */
        e->checked_ms = INT64_MIN / 2;
    e->forgotten = false;
    evict_locked(c, e);
    pthread_cond_broadcast(&c->built);
    pthread_mutex_unlock(&c->lock);
}

void cc_catalog_forget(struct cc_catalog *c, const struct cc_date *date, bool day_removed)
{
    pthread_mutex_lock(&c->lock);
    struct entry *e = find_entry(c, date);
    if (e && e->building) {
        e->forgotten = true;
    } else if (e) {
        drop_entry_locked(c, e);
    }
    pthread_mutex_unlock(&c->lock);
    if (day_removed && c->cache_dir) {
        char name[11];
        cc_date_format(date, name);
        char *path = cc_sidecar_path(c->root, c->cache_dir, name);
        if (unlink(path) < 0 && errno != ENOENT)
            cc_warn("cannot remove sidecar %s: %s", path, strerror(errno));
        free(path);
    }
}

/* ---- listing ------------------------------------------------------------- */

/* Ranges of at most this many days are looked up by name, not listed. */
#define STAT_DAYS_MAX 8

static int cmp_date(const void *a, const void *b)
{
    const struct cc_date *x = a, *y = b;
    if (x->year != y->year)
        return x->year - y->year;
    if (x->month != y->month)
        return x->month - y->month;
    return x->day - y->day;
}

static int list_root(const char *root, struct cc_date **out, size_t *n)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (!dir) {
        int err = -errno;
        if (fd >= 0)
            close(fd);
        return err;
    }
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        struct cc_date d;
        struct stat st;
        if (cc_date_parse(de->d_name, strlen(de->d_name), &d) < 0 ||
            fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
            continue;
        cc_grow(out, &cap, *n + 1, sizeof(**out));
        (*out)[(*n)++] = d;
    }
    closedir(dir);
    if (*n)
        qsort(*out, *n, sizeof(**out), cmp_date);
    return 0;
}

/* A few days' folders looked up by name: what list_root would find in
 * [from, to], without reading the whole of ROOT (a year of day folders, a
 * stat each, for every thumbnail, time-lapse and export). */
static int stat_days(const char *root, const struct cc_date *from, int64_t ndays,
                     struct cc_date **out, size_t *n)
{
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    *out = cc_xmalloc((size_t)ndays * sizeof(**out));
    *n = 0;
    int64_t first = cc_days_from_civil(from->year, from->month, from->day);
    for (int64_t i = 0; i < ndays; i++) {
        struct cc_date d;
        struct stat st;
        char name[11];
        cc_civil_from_days(first + i, &d.year, &d.month, &d.day);
        cc_date_format(&d, name);
        if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
            (*out)[(*n)++] = d;
    }
    close(fd);
    return 0;
}

int cc_catalog_list_days(struct cc_catalog *c, const struct cc_date *from, const struct cc_date *to,
                         struct cc_date **out, size_t *n)
{
    if (from && to) {
        int64_t span = cc_days_from_civil(to->year, to->month, to->day) -
                       cc_days_from_civil(from->year, from->month, from->day) + 1;
        if (span <= 0) {
            *out = NULL;
            *n = 0;
            return 0;
        }
        if (span <= STAT_DAYS_MAX)
            return stat_days(c->root, from, span, out, n);
    }
    struct cc_date *all = NULL;
    size_t nall = 0;
    int rc = list_root(c->root, &all, &nall);
    if (rc < 0)
        return rc;
    size_t w = 0;
    for (size_t i = 0; i < nall; i++) {
        if ((from && cmp_date(&all[i], from) < 0) || (to && cmp_date(&all[i], to) > 0))
            continue;
        all[w++] = all[i];
    }
    *out = all;
    *n = w;
    return 0;
}

bool cc_catalog_is_recording(struct cc_catalog *c, const struct cc_day *d, uint32_t seg)
{
    (void)c;
    return seg < d->nsegs && cc_segment_recording(&d->segs[seg], cc_now_ns());
}

/* Where a recorder can be writing: the newest day folders that have
 * segments (a boot with a wrong clock names a day far ahead; a day folder can
 * exist before its first playlist), today, and yesterday (a folder goes on
 * recording past midnight in the day it started). */
static size_t recording_candidates(struct cc_catalog *c, struct cc_date out[4])
{
    size_t n = 0;
    struct cc_date *all;
    size_t nall;
    if (cc_catalog_list_days(c, NULL, NULL, &all, &nall) < 0)
        return 0;
    for (size_t i = nall; i-- > 0 && n < 2;)
        out[n++] = all[i];
    free(all);
    struct cc_date today, yesterday;
    cc_local_today(&today);
    int y, m, dd;
    cc_civil_from_days(cc_days_from_civil(today.year, today.month, today.day) - 1, &y, &m, &dd);
    yesterday = (struct cc_date){.year = y, .month = m, .day = dd};
    const struct cc_date *more[] = {&today, &yesterday};
    for (size_t k = 0; k < 2; k++) {
        bool seen = false;
        for (size_t i = 0; i < n; i++)
            seen = seen || cmp_date(&out[i], more[k]) == 0;
        if (!seen)
            out[n++] = *more[k];
    }
    return n;
}

static int64_t seg_changed_ns(const struct cc_segment *s)
{
    return s->fp.mtime_ns > s->dir_fp.mtime_ns ? s->fp.mtime_ns : s->dir_fp.mtime_ns;
}

int cc_catalog_find_recording(struct cc_catalog *c, const struct cc_day **out, uint32_t *seg)
{
    struct cc_date cand[4];
    size_t n = recording_candidates(c, cand);
    if (!n) {
        int rc = cc_catalog_root_status(c);
        return rc < 0 ? rc : -ENOENT;
    }
    const struct cc_day *best = NULL;
    uint32_t best_seg = 0;
    int64_t now = cc_now_ns();
    for (size_t i = 0; i < n; i++) {
        const struct cc_day *d;
        if (cc_catalog_get_day(c, &cand[i], &d) < 0)
            continue;
        bool better = false;
        /* Newest day and last folder first: on a tie (mtimes are as coarse
         * as the file system's clock tick) the later one by name wins. */
        for (uint32_t k = d->nsegs; k-- > 0;) {
            const struct cc_segment *s = &d->segs[k];
            if (!cc_segment_recording(s, now) ||
                (best && seg_changed_ns(s) <= seg_changed_ns(&best->segs[best_seg])))
                continue;
            if (best && !better)
                cc_catalog_release(c, best);
            best = d;
            best_seg = k;
            better = true;
        }
        if (!better)
            cc_catalog_release(c, d);
    }
    if (!best)
        return -ENOENT;
    *out = best;
    *seg = best_seg;
    return 0;
}

void cc_catalog_day_json(struct cc_catalog *c, const struct cc_day *d, const char *rec_prefix,
                         const bool *recording, struct cc_buf *scratch, const char **text,
                         size_t *len)
{
    if (cc_dayjson_cached(d, rec_prefix, recording, text, len))
        return;
    cc_dayjson_render(d, rec_prefix, recording, scratch);
    *text = scratch->data;
    *len = scratch->len;
    size_t kept = cc_dayjson_publish(d, rec_prefix, recording, scratch);
    if (!kept)
        return;
    pthread_mutex_lock(&c->lock);
    struct entry *e = find_entry(c, &d->date);
    /* A day already replaced by a newer version frees its copy with it. */
    if (e && e->day == d) {
        e->cost += kept;
        c->bytes += kept;
        evict_locked(c, e);
    }
    pthread_mutex_unlock(&c->lock);
}
