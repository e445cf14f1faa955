/* /api/time: the camera's clock, and setting it from the browser's.
 *
 * A camera without a battery-backed clock or NTP boots in 1970 or wherever
 * its clock stopped, and every recording gets the wrong time; the browser
 * looking at it usually knows better. POST compares the two and, per the
 * config's clock mode, sets the camera's clock, says what it would do, or
 * refuses. The index survives such jumps (recordings that overlap after a
 * clock step stay apart, see day.h), so setting the clock is always safe for
 * the catalog. */
#include "time.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>

#include "app.h"
#include "buf.h"
#include "fsutil.h"
#include "http.h"
#include "isotime.h"
#include "jflat.h"
#include "json.h"
#include "log.h"

/* Plausible wall-clock times: 2000-01-01 to 2100-01-01 UTC. A browser
 * claiming anything else has a broken clock or is not a browser. */
#define EPOCH_MS_MIN 946684800000LL
#define EPOCH_MS_MAX 4102444800000LL
/* UTC-14:00 .. UTC+14:00, every offset in use. */
#define OFFSET_MIN_MAX (14 * 60)
/* {"epoch_ms":…,"utc_offset_min":…} is ~50 bytes. */
#define BODY_MAX 1024

static const char *const mode_names[] = {
    [CC_CLOCK_OFF] = "off", [CC_CLOCK_REPORT] = "report", [CC_CLOCK_SET] = "set"};

/* Compare-and-set of the clock is one step: two browsers syncing at once
 * must not both apply their (different) diffs. */
static pthread_mutex_t clock_lock = PTHREAD_MUTEX_INITIALIZER;

/* The time zone's name, found once: TZ, else /etc/timezone, else the
 * /etc/localtime symlink's target below zoneinfo/. Empty: unknown. */
static char tz_name[64];
static pthread_once_t tz_once = PTHREAD_ONCE_INIT;

static void set_tz_name(const char *s, size_t n)
{
    const char *z = strstr(s, "zoneinfo/");
    if (z && (size_t)(z - s) < n) {
        n -= (size_t)(z + 9 - s);
        s = z + 9;
    }
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    if (n == 0 || n >= sizeof(tz_name))
        return;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7e)
            return;
    memcpy(tz_name, s, n);
    tz_name[n] = '\0';
}

static void find_tz_name(void)
{
    const char *tz = getenv("TZ");
    if (tz && *tz) {
        set_tz_name(tz[0] == ':' ? tz + 1 : tz, strlen(tz[0] == ':' ? tz + 1 : tz));
        return;
    }
    struct cc_buf b;
    cc_buf_init(&b);
    if (cc_read_file("/etc/timezone", CC_OPEN_FOLLOW, 256, &b) == 0 && b.len)
        set_tz_name(b.data, b.len);
    cc_buf_free(&b);
    char link[PATH_MAX];
    ssize_t n;
    if (!tz_name[0] && (n = readlink("/etc/localtime", link, sizeof(link) - 1)) > 0) {
        link[n] = '\0';
        set_tz_name(link, (size_t)n);
    }
}

static void json_now(struct cc_json *j, const struct app *app)
{
    int64_t now = cc_now_ns() / 1000000;
    int off = cc_local_offset_min(now);
    char iso[CC_ISO_MAX];
    cc_iso_format(now, off, iso);
    pthread_once(&tz_once, find_tz_name);
    cc_json_key(j, "epoch_ms");
    cc_json_int(j, now);
    cc_json_key(j, "iso");
    cc_json_str(j, iso);
    cc_json_key(j, "utc_offset_min");
    cc_json_int(j, off);
    cc_json_key(j, "timezone");
    if (tz_name[0])
        cc_json_str(j, tz_name);
    else
        cc_json_null(j);
    cc_json_key(j, "clock_mode");
    cc_json_str(j, mode_names[app->cfg->clock]);
    cc_json_key(j, "threshold_ms");
    cc_json_int(j, app->cfg->clock_threshold_ms);
}

