#include "live.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <civetweb.h>

#include "app.h"
#include "fsutil.h"
#include "http.h"
#include "livewin.h"
#include "log.h"
#include "mem.h"
#include "proc.h"

#define MAX_KIDS 8
#define SLACK_MIN_MS 3000
#define SHUTDOWN_WAIT_MS 5000

struct kid {
    pid_t pid;
    const char *what;
};

struct srv_live {
    const struct cc_config *cfg;
    struct cc_catalog *cat;

    pthread_mutex_t win_lock; /* guards win */
    struct cc_livewin *win;

    pthread_mutex_t lock; /* guards the viewer state below */
    pthread_cond_t wake;  /* (CLOCK_MONOTONIC) */
    bool on;              /* live started, not stopped yet */
    bool start_due;       /* the thread should run live_start_cmd */
    bool quit;
    int64_t last_viewer_ms; /* monotonic */
    uint32_t target_ms;     /* of the live source, for the slack */

    bool have_thread;
    pthread_t thread;
    struct kid kids[MAX_KIDS]; /* commands still running: the thread's, then free's */
    int nkids;
};

/* ---- commands ------------------------------------------------------------ */

/* sh -c cmd in the background (proc.h: its own process group, output to
 * our log): the pid or -errno. */
static pid_t run_cmd(const char *what, const char *cmd)
{
    pid_t pid = cc_proc_spawn(cmd, -1);
    if (pid < 0) {
        cc_err("live: cannot run %s: %s", what, strerror((int)-pid));
        return pid;
    }
    cc_info("live: running %s (pid %d): %s", what, (int)pid, cmd);
    return pid;
}

static void add_kid(struct srv_live *l, const char *what, pid_t pid)
{
    if (pid <= 0)
        return;
    if (l->nkids == MAX_KIDS) {
        /* never expected; the kernel reaps it anyway while SIGCHLD is ignored */
        cc_warn("live: too many commands running; not tracking pid %d", (int)pid);
        return;
    }
    l->kids[l->nkids++] = (struct kid){pid, what};
}

/* Collects the commands that ended, without waiting. */
static void reap_kids(struct srv_live *l)
{
    for (int i = 0; i < l->nkids;) {
        int st;
        if (cc_proc_poll(l->kids[i].pid, &st) == 0) {
            i++;
            continue;
        }
        const char *what = l->kids[i].what;
        int pid = (int)l->kids[i].pid;
        if (st == -1)
            cc_info("live: %s (pid %d) finished", what, pid);
        else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
            cc_info("live: %s (pid %d) done", what, pid);
        else if (WIFEXITED(st))
            cc_warn("live: %s (pid %d) exited with %d", what, pid, WEXITSTATUS(st));
        else
            cc_warn("live: %s (pid %d) killed by signal %d", what, pid,
                    WIFSIGNALED(st) ? WTERMSIG(st) : 0);
        l->kids[i] = l->kids[--l->nkids];
    }
}

/* ---- viewers ------------------------------------------------------------- */

static int64_t idle_ms_locked(const struct srv_live *l)
{
    int64_t slack = 2 * (int64_t)l->target_ms;
    return (int64_t)l->cfg->live_idle_s * 1000 + (slack > SLACK_MIN_MS ? slack : SLACK_MIN_MS);
}

static void viewer_arrived(struct srv_live *l)
{
    if (!l->have_thread)
        return;
    pthread_mutex_lock(&l->lock);
    l->last_viewer_ms = cc_monotonic_ms();
    if (!l->on) {
        l->on = true;
        l->start_due = l->cfg->live_start_cmd != NULL;
        pthread_cond_signal(&l->wake);
    }
    pthread_mutex_unlock(&l->lock);
}

int srv_live_command(struct srv_live *l, bool on)
{
    if (!l->have_thread)
        return -ENOTSUP;
    if (on) {
        bool was = l->on;
        viewer_arrived(l);
        return was ? -EALREADY : 0;
    }
    pthread_mutex_lock(&l->lock);
    bool was = l->on;
    /* As if the last viewer left long ago: the thread stops it now. */
    l->last_viewer_ms = INT64_MIN / 2;
    pthread_cond_signal(&l->wake);
    pthread_mutex_unlock(&l->lock);
    return was ? 0 : -EALREADY;
}

static void wait_until_locked(struct srv_live *l, int64_t when_ms)
{
    if (when_ms == INT64_MAX) {
        pthread_cond_wait(&l->wake, &l->lock);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ms = when_ms - cc_monotonic_ms();
    if (ms <= 0)
        return;
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&l->wake, &l->lock, &ts);
}

/* Runs the commands (outside the lock) and reaps them; a request only sets
 * start_due, so it never waits for a fork. */
