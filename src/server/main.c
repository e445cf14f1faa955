/* camcatd — the recording catalog server: civetweb in front of the catalog.
 *
 * Start-up follows civetweb's embedding pattern: mg_init_library, an options
 * array, mg_start2, one request handler per route (routes.c), then
 * the main thread sleeps in sigsuspend until SIGINT/SIGTERM; mg_stop lets
 * in-flight requests finish; mg_exit_library. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>

#include "app.h"
#include "auth.h"
#include "clientcap.h"
#include "config.h"
#include "fsutil.h"
#include "http.h"
#include "ingestd.h"
#include "live.h"
#include "log.h"
#include "mem.h"
#include "mqtt.h"
#include "ratelimit.h"
#include "routes.h"
#include "snapshot.h"
#include "storage.h"
#include "tls.h"

#ifndef CAMCAT_WWW_DIR
#define CAMCAT_WWW_DIR "/usr/local/share/camcat/www"
#endif

/* Set from the signal handler, read by the main loop: the one global. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: camcatd --root DIR [--listen ADDR] [--config FILE] [--KEY VALUE]...\n"
            "\n"
            "  --root DIR        recordings ROOT (YYYY-MM-DD/NNNNN/*.m3u8)\n"
            "  --listen ADDR     PORT, IPv4:PORT or [IPv6]:PORT (default 127.0.0.1:8080;\n"
            "                    port 0 picks a free one and logs it); PORTs for HTTPS\n"
            "                    (with --tls-cert FILE); several separated by commas\n"
            "  --config FILE     key = value lines; flags win over the file\n"
            "  --www DIR         the UI (default %s)\n"
            "\n"
            "Every config key is also a flag, spelled with dashes (cache_mb: --cache-mb N);\n"
            "yes/no keys are bare switches (--insecure-no-auth). Keys:\n ",
            CAMCAT_WWW_DIR);
    const char *key;
    bool is_bool;
    int col = 1;
    for (size_t i = 0; (key = cc_config_key(i, &is_bool)) != NULL; i++) {
        if (col + (int)strlen(key) + 1 > 78) {
            fputs("\n ", f);
            col = 1;
        }
        col += fprintf(f, " %s", key);
    }
    fputs("\nSee README, \"Configuration\", for what each does and its default.\n", f);
}

struct flag {
    char key[32];
    const char *value;
};

/* Parses argv into flags (key spelled as in the config file) and the config
 * file path. Returns 0, 1 when done (help/version printed), or 2 on misuse. */
static int parse_args(int argc, char **argv, struct flag *flags, int *nflags,
                      const char **config_path)
{
    *nflags = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        }
        if (!strcmp(a, "--version")) {
            printf("camcatd %s\n", CAMCAT_VERSION);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "camcatd: unexpected argument \"%s\" (see --help)\n", a);
            return 2;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nl = eq ? (size_t)(eq - name) : strlen(name);
        if (nl == 0 || nl >= sizeof(flags->key) || memchr(name, '_', nl)) {
            fprintf(stderr, "camcatd: unknown option %s (see --help)\n", a);
            return 2;
        }
        struct flag *f = &flags[*nflags];
        for (size_t k = 0; k < nl; k++)
            f->key[k] = name[k] == '-' ? '_' : name[k];
        f->key[nl] = '\0';
        bool known = !strcmp(f->key, "config"), is_bool = false;
        const char *key;
        for (size_t k = 0; !known && (key = cc_config_key(k, &is_bool)) != NULL; k++)
            known = !strcmp(key, f->key);
        if (!known) {
            fprintf(stderr, "camcatd: unknown option --%.*s (see --help)\n", (int)nl, name);
            return 2;
        }
        /* A switch is a bare --flag; --flag=no still turns it off. */
        const char *value = eq ? eq + 1 : is_bool ? "yes" : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            fprintf(stderr, "camcatd: %s needs a value (see --help)\n", a);
            return 2;
        }
        if (!strcmp(f->key, "config")) {
            *config_path = value;
            continue;
        }
        f->value = value;
        (*nflags)++;
    }
    return 0;
}

