/* range — wall-clock instants and ranges from query parameters, turned into
 * UTC with the camera's offset, and the day folders that can hold them.
 * Shared by the handlers that cut recordings by time (export.c, thumb.c).
 *
 * Thread rules: any handler thread; the catalog does its own locking.
 * Days handed to a callback are borrowed until it returns. */
#ifndef CC_SRV_RANGE_H
#define CC_SRV_RANGE_H

#include <stdint.h>

#include "app.h"
#include "day.h"

struct mg_connection;

/* Query parameter key as a UTC instant (a zone-less time is read in the
 * camera's offset for that date): 0 with *ms set, 0 with *ms = INT64_MIN when
 * absent, or the status of the 400 it sent. */
int srv_query_utc(struct mg_connection *conn, struct app *app, const char *key, int64_t *ms);

/* from and to, both required, from before to: 0 or the status sent. */
int srv_query_range(struct mg_connection *conn, struct app *app, int64_t *from, int64_t *to);

/* Calls fn for each day whose recordings can reach into [from, to), oldest
 * first: a folder holds what began on its local date and may run past
 * midnight, and local dates lie within a day of UTC ones. Days that vanish
 * meanwhile are skipped. 0, fn's negative value, or -errno. */
typedef int (*srv_day_fn)(void *ud, const struct cc_day *d);
int srv_each_day(struct app *app, int64_t from, int64_t to, srv_day_fn fn, void *ud);

#endif
