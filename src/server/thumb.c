/* thumb — see thumb.h. */
#include "thumb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <civetweb.h>

#include "app.h"
#include "clip.h"
#include "http.h"
#include "isotime.h"
#include "log.h"
#include "mem.h"
#include "preview.h"
#include "probe.h"
#include "query.h"
#include "range.h"
#include "urlpath.h"

#define IMMUTABLE "public, max-age=31536000, immutable"
/* A missing or damaged chunk: a substitute keyframe may come from this far
 * away in the same recording folder, after at most this many tries. */
#define NEAR_MS 60000
#define NEAR_TRIES 6
/* A time-lapse covers at most this much wall-clock time. */
#define PREVIEW_MAX_MS (7 * CC_MS_PER_DAY)
#define PREVIEW_DEFAULT_FRAMES 60

/* Opens a chunk named by a plan (relative to ROOT) the way /rec does: a
 * regular file that resolves inside ROOT, opened without blocking (a FIFO
 * planted in ROOT cannot hang a worker). An fd, or -errno (-ENOENT for
 * anything a client may not see). */
static int open_chunk(const char *root, const char *name, struct stat *st)
{
    char rel[PATH_MAX];
    if ((size_t)snprintf(rel, sizeof(rel), "/%s", name) >= sizeof(rel))
        return -ENOENT;
    return srv_open_inside(root, rel, st);
}

/* Probes a chunk for its first keyframe: 0, -ENOENT (gone, or no complete
 * keyframe: damaged), -errno. */
static int read_keyframe(const char *root, const char *name, struct cc_probe *p, struct stat *st)
{
    int fd = open_chunk(root, name, st);
    if (fd < 0)
        return fd;
    uint64_t read;
    int rc = cc_probe_fd(p, fd, &read);
    close(fd);
    cc_debug("thumb: %s: read %" PRIu64 " bytes", name, read);
    if (rc == 0 && !cc_probe_has_keyframe(p))
        rc = -ENOENT;
    if (rc < 0)
        cc_debug("thumb: %s: %s", name, rc == -ENOENT ? "no keyframe" : strerror(-rc));
    return rc;
}

struct plan_ctx {
    struct cc_clip *clip;
    const char *root;
    const int64_t *times; /* sampled plan; else the range [from, to) */
    size_t ntimes;
    int64_t from, to;
};

static int plan_day(void *ud, const struct cc_day *d)
{
    struct plan_ctx *p = ud;
    if (p->times)
        return cc_clip_add_day_at(p->clip, d, p->root, p->times, p->ntimes);
    return cc_clip_add_day(p->clip, d, p->root, p->from, p->to);
}

/* Plans the chunks holding times[] (sorted), or those of [from, to) when
 * times is NULL: 0, or the status of the error sent. */
static int plan(struct mg_connection *conn, struct app *app, struct plan_ctx *p,
                struct cc_clip *clip)
{
    p->clip = clip;
    p->root = cc_catalog_root(app->cat);
    int64_t lo = p->times ? p->times[0] : p->from;
    int64_t hi = p->times ? p->times[p->ntimes - 1] + 1 : p->to;
    int rc = srv_each_day(app, lo, hi, plan_day, p);
    if (rc == 0 && clip->has_fmp4 && !clip->has_ts)
        return srv_send_error(conn, 415, "unsupported_format",
                              "thumbnails and previews need MPEG-TS recordings, not fMP4");
    if (rc == 0)
        return 0;
    if (rc == -E2BIG)
        return srv_send_error(conn, 413, "range_too_long", "the range holds too many chunks");
    if (cc_catalog_root_status(app->cat) < 0)
        return srv_send_root_unavailable(conn, cc_catalog_root_status(app->cat));
    cc_err("thumb: %s", strerror(-rc));
    return srv_send_error(conn, 500, "io_error", "a playlist could not be read");
}

