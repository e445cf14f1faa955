#include "retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "mem.h"

/* Deeper trees than DATE/NNNNN/sub/sub... are not a recorder's: left alone
 * (and the fds a recursive removal holds stay bounded). */
#define MAX_DEPTH 6

bool cc_ret_day_name_ok(const char *name)
{
    struct cc_date d;
    return cc_date_parse(name, strlen(name), &d) == 0;
}

bool cc_ret_folder_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++)
        if (name[i] < '0' || name[i] > '9')
            return false;
    return true;
}

const char *cc_ret_reason_name(enum cc_ret_reason r)
{
    return r == CC_RET_AGE     ? "older than retain_days"
           : r == CC_RET_SPACE ? "free space under the floor"
                               : "on request";
}

int cc_ret_statvfs(void *ud, const char *root, struct cc_fs_space *out)
{
    (void)ud;
    struct statvfs vfs;
    if (statvfs(root, &vfs) < 0)
        return -errno;
    out->total_bytes = (uint64_t)vfs.f_blocks * vfs.f_frsize;
    out->free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    return 0;
}

/* ---- inventory ------------------------------------------------------------ */

static int cmp_day(const void *a, const void *b)
{
    const struct cc_ret_day *x = a, *y = b;
    int64_t dx = cc_days_from_civil(x->date.year, x->date.month, x->date.day);
    int64_t dy = cc_days_from_civil(y->date.year, y->date.month, y->date.day);
    return dx < dy ? -1 : dx > dy;
}

/* Day folders and symlinks named like days (the catalog lists only the
 * folders: a link is no recording, but an old one still goes with age). */
static int list_days(const char *root, struct cc_ret_inventory *inv)
{
    DIR *dir = opendir(root);
    if (!dir)
        return -errno;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        struct cc_date date;
        struct stat st;
        if (cc_date_parse(de->d_name, strlen(de->d_name), &date) < 0 ||
            fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !(S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
            continue;
        cc_grow(&inv->days, &cap, inv->ndays + 1, sizeof(*inv->days));
        struct cc_ret_day *d = &inv->days[inv->ndays++];
        memset(d, 0, sizeof(*d));
        d->date = date;
        cc_date_format(&date, d->name);
        d->is_link = S_ISLNK(st.st_mode);
    }
    closedir(dir);
    if (inv->ndays)
        qsort(inv->days, inv->ndays, sizeof(*inv->days), cmp_day);
    return 0;
}

/* The bytes of a day's folders: its segments, and events files by folder. */
static void fill_folders(struct cc_ret_day *rd, const struct cc_day *d)
{
    size_t cap = 0;
    int64_t now = cc_now_ns();
    rd->bytes = d->bytes;
    for (uint32_t i = 0; i < d->nsegs; i++) {
        const struct cc_segment *s = &d->segs[i];
        if (!rd->nfolders || strcmp(rd->folders[rd->nfolders - 1].name, s->id) != 0) {
            if (strlen(s->id) >= CC_RET_FOLDER_MAX)
                continue;
            cc_grow(&rd->folders, &cap, rd->nfolders + 1, sizeof(*rd->folders));
            struct cc_ret_folder *f = &rd->folders[rd->nfolders++];
            memset(f, 0, sizeof(*f));
            strcpy(f->name, s->id);
        }
        rd->folders[rd->nfolders - 1].bytes += s->media_bytes + s->pl_bytes;
        if (cc_segment_recording(s, now))
            rd->folders[rd->nfolders - 1].recording = rd->recording = true;
    }
    for (uint32_t i = 0; i < d->nevfiles; i++) {
        /* "DATE/NNNNN/events.txt" */
        const char *p = d->evfiles[i].path + 11, *slash = strchr(p, '/');
        for (size_t k = 0; slash && k < rd->nfolders; k++) {
            if (strlen(rd->folders[k].name) == (size_t)(slash - p) &&
                !strncmp(rd->folders[k].name, p, (size_t)(slash - p)))
                rd->folders[k].bytes += d->evfiles[i].bytes;
        }
    }
}

int cc_ret_inventory_build(struct cc_catalog *cat, struct cc_ret_inventory *inv)
{
    memset(inv, 0, sizeof(*inv));
    int rc = list_days(cc_catalog_root(cat), inv);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < inv->ndays; i++) {
        struct cc_ret_day *rd = &inv->days[i];
        const struct cc_day *d;
        if (rd->is_link)
            continue;
        int r = cc_catalog_get_day_sized(cat, &rd->date, &d);
        if (r < 0) {
            if (r != -ENOENT)
                cc_warn("retention: day %s: %s (its size is unknown)", rd->name, strerror(-r));
            continue;
        }
        fill_folders(rd, d);
        cc_catalog_release(cat, d);
    }
    return 0;
}

