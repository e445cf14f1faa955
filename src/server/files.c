/* Files: the recordings under /rec (read-only, media types only) and the UI
 * from the www folder.
 *
 * civetweb's mg_send_mime_file2() is not used: in 1.15 it takes
 * Cache-Control from one server-wide option (we need immutable chunks and
 * no-store playlists side by side) and opens the file again by name after our
 * checks. Here a file is opened once, by its resolved path, with O_NOFOLLOW,
 * and served from that descriptor (single Range, ETag, 304, HEAD). */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <civetweb.h>

#include "app.h"
#include "fsutil.h"
#include "http.h"
#include "log.h"
#include "mem.h"
#include "urlpath.h"

#define IMMUTABLE "public, max-age=31536000, immutable"
#define COPY_BUF 32768

struct mime {
    const char *ext;
    const char *type;
    const char *cache; /* NULL: the folder's default */
};

/* The only things /rec serves: a camera's media. Anything else under ROOT
 * (events.txt, sidecars, stray files) is 404. */
static const struct mime rec_types[] = {
    {".m3u8", "application/vnd.apple.mpegurl", "no-store"},
    {".ts", "video/mp2t", IMMUTABLE},
    {".m4s", "video/mp4", IMMUTABLE},
    {".mp4", "video/mp4", IMMUTABLE},
    {".m4v", "video/mp4", IMMUTABLE},
    {".m4a", "audio/mp4", IMMUTABLE},
    {".aac", "audio/aac", IMMUTABLE},
    {".vtt", "text/vtt; charset=utf-8", IMMUTABLE},
    {NULL, NULL, NULL},
};

static const struct mime www_types[] = {
    {".html", "text/html; charset=utf-8", NULL},
    {".js", "text/javascript; charset=utf-8", NULL},
    {".mjs", "text/javascript; charset=utf-8", NULL},
    {".css", "text/css; charset=utf-8", NULL},
    {".json", "application/json; charset=utf-8", NULL},
    {".map", "application/json; charset=utf-8", NULL},
    {".svg", "image/svg+xml", NULL},
    {".png", "image/png", NULL},
    {".ico", "image/x-icon", NULL},
    {".webp", "image/webp", NULL},
    {".woff2", "font/woff2", NULL},
    {".txt", "text/plain; charset=utf-8", NULL},
    {".webmanifest", "application/manifest+json", NULL},
    {NULL, NULL, NULL},
};

static const struct mime *find_mime(const struct mime *table, const char *path)
{
    size_t n = strlen(path);
    for (const struct mime *m = table; m->ext; m++) {
        size_t e = strlen(m->ext);
        if (n > e && strcasecmp(path + n - e, m->ext) == 0)
            return m;
    }
    return NULL;
}


struct file_reply {
    const char *type;
    const char *cache;
    const char *encoding; /* "gzip" for a precompressed sibling */
    bool vary;            /* the answer depends on Accept-Encoding */
    bool ranges;          /* honour Range (not for a compressed body) */
};

