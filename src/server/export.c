/* export — GET/HEAD /api/export.ts?from=…&to=…: a wall-clock range of the
 * recordings as one downloadable file, the overlapping chunks concatenated as
 * they were recorded (clip.h decides which bytes of which files).
 *
 * Content-Length is known before the first byte: every part is opened and
 * stat'ed first, and opened again (inside ROOT, O_NOFOLLOW) to be sent through
 * one 64 KiB buffer, so a clip costs the same little memory whatever its
 * length. A part that vanished or shrank between the two looks means the
 * promised length cannot be kept: the connection is closed and the client
 * sees a truncated download, never a short file that looks complete.
 *
 * Thread rules: handlers run on several civetweb threads; the one piece of
 * shared state is the count of exports running (app->exports_running). A long download
 * holds a worker thread, so at most half of them may be exporting. */
#include "export.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>

#include "app.h"
#include "clip.h"
#include "http.h"
#include "isotime.h"
#include "log.h"
#include "mem.h"
#include "range.h"

#define COPY_BUF 65536

/* Where one part's bytes are: [off, off + len) of a file of size bytes. */
struct part_io {
    uint64_t off;
    uint64_t len;
    uint64_t size;
    bool skip; /* gone or too short when measured */
};

struct plan_ctx {
    struct cc_clip *clip;
    const char *root;
    int64_t from, to;
};

static int plan_day(void *ud, const struct cc_day *d)
{
    struct plan_ctx *p = ud;
    return cc_clip_add_day(p->clip, d, p->root, p->from, p->to);
}

static int plan(struct app *app, int64_t from, int64_t to, struct cc_clip *clip)
{
    struct plan_ctx p = {clip, cc_catalog_root(app->cat), from, to};
    return srv_each_day(app, from, to, plan_day, &p);
}

static int open_part(const char *root, const struct cc_clip *clip, size_t i, struct stat *st)
{
    char rel[8192];
    const char *name = cc_clip_name(clip, &clip->parts[i]);
    if ((size_t)snprintf(rel, sizeof(rel), "/%s", name) >= sizeof(rel))
        return -ENAMETOOLONG;
    return srv_open_inside(root, rel, st);
}

/* Stats every part: the body's length, and how many chunks are still there. */
static uint32_t measure(const char *root, const struct cc_clip *clip, struct part_io *io,
                        uint64_t *total)
{
    uint32_t chunks = 0;
    *total = 0;
    for (size_t i = 0; i < clip->nparts; i++) {
        const struct cc_clip_part *p = &clip->parts[i];
        struct stat st;
        int fd = open_part(root, clip, i, &st);
        io[i].skip = true;
        if (fd < 0) {
            cc_debug("export: %s: %s", cc_clip_name(clip, p), strerror(-fd));
            continue;
        }
        close(fd);
        uint64_t size = (uint64_t)st.st_size;
        if (p->has_range && (p->off > size || p->len > size - p->off)) {
            cc_warn("export: %s: byte range %" PRIu64 "@%" PRIu64 " beyond its %" PRIu64 " bytes",
                    cc_clip_name(clip, p), p->len, p->off, size);
            continue;
        }
        io[i] = (struct part_io){
            .off = p->has_range ? p->off : 0, .len = p->has_range ? p->len : size, .size = size};
        *total += io[i].len;
        chunks += p->kind == CC_CLIP_CHUNK;
    }
    return chunks;
}

/* Sends one part as measured: 0, or -1 when it changed since (or the client
 * left), after which the promised length cannot be kept. */
