/* camcat — the offline tool: build, dump and verify day indexes.
 * A thin front end on the index library; the server uses the same code. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "catalog.h"
#include "certgen.h"
#include "dayjson.h"
#include "fsutil.h"
#include "htdigest.h"
#include "ingest.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "pemcert.h"
#include "preview.h"
#include "probe.h"
#include "retention.h"
#include "scan.h"
#include "sidecar.h"
#include "version.h"


static void usage_main(FILE *f)
{
    fprintf(f,
            "usage: camcat [--log-level L] COMMAND [ARGS]\n"
            "\n"
            "commands:\n"
            "  index ROOT [DAY...] [--cache-dir DIR]  build or refresh day sidecars\n"
            "  dump DAYDIR|SIDECAR [--json]           print a day index (writes nothing)\n"
            "  verify ROOT [--cache-dir DIR]          check every sidecar against its sources\n"
            "  sweep ROOT [--retain-days N] [--min-free-mb N] [--min-free-pct N]\n"
            "        [--dry-run] [--today YYYY-MM-DD] [--cache-dir DIR]\n"
            "                                         apply the retention policy\n"
            "  passwd FILE USER [--realm REALM]       add or change a login (camcatd auth_file)\n"
            "  cert --out FILE [--cn NAME] [--san ADDR]... [--days N] [--force]\n"
            "                                         self-signed HTTPS certificate (tls_cert)\n"
            "  probe FILE.ts [--duration S] [--thumb OUT.mp4]\n"
            "                                         what a chunk holds; its keyframe\n"
            "  preview OUT.mp4 FILE.ts...             their keyframes as a time-lapse\n"
            "  record --root ROOT [--chunk-s N] < STREAM.ts\n"
            "                                         record a piped MPEG-TS stream\n"
            "\n"
            "COMMAND --help describes each. DAY is YYYY-MM-DD.\n");
}

static int bad_usage(const char *msg, const char *cmd)
{
    fprintf(stderr, "camcat %s: %s (try 'camcat %s --help')\n", cmd, msg, cmd);
    return 2;
}

static void print_json(const struct cc_day *d, const bool *rec)
{
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_dayjson_day(&j, d, "", rec);
    cc_buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stdout);
    cc_buf_free(&b);
}

static void print_table(const struct cc_day *d, const bool *rec)
{
    char a[CC_ISO_MAX], z[CC_ISO_MAX];
    printf("day %s  offset %+d min  %u segments  %u chunks  recorded %.1f s  gaps %.1f s  "
           "motion %u\n",
           d->name, d->off_min, d->nsegs, d->nchunks, d->recorded_ms / 1000.0, d->gap_ms / 1000.0,
           d->nevents);
    for (uint32_t i = 0; i < d->nsegs; i++) {
        const struct cc_segment *s = &d->segs[i];
        cc_iso_format(s->start_ms, s->off_min, a);
        cc_iso_format(s->end_ms, s->off_min, z);
        const char *state = (s->flags & CC_SEG_ENDLIST) ? "closed"
                            : rec && rec[i]             ? "recording"
                                                        : "interrupted";
        printf("  %-8s %s .. %s  %6u chunks %9.3f s  %-11s%s%s  %s\n", s->id, a, z, s->nchunks,
               s->dur_ms / 1000.0, state, (s->flags & CC_SEG_UNTIMED) ? " untimed" : "",
               s->nmissing ? " missing-chunks" : "", s->playlist);
    }
    for (uint32_t i = 0; i < d->ngaps; i++) {
        cc_iso_format(d->gaps[i].start_ms, d->off_min, a);
        cc_iso_format(d->gaps[i].end_ms, d->off_min, z);
        printf("  gap      %s .. %s\n", a, z);
    }
    for (uint32_t i = 0; i < d->noverlaps; i++) {
        cc_iso_format(d->overlaps[i].start_ms, d->off_min, a);
        cc_iso_format(d->overlaps[i].end_ms, d->off_min, z);
        printf("  overlap  %s .. %s\n", a, z);
    }
    for (uint32_t i = 0; i < d->nevents; i++) {
        cc_iso_format(d->events[i].start_ms, d->off_min, a);
        printf("  motion   %s  %6.1f s  %s\n", a,
               (d->events[i].end_ms - d->events[i].start_ms) / 1000.0,
               d->events[i].label[0] ? d->events[i].label : "motion");
    }
}

/* ---- dump ---------------------------------------------------------------- */

static int dump_sidecar(const char *path, bool json)
{
    struct cc_buf b;
    cc_buf_init(&b);
    struct cc_day *d = NULL;
    int rc = cc_read_file(path, 0, CC_SIDECAR_MAX, &b);
    if (rc == 0)
        rc = cc_sidecar_decode(b.data, b.len, NULL, &d);
    cc_buf_free(&b);
    if (rc < 0) {
        fprintf(stderr, "camcat dump: %s: %s\n", path,
                rc == -EBADMSG ? "not a valid sidecar" : strerror(-rc));
        return 1;
    }
    json ? print_json(d, NULL) : print_table(d, NULL);
    cc_day_free(d);
    return 0;
}

