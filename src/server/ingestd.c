/* ingestd — see ingestd.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "app.h"
#include "buf.h"
#include "fsutil.h"
#include "http.h"
#include "ingest.h"
#include "ingestd.h"
#include "json.h"
#include "log.h"
#include "retention.h"
#include "storage.h"
#include "urlpath.h"

/* Small reads: civetweb's mg_read waits until the buffer is full, and a chunk
 * is only cut once the bytes after its end have arrived. 8 KiB is 16 ms of a
 * 4 Mb/s stream, 200 ms of a 300 kb/s one. */
#define READ_BYTES (8 * 1024)
#define TOKEN_MAX 256

int srv_ingestd_check_config(const struct cc_config *cfg)
{
    if (cfg->ingest_max == 0 || cc_config_listen_loopback(cfg->listen))
        return 0;
    if (cfg->auth_file || cfg->ingest_token)
        return 0;
    cc_err("listen %s is reachable from other hosts, and ingest (POST /api/ingest) would let "
           "anyone write recordings: set auth_file or ingest_token, or ingest_max = 0 to turn "
           "ingest off (insecure_no_auth does not cover ingest)",
           cfg->listen);
    return -EACCES;
}

/* Equal strings, in a time that depends only on the length of want. */
static bool same_secret(const char *got, size_t glen, const char *want)
{
    size_t wlen = strlen(want);
    unsigned diff = glen != wlen;
    for (size_t i = 0; i < wlen; i++)
        diff |= (unsigned char)want[i] ^ (unsigned char)(i < glen ? got[i] : 0);
    return diff == 0;
}

static bool is_ingest_path(struct mg_connection *conn)
{
    const char *raw = mg_get_request_info(conn)->local_uri_raw;
    return raw && !strcmp(raw, "/api/ingest");
}

bool srv_ingestd_token_ok(struct mg_connection *conn, const struct cc_config *cfg)
{
    if (!cfg->ingest_token || !is_ingest_path(conn))
        return false;
    const char *h = mg_get_header(conn, "Authorization");
    if (h && !strncasecmp(h, "Bearer ", 7))
        return same_secret(h + 7, strlen(h + 7), cfg->ingest_token);
    char tok[TOKEN_MAX];
    int n = cc_urlpath_query_get(mg_get_request_info(conn)->query_string, "token", tok,
                                 sizeof(tok));
    return n >= 0 && same_secret(tok, (size_t)n, cfg->ingest_token);
}

/* What a refused stream answers: status, code. */
static int refusal(int rc, const char **code)
{
    switch (rc) {
    case -EPROTO: *code = "not_mpegts"; return 415;
    case -ENOMEDIUM: *code = "no_video"; return 422;
    case -EFBIG: *code = "no_keyframe"; return 422;
    case -ENODATA: *code = "no_keyframe"; return 422;
    case -ERANGE: *code = "bad_timestamps"; return 422;
    case -ENOSPC:
    case -EDQUOT: *code = "storage_full"; return 507;
    default: *code = "io_error"; return 500;
    }
}

static int answer_done(struct mg_connection *conn, struct cc_ingest *in)
{
    struct cc_recwriter_stats st;
    cc_ingest_get_stats(in, NULL, &st);
    struct cc_buf b;
    cc_buf_init(&b);
    struct cc_json j;
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    cc_json_key(&j, "folder");
    cc_json_str(&j, cc_ingest_folder(in));
    char pl[64];
    snprintf(pl, sizeof(pl), "/rec/%s/index.m3u8", cc_ingest_folder(in));
    cc_json_key(&j, "playlist");
    cc_json_str(&j, pl);
    cc_json_key(&j, "chunks");
    cc_json_int(&j, st.chunks);
    cc_json_key(&j, "duration_ms");
    cc_json_int(&j, st.dur_ms);
    cc_json_key(&j, "bytes");
    cc_json_int(&j, (int64_t)st.bytes);
    cc_json_obj_close(&j);
    int status = srv_send_json(conn, 200, &b, "no-store");
    cc_buf_free(&b);
    return status;
}

/* Reads the body into the ingest until it ends: 0 (complete), 1 (the
 * connection dropped or stalled), or the ingest's negative error. */
static int pump(struct mg_connection *conn, struct app *app, struct cc_ingest *in)
{
    uint8_t buf[READ_BYTES];
    long long want = mg_get_request_info(conn)->content_length;
    long long got = 0;
    while (!atomic_load(&app->stopping)) {
        int n = mg_read(conn, buf, sizeof(buf));
        if (n < 0)
            return 1;
        if (n == 0)
            return want >= 0 && got < want ? 1 : 0;
        got += n;
        int rc = cc_ingest_feed(in, buf, (size_t)n, cc_now_ns() / 1000000);
        if (rc < 0)
            return rc;
    }
    return 0; /* a stop ends the recording properly */
}

