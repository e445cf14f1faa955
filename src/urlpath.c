#include "urlpath.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Bytes never allowed in a path, whether raw or decoded. */
static bool byte_forbidden(unsigned char c)
{
    return c < 0x20 || c >= 0x7f || c == '\\';
}

/* Decodes one byte at s[*i] (advancing *i); -1 on a malformed escape. The
 * flag says whether the byte came from an escape. */
static int next_byte(const char *s, size_t len, size_t *i, bool *escaped)
{
    unsigned char c = (unsigned char)s[*i];
    *escaped = false;
    if (c != '%') {
        (*i)++;
        return c;
    }
    if (*i + 2 >= len)
        return -1;
    int hi = hexval((unsigned char)s[*i + 1]);
    int lo = hexval((unsigned char)s[*i + 2]);
    if (hi < 0 || lo < 0)
        return -1;
    *i += 3;
    *escaped = true;
    return hi * 16 + lo;
}

/* Checks the segment out[start..end) once it is complete. */
static int check_segment(const char *out, size_t start, size_t end, bool last)
{
    size_t n = end - start;
    if (n == 0)
        return last ? 0 : -EINVAL;
    if (n > CC_URLPATH_SEG_MAX)
        return -ENAMETOOLONG;
    if (out[start] != '.')
        return 0;
    if (n == 1 || (n == 2 && out[start + 1] == '.'))
        return -EINVAL;
    return -ENOENT;
}

int cc_urlpath_normalize(const char *raw, size_t len, char *out, size_t outsz)
{
    if (!raw || len == 0 || raw[0] != '/' || outsz < 2)
        return -EINVAL;
    size_t o = 0, seg = 1, i = 0;
    int rc = 0;
    while (i < len) {
        unsigned char rawc = (unsigned char)raw[i];
        if (rawc == ' ' || byte_forbidden(rawc))
            return -EINVAL;
        bool escaped;
        int c = next_byte(raw, len, &i, &escaped);
        if (c < 0 || byte_forbidden((unsigned char)c))
            return -EINVAL;
        if (escaped && (c == '/' || c == '%'))
            return -EINVAL;
        if (o + 1 >= outsz)
            return -ENAMETOOLONG;
        if (c == '/' && o > 0) {
            rc = check_segment(out, seg, o, false);
            if (rc < 0)
                return rc;
            seg = o + 1;
        }
        out[o++] = (char)c;
    }
    rc = check_segment(out, seg, o, true);
    if (rc < 0)
        return rc;
    out[o] = '\0';
    return (int)o;
}

/* Decodes a query value s[0..n) into out. */
static int decode_value(const char *s, size_t n, char *out, size_t outsz)
{
    size_t o = 0, i = 0;
    while (i < n) {
        bool escaped;
        int c = next_byte(s, n, &i, &escaped);
        if (c < 0 || c < 0x20 || c == 0x7f)
            return -EINVAL;
        if (o + 1 >= outsz)
            return -ENAMETOOLONG;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return (int)o;
}

int cc_urlpath_query_get(const char *qs, const char *key, char *out, size_t outsz)
{
    if (!qs || outsz == 0)
        return -ENOENT;
    size_t klen = strlen(key);
    const char *p = qs;
    while (*p) {
        const char *end = strchr(p, '&');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t name_len = eq ? (size_t)(eq - p) : n;
        if (name_len == klen && memcmp(p, key, klen) == 0) {
            if (!eq) {
                out[0] = '\0';
                return 0;
            }
            return decode_value(eq + 1, n - name_len - 1, out, outsz);
        }
        if (!end)
            break;
        p = end + 1;
    }
    return -ENOENT;
}

/* Room left in a request path for what a playlist names, after
 * "/rec/YYYY-MM-DD/" and a folder of up to 18 digits. */
#define CHUNK_ROOM (CC_URLPATH_MAX - 48)

/* What a byte is in a chunk URI: a table, as this runs once per chunk of a
 * cold index and a chain of compares per byte was most of its cost. */
enum { CH_NAME, CH_SLASH, CH_BAD };
static const uint8_t chunk_class[256] = {
    [0x00 ... 0x1f] = CH_BAD, ['/'] = CH_SLASH, ['%'] = CH_BAD,
    [':'] = CH_BAD,           ['\\'] = CH_BAD,  [0x7f ... 0xff] = CH_BAD,
};

const char *cc_urlpath_chunk_plain(const char *uri, size_t *len, bool *plain)
{
    size_t n = *len;
    while (n >= 2 && uri[0] == '.' && uri[1] == '/') {
        uri += 2;
        n -= 2;
    }
    if (n == 0 || n >= CHUNK_ROOM)
        return NULL;
    const unsigned char *u = (const unsigned char *)uri;
    size_t seg = 0, i = 0;
    *plain = true;
    for (;;) {
        while (i < n && chunk_class[u[i]] == CH_NAME)
            i++;
        if (i < n && chunk_class[u[i]] == CH_BAD)
            return NULL;
        /* empty, ".", "..", ".name": each refused by the decoder */
        if (i == seg || u[seg] == '.' || i - seg > CC_URLPATH_SEG_MAX)
            return NULL;
        if (i == n)
            break;
        *plain = false;
        seg = ++i;
    }
    *len = n;
    return uri;
}

bool cc_urlpath_match(const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;
    for (; *p; p++, s++) {
        if (*p == '$')
            return *s == '\0';
        if (*p == '*') {
            if (p[1] == '*')
                return true; /* "**" ends a pattern: whatever follows matches */
            /* Longest run first, as civetweb does; patterns are ours, so
             * the recursion is as deep as a pattern has stars. */
            size_t n = strcspn(s, "/");
            for (size_t k = n + 1; k-- > 0;)
                if (cc_urlpath_match(p + 1, s + k))
                    return true;
            return false;
        }
        if (*p != *s)
            return false;
    }
    return true;
}

bool cc_urlpath_chunk_name(const char *name, size_t *len)
{
    const unsigned char *u = (const unsigned char *)name, *q = u;
    /* The NUL ends the loop (its class is CH_BAD), so nothing past it is
     * read; four bytes a round, a listing having thousands of names. */
    while (chunk_class[q[0]] == CH_NAME) {
        if (chunk_class[q[1]] != CH_NAME) {
            q += 1;
            break;
        }
        if (chunk_class[q[2]] != CH_NAME) {
            q += 2;
            break;
        }
        if (chunk_class[q[3]] != CH_NAME) {
            q += 3;
            break;
        }
        q += 4;
    }
    *len = (size_t)(q - u);
    if (*q != '\0') {
        *len += strlen((const char *)q);
        return false;
    }
    return *len > 0 && u[0] != '.' && *len <= CC_URLPATH_SEG_MAX;
}

const char *cc_urlpath_chunk(const char *uri, size_t *len)
{
    bool plain;
    return cc_urlpath_chunk_plain(uri, len, &plain);
}
