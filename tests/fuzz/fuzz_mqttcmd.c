/* libFuzzer target: MQTT command payloads (…/cmd), whatever a broker
 * delivers, and the error result built from a refusal. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mqttmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cc_mqtt_cmd c;
    struct cc_mqtt_cmd_error e;
    int rc = cc_mqtt_cmd_parse((const char *)data, size, &c, &e);
    if (rc != 0 && rc != -EINVAL)
        abort();
    if (strlen(c.id) > CC_MQTT_ID_MAX)
        abort();
    struct cc_buf b;
    cc_buf_init(&b);
    if (rc == 0 && !c.name)
        abort();
    if (rc < 0)
        cc_mqtt_result_error(&b, c.id, c.name, e.code, e.message);
    cc_buf_free(&b);
    return 0;
}
