#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

extern char **environ;

#define READ_CHUNK 16384

pid_t cc_proc_spawn(const char *cmd, int stdout_fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, stdout_fd >= 0 ? stdout_fd : STDERR_FILENO,
                                     STDOUT_FILENO);
    posix_spawnattr_init(&at);
    /* Our threads block the stop signals and civetweb ignores SIGPIPE and
     * SIGCHLD: the child gets the defaults back. */
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGCHLD);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGTERM);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dfl);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    return rc ? -rc : pid;
}

/* Reads the pipe until EOF, the deadline or max: 0, -ETIMEDOUT, -EFBIG. */
static int drain(int fd, size_t max, int64_t deadline, struct cc_buf *out)
{
    size_t got = 0;
    for (;;) {
        int64_t left = deadline - cc_monotonic_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            continue;
        cc_buf_reserve(out, READ_CHUNK);
        ssize_t n = read(fd, out->data + out->len, READ_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return 0;
        out->len += (size_t)n;
        out->data[out->len] = '\0';
        got += (size_t)n;
        if (got > max)
            return -EFBIG;
    }
}

/* Waits for pid: its wait status, or -1 when the kernel reaped it. */
static int reap(pid_t pid)
{
    int st;
    pid_t r;
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    return r == pid ? st : -1;
}

int cc_proc_capture(const char *cmd, size_t max, int timeout_ms, struct cc_buf *out, int *status)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    size_t before = out->len;
    pid_t pid = cc_proc_spawn(cmd, fds[1]);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return pid;
    }
    int rc = drain(fds[0], max, cc_monotonic_ms() + timeout_ms, out);
    close(fds[0]);
    if (rc < 0)
        kill(-pid, SIGKILL); /* the whole group: sh and whatever it started */
    int st = reap(pid);
    if (status)
        *status = st;
    if (rc < 0)
        return rc;
    if (st == -1)
        return out->len > before ? 0 : -EIO;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EIO;
}

int cc_proc_poll(pid_t pid, int *status)
{
    int st;
    pid_t r;
    while ((r = waitpid(pid, &st, WNOHANG)) < 0 && errno == EINTR)
        ;
    if (r == 0)
        return 0;
    *status = r == pid ? st : -1; /* ECHILD: SIGCHLD ignored, the kernel reaped it */
    return 1;
}
