/* The sweep scheduler: due times by its clock seam, "now" requests, stop,
 * and the deleters' lock. No timed asserts: the tests wait for the state
 * they expect (a hang, not a flake, is how a broken wake-up shows). */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "sweeper.h"

struct fake {
    atomic_llong now_ms;   /* the seam clock */
    atomic_int sweeps;     /* callback calls, thread and cc_sweeper_run */
    atomic_bool holder_in; /* a concurrent holder is inside the lock */
    atomic_int overlaps;   /* sweeps that ran while it was */
    atomic_bool saw_stop;
    atomic_bool entered;   /* a sweep has begun */
    bool block_until_stop; /* the sweep runs until stop is set */
    bool prepare_ok;
};

static int64_t fake_now(void *ud)
{
    return atomic_load(&((struct fake *)ud)->now_ms);
}

static int fake_sweep(void *ud, void *arg, const atomic_bool *stop)
{
    struct fake *f = ud;
    if (atomic_load(&f->holder_in))
        atomic_fetch_add(&f->overlaps, 1);
    atomic_store(&f->entered, true);
    while (f->block_until_stop && !atomic_load(stop))
        sched_yield();
    atomic_store(&f->saw_stop, atomic_load(stop));
    atomic_fetch_add(&f->sweeps, 1);
    if (arg)
        *(int *)arg = 42;
    return 0;
}

static bool fake_prepare(void *ud)
{
    return ((struct fake *)ud)->prepare_ok;
}

static struct cc_sweeper *start(struct fake *f, int interval_s)
{
    struct cc_sweeper_cfg cfg = {.interval_s = interval_s,
                                 .sweep = fake_sweep,
                                 .prepare = fake_prepare,
                                 .now_ms = fake_now,
                                 .ud = f};
    struct cc_sweeper *sw = NULL;
    assert_int_equal(cc_sweeper_start(&cfg, &sw), 0);
    return sw;
}

static void wait_stats(struct cc_sweeper *sw, uint64_t sweeps, uint64_t wakeups,
                       struct cc_sweeper_stats *st)
{
    for (;;) {
        cc_sweeper_stats(sw, st);
        if (st->sweeps >= sweeps && st->wakeups >= wakeups)
            return;
        usleep(1000);
    }
}

/* A sweep at start; the next is due interval_s after it by the seam clock,
 * not earlier, and then again interval_s after that one. */
static void test_due_times(void **state)
{
    (void)state;
    struct fake f = {.prepare_ok = true};
    atomic_store(&f.now_ms, 1000000);
    struct cc_sweeper *sw = start(&f, 600);
    struct cc_sweeper_stats st;
    wait_stats(sw, 1, 0, &st);
    assert_int_equal(st.sweeps, 1);
    assert_int_equal(st.due_ms, 1000000 + 600000);
    assert_true(st.running);

    atomic_store(&f.now_ms, 1000000 + 599999); /* a millisecond early */
    uint64_t w = st.wakeups;
    cc_sweeper_wake(sw);
    wait_stats(sw, 1, w + 1, &st);
    assert_int_equal(st.sweeps, 1);
    assert_int_equal(atomic_load(&f.sweeps), 1);

    atomic_store(&f.now_ms, 1000000 + 600000 + 5000); /* due, and a bit late */
    cc_sweeper_wake(sw);
    wait_stats(sw, 2, 0, &st);
    assert_int_equal(st.due_ms, 1000000 + 605000 + 600000); /* from when it ran */
    cc_sweeper_stop(sw);
    assert_int_equal(atomic_load(&f.sweeps), 2);
}

/* A "now" request sweeps before the interval is up, and restarts it. */
static void test_request_wakes(void **state)
{
    (void)state;
    struct fake f = {.prepare_ok = true};
    atomic_store(&f.now_ms, 50);
    struct cc_sweeper *sw = start(&f, 3600);
    struct cc_sweeper_stats st;
    wait_stats(sw, 1, 0, &st);
    atomic_store(&f.now_ms, 1050);
    cc_sweeper_request(sw);
    wait_stats(sw, 2, 0, &st);
    assert_int_equal(st.due_ms, 1050 + 3600000);
    int res = 0; /* and one on the caller's thread, with its argument */
    assert_int_equal(cc_sweeper_run(sw, &res), 0);
    assert_int_equal(res, 42);
    cc_sweeper_stats(sw, &st);
    assert_int_equal(st.sweeps, 2); /* the thread's count only */
    cc_sweeper_stop(sw);
    assert_int_equal(atomic_load(&f.sweeps), 3);
}

