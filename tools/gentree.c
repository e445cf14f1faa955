/* camcat-gentree — writes recording trees: a demo whose chunks really play,
 * synthetic days for the benchmark, or one big playlist for the tests.
 *
 * Everything it writes follows from the arguments and the seed alone (the
 * clock only supplies defaults), so two runs with the same arguments give the
 * same bytes. Exit status: 0 done, 1 an I/O error, 2 bad arguments. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "isotime.h"
#include "mem.h"

#define PROG "camcat-gentree"
#define PATH_MAX_LEN 4096
/* A demo folder stays small: a few minutes of 2 s chunks. */
#define DEMO_MAX_CHUNKS 200
#define DEMO_MAX_EVENTS 8
#define DEMO_MAX_FOLDERS 4

/* ---- small helpers -------------------------------------------------------- */

/* xorshift64 (Marsaglia): tiny, and the same stream on every platform. */
struct rng {
    uint64_t s;
};

static void rng_seed(struct rng *r, uint64_t seed)
{
    /* splitmix64 of the seed, so 0, 1, 2 give unrelated streams (and never 0) */
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    r->s = (z ^ (z >> 31)) | 1;
}

static uint64_t rng_next(struct rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

/* Uniform enough in [lo, hi] for test data (the modulo bias is ~1e-10). */
static int rng_between(struct rng *r, int lo, int hi)
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static int sys_fail(const char *what, const char *path)
{
    int e = errno ? errno : EIO;
    fprintf(stderr, PROG ": %s %s: %s\n", what, path, strerror(e));
    return -e;
}

/* dir/name into out; an over-long path is an error, never a truncation. */
static int path_join(char *out, size_t cap, const char *dir, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= cap) {
        errno = ENAMETOOLONG;
        return sys_fail("path", dir);
    }
    return 0;
}

static int mkdirs(const char *path)
{
    char p[PATH_MAX_LEN];
    if (snprintf(p, sizeof(p), "%s", path) >= (int)sizeof(p)) {
        errno = ENAMETOOLONG;
        return sys_fail("mkdir", path);
    }
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return sys_fail("mkdir", p);
        if (c == '\0')
            return 0;
        *s = c;
    }
}

/* A tree is generated into a fresh folder only: stale files from an earlier
 * run would make the result depend on history. */
static int prepare_root(const char *root)
{
    DIR *d = opendir(root);
    if (d) {
        struct dirent *de;
        bool empty = true;
        while (empty && (de = readdir(d)))
            empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
        closedir(d);
        if (!empty) {
            fprintf(stderr, PROG ": %s exists and is not empty (remove it first)\n", root);
            return -EEXIST;
        }
        return 0;
    }
    return errno == ENOENT ? mkdirs(root) : sys_fail("open", root);
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return sys_fail("create", path);
    size_t n = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || n != len)
        return sys_fail("write", path);
    return 0;
}

static int copy_file(const char *src, const char *dst)
{
    struct cc_buf b;
    cc_buf_init(&b);
    int rc;
    FILE *in = fopen(src, "rb");
    if (!in) {
        rc = sys_fail("open", src);
        goto out;
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0)
        cc_buf_append(&b, chunk, n);
    rc = ferror(in) ? sys_fail("read", src) : write_file(dst, b.data, b.len);
    fclose(in);
out:
    cc_buf_free(&b);
    return rc;
}

/* Hard links keep a demo tree at the size of the media set; a file system
 * without them (or another device) gets copies. */
static int place_chunk(const char *src, const char *dst)
{
    if (link(src, dst) == 0)
        return 0;
    return copy_file(src, dst);
}

/* "2.000000" → microseconds; digits with an optional fraction, nothing else. */
static int parse_us(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0, frac = 0, scale = 1000000;
    size_t i = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (s[i] - '0');
        if (v > 86400)
            return -EINVAL;
    }
    if (i == 0)
        return -EINVAL;
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (scale > 1) {
                scale /= 10;
                frac += (s[i] - '0') * scale;
            }
        }
    }
    if (i != len)
        return -EINVAL;
    *out = v * 1000000 + frac;
    return 0;
}

static void put_pdt(struct cc_buf *b, int64_t ms, int off)
{
    char iso[CC_ISO_MAX];
    size_t n = cc_iso_format(ms, off, iso);
    cc_buf_puts(b, "#EXT-X-PROGRAM-DATE-TIME:");
    cc_buf_append(b, iso, n);
    cc_buf_putc(b, '\n');
}

/* ---- options ---------------------------------------------------------------- */

struct opts {
    const char *mode, *root, *media, *start_iso;
    struct cc_date end_date, start_date;
    bool have_end, have_start, have_now, have_off, have_chunks;
    bool vary, endlist, ts_empty;
    const char *naming; /* bench: chunk name format, numbered from 0 per folder */
    int days, chunk_ms, off_min;
    long chunks;
    int64_t now_s;
    uint64_t seed;
};

