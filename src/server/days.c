/* The days under /api/days: the list, one day's segments, its motion and its
 * stitched playlist; DELETE of a day is storage's (storage.h). */
#include "days.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "app.h"
#include "dayjson.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "recording.h"
#include "stitch.h"
#include "storage.h"
#include "urlpath.h"

/* Finished days change only if files are added behind the recorder's back;
 * a minute of caching is harmless and spares the camera repeated work. */
#define FINISHED_MAX_AGE "public, max-age=60"
static const char *const api_cache = "no-cache";

/* Optional date parameter: 0 (set *has), or the status of the error sent. */
static int query_date(struct mg_connection *conn, const char *key, struct cc_date *out, bool *has)
{
    char v[64];
    int n;
    *has = false;
    int rc = srv_query_value(conn, key, v, sizeof(v), &n);
    if (rc || n < 0)
        return rc;
    if (cc_date_parse(v, (size_t)n, out) < 0) {
        char msg[96];
        snprintf(msg, sizeof(msg), "%s must be a date YYYY-MM-DD", key);
        return srv_send_error(conn, 400, "bad_date", msg);
    }
    *has = true;
    return 0;
}

/* An optional instant; a time without zone is in the day's offset off_min. */
static int query_instant(struct mg_connection *conn, const char *key, int off_min, int64_t *out)
{
    bool local = false;
    int64_t ms = INT64_MIN;
    int rc = srv_query_instant(conn, key, &ms, &local);
    if (rc || ms == INT64_MIN)
        return rc;
    *out = local ? ms - (int64_t)off_min * 60000 : ms;
    return 0;
}

int srv_days_handler(struct mg_connection *conn, struct app *app)
{
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    struct cc_date from, to;
    bool has_from, has_to;
    int st = query_date(conn, "from", &from, &has_from);
    if (st)
        return st;
    if ((st = query_date(conn, "to", &to, &has_to)) != 0)
        return st;
    if (has_from && has_to &&
        cc_days_from_civil(from.year, from.month, from.day) >
            cc_days_from_civil(to.year, to.month, to.day))
        return srv_send_error(conn, 400, "bad_range", "from is after to");
    struct cc_date *dates = NULL;
    size_t n = 0;
    int rc = cc_catalog_list_days(app->cat, has_from ? &from : NULL, has_to ? &to : NULL, &dates,
                                  &n);
    if (rc < 0)
        return srv_send_root_unavailable(conn, rc);
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    cc_json_key(&j, "days");
    cc_json_arr_open(&j);
    for (size_t i = 0; i < n; i++) {
        const struct cc_day *d;
        rc = cc_catalog_get_day(app->cat, &dates[i], &d);
        if (rc == -ENOENT)
            continue; /* vanished since the listing */
        if (rc < 0) {
            char name[11];
            cc_date_format(&dates[i], name);
            cc_warn("day %s: %s", name, strerror(-rc));
            continue;
        }
        cc_dayjson_summary(&j, d);
        cc_catalog_release(app->cat, d);
    }
    cc_json_arr_close(&j);
    cc_json_obj_close(&j);
    cc_buf_putc(&b, '\n');
    free(dates);
    rc = srv_send_json(conn, 200, &b, api_cache);
    cc_buf_free(&b);
    return rc;
}

static bool day_recording(struct app *app, const struct cc_day *d, bool *flags)
{
    bool any = false;
    for (uint32_t i = 0; i < d->nsegs; i++) {
        bool r = cc_catalog_is_recording(app->cat, d, i);
        if (flags)
            flags[i] = r;
        any |= r;
    }
    return any;
}

static int handle_day(struct mg_connection *conn, struct app *app, const struct cc_day *d)
{
    bool *rec = cc_xcalloc(d->nsegs ? d->nsegs : 1, sizeof(bool));
    day_recording(app, d, rec);
    struct cc_buf scratch;
    cc_buf_init(&scratch);
    const char *text;
    size_t len;
    cc_catalog_day_json(app->cat, d, "/rec/", rec, &scratch, &text, &len);
    free(rec);
    int rc = srv_send_json_text(conn, 200, text, len, api_cache);
    cc_buf_free(&scratch);
    return rc;
}

