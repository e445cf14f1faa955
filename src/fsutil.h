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

/* Appends the file's bytes (at most max, else -EFBIG) to out. */
int cc_read_file(const char *path, size_t max, struct cc_buf *out);
/* Appends bytes [from, EOF) of an open file; -EFBIG past max. */
int cc_read_fd_from(int fd, uint64_t from, size_t max, struct cc_buf *out);

/* Streams the playlist at path through the m3u8 parser in 64 KiB blocks, so
 * nothing the size of the file is held (a day's playlist can run to MBs).
 * ps is the caller's initialised state, left where parsing stopped; bytes read
 * are added to *bytes_read unless NULL. Opened with O_NOFOLLOW. More than
 * max_pending bytes without a complete entry is -EFBIG (SIZE_MAX: no bound).
 * Returns 0, the handler's negative value, or -errno (-ENOENT: the playlist
 * is gone). */
int cc_m3u8_parse_file(const char *path, struct cc_m3u8_state *ps,
                       const struct cc_m3u8_handler *h, size_t max_pending,
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
