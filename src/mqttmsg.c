#include "mqttmsg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "isotime.h"
#include "jflat.h"
#include "json.h"

/* Plausible wall-clock times for sync_clock, as POST /api/time takes them. */
#define EPOCH_MS_MIN 946684800000LL
#define EPOCH_MS_MAX 4102444800000LL
#define OFFSET_MIN_MAX (14 * 60)
#define PREFIX_MAX 200
#define CMD_MEMBERS 8

bool cc_mqtt_prefix_ok(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > PREFIX_MAX || p[0] == '/' || p[n - 1] == '/' || strstr(p, "//"))
        return false;
    for (; *p; p++)
        if (*p < 0x21 || *p > 0x7e || *p == '+' || *p == '#')
            return false;
    return true;
}

void cc_mqtt_topic(char out[CC_MQTT_TOPIC_MAX], const char *prefix, const char *leaf)
{
    snprintf(out, CC_MQTT_TOPIC_MAX, "%s/%s", prefix, leaf);
}

/* ---- commands ------------------------------------------------------------ */

static const struct {
    const char *name;
    enum cc_mqtt_cmd_kind kind;
} cmd_names[] = {
    {"live_start", CC_MQTT_LIVE_START}, {"live_stop", CC_MQTT_LIVE_STOP},
    {"sweep", CC_MQTT_SWEEP},           {"snapshot", CC_MQTT_SNAPSHOT},
    {"sync_clock", CC_MQTT_SYNC_CLOCK},
};

static bool id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':';
}

static int refuse(struct cc_mqtt_cmd_error *err, const char *code, const char *message)
{
    err->code = code;
    err->message = message;
    return -EINVAL;
}

/* "id": optional; echoed back verbatim, so only plain characters. */
static int read_id(const struct cc_jflat_member *m, size_t n, struct cc_mqtt_cmd *out,
                   struct cc_mqtt_cmd_error *err)
{
    const struct cc_jflat_member *id = cc_jflat_get(m, n, "id");
    if (!id)
        return 0;
    if (id->type != CC_JFLAT_STRING || id->val_len == 0 || id->val_len > CC_MQTT_ID_MAX)
        return refuse(err, "bad_id",
                      "id must be a string of 1 to 64 characters A-Z a-z 0-9 - _ . :");
    for (size_t i = 0; i < id->val_len; i++)
        if (!id_char(id->val[i]))
            return refuse(err, "bad_id",
                          "id must be a string of 1 to 64 characters A-Z a-z 0-9 - _ . :");
    memcpy(out->id, id->val, id->val_len);
    out->id[id->val_len] = '\0';
    return 0;
}

static int read_name(const struct cc_jflat_member *m, size_t n, struct cc_mqtt_cmd *out,
                     struct cc_mqtt_cmd_error *err)
{
    const struct cc_jflat_member *c = cc_jflat_get(m, n, "cmd");
    if (!c || c->type != CC_JFLAT_STRING)
        return refuse(err, "bad_cmd", "cmd must be a string naming the command");
    for (size_t i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++) {
        if (strlen(cmd_names[i].name) == c->val_len &&
            !memcmp(cmd_names[i].name, c->val, c->val_len)) {
            out->kind = cmd_names[i].kind;
            out->name = cmd_names[i].name;
            return 0;
        }
    }
    return refuse(err, "unknown_cmd",
                  "cmd must be live_start, live_stop, sweep, snapshot or sync_clock");
}

static int read_clock(const struct cc_jflat_member *m, size_t n, struct cc_mqtt_cmd *out,
                      struct cc_mqtt_cmd_error *err)
{
    const struct cc_jflat_member *ms = cc_jflat_get(m, n, "epoch_ms");
    const struct cc_jflat_member *off = cc_jflat_get(m, n, "utc_offset_min");
    int rc = ms ? cc_jflat_int(ms, EPOCH_MS_MIN, EPOCH_MS_MAX, &out->epoch_ms) : -EINVAL;
    if (rc == -ERANGE)
        return refuse(err, "bad_time", "epoch_ms must be between 2000-01-01 and 2100-01-01");
    if (rc < 0)
        return refuse(err, "bad_time", "sync_clock needs epoch_ms, an integer");
    out->has_off = off && off->type != CC_JFLAT_NULL;
    rc = out->has_off ? cc_jflat_int(off, -OFFSET_MIN_MAX, OFFSET_MIN_MAX, &out->off_min) : 0;
    if (rc < 0)
        return refuse(err, "bad_offset", "utc_offset_min must be an integer from -840 to 840");
    return 0;
}

