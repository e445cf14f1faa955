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

struct cc_sweeper;
struct srv_live;
struct cc_digest;
struct cc_ratelimit;
struct srv_mqtt;
struct srv_snapshot;
struct srv_tls;

struct app {
    struct cc_catalog *cat;
    const struct cc_config *cfg;
    const struct srv_tls *tls; /* HTTPS certificate (tls.h); tls->on false without */
    struct srv_live *live;     /* /api/live.m3u8 and its hook (live.h) */
    int64_t started_ms;        /* monotonic */
    /* civetweb's mg_stop() cuts responses short (its writes give up once the
     * stop flag is set), so a stop first refuses new requests and waits for
     * these to reach zero. */
    atomic_int in_flight;
    atomic_bool stopping;
    atomic_int exports_running;     /* a download holds a worker: bounded (export.c) */
    atomic_int ingests_running;     /* pushed streams being recorded (ingestd.c) */
    struct cc_sweeper *sweep;       /* retention (storage.c, sweeper.h); NULL until started */
    struct cc_digest *digest;       /* nonces (auth.c); NULL without auth_file */
    struct cc_ratelimit *logins;    /* failed logins per client (auth.c); NULL: no limit */
    struct cc_ratelimit *civet_log; /* civetweb's warnings (main.c); NULL: log all */
    struct srv_snapshot *snapshot;  /* /api/snapshot.jpg and its hook (snapshot.h) */
    struct srv_mqtt *mqtt;          /* NULL when MQTT is off (mqtt.h) */
};

#endif
