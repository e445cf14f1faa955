/* fsutil — the few file-system operations the index needs, with the project's
 * rules: bounded reads, atomic durable writes, stat fingerprints.
 * Thread-safe (no shared state). Errors are returned as -errno. */
#ifndef CC_FSUTIL_H
#define CC_FSUTIL_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "buf.h"
#include "day.h"

/* Opens path (relative to dirfd, as openat; AT_FDCWD for a plain path) for
 * reading, only if it is a regular file. O_NONBLOCK during the open so a FIFO
 * or a device cannot block open(2) (a FIFO with no writer would hold the
 * thread for good), O_NOFOLLOW unless flags has CC_OPEN_FOLLOW (for paths an
 * administrator names: a config or password file may be a link), O_NOCTTY,
 * O_CLOEXEC. Anything but a regular file is -EINVAL, a symlink -ELOOP. The
 * fd returned is blocking again; *st (if not NULL) is its fstat. Caller
 * closes. Returns the fd or -errno. */
#define CC_OPEN_FOLLOW 1
int cc_open_regular(int dirfd, const char *path, int flags, struct stat *st);

/* cc_open_regular() of path below dirfd in one openat2(2), refusing any
 * symlink on the way (-ELOOP) and any ".." that climbs out of dirfd (-EXDEV):
 * what a walk with O_NOFOLLOW at every step would do, without the readlink
 * of each component realpath(3) costs. -ENOSYS where the kernel (before 5.6)
 * or a seccomp filter has no openat2: the caller takes its slow path. */
int cc_open_beneath(int dirfd, const char *path, struct stat *st);

/* Appends the file's bytes (at most max, else -EFBIG) to out. A regular file
 * only, opened by cc_open_regular() with flags. */
int cc_read_file(const char *path, int flags, size_t max, struct cc_buf *out);

/* Calls fn with each line of fd (without its newline; the last one may lack
 * it at end of file), read in blocks: nothing the size of the file is held.
 * A line longer than line_max is never buffered: it is skipped up to its
 * newline and counted in *too_long. fn returns 0 to go on, negative to stop
 * (-ECANCELED is returned). Returns 0, -ECANCELED or -errno. */
int cc_read_lines(int fd, size_t line_max, int (*fn)(void *ud, const char *s, size_t n), void *ud,
                  uint32_t *too_long);
/* Appends bytes [from, EOF) of an open file; -EFBIG past max. */
int cc_read_fd_from(int fd, uint64_t from, size_t max, struct cc_buf *out);

/* Streams the playlist at path through the m3u8 parser in 64 KiB blocks, so
 * nothing the size of the file is held (a day's playlist can run to MBs; the
 * parser's CC_M3U8_LINE_MAX bounds what is kept between blocks). ps is the
 * caller's initialised state, left where parsing stopped; bytes read are
 * added to *bytes_read unless NULL. Opened with cc_open_regular(). Returns 0,
 * the handler's negative value, or -errno (-ENOENT: the playlist is gone). */
int cc_m3u8_parse_file(const char *path, struct cc_m3u8_state *ps, const struct cc_m3u8_handler *h,
                       uint64_t *bytes_read);
/* The same on an open file, from ps->offset to its end. */
int cc_m3u8_parse_fd(int fd, struct cc_m3u8_state *ps, const struct cc_m3u8_handler *h,
                     uint64_t *bytes_read);

/* temp file beside path → write → fsync → rename → fsync(dir). On failure
 * the temp file is removed and -errno returned; path is untouched. */
int cc_write_atomic(const char *path, const void *data, size_t len);
/* The same with the new file's permission bits (cc_write_atomic: 0644),
 * exactly, whatever the umask: 0600 for a password file. */
int cc_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode);

/* A directory stream on a duplicate of fd (fd stays the caller's); NULL and
 * errno on failure. */
DIR *cc_opendir_fd(int fd);

/* A folder's entries read with getdents64 straight into a buffer: per entry
 * only a step to the next record, where readdir's locking and bookkeeping
 * were a fifth of the cost of listing a folder of chunks. Entries come from
 * fd's current offset (a freshly opened fd: the first); fd stays the
 * caller's. Names are borrowed until the next call. One owner at a time. */
struct cc_dir {
    int fd;
    size_t pos, len;
    char *buf; /* CC_DIR_BUF bytes */
};
#define CC_DIR_BUF 32768

/* A record as the kernel writes it (linux_dirent64). */
struct cc_dir_rec {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

void cc_dir_open(struct cc_dir *d, int fd);
/* Reads the next block: 1, 0 at the end, or -errno. */
int cc_dir_fill(struct cc_dir *d);
void cc_dir_close(struct cc_dir *d);

/* 1 and the next entry's name and d_type (DT_*), 0 at the end, or -errno.
 * Inline: a step per entry, a call only per block. */
static inline int cc_dir_next(struct cc_dir *d, const char **name, unsigned char *type)
{
    if (d->pos >= d->len) {
        int rc = cc_dir_fill(d);
        if (rc <= 0)
            return rc;
    }
    const struct cc_dir_rec *r = (const struct cc_dir_rec *)(d->buf + d->pos);
    d->pos += r->reclen;
    *name = r->name;
    *type = r->type;
    return 1;
}

void cc_fprint_from_stat(struct cc_fprint *fp, const struct stat *st);
/* Size and mtime equal (the inode is only a hint and is not compared). */
int cc_fprint_equal(const struct cc_fprint *a, const struct cc_fprint *b);

int64_t cc_now_ns(void);       /* CLOCK_REALTIME */
int64_t cc_monotonic_ms(void); /* CLOCK_MONOTONIC */

/* Writes counted by cc_write_atomic since start (for tests and `index`). */
uint64_t cc_fs_bytes_written(void);

/* Fault injection, the way SQLite tests its I/O paths: the next atomic write
 * fails at the given step with err (e.g. ENOSPC half-way through the data).
 * A test seam only; nothing in the product sets it. */
enum cc_fs_fault { CC_FAULT_NONE = 0, CC_FAULT_WRITE, CC_FAULT_FSYNC, CC_FAULT_RENAME };
void cc_fs_inject_fault(enum cc_fs_fault where, int err);

#endif
