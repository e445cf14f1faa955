/* camcat-bench — library-level figures on a generated tree, each measured
 * beside its floor (the plain read() of the same bytes) in the same run, so
 * the ratios hold on any machine. A yardstick for `make bench`, not a test:
 * nothing here asserts a time.
 *
 *   camcat-bench --root DIR [--vary-root DIR] [--naming LABEL=DAYDIR]... [--kv FILE]
 *                [--reps N]
 *   camcat-bench --cold-index-only DAYDIR      one cold index (for callgrind, strace)
 *   camcat-bench [--out FILE] --stitch-only DAYDIR
 *                                              the same, then one stitched playlist
 *                                              (to FILE if given)
 *
 * The full run deletes the sidecars under DIR first, then writes them again,
 * and appends chunks to the live playlist of the newest day (the incremental
 * case): run it on a generated tree only. Markdown goes to stdout, machine
 * readable key=value pairs to --kv (for tools/bench.sh). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "buf.h"
#include "catalog.h"
#include "fsutil.h"
#include "isotime.h"
#include "log.h"
#include "mem.h"
#include "scan.h"
#include "sidecar.h"
#include "stitch.h"

#define APPEND_CHUNKS 30
#define HIT_LOOP 2000
/* Sources modified this recently are re-verified by content (scan.h); a
 * freshly generated tree is left to settle so the steady state is measured. */
#define SETTLE_NS (CC_MTIME_SLACK_NS + 500000000LL)

static int reps = 7;
static const char *stitch_out; /* --out: the stitched playlist of --stitch-only */
static FILE *kv;
static uint64_t pio_self_rchar; /* what reading /proc/self/io adds to rchar */

/* ---- clocks, /proc/self/io, statistics --------------------------------- */

static uint64_t rchar_delta(const struct bench_pio *a, const struct bench_pio *b)
{
    uint64_t d = b->rchar - a->rchar;
    return d > pio_self_rchar ? d - pio_self_rchar : 0;
}

/* Minor page faults so far: on a VM every fault is a trip to the hypervisor. */
static long minflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static const char *verdict(double value, double limit)
{
    return value <= limit ? "met" : "**missed**";
}

/* ---- the tree ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

/* What one day folder holds, as the floor needs it. */
struct dayfiles {
    char **playlists; /* full paths */
    size_t n, cap;
    char **folders; /* full paths of the segment folders */
    size_t nfolders, folders_cap;
    uint64_t bytes; /* playlist bytes */
    uint64_t max_size;
    char *largest; /* folder with most entries */
    size_t largest_entries;
    int64_t newest_mtime_ns;
};

static void dayfiles_free(struct dayfiles *df)
{
    for (size_t i = 0; i < df->n; i++)
        free(df->playlists[i]);
    for (size_t i = 0; i < df->nfolders; i++)
        free(df->folders[i]);
    free(df->playlists);
    free(df->folders);
    free(df->largest);
    memset(df, 0, sizeof(*df));
}

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static void scan_folder_files(struct dayfiles *df, const char *folder)
{
    DIR *dir = opendir(folder);
    if (!dir)
        return;
    struct dirent *de;
    size_t entries = 0;
    while ((de = readdir(dir))) {
        entries++;
        if (de->d_name[0] == '.' || !ends_with(de->d_name, ".m3u8"))
            continue;
        char *p = cc_xmalloc(strlen(folder) + strlen(de->d_name) + 2);
        sprintf(p, "%s/%s", folder, de->d_name);
        struct stat st;
        if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        cc_grow(&df->playlists, &df->cap, df->n + 1, sizeof(char *));
        df->playlists[df->n++] = p;
        df->bytes += (uint64_t)st.st_size;
        if ((uint64_t)st.st_size > df->max_size)
            df->max_size = (uint64_t)st.st_size;
        if (mtime_ns(&st) > df->newest_mtime_ns)
            df->newest_mtime_ns = mtime_ns(&st);
    }
    closedir(dir);
    if (entries > df->largest_entries) {
        free(df->largest);
        df->largest = cc_xstrdup(folder);
        df->largest_entries = entries;
    }
}

static void dayfiles_load(struct dayfiles *df, const char *root, const char *day)
{
    memset(df, 0, sizeof(*df));
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, day);
    DIR *dir = opendir(path);
    if (!dir)
        return;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (!bench_all_digits(de->d_name))
            continue;
        char *p = cc_xmalloc(strlen(path) + strlen(de->d_name) + 2);
        sprintf(p, "%s/%s", path, de->d_name);
        cc_grow(&df->folders, &df->folders_cap, df->nfolders + 1, sizeof(char *));
        df->folders[df->nfolders++] = p;
    }
    closedir(dir);
    qsort(df->folders, df->nfolders, sizeof(char *), cmp_str);
    for (size_t i = 0; i < df->nfolders; i++) {
        struct stat st;
        if (stat(df->folders[i], &st) == 0 && mtime_ns(&st) > df->newest_mtime_ns)
            df->newest_mtime_ns = mtime_ns(&st);
        scan_folder_files(df, df->folders[i]);
    }
}