void cc_ret_inventory_free(struct cc_ret_inventory *inv)
{
    for (size_t i = 0; i < inv->ndays; i++)
        free(inv->days[i].folders);
    free(inv->days);
    memset(inv, 0, sizeof(*inv));
}

/* ---- planning --------------------------------------------------------------- */

void cc_ret_plan_add(struct cc_ret_plan *p, const char *date, const char *folder, uint64_t bytes,
                     enum cc_ret_reason reason)
{
    cc_grow(&p->items, &p->cap, p->n + 1, sizeof(*p->items));
    struct cc_ret_item *it = &p->items[p->n++];
    memset(it, 0, sizeof(*it));
    snprintf(it->date, sizeof(it->date), "%s", date);
    snprintf(it->folder, sizeof(it->folder), "%s", folder ? folder : "");
    it->bytes = bytes;
    it->reason = reason;
    p->bytes += bytes;
}

void cc_ret_plan_free(struct cc_ret_plan *p)
{
    free(p->items);
    memset(p, 0, sizeof(*p));
}

struct planner {
    const struct cc_ret_inventory *inv;
    struct cc_ret_plan *out;
    uint64_t free_bytes;
    size_t next_day;    /* days before it are planned away */
    size_t next_folder; /* in next_day, when it stays as a whole */
};

/* The day holding the recording folder, and the newest day (the recorder may
 * open a new folder in it any moment), never go as a whole. */
static bool keep_whole(const struct planner *pl, size_t i)
{
    return i + 1 == pl->inv->ndays || pl->inv->days[i].recording;
}

/* Plans the next removable unit of day next_day: the whole day, or its next
 * closed folder. False when that day has nothing left to give. */
static bool take_next(struct planner *pl, enum cc_ret_reason why)
{
    const struct cc_ret_day *d = &pl->inv->days[pl->next_day];
    if (!keep_whole(pl, pl->next_day)) {
        cc_ret_plan_add(pl->out, d->name, NULL, d->bytes, why);
        pl->free_bytes += d->bytes;
        pl->next_day++;
        pl->next_folder = 0;
        return true;
    }
    while (pl->next_folder < d->nfolders) {
        const struct cc_ret_folder *f = &d->folders[pl->next_folder++];
        if (f->recording)
            continue;
        cc_ret_plan_add(pl->out, d->name, f->name, f->bytes, why);
        pl->free_bytes += f->bytes;
        return true;
    }
    pl->next_day++;
    pl->next_folder = 0;
    return false;
}

void cc_ret_plan(const struct cc_ret_inventory *inv, const struct cc_ret_policy *policy,
                 const struct cc_date *today, const struct cc_fs_space *space,
                 struct cc_ret_plan *out)
{
    memset(out, 0, sizeof(*out));
    struct planner pl = {.inv = inv, .out = out, .free_bytes = space->free_bytes};
    int64_t today_n = cc_days_from_civil(today->year, today->month, today->day);
    while (policy->retain_days > 0 && pl.next_day < inv->ndays) {
        const struct cc_date *dd = &inv->days[pl.next_day].date;
        if (today_n - cc_days_from_civil(dd->year, dd->month, dd->day) < policy->retain_days)
            break;
        /* An old day goes whole, or folder by folder when it must stay. */
        size_t day = pl.next_day;
        while (pl.next_day == day && take_next(&pl, CC_RET_AGE))
            ;
    }
    uint64_t by_mb = (uint64_t)(policy->min_free_mb > 0 ? policy->min_free_mb : 0) << 20;
    uint64_t by_pct = space->total_bytes / 100 *
                      (uint64_t)(policy->min_free_pct > 0 ? policy->min_free_pct : 0);
    out->floor_bytes = by_mb > by_pct ? by_mb : by_pct;
    while (pl.free_bytes < out->floor_bytes && pl.next_day < inv->ndays)
        take_next(&pl, CC_RET_SPACE);
    out->floor_unreachable = pl.free_bytes < out->floor_bytes;
}

/* ---- executing --------------------------------------------------------------- */

/* The mount a folder is on. st_dev alone misses a bind mount of another
 * folder of the same file system (same device), so the mount ID is compared
 * too wherever the kernel reports it (statx, Linux 5.8). */
struct mount_at {
    dev_t dev;
    uint64_t mnt_id;
    bool has_mnt_id;
};