int cc_mqtt_cmd_parse(const char *buf, size_t len, struct cc_mqtt_cmd *out,
                      struct cc_mqtt_cmd_error *err)
{
    memset(out, 0, sizeof(*out));
    if (len > CC_MQTT_CMD_MAX)
        return refuse(err, "too_large", "a command is at most 4096 bytes");
    struct cc_jflat_member m[CMD_MEMBERS];
    size_t n;
    if (cc_jflat_parse(buf, len, m, CMD_MEMBERS, &n) < 0)
        return refuse(err, "bad_json", "a command is a flat JSON object {\"cmd\":\"…\"}");
    int rc = read_id(m, n, out, err);
    if (rc == 0)
        rc = read_name(m, n, out, err);
    if (rc == 0 && out->kind == CC_MQTT_SYNC_CLOCK)
        rc = read_clock(m, n, out, err);
    return rc;
}

void cc_mqtt_result_open(struct cc_json *j, const char *id, const char *name, bool ok)
{
    cc_json_obj_open(j);
    cc_json_key(j, "id");
    if (id && *id)
        cc_json_str(j, id);
    else
        cc_json_null(j);
    cc_json_key(j, "cmd");
    if (name)
        cc_json_str(j, name);
    else
        cc_json_null(j);
    cc_json_key(j, "ok");
    cc_json_bool(j, ok);
}

void cc_mqtt_result_error(struct cc_buf *out, const char *id, const char *name, const char *code,
                          const char *message)
{
    struct cc_json j;
    cc_json_init(&j, out);
    cc_mqtt_result_open(&j, id, name, false);
    cc_json_error(&j, code, message);
    cc_json_obj_close(&j);
}

/* ---- state and events ---------------------------------------------------- */

static void json_time(struct cc_json *j, const char *key, int64_t ms, int off_min)
{
    char iso[CC_ISO_MAX];
    cc_json_key(j, key);
    if (ms == INT64_MIN) {
        cc_json_null(j);
        return;
    }
    cc_iso_format(ms, off_min, iso);
    cc_json_str(j, iso);
}

static void json_opt_str(struct cc_json *j, const char *key, const char *s)
{
    cc_json_key(j, key);
    if (*s)
        cc_json_str(j, s);
    else
        cc_json_null(j);
}

static void json_opt_bytes(struct cc_json *j, const char *key, bool ok, uint64_t v)
{
    cc_json_key(j, key);
    if (ok)
        cc_json_int(j, (int64_t)v);
    else
        cc_json_null(j);
}

void cc_mqtt_state_json(const struct cc_mqtt_state *s, struct cc_buf *out)
{
    struct cc_json j;
    cc_json_init(&j, out);
    cc_json_obj_open(&j);
    cc_json_key(&j, "recording");
    cc_json_bool(&j, s->recording);
    json_opt_str(&j, "folder", s->folder);
    json_opt_bytes(&j, "free_bytes", s->space_ok, s->free_bytes);
    json_opt_bytes(&j, "total_bytes", s->space_ok, s->total_bytes);
    cc_json_key(&j, "days");
    cc_json_int(&j, s->days);
    json_opt_str(&j, "oldest_day", s->oldest_day);
    json_opt_str(&j, "newest_day", s->newest_day);
    json_time(&j, "last_motion", s->last_motion_ms, s->off_min);
    cc_json_obj_close(&j);
}

bool cc_mqtt_state_changed(const struct cc_mqtt_state *a, const struct cc_mqtt_state *b)
{
    return a->recording != b->recording || strcmp(a->folder, b->folder) ||
           a->space_ok != b->space_ok || a->days != b->days ||
           strcmp(a->oldest_day, b->oldest_day) || strcmp(a->newest_day, b->newest_day) ||
           a->last_motion_ms != b->last_motion_ms;
}

void cc_mqtt_event_json(const struct cc_mqtt_event *e, struct cc_buf *out)
{
    struct cc_json j;
    cc_json_init(&j, out);
    cc_json_obj_open(&j);
    /* Day, start and source: the same event always gets the same id. */
    char id[64];
    snprintf(id, sizeof(id), "%s-%lld-%08x", e->day, (long long)e->start_ms, e->id_hash);
    cc_json_key(&j, "id");
    cc_json_str(&j, id);
    cc_json_key(&j, "day");
    cc_json_str(&j, e->day);
    json_time(&j, "start", e->start_ms, e->off_min);
    json_time(&j, "end", e->end_ms, e->off_min);
    cc_json_key(&j, "start_ms");
    cc_json_int(&j, e->start_ms);
    cc_json_key(&j, "end_ms");
    cc_json_int(&j, e->end_ms);
    cc_json_key(&j, "label");
    cc_json_str(&j, e->label ? e->label : "");
    /* A clip around the event (the day playlist, cut): plays in any HLS
     * player, relative to the camera's own address. */
    char link[128];
    snprintf(link, sizeof(link), "/api/days/%s/playlist.m3u8?from=%lld&to=%lld", e->day,
             (long long)e->start_ms,
             (long long)(e->end_ms > e->start_ms ? e->end_ms : e->start_ms + 10000));
    cc_json_key(&j, "play");
    cc_json_str(&j, link);
    cc_json_obj_close(&j);
}

