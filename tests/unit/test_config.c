#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "config.h"
#include "testutil.h"

static int parse(struct cc_config *c, const char *text, char *err, size_t errsz)
{
    return cc_config_parse(c, text, strlen(text), "test.conf", err, errsz);
}

static void test_defaults(void **state)
{
    struct cc_config c;
    char err[256];
    cc_config_init(&c, "/usr/share/camcat/www");
    assert_null(c.root);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_null(c.cache_dir);
    assert_string_equal(c.www, "/usr/share/camcat/www");
    assert_int_equal(c.threads, 64);
    assert_int_equal(c.request_timeout_ms, 5000);
    assert_int_equal(c.max_client_conns, 16);
    assert_int_equal(c.exports_max, 2);
    assert_int_equal(cc_config_exports_limit(&c), 2);
    assert_int_equal(c.log_level, CC_LOG_INFO);
    assert_int_equal(c.cache_mb, 2);
    assert_int_equal(cc_config_check(&c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "root"));
    cc_config_free(&c);
}

static void test_file_syntax(void **state)
{
    struct cc_config c;
    char err[256] = "";
    cc_config_init(&c, "www");
    const char *text = "# camcatd settings\n"
                       "\n"
                       "root = /mnt/sd/rec\n"
                       "  listen=[::1]:9000  \r\n"
                       "\tthreads\t=\t2\n"
                       "cache_dir = /var/cache/camcat\n"
                       "log_level = debug\n"
                       "cache_mb = 16\n"
                       "www = /opt/www dir\n"
                       "   # indented comment\n"
                       "cache_mb = 8"; /* last line without newline; later wins */
    assert_int_equal(parse(&c, text, err, sizeof(err)), 0);
    assert_string_equal(c.root, "/mnt/sd/rec");
    assert_string_equal(c.listen, "[::1]:9000");
    assert_int_equal(c.threads, 2);
    assert_string_equal(c.cache_dir, "/var/cache/camcat");
    assert_int_equal(c.log_level, CC_LOG_DEBUG);
    assert_int_equal(c.cache_mb, 8);
    assert_string_equal(c.www, "/opt/www dir");
    assert_int_equal(cc_config_check(&c, err, sizeof(err)), 0);
    /* An empty cache_dir goes back to the day folders. */
    assert_int_equal(parse(&c, "cache_dir =\n", err, sizeof(err)), 0);
    assert_null(c.cache_dir);
    cc_config_free(&c);
}

static void expect_error(const char *text, int line, const char *key, const char *accepted)
{
    struct cc_config c;
    char err[512] = "";
    char where[32];
    cc_config_init(&c, "www");
    assert_int_equal(parse(&c, text, err, sizeof(err)), -EINVAL);
    snprintf(where, sizeof(where), "test.conf:%d: ", line);
    if (strncmp(err, where, strlen(where)) != 0)
        fail_msg("message \"%s\" does not start with \"%s\"", err, where);
    if (key && !strstr(err, key))
        fail_msg("message \"%s\" does not name %s", err, key);
    if (accepted && !strstr(err, accepted))
        fail_msg("message \"%s\" does not say \"%s\"", err, accepted);
    cc_config_free(&c);
}

static void test_errors(void **state)
{
    expect_error("root = /x\nport = 80\n", 2, "port", "accepted: root, listen, cache_dir");
    expect_error("threads = 0\n", 1, "threads", "1 to 256");
    expect_error("threads = 257\n", 1, "threads", "1 to 256");
    expect_error("request_timeout_ms = 999\n", 1, "request_timeout_ms", "1000 to 60000");
    expect_error("max_client_conns = 257\n", 1, "max_client_conns", "0 for no cap");
    expect_error("exports_max = 0\n", 1, "exports_max", "1 to 128");
    expect_error("threads = 4x\n", 1, "threads", "1 to 256");
    expect_error("threads = -1\n", 1, "threads", NULL);
    expect_error("threads =\n", 1, "threads", NULL);
    expect_error("threads = 99999999999999999999\n", 1, "threads", NULL);
    expect_error("cache_mb = 0\n", 1, "cache_mb", "1024");
    expect_error("log_level = verbose\n", 1, "log_level", "error, warn, info or debug");
    expect_error("\n\nlisten = localhost:80\n", 3, "listen", "IPv4:PORT");
    expect_error("listen = 127.0.0.1:65536\n", 1, "listen", NULL);
    expect_error("listen = [::1]80\n", 1, "listen", NULL);
    expect_error("listen = 1.2.3:80\n", 1, "listen", NULL);
    expect_error("root =\n", 1, "root", "folder");
    expect_error("www = \n", 1, "www", NULL);
    expect_error("just some words\n", 1, NULL, "key = value");
    expect_error("= value\n", 1, NULL, "unknown key");
}

