/* files — static files: the recordings under /rec (media types only) and the
 * UI from the www folder. Thread rules: any handler thread. */
#ifndef CC_SRV_FILES_H
#define CC_SRV_FILES_H

struct mg_connection;
struct app;

/* Routes /rec and / (routes.c): return the status they sent. */
int srv_rec_handler(struct mg_connection *conn, struct app *app);
int srv_www_handler(struct mg_connection *conn, struct app *app);

#endif
