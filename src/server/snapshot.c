#include "snapshot.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <civetweb.h>

#include "app.h"
#include "fsutil.h"
#include "http.h"
#include "log.h"
#include "mem.h"
#include "proc.h"

#define SNAPSHOT_TIMEOUT_S 10
#define SNAPSHOT_MAX (4u << 20) /* a 4K JPEG is under 2 MiB */

struct srv_snapshot {
    const struct cc_config *cfg;
    pthread_mutex_t run_lock; /* one run at a time; held while it runs */
    pthread_mutex_t lock;     /* guards the cache */
    struct cc_buf jpeg;
    int64_t taken_ms; /* monotonic; 0: none */
    int last_rc;      /* of the newest run, for callers that waited on it */
};

struct srv_snapshot *srv_snapshot_new(const struct cc_config *cfg)
{
    struct srv_snapshot *s = cc_xcalloc(1, sizeof(*s));
    s->cfg = cfg;
    pthread_mutex_init(&s->run_lock, NULL);
    pthread_mutex_init(&s->lock, NULL);
    cc_buf_init(&s->jpeg);
    return s;
}

void srv_snapshot_free(struct srv_snapshot *s)
{
    if (!s)
        return;
    cc_buf_free(&s->jpeg);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->run_lock);
    free(s);
}

/* The newest run's result into out, when that run ended after since_ms
 * (monotonic) or, with since_ms 0, when it succeeded within
 * snapshot_cache_s: 0 or its error. -EAGAIN: a new run is needed. */
static int from_cache(struct srv_snapshot *s, int64_t since_ms, struct cc_buf *out)
{
    int rc = -EAGAIN;
    pthread_mutex_lock(&s->lock);
    int64_t age = cc_monotonic_ms() - s->taken_ms;
    bool usable = since_ms ? s->taken_ms > since_ms
                           : s->taken_ms && s->last_rc == 0 &&
                                 age <= (int64_t)s->cfg->snapshot_cache_s * 1000;
    if (usable) {
        rc = s->last_rc;
        if (rc == 0)
            cc_buf_append(out, s->jpeg.data, s->jpeg.len);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static int run_hook(struct srv_snapshot *s, struct cc_buf *out)
{
    struct cc_buf b;
    cc_buf_init(&b);
    int64_t t0 = cc_monotonic_ms();
    int rc = cc_proc_capture(s->cfg->snapshot_cmd, SNAPSHOT_MAX, SNAPSHOT_TIMEOUT_S * 1000, &b,
                             NULL);
    if (rc == 0 &&
        (b.len < 4 || (unsigned char)b.data[0] != 0xff || (unsigned char)b.data[1] != 0xd8))
        rc = -EIO;
    if (rc < 0)
        cc_warn("snapshot: snapshot_cmd failed: %s%s", strerror(-rc),
                rc == -EIO ? " (no JPEG on its stdout)" : "");
    else
        cc_debug("snapshot: %zu bytes in %lld ms", b.len, (long long)(cc_monotonic_ms() - t0));
    pthread_mutex_lock(&s->lock);
    s->taken_ms = cc_monotonic_ms();
    s->last_rc = rc;
    if (rc == 0) {
        cc_buf_reset(&s->jpeg);
        cc_buf_append(&s->jpeg, b.data, b.len);
        cc_buf_append(out, b.data, b.len);
    }
    pthread_mutex_unlock(&s->lock);
    cc_buf_free(&b);
    return rc;
}

int srv_snapshot_get(struct srv_snapshot *s, struct cc_buf *out)
{
    if (!s->cfg->snapshot_cmd)
        return -ENOENT;
    if (from_cache(s, 0, out) == 0)
        return 0;
    int64_t asked = cc_monotonic_ms() - 1;
    pthread_mutex_lock(&s->run_lock);
    /* A run that finished while we waited for the lock answers us too. */
    int rc = from_cache(s, asked, out);
    if (rc == -EAGAIN)
        rc = run_hook(s, out);
    pthread_mutex_unlock(&s->run_lock);
    return rc;
}

int srv_snapshot_handler(struct mg_connection *conn, struct app *app)
{
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    struct cc_buf b;
    cc_buf_init(&b);
    int rc = srv_snapshot_get(app->snapshot, &b);
    int status;
    if (rc == -ENOENT) {
        status = srv_send_error(conn, 404, "no_snapshot_cmd",
                                "no snapshot hook on this camera (config snapshot_cmd)");
    } else if (rc < 0) {
        status = srv_send_error(conn, 502, "snapshot_failed",
                                rc == -ETIMEDOUT ? "the snapshot hook took too long"
                                                 : "the snapshot hook printed no JPEG");
    } else {
        struct srv_resp r;
        srv_resp_init(&r, conn, 200);
        srv_resp_header(&r, "Content-Type", "image/jpeg");
        srv_resp_header(&r, "Cache-Control", "no-store");
        status = srv_resp_send(&r, b.data, b.len);
    }
    cc_buf_free(&b);
    return status;
}