/* Stop wakes a thread waiting out a long interval (with the real clock) and
 * one in the middle of a sweep, which sees stop set. */
static void test_stop(void **state)
{
    (void)state;
    struct fake f = {.prepare_ok = true};
    struct cc_sweeper_cfg cfg = {.interval_s = 86400, .sweep = fake_sweep, .ud = &f};
    struct cc_sweeper *sw = NULL;
    assert_int_equal(cc_sweeper_start(&cfg, &sw), 0);
    struct cc_sweeper_stats st;
    wait_stats(sw, 1, 0, &st);
    cc_sweeper_stop(sw); /* would hang a day if the wait were not woken */
    assert_false(atomic_load(&f.saw_stop));

    struct fake g = {.prepare_ok = true, .block_until_stop = true};
    cfg.ud = &g;
    assert_int_equal(cc_sweeper_start(&cfg, &sw), 0);
    while (!atomic_load(&g.entered))
        sched_yield();
    cc_sweeper_stop(sw); /* would hang for ever if the sweep never saw stop */
    assert_int_equal(atomic_load(&g.sweeps), 1);
    assert_true(atomic_load(&g.saw_stop));
}

/* No policy (prepare says no): no sweep, the thread ends by itself; an
 * interval <= 0 sweeps once at start. */
static void test_no_sweeps(void **state)
{
    (void)state;
    struct fake f = {.prepare_ok = false};
    struct cc_sweeper *sw = start(&f, 600);
    struct cc_sweeper_stats st;
    do
        cc_sweeper_stats(sw, &st);
    while (st.due_ms != INT64_MAX || st.running || (usleep(1000), false));
    cc_sweeper_stop(sw);
    assert_int_equal(atomic_load(&f.sweeps), 0);

    struct fake g = {.prepare_ok = true};
    sw = start(&g, 0);
    wait_stats(sw, 1, 0, &st);
    do
        cc_sweeper_stats(sw, &st);
    while (st.running);
    cc_sweeper_request(sw); /* nobody listens any more */
    cc_sweeper_stop(sw);
    assert_int_equal(atomic_load(&g.sweeps), 1);
}

struct runner {
    struct cc_sweeper *sw;
    atomic_bool entered;
};

static void *run_thread(void *arg)
{
    struct runner *r = arg;
    atomic_store(&r->entered, true);
    cc_sweeper_run(r->sw, NULL);
    return NULL;
}

/* A holder of the lock (DELETE) excludes sweeps from either thread: both
 * run only after it releases. */
static void test_lock_excludes(void **state)
{
    (void)state;
    struct fake f = {.prepare_ok = true};
    atomic_store(&f.now_ms, 0);
    struct cc_sweeper *sw = start(&f, 600);
    struct cc_sweeper_stats st;
    wait_stats(sw, 1, 0, &st);

    cc_sweeper_hold(sw);
    atomic_store(&f.holder_in, true);
    struct runner r = {.sw = sw};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_thread, &r), 0);
    cc_sweeper_request(sw);
    while (!atomic_load(&r.entered))
        sched_yield();
    usleep(20000); /* a chance to break in, were the lock not held */
    assert_int_equal(atomic_load(&f.sweeps), 1);
    atomic_store(&f.holder_in, false);
    cc_sweeper_release(sw);
    assert_int_equal(pthread_join(t, NULL), 0);
    wait_stats(sw, 2, 0, &st);
    cc_sweeper_stop(sw);
    assert_int_equal(atomic_load(&f.sweeps), 3);
    assert_int_equal(atomic_load(&f.overlaps), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_times),     cmocka_unit_test(test_request_wakes),
        cmocka_unit_test(test_stop),          cmocka_unit_test(test_no_sweeps),
        cmocka_unit_test(test_lock_excludes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
