#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "mem.h"

enum kind { K_PATH, K_OPT_PATH, K_OPT_CMD, K_STR, K_INT, K_BOOL, K_LEVEL, K_CLOCK, K_LISTEN };

/* One key: how its value is checked and where it is stored. */
struct key_rule {
    const char *key;
    enum kind kind;
    size_t off;           /* of the field in struct cc_config */
    int min, max;         /* K_INT */
    const char *accepted; /* said back when a value is refused */
};

#define AT(field) offsetof(struct cc_config, field)

static const struct key_rule rules[] = {
    {"root", K_PATH, AT(root), 0, 0, "a folder path"},
    {"listen", K_LISTEN, AT(listen), 0, 0,
     "PORT, IPv4:PORT or [IPv6]:PORT, with s after the port for TLS, up to 4 separated by "
     "commas, e.g. 127.0.0.1:8080 or 0.0.0.0:443s"},
    {"cache_dir", K_OPT_PATH, AT(cache_dir), 0, 0, "a folder path, or nothing for the day folders"},
    {"www", K_PATH, AT(www), 0, 0, "a folder path"},
    {"threads", K_INT, AT(threads), 1, 256, "a whole number from 1 to 256"},
    {"request_timeout_ms", K_INT, AT(request_timeout_ms), 1000, 60000,
     "milliseconds from 1000 to 60000"},
    {"max_client_conns", K_INT, AT(max_client_conns), 0, 256,
     "connections from 1 to 256, 0 for no cap"},
    {"log_level", K_LEVEL, AT(log_level), 0, 0, "error, warn, info or debug"},
    {"cache_mb", K_INT, AT(cache_mb), 1, 1024, "a whole number of MiB from 1 to 1024"},
    {"live_window", K_INT, AT(live_window), 2, 60, "a number of chunks from 2 to 60"},
    {"live_start_cmd", K_OPT_CMD, AT(live_start_cmd), 0, 0, "a shell command, or nothing"},
    {"live_stop_cmd", K_OPT_CMD, AT(live_stop_cmd), 0, 0, "a shell command, or nothing"},
    {"live_idle_s", K_INT, AT(live_idle_s), 0, 3600, "seconds from 0 to 3600"},
    {"clock", K_CLOCK, AT(clock), 0, 0, "set, report or off"},
    {"clock_threshold_ms", K_INT, AT(clock_threshold_ms), 0, 3600000,
     "milliseconds from 0 to 3600000"},
    {"retain_days", K_INT, AT(retain_days), 0, 36500, "a number of days, 0 for no limit"},
    {"min_free_mb", K_INT, AT(min_free_mb), 0, 16777216, "MiB, 0 for no limit"},
    {"min_free_pct", K_INT, AT(min_free_pct), 0, 90, "a percentage from 0 to 90"},
    {"sweep_interval_s", K_INT, AT(sweep_interval_s), 0, 86400,
     "seconds from 0 (only at start) to 86400"},
    {"sweep_dry_run", K_BOOL, AT(sweep_dry_run), 0, 0, "yes or no"},
    {"export_max_s", K_INT, AT(export_max_s), 1, 86400, "seconds from 1 to 86400"},
    {"exports_max", K_INT, AT(exports_max), 1, 128, "a number of downloads from 1 to 128"},
    {"preview_max_frames", K_INT, AT(preview_max_frames), 1, 3600, "frames from 1 to 3600"},
    {"auth_file", K_OPT_PATH, AT(auth_file), 0, 0, "an htdigest file path, or nothing"},
    {"auth_realm", K_STR, AT(auth_realm), 0, 0, "a realm name without quotes"},
    {"insecure_no_auth", K_BOOL, AT(insecure_no_auth), 0, 0, "yes or no"},
    {"auth_max_failures", K_INT, AT(auth_max_failures), 0, 1000,
     "failed logins a minute from 0 (no limit) to 1000"},
    {"tls_cert", K_OPT_PATH, AT(tls_cert), 0, 0,
     "a PEM file with the private key and the certificate (camcat cert), or nothing"},
    {"log_ring_kb", K_INT, AT(log_ring_kb), 0, 4096, "KiB from 0 to 4096"},
    {"snapshot_cmd", K_OPT_CMD, AT(snapshot_cmd), 0, 0, "a shell command, or nothing"},
    {"snapshot_cache_s", K_INT, AT(snapshot_cache_s), 0, 3600, "seconds from 0 to 3600"},
    {"camera_id", K_OPT_PATH, AT(camera_id), 0, 0, "a name, or nothing for the host name"},
    {"mqtt_host", K_OPT_PATH, AT(mqtt_host), 0, 0, "a broker host name or address, or nothing"},
    {"mqtt_port", K_INT, AT(mqtt_port), 1, 65535, "a port from 1 to 65535"},
    {"mqtt_user", K_OPT_PATH, AT(mqtt_user), 0, 0, "a user name, or nothing"},
    {"mqtt_password_file", K_OPT_PATH, AT(mqtt_password_file), 0, 0,
     "a file whose first line is the password, or nothing"},
    {"mqtt_tls_ca", K_OPT_PATH, AT(mqtt_tls_ca), 0, 0, "a CA certificate file, or nothing"},
    {"mqtt_prefix", K_OPT_PATH, AT(mqtt_prefix), 0, 0,
     "a topic prefix without + or #, or nothing for camcat/<camera_id>"},
    {"mqtt_discovery", K_BOOL, AT(mqtt_discovery), 0, 0, "yes or no"},
    {"mqtt_discovery_prefix", K_STR, AT(mqtt_discovery_prefix), 0, 0,
     "a topic prefix, e.g. homeassistant"},
    {"mqtt_state_interval_s", K_INT, AT(mqtt_state_interval_s), 5, 86400,
     "seconds from 5 to 86400"},
    {"ingest_max", K_INT, AT(ingest_max), 0, 16, "a number of streams from 0 (off) to 16"},
    {"ingest_token", K_OPT_CMD, AT(ingest_token), 0, 0, "a secret of 16 or more characters"},
    {"ingest_chunk_s", K_INT, AT(ingest_chunk_s), 1, 60, "seconds from 1 to 60"},
    {"ingest_max_chunk_s", K_INT, AT(ingest_max_chunk_s), 2, 600, "seconds from 2 to 600"},
    {"ingest_max_chunk_mb", K_INT, AT(ingest_max_chunk_mb), 1, 256, "MiB from 1 to 256"},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

void cc_config_init(struct cc_config *c, const char *default_www)
{
    memset(c, 0, sizeof(*c));
    c->listen = cc_xstrdup("127.0.0.1:8080");
    c->www = cc_xstrdup(default_www);
    /* 64 idle workers cost about 1 MiB resident (README, "Limits"); fewer
     * let a few dozen slow clients take them all. */
    c->threads = 64;
    /* A LAN client sends its header in milliseconds; 5 s bounds how long a
     * client that dribbles it holds a worker. */
    c->request_timeout_ms = 5000;
    c->max_client_conns = 16; /* a browser opens 6 per host: room for two and a hub */
    c->log_level = CC_LOG_INFO;
    c->cache_mb = 2; /* with malloc overhead about 3 MiB resident: the server stays under 8 MiB */
    c->live_window = 6;
    c->live_idle_s = 30;
    c->clock = CC_CLOCK_REPORT;
    c->clock_threshold_ms = 2000;
    c->sweep_interval_s = 600;
    c->export_max_s = 3600;
    c->exports_max = 2;
    c->preview_max_frames = 300;
    c->auth_realm = cc_xstrdup("camcat");
    c->auth_max_failures = 10;
    c->log_ring_kb = 64;
    c->snapshot_cache_s = 10;
    c->mqtt_port = 1883;
    c->mqtt_discovery_prefix = cc_xstrdup("homeassistant");
    c->mqtt_state_interval_s = 60;
    c->ingest_max = 1;
    c->ingest_chunk_s = 2;
    c->ingest_max_chunk_s = 10;
    c->ingest_max_chunk_mb = 16;
}

const char *cc_config_key(size_t i, bool *is_bool)
{
    if (i >= NRULES)
        return NULL;
    if (is_bool)
        *is_bool = rules[i].kind == K_BOOL;
    return rules[i].key;
}

void cc_config_free(struct cc_config *c)
{
    free(c->root);
    free(c->listen);
    free(c->tls_cert);
    free(c->cache_dir);
    free(c->www);
    free(c->live_start_cmd);
    free(c->live_stop_cmd);
    free(c->auth_file);
    free(c->auth_realm);
    free(c->snapshot_cmd);
    free(c->camera_id);
    free(c->mqtt_host);
    free(c->mqtt_user);
    free(c->mqtt_password_file);
    free(c->mqtt_tls_ca);
    free(c->mqtt_prefix);
    free(c->mqtt_discovery_prefix);
    free(c->ingest_token);
    memset(c, 0, sizeof(*c));
}

static int parse_int(const char *s, int min, int max, int *out)
{
    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -EINVAL;
    *out = (int)v;
    return 0;
}

static int parse_port(const char *s, int *port)
{
    return parse_int(s, 0, 65535, port);
}

static bool v4_loopback(const char *host)
{
    struct in_addr a;
    if (inet_pton(AF_INET, host, &a) != 1)
        return false;
    return (ntohl(a.s_addr) >> 24) == 127;
}

int cc_config_parse_listen(const char *s, struct cc_listen *out)
{
    struct cc_listen l;
    memset(&l, 0, sizeof(l));
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(l.host))
            return -EINVAL;
        memcpy(l.host, s + 1, (size_t)(close - s - 1));
        struct in6_addr a6;
        if (inet_pton(AF_INET6, l.host, &a6) != 1)
            return -EINVAL;
        l.v6 = true;
        l.loopback = IN6_IS_ADDR_LOOPBACK(&a6);
        colon = close + 1;
    } else if ((colon = strchr(s, ':')) != NULL) {
        if ((size_t)(colon - s) >= sizeof(l.host))
            return -EINVAL;
        memcpy(l.host, s, (size_t)(colon - s));
        struct in_addr a;
        if (inet_pton(AF_INET, l.host, &a) != 1)
            return -EINVAL;
        l.loopback = v4_loopback(l.host);
    } else {
        colon = s - 1; /* a bare port: every IPv4 interface */
    }
    char port[8];
    size_t n = strlen(colon + 1);
    if (n == 0 || n >= sizeof(port))
        return -EINVAL;
    memcpy(port, colon + 1, n + 1);
    if (port[n - 1] == 's') {
        l.tls = true;
        port[n - 1] = '\0';
    }
    if (parse_port(port, &l.port) < 0)
        return -EINVAL;
    *out = l;
    return 0;
}