static void usage(FILE *f)
{
    fputs("usage: " PROG " demo --root DIR --media DIR [--end-date YYYY-MM-DD] [--days N]\n"
          "                           [--now EPOCH_S] [--offset +08:00] [--seed N]\n"
          "       " PROG " bench --root DIR [--days 30] [--start-date YYYY-MM-DD] [--seed N]\n"
          "                           [--chunk-ms 2000] [--vary] [--offset +08:00]\n"
          "                           [--ts empty|none] [--naming chunk|seg|index]\n"
          "       " PROG " playlist --chunks N [--start ISO] [--chunk-ms 2000] [--endlist]\n"
          "       " PROG " record --root DIR --media DIR [--chunks N]\n"
          "       " PROG " --help\n"
          "\n"
          "demo:     days END-(N-1)..END (default N=3, END=today) of folders whose chunks are\n"
          "          hard links to the real chunks in --media (listed in MEDIA/media.m3u8),\n"
          "          with motion events, a power cut, a chunk missing on disk and a last\n"
          "          folder still recording at --now (default: the current time).\n"
          "bench:    N days of 24 h recording (default 30 days from 2025-01-01, offset\n"
          "          +08:00), ~5 folders a day, ~3 motion events an hour; --vary makes\n"
          "          chunk durations vary +-5%; --ts empty creates empty chunk files;\n"
          "          --naming names chunks chunk_%06d.ts (default), seg%05d.ts (ffmpeg\n"
          "          with -hls_segment_filename seg%05d.ts) or index%d.ts (ffmpeg's default).\n"
          "playlist: one media playlist of N chunks on stdout (default start\n"
          "          2025-01-24T00:00:00Z).\n"
          "record:   plays the recorder for a demo tree: appends a chunk of --media to\n"
          "          the folder still recording each time one would be finished, until\n"
          "          stopped (SIGINT/SIGTERM) or N chunks are written; the playlist is left\n"
          "          open, as a recorder leaves it.\n"
          "The same arguments and --seed (default 1) always give the same bytes.\n",
          f);
}

static int bad_arg(const char *msg, const char *arg)
{
    fprintf(stderr, PROG ": %s%s%s (try '" PROG " --help')\n", msg, arg ? ": " : "",
            arg ? arg : "");
    return 2;
}

static bool parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_offset(const char *s, int *off)
{
    char iso[48];
    int64_t ms;
    bool has;
    if (strlen(s) > 8)
        return false;
    snprintf(iso, sizeof(iso), "2000-01-01T00:00:00%s", s);
    return cc_iso_parse(iso, strlen(iso), &ms, off, &has) == 0 && has;
}

/* Which options each mode takes; anything else is a mistake worth reporting. */
static const char *mode_opts(const char *mode)
{
    if (strcmp(mode, "demo") == 0)
        return "rmednos";
    if (strcmp(mode, "bench") == 0)
        return "rdSscvotA";
    if (strcmp(mode, "playlist") == 0)
        return "NTcE";
    if (strcmp(mode, "record") == 0)
        return "rmN";
    return NULL;
}

static int parse_opt(int ch, const char *arg, struct opts *o)
{
    int64_t v;
    switch (ch) {
    case 'r': o->root = arg; return 0;
    case 'm': o->media = arg; return 0;
    case 'T': o->start_iso = arg; return 0;
    case 'v': o->vary = true; return 0;
    case 'E': o->endlist = true; return 0;
    case 'e':
        o->have_end = cc_date_parse(arg, strlen(arg), &o->end_date) == 0;
        return o->have_end ? 0 : bad_arg("--end-date wants YYYY-MM-DD", arg);
    case 'S':
        o->have_start = cc_date_parse(arg, strlen(arg), &o->start_date) == 0;
        return o->have_start ? 0 : bad_arg("--start-date wants YYYY-MM-DD", arg);
    case 'd':
        if (!parse_i64(arg, 1, 3660, &v))
            return bad_arg("--days wants 1..3660", arg);
        o->days = (int)v;
        return 0;
    case 'n':
        if (!parse_i64(arg, 0, 253402300799LL, &o->now_s))
            return bad_arg("--now wants epoch seconds", arg);
        o->have_now = true;
        return 0;
    case 'o':
        o->have_off = parse_offset(arg, &o->off_min);
        return o->have_off ? 0 : bad_arg("--offset wants +HH:MM, -HH:MM or Z", arg);
    case 's':
        if (!parse_i64(arg, 0, INT64_MAX, &v))
            return bad_arg("--seed wants a non-negative integer", arg);
        o->seed = (uint64_t)v;
        return 0;
    case 'c':
        if (!parse_i64(arg, 100, 60000, &v))
            return bad_arg("--chunk-ms wants 100..60000", arg);
        o->chunk_ms = (int)v;
        return 0;
    case 't':
        if (strcmp(arg, "empty") != 0 && strcmp(arg, "none") != 0)
            return bad_arg("--ts wants empty or none", arg);
        o->ts_empty = strcmp(arg, "empty") == 0;
        return 0;
    case 'A':
        if (strcmp(arg, "chunk") == 0)
            o->naming = "chunk_%06d.ts";
        else if (strcmp(arg, "seg") == 0)
            o->naming = "seg%05d.ts";
        else if (strcmp(arg, "index") == 0)
            o->naming = "index%d.ts";
        else
            return bad_arg("--naming wants chunk, seg or index", arg);
        return 0;
    case 'N':
        if (!parse_i64(arg, 0, 100000000, &v))
            return bad_arg("--chunks wants 0..100000000", arg);
        o->chunks = (long)v;
        o->have_chunks = true;
        return 0;
    }
    return 2;
}