static int handle_get(struct mg_connection *conn, struct app *app)
{
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    json_now(&j, app);
    cc_json_obj_close(&j);
    cc_buf_putc(&b, '\n');
    int rc = srv_send_json(conn, 200, &b, "no-store");
    cc_buf_free(&b);
    return rc;
}

/* What the browser asked for. */
struct time_req {
    int64_t epoch_ms;
    int64_t off_min;
    bool has_off;
};

/* Reads the body (at most BODY_MAX bytes) into b: 0 or the error status sent. */
static int read_body(struct mg_connection *conn, struct cc_buf *b)
{
    const char *ct = mg_get_header(conn, "Content-Type");
    size_t n = strlen("application/json");
    if (!ct || strncasecmp(ct, "application/json", n) != 0 || (ct[n] && ct[n] != ';'))
        return srv_send_error(conn, 415, "unsupported_media_type",
                              "send the body as Content-Type: application/json");
    const struct mg_request_info *ri = mg_get_request_info(conn);
    if (ri->content_length > BODY_MAX)
        return srv_send_error_close(conn, 413, "body_too_large", "the body is over 1 KiB");
    cc_buf_reserve(b, BODY_MAX + 1);
    for (;;) {
        int got = mg_read(conn, b->data + b->len, BODY_MAX + 1 - b->len);
        if (got < 0)
            return srv_send_error_close(conn, 400, "bad_body", "the body could not be read");
        if (got == 0)
            break;
        b->len += (size_t)got;
        if (b->len > BODY_MAX)
            return srv_send_error_close(conn, 413, "body_too_large", "the body is over 1 KiB");
    }
    return 0;
}

/* Parses and checks the body: 0 or the error status sent. */
static int parse_request(struct mg_connection *conn, const struct cc_buf *b, struct time_req *req)
{
    static const char shape[] =
        "the body must be a JSON object {\"epoch_ms\": integer, \"utc_offset_min\": integer}";
    struct cc_jflat_member m[8];
    size_t n;
    if (cc_jflat_parse(b->data, b->len, m, 8, &n) < 0)
        return srv_send_error(conn, 400, "bad_json", shape);
    const struct cc_jflat_member *ms = cc_jflat_get(m, n, "epoch_ms");
    const struct cc_jflat_member *off = cc_jflat_get(m, n, "utc_offset_min");
    int rc = ms ? cc_jflat_int(ms, EPOCH_MS_MIN, EPOCH_MS_MAX, &req->epoch_ms) : -EINVAL;
    if (rc == -ERANGE)
        return srv_send_error(conn, 400, "bad_time",
                              "epoch_ms must be between 2000-01-01 and 2100-01-01");
    if (rc < 0)
        return srv_send_error(conn, 400, "bad_json", shape);
    req->has_off = off && off->type != CC_JFLAT_NULL;
    rc = req->has_off ? cc_jflat_int(off, -OFFSET_MIN_MAX, OFFSET_MIN_MAX, &req->off_min) : 0;
    if (rc == -ERANGE)
        return srv_send_error(conn, 400, "bad_offset",
                              "utc_offset_min must be between -840 and 840");
    if (rc < 0)
        return srv_send_error(conn, 400, "bad_json", shape);
    return 0;
}

/* The clock as the browser says it is: 0 or -errno of clock_settime. */
static int set_clock(int64_t ms, int64_t was_ms, const char *who)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    if (clock_settime(CLOCK_REALTIME, &ts) < 0) {
        int err = errno;
        cc_warn("clock: setting it %+lld ms (asked by %s) failed: %s", (long long)(ms - was_ms),
                who, strerror(err));
        return -err;
    }
    char a[CC_ISO_MAX], z[CC_ISO_MAX];
    cc_iso_format(was_ms, cc_local_offset_min(was_ms), a);
    cc_iso_format(ms, cc_local_offset_min(ms), z);
    cc_warn("clock: set from %s to %s (%+lld ms), asked by %s", a, z, (long long)(ms - was_ms),
            who);
    return 0;
}

