#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <stdbool.h>

#include <cmocka.h>

#include "isotime.h"

static int64_t parse_ok(const char *s, int *off, bool *has_off)
{
    int64_t ms = 0;
    assert_int_equal(cc_iso_parse(s, strlen(s), &ms, off, has_off), 0);
    return ms;
}

static void test_offsets(void **state)
{
    int off;
    bool has;
    /* 2025-01-24T00:00:00Z = 1737676800000 */
    assert_int_equal(parse_ok("2025-01-24T00:00:00Z", &off, &has), 1737676800000LL);
    assert_int_equal(off, 0);
    assert_true(has);
    assert_int_equal(parse_ok("2025-01-24T08:00:00+08:00", &off, &has), 1737676800000LL);
    assert_int_equal(off, 480);
    assert_int_equal(parse_ok("2025-01-24T08:00:00+0800", &off, &has), 1737676800000LL);
    assert_int_equal(parse_ok("2025-01-23T19:00:00-05:00", &off, &has), 1737676800000LL);
    assert_int_equal(off, -300);
    assert_int_equal(parse_ok("2025-01-24T05:30:00+0530", &off, &has), 1737676800000LL);
    assert_int_equal(parse_ok("2025-01-24T08:00:00+08", &off, &has), 1737676800000LL);
    assert_int_equal(parse_ok("2025-01-24T00:00:00", &off, &has), 1737676800000LL);
    assert_false(has);
}

static void test_fractions(void **state)
{
    int off;
    bool has;
    const int64_t base = 1737676800000LL;
    assert_int_equal(parse_ok("2025-01-24T00:00:00.5Z", &off, &has), base + 500);
    assert_int_equal(parse_ok("2025-01-24T00:00:00.12Z", &off, &has), base + 120);
    assert_int_equal(parse_ok("2025-01-24T00:00:00.123Z", &off, &has), base + 123);
    assert_int_equal(parse_ok("2025-01-24T00:00:00.123456789Z", &off, &has), base + 123);
    assert_int_equal(parse_ok("2025-01-24 00:00:00.999+00:00", &off, &has), base + 999);
}

static void test_rejects(void **state)
{
    const char *bad[] = {"",
                         "2025-01-24",
                         "2025-13-24T00:00:00Z",
                         "2025-02-29T00:00:00Z",
                         "2025-01-24T24:00:00Z",
                         "2025-01-24T00:60:00Z",
                         "2025-01-24T00:00:00.Z",
                         "2025-01-24T00:00:00.1234567890Z",
                         "2025-01-24T00:00:00+25:00",
                         "2025-01-24T00:00:00+08:0",
                         "2025-01-24T00:00:00ZZ",
                         "2025-01-24X00:00:00Z",
                         "abcd-ef-ghT00:00:00Z"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ms = 42;
        int off = 7;
        bool has = false;
        assert_int_equal(cc_iso_parse(bad[i], strlen(bad[i]), &ms, &off, &has), -EINVAL);
        assert_int_equal(ms, 42); /* outputs untouched on failure */
    }
}

static void test_dates(void **state)
{
    struct cc_date d;
    assert_int_equal(cc_date_parse("2024-02-29", 10, &d), 0);
    assert_int_equal(cc_date_parse("2023-02-29", 10, &d), -EINVAL);
    assert_int_equal(cc_date_parse("2025-1-24", 9, &d), -EINVAL);
    assert_int_equal(cc_date_parse("../../etc", 9, &d), -EINVAL);
    assert_int_equal(cc_date_parse("2025-01-24/", 11, &d), -EINVAL);
    assert_int_equal(cc_date_parse("0000-01-01", 10, &d), -EINVAL);
    assert_int_equal(cc_date_parse("2025-01-24", 10, &d), 0);
    char out[11];
    cc_date_format(&d, out);
    assert_string_equal(out, "2025-01-24");
    assert_int_equal(cc_date_start_ms(&d, 480), 1737676800000LL - 8 * 3600000LL);
    for (int64_t days = -800000; days < 800000; days += 997) {
        int y, m, dd;
        cc_civil_from_days(days, &y, &m, &dd);
        assert_int_equal(cc_days_from_civil(y, m, dd), days);
    }
}