static int dump_daydir(const char *arg, bool json)
{
    char *copy1 = cc_xstrdup(arg), *copy2 = cc_xstrdup(arg);
    size_t n = strlen(copy1);
    while (n > 1 && copy1[n - 1] == '/') {
        n--;
        copy1[n] = copy2[n] = '\0';
    }
    const char *name = basename(copy1);
    const char *root = dirname(copy2);
    struct cc_date date;
    int rc = 1;
    if (cc_date_parse(name, strlen(name), &date) < 0) {
        fprintf(stderr, "camcat dump: %s: not a day folder (want ROOT/YYYY-MM-DD)\n", arg);
        goto out;
    }
    struct cc_catalog_config cfg = {.root = root, .write_sidecars = false};
    struct cc_catalog *cat;
    cc_catalog_new(&cfg, &cat);
    const struct cc_day *d;
    int r = cc_catalog_get_day(cat, &date, &d);
    if (r < 0) {
        fprintf(stderr, "camcat dump: %s: %s\n", arg, strerror(-r));
    } else {
        bool *rec = cc_xcalloc(d->nsegs + 1, sizeof(bool));
        for (uint32_t i = 0; i < d->nsegs; i++)
            rec[i] = cc_catalog_is_recording(cat, d, i);
        json ? print_json(d, rec) : print_table(d, rec);
        free(rec);
        cc_catalog_release(cat, d);
        rc = 0;
    }
    cc_catalog_free(cat);
out:
    free(copy1);
    free(copy2);
    return rc;
}

static int cmd_dump(int argc, char **argv)
{
    bool json = false;
    const char *target = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--help") == 0) {
            printf("usage: camcat dump DAYDIR|SIDECAR [--json]\n"
                   "Prints a day's index as a table, or as the JSON the server's\n"
                   "/api/days/DATE returns. Reads a valid sidecar or builds the index in\n"
                   "memory; never writes.\n");
            return 0;
        } else if (!target) {
            target = argv[i];
        } else {
            return bad_usage("one DAYDIR or SIDECAR expected", "dump");
        }
    }
    if (!target)
        return bad_usage("missing DAYDIR or SIDECAR", "dump");
    struct stat st;
    if (stat(target, &st) < 0) {
        fprintf(stderr, "camcat dump: %s: %s\n", target, strerror(errno));
        return 1;
    }
    return S_ISDIR(st.st_mode) ? dump_daydir(target, json) : dump_sidecar(target, json);
}

/* ---- index and verify ---------------------------------------------------- */

struct days_args {
    const char *root;
    const char *cache_dir;
    struct cc_date *days;
    size_t ndays;
};

static int parse_days_args(int argc, char **argv, const char *cmd, bool allow_days,
                           struct days_args *a)
{
    static const struct option opts[] = {{"cache-dir", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof(*a));
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'c')
            a->cache_dir = optarg;
        else if (ch == 'h')
            return 1;
        else
            return -1;
    }
    if (optind >= argc) {
        fprintf(stderr, "camcat %s: missing ROOT\n", cmd);
        return -1;
    }
    a->root = argv[optind++];
    if (!allow_days && optind < argc) {
        fprintf(stderr, "camcat %s: unexpected argument '%s'\n", cmd, argv[optind]);
        return -1;
    }
    a->days = cc_xcalloc((size_t)(argc - optind) + 1, sizeof(*a->days));
    for (; optind < argc; optind++) {
        const char *s = argv[optind];
        if (cc_date_parse(s, strlen(s), &a->days[a->ndays]) < 0) {
            fprintf(stderr, "camcat %s: '%s' is not a day (want YYYY-MM-DD)\n", cmd, s);
            free(a->days);
            return -1;
        }
        a->ndays++;
    }
    return 0;
}

static int cmd_index(int argc, char **argv)
{
    struct days_args a;
    int pr = parse_days_args(argc, argv, "index", true, &a);
    if (pr == 1) {
        printf("usage: camcat index ROOT [DAY...] [--cache-dir DIR]\n"
               "Builds or refreshes the sidecar of every day (or the days named). A day\n"
               "whose sidecar is valid is read, not rewritten; nothing is written when\n"
               "nothing changed. Prints what it did and the bytes it wrote.\n");
        return 0;
    }
    if (pr < 0)
        return bad_usage("bad arguments", "index");
    struct cc_catalog_config cfg = {.root = a.root,
                                    .cache_dir = a.cache_dir,
                                    .write_sidecars = true,
                                    .cache_bytes = 1};
    struct cc_catalog *cat;
    cc_catalog_new(&cfg, &cat);
    int rc = 0;
    if (!a.ndays) {
        free(a.days);
        int r = cc_catalog_list_days(cat, NULL, NULL, &a.days, &a.ndays);
        if (r < 0) {
            fprintf(stderr, "camcat index: %s: %s\n", a.root, strerror(-r));
            cc_catalog_free(cat);
            return 1;
        }
    }
    for (size_t i = 0; i < a.ndays; i++) {
        struct cc_catalog_stats before, after;
        cc_catalog_get_stats(cat, &before);
        const struct cc_day *d;
        char name[11];
        cc_date_format(&a.days[i], name);
        int r = cc_catalog_get_day_sized(cat, &a.days[i], &d);
        if (r < 0) {
            fprintf(stderr, "camcat index: %s: %s\n", name, strerror(-r));
            rc = 1;
            continue;
        }
        cc_catalog_get_stats(cat, &after);
        const char *what = after.sidecar_writes > before.sidecar_writes ? "sidecar written"
                           : after.sidecar_loads > before.sidecar_loads ? "sidecar valid"
                           : after.sidecar_write_errors > before.sidecar_write_errors
                               ? "sidecar NOT written (see log)"
                               : "sidecar unchanged";
        printf("%s: %u segments, %u chunks, %u motion: %s\n", name, d->nsegs, d->nchunks,
               d->nevents, what);
        cc_catalog_release(cat, d);
    }
    struct cc_catalog_stats st;
    cc_catalog_get_stats(cat, &st);
    cc_catalog_free(cat);
    printf("playlist bytes parsed: %llu\n", (unsigned long long)st.bytes_parsed);
    printf("segments probed: %llu (chunk bytes read: %llu)\n",
           (unsigned long long)st.segments_probed, (unsigned long long)st.probe_bytes);
    printf("bytes written: %llu\n", (unsigned long long)cc_fs_bytes_written());
    free(a.days);
    return rc;
}

