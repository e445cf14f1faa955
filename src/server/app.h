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
struct cc_digest;
struct srv_mqtt;
struct srv_snapshot;
struct cc_ret_result;

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
    atomic_int ingests_running; /* pushed streams being recorded (ingestd.c) */
    struct srv_sweep *sweep; /* retention (storage.c); NULL until started */
    struct cc_digest *digest; /* nonces (auth.c); NULL without auth_file */
    struct srv_snapshot *snapshot; /* /api/snapshot.jpg and its hook (snapshot.h) */
    struct srv_mqtt *mqtt;   /* NULL when MQTT is off (mqtt.h) */
};

/* Request handlers (mg_request_handler): return the status they sent. */
int srv_api_handler(struct mg_connection *conn, void *app);   /* /api */
int srv_rec_handler(struct mg_connection *conn, void *app);   /* /rec */
int srv_www_handler(struct mg_connection *conn, void *app);   /* everything else */
/* GET and POST /api/time (time.c), called by the /api router. */
int srv_time_handler(struct mg_connection *conn, struct app *app);
/* The clock sync of POST /api/time without the request (MQTT sync_clock):
 * compares epoch_ms with the camera's clock and acts per the clock mode.
 * 0 with *camera_ms and *action ("none", "set", "would_set"), -EACCES when
 * clock = off, -EPERM without CAP_SYS_TIME, or -errno. who goes to the log. */
int srv_time_sync(struct app *app, int64_t epoch_ms, const char *who, int64_t *camera_ms,
                  const char **action);

/* Checks auth_realm and, when set, the auth_file (readable, well-formed, a
 * user for the realm) at start-up: 0, or -EINVAL after logging why. */
int srv_auth_check_config(const struct cc_config *cfg);
/* With auth_file, creates app->digest (the nonce table) before the server
 * starts: 0 or -errno after logging why. srv_auth_stop frees it after
 * civetweb has stopped. Without auth_file both do nothing. */
int srv_auth_start(struct app *app);
void srv_auth_stop(struct app *app);
/* civetweb authorization handler (cbdata: the app) for "/": every request
 * passes it. With auth_file: 1 lets a request with valid digest credentials
 * through, 0 when it answered 401 with a challenge (or 503 when the file
 * cannot be read: it fails closed). Without: 0 after a 403 host_not_literal
 * when the Host header names a DNS name (DNS rebinding), else 1.
 * Thread-safe. */
int srv_auth_handler(struct mg_connection *conn, void *app);

int srv_export_handler(struct mg_connection *conn, struct app *app); /* /api/export.ts */
/* Retention (storage.c): a sweep at start and every sweep_interval_s in its
 * own thread; sweeps and DELETE /api/days/DATE never run at the same time
 * (one lock). srv_sweep_stop() wakes and joins the thread. */
void srv_sweep_start(struct app *app);
void srv_sweep_stop(struct app *app);
int srv_storage_handler(struct mg_connection *conn, struct app *app);   /* GET /api/storage */
/* A sweep now, on the caller's thread, under the same lock (MQTT sweep):
 * 0 with *res, -ENOENT when no retention policy is set, or -errno. */
int srv_sweep_now(struct app *app, struct cc_ret_result *res);
int srv_day_delete(struct mg_connection *conn, struct app *app, const struct cc_date *date);
/* The lock sweeps and DELETEs hold while they decide and delete: another
 * deleter (DELETE of one recording) takes it the same way. */
void srv_sweep_hold(struct app *app);
void srv_sweep_release(struct app *app);

/* State-changing requests (POST, DELETE) call this first: 0 when the request
 * may change the camera, else the status of the 403 it sent: a foreign or
 * opaque Origin, or Sec-Fetch-Site other than same-origin/none.
 * Authentication and the Host rule run before any handler
 * (srv_auth_handler). */
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