int cc_config_parse_listens(const char *s, struct cc_listen *out, int max)
{
    int n = 0;
    for (const char *p = s;; n++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char one[80];
        if (n == max || len >= sizeof(one))
            return -EINVAL;
        memcpy(one, p, len);
        one[len] = '\0';
        if (cc_config_parse_listen(one, &out[n]) < 0)
            return -EINVAL;
        if (!comma)
            return n + 1;
        p = comma + 1;
    }
}

bool cc_config_listen_loopback(const char *s)
{
    struct cc_listen l[CC_CONFIG_MAX_LISTEN];
    int n = cc_config_parse_listens(s, l, CC_CONFIG_MAX_LISTEN);
    if (n < 0)
        return false;
    for (int i = 0; i < n; i++)
        if (!l[i].loopback)
            return false;
    return true;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static void set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? cc_xstrdup(v) : NULL;
}

static int parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
        *out = true;
    else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
        *out = false;
    else
        return -EINVAL;
    return 0;
}

static int parse_clock(const char *s, enum cc_clock_mode *out)
{
    static const char *const names[] =
        {[CC_CLOCK_OFF] = "off", [CC_CLOCK_REPORT] = "report", [CC_CLOCK_SET] = "set"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!strcmp(s, names[i])) {
            *out = (enum cc_clock_mode)i;
            return 0;
        }
    }
    return -EINVAL;
}

