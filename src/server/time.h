/* time — GET and POST /api/time: the camera's clock, and setting it from a
 * browser per the clock mode. Thread rules: any handler thread.
 * (Included as "time.h" only from src/server; <time.h> is the C library's.) */
#ifndef CC_SRV_TIME_H
#define CC_SRV_TIME_H

#include <stdint.h>

struct mg_connection;
struct app;

/* Route /api/time (routes.c): returns the status it sent. */
int srv_time_handler(struct mg_connection *conn, struct app *app);

/* The clock sync of POST /api/time without the request (MQTT sync_clock):
 * compares epoch_ms with the camera's clock and acts per the clock mode.
 * 0 with *camera_ms and *action ("none", "set", "would_set"; static),
 * -EACCES when clock = off, -EPERM without CAP_SYS_TIME, or -errno. who goes
 * to the log. */
int srv_time_sync(struct app *app, int64_t epoch_ms, const char *who, int64_t *camera_ms,
                  const char **action);

#endif
