/* routes — the one table from URI to handler, registered with civetweb's
 * mg_set_request_handler (one call per route, the app as cbdata).
 *
 * Every route passes the same gate first: a request in flight is counted
 * (a stop waits for them), a request arriving during a stop gets 503, and
 * the raw path is checked (urlpath.h) before any handler sees it.
 *
 * Thread rules: srv_routes_register on the main thread after mg_start2,
 * before requests are served; handlers on civetweb's worker threads. The
 * handle it returns is freed after mg_stop. */
#ifndef CC_SRV_ROUTES_H
#define CC_SRV_ROUTES_H

struct mg_context;
struct mg_connection;
struct app;
struct srv_routes;

/* A route handler: returns the HTTP status it sent (civetweb's log). */
typedef int (*srv_handler_fn)(struct mg_connection *conn, struct app *app);

/* Registers every route on ctx; returns the bindings (caller frees with
 * srv_routes_free after mg_stop). Aborts on out of memory (mem.h). */
struct srv_routes *srv_routes_register(struct mg_context *ctx, struct app *app);
void srv_routes_free(struct srv_routes *r);

#endif