/* A full disk: retention frees what its policy allows (min_free_mb or
 * min_free_pct; the folder being recorded is never a victim), then the chunk
 * is tried once more. */
static int sweep_when_full(void *ud)
{
    struct app *app = ud;
    cc_warn("ingest: disk full, running a retention sweep before giving up");
    struct cc_ret_result res;
    int rc = srv_sweep_now(app, &res);
    if (rc == -ENOENT) {
        cc_warn("ingest: no retention policy (retain_days, min_free_mb, min_free_pct) to free "
                "space with");
        return rc;
    }
    if (rc == 0 && res.bytes_freed == 0)
        rc = -ENOSPC;
    return rc;
}

/* After each playlist write: the catalog's cached day follows from what the
 * writer knows, so the day's next refresh reads nothing (catalog.h). */
static void note_listed(void *ud, const struct cc_recwriter_listed *l)
{
    struct app *app = ud;
    char rel[96];
    snprintf(rel, sizeof(rel), "%s/%s", l->folder, l->playlist);
    struct cc_scan_note n = {rel, l->text, l->len, l->pl_st, l->dir_st};
    cc_catalog_note_chunk(app->cat, &n);
}

static int record(struct mg_connection *conn, struct app *app)
{
    const struct cc_config *cfg = app->cfg;
    const char *expect = mg_get_header(conn, "Expect");
    if (expect && !strcasecmp(expect, "100-continue"))
        mg_printf(conn, "HTTP/1.1 100 Continue\r\n\r\n");
    struct cc_seg_config sc = {.chunk_ms = (uint32_t)cfg->ingest_chunk_s * 1000,
                               .max_chunk_ms = (uint32_t)cfg->ingest_max_chunk_s * 1000,
                               .max_chunk_bytes = (size_t)cfg->ingest_max_chunk_mb << 20};
    struct cc_ingest *in = cc_ingest_new(cfg->root, &sc);
    cc_ingest_on_full(in, sweep_when_full, app);
    cc_ingest_on_listed(in, note_listed, app);
    const char *from = mg_get_request_info(conn)->remote_addr;
    cc_info("ingest: stream from %s", from);
    int rc = pump(conn, app, in);
    int status = 0;
    if (rc == 1) {
        cc_ingest_end(in, CC_INGEST_DROPPED);
        cc_warn("ingest: %s dropped or stalled (request_timeout_ms): %s left interrupted", from,
                *cc_ingest_folder(in) ? cc_ingest_folder(in) : "nothing recorded,");
        status = srv_send_error_close(conn, 408, "stream_dropped", "the stream ended early");
    } else {
        if (rc == 0)
            rc = cc_ingest_end(in, CC_INGEST_CLEAN);
        struct cc_recwriter_stats st;
        cc_ingest_get_stats(in, NULL, &st);
        if (rc < 0) {
            const char *code;
            int http = refusal(rc, &code);
            cc_warn("ingest: from %s: %s (%s: %u chunks kept)", from, cc_ingest_error(in),
                    *cc_ingest_folder(in) ? cc_ingest_folder(in) : "no folder", st.chunks);
            status = srv_send_error_close(conn, http, code, cc_ingest_error(in));
        } else {
            cc_info("ingest: %s closed: %u chunks, %.3f s", cc_ingest_folder(in), st.chunks,
                    (double)st.dur_ms / 1000);
            status = answer_done(conn, in);
        }
    }
    cc_ingest_free(in);
    return status;
}

int srv_ingestd_handler(struct mg_connection *conn, struct app *app)
{
    const struct cc_config *cfg = app->cfg;
    const char *m = mg_get_request_info(conn)->request_method;
    if (strcmp(m, "POST") != 0 && strcmp(m, "PUT") != 0)
        return srv_send_405_allow(conn, "POST, PUT");
    if (cfg->ingest_max == 0)
        return srv_send_error_close(conn, 403, "ingest_off", "ingest is off (ingest_max = 0)");
    /* With auth_file, srv_auth_handler has already let only digest or the
     * token through. */
    if (!cfg->auth_file && cfg->ingest_token && !srv_ingestd_token_ok(conn, cfg)) {
        cc_info("ingest: token refused from %s", mg_get_request_info(conn)->remote_addr);
        return srv_send_error_close(conn, 401, "bad_token",
                                    "send Authorization: Bearer TOKEN (ingest_token)");
    }
    int st = srv_check_write(conn);
    if (st)
        return st;
    if (atomic_fetch_add(&app->ingests_running, 1) >= cfg->ingest_max) {
        atomic_fetch_sub(&app->ingests_running, 1);
        return srv_send_error_close(conn, 409, "busy",
                                    "another stream is being recorded "
                                    "(ingest_max)");
    }
    int status = record(conn, app);
    atomic_fetch_sub(&app->ingests_running, 1);
    return status;
}
