#include "mqtt.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "json.h"
#include "log.h"

#if CAMCAT_MQTT

#include "mosqlib.h"

#include "fsutil.h"
#include "live.h"
#include "mem.h"
#include "mqttmsg.h"
#include "retention.h"
#include "snapshot.h"
/* Deliberate calls into two handlers: the sweep and sync_clock commands obey
 * the same rules as their HTTP twins. */
#include "storage.h"
#include "time.h"

#define MQTT_QUEUE_EVENTS 64
#define POLL_MS 1000
#define LOOP_MS 200
#define BACKOFF_MIN_S 1
#define BACKOFF_MAX_S 60
#define KEEPALIVE_S 30
/* Events that ended this long before camcatd started are history, not news. */
#define EVENT_HISTORY_MS 60000

enum conn_state { ST_CONNECTING, ST_CONNECTED, ST_DOWN, ST_REFUSED };
static const char *const state_names[] = {"connecting", "connected", "down", "refused"};

struct seen {
    int64_t start_ms;
    uint32_t id_hash;
};

struct srv_mqtt {
    struct app *app;
    struct srv_mosq mq; /* libmosquitto, loaded (mosqlib.h) */
    struct mosquitto *mosq;
    char camera_id[128];
    char prefix[256];
    char t_avail[CC_MQTT_TOPIC_MAX], t_state[CC_MQTT_TOPIC_MAX], t_motion[CC_MQTT_TOPIC_MAX];
    char t_event[CC_MQTT_TOPIC_MAX], t_cmd[CC_MQTT_TOPIC_MAX], t_result[CC_MQTT_TOPIC_MAX];
    char t_snapshot[CC_MQTT_TOPIC_MAX];
    pthread_t thread;

    pthread_mutex_t lock; /* guards what health reads, and quit */
    pthread_cond_t wake;  /* (CLOCK_MONOTONIC) stop wakes the back-off */
    bool quit;
    enum conn_state st;
    char reason[160];
    uint64_t published, dropped;
    size_t queued;

    /* The thread's own. */
    bool sock, acked;
    int backoff_s;
    struct cc_buf queue[MQTT_QUEUE_EVENTS]; /* event payloads while the broker is away */
    size_t qhead, qlen;
    struct cc_mqtt_state cur, sent;
    bool state_sent;
    int64_t state_at_ms;
    bool motion_on, motion_dirty, snapshot_due;
    int64_t motion_until_ms;
    char day[11];
    struct seen *seen;
    size_t nseen, seen_cap;
    int64_t started_wall_ms;
    int64_t next_poll_ms;
};

static bool quitting(struct srv_mqtt *m)
{
    pthread_mutex_lock(&m->lock);
    bool q = m->quit;
    pthread_mutex_unlock(&m->lock);
    return q;
}

/* Logs once per change of state or reason. */
static void set_state(struct srv_mqtt *m, enum conn_state st, const char *reason)
{
    pthread_mutex_lock(&m->lock);
    bool changed = st != m->st || strcmp(reason, m->reason) != 0;
    m->st = st;
    snprintf(m->reason, sizeof(m->reason), "%s", reason);
    pthread_mutex_unlock(&m->lock);
    if (!changed)
        return;
    const struct cc_config *c = m->app->cfg;
    if (st == ST_CONNECTED)
        cc_info("mqtt: connected to %s:%d as %s", c->mqtt_host, c->mqtt_port, m->prefix);
    else
        cc_warn("mqtt: broker %s:%d %s: %s (retrying with back-off)", c->mqtt_host, c->mqtt_port,
                state_names[st], reason);
}

static void pub(struct srv_mqtt *m, const char *topic, const void *data, size_t len, int qos,
                bool retain)
{
    int rc = m->mq.publish(m->mosq, NULL, topic, (int)len, data, qos, retain);
    if (rc != MOSQ_ERR_SUCCESS) {
        cc_debug("mqtt: publish %s: %s", topic, m->mq.strerror(rc));
        return;
    }
    pthread_mutex_lock(&m->lock);
    m->published++;
    pthread_mutex_unlock(&m->lock);
}