static char *day_json(const struct cc_day *d)
{
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_dayjson_day(&j, d, "", NULL);
    return cc_buf_steal(&b, NULL);
}

static void print_removed(void *ud, const char *path)
{
    printf("%s: stale temp file (a crash between write and rename): removed\n", path);
}

/* One day: the sidecar must decode, be current, and equal a fresh build. */
static int verify_day(const char *root, const char *cache_dir, const struct cc_date *date)
{
    char name[11];
    cc_date_format(date, name);
    char *path = cc_sidecar_path(root, cache_dir, name);
    struct cc_day *saved = NULL, *fresh = NULL, *newer = NULL;
    bool changed = false;
    int problems = 0;
    int rc = cc_sidecar_load(path, date, &saved);
    if (rc == -ENOENT) {
        printf("%s: no sidecar\n", name);
        goto out;
    }
    if (rc < 0) {
        printf("%s: PROBLEM: sidecar %s unusable: %s\n", name, path,
               rc == -EBADMSG ? "corrupt" : strerror(-rc));
        problems = 1;
        goto out;
    }
    bool stale = false;
    rc = cc_scan_update(root, date, saved, &newer, &stale, NULL);
    if (rc == 0)
        rc = cc_scan_update(root, date, NULL, &fresh, &changed, NULL);
    if (rc < 0) {
        printf("%s: PROBLEM: cannot scan: %s\n", name, strerror(-rc));
        problems = 1;
        goto out;
    }
    char *a = day_json(newer ? newer : saved), *b = day_json(fresh);
    if (stale) {
        printf("%s: PROBLEM: sidecar is stale (sources changed since it was written)\n", name);
        problems = 1;
    } else if (strcmp(a, b) != 0) {
        printf("%s: PROBLEM: sidecar differs from a fresh build\n", name);
        problems = 1;
    } else {
        printf("%s: ok\n", name);
    }
    free(a);
    free(b);
out:
    cc_day_free(saved);
    cc_day_free(fresh);
    cc_day_free(newer);
    free(path);
    return problems;
}

static int cmd_verify(int argc, char **argv)
{
    struct days_args a;
    int pr = parse_days_args(argc, argv, "verify", false, &a);
    if (pr == 1) {
        printf("usage: camcat verify ROOT [--cache-dir DIR]\n"
               "Checks every day's sidecar: it must decode, match its sources, and equal\n"
               "an index built from scratch. Exit 1 and a list of problems if any.\n"
               "Removes sidecar temp files (.camcat.idx.tmp.PID) older than a minute.\n");
        return 0;
    }
    if (pr < 0)
        return bad_usage("bad arguments", "verify");
    free(a.days);
    struct cc_catalog_config cfg = {.root = a.root, .write_sidecars = false};
    struct cc_catalog *cat;
    cc_catalog_new(&cfg, &cat);
    int r = cc_catalog_list_days(cat, NULL, NULL, &a.days, &a.ndays);
    cc_catalog_free(cat);
    if (r < 0) {
        fprintf(stderr, "camcat verify: %s: %s\n", a.root, strerror(-r));
        return 1;
    }
    int problems = 0;
    for (size_t i = 0; i < a.ndays; i++)
        problems += verify_day(a.root, a.cache_dir, &a.days[i]);
    free(a.days);
    /* Left by a crash between write and rename: not a problem once gone. */
    cc_sidecar_clean_tmp(a.root, a.cache_dir, cc_now_ns(), print_removed, NULL);
    printf("%zu days, %d with problems\n", a.ndays, problems);
    return problems ? 1 : 0;
}

/* ---- sweep ---------------------------------------------------------------- */

struct sweep_args {
    const char *root;
    const char *cache_dir;
    struct cc_ret_policy pol;
    bool dry_run;
    struct cc_date today;
};

static bool parse_count(const char *s, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max)
        return false;
    *out = (int)v;
    return true;
}