/* The floor: the same playlist bytes, read() into a buffer, nothing else. */
static uint64_t floor_read(const struct dayfiles *df, char *buf, size_t cap)
{
    uint64_t total = 0;
    for (size_t i = 0; i < df->n; i++) {
        int fd = open(df->playlists[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        size_t got = 0;
        ssize_t n;
        while ((n = read(fd, buf + got, cap - got)) > 0)
            got += (size_t)n;
        close(fd);
        total += got;
    }
    return total;
}

/* Drops the playlists' pages from the page cache (folders stay cached). */
static void drop_cache(const struct dayfiles *df)
{
    for (size_t i = 0; i < df->n; i++) {
        int fd = open(df->playlists[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        fdatasync(fd);
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        close(fd);
    }
}

static size_t list_dir(const char *path)
{
    DIR *dir = opendir(path);
    size_t n = 0;
    if (!dir)
        return 0;
    while (readdir(dir))
        n++;
    closedir(dir);
    return n;
}

static void remove_sidecars_in(const char *cache_dir, const char *root, const struct cc_date *days,
                               size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char name[11];
        cc_date_format(&days[i], name);
        char *p = cc_sidecar_path(root, cache_dir, name);
        unlink(p);
        free(p);
    }
}

static void remove_sidecars(const char *root, const struct cc_date *days, size_t n)
{
    remove_sidecars_in(NULL, root, days, n);
}

static int list_days(const char *root, struct cc_date **days, size_t *n)
{
    struct cc_catalog_config cfg = {.root = root};
    struct cc_catalog *c;
    cc_catalog_new(&cfg, &c);
    int rc = cc_catalog_list_days(c, NULL, NULL, days, n);
    cc_catalog_free(c);
    return rc;
}

/* ---- measurements -------------------------------------------------------- */

struct ctx {
    const char *root;
    struct cc_date *days;
    size_t ndays;
    struct cc_date probe; /* a full day in the middle of the tree */
    char probe_name[11];
    struct dayfiles df;
    char *buf;
    size_t buf_cap;
    double floor_ms;
};

static void row(const char *what, const char *ours, const char *peer, const char *ratio,
                const char *target, const char *v)
{
    printf("| %s | %s | %s | %s | %s | %s |\n", what, ours, peer, ratio, target, v);
}

/* Counting the chunk bytes (one stat per chunk) on top of a cold index: the
 * work moved off the request path, paid once per folder. */
static void bench_sizes(struct ctx *x, double index_ms)
{
    double t[64];
    uint32_t stats = 0;
    for (int r = 0; r < reps; r++) {
        struct cc_day *d0 = NULL, *d = NULL;
        bool changed;
        struct cc_scan_stats ss;
        cc_scan_update(x->root, &x->probe, NULL, &d0, &changed, NULL);
        int64_t t0 = bench_mono_ns();
        cc_scan_update_sizes(x->root, &x->probe, d0, &d, &changed, &ss);
        t[r] = (double)(bench_mono_ns() - t0) / 1e6;
        stats = ss.chunks_sized;
        cc_day_free(d);
        cc_day_free(d0);
    }
    char a[96], c[48];
    double m = bench_best(t, reps);
    snprintf(a, sizeof(a), "%.2f ms (%u `fstatat`)", m, stats);
    snprintf(c, sizeof(c), "%.1f× the index itself", m / index_ms);
    row("Counting the day's chunk bytes for storage (`cc_scan_update_sizes` on the index: "
        "once per folder, off the request path)",
        a, "—", c, "—", "—");
    bench_kv_put(kv, "sizes_ms", "%.3f", m);
}

static void bench_cold_index(struct ctx *x)
{
    double tf[64], ti[64], tl[64];
    uint64_t floor_bytes = 0;
    struct cc_scan_stats ss = {0};
    uint32_t nchunks = 0;
    /* warm the page cache and the dentries once, untimed */
    floor_read(&x->df, x->buf, x->buf_cap);
    for (int r = 0; r < reps; r++) {
        int64_t t0 = bench_mono_ns();
        floor_bytes = floor_read(&x->df, x->buf, x->buf_cap);
        int64_t t1 = bench_mono_ns();
        for (size_t i = 0; i < x->df.nfolders; i++)
            list_dir(x->df.folders[i]);
        int64_t t2 = bench_mono_ns();
        tf[r] = (double)(t1 - t0) / 1e6;
        tl[r] = (double)(t2 - t0) / 1e6;
    }
    long faults = 0, floor_faults = minflt();
    floor_read(&x->df, x->buf, x->buf_cap);
    floor_faults = minflt() - floor_faults;
    for (int r = 0; r <= reps; r++) {
        struct cc_day *d = NULL;
        bool changed;
        long f0 = minflt();
        int64_t t0 = bench_mono_ns();
        int rc = cc_scan_update(x->root, &x->probe, NULL, &d, &changed, &ss);
        int64_t t1 = bench_mono_ns();
        faults = minflt() - f0;
        if (rc < 0) {
            fprintf(stderr, "camcat-bench: index %s: %s\n", x->probe_name, strerror(-rc));
            exit(1);
        }
        nchunks = d->nchunks;
        cc_day_free(d);
        if (r > 0) /* the first run warms the allocator */
            ti[r - 1] = (double)(t1 - t0) / 1e6;
    }
    double f = bench_best(tf, reps), fl = bench_best(tl, reps), i = bench_best(ti, reps);
    x->floor_ms = f;
    char a[64], b[96], c[32];
    snprintf(a, sizeof(a), "%.2f ms", i);
    snprintf(b, sizeof(b), "%.2f ms (read() of %.2f MB in %zu playlists)", f, floor_bytes / 1e6,
             x->df.n);
    snprintf(c, sizeof(c), "%.1f×", i / f);
    row("Cold index of one full day (`cc_scan_update`, no sidecar, page cache warm), against "
        "reading its playlists",
        a, b, c, "—", "—");
    snprintf(b, sizeof(b), "%.2f ms (read() + readdir of its %zu folders)", fl, x->df.nfolders);
    snprintf(c, sizeof(c), "%.2f×", i / fl);
    row("… same, against the floor: read + folder listing (what an index that knows which "
        "chunks exist must do)",
        a, b, c, "≤ 1.5×", verdict(i / fl, 1.5));
    snprintf(a, sizeof(a), "%.0f ns/chunk, %.0f MB/s, %ld minor page faults", i * 1e6 / nchunks,
             (double)ss.bytes_parsed / 1e6 / (i / 1e3), faults);
    snprintf(b, sizeof(b), "%.0f MB/s, %ld page faults", (double)floor_bytes / 1e6 / (f / 1e3),
             floor_faults);
    row("… per chunk / throughput / page faults", a, b, "—", "—", "—");
    bench_kv_put(kv, "cold_index_faults", "%ld", faults);
    bench_kv_put(kv, "day_chunks", "%u", nchunks);
    bench_kv_put(kv, "day_playlist_bytes", "%llu", (unsigned long long)floor_bytes);
    bench_kv_put(kv, "day_playlists", "%zu", x->df.n);
    bench_kv_put(kv, "floor_read_ms", "%.3f", f);
    bench_kv_put(kv, "cold_index_ms", "%.3f", i);
    bench_kv_put(kv, "floor_list_ms", "%.3f", fl);
    bench_kv_put(kv, "cold_index_ratio", "%.3f", i / fl);
    bench_sizes(x, i);

    /* Context for the camera, where flash reads dominate: the playlists'
     * pages dropped before each run (this VM's disk is itself cached). */
    double cf[64], ci[64];
    for (int r = 0; r < reps; r++) {
        drop_cache(&x->df);
        int64_t t0 = bench_mono_ns();
        floor_read(&x->df, x->buf, x->buf_cap);
        cf[r] = (double)(bench_mono_ns() - t0) / 1e6;
        drop_cache(&x->df);
        struct cc_day *d = NULL;
        bool changed;
        t0 = bench_mono_ns();
        cc_scan_update(x->root, &x->probe, NULL, &d, &changed, NULL);
        ci[r] = (double)(bench_mono_ns() - t0) / 1e6;
        cc_day_free(d);
    }
    double cfm = bench_best(cf, reps), cim = bench_best(ci, reps);
    snprintf(a, sizeof(a), "%.2f ms", cim);
    snprintf(b, sizeof(b), "%.2f ms (read(), playlists dropped from the page cache)", cfm);
    snprintf(c, sizeof(c), "%.1f×", cim / cfm);
    row("… same, playlists not in the page cache (`posix_fadvise DONTNEED`)", a, b, c, "—", "—");
    bench_kv_put(kv, "uncached_floor_ms", "%.3f", cfm);
    bench_kv_put(kv, "uncached_index_ms", "%.3f", cim);
    floor_read(&x->df, x->buf, x->buf_cap); /* warm again for what follows */

    double td[64];
    size_t entries = 0;
    for (int r = 0; r < reps; r++) {
        int64_t t0 = bench_mono_ns();
        entries = list_dir(x->df.largest);
        td[r] = (double)(bench_mono_ns() - t0) / 1e3;
    }
    snprintf(a, sizeof(a), "%.0f µs (%zu entries)", bench_best(td, reps), entries);
    snprintf(c, sizeof(c), "%.0f%% of the index", bench_best(td, reps) / 10 / i);
    row("Missing-chunk check: one `readdir` of the largest folder (the listing the index does)", a,
        "—", c, "—", "—");
    bench_kv_put(kv, "readdir_largest_us", "%.1f", bench_best(td, reps));
    bench_kv_put(kv, "readdir_largest_entries", "%zu", entries);
}

struct count_sink {
    uint64_t bytes;
};

static int discard(void *ud, const void *data, size_t len)
{
    (void)data;
    ((struct count_sink *)ud)->bytes += len;
    return 0;
}

static int to_buf(void *ud, const void *data, size_t len)
{
    cc_buf_append(ud, data, len);
    return 0;
}

static void bench_stitch(struct ctx *x)
{
    struct cc_day *d = NULL;
    bool changed;
    if (cc_scan_update(x->root, &x->probe, NULL, &d, &changed, NULL) < 0)
        exit(1);
    struct cc_stitch_opts o = {.root = x->root,
                               .rec_prefix = "/rec/",
                               .from_ms = INT64_MIN,
                               .to_ms = INT64_MAX,
                               .ended = true};
    double t[64];
    struct count_sink cs = {0};
    struct cc_stitch_stats st = {0};
    for (int r = 0; r <= reps; r++) {
        cs.bytes = 0;
        int64_t t0 = bench_mono_ns();
        int rc = cc_stitch_day(d, &o, discard, &cs, &st);
        int64_t t1 = bench_mono_ns();
        if (rc < 0) {
            fprintf(stderr, "camcat-bench: stitch: %s\n", strerror(-rc));
            exit(1);
        }
        if (r > 0)
            t[r - 1] = (double)(t1 - t0) / 1e6;
    }
    double m = bench_best(t, reps);
    char a[96], b[64], c[32];
    snprintf(a, sizeof(a), "%.2f ms (%.2f MB out, %u chunks, %u skipped as missing)", m,
             cs.bytes / 1e6, st.chunks, st.skipped_missing);
    snprintf(b, sizeof(b), "%.2f ms (read floor)", x->floor_ms);
    snprintf(c, sizeof(c), "%.1f×", m / x->floor_ms);
    row("Stitched day playlist (`cc_stitch_day` to a discarding sink)", a, b, c, "≤ 2×",
        verdict(m / x->floor_ms, 2.0));
    bench_kv_put(kv, "stitch_ms", "%.3f", m);
    bench_kv_put(kv, "stitch_bytes", "%llu", (unsigned long long)cs.bytes);
    bench_kv_put(kv, "stitch_chunks", "%u", st.chunks);
    snprintf(a, sizeof(a), "%.1f B/chunk (%llu B, %u chunks)", (double)cs.bytes / st.chunks,
             (unsigned long long)cs.bytes, st.chunks);
    row("… its size per chunk (gzipped: see Targets)", a, "—", "—", "≤ 48 B",
        verdict((double)cs.bytes / st.chunks, 48));
    bench_kv_put(kv, "stitch_ratio", "%.3f", m / x->floor_ms);
    cc_day_free(d);
}

struct run_io {
    uint64_t fs_bytes;   /* cc_fs_bytes_written(): our sidecar payloads */
    struct bench_pio io; /* /proc/self/io deltas */
    double ms;
    uint64_t parsed;
    uint64_t writes;
};

/* Every day through a fresh catalog, as a server start would see them. */
static void index_all(const char *root, const char *cache_dir, const struct cc_date *days, size_t n,
                      struct run_io *r, uint64_t *sizes, uint32_t *chunks)
{
    struct bench_pio a, b;
    uint64_t fs0 = cc_fs_bytes_written();
    bench_pio_read(&a);
    int64_t t0 = bench_mono_ns();
    struct cc_catalog_config cfg = {.root = root, .cache_dir = cache_dir, .write_sidecars = true};
    struct cc_catalog *c;
    cc_catalog_new(&cfg, &c);
    for (size_t i = 0; i < n; i++) {
        const struct cc_day *d;
        if (cc_catalog_get_day(c, &days[i], &d) < 0)
            continue;
        if (chunks)
            chunks[i] = d->nchunks;
        cc_catalog_release(c, d);
    }
    struct cc_catalog_stats st;
    cc_catalog_get_stats(c, &st);
    cc_catalog_free(c);
    r->ms = (double)(bench_mono_ns() - t0) / 1e6;
    bench_pio_read(&b);
    r->fs_bytes = cc_fs_bytes_written() - fs0;
    r->io.rchar = b.rchar - a.rchar;
    r->io.wchar = b.wchar - a.wchar;
    r->io.read_bytes = b.read_bytes - a.read_bytes;
    r->io.write_bytes = b.write_bytes - a.write_bytes;
    r->parsed = st.bytes_parsed;
    r->writes = st.sidecar_writes;
    for (size_t i = 0; sizes && i < n; i++) {
        char name[11];
        cc_date_format(&days[i], name);
        char *p = cc_sidecar_path(root, cache_dir, name);
        struct stat sst;
        sizes[i] = stat(p, &sst) == 0 ? (uint64_t)sst.st_size : 0;
        free(p);
    }
}

static void bench_index_30(struct ctx *x)
{
    uint64_t *sizes = cc_xcalloc(x->ndays, sizeof(uint64_t));
    uint32_t *chunks = cc_xcalloc(x->ndays, sizeof(uint32_t));
    struct run_io first, second, third;
    index_all(x->root, NULL, x->days, x->ndays, &first, sizes, chunks);
    index_all(x->root, NULL, x->days, x->ndays, &second, NULL, NULL);
    index_all(x->root, NULL, x->days, x->ndays, &third, NULL, NULL);
    char a[200], b[256];
    snprintf(a, sizeof(a),
             "%llu B sidecar payload (`cc_fs_bytes_written`); %llu B wchar, %llu B write_bytes "
             "(/proc/self/io); %llu sidecars, %.0f ms",
             (unsigned long long)first.fs_bytes, (unsigned long long)first.io.wchar,
             (unsigned long long)first.io.write_bytes, (unsigned long long)first.writes, first.ms);
    char what[96];
    snprintf(what, sizeof(what), "Bytes written to index %zu days (first run, no sidecars)",
             x->ndays);
    row(what, a, "SQLite peer: see below", "—", "≤ 1/200 of SQLite", "see Targets");
    /* write_bytes counts pages dirtied for this task, metadata included: the
     * first read of a just-written sidecar updates its atime (relatime). */
    snprintf(b, sizeof(b),
             "%llu B payload, %llu B wchar; %llu B write_bytes (a third run: %llu B); "
             "%llu playlist bytes parsed; %.0f ms",
             (unsigned long long)second.fs_bytes, (unsigned long long)second.io.wchar,
             (unsigned long long)second.io.write_bytes, (unsigned long long)third.io.write_bytes,
             (unsigned long long)second.parsed, second.ms);
    uint64_t again = second.fs_bytes + second.io.wchar;
    row("… second run over the same tree (our writes: payload + wchar)", b, "—", "—", "0 B",
        again == 0 ? "met" : "**missed**");

    /* The same writes into one folder: how much of write_bytes is the file
     * system's metadata for 30 new files in 30 folders. */
    char *cache = cc_xmalloc(strlen(x->root) + 16);
    sprintf(cache, "%s.cache", x->root);
    remove_sidecars_in(cache, x->root, x->days, x->ndays);
    struct run_io cached;
    index_all(x->root, cache, x->days, x->ndays, &cached, NULL, NULL);
    snprintf(b, sizeof(b), "%llu B payload, %llu B write_bytes",
             (unsigned long long)cached.fs_bytes, (unsigned long long)cached.io.write_bytes);
    row("… the same into one `cache_dir` folder (first run)", b, "—", "—", "—", "—");
    bench_kv_put(kv, "idx_cachedir_write_bytes", "%llu", (unsigned long long)cached.io.write_bytes);
    free(cache);
    bench_kv_put(kv, "idx_days", "%zu", x->ndays);
    bench_kv_put(kv, "idx_fs_bytes", "%llu", (unsigned long long)first.fs_bytes);
    bench_kv_put(kv, "idx_wchar", "%llu", (unsigned long long)first.io.wchar);
    bench_kv_put(kv, "idx_write_bytes", "%llu", (unsigned long long)first.io.write_bytes);
    bench_kv_put(kv, "idx_ms", "%.1f", first.ms);
    bench_kv_put(kv, "rerun_fs_bytes", "%llu", (unsigned long long)second.fs_bytes);
    bench_kv_put(kv, "rerun_wchar", "%llu", (unsigned long long)second.io.wchar);
    bench_kv_put(kv, "rerun_write_bytes", "%llu", (unsigned long long)second.io.write_bytes);
    bench_kv_put(kv, "rerun3_write_bytes", "%llu", (unsigned long long)third.io.write_bytes);
    bench_kv_put(kv, "rerun_parsed", "%llu", (unsigned long long)second.parsed);

    /* Full days only: the first and last may be partial. */
    uint64_t max = 0, sum = 0, sum_chunks = 0;
    size_t k = 0;
    for (size_t i = 1; i + 1 < x->ndays; i++) {
        if (!sizes[i])
            continue;
        max = sizes[i] > max ? sizes[i] : max;
        sum += sizes[i];
        sum_chunks += chunks[i];
        k++;
    }
    if (k) {
        snprintf(a, sizeof(a), "mean %.0f B, max %llu B (%.3f B/chunk, %llu chunks/day)",
                 (double)sum / k, (unsigned long long)max, (double)sum / (double)sum_chunks,
                 (unsigned long long)(sum_chunks / k));
        row("Sidecar size per day, regular days", a, "—", "—", "≤ 4 KiB",
            verdict((double)max, 4096));
        bench_kv_put(kv, "sidecar_max", "%llu", (unsigned long long)max);
        bench_kv_put(kv, "sidecar_mean", "%.0f", (double)sum / k);
    }
    free(sizes);
    free(chunks);
}

static void bench_vary(const char *root)
{
    struct cc_date *days = NULL;
    size_t n = 0;
    if (list_days(root, &days, &n) < 0 || !n) {
        row("Sidecar size per day, `--vary` days", "no tree", "—", "—", "≤ 4 KiB", "skipped");
        return;
    }
    remove_sidecars(root, days, n);
    uint64_t *sizes = cc_xcalloc(n, sizeof(uint64_t));
    uint32_t *chunks = cc_xcalloc(n, sizeof(uint32_t));
    struct run_io r;
    index_all(root, NULL, days, n, &r, sizes, chunks);
    uint64_t max = 0, sum = 0, sum_chunks = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        /* partial days would flatter the figure: full days when there are any */
        if (n > 2 && (i == 0 || i + 1 == n))
            continue;
        max = sizes[i] > max ? sizes[i] : max;
        sum += sizes[i];
        sum_chunks += chunks[i];
        k++;
    }
    char a[160];
    snprintf(a, sizeof(a), "mean %.0f B, max %llu B (%.3f B/chunk, %zu days)",
             k ? (double)sum / k : 0.0, (unsigned long long)max,
             sum_chunks ? (double)sum / (double)sum_chunks : 0.0, k);
    row("Sidecar size per day, `--vary` days (jittered durations, clock steps)", a, "—", "—",
        "≤ 4 KiB", verdict((double)max, 4096));
    bench_kv_put(kv, "vary_sidecar_max", "%llu", (unsigned long long)max);
    bench_kv_put(kv, "vary_sidecar_mean", "%.0f", k ? (double)sum / k : 0.0);
    bench_kv_put(kv, "vary_bytes_per_chunk", "%.4f",
                 sum_chunks ? (double)sum / (double)sum_chunks : 0.0);
    free(sizes);
    free(chunks);
    free(days);
}

static void bench_warm(struct ctx *x)
{
    char *sc_path = cc_sidecar_path(x->root, NULL, x->probe_name);
    struct stat sst;
    uint64_t sc_size = stat(sc_path, &sst) == 0 ? (uint64_t)sst.st_size : 0;
    free(sc_path);
    double tw[64], th[64], tr[64], tm[64], ti[64];
    uint64_t parsed = 0, rchar = 0, loads = 0;
    for (int r = 0; r < reps; r++) {
        struct cc_catalog_config cfg = {.root = x->root, .write_sidecars = true};
        struct cc_catalog *c;
        cc_catalog_new(&cfg, &c);
        const struct cc_day *d;
        struct bench_pio a, b;
        bench_pio_read(&a);
        int64_t t0 = bench_mono_ns();
        int rc = cc_catalog_get_day(c, &x->probe, &d);
        int64_t t1 = bench_mono_ns();
        bench_pio_read(&b);
        if (rc < 0)
            exit(1);
        cc_catalog_release(c, d);
        tw[r] = (double)(t1 - t0) / 1e3;
        rchar = rchar_delta(&a, &b);
        /* a cached hit: the sources were checked under a second ago */
        t0 = bench_mono_ns();
        for (int i = 0; i < HIT_LOOP; i++) {
            cc_catalog_get_day(c, &x->probe, &d);
            cc_catalog_release(c, d);
        }
        th[r] = (double)(bench_mono_ns() - t0) / 1e3 / HIT_LOOP;
        /* walking every chunk of the cached day: what a day query must hand out */
        cc_catalog_get_day(c, &x->probe, &d);
        t0 = bench_mono_ns();
        uint64_t sum = 0;
        for (uint32_t s = 0; s < d->nsegs; s++) {
            struct cc_chunk_iter it;
            int64_t st;
            uint32_t dur, idx;
            cc_chunk_iter_init(&it, &d->segs[s]);
            while (cc_chunk_iter_next(&it, &st, &dur, &idx, NULL))
                sum += dur;
        }
        ti[r] = (double)(bench_mono_ns() - t0) / 1e3;
        if (sum == 0)
            fprintf(stderr, "camcat-bench: empty day?\n");
        cc_catalog_release(c, d);
        struct cc_catalog_stats st;
        cc_catalog_get_stats(c, &st);
        parsed = st.bytes_parsed;
        loads = st.sidecar_loads;
        cc_catalog_free(c);
    }
    /* the once-a-second source check of a cached day (stat + folder listing) */
    {
        struct cc_catalog_config cfg = {.root = x->root, .write_sidecars = true, .recheck_ms = -1};
        struct cc_catalog *c;
        cc_catalog_new(&cfg, &c);
        const struct cc_day *d;
        cc_catalog_get_day(c, &x->probe, &d);
        cc_catalog_release(c, d);
        for (int r = 0; r < reps; r++) {
            int64_t t0 = bench_mono_ns();
            cc_catalog_get_day(c, &x->probe, &d);
            tr[r] = (double)(bench_mono_ns() - t0) / 1e3;
            cc_catalog_release(c, d);
        }
        cc_catalog_free(c);
    }
    /* a month: the listing, then every day from its sidecar */
    for (int r = 0; r < reps; r++) {
        struct cc_catalog_config cfg = {.root = x->root, .write_sidecars = true};
        struct cc_catalog *c;
        cc_catalog_new(&cfg, &c);
        int64_t t0 = bench_mono_ns();
        struct cc_date *days;
        size_t n;
        cc_catalog_list_days(c, NULL, NULL, &days, &n);
        for (size_t i = 0; i < n; i++) {
            const struct cc_day *d;
            if (cc_catalog_get_day(c, &days[i], &d) == 0)
                cc_catalog_release(c, d);
        }
        tm[r] = (double)(bench_mono_ns() - t0) / 1e3;
        free(days);
        cc_catalog_free(c);
    }
    char a[200], b[64];
    double w = bench_best(tw, reps);
    snprintf(a, sizeof(a),
             "%.0f µs; read %llu B (sidecar %llu B + %llu playlist bytes parsed), %llu sidecar "
             "load",
             w, (unsigned long long)rchar, (unsigned long long)sc_size, (unsigned long long)parsed,
             (unsigned long long)loads);
    snprintf(b, sizeof(b), "%.0f µs to read() the playlists", x->floor_ms * 1e3);
    row("Warm day query, fresh catalog, valid sidecar (`cc_catalog_get_day`)", a, b, "—",
        "0 playlist bytes", parsed == 0 ? "met" : "**missed**");
    snprintf(a, sizeof(a), "%.2f µs", bench_best(th, reps));
    row("… cached hit (same catalog, sources checked < 1 s ago)", a, "—", "—", "—", "—");
    snprintf(a, sizeof(a), "%.0f µs", bench_best(tr, reps));
    row("… source re-check of a cached day (stat + folder listings, at most once a second)", a, "—",
        "—", "—", "—");
    snprintf(a, sizeof(a), "%.0f µs", bench_best(ti, reps));
    row("… walking every chunk of the cached day (`cc_chunk_iter`)", a, "—", "—", "—", "—");
    char what[96];
    snprintf(what, sizeof(what), "Month listing: `list_days` + `get_day` × %zu, fresh catalog",
             x->ndays);
    snprintf(a, sizeof(a), "%.0f µs", bench_best(tm, reps));
    row(what, a, "—", "—", "—", "—");
    bench_kv_put(kv, "warm_query_us", "%.1f", w);
    bench_kv_put(kv, "warm_query_rchar", "%llu", (unsigned long long)rchar);
    bench_kv_put(kv, "warm_query_parsed", "%llu", (unsigned long long)parsed);
    bench_kv_put(kv, "sidecar_probe_bytes", "%llu", (unsigned long long)sc_size);
    bench_kv_put(kv, "cached_hit_us", "%.3f", bench_best(th, reps));
    bench_kv_put(kv, "recheck_us", "%.1f", bench_best(tr, reps));
    bench_kv_put(kv, "iterate_us", "%.1f", bench_best(ti, reps));
    bench_kv_put(kv, "month_us", "%.1f", bench_best(tm, reps));
}

/* Where the cold index's time goes besides instructions: freshly mapped
 * pages. With malloc told to keep freed memory, the same index runs again
 * without page faults (glibc only; run last, it changes the allocator). */
static void bench_cold_reuse(struct ctx *x)
{
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    double t[64];
    long faults = 0;
    for (int r = 0; r <= reps; r++) {
        struct cc_day *d = NULL;
        bool changed;
        long f0 = minflt();
        int64_t t0 = bench_mono_ns();
        cc_scan_update(x->root, &x->probe, NULL, &d, &changed, NULL);
        int64_t t1 = bench_mono_ns();
        faults = minflt() - f0;
        cc_day_free(d);
        if (r > 0)
            t[r - 1] = (double)(t1 - t0) / 1e6;
    }
    double i = bench_best(t, reps);
    char a[96], b[64], c[32];
    snprintf(a, sizeof(a), "%.2f ms, %ld minor page faults", i, faults);
    snprintf(b, sizeof(b), "%.2f ms (read floor)", x->floor_ms);
    snprintf(c, sizeof(c), "%.1f×", i / x->floor_ms);
    row("Cold index again, malloc keeping freed memory (`mallopt`: no fresh pages to fault in)", a,
        b, c, "≤ 1.5×", verdict(i / x->floor_ms, 1.5));
    bench_kv_put(kv, "cold_index_reuse_ms", "%.3f", i);
    bench_kv_put(kv, "cold_index_reuse_faults", "%ld", faults);
}

/* ---- the incremental case ------------------------------------------------ */

static const char *line_before(const char *start, const char *end)
{
    /* end points at the '\n' closing a line; returns that line's start */
    const char *p = end;
    while (p > start && p[-1] != '\n')
        p--;
    return p;
}

/* Next chunk URI: the last digit run before the extension counts up, keeping
 * its width, the way recorders name chunks (chunk_00042.ts). */
static void next_uri(const char *uri, size_t len, uint64_t step, struct cc_buf *out)
{
    size_t e = len;
    while (e > 0 && !(uri[e - 1] >= '0' && uri[e - 1] <= '9'))
        e--;
    size_t s = e;
    while (s > 0 && uri[s - 1] >= '0' && uri[s - 1] <= '9')
        s--;
    if (s == e) {
        cc_buf_printf(out, "%.*s_%llu", (int)len, uri, (unsigned long long)step);
        return;
    }
    unsigned long long v = strtoull(uri + s, NULL, 10) + step;
    cc_buf_append(out, uri, s);
    cc_buf_printf(out, "%0*llu", (int)(e - s), v);
    cc_buf_append(out, uri + e, len - e);
}

/* Appends n chunks in the format of the playlist's last chunk (its tag lines,
 * with PDT moved on by EXTINF) and creates their (empty) chunk files.
 * Returns 0 or -errno. */
static int append_chunks(const char *path, int n)
{
    struct cc_buf b, add;
    cc_buf_init(&b);
    cc_buf_init(&add);
    int rc = cc_read_file(path, 0, 64u << 20, &b);
    if (rc < 0)
        goto out;
    rc = -EINVAL;
    if (b.len < 2 || b.data[b.len - 1] != '\n')
        goto out;
    const char *end = b.data + b.len - 1;
    const char *uri = line_before(b.data, end);
    size_t uri_len = (size_t)(end - uri);
    if (uri_len == 0 || uri[0] == '#')
        goto out;
    /* the lines since the previous chunk's URI: its tags */
    const char *tags_end = uri, *tags = uri;
    while (tags > b.data) {
        const char *l = line_before(b.data, tags - 1);
        if (*l != '#')
            break;
        tags = l;
    }
    int64_t pdt = 0, dur_us = 0;
    int off = 0;
    bool has_off = false, has_pdt = false;
    for (const char *l = tags; l < tags_end;) {
        const char *nl = memchr(l, '\n', (size_t)(tags_end - l));
        if (nl == NULL)
            break;
        if (strncmp(l, "#EXT-X-PROGRAM-DATE-TIME:", 25) == 0)
            has_pdt = cc_iso_parse(l + 25, (size_t)(nl - l - 25), &pdt, &off, &has_off) == 0;
        else if (strncmp(l, "#EXTINF:", 8) == 0) {
            const char *comma = memchr(l, ',', (size_t)(nl - l));
            cc_m3u8_parse_duration(l + 8, (size_t)((comma ? comma : nl) - l - 8), &dur_us);
        }
        l = nl + 1;
    }
    if (dur_us <= 0)
        goto out;
    char *dir = cc_xstrdup(path);
    char *slash = strrchr(dir, '/');
    *slash = '\0';
    for (int i = 1; i <= n; i++) {
        for (const char *l = tags; l < tags_end;) {
            const char *nl = memchr(l, '\n', (size_t)(tags_end - l));
            if (strncmp(l, "#EXT-X-PROGRAM-DATE-TIME:", 25) == 0 && has_pdt) {
                char iso[CC_ISO_MAX];
                cc_iso_format(pdt + (int64_t)i * dur_us / 1000, has_off ? off : 0, iso);
                cc_buf_printf(&add, "#EXT-X-PROGRAM-DATE-TIME:%s\n", iso);
            } else if (strncmp(l, "#EXTINF:", 8) == 0) {
                cc_buf_append(&add, l, (size_t)(nl - l) + 1);
            }
            l = nl + 1;
        }
        size_t at = add.len;
        next_uri(uri, uri_len, (uint64_t)i, &add);
        char *file = cc_xmalloc(strlen(dir) + (add.len - at) + 2);
        sprintf(file, "%s/%.*s", dir, (int)(add.len - at), add.data + at);
        int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd >= 0)
            close(fd);
        free(file);
        cc_buf_putc(&add, '\n');
    }
    free(dir);
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    rc = fd < 0 ? -errno : 0;
    if (fd >= 0) {
        if (write(fd, add.data, add.len) != (ssize_t)add.len)
            rc = -EIO;
        close(fd);
    }
out:
    cc_buf_free(&b);
    cc_buf_free(&add);
    return rc;
}

static void bench_incremental(struct ctx *x)
{
    const struct cc_date *last = &x->days[x->ndays - 1];
    struct cc_catalog_config cfg = {.root = x->root, .write_sidecars = true, .recheck_ms = -1};
    struct cc_catalog *c;
    cc_catalog_new(&cfg, &c);
    const struct cc_day *d;
    if (cc_catalog_get_day(c, last, &d) < 0 || !d->nsegs) {
        row("Incremental: append 30 chunks to the live playlist", "no day", "—", "—", "—",
            "skipped");
        cc_catalog_free(c);
        return;
    }
    const struct cc_segment *s = &d->segs[d->nsegs - 1];
    char *path = cc_xmalloc(strlen(x->root) + strlen(s->playlist) + 2);
    sprintf(path, "%s/%s", x->root, s->playlist);
    bool live = !(s->flags & CC_SEG_ENDLIST);
    uint32_t before = d->nchunks;
    char *rel = cc_xstrdup(s->playlist); /* d may be freed by the refresh below */
    cc_catalog_release(c, d);
    if (!live) {
        row("Incremental: append 30 chunks to the live playlist", "newest playlist is closed", "—",
            "—", "—", "skipped");
        free(path);
        free(rel);
        cc_catalog_free(c);
        return;
    }
    struct stat pst;
    stat(path, &pst);
    int rc = append_chunks(path, APPEND_CHUNKS);
    struct stat pst2;
    stat(path, &pst2);
    if (rc < 0) {
        fprintf(stderr, "camcat-bench: append to %s: %s\n", path, strerror(-rc));
        exit(1);
    }
    struct cc_catalog_stats s0, s1;
    cc_catalog_get_stats(c, &s0);
    uint64_t fs0 = cc_fs_bytes_written();
    struct bench_pio a, b;
    bench_pio_read(&a);
    int64_t t0 = bench_mono_ns();
    rc = cc_catalog_get_day(c, last, &d);
    int64_t t1 = bench_mono_ns();
    bench_pio_read(&b);
    uint64_t fs1 = cc_fs_bytes_written();
    cc_catalog_get_stats(c, &s1);
    uint32_t after = rc == 0 ? d->nchunks : 0;
    if (rc == 0)
        cc_catalog_release(c, d);
    uint64_t fs2 = cc_fs_bytes_written();
    cc_catalog_free(c); /* a live day not yet on flash is saved once here */
    uint64_t deferred = cc_fs_bytes_written() - fs2;
    char a1[256], b1[96];
    snprintf(a1, sizeof(a1),
             "%llu B parsed (%llu B appended), %llu B read (rchar), %llu B written by us "
             "(%llu B write_bytes); %u→%u chunks; %.0f µs; one deferred sidecar save of %llu B "
             "(live policy: at most every 4 h, or at shutdown)",
             (unsigned long long)(s1.bytes_parsed - s0.bytes_parsed),
             (unsigned long long)(pst2.st_size - pst.st_size),
             (unsigned long long)rchar_delta(&a, &b), (unsigned long long)(fs1 - fs0),
             (unsigned long long)(b.write_bytes - a.write_bytes), before, after,
             (double)(t1 - t0) / 1e3, (unsigned long long)deferred);
    snprintf(b1, sizeof(b1), "SQLite peer: see below");
    row("Incremental: append 30 chunks to the live playlist, then `get_day`", a1, b1, "—", "—",
        after == before + APPEND_CHUNKS ? "30 chunks seen" : "**chunk count wrong**");
    bench_kv_put(kv, "incr_parsed", "%llu",
                 (unsigned long long)(s1.bytes_parsed - s0.bytes_parsed));
    bench_kv_put(kv, "incr_appended", "%llu", (unsigned long long)(pst2.st_size - pst.st_size));
    bench_kv_put(kv, "incr_rchar", "%llu", (unsigned long long)rchar_delta(&a, &b));
    bench_kv_put(kv, "incr_fs_bytes", "%llu", (unsigned long long)(fs1 - fs0));
    bench_kv_put(kv, "incr_write_bytes", "%llu",
                 (unsigned long long)(b.write_bytes - a.write_bytes));
    bench_kv_put(kv, "incr_deferred", "%llu", (unsigned long long)deferred);
    bench_kv_put(kv, "incr_us", "%.1f", (double)(t1 - t0) / 1e3);
    bench_kv_put(kv, "incr_playlist", "%s", rel);
    free(path);
    free(rel);
}

/* ---- main ---------------------------------------------------------------- */

static void settle(const struct ctx *x)
{
    int64_t newest = 0;
    for (size_t i = 0; i < x->ndays; i++) {
        char name[11];
        cc_date_format(&x->days[i], name);
        struct dayfiles df;
        dayfiles_load(&df, x->root, name);
        if (df.newest_mtime_ns > newest)
            newest = df.newest_mtime_ns;
        dayfiles_free(&df);
    }
    int64_t wait = newest + SETTLE_NS - cc_now_ns();
    if (wait > 0) {
        struct timespec ts = {wait / 1000000000LL, wait % 1000000000LL};
        nanosleep(&ts, NULL);
    }
}

/* A cold index of DAYDIR (a tree of one naming) against its read + list
 * floor, in the same run: the hash must not care how chunks are named. */
static void bench_naming(const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq)
        return;
    char label[32];
    snprintf(label, sizeof(label), "%.*s", (int)(eq - spec), spec);
    char *a0 = cc_xstrdup(eq + 1), *b0 = cc_xstrdup(eq + 1);
    const char *name = basename(a0), *root = dirname(b0);
    struct cc_date date;
    struct dayfiles df;
    if (cc_date_parse(name, strlen(name), &date) < 0) {
        fprintf(stderr, "camcat-bench: --naming %s: not a day folder\n", spec);
        exit(2);
    }
    dayfiles_load(&df, root, name);
    size_t cap = (size_t)df.max_size + 65536;
    char *buf = cc_xmalloc(cap);
    double tl[64], ti[64];
    uint32_t nchunks = 0;
    floor_read(&df, buf, cap);
    for (int r = 0; r <= reps; r++) {
        int64_t t0 = bench_mono_ns();
        floor_read(&df, buf, cap);
        for (size_t i = 0; i < df.nfolders; i++)
            list_dir(df.folders[i]);
        int64_t t1 = bench_mono_ns();
        struct cc_day *d = NULL;
        bool changed;
        cc_scan_update(root, &date, NULL, &d, &changed, NULL);
        int64_t t2 = bench_mono_ns();
        nchunks = d ? d->nchunks : 0;
        cc_day_free(d);
        if (r > 0) {
            tl[r - 1] = (double)(t1 - t0) / 1e6;
            ti[r - 1] = (double)(t2 - t1) / 1e6;
        }
    }
    double l = bench_best(tl, reps), i = bench_best(ti, reps);
    char what[160], a[64], b[64], c[32];
    const char *fmt = strcmp(label, "seg") == 0     ? "seg%05d.ts (ffmpeg -hls_segment_filename)"
                      : strcmp(label, "index") == 0 ? "index%d.ts (ffmpeg's default)"
                      : strcmp(label, "chunk") == 0 ? "chunk_%06d.ts"
                                                    : label;
    snprintf(what, sizeof(what), "Cold index, chunks named %s (%u chunks, %zu folders)", fmt,
             nchunks, df.nfolders);
    snprintf(a, sizeof(a), "%.2f ms", i);
    snprintf(b, sizeof(b), "%.2f ms (read + list)", l);
    snprintf(c, sizeof(c), "%.2f×", i / l);
    row(what, a, b, c, "≤ 1.5×", verdict(i / l, 1.5));
    char key[64];
    snprintf(key, sizeof(key), "naming_ratio_%s", label);
    bench_kv_put(kv, key, "%.3f", i / l);
    free(buf);
    dayfiles_free(&df);
    free(a0);
    free(b0);
}

