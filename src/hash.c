#include "hash.h"

#include <string.h>

uint32_t cc_hash32(uint32_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h ? h : 1;
}

/* ---- names: fold the full product of two words ------------------------
 * The high half of a product depends on every bit of both factors; folding
 * it onto the low half puts that into the low bits a table is indexed by.
 * One multiply per word pair, of the core's own width. */

static uint64_t load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static uint32_t load32(const unsigned char *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/* Names of 0 to 3 bytes: first, middle and last byte, as one value. */
static uint32_t short_word(const unsigned char *p, size_t len)
{
    if (len == 0)
        return 0;
    return (uint32_t)p[0] << 16 | (uint32_t)p[len / 2] << 8 | p[len - 1];
}

#define K64_0 0xa0761d6478bd642full
#define K64_1 0xe7037ed1a0b428dbull
#define K64_2 0x8ebc6af09c88c6e3ull

static uint64_t fold64(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
    /* the same product from 32-bit halves, for tests on 32-bit cores */
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    uint64_t lo = (mid << 32) | (uint32_t)ll;
    uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return lo ^ hi;
#endif
}

uint32_t cc_hash_name64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = K64_0 ^ len, a, b;
    if (len < 4) {
        a = short_word(p, len);
        b = 0;
    } else if (len < 8) {
        a = load32(p);
        b = load32(p + len - 4);
    } else {
        /* words up to the last 16 bytes chained; those as the last pair
         * (overlapping the previous word when len is not a multiple of 8) */
        size_t left = len;
        for (; left > 16; left -= 8, p += 8)
            h = fold64(load64(p) ^ K64_1, h ^ K64_2);
        a = load64(p);
        b = load64(p + left - 8);
    }
    uint64_t r = fold64(a ^ K64_1, b ^ h);
    return (uint32_t)(r ^ r >> 32);
}

#define K32_0 0x9e3779b9u
#define K32_1 0x85ebca6bu
#define K32_2 0xc2b2ae35u

static uint32_t fold32(uint32_t a, uint32_t b)
{
    uint64_t r = (uint64_t)a * b;
    return (uint32_t)r ^ (uint32_t)(r >> 32);
}

uint32_t cc_hash_name32(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t h = K32_0 ^ (uint32_t)len, a, b;
    if (len < 4) {
        a = short_word(p, len);
        b = 0;
    } else {
        size_t left = len;
        for (; left > 8; left -= 4, p += 4)
            h = fold32(load32(p) ^ K32_1, h ^ K32_2);
        a = load32(p);
        b = load32(p + left - 4);
    }
    return fold32(a ^ K32_1, b ^ h);
}

uint32_t cc_hash_name(const void *data, size_t len)
{
#if UINTPTR_MAX > 0xffffffffu
    return cc_hash_name64(data, len);
#else
    return cc_hash_name32(data, len);
#endif
}