/* 0, 1 (help printed) or -1 (misuse, message printed). */
static int parse_sweep_args(int argc, char **argv, struct sweep_args *a)
{
    static const struct option opts[] = {{"retain-days", required_argument, NULL, 'r'},
                                         {"min-free-mb", required_argument, NULL, 'm'},
                                         {"min-free-pct", required_argument, NULL, 'p'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"today", required_argument, NULL, 't'},
                                         {"cache-dir", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof(*a));
    cc_local_today(&a->today);
    optind = 1;
    int ch;
    bool ok = true;
    while (ok && (ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'r')
            ok = parse_count(optarg, 36500, &a->pol.retain_days);
        else if (ch == 'm')
            ok = parse_count(optarg, 16777216, &a->pol.min_free_mb);
        else if (ch == 'p')
            ok = parse_count(optarg, 90, &a->pol.min_free_pct);
        else if (ch == 'n')
            a->dry_run = true;
        else if (ch == 't')
            ok = cc_date_parse(optarg, strlen(optarg), &a->today) == 0;
        else if (ch == 'c')
            a->cache_dir = optarg;
        else if (ch == 'h')
            return 1;
        else
            return -1;
        if (!ok)
            fprintf(stderr, "camcat sweep: bad value '%s'\n", optarg);
    }
    if (!ok)
        return -1;
    if (optind + 1 != argc) {
        fprintf(stderr, "camcat sweep: one ROOT expected\n");
        return -1;
    }
    a->root = argv[optind];
    return 0;
}

static void print_plan(const struct cc_ret_plan *plan, bool dry_run)
{
    for (size_t i = 0; i < plan->n; i++) {
        const struct cc_ret_item *it = &plan->items[i];
        printf("%s %s%s%s  %llu bytes  (%s)\n", dry_run ? "would remove" : "remove", it->date,
               it->folder[0] ? "/" : "", it->folder, (unsigned long long)it->bytes,
               cc_ret_reason_name(it->reason));
    }
    if (plan->floor_unreachable)
        printf("free space stays under the floor (%llu bytes) after all of it\n",
               (unsigned long long)plan->floor_bytes);
}

static int cmd_sweep(int argc, char **argv)
{
    struct sweep_args a;
    int pr = parse_sweep_args(argc, argv, &a);
    if (pr == 1) {
        printf("usage: camcat sweep ROOT [--retain-days N] [--min-free-mb N] [--min-free-pct N]\n"
               "                  [--dry-run] [--today YYYY-MM-DD] [--cache-dir DIR]\n"
               "Removes the oldest whole days beyond --retain-days, then (oldest first) days\n"
               "and closed folders while free space is under the floor; never the folder\n"
               "being recorded nor the newest day as a whole. --dry-run only prints the plan\n"
               "(and writes no sidecar). Exit 1 when something could not be removed.\n");
        return 0;
    }
    if (pr < 0)
        return bad_usage("bad arguments", "sweep");
    struct cc_catalog_config cfg = {.root = a.root,
                                    .cache_dir = a.cache_dir,
                                    .write_sidecars = !a.dry_run,
                                    .cache_bytes = 1};
    struct cc_catalog *cat;
    cc_catalog_new(&cfg, &cat);
    struct cc_fs_space sp;
    struct cc_ret_inventory inv;
    int rc = cc_ret_statvfs(NULL, a.root, &sp);
    if (rc == 0)
        rc = cc_ret_inventory_build(cat, &inv);
    if (rc < 0) {
        fprintf(stderr, "camcat sweep: %s: %s\n", a.root, strerror(-rc));
        cc_catalog_free(cat);
        return 1;
    }
    struct cc_ret_plan plan;
    cc_ret_plan(&inv, &a.pol, &a.today, &sp, &plan);
    print_plan(&plan, a.dry_run);
    struct cc_ret_result res = {0};
    if (!a.dry_run)
        rc = cc_ret_execute(a.root, cat, &plan, false, NULL, &res);
    printf("%s: %zu items, %llu bytes%s\n", a.dry_run ? "would remove" : "removed",
           a.dry_run ? plan.n : res.removed,
           (unsigned long long)(a.dry_run ? plan.bytes : res.bytes_freed),
           a.dry_run ? "" : " freed");
    cc_ret_plan_free(&plan);
    cc_ret_inventory_free(&inv);
    cc_catalog_free(cat);
    return rc < 0 || res.failed ? 1 : 0;
}

/* ---- passwd --------------------------------------------------------------- */

#define PASSWORD_MAX 1024

/* One line from f into buf without its line ending: 0, -ENODATA at end of input,
 * or -E2BIG for a line over the buffer. */
static int read_line(FILE *f, char *buf, size_t size)
{
    if (!fgets(buf, (int)size, f))
        return -ENODATA;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(f))
        return -E2BIG;
    if (n && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return 0;
}

/* Prompts on stderr and reads a line from the terminal on stdin with echo
 * off (restored before returning). */
static int read_hidden(const char *prompt, char *buf, size_t size)
{
    struct termios old, quiet;
    fputs(prompt, stderr);
    fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &old) < 0)
        return -errno;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) < 0)
        return -errno;
    int rc = read_line(stdin, buf, size);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    return rc;
}

/* The new password: typed twice on a terminal, else the first line of
 * stdin (for scripts: printf '%s\n' "$pw" | camcat passwd ...). 0 or 1/2
 * (exit status) after saying why. */
static int get_password(const char *user, const char *realm, char *pw, size_t size)
{
    int rc;
    if (isatty(STDIN_FILENO)) {
        char prompt[160], again[PASSWORD_MAX + 2];
        snprintf(prompt, sizeof(prompt), "New password for %s (realm %s): ", user, realm);
        rc = read_hidden(prompt, pw, size);
        if (rc == 0)
            rc = read_hidden("Again: ", again, sizeof(again));
        if (rc == 0 && strcmp(pw, again) != 0) {
            fprintf(stderr, "camcat passwd: the passwords differ; nothing changed\n");
            rc = 2;
        }
        memset(again, 0, sizeof(again));
    } else {
        rc = read_line(stdin, pw, size);
    }
    if (rc < 0) {
        fprintf(stderr, "camcat passwd: no password read%s\n",
                rc == -E2BIG     ? " (longer than 1024 bytes)"
                : rc == -ENODATA ? " (end of input)"
                                 : "");
        return 2;
    }
    if (rc == 0 && !pw[0]) {
        fprintf(stderr, "camcat passwd: an empty password is not allowed\n");
        return 2;
    }
    return rc;
}

