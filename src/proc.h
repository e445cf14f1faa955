/* proc — running the operator's shell hooks (live_start_cmd, snapshot_cmd)
 * as child processes with posix_spawn, never a fork of the whole server.
 *
 * Children run `sh -c CMD` in their own process group (so a timeout kills
 * the whole pipeline, ffmpeg included), stdin from /dev/null, stderr into
 * ours (the log), with default signal dispositions and an empty mask.
 *
 * Thread rules: any thread. A parent that ignores SIGCHLD (civetweb does)
 * has its children reaped by the kernel: exit statuses are then unknown,
 * and cc_proc_capture() judges by the output alone. */
#ifndef CC_PROC_H
#define CC_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

/* Starts `sh -c cmd` with stdout to stdout_fd (-1: our stderr): the pid or
 * -errno. The caller reaps it. */
pid_t cc_proc_spawn(const char *cmd, int stdout_fd);

/* Reaps pid if it has ended, without waiting: 0 while it runs, 1 when it
 * ended, with *status its wait status, or -1 when unknown (the kernel reaped
 * it because SIGCHLD is ignored). */
int cc_proc_poll(pid_t pid, int *status);

/* Runs `sh -c cmd` and appends its stdout to out, waiting at most timeout_ms.
 * 0 when it ended well (status 0, or unknown with some output); -ETIMEDOUT
 * (killed), -EFBIG (more than max bytes: killed), -EIO (non-zero exit or
 * signal; *status says which when not NULL), or -errno. */
int cc_proc_capture(const char *cmd, size_t max, int timeout_ms, struct cc_buf *out, int *status);

#endif
