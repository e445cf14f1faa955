/* mqtt — camcatd as an MQTT client (libmosquitto): availability with a last
 * will, retained state, motion and events as they appear in the recording
 * folder, commands with results, Home Assistant discovery, snapshots. Topics
 * and payloads are mqttmsg.h's; README "MQTT" documents them.
 *
 * One thread of its own does everything: connects (and reconnects with a
 * back-off of 1 s doubling to 60 s), polls the catalog once a second, and
 * runs commands. Request handlers never wait for it: they only read its
 * state (srv_mqtt_health), which is under a mutex held for no I/O. While the
 * broker is away, events queue up to MQTT_QUEUE_EVENTS (oldest dropped);
 * state and motion are kept as their newest value only.
 *
 * Built without libmosquitto (make MQTT=0), srv_mqtt_start() refuses a
 * configured mqtt_host (-ENOTSUP, logged) and the rest are no-ops. */
#ifndef CC_SRV_MQTT_H
#define CC_SRV_MQTT_H

struct app;
struct cc_json;
struct srv_mqtt;

/* Starts the client when mqtt_host is set (else 0 with *out NULL). app and
 * what it points to must outlive it. 0, -EINVAL (a bad prefix, camera_id or
 * password file: logged) or -ENOTSUP. */
int srv_mqtt_start(struct app *app, struct srv_mqtt **out);
/* Publishes "offline", disconnects and joins the thread. NULL is fine. */
void srv_mqtt_stop(struct srv_mqtt *m);

/* The "mqtt" member of /api/health: its value (an object). m may be NULL. */
void srv_mqtt_health(struct srv_mqtt *m, struct cc_json *j);

#endif
