/* routes — the URI table and the gate every request passes (routes.h). */
#include "routes.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include <civetweb.h>

#include "app.h"
#include "days.h"
#include "export.h"
#include "files.h"
#include "health.h"
#include "http.h"
#include "ingestd.h"
#include "live.h"
#include "logapi.h"
#include "mem.h"
#include "snapshot.h"
#include "storage.h"
#include "thumb.h"
#include "time.h"
#include "urlpath.h"

struct route {
    const char *uri; /* civetweb pattern (routes.h, cc_urlpath_match) */
    srv_handler_fn fn;
};

/* The API. Only patterns ('$' or "**") here: civetweb tries every plain URI,
 * and "URI/..." below it, before any pattern, so a plain "/api/days" would
 * swallow "/api/days/DATE/...". Patterns are tried in this order, by
 * civetweb and by api_fallback alike: a narrower one goes first. */
static const struct route api_routes[] = {
    {"/api/health$", srv_health_handler},
    {"/api/days$", srv_days_handler},
    /* One recording (recording.c: GET /api/days/DATE/SEGID/download.ts,
     * DELETE /api/days/DATE/SEGID) is reached through the day handler, which
     * parses DATE once for both. */
    {"/api/days/**", srv_day_handler},
    {"/api/export.ts$", srv_export_handler},
    {"/api/thumb.mp4$", srv_thumb_handler},
    {"/api/preview.mp4$", srv_preview_handler},
    {"/api/storage$", srv_storage_handler},
    {"/api/time$", srv_time_handler},
    {"/api/ingest$", srv_ingestd_handler},
    {"/api/live.m3u8$", srv_live_handler},
    {"/api/log$", srv_log_handler},
    {"/api/snapshot.jpg$", srv_snapshot_handler},
};
#define N_API (sizeof(api_routes) / sizeof(api_routes[0]))

static int api_fallback(struct mg_connection *conn, struct app *app);

/* After the API: the rest of /api (unknown paths, and encoded ones civetweb
 * matched raw), the recordings, the UI. These check the path themselves. */
static const struct route area_routes[] = {
    {"/api**", api_fallback},
    {"/rec", srv_rec_handler},
    {"/", srv_www_handler},
};
#define N_AREA (sizeof(area_routes) / sizeof(area_routes[0]))

/* One cbdata per route: the app, and which route civetweb matched. */
struct binding {
    struct app *app;
    const struct route *route;
    bool api;
};

struct srv_routes {
    struct binding b[N_API + N_AREA];
};

/* civetweb matched the raw path, case-insensitively; the table is matched
 * against the decoded path, case-sensitively, so "/api/%68ealth" and
 * "/api/health" meet the same handler and "/API/health" none. */
static const struct route *api_lookup(const char *path)
{
    for (size_t i = 0; i < N_API; i++)
        if (cc_urlpath_match(api_routes[i].uri, path))
            return &api_routes[i];
    return NULL;
}

static int api_fallback(struct mg_connection *conn, struct app *app)
{
    char path[CC_URLPATH_MAX];
    int st = srv_request_path(conn, path, sizeof(path));
    if (st)
        return st;
    const struct route *r = api_lookup(path);
    if (!r)
        return srv_send_error(conn, 404, "not_found", "no such API path");
    return r->fn(conn, app);
}

static int dispatch(struct mg_connection *conn, const struct binding *b)
{
    if (!b->api)
        return b->route->fn(conn, b->app);
    char path[CC_URLPATH_MAX];
    int st = srv_request_path(conn, path, sizeof(path));
    if (st)
        return st;
    if (!cc_urlpath_match(b->route->uri, path))
        return api_fallback(conn, b->app);
    return b->route->fn(conn, b->app);
}

/* Counts the request in flight, or refuses it once a stop has begun. */
static int route_entry(struct mg_connection *conn, void *cbdata)
{
    const struct binding *b = cbdata;
    struct app *app = b->app;
    atomic_fetch_add(&app->in_flight, 1);
    int status;
    if (atomic_load(&app->stopping))
        status = srv_send_error_close(conn, 503, "stopping", "the server is shutting down");
    else
        status = dispatch(conn, b);
    atomic_fetch_sub(&app->in_flight, 1);
    return status;
}

struct srv_routes *srv_routes_register(struct mg_context *ctx, struct app *app)
{
    struct srv_routes *rs = cc_xcalloc(1, sizeof(*rs));
    /* civetweb keeps handlers in registration order: the API first. */
    for (size_t i = 0; i < N_API + N_AREA; i++) {
        struct binding *b = &rs->b[i];
        b->app = app;
        b->api = i < N_API;
        b->route = b->api ? &api_routes[i] : &area_routes[i - N_API];
        mg_set_request_handler(ctx, b->route->uri, route_entry, b);
    }
    return rs;
}

void srv_routes_free(struct srv_routes *r)
{
    free(r);
}