static void pub_buf(struct srv_mqtt *m, const char *topic, const struct cc_buf *b, bool retain)
{
    pub(m, topic, b->data, b->len, 1, retain);
}

/* ---- the outgoing queue -------------------------------------------------- */

static void set_queued(struct srv_mqtt *m, bool dropped_one)
{
    pthread_mutex_lock(&m->lock);
    m->queued = m->qlen;
    m->dropped += dropped_one;
    pthread_mutex_unlock(&m->lock);
}

/* An event goes out now, or waits (bounded: the oldest goes first). */
static void emit_event(struct srv_mqtt *m, const struct cc_buf *json)
{
    if (m->acked) {
        pub_buf(m, m->t_event, json, false);
        return;
    }
    bool drop = m->qlen == MQTT_QUEUE_EVENTS;
    if (drop) {
        m->qhead = (m->qhead + 1) % MQTT_QUEUE_EVENTS;
        m->qlen--;
    }
    struct cc_buf *slot = &m->queue[(m->qhead + m->qlen) % MQTT_QUEUE_EVENTS];
    cc_buf_reset(slot);
    cc_buf_append(slot, json->data, json->len);
    m->qlen++;
    set_queued(m, drop);
}

static void flush_queue(struct srv_mqtt *m)
{
    for (; m->qlen; m->qlen--) {
        pub_buf(m, m->t_event, &m->queue[m->qhead], false);
        m->qhead = (m->qhead + 1) % MQTT_QUEUE_EVENTS;
    }
    set_queued(m, false);
}

/* ---- commands ------------------------------------------------------------ */

static void result_ok(struct cc_json *j, const struct cc_mqtt_cmd *c)
{
    cc_mqtt_result_open(j, c->id, c->name, true);
}

static void cmd_live(struct srv_mqtt *m, const struct cc_mqtt_cmd *c, struct cc_buf *out)
{
    int rc = srv_live_command(m->app->live, c->kind == CC_MQTT_LIVE_START);
    if (rc == -ENOTSUP) {
        cc_mqtt_result_error(out, c->id, c->name, "no_live_cmd",
                             "no live_start_cmd or live_stop_cmd on this camera");
        return;
    }
    struct cc_json j;
    cc_json_init(&j, out);
    result_ok(&j, c);
    cc_json_key(&j, "changed");
    cc_json_bool(&j, rc == 0);
    cc_json_obj_close(&j);
}

static void cmd_sweep(struct srv_mqtt *m, const struct cc_mqtt_cmd *c, struct cc_buf *out)
{
    struct cc_ret_result res;
    int rc = srv_sweep_now(m->app, &res);
    if (rc == -ENOENT) {
        cc_mqtt_result_error(out, c->id, c->name, "no_policy",
                             "no retention policy (retain_days, min_free_mb, min_free_pct)");
        return;
    }
    if (rc < 0) {
        cc_mqtt_result_error(out, c->id, c->name, "sweep_failed", strerror(-rc));
        return;
    }
    struct cc_json j;
    cc_json_init(&j, out);
    result_ok(&j, c);
    cc_json_key(&j, "dry_run");
    cc_json_bool(&j, m->app->cfg->sweep_dry_run);
    cc_json_key(&j, "removed");
    cc_json_int(&j, (int64_t)res.removed);
    cc_json_key(&j, "failed");
    cc_json_int(&j, (int64_t)res.failed);
    cc_json_key(&j, "bytes_freed");
    cc_json_int(&j, (int64_t)res.bytes_freed);
    cc_json_obj_close(&j);
}

/* Takes a snapshot and publishes it (retained): its size, or -errno. */
static int publish_snapshot(struct srv_mqtt *m)
{
    struct cc_buf b;
    cc_buf_init(&b);
    int rc = srv_snapshot_get(m->app->snapshot, &b);
    if (rc == 0 && m->acked)
        pub(m, m->t_snapshot, b.data, b.len, 0, true);
    rc = rc < 0 ? rc : (int)b.len;
    cc_buf_free(&b);
    return rc;
}

