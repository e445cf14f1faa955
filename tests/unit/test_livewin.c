/* livewin: the live window over a growing playlist, with the wall clock
 * handed in (never the machine's), so freshness is tested without waiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "livewin.h"
#include "testutil.h"

/* 2025-01-24T08:00:00Z */
#define T0 1737705600000LL
#define SEC 1000000000LL

struct fx {
    char *root;
    char dir[4096];
    char pl[4200];
    struct cc_day *day;
    struct cc_livewin *w;
    struct cc_buf out;
};

static void fx_init(struct fx *f, unsigned window, const char *head)
{
    f->root = tu_tmpdir();
    snprintf(f->dir, sizeof(f->dir), "%s/2025-01-24/00001", f->root);
    snprintf(f->pl, sizeof(f->pl), "%s/index.m3u8", f->dir);
    tu_mkdirs(f->dir);
    tu_write(f->pl, head);
    struct cc_date date = {2025, 1, 24};
    f->day = cc_day_new(&date);
    cc_day_add_segment(f->day, "00001", "2025-01-24/00001/index.m3u8");
    f->w = cc_livewin_new(f->root, "/rec/", window);
    cc_buf_init(&f->out);
}

static void fx_free(struct fx *f)
{
    cc_buf_free(&f->out);
    cc_livewin_free(f->w);
    cc_day_free(f->day);
    tu_rmrf(f->root);
    free(f->root);
}

static int64_t mtime_ns(const struct fx *f)
{
    struct stat st;
    assert_int_equal(stat(f->pl, &st), 0);
    return (int64_t)st.st_mtim.tv_sec * SEC + st.st_mtim.tv_nsec;
}

/* Updates as if now were `after_ns` past the playlist's mtime; renders. */
static int fx_update(struct fx *f, int64_t after_ns)
{
    int rc = cc_livewin_update(f->w, f->day, 0, mtime_ns(f) + after_ns);
    cc_buf_reset(&f->out);
    if (rc == 1)
        cc_livewin_render(f->w, &f->out);
    return rc;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

static void test_window_and_sequence(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 4, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    tu_chunks(f.dir, "index.m3u8", 0, 10, T0, 2000);
    assert_int_equal(fx_update(&f, 0), 1);
    assert_non_null(strstr(f.out.data, "#EXT-X-MEDIA-SEQUENCE:6\n"));
    assert_non_null(strstr(f.out.data, "#EXT-X-TARGETDURATION:2\n"));
    assert_int_equal(count(f.out.data, "#EXTINF:2.000000,\n"), 4);
    assert_int_equal(count(f.out.data, "#EXT-X-PROGRAM-DATE-TIME:"), 4);
    assert_non_null(strstr(f.out.data, "\n/rec/2025-01-24/00001/c000009.ts\n"));
    assert_non_null(strstr(f.out.data, "2025-01-24T08:00:12.000Z\n#EXTINF"));
    assert_null(strstr(f.out.data, "ENDLIST"));

    /* One appended chunk: only the new bytes and a tail check are read. */
    struct cc_livewin_stats a, b;
    cc_livewin_get_stats(f.w, &a);
    tu_chunks(f.dir, "index.m3u8", 10, 1, T0 + 20000, 2000);
    assert_int_equal(fx_update(&f, 0), 1);
    cc_livewin_get_stats(f.w, &b);
    assert_non_null(strstr(f.out.data, "#EXT-X-MEDIA-SEQUENCE:7\n"));
    assert_int_equal(b.full_parses, a.full_parses);
    assert_true(b.bytes_read - a.bytes_read < 2 * 1024 + 200);

    /* Unchanged: nothing read at all. */
    assert_int_equal(fx_update(&f, 0), 1);
    struct cc_livewin_stats c;
    cc_livewin_get_stats(f.w, &c);
    assert_int_equal(c.bytes_read, b.bytes_read);

    /* A half-written chunk waits for its line end. */
    tu_append(f.pl, "#EXTINF:2.000,\nc0000");
    assert_int_equal(fx_update(&f, 0), 1);
    assert_non_null(strstr(f.out.data, "#EXT-X-MEDIA-SEQUENCE:7\n"));
    tu_append(f.pl, "11.ts\n");
    assert_int_equal(fx_update(&f, 0), 1);
    assert_non_null(strstr(f.out.data, "#EXT-X-MEDIA-SEQUENCE:8\n"));
    /* no PDT of its own: it starts where the previous chunk ended */
    assert_non_null(strstr(f.out.data, "2025-01-24T08:00:22.000Z\n#EXTINF:2.000000,\n"
                                       "/rec/2025-01-24/00001/c000011.ts\n"));
    fx_free(&f);
}

static void test_freshness_and_endlist(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 6, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    assert_int_equal(fx_update(&f, 0), 0); /* no chunk yet */
    tu_chunks(f.dir, "index.m3u8", 0, 3, T0, 2000);
    assert_int_equal(fx_update(&f, 9 * SEC), 1);
    assert_int_equal(fx_update(&f, 11 * SEC), 0);   /* 10 s at least ... */
    assert_int_equal(fx_update(&f, 3600 * SEC), 0); /* ... a power cut long ago */
    assert_int_equal(fx_update(&f, 0), 1);
    tu_append(f.pl, "#EXT-X-ENDLIST"); /* even unterminated */
    assert_int_equal(fx_update(&f, 0), 0);
    fx_free(&f);
}

static void test_long_target(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 6, "#EXTM3U\n#EXT-X-TARGETDURATION:6\n");
    tu_chunks(f.dir, "index.m3u8", 0, 2, T0, 6000);
    assert_int_equal(fx_update(&f, 17 * SEC), 1); /* 3 target durations */
    assert_int_equal(fx_update(&f, 19 * SEC), 0);
    assert_int_equal(cc_livewin_target_ms(f.w), 6000);
    fx_free(&f);
}