/* Settings: defaults, then the file, then the flags. 0, 1 or 2 as above. */
static int load_config(int argc, char **argv, struct cc_config *cfg)
{
    struct flag *flags = cc_xcalloc((size_t)argc, sizeof(*flags));
    const char *config_path = NULL;
    int nflags, rc = parse_args(argc, argv, flags, &nflags, &config_path);
    char err[512];
    if (rc)
        goto out;
    rc = 2;
    if (config_path && cc_config_load(cfg, config_path, err, sizeof(err)) < 0) {
        fprintf(stderr, "camcatd: %s\n", err);
        goto out;
    }
    for (int i = 0; i < nflags; i++) {
        if (cc_config_set(cfg, flags[i].key, flags[i].value, err, sizeof(err)) < 0) {
            fprintf(stderr, "camcatd: --%s: %s\n", flags[i].key, err);
            goto out;
        }
    }
    if (cc_config_check(cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "camcatd: %s\n", err);
        goto out;
    }
    rc = 0;
out:
    free(flags);
    return rc;
}

/* civetweb's warnings (a failed TLS handshake each time plain HTTP reaches
 * an HTTPS port, say) are logged once a minute per distinct message, with
 * the count of the ones held back, so a LAN neighbour cannot flush the log
 * ring. By message, not by client: civetweb 1.15 gives no address before a
 * request is read (mg_get_request_info() is NULL during the handshake). */
#define CIVET_LOG_MS (60 * 1000)
#define CIVET_LOG_SLOTS 64

static int log_message(const struct mg_connection *conn, const char *message)
{
    const struct app *app = conn ? mg_get_user_data(mg_get_context(conn)) : NULL;
    uint32_t n = app && app->civet_log ? cc_ratelimit_fail(app->civet_log, message) : 1;
    if (n == 1)
        cc_warn("civetweb: %s", message);
    else if (n > 1)
        cc_warn("civetweb: %s (%u times since it was last logged)", message, n);
    return 1; /* logged here; civetweb prints nothing itself */
}

static void end_request(const struct mg_connection *conn, int status)
{
    if (cc_log_get_level() < CC_LOG_DEBUG)
        return;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    cc_debug("%s %s %s%s -> %d", ri->remote_addr, ri->request_method,
             ri->local_uri_raw ? ri->local_uri_raw : "?", ri->query_string ? "?..." : "", status);
}

/* Refuses (before anything is bound) to serve other hosts without
 * authentication unless the operator said so explicitly. */
static int check_listen(const struct cc_config *cfg)
{
    struct cc_listen l[CC_CONFIG_MAX_LISTEN];
    int n = cc_config_parse_listens(cfg->listen, l, CC_CONFIG_MAX_LISTEN);
    if (n < 0)
        return -EINVAL; /* validated with the config already */
    if (!cc_config_listen_loopback(cfg->listen) && !cfg->auth_file) {
        if (!cfg->insecure_no_auth) {
            cc_err("listen %s is reachable from other hosts, and there is no auth_file: create "
                   "one (camcat passwd FILE USER) and set auth_file, listen on 127.0.0.1, or "
                   "pass --insecure-no-auth to serve everyone without a password anyway",
                   cfg->listen);
            return -EACCES;
        }
        cc_warn("INSECURE: listening on %s, reachable from other hosts, WITHOUT authentication "
                "(insecure_no_auth): anyone who can reach it can watch the recordings%s",
                cfg->listen, cfg->clock == CC_CLOCK_SET ? " and set the clock" : "");
    }
    for (int i = 0; i < n; i++) {
        if (l[i].v6 && !mg_check_feature(MG_FEATURES_IPV6)) {
            cc_err("listen %s: this civetweb was built without IPv6", cfg->listen);
            return -EINVAL;
        }
    }
    return 0;
}

/* Longest a stop waits for requests in flight (a slow client must not hold
 * the camera's restart up for long). */
