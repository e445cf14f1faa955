/* The clip planner: which chunks of which days make up [from, to). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "clip.h"
#include "testutil.h"

/* 2025-01-24T08:00:00Z */
#define T0 1737705600000LL
/* 2025-01-25T00:00:00Z */
#define MIDNIGHT 1737763200000LL

struct fx {
    char *root;
    struct cc_catalog *cat;
};

static void fx_open(struct fx *f)
{
    struct cc_catalog_config cfg = {.root = f->root, .write_sidecars = false, .recheck_ms = -1};
    assert_int_equal(cc_catalog_new(&cfg, &f->cat), 0);
}

static void fx_free(struct fx *f)
{
    cc_catalog_free(f->cat);
    tu_rmrf(f->root);
    free(f->root);
}

/* A folder ROOT/day/seg with n 2 s chunks c<first>.ts.. from t0. */
static void folder(struct fx *f, const char *day, const char *seg, int first, int n, int64_t t0)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/%s/%s", f->root, day, seg);
    tu_mkdirs(dir);
    char pl[4200];
    snprintf(pl, sizeof(pl), "%s/index.m3u8", dir);
    tu_write(pl, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    tu_chunks(dir, "index.m3u8", first, n, t0, 2000);
    tu_append(pl, "#EXT-X-ENDLIST\n");
}

/* Plans [from, to) over the listed days (NULL-terminated). */
static int plan(struct fx *f, struct cc_clip *c, int64_t from, int64_t to, ...)
{
    va_list ap;
    va_start(ap, to);
    int rc = 0;
    cc_clip_init(c);
    for (const char *name; rc == 0 && (name = va_arg(ap, const char *)) != NULL;) {
        struct cc_date date;
        assert_int_equal(cc_date_parse(name, strlen(name), &date), 0);
        const struct cc_day *d;
        assert_int_equal(cc_catalog_get_day(f->cat, &date, &d), 0);
        rc = cc_clip_add_day(c, d, f->root, from, to);
        cc_catalog_release(f->cat, d);
    }
    va_end(ap);
    return rc;
}

