/* days — the day listing and one day's views under /api/days.
 * Thread rules: any handler thread; the catalog does its own locking. */
#ifndef CC_SRV_DAYS_H
#define CC_SRV_DAYS_H

struct mg_connection;
struct app;

/* Route /api/days: GET the list of days (from, to). */
int srv_days_handler(struct mg_connection *conn, struct app *app);
/* Route /api/days/...: DATE (GET; DELETE goes to storage.h), DATE/motion,
 * DATE/playlist.m3u8. Returns the status it sent. */
int srv_day_handler(struct mg_connection *conn, struct app *app);

#endif
