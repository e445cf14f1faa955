/* logapi — GET /api/log?lines=N, the tail of camcatd's in-memory log ring.
 * Thread rules: any handler thread (the ring locks itself). */
#ifndef CC_SRV_LOGAPI_H
#define CC_SRV_LOGAPI_H

struct mg_connection;
struct app;

/* Route /api/log (routes.c): returns the status it sent. */
int srv_log_handler(struct mg_connection *conn, struct app *app);

#endif
