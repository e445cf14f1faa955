#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <cmocka.h>

#include "urlpath.h"

static int norm(const char *raw, char *out, size_t outsz)
{
    return cc_urlpath_normalize(raw, strlen(raw), out, outsz);
}

static void expect_ok(const char *raw, const char *want)
{
    char out[CC_URLPATH_MAX];
    int rc = norm(raw, out, sizeof(out));
    if (rc < 0)
        fail_msg("\"%s\" refused (%d), want \"%s\"", raw, rc, want);
    assert_string_equal(out, want);
    assert_int_equal(rc, (int)strlen(want));
}

static void expect_refused(const char *raw, int want_rc)
{
    char out[CC_URLPATH_MAX];
    int rc = norm(raw, out, sizeof(out));
    if (rc != want_rc)
        fail_msg("\"%s\": got %d, want %d", raw, rc, want_rc);
}

static void test_plain_paths(void **state)
{
    expect_ok("/", "/");
    expect_ok("/index.html", "/index.html");
    expect_ok("/rec/2025-01-24/00001/index.m3u8", "/rec/2025-01-24/00001/index.m3u8");
    expect_ok("/app/", "/app/");
    expect_ok("/a/b..c/d.", "/a/b..c/d.");
    expect_ok("/a-b_c~d+e", "/a-b_c~d+e");
}

static void test_decodes_once(void **state)
{
    expect_ok("/rec/a%20b.ts", "/rec/a b.ts");
    expect_ok("/%41%62c", "/Abc");
    expect_ok("/x%3ay", "/x:y");
    /* A '+' in a path is a plus, never a space. */
    expect_ok("/a+b", "/a+b");
}