static void test_rewritten_from_scratch(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 4, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    tu_chunks(f.dir, "index.m3u8", 0, 6, T0, 2000);
    assert_int_equal(fx_update(&f, 0), 1);
    assert_non_null(strstr(f.out.data, "#EXT-X-MEDIA-SEQUENCE:2\n"));
    /* The recorder started the same file over: numbers go on, and the new
     * media is a discontinuity. */
    tu_write(f.pl, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    tu_chunks(f.dir, "index.m3u8", 100, 2, T0 + 60000, 2000);
    assert_int_equal(fx_update(&f, 0), 1);
    assert_non_null(strstr(f.out.data, "#EXT-X-MEDIA-SEQUENCE:6\n"));
    assert_non_null(strstr(f.out.data, "#EXT-X-DISCONTINUITY-SEQUENCE:1\n"));
    assert_int_equal(count(f.out.data, "#EXTINF"), 2);
    assert_int_equal(count(f.out.data, "#EXT-X-DISCONTINUITY\n"), 0);
    fx_free(&f);
}

static void test_untimed_and_fmp4(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 3,
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"
            "#EXT-X-MAP:URI=\"init.mp4\"\n"
            "#EXTINF:2.0,\nseg 0.m4s\n#EXTINF:2.0,\nseg1.m4s\n");
    assert_int_equal(fx_update(&f, 0), 1);
    assert_non_null(strstr(f.out.data, "#EXT-X-VERSION:7\n"));
    assert_int_equal(count(f.out.data, "#EXT-X-MAP:URI=\"/rec/2025-01-24/00001/init.mp4\"\n"), 1);
    assert_non_null(strstr(f.out.data, "/rec/2025-01-24/00001/seg%200.m4s\n"));
    /* No PDT at all: placed so the last chunk ends at the playlist's mtime. */
    assert_int_equal(count(f.out.data, "#EXT-X-PROGRAM-DATE-TIME:"), 2);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_and_sequence), cmocka_unit_test(test_freshness_and_endlist),
        cmocka_unit_test(test_long_target),         cmocka_unit_test(test_rewritten_from_scratch),
        cmocka_unit_test(test_untimed_and_fmp4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
