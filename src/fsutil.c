#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif
#endif

#include "log.h"
#include "mem.h"

/* A statistic, not state the program depends on. */
static _Atomic uint64_t bytes_written;

/* Test seam (see fsutil.h): one pending fault, consumed by the next write. */
static _Atomic int fault_where;
static _Atomic int fault_err;

uint64_t cc_fs_bytes_written(void)
{
    return atomic_load(&bytes_written);
}

void cc_fs_inject_fault(enum cc_fs_fault where, int err)
{
    atomic_store(&fault_err, err);
    atomic_store(&fault_where, (int)where);
}

static int take_fault(enum cc_fs_fault where)
{
    int expected = (int)where;
    if (atomic_compare_exchange_strong(&fault_where, &expected, CC_FAULT_NONE)) {
        errno = atomic_load(&fault_err);
        return -1;
    }
    return 0;
}

int cc_read_fd_from(int fd, uint64_t from, size_t max, struct cc_buf *out)
{
    size_t got = 0;
    for (;;) {
        cc_buf_reserve(out, 65536);
        size_t room = out->cap - out->len - 1;
        ssize_t n = pread(fd, out->data + out->len, room, (off_t)(from + got));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        got += (size_t)n;
        if (got > max)
            return -EFBIG;
    }
    out->data[out->len] = '\0';
    return 0;
}

/* The checks after open(2) shared by cc_open_regular and cc_open_beneath:
 * fd (blocking again) or -errno, fd closed on error. */