static const struct cc_clip_part *first_chunk(const struct cc_clip *c)
{
    for (size_t i = 0; i < c->nparts; i++)
        if (c->parts[i].kind == CC_CLIP_CHUNK)
            return &c->parts[i];
    return NULL;
}

static size_t dir_len(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? (size_t)(slash - name) : 0;
}

static int64_t distance(const struct cc_clip_part *p, int64_t t)
{
    if (t < p->start_ms)
        return p->start_ms - t;
    return t >= p->start_ms + p->dur_ms ? t - (p->start_ms + p->dur_ms) + 1 : 0;
}

/* The chunk nearest to t not used yet, among those in folder dir (dlen
 * bytes; NULL: any folder), or NULL. */
static const struct cc_clip_part *next_near(const struct cc_clip *c, int64_t t, const char *dir,
                                            size_t dlen, const bool *used)
{
    const struct cc_clip_part *best = NULL;
    for (size_t i = 0; i < c->nparts; i++) {
        const struct cc_clip_part *p = &c->parts[i];
        const char *name = cc_clip_name(c, p);
        if (p->kind != CC_CLIP_CHUNK || used[i] ||
            (dir && (dir_len(name) != dlen || strncmp(name, dir, dlen))))
            continue;
        if (!best || distance(p, t) < distance(best, t))
            best = p;
    }
    return best;
}

struct found {
    struct cc_probe probe;
    struct stat st;
    int64_t start_ms;
    int32_t off_min;
};

/* The nearest readable keyframe to t in the recording folder of the chunk
 * nearest to it, within NEAR_MS: 0 or -ENOENT. */
static int find_near(struct app *app, int64_t t, struct found *f)
{
    const char *root = cc_catalog_root(app->cat);
    struct cc_clip c;
    cc_clip_init(&c);
    struct plan_ctx p = {.from = t - NEAR_MS, .to = t + NEAR_MS};
    p.clip = &c;
    p.root = root;
    int rc = srv_each_day(app, p.from, p.to, plan_day, &p);
    bool *used = cc_xcalloc(c.nparts ? c.nparts : 1, sizeof(*used));
    const struct cc_clip_part *near = rc == 0 ? next_near(&c, t, NULL, 0, used) : NULL;
    rc = -ENOENT;
    if (near) {
        char *dir = cc_xstrdup(cc_clip_name(&c, near));
        size_t dlen = dir_len(dir);
        const struct cc_clip_part *q;
        for (int k = 0; rc < 0 && k < NEAR_TRIES && (q = next_near(&c, t, dir, dlen, used)) != NULL;
             k++) {
            used[q - c.parts] = true;
            cc_probe_free(&f->probe);
            cc_probe_init(&f->probe, false);
            rc = read_keyframe(root, cc_clip_name(&c, q), &f->probe, &f->st);
            f->start_ms = q->start_ms;
        }
        free(dir);
    }
    f->off_min = c.off_min;
    free(used);
    cc_clip_free(&c);
    return rc;
}

/* A strong validator from the chunk file's identity: chunks never change
 * once written, so neither does their keyframe. */
