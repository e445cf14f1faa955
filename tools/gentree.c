/* camcat-gentree — writes recording trees: a demo whose chunks really play,
 * synthetic days for the benchmark, or one big playlist for the tests.
 * Deterministic for a given seed and set of dates. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "isotime.h"

struct opts {
    const char *root, *media, *start_iso;
    struct cc_date end_date, start_date;
    bool have_end, have_start, vary, endlist, ts_empty;
    int days, chunk_ms, chunks, off_min;
    bool have_off;
    long long now_s;
    unsigned seed;
};

static unsigned rng_state;

static unsigned rnd(void)
{
    /* xorshift32: small and the same everywhere */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static int rnd_between(int lo, int hi)
{
    return lo + (int)(rnd() % (unsigned)(hi - lo + 1));
}

static void die(const char *what)
{
    fprintf(stderr, "camcat-gentree: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            die(buf);
        *p = '/';
    }
    if (mkdir(buf, 0755) < 0 && errno != EEXIST)
        die(buf);
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        die(path);
    return f;
}

static void put_pdt(FILE *f, int64_t ms, int off)
{
    char iso[CC_ISO_MAX];
    cc_iso_format(ms, off, iso);
    fprintf(f, "#EXT-X-PROGRAM-DATE-TIME:%s\n", iso);
}

static void put_daterange(FILE *f, const char *id, int64_t ms, int off, int dur_ms,
                          const char *label)
{
    char iso[CC_ISO_MAX];
    cc_iso_format(ms, off, iso);
    fprintf(f, "#EXT-X-DATERANGE:ID=\"%s\",CLASS=\"motion\",START-DATE=\"%s\",DURATION=%d.%03d",
            id, iso, dur_ms / 1000, dur_ms % 1000);
    if (label)
        fprintf(f, ",X-LABEL=\"%s\"", label);
    fputc('\n', f);
}

static void link_media(const char *media, int idx, const char *dir, const char *name)
{
    char src[4200], dst[4200];
    snprintf(src, sizeof(src), "%s/chunk_%02d.ts", media, idx);
    snprintf(dst, sizeof(dst), "%s/%s", dir, name);
    unlink(dst);
    if (link(src, dst) == 0)
        return;
    /* another file system: copy */
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    if (!in || !out)
        die(in ? dst : src);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
}

/* ---- demo ----------------------------------------------------------------- */

#define MEDIA_COUNT 15

struct demo_folder {
    int start_s;   /* seconds after local midnight */
    int chunks;
    bool endlist, cut, missing20, events_file;
};