static int copy_body(struct mg_connection *conn, int fd, uint64_t off, uint64_t len)
{
    char *buf = cc_xmalloc(COPY_BUF);
    int rc = 0;
    while (len) {
        size_t want = len < COPY_BUF ? (size_t)len : COPY_BUF;
        ssize_t n = pread(fd, buf, want, (off_t)off);
        if (n <= 0) {
            rc = -1; /* truncated under us: the length we promised is wrong */
            break;
        }
        if (mg_write(conn, buf, (size_t)n) != (int)n) {
            rc = -1;
            break;
        }
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    free(buf);
    if (rc < 0)
        mg_disable_connection_keep_alive(conn);
    return rc;
}

static int send_fd(struct mg_connection *conn, int fd, const struct stat *st,
                   const struct file_reply *fr)
{
    char etag[64];
    uint64_t size = (uint64_t)st->st_size;
    int64_t mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    snprintf(etag, sizeof(etag), "\"%" PRIx64 "-%" PRIx64 "%s\"", size, (uint64_t)mtime_ns,
             fr->encoding ? "-gz" : "");
    uint64_t start = 0, len = size;
    int status = srv_conditional(conn, etag, size, &start, &len);
    if (!fr->ranges && status != 304) { /* a compressed body is sent whole */
        status = 200;
        start = 0;
        len = size;
    }
    if (status == 416) {
        struct srv_resp resp;
        srv_resp_init(&resp, conn, 416);
        srv_resp_header(&resp, "Content-Range", "bytes */%" PRIu64, size);
        return srv_resp_send(&resp, NULL, 0);
    }
    struct srv_resp resp;
    srv_resp_init(&resp, conn, status);
    srv_resp_header(&resp, "ETag", "%s", etag);
    srv_resp_header(&resp, "Cache-Control", "%s", fr->cache);
    if (fr->vary)
        srv_resp_header(&resp, "Vary", "Accept-Encoding");
    if (status == 304) {
        srv_resp_send_head(&resp);
        return 304;
    }
    srv_resp_header(&resp, "Content-Type", "%s", fr->type);
    if (fr->encoding)
        srv_resp_header(&resp, "Content-Encoding", "%s", fr->encoding);
    if (fr->ranges)
        srv_resp_header(&resp, "Accept-Ranges", "bytes");
    if (status == 206)
        srv_resp_header(&resp, "Content-Range", "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, start,
                        start + len - 1, size);
    srv_resp_header(&resp, "Content-Length", "%" PRIu64, len);
    if (srv_resp_send_head(&resp) < 0 || srv_is_head(conn))
        return status;
    copy_body(conn, fd, start, len);
    return status;
}

int srv_rec_handler(struct mg_connection *conn, struct app *app)
{
    char path[CC_URLPATH_MAX];
    int st = srv_request_path(conn, path, sizeof(path));
    if (st)
        return st;
    if (strncmp(path, "/rec/", 5) != 0)
        return srv_send_error(conn, 404, "not_found", "no such file");
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    const struct mime *m = find_mime(rec_types, path);
    if (!m)
        return srv_send_error(conn, 404, "not_found", "only media files are served here");
    struct stat sb;
    int fd = srv_open_inside(cc_catalog_root(app->cat), path + 4, &sb);
    if (fd < 0)
        return srv_send_error(conn, 404, "not_found", "no such file");
    struct file_reply fr = {.type = m->type, .cache = m->cache, .ranges = true};
    st = send_fd(conn, fd, &sb, &fr);
    close(fd);
    return st;
}

int srv_www_handler(struct mg_connection *conn, struct app *app)
{
    char path[CC_URLPATH_MAX + 16];
    int st = srv_request_path(conn, path, CC_URLPATH_MAX);
    if (st)
        return st;
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    size_t n = strlen(path);
    if (path[n - 1] == '/')
        memcpy(path + n, "index.html", sizeof("index.html"));
    const struct mime *m = find_mime(www_types, path);
    struct file_reply fr = {
        .type = m ? m->type : "application/octet-stream",
        /* The UI changes with an upgrade: always revalidate (ETag makes that
         * a 304). */
        .cache = "no-cache",
        .vary = true,
        .ranges = true,
    };
    struct stat sb;
    int fd = -1;
    /* A precompressed sibling, unless a byte range of the original is asked
     * for (ranges count in the uncompressed bytes). */
    if (srv_accepts_gzip(conn) && !mg_get_header(conn, "Range")) {
        char gz[CC_URLPATH_MAX + 20];
        snprintf(gz, sizeof(gz), "%s.gz", path);
        fd = srv_open_inside(app->cfg->www, gz, &sb);
        if (fd >= 0) {
            fr.encoding = "gzip";
            fr.ranges = false;
        }
    }
    if (fd < 0)
        fd = srv_open_inside(app->cfg->www, path, &sb);
    if (fd < 0)
        return srv_send_error(conn, 404, "not_found", "no such file");
    st = send_fd(conn, fd, &sb, &fr);
    close(fd);
    return st;
}
