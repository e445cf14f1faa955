/* Storage: the retention sweeps, GET /api/storage and DELETE /api/days/DATE.
 * The deciding and deleting is the library's (retention.h), the scheduling
 * and the deleters' lock too (sweeper.h); this file adds what a sweep does
 * in the server and the HTTP answers. */
#include "storage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <civetweb.h>

#include "app.h"
#include "fsutil.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "retention.h"
#include "sidecar.h"
#include "sweeper.h"

static struct cc_ret_policy policy_of(const struct cc_config *cfg)
{
    return (struct cc_ret_policy){cfg->retain_days, cfg->min_free_mb, cfg->min_free_pct};
}


/* One sweep, under the sweeper's lock; res (may be NULL) gets what it
 * removed. 0 or -errno. */
static int sweep_once(void *ud, void *res_arg, const atomic_bool *stop)
{
    struct app *app = ud;
    struct cc_ret_result *res_out = res_arg;
    const char *root = cc_catalog_root(app->cat);
    bool dry = app->cfg->sweep_dry_run;
    struct cc_ret_policy pol = policy_of(app->cfg);
    struct cc_ret_inventory inv;
    struct cc_fs_space sp;
    int rc = cc_ret_statvfs(NULL, root, &sp);
    if (rc == 0)
        rc = cc_ret_inventory_build(app->cat, &inv);
    if (rc < 0) {
        cc_warn("retention: sweep skipped: %s: %s", root, strerror(-rc));
        return rc;
    }
    struct cc_date today;
    cc_local_today(&today);
    struct cc_ret_plan plan;
    cc_ret_plan(&inv, &pol, &today, &sp, &plan);
    struct cc_ret_result res;
    rc = cc_ret_execute(root, app->cat, &plan, dry, stop, &res);
    if (plan.floor_unreachable)
        cc_warn("retention: free space stays under the floor (%llu bytes wanted) even after "
                "removing everything allowed",
                (unsigned long long)plan.floor_bytes);
    if (dry)
        cc_info("retention (dry run): sweep would remove %zu items, %llu bytes", plan.n,
                (unsigned long long)plan.bytes);
    else
        cc_info("retention: sweep removed %zu items, %llu bytes freed%s", res.removed,
                (unsigned long long)res.bytes_freed, res.failed ? " (some failed, see above)" : "");
    cc_ret_plan_free(&plan);
    cc_ret_inventory_free(&inv);
    if (res_out)
        *res_out = res;
    return rc;
}

int srv_sweep_now(struct app *app, struct cc_ret_result *res)
{
    const struct cc_config *c = app->cfg;
    if (!c->retain_days && !c->min_free_mb && !c->min_free_pct)
        return -ENOENT;
    return cc_sweeper_run(app->sweep, res);
}

static void log_removed(void *ud, const char *path)
{
    cc_info("removed stale temp file %s", path);
}

/* On the sweeper's thread, once per start, before the first sweep. */
static bool sweep_prepare(void *ud)
{
    struct app *app = ud;
    struct cc_ret_policy pol = policy_of(app->cfg);
    /* Off the request path: what a crash between a sidecar's write and its
     * rename left behind. */
    int n = cc_sidecar_clean_tmp(cc_catalog_root(app->cat), app->cfg->cache_dir, cc_now_ns(),
                                 log_removed, NULL);
    cc_info("stale temp files: %d removed", n < 0 ? 0 : n);
    /* No policy, nothing to sweep: and no reason to index every day. */
    if (!pol.retain_days && !pol.min_free_mb && !pol.min_free_pct) {
        cc_info("retention: no policy set (retain_days, min_free_mb, min_free_pct): no sweeps");
        return false;
    }
    return true;
}

void srv_sweep_start(struct app *app)
{
    struct cc_sweeper_cfg cfg = {.interval_s = app->cfg->sweep_interval_s,
                                 .sweep = sweep_once,
                                 .prepare = sweep_prepare,
                                 .ud = app};
    int rc = cc_sweeper_start(&cfg, &app->sweep);
    if (rc < 0)
        cc_err("retention: cannot start the sweep thread: %s", strerror(-rc));
}

void srv_sweep_stop(struct app *app)
{
    cc_sweeper_stop(app->sweep);
    app->sweep = NULL;
}

