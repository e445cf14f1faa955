/* clipsend — one planned clip sent as a file download (see clipsend.c).
 * Thread rules: any civetweb worker thread; the clip is only read. */
#ifndef CC_SRV_CLIPSEND_H
#define CC_SRV_CLIPSEND_H

#include "clip.h"

struct app;
struct mg_connection;

/* GET/HEAD: 200 with the parts of clip concatenated, named "<stem>.ts" (or
 * ".mp4" for fMP4), or 404 no_recordings when none is on disk any more.
 * Returns the status sent. */
int srv_clip_send(struct mg_connection *conn, struct app *app, const struct cc_clip *clip,
                  const char *stem);

#endif
