/* auth — who may talk to camcatd: HTTP digest authentication with an
 * htdigest file, or, without one, the Host rule against DNS rebinding.
 * Thread rules: srv_auth_start/stop on the main thread around civetweb's
 * life; srv_auth_handler on any handler thread. */
#ifndef CC_SRV_AUTH_H
#define CC_SRV_AUTH_H

#include "config.h"

struct mg_connection;
struct app;

/* Checks auth_realm and, when set, the auth_file (readable, well-formed, a
 * user for the realm) at start-up: 0, or -EINVAL after logging why. */
int srv_auth_check_config(const struct cc_config *cfg);
/* With auth_file, creates app->digest (the nonce table) before the server
 * starts: 0 or -errno after logging why. srv_auth_stop frees it after
 * civetweb has stopped. Without auth_file both do nothing. */
int srv_auth_start(struct app *app);
void srv_auth_stop(struct app *app);
/* civetweb authorization handler (cbdata: the app) for "/": every request
 * passes it. With auth_file: 1 lets a request with valid digest credentials
 * through, 0 when it answered 401 with a challenge (or 503 when the file
 * cannot be read: it fails closed). Without: 0 after a 403 host_not_literal
 * when the Host header names a DNS name (DNS rebinding), else 1. */
int srv_auth_handler(struct mg_connection *conn, void *app);

#endif
