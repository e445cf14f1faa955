/* mqttmsg: commands as a broker would deliver them, and the payloads Home
 * Assistant reads, checked against its documented required fields. */
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

#include "buf.h"
#include "jflat.h"
#include "json.h"
#include "mqttmsg.h"

static int parse(const char *s, struct cc_mqtt_cmd *c, struct cc_mqtt_cmd_error *e)
{
    return cc_mqtt_cmd_parse(s, strlen(s), c, e);
}

static void test_commands(void **state)
{
    struct cc_mqtt_cmd c;
    struct cc_mqtt_cmd_error e;
    static const struct {
        const char *json;
        enum cc_mqtt_cmd_kind kind;
    } ok[] = {
        {"{\"cmd\":\"live_start\"}", CC_MQTT_LIVE_START},
        {"{\"cmd\":\"live_stop\",\"id\":\"a-1\"}", CC_MQTT_LIVE_STOP},
        {" {\"id\":\"x\", \"cmd\" : \"sweep\"} ", CC_MQTT_SWEEP},
        {"{\"cmd\":\"snapshot\"}", CC_MQTT_SNAPSHOT},
        {"{\"cmd\":\"sync_clock\",\"epoch_ms\":1737676800000,\"utc_offset_min\":480}",
         CC_MQTT_SYNC_CLOCK},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(parse(ok[i].json, &c, &e), 0);
        assert_int_equal(c.kind, ok[i].kind);
    }
    assert_string_equal(c.name, "sync_clock");
    assert_true(c.epoch_ms == 1737676800000LL);
    assert_true(c.has_off);
    assert_int_equal(c.off_min, 480);
    assert_int_equal(parse("{\"cmd\":\"live_stop\",\"id\":\"a-1\"}", &c, &e), 0);
    assert_string_equal(c.id, "a-1");
}

static void test_refused(void **state)
{
    struct cc_mqtt_cmd c;
    struct cc_mqtt_cmd_error e;
    static const struct {
        const char *json;
        const char *code;
    } bad[] = {
        {"", "bad_json"},
        {"sweep", "bad_json"},
        {"{\"cmd\":\"sweep\"", "bad_json"},
        {"{\"cmd\":{\"x\":1}}", "bad_json"},
        {"[\"sweep\"]", "bad_json"},
        {"{\"cmd\":\"sweep\",\"cmd\":\"sweep\"}", "bad_json"},
        {"{}", "bad_cmd"},
        {"{\"cmd\":42}", "bad_cmd"},
        {"{\"cmd\":null}", "bad_cmd"},
        {"{\"cmd\":\"reboot\"}", "unknown_cmd"},
        {"{\"cmd\":\"sweepx\"}", "unknown_cmd"},
        {"{\"cmd\":\"swee\"}", "unknown_cmd"},
        {"{\"cmd\":\"sweep\",\"id\":7}", "bad_id"},
        {"{\"cmd\":\"sweep\",\"id\":\"a b\"}", "bad_id"},
        {"{\"cmd\":\"sweep\",\"id\":\"\"}", "bad_id"},
        {"{\"cmd\":\"sync_clock\"}", "bad_time"},
        {"{\"cmd\":\"sync_clock\",\"epoch_ms\":\"1737676800000\"}", "bad_time"},
        {"{\"cmd\":\"sync_clock\",\"epoch_ms\":1.5e12}", "bad_time"},
        {"{\"cmd\":\"sync_clock\",\"epoch_ms\":5}", "bad_time"},
        {"{\"cmd\":\"sync_clock\",\"epoch_ms\":1737676800000,\"utc_offset_min\":900}",
         "bad_offset"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i].json, &c, &e), -EINVAL);
        assert_string_equal(e.code, bad[i].code);
        assert_non_null(e.message);
    }
    /* The id is kept for the error result when it was readable. */
    assert_int_equal(parse("{\"id\":\"q7\",\"cmd\":\"reboot\"}", &c, &e), -EINVAL);
    assert_string_equal(c.id, "q7");
    assert_null(c.name);
    /* Huge payloads are refused before parsing; NUL bytes are not JSON. */
    size_t big = CC_MQTT_CMD_MAX + 1;
    char *p = malloc(big);
    memset(p, ' ', big);
    memcpy(p, "{\"cmd\":\"sweep\"}", 15);
    assert_int_equal(cc_mqtt_cmd_parse(p, big, &c, &e), -EINVAL);
    assert_string_equal(e.code, "too_large");
    assert_int_equal(cc_mqtt_cmd_parse(p, CC_MQTT_CMD_MAX, &c, &e), 0);
    free(p);
    assert_int_equal(cc_mqtt_cmd_parse("{\"cmd\":\"sweep\"}\0", 16, &c, &e), -EINVAL);
}

