#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"

/* Configuration, not state: written once before threads start. */
static enum cc_log_level log_level = CC_LOG_INFO;

/* The ring: cap bytes, the newest text ending at head (mod cap); len bytes
 * of it are valid. Lines that wrapped past the start are cut when read. */
static pthread_mutex_t ring_lock = PTHREAD_MUTEX_INITIALIZER;
static char *ring;
static size_t ring_cap, ring_head, ring_len;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void cc_log_set_level(enum cc_log_level level)
{
    log_level = level;
}

enum cc_log_level cc_log_get_level(void)
{
    return log_level;
}

int cc_log_parse_level(const char *name, enum cc_log_level *out)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (enum cc_log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

void cc_log_ring_init(size_t bytes)
{
    ring = bytes ? cc_xcalloc(1, bytes) : NULL;
    ring_cap = bytes;
    ring_head = ring_len = 0;
}

static void ring_put(const char *s, size_t n)
{
    if (!ring)
        return;
    pthread_mutex_lock(&ring_lock);
    if (n > ring_cap) {
        s += n - ring_cap;
        n = ring_cap;
    }
    size_t first = ring_cap - ring_head < n ? ring_cap - ring_head : n;
    memcpy(ring + ring_head, s, first);
    memcpy(ring, s + first, n - first);
    ring_head = (ring_head + n) % ring_cap;
    ring_len = ring_len + n > ring_cap ? ring_cap : ring_len + n;
    pthread_mutex_unlock(&ring_lock);
}

size_t cc_log_ring_tail(size_t lines, struct cc_buf *out)
{
    if (!ring || !lines)
        return 0;
    pthread_mutex_lock(&ring_lock);
    char *copy = cc_xmalloc(ring_len + 1);
    size_t start = (ring_head + ring_cap - ring_len) % ring_cap;
    size_t first = ring_cap - start < ring_len ? ring_cap - start : ring_len;
    memcpy(copy, ring + start, first);
    memcpy(copy + first, ring, ring_len - first);
    size_t len = ring_len;
    bool wrapped = ring_len == ring_cap;
    pthread_mutex_unlock(&ring_lock);
    /* Walk back over `lines` newlines; a full ring's first line is partial. */
    size_t from = len, count = 0;
    while (from > 0 && count < lines) {
        size_t p = from - 1;
        while (p > 0 && copy[p - 1] != '\n')
            p--;
        if (p == 0 && wrapped)
            break;
        from = p;
        count++;
    }
    cc_buf_append(out, copy + from, len - from);
    free(copy);
    return count;
}

void cc_log(enum cc_log_level level, const char *fmt, ...)
{
    if (level > log_level)
        return;
    char line[1024];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ %-5s ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    ring_put(line, len);
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w; /* nowhere left to report a failed log write */
}