/* Returns 0 to run, 1 for --help, 2 for bad arguments (already reported). */
static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {{"root", 1, NULL, 'r'},     {"media", 1, NULL, 'm'},
                                       {"end-date", 1, NULL, 'e'}, {"start-date", 1, NULL, 'S'},
                                       {"days", 1, NULL, 'd'},     {"now", 1, NULL, 'n'},
                                       {"offset", 1, NULL, 'o'},   {"seed", 1, NULL, 's'},
                                       {"chunk-ms", 1, NULL, 'c'}, {"vary", 0, NULL, 'v'},
                                       {"ts", 1, NULL, 't'},       {"chunks", 1, NULL, 'N'},
                                       {"start", 1, NULL, 'T'},    {"endlist", 0, NULL, 'E'},
                                       {"naming", 1, NULL, 'A'},   {"help", 0, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    const char *allowed = mode_opts(o->mode);
    if (!allowed)
        return bad_arg("unknown mode", o->mode);
    int ch;
    opterr = 0;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (ch == 'h')
            return 1;
        if (ch == '?' || ch == ':')
            return bad_arg("unknown option or missing value", argv[optind - 1]);
        if (!strchr(allowed, ch))
            return bad_arg("option not taken by this mode", argv[optind - 1]);
        if (parse_opt(ch, optarg, o) != 0)
            return 2;
    }
    if (optind != argc)
        return bad_arg("unexpected argument", argv[optind]);
    if (strcmp(o->mode, "playlist") != 0 && !o->root)
        return bad_arg("--root is required", NULL);
    /* with this bound no path below the root can outgrow PATH_MAX_LEN */
    if ((o->root && strlen(o->root) > 3000) || (o->media && strlen(o->media) > 3000))
        return bad_arg("--root/--media path too long", NULL);
    if ((strcmp(o->mode, "demo") == 0 || strcmp(o->mode, "record") == 0) && !o->media)
        return bad_arg("--media is required", NULL);
    if (strcmp(o->mode, "playlist") == 0 && !o->have_chunks)
        return bad_arg("--chunks is required", NULL);
    return 0;
}

/* ---- demo: the media set ---------------------------------------------------- */

struct media_chunk {
    char *name;
    char *extinf; /* the duration exactly as the encoder wrote it */
    int64_t dur_us;
};

struct media {
    const char *dir;
    struct media_chunk *c;
    size_t n, cap;
    int target_s;
};

static void media_free(struct media *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->c[i].name);
        free(m->c[i].extinf);
    }
    free(m->c);
}

static int media_add(struct media *m, const char *name, const char *extinf, const char *list)
{
    size_t el = strcspn(extinf, ",");
    int64_t us;
    if (strchr(name, '/') || parse_us(extinf, el, &us) < 0 || us <= 0) {
        fprintf(stderr, PROG ": %s: bad entry for %s\n", list, name);
        return -EINVAL;
    }
    char path[PATH_MAX_LEN];
    struct stat st;
    if (path_join(path, sizeof(path), m->dir, name) < 0)
        return -ENAMETOOLONG;
    if (stat(path, &st) < 0)
        return sys_fail("stat", path);
    cc_grow(&m->c, &m->cap, m->n + 1, sizeof(*m->c));
    m->c[m->n++] = (struct media_chunk){cc_xstrdup(name), cc_xstrndup(extinf, el), us};
    return 0;
}

/* The media set is the encoder's own playlist, MEDIA/media.m3u8: its order
 * and its exact EXTINF durations. */
static int media_load(const char *dir, struct media *m)
{
    char list[PATH_MAX_LEN];
    memset(m, 0, sizeof(*m));
    m->dir = dir;
    if (path_join(list, sizeof(list), dir, "media.m3u8") < 0)
        return -ENAMETOOLONG;
    FILE *f = fopen(list, "r");
    if (!f)
        return sys_fail("open", list);
    char *line = NULL, *extinf = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    int64_t max_us = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (strncmp(line, "#EXTINF:", 8) == 0) {
            free(extinf);
            extinf = cc_xstrdup(line + 8);
        } else if (len > 0 && line[0] != '#' && extinf) {
            rc = media_add(m, line, extinf, list);
            free(extinf);
            extinf = NULL;
            if (rc == 0 && m->c[m->n - 1].dur_us > max_us)
                max_us = m->c[m->n - 1].dur_us;
        }
    }
    free(line);
    free(extinf);
    fclose(f);
    if (rc == 0 && m->n == 0) {
        fprintf(stderr, PROG ": %s lists no chunks\n", list);
        rc = -EINVAL;
    }
    /* RFC 8216: each EXTINF rounded to the nearest integer is at most this */
    m->target_s = (int)((max_us + 500000) / 1000000);
    if (m->target_s < 1)
        m->target_s = 1;
    return rc;
}

/* Duration of a folder's first n chunks: the media set played in a loop. */
static int64_t media_span_us(const struct media *m, int n)
{
    int64_t us = 0;
    for (int i = 0; i < n; i++)
        us += m->c[(size_t)i % m->n].dur_us;
    return us;
}

/* ---- demo: planning --------------------------------------------------------- */

struct event {
    int64_t start_ms;
    int dur_ds; /* tenths of a second; 0 = a point event */
    const char *label;
};

struct folder {
    int num;
    int64_t start_ms, end_ms;
    int chunks;
    bool endlist, cut, missing, live;
    bool events_txt; /* this day's recorder logs motion to events.txt */
    bool dup_txt;    /* also log the first event to events.txt: the duplicate */
    struct event ev[DEMO_MAX_EVENTS];
    int nev;
};