/* The result is flat apart from "error": checked member by member. */
static void test_results(void **state)
{
    struct cc_buf b;
    cc_buf_init(&b);
    cc_mqtt_result_error(&b, "q7", NULL, "unknown_cmd", "no such \"command\"");
    assert_string_equal(b.data, "{\"id\":\"q7\",\"cmd\":null,\"ok\":false,\"error\":{\"code\":"
                                "\"unknown_cmd\",\"message\":\"no such \\\"command\\\"\"}}");
    cc_buf_reset(&b);
    struct cc_json j;
    cc_json_init(&j, &b);
    cc_mqtt_result_open(&j, "", "sweep", true);
    cc_json_obj_close(&j);
    assert_string_equal(b.data, "{\"id\":null,\"cmd\":\"sweep\",\"ok\":true}");
    cc_buf_free(&b);
}

static void test_state(void **state)
{
    struct cc_mqtt_state s = {
        .recording = true,
        .folder = "2025-01-24/00003",
        .space_ok = true,
        .free_bytes = 1000,
        .total_bytes = 4000,
        .days = 2,
        .oldest_day = "2025-01-23",
        .newest_day = "2025-01-24",
        .last_motion_ms = 1737676800000LL,
        .off_min = 60,
    };
    struct cc_buf b;
    cc_buf_init(&b);
    cc_mqtt_state_json(&s, &b);
    assert_string_equal(b.data,
                        "{\"recording\":true,\"folder\":\"2025-01-24/00003\",\"free_bytes\":1000,"
                        "\"total_bytes\":4000,\"days\":2,\"oldest_day\":\"2025-01-23\","
                        "\"newest_day\":\"2025-01-24\",\"last_motion\":"
                        "\"2025-01-24T01:00:00.000+01:00\"}");
    struct cc_mqtt_state t = s;
    t.free_bytes = 10;
    assert_false(cc_mqtt_state_changed(&s, &t));
    t.recording = false;
    assert_true(cc_mqtt_state_changed(&s, &t));
    t = s;
    t.last_motion_ms++;
    assert_true(cc_mqtt_state_changed(&s, &t));
    struct cc_mqtt_state none = {.last_motion_ms = INT64_MIN};
    cc_buf_reset(&b);
    cc_mqtt_state_json(&none, &b);
    assert_string_equal(b.data, "{\"recording\":false,\"folder\":null,\"free_bytes\":null,"
                                "\"total_bytes\":null,\"days\":0,\"oldest_day\":null,"
                                "\"newest_day\":null,\"last_motion\":null}");
    cc_buf_free(&b);
}

static void test_event(void **state)
{
    struct cc_mqtt_event e = {.day = "2025-01-24",
                              .start_ms = 1737676800000LL,
                              .end_ms = 1737676805000LL,
                              .off_min = 0,
                              .id_hash = 0xabc,
                              .label = "person"};
    struct cc_buf b;
    cc_buf_init(&b);
    cc_mqtt_event_json(&e, &b);
    assert_string_equal(
        b.data, "{\"id\":\"2025-01-24-1737676800000-00000abc\",\"day\":\"2025-01-24\","
                "\"start\":\"2025-01-24T00:00:00.000Z\",\"end\":\"2025-01-24T00:00:05.000Z\","
                "\"start_ms\":1737676800000,\"end_ms\":1737676805000,\"label\":\"person\","
                "\"play\":\"/api/days/2025-01-24/playlist.m3u8?from=1737676800000&to="
                "1737676805000\"}");
    cc_buf_free(&b);
}

