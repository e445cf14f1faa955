/* query — the values of camcatd's own query parameters (from, to, t, frames,
 * lines), read from the text cc_urlpath_query_get decoded. Pure and
 * thread-safe: no civetweb, no I/O, so the unit tests and a fuzzer call it;
 * the server turns a refusal into its 400 answer. */
#ifndef CC_QUERY_H
#define CC_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Year 1 to year 9999 in epoch ms: an instant beyond is refused as absurd. */
#define CC_QUERY_MS_MIN (-62135596800000LL)
#define CC_QUERY_MS_MAX (253402300799999LL)

/* An instant s[0..len) (NUL-terminated at len): epoch ms ("-"? digits, at
 * most 16 bytes, within the bounds above) or ISO-8601 (cc_iso_parse). *local
 * says the text had no zone: *ms then holds its fields read as UTC, for the
 * caller to shift by the camera's offset. 0 or -EINVAL (outputs unchanged
 * apart from *local). */
int cc_query_instant(const char *s, size_t len, int64_t *ms, bool *local);

/* A whole number from min to max in the NUL-terminated s. lenient accepts
 * what strtol reads before the digits (leading spaces, a sign); otherwise
 * the text is digits only. 0 or -EINVAL. */
int cc_query_int(const char *s, bool lenient, long min, long max, long *out);

#endif