/* The file's current text (empty when it does not exist yet) and its stat;
 * *exists says which. 0 or 1 after saying why. */
static int read_passwd_file(const char *file, struct cc_buf *text, struct stat *st, bool *exists)
{
    *exists = stat(file, st) == 0;
    if (!*exists && errno != ENOENT) {
        fprintf(stderr, "camcat passwd: %s: %s\n", file, strerror(errno));
        return 1;
    }
    int rc = *exists ? cc_read_file(file, CC_OPEN_FOLLOW, CC_HTDIGEST_MAX_FILE, text) : 0;
    if (rc < 0) {
        fprintf(stderr, "camcat passwd: %s: %s\n", file, strerror(-rc));
        return 1;
    }
    return 0;
}

/* Writes the new text: a new file is 0600; an existing one keeps its mode
 * (less any world bits) and, when root edits it, its owner, so the camcatd
 * user can still read a file root updated. */
static int write_passwd_file(const char *file, const struct cc_buf *out, const struct stat *st,
                             bool exists)
{
    mode_t mode = exists ? (st->st_mode & 0770) | 0600 : 0600;
    int rc = cc_write_atomic_mode(file, out->data, out->len, mode);
    if (rc == 0 && exists && geteuid() == 0 && (st->st_uid != 0 || st->st_gid != 0) &&
        chown(file, st->st_uid, st->st_gid) < 0)
        rc = -errno;
    if (rc < 0) {
        fprintf(stderr, "camcat passwd: cannot write %s: %s\n", file, strerror(-rc));
        return 1;
    }
    return 0;
}

static int cmd_passwd(int argc, char **argv)
{
    static const struct option opts[] = {{"realm", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *realm = "camcat";
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'h') {
            printf("usage: camcat passwd FILE USER [--realm REALM]\n"
                   "Adds USER to camcatd's auth_file (htdigest format) or changes their\n"
                   "password; other lines are kept. The password is read twice without echo\n"
                   "from a terminal, else as one line from stdin. REALM must equal camcatd's\n"
                   "auth_realm (default camcat). A new file is created with mode 0600.\n");
            return 0;
        }
        if (ch != 'r')
            return bad_usage("bad arguments", "passwd");
        realm = optarg;
    }
    if (argc - optind != 2)
        return bad_usage("FILE and USER expected", "passwd");
    const char *file = argv[optind], *user = argv[optind + 1];
    if (!cc_htdigest_name_ok(user))
        return bad_usage("USER must be 1-64 printable ASCII characters without : \" or \\",
                         "passwd");
    if (!cc_htdigest_name_ok(realm))
        return bad_usage("REALM must be 1-64 printable ASCII characters without : \" or \\",
                         "passwd");
    struct cc_buf text, out;
    cc_buf_init(&text);
    cc_buf_init(&out);
    struct stat st;
    bool exists;
    char pw[PASSWORD_MAX + 2], ha1[CC_MD5_HEX], err[128];
    size_t users; /* not needed: any number of users is fine */
    int rc = read_passwd_file(file, &text, &st, &exists);
    if (rc)
        goto out;
    if (cc_htdigest_check(text.data ? text.data : "", text.len, realm, &users, err, sizeof(err)) <
        0) {
        fprintf(stderr, "camcat passwd: %s: %s; fix it first, nothing changed\n", file, err);
        rc = 1;
        goto out;
    }
    rc = get_password(user, realm, pw, sizeof(pw));
    if (rc)
        goto out;
    cc_htdigest_ha1(user, realm, pw, ha1);
    memset(pw, 0, sizeof(pw));
    enum cc_htdigest_change what = cc_htdigest_set(text.data ? text.data : "", text.len, user,
                                                   realm, ha1, &out);
    /* The same password gives the same hash: leave the file (and the flash) alone. */
    if (what != CC_HTDIGEST_UNCHANGED)
        rc = write_passwd_file(file, &out, &st, exists);
    static const char *const said[] = {[CC_HTDIGEST_UNCHANGED] = "unchanged (same password)",
                                       [CC_HTDIGEST_ADDED] = "added",
                                       [CC_HTDIGEST_CHANGED] = "password changed"};
    if (rc == 0)
        printf("%s: %s %s, realm %s\n", file, user, said[what], realm);
out:
    cc_buf_free(&text);
    cc_buf_free(&out);
    return rc;
}

/* ---- cert ----------------------------------------------------------------- */

static int cert_usage(void)
{
    printf("usage: camcat cert --out FILE [--cn NAME] [--san ADDR]... [--days N] [--force]\n"
           "Makes an ECDSA P-256 key and a self-signed certificate for camcatd's HTTPS\n"
           "(tls_cert = FILE) and prints its SHA-256 fingerprint, the value to pin: the\n"
           "browser shows it in its warning, camcatd logs it and /api/health reports it.\n"
           "  --san ADDR  an IP address or host name browsers will reach the camera by\n"
           "              (repeatable, up to %d; default: the --cn name)\n"
           "  --cn NAME   the certificate's name (default camcat)\n"
           "  --days N    validity, 1 to 3650 (default 825, the longest Apple platforms\n"
           "              accept for a trusted server certificate)\n"
           "  --force     replace an existing FILE (its fingerprint changes)\n"
           "FILE holds the private key: it is written atomically with mode 0600.\n"
           "Needs libcrypto.so.3 (Debian libssl3) when run.\n",
           CERTGEN_MAX_SAN);
    return 0;
}