static void cmd_snapshot(struct srv_mqtt *m, const struct cc_mqtt_cmd *c, struct cc_buf *out)
{
    int rc = publish_snapshot(m);
    if (rc == -ENOENT) {
        cc_mqtt_result_error(out, c->id, c->name, "no_snapshot_cmd",
                             "no snapshot hook on this camera (config snapshot_cmd)");
        return;
    }
    if (rc < 0) {
        cc_mqtt_result_error(out, c->id, c->name, "snapshot_failed", strerror(-rc));
        return;
    }
    struct cc_json j;
    cc_json_init(&j, out);
    result_ok(&j, c);
    cc_json_key(&j, "bytes");
    cc_json_int(&j, rc);
    cc_json_key(&j, "topic");
    cc_json_str(&j, m->t_snapshot);
    cc_json_obj_close(&j);
}

static void cmd_clock(struct srv_mqtt *m, const struct cc_mqtt_cmd *c, struct cc_buf *out)
{
    int64_t camera_ms;
    const char *action;
    int rc = srv_time_sync(m->app, c->epoch_ms, "mqtt", &camera_ms, &action);
    if (rc == -EACCES) {
        cc_mqtt_result_error(out, c->id, c->name, "clock_sync_off",
                             "clock sync is off on this camera (config clock = off)");
        return;
    }
    if (rc < 0) {
        cc_mqtt_result_error(out, c->id, c->name,
                             rc == -EPERM ? "clock_permission" : "clock_set_failed", strerror(-rc));
        return;
    }
    struct cc_json j;
    cc_json_init(&j, out);
    result_ok(&j, c);
    cc_json_key(&j, "camera_ms");
    cc_json_int(&j, camera_ms);
    cc_json_key(&j, "diff_ms");
    cc_json_int(&j, c->epoch_ms - camera_ms);
    cc_json_key(&j, "action");
    cc_json_str(&j, action);
    cc_json_obj_close(&j);
}

static void handle_cmd(struct srv_mqtt *m, const char *payload, size_t len)
{
    struct cc_mqtt_cmd c;
    struct cc_mqtt_cmd_error err;
    struct cc_buf out;
    cc_buf_init(&out);
    if (cc_mqtt_cmd_parse(payload, len, &c, &err) < 0) {
        cc_mqtt_result_error(&out, c.id, c.name, err.code, err.message);
        cc_info("mqtt: command refused: %s", err.code);
    } else {
        cc_info("mqtt: command %s%s%s", c.name, c.id[0] ? " id " : "", c.id);
        if (c.kind == CC_MQTT_LIVE_START || c.kind == CC_MQTT_LIVE_STOP)
            cmd_live(m, &c, &out);
        else if (c.kind == CC_MQTT_SWEEP)
            cmd_sweep(m, &c, &out);
        else if (c.kind == CC_MQTT_SNAPSHOT)
            cmd_snapshot(m, &c, &out);
        else
            cmd_clock(m, &c, &out);
    }
    pub_buf(m, m->t_result, &out, false);
    cc_buf_free(&out);
}

/* ---- libmosquitto callbacks (on our thread, inside mosquitto_loop) ------- */

static void publish_discovery(struct srv_mqtt *m)
{
    struct cc_mqtt_ids ids = {m->prefix, m->camera_id, m->app->cfg->mqtt_discovery_prefix,
                              CAMCAT_VERSION};
    char topic[CC_MQTT_TOPIC_MAX];
    struct cc_buf b;
    cc_buf_init(&b);
    for (size_t i = 0; cc_mqtt_discovery(&ids, i, topic, &b); i++) {
        pub_buf(m, topic, &b, true);
        cc_buf_reset(&b);
    }
    cc_buf_free(&b);
}