static void make_etag(const struct stat *st, char out[80])
{
    snprintf(out, 80, "\"k1-%" PRIx64 "-%" PRIx64 "-%" PRIx64 ".%09ld\"", (uint64_t)st->st_ino,
             (uint64_t)st->st_size, (uint64_t)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
}

static int send_thumb(struct mg_connection *conn, const struct found *f)
{
    char etag[80], iso[CC_ISO_MAX];
    make_etag(&f->st, etag);
    cc_iso_format(f->start_ms, f->off_min, iso);
    /* one frame, shown for a frame's time (a tenth of a second if unknown) */
    uint32_t num = f->probe.props.fps_num, den = f->probe.props.fps_den;
    uint32_t dur = num ? (uint32_t)((uint64_t)CC_MP4_TIMESCALE * den / num) : CC_MP4_TIMESCALE / 10;
    struct cc_buf mp4;
    cc_buf_init(&mp4);
    int status;
    if (cc_probe_thumb(&f->probe, dur ? dur : 1, &mp4) < 0) {
        status = srv_send_error(conn, 422, "unsupported_stream",
                                "the keyframe's parameter sets cannot be put into an MP4");
    } else {
        uint64_t start, n;
        struct srv_resp r;
        srv_resp_init(&r, conn, srv_conditional(conn, etag, mp4.len, &start, &n));
        srv_resp_header(&r, "Content-Type", "video/mp4");
        srv_resp_header(&r, "Cache-Control", IMMUTABLE);
        srv_resp_header(&r, "X-Camcat-Time", "%s", iso);
        srv_resp_header(&r, "X-Camcat-Codec", "%s", f->probe.props.codec_string);
        status = srv_resp_send_part(&r, etag, mp4.data, mp4.len, start, n);
    }
    cc_buf_free(&mp4);
    return status;
}

/* The chunk holding t, or when it is missing or damaged the nearest good
 * keyframe of the same recording: 0, or the status of the error sent. */
static int locate(struct mg_connection *conn, struct app *app, int64_t t, struct found *f)
{
    struct cc_clip c;
    cc_clip_init(&c);
    struct plan_ctx p = {.times = &t, .ntimes = 1};
    int st = plan(conn, app, &p, &c);
    const struct cc_clip_part *hold = st ? NULL : first_chunk(&c);
    int rc = -ENOENT;
    if (hold) {
        rc = read_keyframe(cc_catalog_root(app->cat), cc_clip_name(&c, hold), &f->probe, &f->st);
        f->start_ms = hold->start_ms;
        f->off_min = c.off_min;
    }
    bool gap = !hold && !c.skipped_missing;
    cc_clip_free(&c);
    if (st)
        return st;
    if (gap)
        return srv_send_error(conn, 404, "no_recording", "nothing was recorded at that time");
    if (rc < 0 && find_near(app, t, f) < 0)
        return srv_send_error(conn, 404, "no_keyframe",
                              "the chunks at that time are missing or damaged, and so are "
                              "their neighbours");
    return 0;
}

int srv_thumb_handler(struct mg_connection *conn, struct app *app)
{
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    int64_t t;
    int st = srv_query_utc(conn, app, "t", &t);
    if (st)
        return st;
    if (t == INT64_MIN)
        return srv_send_error(conn, 400, "bad_time", "t (an instant) is required");
    struct found f;
    memset(&f, 0, sizeof(f));
    cc_probe_init(&f.probe, false);
    st = locate(conn, app, t, &f);
    if (st == 0)
        st = send_thumb(conn, &f);
    cc_probe_free(&f.probe);
    return st;
}

/* ---- time-lapse ---------------------------------------------------------- */

/* frames=N: 0 with *n set (default when absent), or the status sent. */
static int query_frames(struct mg_connection *conn, struct app *app, uint32_t *n)
{
    char v[16];
    const char *qs = mg_get_request_info(conn)->query_string;
    int len = cc_urlpath_query_get(qs, "frames", v, sizeof(v));
    int cap = app->cfg->preview_max_frames;
    if (len == -ENOENT) {
        *n = PREVIEW_DEFAULT_FRAMES < cap ? PREVIEW_DEFAULT_FRAMES : (uint32_t)cap;
        return 0;
    }
    long x;
    if (len <= 0 || cc_query_int(v, true, 1, cap, &x) < 0) {
        char msg[96];
        snprintf(msg, sizeof(msg),
                 "frames must be a whole number from 1 to %d (preview_max_frames)", cap);
        return srv_send_error(conn, 400, "bad_frames", msg);
    }
    *n = (uint32_t)x;
    return 0;
}

/* Streams the planned chunks' keyframes: the status for the log. */
static int stream_preview(struct mg_connection *conn, struct app *app, const struct cc_clip *c)
{
    const char *root = cc_catalog_root(app->cat);
    struct srv_resp r;
    srv_resp_init(&r, conn, 200);
    srv_resp_header(&r, "Content-Type", "video/mp4");
    srv_resp_header(&r, "Cache-Control", "no-cache");
    srv_resp_header(&r, "X-Camcat-Frame-Ms", "%d", CC_PREVIEW_FRAME_MS);
    struct srv_stream s;
    srv_stream_init(&s, &r, false);
    struct cc_preview pv;
    cc_preview_init(&pv, CC_PREVIEW_FRAME_MS * (CC_MP4_TIMESCALE / 1000));
    struct cc_buf out;
    cc_buf_init(&out);
    int rc = 0;
    for (size_t i = 0; i < c->nparts && rc == 0 && !atomic_load(&app->stopping); i++) {
        if (c->parts[i].kind != CC_CLIP_CHUNK)
            continue;
        struct cc_probe p;
        struct stat st;
        cc_probe_init(&p, false);
        if (read_keyframe(root, cc_clip_name(c, &c->parts[i]), &p, &st) == 0 &&
            cc_preview_add(&pv, &p, &out) == 0)
            rc = srv_stream_write(&s, out.data, out.len);
        cc_buf_reset(&out);
        cc_probe_free(&p);
    }
    int status = 200;
    if (!pv.frames && !srv_stream_started(&s)) {
        srv_stream_abort(&s);
        status = srv_send_error(conn, 404, "no_keyframe",
                                "no readable keyframe in the chunks of that range");
    } else if (rc < 0 || atomic_load(&app->stopping) || srv_stream_finish(&s) < 0) {
        srv_stream_abort(&s);
    }
    cc_info("preview: %u frames of %u chunks (%u skipped: other parameter sets)", pv.frames,
            c->chunks, pv.skipped);
    cc_buf_free(&out);
    cc_preview_free(&pv);
    return status;
}

static int preview_range(struct mg_connection *conn, struct app *app, int64_t from, int64_t to,
                         uint32_t n)
{
    int64_t *times = cc_xmalloc(n * sizeof(*times)); /* n <= preview_max_frames */
    for (uint32_t k = 0; k < n; k++)                 /* the middle of each of n equal slices */
        times[k] = from + (int64_t)((double)(to - from) * (2.0 * k + 1) / (2.0 * n));
    struct cc_clip c;
    cc_clip_init(&c);
    struct plan_ctx p = {.times = times, .ntimes = n};
    int st = plan(conn, app, &p, &c);
    if (st == 0 && !c.chunks)
        st = srv_send_error(conn, 404, "no_recordings", "nothing was recorded in that range");
    else if (st == 0 && srv_is_head(conn)) {
        struct srv_resp r;
        srv_resp_init(&r, conn, 200);
        srv_resp_header(&r, "Content-Type", "video/mp4");
        srv_resp_header(&r, "Cache-Control", "no-cache");
        st = srv_resp_send_head(&r) == 0 ? 200 : 500;
    } else if (st == 0)
        st = stream_preview(conn, app, &c);
    cc_clip_free(&c);
    free(times);
    return st;
}

int srv_preview_handler(struct mg_connection *conn, struct app *app)
{
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    int64_t from = 0, to = 0;
    uint32_t n = 0;
    int st = srv_query_range(conn, app, &from, &to);
    if (st || (st = query_frames(conn, app, &n)) != 0)
        return st;
    if (to - from > PREVIEW_MAX_MS)
        return srv_send_error(conn, 413, "range_too_long", "a time-lapse covers at most 7 days");
    int limit = cc_config_exports_limit(app->cfg);
    if (atomic_fetch_add(&app->exports_running, 1) >= limit) {
        atomic_fetch_sub(&app->exports_running, 1);
        return srv_send_error(conn, 503, "busy",
                              "other downloads or previews are running; try again when they "
                              "finish");
    }
    st = preview_range(conn, app, from, to, n);
    atomic_fetch_sub(&app->exports_running, 1);
    return st;
}
