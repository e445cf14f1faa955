/* clockshim — an LD_PRELOAD stand-in for clock_settime(), so the HTTP tests
 * can run camcatd with clock = set without ever touching the machine's
 * clock. It never calls the real function: it appends what camcatd asked for
 * to the file named by CAMCAT_CLOCKSHIM_LOG and returns success, or fails
 * with errno CAMCAT_CLOCKSHIM_ERRNO when that is set.
 *
 * Loading it writes "loaded pid=P exe=E interposed=yes|no": yes only when
 * the process's own lookup of clock_settime finds this library's definition
 * (it comes first in the global scope), i.e. the camcatd in that process
 * calls this one. The test refuses to POST unless it reads that line for its
 * server's pid. Built without sanitizers: it is loaded into a sanitized
 * camcatd before the sanitizer runtime (ASAN_OPTIONS=verify_asan_link_order=0). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void note(const char *line)
{
    const char *path = getenv("CAMCAT_CLOCKSHIM_LOG");
    if (!path)
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return;
    ssize_t n = write(fd, line, strlen(line));
    (void)n;
    close(fd);
}

static int fake_settime(clockid_t id, const struct timespec *ts)
{
    char line[160];
    snprintf(line, sizeof(line), "clock_settime pid=%d id=%d sec=%lld nsec=%ld\n", (int)getpid(),
             (int)id, ts ? (long long)ts->tv_sec : -1LL, ts ? (long)ts->tv_nsec : -1L);
    note(line);
    const char *fail = getenv("CAMCAT_CLOCKSHIM_ERRNO");
    if (fail && atoi(fail) > 0) {
        errno = atoi(fail);
        return -1;
    }
    return 0;
}

/* The exported name is an alias, so &fake_settime is this library's own
 * address even when another object's clock_settime wins the lookup. */
int clock_settime(clockid_t id, const struct timespec *ts) __attribute__((alias("fake_settime")));

__attribute__((constructor)) static void loaded(void)
{
    char exe[256] = "?", line[400];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0)
        exe[n] = '\0';
    void *found = dlsym(RTLD_DEFAULT, "clock_settime");
    snprintf(line, sizeof(line), "loaded pid=%d exe=%s interposed=%s\n", (int)getpid(), exe,
             found == (void *)fake_settime ? "yes" : "no");
    note(line);
}