static void on_connect(struct mosquitto *mosq, void *ud, int rc)
{
    struct srv_mqtt *m = ud;
    if (rc != 0) {
        m->acked = false;
        set_state(m, ST_REFUSED, m->mq.connack_string(rc));
        return;
    }
    m->acked = true;
    m->backoff_s = BACKOFF_MIN_S;
    set_state(m, ST_CONNECTED, "");
    pub(m, m->t_avail, "online", 6, 1, true);
    if (m->app->cfg->mqtt_discovery)
        publish_discovery(m);
    m->mq.subscribe(mosq, NULL, m->t_cmd, 1);
    m->state_sent = false; /* the broker may have lost the retained one */
    m->motion_dirty = true;
    flush_queue(m);
}

static void on_message(struct mosquitto *mosq, void *ud, const struct mosquitto_message *msg)
{
    struct srv_mqtt *m = ud;
    if (!strcmp(msg->topic, m->t_cmd))
        handle_cmd(m, msg->payload ? msg->payload : "", (size_t)msg->payloadlen);
}

/* ---- watching the recording ---------------------------------------------- */

static bool seen_add(struct srv_mqtt *m, const struct cc_event *ev)
{
    for (size_t i = 0; i < m->nseen; i++)
        if (m->seen[i].start_ms == ev->start_ms && m->seen[i].id_hash == ev->id_hash)
            return false;
    if (m->nseen == m->seen_cap) {
        m->seen_cap = m->seen_cap ? 2 * m->seen_cap : 32;
        m->seen = cc_xrealloc(m->seen, m->seen_cap * sizeof(*m->seen));
    }
    m->seen[m->nseen++] = (struct seen){ev->start_ms, ev->id_hash};
    return true;
}

/* New events of the recording's day (the catalog re-reads only what was
 * appended to its playlist and events.txt, at most once a second). */
static void watch_events(struct srv_mqtt *m, const struct cc_day *d, int64_t now_ms,
                         struct cc_mqtt_state *s)
{
    if (strcmp(m->day, d->name) != 0) {
        memcpy(m->day, d->name, sizeof(m->day));
        m->nseen = 0;
    }
    struct cc_buf b;
    cc_buf_init(&b);
    for (uint32_t i = 0; i < d->nevents; i++) {
        const struct cc_event *ev = &d->events[i];
        if (ev->end_ms < m->started_wall_ms - EVENT_HISTORY_MS || !seen_add(m, ev))
            continue;
        struct cc_mqtt_event e = {.start_ms = ev->start_ms,
                                  .end_ms = ev->end_ms,
                                  .off_min = d->off_min,
                                  .id_hash = ev->id_hash,
                                  .label = ev->label};
        memcpy(e.day, d->name, sizeof(e.day));
        cc_buf_reset(&b);
        cc_mqtt_event_json(&e, &b);
        emit_event(m, &b);
        if (s->last_motion_ms == INT64_MIN || ev->start_ms > s->last_motion_ms)
            s->last_motion_ms = ev->start_ms;
        /* ON at least until the next poll, even for an event already over. */
        int64_t until = ev->end_ms > now_ms ? ev->end_ms : now_ms + 1;
        if (until > m->motion_until_ms)
            m->motion_until_ms = until;
        m->snapshot_due = true;
    }
    cc_buf_free(&b);
}

static void poll_days(struct srv_mqtt *m, struct cc_mqtt_state *s)
{
    struct cc_date *dates = NULL;
    size_t n = 0;
    if (cc_catalog_list_days(m->app->cat, NULL, NULL, &dates, &n) == 0 && n) {
        s->days = (int)n;
        cc_date_format(&dates[0], s->oldest_day);
        cc_date_format(&dates[n - 1], s->newest_day);
    }
    free(dates);
    struct cc_fs_space sp;
    s->space_ok = cc_ret_statvfs(NULL, cc_catalog_root(m->app->cat), &sp) == 0;
    if (s->space_ok) {
        s->free_bytes = sp.free_bytes;
        s->total_bytes = sp.total_bytes;
    }
}