static void test_traversal_refused(void **state)
{
    const char *bad[] = {
        "/..",
        "/../etc/passwd",
        "/rec/../../etc/passwd",
        "/rec/2025-01-24/..",
        "/rec/./x.ts",
        "/.",
        "/rec/%2e%2e/secret",
        "/rec/%2E%2E/secret",
        "/rec/.%2e/secret",
        "/rec/%2e./secret",
        "/rec/%2e",
        "/rec/..%2fsecret",
        "/rec/..%2Fsecret",
        "/rec%2f..%2fsecret",
        "/rec/%252e%252e/secret", /* double encoding */
        "/rec/%25",               /* decodes to a lone '%' */
        "/rec/..\\secret",
        "/rec/%5c..%5csecret",
        "/rec/a%00.ts",
        "/rec/a%0a.ts",
        "/rec/a%7f",
        "/rec/%c0%ae%c0%ae/secret", /* overlong UTF-8 dots */
        "/rec/%c3%a9",
        "/rec//etc/passwd",
        "//etc/passwd",
        "/rec/x//y",
        "rec/x.ts",
        "",
        "/rec/a%2",
        "/rec/a%",
        "/rec/a%zz",
        "/rec/a%g0",
        "/rec/a b",
        "/rec/a\tb",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused(bad[i], -EINVAL);
}

static void test_raw_control_bytes(void **state)
{
    char out[64];
    const char nul_in_middle[] = "/rec/a\0b";
    assert_int_equal(cc_urlpath_normalize(nul_in_middle, sizeof(nul_in_middle) - 1, out,
                                          sizeof(out)),
                     -EINVAL);
    const char high[] = "/rec/\xc3\xa9";
    assert_int_equal(cc_urlpath_normalize(high, strlen(high), out, sizeof(out)), -EINVAL);
    assert_int_equal(cc_urlpath_normalize(NULL, 0, out, sizeof(out)), -EINVAL);
}

static void test_hidden_is_absent(void **state)
{
    expect_refused("/rec/2025-01-24/.camcat.idx", -ENOENT);
    expect_refused("/.git/config", -ENOENT);
    expect_refused("/rec/%2ehidden", -ENOENT);
    expect_refused("/www/.htaccess", -ENOENT);
}

static void test_lengths(void **state)
{
    char out[16]; /* 15 bytes and the NUL */
    assert_int_equal(norm("/0123456789abcd", out, sizeof(out)), 15);
    assert_int_equal(norm("/0123456789abcde", out, sizeof(out)), -ENAMETOOLONG);
    /* Escapes count decoded, not raw. */
    assert_int_equal(norm("/%41%41%41%41%41%41%41%41%41%41%41%41%41%41", out, sizeof(out)), 15);
    assert_int_equal(norm("/%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41", out, sizeof(out)),
                     -ENAMETOOLONG);

    char seg[300], big[CC_URLPATH_MAX];
    seg[0] = '/';
    memset(seg + 1, 'a', 256);
    seg[257] = '\0';
    assert_int_equal(norm(seg, big, sizeof(big)), -ENAMETOOLONG);
    seg[256] = '\0';
    assert_int_equal(norm(seg, big, sizeof(big)), 256);

    char huge[12000];
    huge[0] = '/';
    memset(huge + 1, 'b', sizeof(huge) - 2);
    huge[sizeof(huge) - 1] = '\0';
    assert_int_equal(norm(huge, big, sizeof(big)), -ENAMETOOLONG);
}

/* Every byte value, raw and escaped, in the middle of a segment: only the
 * printable ASCII set other than '\\' passes, and '/' and '%' only raw. */
static void test_every_byte(void **state)
{
    for (int b = 0; b < 256; b++) {
        char raw[16], out[32];
        snprintf(raw, sizeof(raw), "/a%%%02Xb", b);
        int rc = norm(raw, out, sizeof(out));
        bool ok = b >= 0x20 && b < 0x7f && b != '\\' && b != '/' && b != '%';
        if (ok) {
            assert_int_equal(rc, 4);
            assert_int_equal((unsigned char)out[2], b);
        } else {
            assert_int_equal(rc, -EINVAL);
        }
    }
}

static void query(const char *qs, const char *key, int want_rc, const char *want)
{
    char out[64];
    int rc = cc_urlpath_query_get(qs, key, out, sizeof(out));
    if (rc != want_rc)
        fail_msg("query \"%s\" key %s: got %d, want %d", qs ? qs : "(null)", key, rc, want_rc);
    if (want)
        assert_string_equal(out, want);
}

static void test_query(void **state)
{
    query("from=2025-01-24&to=2025-01-25", "from", 10, "2025-01-24");
    query("from=2025-01-24&to=2025-01-25", "to", 10, "2025-01-25");
    query("from=2025-01-24T08:00:00+08:00", "from", 25, "2025-01-24T08:00:00+08:00");
    query("from=2025-01-24T08:00:00%2B08:00", "from", 25, "2025-01-24T08:00:00+08:00");
    query("a=%20b", "a", 2, " b");
    query("fromx=1&from=2", "from", 1, "2");
    query("from=1&from=2", "from", 1, "1");
    query("flag&x=1", "flag", 0, "");
    query("from=", "from", 0, "");
    query("x=1", "from", -ENOENT, NULL);
    query("", "from", -ENOENT, NULL);
    query(NULL, "from", -ENOENT, NULL);
    query("from=%zz", "from", -EINVAL, NULL);
    query("from=%0a", "from", -EINVAL, NULL);
    query("from=%00", "from", -EINVAL, NULL);
    query("from=%4", "from", -EINVAL, NULL);
    char big[200];
    memset(big, 'x', sizeof(big));
    memcpy(big, "from=", 5);
    big[sizeof(big) - 1] = '\0';
    query(big, "from", -ENAMETOOLONG, NULL);
}

/* The route patterns of src/server/routes.c, matched as civetweb would but
 * case-sensitive. */
static void test_route_match(void **state)
{
    (void)state;
    assert_true(cc_urlpath_match("/api/health$", "/api/health"));
    assert_false(cc_urlpath_match("/api/health$", "/api/health/"));
    assert_false(cc_urlpath_match("/api/health$", "/api/healthz"));
    assert_false(cc_urlpath_match("/api/health$", "/API/health"));
    assert_false(cc_urlpath_match("/api/health$", "/api/heal"));
    /* "**" takes the rest, even nothing; a bare prefix matches a prefix. */
    assert_true(cc_urlpath_match("/api/days/**", "/api/days/"));
    assert_true(cc_urlpath_match("/api/days/**", "/api/days/2025-01-24/motion"));
    assert_false(cc_urlpath_match("/api/days/**", "/api/days"));
    assert_true(cc_urlpath_match("/api**", "/api"));
    assert_true(cc_urlpath_match("/api**", "/apix/y"));
    assert_true(cc_urlpath_match("/rec", "/rec/x.ts"));
    assert_false(cc_urlpath_match("/rec", "/re"));
    /* '*' stays inside one segment and backtracks. */
    assert_true(
        cc_urlpath_match("/api/days/*/*/download.ts$", "/api/days/2025-01-24/a/download.ts"));
    assert_false(cc_urlpath_match("/api/days/*/download.ts$", "/api/days/a/b/download.ts"));
    assert_true(cc_urlpath_match("/a/*.ts$", "/a/x.ts.ts"));
    assert_true(cc_urlpath_match("/a/*$", "/a/"));
    assert_false(cc_urlpath_match("/a/*$", "/a/b/"));
}

/* The rules of cc_urlpath_chunk written the plain way, byte by byte: the
 * table-driven version must give the same answer for every input. */
static const char *chunk_ref(const char *uri, size_t *len, bool *plain)
{
    size_t n = *len;
    while (n >= 2 && uri[0] == '.' && uri[1] == '/') {
        uri += 2;
        n -= 2;
    }
    if (n == 0 || n >= CC_URLPATH_MAX - 48)
        return NULL;
    size_t seg = 0;
    *plain = true;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)uri[i] : '/';
        if (c == '/') {
            if (i == seg || uri[seg] == '.' || i - seg > CC_URLPATH_SEG_MAX)
                return NULL;
            if (i < n)
                *plain = false;
            seg = i + 1;
        } else if (c < 0x20 || c >= 0x7f || c == '\\' || c == '%' || c == ':') {
            return NULL;
        }
    }
    *len = n;
    return uri;
}