static int cert_args(int argc, char **argv, struct certgen_req *req, const char **out, bool *force)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"cn", required_argument, NULL, 'c'},
                                         {"san", required_argument, NULL, 's'},
                                         {"days", required_argument, NULL, 'd'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    optind = 1;
    for (int ch; (ch = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        char *end;
        if (ch == 'h')
            return cert_usage() + 1;
        else if (ch == 'o')
            *out = optarg;
        else if (ch == 'c')
            req->cn = optarg;
        else if (ch == 'f')
            *force = true;
        else if (ch == 's' && req->nsan < CERTGEN_MAX_SAN && *optarg &&
                 !strpbrk(optarg, ", \t\r\n"))
            req->san[req->nsan++] = optarg;
        else if (ch == 'd' && (req->days = (int)strtol(optarg, &end, 10), !*end) &&
                 req->days >= 1 && req->days <= 3650)
            continue;
        else
            return bad_usage(ch == 's'   ? "--san takes one address or name (at most 16)"
                             : ch == 'd' ? "--days takes 1 to 3650"
                                         : "bad arguments",
                             "cert");
    }
    if (optind != argc || !*out)
        return bad_usage("--out FILE expected", "cert");
    if (!*req->cn || strlen(req->cn) > 64 || strpbrk(req->cn, ",/=\n"))
        return bad_usage("--cn takes a name of 1-64 characters without , / =", "cert");
    if (req->nsan == 0)
        req->san[req->nsan++] = req->cn;
    return 0;
}

static int cmd_cert(int argc, char **argv)
{
    struct certgen_req req = {.cn = "camcat", .days = 825};
    const char *out = NULL;
    bool force = false;
    int rc = cert_args(argc, argv, &req, &out, &force);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct stat st;
    if (!force && lstat(out, &st) == 0) {
        fprintf(stderr,
                "camcat cert: %s exists; --force replaces it (and its fingerprint, "
                "which browsers that pinned it will then refuse)\n",
                out);
        return 1;
    }
    struct cc_buf pem;
    cc_buf_init(&pem);
    char err[512], fp[CC_PEM_FP_STR];
    rc = 1;
    if (certgen_make(&req, &pem, err, sizeof(err)) < 0) {
        fprintf(stderr, "camcat cert: %s\n", err);
        goto out;
    }
    if (cc_pem_cert_fingerprint(pem.data, pem.len, fp) < 0) {
        fprintf(stderr, "camcat cert: libcrypto wrote no certificate we can read\n");
        goto out;
    }
    int wrc = cc_write_atomic_mode(out, pem.data, pem.len, 0600);
    if (wrc < 0) {
        fprintf(stderr, "camcat cert: %s: %s\n", out, strerror(-wrc));
        goto out;
    }
    printf("%s: ECDSA P-256 key and self-signed certificate, CN=%s, valid %d days, for", out,
           req.cn, req.days);
    for (int i = 0; i < req.nsan; i++)
        printf(" %s", req.san[i]);
    printf("\nSHA-256 fingerprint: %s\n", fp);
    rc = 0;
out:
    cc_buf_free(&pem);
    return rc;
}

/* ---- probe ---------------------------------------------------------------- */

struct probe_args {
    const char *file;
    const char *thumb;
    double duration_s; /* the chunk's EXTINF, for a bitrate; 0: unknown */
};

static int parse_probe_args(int argc, char **argv, struct probe_args *a)
{
    static const struct option opts[] = {{"duration", required_argument, NULL, 'd'},
                                         {"thumb", required_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof(*a));
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end;
        if (ch == 'd') {
            a->duration_s = strtod(optarg, &end);
            if (*end || !(a->duration_s > 0 && a->duration_s < 1e6)) {
                bad_usage("--duration takes seconds > 0", "probe");
                return -1;
            }
        } else if (ch == 't') {
            a->thumb = optarg;
        } else if (ch == 'h') {
            printf("usage: camcat probe FILE.ts [--duration S] [--thumb OUT.mp4]\n"
                   "Prints, as JSON, what an MPEG-TS chunk holds (codec, profile, level,\n"
                   "size, frame rate, audio) and where its first keyframe is. With the\n"
                   "chunk's duration (its EXTINF) also a bitrate estimate: file bytes x 8 /\n"
                   "duration, which counts the TS overhead too (reads a few %% high).\n"
                   "--thumb writes the keyframe as a one-frame MP4, as GET\n"
                   "/api/thumb.mp4 serves it.\n");
            return 1;
        } else {
            return -1;
        }
    }
    if (optind + 1 != argc) {
        bad_usage("one FILE.ts expected", "probe");
        return -1;
    }
    a->file = argv[optind];
    return 0;
}

static void probe_print(const struct probe_args *a, const struct cc_probe *p, uint64_t size,
                        uint64_t read, uint64_t kf_read)
{
    struct cc_buf out;
    struct cc_json j;
    cc_buf_init(&out);
    cc_json_init(&j, &out);
    cc_json_obj_open(&j);
    cc_json_key(&j, "file");
    cc_json_str(&j, a->file);
    cc_json_key(&j, "bytes");
    cc_json_int(&j, (int64_t)size);
    cc_json_key(&j, "bitrate");
    if (a->duration_s > 0)
        cc_json_int(&j, (int64_t)((double)size * 8 / a->duration_s));
    else
        cc_json_null(&j);
    cc_probe_props_json(&p->props, &j);
    cc_json_key(&j, "keyframe");
    if (cc_probe_has_keyframe(p)) {
        cc_json_obj_open(&j);
        cc_json_key(&j, "offset");
        cc_json_int(&j, (int64_t)p->kf.ts_start);
        cc_json_key(&j, "size");
        cc_json_int(&j, (int64_t)(p->kf.ts_end - p->kf.ts_start));
        cc_json_key(&j, "access_unit_bytes");
        cc_json_int(&j, (int64_t)p->kf.au.len);
        cc_json_key(&j, "pts");
        cc_json_int(&j, p->kf.pts);
        cc_json_key(&j, "nal_type");
        cc_json_int(&j, p->kf.nal_type);
        cc_json_key(&j, "bytes_read"); /* what a thumbnail costs: no audio wanted */
        cc_json_int(&j, (int64_t)kf_read);
        cc_json_obj_close(&j);
    } else {
        cc_json_null(&j);
    }
    cc_json_key(&j, "bytes_read");
    cc_json_int(&j, (int64_t)read);
    cc_json_obj_close(&j);
    printf("%s\n", out.data);
    cc_buf_free(&out);
}

static int probe_thumb(const char *path, const struct cc_probe *p)
{
    struct cc_buf mp4;
    cc_buf_init(&mp4);
    int rc = cc_probe_thumb(p, CC_MP4_TIMESCALE / 10, &mp4);
    if (rc == 0)
        rc = cc_write_atomic(path, mp4.data, mp4.len);
    if (rc < 0)
        fprintf(stderr, "camcat probe: %s: %s\n", path,
                rc == -ENOENT ? "no complete keyframe in the chunk" : strerror(-rc));
    cc_buf_free(&mp4);
    return rc < 0 ? 1 : 0;
}

static int cmd_probe(int argc, char **argv)
{
    struct probe_args a;
    int rc = parse_probe_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? 2 : 0;
    struct stat st;
    int fd = cc_open_regular(AT_FDCWD, a.file, CC_OPEN_FOLLOW, &st);
    if (fd < 0) {
        fprintf(stderr, "camcat probe: %s: %s\n", a.file,
                fd == -EINVAL ? "not a regular file" : strerror(-fd));
        return 1;
    }
    struct cc_probe p, v;
    cc_probe_init(&p, true);
    cc_probe_init(&v, false);
    uint64_t read = 0, kf_read = 0;
    rc = cc_probe_fd(&p, fd, &read);
    if (rc == 0)
        rc = cc_probe_fd(&v, fd, &kf_read);
    close(fd);
    if (rc < 0) {
        fprintf(stderr, "camcat probe: %s: %s\n", a.file, strerror(-rc));
        rc = 1;
    } else {
        probe_print(&a, &p, (uint64_t)st.st_size, read, kf_read);
        rc = a.thumb ? probe_thumb(a.thumb, &v) : 0;
    }
    cc_probe_free(&p);
    cc_probe_free(&v);
    return rc;
}

/* One chunk's keyframe into the time-lapse: 0 (added or skipped), or 1. */
static int preview_one(const char *file, struct cc_preview *pv, struct cc_buf *out)
{
    struct stat st;
    int fd = cc_open_regular(AT_FDCWD, file, CC_OPEN_FOLLOW, &st);
    if (fd < 0) {
        fprintf(stderr, "camcat preview: %s: %s\n", file,
                fd == -EINVAL ? "not a regular file" : strerror(-fd));
        return 1;
    }
    struct cc_probe p;
    cc_probe_init(&p, false);
    uint64_t read;
    int rc = cc_probe_fd(&p, fd, &read);
    close(fd);
    if (rc == 0)
        rc = cc_preview_add(pv, &p, out);
    cc_probe_free(&p);
    if (rc == -EXDEV || rc == -ENOENT) {
        fprintf(stderr, "camcat preview: %s: skipped (%s)\n", file,
                rc == -ENOENT ? "no keyframe" : "other parameter sets than the first");
        return 0;
    }
    if (rc < 0)
        fprintf(stderr, "camcat preview: %s: %s\n", file, strerror(-rc));
    return rc < 0;
}

static int cmd_preview(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        printf("usage: camcat preview OUT.mp4 FILE.ts...\n"
               "Writes the first keyframe of each chunk, in the order given, as a\n"
               "fragmented MP4 showing each for %d ms: the time-lapse GET\n"
               "/api/preview.mp4 serves. Remuxed, never re-encoded.\n",
               CC_PREVIEW_FRAME_MS);
        return 0;
    }
    if (argc < 3)
        return bad_usage("OUT.mp4 and at least one FILE.ts expected", "preview");
    struct cc_preview pv;
    struct cc_buf out;
    cc_preview_init(&pv, CC_PREVIEW_FRAME_MS * (CC_MP4_TIMESCALE / 1000));
    cc_buf_init(&out);
    int rc = 0;
    for (int i = 2; i < argc && rc == 0; i++)
        rc = preview_one(argv[i], &pv, &out);
    if (rc == 0 && !pv.frames) {
        fprintf(stderr, "camcat preview: no keyframe in any chunk\n");
        rc = 1;
    }
    if (rc == 0 && cc_write_atomic(argv[1], out.data, out.len) < 0) {
        fprintf(stderr, "camcat preview: %s: cannot write\n", argv[1]);
        rc = 1;
    }
    if (rc == 0)
        printf("%u frames, %u skipped, %zu bytes\n", pv.frames, pv.skipped, out.len);
    cc_buf_free(&out);
    cc_preview_free(&pv);
    return rc;
}