/* ---- GET /api/storage --------------------------------------------------------- */

static void json_u64(struct cc_json *j, const char *key, uint64_t v)
{
    cc_json_key(j, key);
    cc_json_int(j, (int64_t)v);
}

static void storage_policy(struct cc_json *j, const struct cc_config *cfg)
{
    cc_json_key(j, "policy");
    cc_json_obj_open(j);
    json_u64(j, "retain_days", (uint64_t)cfg->retain_days);
    json_u64(j, "min_free_mb", (uint64_t)cfg->min_free_mb);
    json_u64(j, "min_free_pct", (uint64_t)cfg->min_free_pct);
    json_u64(j, "sweep_interval_s", (uint64_t)cfg->sweep_interval_s);
    cc_json_key(j, "dry_run");
    cc_json_bool(j, cfg->sweep_dry_run);
    cc_json_obj_close(j);
}

static void storage_recordings(struct cc_json *j, const struct cc_ret_inventory *inv)
{
    uint64_t total = 0;
    for (size_t i = 0; i < inv->ndays; i++)
        total += inv->days[i].bytes;
    cc_json_key(j, "recordings");
    cc_json_obj_open(j);
    json_u64(j, "bytes", total);
    cc_json_key(j, "days");
    cc_json_arr_open(j);
    for (size_t i = 0; i < inv->ndays; i++) {
        cc_json_obj_open(j);
        cc_json_key(j, "date");
        cc_json_str(j, inv->days[i].name);
        json_u64(j, "bytes", inv->days[i].bytes);
        cc_json_obj_close(j);
    }
    cc_json_arr_close(j);
    cc_json_obj_close(j);
    const char *keys[] = {"oldest_day", "newest_day"};
    for (int k = 0; k < 2; k++) {
        cc_json_key(j, keys[k]);
        if (inv->ndays)
            cc_json_str(j, inv->days[k ? inv->ndays - 1 : 0].name);
        else
            cc_json_null(j);
    }
}

static void storage_plan(struct cc_json *j, const struct cc_ret_plan *plan)
{
    cc_json_key(j, "next_sweep");
    cc_json_obj_open(j);
    cc_json_key(j, "would_remove");
    cc_json_arr_open(j);
    for (size_t i = 0; i < plan->n; i++) {
        const struct cc_ret_item *it = &plan->items[i];
        cc_json_obj_open(j);
        cc_json_key(j, "date");
        cc_json_str(j, it->date);
        cc_json_key(j, "folder");
        if (it->folder[0])
            cc_json_str(j, it->folder);
        else
            cc_json_null(j);
        json_u64(j, "bytes", it->bytes);
        cc_json_key(j, "reason");
        cc_json_str(j, it->reason == CC_RET_AGE ? "age" : "space");
        cc_json_obj_close(j);
    }
    cc_json_arr_close(j);
    json_u64(j, "bytes", plan->bytes);
    cc_json_key(j, "floor_unreachable");
    cc_json_bool(j, plan->floor_unreachable);
    cc_json_obj_close(j);
}

int srv_storage_handler(struct mg_connection *conn, struct app *app)
{
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    const char *root = cc_catalog_root(app->cat);
    struct cc_fs_space sp;
    struct cc_ret_inventory inv;
    int rc = cc_ret_statvfs(NULL, root, &sp);
    if (rc == 0)
        rc = cc_ret_inventory_build(app->cat, &inv);
    if (rc < 0)
        return srv_send_root_unavailable(conn, rc);
    struct cc_ret_policy pol = policy_of(app->cfg);
    struct cc_date today;
    cc_local_today(&today);
    struct cc_ret_plan plan;
    cc_ret_plan(&inv, &pol, &today, &sp, &plan);

    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    cc_json_key(&j, "filesystem");
    cc_json_obj_open(&j);
    json_u64(&j, "total_bytes", sp.total_bytes);
    json_u64(&j, "free_bytes", sp.free_bytes);
    cc_json_key(&j, "free_pct");
    cc_json_fixed(&j, sp.total_bytes ? 100.0 * (double)sp.free_bytes / (double)sp.total_bytes : 0.0,
                  1);
    cc_json_obj_close(&j);
    storage_recordings(&j, &inv);
    storage_policy(&j, app->cfg);
    storage_plan(&j, &plan);
    cc_json_obj_close(&j);
    cc_buf_putc(&b, '\n');
    rc = srv_send_json(conn, 200, &b, "no-store");
    cc_buf_free(&b);
    cc_ret_plan_free(&plan);
    cc_ret_inventory_free(&inv);
    return rc;
}

