/* recording — download or delete one recording folder of a day (see
 * recording.h). The folder is named by its id as the day's JSON lists it;
 * only ids the index knows are served, so a path never comes from the URI. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <civetweb.h>

#include "app.h"
#include "catalog.h"
#include "clip.h"
#include "clipsend.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "recording.h"
#include "retention.h"
#include "storage.h"

/* The day, and the index of segment id in it: 0, or the status of the error sent. */
static int find_segment(struct mg_connection *conn, struct app *app, const struct cc_date *date,
                        const char *id, size_t id_len, const struct cc_day **day, uint32_t *seg)
{
    int rc = cc_catalog_get_day(app->cat, date, day);
    if (rc < 0) {
        char name[11];
        cc_date_format(date, name);
        return srv_send_day_error(conn, app->cat, rc, name);
    }
    for (uint32_t i = 0; i < (*day)->nsegs; i++) {
        const char *sid = (*day)->segs[i].id;
        if (strlen(sid) == id_len && !memcmp(sid, id, id_len)) {
            *seg = i;
            return 0;
        }
    }
    cc_catalog_release(app->cat, *day);
    *day = NULL;
    return srv_send_error(conn, 404, "no_such_recording", "the day has no recording of that id");
}

/* "camera-2025-01-24-00003": the day and the folder. */
static int download(struct mg_connection *conn, struct app *app, const struct cc_day *d,
                    uint32_t seg)
{
    struct cc_clip clip;
    cc_clip_init(&clip);
    int status;
    int rc = cc_clip_add_segment(&clip, &d->segs[seg], cc_catalog_root(app->cat));
    if (rc < 0) {
        cc_err("download %s/%s: %s", d->name, d->segs[seg].id, strerror(-rc));
        status = srv_send_error(conn, 500, "io_error",
                                "the recording's playlist could not be read");
    } else if (!clip.chunks) {
        status = srv_send_error(conn, 404, "no_recordings", "the recording holds no chunks");
    } else {
        char stem[64];
        snprintf(stem, sizeof(stem), "camera-%s-%s", d->name, d->segs[seg].id);
        status = srv_clip_send(conn, app, &clip, stem);
    }
    cc_clip_free(&clip);
    return status;
}

/* Under the deleters' lock: the folder is looked up again there, so a sweep
 * that removed it meanwhile makes this a 404, never a second removal. */
static int delete_locked(struct mg_connection *conn, struct app *app, const struct cc_date *date,
                         const char *id, size_t id_len)
{
    const struct cc_day *d = NULL;
    uint32_t seg = 0;
    int status = find_segment(conn, app, date, id, id_len, &d, &seg);
    if (status)
        return status;
    char day[11], folder[CC_RET_FOLDER_MAX];
    if (strlen(d->segs[seg].id) >= sizeof(folder)) {
        cc_catalog_release(app->cat, d);
        return srv_send_error(conn, 403, "forbidden", "that folder is not one camcat deletes");
    }
    snprintf(day, sizeof(day), "%s", d->name);
    snprintf(folder, sizeof(folder), "%s", d->segs[seg].id);
    bool recording = cc_catalog_is_recording(app->cat, d, seg);
    uint64_t bytes = d->segs[seg].media_bytes + d->segs[seg].pl_bytes;
    cc_catalog_release(app->cat, d);
    if (recording)
        return srv_send_error(conn, 409, "recording", "this folder is being recorded now");
    if (!cc_ret_day_name_ok(day) || !cc_ret_folder_name_ok(folder))
        return srv_send_error(conn, 403, "forbidden", "that folder is not one camcat deletes");
    struct cc_ret_plan plan = {0};
    cc_ret_plan_add(&plan, day, folder, bytes, CC_RET_REQUEST);
    struct cc_ret_result res;
    int rc = cc_ret_execute(cc_catalog_root(app->cat), app->cat, &plan, false, NULL, &res);
    cc_ret_plan_free(&plan);
    if (rc < 0 || res.failed)
        return srv_send_remove_failed(conn, app, "the recording");
    cc_info("deleted recording %s/%s on request (%llu bytes)", day, folder,
            (unsigned long long)res.bytes_freed);
    return srv_send_removed(conn, day, folder, bytes, res.bytes_freed);
}

int srv_recording_handler(struct mg_connection *conn, struct app *app, const struct cc_date *date,
                          const char *sub)
{
    static const char dl[] = "/download.ts";
    const char *slash = strchr(sub, '/');
    size_t id_len = slash ? (size_t)(slash - sub) : strlen(sub);
    if (slash && strcmp(slash, dl))
        return srv_send_error(conn, 404, "not_found", "no such API path");
    const char *method = mg_get_request_info(conn)->request_method;
    const struct cc_day *d = NULL;
    uint32_t seg = 0;
    int status;
    if (!slash) {
        if (strcmp(method, "DELETE")) {
            /* A folder that exists takes DELETE only; anything else is not there. */
            if ((status = find_segment(conn, app, date, sub, id_len, &d, &seg)) != 0)
                return status;
            cc_catalog_release(app->cat, d);
            return srv_send_405_allow(conn, "DELETE");
        }
        status = srv_check_write(conn);
        if (status)
            return status;
        srv_sweep_hold(app);
        status = delete_locked(conn, app, date, sub, id_len);
        srv_sweep_release(app);
        return status;
    }
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    status = find_segment(conn, app, date, sub, id_len, &d, &seg);
    if (status)
        return status;
    status = download(conn, app, d, seg);
    cc_catalog_release(app->cat, d);
    return status;
}
