/* log — the one logging module: levelled lines to stderr.
 *
 * Thread rules: cc_log() may be called from any thread; each call writes one
 * line with a single write(2), so lines from different threads never interleave.
 * The level is process-wide configuration, set once at start-up. */
#ifndef CC_LOG_H
#define CC_LOG_H

enum cc_log_level { CC_LOG_ERROR = 0, CC_LOG_WARN, CC_LOG_INFO, CC_LOG_DEBUG };

void cc_log_set_level(enum cc_log_level level);
enum cc_log_level cc_log_get_level(void);
/* Parses "error", "warn", "info", "debug"; returns 0 or -EINVAL. */
int cc_log_parse_level(const char *name, enum cc_log_level *out);

void cc_log(enum cc_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define cc_err(...) cc_log(CC_LOG_ERROR, __VA_ARGS__)
#define cc_warn(...) cc_log(CC_LOG_WARN, __VA_ARGS__)
#define cc_info(...) cc_log(CC_LOG_INFO, __VA_ARGS__)
#define cc_debug(...) cc_log(CC_LOG_DEBUG, __VA_ARGS__)

#endif
