/* Chunk name patterns: which namings are one counter, and what breaks one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "chunkname.h"

/* Feeds names[0..n) as chunks 0.. of one segment. */
static struct cc_chunkname feed(const char *const *names, size_t n)
{
    struct cc_chunkname p;
    memset(&p, 0xa5, sizeof(p)); /* whatever was there before chunk 0 */
    for (size_t i = 0; i < n; i++)
        cc_chunkname_feed(&p, (uint32_t)i, names[i], strlen(names[i]), false, false);
    return p;
}

/* A naming is detected when the computed names equal those fed, and go on
 * past them the way the recorder's format would. */
static void assert_pattern(const char *const *names, size_t n, uint32_t later, const char *want)
{
    struct cc_chunkname p = feed(names, n);
    assert_true(p.valid);
    char out[CC_CHUNKNAME_MAX + 1];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cc_chunkname_format(&p, (uint32_t)i, out, sizeof(out)), strlen(names[i]));
        assert_string_equal(out, names[i]);
    }
    assert_int_equal(cc_chunkname_format(&p, later, out, sizeof(out)), strlen(want));
    assert_string_equal(out, want);
}

static void test_ffmpeg_namings(void **state)
{
    (void)state;
    static const char *const seg[] = {"seg00000.ts", "seg00001.ts", "seg00002.ts"};
    assert_pattern(seg, 3, 100000, "seg100000.ts"); /* %05d past its width */
    static const char *const index[] = {"index8.ts", "index9.ts", "index10.ts", "index11.ts"};
    assert_pattern(index, 4, 92, "index100.ts");
    static const char *const chunk[] = {"chunk_00017.ts", "chunk_00018.ts"};
    assert_pattern(chunk, 2, 3, "chunk_00020.ts");
    /* Digits elsewhere in the name and in the extension are not the counter. */
    static const char *const cam[] = {"cam2/s01_7.m4s", "cam2/s01_8.m4s"};
    assert_pattern(cam, 2, 5, "cam2/s01_12.m4s");
    static const char *const one[] = {"only1.ts"};
    assert_pattern(one, 1, 1, "only2.ts");
}

static void assert_broken(const char *const *names, size_t n)
{
    struct cc_chunkname p = feed(names, n);
    assert_false(p.valid);
    char out[CC_CHUNKNAME_MAX + 1];
    assert_int_equal(cc_chunkname_format(&p, 0, out, sizeof(out)), 0);
}

static void test_breaks(void **state)
{
    (void)state;
    static const char *const gap[] = {"seg00000.ts", "seg00001.ts", "seg00003.ts"};
    assert_broken(gap, 3);
    static const char *const renamed[] = {"seg00000.ts", "seg00001.ts", "old00002.ts"};
    assert_broken(renamed, 3);
    static const char *const suffix[] = {"seg00000.ts", "seg00001.tsx"};
    assert_broken(suffix, 2);
    static const char *const widths[] = {"seg0008.ts", "seg0009.ts", "seg00010.ts"};
    assert_broken(widths, 3);
    static const char *const unpadded[] = {"seg8.ts", "seg9.ts", "seg010.ts"};
    assert_broken(unpadded, 3);
    static const char *const repeat[] = {"seg1.ts", "seg1.ts"};
    assert_broken(repeat, 2);
    static const char *const none[] = {"chunk.ts"};
    assert_broken(none, 1);
    static const char *const huge[] = {"s1234567890123456789.ts"}; /* 19 digits */
    assert_broken(huge, 1);
    char lng[CC_CHUNKNAME_AFFIX_MAX + 8];
    memset(lng, 'a', sizeof(lng));
    memcpy(lng + sizeof(lng) - 5, "1.ts", 5);
    const char *const longname[] = {lng};
    assert_broken(longname, 1);
}

/* A NUL in a playlist's URI (found by fuzz_m3u8): the pattern would write a
 * shorter name than the one fed, so there is none. */
static void test_nul_in_name(void **state)
{
    (void)state;
    static const char uri[] = "chu\0\0\0\0000.ts";
    struct cc_chunkname p;
    cc_chunkname_feed(&p, 0, uri, sizeof(uri) - 1, false, false);
    assert_false(p.valid);
    char out[CC_CHUNKNAME_MAX + 1];
    assert_int_equal(cc_chunkname_format(&p, 0, out, sizeof(out)), 0);
}

/* A byte range or an EXT-X-MAP breaks it for good, even if the names go on. */
static void test_ranges_and_maps(void **state)
{
    (void)state;
    struct cc_chunkname p;
    cc_chunkname_feed(&p, 0, "seg1.ts", 7, false, false);
    cc_chunkname_feed(&p, 1, "seg2.ts", 7, true, false);
    cc_chunkname_feed(&p, 2, "seg3.ts", 7, false, false);
    assert_false(p.valid);
    cc_chunkname_feed(&p, 0, "seg1.m4s", 8, false, true);
    assert_false(p.valid);
    /* A new segment (chunk 0 again) starts afresh. */
    cc_chunkname_feed(&p, 0, "seg1.ts", 7, false, false);
    assert_true(p.valid);
    char out[8];
    assert_int_equal(cc_chunkname_format(&p, 1, out, sizeof(out)), 7);
    assert_int_equal(cc_chunkname_format(&p, 9, out, sizeof(out)), 0); /* "seg10.ts" too long */
}

/* The hand-made number writer against printf's, over widths and carries:
 * each name formatted, the same names fed back keep the pattern, and one
 * written with another padding breaks it. */
static void test_against_printf(void **state)
{
    (void)state;
    static const uint64_t firsts[] = {0, 1, 7, 9, 99, 995, 99999, 123456789012345678ull};
    static const unsigned widths[] = {0, 2, 3, 5, 6, 18};
    for (size_t f = 0; f < sizeof(firsts) / sizeof(firsts[0]); f++) {
        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
            char first[64];
            snprintf(first, sizeof(first), "chunk_%0*llu.ts", (int)widths[w],
                     (unsigned long long)firsts[f]);
            struct cc_chunkname p;
            cc_chunkname_feed(&p, 0, first, strlen(first), false, false);
            if (!p.valid)
                continue; /* more digits than a pattern takes */
            for (uint32_t k = 1; k < 12; k++) {
                char want[64], got[CC_CHUNKNAME_MAX + 1];
                unsigned pw = p.width;
                snprintf(want, sizeof(want), "chunk_%0*llu.ts", (int)pw,
                         (unsigned long long)(p.first + k));
                size_t n = cc_chunkname_format(&p, k, got, sizeof(got));
                assert_int_equal(n, strlen(want));
                assert_string_equal(got, want);
                cc_chunkname_feed(&p, k, want, strlen(want), false, false);
                assert_true(p.valid);
            }
            struct cc_chunkname q;
            cc_chunkname_feed(&q, 0, first, strlen(first), false, false);
            char other[64];
            snprintf(other, sizeof(other), "chunk_%0*llu.ts", (int)(q.width ? 0 : 4),
                     (unsigned long long)(q.first + 1));
            char want[64];
            snprintf(want, sizeof(want), "chunk_%0*llu.ts", (int)q.width,
                     (unsigned long long)(q.first + 1));
            cc_chunkname_feed(&q, 1, other, strlen(other), false, false);
            assert_int_equal(q.valid, strcmp(other, want) == 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ffmpeg_namings),  cmocka_unit_test(test_breaks),
        cmocka_unit_test(test_ranges_and_maps), cmocka_unit_test(test_nul_in_name),
        cmocka_unit_test(test_against_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
