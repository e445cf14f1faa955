/* Built only with MQTT (make MQTT=0 leaves the header out). */
#if CAMCAT_MQTT
#include "mosqlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "log.h"

#define LIBRARY "libmosquitto.so.1"

int srv_mosq_load(struct srv_mosq *api)
{
    memset(api, 0, sizeof(*api));
    api->handle = dlopen(LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!api->handle) {
        cc_err("mqtt: cannot load %s: %s (install libmosquitto1)", LIBRARY, dlerror());
        return -ENOENT;
    }
    const struct {
        void **slot;
        const char *name;
    } syms[] = {
        {(void **)&api->lib_init, "mosquitto_lib_init"},
        {(void **)&api->lib_cleanup, "mosquitto_lib_cleanup"},
        {(void **)&api->client_new, "mosquitto_new"},
        {(void **)&api->destroy, "mosquitto_destroy"},
        {(void **)&api->username_pw_set, "mosquitto_username_pw_set"},
        {(void **)&api->tls_set, "mosquitto_tls_set"},
        {(void **)&api->will_set, "mosquitto_will_set"},
        {(void **)&api->connect_callback_set, "mosquitto_connect_callback_set"},
        {(void **)&api->message_callback_set, "mosquitto_message_callback_set"},
        {(void **)&api->connect, "mosquitto_connect"},
        {(void **)&api->reconnect, "mosquitto_reconnect"},
        {(void **)&api->disconnect, "mosquitto_disconnect"},
        {(void **)&api->loop, "mosquitto_loop"},
        {(void **)&api->publish, "mosquitto_publish"},
        {(void **)&api->subscribe, "mosquitto_subscribe"},
        {(void **)&api->strerror, "mosquitto_strerror"},
        {(void **)&api->connack_string, "mosquitto_connack_string"},
    };
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        *syms[i].slot = dlsym(api->handle, syms[i].name);
        if (!*syms[i].slot) {
            cc_err("mqtt: %s has no %s", LIBRARY, syms[i].name);
            srv_mosq_unload(api);
            return -ENOENT;
        }
    }
    return 0;
}

void srv_mosq_unload(struct srv_mosq *api)
{
    if (api->handle)
        dlclose(api->handle);
    memset(api, 0, sizeof(*api));
}

#endif /* CAMCAT_MQTT */
