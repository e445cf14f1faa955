/* export — GET /api/export.ts: a time range cut and stitched into one
 * MPEG-TS download. Thread rules: any handler thread; the number of exports
 * at once is bounded (app->exports_running). */
#ifndef CC_SRV_EXPORT_H
#define CC_SRV_EXPORT_H

struct mg_connection;
struct app;

/* Route /api/export.ts (routes.c): returns the status it sent. */
int srv_export_handler(struct mg_connection *conn, struct app *app);

#endif
