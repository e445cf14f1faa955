/* PEM is RFC 7468: "-----BEGIN LABEL-----", base64 (RFC 4648) with line
 * breaks, "-----END LABEL-----". */
#include "pemcert.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define CERT_BEGIN "-----BEGIN CERTIFICATE-----"
#define CERT_END "-----END CERTIFICATE-----"

/* memmem for a NUL-terminated needle. */
static const char *find(const char *s, const char *end, const char *needle)
{
    if (s >= end)
        return NULL;
    return memmem(s, (size_t)(end - s), needle, strlen(needle));
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Base64 of [s, e) into out (room for 3/4 of the length): whitespace is
 * skipped, '=' may only pad the last group. Returns the byte count or
 * -EINVAL. */
static long b64_decode(const char *s, const char *e, uint8_t *out)
{
    uint32_t acc = 0;
    int nbits = 0, pad = 0;
    long n = 0, chars = 0;
    for (; s < e; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        chars++;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = b64_value(c);
        if (v < 0 || pad)
            return -EINVAL;
        acc = (acc << 6) | (uint32_t)v;
        nbits += 6;
        if (nbits >= 8) {
            nbits -= 8;
            out[n++] = (uint8_t)(acc >> nbits);
        }
    }
    /* Whole groups of four, at most two '=', and no stray bits set. */
    if (chars % 4 || pad > 2 || (acc & ((1u << nbits) - 1)))
        return -EINVAL;
    return n;
}

/* The length of the DER element at p (tag + length + contents), or -1 when
 * the header is malformed or the contents would run past len. */
static long der_element(const uint8_t *p, size_t len, uint8_t tag)
{
    if (len < 2 || p[0] != tag)
        return -1;
    size_t hdr = 2, body = p[1];
    if (p[1] & 0x80) {
        size_t k = p[1] & 0x7f;
        if (k == 0 || k > 3 || len < 2 + k)
            return -1; /* indefinite, or over 16 MiB: not a certificate */
        body = 0;
        for (size_t i = 0; i < k; i++)
            body = body << 8 | p[2 + i];
        hdr += k;
    }
    if (body > len - hdr)
        return -1;
    return (long)(hdr + body);
}

static bool der_is_certificate(const uint8_t *der, size_t len)
{
    if (der_element(der, len, 0x30) != (long)len)
        return false;
    size_t hdr = der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;
    return der_element(der + hdr, len - hdr, 0x30) > 0;
}

int cc_pem_cert_der(const char *buf, size_t len, uint8_t **der, size_t *der_len)
{
    const char *end = buf + len;
    const char *b = find(buf, end, CERT_BEGIN);
    if (!b)
        return -ENOENT;
    b += strlen(CERT_BEGIN);
    const char *e = find(b, end, CERT_END);
    if (!e)
        return -ENOENT;
    uint8_t *out = cc_xmalloc((size_t)(e - b) / 4 * 3 + 3);
    long n = b64_decode(b, e, out);
    if (n <= 0 || !der_is_certificate(out, (size_t)n)) {
        free(out);
        return -EINVAL;
    }
    *der = out;
    *der_len = (size_t)n;
    return 0;
}

void cc_pem_fingerprint_format(const uint8_t digest[CC_SHA256_LEN], char out[CC_PEM_FP_STR])
{
    static const char hex[] = "0123456789ABCDEF";
    for (int i = 0; i < CC_SHA256_LEN; i++) {
        out[3 * i] = hex[digest[i] >> 4];
        out[3 * i + 1] = hex[digest[i] & 15];
        out[3 * i + 2] = i + 1 < CC_SHA256_LEN ? ':' : '\0';
    }
}

int cc_pem_cert_fingerprint(const char *buf, size_t len, char out[CC_PEM_FP_STR])
{
    uint8_t *der;
    size_t n;
    int rc = cc_pem_cert_der(buf, len, &der, &n);
    if (rc < 0)
        return rc;
    uint8_t d[CC_SHA256_LEN];
    cc_sha256(der, n, d);
    free(der);
    cc_pem_fingerprint_format(d, out);
    return 0;
}

int cc_pem_find_key(const char *buf, size_t len)
{
    const char *end = buf + len;
    /* "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED ...". */
    for (const char *p = buf; (p = find(p, end, "-----BEGIN ")) != NULL; p++) {
        const char *label = p + strlen("-----BEGIN ");
        const char *close = find(label, end, "-----");
        if (!close)
            return -ENOENT;
        size_t n = (size_t)(close - label);
        if (n < 11 || memcmp(close - 11, "PRIVATE KEY", 11) != 0)
            continue;
        if (n >= 9 && !memcmp(label, "ENCRYPTED", 9))
            return -EACCES;
        /* The traditional OpenSSL form says so in a header line instead. */
        const char *next = find(close, end, "-----END ");
        const char *proc = find(close, next ? next : end, "Proc-Type: 4,ENCRYPTED");
        return proc ? -EACCES : 0;
    }
    return -ENOENT;
}
