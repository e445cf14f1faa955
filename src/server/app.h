/* app — what every camcatd request handler shares, passed to civetweb as the
 * handlers' cbdata. Read-only after start-up apart from the two atomics that
 * let a stop wait for requests in flight; the catalog does its own locking. */
#ifndef CC_SRV_APP_H
#define CC_SRV_APP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "catalog.h"
#include "config.h"

#include "version.h"

struct mg_connection;
struct srv_live;

struct app {
    struct cc_catalog *cat;
    const struct cc_config *cfg;
    struct srv_live *live;  /* /api/live.m3u8 and its hook (live.h) */
    int64_t started_ms;   /* monotonic */
    /* civetweb's mg_stop() cuts responses short (its writes give up once the
     * stop flag is set), so a stop first refuses new requests and waits for
     * these to reach zero. */
    atomic_int in_flight;
    atomic_bool stopping;
};

/* Request handlers (mg_request_handler): return the status they sent. */
int srv_api_handler(struct mg_connection *conn, void *app);   /* /api */
int srv_rec_handler(struct mg_connection *conn, void *app);   /* /rec */
int srv_www_handler(struct mg_connection *conn, void *app);   /* everything else */

/* State-changing requests (POST, DELETE) call this first: 0 when the request
 * may change the camera, else the status of the 403 it sent (a foreign
 * Origin). Authentication itself is civetweb's, before any handler runs. */
int srv_check_write(struct mg_connection *conn, struct app *app);

/* Decodes and checks the request's raw path (see urlpath.h) into out, or
 * sends the error response and returns its status (> 0). 0 on success. */
int srv_request_path(struct mg_connection *conn, char *out, size_t outsz);

#endif