struct demo {
    const struct opts *o;
    struct media media;
    struct rng rng;
    int next_num; /* the camera's boot counter */
    int next_event_id;
};

/* About one event every two or three minutes; every folder's second event is
 * a point event (no duration), and so are a few others. */
static void plan_events(struct demo *d, struct folder *f)
{
    static const char *const labels[] = {"person", "car", "person", "animal", ""};
    /* one draw a statement, so the stream's order is fixed for every compiler */
    int64_t t = f->start_ms + rng_between(&d->rng, 10, 50) * 1000LL;
    t += rng_between(&d->rng, 0, 9) * 100;
    while (f->nev < DEMO_MAX_EVENTS && t + 2000 < f->end_ms) {
        struct event *e = &f->ev[f->nev];
        e->start_ms = t;
        e->label = labels[rng_between(&d->rng, 0, 4)];
        int dur = rng_between(&d->rng, 30, 300);
        bool point = f->nev == 1 || rng_between(&d->rng, 0, 5) == 0;
        int64_t room_ds = (f->end_ms - t) / 100;
        e->dur_ds = point ? 0 : (int)(dur < room_ds ? dur : room_ds);
        f->nev++;
        t += rng_between(&d->rng, 90, 200) * 1000LL;
        t += rng_between(&d->rng, 0, 9) * 100;
    }
}

/* Chunk count for a folder starting at start_ms that must end by end_ms. */
static int chunks_within(const struct media *m, int64_t start_ms, int64_t end_ms, int want)
{
    int n = 0;
    int64_t us = 0, room = (end_ms - start_ms) * 1000;
    while (n < want && us + m->c[(size_t)n % m->n].dur_us <= room)
        us += m->c[(size_t)n++ % m->n].dur_us;
    return n;
}

/* The folders of day k (0 = oldest): 08:00, 08:10 (a short boot), 12:30 and
 * on every other day one in the evening. The browser test relies on these
 * times. On the newest day the folders after --now are dropped and the last
 * one is still recording: it ends exactly at now. */
static int plan_day(struct demo *d, int k, int64_t midnight, struct folder *fl)
{
    const struct opts *o = d->o;
    const int64_t H = 3600000;
    /* one draw a statement: C leaves the order within an initializer list open */
    int64_t start[DEMO_MAX_FOLDERS] = {8 * H, 8 * H + 600000, 12 * H + 1800000, 17 * H};
    int want[DEMO_MAX_FOLDERS] = {0, 45, 0, 0};
    start[3] += rng_between(&d->rng, 0, 120) * 60000LL;
    want[0] = rng_between(&d->rng, 120, DEMO_MAX_CHUNKS);
    want[2] = rng_between(&d->rng, 150, DEMO_MAX_CHUNKS);
    want[3] = rng_between(&d->rng, 100, DEMO_MAX_CHUNKS);
    int n = k % 2 == 1 ? 4 : 3;
    bool newest = k == o->days - 1, middle = k == (o->days - 1) / 2;
    int64_t now_ms = o->now_s * 1000, first_us = d->media.c[0].dur_us;
    if (newest) {
        int keep = 0;
        while (keep < n && midnight + start[keep] + first_us / 1000 <= now_ms)
            keep++;
        if (keep == 0) { /* before the first boot of the day: one early folder */
            start[0] = 0;
            keep = 1;
        }
        n = keep;
    }
    for (int i = 0; i < n; i++) {
        struct folder *f = &fl[i];
        memset(f, 0, sizeof(*f));
        f->num = d->next_num++;
        f->start_ms = midnight + start[i];
        int64_t limit = i + 1 < n ? midnight + start[i + 1] - 60000 : midnight + CC_MS_PER_DAY;
        f->live = newest && i + 1 == n;
        if (f->live) {
            f->chunks = chunks_within(&d->media, f->start_ms, now_ms, DEMO_MAX_CHUNKS);
            if (f->chunks == 0)
                f->chunks = 1; /* now is within a chunk of midnight */
            else               /* the newest chunk ends at now */
                f->start_ms = now_ms - media_span_us(&d->media, f->chunks) / 1000;
        } else {
            f->chunks = chunks_within(&d->media, f->start_ms, limit, want[i]);
        }
        f->end_ms = f->start_ms + media_span_us(&d->media, f->chunks) / 1000;
        f->cut = middle && i == 1 && !f->live;
        f->endlist = !f->cut && !f->live;
        f->missing = middle && i == 0 && f->chunks > 20;
        f->events_txt = k % 2 == 1;
        plan_events(d, f);
        f->dup_txt = k == 0 && i == 2 && !f->events_txt && f->nev > 0;
    }
    return n;
}

/* ---- demo: writing ---------------------------------------------------------- */

static void put_daterange(struct cc_buf *b, int id, const struct event *e, int off)
{
    char iso[CC_ISO_MAX];
    cc_iso_format(e->start_ms, off, iso);
    cc_buf_printf(b, "#EXT-X-DATERANGE:ID=\"m%d\",CLASS=\"motion\",START-DATE=\"%s\"", id, iso);
    if (e->dur_ds)
        cc_buf_printf(b, ",DURATION=%d.%d", e->dur_ds / 10, e->dur_ds % 10);
    if (e->label[0])
        cc_buf_printf(b, ",X-LABEL=\"%s\"", e->label);
    cc_buf_putc(b, '\n');
}

