/* recwriter — see recwriter.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "isotime.h"
#include "log.h"
#include "mem.h"
#include "recwriter.h"

#define PLAYLIST "index.m3u8"
#define MAX_FOLDER 99999

struct cc_recwriter {
    char *root;
    char folder[32];    /* "YYYY-MM-DD/NNNNN" once created */
    char dir[PATH_MAX]; /* root + folder */
    bool anchored;
    int64_t anchor_ms, anchor_pts;
    int off_min;
    struct cc_buf lines;   /* the playlist after its header */
    struct cc_buf scratch; /* the whole playlist, rebuilt per write */
    struct cc_recwriter_stats st;
    cc_recwriter_listed_fn on_listed;
    void *listed_ud;
};

void cc_recwriter_on_listed(struct cc_recwriter *w, cc_recwriter_listed_fn fn, void *ud)
{
    w->on_listed = fn;
    w->listed_ud = ud;
}

/* Tells the hook what is on disk now. A stat that fails tells nothing: the
 * index then finds the change by itself. */
static void tell_listed(struct cc_recwriter *w, const char *path)
{
    struct stat pl, dir;
    if (!w->on_listed || stat(path, &pl) < 0 || stat(w->dir, &dir) < 0)
        return;
    struct cc_recwriter_listed l = {w->folder,      PLAYLIST, w->scratch.data,
                                    w->scratch.len, &pl,      &dir};
    w->on_listed(w->listed_ud, &l);
}

struct cc_recwriter *cc_recwriter_new(const char *root)
{
    struct cc_recwriter *w = cc_xcalloc(1, sizeof(*w));
    w->root = cc_xstrdup(root);
    cc_buf_init(&w->lines);
    cc_buf_init(&w->scratch);
    return w;
}

void cc_recwriter_free(struct cc_recwriter *w)
{
    if (!w)
        return;
    free(w->root);
    cc_buf_free(&w->lines);
    cc_buf_free(&w->scratch);
    free(w);
}

void cc_recwriter_anchor(struct cc_recwriter *w, int64_t wall_ms, int64_t pts)
{
    w->anchored = true;
    w->anchor_ms = wall_ms;
    w->anchor_pts = pts;
    w->off_min = cc_local_offset_min(wall_ms);
}

bool cc_recwriter_anchored(const struct cc_recwriter *w)
{
    return w->anchored;
}

const char *cc_recwriter_folder(const struct cc_recwriter *w)
{
    return w->folder;
}

void cc_recwriter_get_stats(const struct cc_recwriter *w, struct cc_recwriter_stats *out)
{
    *out = w->st;
}

/* The largest NNNNN folder number in day (0 when none). */
static int last_folder(const char *day)
{
    DIR *d = opendir(day);
    if (!d)
        return 0;
    int max = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n != 5 || strspn(e->d_name, "0123456789") != 5)
            continue;
        int v = atoi(e->d_name);
        if (v > max)
            max = v;
    }
    closedir(d);
    return max;
}

/* Creates ROOT/DATE/NNNNN after the day's last folder: mkdir fails on an
 * existing name, so a folder is never reused, even with a recorder racing. */
static int make_folder(struct cc_recwriter *w)
{
    struct cc_date date;
    char ds[11], day[PATH_MAX];
    cc_date_of(w->anchor_ms, w->off_min, &date);
    cc_date_format(&date, ds);
    snprintf(day, sizeof(day), "%s/%s", w->root, ds);
    if (mkdir(day, 0755) < 0 && errno != EEXIST) {
        int err = errno;
        cc_err("recording: cannot create %s: %s", day, strerror(err));
        return -err;
    }
    for (int n = last_folder(day) + 1; n <= MAX_FOLDER; n++) {
        snprintf(w->folder, sizeof(w->folder), "%s/%05d", ds, n);
        snprintf(w->dir, sizeof(w->dir), "%s/%s", w->root, w->folder);
        if (mkdir(w->dir, 0755) == 0)
            return 0;
        if (errno != EEXIST) {
            int err = errno;
            cc_err("recording: cannot create %s: %s", w->dir, strerror(err));
            w->folder[0] = '\0';
            return -err;
        }
    }
    w->folder[0] = '\0';
    cc_err("recording: %s has no free folder number", day);
    return -ENOSPC;
}

