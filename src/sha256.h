/* sha256 — the SHA-256 message digest (FIPS 180-4), for the fingerprint of
 * camcatd's TLS certificate (pemcert.h): the value the owner pins.
 *
 * A value type: embed a struct cc_sha256, init, update any number of times,
 * final. Pure and thread-safe (no shared state). */
#ifndef CC_SHA256_H
#define CC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define CC_SHA256_LEN 32

struct cc_sha256 {
    uint32_t state[8];
    uint64_t bytes;    /* message length so far */
    uint8_t block[64]; /* the partial block, bytes % 64 of it used */
};

void cc_sha256_init(struct cc_sha256 *s);
void cc_sha256_update(struct cc_sha256 *s, const void *data, size_t len);
/* Pads, writes the digest and leaves s to be initialised again. */
void cc_sha256_final(struct cc_sha256 *s, uint8_t out[CC_SHA256_LEN]);
/* The digest of data in one call. */
void cc_sha256(const void *data, size_t len, uint8_t out[CC_SHA256_LEN]);

#endif