static void test_prefix(void **state)
{
    assert_true(cc_mqtt_prefix_ok("camcat/cam-1"));
    assert_true(cc_mqtt_prefix_ok("a"));
    assert_false(cc_mqtt_prefix_ok(""));
    assert_false(cc_mqtt_prefix_ok("/camcat"));
    assert_false(cc_mqtt_prefix_ok("camcat/"));
    assert_false(cc_mqtt_prefix_ok("cam//x"));
    assert_false(cc_mqtt_prefix_ok("cam/+/x"));
    assert_false(cc_mqtt_prefix_ok("cam/#"));
    assert_false(cc_mqtt_prefix_ok("cam era"));
    char t[CC_MQTT_TOPIC_MAX];
    cc_mqtt_topic(t, "camcat/cam1", "state");
    assert_string_equal(t, "camcat/cam1/state");
}

/* Home Assistant's MQTT integration documents, per platform, the one
 * required topic (state_topic, command_topic, topic); every entity here also
 * needs a unique_id and the device's identifiers to be grouped. */
static void test_discovery(void **state)
{
    struct cc_mqtt_ids ids = {"camcat/front.door", "front.door", "homeassistant", "1.2"};
    char topic[CC_MQTT_TOPIC_MAX];
    struct cc_buf b;
    cc_buf_init(&b);
    const char *seen[8];
    size_t n = 0;
    for (; cc_mqtt_discovery(&ids, n, topic, &b); n++) {
        assert_true(n < 8);
        assert_int_equal(strncmp(topic, "homeassistant/", 14), 0);
        const char *comp = topic + 14;
        assert_non_null(strstr(topic, "/front_door/"));
        assert_non_null(strstr(b.data, "\"unique_id\":\"camcat_front_door_"));
        assert_non_null(
            strstr(b.data, "\"availability_topic\":\"camcat/front.door/availability\""));
        assert_non_null(strstr(b.data, "\"device\":{\"identifiers\":[\"camcat_front_door\"]"));
        const char *need = !strncmp(comp, "button/", 7) ? "\"command_topic\":\"camcat/front.door/"
                           : !strncmp(comp, "camera/", 7)
                               ? "\"topic\":\"camcat/front.door/snapshot\""
                               : "\"state_topic\":\"camcat/front.door/";
        assert_non_null(strstr(b.data, need));
        seen[n] = strdup(comp);
        cc_buf_reset(&b);
    }
    assert_int_equal(n, 6);
    const char *want[] = {"binary_sensor/front_door/motion/config",
                          "binary_sensor/front_door/recording/config",
                          "sensor/front_door/free_space/config",
                          "sensor/front_door/last_event/config",
                          "button/front_door/sweep/config",
                          "camera/front_door/snapshot/config"};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(seen[i], want[i]);
        free((void *)seen[i]);
    }
    /* The button's payload is itself a command the parser takes. */
    cc_mqtt_discovery(&ids, 4, topic, &b);
    const char *pp = strstr(b.data, "\"payload_press\":\"");
    assert_non_null(pp);
    struct cc_mqtt_cmd c;
    struct cc_mqtt_cmd_error e;
    assert_int_equal(parse("{\"cmd\":\"sweep\",\"id\":\"ha-sweep\"}", &c, &e), 0);
    assert_non_null(strstr(pp, "{\\\"cmd\\\":\\\"sweep\\\",\\\"id\\\":\\\"ha-sweep\\\"}"));
    cc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands),  cmocka_unit_test(test_refused),
        cmocka_unit_test(test_results),   cmocka_unit_test(test_state),
        cmocka_unit_test(test_event),     cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_discovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