static int mount_of(int dirfd, const char *name, struct mount_at *out)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)) < 0)
        return -errno;
    out->dev = st.st_dev;
    struct statx sx;
    out->has_mnt_id = statx(dirfd, name, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH),
                            STATX_MNT_ID, &sx) == 0 &&
                      (sx.stx_mask & STATX_MNT_ID);
    out->mnt_id = out->has_mnt_id ? sx.stx_mnt_id : 0;
    return 0;
}

static bool same_mount(int parent, const char *name, const struct mount_at *root)
{
    struct mount_at here;
    if (mount_of(parent, name, &here) < 0 || here.dev != root->dev)
        return false;
    return !root->has_mnt_id || (here.has_mnt_id && here.mnt_id == root->mnt_id);
}

/* Mount points below ROOT, read from /proc/self/mountinfo once per
 * execution: where statx reports no mount ID (Linux before 5.8, qemu-user),
 * a bind mount of a folder of the same file system has ROOT's st_dev and
 * only this list shows it. Paths are absolute, octal escapes decoded. */
struct mounts {
    char **paths;
    size_t n;
};

static bool is_octal(char c)
{
    return c >= '0' && c <= '7';
}

/* A mountinfo path field: the kernel writes space, tab, newline and
 * backslash as \ooo. */
static char *mountinfo_path(const char *field, size_t len)
{
    char *out = cc_xmalloc(len + 1);
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        if (field[i] == '\\' && i + 3 < len && is_octal(field[i + 1]) && is_octal(field[i + 2]) &&
            is_octal(field[i + 3])) {
            out[w++] = (char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) |
                              (field[i + 3] - '0'));
            i += 3;
        } else {
            out[w++] = field[i];
        }
    }
    out[w] = '\0';
    return out;
}

static void mounts_load(const char *root_real, struct mounts *m)
{
    memset(m, 0, sizeof(*m));
    struct cc_buf b;
    cc_buf_init(&b);
    if (cc_read_file("/proc/self/mountinfo", 0, 4u << 20, &b) < 0 || !b.len) {
        cc_buf_free(&b);
        return;
    }
    size_t cap = 0, rl = strlen(root_real);
    for (const char *line = b.data, *end = b.data + b.len; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        const char *f = line;
        for (int k = 0; k < 4 && f < le; k++) { /* the 5th field: the mount point */
            const char *sp = memchr(f, ' ', (size_t)(le - f));
            f = sp ? sp + 1 : le;
        }
        const char *fe = memchr(f, ' ', (size_t)(le - f));
        char *path = mountinfo_path(f, (size_t)((fe ? fe : le) - f));
        if (strncmp(path, root_real, rl) == 0 && path[rl] == '/') {
            cc_grow(&m->paths, &cap, m->n + 1, sizeof(*m->paths));
            m->paths[m->n++] = path;
        } else {
            free(path);
        }
        line = le + 1;
    }
    cc_buf_free(&b);
}

static void mounts_free(struct mounts *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->paths[i]);
    free(m->paths);
}

/* Is something mounted at or below ROOT/rel? */
static bool mounts_below(const struct mounts *m, const char *root_real, const char *rel)
{
    size_t rl = strlen(root_real), nl = strlen(rel);
    for (size_t i = 0; i < m->n; i++) {
        const char *p = m->paths[i] + rl + 1; /* past "ROOT/" */
        if (strncmp(p, rel, nl) == 0 && (p[nl] == '\0' || p[nl] == '/'))
            return true;
    }
    return false;
}

/* Removes parent/name: a file or link is unlinked (a link's target is never
 * touched), a folder emptied through its own fd and removed. */
static int remove_tree(int parent, const char *name, const struct mount_at *mnt, int depth,
                       uint64_t *freed)
{
    struct stat st;
    if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(parent, name, 0) < 0)
            return errno == ENOENT ? 0 : -errno;
        if (st.st_nlink <= 1) /* a file with other hard links frees nothing yet */
            *freed += (uint64_t)st.st_blocks * 512;
        return 0;
    }
    if (!same_mount(parent, name, mnt))
        return -EXDEV; /* a mount point: what is mounted there is not ours */
    if (depth > MAX_DEPTH)
        return -ELOOP;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat now;
    DIR *dir = NULL;
    int rc = 0;
    /* Swapped for another folder between the stat and the open: leave it. */
    if (fstat(fd, &now) < 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
        close(fd);
        return -ESTALE;
    }
    dir = fdopendir(fd);
    if (!dir) {
        rc = -errno;
        close(fd);
        return rc;
    }
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        int r = remove_tree(fd, de->d_name, mnt, depth + 1, freed);
        if (r < 0 && rc == 0)
            rc = r;
    }
    closedir(dir);
    if (rc == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0)
        rc = -errno;
    if (rc == 0)
        *freed += (uint64_t)st.st_blocks * 512;
    return rc;
}

