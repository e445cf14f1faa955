#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "md5.h"

/* RFC 1321, appendix A.5 ("test suite"). */
static const struct {
    const char *in, *hex;
} rfc[] = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
};

static void test_rfc_vectors(void **state)
{
    char hex[CC_MD5_HEX];
    for (size_t i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
        cc_md5_hex(rfc[i].in, strlen(rfc[i].in), hex);
        assert_string_equal(hex, rfc[i].hex);
    }
}

/* Feeding the same bytes in pieces of every size gives the same digest:
 * the block buffering across update() calls is where MD5 code goes wrong. */
static void test_split_updates(void **state)
{
    const char *s = rfc[6].in;
    size_t n = strlen(s);
    for (size_t step = 1; step <= n; step++) {
        struct cc_md5 m;
        uint8_t d[CC_MD5_LEN];
        cc_md5_init(&m);
        for (size_t off = 0; off < n; off += step)
            cc_md5_update(&m, s + off, off + step > n ? n - off : step);
        cc_md5_final(&m, d);
        char hex[CC_MD5_HEX];
        for (int i = 0; i < CC_MD5_LEN; i++)
            snprintf(hex + 2 * i, 3, "%02x", d[i]);
        assert_string_equal(hex, rfc[6].hex);
    }
}

/* Lengths around the padding boundary (55, 56, 63, 64, 65 bytes), checked
 * against digests computed with coreutils md5sum. */
static void test_padding_edges(void **state)
{
    static const struct {
        size_t n;
        const char *hex;
    } cases[] = {
        {55, "ef1772b6dff9a122358552954ad0df65"}, {56, "3b0c8ac703f828b04c6c197006d17218"},
        {63, "b06521f39153d618550606be297466d5"}, {64, "014842d480b571495a4a0363793f7367"},
        {65, "c743a45e0d2e6a95cb859adae0248435"},
    };
    char buf[128], hex[CC_MD5_HEX];
    memset(buf, 'a', sizeof(buf));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cc_md5_hex(buf, cases[i].n, hex);
        assert_string_equal(hex, cases[i].hex);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_vectors),
        cmocka_unit_test(test_split_updates),
        cmocka_unit_test(test_padding_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
