#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"
#include "nameset.h"

/* A full day of 2-second chunks, about what one camera folder can hold. */
#define NAMES 43200

/* Linear probing at most half full averages 1.5 probes for a random hash;
 * a hash that leaves the low bits unmixed for some naming averages hundreds. */
#define AVG_PROBES_MAX 2.0
#define MAX_PROBES_MAX 48

static void check_linear(struct cc_nameset *ns, size_t n)
{
    size_t max, total;
    cc_nameset_probes(ns, &max, &total);
    assert_int_equal(ns->count, n);
    double avg = (double)total / (double)n;
    print_message("    %zu names: %.2f probes on average, %zu at most\n", n, avg, max);
    assert_true(avg <= AVG_PROBES_MAX);
    assert_true(max <= MAX_PROBES_MAX);
}

static void check_naming(const char *fmt, unsigned first)
{
    struct cc_nameset ns = {0};
    char name[64];
    for (unsigned i = 0; i < NAMES; i++) {
        snprintf(name, sizeof(name), fmt, first + i);
        cc_nameset_add(&ns, name, strlen(name));
    }
    check_linear(&ns, NAMES);
    snprintf(name, sizeof(name), fmt, first + NAMES / 2);
    assert_true(cc_nameset_has(&ns, name, strlen(name)));
    snprintf(name, sizeof(name), fmt, first + NAMES);
    assert_false(cc_nameset_has(&ns, name, strlen(name)));
    cc_nameset_free(&ns);
}

/* ffmpeg's hls muxer with -hls_segment_filename seg%05d.ts: the varying
 * digits sit in the first 8 bytes. */
static void test_ffmpeg_seg(void **state)
{
    (void)state;
    check_naming("seg%05u.ts", 0);
}

/* ffmpeg's default: the playlist name plus a counter without padding. */
static void test_ffmpeg_index(void **state)
{
    (void)state;
    check_naming("index%u.ts", 0);
}

static void test_chunk_padded(void **state)
{
    (void)state;
    check_naming("chunk_%05u.ts", 1);
}

/* 60 bytes: a common 50-byte prefix, the digits in the last word. */
static void test_long_common_prefix(void **state)
{
    (void)state;
    check_naming("camera-front-door-2026-11-30-recording-session-abc%010u", 7);
}

static void test_one_byte_names(void **state)
{
    (void)state;
    struct cc_nameset ns = {0};
    for (int c = 1; c < 256; c++) {
        char name[2] = {(char)c, '\0'};
        cc_nameset_add(&ns, name, strlen(name));
    }
    check_linear(&ns, 255);
    assert_true(cc_nameset_has(&ns, "a", 1));
    assert_false(cc_nameset_has(&ns, "ab", 2));
    assert_false(cc_nameset_has(&ns, "", 0));
    cc_nameset_free(&ns);
}

/* A lookup names len bytes of a longer buffer: the rest must not match. */
static void test_prefix_is_not_a_member(void **state)
{
    (void)state;
    struct cc_nameset ns = {0};
    cc_nameset_add(&ns, "seg00001.ts", 11);
    assert_true(cc_nameset_has(&ns, "seg00001.ts?x", 11));
    assert_false(cc_nameset_has(&ns, "seg00001.t", 10));
    assert_false(cc_nameset_has(&ns, "seg00001.tsx", 12));
    cc_nameset_free(&ns);
    assert_false(cc_nameset_has(&ns, "seg00001.ts", 11));
}

/* Both word-size variants of the hash, on every naming, whatever core runs
 * the tests: the names placed by the low bits of each into a half-full
 * linearly probed table of their own. */
static void check_spread(uint32_t (*hash)(const void *, size_t), const char *fmt, unsigned first)
{
    enum { CAP = 1 << 17 }; /* a power of two over 2 * NAMES */
    static uint8_t used[CAP];
    memset(used, 0, sizeof(used));
    size_t total = 0, max = 0;
    char name[80];
    for (unsigned i = 0; i < NAMES; i++) {
        snprintf(name, sizeof(name), fmt, first + i);
        size_t at = hash(name, strlen(name)) & (CAP - 1), n = 1;
        for (; used[at]; n++)
            at = (at + 1) & (CAP - 1);
        used[at] = 1;
        total += n;
        max = n > max ? n : max;
    }
    double avg = (double)total / NAMES;
    if (avg > AVG_PROBES_MAX || max > MAX_PROBES_MAX)
        fail_msg("%s: %.2f probes on average, %zu at most", fmt, avg, max);
}

static void test_both_hash_widths(void **state)
{
    (void)state;
    static const char *const fmts[] = {
        "seg%05u.ts", "index%u.ts", "chunk_%05u.ts",
        "%u",         "a%07u",      "%08u",
        "%016u",      "x%016u",     "camera-front-door-2026-11-30-recording-session-abc%010u"};
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        check_spread(cc_hash_name64, fmts[i], 3);
        check_spread(cc_hash_name32, fmts[i], 3);
    }
}

/* Names around the word sizes the compare and the hash switch at, differing
 * only in their first or last byte. */
static void test_word_edges(void **state)
{
    (void)state;
    for (size_t len = 1; len <= 40; len++) {
        struct cc_nameset ns = {0};
        char a[41], b[41];
        memset(a, 'n', len);
        memcpy(b, a, len);
        b[0] = 'm';
        cc_nameset_add(&ns, a, len);
        assert_true(cc_nameset_has(&ns, a, len));
        assert_false(cc_nameset_has(&ns, b, len));
        memcpy(b, a, len);
        b[len - 1] = 'm';
        assert_false(cc_nameset_has(&ns, b, len));
        cc_nameset_add(&ns, b, len);
        assert_true(cc_nameset_has(&ns, b, len));
        assert_true(cc_nameset_has(&ns, a, len));
        cc_nameset_free(&ns);
    }
}

/* A cleared set is empty and takes new names without growing again. */
static void test_clear_keeps_memory(void **state)
{
    (void)state;
    struct cc_nameset ns = {0};
    char name[32];
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(name, sizeof(name), "seg%05u.ts", i);
        cc_nameset_add(&ns, name, strlen(name));
    }
    size_t cap = ns.cap;
    cc_nameset_clear(&ns);
    assert_int_equal(ns.count, 0);
    assert_false(cc_nameset_has(&ns, "seg00001.ts", 11));
    for (unsigned i = 0; i < 1000; i++) {
        snprintf(name, sizeof(name), "index%u.ts", i);
        cc_nameset_add(&ns, name, strlen(name));
    }
    assert_int_equal(ns.cap, cap);
    check_linear(&ns, 1000);
    assert_true(cc_nameset_has(&ns, "index999.ts", 11));
    assert_false(cc_nameset_has(&ns, "seg00999.ts", 11));
    cc_nameset_free(&ns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ffmpeg_seg),         cmocka_unit_test(test_ffmpeg_index),
        cmocka_unit_test(test_chunk_padded),       cmocka_unit_test(test_long_common_prefix),
        cmocka_unit_test(test_one_byte_names),     cmocka_unit_test(test_prefix_is_not_a_member),
        cmocka_unit_test(test_both_hash_widths),   cmocka_unit_test(test_word_edges),
        cmocka_unit_test(test_clear_keeps_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