/* One cold index of DAYDIR, then (stitch) one stitched playlist of it. */
static int one_day(const char *arg, bool stitch)
{
    char *a = cc_xstrdup(arg), *b = cc_xstrdup(arg);
    size_t n = strlen(a);
    while (n > 1 && a[n - 1] == '/') {
        n--;
        a[n] = b[n] = '\0';
    }
    const char *name = basename(a), *root = dirname(b);
    struct cc_date date;
    int rc = 1;
    if (cc_date_parse(name, strlen(name), &date) < 0) {
        fprintf(stderr, "camcat-bench: %s: not a day folder\n", arg);
        goto out;
    }
    struct cc_day *d = NULL;
    bool changed;
    struct cc_scan_stats ss;
    int r = cc_scan_update(root, &date, NULL, &d, &changed, &ss);
    if (r < 0) {
        fprintf(stderr, "camcat-bench: %s: %s\n", arg, strerror(-r));
        goto out;
    }
    printf("%s: %u chunks, %u playlists, %llu bytes parsed\n", d->name, d->nchunks,
           ss.playlists_full, (unsigned long long)ss.bytes_parsed);
    if (stitch) {
        struct cc_stitch_opts o = {.root = root,
                                   .rec_prefix = "/rec/",
                                   .from_ms = INT64_MIN,
                                   .to_ms = INT64_MAX,
                                   .ended = true};
        struct count_sink cs = {0};
        if (stitch_out) {
            struct cc_buf pl;
            cc_buf_init(&pl);
            r = cc_stitch_day(d, &o, to_buf, &pl, NULL);
            FILE *f = fopen(stitch_out, "w");
            if (!f || fwrite(pl.data, 1, pl.len, f) != pl.len || fclose(f) != 0)
                fprintf(stderr, "camcat-bench: %s: %s\n", stitch_out, strerror(errno));
            cs.bytes = pl.len;
            cc_buf_free(&pl);
        } else {
            r = cc_stitch_day(d, &o, discard, &cs, NULL);
        }
        printf("stitched: %llu bytes (%s)\n", (unsigned long long)cs.bytes,
               r < 0 ? strerror(-r) : "ok");
    }
    cc_day_free(d);
    rc = 0;
out:
    free(a);
    free(b);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: camcat-bench --root DIR [--vary-root DIR] [--naming LABEL=DAYDIR]...\n"
               "                    [--kv FILE] [--reps N (7)]\n"
               "       camcat-bench --cold-index-only DAYDIR\n"
               "       camcat-bench [--out FILE] --stitch-only DAYDIR\n"
               "                    (a cold index, then a stitch, to FILE if given)\n"
               "The full run deletes and rewrites the sidecars under DIR and appends chunks\n"
               "to its newest playlist: use it on a generated tree only.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"root", required_argument, NULL, 'r'},
                                         {"vary-root", required_argument, NULL, 'v'},
                                         {"kv", required_argument, NULL, 'k'},
                                         {"reps", required_argument, NULL, 'n'},
                                         {"cold-index-only", required_argument, NULL, 'c'},
                                         {"stitch-only", required_argument, NULL, 's'},
                                         {"naming", required_argument, NULL, 'a'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *root = NULL, *vary = NULL, *kvpath = NULL, *naming[8];
    size_t nnaming = 0;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'r': root = optarg; break;
        case 'v': vary = optarg; break;
        case 'k': kvpath = optarg; break;
        case 'n': reps = atoi(optarg); break;
        case 'o': stitch_out = optarg; break;
        case 'a':
            if (nnaming < sizeof(naming) / sizeof(naming[0]))
                naming[nnaming++] = optarg;
            break;
        case 'c': return one_day(optarg, false);
        case 's': return one_day(optarg, true);
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!root || optind != argc || reps < 1 || reps > 63) {
        usage(stderr);
        return 2;
    }
    cc_log_set_level(CC_LOG_ERROR);
    struct bench_pio p0, p1;
    bench_pio_read(&p0);
    bench_pio_read(&p1);
    pio_self_rchar = p1.rchar - p0.rchar;
    if (kvpath && !(kv = fopen(kvpath, "w"))) {
        fprintf(stderr, "camcat-bench: %s: %s\n", kvpath, strerror(errno));
        return 1;
    }
    struct ctx x = {.root = root};
    if (list_days(root, &x.days, &x.ndays) < 0 || x.ndays < 3) {
        fprintf(stderr, "camcat-bench: %s: want a tree of at least 3 days\n", root);
        return 1;
    }
    x.probe = x.days[x.ndays / 2];
    cc_date_format(&x.probe, x.probe_name);
    dayfiles_load(&x.df, root, x.probe_name);
    x.buf_cap = (size_t)x.df.max_size + 65536;
    x.buf = cc_xmalloc(x.buf_cap);
    remove_sidecars(root, x.days, x.ndays);
    settle(&x);
    bench_kv_put(kv, "probe_day", "%s", x.probe_name);
    bench_kv_put(kv, "probe_largest_dir", "%s", x.df.largest ? x.df.largest : "");

    printf("Tree `%s`: %zu days; probe day %s: %zu playlists, %.2f MB of playlists, "
           "largest folder %zu entries. Times: best of %d runs, CLOCK_MONOTONIC.\n\n",
           root, x.ndays, x.probe_name, x.df.n, x.df.bytes / 1e6, x.df.largest_entries, reps);
    printf("| Measure | camcat | Floor / peer | Ratio | Target | Verdict |\n");
    printf("|---|---|---|---|---|---|\n");
    bench_cold_index(&x);
    for (size_t i = 0; i < nnaming; i++)
        bench_naming(naming[i]);
    bench_stitch(&x);
    bench_index_30(&x);
    if (vary)
        bench_vary(vary);
    bench_warm(&x);
    bench_incremental(&x);
    bench_cold_reuse(&x);
    fflush(stdout);
    if (kv)
        fclose(kv);
    dayfiles_free(&x.df);
    free(x.buf);
    free(x.days);
    return 0;
}
