#include "digest.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "mem.h"

static void to_hex(const uint8_t raw[CC_MD5_LEN], char out[CC_MD5_HEX])
{
    for (int i = 0; i < CC_MD5_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* ---- the header parser (RFC 7235 auth-param list) ---- */

/* Where one known field goes while parsing. */
struct field {
    const char *name;
    char *dst;
    size_t size; /* of dst, NUL included */
    bool seen;
};

enum {
    F_USER,
    F_REALM,
    F_NONCE,
    F_URI,
    F_CNONCE,
    F_OPAQUE,
    F_NC,
    F_RESPONSE,
    F_QOP,
    F_ALGORITHM,
    F_USERHASH,
    F_COUNT
};

/* Fields we read but do not keep. */
struct scratch {
    char nc[9], qop[8], algorithm[16], userhash[8];
};

static bool is_tchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* A cursor over the header. */
struct cur {
    const char *p, *end;
};

static void skip_ws(struct cur *c)
{
    while (c->p < c->end && is_ws(*c->p))
        c->p++;
}

static size_t token_len(const struct cur *c)
{
    size_t n = 0;
    while (c->p + n < c->end && is_tchar(c->p[n]))
        n++;
    return n;
}

/* Copies a token or quoted-string value into dst (size bytes, NUL added).
 * 0, or -EINVAL for bad syntax or a value that does not fit. */
static int read_value(struct cur *c, char *dst, size_t size)
{
    size_t n = 0;
    if (c->p < c->end && *c->p == '"') {
        for (c->p++;; c->p++) {
            if (c->p == c->end)
                return -EINVAL;
            char ch = *c->p;
            if (ch == '"')
                break;
            if (ch == '\\' && ++c->p == c->end)
                return -EINVAL;
            ch = *c->p;
            /* qdtext and quoted-pair: no control characters but tab */
            if (((unsigned char)ch < 0x20 && ch != '\t') || ch == 0x7f || n + 1 >= size)
                return -EINVAL;
            dst[n++] = ch;
        }
        c->p++;
    } else {
        n = token_len(c);
        if (n == 0 || n >= size)
            return -EINVAL;
        memcpy(dst, c->p, n);
        c->p += n;
    }
    dst[n] = '\0';
    return 0;
}

/* One name=value pair into its field (unknown names into a throwaway). */
static int read_param(struct cur *c, struct field *f)
{
    size_t n = token_len(c);
    if (n == 0)
        return -EINVAL;
    const char *name = c->p;
    c->p += n;
    skip_ws(c);
    if (c->p == c->end || *c->p != '=')
        return -EINVAL;
    c->p++;
    skip_ws(c);
    for (int i = 0; i < F_COUNT; i++) {
        if (strlen(f[i].name) != n || strncasecmp(f[i].name, name, n) != 0)
            continue;
        if (f[i].seen)
            return -EINVAL;
        f[i].seen = true;
        return read_value(c, f[i].dst, f[i].size);
    }
    char ignored[CC_DIGEST_MAX_URI + 1];
    return read_value(c, ignored, sizeof(ignored));
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return false;
    return s[n] == '\0';
}

/* The fields present make a qop=auth MD5 response we can check. */
static int check_fields(const struct field *f, const struct scratch *s, struct cc_digest_creds *out)
{
    static const int required[] = {F_USER,   F_REALM, F_NONCE,    F_URI,
                                   F_CNONCE, F_NC,    F_RESPONSE, F_QOP};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!f[required[i]].seen)
            return -EINVAL;
    if (strcmp(s->qop, "auth") != 0 || !cc_htdigest_name_ok(out->username) || !out->nonce[0] ||
        !out->cnonce[0] || !out->uri[0])
        return -EINVAL;
    if (f[F_ALGORITHM].seen && strcasecmp(s->algorithm, "MD5") != 0)
        return -EINVAL;
    if (f[F_USERHASH].seen && strcasecmp(s->userhash, "false") != 0)
        return -EINVAL;
    if (!is_hex(s->nc, 8) || !is_hex(out->response, 32))
        return -EINVAL;
    memcpy(out->nc, s->nc, sizeof(out->nc));
    unsigned long v = strtoul(out->nc, NULL, 16);
    if (v == 0)
        return -EINVAL;
    out->nc_value = (uint32_t)v;
    for (char *r = out->response; *r; r++)
        if (*r >= 'A' && *r <= 'F')
            *r = (char)(*r - 'A' + 'a');
    return 0;
}

int cc_digest_parse(const char *hdr, size_t len, struct cc_digest_creds *out)
{
    struct scratch s;
    memset(out, 0, sizeof(*out));
    memset(&s, 0, sizeof(s));
    struct field f[F_COUNT] = {
        [F_USER] = {"username", out->username, sizeof(out->username), false},
        [F_REALM] = {"realm", out->realm, sizeof(out->realm), false},
        [F_NONCE] = {"nonce", out->nonce, sizeof(out->nonce), false},
        [F_URI] = {"uri", out->uri, sizeof(out->uri), false},
        [F_CNONCE] = {"cnonce", out->cnonce, sizeof(out->cnonce), false},
        [F_OPAQUE] = {"opaque", out->opaque, sizeof(out->opaque), false},
        [F_NC] = {"nc", s.nc, sizeof(s.nc), false},
        [F_RESPONSE] = {"response", out->response, sizeof(out->response), false},
        [F_QOP] = {"qop", s.qop, sizeof(s.qop), false},
        [F_ALGORITHM] = {"algorithm", s.algorithm, sizeof(s.algorithm), false},
        [F_USERHASH] = {"userhash", s.userhash, sizeof(s.userhash), false},
    };
    struct cur c = {hdr, hdr + len};
    if (len < 7 || strncasecmp(hdr, "Digest", 6) != 0 || !is_ws(hdr[6]))
        return -EINVAL;
    c.p += 6;
    /* #auth-param: elements separated by commas, empty ones allowed */
    for (;;) {
        skip_ws(&c);
        while (c.p < c.end && (*c.p == ',' || is_ws(*c.p)))
            c.p++;
        if (c.p == c.end)
            break;
        if (read_param(&c, f) < 0)
            return -EINVAL;
        skip_ws(&c);
        if (c.p < c.end && *c.p != ',')
            return -EINVAL;
    }
    return check_fields(f, &s, out);
}

void cc_digest_response(const char *ha1, const char *nonce, const char *nc, const char *cnonce,
                        const char *method, const char *uri, char out[CC_MD5_HEX])
{
    char ha2[CC_MD5_HEX];
    struct cc_md5 m;
    cc_md5_init(&m);
    cc_md5_update(&m, method, strlen(method));
    cc_md5_update(&m, ":", 1);
    cc_md5_update(&m, uri, strlen(uri));
    uint8_t raw[CC_MD5_LEN];
    cc_md5_final(&m, raw);
    to_hex(raw, ha2);
    const char *parts[] = {ha1, nonce, nc, cnonce, "auth", ha2};
    cc_md5_init(&m);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (i)
            cc_md5_update(&m, ":", 1);
        cc_md5_update(&m, parts[i], strlen(parts[i]));
    }
    cc_md5_final(&m, raw);
    to_hex(raw, out);
}

