#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <civetweb.h>

#include "byterange.h"
#include "catalog.h"
#include "fsutil.h"
#include "httphdr.h"
#include "isotime.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "query.h"
#include "urlpath.h"

#define STREAM_DATA 16384 /* bytes per chunk on the wire */
#define CHUNK_HEAD 10     /* "ffffffff\r\n" */
#define CHUNK_TAIL 7      /* "\r\n" plus, on the last one, "0\r\n\r\n" */

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

/* Is token one of the comma-separated values of a header (case-insensitive)? */
static bool header_has_token(const char *h, const char *token)
{
    size_t tl = strlen(token);
    while (h && *h) {
        while (*h == ' ' || *h == '\t' || *h == ',')
            h++;
        const char *e = h;
        while (*e && *e != ',' && *e != ';')
            e++;
        const char *te = e;
        while (te > h && (te[-1] == ' ' || te[-1] == '\t'))
            te--;
        if ((size_t)(te - h) == tl && strncasecmp(h, token, tl) == 0)
            return true;
        h = strchr(e, ',');
    }
    return false;
}

bool srv_keep_alive(const struct mg_connection *conn)
{
    const char *h = mg_get_header(conn, "Connection");
    if (h)
        return header_has_token(h, "keep-alive");
    const struct mg_request_info *ri = mg_get_request_info(conn);
    return ri->http_version && strcmp(ri->http_version, "1.1") == 0;
}

bool srv_is_head(const struct mg_connection *conn)
{
    return strcmp(mg_get_request_info(conn)->request_method, "HEAD") == 0;
}