static void test_set_like_flags(void **state)
{
    struct cc_config c;
    char err[256];
    cc_config_init(&c, "www");
    assert_int_equal(parse(&c, "root = /file\nthreads = 2\n", err, sizeof(err)), 0);
    /* Flags are applied after the file with the same table: they win. */
    assert_int_equal(cc_config_set(&c, "root", "/flag", err, sizeof(err)), 0);
    assert_string_equal(c.root, "/flag");
    assert_int_equal(c.threads, 2);
    assert_int_equal(cc_config_set(&c, "threads", "abc", err, sizeof(err)), -EINVAL);
    assert_int_equal(c.threads, 2); /* a refused value changes nothing */
    /* Downloads never take more than half the workers, at least one. */
    assert_int_equal(cc_config_exports_limit(&c), 1);
    assert_int_equal(cc_config_set(&c, "exports_max", "8", err, sizeof(err)), 0);
    assert_int_equal(cc_config_set(&c, "threads", "12", err, sizeof(err)), 0);
    assert_int_equal(cc_config_exports_limit(&c), 6);
    assert_int_equal(cc_config_set(&c, "threads", "1", err, sizeof(err)), 0);
    assert_int_equal(cc_config_exports_limit(&c), 1);
    assert_int_equal(cc_config_set(&c, "cache-dir", "/x", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "cache-dir"));
    cc_config_free(&c);
}

static void test_operation_keys(void **state)
{
    struct cc_config c;
    char err[256];
    cc_config_init(&c, "www");
    /* The defaults the README promises. */
    assert_int_equal(c.live_window, 6);
    assert_null(c.live_start_cmd);
    assert_int_equal(c.live_idle_s, 30);
    assert_int_equal(c.clock, CC_CLOCK_REPORT);
    assert_int_equal(c.clock_threshold_ms, 2000);
    assert_int_equal(c.retain_days, 0);
    assert_int_equal(c.min_free_mb, 0);
    assert_int_equal(c.sweep_interval_s, 600);
    assert_false(c.sweep_dry_run);
    assert_int_equal(c.export_max_s, 3600);
    assert_int_equal(c.preview_max_frames, 300);
    assert_null(c.auth_file);
    assert_string_equal(c.auth_realm, "camcat");
    assert_false(c.insecure_no_auth);
    assert_int_equal(c.auth_max_failures, 10);
    const char *text = "clock = set\n"
                       "live_start_cmd = touch /run/live.on && echo 'a \"b\"'\n"
                       "sweep_dry_run = yes\n"
                       "insecure_no_auth = true\n"
                       "auth_file = /etc/camcat/htdigest\n"
                       "min_free_pct = 10\n"
                       "auth_max_failures = 0\n";
    assert_int_equal(parse(&c, text, err, sizeof(err)), 0);
    assert_int_equal(c.clock, CC_CLOCK_SET);
    assert_string_equal(c.live_start_cmd, "touch /run/live.on && echo 'a \"b\"'");
    assert_true(c.sweep_dry_run);
    assert_true(c.insecure_no_auth);
    assert_string_equal(c.auth_file, "/etc/camcat/htdigest");
    assert_int_equal(c.min_free_pct, 10);
    assert_int_equal(c.auth_max_failures, 0);
    assert_int_equal(parse(&c, "live_start_cmd =\nsweep_dry_run = 0\nauth_file =\n", err,
                           sizeof(err)),
                     0);
    assert_null(c.live_start_cmd);
    assert_false(c.sweep_dry_run);
    assert_null(c.auth_file);
    cc_config_free(&c);

    expect_error("clock = sometimes\n", 1, "clock", "set, report or off");
    expect_error("sweep_dry_run = maybe\n", 1, "sweep_dry_run", "yes or no");
    expect_error("min_free_pct = 91\n", 1, "min_free_pct", "0 to 90");
    expect_error("live_window = 1\n", 1, "live_window", "2 to 60");
    expect_error("auth_realm =\n", 1, "auth_realm", NULL);
    expect_error("auth_realm = a\"b\n", 1, "auth_realm", NULL);
    expect_error("auth_max_failures = 1001\n", 1, "auth_max_failures", "0 (no limit) to 1000");
    expect_error("export_max_s = 0\n", 1, "export_max_s", NULL);
    expect_error("preview_max_frames = 3601\n", 1, "preview_max_frames", "1 to 3600");

    /* Every key is listed once, and only switches are flagged as such. */
    bool is_bool;
    size_t n = 0, nbool = 0;
    for (const char *k; (k = cc_config_key(n, &is_bool)) != NULL; n++)
        nbool += is_bool;
    assert_int_equal(n, 46);
    assert_int_equal(nbool, 3);

    /* ingest: ranges, and what only the whole configuration can check */
    expect_error("ingest_max = 17\n", 1, "ingest_max", "0 (off) to 16");
    expect_error("ingest_chunk_s = 0\n", 1, "ingest_chunk_s", NULL);
    struct cc_config c2;
    char err2[256];
    cc_config_init(&c2, "/www");
    assert_int_equal(cc_config_set(&c2, "root", "/r", err2, sizeof(err2)), 0);
    assert_int_equal(c2.ingest_max, 1);
    assert_int_equal(cc_config_check(&c2, err2, sizeof(err2)), 0);
    assert_int_equal(cc_config_set(&c2, "ingest_token", "short", err2, sizeof(err2)), 0);
    assert_int_equal(cc_config_check(&c2, err2, sizeof(err2)), -EINVAL);
    assert_non_null(strstr(err2, "ingest_token"));
    assert_int_equal(cc_config_set(&c2, "ingest_token", "0123456789abcdef", err2, sizeof(err2)), 0);
    assert_int_equal(cc_config_set(&c2, "ingest_max_chunk_s", "2", err2, sizeof(err2)), 0);
    assert_int_equal(cc_config_check(&c2, err2, sizeof(err2)), -EINVAL);
    assert_non_null(strstr(err2, "ingest_max_chunk_s"));
    cc_config_free(&c2);
}

