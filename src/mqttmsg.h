/* mqttmsg — what camcatd says and hears over MQTT, without MQTT: topic
 * names, the command parser, and the JSON payloads (state, event, command
 * result, Home Assistant discovery). The client itself (libmosquitto, its
 * thread, the queue) is src/server/mqtt.c; README "MQTT" documents every
 * topic and payload.
 *
 * Pure and thread-safe: no I/O, no globals. Builders append to a cc_buf the
 * caller owns; allocation failure aborts (mem.h). */
#ifndef CC_MQTTMSG_H
#define CC_MQTTMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CC_MQTT_CMD_MAX 4096 /* longer command payloads are refused unread */
#define CC_MQTT_ID_MAX 64    /* a command's "id", echoed in its result */
#define CC_MQTT_TOPIC_MAX 256

/* Topic prefix (and camera_id): printable ASCII without the wildcards + and
 * #, no empty level, no leading or trailing '/', at most 200 bytes. */
bool cc_mqtt_prefix_ok(const char *prefix);
/* prefix "/" leaf into out (CC_MQTT_TOPIC_MAX bytes). */
void cc_mqtt_topic(char out[CC_MQTT_TOPIC_MAX], const char *prefix, const char *leaf);

enum cc_mqtt_cmd_kind {
    CC_MQTT_LIVE_START,
    CC_MQTT_LIVE_STOP,
    CC_MQTT_SWEEP,
    CC_MQTT_SNAPSHOT,
    CC_MQTT_SYNC_CLOCK,
};

struct cc_mqtt_cmd {
    enum cc_mqtt_cmd_kind kind;
    const char *name;            /* static: "live_start", … */
    char id[CC_MQTT_ID_MAX + 1]; /* "" when the command had none */
    int64_t epoch_ms;            /* sync_clock */
    int64_t off_min;             /* sync_clock, when has_off */
    bool has_off;
};

/* Why a command was refused: code (static, e.g. "bad_json") and message. The
 * id and name are kept when they could be read, so the result can echo them. */
struct cc_mqtt_cmd_error {
    const char *code;
    const char *message;
};

/* Parses one command payload {"cmd":"sweep","id":"x"} (flat JSON, jflat.h).
 * 0 with *out filled, or -EINVAL with *err set and out->id / out->name
 * filled as far as they were readable. Never reads past len. */
int cc_mqtt_cmd_parse(const char *buf, size_t len, struct cc_mqtt_cmd *out,
                      struct cc_mqtt_cmd_error *err);

/* The result object, opened: {"id":…,"cmd":…,"ok":…  — the caller adds its
 * members and closes it (cc_json_obj_close). name may be NULL (unknown). */
struct cc_json;
void cc_mqtt_result_open(struct cc_json *j, const char *id, const char *name, bool ok);
/* A whole error result into out. */
void cc_mqtt_result_error(struct cc_buf *out, const char *id, const char *name, const char *code,
                          const char *message);

/* What …/state says. Byte counts of 0 with space_ok false: unknown. */
struct cc_mqtt_state {
    bool recording;
    char folder[64]; /* "2025-01-24/00003" while recording, else "" */
    bool space_ok;
    uint64_t free_bytes, total_bytes;
    int days;                            /* day folders kept */
    char oldest_day[11], newest_day[11]; /* "" when there are none */
    int64_t last_motion_ms;              /* INT64_MIN: none seen since start */
    int off_min;                         /* for the ISO times */
};

void cc_mqtt_state_json(const struct cc_mqtt_state *s, struct cc_buf *out);
/* Did anything but the byte counts change? (Those change with every chunk
 * and go out with the periodic state instead.) */
bool cc_mqtt_state_changed(const struct cc_mqtt_state *a, const struct cc_mqtt_state *b);

struct cc_mqtt_event {
    char day[11];
    int64_t start_ms, end_ms; /* end == start: a point event */
    int off_min;
    uint32_t id_hash;
    const char *label; /* borrowed */
};

/* …/event: id, day, start/end (ISO and ms), label and a playable link. */
void cc_mqtt_event_json(const struct cc_mqtt_event *e, struct cc_buf *out);

/* Home Assistant discovery (README "MQTT"): who the device is. */
struct cc_mqtt_ids {
    const char *prefix; /* camcat/<camera_id> */
    const char *camera_id;
    const char *discovery_prefix; /* "homeassistant" */
    const char *version;
};

/* The i-th discovery message: its topic into topic, its JSON into payload.
 * false past the last. */
bool cc_mqtt_discovery(const struct cc_mqtt_ids *ids, size_t i, char topic[CC_MQTT_TOPIC_MAX],
                       struct cc_buf *payload);

#endif