static void put_event_line(struct cc_buf *b, const struct event *e, int off)
{
    char iso[CC_ISO_MAX];
    cc_iso_format(e->start_ms, off, iso);
    cc_buf_puts(b, iso);
    if (e->dur_ds)
        cc_buf_printf(b, " %d.%d", e->dur_ds / 10, e->dur_ds % 10);
    else if (e->label[0])
        cc_buf_puts(b, " 0");
    if (e->label[0])
        cc_buf_printf(b, " %s", e->label);
    cc_buf_putc(b, '\n');
}

static void demo_playlist(struct demo *d, const struct folder *f, struct cc_buf *b)
{
    const struct media *m = &d->media;
    int off = d->o->off_min, e = 0;
    int64_t t_us = f->start_ms * 1000;
    cc_buf_printf(b,
                  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n"
                  "#EXT-X-MEDIA-SEQUENCE:0\n",
                  m->target_s);
    for (int i = 0; i < f->chunks; i++) {
        const struct media_chunk *c = &m->c[(size_t)i % m->n];
        if (i > 0 && (size_t)i % m->n == 0) /* the media loop restarts its timestamps */
            cc_buf_puts(b, "#EXT-X-DISCONTINUITY\n");
        /* a recorder writes an event's tag before the chunk it starts in */
        while (!f->events_txt && e < f->nev && f->ev[e].start_ms * 1000 < t_us + c->dur_us)
            put_daterange(b, d->next_event_id++, &f->ev[e++], off);
        put_pdt(b, t_us / 1000, off);
        cc_buf_printf(b, "#EXTINF:%s,\nchunk_%05d.ts\n", c->extinf, i);
        t_us += c->dur_us;
    }
    if (f->cut) { /* the power failed while the recorder wrote the next entry */
        put_pdt(b, t_us / 1000, off);
        cc_buf_printf(b, "#EXTINF:%s,\nchunk_000", m->c[(size_t)f->chunks % m->n].extinf);
    } else if (f->endlist) {
        cc_buf_puts(b, "#EXT-X-ENDLIST\n");
    }
}

static int demo_events_txt(const struct demo *d, const struct folder *f, const char *dir)
{
    if (!f->events_txt && !f->dup_txt)
        return 0;
    struct cc_buf b;
    char path[PATH_MAX_LEN];
    cc_buf_init(&b);
    cc_buf_puts(&b, "# motion events: START DURATION_S [label]\n");
    if (f->events_txt) {
        for (int i = 0; i < f->nev; i++)
            put_event_line(&b, &f->ev[i], d->o->off_min);
    } else {
        /* the playlist's first event again, and one only this file knows */
        struct event bell = {f->ev[0].start_ms + 4000, 0, "doorbell"};
        put_event_line(&b, &f->ev[0], d->o->off_min);
        put_event_line(&b, &bell, d->o->off_min);
    }
    int rc = path_join(path, sizeof(path), dir, "events.txt");
    if (rc == 0)
        rc = write_file(path, b.data, b.len);
    cc_buf_free(&b);
    return rc;
}

static int stamp_mtime(const char *path, int64_t ms)
{
    struct timespec ts[2] = {{ms / 1000, (ms % 1000) * 1000000},
                             {ms / 1000, (ms % 1000) * 1000000}};
    if (utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW) == 0)
        return 0;
    fprintf(stderr, "camcat-gentree: %s: %s\n", path, strerror(errno));
    return -errno;
}

static int demo_folder(struct demo *d, const char *day, const struct folder *f)
{
    char dir[PATH_MAX_LEN], src[PATH_MAX_LEN], dst[PATH_MAX_LEN + 32];
    struct cc_buf b;
    int rc;
    cc_buf_init(&b);
    snprintf(dir, sizeof(dir), "%s/%s/%05d", d->o->root, day, f->num);
    rc = mkdirs(dir);
    for (int i = 0; rc == 0 && i < f->chunks; i++) {
        if (f->missing && i == 20)
            continue; /* deleted from disk; the playlist still lists it */
        snprintf(src, sizeof(src), "%s/%s", d->media.dir, d->media.c[(size_t)i % d->media.n].name);
        snprintf(dst, sizeof(dst), "%s/chunk_%05d.ts", dir, i);
        rc = place_chunk(src, dst);
    }
    if (rc == 0) {
        demo_playlist(d, f, &b);
        snprintf(dst, sizeof(dst), "%s/index.m3u8", dir);
        rc = write_file(dst, b.data, b.len);
    }
    if (rc == 0)
        rc = demo_events_txt(d, f, dir);
    /* As the recorder left them: a finished or cut folder last changed when
     * its last chunk ended, so only the live folder reads as being recorded
     * (day.h's rule). Chunks keep theirs: they may be links to the media. */
    if (rc == 0 && !f->live)
        rc = stamp_mtime(dst, f->end_ms);
    if (rc == 0 && !f->live)
        rc = stamp_mtime(dir, f->end_ms);
    cc_buf_free(&b);
    return rc;
}