static void test_mqtt_keys(void **state)
{
    struct cc_config c;
    char err[512];
    cc_config_init(&c, "/www");
    assert_null(c.mqtt_host);
    assert_int_equal(c.mqtt_port, 1883);
    assert_string_equal(c.mqtt_discovery_prefix, "homeassistant");
    assert_int_equal(c.log_ring_kb, 64);
    const char text[] = "mqtt_host = 127.0.0.1\nmqtt_port = 18830\nmqtt_user = cam\n"
                        "mqtt_password_file = /etc/camcat/mqtt.pw\nmqtt_prefix = site/cam1\n"
                        "camera_id = cam1\nmqtt_discovery = yes\nmqtt_state_interval_s = 30\n"
                        "snapshot_cmd = ffmpeg -i x -frames:v 1 -f mjpeg -\nsnapshot_cache_s = 0\n"
                        "log_ring_kb = 0\n";
    assert_int_equal(cc_config_parse(&c, text, sizeof(text) - 1, "t", err, sizeof(err)), 0);
    assert_string_equal(c.mqtt_host, "127.0.0.1");
    assert_int_equal(c.mqtt_port, 18830);
    assert_string_equal(c.mqtt_prefix, "site/cam1");
    assert_true(c.mqtt_discovery);
    assert_int_equal(c.mqtt_state_interval_s, 30);
    assert_int_equal(c.log_ring_kb, 0);
    assert_non_null(strstr(c.snapshot_cmd, "mjpeg"));
    assert_int_equal(cc_config_set(&c, "mqtt_port", "0", err, sizeof(err)), -EINVAL);
    assert_int_equal(cc_config_set(&c, "mqtt_state_interval_s", "1", err, sizeof(err)), -EINVAL);
    assert_int_equal(cc_config_set(&c, "log_ring_kb", "5000", err, sizeof(err)), -EINVAL);
    cc_config_free(&c);
}

static void listen_ok(const char *s, const char *host, int port, bool v6, bool loopback)
{
    struct cc_listen l;
    if (cc_config_parse_listen(s, &l) != 0)
        fail_msg("listen \"%s\" refused", s);
    assert_string_equal(l.host, host);
    assert_int_equal(l.port, port);
    assert_int_equal(l.v6, v6);
    assert_int_equal(l.loopback, loopback);
}

