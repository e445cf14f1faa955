/* range — see range.h. */
#include "range.h"

#include <errno.h>
#include <stdlib.h>

#include "http.h"
#include "isotime.h"

/* The camera's UTC offset for a zone-less time (its fields as UTC in
 * local_ms): that date's folder knows it; without one, this machine's zone
 * (camcatd runs on the camera). */
static int camera_offset(struct app *app, int64_t local_ms)
{
    struct cc_date date;
    cc_date_of(local_ms, 0, &date);
    const struct cc_day *d;
    if (cc_catalog_get_day(app->cat, &date, &d) == 0) {
        int off = d->off_min;
        cc_catalog_release(app->cat, d);
        return off;
    }
    return cc_local_offset_min(local_ms);
}

int srv_query_utc(struct mg_connection *conn, struct app *app, const char *key, int64_t *ms)
{
    bool local = false;
    *ms = INT64_MIN;
    int st = srv_query_instant(conn, key, ms, &local);
    if (st == 0 && *ms != INT64_MIN && local)
        *ms -= (int64_t)camera_offset(app, *ms) * 60000;
    return st;
}

int srv_query_range(struct mg_connection *conn, struct app *app, int64_t *from, int64_t *to)
{
    int st = srv_query_utc(conn, app, "from", from);
    if (st || (st = srv_query_utc(conn, app, "to", to)) != 0)
        return st;
    if (*from == INT64_MIN || *to == INT64_MIN)
        return srv_send_error(conn, 400, "bad_range", "from and to are both required");
    if (*from >= *to)
        return srv_send_error(conn, 400, "bad_range", "from must be before to");
    return 0;
}

int srv_each_day(struct app *app, int64_t from, int64_t to, srv_day_fn fn, void *ud)
{
    struct cc_date lo, hi;
    cc_date_of(from - 2 * CC_MS_PER_DAY, 0, &lo);
    cc_date_of(to + CC_MS_PER_DAY, 0, &hi);
    struct cc_date *dates = NULL;
    size_t n = 0;
    int rc = cc_catalog_list_days(app->cat, &lo, &hi, &dates, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct cc_day *d;
        rc = cc_catalog_get_day(app->cat, &dates[i], &d);
        if (rc == -ENOENT || rc == -ENOTDIR) {
            rc = 0; /* vanished since the listing */
            continue;
        }
        if (rc == 0) {
            rc = fn(ud, d);
            cc_catalog_release(app->cat, d);
        }
    }
    free(dates);
    return rc;
}