#define STOP_GRACE_MS 5000

/* Lets the requests in flight finish (bounded), then stops civetweb. */
static void stop_server(struct mg_context *ctx, struct app *app)
{
    atomic_store(&app->stopping, true);
    int64_t deadline = cc_monotonic_ms() + STOP_GRACE_MS;
    while (atomic_load(&app->in_flight) > 0 && cc_monotonic_ms() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (atomic_load(&app->in_flight) > 0)
        cc_warn("stopping with %d requests still in flight", atomic_load(&app->in_flight));
    mg_stop(ctx);
}

static struct mg_context *start_server(struct app *app, const struct cc_config *cfg,
                                       struct srv_routes **routes)
{
    char threads[16], timeout[16];
    snprintf(threads, sizeof(threads), "%d", cfg->threads);
    snprintf(timeout, sizeof(timeout), "%d", cfg->request_timeout_ms);
    /* Small request buffers, short keep-alive (civetweb ties a worker to a
     * connection while it is open). request_timeout_ms is civetweb's deadline
     * for a whole request header and its bound on each body read and each
     * response write (README, "Limits"). */
    const char *options[] = {
        "listening_ports",
        cfg->listen,
        "num_threads",
        threads,
        "enable_keep_alive",
        "yes",
        "keep_alive_timeout_ms",
        "500",
        "request_timeout_ms",
        timeout,
        "max_request_size",
        "16384",
        /* Handlers see the raw path and decode it once themselves (urlpath). */
        "decode_url",
        "no",
        "enable_directory_listing",
        "no",
        "tcp_nodelay",
        "1",
        /* No CORS: civetweb would otherwise answer every preflight with
         * "any origin, any method", inviting other sites' pages to POST. */
        "access_control_allow_origin",
        "",
        "access_control_allow_methods",
        "",
        "access_control_allow_headers",
        "",
        /* Key and certificate in one PEM (chain: the same file); the
         * protocol floor stays civetweb's default, TLS 1.2. Last: without
         * TLS the NULL name ends the list here. */
        app->tls->on ? "ssl_certificate" : NULL,
        cfg->tls_cert,
        NULL,
        NULL,
    };
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof(cb));
    cb.log_message = log_message;
    cb.end_request = end_request;
    char errtext[256] = "";
    struct mg_error_data err = {.text = errtext, .text_buffer_size = sizeof(errtext)};
    struct mg_init_data init = {.callbacks = &cb,
                                .user_data = app,
                                .configuration_options = options};
    struct mg_context *ctx = mg_start2(&init, &err);
    if (!ctx) {
        cc_err("cannot start the server on %s: %s", cfg->listen,
               errtext[0] ? errtext : "unknown error");
        return NULL;
    }
    /* Authentication (or the Host rule) first: a request never meets a
     * handler without it. */
    mg_set_auth_handler(ctx, "/", srv_auth_handler, app);
    *routes = srv_routes_register(ctx, app);
    struct cc_listen l[CC_CONFIG_MAX_LISTEN];
    int nl = cc_config_parse_listens(cfg->listen, l, CC_CONFIG_MAX_LISTEN);
    struct mg_server_port ports[CC_CONFIG_MAX_LISTEN];
    int n = mg_get_server_ports(ctx, CC_CONFIG_MAX_LISTEN, ports);
    for (int i = 0; i < n && i < nl; i++)
        cc_info("listening on http%s://%s%s%s:%d/", ports[i].is_ssl ? "s" : "", l[i].v6 ? "[" : "",
                l[i].host[0] ? l[i].host : "0.0.0.0", l[i].v6 ? "]" : "", ports[i].port);
    return ctx;
}