/* ---- the nonce table ---- */

/* How far below the highest nc a late request may still come: a browser
 * numbers requests as it sends them over several connections, and they can
 * reach the workers out of order. Each nc is accepted once. */
#define NC_WINDOW 64

struct slot {
    char nonce[CC_DIGEST_NONCE_LEN + 1]; /* "" when unused */
    int64_t issued_ms;
    uint32_t max_nc; /* highest nc accepted, 0 before the first */
    uint64_t seen;   /* bit i: max_nc - i was accepted */
};

struct cc_digest {
    pthread_mutex_t lock;
    uint8_t secret[32];
    char opaque[CC_DIGEST_NONCE_LEN + 1];
    int64_t lifetime_ms;
    cc_digest_clock now;
    uint64_t issued; /* nonces issued so far: the next slot is issued % cap */
    size_t cap;
    struct slot *slots;
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fill_random(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

int cc_digest_new(size_t capacity, int64_t lifetime_ms, cc_digest_clock now, struct cc_digest **out)
{
    if (capacity == 0 || lifetime_ms <= 0)
        return -EINVAL;
    struct cc_digest *d = cc_xcalloc(1, sizeof(*d));
    uint8_t op[CC_MD5_LEN];
    int rc = fill_random(d->secret, sizeof(d->secret));
    if (rc == 0)
        rc = fill_random(op, sizeof(op));
    if (rc < 0) {
        free(d);
        return rc;
    }
    to_hex(op, d->opaque);
    pthread_mutex_init(&d->lock, NULL);
    d->lifetime_ms = lifetime_ms;
    d->now = now ? now : monotonic_ms;
    d->cap = capacity;
    d->slots = cc_xcalloc(capacity, sizeof(*d->slots));
    *out = d;
    return 0;
}

void cc_digest_free(struct cc_digest *d)
{
    if (!d)
        return;
    pthread_mutex_destroy(&d->lock);
    explicit_bzero(d->secret, sizeof(d->secret));
    free(d->slots);
    free(d);
}

const char *cc_digest_opaque(const struct cc_digest *d)
{
    return d->opaque;
}

void cc_digest_nonce(struct cc_digest *d, char out[CC_DIGEST_NONCE_LEN + 1])
{
    pthread_mutex_lock(&d->lock);
    int64_t now = d->now();
    uint64_t n = d->issued++;
    /* secret, counter and time: unique per issue, unguessable without the secret */
    struct cc_md5 m;
    cc_md5_init(&m);
    cc_md5_update(&m, d->secret, sizeof(d->secret));
    cc_md5_update(&m, &n, sizeof(n));
    cc_md5_update(&m, &now, sizeof(now));
    uint8_t raw[CC_MD5_LEN];
    cc_md5_final(&m, raw);
    struct slot *s = &d->slots[n % d->cap];
    to_hex(raw, s->nonce);
    s->issued_ms = now;
    s->max_nc = 0;
    s->seen = 0;
    memcpy(out, s->nonce, sizeof(s->nonce));
    pthread_mutex_unlock(&d->lock);
}

/* Compares two strings of len bytes without an early exit. */
static bool same_secret(const char *a, const char *b, size_t len)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* Records nc on s: false when it was used before or is too far behind. */
static bool take_nc(struct slot *s, uint32_t nc)
{
    if (nc > s->max_nc) {
        uint32_t shift = nc - s->max_nc;
        s->seen = shift >= NC_WINDOW ? 0 : s->seen << shift;
        s->seen |= 1;
        s->max_nc = nc;
        return true;
    }
    uint32_t back = s->max_nc - nc;
    if (back >= NC_WINDOW || (s->seen & ((uint64_t)1 << back)))
        return false;
    s->seen |= (uint64_t)1 << back;
    return true;
}

/* The nonce's state after a valid response. Called with the lock held. */
static enum cc_digest_verdict use_nonce(struct cc_digest *d, const struct cc_digest_creds *c)
{
    if (strlen(c->nonce) != CC_DIGEST_NONCE_LEN)
        return CC_DIGEST_STALE;
    for (size_t i = 0; i < d->cap; i++) {
        struct slot *s = &d->slots[i];
        if (memcmp(s->nonce, c->nonce, CC_DIGEST_NONCE_LEN + 1) != 0)
            continue;
        if (d->now() - s->issued_ms >= d->lifetime_ms)
            return CC_DIGEST_STALE;
        return take_nc(s, c->nc_value) ? CC_DIGEST_OK : CC_DIGEST_REPLAY;
    }
    /* evicted, or from before a restart */
    return CC_DIGEST_STALE;
}

enum cc_digest_verdict cc_digest_verify(struct cc_digest *d, const struct cc_digest_creds *c,
                                        const char *method, const char *target, const char *realm,
                                        const char *ha1)
{
    if (strcmp(c->realm, realm) != 0 || strcmp(c->uri, target) != 0)
        return CC_DIGEST_BAD;
    if (c->opaque[0] && strcmp(c->opaque, d->opaque) != 0)
        return CC_DIGEST_BAD;
    char want[CC_MD5_HEX];
    cc_digest_response(ha1, c->nonce, c->nc, c->cnonce, method, target, want);
    if (!same_secret(want, c->response, CC_MD5_HEX - 1))
        return CC_DIGEST_BAD;
    pthread_mutex_lock(&d->lock);
    enum cc_digest_verdict v = use_nonce(d, c);
    pthread_mutex_unlock(&d->lock);
    return v;
}