static int check_string(enum kind kind, const char *v)
{
    if (has_control(v) || strlen(v) >= PATH_MAX)
        return -EINVAL;
    if ((kind == K_PATH || kind == K_STR) && !*v)
        return -EINVAL;
    if (kind == K_STR && strchr(v, '"'))
        return -EINVAL;
    return 0;
}

static int apply(struct cc_config *c, const struct key_rule *r, const char *v)
{
    void *slot = (char *)c + r->off;
    struct cc_listen l[CC_CONFIG_MAX_LISTEN];
    switch (r->kind) {
    case K_PATH:
    case K_STR:
    case K_OPT_PATH:
    case K_OPT_CMD:
        if (check_string(r->kind, v) < 0)
            return -EINVAL;
        set_str(slot, *v ? v : NULL);
        return 0;
    case K_INT: return parse_int(v, r->min, r->max, slot);
    case K_BOOL: return parse_bool(v, slot);
    case K_LEVEL: return cc_log_parse_level(v, slot);
    case K_CLOCK: return parse_clock(v, slot);
    case K_LISTEN:
        if (cc_config_parse_listens(v, l, CC_CONFIG_MAX_LISTEN) < 0)
            return -EINVAL;
        set_str(slot, v);
        return 0;
    }
    return -EINVAL;
}