static void poll_catalog(struct srv_mqtt *m)
{
    int64_t now = cc_now_ns() / 1000000;
    struct cc_mqtt_state s = {.last_motion_ms = m->cur.last_motion_ms,
                              .off_min = cc_local_offset_min(now)};
    const struct cc_day *d;
    uint32_t seg;
    if (cc_catalog_find_recording(m->app->cat, &d, &seg) == 0) {
        s.recording = true;
        snprintf(s.folder, sizeof(s.folder), "%s/%s", d->name, d->segs[seg].id);
        watch_events(m, d, now, &s);
        cc_catalog_release(m->app->cat, d);
    }
    poll_days(m, &s);
    bool on = now < m->motion_until_ms;
    if (on != m->motion_on) {
        m->motion_on = on;
        m->motion_dirty = true;
    }
    m->cur = s;
}

/* Once a second: look, then say what changed (when connected). */
static void tick(struct srv_mqtt *m)
{
    int64_t now = cc_monotonic_ms();
    if (now < m->next_poll_ms)
        return;
    m->next_poll_ms = now + POLL_MS;
    poll_catalog(m);
    if (!m->acked)
        return;
    if (m->motion_dirty) {
        pub(m, m->t_motion, m->motion_on ? "ON" : "OFF", m->motion_on ? 2 : 3, 1, true);
        m->motion_dirty = false;
    }
    if (!m->state_sent || cc_mqtt_state_changed(&m->cur, &m->sent) ||
        now - m->state_at_ms >= (int64_t)m->app->cfg->mqtt_state_interval_s * 1000) {
        struct cc_buf b;
        cc_buf_init(&b);
        cc_mqtt_state_json(&m->cur, &b);
        pub_buf(m, m->t_state, &b, true);
        cc_buf_free(&b);
        m->sent = m->cur;
        m->state_sent = true;
        m->state_at_ms = now;
    }
    if (m->snapshot_due) {
        m->snapshot_due = false;
        if (m->app->cfg->snapshot_cmd)
            publish_snapshot(m);
    }
}

/* ---- the thread ---------------------------------------------------------- */

/* Waits out the back-off, still watching the recording once a second so
 * events queue while the broker is away. */
static void backoff(struct srv_mqtt *m)
{
    int64_t until = cc_monotonic_ms() + (int64_t)m->backoff_s * 1000;
    m->backoff_s = m->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : m->backoff_s * 2;
    pthread_mutex_lock(&m->lock);
    while (!m->quit) {
        int64_t left = until - cc_monotonic_ms();
        if (left <= 0)
            break;
        pthread_mutex_unlock(&m->lock);
        tick(m);
        pthread_mutex_lock(&m->lock);
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t ms = left < POLL_MS ? left : POLL_MS;
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (ms % 1000) * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&m->wake, &m->lock, &ts);
    }
    pthread_mutex_unlock(&m->lock);
}

static const char *mosq_reason(const struct srv_mqtt *m, int rc)
{
    return rc == MOSQ_ERR_ERRNO ? strerror(errno) : m->mq.strerror(rc);
}

static void say_goodbye(struct srv_mqtt *m)
{
    if (!m->acked)
        return;
    pub(m, m->t_avail, "offline", 7, 1, true);
    m->mq.loop(m->mosq, LOOP_MS, 1);
    m->mq.disconnect(m->mosq);
    m->mq.loop(m->mosq, LOOP_MS, 1);
}

static void *mqtt_main(void *arg)
{
    struct srv_mqtt *m = arg;
    const struct cc_config *c = m->app->cfg;
    bool first = true;
    while (!quitting(m)) {
        if (!m->sock) {
            int rc = first ? m->mq.connect(m->mosq, c->mqtt_host, c->mqtt_port, KEEPALIVE_S)
                           : m->mq.reconnect(m->mosq);
            first = false;
            if (rc != MOSQ_ERR_SUCCESS) {
                set_state(m, ST_DOWN, mosq_reason(m, rc));
                backoff(m);
                continue;
            }
            m->sock = true;
        }
        int rc = m->mq.loop(m->mosq, LOOP_MS, 1);
        if (rc != MOSQ_ERR_SUCCESS) {
            m->sock = m->acked = false;
            enum conn_state st;
            pthread_mutex_lock(&m->lock);
            st = m->st;
            pthread_mutex_unlock(&m->lock);
            if (st != ST_REFUSED) /* a refusal ends in a lost connection: one message */
                set_state(m, ST_DOWN, mosq_reason(m, rc));
            backoff(m);
            continue;
        }
        tick(m);
    }
    say_goodbye(m);
    return NULL;
}

