/* thumb — pictures of the recordings without decoding them on the camera:
 *
 *   GET/HEAD /api/thumb.mp4?t=T    the keyframe of the chunk holding T as a
 *                                  one-frame MP4 (X-Camcat-Time: its real
 *                                  wall-clock time; ETag, immutable)
 *   GET/HEAD /api/preview.mp4?from=T&to=T&frames=N
 *                                  a keyframe-only time-lapse: the first
 *                                  keyframes of the chunks holding N instants
 *                                  evenly spread over the range, each shown
 *                                  for CC_PREVIEW_FRAME_MS, streamed as a
 *                                  fragmented MP4
 *
 * Both remux (probe.h, mp4.h, preview.h): the browser decodes. A chunk is read
 * only as far as its first keyframe. Files are opened inside ROOT only,
 * without following a final symlink, and only if regular.
 *
 * Thread rules: any handler thread. A time-lapse holds a worker for as long
 * as it streams, so it counts in app->exports_running with the clip
 * downloads (at most half the workers). */
#ifndef CC_SRV_THUMB_H
#define CC_SRV_THUMB_H

struct mg_connection;
struct app;

int srv_thumb_handler(struct mg_connection *conn, struct app *app);   /* /api/thumb.mp4 */
int srv_preview_handler(struct mg_connection *conn, struct app *app); /* /api/preview.mp4 */

#endif
