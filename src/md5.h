/* md5 — the MD5 message digest (RFC 1321), for HTTP digest authentication's
 * htdigest entries only: MD5 is broken for anything that needs collision
 * resistance, and nothing else in camcat uses it.
 *
 * A value type: embed a struct cc_md5, init, update any number of times,
 * final. Pure and thread-safe (no shared state). */
#ifndef CC_MD5_H
#define CC_MD5_H

#include <stddef.h>
#include <stdint.h>

#define CC_MD5_LEN 16
#define CC_MD5_HEX (2 * CC_MD5_LEN + 1)

struct cc_md5 {
    uint32_t state[4];
    uint64_t bytes;    /* message length so far */
    uint8_t block[64]; /* the partial block, bytes % 64 of it used */
};

void cc_md5_init(struct cc_md5 *m);
void cc_md5_update(struct cc_md5 *m, const void *data, size_t len);
/* Pads, writes the digest and leaves m to be initialised again. */
void cc_md5_final(struct cc_md5 *m, uint8_t out[CC_MD5_LEN]);
/* The digest of data as 32 lowercase hex digits and a NUL. */
void cc_md5_hex(const void *data, size_t len, char out[CC_MD5_HEX]);

#endif
