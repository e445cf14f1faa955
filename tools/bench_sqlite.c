/* camcat-bench-sqlite — the design the original plan proposed, as a yardstick
 * for `make bench`: one SQLite database (WAL, synchronous=NORMAL) with one row
 * per chunk, filled by scanning the same tree. Never linked into the product.
 *
 *   camcat-bench-sqlite index ROOT DB [--probe DATE] [--kv FILE]
 *       a fresh DB from every playlist under ROOT (one transaction per
 *       playlist), then the day query on DATE
 *   camcat-bench-sqlite update ROOT DB PLAYLIST [--kv FILE]
 *       the incremental case: PLAYLIST (relative to ROOT) grew; it is re-read
 *       in full (no byte offsets are kept) and the chunks past the highest
 *       stored sequence number are inserted — once in one transaction, once
 *       more with a commit per chunk, as a live indexer would
 *
 * The parsing is the project's (cc_m3u8_parse), so the comparison is about
 * storage, not about parsers. Markdown rows to stdout, key=value to --kv. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "benchutil.h"
#include "buf.h"
#include "fsutil.h"
#include "isotime.h"
#include "m3u8.h"
#include "mem.h"

#define REPS 5
#define PLAYLIST_MAX (64u << 20)

static FILE *kv;

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE playlists(id INTEGER PRIMARY KEY, day TEXT NOT NULL, path TEXT NOT NULL "
    "UNIQUE, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, endlist INTEGER NOT NULL);"
    "CREATE INDEX playlists_day ON playlists(day);"
    "CREATE TABLE chunks(playlist_id INTEGER NOT NULL, seq INTEGER NOT NULL, start_ms INTEGER "
    "NOT NULL, dur_ms INTEGER NOT NULL, uri TEXT NOT NULL, PRIMARY KEY(playlist_id, seq)) "
    "WITHOUT ROWID;"
    "CREATE TABLE motion(id INTEGER PRIMARY KEY, playlist_id INTEGER NOT NULL, start_ms "
    "INTEGER NOT NULL, end_ms INTEGER NOT NULL, label TEXT NOT NULL);"
    "CREATE INDEX motion_start ON motion(start_ms);";

static const char day_query[] =
    "SELECT c.start_ms, c.dur_ms, c.uri FROM playlists p JOIN chunks c ON c.playlist_id = p.id "
    "WHERE p.day = ?1 ORDER BY p.id, c.seq";

/* ---- helpers ------------------------------------------------------------- */

static void pio_delta(const struct bench_pio *a, const struct bench_pio *b, struct bench_pio *d)
{
    d->rchar = b->rchar - a->rchar;
    d->wchar = b->wchar - a->wchar;
    d->write_bytes = b->write_bytes - a->write_bytes;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void die_sql(sqlite3 *db, const char *what)
{
    fprintf(stderr, "camcat-bench-sqlite: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "camcat-bench-sqlite: %s: %s\n", sql, err ? err : "?");
        exit(1);
    }
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die_sql(db, sql);
    return st;
}

/* ---- parsing a playlist into rows ---------------------------------------- */

struct fill {
    sqlite3 *db;
    sqlite3_stmt *ins_chunk, *ins_motion;
    int64_t playlist_id;
    int64_t next_ms; /* where an untimed chunk starts */
    int64_t min_seq; /* chunks at or below this are already stored */
    uint64_t rows;
    bool commit_each; /* a transaction per chunk */
};

static int on_chunk(void *ud, const struct cc_m3u8_chunk *c)
{
    struct fill *f = ud;
    int64_t start = c->has_pdt ? c->pdt_ms : f->next_ms;
    int64_t dur = (c->dur_us + 500) / 1000;
    f->next_ms = start + dur;
    if ((int64_t)c->seq <= f->min_seq)
        return 0;
    if (f->commit_each)
        exec(f->db, "BEGIN");
    sqlite3_stmt *s = f->ins_chunk;
    sqlite3_bind_int64(s, 1, f->playlist_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)c->seq);
    sqlite3_bind_int64(s, 3, start);
    sqlite3_bind_int64(s, 4, dur);
    sqlite3_bind_text(s, 5, c->uri, (int)c->uri_len, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE)
        die_sql(f->db, "insert chunk");
    sqlite3_reset(s);
    if (f->commit_each)
        exec(f->db, "COMMIT");
    f->rows++;
    return 0;
}

