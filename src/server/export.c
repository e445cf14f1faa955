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

/* The camera's UTC offset for a zone-less time (its fields as UTC in
 * local_ms): that date's folder knows it; without one, this machine's zone
 * (camcatd runs on the camera). */
static int camera_offset(struct app *app, int64_t local_ms)
{
    struct cc_date date;
    cc_date_of(local_ms, 0, &date);
    const struct cc_day *d;
    if (cc_catalog_get_day(app->cat, &date, &d) == 0) {
        int off = d->off_min;
        cc_catalog_release(app->cat, d);
        return off;
    }
    return cc_local_offset_min(local_ms);
}

/* from and to, both required, from before to: 0 or the status sent. */
static int read_range(struct mg_connection *conn, struct app *app, int64_t *from, int64_t *to)
{
    int64_t f = INT64_MIN, t = INT64_MIN;
    bool f_local = false, t_local = false;
    int st = srv_query_instant(conn, "from", &f, &f_local);
    if (st || (st = srv_query_instant(conn, "to", &t, &t_local)) != 0)
        return st;
    if (f == INT64_MIN || t == INT64_MIN)
        return srv_send_error(conn, 400, "bad_range", "from and to are both required");
    if (f_local)
        f -= (int64_t)camera_offset(app, f) * 60000;
    if (t_local)
        t -= (int64_t)camera_offset(app, t) * 60000;
    if (f >= t)
        return srv_send_error(conn, 400, "bad_range", "from must be before to");
    *from = f;
    *to = t;
    return 0;
}

/* Day folders whose recordings can reach into [from, to): a folder holds what
 * began on its local date and may run past midnight, and local dates lie
 * within a day of UTC ones. */
static int plan(struct app *app, int64_t from, int64_t to, struct cc_clip *clip)
{
    struct cc_date lo, hi;
    cc_date_of(from - 2 * CC_MS_PER_DAY, 0, &lo);
    cc_date_of(to + CC_MS_PER_DAY, 0, &hi);
    struct cc_date *dates = NULL;
    size_t n = 0;
    int rc = cc_catalog_list_days(app->cat, &lo, &hi, &dates, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct cc_day *d;
        rc = cc_catalog_get_day(app->cat, &dates[i], &d);
        if (rc == -ENOENT || rc == -ENOTDIR) {
            rc = 0; /* vanished since the listing */
            continue;
        }
        if (rc == 0) {
            rc = cc_clip_add_day(clip, d, cc_catalog_root(app->cat), from, to);
            cc_catalog_release(app->cat, d);
        }
    }
    free(dates);
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
    int st = read_range(conn, app, &from, &to);
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