static void demo_folder(const struct opts *o, const struct cc_date *date, int num,
                        const struct demo_folder *df, int64_t start_ms)
{
    char dir[4096], name[64];
    char day[11];
    cc_date_format(date, day);
    snprintf(dir, sizeof(dir), "%s/%s/%05d", o->root, day, num);
    mkdirs(dir);
    FILE *f = open_out(dir, "index.m3u8");
    fprintf(f, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n");
    for (int i = 0; i < df->chunks; i++) {
        int64_t t = start_ms + (int64_t)i * 2000;
        if (i > 0 && i % MEDIA_COUNT == 0)
            fprintf(f, "#EXT-X-DISCONTINUITY\n"); /* the media loop restarts its timestamps */
        if (i == 10)
            put_daterange(f, "m-a", t, o->off_min, 6000, "person");
        if (i == 35)
            put_daterange(f, "m-b", t, o->off_min, 8000, "car");
        put_pdt(f, t, o->off_min);
        snprintf(name, sizeof(name), "chunk_%05d.ts", i);
        fprintf(f, "#EXTINF:2.000000,\n%s\n", name);
        if (!(df->missing20 && i == 20))
            link_media(o->media, i % MEDIA_COUNT, dir, name);
    }
    if (df->cut) /* the power went while the recorder wrote the next entry */
        fprintf(f, "#EXTINF:2.000000,\nchunk_%03d", df->chunks);
    else if (df->endlist)
        fprintf(f, "#EXT-X-ENDLIST\n");
    fclose(f);
    if (df->events_file) {
        char iso[CC_ISO_MAX];
        f = open_out(dir, "events.txt");
        fprintf(f, "# motion log written by the camera\n");
        cc_iso_format(start_ms + 20000, o->off_min, iso);
        fprintf(f, "%s 6 person\n", iso); /* the same event as the DATERANGE m-a */
        cc_iso_format(start_ms + 30000, o->off_min, iso);
        fprintf(f, "%s 0 doorbell\n", iso);
        fclose(f);
    }
}

static int run_demo(struct opts *o)
{
    if (!o->root || !o->media) {
        fprintf(stderr, "camcat-gentree demo: --root and --media are required\n");
        return 2;
    }
    int64_t end_days = cc_days_from_civil(o->end_date.year, o->end_date.month, o->end_date.day);
    int num = 1;
    for (int k = o->days - 1; k >= 0; k--) {
        struct cc_date date;
        cc_civil_from_days(end_days - k, &date.year, &date.month, &date.day);
        bool newest = k == 0, middle = k == 1;
        struct demo_folder fl[3] = {
            {8 * 3600, 60, true, false, middle, false},
            {8 * 3600 + 600, 45, !middle, middle, false, false},
            {12 * 3600 + 1800, 60, !newest, false, false, true},
        };
        int64_t midnight = cc_date_start_ms(&date, o->off_min);
        for (int i = 0; i < 3; i++) {
            int64_t start = midnight + (int64_t)fl[i].start_s * 1000;
            int64_t now_ms = o->now_s * 1000;
            if (newest && i == 2 && now_ms - 120000 > midnight + 8 * 3600 * 1000 + 1800 * 1000 &&
                now_ms < midnight + CC_MS_PER_DAY)
                start = now_ms - 120000; /* still recording: it ends now */
            demo_folder(o, &date, num++, &fl[i], start);
        }
        char day[11];
        cc_date_format(&date, day);
        printf("%s: 3 folders%s%s\n", day, middle ? ", a power cut and a chunk missing on disk" : "",
               newest ? ", the last still recording" : "");
    }
    return 0;
}

/* ---- bench ---------------------------------------------------------------- */

static void bench_day(const struct opts *o, const struct cc_date *date, int *num, bool last_day)
{
    char day[11], dir[4096], name[64];
    cc_date_format(date, day);
    int64_t t = cc_date_start_ms(date, o->off_min);
    const int64_t day_end = t + CC_MS_PER_DAY;
    int nfolders = rnd_between(4, 6);
    int event = 0;
    for (int k = 0; k < nfolders; k++) {
        int64_t folder_end = k + 1 == nfolders ? day_end : t + CC_MS_PER_DAY / nfolders;
        snprintf(dir, sizeof(dir), "%s/%s/%05d", o->root, day, (*num)++);
        mkdirs(dir);
        FILE *f = open_out(dir, "index.m3u8");
        fprintf(f, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n",
                (o->chunk_ms + 999) / 1000 + (o->vary ? 1 : 0));
        int64_t next_event = t + rnd_between(60, 2400) * 1000LL;
        for (int i = 0; t < folder_end - o->chunk_ms; i++) {
            int dur = o->vary ? o->chunk_ms + rnd_between(-100, 100) : o->chunk_ms;
            if (t >= next_event) {
                char id[32];
                snprintf(id, sizeof(id), "ev%d", event++);
                put_daterange(f, id, t, o->off_min, rnd_between(3000, 30000), NULL);
                next_event = t + rnd_between(300, 2100) * 1000LL; /* ~3 an hour */
            }
            put_pdt(f, t, o->off_min);
            snprintf(name, sizeof(name), "chunk_%06d.ts", i);
            fprintf(f, "#EXTINF:%d.%03d000,\n%s\n", dur / 1000, dur % 1000, name);
            if (o->ts_empty) {
                FILE *c = open_out(dir, name);
                fclose(c);
            }
            t += dur;
        }
        if (!(last_day && k + 1 == nfolders))
            fprintf(f, "#EXT-X-ENDLIST\n");
        fclose(f);
        t += rnd_between(5, 120) * 1000LL; /* the power cut and the reboot */
    }
}

static int run_bench(struct opts *o)
{
    if (!o->root) {
        fprintf(stderr, "camcat-gentree bench: --root is required\n");
        return 2;
    }
    int64_t first = cc_days_from_civil(o->start_date.year, o->start_date.month, o->start_date.day);
    int num = 1;
    for (int k = 0; k < o->days; k++) {
        struct cc_date date;
        cc_civil_from_days(first + k, &date.year, &date.month, &date.day);
        bench_day(o, &date, &num, k + 1 == o->days);
    }
    printf("%d days, %d folders in %s\n", o->days, num - 1, o->root);
    return 0;
}

/* ---- playlist --------------------------------------------------------------- */

static int run_playlist(struct opts *o)
{
    int64_t t = 0;
    int off = 0;
    bool has_off;
    const char *start = o->start_iso ? o->start_iso : "2025-01-24T00:00:00Z";
    if (cc_iso_parse(start, strlen(start), &t, &off, &has_off) < 0 || o->chunks < 0) {
        fprintf(stderr, "camcat-gentree playlist: bad --start or --chunks\n");
        return 2;
    }
    printf("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n", (o->chunk_ms + 999) / 1000);
    for (int i = 0; i < o->chunks; i++) {
        put_pdt(stdout, t, off);
        printf("#EXTINF:%d.%03d,\nc%06d.ts\n", o->chunk_ms / 1000, o->chunk_ms % 1000, i);
        t += o->chunk_ms;
    }
    if (o->endlist)
        printf("#EXT-X-ENDLIST\n");
    return 0;
}

/* ---- arguments -------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: camcat-gentree demo --root DIR --media DIR [--end-date YYYY-MM-DD] [--days N]\n"
            "                           [--now EPOCH_S] [--offset +08:00] [--seed N]\n"
            "       camcat-gentree bench --root DIR [--days 30] [--start-date YYYY-MM-DD]\n"
            "                           [--seed N] [--chunk-ms 2000] [--vary] [--ts empty|none]\n"
            "                           [--offset +08:00]\n"
            "       camcat-gentree playlist --chunks N [--start ISO] [--chunk-ms 2000] [--endlist]\n");
}

static int parse_offset(const char *s, int *off)
{
    int64_t ms;
    bool has;
    char iso[40];
    snprintf(iso, sizeof(iso), "2000-01-01T00:00:00%s", s);
    return cc_iso_parse(iso, strlen(iso), &ms, off, &has) == 0 && has ? 0 : -1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"root", 1, NULL, 'r'},     {"media", 1, NULL, 'm'},    {"end-date", 1, NULL, 'e'},
        {"start-date", 1, NULL, 'S'}, {"days", 1, NULL, 'd'},   {"now", 1, NULL, 'n'},
        {"offset", 1, NULL, 'o'},   {"seed", 1, NULL, 's'},     {"chunk-ms", 1, NULL, 'c'},
        {"vary", 0, NULL, 'v'},     {"ts", 1, NULL, 't'},       {"chunks", 1, NULL, 'N'},
        {"start", 1, NULL, 'T'},    {"endlist", 0, NULL, 'E'},  {"help", 0, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    optind = 2;
    while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (ch) {
        case 'r': o->root = optarg; break;
        case 'm': o->media = optarg; break;
        case 'e':
            if (cc_date_parse(optarg, strlen(optarg), &o->end_date) < 0)
                return -1;
            o->have_end = true;
            break;
        case 'S':
            if (cc_date_parse(optarg, strlen(optarg), &o->start_date) < 0)
                return -1;
            o->have_start = true;
            break;
        case 'd': o->days = atoi(optarg); break;
        case 'n': o->now_s = atoll(optarg); break;
        case 'o':
            if (parse_offset(optarg, &o->off_min) < 0)
                return -1;
            o->have_off = true;
            break;
        case 's': o->seed = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'c': o->chunk_ms = atoi(optarg); break;
        case 'v': o->vary = true; break;
        case 't':
            if (strcmp(optarg, "empty") != 0 && strcmp(optarg, "none") != 0)
                return -1;
            o->ts_empty = strcmp(optarg, "empty") == 0;
            break;
        case 'N': o->chunks = atoi(optarg); break;
        case 'T': o->start_iso = optarg; break;
        case 'E': o->endlist = true; break;
        case 'h': return 1;
        default: return -1;
        }
    }
    if (optind != argc || o->days < 1 || o->days > 3660 || o->chunk_ms < 100 ||
        o->chunk_ms > 60000)
        return -1;
    return 0;
}

static void local_defaults(struct opts *o)
{
    time_t now = o->now_s ? (time_t)o->now_s : time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (!o->now_s)
        o->now_s = (long long)now;
    if (!o->have_off)
        o->off_min = (int)(tm.tm_gmtoff / 60);
    if (!o->have_end) {
        /* today in the camera's offset */
        int64_t days = (int64_t)((o->now_s + o->off_min * 60LL) / 86400);
        cc_civil_from_days(days, &o->end_date.year, &o->end_date.month, &o->end_date.day);
    }
    if (!o->have_start)
        o->start_date = (struct cc_date){2025, 1, 1};
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *mode = argv[1];
    bool bench = strcmp(mode, "bench") == 0;
    struct opts o = {.days = bench ? 30 : 3, .chunk_ms = 2000, .seed = 1};
    if (!bench)
        o.off_min = 0;
    int r = parse_args(argc, argv, &o);
    if (r != 0) {
        usage(r > 0 ? stdout : stderr);
        return r > 0 ? 0 : 2;
    }
    if (bench && !o.have_off) {
        o.off_min = 480;
        o.have_off = true;
    }
    local_defaults(&o);
    rng_state = o.seed ? o.seed : 1;
    if (strcmp(mode, "demo") == 0)
        return run_demo(&o);
    if (bench)
        return run_bench(&o);
    if (strcmp(mode, "playlist") == 0)
        return run_playlist(&o);
    fprintf(stderr, "camcat-gentree: unknown mode '%s'\n", mode);
    usage(stderr);
    return 2;
}
