#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "digest.h"

/* The injected clock (ms). */
static int64_t fake_now;
static int64_t fake_clock(void)
{
    return fake_now;
}

/* A client's side, computed apart from the module: RFC 2617 3.2.2.1. */
static void client_response(const char *ha1, const char *nonce, const char *nc, const char *cnonce,
                            const char *method, const char *uri, char out[CC_MD5_HEX])
{
    char a2[CC_DIGEST_MAX_URI + 64], ha2[CC_MD5_HEX], all[512];
    snprintf(a2, sizeof(a2), "%s:%s", method, uri);
    cc_md5_hex(a2, strlen(a2), ha2);
    snprintf(all, sizeof(all), "%s:%s:%s:%s:auth:%s", ha1, nonce, nc, cnonce, ha2);
    cc_md5_hex(all, strlen(all), out);
}

static int parse(const char *h, struct cc_digest_creds *c)
{
    return cc_digest_parse(h, strlen(h), c);
}

/* Header text as a browser sends it, parsed. */
static void creds_for(struct cc_digest_creds *c, const char *user, const char *password,
                      const char *realm, const char *nonce, unsigned nc, const char *method,
                      const char *uri)
{
    char ha1[CC_MD5_HEX], resp[CC_MD5_HEX], ncs[9], h[CC_DIGEST_MAX_URI + 512];
    cc_htdigest_ha1(user, realm, password, ha1);
    snprintf(ncs, sizeof(ncs), "%08x", nc);
    client_response(ha1, nonce, ncs, "0a4f113b", method, uri, resp);
    snprintf(h, sizeof(h),
             "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
             "algorithm=MD5, response=\"%s\", qop=auth, nc=%s, cnonce=\"0a4f113b\"",
             user, realm, nonce, uri, resp, ncs);
    assert_int_equal(parse(h, c), 0);
}

static struct cc_digest *table(size_t cap, int64_t lifetime)
{
    struct cc_digest *d = NULL;
    fake_now = 1000000;
    assert_int_equal(cc_digest_new(cap, lifetime, fake_clock, &d), 0);
    return d;
}

static char ha1_admin[CC_MD5_HEX];

static enum cc_digest_verdict verify(struct cc_digest *d, const char *nonce, unsigned nc,
                                     const char *method, const char *uri, const char *target)
{
    struct cc_digest_creds c;
    creds_for(&c, "admin", "secret", "camcat", nonce, nc, method, uri);
    return cc_digest_verify(d, &c, method, target, "camcat", ha1_admin);
}

#define RFC_HEADER                                                                \
    "Digest username=\"Mufasa\",\n realm=\"testrealm@host.com\",\n"               \
    " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\n uri=\"/dir/index.html\",\n" \
    " qop=auth,\n nc=00000001,\n cnonce=\"0a4f113b\",\n"                          \
    " response=\"6629fae49393a05397450978507c4ef1\",\n"                           \
    " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""

/* RFC 2617 section 3.5's worked example (the header folded onto one line). */
static void test_rfc2617_example(void **state)
{
    char h[sizeof(RFC_HEADER)];
    size_t n = 0;
    for (const char *p = RFC_HEADER; *p; p++)
        if (*p != '\n')
            h[n++] = *p;
    h[n] = '\0';
    struct cc_digest_creds c;
    assert_int_equal(parse(h, &c), 0);
    assert_string_equal(c.username, "Mufasa");
    assert_string_equal(c.realm, "testrealm@host.com");
    assert_string_equal(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
    assert_string_equal(c.uri, "/dir/index.html");
    assert_string_equal(c.nc, "00000001");
    assert_int_equal(c.nc_value, 1);
    assert_string_equal(c.cnonce, "0a4f113b");
    assert_string_equal(c.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
    char ha1[CC_MD5_HEX], resp[CC_MD5_HEX];
    cc_htdigest_ha1("Mufasa", "testrealm@host.com", "Circle Of Life", ha1);
    cc_digest_response(ha1, c.nonce, c.nc, c.cnonce, "GET", c.uri, resp);
    assert_string_equal(resp, "6629fae49393a05397450978507c4ef1");

    /* Not our nonce nor our opaque: refused; without the opaque, the right
     * password makes it stale (re-challenge), a wrong one refused. */
    struct cc_digest *d = table(8, 1000);
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/dir/index.html", "testrealm@host.com", ha1),
                     CC_DIGEST_BAD);
    c.opaque[0] = '\0';
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/dir/index.html", "testrealm@host.com", ha1),
                     CC_DIGEST_STALE);
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/dir/index.html", "testrealm@host.com",
                                      ha1_admin),
                     CC_DIGEST_BAD);
    cc_digest_free(d);
}

