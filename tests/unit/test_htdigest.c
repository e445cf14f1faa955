#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <cmocka.h>

#include "htdigest.h"

#define H1 "0123456789abcdef0123456789abcdef"
#define H2 "fedcba9876543210fedcba9876543210"

static int check(const char *text, const char *realm, size_t *users, char *err)
{
    return cc_htdigest_check(text, strlen(text), realm, users, err, 128);
}

/* The hash Apache's htdigest writes: md5("user:realm:password") (value from md5sum). */
static void test_ha1(void **state)
{
    char hex[CC_MD5_HEX];
    cc_htdigest_ha1("admin", "camcat", "secret", hex);
    assert_string_equal(hex, "7334da4395d803eae807d4069bf3cc63");
}

static void test_names(void **state)
{
    assert_true(cc_htdigest_name_ok("admin"));
    assert_true(cc_htdigest_name_ok("John Doe"));
    assert_true(cc_htdigest_name_ok("a-b_c.d@e"));
    const char *bad[] = {
        "",         " lead",
        "a:b",      "a\"b",
        "a\\b",     "tab\there",
        "\xc3\xa9", "01234567890123456789012345678901234567890123456789012345678901234"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (cc_htdigest_name_ok(bad[i]))
            fail_msg("accepted name \"%s\"", bad[i]);
}

static void test_check(void **state)
{
    size_t users;
    char err[128];
    assert_int_equal(check("", "camcat", &users, err), 0);
    assert_int_equal(users, 0);
    assert_int_equal(check("admin:camcat:" H1 "\n:# a comment\n\nbob:other:" H2 "\r\n"
                           "eve:camcat:" H2,
                           "camcat", &users, err),
                     0);
    assert_int_equal(users, 2);
    assert_int_equal(check("admin:camcat:" H1 "\n", "other", &users, err), 0);
    assert_int_equal(users, 0);

    static const char *const bad[] = {
        "admin:camcat\n",          "admin:camcat:" H1 ":x\n",
        "admin:camcat:0123\n",     "admin:camcat:0123456789ABCDEF0123456789ABCDEF\n",
        ":include=/etc/passwd\n",  "admin\n",
        ":camcat:" H1 "\n",        "admin::" H1 "\n",
        "ad\"min:camcat:" H1 "\n", "admin:camcat:" H1 " \n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[256];
        snprintf(text, sizeof(text), "ok:camcat:%s\n%s", H1, bad[i]);
        if (check(text, "camcat", &users, err) != -EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_non_null(strstr(err, "line 2: "));
    }
    assert_int_equal(cc_htdigest_check("a:b:" H1 "\0", 37, "b", &users, err, 128), -EINVAL);
}

static void expect_set(const char *text, const char *user, const char *ha1, const char *want,
                       enum cc_htdigest_change want_what)
{
    struct cc_buf out;
    cc_buf_init(&out);
    enum cc_htdigest_change what = cc_htdigest_set(text, strlen(text), user, "camcat", ha1, &out);
    cc_buf_putc(&out, '\0');
    assert_string_equal(out.data, want);
    assert_int_equal(what, want_what);
    cc_buf_free(&out);
}

static void test_set(void **state)
{
    expect_set("", "admin", H1, "admin:camcat:" H1 "\n", CC_HTDIGEST_ADDED);
    expect_set(":# users\nbob:camcat:" H2 "\nadmin:camcat:" H2 "\r\nadmin:other:" H2 "\n", "admin",
               H1, ":# users\nbob:camcat:" H2 "\nadmin:camcat:" H1 "\r\nadmin:other:" H2 "\n",
               CC_HTDIGEST_CHANGED);
    expect_set("bob:camcat:" H2, "admin", H1, "bob:camcat:" H2 "\nadmin:camcat:" H1 "\n",
               CC_HTDIGEST_ADDED);
    expect_set("admin:camcat:" H1 "\nbob:camcat:" H2 "\n", "admin", H1,
               "admin:camcat:" H1 "\nbob:camcat:" H2 "\n", CC_HTDIGEST_UNCHANGED);
    /* same user, other realm: a new entry */
    expect_set("admin:other:" H1 "\n", "admin", H1, "admin:other:" H1 "\nadmin:camcat:" H1 "\n",
               CC_HTDIGEST_ADDED);
}

static void test_find(void **state)
{
    const char *t = ":# users\nadmin:other:" H2 "\nbroken line\r\nadmin:camcat:" H1
                    "\r\nbob:camcat:" H2;
    char ha1[CC_MD5_HEX];
    assert_int_equal(cc_htdigest_find(t, strlen(t), "admin", "camcat", ha1), 0);
    assert_string_equal(ha1, H1);
    assert_int_equal(cc_htdigest_find(t, strlen(t), "admin", "other", ha1), 0);
    assert_string_equal(ha1, H2);
    assert_int_equal(cc_htdigest_find(t, strlen(t), "bob", "camcat", ha1), 0);
    assert_string_equal(ha1, H2);
    /* a prefix of a name is another name */
    assert_int_equal(cc_htdigest_find(t, strlen(t), "admi", "camcat", ha1), -ENOENT);
    assert_int_equal(cc_htdigest_find(t, strlen(t), "bob", "camca", ha1), -ENOENT);
    assert_int_equal(cc_htdigest_find(t, strlen(t), "broken line", "camcat", ha1), -ENOENT);
    assert_int_equal(cc_htdigest_find("", 0, "admin", "camcat", ha1), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ha1), cmocka_unit_test(test_names), cmocka_unit_test(test_check),
        cmocka_unit_test(test_set), cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
