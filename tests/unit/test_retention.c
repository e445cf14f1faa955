/* Retention: the planner on hand-made inventories (a fake free space), the
 * executor on temporary trees, and the storage bytes the index keeps. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "fsutil.h"
#include "mem.h"
#include "retention.h"
#include "scan.h"
#include "sidecar.h"
#include "testutil.h"

/* 2025-01-03T08:00:00Z */
#define T3 1735891200000LL

/* ---- planner ----------------------------------------------------------------- */

struct fake {
    struct cc_ret_inventory inv;
};

/* Adds day "2025-01-DD" with folders given as bytes (0 ends the list); a day
 * without folders takes day_bytes. */
static void fake_day(struct cc_ret_inventory *inv, int dd, uint64_t day_bytes, ...)
{
    inv->days = cc_xrealloc(inv->days, (inv->ndays + 1) * sizeof(*inv->days));
    struct cc_ret_day *d = &inv->days[inv->ndays++];
    memset(d, 0, sizeof(*d));
    d->date = (struct cc_date){2025, 1, dd};
    cc_date_format(&d->date, d->name);
    va_list ap;
    va_start(ap, day_bytes);
    uint64_t b;
    while ((b = va_arg(ap, uint64_t)) != 0) {
        d->folders = cc_xrealloc(d->folders, (d->nfolders + 1) * sizeof(*d->folders));
        struct cc_ret_folder *f = &d->folders[d->nfolders++];
        memset(f, 0, sizeof(*f));
        snprintf(f->name, sizeof(f->name), "%05zu", d->nfolders);
        f->bytes = b;
        d->bytes += b;
    }
    va_end(ap);
    if (!d->nfolders)
        d->bytes = day_bytes;
}

static void expect_item(const struct cc_ret_plan *p, size_t i, const char *date, const char *folder,
                        enum cc_ret_reason why)
{
    assert_true(i < p->n);
    assert_string_equal(p->items[i].date, date);
    assert_string_equal(p->items[i].folder, folder);
    assert_int_equal(p->items[i].reason, why);
}

static void test_plan_age_boundary(void **state)
{
    (void)state;
    struct cc_ret_inventory inv = {0};
    for (int dd = 1; dd <= 5; dd++)
        fake_day(&inv, dd, 100, (uint64_t)0);
    struct cc_ret_policy pol = {.retain_days = 3};
    struct cc_date today = {2025, 1, 5};
    struct cc_fs_space sp = {1000, 900};
    struct cc_ret_plan p;
    cc_ret_plan(&inv, &pol, &today, &sp, &p);
    /* 3 days kept: the 5th (today), 4th and 3rd; the 2nd is 3 days old. */
    assert_int_equal(p.n, 2);
    expect_item(&p, 0, "2025-01-01", "", CC_RET_AGE);
    expect_item(&p, 1, "2025-01-02", "", CC_RET_AGE);
    assert_int_equal(p.bytes, 200);
    assert_int_equal(p.floor_bytes, 0);
    cc_ret_plan_free(&p);
    pol.retain_days = 0; /* no age limit, no floor: nothing */
    cc_ret_plan(&inv, &pol, &today, &sp, &p);
    assert_int_equal(p.n, 0);
    cc_ret_plan_free(&p);
    cc_ret_inventory_free(&inv);
}

