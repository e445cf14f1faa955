/* http — how camcatd writes responses on a civetweb connection.
 *
 * Responses are written raw (status line, headers, body) instead of through
 * civetweb's mg_response_header_* calls, which send every header line with its
 * own write: a small JSON answer here costs one write(2). The Connection
 * header follows civetweb's own keep-alive rule (see srv_keep_alive), and
 * where we decide to close, civetweb is told so the two never disagree.
 *
 * Error bodies are JSON everywhere: {"error":{"code":"…","message":"…"}}. */
#ifndef CC_SRV_HTTP_H
#define CC_SRV_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

#include "buf.h"

struct mg_connection;

/* Headers of one response under construction. */
struct srv_resp {
    struct mg_connection *conn;
    int status;
    struct cc_buf head;
    bool keep_alive;
};

void srv_resp_init(struct srv_resp *r, struct mg_connection *conn, int status);
void srv_resp_header(struct srv_resp *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends the headers with Content-Length len, then body (unless HEAD), in one
 * write. Frees r. Returns r->status for civetweb's log. */
int srv_resp_send(struct srv_resp *r, const void *body, size_t len);
/* Sends the headers only (the caller streams the body). 0 or -1. Frees r. */
int srv_resp_send_head(struct srv_resp *r);

int srv_send_json(struct mg_connection *conn, int status, const struct cc_buf *body,
                  const char *cache_control);
int srv_send_json_text(struct mg_connection *conn, int status, const char *json, size_t len,
                       const char *cache_control);
int srv_send_error(struct mg_connection *conn, int status, const char *code, const char *message);
/* The same, then the connection is closed. */
int srv_send_error_close(struct mg_connection *conn, int status, const char *code,
                         const char *message);
/* The same with one more header (e.g. WWW-Authenticate on a 401). */
int srv_send_error_header(struct mg_connection *conn, int status, const char *code,
                          const char *message, const char *name, const char *value);
/* 405 with Allow: GET, HEAD. */
int srv_send_405(struct mg_connection *conn);
/* 405 naming the methods a path does take (e.g. "GET, HEAD, DELETE"). */
int srv_send_405_allow(struct mg_connection *conn, const char *allow);

/* How to answer a GET of a body of size bytes whose validator is etag: 304
 * (If-None-Match names it), 416, 206 with [*start, *start + *n) (a single
 * byte range, unless If-Range names another version), or 200 (everything). */
int srv_conditional(struct mg_connection *conn, const char *etag, uint64_t size, uint64_t *start,
                    uint64_t *n);
/* Sends an in-memory body as srv_conditional decided (r was initialised with
 * its status): ETag, Accept-Ranges, Content-Range, the part. Frees r. */
int srv_resp_send_part(struct srv_resp *r, const char *etag, const void *body, uint64_t size,
                       uint64_t start, uint64_t n);

bool srv_is_head(const struct mg_connection *conn);
bool srv_method_ok(const struct mg_connection *conn); /* GET or HEAD */
bool srv_accepts_gzip(const struct mg_connection *conn);
/* civetweb's rule: the client's Connection header, else HTTP/1.1 keeps alive. */
bool srv_keep_alive(const struct mg_connection *conn);

/* A streamed body: chunked transfer encoding (HTTP/1.1) or raw until close
 * (HTTP/1.0), optionally gzip-compressed on the fly. Nothing is sent until
 * the first buffer fills, so an error early on can still become a proper
 * error response (srv_stream_started() says whether that is still possible). */
struct srv_stream {
    struct srv_resp resp; /* headers, sent with the first bytes */
    bool chunked;
    bool gzip;
    bool started;
    bool failed; /* the client went away or zlib failed */
    z_stream z;
    char *buf;  /* room for a chunk header, data, and the trailer */
    size_t len; /* data bytes in buf */
    uint64_t sent;
};

/* Takes over resp (headers so far); adds Transfer-Encoding / Content-Encoding. */
void srv_stream_init(struct srv_stream *s, struct srv_resp *resp, bool gzip);
/* Appends body bytes: 0 or -1 once the stream has failed. */
int srv_stream_write(struct srv_stream *s, const void *data, size_t len);
/* Finishes the body (and the chunked framing). 0 or -1. */
int srv_stream_finish(struct srv_stream *s);
bool srv_stream_started(const struct srv_stream *s);
/* Drops the stream without finishing it: if anything was sent, the
 * connection is closed so the client sees a truncated body, never a short
 * one that looks complete. */
void srv_stream_abort(struct srv_stream *s);

/* Request helpers, shared by the handlers so no handler calls another. */

/* Decodes and checks the request's raw path (see urlpath.h) into out, or
 * sends the error response and returns its status (> 0). 0 on success. */
int srv_request_path(struct mg_connection *conn, char *out, size_t outsz);

/* One query value into v (decoded, NUL-terminated): 0 with *n its length, or
 * *n = -1 when the key is absent; or the status of the 400 bad_query sent for
 * a malformed value. */
int srv_query_value(struct mg_connection *conn, const char *key, char *v, size_t size, int *n);

/* Query parameter key as an instant (epoch ms or ISO-8601): 0 with *ms
 * untouched when absent, 0 with *ms set (and *local true when the text had no
 * zone: its fields read as UTC, still to be shifted by the camera's offset),
 * or the status of the 400 it sent. */
int srv_query_instant(struct mg_connection *conn, const char *key, int64_t *ms, bool *local);

/* 503 root_unavailable naming why ROOT cannot be read (err: -errno). */
int srv_send_root_unavailable(struct mg_connection *conn, int err);

struct cc_catalog;
/* The answer to a failed cc_catalog_get_day (rc < 0) for day (its first 10
 * characters are logged): 404 no_such_day, 503 when ROOT is unavailable, else
 * 500 index_failed. Returns the status sent. */
int srv_send_day_error(struct mg_connection *conn, struct cc_catalog *cat, int rc, const char *day);

/* State-changing requests (POST, DELETE) call this first: 0 when the request
 * may change the camera, else the status of the 403 it sent: a foreign or
 * opaque Origin, or Sec-Fetch-Site other than same-origin/none.
 * Authentication and the Host rule run before any handler (auth.h). */
int srv_check_write(struct mg_connection *conn);

/* Opens base + rel (rel from cc_urlpath_normalize, or "/" + a path under
 * base) if it resolves, through any symlinks, to a regular file inside base,
 * with O_NOFOLLOW. Returns an fd (st filled) or -errno (-ENOENT for
 * everything a client may not see). */
struct stat;
int srv_open_inside(const char *base, const char *rel, struct stat *st);

#endif
