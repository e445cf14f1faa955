/* httphdr — the request header values camcatd decides on besides Range
 * (byterange.h): entity-tag lists (If-None-Match, If-Range; RFC 9110
 * §13.1) and Accept-Encoding (§12.5.3). Pure and thread-safe: the values
 * come from outside, so the unit tests and a fuzzer call them. Values are
 * NUL-terminated, as civetweb hands them over. */
#ifndef CC_HTTPHDR_H
#define CC_HTTPHDR_H

#include <stdbool.h>

/* Whether list h (a comma-separated list of entity-tags, or "*") names
 * etag (quoted, strong, as camcatd makes them). weak_ok: a W/ tag matches
 * too (the weak comparison of If-None-Match); If-Range compares strongly. */
bool cc_http_etag_listed(const char *h, const char *etag, bool weak_ok);

/* Whether an Accept-Encoding value h (NULL: absent) accepts gzip: listed as
 * gzip or x-gzip, or covered by "*", with a q-value above 0. */
bool cc_http_accepts_gzip(const char *h);

#endif
