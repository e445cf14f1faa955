/* mdblock — the part MD5 (RFC 1321) and SHA-256 (FIPS 180-4) share: a
 * message fed through 64-byte blocks, and the padding (a 1 bit, zeros up to
 * 56 mod 64, then the message length in bits in the hash's byte order).
 *
 * Header-only: each hash passes its own compression function, which the
 * compiler inlines. The caller owns state, block and bytes (its struct). */
#ifndef CC_MDBLOCK_H
#define CC_MDBLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void cc_mdblock_fn(uint32_t *state, const uint8_t block[64]);

/* Adds len bytes; block holds the partial block (bytes % 64 of it used). */
static inline void cc_mdblock_update(uint32_t *state, uint8_t block[64], uint64_t *bytes,
                                     const void *data, size_t len, cc_mdblock_fn *compress)
{
    const uint8_t *p = data;
    size_t used = (size_t)(*bytes % 64);
    *bytes += len;
    if (used) {
        size_t take = 64 - used < len ? 64 - used : len;
        memcpy(block + used, p, take);
        p += take;
        len -= take;
        if (used + take < 64)
            return;
        compress(state, block);
    }
    for (; len >= 64; p += 64, len -= 64)
        compress(state, p);
    memcpy(block, p, len);
}

/* Pads the message and compresses the last block(s); len8 is the length in
 * bits, already in the hash's byte order. */
static inline void cc_mdblock_pad(uint32_t *state, uint8_t block[64], uint64_t bytes,
                                  const uint8_t len8[8], cc_mdblock_fn *compress)
{
    size_t used = (size_t)(bytes % 64);
    block[used++] = 0x80;
    if (used > 56) {
        memset(block + used, 0, 64 - used);
        compress(state, block);
        used = 0;
    }
    memset(block + used, 0, 56 - used);
    memcpy(block + 56, len8, 8);
    compress(state, block);
}

#endif
