/* GET /api/log?lines=N: the newest lines of camcatd's own log (the ring in
 * log.c), as text. Named logapi so it never shadows the library's log.h. */
#include "logapi.h"

#include <stdlib.h>

#include <civetweb.h>

#include "app.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "query.h"

#define LOG_LINES_DEFAULT 100
#define LOG_LINES_MAX 10000

int srv_log_handler(struct mg_connection *conn, struct app *app)
{
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    char v[16];
    int n;
    long lines = LOG_LINES_DEFAULT;
    int st = srv_query_value(conn, "lines", v, sizeof(v), &n);
    if (st)
        return st;
    if (n >= 0 && cc_query_int(v, false, 1, LOG_LINES_MAX, &lines) < 0)
        return srv_send_error(conn, 400, "bad_lines", "lines must be from 1 to 10000");
    if (app->cfg->log_ring_kb == 0)
        return srv_send_error(conn, 404, "no_log_ring", "the log is not kept (log_ring_kb = 0)");
    struct cc_buf b;
    cc_buf_init(&b);
    cc_log_ring_tail((size_t)lines, &b);
    struct srv_resp r;
    srv_resp_init(&r, conn, 200);
    srv_resp_header(&r, "Content-Type", "text/plain; charset=utf-8");
    srv_resp_header(&r, "Cache-Control", "no-store");
    int status = srv_resp_send(&r, b.data ? b.data : "", b.len);
    cc_buf_free(&b);
    return status;
}