static void demo_summary(const char *day, const struct folder *fl, int n, int off)
{
    int chunks = 0, events = 0;
    int64_t rec_ms = 0;
    struct cc_buf b;
    cc_buf_init(&b);
    for (int i = 0; i < n; i++) {
        chunks += fl[i].chunks;
        events += fl[i].nev;
        rec_ms += fl[i].end_ms - fl[i].start_ms;
    }
    cc_buf_printf(&b,
                  "%s: folders %05d-%05d, %d chunks, %" PRId64 "m%02" PRId64 "s recorded, "
                  "%d motion events in %s",
                  day, fl[0].num, fl[n - 1].num, chunks, rec_ms / 60000, rec_ms / 1000 % 60, events,
                  fl[0].events_txt ? "events.txt" : "playlists");
    for (int i = 0; i < n; i++) {
        char iso[CC_ISO_MAX];
        if (fl[i].dup_txt)
            cc_buf_printf(&b, "; %05d's events.txt repeats one", fl[i].num);
        if (fl[i].missing)
            cc_buf_printf(&b, "; %05d lacks chunk_00020.ts", fl[i].num);
        if (fl[i].cut)
            cc_buf_printf(&b, "; %05d cut by a power failure", fl[i].num);
        if (fl[i].live) {
            cc_iso_format(fl[i].end_ms, off, iso);
            cc_buf_printf(&b, "; %05d still recording at %s", fl[i].num, iso);
        }
    }
    puts(b.data);
    cc_buf_free(&b);
}

static int run_demo(const struct opts *o)
{
    struct demo d = {.o = o, .next_num = 1, .next_event_id = 1};
    struct folder fl[DEMO_MAX_FOLDERS];
    rng_seed(&d.rng, o->seed);
    int rc = media_load(o->media, &d.media);
    if (rc == 0)
        rc = prepare_root(o->root);
    int64_t end = cc_days_from_civil(o->end_date.year, o->end_date.month, o->end_date.day);
    for (int k = 0; rc == 0 && k < o->days; k++) {
        struct cc_date date;
        char day[11];
        cc_civil_from_days(end - (o->days - 1) + k, &date.year, &date.month, &date.day);
        cc_date_format(&date, day);
        int n = plan_day(&d, k, cc_date_start_ms(&date, o->off_min), fl);
        for (int i = 0; rc == 0 && i < n; i++)
            rc = demo_folder(&d, day, &fl[i]);
        if (rc == 0)
            demo_summary(day, fl, n, o->off_min);
    }
    media_free(&d.media);
    return rc == 0 ? 0 : 1;
}

/* Fills in now, the offset and the end date the demo did not get. */
static int demo_defaults(struct opts *o)
{
    time_t wall = time(NULL);
    struct tm tm;
    localtime_r(&wall, &tm);
    if (!o->have_off)
        o->off_min = (int)(tm.tm_gmtoff / 60);
    if (!o->have_now)
        o->now_s = (int64_t)wall;
    int64_t today = (o->now_s + o->off_min * 60LL) / 86400;
    if (!o->have_end) {
        cc_civil_from_days(today, &o->end_date.year, &o->end_date.month, &o->end_date.day);
        return 0;
    }
    int64_t end = cc_days_from_civil(o->end_date.year, o->end_date.month, o->end_date.day);
    if (end == today)
        return 0;
    if (o->have_now)
        return bad_arg("--now must fall on --end-date (in --offset)", NULL);
    /* another day than today: it is "now" at 18:00 there */
    o->now_s = end * 86400 + 18 * 3600 - o->off_min * 60LL;
    return 0;
}

/* ---- bench ------------------------------------------------------------------ */

struct bench {
    const struct opts *o;
    struct rng rng;
    struct cc_buf line;
    int next_num, folders;
    long long chunks, events;
};

static int64_t bench_chunk_us(struct bench *bn)
{
    int64_t us = bn->o->chunk_ms * 1000LL;
    if (!bn->o->vary)
        return us;
    /* keyframe-cut encoders: +-5% around the nominal length, to the microsecond */
    int64_t spread = us / 20;
    return us - spread + (int64_t)(rng_next(&bn->rng) % (uint64_t)(2 * spread + 1));
}

static int bench_touch(int dirfd, const char *name, const char *dir)
{
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return sys_fail("create", dir);
    close(fd);
    return 0;
}