static int send_part(struct mg_connection *conn, const char *root, const struct cc_clip *clip,
                     size_t i, const struct part_io *io, char *buf)
{
    struct stat st;
    int fd = open_part(root, clip, i, &st);
    if (fd < 0 || (uint64_t)st.st_size < io->off + io->len ||
        (!clip->parts[i].has_range && (uint64_t)st.st_size != io->size)) {
        cc_warn("export: %s changed while it was being sent", cc_clip_name(clip, &clip->parts[i]));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = 0;
    for (uint64_t off = io->off, left = io->len; left && rc == 0;) {
        size_t want = left < COPY_BUF ? (size_t)left : COPY_BUF;
        ssize_t n = pread(fd, buf, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || mg_write(conn, buf, (size_t)n) != (int)n)
            rc = -1;
        else {
            off += (uint64_t)n;
            left -= (uint64_t)n;
        }
    }
    close(fd);
    return rc;
}

static int send_body(struct mg_connection *conn, struct app *app, const struct cc_clip *clip,
                     const struct part_io *io)
{
    const char *root = cc_catalog_root(app->cat);
    char *buf = cc_xmalloc(COPY_BUF);
    int rc = 0;
    for (size_t i = 0; i < clip->nparts && rc == 0; i++) {
        /* A shutdown waits for requests in flight: do not make it wait
         * for a long download. */
        if (atomic_load(&app->stopping))
            rc = -1;
        else if (!io[i].skip)
            rc = send_part(conn, root, clip, i, &io[i], buf);
    }
    free(buf);
    if (rc < 0)
        mg_disable_connection_keep_alive(conn); /* truncated: close, never look complete */
    return rc;
}

/* "camera-2025-01-24T08-00-00": the range start in the camera's local time. */
static void file_stem(int64_t from, int off_min, char out[48])
{
    char iso[CC_ISO_MAX];
    cc_iso_format(from, off_min, iso);
    iso[19] = '\0'; /* drop milliseconds and offset */
    for (char *p = iso; *p; p++)
        if (*p == ':')
            *p = '-';
    snprintf(out, 48, "camera-%s", iso);
}

static int send_clip(struct mg_connection *conn, struct app *app, const struct cc_clip *clip,
                     int64_t from)
{
    struct part_io *io = cc_xcalloc(clip->nparts, sizeof(*io));
    uint64_t total;
    uint32_t chunks = measure(cc_catalog_root(app->cat), clip, io, &total);
    if (!chunks) {
        free(io);
        return srv_send_error(conn, 404, "no_recordings",
                              "the chunks of that range are no longer on disk");
    }
    char stem[48];
    file_stem(from, clip->off_min, stem);
    bool mp4 = clip->has_fmp4;
    struct srv_resp r;
    srv_resp_init(&r, conn, 200);
    srv_resp_header(&r, "Content-Type", "%s", mp4 ? "video/mp4" : "video/mp2t");
    srv_resp_header(&r, "Content-Disposition", "attachment; filename=\"%s.%s\"", stem,
                    mp4 ? "mp4" : "ts");
    srv_resp_header(&r, "Cache-Control", "no-store");
    srv_resp_header(&r, "Content-Length", "%" PRIu64, total);
    int status = 200;
    if (srv_resp_send_head(&r) == 0 && !srv_is_head(conn)) {
        int rc = send_body(conn, app, clip, io);
        cc_info("export %s: %u chunks, %" PRIu64 " bytes%s (%u missing on disk)", stem, chunks,
                total, rc < 0 ? ", cut short" : "", clip->skipped_missing);
    }
    free(io);
    return status;
}

static int export_range(struct mg_connection *conn, struct app *app, int64_t from, int64_t to)
{
    struct cc_clip clip;
    cc_clip_init(&clip);
    int rc = plan(app, from, to, &clip);
    int status;
    if (rc == -E2BIG)
        status = srv_send_error(conn, 413, "clip_too_long",
                                "the range holds too many chunks for one file");
    else if (rc < 0 && cc_catalog_root_status(app->cat) < 0)
        status = srv_send_root_unavailable(conn, cc_catalog_root_status(app->cat));
    else if (rc < 0) {
        cc_err("export: %s", strerror(-rc));
        status = srv_send_error(conn, 500, "io_error", "a playlist could not be read");
    } else if (!clip.chunks)
        status = srv_send_error(conn, 404, "no_recordings", "nothing was recorded in that range");
    else if (clip.has_ts && clip.has_fmp4)
        status = srv_send_error(conn, 409, "mixed_formats",
                                "the range mixes MPEG-TS and fMP4 recordings: export each "
                                "part on its own");
    else
        status = send_clip(conn, app, &clip, from);
    cc_clip_free(&clip);
    return status;
}

int srv_export_handler(struct mg_connection *conn, struct app *app)
{
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    int64_t from = 0, to = 0;
    int st = srv_query_range(conn, app, &from, &to);
    if (st)
        return st;
    int64_t max_ms = (int64_t)app->cfg->export_max_s * 1000;
    if (to - from > max_ms) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "a clip may be at most %d s long (export_max_s); this one "
                 "is %" PRId64 " s",
                 app->cfg->export_max_s, (to - from + 999) / 1000);
        return srv_send_error(conn, 413, "clip_too_long", msg);
    }
    int limit = app->cfg->threads / 2 > 0 ? app->cfg->threads / 2 : 1;
    if (atomic_fetch_add(&app->exports_running, 1) >= limit) {
        atomic_fetch_sub(&app->exports_running, 1);
        return srv_send_error(conn, 503, "busy",
                              "other clip downloads are running; try again when they finish");
    }
    st = export_range(conn, app, from, to);
    atomic_fetch_sub(&app->exports_running, 1);
    return st;
}