static void test_parse_forms(void **state)
{
    struct cc_digest_creds c;
    /* any order, token or quoted, spaces around '=', empty elements, unknown
     * keys, case-insensitive scheme and keys, escapes, uppercase hex */
    assert_int_equal(
        parse("digest  ,NC=0000000a ,  Response = \"ABCDEF0123456789abcdef0123456789\","
              ",qop=\"auth\", uri=\"/api/days?from=1&to=2\",cnonce=x\\y,"
              "future=\"a, \\\"b\\\"\", username=\"J\\\"o\\e\" , realm=camcat,"
              "nonce=n1,algorithm=md5 , userhash=false,",
              &c),
        -EINVAL);
    /* (a backslash outside quotes is no token character) */
    assert_int_equal(
        parse("digest  ,NC=0000000a ,  Response = \"ABCDEF0123456789abcdef0123456789\","
              ",qop=\"auth\", uri=\"/api/days?from=1&to=2\",cnonce=x,"
              "future=\"a, \\\"b\\\"\", username=\"Jo\\e\" , realm=camcat,"
              "nonce=n1,algorithm=md5 , userhash=false,",
              &c),
        0);
    assert_string_equal(c.username, "Joe");
    assert_string_equal(c.realm, "camcat");
    assert_string_equal(c.nonce, "n1");
    assert_string_equal(c.uri, "/api/days?from=1&to=2");
    assert_string_equal(c.cnonce, "x");
    assert_string_equal(c.opaque, "");
    assert_string_equal(c.nc, "0000000a");
    assert_int_equal(c.nc_value, 10);
    assert_string_equal(c.response, "abcdef0123456789abcdef0123456789");
    /* the longest uri fits; a tab is whitespace */
    char h[CC_DIGEST_MAX_URI + 300];
    char uri[CC_DIGEST_MAX_URI + 2];
    memset(uri, 'a', sizeof(uri));
    uri[0] = '/';
    uri[CC_DIGEST_MAX_URI] = '\0';
    snprintf(h, sizeof(h),
             "Digest\tusername=a,realm=r,nonce=n,uri=\"%s\",qop=auth,nc=00000001,"
             "cnonce=c,response=0123456789abcdef0123456789abcdef",
             uri);
    assert_int_equal(parse(h, &c), 0);
    assert_int_equal(strlen(c.uri), CC_DIGEST_MAX_URI);
    uri[CC_DIGEST_MAX_URI] = 'a';
    uri[CC_DIGEST_MAX_URI + 1] = '\0';
    snprintf(h, sizeof(h),
             "Digest username=a,realm=r,nonce=n,uri=\"%s\",qop=auth,nc=00000001,"
             "cnonce=c,response=0123456789abcdef0123456789abcdef",
             uri);
    assert_int_equal(parse(h, &c), -EINVAL);
}

#define OK_TAIL \
    "realm=r,nonce=n,uri=\"/\",qop=auth,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef"