static void test_plan_space_days_then_folders(void **state)
{
    (void)state;
    struct cc_ret_inventory inv = {0};
    fake_day(&inv, 1, 200, (uint64_t)0);
    fake_day(&inv, 2, 100, (uint64_t)0);
    fake_day(&inv, 3, 0, (uint64_t)150, (uint64_t)100, (uint64_t)1000, (uint64_t)0);
    inv.days[2].recording = inv.days[2].folders[2].recording = true;
    struct cc_ret_policy pol = {.min_free_pct = 50};
    struct cc_date today = {2025, 1, 3};
    struct cc_fs_space sp = {1000, 100};
    struct cc_ret_plan p;
    cc_ret_plan(&inv, &pol, &today, &sp, &p);
    assert_int_equal(p.floor_bytes, 500);
    assert_int_equal(p.n, 3);
    expect_item(&p, 0, "2025-01-01", "", CC_RET_SPACE);
    expect_item(&p, 1, "2025-01-02", "", CC_RET_SPACE);
    expect_item(&p, 2, "2025-01-03", "00001", CC_RET_SPACE);
    assert_false(p.floor_unreachable);
    cc_ret_plan_free(&p);

    /* Unreachable: everything but the recording folder, and it says so. */
    pol.min_free_pct = 99;
    cc_ret_plan(&inv, &pol, &today, &sp, &p);
    assert_int_equal(p.n, 4);
    expect_item(&p, 3, "2025-01-03", "00002", CC_RET_SPACE);
    assert_true(p.floor_unreachable);
    for (size_t i = 0; i < p.n; i++)
        assert_false(!strcmp(p.items[i].date, "2025-01-03") && !p.items[i].folder[0]);
    cc_ret_plan_free(&p);

    /* min_free_mb wins when it is the larger floor. */
    pol = (struct cc_ret_policy){.min_free_mb = 1, .min_free_pct = 1};
    cc_ret_plan(&inv, &pol, &today, &sp, &p);
    assert_int_equal(p.floor_bytes, 1 << 20);
    cc_ret_plan_free(&p);
    cc_ret_inventory_free(&inv);
}

static void test_plan_newest_never_whole(void **state)
{
    (void)state;
    struct cc_ret_inventory inv = {0};
    fake_day(&inv, 1, 0, (uint64_t)10, (uint64_t)0);
    fake_day(&inv, 2, 0, (uint64_t)10, (uint64_t)20, (uint64_t)0);
    struct cc_ret_policy pol = {.retain_days = 1};
    struct cc_date today = {2025, 1, 20};
    struct cc_fs_space sp = {1000, 1000};
    struct cc_ret_plan p;
    cc_ret_plan(&inv, &pol, &today, &sp, &p);
    /* Nothing records; the newest day still goes folder by folder. */
    assert_int_equal(p.n, 3);
    expect_item(&p, 0, "2025-01-01", "", CC_RET_AGE);
    expect_item(&p, 1, "2025-01-02", "00001", CC_RET_AGE);
    expect_item(&p, 2, "2025-01-02", "00002", CC_RET_AGE);
    cc_ret_plan_free(&p);
    cc_ret_inventory_free(&inv);
}

/* ---- trees ---------------------------------------------------------------------- */

static uint64_t tree_bytes;

static int add_blocks(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    if (flag == FTW_F && strstr(path, CC_SIDECAR_NAME) == NULL)
        tree_bytes += (uint64_t)st->st_blocks * 512;
    return 0;
}

/* Allocated bytes of the files under path (sidecars aside). */
static uint64_t du(const char *path)
{
    tree_bytes = 0;
    nftw(path, add_blocks, 16, FTW_PHYS);
    return tree_bytes;
}

static void fill(const char *path, size_t n)
{
    char *buf = cc_xmalloc(n);
    memset(buf, 'x', n);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite(buf, 1, n, f);
    fclose(f);
    free(buf);
}