static int serve(const struct cc_config *cfg, struct cc_catalog *cat, const struct srv_tls *tls)
{
    struct app app = {.cat = cat, .cfg = cfg, .tls = tls, .started_ms = cc_monotonic_ms()};
    atomic_init(&app.in_flight, 0);
    atomic_init(&app.stopping, false);
    atomic_init(&app.exports_running, 0);
    atomic_init(&app.ingests_running, 0);
    /* Block the stop signals before civetweb's threads exist, so they inherit
     * the mask and only the main thread (in sigsuspend) takes them. */
    sigset_t stop_set, old;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_set, &old);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Before the first request: DELETE takes the sweep's lock. */
    srv_sweep_start(&app);
    app.live = srv_live_new(cfg, cat);
    app.snapshot = srv_snapshot_new(cfg);
    struct mg_context *ctx = NULL;
    struct srv_routes *routes = NULL;
    int rc = srv_auth_start(&app);
    if (rc == 0)
        rc = srv_clientcap_start(cfg);
    if (rc == 0)
        rc = cc_ratelimit_new(CIVET_LOG_SLOTS, UINT32_MAX, CIVET_LOG_MS, NULL, &app.civet_log);
    if (rc == 0)
        rc = srv_mqtt_start(&app, &app.mqtt);
    if (rc == 0)
        ctx = start_server(&app, cfg, &routes);
    if (!ctx) {
        srv_mqtt_stop(app.mqtt);
        srv_snapshot_free(app.snapshot);
        srv_clientcap_stop();
        cc_ratelimit_free(app.civet_log);
        srv_auth_stop(&app);
        srv_live_free(app.live);
        srv_sweep_stop(&app);
        return rc == -EINVAL || rc == -ENOTSUP ? 2 : 1;
    }
    sigset_t wait_set = old;
    sigdelset(&wait_set, SIGINT);
    sigdelset(&wait_set, SIGTERM);
    while (!stop_requested)
        sigsuspend(&wait_set);
    cc_info("stopping: finishing requests in flight");
    stop_server(ctx, &app);
    srv_routes_free(routes);
    srv_mqtt_stop(app.mqtt); /* publishes offline; its commands use live, sweep, snapshot */
    srv_snapshot_free(app.snapshot);
    srv_clientcap_stop();
    cc_ratelimit_free(app.civet_log);
    srv_auth_stop(&app);
    srv_live_free(app.live); /* after the last request: runs live_stop_cmd if live was on */
    srv_sweep_stop(&app);
    return 0;
}

int main(int argc, char **argv)
{
    /* glibc gives every worker thread its own malloc arena; on a camera with
     * ~150 MB those idle arenas are resident memory for nothing. */
    mallopt(M_ARENA_MAX, 1);
    struct cc_config cfg;
    cc_config_init(&cfg, CAMCAT_WWW_DIR);
    int rc = load_config(argc, argv, &cfg);
    if (rc) {
        cc_config_free(&cfg);
        return rc == 1 ? 0 : 2;
    }
    cc_log_set_level(cfg.log_level);
    cc_log_ring_init((size_t)cfg.log_ring_kb << 10);
    struct srv_tls tls;
    if (check_listen(&cfg) < 0 || srv_auth_check_config(&cfg) < 0 ||
        srv_ingestd_check_config(&cfg) < 0 || srv_tls_check(&cfg, &tls) < 0) {
        cc_config_free(&cfg);
        return 2;
    }
    struct cc_catalog_config cc = {
        .root = cfg.root,
        .cache_dir = cfg.cache_dir,
        .cache_bytes = (size_t)cfg.cache_mb << 20,
        .write_sidecars = true,
    };
    struct cc_catalog *cat = NULL;
    rc = cc_catalog_new(&cc, &cat);
    if (rc < 0) {
        cc_err("catalog: %s", strerror(-rc));
        cc_config_free(&cfg);
        return 1;
    }
    int root_rc = cc_catalog_root_status(cat);
    if (root_rc < 0)
        cc_warn("root %s: %s (serving anyway; days appear when it does)", cfg.root,
                strerror(-root_rc));
    mg_init_library(tls.on ? MG_FEATURES_TLS : 0);
    rc = serve(&cfg, cat, &tls);
    cc_catalog_free(cat);
    mg_exit_library();
    cc_info("stopped");
    cc_config_free(&cfg);
    return rc;
}
