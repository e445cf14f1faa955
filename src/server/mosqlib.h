/* mosqlib — libmosquitto, loaded with dlopen when MQTT is configured.
 *
 * Linked, libmosquitto brings libssl and libcrypto into every camcatd: about
 * 1.7 MB of resident memory (relocations and library data) on a server that
 * by default uses 6.4 MB, for a feature most cameras leave off. Loaded, it
 * costs nothing until mqtt_host is set. The prototypes are mosquitto.h's.
 *
 * Thread rules: srv_mosq_load once, before the MQTT thread starts; the table
 * is read-only after. */
#ifndef CC_SRV_MOSQLIB_H
#define CC_SRV_MOSQLIB_H

#include <mosquitto.h>

struct srv_mosq {
    void *handle;
    __typeof__(&mosquitto_lib_init) lib_init;
    __typeof__(&mosquitto_lib_cleanup) lib_cleanup;
    __typeof__(&mosquitto_new) client_new;
    __typeof__(&mosquitto_destroy) destroy;
    __typeof__(&mosquitto_username_pw_set) username_pw_set;
    __typeof__(&mosquitto_tls_set) tls_set;
    __typeof__(&mosquitto_will_set) will_set;
    __typeof__(&mosquitto_connect_callback_set) connect_callback_set;
    __typeof__(&mosquitto_message_callback_set) message_callback_set;
    __typeof__(&mosquitto_connect) connect;
    __typeof__(&mosquitto_reconnect) reconnect;
    __typeof__(&mosquitto_disconnect) disconnect;
    __typeof__(&mosquitto_loop) loop;
    __typeof__(&mosquitto_publish) publish;
    __typeof__(&mosquitto_subscribe) subscribe;
    __typeof__(&mosquitto_strerror) strerror;
    __typeof__(&mosquitto_connack_string) connack_string;
};

/* Loads libmosquitto.so.1 and every function above: 0, or -ENOENT after
 * logging why (the library or a symbol is missing). */
int srv_mosq_load(struct srv_mosq *api);
/* Unloads it (after the client is destroyed); a zeroed table is fine. */
void srv_mosq_unload(struct srv_mosq *api);

#endif