/* ROOT/DATE/NNNNN with n chunks of 10,000 bytes. */
static void set_mtime(const char *path, int64_t ms)
{
    struct timespec ts[2] = {{ms / 1000, (ms % 1000) * 1000000},
                             {ms / 1000, (ms % 1000) * 1000000}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static void folder(const char *root, const char *date, const char *num, int n, bool endlist,
                   int64_t t0)
{
    char dir[4096], pl[4200], c[4300];
    snprintf(dir, sizeof(dir), "%s/%s/%s", root, date, num);
    snprintf(pl, sizeof(pl), "%s/index.m3u8", dir);
    tu_mkdirs(dir);
    tu_write(pl, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    tu_chunks(dir, "index.m3u8", 0, n, t0, 2000);
    for (int i = 0; i < n; i++) {
        snprintf(c, sizeof(c), "%s/c%06d.ts", dir, i);
        fill(c, 10000);
    }
    if (endlist)
        tu_append(pl, "#EXT-X-ENDLIST\n");
    /* As the recorder left them when it wrote the last chunk: an open
     * playlist last changed a year ago is cut short, not recording. */
    set_mtime(pl, t0 + n * 2000);
    set_mtime(dir, t0 + n * 2000);
}

/* The recorder writes into dir now: its playlist and folder just changed. */
static void recording_now(const char *root, const char *rel)
{
    char dir[4200], pl[4300];
    snprintf(dir, sizeof(dir), "%s/%s", root, rel);
    snprintf(pl, sizeof(pl), "%s/index.m3u8", dir);
    int64_t now = cc_now_ns() / 1000000;
    set_mtime(pl, now);
    set_mtime(dir, now);
}

static bool exists(const char *root, const char *rel)
{
    char p[4200];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", root, rel);
    return lstat(p, &st) == 0;
}

static struct cc_catalog *cat_open(const char *root, const char *cache_dir)
{
    struct cc_catalog_config cfg = {.root = root,
                                    .cache_dir = cache_dir,
                                    .write_sidecars = true,
                                    .recheck_ms = -1};
    struct cc_catalog *c;
    assert_int_equal(cc_catalog_new(&cfg, &c), 0);
    return c;
}

static void test_day_bytes(void **state)
{
    (void)state;
    char *root = tu_tmpdir();
    folder(root, "2025-01-03", "00001", 3, true, T3);
    folder(root, "2025-01-03", "00002", 2, false, T3 + 60000);
    char p[4400];
    snprintf(p, sizeof(p), "%s/2025-01-03/00002/events.txt", root);
    tu_write(p, "2025-01-03T08:01:01Z 2 person\n");
    snprintf(p, sizeof(p), "%s/2025-01-03", root);
    uint64_t want = du(p);
    assert_true(want >= 5 * 10000);

    struct cc_date date = {2025, 1, 3};
    struct cc_day *d0 = NULL, *d = NULL;
    bool changed;
    struct cc_scan_stats ss;
    /* Indexing alone stats no chunk: their bytes are not in yet. */
    assert_int_equal(cc_scan_update(root, &date, NULL, &d0, &changed, &ss), 0);
    assert_int_equal(ss.chunks_sized, 0);
    assert_true(d0->bytes < want);
    for (uint32_t i = 0; i < d0->nsegs; i++)
        assert_false(d0->segs[i].flags & CC_SEG_SIZED);
    /* Counting them on top of that index: a stat per chunk, no parse. */
    assert_int_equal(cc_scan_update_sizes(root, &date, d0, &d, &changed, &ss), 0);
    assert_non_null(d);
    assert_true(changed);
    assert_int_equal(ss.chunks_sized, 5);
    assert_int_equal(ss.playlists_full, 0);
    assert_int_equal(d->bytes, want);
    for (uint32_t i = 0; i < d->nsegs; i++)
        assert_true(d->segs[i].flags & CC_SEG_SIZED);
    /* Counted once: asking again changes nothing and stats nothing. */
    struct cc_day *again = NULL;
    d->built_ns -= 10LL * 1000000000;
    assert_int_equal(cc_scan_update_sizes(root, &date, d, &again, &changed, &ss), 0);
    assert_null(again);
    assert_false(changed);
    assert_int_equal(ss.chunks_sized, 0);
    cc_day_free(d0);

    /* Appended chunks: only they are added; equal to a fresh build. */
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/2025-01-03/00002", root);
    tu_chunks(dir, "index.m3u8", 2, 2, T3 + 64000, 2000);
    for (int i = 2; i < 4; i++) {
        snprintf(p, sizeof(p), "%s/c%06d.ts", dir, i);
        fill(p, 20000);
    }
    snprintf(p, sizeof(p), "%s/2025-01-03", root);
    want = du(p);
    d->built_ns -= 10LL * 1000000000; /* as if checked long ago */
    struct cc_day *d2 = NULL;
    assert_int_equal(cc_scan_update_sizes(root, &date, d, &d2, &changed, &ss), 0);
    assert_non_null(d2);
    assert_int_equal(ss.playlists_full, 0); /* nothing parsed again */
    assert_int_equal(ss.chunks_sized, 2);   /* only the new chunks stat'ed */
    assert_int_equal(d2->bytes, want);

    /* The sidecar keeps them. */
    struct cc_buf b;
    cc_buf_init(&b);
    cc_sidecar_encode(d2, &b);
    struct cc_day *d3 = NULL;
    assert_int_equal(cc_sidecar_decode(b.data, b.len, &date, &d3), 0);
    assert_int_equal(d3->bytes, want);
    for (uint32_t i = 0; i < d2->nsegs; i++) {
        assert_int_equal(d3->segs[i].media_bytes, d2->segs[i].media_bytes);
        assert_int_equal(d3->segs[i].pl_bytes, d2->segs[i].pl_bytes);
    }
    cc_buf_free(&b);
    cc_day_free(d);
    cc_day_free(d2);
    cc_day_free(d3);
    tu_rmrf(root);
    free(root);
}

/* ROOT: an old day (with a stray file), a symlink named like a day pointing
 * outside, stray names, and today's day recording in its last folder. */
static void make_tree(char *root, char *outside)
{
    folder(root, "2025-01-01", "00001", 2, true, T3 - 2 * 86400000LL);
    folder(root, "2025-01-01", "00002", 2, false, T3 - 2 * 86400000LL + 60000);
    char p[4200];
    snprintf(p, sizeof(p), "%s/2025-01-01/stray.txt", root);
    tu_write(p, "a stray file goes with its day\n");
    folder(outside, "2025-01-02", "00001", 1, true, T3 - 86400000LL);
    char link[4200], target[4200];
    snprintf(link, sizeof(link), "%s/2025-01-02", root);
    snprintf(target, sizeof(target), "%s/2025-01-02", outside);
    assert_int_equal(symlink(target, link), 0);
    /* A link inside a day goes as a link too. */
    snprintf(target, sizeof(target), "%s/keep", outside);
    tu_mkdirs(target);
    snprintf(p, sizeof(p), "%s/keep/file.ts", outside);
    tu_write(p, "outside ROOT\n");
    snprintf(link, sizeof(link), "%s/2025-01-01/00009", root);
    assert_int_equal(symlink(target, link), 0);
    snprintf(p, sizeof(p), "%s/notes.txt", root);
    tu_write(p, "not a day\n");
    snprintf(p, sizeof(p), "%s/2025-13-01/00001", root);
    tu_mkdirs(p);
    folder(root, "2025-01-03", "00001", 2, true, T3);
    folder(root, "2025-01-03", "00002", 2, false, T3 + 60000);
    recording_now(root, "2025-01-03/00002");
}

static void test_execute_tree(void **state)
{
    (void)state;
    char *root = tu_tmpdir(), *outside = tu_tmpdir(), *cache = tu_tmpdir();
    make_tree(root, outside);
    char p[4200];
    snprintf(p, sizeof(p), "%s/2025-01-01", root);
    uint64_t day1 = du(p);
    struct cc_catalog *cat = cat_open(root, cache);
    struct cc_ret_inventory inv;
    assert_int_equal(cc_ret_inventory_build(cat, &inv), 0);
    assert_int_equal(inv.ndays, 3);
    assert_true(inv.days[1].is_link);
    /* Only the folder the recorder writes now is recording; the old day's
     * open playlist was cut short. */
    assert_false(inv.days[0].recording);
    assert_true(inv.days[2].recording);
    assert_false(inv.days[2].folders[0].recording);
    assert_true(inv.days[2].folders[1].recording);
    /* The index counts chunks, playlists and events files: not stray.txt. */
    snprintf(p, sizeof(p), "%s/2025-01-01/stray.txt", root);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(inv.days[0].bytes, day1 - (uint64_t)st.st_blocks * 512);
    snprintf(p, sizeof(p), "%s/2025-01-01.camcat.idx", cache);
    assert_true(access(p, F_OK) == 0);

    /* Free space far under the floor: everything that may go, goes. */
    struct cc_ret_policy pol = {.retain_days = 1, .min_free_pct = 100};
    struct cc_date today = {2025, 1, 3};
    struct cc_fs_space sp = {1000000, 0};
    struct cc_ret_plan plan;
    cc_ret_plan(&inv, &pol, &today, &sp, &plan);
    assert_int_equal(plan.n, 3);
    expect_item(&plan, 0, "2025-01-01", "", CC_RET_AGE);
    expect_item(&plan, 1, "2025-01-02", "", CC_RET_AGE);
    expect_item(&plan, 2, "2025-01-03", "00001", CC_RET_SPACE);

    struct cc_ret_result res;
    assert_int_equal(cc_ret_execute(root, cat, &plan, true, NULL, &res), 0);
    assert_int_equal(res.removed, 0);
    assert_true(exists(root, "2025-01-01/00001/c000000.ts"));
    assert_true(exists(root, "2025-01-02"));

    assert_int_equal(cc_ret_execute(root, cat, &plan, false, NULL, &res), 0);
    assert_int_equal(res.removed, 3);
    assert_int_equal(res.failed, 0);
    assert_true(res.bytes_freed >= day1);
    assert_false(exists(root, "2025-01-01"));
    assert_false(exists(root, "2025-01-02"));
    assert_true(exists(outside, "2025-01-02/00001/c000000.ts")); /* the link's target */
    assert_true(exists(outside, "keep/file.ts"));
    assert_true(exists(root, "notes.txt"));
    assert_true(exists(root, "2025-13-01/00001"));
    assert_false(exists(root, "2025-01-03/00001"));
    assert_true(exists(root, "2025-01-03/00002/c000001.ts"));
    snprintf(p, sizeof(p), "%s/2025-01-01.camcat.idx", cache);
    assert_true(access(p, F_OK) < 0);

    const struct cc_day *d;
    struct cc_date gone = {2025, 1, 1};
    assert_int_equal(cc_catalog_get_day(cat, &gone, &d), -ENOENT);
    assert_int_equal(cc_catalog_get_day(cat, &today, &d), 0);
    assert_int_equal(d->nsegs, 1);
    cc_catalog_release(cat, d);
    cc_ret_plan_free(&plan);
    cc_ret_inventory_free(&inv);
    cc_catalog_free(cat);
    tu_rmrf(root);
    tu_rmrf(outside);
    tu_rmrf(cache);
    free(root);
    free(outside);
    free(cache);
}

static void test_execute_refuses(void **state)
{
    (void)state;
    char *root = tu_tmpdir(), *outside = tu_tmpdir();
    make_tree(root, outside);
    struct cc_catalog *cat = cat_open(root, NULL);
    struct cc_ret_plan plan = {0};
    cc_ret_plan_add(&plan, "2025-01-03", NULL, 0, CC_RET_REQUEST);
    cc_ret_plan_add(&plan, "2025-01-03", "00002", 0, CC_RET_REQUEST);
    cc_ret_plan_add(&plan, "..", NULL, 0, CC_RET_REQUEST);
    cc_ret_plan_add(&plan, "notes.txt", NULL, 0, CC_RET_REQUEST);
    cc_ret_plan_add(&plan, "2025-01-01", "../2025-01-03", 0, CC_RET_REQUEST);
    struct cc_ret_result res;
    assert_int_equal(cc_ret_execute(root, cat, &plan, false, NULL, &res), 0);
    assert_int_equal(res.removed, 0);
    assert_int_equal(res.failed, 5);
    assert_true(exists(root, "2025-01-03/00002"));
    assert_true(exists(root, "notes.txt"));
    assert_true(exists(root, "2025-01-01/00001"));
    cc_ret_plan_free(&plan);
    cc_catalog_free(cat);
    tu_rmrf(root);
    tu_rmrf(outside);
    free(root);
    free(outside);
}

/* A boot with a wrong clock left a day far ahead (2037); the recorder now
 * writes into an older day. That day is the one kept, by the sweep and by a
 * hand-made plan alike, and the later day is not. */
static void test_recording_in_older_day(void **state)
{
    (void)state;
    char *root = tu_tmpdir();
    folder(root, "2025-01-02", "00001", 2, true, T3 - 86400000LL);
    folder(root, "2025-01-02", "00002", 2, false, T3 - 86400000LL + 60000);
    recording_now(root, "2025-01-02/00002");
    folder(root, "2037-01-01", "00001", 2, false, 2114380800000LL);
    struct cc_catalog *cat = cat_open(root, NULL);
    struct cc_ret_inventory inv;
    assert_int_equal(cc_ret_inventory_build(cat, &inv), 0);
    assert_int_equal(inv.ndays, 2);
    assert_true(inv.days[0].recording);
    assert_false(inv.days[1].recording);

    struct cc_ret_policy pol = {.min_free_pct = 100};
    struct cc_date today = {2025, 1, 2};
    struct cc_fs_space sp = {1000000, 0};
    struct cc_ret_plan plan;
    cc_ret_plan(&inv, &pol, &today, &sp, &plan);
    for (size_t i = 0; i < plan.n; i++)
        assert_false(!strcmp(plan.items[i].date, "2025-01-02") &&
                     (!plan.items[i].folder[0] || !strcmp(plan.items[i].folder, "00002")));
    cc_ret_plan_free(&plan);

    struct cc_ret_plan by_hand = {0};
    cc_ret_plan_add(&by_hand, "2025-01-02", NULL, 0, CC_RET_REQUEST);
    cc_ret_plan_add(&by_hand, "2025-01-02", "00002", 0, CC_RET_REQUEST);
    cc_ret_plan_add(&by_hand, "2037-01-01", NULL, 0, CC_RET_REQUEST);
    struct cc_ret_result res;
    assert_int_equal(cc_ret_execute(root, cat, &by_hand, false, NULL, &res), 0);
    assert_int_equal(res.failed, 2);
    assert_int_equal(res.removed, 1);
    assert_true(exists(root, "2025-01-02/00002/c000001.ts"));
    assert_false(exists(root, "2037-01-01"));
    cc_ret_plan_free(&by_hand);
    cc_ret_inventory_free(&inv);
    cc_catalog_free(cat);
    tu_rmrf(root);
    free(root);
}

/* In a private mount namespace (a child process), a folder of another place
 * on the same file system is bind-mounted inside a day: deleting the day must
 * leave what is mounted there alone. Exit status: 0 kept, 1 emptied, 77 no
 * namespace here. */
static int bind_mount_child(const char *root, const char *outside)
{
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return 77;
    char src[4200], dst[4200];
    snprintf(src, sizeof(src), "%s/keep", outside);
    snprintf(dst, sizeof(dst), "%s/2025-01-01/00005", root);
    tu_mkdirs(dst);
    if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
        return 77;
    struct cc_catalog *cat = cat_open(root, NULL);
    struct cc_ret_plan plan = {0};
    cc_ret_plan_add(&plan, "2025-01-01", NULL, 0, CC_RET_REQUEST);
    struct cc_ret_result res;
    int rc = cc_ret_execute(root, cat, &plan, false, NULL, &res);
    cc_ret_plan_free(&plan);
    cc_catalog_free(cat);
    bool kept = exists(outside, "keep/file.ts") && rc == -EXDEV && res.failed == 1;
    umount(dst);
    return kept ? 0 : 1;
}

static void test_bind_mount_not_crossed(void **state)
{
    (void)state;
    char *root = tu_tmpdir(), *outside = tu_tmpdir();
    folder(root, "2025-01-01", "00001", 2, true, T3 - 2 * 86400000LL);
    char p[4200];
    snprintf(p, sizeof(p), "%s/keep", outside);
    tu_mkdirs(p);
    snprintf(p, sizeof(p), "%s/keep/file.ts", outside);
    tu_write(p, "another folder of the same file system\n");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(bind_mount_child(root, outside));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) {
        tu_rmrf(root);
        tu_rmrf(outside);
        free(root);
        free(outside);
        skip(); /* no mount namespace for us: not root, or a locked-down sandbox */
    }
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(exists(outside, "keep/file.ts"));
    tu_rmrf(root);
    tu_rmrf(outside);
    free(root);
    free(outside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_age_boundary),
        cmocka_unit_test(test_plan_space_days_then_folders),
        cmocka_unit_test(test_plan_newest_never_whole),
        cmocka_unit_test(test_day_bytes),
        cmocka_unit_test(test_execute_tree),
        cmocka_unit_test(test_execute_refuses),
        cmocka_unit_test(test_recording_in_older_day),
        cmocka_unit_test(test_bind_mount_not_crossed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
