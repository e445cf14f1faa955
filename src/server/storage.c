/* Storage: the retention sweep thread, GET /api/storage and
 * DELETE /api/days/DATE. The deciding and deleting is the library's
 * (retention.h); this file adds the thread, the lock and the HTTP answers. */
#include "storage.h"

#include <errno.h>
#include <pthread.h>
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

struct srv_sweep {
    /* Held for a whole sweep or DELETE: two deleters on one tree could each
     * plan with the other's victims still counted. */
    pthread_mutex_t run_lock;
    pthread_mutex_t lock;     /* guards wake-ups */
    pthread_cond_t wake;
    atomic_bool stop;
    pthread_t thread;
    bool started;
};

static struct cc_ret_policy policy_of(const struct cc_config *cfg)
{
    return (struct cc_ret_policy){cfg->retain_days, cfg->min_free_mb, cfg->min_free_pct};
}


/* One sweep; res (may be NULL) gets what it removed. 0 or -errno. */
static int sweep_once(struct app *app, struct cc_ret_result *res_out)
{
    const char *root = cc_catalog_root(app->cat);
    bool dry = app->cfg->sweep_dry_run;
    struct cc_ret_policy pol = policy_of(app->cfg);
    struct cc_ret_inventory inv;
    struct cc_fs_space sp;
    pthread_mutex_lock(&app->sweep->run_lock);
    int rc = cc_ret_statvfs(NULL, root, &sp);
    if (rc == 0)
        rc = cc_ret_inventory_build(app->cat, &inv);
    if (rc < 0) {
        cc_warn("retention: sweep skipped: %s: %s", root, strerror(-rc));
        pthread_mutex_unlock(&app->sweep->run_lock);
        return rc;
    }
    struct cc_date today;
    cc_local_today(&today);
    struct cc_ret_plan plan;
    cc_ret_plan(&inv, &pol, &today, &sp, &plan);
    struct cc_ret_result res;
    rc = cc_ret_execute(root, app->cat, &plan, dry, &app->sweep->stop, &res);
    if (plan.floor_unreachable)
        cc_warn("retention: free space stays under the floor (%llu bytes wanted) even after "
                "removing everything allowed", (unsigned long long)plan.floor_bytes);
    if (dry)
        cc_info("retention (dry run): sweep would remove %zu items, %llu bytes", plan.n,
                (unsigned long long)plan.bytes);
    else
        cc_info("retention: sweep removed %zu items, %llu bytes freed%s", res.removed,
                (unsigned long long)res.bytes_freed, res.failed ? " (some failed, see above)" : "");
    pthread_mutex_unlock(&app->sweep->run_lock);
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
    return sweep_once(app, res);
}

static void log_removed(void *ud, const char *path)
{
    cc_info("removed stale temp file %s", path);
}

static void *sweep_main(void *arg)
{
    struct app *app = arg;
    struct srv_sweep *sw = app->sweep;
    int interval = app->cfg->sweep_interval_s;
    struct cc_ret_policy pol = policy_of(app->cfg);
    /* Once per start, off the request path: what a crash between a
     * sidecar's write and its rename left behind. */
    int n = cc_sidecar_clean_tmp(cc_catalog_root(app->cat), app->cfg->cache_dir, cc_now_ns(),
                                 log_removed, NULL);
    cc_info("stale temp files: %d removed", n < 0 ? 0 : n);
    /* No policy, nothing to sweep: and no reason to index every day. */
    if (!pol.retain_days && !pol.min_free_mb && !pol.min_free_pct) {
        cc_info("retention: no policy set (retain_days, min_free_mb, min_free_pct): no sweeps");
        return NULL;
    }
    for (;;) {
        sweep_once(app, NULL);
        if (interval <= 0 || atomic_load(&sw->stop))
            break;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += interval;
        pthread_mutex_lock(&sw->lock);
        while (!atomic_load(&sw->stop) &&
               pthread_cond_timedwait(&sw->wake, &sw->lock, &until) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&sw->lock);
        if (atomic_load(&sw->stop))
            break;
    }
    return NULL;
}

