#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "dayjson.h"
#include "recwriter.h"
#include "fsutil.h"
#include "scan.h"
#include "sidecar.h"
#include "testutil.h"

/* 2025-01-24T08:00:00Z */
#define T0 1737705600000LL

struct tree {
    char *root;
    char dir[4096];  /* ROOT/2025-01-24/00001 */
    char pl[4200];   /* its index.m3u8 */
    char side[4200]; /* the sidecar */
    struct cc_date date;
};

static void tree_make(struct tree *t, int nchunks, bool endlist)
{
    t->root = tu_tmpdir();
    snprintf(t->dir, sizeof(t->dir), "%s/2025-01-24/00001", t->root);
    snprintf(t->pl, sizeof(t->pl), "%s/index.m3u8", t->dir);
    snprintf(t->side, sizeof(t->side), "%s/2025-01-24/%s", t->root, CC_SIDECAR_NAME);
    t->date = (struct cc_date){2025, 1, 24};
    tu_mkdirs(t->dir);
    tu_write(t->pl, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    tu_chunks(t->dir, "index.m3u8", 0, nchunks, T0, 2000);
    if (endlist)
        tu_append(t->pl, "#EXT-X-ENDLIST\n");
}

static void tree_free(struct tree *t)
{
    tu_rmrf(t->root);
    free(t->root);
}

static struct cc_catalog *open_cat(const struct tree *t, const char *cache_dir)
{
    struct cc_catalog_config cfg = {.root = t->root,
                                    .cache_dir = cache_dir,
                                    .write_sidecars = true,
                                    .recheck_ms = -1};
    struct cc_catalog *c;
    assert_int_equal(cc_catalog_new(&cfg, &c), 0);
    return c;
}

static uint32_t chunks_of(struct cc_catalog *c, const struct tree *t)
{
    const struct cc_day *d;
    assert_int_equal(cc_catalog_get_day(c, &t->date, &d), 0);
    uint32_t n = d->nchunks;
    cc_catalog_release(c, d);
    return n;
}

static void test_sidecar_reuse(void **state)
{
    struct tree t;
    tree_make(&t, 50, true);
    struct cc_catalog *c = open_cat(&t, NULL);
    assert_int_equal(chunks_of(c, &t), 50);
    struct cc_catalog_stats st;
    cc_catalog_get_stats(c, &st);
    assert_int_equal(st.builds, 1);
    assert_int_equal(st.sidecar_writes, 1);
    cc_catalog_free(c);

    /* a restart: the valid sidecar answers; nothing is parsed or written */
    struct stat before, after;
    assert_int_equal(stat(t.side, &before), 0);
    c = open_cat(&t, NULL);
    assert_int_equal(chunks_of(c, &t), 50);
    assert_int_equal(chunks_of(c, &t), 50);
    cc_catalog_get_stats(c, &st);
    assert_int_equal(st.builds, 0);
    assert_int_equal(st.sidecar_loads, 1);
    assert_int_equal(st.sidecar_writes, 0);
    assert_int_equal(st.bytes_parsed, 0);
    cc_catalog_free(c);
    assert_int_equal(stat(t.side, &after), 0);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
    assert_int_equal(before.st_ino, after.st_ino);
    tree_free(&t);
}

static void test_incremental_append(void **state)
{
    struct tree t;
    tree_make(&t, 1000, false);
    struct cc_catalog *c = open_cat(&t, NULL);
    assert_int_equal(chunks_of(c, &t), 1000);
    struct cc_catalog_stats st0, st1;
    cc_catalog_get_stats(c, &st0);
    struct stat pl0;
    stat(t.pl, &pl0);
    tu_chunks(t.dir, "index.m3u8", 1000, 30, T0 + 2000000, 2000);
    struct stat pl1;
    stat(t.pl, &pl1);
    assert_int_equal(chunks_of(c, &t), 1030);
    cc_catalog_get_stats(c, &st1);
    uint64_t parsed = st1.bytes_parsed - st0.bytes_parsed;
    /* only the appended bytes (plus at most the CRC window re-read) */
    assert_true(parsed <= (uint64_t)(pl1.st_size - pl0.st_size) + 64);
    assert_true(parsed >= (uint64_t)(pl1.st_size - pl0.st_size));
    assert_int_equal(st1.refreshes - st0.refreshes, 1);
    cc_catalog_free(c);
    tree_free(&t);
}

/* ffmpeg's HLS muxer rewrites the playlist to a temp file and renames it:
 * the inode changes, the content only grew. That is still an append. */
static void test_rename_over_is_append(void **state)
{
    struct tree t;
    tree_make(&t, 200, false);
    struct cc_day *d0 = NULL, *d1 = NULL;
    bool changed;
    struct cc_scan_stats ss;
    assert_int_equal(cc_scan_update(t.root, &t.date, NULL, &d0, &changed, &ss), 0);
    char tmp[4200], cmd[9000];
    snprintf(tmp, sizeof(tmp), "%s/index.m3u8.tmp", t.dir);
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", t.pl, tmp);
    assert_int_equal(system(cmd), 0);
    tu_chunks(t.dir, "index.m3u8.tmp", 200, 3, T0 + 400000, 2000);
    assert_int_equal(rename(tmp, t.pl), 0);
    assert_int_equal(cc_scan_update(t.root, &t.date, d0, &d1, &changed, &ss), 0);
    assert_true(changed);
    assert_int_equal(ss.playlists_resumed, 1);
    assert_int_equal(ss.playlists_full, 0);
    assert_int_equal(d1->nchunks, 203);
    cc_day_free(d1);

    /* the same size, other bytes before the old end: parsed again in full */
    snprintf(cmd, sizeof(cmd), "sed -i 's/c000199.ts/c000198.ts/' '%s'", t.pl);
    assert_int_equal(system(cmd), 0);
    d1 = NULL;
    assert_int_equal(cc_scan_update(t.root, &t.date, d0, &d1, &changed, &ss), 0);
    assert_int_equal(ss.playlists_full, 1);
    cc_day_free(d1);
    cc_day_free(d0);
    tree_free(&t);
}

/* A day of thousands of empty numbered folders (a camera that powered up
 * and died over and over): an unchanged one costs the day listing's stat on a
 * recheck, not an open, a listing and a close (counted by dirs_listed). */
static void test_empty_folders_not_reopened(void **state)
{
    enum { EMPTY = 2000 };
    struct tree t;
    tree_make(&t, 5, true);
    char path[4300], cmd[4400];
    for (int i = 0; i < EMPTY; i++) {
        snprintf(path, sizeof(path), "%s/2025-01-24/%05d", t.root, i + 2);
        tu_mkdirs(path);
    }
    /* everything an hour old: nothing within the "just written" slack */
    snprintf(cmd, sizeof(cmd), "find '%s' -exec touch -h -d @%lld {} +", t.root,
             (long long)time(NULL) - 3600);
    assert_int_equal(system(cmd), 0);
    struct cc_day *d0 = NULL, *d1 = NULL;
    bool changed;
    struct cc_scan_stats ss;
    assert_int_equal(cc_scan_update(t.root, &t.date, NULL, &d0, &changed, &ss), 0);
    assert_int_equal(ss.dirs_listed, EMPTY + 1);
    assert_int_equal(d0->nquiet, EMPTY);
    assert_int_equal(cc_scan_update(t.root, &t.date, d0, &d1, &changed, &ss), 0);
    assert_false(changed);
    assert_null(d1);
    assert_int_equal(ss.dirs_listed, 0);
    assert_int_equal(ss.dirs_skipped, EMPTY);

    /* a day loaded from a sidecar lists them once, then knows them */
    struct cc_buf enc;
    cc_buf_init(&enc);
    cc_sidecar_encode(d0, &enc);
    struct cc_day *loaded = NULL;
    assert_int_equal(cc_sidecar_decode(enc.data, enc.len, &t.date, &loaded), 0);
    cc_buf_free(&enc);
    assert_int_equal(cc_scan_update(t.root, &t.date, loaded, &d1, &changed, &ss), 0);
    assert_false(changed);
    assert_non_null(d1);
    assert_int_equal(d1->nquiet, EMPTY);
    cc_day_free(loaded);
    cc_day_free(d1);

    /* a recording appears in one of them: that folder is looked at */
    snprintf(path, sizeof(path), "%s/2025-01-24/00500", t.root);
    snprintf(cmd, sizeof(cmd), "%s/index.m3u8", path);
    tu_write(cmd, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
    tu_chunks(path, "index.m3u8", 0, 2, T0 + 3600000, 2000);
    d1 = NULL;
    assert_int_equal(cc_scan_update(t.root, &t.date, d0, &d1, &changed, &ss), 0);
    assert_true(changed);
    assert_int_equal(ss.dirs_listed, 1);
    assert_int_equal(ss.dirs_skipped, EMPTY - 1);
    assert_int_equal(d1->nsegs, 2);
    assert_int_equal(d1->nquiet, EMPTY - 1);
    cc_day_free(d1);
    cc_day_free(d0);
    tree_free(&t);
}

struct race {
    struct cc_catalog *c;
    struct tree *t;
    uint32_t chunks;
};

static void *racer(void *arg)
{
    struct race *r = arg;
    const struct cc_day *d;
    if (cc_catalog_get_day(r->c, &r->t->date, &d) == 0) {
        r->chunks = d->nchunks;
        cc_catalog_release(r->c, d);
    }
    return NULL;
}

static void test_single_flight(void **state)
{
    struct tree t;
    tree_make(&t, 20000, true);
    struct cc_catalog_config cfg = {.root = t.root, .write_sidecars = true};
    struct cc_catalog *c;
    cc_catalog_new(&cfg, &c);
    pthread_t th[20];
    struct race r[20];
    for (int i = 0; i < 20; i++) {
        r[i] = (struct race){c, &t, 0};
        pthread_create(&th[i], NULL, racer, &r[i]);
    }
    for (int i = 0; i < 20; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(r[i].chunks, 20000);
    }
    struct cc_catalog_stats st;
    cc_catalog_get_stats(c, &st);
    assert_int_equal(st.builds, 1);
    assert_true(st.sidecar_writes <= 1);
    cc_catalog_free(c);
    tree_free(&t);
}

static int count_tmp_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        n += strstr(de->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

/* A full disk or an I/O error half-way: no sidecar, no temp file, the old
 * sidecar untouched, and the day still served from memory. */
static void test_write_faults(void **state)
{
    const enum cc_fs_fault faults[] = {CC_FAULT_WRITE, CC_FAULT_FSYNC, CC_FAULT_RENAME};
    for (int i = 0; i < 3; i++) {
        struct tree t;
        tree_make(&t, 10, true);
        char day[4200];
        snprintf(day, sizeof(day), "%s/2025-01-24", t.root);
        cc_fs_inject_fault(faults[i], ENOSPC);
        struct cc_catalog *c = open_cat(&t, NULL);
        assert_int_equal(chunks_of(c, &t), 10);
        struct cc_catalog_stats st;
        cc_catalog_get_stats(c, &st);
        assert_int_equal(st.sidecar_write_errors, 1);
        assert_int_equal(st.sidecar_writes, 0);
        struct stat sst;
        assert_int_equal(stat(t.side, &sst), -1);
        assert_int_equal(count_tmp_files(day), 0);
        cc_catalog_free(c); /* retries the write at shutdown: now it works */
        assert_int_equal(stat(t.side, &sst), 0);

        /* an old sidecar survives a failed replacement byte for byte */
        tu_chunks(t.dir, "index.m3u8", 10, 1, T0 + 20000, 2000);
        struct cc_buf before, after;
        cc_buf_init(&before);
        cc_buf_init(&after);
        cc_read_file(t.side, 0, 1 << 20, &before);
        cc_fs_inject_fault(faults[i], EIO);
        c = open_cat(&t, NULL);
        chunks_of(c, &t);
        cc_catalog_get_stats(c, &st);
        assert_int_equal(st.sidecar_write_errors, 1);
        cc_read_file(t.side, 0, 1 << 20, &after);
        assert_int_equal(before.len, after.len);
        assert_memory_equal(before.data, after.data, before.len);
        assert_int_equal(count_tmp_files(day), 0);
        cc_catalog_free(c);
        cc_buf_free(&before);
        cc_buf_free(&after);
        tree_free(&t);
    }
}

static void test_corrupt_and_stale_sidecar(void **state)
{
    struct tree t;
    tree_make(&t, 10, true);
    struct cc_catalog *c = open_cat(&t, NULL);
    chunks_of(c, &t);
    cc_catalog_free(c);
    /* corrupt one byte */
    FILE *f = fopen(t.side, "r+");
    fseek(f, 40, SEEK_SET);
    fputc(0x5a, f);
    fclose(f);
    c = open_cat(&t, NULL);
    assert_int_equal(chunks_of(c, &t), 10);
    struct cc_catalog_stats st;
    cc_catalog_get_stats(c, &st);
    assert_int_equal(st.sidecar_rejects, 1);
    assert_int_equal(st.builds, 1);
    assert_int_equal(st.sidecar_writes, 1);
    cc_catalog_free(c);
    /* a source changed while we were away: stale, refreshed, rewritten */
    tu_chunks(t.dir, "index.m3u8", 10, 5, T0 + 20000, 2000);
    c = open_cat(&t, NULL);
    assert_int_equal(chunks_of(c, &t), 15);
    cc_catalog_get_stats(c, &st);
    assert_int_equal(st.sidecar_writes, 1);
    cc_catalog_free(c);
    tree_free(&t);
}

/* FAT keeps 2-second mtimes: a change that keeps size and mtime, made right
 * after the index was built, must still be seen. */
static void test_mtime_granularity(void **state)
{
    struct tree t;
    tree_make(&t, 10, true);
    struct stat st0;
    stat(t.pl, &st0);
    struct cc_day *d0 = NULL, *d1 = NULL;
    bool changed;
    assert_int_equal(cc_scan_update(t.root, &t.date, NULL, &d0, &changed, NULL), 0);
    char cmd[9000];
    snprintf(cmd, sizeof(cmd), "sed -i 's/c000003.ts/c000004.ts/' '%s'", t.pl);
    assert_int_equal(system(cmd), 0);
    struct timespec ts[2] = {st0.st_atim, st0.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, t.pl, ts, 0), 0);
    assert_int_equal(cc_scan_update(t.root, &t.date, d0, &d1, &changed, NULL), 0);
    assert_true(changed);
    assert_non_null(d1);
    cc_day_free(d1);
    cc_day_free(d0);
    tree_free(&t);
}

static void test_missing_chunk_and_lru(void **state)
{
    struct tree t;
    tree_make(&t, 10, true);
    struct cc_catalog_config cfg = {.root = t.root,
                                    .write_sidecars = false,
                                    .recheck_ms = -1,
                                    .cache_bytes = 1};
    struct cc_catalog *c;
    cc_catalog_new(&cfg, &c);
    const struct cc_day *d;
    assert_int_equal(cc_catalog_get_day(c, &t.date, &d), 0);
    assert_int_equal(d->segs[0].nmissing, 0);
    cc_catalog_release(c, d);
    char chunk[4200];
    snprintf(chunk, sizeof(chunk), "%s/c000004.ts", t.dir);
    assert_int_equal(unlink(chunk), 0);
    assert_int_equal(cc_catalog_get_day(c, &t.date, &d), 0);
    assert_int_equal(d->segs[0].nmissing, 1);
    assert_int_equal(d->segs[0].missing[0], 4);
    assert_true(cc_segment_chunk_missing(&d->segs[0], 4));
    assert_false(cc_segment_chunk_missing(&d->segs[0], 5));
    cc_catalog_release(c, d);
    /* a missing day is ENOENT, never a crash */
    struct cc_date none = {2025, 1, 25};
    assert_int_equal(cc_catalog_get_day(c, &none, &d), -ENOENT);
    cc_catalog_free(c);
    tree_free(&t);
}

/* Re-checking an unchanged day costs stats only: no folder is listed and no
 * playlist read (a listing of 43,000 chunks takes milliseconds). */
static void test_unchanged_day_is_stat_only(void **state)
{
    struct tree t;
    tree_make(&t, 30, true);
    char cmd[9000];
    snprintf(cmd, sizeof(cmd), "find '%s' -exec touch -h -d '2025-01-24 09:00:00Z' {} +", t.root);
    assert_int_equal(system(cmd), 0);
    struct cc_day *d0 = NULL, *d1 = NULL;
    bool changed;
    struct cc_scan_stats ss;
    assert_int_equal(cc_scan_update(t.root, &t.date, NULL, &d0, &changed, &ss), 0);
    assert_int_equal(ss.dirs_listed, 1);
    assert_int_equal(cc_scan_update(t.root, &t.date, d0, &d1, &changed, &ss), 0);
    assert_false(changed);
    assert_null(d1);
    assert_int_equal(ss.dirs_listed, 0);
    assert_int_equal(ss.bytes_parsed, 0);
    assert_int_equal(ss.playlists_reused, 1);
    /* a new chunk file alone (the folder changed): listed again, nothing parsed */
    char chunk[4200];
    snprintf(chunk, sizeof(chunk), "%s/extra.ts", t.dir);
    tu_write(chunk, "");
    assert_int_equal(cc_scan_update(t.root, &t.date, d0, &d1, &changed, &ss), 0);
    assert_int_equal(ss.dirs_listed, 1);
    cc_day_free(d1);
    cc_day_free(d0);
    tree_free(&t);
}

/* An events file written just now is re-read (its mtime is within the
 * granularity of the check), but the same events are no change. */
static void test_fresh_events_file_is_no_change(void **state)
{
    struct tree t;
    tree_make(&t, 10, true);
    char ev[4200];
    snprintf(ev, sizeof(ev), "%s/events.txt", t.dir);
    tu_write(ev, "2025-01-24T08:00:04Z 2 person\n");
    struct cc_day *d0 = NULL, *d1 = NULL;
    bool changed;
    assert_int_equal(cc_scan_update(t.root, &t.date, NULL, &d0, &changed, NULL), 0);
    assert_int_equal(d0->nevents, 1);
    assert_int_equal(cc_scan_update(t.root, &t.date, d0, &d1, &changed, NULL), 0);
    assert_false(changed);
    assert_null(d1);
    tu_append(ev, "2025-01-24T08:00:08Z 1 car\n");
    assert_int_equal(cc_scan_update(t.root, &t.date, d0, &d1, &changed, NULL), 0);
    assert_true(changed);
    assert_int_equal(d1->nevents, 2);
    cc_day_free(d1);
    cc_day_free(d0);
    tree_free(&t);
}

/* The day alone stats no chunk; storage figures count them once, and the
 * count survives a restart in the sidecar. */
static void test_sizes_counted_once(void **state)
{
    (void)state;
    struct tree t;
    tree_make(&t, 40, true);
    char cmd[9000]; /* sources older than the check: reused by stat alone */
    snprintf(cmd, sizeof(cmd), "find '%s' -exec touch -h -d '2025-01-24 09:00:00Z' {} +", t.root);
    assert_int_equal(system(cmd), 0);
    struct cc_catalog *c = open_cat(&t, NULL);
    struct cc_catalog_stats st;
    assert_int_equal(chunks_of(c, &t), 40);
    cc_catalog_get_stats(c, &st);
    uint64_t parsed = st.bytes_parsed;
    assert_int_equal(st.chunks_sized, 0);
    assert_int_equal(st.sidecar_writes, 1);
    const struct cc_day *d;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(cc_catalog_get_day_sized(c, &t.date, &d), 0);
        assert_true(d->segs[0].flags & CC_SEG_SIZED);
        cc_catalog_release(c, d);
    }
    cc_catalog_get_stats(c, &st);
    assert_int_equal(st.chunks_sized, 40);
    assert_int_equal(st.sidecar_writes, 2);
    assert_int_equal(st.bytes_parsed, parsed); /* the index itself was not redone */
    assert_int_equal(chunks_of(c, &t), 40);
    cc_catalog_free(c);

    c = open_cat(&t, NULL);
    assert_int_equal(cc_catalog_get_day_sized(c, &t.date, &d), 0);
    cc_catalog_release(c, d);
    cc_catalog_get_stats(c, &st);
    assert_int_equal(st.sidecar_loads, 1);
    assert_int_equal(st.chunks_sized, 0);
    assert_int_equal(st.sidecar_writes, 0);
    cc_catalog_free(c);
    tree_free(&t);
}

/* ---- a writer's notes (camcatd's ingest) ---------------------------------- */

static void on_listed(void *ud, const struct cc_recwriter_listed *l)
{
    char rel[96];
    snprintf(rel, sizeof(rel), "%s/%s", l->folder, l->playlist);
    struct cc_scan_note n = {rel, l->text, l->len, l->pl_st, l->dir_st};
    cc_catalog_note_chunk(ud, &n);
}

static void put_chunk(struct cc_recwriter *w, uint32_t seq)
{
    static uint8_t data[3 * 188];
    for (size_t i = 0; i < sizeof(data); i += 188)
        data[i] = 0x47;
    struct cc_seg_chunk ch = {.data = data,
                              .len = sizeof(data),
                              .pts = 90000 + seq * 180000LL,
                              .dur = 180000,
                              .seq = seq};
    assert_int_equal(cc_recwriter_chunk(w, &ch), 0);
}

/* The day as a fresh scan of the files sees it. */
static struct cc_day *fresh_scan(const char *root, const struct cc_date *date)
{
    struct cc_day *fresh;
    bool changed;
    assert_int_equal(cc_scan_update(root, date, NULL, &fresh, &changed, NULL), 0);
    return fresh;
}

/* Both days render to the same /api/days JSON. */
static void assert_same_json(const struct cc_day *x, const struct cc_day *y)
{
    struct cc_buf a, b;
    cc_buf_init(&a);
    cc_buf_init(&b);
    cc_dayjson_render(x, "/rec/", NULL, &a);
    cc_dayjson_render(y, "/rec/", NULL, &b);
    assert_string_equal(a.data, b.data);
    cc_buf_free(&a);
    cc_buf_free(&b);
}

/* The catalog's day against a fresh scan of the files. */
static void assert_like_fresh_scan(struct cc_catalog *c, const char *root,
                                   const struct cc_date *date)
{
    const struct cc_day *d;
    assert_int_equal(cc_catalog_get_day(c, date, &d), 0);
    struct cc_day *fresh = fresh_scan(root, date);
    assert_same_json(d, fresh);
    assert_int_equal(d->nsegs, fresh->nsegs);
    for (uint32_t i = 0; i < d->nsegs; i++) {
        const struct cc_segment *x = &d->segs[i], *y = &fresh->segs[i];
        assert_int_equal(x->pst.offset, y->pst.offset);
        assert_int_equal(x->pst.nchunks, y->pst.nchunks);
        assert_int_equal(x->tail_crc, y->tail_crc);
        assert_true(cc_fprint_equal(&x->fp, &y->fp) && cc_fprint_equal(&x->dir_fp, &y->dir_fp));
        assert_int_equal(x->flags & ~(uint32_t)CC_SEG_NOTED, y->flags);
        assert_int_equal(x->pl_bytes, y->pl_bytes);
    }
    cc_day_free(fresh);
    cc_catalog_release(c, d);
}

/* A chunk the writer notes shows in the cached day at once, and the next
 * refresh (on every request here) reads no playlist: the note's stat is the
 * files' stat. The day equals a fresh scan of the files all along, and the
 * sidecar saved at the end loads as that day. A writer that does not note
 * (another recorder) is read as before: the counters see reads. */
static void test_writer_notes_need_no_read(void **state)
{
    char *root = tu_tmpdir();
    struct cc_catalog_config cfg = {.root = root, .write_sidecars = true, .recheck_ms = -1};
    struct cc_catalog *c;
    assert_int_equal(cc_catalog_new(&cfg, &c), 0);
    struct cc_recwriter *w = cc_recwriter_new(root);
    cc_recwriter_anchor(w, T0, 90000);
    cc_recwriter_on_listed(w, on_listed, c);
    put_chunk(w, 0); /* the day is not cached: the note does nothing */
    struct cc_date date;
    assert_int_equal(cc_date_parse(cc_recwriter_folder(w), 10, &date), 0);
    const struct cc_day *d;
    assert_int_equal(cc_catalog_get_day(c, &date, &d), 0);
    assert_int_equal(d->nchunks, 1);
    cc_catalog_release(c, d);
    struct cc_catalog_stats s0, s1;
    cc_catalog_get_stats(c, &s0);
    assert_int_equal(s0.notes, 0);
    assert_int_equal(s0.playlists_read, 1);

    for (uint32_t seq = 1; seq <= 5; seq++) {
        put_chunk(w, seq);
        assert_int_equal(cc_catalog_get_day(c, &date, &d), 0); /* a refresh: stat only */
        assert_int_equal(d->nchunks, seq + 1);
        assert_int_equal(d->recorded_ms, (seq + 1) * 2000);
        cc_catalog_release(c, d);
        assert_like_fresh_scan(c, root, &date);
    }
    cc_catalog_get_stats(c, &s1);
    assert_int_equal(s1.notes, 5);
    assert_int_equal(s1.playlists_read, s0.playlists_read);
    assert_int_equal(s1.bytes_parsed, s0.bytes_parsed);
    assert_true(s1.note_bytes > 5 * 40 && s1.note_bytes < 5 * 120); /* three lines a chunk */

    assert_int_equal(cc_recwriter_close(w, true), 0); /* ENDLIST, noted too */
    assert_int_equal(cc_catalog_get_day(c, &date, &d), 0);
    assert_true(d->segs[0].flags & CC_SEG_ENDLIST);
    cc_catalog_release(c, d);
    assert_like_fresh_scan(c, root, &date);
    cc_catalog_get_stats(c, &s1);
    assert_int_equal(s1.notes, 6);
    assert_int_equal(s1.playlists_read, s0.playlists_read);
    cc_recwriter_free(w);

    /* a second recording without notes: read from its file */
    w = cc_recwriter_new(root);
    cc_recwriter_anchor(w, T0 + 20000, 90000);
    put_chunk(w, 0);
    put_chunk(w, 1);
    assert_int_equal(cc_catalog_get_day(c, &date, &d), 0);
    assert_int_equal(d->nsegs, 2);
    assert_int_equal(d->nchunks, 8);
    cc_catalog_release(c, d);
    cc_catalog_get_stats(c, &s1);
    assert_true(s1.playlists_read > s0.playlists_read);
    assert_int_equal(s1.notes, 6);
    cc_recwriter_free(w);
    assert_like_fresh_scan(c, root, &date);
    cc_catalog_free(c); /* saves what is not on disk yet */

    char name[11], side[4200];
    cc_date_format(&date, name);
    snprintf(side, sizeof(side), "%s/%s/%s", root, name, CC_SIDECAR_NAME);
    struct cc_day *loaded = NULL;
    assert_int_equal(cc_sidecar_load(side, &date, &loaded), 0);
    struct cc_day *fresh = fresh_scan(root, &date);
    assert_same_json(loaded, fresh);
    cc_day_free(fresh);
    cc_day_free(loaded);
    tu_rmrf(root);
    free(root);
}

/* A short range is looked up by name, a long one listed: both find the same
 * day folders (not a symlinked day, not a file named like a day, not a day
 * out of range, across a month end), and a ROOT that is gone is an error. */
static void test_list_days_short_and_long(void **state)
{
    (void)state;
    struct tree t;
    tree_make(&t, 2, true);
    char p[4200], target[4200];
    const char *dirs[] = {"2025-01-25", "2025-01-31", "2025-02-01", "2025-02-03", "2025-03-01"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
        snprintf(p, sizeof(p), "%s/%s", t.root, dirs[i]);
        tu_mkdirs(p);
    }
    snprintf(p, sizeof(p), "%s/2025-01-30", t.root);
    tu_write(p, "a file, not a day\n");
    snprintf(target, sizeof(target), "%s/2025-01-25", t.root);
    snprintf(p, sizeof(p), "%s/2025-02-02", t.root);
    assert_int_equal(symlink(target, p), 0);
    struct cc_catalog *c = open_cat(&t, NULL);
    const struct cc_date ranges[][2] = {{{2025, 1, 24}, {2025, 1, 25}},
                                        {{2025, 1, 29}, {2025, 2, 3}},
                                        {{2025, 1, 1}, {2025, 3, 31}},
                                        {{2025, 2, 4}, {2025, 2, 10}},
                                        {{2025, 2, 3}, {2025, 1, 3}}};
    const size_t want[] = {2, 3, 6, 0, 0};
    for (size_t r = 0; r < sizeof(want) / sizeof(*want); r++) {
        struct cc_date *got, *all;
        size_t n, nall, k = 0;
        assert_int_equal(cc_catalog_list_days(c, &ranges[r][0], &ranges[r][1], &got, &n), 0);
        assert_int_equal(n, want[r]);
        assert_int_equal(cc_catalog_list_days(c, NULL, NULL, &all, &nall), 0);
        assert_int_equal(nall, 6);
        for (size_t i = 0; i < nall; i++) {
            const struct cc_date *a = &all[i], *lo = &ranges[r][0], *hi = &ranges[r][1];
            long v = a->year * 10000L + a->month * 100 + a->day;
            if (v < lo->year * 10000L + lo->month * 100 + lo->day ||
                v > hi->year * 10000L + hi->month * 100 + hi->day)
                continue;
            assert_true(k < n);
            assert_memory_equal(&got[k++], a, sizeof(*a));
        }
        assert_int_equal(k, n);
        free(got);
        free(all);
    }
    cc_catalog_free(c);
    tu_rmrf(t.root);
    struct cc_catalog *gone = open_cat(&t, NULL);
    struct cc_date *got = NULL;
    size_t n;
    assert_int_equal(cc_catalog_list_days(gone, &ranges[0][0], &ranges[0][1], &got, &n), -ENOENT);
    cc_catalog_free(gone);
    free(t.root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sidecar_reuse),
        cmocka_unit_test(test_list_days_short_and_long),
        cmocka_unit_test(test_incremental_append),
        cmocka_unit_test(test_rename_over_is_append),
        cmocka_unit_test(test_single_flight),
        cmocka_unit_test(test_write_faults),
        cmocka_unit_test(test_corrupt_and_stale_sidecar),
        cmocka_unit_test(test_mtime_granularity),
        cmocka_unit_test(test_missing_chunk_and_lru),
        cmocka_unit_test(test_unchanged_day_is_stat_only),
        cmocka_unit_test(test_empty_folders_not_reopened),
        cmocka_unit_test(test_fresh_events_file_is_no_change),
        cmocka_unit_test(test_sizes_counted_once),
        cmocka_unit_test(test_writer_notes_need_no_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
