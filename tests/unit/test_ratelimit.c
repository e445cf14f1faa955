#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ratelimit.h"

/* The injected clock (ms). */
static int64_t fake_now;
static int64_t fake_clock(void)
{
    return fake_now;
}

#define WINDOW 60000

static struct cc_ratelimit *table(size_t slots, uint32_t limit)
{
    struct cc_ratelimit *rl = NULL;
    fake_now = 5000000;
    assert_int_equal(cc_ratelimit_new(slots, limit, WINDOW, fake_clock, &rl), 0);
    return rl;
}

/* The limit-th failure in a window refuses the client until the window that
 * began at its first failure ends; others are not touched. */
static void test_limit_and_window(void **state)
{
    struct cc_ratelimit *rl = table(8, 3);
    int64_t start = fake_now;
    assert_int_equal(cc_ratelimit_wait(rl, "10.0.0.5"), 0);
    for (int i = 0; i < 2; i++) {
        cc_ratelimit_fail(rl, "10.0.0.5");
        fake_now += 1000;
        assert_int_equal(cc_ratelimit_wait(rl, "10.0.0.5"), 0);
    }
    cc_ratelimit_fail(rl, "10.0.0.5");
    assert_int_equal(cc_ratelimit_wait(rl, "10.0.0.5"), start + WINDOW - fake_now);
    assert_int_equal(cc_ratelimit_wait(rl, "10.0.0.6"), 0);
    fake_now = start + WINDOW - 1;
    assert_int_equal(cc_ratelimit_wait(rl, "10.0.0.5"), 1);
    fake_now = start + WINDOW;
    assert_int_equal(cc_ratelimit_wait(rl, "10.0.0.5"), 0);
    /* A new window counts from zero. */
    cc_ratelimit_fail(rl, "10.0.0.5");
    cc_ratelimit_fail(rl, "10.0.0.5");
    assert_int_equal(cc_ratelimit_wait(rl, "10.0.0.5"), 0);
    cc_ratelimit_fail(rl, "10.0.0.5");
    assert_int_equal(cc_ratelimit_wait(rl, "10.0.0.5"), WINDOW);
    cc_ratelimit_free(rl);
}

/* The first failure is reported at once; later ones are gathered and
 * reported with their count no sooner than a window after the last report. */
static void test_report_once_a_window(void **state)
{
    struct cc_ratelimit *rl = table(8, 1000);
    int64_t start = fake_now;
    assert_int_equal(cc_ratelimit_fail(rl, "a"), 1);
    for (int i = 0; i < 7; i++) {
        fake_now += 5000;
        assert_int_equal(cc_ratelimit_fail(rl, "a"), 0);
    }
    assert_int_equal(cc_ratelimit_fail(rl, "b"), 1);
    fake_now = start + WINDOW - 1;
    assert_int_equal(cc_ratelimit_fail(rl, "a"), 0);
    fake_now = start + WINDOW;
    assert_int_equal(cc_ratelimit_fail(rl, "a"), 9);
    fake_now += 1;
    assert_int_equal(cc_ratelimit_fail(rl, "a"), 0);
    cc_ratelimit_free(rl);
}

/* A full table gives a newcomer the slot of the client seen longest ago,
 * one whose window is over before one still limited. */
static void test_eviction(void **state)
{
    struct cc_ratelimit *rl = table(3, 2);
    int64_t start = fake_now;
    const char *c[] = {"c0", "c1", "c2"};
    for (int i = 0; i < 3; i++) {
        cc_ratelimit_fail(rl, c[i]);
        cc_ratelimit_fail(rl, c[i]);
        assert_true(cc_ratelimit_wait(rl, c[i]) > 0);
        fake_now += 1000;
    }
    /* c0 is the oldest: evicted, and so let through again. */
    cc_ratelimit_fail(rl, "c3");
    assert_int_equal(cc_ratelimit_wait(rl, "c0"), 0);
    assert_true(cc_ratelimit_wait(rl, "c1") > 0);
    assert_true(cc_ratelimit_wait(rl, "c2") > 0);
    /* c3's window (from start + 3 s) is over at start + WINDOW + 3000 and c1's
     * only then too; move c1 and c2 on to new windows that are limited. */
    fake_now = start + WINDOW + 3000;
    for (int i = 1; i < 3; i++) {
        cc_ratelimit_fail(rl, c[i]);
        cc_ratelimit_fail(rl, c[i]);
    }
    /* c3 was seen before c1 and c2 and its window is over: it goes. */
    cc_ratelimit_fail(rl, "c4");
    assert_true(cc_ratelimit_wait(rl, "c1") > 0);
    assert_true(cc_ratelimit_wait(rl, "c2") > 0);
    assert_int_equal(cc_ratelimit_fail(rl, "c3"), 1);
    cc_ratelimit_free(rl);
}

/* Over-long keys are cut, not overrun; bad parameters are refused. */
static void test_keys_and_parameters(void **state)
{
    struct cc_ratelimit *rl = table(4, 1);
    char longkey[200];
    memset(longkey, 'x', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    cc_ratelimit_fail(rl, longkey);
    assert_true(cc_ratelimit_wait(rl, longkey) > 0);
    assert_int_equal(cc_ratelimit_wait(rl, ""), 0);
    cc_ratelimit_free(rl);
    struct cc_ratelimit *z = NULL;
    assert_int_equal(cc_ratelimit_new(0, 1, 1, NULL, &z), -EINVAL);
    assert_int_equal(cc_ratelimit_new(1, 0, 1, NULL, &z), -EINVAL);
    assert_int_equal(cc_ratelimit_new(1, 1, 0, NULL, &z), -EINVAL);
    cc_ratelimit_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_and_window),
        cmocka_unit_test(test_report_once_a_window),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_keys_and_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