/* ---- set-up -------------------------------------------------------------- */

static int read_password(const char *path, char **out)
{
    struct cc_buf b;
    cc_buf_init(&b);
    int rc = cc_read_file(path, CC_OPEN_FOLLOW, 4096, &b);
    if (rc < 0) {
        cc_err("mqtt: mqtt_password_file %s: %s", path, strerror(-rc));
        cc_buf_free(&b);
        return -EINVAL;
    }
    size_t n = 0;
    while (n < b.len && b.data[n] != '\n' && b.data[n] != '\r')
        n++;
    *out = cc_xstrndup(b.data ? b.data : "", n);
    cc_buf_free(&b);
    return 0;
}

static int names(struct srv_mqtt *m, const struct cc_config *c)
{
    if (c->camera_id)
        snprintf(m->camera_id, sizeof(m->camera_id), "%s", c->camera_id);
    else if (gethostname(m->camera_id, sizeof(m->camera_id) - 1) < 0 || !m->camera_id[0])
        snprintf(m->camera_id, sizeof(m->camera_id), "camera");
    if (c->mqtt_prefix)
        snprintf(m->prefix, sizeof(m->prefix), "%s", c->mqtt_prefix);
    else
        snprintf(m->prefix, sizeof(m->prefix), "camcat/%s", m->camera_id);
    if (!cc_mqtt_prefix_ok(m->prefix) || !cc_mqtt_prefix_ok(c->mqtt_discovery_prefix)) {
        cc_err("mqtt: topic prefix \"%s\" (from mqtt_prefix or camera_id) or \"%s\" is not a "
               "valid topic: printable ASCII without spaces, + or #, no empty level",
               m->prefix, c->mqtt_discovery_prefix);
        return -EINVAL;
    }
    const struct {
        char *t;
        const char *leaf;
    } t[] = {
        {m->t_avail, "availability"}, {m->t_state, "state"}, {m->t_motion, "motion"},
        {m->t_event, "event"},        {m->t_cmd, "cmd"},     {m->t_result, "cmd/result"},
        {m->t_snapshot, "snapshot"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        cc_mqtt_topic(t[i].t, m->prefix, t[i].leaf);
    return 0;
}

static int client_new(struct srv_mqtt *m, const struct cc_config *c)
{
    char id[160], *pw = NULL;
    snprintf(id, sizeof(id), "camcatd-%s", m->camera_id);
    if (c->mqtt_password_file && read_password(c->mqtt_password_file, &pw) < 0)
        return -EINVAL;
    int rc = -EINVAL;
    m->mosq = m->mq.client_new(id, true, m);
    if (!m->mosq) {
        cc_err("mqtt: cannot create the client: %s", strerror(errno));
        goto out;
    }
    if (c->mqtt_user || pw)
        m->mq.username_pw_set(m->mosq, c->mqtt_user, pw);
    int trc = c->mqtt_tls_ca ? m->mq.tls_set(m->mosq, c->mqtt_tls_ca, NULL, NULL, NULL, NULL)
                             : MOSQ_ERR_SUCCESS;
    if (trc != MOSQ_ERR_SUCCESS) {
        cc_err("mqtt: mqtt_tls_ca %s: %s", c->mqtt_tls_ca, m->mq.strerror(trc));
        goto out;
    }
    m->mq.will_set(m->mosq, m->t_avail, 7, "offline", 1, true);
    m->mq.connect_callback_set(m->mosq, on_connect);
    m->mq.message_callback_set(m->mosq, on_message);
    rc = 0;
out:
    free(pw);
    return rc;
}

static void mqtt_free(struct srv_mqtt *m)
{
    if (m->mosq)
        m->mq.destroy(m->mosq);
    if (m->mq.handle)
        m->mq.lib_cleanup();
    srv_mosq_unload(&m->mq);
    for (size_t i = 0; i < MQTT_QUEUE_EVENTS; i++)
        cc_buf_free(&m->queue[i]);
    free(m->seen);
    pthread_cond_destroy(&m->wake);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

int srv_mqtt_start(struct app *app, struct srv_mqtt **out)
{
    *out = NULL;
    const struct cc_config *c = app->cfg;
    if (!c->mqtt_host)
        return 0;
    struct srv_mqtt *m = cc_xcalloc(1, sizeof(*m));
    m->app = app;
    m->backoff_s = BACKOFF_MIN_S;
    m->cur.last_motion_ms = INT64_MIN;
    m->started_wall_ms = cc_now_ns() / 1000000;
    for (size_t i = 0; i < MQTT_QUEUE_EVENTS; i++)
        cc_buf_init(&m->queue[i]);
    pthread_mutex_init(&m->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->wake, &ca);
    pthread_condattr_destroy(&ca);
    int rc = srv_mosq_load(&m->mq);
    if (rc == 0) {
        m->mq.lib_init();
        rc = names(m, c);
    }
    if (rc == 0)
        rc = client_new(m, c);
    if (rc < 0) {
        mqtt_free(m);
        return rc;
    }
    /* Every signal blocked from the thread's first instruction: SIGTERM
     * belongs to the main thread's sigsuspend. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    rc = pthread_create(&m->thread, NULL, mqtt_main, m);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        cc_err("mqtt: cannot start the thread: %s", strerror(rc));
        mqtt_free(m);
        return -rc;
    }
    cc_info("mqtt: publishing as %s to %s:%d%s", m->prefix, c->mqtt_host, c->mqtt_port,
            c->mqtt_discovery ? " (Home Assistant discovery on)" : "");
    *out = m;
    return 0;
}

void srv_mqtt_stop(struct srv_mqtt *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->quit = true;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
    pthread_join(m->thread, NULL);
    mqtt_free(m);
}

void srv_mqtt_health(struct srv_mqtt *m, struct cc_json *j)
{
    cc_json_obj_open(j);
    cc_json_key(j, "enabled");
    cc_json_bool(j, m != NULL);
    cc_json_key(j, "state");
    if (!m) {
        cc_json_str(j, "off");
        cc_json_obj_close(j);
        return;
    }
    pthread_mutex_lock(&m->lock);
    cc_json_str(j, state_names[m->st]);
    cc_json_key(j, "error");
    if (m->reason[0])
        cc_json_str(j, m->reason);
    else
        cc_json_null(j);
    cc_json_key(j, "prefix");
    cc_json_str(j, m->prefix);
    cc_json_key(j, "published");
    cc_json_int(j, (int64_t)m->published);
    cc_json_key(j, "queued");
    cc_json_int(j, (int64_t)m->queued);
    cc_json_key(j, "dropped");
    cc_json_int(j, (int64_t)m->dropped);
    pthread_mutex_unlock(&m->lock);
    cc_json_obj_close(j);
}

#else /* built without libmosquitto (make MQTT=0) */

int srv_mqtt_start(struct app *app, struct srv_mqtt **out)
{
    *out = NULL;
    if (!app->cfg->mqtt_host)
        return 0;
    cc_err("mqtt: mqtt_host is set but this camcatd was built without MQTT (make MQTT=0): "
           "remove the mqtt_* settings or use a build with libmosquitto");
    return -ENOTSUP;
}

void srv_mqtt_stop(struct srv_mqtt *m)
{
    (void)m;
}

void srv_mqtt_health(struct srv_mqtt *m, struct cc_json *j)
{
    (void)m;
    cc_json_obj_open(j);
    cc_json_key(j, "enabled");
    cc_json_bool(j, false);
    cc_json_key(j, "state");
    cc_json_str(j, "unavailable");
    cc_json_obj_close(j);
}

#endif
