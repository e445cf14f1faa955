/* byterange — a request's Range header value (RFC 9110 §14.1.2), as camcatd
 * serves it: one range of bytes, or the whole body. Pure and thread-safe: the
 * header comes from outside, so the unit tests and a fuzzer call it. */
#ifndef CC_BYTERANGE_H
#define CC_BYTERANGE_H

#include <stdint.h>

/* Range header h (NUL-terminated; NULL: absent) over a body of size bytes: 1
 * with [*start, *start + *len), 0 to send everything (absent, malformed or
 * multiple ranges), -1 when unsatisfiable. */
int cc_byterange_parse(const char *h, uint64_t size, uint64_t *start, uint64_t *len);

#endif
