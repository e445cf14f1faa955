/* digest — HTTP digest authentication (RFC 7616, the RFC 2617 subset that
 * browsers speak: algorithm MD5, qop=auth), without civetweb and without I/O.
 *
 * Two halves:
 * - cc_digest_parse reads an `Authorization: Digest …` value into a plain
 *   struct (pure, thread-safe, fuzzed);
 * - a nonce table (opaque, struct cc_digest) issues nonces and verifies
 *   responses. It remembers the last CC_DIGEST_… nonces it issued (oldest
 *   evicted) and, per nonce, which nonce counts (nc) were used: a repeated nc
 *   is a replay and is refused. A nonce expires after its lifetime; a valid
 *   response with an expired or forgotten nonce is "stale" (answer 401 with
 *   stale=true: browsers then retry with the new nonce without asking for the
 *   password again).
 *
 * Thread rules: cc_digest_new and cc_digest_free run alone; cc_digest_nonce,
 * cc_digest_opaque and cc_digest_verify may be called from any number of
 * threads (one mutex inside). Out of memory aborts (mem.h). */
#ifndef CC_DIGEST_H
#define CC_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "htdigest.h"
#include "md5.h"

/* Longest values accepted in a header; anything longer is refused. */
#define CC_DIGEST_MAX_URI 4096
#define CC_DIGEST_MAX_TOKEN 128 /* nonce, cnonce, opaque */
/* Our nonces and opaque: 32 lowercase hex digits. */
#define CC_DIGEST_NONCE_LEN 32

/* An Authorization header's fields, NUL-terminated, quotes and escapes
 * removed. nc is kept as sent (8 hex digits) because the response hashes the
 * text; nc_value is its number (never 0). */
struct cc_digest_creds {
    char username[CC_HTDIGEST_MAX_NAME + 1];
    char realm[CC_HTDIGEST_MAX_NAME + 1];
    char nonce[CC_DIGEST_MAX_TOKEN + 1];
    char uri[CC_DIGEST_MAX_URI + 1];
    char cnonce[CC_DIGEST_MAX_TOKEN + 1];
    char opaque[CC_DIGEST_MAX_TOKEN + 1]; /* "" when absent */
    char nc[9];
    char response[CC_MD5_HEX]; /* lowercased */
    uint32_t nc_value;
};

/* Parses the header value hdr[0..len) ("Digest k=v, k=\"v\", …": any order,
 * token or quoted values, unknown keys ignored). 0, or -EINVAL when it is not
 * a digest header we can verify: another scheme, bad syntax, a duplicate or
 * over-long field, a missing username/realm/nonce/uri/response/qop/nc/cnonce,
 * qop other than auth, algorithm other than MD5, userhash=true, nc not 8 hex
 * digits or zero, response not 32 hex digits, a username that
 * cc_htdigest_name_ok refuses. out is undefined after an error. */
int cc_digest_parse(const char *hdr, size_t len, struct cc_digest_creds *out);

/* The qop=auth response: md5hex(ha1:nonce:nc:cnonce:auth:md5hex(method:uri)). */
void cc_digest_response(const char *ha1, const char *nonce, const char *nc, const char *cnonce,
                        const char *method, const char *uri, char out[CC_MD5_HEX]);

struct cc_digest;

/* Milliseconds on a clock that never goes back (a seam for tests). */
typedef int64_t (*cc_digest_clock)(void);

/* A table of up to capacity nonces, each valid lifetime_ms after it was
 * issued; now NULL means CLOCK_MONOTONIC. The nonce secret comes from
 * getrandom(2). 0 with *out set (free with cc_digest_free), -EINVAL for a
 * zero capacity or lifetime, or -errno when no randomness is available. */
int cc_digest_new(size_t capacity, int64_t lifetime_ms, cc_digest_clock now,
                  struct cc_digest **out);
void cc_digest_free(struct cc_digest *d);

/* Issues a fresh nonce into out (32 hex digits and a NUL), evicting the
 * oldest when the table is full. Unpredictable without the secret. */
void cc_digest_nonce(struct cc_digest *d, char out[CC_DIGEST_NONCE_LEN + 1]);
/* The table's opaque value (constant for its life): borrowed. */
const char *cc_digest_opaque(const struct cc_digest *d);

enum cc_digest_verdict {
    CC_DIGEST_OK,
    CC_DIGEST_STALE,  /* right password, nonce expired or unknown: re-challenge, stale=true */
    CC_DIGEST_REPLAY, /* this nonce and nc were used before */
    CC_DIGEST_BAD,    /* wrong realm, uri, opaque or response */
};

/* Checks c against the request: method, target exactly as on the request
 * line (path and ?query, undecoded), the realm served and the user's HA1
 * (from the htdigest file). On OK the nc is recorded as used. The response is
 * compared in constant time. */
enum cc_digest_verdict cc_digest_verify(struct cc_digest *d, const struct cc_digest_creds *c,
                                        const char *method, const char *target, const char *realm,
                                        const char *ha1);

#endif