static void *hook_thread(void *arg)
{
    struct srv_live *l = arg;
    pthread_mutex_lock(&l->lock);
    while (!l->quit) {
        const char *what = NULL, *cmd = NULL;
        int64_t idle_at = l->last_viewer_ms + idle_ms_locked(l);
        if (l->start_due) {
            l->start_due = false;
            what = "live_start_cmd";
            cmd = l->cfg->live_start_cmd;
        } else if (l->on && cc_monotonic_ms() >= idle_at) {
            l->on = false;
            what = "live_stop_cmd";
            cmd = l->cfg->live_stop_cmd;
            cc_info("live: no viewer for %lld s", (long long)(idle_ms_locked(l) / 1000));
        }
        if (what) {
            pthread_mutex_unlock(&l->lock);
            if (cmd)
                add_kid(l, what, run_cmd(what, cmd));
            pthread_mutex_lock(&l->lock);
            continue;
        }
        reap_kids(l);
        int64_t wake = l->on ? idle_at : INT64_MAX;
        if (l->nkids && (wake == INT64_MAX || wake > cc_monotonic_ms() + 500))
            wake = cc_monotonic_ms() + 500;
        wait_until_locked(l, wake);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

static void start_thread(struct srv_live *l)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (!l->cfg->live_start_cmd && !l->cfg->live_stop_cmd)
        return;
    /* Every signal blocked in the thread from its first instruction: SIGTERM
     * must reach the main thread's sigsuspend, not this one. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&l->thread, NULL, hook_thread, l);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc)
        cc_err("live: cannot start the hook thread: %s (live commands disabled)", strerror(rc));
    l->have_thread = rc == 0;
}

struct srv_live *srv_live_new(const struct cc_config *cfg, struct cc_catalog *cat)
{
    struct srv_live *l = cc_xcalloc(1, sizeof(*l));
    l->cfg = cfg;
    l->cat = cat;
    l->win = cc_livewin_new(cc_catalog_root(cat), "/rec/", (unsigned)cfg->live_window);
    pthread_mutex_init(&l->win_lock, NULL);
    pthread_mutex_init(&l->lock, NULL);
    start_thread(l);
    return l;
}

void srv_live_free(struct srv_live *l)
{
    if (!l)
        return;
    if (l->have_thread) {
        pthread_mutex_lock(&l->lock);
        l->quit = true;
        pthread_cond_signal(&l->wake);
        pthread_mutex_unlock(&l->lock);
        pthread_join(l->thread, NULL);
    }
    if (l->on && l->cfg->live_stop_cmd)
        add_kid(l, "live_stop_cmd", run_cmd("live_stop_cmd", l->cfg->live_stop_cmd));
    int64_t deadline = cc_monotonic_ms() + SHUTDOWN_WAIT_MS;
    for (reap_kids(l); l->nkids && cc_monotonic_ms() < deadline; reap_kids(l)) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < l->nkids; i++)
        cc_warn("live: %s (pid %d) still running at exit; left alone", l->kids[i].what,
                (int)l->kids[i].pid);
    cc_livewin_free(l->win);
    pthread_cond_destroy(&l->wake);
    pthread_mutex_destroy(&l->lock);
    pthread_mutex_destroy(&l->win_lock);
    free(l);
}

/* ---- the playlist -------------------------------------------------------- */

/* 1 and the playlist in b when recording, 0 when not, or -errno. */
static int live_playlist(struct srv_live *l, struct cc_buf *b)
{
    const struct cc_day *d = NULL;
    uint32_t seg;
    int rc = cc_catalog_find_recording(l->cat, &d, &seg);
    if (rc < 0)
        return rc == -ENOENT ? 0 : rc;
    pthread_mutex_lock(&l->win_lock);
    rc = cc_livewin_update(l->win, d, seg, cc_now_ns());
    if (rc == 1)
        cc_livewin_render(l->win, b);
    uint32_t target_ms = cc_livewin_target_ms(l->win);
    pthread_mutex_unlock(&l->win_lock);
    if (rc < 0 && rc != -ENOENT)
        cc_warn("live: %s: %s", d->segs[seg].playlist, strerror(-rc));
    cc_catalog_release(l->cat, d);
    pthread_mutex_lock(&l->lock);
    l->target_ms = target_ms;
    pthread_mutex_unlock(&l->lock);
    return rc == -ENOENT ? 0 : rc;
}

int srv_live_handler(struct mg_connection *conn, struct app *app)
{
    if (!srv_method_ok(conn))
        return srv_send_405(conn);
    struct srv_live *l = app->live;
    if (!srv_is_head(conn))
        viewer_arrived(l);
    struct cc_buf b;
    cc_buf_init(&b);
    int rc = live_playlist(l, &b);
    int status;
    if (rc == 1) {
        struct srv_resp r;
        srv_resp_init(&r, conn, 200);
        srv_resp_header(&r, "Content-Type", "application/vnd.apple.mpegurl");
        srv_resp_header(&r, "Cache-Control", "no-store");
        status = srv_resp_send(&r, b.data, b.len);
    } else if (rc < 0 && cc_catalog_root_status(app->cat) < 0) {
        status = srv_send_root_unavailable(conn, cc_catalog_root_status(app->cat));
    } else {
        status = srv_send_error(conn, 404, "not_recording", "camera is not recording");
    }
    cc_buf_free(&b);
    return status;
}