static void assert_names(const struct cc_clip *c, const char *const *want, size_t n)
{
    assert_int_equal(c->nparts, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(cc_clip_name(c, &c->parts[i]), want[i]);
}

/* Overlap, not containment: a chunk cut by either edge is in, one that only
 * touches an edge is out; folders follow each other in recording order. */
static void test_edges_and_folders(void **state)
{
    struct fx f = {tu_tmpdir(), NULL};
    folder(&f, "2025-01-24", "00001", 0, 5, T0);         /* 08:00:00 - 08:00:10 */
    folder(&f, "2025-01-24", "00002", 0, 5, T0 + 60000); /* 08:01:00 - 08:01:10 */
    fx_open(&f);
    struct cc_clip c;

    assert_int_equal(plan(&f, &c, T0 + 4000, T0 + 61000, "2025-01-24", NULL), 0);
    static const char *const want[] = {
        "2025-01-24/00001/c000002.ts",
        "2025-01-24/00001/c000003.ts",
        "2025-01-24/00001/c000004.ts",
        "2025-01-24/00002/c000000.ts",
    };
    assert_names(&c, want, 4);
    assert_int_equal(c.chunks, 4);
    assert_int_equal(c.dur_ms, 8000);
    assert_int_equal(c.start_ms, T0 + 4000);
    assert_int_equal(c.end_ms, T0 + 62000);
    assert_true(c.has_ts);
    assert_false(c.has_fmp4);
    assert_int_equal(c.parts[3].start_ms, T0 + 60000);
    assert_int_equal(c.parts[3].dur_ms, 2000);
    assert_false(c.parts[0].has_range);
    cc_clip_free(&c);

    /* a range cutting chunks in the middle takes them whole */
    assert_int_equal(plan(&f, &c, T0 + 4999, T0 + 6001, "2025-01-24", NULL), 0);
    static const char *const cut[] = {"2025-01-24/00001/c000002.ts", "2025-01-24/00001/c000003.ts"};
    assert_names(&c, cut, 2);
    cc_clip_free(&c);

    /* inside the gap between the folders: nothing */
    assert_int_equal(plan(&f, &c, T0 + 10000, T0 + 60000, "2025-01-24", NULL), 0);
    assert_int_equal(c.nparts, 0);
    assert_int_equal(c.chunks, 0);
    cc_clip_free(&c);
    fx_free(&f);
}

/* A folder started before midnight runs into the next day; the next day's
 * folder follows it. */
static void test_across_midnight(void **state)
{
    struct fx f = {tu_tmpdir(), NULL};
    folder(&f, "2025-01-24", "00007", 0, 6, MIDNIGHT - 6000); /* 23:59:54 - 00:00:06 */
    folder(&f, "2025-01-25", "00008", 0, 3, MIDNIGHT + 10000);
    fx_open(&f);
    struct cc_clip c;
    assert_int_equal(plan(&f, &c, MIDNIGHT - 2000, MIDNIGHT + 12000, "2025-01-24", "2025-01-25",
                          NULL),
                     0);
    static const char *const want[] = {
        "2025-01-24/00007/c000002.ts", "2025-01-24/00007/c000003.ts", "2025-01-24/00007/c000004.ts",
        "2025-01-24/00007/c000005.ts", "2025-01-25/00008/c000000.ts",
    };
    assert_names(&c, want, 5);
    assert_int_equal(c.dur_ms, 10000);
    cc_clip_free(&c);
    fx_free(&f);
}

/* A chunk the index found missing on disk is left out and counted. */
static void test_missing_chunk(void **state)
{
    struct fx f = {tu_tmpdir(), NULL};
    folder(&f, "2025-01-24", "00001", 0, 4, T0);
    char p[4200];
    snprintf(p, sizeof(p), "%s/2025-01-24/00001/c000001.ts", f.root);
    assert_int_equal(unlink(p), 0);
    fx_open(&f);
    struct cc_clip c;
    assert_int_equal(plan(&f, &c, T0, T0 + 8000, "2025-01-24", NULL), 0);
    static const char *const want[] = {"2025-01-24/00001/c000000.ts", "2025-01-24/00001/c000002.ts",
                                       "2025-01-24/00001/c000003.ts"};
    assert_names(&c, want, 3);
    assert_int_equal(c.skipped_missing, 1);
    assert_int_equal(c.dur_ms, 6000);
    cc_clip_free(&c);
    fx_free(&f);
}

static void write_file(const char *root, const char *rel, const char *text)
{
    char p[4200];
    snprintf(p, sizeof(p), "%s/%s", root, rel);
    tu_write(p, text);
}

/* fMP4: the init section before the first fragment taken, again where the
 * map changes; byte ranges carried (an omitted offset follows the last). */
static void test_fmp4_init_and_ranges(void **state)
{
    struct fx f = {tu_tmpdir(), NULL};
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/2026-01-14/00001", f.root);
    tu_mkdirs(dir);
    write_file(f.root, "2026-01-14/00001/index.m3u8",
               "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"
               "#EXT-X-MAP:URI=\"init.mp4\"\n"
               "#EXT-X-PROGRAM-DATE-TIME:2026-01-14T08:00:00.000Z\n"
               "#EXTINF:2.000,\n#EXT-X-BYTERANGE:1000@0\nmedia.m4s\n"
               "#EXTINF:2.000,\n#EXT-X-BYTERANGE:1500\nmedia.m4s\n"
               "#EXT-X-MAP:URI=\"init2.mp4\",BYTERANGE=\"700@10\"\n"
               "#EXTINF:2.000,\nfrag3.m4s\n"
               "#EXT-X-ENDLIST\n");
    write_file(f.root, "2026-01-14/00001/init.mp4", "i");
    write_file(f.root, "2026-01-14/00001/init2.mp4", "j");
    write_file(f.root, "2026-01-14/00001/media.m4s", "m");
    write_file(f.root, "2026-01-14/00001/frag3.m4s", "f");
    fx_open(&f);
    const int64_t t = 1768377600000LL; /* 2026-01-14T08:00:00Z */
    struct cc_clip c;

    assert_int_equal(plan(&f, &c, t + 2000, t + 6000, "2026-01-14", NULL), 0);
    static const char *const want[] = {
        "2026-01-14/00001/init.mp4",
        "2026-01-14/00001/media.m4s",
        "2026-01-14/00001/init2.mp4",
        "2026-01-14/00001/frag3.m4s",
    };
    assert_names(&c, want, 4);
    assert_int_equal(c.parts[0].kind, CC_CLIP_INIT);
    assert_false(c.parts[0].has_range);
    assert_int_equal(c.parts[1].kind, CC_CLIP_CHUNK);
    assert_true(c.parts[1].has_range);
    assert_int_equal(c.parts[1].off, 1000);
    assert_int_equal(c.parts[1].len, 1500);
    assert_int_equal(c.parts[2].kind, CC_CLIP_INIT);
    assert_true(c.parts[2].has_range);
    assert_int_equal(c.parts[2].off, 10);
    assert_int_equal(c.parts[2].len, 700);
    assert_int_equal(c.chunks, 2);
    assert_true(c.has_fmp4);
    assert_false(c.has_ts);
    cc_clip_free(&c);

    /* only the last fragment: its own init section, not the first one */
    assert_int_equal(plan(&f, &c, t + 4000, t + 6000, "2026-01-14", NULL), 0);
    static const char *const last[] = {"2026-01-14/00001/init2.mp4", "2026-01-14/00001/frag3.m4s"};
    assert_names(&c, last, 2);
    cc_clip_free(&c);
    fx_free(&f);
}

/* URIs that would leave the folder tree never reach the plan. */
static void test_foreign_uris(void **state)
{
    struct fx f = {tu_tmpdir(), NULL};
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/2025-01-24/00001/sub", f.root);
    tu_mkdirs(dir);
    write_file(f.root, "2025-01-24/00001/index.m3u8",
               "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
               "#EXT-X-PROGRAM-DATE-TIME:2025-01-24T08:00:00.000Z\n"
               "#EXTINF:2.000,\n../../x.ts\n#EXTINF:2.000,\n/etc/passwd\n"
               "#EXTINF:2.000,\nhttp://example.com/a.ts\n#EXTINF:2.000,\nsub/..\n"
               "#EXTINF:2.000,\nsub/ok.ts\n#EXTINF:2.000,\na..b.ts\n#EXT-X-ENDLIST\n");
    write_file(f.root, "2025-01-24/00001/sub/ok.ts", "o");
    write_file(f.root, "2025-01-24/00001/a..b.ts", "a");
    fx_open(&f);
    struct cc_clip c;
    assert_int_equal(plan(&f, &c, T0, T0 + 12000, "2025-01-24", NULL), 0);
    static const char *const want[] = {"2025-01-24/00001/sub/ok.ts", "2025-01-24/00001/a..b.ts"};
    assert_names(&c, want, 2);
    assert_int_equal(c.skipped_unsafe, 4);
    cc_clip_free(&c);
    fx_free(&f);
}

/* A plan is bounded: a playlist of absurdly short chunks is refused. */
static void test_part_limit(void **state)
{
    struct fx f = {tu_tmpdir(), NULL};
    char dir[4200], pl[4300];
    snprintf(dir, sizeof(dir), "%s/2025-01-24/00001", f.root);
    tu_mkdirs(dir);
    snprintf(pl, sizeof(pl), "%s/index.m3u8", dir);
    FILE *fp = fopen(pl, "w");
    assert_non_null(fp);
    fputs("#EXTM3U\n#EXT-X-TARGETDURATION:1\n"
          "#EXT-X-PROGRAM-DATE-TIME:2025-01-24T08:00:00.000Z\n",
          fp);
    for (int i = 0; i < CC_CLIP_MAX_PARTS + 5; i++)
        fputs("#EXTINF:0.010,\nc.ts\n", fp); /* one file: the index checks names */
    fputs("#EXT-X-ENDLIST\n", fp);
    fclose(fp);
    write_file(f.root, "2025-01-24/00001/c.ts", "c");
    fx_open(&f);
    struct cc_clip c;
    assert_int_equal(plan(&f, &c, T0, T0 + 3600000, "2025-01-24", NULL), -E2BIG);
    assert_int_equal(c.nparts, CC_CLIP_MAX_PARTS);
    cc_clip_free(&c);
    fx_free(&f);
}

/* Plans at instants: each chunk once however many instants it holds, in
 * recording order; a playlist whose clock was set back still yields the
 * chunks recorded after the step (planning stops early only past them). */
static void test_sampled_and_step_back(void **state)
{
    struct fx f = {tu_tmpdir(), NULL};
    char dir[4096], pl[4200];
    snprintf(dir, sizeof(dir), "%s/2025-01-24/00001", f.root);
    tu_mkdirs(dir);
    snprintf(pl, sizeof(pl), "%s/index.m3u8", dir);
    tu_write(pl, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    tu_chunks(dir, "index.m3u8", 0, 5, T0, 2000);
    tu_chunks(dir, "index.m3u8", 5, 5, T0 - 60000, 2000); /* the clock set back a minute */
    tu_append(pl, "#EXT-X-ENDLIST\n");
    fx_open(&f);
    struct cc_date date;
    assert_int_equal(cc_date_parse("2025-01-24", 10, &date), 0);
    const struct cc_day *d;
    assert_int_equal(cc_catalog_get_day(f.cat, &date, &d), 0);

    struct cc_clip c;
    cc_clip_init(&c);
    static const int64_t at[] = {T0 - 59000, T0 + 1000, T0 + 1500, T0 + 5000};
    assert_int_equal(cc_clip_add_day_at(&c, d, f.root, at, 4), 0);
    static const char *const want[] = {
        "2025-01-24/00001/c000000.ts",
        "2025-01-24/00001/c000002.ts",
        "2025-01-24/00001/c000005.ts",
    };
    assert_names(&c, want, 3);
    cc_clip_free(&c);

    cc_clip_init(&c);
    assert_int_equal(cc_clip_add_day(&c, d, f.root, T0 - 57000, T0 - 56000), 0);
    static const char *const back[] = {"2025-01-24/00001/c000006.ts"};
    assert_names(&c, back, 1);
    cc_clip_free(&c);
    cc_catalog_release(f.cat, d);
    fx_free(&f);
}

/* Thumbnails and time-lapses of a segment whose names follow one pattern
 * read no playlist: with the playlist gone after indexing, the sampled plan
 * still names the chunks (and skips a missing one), while a segment whose
 * names break the pattern, and an export, still depend on the playlist. */
static void test_sampled_by_names(void **state)
{
    struct fx f = {tu_tmpdir(), NULL};
    folder(&f, "2025-01-24", "00001", 7, 5, T0);
    folder(&f, "2025-01-24", "00002", 0, 3, T0 + 60000);
    char pl[4096], cp[4096], cmd[4300];
    snprintf(cp, sizeof(cp), "%s/2025-01-24/00001/c000009.ts", f.root);
    assert_int_equal(unlink(cp), 0);
    snprintf(pl, sizeof(pl), "%s/2025-01-24/00002/index.m3u8", f.root);
    snprintf(cmd, sizeof(cmd), "sed -i 's/^c000001.ts$/other.ts/' '%s'", pl); /* renamed */
    assert_int_equal(system(cmd), 0);
    fx_open(&f);
    struct cc_date date;
    assert_int_equal(cc_date_parse("2025-01-24", 10, &date), 0);
    const struct cc_day *d;
    assert_int_equal(cc_catalog_get_day(f.cat, &date, &d), 0);
    assert_true(d->segs[0].names.valid);
    assert_false(d->segs[1].names.valid);
    snprintf(pl, sizeof(pl), "%s/2025-01-24/00001/index.m3u8", f.root);
    assert_int_equal(unlink(pl), 0);
    snprintf(pl, sizeof(pl), "%s/2025-01-24/00002/index.m3u8", f.root);
    assert_int_equal(unlink(pl), 0);

    struct cc_clip c;
    cc_clip_init(&c);
    static const int64_t at[] = {T0 + 500, T0 + 4100, T0 + 6000, T0 + 9999, T0 + 61000};
    assert_int_equal(cc_clip_add_day_at(&c, d, f.root, at, 5), 0);
    static const char *const want[] = {
        "2025-01-24/00001/c000007.ts",
        "2025-01-24/00001/c000010.ts",
        "2025-01-24/00001/c000011.ts",
    };
    assert_names(&c, want, 3);
    assert_int_equal(c.skipped_missing, 1);
    assert_int_equal(c.parts[1].start_ms, T0 + 6000);
    assert_int_equal(c.parts[1].dur_ms, 2000);
    assert_false(c.parts[1].has_range);
    cc_clip_free(&c);

    cc_clip_init(&c); /* an export reads the (now gone) playlist */
    assert_int_equal(cc_clip_add_day(&c, d, f.root, T0, T0 + 4000), 0);
    assert_int_equal(c.nparts, 0);
    cc_clip_free(&c);
    cc_catalog_release(f.cat, d);
    fx_free(&f);
}

/* Skipping the chunks that end before an instant, in bulk, leaves exactly
 * the sequence a chunk-by-chunk walk leaves after dropping them: across
 * spans (a gap, a clock set back), runs of other durations, and instants in
 * the middle of a run, at a run's edge, before and after everything. */
static void test_iter_skip_before(void **state)
{
    struct fx f = {tu_tmpdir(), NULL};
    char dir[4096], pl[4200];
    snprintf(dir, sizeof(dir), "%s/2025-01-24/00001", f.root);
    tu_mkdirs(dir);
    snprintf(pl, sizeof(pl), "%s/index.m3u8", dir);
    tu_write(pl, "#EXTM3U\n#EXT-X-TARGETDURATION:3\n");
    tu_chunks(dir, "index.m3u8", 0, 5, T0, 2000);
    tu_chunks(dir, "index.m3u8", 5, 3, T0 + 10000, 1500);
    tu_chunks(dir, "index.m3u8", 8, 4, T0 + 60000, 2000);  /* a gap */
    tu_chunks(dir, "index.m3u8", 12, 3, T0 - 30000, 2000); /* the clock set back */
    tu_chunks(dir, "index.m3u8", 15, 2, T0 - 24000, 3000);
    tu_append(pl, "#EXT-X-ENDLIST\n");
    fx_open(&f);
    struct cc_date date;
    assert_int_equal(cc_date_parse("2025-01-24", 10, &date), 0);
    const struct cc_day *d;
    assert_int_equal(cc_catalog_get_day(f.cat, &date, &d), 0);
    const struct cc_segment *s = &d->segs[0];
    assert_int_equal(s->nchunks, 17);
    assert_true(s->nspans >= 3);

    int64_t t[17], t2;
    uint32_t dur[17], idx[17], dur2, idx2;
    struct cc_chunk_iter it;
    cc_chunk_iter_init(&it, s);
    size_t n = 0;
    while (n < 17 && cc_chunk_iter_next(&it, &t[n], &dur[n], &idx[n], NULL))
        n++;
    assert_int_equal(n, 17);
    for (int64_t ms = T0 - 32000; ms <= T0 + 70000; ms += 250) {
        size_t k = 0;
        while (k < n && t[k] + dur[k] <= ms)
            k++;
        cc_chunk_iter_init(&it, s);
        cc_chunk_iter_skip_before(&it, ms);
        for (; k < n; k++) {
            assert_true(cc_chunk_iter_next(&it, &t2, &dur2, &idx2, NULL));
            assert_int_equal(t2, t[k]);
            assert_int_equal(dur2, dur[k]);
            assert_int_equal(idx2, idx[k]);
        }
        assert_false(cc_chunk_iter_next(&it, &t2, &dur2, &idx2, NULL));
    }
    cc_catalog_release(f.cat, d);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_and_folders),     cmocka_unit_test(test_across_midnight),
        cmocka_unit_test(test_missing_chunk),         cmocka_unit_test(test_fmp4_init_and_ranges),
        cmocka_unit_test(test_foreign_uris),          cmocka_unit_test(test_part_limit),
        cmocka_unit_test(test_sampled_and_step_back), cmocka_unit_test(test_sampled_by_names),
        cmocka_unit_test(test_iter_skip_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
