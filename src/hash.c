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

/* murmur3's fmix64: the multiply carries low bits up, the shifts bring the
 * high bits back down, so the low bits depend on the whole word. */
static uint64_t fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

uint64_t cc_hash64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = len * 0x9E3779B97F4A7C15ull, w = 0;
    /* Word at a time: folder names are hashed twice per chunk (listing and
     * lookup). A rotate between words keeps one word's high bits from
     * cancelling against the next's; fmix64 at the end mixes them all. */
    if (len < 8) {
        for (size_t i = 0; i < len; i++)
            w |= (uint64_t)p[i] << (8 * i);
        return fmix64(h ^ w);
    }
    const unsigned char *last = p + len - 8;
    for (; p < last; p += 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x87c37b91114253d5ull;
        h = (h << 31) | (h >> 33);
    }
    /* The last 8 bytes, overlapping the previous word when len is not a
     * multiple of 8: one load instead of a byte loop. */
    memcpy(&w, last, 8);
    return fmix64(h ^ w);
}
