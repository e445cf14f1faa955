/* ingestd — POST/PUT /api/ingest: a device pushes an MPEG-TS stream
 * (chunked or sized body) and camcatd records it into ROOT as a recorder
 * would (the library's ingest.h does the work; this file moves bytes).
 *
 * Who may push: with auth_file, every request passes srv_auth_handler, which
 * also accepts a valid ingest token on this path; without auth_file, the
 * handler asks for the token when ingest_token is set. The token is sent as
 * "Authorization: Bearer TOKEN" or as ?token=TOKEN (for senders that can only
 * be given a URL) and compared in constant time. On a non-loopback listen,
 * ingest needs one of the two (srv_ingestd_check_config).
 *
 * Thread rules: each stream runs in the civetweb worker that took it, at most
 * ingest_max at once (app->ingests_running). */
#ifndef CC_SRV_INGESTD_H
#define CC_SRV_INGESTD_H

#include <stdbool.h>

#include "config.h"

struct mg_connection;
struct app;

/* Refuses a configuration that would let anyone on the network write
 * recordings: 0, or -EACCES after logging why. */
int srv_ingestd_check_config(const struct cc_config *cfg);
/* Is this a request to /api/ingest carrying the configured token? */
bool srv_ingestd_token_ok(struct mg_connection *conn, const struct cc_config *cfg);
int srv_ingestd_handler(struct mg_connection *conn, struct app *app);

#endif
