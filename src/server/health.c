/* GET /api/health: version, uptime, the recordings folder, the index cache
 * and the MQTT link, for monitoring. */
#include "health.h"

#include <stdint.h>
#include <string.h>

#include <civetweb.h>

#include "app.h"
#include "fsutil.h"
#include "http.h"
#include "json.h"
#include "mqtt.h" /* deliberate: the MQTT link reports its own state */
#include "tls.h"

int srv_health_handler(struct mg_connection *conn, struct app *app)
{
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    struct cc_catalog_stats st;
    cc_catalog_get_stats(app->cat, &st);
    int root_rc = cc_catalog_root_status(app->cat);
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    cc_json_key(&j, "version");
    cc_json_str(&j, CAMCAT_VERSION);
    cc_json_key(&j, "uptime_s");
    cc_json_int(&j, (cc_monotonic_ms() - app->started_ms) / 1000);
    cc_json_key(&j, "root");
    cc_json_obj_open(&j);
    cc_json_key(&j, "path");
    cc_json_str(&j, cc_catalog_root(app->cat));
    cc_json_key(&j, "ok");
    cc_json_bool(&j, root_rc == 0);
    cc_json_key(&j, "error");
    if (root_rc == 0)
        cc_json_null(&j);
    else
        cc_json_str(&j, strerror(-root_rc));
    cc_json_obj_close(&j);
    cc_json_key(&j, "cache");
    cc_json_obj_open(&j);
    const struct {
        const char *k;
        uint64_t v;
    } f[] = {
        {"hits", st.hits},
        {"builds", st.builds},
        {"refreshes", st.refreshes},
        {"sidecar_loads", st.sidecar_loads},
        {"sidecar_rejects", st.sidecar_rejects},
        {"sidecar_writes", st.sidecar_writes},
        {"sidecar_write_errors", st.sidecar_write_errors},
        {"evictions", st.evictions},
        {"bytes_parsed", st.bytes_parsed},
        {"playlists_read", st.playlists_read},
        {"notes", st.notes},
        {"cached_days", st.cached_days},
        {"cached_bytes", st.cached_bytes},
        {"limit_bytes", (uint64_t)app->cfg->cache_mb << 20},
    };
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        cc_json_key(&j, f[i].k);
        cc_json_int(&j, (int64_t)f[i].v);
    }
    cc_json_obj_close(&j);
    cc_json_key(&j, "threads");
    cc_json_int(&j, app->cfg->threads);
    cc_json_key(&j, "tls"); /* the fingerprint the owner pins */
    if (app->tls && app->tls->on) {
        cc_json_obj_open(&j);
        cc_json_key(&j, "sha256");
        cc_json_str(&j, app->tls->sha256);
        cc_json_obj_close(&j);
    } else {
        cc_json_null(&j);
    }
    cc_json_key(&j, "mqtt");
    srv_mqtt_health(app->mqtt, &j);
    cc_json_obj_close(&j);
    cc_buf_putc(&b, '\n');
    int rc = srv_send_json(conn, 200, &b, "no-store");
    cc_buf_free(&b);
    return rc;
}