/* ---- DELETE /api/days/DATE ------------------------------------------------------ */

/* Is the day there, and does it hold the folder being recorded? 0, or the
 * status of the error sent. */
static int delete_check(struct mg_connection *conn, struct app *app, const struct cc_date *date,
                        const char *name, uint64_t *bytes)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", cc_catalog_root(app->cat), name);
    struct stat st;
    if (lstat(path, &st) < 0) {
        int root_rc = cc_catalog_root_status(app->cat);
        if (root_rc < 0) /* a card that vanished is a 503, as for GET */
            return srv_send_root_unavailable(conn, root_rc);
        return srv_send_error(conn, 404, "no_such_day", "no recordings for that day");
    }
    if (!(S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
        return srv_send_error(conn, 404, "no_such_day", "no recordings for that day");
    *bytes = 0;
    if (S_ISLNK(st.st_mode))
        return 0;
    const struct cc_day *d;
    int rc = cc_catalog_get_day_sized(app->cat, date, &d);
    if (rc < 0)
        return srv_send_day_error(conn, app->cat, rc, name);
    bool rec = false;
    for (uint32_t i = 0; i < d->nsegs && !rec; i++)
        rec = cc_catalog_is_recording(app->cat, d, i);
    *bytes = d->bytes;
    cc_catalog_release(app->cat, d);
    if (rec)
        return srv_send_error(conn, 409, "day_recording",
                              "the day holds the folder being recorded now");
    return 0;
}

int srv_send_removed(struct mg_connection *conn, const char *date, const char *id, uint64_t bytes,
                     uint64_t freed)
{
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    cc_json_key(&j, "removed");
    cc_json_obj_open(&j);
    cc_json_key(&j, "date");
    cc_json_str(&j, date);
    if (id) {
        cc_json_key(&j, "id");
        cc_json_str(&j, id);
    }
    json_u64(&j, "bytes", bytes);
    json_u64(&j, "bytes_freed", freed);
    cc_json_obj_close(&j);
    cc_json_obj_close(&j);
    cc_buf_putc(&b, '\n');
    int rc = srv_send_json(conn, 200, &b, "no-store");
    cc_buf_free(&b);
    return rc;
}

int srv_send_remove_failed(struct mg_connection *conn, struct app *app, const char *what)
{
    int root_rc = cc_catalog_root_status(app->cat);
    if (root_rc < 0)
        return srv_send_root_unavailable(conn, root_rc);
    char msg[96];
    snprintf(msg, sizeof(msg), "%s could not be removed completely", what);
    return srv_send_error(conn, 500, "io_error", msg);
}

int srv_day_delete(struct mg_connection *conn, struct app *app, const struct cc_date *date)
{
    int status = srv_check_write(conn);
    if (status)
        return status;
    char name[11];
    cc_date_format(date, name);
    uint64_t bytes = 0;
    cc_sweeper_hold(app->sweep);
    status = delete_check(conn, app, date, name, &bytes);
    if (status)
        goto out;
    struct cc_ret_plan plan = {0};
    cc_ret_plan_add(&plan, name, NULL, bytes, CC_RET_REQUEST);
    struct cc_ret_result res;
    int rc = cc_ret_execute(cc_catalog_root(app->cat), app->cat, &plan, false, NULL, &res);
    cc_ret_plan_free(&plan);
    if (rc < 0 || res.failed) {
        status = srv_send_remove_failed(conn, app, "the day");
        goto out;
    }
    status = srv_send_removed(conn, name, NULL, bytes, res.bytes_freed);
out:
    cc_sweeper_release(app->sweep);
    return status;
}

/* ---- the deleters' lock, for other handlers (recording.c) ------------------------ */

void srv_sweep_hold(struct app *app)
{
    cc_sweeper_hold(app->sweep);
}

void srv_sweep_release(struct app *app)
{
    cc_sweeper_release(app->sweep);
}
