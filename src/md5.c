/* MD5 as RFC 1321 specifies it: 64-byte blocks, four rounds of sixteen steps,
 * little-endian words. Written from the RFC's description. */
#include "md5.h"

#include <string.h>

#include "mdblock.h"

/* T[i] = floor(2^32 * |sin(i + 1)|), the RFC's sine table (section 3.4). */
static const uint32_t T[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

/* Left-rotation amounts, four per round. */
static const uint8_t S[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static uint32_t rotl(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void transform(uint32_t st[4], const uint8_t block[64])
{
    uint32_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = load_le32(block + 4 * i);
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
    for (unsigned i = 0; i < 64; i++) {
        unsigned round = i / 16, k;
        uint32_t f;
        /* Each round mixes with its own function and visits the sixteen
         * words in its own order (RFC 1321, 3.4). */
        switch (round) {
        case 0:
            f = (b & c) | (~b & d);
            k = i;
            break;
        case 1:
            f = (b & d) | (c & ~d);
            k = (5 * i + 1) % 16;
            break;
        case 2:
            f = b ^ c ^ d;
            k = (3 * i + 5) % 16;
            break;
        default:
            f = c ^ (b | ~d);
            k = (7 * i) % 16;
            break;
        }
        uint32_t next = b + rotl(a + f + x[k] + T[i], S[round][i % 4]);
        a = d;
        d = c;
        c = b;
        b = next;
    }
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
}

void cc_md5_init(struct cc_md5 *m)
{
    m->state[0] = 0x67452301;
    m->state[1] = 0xefcdab89;
    m->state[2] = 0x98badcfe;
    m->state[3] = 0x10325476;
    m->bytes = 0;
}

void cc_md5_update(struct cc_md5 *m, const void *data, size_t len)
{
    cc_mdblock_update(m->state, m->block, &m->bytes, data, len, transform);
}

void cc_md5_final(struct cc_md5 *m, uint8_t out[CC_MD5_LEN])
{
    /* The length in bits, little-endian. */
    uint64_t bits = m->bytes * 8;
    uint8_t len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (uint8_t)(bits >> (8 * i));
    cc_mdblock_pad(m->state, m->block, m->bytes, len8, transform);
    for (int i = 0; i < 4; i++)
        store_le32(out + 4 * i, m->state[i]);
    memset(m, 0, sizeof(*m));
}

void cc_md5_hex(const void *data, size_t len, char out[CC_MD5_HEX])
{
    static const char hex[] = "0123456789abcdef";
    struct cc_md5 m;
    uint8_t d[CC_MD5_LEN];
    cc_md5_init(&m);
    cc_md5_update(&m, data, len);
    cc_md5_final(&m, d);
    for (int i = 0; i < CC_MD5_LEN; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * CC_MD5_LEN] = '\0';
}
