/* sweeper — when retention sweeps run: a thread that sweeps at start and then
 * every interval, wakes early to stop or for a "now" request, and the one
 * lock every deleter holds (a sweep, DELETE of a day or of a recording), so
 * two deleters never plan with the other's victims still counted.
 *
 * What a sweep does is the caller's (the sweep callback; retention.h decides
 * and deletes). The next sweep is due interval_s after the previous one
 * ended, by the clock seam now_ms (default CLOCK_MONOTONIC: setting the wall
 * clock neither stretches nor shrinks an interval). A test moves its own
 * clock and calls cc_sweeper_wake() so the thread looks at it again.
 *
 * Ownership: cc_sweeper_start() allocates; cc_sweeper_stop() wakes, joins
 * and frees. Thread rules: start/stop on one thread (the server's main);
 * every other function from any thread. The callbacks run on the sweeper's
 * thread, or on the caller's for cc_sweeper_run(). */
#ifndef CC_SWEEPER_H
#define CC_SWEEPER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct cc_sweeper;

struct cc_sweeper_cfg {
    int interval_s; /* <= 0: one sweep at start, then the thread ends */
    /* One sweep, with the deleters' lock held. arg: cc_sweeper_run()'s, or
     * NULL on the thread. stop turns true when the sweeper is stopping: a
     * long sweep should end early. Returns 0 or -errno. */
    int (*sweep)(void *ud, void *arg, const atomic_bool *stop);
    /* Run once on the thread before the first sweep (NULL: nothing); false
     * means no sweeps at all (no policy), and the thread ends. */
    bool (*prepare)(void *ud);
    int64_t (*now_ms)(void *ud); /* the clock seam; NULL: CLOCK_MONOTONIC */
    void *ud;
};

struct cc_sweeper_stats {
    uint64_t sweeps;  /* sweeps the thread ran (not cc_sweeper_run's) */
    uint64_t wakeups; /* times the thread looked at the clock again */
    int64_t due_ms;   /* when the next is due by now_ms; INT64_MAX: none */
    bool running;     /* the thread is alive and will sweep again */
};

/* Starts the thread: 0, or -errno when it could not be created (the sweeper
 * is still returned in *out: the lock and cc_sweeper_run() work without it). */
int cc_sweeper_start(const struct cc_sweeper_cfg *cfg, struct cc_sweeper **out);
/* Sets stop, wakes the thread, waits for it (a sweep in progress sees stop)
 * and frees. NULL is a no-op. */
void cc_sweeper_stop(struct cc_sweeper *sw);

/* A sweep now on the caller's thread, under the lock: the callback's return. */
int cc_sweeper_run(struct cc_sweeper *sw, void *arg);
/* Asks the thread for a sweep now (it does not wait for the interval). */
void cc_sweeper_request(struct cc_sweeper *sw);
/* Wakes the thread to look at the clock again (after a seam clock moved). */
void cc_sweeper_wake(struct cc_sweeper *sw);

/* The deleters' lock, for deleters outside a sweep. */
void cc_sweeper_hold(struct cc_sweeper *sw);
void cc_sweeper_release(struct cc_sweeper *sw);

void cc_sweeper_stats(struct cc_sweeper *sw, struct cc_sweeper_stats *st);

#endif
