/* health — GET /api/health. Thread rules: any handler thread. */
#ifndef CC_SRV_HEALTH_H
#define CC_SRV_HEALTH_H

struct mg_connection;
struct app;

/* Route /api/health (routes.c): returns the status it sent. */
int srv_health_handler(struct mg_connection *conn, struct app *app);

#endif
