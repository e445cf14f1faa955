/* The catalog under concurrent abuse: many threads asking for present and
 * missing days while others forget days, "delete" day folders (renamed away
 * and back), make ROOT vanish and return, and a one-byte cache budget evicts
 * everything it can. Built and run under ASan in `make test`, and under TSan
 * (build/tsan) too. The assertions are about what every answer must be; the
 * sanitizers catch the rest (a freed entry touched, a race on a field). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "catalog.h"
#include "testutil.h"

/* 2025-01-20T08:00:00Z */
#define T0 1737360000000LL
#define NDAYS 4
#define NCHUNKS 120
#define NTHREADS 8
#define ITERS 300

struct world {
    char *root;
    char away[4200];                /* where ROOT goes while the "card" is out */
    char trash[4200];               /* where a "deleted" day waits to come back */
    struct cc_date days[NDAYS + 1]; /* the last one never exists */
    struct cc_catalog *cat;
    atomic_int bad; /* answers that must never happen */
    atomic_int got; /* days handed out */
};

static void world_make(struct world *w, bool writable)
{
    memset(w, 0, sizeof(*w));
    w->root = tu_tmpdir();
    snprintf(w->away, sizeof(w->away), "%s.away", w->root);
    snprintf(w->trash, sizeof(w->trash), "%s.trash", w->root);
    for (int i = 0; i < NDAYS; i++) {
        w->days[i] = (struct cc_date){2025, 1, 20 + i};
        char dir[4200];
        snprintf(dir, sizeof(dir), "%s/2025-01-%02d/00001", w->root, 20 + i);
        tu_mkdirs(dir);
        char pl[4300];
        snprintf(pl, sizeof(pl), "%s/index.m3u8", dir);
        tu_write(pl, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
        tu_chunks(dir, "index.m3u8", 0, NCHUNKS, T0 + i * 86400000LL, 2000);
        tu_append(pl, "#EXT-X-ENDLIST\n");
    }
    w->days[NDAYS] = (struct cc_date){2020, 1, 1};
    tu_mkdirs(w->trash);
    struct cc_catalog_config cfg = {.root = w->root,
                                    .write_sidecars = writable,
                                    .cache_bytes = 1,
                                    .recheck_ms = -1};
    assert_int_equal(cc_catalog_new(&cfg, &w->cat), 0);
}

static void world_free(struct world *w)
{
    cc_catalog_free(w->cat);
    rename(w->away, w->root);
    tu_rmrf(w->root);
    tu_rmrf(w->trash);
    free(w->root);
}

struct worker {
    struct world *w;
    int id;
    uint32_t seed;
};

static uint32_t next_rand(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void ask_day(struct world *w, const struct cc_date *date, bool present_possible)
{
    const struct cc_day *d;
    int rc = cc_catalog_get_day(w->cat, date, &d);
    if (rc < 0) {
        if (rc != -ENOENT && rc != -ENOTDIR && rc != -ESTALE)
            atomic_fetch_add(&w->bad, 1);
        return;
    }
    if (!present_possible || memcmp(&d->date, date, sizeof(*date)) != 0 || d->nchunks != NCHUNKS)
        atomic_fetch_add(&w->bad, 1);
    struct cc_buf scratch;
    cc_buf_init(&scratch);
    const char *text;
    size_t len;
    bool rec[1] = {false};
    cc_catalog_day_json(w->cat, d, "/rec/", rec, &scratch, &text, &len);
    if (!len || text[0] != '{')
        atomic_fetch_add(&w->bad, 1);
    cc_buf_free(&scratch);
    cc_catalog_release(w->cat, d);
    atomic_fetch_add(&w->got, 1);
}

/* A day folder renamed out of ROOT and back, as a delete and a restore. */
static void flip_day(struct world *w, int k, bool *out_of_root)
{
    char in[4300], out[4300];
    snprintf(in, sizeof(in), "%s/2025-01-%02d", w->root, 20 + k);
    snprintf(out, sizeof(out), "%s/2025-01-%02d", w->trash, 20 + k);
    if (*out_of_root ? rename(out, in) == 0 : rename(in, out) == 0)
        *out_of_root = !*out_of_root;
    cc_catalog_forget(w->cat, &w->days[k], true);
}

static void *work(void *arg)
{
    struct worker *wk = arg;
    struct world *w = wk->w;
    bool day_out = false, root_out = false;
    for (int i = 0; i < ITERS; i++) {
        uint32_t r = next_rand(&wk->seed) % 100;
        int k = (int)(next_rand(&wk->seed) % (NDAYS + 1));
        if (wk->id == 0 && r < 10) {
            flip_day(w, 0, &day_out);
        } else if (wk->id == 1 && r < 5) {
            if (root_out ? rename(w->away, w->root) == 0 : rename(w->root, w->away) == 0)
                root_out = !root_out;
        } else if (r < 20) {
            cc_catalog_forget(w->cat, &w->days[k], false);
        } else if (r < 25) {
            struct cc_date *dates;
            size_t n;
            if (cc_catalog_list_days(w->cat, NULL, NULL, &dates, &n) == 0)
                free(dates);
        } else if (r < 30) {
            const struct cc_day *d;
            uint32_t seg;
            if (cc_catalog_find_recording(w->cat, &d, &seg) == 0) {
                atomic_fetch_add(&w->bad, 1); /* every playlist is closed */
                cc_catalog_release(w->cat, d);
            }
        } else {
            ask_day(w, &w->days[k], k < NDAYS);
        }
    }
    if (day_out)
        flip_day(w, 0, &day_out);
    if (root_out)
        rename(w->away, w->root);
    return NULL;
}

static void run_world(bool writable)
{
    struct world w;
    world_make(&w, writable);
    pthread_t th[NTHREADS];
    struct worker wk[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        wk[i] = (struct worker){&w, i, 2654435761u * (uint32_t)(i + 1)};
        assert_int_equal(pthread_create(&th[i], NULL, work, &wk[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(atomic_load(&w.bad), 0);
    assert_true(atomic_load(&w.got) > 0);

    /* Afterwards the catalog answers as the tree is, within its budget. */
    for (int k = 0; k < NDAYS; k++)
        ask_day(&w, &w.days[k], true);
    const struct cc_day *d;
    assert_int_equal(cc_catalog_get_day(w.cat, &w.days[NDAYS], &d), -ENOENT);
    assert_int_equal(atomic_load(&w.bad), 0);
    struct cc_catalog_stats st;
    cc_catalog_get_stats(w.cat, &st);
    assert_true(st.cached_days <= 1); /* a one-byte budget keeps the last day only */
    assert_true(st.evictions > 0);
    world_free(&w);
}

static void test_race_writable(void **state)
{
    (void)state;
    run_world(true);
}

/* Read-only media: nothing is saved, and the budget still holds (unsaved
 * days are evicted too: they can be rebuilt). */
static void test_race_read_only(void **state)
{
    (void)state;
    run_world(false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_race_writable),
        cmocka_unit_test(test_race_read_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