static void test_parse_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "Digest",
        "Digest ",
        "Basic YWRtaW46c2VjcmV0",
        "Digestusername=a," OK_TAIL,
        "Digest username=a",
        /* each required field missing */
        "Digest realm=r,nonce=n,uri=\"/\",qop=auth,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,nonce=n,uri=\"/\",qop=auth,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,uri=\"/\",qop=auth,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,qop=auth,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,nc=00000001,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,nc=00000001,cnonce=c",
        /* duplicates, even in another case */
        "Digest username=a,username=a," OK_TAIL,
        "Digest username=a,USERNAME=b," OK_TAIL,
        /* what we do not speak */
        "Digest username=a,algorithm=SHA-256," OK_TAIL,
        "Digest username=a,algorithm=MD5-sess," OK_TAIL,
        "Digest username=a,userhash=true," OK_TAIL,
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth-int,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=\"auth,auth-int\",nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        /* nc and response shapes */
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,nc=1,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,nc=00000000,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,nc=0000000g,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,nc=000000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcde",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdeg",
        /* empty values */
        "Digest username=\"\"," OK_TAIL,
        "Digest username=a,realm=r,nonce=\"\",uri=\"/\",qop=auth,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"\",qop=auth,nc=00000001,cnonce=c,response=0123456789abcdef0123456789abcdef",
        "Digest username=a,realm=r,nonce=n,uri=\"/\",qop=auth,nc=00000001,cnonce=\"\",response=0123456789abcdef0123456789abcdef",
        "Digest username=," OK_TAIL,
        /* names the password file cannot hold, or too long */
        "Digest username=\"a:b\"," OK_TAIL,
        "Digest username=\" lead\"," OK_TAIL,
        "Digest username=\"01234567890123456789012345678901234567890123456789012345678901234\"," OK_TAIL,
        /* syntax */
        "Digest username=\"a," OK_TAIL,
        "Digest username=\"a\\",
        "Digest username=\"a\"x," OK_TAIL,
        "Digest username a," OK_TAIL,
        "Digest =a," OK_TAIL,
        "Digest username=a;" OK_TAIL,
        "Digest username=\"a\x01\"," OK_TAIL,
        "Digest username=\"a\x7f\"," OK_TAIL,
        "Digest username=\"a\r\n\"," OK_TAIL,
        "Digest username=a\xc3\xa9," OK_TAIL,
        "Digest username=a,future=\"unterminated," OK_TAIL,
    };
    struct cc_digest_creds c;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (parse(bad[i], &c) != -EINVAL)
            fail_msg("accepted [%zu] %s", i, bad[i]);
    /* the control: the same tail with a username parses */
    assert_int_equal(parse("Digest username=a," OK_TAIL, &c), 0);
    /* a NUL inside the given length is refused, not a string end */
    const char nul[] = "Digest username=\"a\0b\"," OK_TAIL;
    assert_int_equal(cc_digest_parse(nul, sizeof(nul) - 1, &c), -EINVAL);
    /* the length bounds the parse: a header cut short is refused */
    const char *h = "Digest username=a," OK_TAIL;
    assert_int_equal(cc_digest_parse(h, strlen(h) - 1, &c), -EINVAL);
}

/* Each nc of a nonce is accepted once; late ones within the window too. */
static void test_nc_replay(void **state)
{
    struct cc_digest *d = table(16, 300000);
    char n[CC_DIGEST_NONCE_LEN + 1];
    cc_digest_nonce(d, n);
    assert_int_equal(verify(d, n, 1, "GET", "/api/health", "/api/health"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n, 1, "GET", "/api/health", "/api/health"), CC_DIGEST_REPLAY);
    assert_int_equal(verify(d, n, 2, "GET", "/api/health", "/api/health"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n, 2, "GET", "/api/health", "/api/health"), CC_DIGEST_REPLAY);
    assert_int_equal(verify(d, n, 5, "GET", "/api/days", "/api/days"), CC_DIGEST_OK);
    /* 3 and 4 arrive after 5 (parallel connections): once each */
    assert_int_equal(verify(d, n, 4, "GET", "/a", "/a"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n, 3, "GET", "/a", "/a"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n, 3, "GET", "/a", "/a"), CC_DIGEST_REPLAY);
    assert_int_equal(verify(d, n, 1, "GET", "/a", "/a"), CC_DIGEST_REPLAY);
    /* a jump; then one 63 behind is still taken, 64 behind is not */
    assert_int_equal(verify(d, n, 200, "GET", "/a", "/a"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n, 137, "GET", "/a", "/a"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n, 136, "GET", "/a", "/a"), CC_DIGEST_REPLAY);
    assert_int_equal(verify(d, n, 5, "GET", "/a", "/a"), CC_DIGEST_REPLAY);
    assert_int_equal(verify(d, n, 0xffffffff, "GET", "/a", "/a"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n, 0xffffffff, "GET", "/a", "/a"), CC_DIGEST_REPLAY);
    /* another nonce has its own counts */
    char m[CC_DIGEST_NONCE_LEN + 1];
    cc_digest_nonce(d, m);
    assert_int_equal(verify(d, m, 1, "GET", "/api/health", "/api/health"), CC_DIGEST_OK);
    cc_digest_free(d);
}