/* ---- Home Assistant discovery -------------------------------------------- */

struct entity {
    const char *component; /* binary_sensor, sensor, button, camera */
    const char *object;    /* unique within the device */
    const char *name;
    const char *topic_key; /* state_topic, command_topic or topic */
    const char *leaf;      /* under the prefix */
    const char *extra[8];  /* key, value pairs (strings) */
};

static const struct entity entities[] = {
    {"binary_sensor",
     "motion",
     "Motion",
     "state_topic",
     "motion",
     {"device_class", "motion", "payload_on", "ON", "payload_off", "OFF", NULL}},
    {"binary_sensor",
     "recording",
     "Recording",
     "state_topic",
     "state",
     {"device_class", "running", "value_template", "{{ 'ON' if value_json.recording else 'OFF' }}",
      NULL}},
    {"sensor",
     "free_space",
     "Free space",
     "state_topic",
     "state",
     {"device_class", "data_size", "unit_of_measurement", "B", "state_class", "measurement",
      "value_template", "{{ value_json.free_bytes }}"}},
    {"sensor",
     "last_event",
     "Last event",
     "state_topic",
     "event",
     {"device_class", "timestamp", "value_template", "{{ value_json.start }}", NULL}},
    {"button",
     "sweep",
     "Sweep now",
     "command_topic",
     "cmd",
     {"payload_press", "{\"cmd\":\"sweep\",\"id\":\"ha-sweep\"}", NULL}},
    {"camera", "snapshot", "Snapshot", "topic", "snapshot", {NULL}},
};

/* Home Assistant's node_id: [a-zA-Z0-9_-] only. */
static void node_id(const char *camera_id, char *out, size_t size)
{
    size_t i = 0;
    for (; camera_id[i] && i + 1 < size; i++) {
        char c = camera_id[i];
        out[i] = id_char(c) && c != '.' && c != ':' ? c : '_';
    }
    out[i] = '\0';
}

static void discovery_device(struct cc_json *j, const struct cc_mqtt_ids *ids, const char *node)
{
    char ident[96];
    snprintf(ident, sizeof(ident), "camcat_%s", node);
    cc_json_key(j, "device");
    cc_json_obj_open(j);
    cc_json_key(j, "identifiers");
    cc_json_arr_open(j);
    cc_json_str(j, ident);
    cc_json_arr_close(j);
    cc_json_key(j, "name");
    cc_json_str(j, ids->camera_id);
    cc_json_key(j, "manufacturer");
    cc_json_str(j, "camcat");
    cc_json_key(j, "model");
    cc_json_str(j, "camcatd");
    cc_json_key(j, "sw_version");
    cc_json_str(j, ids->version);
    cc_json_obj_close(j);
}

bool cc_mqtt_discovery(const struct cc_mqtt_ids *ids, size_t i, char topic[CC_MQTT_TOPIC_MAX],
                       struct cc_buf *payload)
{
    if (i >= sizeof(entities) / sizeof(entities[0]))
        return false;
    const struct entity *e = &entities[i];
    char node[72], uid[160], t[CC_MQTT_TOPIC_MAX];
    node_id(ids->camera_id, node, sizeof(node));
    snprintf(topic, CC_MQTT_TOPIC_MAX, "%s/%s/%s/%s/config", ids->discovery_prefix, e->component,
             node, e->object);
    snprintf(uid, sizeof(uid), "camcat_%s_%s", node, e->object);
    struct cc_json j;
    cc_json_init(&j, payload);
    cc_json_obj_open(&j);
    cc_json_key(&j, "name");
    cc_json_str(&j, e->name);
    cc_json_key(&j, "unique_id");
    cc_json_str(&j, uid);
    cc_json_key(&j, "object_id");
    cc_json_str(&j, uid);
    cc_mqtt_topic(t, ids->prefix, e->leaf);
    cc_json_key(&j, e->topic_key);
    cc_json_str(&j, t);
    cc_mqtt_topic(t, ids->prefix, "availability");
    cc_json_key(&j, "availability_topic");
    cc_json_str(&j, t);
    cc_json_key(&j, "payload_available");
    cc_json_str(&j, "online");
    cc_json_key(&j, "payload_not_available");
    cc_json_str(&j, "offline");
    for (size_t k = 0; k + 1 < 8 && e->extra[k]; k += 2) {
        cc_json_key(&j, e->extra[k]);
        cc_json_str(&j, e->extra[k + 1]);
    }
    discovery_device(&j, ids, node);
    cc_json_obj_close(&j);
    return true;
}