static void chunk_same(const char *uri, size_t len)
{
    size_t n1 = len, n2 = len;
    bool p1 = false, p2 = false;
    const char *a = cc_urlpath_chunk_plain(uri, &n1, &p1);
    const char *b = chunk_ref(uri, &n2, &p2);
    if (a != b || (a && (n1 != n2 || p1 != p2)))
        fail_msg("\"%.*s\": %p/%zu/%d, plain rules %p/%zu/%d", (int)len, uri, (const void *)a, n1,
                 p1, (const void *)b, n2, p2);
    size_t n3 = len;
    assert_ptr_equal(cc_urlpath_chunk(uri, &n3), a);
    /* a listing's name (NUL-terminated, no NUL in it): served as it is iff
     * the URI rules take it whole, with no folder */
    if (len < 1100 && !memchr(uri, '\0', len)) {
        char name[1100];
        memcpy(name, uri, len);
        name[len] = '\0';
        size_t nl = 0;
        bool served = cc_urlpath_chunk_name(name, &nl);
        assert_int_equal(nl, len);
        if (served != (a == uri && p1 && n1 == len))
            fail_msg("\"%.*s\": listed as %s", (int)len, uri, served ? "served" : "not served");
    }
}

static void chunk_is(const char *uri, const char *want, bool want_plain)
{
    size_t n = strlen(uri);
    bool plain;
    const char *got = cc_urlpath_chunk_plain(uri, &n, &plain);
    if (!want) {
        if (got)
            fail_msg("\"%s\" accepted, want refused", uri);
        return;
    }
    if (!got)
        fail_msg("\"%s\" refused, want \"%s\"", uri, want);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(got, want, n);
    assert_int_equal(plain, want_plain);
    chunk_same(uri, strlen(uri));
}

static void test_chunk_names(void **state)
{
    (void)state;
    chunk_is("seg00001.ts", "seg00001.ts", true);
    chunk_is("./seg1.ts", "seg1.ts", true);
    chunk_is("././a/b.ts", "a/b.ts", false);
    chunk_is("a b?#.ts", "a b?#.ts", true);
    chunk_is("sub/x.ts", "sub/x.ts", false);
    chunk_is("", NULL, false);
    chunk_is("./", NULL, false);
    chunk_is("/abs.ts", NULL, false);
    chunk_is("a//b.ts", NULL, false);
    chunk_is("a/", NULL, false);
    chunk_is(".hidden.ts", NULL, false);
    chunk_is("a/../b.ts", NULL, false);
    chunk_is("a/./b.ts", NULL, false);
    chunk_is("http://x/a.ts", NULL, false);
    chunk_is("a%20b.ts", NULL, false);
    chunk_is("a\\b.ts", NULL, false);
    chunk_is("a\tb.ts", NULL, false);
    chunk_is("caf\xc3\xa9.ts", NULL, false);
    chunk_is("a\x7f.ts", NULL, false);
    char seg[300];
    memset(seg, 'x', sizeof(seg));
    chunk_same(seg, CC_URLPATH_SEG_MAX);     /* a whole segment: accepted */
    chunk_same(seg, CC_URLPATH_SEG_MAX + 1); /* one byte over: refused */
    size_t n = CC_URLPATH_SEG_MAX;
    bool plain;
    assert_non_null(cc_urlpath_chunk_plain(seg, &n, &plain));
    n = CC_URLPATH_SEG_MAX + 1;
    assert_null(cc_urlpath_chunk_plain(seg, &n, &plain));
    char longp[CC_URLPATH_MAX];
    for (size_t i = 0; i < sizeof(longp); i++)
        longp[i] = i % 100 == 99 ? '/' : 'y';
    for (size_t len = CC_URLPATH_MAX - 60; len < sizeof(longp); len++)
        chunk_same(longp, len);
}

/* Every string of up to 4 bytes over the bytes that matter. */
static void test_chunk_every_short_name(void **state)
{
    (void)state;
    static const char alpha[] = {'a', '.', '/', '%', ':', '\\', ' ', '?', 0x1f, 0x7f, (char)0x80};
    enum { K = sizeof(alpha) };
    char s[4];
    for (size_t len = 0; len <= 4; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= K;
        for (size_t v = 0; v < total; v++) {
            size_t x = v;
            for (size_t i = 0; i < len; i++, x /= K)
                s[i] = alpha[x % K];
            chunk_same(s, len);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_paths),
        cmocka_unit_test(test_decodes_once),
        cmocka_unit_test(test_traversal_refused),
        cmocka_unit_test(test_raw_control_bytes),
        cmocka_unit_test(test_hidden_is_absent),
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_route_match),
        cmocka_unit_test(test_chunk_names),
        cmocka_unit_test(test_chunk_every_short_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