void srv_sweep_start(struct app *app)
{
    struct srv_sweep *sw = cc_xcalloc(1, sizeof(*sw));
    pthread_mutex_init(&sw->run_lock, NULL);
    pthread_mutex_init(&sw->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    /* Interval waits must not stretch or shrink when the clock is set. */
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sw->wake, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&sw->stop, false);
    app->sweep = sw;
    int rc = pthread_create(&sw->thread, NULL, sweep_main, app);
    if (rc)
        cc_err("retention: cannot start the sweep thread: %s", strerror(rc));
    sw->started = rc == 0;
}

void srv_sweep_stop(struct app *app)
{
    struct srv_sweep *sw = app->sweep;
    if (!sw)
        return;
    pthread_mutex_lock(&sw->lock);
    atomic_store(&sw->stop, true);
    pthread_cond_broadcast(&sw->wake);
    pthread_mutex_unlock(&sw->lock);
    if (sw->started)
        pthread_join(sw->thread, NULL);
    pthread_cond_destroy(&sw->wake);
    pthread_mutex_destroy(&sw->lock);
    pthread_mutex_destroy(&sw->run_lock);
    free(sw);
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
    cc_json_fixed(&j, sp.total_bytes ? 100.0 * (double)sp.free_bytes / (double)sp.total_bytes
                                     : 0.0, 1);
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
    if (lstat(path, &st) < 0 || !(S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
        return srv_send_error(conn, 404, "no_such_day", "no recordings for that day");
    *bytes = 0;
    if (S_ISLNK(st.st_mode))
        return 0;
    const struct cc_day *d;
    int rc = cc_catalog_get_day_sized(app->cat, date, &d);
    if (rc == -ENOENT)
        return srv_send_error(conn, 404, "no_such_day", "no recordings for that day");
    if (rc < 0)
        return srv_send_error(conn, 500, "index_failed", "the day could not be indexed");
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

static int delete_answer(struct mg_connection *conn, const char *name,
                         const struct cc_ret_result *res, uint64_t bytes)
{
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_json_obj_open(&j);
    cc_json_key(&j, "removed");
    cc_json_obj_open(&j);
    cc_json_key(&j, "date");
    cc_json_str(&j, name);
    json_u64(&j, "bytes", bytes);
    json_u64(&j, "bytes_freed", res->bytes_freed);
    cc_json_obj_close(&j);
    cc_json_obj_close(&j);
    cc_buf_putc(&b, '\n');
    int rc = srv_send_json(conn, 200, &b, "no-store");
    cc_buf_free(&b);
    return rc;
}

int srv_day_delete(struct mg_connection *conn, struct app *app, const struct cc_date *date)
{
    int status = srv_check_write(conn);
    if (status)
        return status;
    char name[11];
    cc_date_format(date, name);
    uint64_t bytes = 0;
    pthread_mutex_lock(&app->sweep->run_lock);
    status = delete_check(conn, app, date, name, &bytes);
    if (status)
        goto out;
    struct cc_ret_plan plan = {0};
    cc_ret_plan_add(&plan, name, NULL, bytes, CC_RET_REQUEST);
    struct cc_ret_result res;
    int rc = cc_ret_execute(cc_catalog_root(app->cat), app->cat, &plan, false, NULL, &res);
    cc_ret_plan_free(&plan);
    if (rc < 0 || res.failed) {
        status = srv_send_error(conn, 500, "io_error", "the day could not be removed completely");
        goto out;
    }
    status = delete_answer(conn, name, &res, bytes);
out:
    pthread_mutex_unlock(&app->sweep->run_lock);
    return status;
}

/* ---- the deleters' lock, for other handlers (recording.c) ------------------------ */

void srv_sweep_hold(struct app *app)
{
    pthread_mutex_lock(&app->sweep->run_lock);
}

void srv_sweep_release(struct app *app)
{
    pthread_mutex_unlock(&app->sweep->run_lock);
}
