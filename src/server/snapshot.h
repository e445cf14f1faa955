/* snapshot — GET /api/snapshot.jpg and the snapshot hook.
 *
 * snapshot_cmd (`sh -c`, see proc.h) prints one JPEG on stdout: on a camera
 * the vendor's grabber, in the demo and tests ffmpeg taking a frame of the
 * newest chunk. It runs at most SNAPSHOT_TIMEOUT_S, one at a time; the JPEG
 * is reused for snapshot_cache_s. Callers that arrive while it runs wait for
 * that run's result instead of starting another.
 *
 * Thread rules: any thread. Create before the server starts, free after it
 * stopped (and after MQTT, which also asks for snapshots). */
#ifndef CC_SRV_SNAPSHOT_H
#define CC_SRV_SNAPSHOT_H

#include "buf.h"
#include "config.h"

struct mg_connection;
struct app;
struct srv_snapshot;

struct srv_snapshot *srv_snapshot_new(const struct cc_config *cfg);
void srv_snapshot_free(struct srv_snapshot *s);

/* A fresh or cached JPEG appended to out: 0, -ENOENT (no snapshot_cmd),
 * -ETIMEDOUT, -EFBIG or -EIO (the hook failed or printed no JPEG). */
int srv_snapshot_get(struct srv_snapshot *s, struct cc_buf *out);

/* GET /api/snapshot.jpg: the status sent. */
int srv_snapshot_handler(struct mg_connection *conn, struct app *app);

#endif
