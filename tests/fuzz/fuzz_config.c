/* libFuzzer target: camcatd's config file (cc_config_parse over whole files,
 * listen values included). What it accepts must hold the table's promises:
 * numbers in range, strings without control bytes, a listen value that parses
 * again; and nothing leaks (the config is freed as camcatd frees it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s)
{
    if (!s)
        return;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            abort();
}

static void check(const struct cc_config *c)
{
    struct cc_listen l[CC_CONFIG_MAX_LISTEN];
    int n = c->listen ? cc_config_parse_listens(c->listen, l, CC_CONFIG_MAX_LISTEN) : -1;
    if (n < 1)
        abort();
    for (int i = 0; i < n; i++)
        if (l[i].port < 0 || l[i].port > 65535)
            abort();
    if (c->threads < 1 || c->threads > 256 || c->request_timeout_ms < 1000 || c->cache_mb < 1 ||
        c->live_window < 2 || c->mqtt_port < 1 || c->mqtt_port > 65535 || c->min_free_pct > 90)
        abort();
    if (!c->www || !*c->www || !c->auth_realm || strchr(c->auth_realm, '"'))
        abort();
    check_str(c->root);
    check_str(c->cache_dir);
    check_str(c->live_start_cmd);
    check_str(c->snapshot_cmd);
    check_str(c->mqtt_prefix);
    check_str(c->ingest_token);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cc_config c;
    char err[256];
    cc_config_init(&c, "/usr/share/camcat/www");
    err[0] = '\0';
    if (cc_config_parse(&c, (const char *)data, size, "fuzz.conf", err, sizeof(err)) == 0) {
        check(&c);
        cc_config_check(&c, err, sizeof(err));
    } else if (!err[0] || strnlen(err, sizeof(err)) == sizeof(err)) {
        abort(); /* a refusal always says why */
    }
    cc_config_free(&c);

    /* the first line alone as a listen value: the parser takes a C string */
    char listen[128];
    size_t n = 0;
    while (n < size && n < sizeof(listen) - 1 && data[n] != '\n' && data[n] != '\0') {
        listen[n] = (char)data[n];
        n++;
    }
    listen[n] = '\0';
    struct cc_listen l;
    if (cc_config_parse_listen(listen, &l) == 0 &&
        (l.port < 0 || l.port > 65535 || strnlen(l.host, sizeof(l.host)) == sizeof(l.host)))
        abort();
    return 0;
}
