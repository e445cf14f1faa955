/* storage — retention in the server: the sweeps (a sweep at start and every
 * sweep_interval_s, scheduled by sweeper.h), GET /api/storage, and
 * DELETE /api/days/DATE. Sweeps and deletions never run at the same time
 * (the sweeper's one lock).
 * Thread rules: start/stop on the main thread; the rest on any thread. */
#ifndef CC_SRV_STORAGE_H
#define CC_SRV_STORAGE_H

#include "day.h"

struct mg_connection;
struct app;
struct cc_ret_result;

/* Starts the sweeper (app->sweep); srv_sweep_stop wakes, joins and frees it. */
void srv_sweep_start(struct app *app);
void srv_sweep_stop(struct app *app);
/* A sweep now, on the caller's thread, under the same lock (MQTT sweep):
 * 0 with *res, -ENOENT when no retention policy is set, or -errno. */
int srv_sweep_now(struct app *app, struct cc_ret_result *res);

/* Route /api/storage (routes.c): returns the status it sent. */
int srv_storage_handler(struct mg_connection *conn, struct app *app);
/* DELETE /api/days/DATE, called by days.c for that method: returns the
 * status it sent. */
int srv_day_delete(struct mg_connection *conn, struct app *app, const struct cc_date *date);
/* 200 {"removed":{"date","id" (a folder's, absent for a whole day),"bytes",
 * "bytes_freed"}}, the answer of both DELETEs. Returns the status sent. */
int srv_send_removed(struct mg_connection *conn, const char *date, const char *id, uint64_t bytes,
                     uint64_t freed);
/* The answer of a DELETE that could not remove everything: 503
 * root_unavailable when the card went away meanwhile, else 500 io_error
 * saying "WHAT could not be removed completely". Returns the status sent. */
int srv_send_remove_failed(struct mg_connection *conn, struct app *app, const char *what);
/* The lock sweeps and DELETEs hold while they decide and delete: another
 * deleter (DELETE of one recording, recording.c) takes it the same way. */
void srv_sweep_hold(struct app *app);
void srv_sweep_release(struct app *app);

#endif
