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
struct srv_sweep;
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
    atomic_int exports_running; /* a download holds a worker: bounded (export.c) */
    struct srv_sweep *sweep; /* retention (storage.c); NULL until started */
};

/* Request handlers (mg_request_handler): return the status they sent. */
int srv_api_handler(struct mg_connection *conn, void *app);   /* /api */
int srv_rec_handler(struct mg_connection *conn, void *app);   /* /rec */
int srv_www_handler(struct mg_connection *conn, void *app);   /* everything else */
/* GET and POST /api/time (time.c), called by the /api router. */
int srv_time_handler(struct mg_connection *conn, struct app *app);

/* Checks auth_realm and, when set, the auth_file (readable, well-formed, a
 * user for the realm) at start-up: 0, or -EINVAL after logging why. */
int srv_auth_check_config(const struct cc_config *cfg);
/* civetweb authorization handler (cbdata: the app) for "/" when auth_file is
 * set: 1 lets the request through, 0 when it answered 401 (or 503 when the
 * file cannot be read: it fails closed). Thread-safe. */
int srv_auth_handler(struct mg_connection *conn, void *app);

int srv_export_handler(struct mg_connection *conn, struct app *app); /* /api/export.ts */
/* Retention (storage.c): a sweep at start and every sweep_interval_s in its
 * own thread; sweeps and DELETE /api/days/DATE never run at the same time
 * (one lock). srv_sweep_stop() wakes and joins the thread. */
void srv_sweep_start(struct app *app);
void srv_sweep_stop(struct app *app);
int srv_storage_handler(struct mg_connection *conn, struct app *app);   /* GET /api/storage */
int srv_day_delete(struct mg_connection *conn, struct app *app, const struct cc_date *date);
/* The lock sweeps and DELETEs hold while they decide and delete: another
 * deleter (DELETE of one recording) takes it the same way. */
void srv_sweep_hold(struct app *app);
void srv_sweep_release(struct app *app);

/* State-changing requests (POST, DELETE) call this first: 0 when the request
 * may change the camera, else the status of the 403 it sent: a foreign or
 * opaque Origin, Sec-Fetch-Site other than same-origin/none, or (without
 * auth_file) a browser request whose Host is a DNS name rather than an IP
 * literal or localhost (DNS rebinding). Authentication itself runs before any
 * handler (srv_auth_handler). */
int srv_check_write(struct mg_connection *conn, struct app *app);

/* 503 root_unavailable naming why ROOT cannot be read (err: -errno). */
int srv_send_root_unavailable(struct mg_connection *conn, int err);

/* Decodes and checks the request's raw path (see urlpath.h) into out, or
 * sends the error response and returns its status (> 0). 0 on success. */
int srv_request_path(struct mg_connection *conn, char *out, size_t outsz);

/* Query parameter key as an instant (epoch ms or ISO-8601; see api.c): 0 with
 * *ms untouched when absent, 0 with *ms set (and *local true when the text
 * had no zone: its fields read as UTC, still to be shifted by the camera's
 * offset), or the status of the 400 it sent. */
int srv_query_instant(struct mg_connection *conn, const char *key, int64_t *ms, bool *local);

/* Opens base + rel (rel from cc_urlpath_normalize, or "/" + a path under
 * base) if it resolves, through any symlinks, to a regular file inside base,
 * with O_NOFOLLOW. Returns an fd (st filled) or -errno (-ENOENT for
 * everything a client may not see). */
struct stat;
int srv_open_inside(const char *base, const char *rel, struct stat *st);

#endif
