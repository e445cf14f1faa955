#include "jflat.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* A cursor over the input; every scanner advances p or fails. */
struct cur {
    const char *p, *end;
};

static void skip_ws(struct cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool take(struct cur *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static bool is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* One UTF-8 sequence starting with a byte >= 0x80: overlongs, surrogates
 * and code points past U+10FFFF are refused. */
static bool utf8_seq(struct cur *c)
{
    unsigned char b = (unsigned char)*c->p;
    int more;
    unsigned lo = 0x80, hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
        more = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
        more = 2;
        if (b == 0xe0)
            lo = 0xa0;
        if (b == 0xed)
            hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
        more = 3;
        if (b == 0xf0)
            lo = 0x90;
        if (b == 0xf4)
            hi = 0x8f;
    } else {
        return false;
    }
    if (c->end - c->p <= more)
        return false;
    for (int i = 1; i <= more; i++) {
        unsigned char t = (unsigned char)c->p[i];
        if (t < (i == 1 ? lo : 0x80) || t > (i == 1 ? hi : 0xbf))
            return false;
    }
    c->p += more + 1;
    return true;
}

/* A string after its opening quote, up to and past the closing one; the
 * content is [*s, *s + *n). */
static bool string(struct cur *c, const char **s, size_t *n)
{
    *s = c->p;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '"') {
            *n = (size_t)(c->p - *s);
            c->p++;
            return true;
        }
        if (ch < 0x20)
            return false;
        if (ch >= 0x80) {
            if (!utf8_seq(c))
                return false;
            continue;
        }
        c->p++;
        if (ch != '\\')
            continue;
        if (c->p >= c->end)
            return false;
        char e = *c->p++;
        if (e == 'u') {
            for (int i = 0; i < 4; i++, c->p++)
                if (c->p >= c->end || !is_hex(*c->p))
                    return false;
        } else if (!strchr("\"\\/bfnrt", e) || e == '\0') {
            return false;
        }
    }
    return false;
}

static bool digits(struct cur *c)
{
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > start;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number(struct cur *c)
{
    take(c, '-');
    if (take(c, '0')) {
        if (c->p < c->end && *c->p >= '0' && *c->p <= '9')
            return false; /* no leading zeros */
    } else if (!digits(c)) {
        return false;
    }
    if (take(c, '.') && !digits(c))
        return false;
    if (take(c, 'e') || take(c, 'E')) {
        if (!take(c, '+'))
            take(c, '-');
        if (!digits(c))
            return false;
    }
    return true;
}

static bool word(struct cur *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return false;
    c->p += n;
    return true;
}

static bool value(struct cur *c, struct cc_jflat_member *m)
{
    m->val = c->p;
    if (take(c, '"')) {
        m->type = CC_JFLAT_STRING;
        return string(c, &m->val, &m->val_len);
    }
    bool ok;
    if (c->p < c->end && (*c->p == 't' || *c->p == 'f')) {
        m->type = CC_JFLAT_BOOL;
        ok = word(c, *c->p == 't' ? "true" : "false");
    } else if (c->p < c->end && *c->p == 'n') {
        m->type = CC_JFLAT_NULL;
        ok = word(c, "null");
    } else {
        m->type = CC_JFLAT_NUMBER;
        ok = number(c);
    }
    m->val_len = (size_t)(c->p - m->val);
    return ok;
}

static bool same_key(const struct cc_jflat_member *a, const struct cc_jflat_member *b)
{
    return a->key_len == b->key_len && memcmp(a->key, b->key, a->key_len) == 0;
}

/* One "key": value pair into m; refuses a key seen before. */
static int member(struct cur *c, struct cc_jflat_member *out, size_t i)
{
    struct cc_jflat_member *m = &out[i];
    skip_ws(c);
    if (!take(c, '"') || !string(c, &m->key, &m->key_len))
        return -EINVAL;
    for (size_t k = 0; k < i; k++)
        if (same_key(&out[k], m))
            return -EINVAL;
    skip_ws(c);
    if (!take(c, ':'))
        return -EINVAL;
    skip_ws(c);
    if (!value(c, m))
        return -EINVAL;
    skip_ws(c);
    return 0;
}

int cc_jflat_parse(const char *s, size_t len, struct cc_jflat_member *out, size_t max, size_t *n)
{
    struct cur c = {s, s + len};
    size_t count = 0;
    skip_ws(&c);
    if (!take(&c, '{'))
        return -EINVAL;
    skip_ws(&c);
    if (!take(&c, '}')) {
        do {
            if (count == max)
                return -E2BIG;
            int rc = member(&c, out, count);
            if (rc < 0)
                return rc;
            count++;
        } while (take(&c, ','));
        if (!take(&c, '}'))
            return -EINVAL;
    }
    skip_ws(&c);
    if (c.p != c.end)
        return -EINVAL;
    *n = count;
    return 0;
}

const struct cc_jflat_member *cc_jflat_get(const struct cc_jflat_member *m, size_t n,
                                           const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < n; i++)
        if (m[i].key_len == kl && memcmp(m[i].key, key, kl) == 0)
            return &m[i];
    return NULL;
}

int cc_jflat_int(const struct cc_jflat_member *m, int64_t min, int64_t max, int64_t *out)
{
    if (m->type != CC_JFLAT_NUMBER)
        return -EINVAL;
    const char *p = m->val, *end = m->val + m->val_len;
    bool neg = p < end && *p == '-';
    if (neg)
        p++;
    if (p == end)
        return -EINVAL;
    /* 18 digits always fit an int64; anything longer is out of any range a
     * caller of this reader asks for. */
    if (end - p > 18)
        return memchr(p, '.', (size_t)(end - p)) || memchr(p, 'e', (size_t)(end - p)) ||
                       memchr(p, 'E', (size_t)(end - p))
                   ? -EINVAL
                   : -ERANGE;
    int64_t v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -EINVAL;
        v = v * 10 + (*p - '0');
    }
    if (neg)
        v = -v;
    if (v < min || v > max)
        return -ERANGE;
    *out = v;
    return 0;
}