/* Set by SIGINT/SIGTERM: the recording ends cleanly (with ENDLIST). */
static volatile sig_atomic_t record_stop;

static void on_record_signal(int sig)
{
    (void)sig;
    record_stop = 1;
}

static int record_usage(void)
{
    printf("usage: camcat record --root ROOT [--chunk-s N] [--max-chunk-s N] [--max-chunk-mb N]"
           " < STREAM.ts\n"
           "Records an MPEG-TS stream (H.264/H.265, any audio) read from stdin into\n"
           "ROOT/YYYY-MM-DD/NNNNN/ as HLS chunks cut at keyframes every N s (default 2),\n"
           "as camcatd's POST /api/ingest does. End of input or SIGINT/SIGTERM close\n"
           "the recording (#EXT-X-ENDLIST); a read error leaves it interrupted.\n"
           "Exit 0 ok, 1 the stream was refused or a write failed, 2 bad arguments.\n");
    return 0;
}

static int parse_seconds(const char *s, int min, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < min || v > max)
        return -EINVAL;
    *out = (int)v;
    return 0;
}

/* Reads stdin to the end into the ingest; 0 at EOF or a stop signal, else -errno. */
static int record_pump(struct cc_ingest *in)
{
    /* 16 KiB: the bound of a chunk in memory counts this too (a pipe gives
     * at most 64 KiB a read; more reads cost little). */
    static uint8_t buf[16 * 1024];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno == EINTR && record_stop))
            return 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        int rc = cc_ingest_feed(in, buf, (size_t)n, cc_now_ns() / 1000000);
        if (rc < 0 || record_stop)
            return rc;
    }
}

