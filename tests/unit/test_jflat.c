#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <cmocka.h>

#include "jflat.h"

#define MAX 4

static int parse(const char *s, struct cc_jflat_member *m, size_t *n)
{
    return cc_jflat_parse(s, strlen(s), m, MAX, n);
}

static void test_time_body(void **state)
{
    struct cc_jflat_member m[MAX];
    size_t n;
    assert_int_equal(parse(" {\"epoch_ms\": 1737676800000 ,\n\"utc_offset_min\":-300}\r\n", m, &n),
                     0);
    assert_int_equal(n, 2);
    int64_t v;
    assert_int_equal(cc_jflat_int(cc_jflat_get(m, n, "epoch_ms"), 0, INT64_MAX, &v), 0);
    assert_true(v == 1737676800000LL);
    assert_int_equal(cc_jflat_int(cc_jflat_get(m, n, "utc_offset_min"), -840, 840, &v), 0);
    assert_int_equal(v, -300);
    assert_null(cc_jflat_get(m, n, "epoch"));
    assert_null(cc_jflat_get(m, n, "epoch_ms_"));
}

static void test_scalars(void **state)
{
    struct cc_jflat_member m[MAX];
    size_t n;
    assert_int_equal(parse("{\"s\":\"a\\\"b\\u00e9\xc3\xa9\",\"t\":true,\"f\":false,\"z\":null}", m,
                           &n),
                     0);
    assert_int_equal(n, 4);
    assert_int_equal(m[0].type, CC_JFLAT_STRING);
    assert_int_equal(m[0].val_len, strlen("a\\\"b\\u00e9\xc3\xa9"));
    assert_int_equal(m[1].type, CC_JFLAT_BOOL);
    assert_int_equal(m[2].type, CC_JFLAT_BOOL);
    assert_int_equal(m[3].type, CC_JFLAT_NULL);
    assert_int_equal(parse("{}", m, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(parse("{\"n\":-0.5e+3}", m, &n), 0);
    assert_int_equal(m[0].type, CC_JFLAT_NUMBER);
}

static void test_refused(void **state)
{
    static const char *const bad[] = {
        "",
        " ",
        "[]",
        "{",
        "}",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{,}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1}x",
        "{\"a\":1}{}",
        "{\"a\":{}}",
        "{\"a\":[1]}",
        "{a:1}",
        "{'a':1}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":+1}",
        "{\"a\":1e}",
        "{\"a\":-}",
        "{\"a\":tru}",
        "{\"a\":nul}",
        "{\"a\":True}",
        "{\"a\":NaN}",
        "{\"a\":Infinity}",
        "{\"a\":\"x}",
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\t\"}",
        "{\"a\":\"\xc3\"}",
        "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":\"\xed\xa0\x80\"}",
        "{\"a\":\"\xf4\x90\x80\x80\"}",
        "{\"a\":\"\xff\"}",
        "{\"a\":1,\"a\":2}",
        "\xef\xbb\xbf{}",
    };
    struct cc_jflat_member m[MAX];
    size_t n;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i], m, &n) != -EINVAL)
            fail_msg("accepted: %s", bad[i]);
    }
    /* NUL bytes inside the text are data, not an end. */
    assert_int_equal(cc_jflat_parse("{}\0", 3, m, MAX, &n), -EINVAL);
    assert_int_equal(cc_jflat_parse("{\"a\":\"\0\"}", 9, m, MAX, &n), -EINVAL);
    assert_int_equal(parse("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}", m, &n), -E2BIG);
}

static void test_int(void **state)
{
    struct cc_jflat_member m[MAX];
    size_t n;
    int64_t v = 7;
    assert_int_equal(parse("{\"a\":1.5,\"b\":1e3,\"c\":\"12\",\"d\":123456789012345678901}", m, &n),
                     0);
    assert_int_equal(cc_jflat_int(&m[0], 0, 10, &v), -EINVAL);
    assert_int_equal(cc_jflat_int(&m[1], 0, 10000, &v), -EINVAL);
    assert_int_equal(cc_jflat_int(&m[2], 0, 100, &v), -EINVAL);
    assert_int_equal(cc_jflat_int(&m[3], 0, INT64_MAX, &v), -ERANGE);
    assert_int_equal(v, 7);
    assert_int_equal(parse("{\"a\":-841,\"b\":-0,\"c\":999999999999999999}", m, &n), 0);
    assert_int_equal(cc_jflat_int(&m[0], -840, 840, &v), -ERANGE);
    assert_int_equal(cc_jflat_int(&m[1], -840, 840, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cc_jflat_int(&m[2], 0, INT64_MAX, &v), 0);
    assert_true(v == 999999999999999999LL);
}

/* Every prefix of a valid body is refused and never read past its end (the
 * sanitizer build checks the reads: each prefix gets its own exact-size copy). */
static void test_prefixes(void **state)
{
    const char *s =
        "{\"epoch_ms\":1737676800000,\"utc_offset_min\":-300,\"x\":\"\\u00e9\xc3\xa9\"}";
    size_t len = strlen(s);
    struct cc_jflat_member m[MAX];
    size_t n;
    for (size_t cut = 0; cut < len; cut++) {
        char *copy = test_malloc(cut ? cut : 1);
        memcpy(copy, s, cut);
        assert_int_equal(cc_jflat_parse(copy, cut, m, MAX, &n), -EINVAL);
        test_free(copy);
    }
    assert_int_equal(cc_jflat_parse(s, len, m, MAX, &n), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_body), cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_refused),   cmocka_unit_test(test_int),
        cmocka_unit_test(test_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