/* One writev of everything, repeated only for a short write. */
static int write_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t r = writev(fd, iov, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        while (n > 0 && (size_t)r >= iov->iov_len) {
            r -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + r;
            iov->iov_len -= (size_t)r;
        }
    }
    return 0;
}

static int write_chunk(struct cc_recwriter *w, const char *name, const struct cc_seg_chunk *c)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/%s", w->dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        int err = errno;
        cc_err("recording: cannot create %s: %s", path, strerror(err));
        return -err;
    }
    struct iovec iov[2] = {{(void *)c->psi, c->psi_len}, {(void *)c->data, c->len}};
    int rc = c->psi_len ? write_all(fd, iov, 2) : write_all(fd, iov + 1, 1);
    w->st.file_writes++;
    if (rc == 0 && fdatasync(fd) < 0)
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc < 0) {
        cc_err("recording: writing %s failed: %s (removed; the playlist lists the chunks before "
               "it)",
               path, strerror(-rc));
        unlink(path);
        return rc;
    }
    w->st.bytes += c->psi_len + c->len;
    return 0;
}

static void unlink_chunk(const struct cc_recwriter *w, const char *name)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/%s", w->dir, name);
    if (unlink(path) < 0)
        cc_warn("recording: cannot remove unlisted %s: %s", path, strerror(errno));
}

static int write_playlist(struct cc_recwriter *w, bool endlist)
{
    struct cc_buf *b = &w->scratch;
    cc_buf_reset(b);
    cc_buf_printf(b,
                  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%u\n"
                  "#EXT-X-MEDIA-SEQUENCE:0\n",
                  w->st.target_s);
    cc_buf_append(b, w->lines.data, w->lines.len);
    if (endlist)
        cc_buf_puts(b, "#EXT-X-ENDLIST\n");
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/" PLAYLIST, w->dir);
    int rc = cc_write_atomic(path, b->data, b->len);
    if (rc < 0) {
        cc_err("recording: writing %s failed: %s", path, strerror(-rc));
        return rc;
    }
    w->st.playlist_writes++;
    tell_listed(w, path);
    return 0;
}

int cc_recwriter_chunk(struct cc_recwriter *w, const struct cc_seg_chunk *c)
{
    if (!w->anchored)
        cc_recwriter_anchor(w, cc_now_ns() / 1000000, c->pts);
    if (!w->folder[0]) {
        int rc = make_folder(w);
        if (rc < 0)
            return rc;
    }
    char name[24];
    snprintf(name, sizeof(name), "seg%05u.ts", c->seq);
    int rc = write_chunk(w, name, c);
    if (rc < 0)
        return rc;
    int64_t dur_ms = (c->dur + 45) / 90;
    int64_t delta = c->pts - w->anchor_pts;
    int64_t pdt = w->anchor_ms + (delta >= 0 ? (delta + 45) / 90 : -((-delta + 45) / 90));
    char iso[CC_ISO_MAX];
    cc_iso_format(pdt, w->off_min, iso);
    size_t mark = w->lines.len;
    cc_buf_printf(&w->lines, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:%.6f,\n%s\n", iso,
                  (double)c->dur / CC_SEG_HZ, name);
    uint32_t old_target = w->st.target_s;
    uint32_t target = (uint32_t)((dur_ms + 500) / 1000);
    if (target < 1)
        target = 1;
    if (target > w->st.target_s)
        w->st.target_s = target;
    rc = write_playlist(w, false);
    if (rc < 0) {
        /* The playlist on disk is the previous one: the chunk it does not
         * list goes, so the folder holds what it lists and a retry can
         * write the same name again. */
        w->lines.len = mark;
        w->st.target_s = old_target;
        unlink_chunk(w, name);
        return rc;
    }
    w->st.chunks++;
    w->st.dur_ms += dur_ms;
    return 0;
}

int cc_recwriter_close(struct cc_recwriter *w, bool endlist)
{
    if (!w->folder[0] || w->st.chunks == 0 || !endlist)
        return 0;
    return write_playlist(w, true);
}