static int regular_only(int fd, struct stat *st)
{
    struct stat sb;
    if (!st)
        st = &sb;
    int rc = 0;
    int fl = fcntl(fd, F_GETFL);
    if (fstat(fd, st) < 0 || fl < 0)
        rc = -errno;
    else if (!S_ISREG(st->st_mode))
        rc = -EINVAL;
    else if (fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
        rc = -errno;
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}

int cc_open_regular(int dirfd, const char *path, int flags, struct stat *st)
{
    int oflags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    if (!(flags & CC_OPEN_FOLLOW))
        oflags |= O_NOFOLLOW;
    int fd = openat(dirfd, path, oflags);
    return fd < 0 ? -errno : regular_only(fd, st);
}

int cc_open_beneath(int dirfd, const char *path, struct stat *st)
{
#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
    struct open_how how = {
        .flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    while (*path == '/')
        path++;
    int fd = (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof(how));
    if (fd < 0)
        return errno == EINVAL || errno == E2BIG || errno == EPERM ? -ENOSYS : -errno;
    return regular_only(fd, st);
#else
    (void)dirfd;
    (void)path;
    (void)st;
    return -ENOSYS;
#endif
}

int cc_read_file(const char *path, int flags, size_t max, struct cc_buf *out)
{
    int fd = cc_open_regular(AT_FDCWD, path, flags, NULL);
    if (fd < 0)
        return fd;
    int rc = cc_read_fd_from(fd, 0, max, out);
    close(fd);
    return rc;
}

static ssize_t pread_full(int fd, char *p, size_t n, uint64_t off)
{
    ssize_t r;
    do
        r = pread(fd, p, n, (off_t)off);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

/* Hands the whole lines of in[*from, len) to fn (all of it at eof). */
static int each_line(struct cc_buf *in, size_t *from, bool eof, size_t line_max,
                     int (*fn)(void *ud, const char *s, size_t n), void *ud, uint32_t *too_long)
{
    while (*from < in->len) {
        const char *s = in->data + *from;
        const char *nl = memchr(s, '\n', in->len - *from);
        if (!nl && !eof)
            break;
        size_t n = nl ? (size_t)(nl - s) : in->len - *from;
        *from += n + (nl != NULL);
        if (n > line_max)
            (*too_long)++;
        else if (fn(ud, s, n) < 0)
            return -ECANCELED;
    }
    return 0;
}

int cc_read_lines(int fd, size_t line_max, int (*fn)(void *ud, const char *s, size_t n), void *ud,
                  uint32_t *too_long)
{
    enum { BLOCK = 65536 };
    struct cc_buf in;
    cc_buf_init(&in);
    uint64_t off = 0;
    bool skipping = false; /* inside a line over line_max: drop to its newline */
    int rc = 0;
    for (;;) {
        cc_buf_reserve(&in, BLOCK);
        ssize_t n = pread_full(fd, in.data + in.len, BLOCK, off);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        off += (uint64_t)n;
        in.len += (size_t)n;
        size_t from = 0;
        if (skipping) {
            char *nl = memchr(in.data, '\n', in.len);
            from = nl ? (size_t)(nl - in.data) + 1 : in.len;
            skipping = !nl;
        }
        rc = each_line(&in, &from, n == 0, line_max, fn, ud, too_long);
        if (rc < 0 || n == 0)
            break;
        memmove(in.data, in.data + from, in.len - from);
        in.len -= from;
        if (in.len > line_max) {
            (*too_long)++;
            in.len = 0;
            skipping = true;
        }
    }
    cc_buf_free(&in);
    return rc;
}

int cc_m3u8_parse_fd(int fd, struct cc_m3u8_state *ps, const struct cc_m3u8_handler *h,
                     uint64_t *bytes_read)
{
    enum { BLOCK = 65536 };
    struct cc_buf in;
    cc_buf_init(&in);
    uint64_t in_off = ps->offset; /* file offset of in.data[0] */
    int rc = 0;
    for (;;) {
        cc_buf_reserve(&in, BLOCK);
        ssize_t n = pread_full(fd, in.data + in.len, BLOCK, in_off + in.len);
        if (n < 0) {
            rc = (int)n;
            break;
        }
        in.len += (size_t)n;
        if (bytes_read)
            *bytes_read += (uint64_t)n;
        rc = cc_m3u8_parse(ps, in.data, in.len, n == 0, h);
        if (rc < 0 || n == 0)
            break;
        /* keep only the bytes past the last commit point: the parser keeps
         * them under CC_M3U8_LINE_MAX */
        size_t keep_from = (size_t)(ps->offset - in_off);
        memmove(in.data, in.data + keep_from, in.len - keep_from);
        in.len -= keep_from;
        in_off = ps->offset;
    }
    cc_buf_free(&in);
    return rc;
}

int cc_m3u8_parse_file(const char *path, struct cc_m3u8_state *ps, const struct cc_m3u8_handler *h,
                       uint64_t *bytes_read)
{
    int fd = cc_open_regular(AT_FDCWD, path, 0, NULL);
    if (fd < 0)
        return fd;
    int rc = cc_m3u8_parse_fd(fd, ps, h, bytes_read);
    close(fd);
    return rc;
}

static int fsync_dir_of(const char *path)
{
    char *copy = cc_xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) < 0 && errno != EINVAL ? -errno : 0;
    close(fd);
    return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* exact: the file gets mode whatever the umask (and whatever mode a stale
 * temp file had, which O_TRUNC keeps), else mode minus the umask. */
static int write_atomic(const char *path, const void *data, size_t len, mode_t mode, bool exact)
{
    struct cc_buf tmp;
    cc_buf_init(&tmp);
    cc_buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    int rc = 0;
    int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    if (exact && fchmod(fd, mode) < 0) {
        rc = -errno;
    } else if (take_fault(CC_FAULT_WRITE) < 0) {
        /* a disk that fills up half-way: some bytes land, then ENOSPC */
        int err = errno;
        rc = write_all(fd, data, len / 2);
        rc = rc < 0 ? rc : -err;
    } else {
        rc = write_all(fd, data, len);
    }
    if (rc == 0 && (take_fault(CC_FAULT_FSYNC) < 0 || fsync(fd) < 0))
        rc = -errno;
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && (take_fault(CC_FAULT_RENAME) < 0 || rename(tmp.data, path) < 0))
        rc = -errno;
    if (rc == 0) {
        atomic_fetch_add(&bytes_written, len);
        rc = fsync_dir_of(path);
    } else {
        unlink(tmp.data);
    }
out:
    cc_buf_free(&tmp);
    return rc;
}

int cc_write_atomic(const char *path, const void *data, size_t len)
{
    return write_atomic(path, data, len, 0644, false);
}

int cc_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode)
{
    return write_atomic(path, data, len, mode, true);
}

DIR *cc_opendir_fd(int fd)
{
    int dfd = dup(fd);
    DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!dir && dfd >= 0) {
        int err = errno;
        close(dfd);
        errno = err;
    }
    return dir;
}

void cc_dir_open(struct cc_dir *d, int fd)
{
    d->fd = fd;
    d->pos = d->len = 0;
    d->buf = cc_xmalloc(CC_DIR_BUF);
}

int cc_dir_fill(struct cc_dir *d)
{
    ssize_t n = getdents64(d->fd, d->buf, CC_DIR_BUF);
    if (n < 0)
        return -errno;
    d->pos = 0;
    d->len = (size_t)n;
    return n > 0;
}

void cc_dir_close(struct cc_dir *d)
{
    free(d->buf);
    d->buf = NULL;
}

void cc_fprint_from_stat(struct cc_fprint *fp, const struct stat *st)
{
    fp->size = (uint64_t)st->st_size;
    fp->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
    fp->ino = (uint64_t)st->st_ino;
}

int cc_fprint_equal(const struct cc_fprint *a, const struct cc_fprint *b)
{
    return a->size == b->size && a->mtime_ns == b->mtime_ns;
}

int64_t cc_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t cc_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