static void on_daterange(void *ud, const struct cc_m3u8_daterange *d)
{
    struct fill *f = ud;
    if (f->min_seq >= 0 || d->cls_len != 6 || memcmp(d->cls, "motion", 6) != 0 || !d->has_start)
        return;
    int64_t end = d->has_end ? d->end_ms : d->has_dur ? d->start_ms + d->dur_ms : d->start_ms;
    sqlite3_stmt *s = f->ins_motion;
    sqlite3_bind_int64(s, 1, f->playlist_id);
    sqlite3_bind_int64(s, 2, d->start_ms);
    sqlite3_bind_int64(s, 3, end);
    sqlite3_bind_text(s, 4, d->label, (int)d->label_len, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE)
        die_sql(f->db, "insert motion");
    sqlite3_reset(s);
}

static uint64_t parse_into(struct fill *f, const char *path, bool *endlist)
{
    struct cc_buf b;
    cc_buf_init(&b);
    if (cc_read_file(path, 0, PLAYLIST_MAX, &b) < 0) {
        cc_buf_free(&b);
        return 0;
    }
    struct cc_m3u8_state st;
    cc_m3u8_state_init(&st);
    struct cc_m3u8_handler h = {on_chunk, on_daterange, f};
    cc_m3u8_parse(&st, b.data, b.len, true, &h);
    *endlist = st.endlist;
    uint64_t n = b.len;
    cc_buf_free(&b);
    return n;
}

/* ---- index ---------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_num(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t lx = strlen(x), ly = strlen(y);
    return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

/* Names in dir that pass keep(), sorted by cmp. */
static char **list(const char *dir, bool (*keep)(const char *),
                   int (*cmp)(const void *, const void *), size_t *n)
{
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !keep(de->d_name))
            continue;
        cc_grow(&v, &cap, *n + 1, sizeof(char *));
        v[(*n)++] = cc_xstrdup(de->d_name);
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof(char *), cmp);
    return v;
}

static bool is_day(const char *s)
{
    struct cc_date d;
    return cc_date_parse(s, strlen(s), &d) == 0;
}

static bool is_playlist(const char *s)
{
    size_t n = strlen(s);
    return n > 5 && strcmp(s + n - 5, ".m3u8") == 0;
}