static void test_listen(void **state)
{
    listen_ok("127.0.0.1:8080", "127.0.0.1", 8080, false, true);
    listen_ok("127.1.2.3:1", "127.1.2.3", 1, false, true);
    listen_ok("8080", "", 8080, false, false);
    listen_ok("0.0.0.0:80", "0.0.0.0", 80, false, false);
    listen_ok("192.168.1.10:8080", "192.168.1.10", 8080, false, false);
    listen_ok("[::1]:8080", "::1", 8080, true, true);
    listen_ok("[::]:8080", "::", 8080, true, false);
    listen_ok("127.0.0.1:0", "127.0.0.1", 0, false, true);
    const char *bad[] = {"",           "x",           ":80",           "127.0.0.1",
                         "127.0.0.1:", "[::1]",       "::1:80",        "[::1:80",
                         "[zz]:80",    "host:80",     "127.0.0.1:80x", "65536",
                         "-1",         "1.2.3.4:+80", "[::1]:-80",     "127.0.0.1:8080,8081"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cc_listen l;
        if (cc_config_parse_listen(bad[i], &l) != -EINVAL)
            fail_msg("listen \"%s\" accepted", bad[i]);
    }
}

/* TLS is an 's' after the port; several addresses are comma-separated. */
static void test_listen_tls_and_lists(void **state)
{
    struct cc_listen l[CC_CONFIG_MAX_LISTEN];
    assert_int_equal(cc_config_parse_listen("8443s", l), 0);
    assert_true(l[0].tls);
    assert_int_equal(l[0].port, 8443);
    assert_int_equal(cc_config_parse_listen("[::1]:443s", l), 0);
    assert_true(l[0].tls && l[0].v6 && l[0].loopback);
    assert_int_equal(cc_config_parse_listen("127.0.0.1:8080", l), 0);
    assert_false(l[0].tls);
    assert_int_equal(cc_config_parse_listens("127.0.0.1:8080,0.0.0.0:443s", l, 4), 2);
    assert_false(l[0].tls);
    assert_true(l[0].loopback);
    assert_true(l[1].tls);
    assert_false(l[1].loopback);
    assert_int_equal(l[1].port, 443);
    assert_int_equal(cc_config_parse_listens("1,2,3,4", l, 4), 4);
    /* Local only when every address is. */
    assert_true(cc_config_listen_loopback("127.0.0.1:8080,[::1]:8443s"));
    assert_false(cc_config_listen_loopback("127.0.0.1:8080,0.0.0.0:8443s"));
    assert_false(cc_config_listen_loopback("127.0.0.1:8080,bad"));
    const char *bad[] = {"1,2,3,4,5", "8080,",       ",8080", "8080, 8443s", "8443ss",
                         "s",         "127.0.0.1:s", "8443S", "8080r",       "127.0.0.1:8080,,1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (cc_config_parse_listens(bad[i], l, 4) != -EINVAL)
            fail_msg("listen \"%s\" accepted", bad[i]);
}

/* A TLS listen without tls_cert, or tls_cert without a TLS listen, is
 * refused at start with a message naming the fix. */
static void test_tls_needs_both(void **state)
{
    struct cc_config c;
    char err[512];
    cc_config_init(&c, "www");
    assert_int_equal(cc_config_set(&c, "root", "/r", err, sizeof(err)), 0);
    assert_int_equal(cc_config_set(&c, "listen", "127.0.0.1:8443s", err, sizeof(err)), 0);
    assert_int_equal(cc_config_check(&c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "camcat cert"));
    assert_int_equal(cc_config_set(&c, "tls_cert", "/etc/camcat/cert.pem", err, sizeof(err)), 0);
    assert_int_equal(cc_config_check(&c, err, sizeof(err)), 0);
    assert_int_equal(cc_config_set(&c, "listen", "127.0.0.1:8080", err, sizeof(err)), 0);
    assert_int_equal(cc_config_check(&c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "443s"));
    cc_config_free(&c);
}

static void test_load_file(void **state)
{
    char *dir = tu_tmpdir();
    char path[512], err[512];
    struct cc_config c;
    cc_config_init(&c, "www");
    snprintf(path, sizeof(path), "%s/camcatd.conf", dir);
    tu_write(path, "root = /srv/rec\nlog_level = warn\n");
    assert_int_equal(cc_config_load(&c, path, err, sizeof(err)), 0);
    assert_string_equal(c.root, "/srv/rec");
    assert_int_equal(c.log_level, CC_LOG_WARN);

    tu_write(path, "root = /srv/rec\nbogus = 1\n");
    assert_int_equal(cc_config_load(&c, path, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "camcatd.conf:2: unknown key \"bogus\""));

    snprintf(path, sizeof(path), "%s/missing.conf", dir);
    assert_true(cc_config_load(&c, path, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "missing.conf"));
    cc_config_free(&c);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_file_syntax),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_set_like_flags),
        cmocka_unit_test(test_listen),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_listen_tls_and_lists),
        cmocka_unit_test(test_tls_needs_both),
        cmocka_unit_test(test_operation_keys),
        cmocka_unit_test(test_mqtt_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
