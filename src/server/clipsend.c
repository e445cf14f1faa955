/* clipsend — sends a planned clip (clip.h) as one downloadable file: the
 * export of a wall-clock range (export.c) and the download of one recording
 * folder (recording.c) share it.
 *
 * Content-Length is known before the first byte: every part is opened and
 * stat'ed first, and opened again (inside ROOT, O_NOFOLLOW) to be sent through
 * one 64 KiB buffer, so a file costs the same little memory whatever its
 * length. A part that vanished or shrank between the two looks means the
 * promised length cannot be kept: the connection is closed and the client
 * sees a truncated download, never a short file that looks complete.
 *
 * Thread rules: called on civetweb worker threads; reads app->stopping only. */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <civetweb.h>

#include "app.h"
#include "clipsend.h"
#include "http.h"
#include "log.h"
#include "mem.h"

#define COPY_BUF 65536

/* Where one part's bytes are: [off, off + len) of a file of size bytes. */
struct part_io {
    uint64_t off;
    uint64_t len;
    uint64_t size;
    bool skip; /* gone or too short when measured */
};

static int open_part(const char *root, const struct cc_clip *clip, size_t i, struct stat *st)
{
    char rel[8192];
    const char *name = cc_clip_name(clip, &clip->parts[i]);
    if ((size_t)snprintf(rel, sizeof(rel), "/%s", name) >= sizeof(rel))
        return -ENAMETOOLONG;
    return srv_open_inside(root, rel, st);
}

/* Stats every part: the body's length, and how many chunks are still there. */
static uint32_t measure(const char *root, const struct cc_clip *clip, struct part_io *io,
                        uint64_t *total)
{
    uint32_t chunks = 0;
    *total = 0;
    for (size_t i = 0; i < clip->nparts; i++) {
        const struct cc_clip_part *p = &clip->parts[i];
        struct stat st;
        int fd = open_part(root, clip, i, &st);
        io[i].skip = true;
        if (fd < 0) {
            cc_debug("download: %s: %s", cc_clip_name(clip, p), strerror(-fd));
            continue;
        }
        close(fd);
        uint64_t size = (uint64_t)st.st_size;
        if (p->has_range && (p->off > size || p->len > size - p->off)) {
            cc_warn("download: %s: byte range %" PRIu64 "@%" PRIu64 " beyond its %" PRIu64 " bytes",
                    cc_clip_name(clip, p), p->len, p->off, size);
            continue;
        }
        io[i] = (struct part_io){.off = p->has_range ? p->off : 0,
                                 .len = p->has_range ? p->len : size,
                                 .size = size};
        *total += io[i].len;
        chunks += p->kind == CC_CLIP_CHUNK;
    }
    return chunks;
}

/* Sends one part as measured: 0, or -1 when it changed since (or the client
 * left), after which the promised length cannot be kept. */
static int send_part(struct mg_connection *conn, const char *root, const struct cc_clip *clip,
                     size_t i, const struct part_io *io, char *buf)
{
    struct stat st;
    int fd = open_part(root, clip, i, &st);
    if (fd < 0 || (uint64_t)st.st_size < io->off + io->len ||
        (!clip->parts[i].has_range && (uint64_t)st.st_size != io->size)) {
        cc_warn("download: %s changed while it was being sent",
                cc_clip_name(clip, &clip->parts[i]));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = 0;
    for (uint64_t off = io->off, left = io->len; left && rc == 0;) {
        size_t want = left < COPY_BUF ? (size_t)left : COPY_BUF;
        ssize_t n = pread(fd, buf, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || mg_write(conn, buf, (size_t)n) != (int)n)
            rc = -1;
        else {
            off += (uint64_t)n;
            left -= (uint64_t)n;
        }
    }
    close(fd);
    return rc;
}

static int send_body(struct mg_connection *conn, struct app *app, const struct cc_clip *clip,
                     const struct part_io *io)
{
    const char *root = cc_catalog_root(app->cat);
    char *buf = cc_xmalloc(COPY_BUF);
    int rc = 0;
    for (size_t i = 0; i < clip->nparts && rc == 0; i++) {
        /* A shutdown waits for requests in flight: do not make it wait
         * for a long download. */
        if (atomic_load(&app->stopping))
            rc = -1;
        else if (!io[i].skip)
            rc = send_part(conn, root, clip, i, &io[i], buf);
    }
    free(buf);
    if (rc < 0)
        mg_disable_connection_keep_alive(conn); /* truncated: close, never look complete */
    return rc;
}

int srv_clip_send(struct mg_connection *conn, struct app *app, const struct cc_clip *clip,
                  const char *stem)
{
    struct part_io *io = cc_xcalloc(clip->nparts, sizeof(*io));
    uint64_t total;
    uint32_t chunks = measure(cc_catalog_root(app->cat), clip, io, &total);
    if (!chunks) {
        free(io);
        return srv_send_error(conn, 404, "no_recordings",
                              "the chunks of that range are no longer on disk");
    }
    bool mp4 = clip->has_fmp4;
    struct srv_resp r;
    srv_resp_init(&r, conn, 200);
    srv_resp_header(&r, "Content-Type", "%s", mp4 ? "video/mp4" : "video/mp2t");
    srv_resp_header(&r, "Content-Disposition", "attachment; filename=\"%s.%s\"", stem,
                    mp4 ? "mp4" : "ts");
    srv_resp_header(&r, "Cache-Control", "no-store");
    srv_resp_header(&r, "Content-Length", "%" PRIu64, total);
    int status = 200;
    if (srv_resp_send_head(&r) == 0 && !srv_is_head(conn)) {
        int rc = send_body(conn, app, clip, io);
        cc_info("download %s: %u chunks, %" PRIu64 " bytes%s (%u missing on disk)", stem, chunks,
                total, rc < 0 ? ", cut short" : "", clip->skipped_missing);
    }
    free(io);
    return status;
}
