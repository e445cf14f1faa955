/* recording — one recording folder (a segment: what one power-up recorded)
 * of a day, by its id:
 *   GET/HEAD /api/days/DATE/SEGID/download.ts  its chunks in order, one file
 *   DELETE   /api/days/DATE/SEGID              remove the folder
 * Deleting follows the day DELETE's rules (storage.c): same origin only,
 * 409 while the folder is being recorded, nothing outside ROOT, and the
 * removal is retention's (cc_ret_execute), under the sweep's lock.
 * Thread rules: civetweb worker threads; the catalog is thread-safe. */
#ifndef CC_SRV_RECORDING_H
#define CC_SRV_RECORDING_H

#include "isotime.h"

struct app;
struct mg_connection;

/* sub: what follows "DATE/" in the path ("00003" or "00003/download.ts").
 * Returns the status sent. */
int srv_recording_handler(struct mg_connection *conn, struct app *app, const struct cc_date *date,
                          const char *sub);

#endif
