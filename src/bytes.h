/* bytes — byte-string compares for the hot paths of a cold index (names,
 * PDT texts, EXTINF texts: mostly under 24 bytes), where a call to memcmp
 * costs more than the compare.
 *
 * Header-only, pure, thread-safe. */
#ifndef CC_BYTES_H
#define CC_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* a[0..n) == b[0..n): by 8-byte words (the last one overlapping the one
 * before), 4-byte words under 8 bytes, bytes under 4. */
static inline bool cc_bytes_equal(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    if (n >= 8) {
        uint64_t x, y;
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, p + i, 8);
            memcpy(&y, q + i, 8);
            if (x != y)
                return false;
        }
        memcpy(&x, p + n - 8, 8);
        memcpy(&y, q + n - 8, 8);
        return x == y;
    }
    if (n >= 4) {
        uint32_t x, y, u, v;
        memcpy(&x, p, 4);
        memcpy(&y, q, 4);
        memcpy(&u, p + n - 4, 4);
        memcpy(&v, q + n - 4, 4);
        return x == y && u == v;
    }
    for (size_t i = 0; i < n; i++)
        if (p[i] != q[i])
            return false;
    return true;
}

/* Whether s is one or more ASCII digits and nothing else (folder numbers,
 * epoch milliseconds, counters in names). */
static inline bool cc_bytes_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Writes v in decimal, zero-padded to at least min_digits (at most 24),
 * into out (room for 24 bytes; no NUL): the length written. */
static inline size_t cc_bytes_put_dec(char *out, uint64_t v, unsigned min_digits)
{
    char rev[20];
    size_t n = 0;
    do {
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    size_t len = n < min_digits ? (min_digits < 24 ? min_digits : 24) : n;
    for (size_t i = 0; i < len - n; i++)
        out[i] = '0';
    for (size_t i = 0; i < n; i++)
        out[len - 1 - i] = rev[i];
    return len;
}

#endif