static int send_result(struct mg_connection *conn, struct app *app, const struct time_req *req,
                       int64_t camera_ms, const char *action)
{
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    cc_json_key(&j, "camera_ms");
    cc_json_int(&j, camera_ms);
    cc_json_key(&j, "browser_ms");
    cc_json_int(&j, req->epoch_ms);
    cc_json_key(&j, "diff_ms");
    cc_json_int(&j, req->epoch_ms - camera_ms);
    cc_json_key(&j, "action");
    cc_json_str(&j, action);
    cc_json_key(&j, "browser_utc_offset_min");
    if (req->has_off)
        cc_json_int(&j, req->off_min);
    else
        cc_json_null(&j);
    cc_json_key(&j, "now");
    cc_json_obj_open(&j);
    json_now(&j, app);
    cc_json_obj_close(&j);
    cc_json_obj_close(&j);
    cc_buf_putc(&b, '\n');
    int rc = srv_send_json(conn, 200, &b, "no-store");
    cc_buf_free(&b);
    return rc;
}

int srv_time_sync(struct app *app, int64_t epoch_ms, const char *who, int64_t *camera_ms,
                  const char **action)
{
    if (app->cfg->clock == CC_CLOCK_OFF)
        return -EACCES;
    pthread_mutex_lock(&clock_lock);
    *camera_ms = cc_now_ns() / 1000000;
    int64_t diff = epoch_ms - *camera_ms;
    bool over = llabs(diff) > app->cfg->clock_threshold_ms;
    *action = !over ? "none" : app->cfg->clock == CC_CLOCK_SET ? "set" : "would_set";
    int rc = over && app->cfg->clock == CC_CLOCK_SET ? set_clock(epoch_ms, *camera_ms, who) : 0;
    pthread_mutex_unlock(&clock_lock);
    if (rc == 0 && over && app->cfg->clock == CC_CLOCK_REPORT)
        cc_info("clock: %+lld ms off by %s's clock; clock = report, left alone", (long long)diff,
                who);
    return rc;
}

/* Compares under the lock and acts per the clock mode. */
static int apply(struct mg_connection *conn, struct app *app, const struct time_req *req)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    char who[128];
    snprintf(who, sizeof(who), "%s%s%.64s", ri->remote_addr, ri->remote_user ? " user " : "",
             ri->remote_user ? ri->remote_user : "");
    int64_t camera_ms;
    const char *action;
    int rc = srv_time_sync(app, req->epoch_ms, who, &camera_ms, &action);
    if (rc == -EPERM)
        return srv_send_error(conn, 500, "clock_permission",
                              "camcatd lacks CAP_SYS_TIME and cannot set the clock: grant it "
                              "(systemd: AmbientCapabilities=CAP_SYS_TIME) or set clock = report");
    if (rc < 0)
        return srv_send_error(conn, 500, "clock_set_failed", "setting the clock failed");
    return send_result(conn, app, req, camera_ms, action);
}

static int handle_post(struct mg_connection *conn, struct app *app)
{
    int st = srv_check_write(conn);
    if (st)
        return st;
    if (app->cfg->clock == CC_CLOCK_OFF)
        return srv_send_error(conn, 403, "clock_sync_off",
                              "clock sync is off on this camera (config clock = off)");
    struct cc_buf b;
    cc_buf_init(&b);
    struct time_req req;
    st = read_body(conn, &b);
    if (!st)
        st = parse_request(conn, &b, &req);
    if (!st)
        st = apply(conn, app, &req);
    cc_buf_free(&b);
    return st;
}

int srv_time_handler(struct mg_connection *conn, struct app *app)
{
    if (srv_method_ok(conn))
        return handle_get(conn, app);
    if (!strcmp(mg_get_request_info(conn)->request_method, "POST"))
        return handle_post(conn, app);
    return srv_send_405_allow(conn, "GET, HEAD, POST");
}