static int handle_motion(struct mg_connection *conn, const struct cc_day *d)
{
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    cc_json_key(&j, "date");
    cc_json_str(&j, d->name);
    cc_json_key(&j, "motion");
    cc_dayjson_motion(&j, d);
    cc_json_obj_close(&j);
    cc_buf_putc(&b, '\n');
    int rc = srv_send_json(conn, 200, &b, api_cache);
    cc_buf_free(&b);
    return rc;
}

static int stream_sink(void *ud, const void *data, size_t len)
{
    return srv_stream_write(ud, data, len) < 0 ? -EPIPE : 0;
}

static int handle_playlist(struct mg_connection *conn, struct app *app, const struct cc_day *d)
{
    struct cc_stitch_opts o = {
        .root = cc_catalog_root(app->cat),
        .rec_prefix = "/rec/",
        .from_ms = INT64_MIN,
        .to_ms = INT64_MAX,
    };
    int st = query_instant(conn, "from", d->off_min, &o.from_ms);
    if (st)
        return st;
    if ((st = query_instant(conn, "to", d->off_min, &o.to_ms)) != 0)
        return st;
    if (o.from_ms > o.to_ms)
        return srv_send_error(conn, 400, "bad_range", "from is after to");
    o.ended = !day_recording(app, d, NULL);

    struct srv_resp r;
    srv_resp_init(&r, conn, 200);
    srv_resp_header(&r, "Content-Type", "application/vnd.apple.mpegurl");
    srv_resp_header(&r, "Cache-Control", "%s", o.ended ? FINISHED_MAX_AGE : "no-store");
    if (srv_is_head(conn)) {
        srv_resp_header(&r, "Vary", "Accept-Encoding");
        srv_resp_send_head(&r);
        return 200;
    }
    struct srv_stream s;
    srv_stream_init(&s, &r, srv_accepts_gzip(conn));
    int rc = cc_stitch_day(d, &o, stream_sink, &s, NULL);
    if (rc == 0)
        return srv_stream_finish(&s) == 0 ? 200 : 500;
    bool started = srv_stream_started(&s);
    srv_stream_abort(&s);
    if (rc == -EPIPE)
        return 200; /* the client left; nothing to tell it */
    cc_err("playlist of %s: %s", d->name, strerror(-rc));
    if (!started)
        return srv_send_error(conn, 500, "io_error", "a playlist could not be read");
    return 500;
}

/* /api/days/DATE[/SUB]: rest points after "/api/days/". */
static int handle_one_day(struct mg_connection *conn, struct app *app, const char *rest)
{
    const char *slash = strchr(rest, '/');
    size_t dlen = slash ? (size_t)(slash - rest) : strlen(rest);
    const char *sub = slash ? slash + 1 : "";
    struct cc_date date;
    if (cc_date_parse(rest, dlen, &date) < 0)
        return srv_send_error(conn, 400, "bad_date", "the day must be a date YYYY-MM-DD");
    enum { DAY, PLAYLIST, MOTION } what;
    if (!*sub)
        what = DAY;
    else if (!strcmp(sub, "playlist.m3u8"))
        what = PLAYLIST;
    else if (!strcmp(sub, "motion"))
        what = MOTION;
    else
        return srv_recording_handler(conn, app, &date, sub);
    if (what == DAY && !strcmp(mg_get_request_info(conn)->request_method, "DELETE"))
        return srv_day_delete(conn, app, &date);
    if (!srv_method_ok(conn))
        return what == DAY ? srv_send_405_allow(conn, "GET, HEAD, DELETE") : srv_send_405(conn);

    const struct cc_day *d;
    int rc = cc_catalog_get_day(app->cat, &date, &d);
    if (rc < 0)
        return srv_send_day_error(conn, app->cat, rc, rest);
    int status;
    if (what == DAY)
        status = handle_day(conn, app, d);
    else if (what == PLAYLIST)
        status = handle_playlist(conn, app, d);
    else
        status = handle_motion(conn, d);
    cc_catalog_release(app->cat, d);
    return status;
}

int srv_day_handler(struct mg_connection *conn, struct app *app)
{
    static const char prefix[] = "/api/days/";
    char path[CC_URLPATH_MAX];
    /* Checked once already by the route; decoded again here for the rest. */
    int st = srv_request_path(conn, path, sizeof(path));
    if (st)
        return st;
    if (strncmp(path, prefix, sizeof(prefix) - 1) != 0)
        return srv_send_error(conn, 404, "not_found", "no such API path");
    return handle_one_day(conn, app, path + sizeof(prefix) - 1);
}