/* One folder from *t_us until end_us; *t_us is left where it stopped. */
static int bench_folder(struct bench *bn, const char *day, int64_t *t_us, int64_t end_us,
                        bool endlist)
{
    const struct opts *o = bn->o;
    char dir[PATH_MAX_LEN], path[PATH_MAX_LEN + 16], name[32], iso[CC_ISO_MAX];
    int rc, dirfd = -1;
    struct cc_buf *l = &bn->line;
    snprintf(dir, sizeof(dir), "%s/%s/%05d", o->root, day, bn->next_num++);
    snprintf(path, sizeof(path), "%s/index.m3u8", dir);
    rc = mkdirs(dir);
    if (rc < 0)
        return rc;
    if (o->ts_empty && (dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return sys_fail("open", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        rc = sys_fail("create", path);
        goto out;
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    int64_t max_us = o->chunk_ms * 1000LL + (o->vary ? o->chunk_ms * 50LL : 0);
    fprintf(f, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n",
            (int)((max_us + 500000) / 1000000));
    /* ~3 motion events an hour, at random */
    int64_t next_event = *t_us + rng_between(&bn->rng, 60, 2340) * 1000000LL;
    for (int i = 0;; i++) {
        int64_t dur = bench_chunk_us(bn);
        if (*t_us + dur > end_us)
            break;
        cc_buf_reset(l);
        if (*t_us >= next_event) {
            int dur_ds = rng_between(&bn->rng, 30, 600);
            cc_iso_format(*t_us / 1000, o->off_min, iso);
            cc_buf_printf(l,
                          "#EXT-X-DATERANGE:ID=\"ev%lld\",CLASS=\"motion\",START-DATE=\"%s\","
                          "DURATION=%d.%d\n",
                          ++bn->events, iso, dur_ds / 10, dur_ds % 10);
            next_event = *t_us + rng_between(&bn->rng, 60, 2340) * 1000000LL;
        }
        put_pdt(l, *t_us / 1000, o->off_min);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(name, sizeof(name), o->naming, i); /* one of the literals above */
#pragma GCC diagnostic pop
        cc_buf_printf(l, "#EXTINF:%d.%06d,\n%s\n", (int)(dur / 1000000), (int)(dur % 1000000),
                      name);
        fwrite(l->data, 1, l->len, f);
        if (dirfd >= 0 && (rc = bench_touch(dirfd, name, dir)) < 0)
            break;
        *t_us += dur;
        bn->chunks++;
    }
    if (endlist)
        fputs("#EXT-X-ENDLIST\n", f);
    if (fclose(f) != 0 && rc == 0)
        rc = sys_fail("write", path);
    bn->folders++;
out:
    if (dirfd >= 0)
        close(dirfd);
    return rc;
}

/* A day of recording from midnight to midnight, split by 3-5 power cuts of a
 * few seconds to a few minutes. */
static int bench_day(struct bench *bn, const struct cc_date *date, bool last_day)
{
    char day[11];
    cc_date_format(date, day);
    int64_t t_us = cc_date_start_ms(date, bn->o->off_min) * 1000;
    const int64_t day_end = t_us + CC_MS_PER_DAY * 1000;
    int n = rng_between(&bn->rng, 4, 6);
    for (int k = 0; k < n; k++) {
        bool last = k + 1 == n;
        int64_t cut = last ? day_end
                           : t_us + (day_end - t_us) / (n - k) +
                                 rng_between(&bn->rng, -1800, 1800) * 1000000LL;
        int rc = bench_folder(bn, day, &t_us, cut, !(last_day && last));
        if (rc < 0)
            return rc;
        t_us += rng_between(&bn->rng, 3, 240) * 1000000LL; /* dark, then the reboot */
    }
    return 0;
}

static int run_bench(const struct opts *o)
{
    struct bench bn = {.o = o, .next_num = 1};
    rng_seed(&bn.rng, o->seed);
    cc_buf_init(&bn.line);
    int rc = prepare_root(o->root);
    int64_t first = cc_days_from_civil(o->start_date.year, o->start_date.month, o->start_date.day);
    for (int k = 0; rc == 0 && k < o->days; k++) {
        struct cc_date date;
        cc_civil_from_days(first + k, &date.year, &date.month, &date.day);
        rc = bench_day(&bn, &date, k + 1 == o->days);
    }
    cc_buf_free(&bn.line);
    if (rc < 0)
        return 1;
    printf("%d days, %d folders, %lld chunks, %lld motion events in %s\n", o->days, bn.folders,
           bn.chunks, bn.events, o->root);
    return 0;
}

/* ---- playlist --------------------------------------------------------------- */

static int run_playlist(const struct opts *o)
{
    int64_t t = 0;
    int off = 0;
    bool has_off;
    const char *start = o->start_iso ? o->start_iso : "2025-01-24T00:00:00Z";
    if (cc_iso_parse(start, strlen(start), &t, &off, &has_off) < 0)
        return bad_arg("--start wants an ISO-8601 time", start);
    struct cc_buf b;
    cc_buf_init(&b);
    cc_buf_printf(&b,
                  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n",
                  (o->chunk_ms + 500) / 1000);
    setvbuf(stdout, NULL, _IOFBF, 1 << 20);
    for (long i = 0; i < o->chunks; i++) {
        put_pdt(&b, t, off);
        cc_buf_printf(&b, "#EXTINF:%d.%03d,\nc%06ld.ts\n", o->chunk_ms / 1000, o->chunk_ms % 1000,
                      i);
        fwrite(b.data, 1, b.len, stdout);
        cc_buf_reset(&b);
        t += o->chunk_ms;
    }
    if (o->endlist)
        cc_buf_puts(&b, "#EXT-X-ENDLIST\n");
    fwrite(b.data, 1, b.len, stdout);
    cc_buf_free(&b);
    if (fflush(stdout) != 0) {
        perror(PROG ": stdout");
        return 1;
    }
    return 0;
}

/* ---- record: the demo's recorder ---------------------------------------------- */

static volatile sig_atomic_t record_stop;

static void on_record_signal(int sig)
{
    (void)sig;
    record_stop = 1;
}

/* The greatest entry of dir whose name has len characters, all digits or
 * dashes (a day folder or a recording folder). 0 or -ENOENT. */
static int newest_entry(const char *dir, size_t len, char *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    out[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strlen(e->d_name) != len || strspn(e->d_name, "0123456789-") != len)
            continue;
        if (strcmp(e->d_name, out) > 0)
            snprintf(out, len + 1, "%s", e->d_name);
    }
    closedir(d);
    return out[0] ? 0 : -ENOENT;
}

/* Where the recording playlist stands: chunks listed, and when the next one
 * starts (the last PDT plus the EXTINF after it). */
struct rec_state {
    char dir[PATH_MAX_LEN];
    char playlist[PATH_MAX_LEN + 16];
    long chunks;
    int64_t next_ms;
    int off_min;
};

static int rec_scan(struct rec_state *r)
{
    struct cc_buf b;
    cc_buf_init(&b);
    int rc = cc_read_file(r->playlist, 0, 64 << 20, &b);
    if (rc < 0) {
        cc_buf_free(&b);
        return sys_fail("read", r->playlist);
    }
    cc_buf_putc(&b, '\0');
    bool ended = strstr(b.data, "#EXT-X-ENDLIST") != NULL;
    int64_t pdt = INT64_MIN, dur_us = 0;
    for (char *line = b.data, *nl; *line; line = nl ? nl + 1 : line + strlen(line)) {
        nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        bool has_off;
        if (!strncmp(line, "#EXT-X-PROGRAM-DATE-TIME:", 25))
            cc_iso_parse(line + 25, len - 25, &pdt, &r->off_min, &has_off);
        else if (!strncmp(line, "#EXTINF:", 8))
            parse_us(line + 8, strcspn(line + 8, ","), &dur_us);
        else if (len > 0 && line[0] != '#' && nl) /* a complete URI line */
            r->chunks++;
    }
    cc_buf_free(&b);
    if (ended || pdt == INT64_MIN) {
        fprintf(stderr, PROG ": %s is not recording (%s)\n", r->playlist,
                ended ? "it has #EXT-X-ENDLIST" : "no program date-time");
        return -EINVAL;
    }
    r->next_ms = pdt + dur_us / 1000;
    return 0;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One finished chunk: its file, then its playlist entry (a recorder never
 * lists a chunk before it is on disk). */
static int rec_append(struct rec_state *r, const struct media *m, bool resync)
{
    const struct media_chunk *c = &m->c[(size_t)r->chunks % m->n];
    char src[PATH_MAX_LEN], dst[PATH_MAX_LEN + 32];
    snprintf(src, sizeof(src), "%s/%s", m->dir, c->name);
    snprintf(dst, sizeof(dst), "%s/chunk_%05ld.ts", r->dir, r->chunks);
    int rc = place_chunk(src, dst);
    if (rc < 0)
        return rc;
    struct cc_buf b;
    cc_buf_init(&b);
    if (resync || r->chunks % (long)m->n == 0) /* a pause, or the media loop restarts */
        cc_buf_puts(&b, "#EXT-X-DISCONTINUITY\n");
    put_pdt(&b, r->next_ms, r->off_min);
    cc_buf_printf(&b, "#EXTINF:%s,\nchunk_%05ld.ts\n", c->extinf, r->chunks);
    int fd = open(r->playlist, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0 || write(fd, b.data, b.len) != (ssize_t)b.len)
        rc = sys_fail("append to", r->playlist);
    if (fd >= 0)
        close(fd);
    cc_buf_free(&b);
    r->chunks++;
    r->next_ms += c->dur_us / 1000;
    return rc;
}

static int run_record(const struct opts *o)
{
    struct media m;
    struct rec_state r = {0};
    char day[16], folder[16];
    int rc = media_load(o->media, &m);
    if (rc == 0 && (newest_entry(o->root, 10, day) < 0 ||
                    (snprintf(r.dir, sizeof(r.dir), "%s/%s", o->root, day),
                     newest_entry(r.dir, 5, folder) < 0))) {
        fprintf(stderr, PROG ": no recording folder under %s\n", o->root);
        rc = -ENOENT;
    }
    if (rc == 0) {
        snprintf(r.dir, sizeof(r.dir), "%s/%s/%s", o->root, day, folder);
        snprintf(r.playlist, sizeof(r.playlist), "%s/index.m3u8", r.dir);
        rc = rec_scan(&r);
    }
    struct sigaction sa = {.sa_handler = on_record_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (long done = 0; rc == 0 && !record_stop && (!o->have_chunks || done < o->chunks);) {
        const struct media_chunk *c = &m.c[(size_t)r.chunks % m.n];
        int64_t now = wall_ms();
        bool resync = now - r.next_ms > 60000; /* stopped long ago: start again now */
        if (resync)
            r.next_ms = now - c->dur_us / 1000;
        int64_t wait = r.next_ms + c->dur_us / 1000 - now;
        if (wait > 0) {
            struct timespec ts = {wait / 1000, (wait % 1000) * 1000000};
            nanosleep(&ts, NULL); /* a signal cuts it short */
            continue;
        }
        rc = rec_append(&r, &m, resync);
        done++;
    }
    media_free(&m);
    return rc == 0 ? 0 : 1;
}

/* ---- main ------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc < 2)
        return bad_arg("a mode is required: demo, bench or playlist", NULL);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    struct opts o = {.mode = argv[1], .chunk_ms = 2000, .seed = 1, .naming = "chunk_%06d.ts"};
    bool bench = strcmp(o.mode, "bench") == 0;
    o.days = bench ? 30 : 3;
    int r = parse_args(argc, argv, &o);
    if (r == 1) {
        usage(stdout);
        return 0;
    }
    if (r != 0)
        return 2;
    if (strcmp(o.mode, "demo") == 0)
        return demo_defaults(&o) ? 2 : run_demo(&o);
    if (strcmp(o.mode, "record") == 0)
        return run_record(&o);
    if (bench) {
        if (!o.have_off)
            o.off_min = 480;
        if (!o.have_start)
            o.start_date = (struct cc_date){2025, 1, 1};
        return run_bench(&o);
    }
    return run_playlist(&o);
}