static void test_format(void **state)
{
    char out[CC_ISO_MAX];
    cc_iso_format(1737676800123LL, 480, out);
    assert_string_equal(out, "2025-01-24T08:00:00.123+08:00");
    cc_iso_format(1737676800000LL, -300, out);
    assert_string_equal(out, "2025-01-23T19:00:00.000-05:00");
    cc_iso_format(1737676800000LL, 0, out);
    assert_string_equal(out, "2025-01-24T00:00:00.000Z");
    cc_iso_format(-1, 0, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    /* round trip */
    int64_t ms;
    int off;
    bool has;
    cc_iso_format(1737676812345LL, 330, out);
    assert_int_equal(cc_iso_parse(out, strlen(out), &ms, &off, &has), 0);
    assert_int_equal(ms, 1737676812345LL);
    assert_int_equal(off, 330);
}

static void expect_date(int64_t ms, int off, int y, int m, int d)
{
    struct cc_date out;
    cc_date_of(ms, off, &out);
    if (out.year != y || out.month != m || out.day != d)
        fail_msg("%lld at %+d: %04d-%02d-%02d, want %04d-%02d-%02d", (long long)ms, off, out.year,
                 out.month, out.day, y, m, d);
}

static void test_date_of(void **state)
{
    (void)state;
    int64_t t = 1737676800000LL; /* 2025-01-24T00:00:00Z */
    expect_date(t, 0, 2025, 1, 24);
    expect_date(t - 1, 0, 2025, 1, 23);   /* floor, not truncation */
    expect_date(t - 1, 480, 2025, 1, 24); /* 07:59:59.999 in +08:00 */
    expect_date(t, -300, 2025, 1, 23);
    expect_date(-1, 0, 1969, 12, 31);
    expect_date(INT64_MIN / 4, 0, 1, 1, 1); /* clamped */
    expect_date(INT64_MAX / 4, 0, 9999, 12, 31);
}

/* The cache changes no answer: a sequence of texts read through one cache
 * gives what each gives alone, errors included, whatever came before. */
static void test_cached_same_as_plain(void **state)
{
    (void)state;
    static const char *seq[] = {
        "2025-01-24T08:00:00.000+08:00",
        "2025-01-24T08:00:02.000+08:00",
        "2025-01-24T08:00:59.999+08:00",
        "2025-01-24T08:01:01.500+08:00",
        "2025-01-24T24:01:01.500+08:00", /* hour out of range */
        "2025-01-24T08:0a:01.500+08:00", /* a digit turned letter */
        "2025-01-24T08:01:03.500+08:00",
        "2025-01-24T08:01:03.500+09:00",
        "2025-01-24T08:01:03.500-09:00",
        "2025-01-24T08:01:03.500+0900",
        "2025-01-25T08:01:03.500+08:00",
        "2025-01-26T25:01:03.500+08:00", /* a new date, then a bad hour */
        "2025-01-25T08:01:04.500+08:00", /* the last good one's date again */
        "2025-02-30T08:01:03.500+08:00", /* no such date */
        "2025-02-30T08:01:05.500+08:00",
        "2025-01-25T08:01:05.500+08:00",
        "2025-01-25T08:01:05.5+08:00",
        "2025-01-25T08:01:07.5+08:00",
        "2025-01-25T08:01:07.5",
        "2025-01-25T08:01:09.5",
        "2025-01-25T08:01:09Z",
        "2025-01-25T08:01:09.Z",
        "2025-01-25T08:01:60Z",
        "2025-01-25T08:01:61Z",
        "2025-01-25 08:01:11Z",
        "2025-01-25T08:01:11.123456789Z",
        "2025-01-25T08:01:13.123456789Z",
        "2025-01-25T08:01:13.1234567891Z",
        "2024-12-31T23:59:59.999Z",
        "2025-01-01T00:00:00.000Z",
        "2025-01-01T00:00:00.000Z",
        "2025-01-01T00:00:00:000Z",
        /* only the seconds change, to good and bad digits */
        "2025-01-01T00:00:02.000Z",
        "2025-01-01T00:00:6a.000Z",
        "2025-01-01T00:00:61.000Z",
        "2025-01-01T00:00:60.000Z",
        "2025-01-01T00:00:0:.000Z",
        "2025-01-01T00:00:04.000Z",
        "2025-01-01T00:00:04.001Z",
        "2025-01-01T00:00:06.001Z",
        "2025-01-01T00:01:06.001Z",
        "2025-01-01T00:01:08.001Z",
        "2025-01-01T00:01:08.001+01:00",
        "2025-01-01T00:01:10.001+01:00",
        "2025-01-01T00:01:12.001+01:0a",
        "2025-01-01T00:01:14.001+01:00",
    };
    struct cc_iso_cache c;
    memset(&c, 0, sizeof(c));
    for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
        int64_t a = -1, b = -2;
        int oa = 99, ob = 98;
        bool ha = false, hb = true;
        int ra = cc_iso_parse(seq[i], strlen(seq[i]), &a, &oa, &ha);
        int rb = cc_iso_parse_cached(&c, seq[i], strlen(seq[i]), &b, &ob, &hb);
        print_message("    %s: %d\n", seq[i], ra);
        assert_int_equal(ra, rb);
        if (ra == 0) {
            assert_int_equal(a, b);
            assert_int_equal(oa, ob);
            assert_int_equal(ha, hb);
        }
    }
}

/* A day of 2 s chunks in each shape a recorder writes, read through one
 * cache: the answer of the plain parse every time. */
static void test_cached_day(void **state)
{
    (void)state;
    static const char *const fmts[] = {"2025-03-01T%02d:%02d:%02d.%03d+08:00",
                                       "2025-03-01T%02d:%02d:%02d.%03dZ",
                                       "2025-03-01T%02d:%02d:%02d.%03d000-0530",
                                       "2025-03-01T%02d:%02d:%02d.%01d",
                                       "2025-03-01T%02d:%02d:%02dZ%.0d"};
    for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
        struct cc_iso_cache c;
        memset(&c, 0, sizeof(c));
        for (int t = 0; t < 86400 * 1000; t += 1960) {
            char s[64];
            int ms = t % 1000;
            snprintf(s, sizeof(s), fmts[f], t / 3600000, t / 60000 % 60, t / 1000 % 60,
                     f == 3   ? ms / 100
                     : f == 4 ? 0
                              : ms);
            int64_t a = -1, b = -2;
            int oa = 99, ob = 98;
            bool ha = false, hb = true;
            int ra = cc_iso_parse(s, strlen(s), &a, &oa, &ha);
            int rb = cc_iso_parse_cached(&c, s, strlen(s), &b, &ob, &hb);
            assert_int_equal(ra, 0);
            assert_int_equal(rb, 0);
            if (a != b || oa != ob || ha != hb)
                fail_msg("%s: %lld%+d, cached %lld%+d", s, (long long)a, oa, (long long)b, ob);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_fractions),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_date_of),
        cmocka_unit_test(test_cached_same_as_plain),
        cmocka_unit_test(test_cached_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