bool srv_method_ok(const struct mg_connection *conn)
{
    const char *m = mg_get_request_info(conn)->request_method;
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

bool srv_accepts_gzip(const struct mg_connection *conn)
{
    return cc_http_accepts_gzip(mg_get_header(conn, "Accept-Encoding"));
}

void srv_resp_init(struct srv_resp *r, struct mg_connection *conn, int status)
{
    r->conn = conn;
    r->status = status;
    r->keep_alive = srv_keep_alive(conn);
    cc_buf_init(&r->head);
    const struct mg_request_info *ri = mg_get_request_info(conn);
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cc_buf_printf(&r->head, "HTTP/%s %d %s\r\nDate: %s\r\n",
                  ri->http_version && strcmp(ri->http_version, "1.0") == 0 ? "1.0" : "1.1", status,
                  reason(status), date);
    cc_buf_puts(&r->head, "X-Content-Type-Options: nosniff\r\n");
}

void srv_resp_header(struct srv_resp *r, const char *name, const char *fmt, ...)
{
    va_list ap;
    cc_buf_printf(&r->head, "%s: ", name);
    va_start(ap, fmt);
    cc_buf_vprintf(&r->head, fmt, ap);
    va_end(ap);
    cc_buf_puts(&r->head, "\r\n");
}

static void end_head(struct srv_resp *r)
{
    if (!r->keep_alive)
        mg_disable_connection_keep_alive(r->conn);
    cc_buf_printf(&r->head, "Connection: %s\r\n\r\n", r->keep_alive ? "keep-alive" : "close");
}

int srv_resp_send(struct srv_resp *r, const void *body, size_t len)
{
    cc_buf_printf(&r->head, "Content-Length: %zu\r\n", len);
    end_head(r);
    if (!srv_is_head(r->conn) && len)
        cc_buf_append(&r->head, body, len);
    int status = r->status;
    mg_write(r->conn, r->head.data, r->head.len);
    cc_buf_free(&r->head);
    return status;
}

int srv_resp_send_head(struct srv_resp *r)
{
    end_head(r);
    int rc = mg_write(r->conn, r->head.data, r->head.len) == (int)r->head.len ? 0 : -1;
    cc_buf_free(&r->head);
    return rc;
}

int srv_send_json_text(struct mg_connection *conn, int status, const char *json, size_t len,
                       const char *cache_control)
{
    struct srv_resp r;
    srv_resp_init(&r, conn, status);
    srv_resp_header(&r, "Content-Type", "application/json; charset=utf-8");
    srv_resp_header(&r, "Cache-Control", "%s", cache_control);
    return srv_resp_send(&r, json, len);
}

int srv_send_json(struct mg_connection *conn, int status, const struct cc_buf *body,
                  const char *cache_control)
{
    return srv_send_json_text(conn, status, body->data, body->len, cache_control);
}

/* An error body, with one more header (hname: hvalue) when hname is set. */
static int send_error_with(struct mg_connection *conn, int status, const char *code,
                           const char *message, const char *hname, const char *hvalue, bool close)
{
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    cc_json_error(&j, code, message);
    cc_json_obj_close(&j);
    cc_buf_putc(&b, '\n');
    struct srv_resp r;
    srv_resp_init(&r, conn, status);
    if (close)
        r.keep_alive = false;
    srv_resp_header(&r, "Content-Type", "application/json; charset=utf-8");
    srv_resp_header(&r, "Cache-Control", "no-store");
    if (hname)
        srv_resp_header(&r, hname, "%s", hvalue);
    int rc = srv_resp_send(&r, b.data, b.len);
    cc_buf_free(&b);
    return rc;
}

int srv_send_error(struct mg_connection *conn, int status, const char *code, const char *message)
{
    return send_error_with(conn, status, code, message, NULL, NULL, false);
}

int srv_send_error_close(struct mg_connection *conn, int status, const char *code,
                         const char *message)
{
    return send_error_with(conn, status, code, message, NULL, NULL, true);
}

int srv_send_error_header(struct mg_connection *conn, int status, const char *code,
                          const char *message, const char *name, const char *value)
{
    return send_error_with(conn, status, code, message, name, value, false);
}

int srv_send_405(struct mg_connection *conn)
{
    return send_error_with(conn, 405, "method_not_allowed", "only GET and HEAD are served", "Allow",
                           "GET, HEAD", false);
}

int srv_send_405_allow(struct mg_connection *conn, const char *allow)
{
    char msg[96];
    snprintf(msg, sizeof(msg), "this path serves %s only", allow);
    return send_error_with(conn, 405, "method_not_allowed", msg, "Allow", allow, false);
}

void srv_stream_init(struct srv_stream *s, struct srv_resp *resp, bool gzip)
{
    memset(s, 0, sizeof(*s));
    s->resp = *resp;
    const struct mg_request_info *ri = mg_get_request_info(resp->conn);
    s->chunked = ri->http_version && strcmp(ri->http_version, "1.1") == 0;
    if (!s->chunked)
        s->resp.keep_alive = false; /* the body ends where the connection does */
    else
        srv_resp_header(&s->resp, "Transfer-Encoding", "chunked");
    srv_resp_header(&s->resp, "Vary", "Accept-Encoding");
    if (gzip) {
        /* windowBits 15 + 16: a gzip wrapper; level 5 is cheap on the camera
         * and playlist text compresses ~10x at any level. */
        if (deflateInit2(&s->z, 5, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
            s->gzip = true;
            srv_resp_header(&s->resp, "Content-Encoding", "gzip");
        }
    }
    s->buf = cc_xmalloc(CHUNK_HEAD + STREAM_DATA + CHUNK_TAIL);
}

bool srv_stream_started(const struct srv_stream *s)
{
    return s->started;
}

/* Sends what buf holds as one chunk (headers first, the first time). */
static int flush(struct srv_stream *s, bool last)
{
    if (s->failed)
        return -1;
    if (!s->started) {
        s->started = true;
        if (srv_resp_send_head(&s->resp) < 0) {
            s->failed = true;
            return -1;
        }
    }
    char *data = s->buf + CHUNK_HEAD;
    char *start = data;
    size_t n = s->len;
    if (s->chunked && n) {
        char hex[CHUNK_HEAD + 1];
        int hl = snprintf(hex, sizeof(hex), "%zx\r\n", n);
        start = data - hl;
        memcpy(start, hex, (size_t)hl);
        memcpy(data + n, "\r\n", 2);
        n += (size_t)hl + 2;
    }
    if (s->chunked && last) {
        memcpy(start + n, "0\r\n\r\n", 5);
        n += 5;
    }
    if (n && mg_write(s->resp.conn, start, n) != (int)n) {
        s->failed = true;
        return -1;
    }
    s->sent += s->len;
    s->len = 0;
    return 0;
}

static int put_plain(struct srv_stream *s, const char *p, size_t len)
{
    while (len) {
        size_t room = STREAM_DATA - s->len;
        size_t n = len < room ? len : room;
        memcpy(s->buf + CHUNK_HEAD + s->len, p, n);
        s->len += n;
        p += n;
        len -= n;
        if (s->len == STREAM_DATA && flush(s, false) < 0)
            return -1;
    }
    return 0;
}

/* Runs deflate over the pending input with the given flush mode until it has
 * consumed everything (and, for Z_FINISH, ended the stream). */
static int deflate_all(struct srv_stream *s, int mode)
{
    for (;;) {
        s->z.next_out = (Bytef *)(s->buf + CHUNK_HEAD + s->len);
        s->z.avail_out = (uInt)(STREAM_DATA - s->len);
        int zr = deflate(&s->z, mode);
        s->len = STREAM_DATA - s->z.avail_out;
        if (zr == Z_STREAM_ERROR) {
            s->failed = true;
            return -1;
        }
        if (s->len == STREAM_DATA && flush(s, false) < 0)
            return -1;
        if (mode == Z_FINISH ? zr == Z_STREAM_END : (s->z.avail_in == 0 && s->z.avail_out))
            return 0;
    }
}

int srv_stream_write(struct srv_stream *s, const void *data, size_t len)
{
    if (s->failed)
        return -1;
    if (!s->gzip)
        return put_plain(s, data, len);
    s->z.next_in = (Bytef *)(uintptr_t)data;
    s->z.avail_in = (uInt)len;
    return deflate_all(s, Z_NO_FLUSH);
}

static void stream_free(struct srv_stream *s)
{
    if (s->gzip)
        deflateEnd(&s->z);
    s->gzip = false;
    free(s->buf);
    s->buf = NULL;
    cc_buf_free(&s->resp.head);
}

int srv_stream_finish(struct srv_stream *s)
{
    int rc = 0;
    if (s->gzip) {
        s->z.next_in = NULL;
        s->z.avail_in = 0;
        rc = deflate_all(s, Z_FINISH);
    }
    if (rc == 0)
        rc = flush(s, true);
    if (rc < 0)
        mg_disable_connection_keep_alive(s->resp.conn);
    stream_free(s);
    return rc;
}

void srv_stream_abort(struct srv_stream *s)
{
    if (s->started)
        mg_disable_connection_keep_alive(s->resp.conn);
    stream_free(s);
}

int srv_conditional(struct mg_connection *conn, const char *etag, uint64_t size, uint64_t *start,
                    uint64_t *n)
{
    const char *inm = mg_get_header(conn, "If-None-Match");
    const char *ifr = mg_get_header(conn, "If-Range");
    *start = 0;
    *n = size;
    if (inm && cc_http_etag_listed(inm, etag, true))
        return 304;
    int r = (!ifr || cc_http_etag_listed(ifr, etag, false))
                ? cc_byterange_parse(mg_get_header(conn, "Range"), size, start, n)
                : 0;
    return r < 0 ? 416 : r > 0 ? 206 : 200;
}

int srv_resp_send_part(struct srv_resp *r, const char *etag, const void *body, uint64_t size,
                       uint64_t start, uint64_t n)
{
    srv_resp_header(r, "ETag", "%s", etag);
    srv_resp_header(r, "Accept-Ranges", "bytes");
    if (r->status == 304) {
        int status = r->status;
        srv_resp_send_head(r);
        return status;
    }
    if (r->status == 416) {
        srv_resp_header(r, "Content-Range", "bytes */%" PRIu64, size);
        return srv_resp_send(r, NULL, 0);
    }
    if (r->status == 206)
        srv_resp_header(r, "Content-Range", "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, start,
                        start + n - 1, size);
    return srv_resp_send(r, (const char *)body + start, (size_t)n);
}

/* Request helpers: what every handler checks before it answers. */

int srv_request_path(struct mg_connection *conn, char *out, size_t outsz)
{
    const char *raw = mg_get_request_info(conn)->local_uri_raw;
    int rc = raw ? cc_urlpath_normalize(raw, strlen(raw), out, outsz) : -EINVAL;
    if (rc >= 0)
        return 0;
    if (rc == -ENOENT)
        return srv_send_error(conn, 404, "not_found", "no such file");
    if (rc == -ENAMETOOLONG)
        return srv_send_error(conn, 414, "uri_too_long", "the path is too long");
    return srv_send_error(conn, 400, "bad_path",
                          "the path holds a forbidden sequence (dot segment, encoded slash, "
                          "backslash, control character or double encoding)");
}

/* The common case in two system calls: base, then rel beneath it with no
 * symlink and no climb out, which is a path realpath(3) would resolve
 * inside base too. An fd, -ENOENT (no such file, or not a regular one: the
 * slow path's answer too), or -EAGAIN when the slow path must decide (a
 * symlink to follow or refuse, a "..", an older kernel). */
static int open_fast(const char *base, const char *rel, struct stat *st)
{
    int dfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -EAGAIN;
    int fd = cc_open_beneath(dfd, rel, st);
    close(dfd);
    if (fd == -ENOENT || fd == -ENOTDIR || fd == -EINVAL)
        return -ENOENT;
    return fd < 0 ? -EAGAIN : fd;
}

int srv_open_inside(const char *base, const char *rel, struct stat *st)
{
    int fd = open_fast(base, rel, st);
    if (fd != -EAGAIN)
        return fd;
    char base_real[PATH_MAX], full[PATH_MAX], real[PATH_MAX];
    if (!realpath(base, base_real))
        return -ENOENT;
    size_t bl = strlen(base_real);
    if (bl == 1)
        bl = 0; /* base is "/": the prefix is the "/" every path starts with */
    if ((size_t)snprintf(full, sizeof(full), "%s%s", base_real, rel) >= sizeof(full))
        return -ENOENT;
    if (!realpath(full, real))
        return -ENOENT;
    if (strncmp(real, base_real, bl) != 0 || real[bl] != '/')
        return -ENOENT;
    /* No symlink: the path was just resolved, so one here means it was
     * swapped in since; refuse rather than follow it. A FIFO or device is
     * refused without blocking in open(2). */
    fd = cc_open_regular(AT_FDCWD, real, 0, st);
    return fd == -EINVAL ? -ENOENT : fd;
}

static int bad_query(struct mg_connection *conn, const char *key, int rc)
{
    char msg[96];
    snprintf(msg, sizeof(msg), "query parameter %s is malformed%s", key,
             rc == -ENAMETOOLONG ? " (too long)" : "");
    return srv_send_error(conn, 400, "bad_query", msg);
}

int srv_query_value(struct mg_connection *conn, const char *key, char *v, size_t size, int *n)
{
    const char *qs = mg_get_request_info(conn)->query_string;
    *n = cc_urlpath_query_get(qs, key, v, size);
    if (*n == -ENOENT) {
        *n = -1;
        return 0;
    }
    return *n < 0 ? bad_query(conn, key, *n) : 0;
}

int srv_query_instant(struct mg_connection *conn, const char *key, int64_t *ms, bool *local)
{
    char v[64];
    int n;
    int rc = srv_query_value(conn, key, v, sizeof(v), &n);
    if (rc || n < 0)
        return rc;
    if (cc_query_instant(v, (size_t)n, ms, local) < 0) {
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "%s must be ISO-8601 (e.g. 2025-01-24T08:00:00+08:00) or "
                 "epoch milliseconds",
                 key);
        return srv_send_error(conn, 400, "bad_time", msg);
    }
    return 0;
}

int srv_send_root_unavailable(struct mg_connection *conn, int err)
{
    char msg[160];
    snprintf(msg, sizeof(msg), "the recordings folder cannot be read: %s", strerror(-err));
    return srv_send_error(conn, 503, "root_unavailable", msg);
}

int srv_send_day_error(struct mg_connection *conn, struct cc_catalog *cat, int rc, const char *day)
{
    if (rc == -ENOENT || rc == -ENOTDIR)
        return srv_send_error(conn, 404, "no_such_day", "no recordings for that day");
    int root_rc = cc_catalog_root_status(cat);
    if (root_rc < 0)
        return srv_send_root_unavailable(conn, root_rc);
    cc_err("day %.10s: %s", day, strerror(-rc));
    return srv_send_error(conn, 500, "index_failed", "the day could not be indexed");
}

/* "http://HOST[:PORT]" names this server when HOST[:PORT] is the Host the
 * browser sent: a page served from here posts with its own origin. An
 * opaque origin ("null": sandboxed frames, file: pages) never matches. */
static bool origin_is_host(const char *origin, const char *host)
{
    static const char *const schemes[] = {"http://", "https://"};
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        size_t n = strlen(schemes[i]);
        if (!strncasecmp(origin, schemes[i], n))
            return strcasecmp(origin + n, host) == 0;
    }
    return false;
}

int srv_check_write(struct mg_connection *conn)
{
    static const char msg[] = "requests that change the camera must come from its own page";
    /* Browsers send Sec-Fetch-Site and Origin on every cross-site POST or
     * DELETE; a request with neither comes from a tool (curl), not from
     * another site's page, and authentication (when on) covers it. */
    const char *site = mg_get_header(conn, "Sec-Fetch-Site");
    if (site && strcasecmp(site, "same-origin") != 0 && strcasecmp(site, "none") != 0)
        return srv_send_error(conn, 403, "cross_origin", msg);
    const char *origin = mg_get_header(conn, "Origin");
    const char *host = mg_get_header(conn, "Host");
    if (origin && !(host && origin_is_host(origin, host)))
        return srv_send_error(conn, 403, "cross_origin", msg);
    return 0;
}
