#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <cmocka.h>

#include "byterange.h"
#include "httphdr.h"
#include "isotime.h"
#include "query.h"

static int instant(const char *s, int64_t *ms, bool *local)
{
    return cc_query_instant(s, strlen(s), ms, local);
}

static void test_instant_epoch_ms(void **state)
{
    (void)state;
    int64_t ms = 0;
    bool local = true;
    assert_int_equal(instant("1737676800000", &ms, &local), 0);
    assert_int_equal(ms, 1737676800000LL);
    assert_false(local);
    assert_int_equal(instant("-1000", &ms, &local), 0);
    assert_int_equal(ms, -1000);
    assert_int_equal(instant("0", &ms, &local), 0);
    assert_int_equal(ms, 0);
    /* the bounds: year 1 and year 9999, and one past each */
    assert_int_equal(instant("253402300799999", &ms, &local), 0);
    assert_int_equal(ms, CC_QUERY_MS_MAX);
    assert_int_equal(instant("-62135596800000", &ms, &local), 0);
    ms = 7;
    assert_int_equal(instant("253402300800000", &ms, &local), -EINVAL);
    assert_int_equal(instant("-62135596800001", &ms, &local), -EINVAL);
    /* more than 16 bytes, even with leading zeros */
    assert_int_equal(instant("00000000000000001", &ms, &local), -EINVAL);
    assert_int_equal(ms, 7);
    assert_int_equal(instant("-", &ms, &local), -EINVAL);
    assert_int_equal(instant("", &ms, &local), -EINVAL);
    assert_int_equal(instant("12x", &ms, &local), -EINVAL);
}

static void test_instant_iso(void **state)
{
    (void)state;
    int64_t ms = 0, want;
    bool local = true;
    assert_int_equal(instant("2025-01-24T08:00:00+08:00", &ms, &local), 0);
    assert_false(local);
    int off;
    bool has;
    const char *utc = "2025-01-24T00:00:00Z";
    assert_int_equal(cc_iso_parse(utc, strlen(utc), &want, &off, &has), 0);
    assert_int_equal(ms, want);
    /* without a zone: the fields as UTC, and the caller told so */
    assert_int_equal(instant("2025-01-24T00:00:00", &ms, &local), 0);
    assert_true(local);
    assert_int_equal(ms, want);
    assert_int_equal(instant("2025-01-24", &ms, &local), -EINVAL);
    assert_int_equal(instant("2025-02-30T00:00:00Z", &ms, &local), -EINVAL);
}

