/* jflat — a strict reader for small flat JSON objects from outside input,
 * such as {"epoch_ms":1737676800000,"utc_offset_min":480}.
 *
 * Only an object whose values are scalars (string, number, true, false,
 * null) is accepted; nesting, duplicate keys, trailing bytes, bad escapes,
 * raw control characters and invalid UTF-8 are errors. Nothing is decoded or
 * copied: members point into the caller's text, which must outlive them. A
 * key written with escapes therefore never equals a plain key (a request
 * spelling "epoch_ms" as "epoch\u005fms" gets "missing epoch_ms").
 *
 * Pure, no allocation, thread-safe: a fuzz target's dream. */
#ifndef CC_JFLAT_H
#define CC_JFLAT_H

#include <stddef.h>
#include <stdint.h>

enum cc_jflat_type { CC_JFLAT_NULL, CC_JFLAT_BOOL, CC_JFLAT_NUMBER, CC_JFLAT_STRING };

struct cc_jflat_member {
    const char *key; /* between the quotes, undecoded */
    size_t key_len;
    enum cc_jflat_type type;
    const char *val; /* the literal; a string without its quotes */
    size_t val_len;
};

/* Parses s[0, len) (NULs included, so a length is all it needs) into at most
 * max members. 0 with *n set; -EINVAL when it is not such an object; -E2BIG
 * with more than max members. */
int cc_jflat_parse(const char *s, size_t len, struct cc_jflat_member *out, size_t max, size_t *n);

/* The member named key, or NULL. */
const struct cc_jflat_member *cc_jflat_get(const struct cc_jflat_member *m, size_t n,
                                           const char *key);

/* A number member written as an integer (no fraction, no exponent) within
 * [min, max]: 0, -EINVAL (not an integer number), or -ERANGE. */
int cc_jflat_int(const struct cc_jflat_member *m, int64_t min, int64_t max, int64_t *out);

#endif
