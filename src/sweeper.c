#include "sweeper.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"

struct cc_sweeper {
    struct cc_sweeper_cfg cfg;
    pthread_mutex_t run_lock; /* held for a whole sweep or deletion */
    pthread_mutex_t lock;     /* guards what follows */
    pthread_cond_t wake;
    atomic_bool stop;
    bool requested;
    bool running;
    uint64_t sweeps, wakeups;
    int64_t due_ms;
    pthread_t thread;
    bool started;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int64_t now_ms(const struct cc_sweeper *sw)
{
    return sw->cfg.now_ms ? sw->cfg.now_ms(sw->cfg.ud) : mono_ms();
}

int cc_sweeper_run(struct cc_sweeper *sw, void *arg)
{
    pthread_mutex_lock(&sw->run_lock);
    int rc = sw->cfg.sweep(sw->cfg.ud, arg, &sw->stop);
    pthread_mutex_unlock(&sw->run_lock);
    return rc;
}

/* Waits (lock held) until stop, a request, or the seam clock reaching due.
 * The real wait is the seam's distance to due, on CLOCK_MONOTONIC. Returns
 * whether to sweep. */
static bool wait_due(struct cc_sweeper *sw)
{
    for (;;) {
        if (atomic_load(&sw->stop))
            return false;
        int64_t left = sw->due_ms - now_ms(sw);
        if (sw->requested || left <= 0) {
            sw->requested = false;
            return true;
        }
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += left / 1000;
        until.tv_nsec += (left % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&sw->wake, &sw->lock, &until);
        sw->wakeups++;
    }
}

static void *sweeper_main(void *arg)
{
    struct cc_sweeper *sw = arg;
    bool go = !sw->cfg.prepare || sw->cfg.prepare(sw->cfg.ud);
    pthread_mutex_lock(&sw->lock);
    sw->running = go;
    sw->requested = go; /* the first sweep is at start */
    while (go && wait_due(sw)) {
        pthread_mutex_unlock(&sw->lock);
        cc_sweeper_run(sw, NULL);
        pthread_mutex_lock(&sw->lock);
        sw->sweeps++;
        if (sw->cfg.interval_s <= 0)
            break;
        sw->due_ms = now_ms(sw) + sw->cfg.interval_s * 1000LL;
        pthread_cond_broadcast(&sw->wake);
    }
    sw->running = false;
    sw->due_ms = INT64_MAX;
    pthread_mutex_unlock(&sw->lock);
    return NULL;
}

int cc_sweeper_start(const struct cc_sweeper_cfg *cfg, struct cc_sweeper **out)
{
    struct cc_sweeper *sw = cc_xcalloc(1, sizeof(*sw));
    sw->cfg = *cfg;
    sw->due_ms = INT64_MAX;
    pthread_mutex_init(&sw->run_lock, NULL);
    pthread_mutex_init(&sw->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    /* Interval waits must not stretch or shrink when the clock is set. */
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sw->wake, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&sw->stop, false);
    int rc = pthread_create(&sw->thread, NULL, sweeper_main, sw);
    sw->started = rc == 0;
    *out = sw;
    return -rc;
}

static void signal_thread(struct cc_sweeper *sw, bool request, bool stop)
{
    pthread_mutex_lock(&sw->lock);
    if (stop)
        atomic_store(&sw->stop, true);
    sw->requested = sw->requested || request;
    pthread_cond_broadcast(&sw->wake);
    pthread_mutex_unlock(&sw->lock);
}

void cc_sweeper_stop(struct cc_sweeper *sw)
{
    if (!sw)
        return;
    signal_thread(sw, false, true);
    if (sw->started)
        pthread_join(sw->thread, NULL);
    pthread_cond_destroy(&sw->wake);
    pthread_mutex_destroy(&sw->lock);
    pthread_mutex_destroy(&sw->run_lock);
    free(sw);
}

void cc_sweeper_request(struct cc_sweeper *sw)
{
    signal_thread(sw, true, false);
}

void cc_sweeper_wake(struct cc_sweeper *sw)
{
    signal_thread(sw, false, false);
}

void cc_sweeper_hold(struct cc_sweeper *sw)
{
    pthread_mutex_lock(&sw->run_lock);
}

void cc_sweeper_release(struct cc_sweeper *sw)
{
    pthread_mutex_unlock(&sw->run_lock);
}

void cc_sweeper_stats(struct cc_sweeper *sw, struct cc_sweeper_stats *st)
{
    pthread_mutex_lock(&sw->lock);
    st->sweeps = sw->sweeps;
    st->wakeups = sw->wakeups;
    st->due_ms = sw->due_ms;
    st->running = sw->running;
    pthread_mutex_unlock(&sw->lock);
}
