#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

static void hex(const uint8_t d[CC_SHA256_LEN], char out[2 * CC_SHA256_LEN + 1])
{
    for (int i = 0; i < CC_SHA256_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The examples of FIPS 180-4's companion document (NIST "SHA256.pdf",
 * "SHA2_Additional.pdf") and the empty message. */
static const struct {
    const char *in, *hex;
} nist[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlm"
     "nopqrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
};

static void test_nist_vectors(void **state)
{
    uint8_t d[CC_SHA256_LEN];
    char h[2 * CC_SHA256_LEN + 1];
    for (size_t i = 0; i < sizeof(nist) / sizeof(nist[0]); i++) {
        cc_sha256(nist[i].in, strlen(nist[i].in), d);
        hex(d, h);
        assert_string_equal(h, nist[i].hex);
    }
}

/* One million 'a' (the standard's long example), fed in uneven pieces. */
static void test_million_a(void **state)
{
    char buf[997];
    memset(buf, 'a', sizeof(buf));
    struct cc_sha256 s;
    cc_sha256_init(&s);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof(buf) ? left : sizeof(buf);
        cc_sha256_update(&s, buf, n);
        left -= n;
    }
    uint8_t d[CC_SHA256_LEN];
    char h[2 * CC_SHA256_LEN + 1];
    cc_sha256_final(&s, d);
    hex(d, h);
    assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding boundary, checked against coreutils sha256sum
 * of that many 'x'; every split of the input gives the same digest. */
static void test_padding_edges_and_splits(void **state)
{
    static const struct {
        size_t n;
        const char *hex;
    } v[] = {
        {55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
        {56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
        {63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
        {64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
        {65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"},
        {119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"},
        {120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"},
    };
    char x[120];
    memset(x, 'x', sizeof(x));
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        for (size_t step = 1; step <= v[i].n; step++) {
            struct cc_sha256 s;
            cc_sha256_init(&s);
            for (size_t off = 0; off < v[i].n; off += step)
                cc_sha256_update(&s, x + off, off + step > v[i].n ? v[i].n - off : step);
            uint8_t d[CC_SHA256_LEN];
            char h[2 * CC_SHA256_LEN + 1];
            cc_sha256_final(&s, d);
            hex(d, h);
            assert_string_equal(h, v[i].hex);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nist_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_padding_edges_and_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