int cc_config_set(struct cc_config *c, const char *key, const char *value, char *err, size_t errsz)
{
    for (size_t i = 0; i < NRULES; i++) {
        if (strcmp(rules[i].key, key) != 0)
            continue;
        if (apply(c, &rules[i], value) == 0)
            return 0;
        snprintf(err, errsz, "bad value for %s: \"%.64s\" (accepted: %s)", key, value,
                 rules[i].accepted);
        return -EINVAL;
    }
    struct cc_buf keys;
    cc_buf_init(&keys);
    for (size_t i = 0; i < NRULES; i++)
        cc_buf_printf(&keys, "%s%s", i ? ", " : "", rules[i].key);
    snprintf(err, errsz, "unknown key \"%.64s\" (accepted: %s)", key, keys.data);
    cc_buf_free(&keys);
    return -EINVAL;
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
        (*e)--;
}

/* One line [s, e): 0, or -EINVAL with err set (without the origin prefix). */
static int parse_line(struct cc_config *c, const char *s, const char *e, char *err, size_t errsz)
{
    trim(&s, &e);
    if (s == e || *s == '#')
        return 0;
    if (memchr(s, '\0', (size_t)(e - s))) {
        snprintf(err, errsz, "NUL byte in line");
        return -EINVAL;
    }
    const char *eq = memchr(s, '=', (size_t)(e - s));
    if (!eq) {
        snprintf(err, errsz, "expected key = value, got \"%.*s\"", (int)(e - s > 64 ? 64 : e - s),
                 s);
        return -EINVAL;
    }
    const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
    trim(&ks, &ke);
    trim(&vs, &ve);
    char *key = cc_xstrndup(ks, (size_t)(ke - ks));
    char *val = cc_xstrndup(vs, (size_t)(ve - vs));
    int rc = cc_config_set(c, key, val, err, errsz);
    free(key);
    free(val);
    return rc;
}

int cc_config_parse(struct cc_config *c, const char *text, size_t len, const char *origin,
                    char *err, size_t errsz)
{
    const char *p = text, *end = text + len;
    for (int line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        char msg[512];
        if (parse_line(c, p, e, msg, sizeof(msg)) < 0) {
            snprintf(err, errsz, "%s:%d: %s", origin, line, msg);
            return -EINVAL;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int cc_config_load(struct cc_config *c, const char *path, char *err, size_t errsz)
{
    struct cc_buf b;
    cc_buf_init(&b);
    int rc = cc_read_file(path, CC_OPEN_FOLLOW, CC_CONFIG_MAX_FILE, &b);
    if (rc < 0) {
        snprintf(err, errsz, "%s: %s", path, strerror(-rc));
        goto out;
    }
    rc = cc_config_parse(c, b.data ? b.data : "", b.len, path, err, errsz);
out:
    cc_buf_free(&b);
    return rc;
}

/* A TLS listen needs a certificate; a certificate without one is a mistake
 * worth saying (the owner believes the camera speaks HTTPS). */
static int check_tls(const struct cc_config *c, char *err, size_t errsz)
{
    struct cc_listen l[CC_CONFIG_MAX_LISTEN];
    int n = cc_config_parse_listens(c->listen, l, CC_CONFIG_MAX_LISTEN);
    bool tls = false;
    for (int i = 0; i < n; i++)
        tls |= l[i].tls;
    if (tls && !c->tls_cert) {
        snprintf(err, errsz,
                 "listen %s asks for TLS (the s after the port) but tls_cert is not "
                 "set: make one with camcat cert --out FILE and set tls_cert = FILE",
                 c->listen);
        return -EINVAL;
    }
    if (!tls && c->tls_cert) {
        snprintf(err, errsz,
                 "tls_cert is set but no listen address uses TLS: add one with an s "
                 "after the port, e.g. listen = 0.0.0.0:443s");
        return -EINVAL;
    }
    return 0;
}

int cc_config_exports_limit(const struct cc_config *c)
{
    int half = c->threads / 2 > 0 ? c->threads / 2 : 1;
    return c->exports_max < half ? c->exports_max : half;
}

int cc_config_check(const struct cc_config *c, char *err, size_t errsz)
{
    if (!c->root) {
        snprintf(err, errsz, "root is not set (--root DIR or root = DIR in the config file)");
        return -EINVAL;
    }
    if (c->ingest_token && (strlen(c->ingest_token) < 16 || strpbrk(c->ingest_token, " \t"))) {
        snprintf(err, errsz, "ingest_token: use a secret of 16 or more characters without spaces");
        return -EINVAL;
    }
    if (check_tls(c, err, errsz) < 0)
        return -EINVAL;
    if (c->ingest_max_chunk_s <= c->ingest_chunk_s) {
        snprintf(err, errsz, "ingest_max_chunk_s (%d) must be longer than ingest_chunk_s (%d)",
                 c->ingest_max_chunk_s, c->ingest_chunk_s);
        return -EINVAL;
    }
    return 0;
}