static int cmd_record(int argc, char **argv)
{
    const char *root = NULL;
    int chunk_s = 2, max_chunk_s = 10, max_chunk_mb = 16;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help"))
            return record_usage();
        int rc = -EINVAL;
        if (v && !strcmp(a, "--root"))
            root = v, rc = 0;
        else if (v && !strcmp(a, "--chunk-s"))
            rc = parse_seconds(v, 1, 60, &chunk_s);
        else if (v && !strcmp(a, "--max-chunk-s"))
            rc = parse_seconds(v, 2, 600, &max_chunk_s);
        else if (v && !strcmp(a, "--max-chunk-mb"))
            rc = parse_seconds(v, 1, 1024, &max_chunk_mb);
        if (rc < 0)
            return bad_usage("bad arguments", "record");
        i++;
    }
    if (!root)
        return bad_usage("--root ROOT expected", "record");
    if (max_chunk_s <= chunk_s)
        return bad_usage("--max-chunk-s must be longer than --chunk-s", "record");
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_record_signal; /* no SA_RESTART: read() returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct cc_seg_config cfg = {.chunk_ms = (uint32_t)chunk_s * 1000,
                                .max_chunk_ms = (uint32_t)max_chunk_s * 1000,
                                .max_chunk_bytes = (size_t)max_chunk_mb << 20};
    struct cc_ingest *in = cc_ingest_new(root, &cfg);
    int rc = record_pump(in);
    if (rc < 0 && !*cc_ingest_error(in)) {
        fprintf(stderr, "camcat record: reading stdin: %s\n", strerror(-rc));
        rc = cc_ingest_end(in, CC_INGEST_DROPPED);
    } else if (rc == 0) {
        rc = cc_ingest_end(in, CC_INGEST_CLEAN);
    }
    struct cc_recwriter_stats st;
    cc_ingest_get_stats(in, NULL, &st);
    if (*cc_ingest_error(in))
        fprintf(stderr, "camcat record: %s\n", cc_ingest_error(in));
    if (st.chunks)
        fprintf(stderr, "camcat record: %s: %u chunks, %.3f s, %llu bytes\n", cc_ingest_folder(in),
                st.chunks, (double)st.dur_ms / 1000, (unsigned long long)st.bytes);
    cc_ingest_free(in);
    return rc < 0;
}

int main(int argc, char **argv)
{
    cc_log_set_level(CC_LOG_WARN);
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "--log-level") == 0) {
        enum cc_log_level lvl;
        if (cc_log_parse_level(argv[i + 1], &lvl) < 0) {
            fprintf(stderr, "camcat: --log-level takes error, warn, info or debug\n");
            return 2;
        }
        cc_log_set_level(lvl);
        i += 2;
    }
    if (i >= argc) {
        usage_main(stderr);
        return 2;
    }
    const char *cmd = argv[i];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("camcat %s\n", CAMCAT_VERSION);
        return 0;
    }
    if (strcmp(cmd, "index") == 0)
        return cmd_index(argc - i, argv + i);
    if (strcmp(cmd, "dump") == 0)
        return cmd_dump(argc - i, argv + i);
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(argc - i, argv + i);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc - i, argv + i);
    if (strcmp(cmd, "passwd") == 0)
        return cmd_passwd(argc - i, argv + i);
    if (strcmp(cmd, "cert") == 0)
        return cmd_cert(argc - i, argv + i);
    if (strcmp(cmd, "probe") == 0)
        return cmd_probe(argc - i, argv + i);
    if (strcmp(cmd, "preview") == 0)
        return cmd_preview(argc - i, argv + i);
    if (strcmp(cmd, "record") == 0)
        return cmd_record(argc - i, argv + i);
    fprintf(stderr, "camcat: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return 2;
}