static void test_int(void **state)
{
    (void)state;
    long v = -1;
    assert_int_equal(cc_query_int("5", false, 1, 10, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(cc_query_int("10", false, 1, 10, &v), 0);
    assert_int_equal(v, 10);
    v = -1;
    assert_int_equal(cc_query_int("11", false, 1, 10, &v), -EINVAL);
    assert_int_equal(cc_query_int("0", false, 1, 10, &v), -EINVAL);
    assert_int_equal(cc_query_int("", false, 1, 10, &v), -EINVAL);
    assert_int_equal(cc_query_int("5x", false, 1, 10, &v), -EINVAL);
    assert_int_equal(cc_query_int("99999999999999999999999", false, 1, 10, &v), -EINVAL);
    /* strict: digits only */
    assert_int_equal(cc_query_int("+5", false, 1, 10, &v), -EINVAL);
    assert_int_equal(cc_query_int(" 5", false, 1, 10, &v), -EINVAL);
    assert_int_equal(v, -1);
    /* lenient: what strtol reads before the digits, no more */
    assert_int_equal(cc_query_int("+5", true, 1, 10, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(cc_query_int("  7", true, 1, 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(cc_query_int("+", true, 1, 10, &v), -EINVAL);
    assert_int_equal(cc_query_int(" ", true, 1, 10, &v), -EINVAL);
    assert_int_equal(cc_query_int("-5", true, 1, 10, &v), -EINVAL);
    assert_int_equal(cc_query_int("7 ", true, 1, 10, &v), -EINVAL);
}

static void expect_range(const char *h, uint64_t size, int want, uint64_t ws, uint64_t wl)
{
    uint64_t s = 0, l = 0;
    int rc = cc_byterange_parse(h, size, &s, &l);
    if (rc != want || (want == 1 && (s != ws || l != wl)))
        fail_msg("\"%s\" over %llu: got %d [%llu,+%llu), want %d [%llu,+%llu)", h ? h : "(null)",
                 (unsigned long long)size, rc, (unsigned long long)s, (unsigned long long)l, want,
                 (unsigned long long)ws, (unsigned long long)wl);
}

static void test_byterange(void **state)
{
    (void)state;
    expect_range(NULL, 100, 0, 0, 0);
    expect_range("bytes=0-9", 100, 1, 0, 10);
    expect_range("BYTES= 10-", 100, 1, 10, 90);
    expect_range("bytes=90-200", 100, 1, 90, 10);
    expect_range("bytes=-10", 100, 1, 90, 10);
    expect_range("bytes=-200", 100, 1, 0, 100);
    expect_range("bytes=99-99 ", 100, 1, 99, 1);
    /* unsatisfiable */
    expect_range("bytes=100-", 100, -1, 0, 0);
    expect_range("bytes=-0", 100, -1, 0, 0);
    expect_range("bytes=-5", 0, -1, 0, 0);
    /* everything: malformed, reversed, several ranges, another unit */
    expect_range("bytes=5-1", 100, 0, 0, 0);
    expect_range("bytes=0-1,5-6", 100, 0, 0, 0);
    expect_range("bytes=-", 100, 0, 0, 0);
    expect_range("bytes=1-2x", 100, 0, 0, 0);
    expect_range("items=0-1", 100, 0, 0, 0);
    expect_range("bytes=", 100, 0, 0, 0);
    /* 20 digits: more than the parser reads, so malformed, not wrapped */
    expect_range("bytes=99999999999999999999-", 100, 0, 0, 0);
}

static void test_etag_listed(void **state)
{
    (void)state;
    const char *e = "\"1a-2b\"";
    assert_true(cc_http_etag_listed("\"1a-2b\"", e, true));
    assert_true(cc_http_etag_listed("\"x\", \"1a-2b\"", e, true));
    assert_true(cc_http_etag_listed(" \"x\",\t\"1a-2b\" ,", e, false));
    assert_true(cc_http_etag_listed("*", e, false));
    assert_true(cc_http_etag_listed("W/\"1a-2b\"", e, true));
    assert_false(cc_http_etag_listed("W/\"1a-2b\"", e, false)); /* If-Range: strong only */
    /* a prefix or an extension of the tag is another tag */
    assert_false(cc_http_etag_listed("\"1a-2b", e, true));
    assert_false(cc_http_etag_listed("\"1a-2b\"x", e, true));
    assert_false(cc_http_etag_listed("\"1a-2b\"\"", e, true));
    assert_false(cc_http_etag_listed("*x", e, true));
    assert_false(cc_http_etag_listed("", e, true));
    assert_false(cc_http_etag_listed(",,, ", e, true));
    assert_false(cc_http_etag_listed("W/", e, true));
}

static void test_accepts_gzip(void **state)
{
    (void)state;
    assert_false(cc_http_accepts_gzip(NULL));
    assert_false(cc_http_accepts_gzip(""));
    assert_true(cc_http_accepts_gzip("gzip, deflate, br"));
    assert_true(cc_http_accepts_gzip("br;q=1.0, GZIP;q=0.5"));
    assert_true(cc_http_accepts_gzip("x-gzip"));
    assert_true(cc_http_accepts_gzip("deflate, * ;q=0.1"));
    assert_true(cc_http_accepts_gzip("gzip ; level=1 ; Q=0.001"));
    assert_false(cc_http_accepts_gzip("gzip;q=0"));
    assert_false(cc_http_accepts_gzip("gzip;q=0.000, *")); /* named beats * */
    assert_false(cc_http_accepts_gzip("identity, *;q=0"));
    assert_false(cc_http_accepts_gzip("gzipped, xgzip, gzip2"));
    assert_false(cc_http_accepts_gzip("deflate;q=1, br"));
    assert_false(cc_http_accepts_gzip("gzip;q=nan"));
    assert_false(cc_http_accepts_gzip("deflate;q=0.5;gzip"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instant_epoch_ms),
        cmocka_unit_test(test_instant_iso),
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_byterange),
        cmocka_unit_test(test_etag_listed),
        cmocka_unit_test(test_accepts_gzip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