/* A header made for one request does not fit another. */
static void test_uri_method_realm(void **state)
{
    struct cc_digest *d = table(16, 300000);
    char n[CC_DIGEST_NONCE_LEN + 1];
    cc_digest_nonce(d, n);
    assert_int_equal(verify(d, n, 1, "GET", "/api/health", "/api/storage"), CC_DIGEST_BAD);
    assert_int_equal(verify(d, n, 2, "GET", "/api/days?x=1", "/api/days"), CC_DIGEST_BAD);
    assert_int_equal(verify(d, n, 3, "GET", "/api/days", "/api/days?x=1"), CC_DIGEST_BAD);
    assert_int_equal(verify(d, n, 4, "GET", "/%61pi/days", "/api/days"), CC_DIGEST_BAD);
    /* the uri field says /a/b but the response was computed for /x */
    struct cc_digest_creds c;
    creds_for(&c, "admin", "secret", "camcat", n, 5, "GET", "/x");
    strcpy(c.uri, "/a/b");
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/a/b", "camcat", ha1_admin), CC_DIGEST_BAD);
    /* a DELETE header replayed as GET, and the other way round */
    creds_for(&c, "admin", "secret", "camcat", n, 6, "DELETE", "/api/days/2025-01-01");
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/api/days/2025-01-01", "camcat", ha1_admin),
                     CC_DIGEST_BAD);
    assert_int_equal(cc_digest_verify(d, &c, "DELETE", "/api/days/2025-01-01", "camcat", ha1_admin),
                     CC_DIGEST_OK);
    /* another realm, even with that realm's right hash */
    char ha1_other[CC_MD5_HEX];
    cc_htdigest_ha1("admin", "other", "secret", ha1_other);
    creds_for(&c, "admin", "secret", "other", n, 7, "GET", "/a");
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/a", "camcat", ha1_other), CC_DIGEST_BAD);
    /* the wrong password */
    creds_for(&c, "admin", "Secret", "camcat", n, 8, "GET", "/a");
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/a", "camcat", ha1_admin), CC_DIGEST_BAD);
    /* refusals used no count: 1..5 and 7, 8 are still free */
    assert_int_equal(verify(d, n, 1, "GET", "/api/storage", "/api/storage"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n, 8, "GET", "/a", "/a"), CC_DIGEST_OK);
    cc_digest_free(d);
}