/* Refuses what retention must never delete, whatever the plan says. The
 * recording check is made now, on the day as the catalog sees it now: a plan
 * can be older than a boot that started recording into an old day. */
static const char *refusal(struct cc_catalog *cat, const struct cc_ret_item *it)
{
    if (!cc_ret_day_name_ok(it->date))
        return "not a day name";
    if (it->folder[0] && !cc_ret_folder_name_ok(it->folder))
        return "not a segment folder name";
    struct cc_date date;
    cc_date_parse(it->date, strlen(it->date), &date);
    const struct cc_day *d;
    int rc = cc_catalog_get_day(cat, &date, &d);
    if (rc == -ENOENT)
        return NULL; /* gone, or a link named like a day: nothing records there */
    if (rc < 0)
        return "its day cannot be indexed, so a recording in it cannot be ruled out";
    const char *why = NULL;
    for (uint32_t i = 0; i < d->nsegs && !why; i++)
        if ((!it->folder[0] || !strcmp(d->segs[i].id, it->folder)) &&
            cc_catalog_is_recording(cat, d, i))
            why = "holds the folder being recorded";
    cc_catalog_release(cat, d);
    return why;
}

static int remove_item(int rootfd, const struct mount_at *mnt, const struct cc_ret_item *it,
                       uint64_t *freed)
{
    if (!it->folder[0])
        return remove_tree(rootfd, it->date, mnt, 0, freed);
    int dfd = openat(rootfd, it->date, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        return errno == ENOENT ? 0 : -errno;
    int rc = remove_tree(dfd, it->folder, mnt, 1, freed);
    close(dfd);
    return rc;
}

static void log_item(const struct cc_ret_item *it, bool dry_run, uint64_t freed, int rc)
{
    const char *what = it->folder[0] ? "folder" : "day";
    char name[40];
    snprintf(name, sizeof(name), "%s%s%s", it->date, it->folder[0] ? "/" : "", it->folder);
    if (dry_run)
        cc_info("retention (dry run): would remove %s %s (%s), %llu bytes", what, name,
                cc_ret_reason_name(it->reason), (unsigned long long)it->bytes);
    else if (rc == 0)
        cc_info("retention: removed %s %s (%s), %llu bytes freed", what, name,
                cc_ret_reason_name(it->reason), (unsigned long long)freed);
    else
        cc_warn("retention: cannot remove %s %s: %s (%llu bytes freed)", what, name, strerror(-rc),
                (unsigned long long)freed);
}

int cc_ret_execute(const char *root, struct cc_catalog *cat, const struct cc_ret_plan *plan,
                   bool dry_run, const atomic_bool *stop, struct cc_ret_result *res)
{
    memset(res, 0, sizeof(*res));
    int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct mount_at mnt;
    int err = rootfd < 0 ? -errno : mount_of(rootfd, "", &mnt);
    if (err < 0) {
        if (rootfd >= 0)
            close(rootfd);
        return err;
    }
    char root_real[PATH_MAX];
    struct mounts mounts = {0};
    if (realpath(root, root_real))
        mounts_load(root_real, &mounts);
    int first = 0;
    for (size_t i = 0; i < plan->n && !(stop && atomic_load(stop)); i++) {
        const struct cc_ret_item *it = &plan->items[i];
        const char *why = refusal(cat, it);
        if (why) {
            cc_warn("retention: refusing %s%s%s: %s", it->date, it->folder[0] ? "/" : "",
                    it->folder, why);
            res->failed++;
            continue;
        }
        uint64_t freed = 0;
        char rel[40];
        snprintf(rel, sizeof(rel), "%s%s%s", it->date, it->folder[0] ? "/" : "", it->folder);
        int rc = mounts_below(&mounts, root_real, rel) ? -EXDEV
                 : dry_run                             ? 0
                                                       : remove_item(rootfd, &mnt, it, &freed);
        log_item(it, dry_run, freed, rc);
        res->bytes_freed += freed;
        if (rc < 0) {
            res->failed++;
            first = first ? first : rc;
        } else if (!dry_run) {
            res->removed++;
        }
        if (!dry_run) {
            struct cc_date d;
            cc_date_parse(it->date, 10, &d);
            cc_catalog_forget(cat, &d, rc == 0 && !it->folder[0]);
        }
    }
    mounts_free(&mounts);
    close(rootfd);
    return first;
}