static char *join(const char *a, const char *b)
{
    char *p = cc_xmalloc(strlen(a) + strlen(b) + 2);
    sprintf(p, "%s/%s", a, b);
    return p;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void index_playlist(struct fill *f, sqlite3_stmt *ins_pl, const char *root, const char *day,
                           const char *rel, uint64_t *parsed)
{
    char *path = join(root, rel);
    struct stat st;
    if (stat(path, &st) < 0) {
        free(path);
        return;
    }
    exec(f->db, "BEGIN");
    sqlite3_bind_text(ins_pl, 1, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins_pl, 2, rel, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins_pl, 3, st.st_size);
    sqlite3_bind_int64(ins_pl, 4,
                       (sqlite3_int64)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
    if (sqlite3_step(ins_pl) != SQLITE_DONE)
        die_sql(f->db, "insert playlist");
    sqlite3_reset(ins_pl);
    f->playlist_id = sqlite3_last_insert_rowid(f->db);
    f->next_ms = 0;
    bool endlist = false;
    *parsed += parse_into(f, path, &endlist);
    char sql[96];
    snprintf(sql, sizeof(sql), "UPDATE playlists SET endlist=%d WHERE id=%lld", endlist,
             (long long)f->playlist_id);
    exec(f->db, sql);
    exec(f->db, "COMMIT");
    free(path);
}

static double query_day(sqlite3 *db, const char *date, uint64_t *rows)
{
    sqlite3_stmt *q = prepare(db, day_query);
    sqlite3_bind_text(q, 1, date, -1, SQLITE_STATIC);
    int64_t t0 = bench_mono_ns();
    uint64_t n = 0, sum = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        sum += (uint64_t)sqlite3_column_int64(q, 1);
        sum += (uint64_t)sqlite3_column_bytes(q, 2);
        (void)sqlite3_column_text(q, 2);
        n++;
    }
    double us = (double)(bench_mono_ns() - t0) / 1e3;
    sqlite3_finalize(q);
    *rows = n + (sum == 0); /* keeps the column reads from being optimised out */
    return us;
}

static int cmd_index(const char *root, const char *dbpath, const char *probe)
{
    char wal[4096], shm[4096];
    if (strlen(dbpath) + 5 > sizeof(wal))
        return 2;
    snprintf(wal, sizeof(wal), "%s-wal", dbpath);
    snprintf(shm, sizeof(shm), "%s-shm", dbpath);
    unlink(dbpath);
    unlink(wal);
    unlink(shm);

    struct bench_pio a, b, c, d1, d2;
    bench_pio_read(&a);
    int64_t t0 = bench_mono_ns();
    sqlite3 *db;
    if (sqlite3_open(dbpath, &db) != SQLITE_OK)
        die_sql(db, dbpath);
    exec(db, schema);
    struct fill f = {.db = db, .min_seq = -1};
    f.ins_chunk = prepare(db, "INSERT INTO chunks VALUES(?1,?2,?3,?4,?5)");
    f.ins_motion =
        prepare(db, "INSERT INTO motion(playlist_id,start_ms,end_ms,label) VALUES(?1,?2,?3,?4)");
    sqlite3_stmt *ins_pl =
        prepare(db, "INSERT INTO playlists(day,path,size,mtime_ns,endlist) VALUES(?1,?2,?3,?4,0)");
    size_t ndays = 0;
    uint64_t parsed = 0, playlists = 0;
    char **days = list(root, is_day, cmp_str, &ndays);
    for (size_t i = 0; i < ndays; i++) {
        char *dir = join(root, days[i]);
        size_t nseg = 0;
        char **segs = list(dir, bench_all_digits, cmp_num, &nseg);
        for (size_t s = 0; s < nseg; s++) {
            char *sdir = join(dir, segs[s]);
            size_t npl = 0;
            char **pls = list(sdir, is_playlist, cmp_str, &npl);
            for (size_t p = 0; p < npl; p++) {
                char *rel = cc_xmalloc(strlen(days[i]) + strlen(segs[s]) + strlen(pls[p]) + 3);
                sprintf(rel, "%s/%s/%s", days[i], segs[s], pls[p]);
                index_playlist(&f, ins_pl, root, days[i], rel, &parsed);
                free(rel);
                playlists++;
            }
            free_list(pls, npl);
            free(sdir);
        }
        free_list(segs, nseg);
        free(dir);
    }
    double ms = (double)(bench_mono_ns() - t0) / 1e6;
    bench_pio_read(&b);
    pio_delta(&a, &b, &d1);
    uint64_t db_open = file_size(dbpath), wal_open = file_size(wal);

    uint64_t rows = 0;
    double tq[REPS], to[REPS];
    const char *probe_day = probe ? probe : ndays ? days[ndays / 2] : "";
    for (int r = 0; r < REPS; r++)
        tq[r] = query_day(db, probe_day, &rows);

    sqlite3_finalize(f.ins_chunk);
    sqlite3_finalize(f.ins_motion);
    sqlite3_finalize(ins_pl);
    sqlite3_close(db); /* checkpoints the WAL into the DB and removes it */
    bench_pio_read(&c);
    pio_delta(&a, &c, &d2);
    uint64_t db_size = file_size(dbpath);

    /* the first query of a fresh connection, as a server start would see it */
    for (int r = 0; r < REPS; r++) {
        int64_t q0 = bench_mono_ns();
        sqlite3 *db2;
        if (sqlite3_open_v2(dbpath, &db2, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
            die_sql(db2, dbpath);
        uint64_t n2;
        query_day(db2, probe_day, &n2);
        sqlite3_close(db2);
        to[r] = (double)(bench_mono_ns() - q0) / 1e3;
    }

    printf("| Index %zu days (%llu playlists, %llu chunk rows; one transaction per playlist) | "
           "%.0f ms; write_bytes %llu B, wchar %llu B until the last commit; DB %llu B + WAL "
           "%llu B on disk then | /proc/self/io |\n",
           ndays, (unsigned long long)playlists, (unsigned long long)f.rows, ms,
           (unsigned long long)d1.write_bytes, (unsigned long long)d1.wchar,
           (unsigned long long)db_open, (unsigned long long)wal_open);
    printf("| … including the checkpoint at close | write_bytes %llu B, wchar %llu B; DB %llu B | "
           "/proc/self/io |\n",
           (unsigned long long)d2.write_bytes, (unsigned long long)d2.wchar,
           (unsigned long long)db_size);
    printf("| Day query %s (`SELECT` a day's %llu chunks in order, warm connection) | %.0f µs | "
           "ordered by (playlist, seq): the primary key, no sort |\n",
           probe_day, (unsigned long long)rows, bench_best(tq, REPS));
    printf("| … first query on a fresh connection (open + query) | %.0f µs | |\n",
           bench_best(to, REPS));
    bench_kv_put(kv, "sql_days", "%zu", ndays);
    bench_kv_put(kv, "sql_rows", "%llu", (unsigned long long)f.rows);
    bench_kv_put(kv, "sql_index_ms", "%.1f", ms);
    bench_kv_put(kv, "sql_parsed", "%llu", (unsigned long long)parsed);
    bench_kv_put(kv, "sql_write_bytes", "%llu", (unsigned long long)d1.write_bytes);
    bench_kv_put(kv, "sql_wchar", "%llu", (unsigned long long)d1.wchar);
    bench_kv_put(kv, "sql_write_bytes_close", "%llu", (unsigned long long)d2.write_bytes);
    bench_kv_put(kv, "sql_wchar_close", "%llu", (unsigned long long)d2.wchar);
    bench_kv_put(kv, "sql_db_open", "%llu", (unsigned long long)db_open);
    bench_kv_put(kv, "sql_wal_open", "%llu", (unsigned long long)wal_open);
    bench_kv_put(kv, "sql_db_size", "%llu", (unsigned long long)db_size);
    bench_kv_put(kv, "sql_query_us", "%.1f", bench_best(tq, REPS));
    bench_kv_put(kv, "sql_query_fresh_us", "%.1f", bench_best(to, REPS));
    bench_kv_put(kv, "sql_query_rows", "%llu", (unsigned long long)rows);
    free_list(days, ndays);
    return 0;
}

/* ---- update ------------------------------------------------------------- */

static int64_t scalar(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *s = prepare(db, sql);
    if (arg)
        sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
    int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
}

/* One pass over the grown playlist: re-read, parse, insert what is new. */
static void update_pass(sqlite3 *db, const char *path, int64_t pl_id, int64_t max_seq,
                        bool commit_each, uint64_t *rows, uint64_t *parsed, struct bench_pio *d,
                        double *ms)
{
    struct fill f = {.db = db,
                     .playlist_id = pl_id,
                     .min_seq = max_seq,
                     .commit_each = commit_each};
    f.ins_chunk = prepare(db, "INSERT INTO chunks VALUES(?1,?2,?3,?4,?5)");
    f.ins_motion = prepare(db, "SELECT 1");
    struct bench_pio a, b;
    bench_pio_read(&a);
    int64_t t0 = bench_mono_ns();
    if (!commit_each)
        exec(db, "BEGIN");
    bool endlist;
    *parsed = parse_into(&f, path, &endlist);
    if (!commit_each)
        exec(db, "COMMIT");
    *ms = (double)(bench_mono_ns() - t0) / 1e6;
    bench_pio_read(&b);
    pio_delta(&a, &b, d);
    *rows = f.rows;
    sqlite3_finalize(f.ins_chunk);
    sqlite3_finalize(f.ins_motion);
}

static int cmd_update(const char *root, const char *dbpath, const char *rel)
{
    char *path = join(root, rel);
    sqlite3 *db;
    if (sqlite3_open(dbpath, &db) != SQLITE_OK)
        die_sql(db, dbpath);
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    int64_t id = scalar(db, "SELECT id FROM playlists WHERE path = ?1", rel);
    if (id < 0) {
        fprintf(stderr, "camcat-bench-sqlite: %s is not in %s\n", rel, dbpath);
        return 1;
    }
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT max(seq) FROM chunks WHERE playlist_id = %lld",
             (long long)id);
    int64_t max_seq = scalar(db, sql, NULL);
    /* a read pass first: the page cache and SQLite's own cache start warm */
    scalar(db, "SELECT count(*) FROM chunks", NULL);

    uint64_t rows1, parsed1, rows2, parsed2;
    struct bench_pio d1, d2;
    double ms1, ms2;
    update_pass(db, path, id, max_seq, false, &rows1, &parsed1, &d1, &ms1);
    /* The same chunks again, one commit each (the rows are removed untimed). */
    snprintf(sql, sizeof(sql), "DELETE FROM chunks WHERE playlist_id = %lld AND seq > %lld",
             (long long)id, (long long)max_seq);
    exec(db, sql);
    update_pass(db, path, id, max_seq, true, &rows2, &parsed2, &d2, &ms2);
    sqlite3_close(db);
    free(path);

    printf("| Incremental: %llu appended chunks, one transaction | %llu B parsed (whole playlist "
           "re-read: no offsets kept), write_bytes %llu B, wchar %llu B; %.1f ms | |\n",
           (unsigned long long)rows1, (unsigned long long)parsed1,
           (unsigned long long)d1.write_bytes, (unsigned long long)d1.wchar, ms1);
    printf("| … the same chunks, one commit per chunk (a live indexer) | %llu B parsed, "
           "write_bytes %llu B, wchar %llu B; %.1f ms | |\n",
           (unsigned long long)parsed2, (unsigned long long)d2.write_bytes,
           (unsigned long long)d2.wchar, ms2);
    bench_kv_put(kv, "sql_incr_rows", "%llu", (unsigned long long)rows1);
    bench_kv_put(kv, "sql_incr_parsed", "%llu", (unsigned long long)parsed1);
    bench_kv_put(kv, "sql_incr_write_bytes", "%llu", (unsigned long long)d1.write_bytes);
    bench_kv_put(kv, "sql_incr_wchar", "%llu", (unsigned long long)d1.wchar);
    bench_kv_put(kv, "sql_incr_each_write_bytes", "%llu", (unsigned long long)d2.write_bytes);
    bench_kv_put(kv, "sql_incr_each_wchar", "%llu", (unsigned long long)d2.wchar);
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: camcat-bench-sqlite index ROOT DB [--probe DATE] [--kv FILE]\n"
                 "       camcat-bench-sqlite update ROOT DB PLAYLIST [--kv FILE]\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"probe", required_argument, NULL, 'p'},
                                         {"kv", required_argument, NULL, 'k'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *probe = NULL, *kvpath = NULL;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'p': probe = optarg; break;
        case 'k': kvpath = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    int n = argc - optind;
    char **a = argv + optind;
    if (kvpath && !(kv = fopen(kvpath, "w"))) {
        fprintf(stderr, "camcat-bench-sqlite: %s: %s\n", kvpath, strerror(errno));
        return 1;
    }
    int rc = 2;
    if (n == 3 && strcmp(a[0], "index") == 0)
        rc = cmd_index(a[1], a[2], probe);
    else if (n == 4 && strcmp(a[0], "update") == 0)
        rc = cmd_update(a[1], a[2], a[3]);
    else
        usage(stderr);
    if (kv)
        fclose(kv);
    return rc;
}
