/* live — GET /api/live.m3u8 and the live source hook.
 *
 * The playlist is a sliding window (livewin.h) over the newest folder while
 * it records. A viewer is a GET of it (HEAD is a probe, not a viewer). The
 * first viewer while idle makes live_start_cmd run; once no viewer has come
 * for live_idle_s (plus a slack of two target durations, at least 3 s, for
 * the player's poll interval) live_stop_cmd runs, and again at shutdown if
 * live was on. Commands run as `sh -c CMD` in the background from a small
 * thread of this module, stdin from /dev/null, stdout and stderr into our
 * log (stderr); they are reaped there, never waited on by a request.
 *
 * Thread rules: srv_live_handler may run on any civetweb thread; one mutex
 * guards the window and the viewer state. Create before the server starts
 * and free after it stopped. */
#ifndef CC_SRV_LIVE_H
#define CC_SRV_LIVE_H

#include <stdbool.h>

#include "catalog.h"
#include "config.h"

struct mg_connection;
struct app;
struct srv_live;

/* Starts the hook thread when a command is configured. cfg and cat must
 * outlive it. */
struct srv_live *srv_live_new(const struct cc_config *cfg, struct cc_catalog *cat);
/* Stops the thread; runs live_stop_cmd (waiting for it, bounded) if live
 * was started. NULL is fine. */
void srv_live_free(struct srv_live *l);

/* Live on or off as if a viewer came (on: live_start_cmd now, live_stop_cmd
 * after live_idle_s without viewers) or the idle time ran out (off:
 * live_stop_cmd now). 0, -EALREADY (already so), or -ENOTSUP when neither
 * live command is configured. Any thread; never waits for the command. */
int srv_live_command(struct srv_live *l, bool on);

/* /api/live.m3u8: the status sent. */
int srv_live_handler(struct mg_connection *conn, struct app *app);

#endif
