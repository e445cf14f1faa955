/* log — the one logging module: levelled lines to stderr, and the newest of
 * them in an in-memory ring for GET /api/log.
 *
 * Thread rules: cc_log() may be called from any thread; each call writes one
 * line with a single write(2), so lines from different threads never interleave.
 * The level and the ring's size are process-wide configuration, set once at
 * start-up before other threads exist; the ring itself is under a mutex. */
#ifndef CC_LOG_H
#define CC_LOG_H

#include <stddef.h>

struct cc_buf;

enum cc_log_level { CC_LOG_ERROR = 0, CC_LOG_WARN, CC_LOG_INFO, CC_LOG_DEBUG };

void cc_log_set_level(enum cc_log_level level);
enum cc_log_level cc_log_get_level(void);
/* Parses "error", "warn", "info", "debug"; returns 0 or -EINVAL. */
int cc_log_parse_level(const char *name, enum cc_log_level *out);

/* Keeps the newest `bytes` of log text in memory (0: no ring, the default).
 * Call once, before other threads start; the ring lives until exit. */
void cc_log_ring_init(size_t bytes);
/* Appends the last `lines` whole lines of the ring (oldest first, each ending
 * in '\n') to out: the number of lines appended (0 without a ring). */
size_t cc_log_ring_tail(size_t lines, struct cc_buf *out);

void cc_log(enum cc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define cc_err(...) cc_log(CC_LOG_ERROR, __VA_ARGS__)
#define cc_warn(...) cc_log(CC_LOG_WARN, __VA_ARGS__)
#define cc_info(...) cc_log(CC_LOG_INFO, __VA_ARGS__)
#define cc_debug(...) cc_log(CC_LOG_DEBUG, __VA_ARGS__)

#endif