static void test_opaque(void **state)
{
    struct cc_digest *d = table(4, 300000);
    const char *op = cc_digest_opaque(d);
    assert_int_equal(strlen(op), CC_DIGEST_NONCE_LEN);
    char n[CC_DIGEST_NONCE_LEN + 1];
    cc_digest_nonce(d, n);
    struct cc_digest_creds c;
    creds_for(&c, "admin", "secret", "camcat", n, 1, "GET", "/a");
    strcpy(c.opaque, op);
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/a", "camcat", ha1_admin), CC_DIGEST_OK);
    creds_for(&c, "admin", "secret", "camcat", n, 2, "GET", "/a");
    strcpy(c.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/a", "camcat", ha1_admin), CC_DIGEST_BAD);
    cc_digest_free(d);
}

/* Nonces expire with the (injected) clock: the right password then gets
 * "stale", the wrong one still "bad". */
static void test_expiry(void **state)
{
    struct cc_digest *d = table(4, 1000);
    char n[CC_DIGEST_NONCE_LEN + 1];
    cc_digest_nonce(d, n);
    fake_now += 999;
    assert_int_equal(verify(d, n, 1, "GET", "/a", "/a"), CC_DIGEST_OK);
    fake_now += 1;
    assert_int_equal(verify(d, n, 2, "GET", "/a", "/a"), CC_DIGEST_STALE);
    struct cc_digest_creds c;
    creds_for(&c, "admin", "wrong", "camcat", n, 3, "GET", "/a");
    assert_int_equal(cc_digest_verify(d, &c, "GET", "/a", "camcat", ha1_admin), CC_DIGEST_BAD);
    /* a nonce issued now lives its own lifetime */
    char m[CC_DIGEST_NONCE_LEN + 1];
    cc_digest_nonce(d, m);
    assert_int_equal(verify(d, m, 1, "GET", "/a", "/a"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n, 4, "GET", "/a", "/a"), CC_DIGEST_STALE);
    cc_digest_free(d);
}

/* A full table forgets its oldest nonce first. */
static void test_eviction(void **state)
{
    enum { CAP = 4 };
    struct cc_digest *d = table(CAP, 300000);
    char n[CAP + 2][CC_DIGEST_NONCE_LEN + 1];
    for (int i = 0; i < CAP + 2; i++)
        cc_digest_nonce(d, n[i]);
    assert_int_equal(verify(d, n[0], 1, "GET", "/a", "/a"), CC_DIGEST_STALE);
    assert_int_equal(verify(d, n[1], 1, "GET", "/a", "/a"), CC_DIGEST_STALE);
    for (int i = 2; i < CAP + 2; i++)
        assert_int_equal(verify(d, n[i], 1, "GET", "/a", "/a"), CC_DIGEST_OK);
    /* a slot reused for a new nonce starts with no counts used */
    char fresh[CC_DIGEST_NONCE_LEN + 1];
    cc_digest_nonce(d, fresh);
    assert_int_equal(verify(d, fresh, 1, "GET", "/a", "/a"), CC_DIGEST_OK);
    assert_int_equal(verify(d, n[2], 2, "GET", "/a", "/a"), CC_DIGEST_STALE);
    cc_digest_free(d);
}

static int cmp_nonce(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Nonces are 32 hex digits, never repeat, and differ between tables even
 * at the same instant and count (the secret is random). */
static void test_nonce_shape(void **state)
{
    enum { N = 2000 };
    struct cc_digest *d = table(8, 1000);
    struct cc_digest *e = table(8, 1000);
    static char all[N + 1][CC_DIGEST_NONCE_LEN + 1];
    for (int i = 0; i < N; i++) {
        cc_digest_nonce(d, all[i]);
        assert_int_equal(strspn(all[i], "0123456789abcdef"), CC_DIGEST_NONCE_LEN);
        assert_int_equal(strlen(all[i]), CC_DIGEST_NONCE_LEN);
    }
    cc_digest_nonce(e, all[N]);
    qsort(all, N + 1, sizeof(all[0]), cmp_nonce);
    for (int i = 1; i <= N; i++)
        assert_string_not_equal(all[i - 1], all[i]);
    assert_string_not_equal(cc_digest_opaque(d), cc_digest_opaque(e));
    cc_digest_free(d);
    cc_digest_free(e);
    struct cc_digest *z = NULL;
    assert_int_equal(cc_digest_new(0, 1000, NULL, &z), -EINVAL);
    assert_int_equal(cc_digest_new(8, 0, NULL, &z), -EINVAL);
}

int main(void)
{
    cc_htdigest_ha1("admin", "camcat", "secret", ha1_admin);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc2617_example),  cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_refused),    cmocka_unit_test(test_nc_replay),
        cmocka_unit_test(test_uri_method_realm), cmocka_unit_test(test_opaque),
        cmocka_unit_test(test_expiry),           cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_nonce_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
