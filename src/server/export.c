/* export — GET/HEAD /api/export.ts?from=…&to=…: a wall-clock range of the
 * recordings as one downloadable file, the overlapping chunks concatenated as
 * they were recorded (clip.h decides which bytes of which files).
 *
 * Sending (a known Content-Length, one 64 KiB buffer, a part that changed
 * cuts the download short) is clipsend.c's, shared with recording.c.
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
#include <time.h>

#include <civetweb.h>

#include "app.h"
#include "clip.h"
#include "clipsend.h"
#include "http.h"
#include "isotime.h"
#include "log.h"
#include "mem.h"
#include "range.h"

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
    else {
        char stem[48];
        file_stem(from, clip.off_min, stem);
        status = srv_clip_send(conn, app, &clip, stem);
    }
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
    int limit = cc_config_exports_limit(app->cfg);
    if (atomic_fetch_add(&app->exports_running, 1) >= limit) {
        atomic_fetch_sub(&app->exports_running, 1);
        return srv_send_error(conn, 503, "busy",
                              "other clip downloads are running; try again when they finish");
    }
    st = export_range(conn, app, from, to);
    atomic_fetch_sub(&app->exports_running, 1);
    return st;
}
