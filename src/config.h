/* config — camcatd's settings: a `key = value` file reader and the one table
 * that validates every key, shared by the file and the command line (a flag
 * --cache-dir is the key cache_dir). Pure apart from cc_config_load() reading
 * the file; no civetweb here, so the unit tests link it.
 *
 * File syntax: one `key = value` a line; blank lines and lines starting with
 * '#' are ignored; spaces around key and value are trimmed; no quoting (a
 * value runs to the end of the line). An unknown key or a bad value is an
 * error naming the key, what was given and what is accepted. */
#ifndef CC_CONFIG_H
#define CC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"

#define CC_CONFIG_MAX_FILE (64 * 1024)

/* What POST /api/time may do with the camera's clock. */
enum cc_clock_mode {
    CC_CLOCK_OFF,    /* the endpoint refuses */
    CC_CLOCK_REPORT, /* answers what it would change, changes nothing */
    CC_CLOCK_SET,    /* clock_settime (needs CAP_SYS_TIME) */
};

/* Strings are malloc'ed (NULL: not set); README's "Configuration" documents
 * every key. */
struct cc_config {
    char *root;             /* recordings ROOT; required */
    char *listen;           /* "127.0.0.1:8080", "8080", "[::1]:8080"; comma-separated,
                         's' after the port for TLS: "8080,8443s" */
    char *tls_cert;         /* PEM with the private key and the certificate; NULL: no TLS */
    char *cache_dir;        /* NULL: sidecars in the day folders */
    char *www;              /* the UI's folder */
    int threads;            /* civetweb worker threads */
    int request_timeout_ms; /* deadline for a request's header; bounds each body read and write */
    int max_client_conns;   /* connections one client address may hold at once; 0: no cap */
    enum cc_log_level log_level;
    int cache_mb; /* bound on in-memory day indexes */

    int live_window;      /* chunks in /api/live.m3u8 */
    char *live_start_cmd; /* run (sh -c) when the first live viewer arrives */
    char *live_stop_cmd;  /* run live_idle_s after the last one left */
    int live_idle_s;

    enum cc_clock_mode clock;
    int clock_threshold_ms; /* smaller differences are left alone */

    int retain_days;      /* 0: no age limit */
    int min_free_mb;      /* 0: no free-space floor */
    int min_free_pct;     /* 0: no free-space floor */
    int sweep_interval_s; /* 0: sweep at start only */
    bool sweep_dry_run;   /* log what a sweep would remove, remove nothing */

    int export_max_s;       /* longest clip /api/export.ts hands out */
    int exports_max;        /* exports and previews streaming at once */
    int preview_max_frames; /* most frames one /api/preview.mp4 may ask for */

    char *auth_file; /* htdigest file; NULL: no authentication */
    char *auth_realm;
    bool insecure_no_auth; /* allow a non-loopback listen without auth_file */
    int auth_max_failures; /* failed logins a client may make a minute; 0: no limit */

    int log_ring_kb;      /* newest log text kept for GET /api/log; 0: none */
    char *snapshot_cmd;   /* prints a JPEG on stdout; NULL: no snapshots */
    int snapshot_cache_s; /* a snapshot is reused this long */

    char *camera_id; /* NULL: the host name */
    char *mqtt_host; /* NULL: no MQTT */
    int mqtt_port;
    char *mqtt_user;
    char *mqtt_password_file; /* its first line is the password */
    char *mqtt_tls_ca;        /* CA file: TLS to the broker */
    char *mqtt_prefix;        /* NULL: camcat/<camera_id> */
    bool mqtt_discovery;      /* Home Assistant discovery messages */
    char *mqtt_discovery_prefix;
    int mqtt_state_interval_s;

    int ingest_max;         /* POST /api/ingest streams at once; 0: ingest off */
    char *ingest_token;     /* Bearer token for ingest, the alternative to digest */
    int ingest_chunk_s;     /* chunks are cut at the first keyframe after this */
    int ingest_max_chunk_s; /* no keyframe for longer ends the stream */
    int ingest_max_chunk_mb;
};

/* A listen address taken apart. */
struct cc_listen {
    char host[64]; /* "" for every interface */
    int port;      /* 0..65535; 0 asks the kernel for a free port */
    bool v6;
    bool loopback;
    bool tls; /* "8443s": HTTPS (civetweb's suffix) */
};

/* Most addresses one listen value may name. */
#define CC_CONFIG_MAX_LISTEN 4

/* Defaults: see cc_config_init() and README; www as given. */
void cc_config_init(struct cc_config *c, const char *default_www);
void cc_config_free(struct cc_config *c);

/* Validates and stores one setting. 0, or -EINVAL with a message in err. */
int cc_config_set(struct cc_config *c, const char *key, const char *value, char *err, size_t errsz);
/* Applies the `key = value` lines of text; origin (a file name) prefixes
 * messages as "origin:line: ". Stops at the first error. */
int cc_config_parse(struct cc_config *c, const char *text, size_t len, const char *origin,
                    char *err, size_t errsz);
/* Reads the file at path (at most CC_CONFIG_MAX_FILE bytes) and parses it. */
int cc_config_load(struct cc_config *c, const char *path, char *err, size_t errsz);
/* Checks what no single setting can: root is set. */
int cc_config_check(const struct cc_config *c, char *err, size_t errsz);

/* Exports and previews allowed at once: exports_max, but never more than
 * half the worker threads (at least one), so downloads leave workers free. */
int cc_config_exports_limit(const struct cc_config *c);

/* Parses "PORT", "IPv4:PORT" or "[IPv6]:PORT", each with an optional 's'
 * after the port (TLS). 0 or -EINVAL. */
int cc_config_parse_listen(const char *s, struct cc_listen *out);
/* Parses a comma-separated list of those (no spaces) into out[max]: the
 * count (>= 1), or -EINVAL when an item is bad or there are more than max. */
int cc_config_parse_listens(const char *s, struct cc_listen *out, int max);
/* Whether every address of a valid listen value is loopback (false for an
 * invalid one: never assume "local only" by mistake). */
bool cc_config_listen_loopback(const char *s);

/* The i-th key (NULL past the last); *is_bool (may be NULL) says whether it is
 * a yes/no switch, which the command line spells as a bare --flag. */
const char *cc_config_key(size_t i, bool *is_bool);

#endif
