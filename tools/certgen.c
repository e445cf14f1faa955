#include "certgen.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define LIBRARY "libcrypto.so.3"

/* OpenSSL's types stay opaque here: only pointers to them pass through, so
 * no OpenSSL header is needed (nor an armhf one for the cross build). The
 * prototypes are those of OpenSSL 3.0's manual pages. */
typedef struct ossl_any ossl;

/* OpenSSL's constants used below (asn1.h MBSTRING_ASC, bio.h
 * BIO_CTRL_INFO). */
#define MBSTRING_ASC 0x1001
#define BIO_CTRL_INFO 3

struct crypto {
    void *handle;
    ossl *(*pkey_q_keygen)(void *libctx, const char *propq, const char *type, ...);
    void (*pkey_free)(ossl *pkey);
    ossl *(*x509_new)(void);
    void (*x509_free)(ossl *x);
    int (*set_version)(ossl *x, long v);
    ossl *(*get_serial)(ossl *x);
    int (*rand_bytes)(unsigned char *buf, int n);
    ossl *(*bn_bin2bn)(const unsigned char *s, int len, ossl *ret);
    ossl *(*bn_to_asn1)(const ossl *bn, ossl *ai);
    void (*bn_free)(ossl *bn);
    ossl *(*not_before)(ossl *x);
    ossl *(*not_after)(ossl *x);
    ossl *(*gmtime_adj)(ossl *t, long secs);
    int (*set_pubkey)(ossl *x, ossl *pkey);
    ossl *(*subject)(const ossl *x);
    int (*name_add)(ossl *name, const char *field, int type, const unsigned char *bytes, int len,
                    int loc, int set);
    int (*set_issuer)(ossl *x, const ossl *name);
    ossl *(*ext_nconf)(ossl *conf, ossl *ctx, const char *name, const char *value);
    int (*add_ext)(ossl *x, ossl *ext, int loc);
    void (*ext_free)(ossl *ext);
    const ossl *(*sha256)(void);
    int (*sign)(ossl *x, ossl *pkey, const ossl *md);
    ossl *(*bio_new)(const ossl *type);
    const ossl *(*bio_s_mem)(void);
    long (*bio_ctrl)(ossl *b, int cmd, long larg, void *parg);
    int (*bio_free)(ossl *b);
    int (*write_key)(ossl *b, const ossl *pkey, const ossl *enc, const unsigned char *kstr,
                     int klen, void *cb, void *u);
    int (*write_x509)(ossl *b, const ossl *x);
    unsigned long (*err_get)(void);
    void (*err_string)(unsigned long e, char *buf, size_t len);
};

static int load(struct crypto *c, char *err, size_t errsz)
{
    memset(c, 0, sizeof(*c));
    c->handle = dlopen(LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!c->handle) {
        snprintf(err, errsz, "cannot load %s: %s (install libssl3)", LIBRARY, dlerror());
        return -1;
    }
    const struct {
        void *slot;
        const char *name;
    } syms[] = {
        {&c->pkey_q_keygen, "EVP_PKEY_Q_keygen"},
        {&c->pkey_free, "EVP_PKEY_free"},
        {&c->x509_new, "X509_new"},
        {&c->x509_free, "X509_free"},
        {&c->set_version, "X509_set_version"},
        {&c->get_serial, "X509_get_serialNumber"},
        {&c->rand_bytes, "RAND_bytes"},
        {&c->bn_bin2bn, "BN_bin2bn"},
        {&c->bn_to_asn1, "BN_to_ASN1_INTEGER"},
        {&c->bn_free, "BN_free"},
        {&c->not_before, "X509_getm_notBefore"},
        {&c->not_after, "X509_getm_notAfter"},
        {&c->gmtime_adj, "X509_gmtime_adj"},
        {&c->set_pubkey, "X509_set_pubkey"},
        {&c->subject, "X509_get_subject_name"},
        {&c->name_add, "X509_NAME_add_entry_by_txt"},
        {&c->set_issuer, "X509_set_issuer_name"},
        {&c->ext_nconf, "X509V3_EXT_nconf"},
        {&c->add_ext, "X509_add_ext"},
        {&c->ext_free, "X509_EXTENSION_free"},
        {&c->sha256, "EVP_sha256"},
        {&c->sign, "X509_sign"},
        {&c->bio_new, "BIO_new"},
        {&c->bio_s_mem, "BIO_s_mem"},
        {&c->bio_ctrl, "BIO_ctrl"},
        {&c->bio_free, "BIO_free"},
        {&c->write_key, "PEM_write_bio_PrivateKey"},
        {&c->write_x509, "PEM_write_bio_X509"},
        {&c->err_get, "ERR_get_error"},
        {&c->err_string, "ERR_error_string_n"},
    };
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        void *p = dlsym(c->handle, syms[i].name);
        if (!p) {
            snprintf(err, errsz, "%s has no %s", LIBRARY, syms[i].name);
            dlclose(c->handle);
            return -1;
        }
        memcpy(syms[i].slot, &p, sizeof(p)); /* POSIX: function pointers fit */
    }
    return 0;
}

/* Says which step failed and OpenSSL's reason. */
static int fail(struct crypto *c, const char *step, char *err, size_t errsz)
{
    char why[256];
    c->err_string(c->err_get(), why, sizeof(why));
    snprintf(err, errsz, "%s failed: %s", step, why);
    return -1;
}

static int add_ext(struct crypto *c, ossl *x, const char *name, const char *value)
{
    ossl *ext = c->ext_nconf(NULL, NULL, name, value);
    if (!ext)
        return -1;
    int ok = c->add_ext(x, ext, -1);
    c->ext_free(ext);
    return ok ? 0 : -1;
}

/* "DNS:a,IP:1.2.3.4": literals are IP entries, anything else a DNS name. */
static void san_list(const struct certgen_req *req, struct cc_buf *b)
{
    for (int i = 0; i < req->nsan; i++) {
        unsigned char a[16];
        bool ip = inet_pton(AF_INET, req->san[i], a) == 1 ||
                  inet_pton(AF_INET6, req->san[i], a) == 1;
        cc_buf_printf(b, "%s%s:%s", i ? "," : "", ip ? "IP" : "DNS", req->san[i]);
    }
}

/* Serial: 16 random bytes, the top bit clear so it stays positive (RFC 5280
 * 4.1.2.2 asks for at most 20 octets, unique per issuer). */
static int set_serial(struct crypto *c, ossl *x)
{
    unsigned char r[16];
    if (c->rand_bytes(r, sizeof(r)) != 1)
        return -1;
    r[0] &= 0x7f;
    ossl *bn = c->bn_bin2bn(r, sizeof(r), NULL);
    int rc = bn && c->bn_to_asn1(bn, c->get_serial(x)) ? 0 : -1;
    c->bn_free(bn);
    return rc;
}

static int fill(struct crypto *c, const struct certgen_req *req, ossl *x, ossl *key)
{
    struct cc_buf san;
    cc_buf_init(&san);
    san_list(req, &san);
    ossl *name = c->subject(x);
    int rc = -1;
    if (!c->set_version(x, 2) || set_serial(c, x) < 0 || !c->gmtime_adj(c->not_before(x), 0) ||
        !c->gmtime_adj(c->not_after(x), (long)req->days * 86400) || !c->set_pubkey(x, key) ||
        !c->name_add(name, "CN", MBSTRING_ASC, (const unsigned char *)req->cn, -1, -1, 0) ||
        !c->set_issuer(x, name))
        goto out;
    if (add_ext(c, x, "basicConstraints", "critical,CA:FALSE") < 0 ||
        add_ext(c, x, "keyUsage", "critical,digitalSignature") < 0 ||
        add_ext(c, x, "extendedKeyUsage", "serverAuth") < 0 ||
        add_ext(c, x, "subjectAltName", san.data) < 0)
        goto out;
    rc = c->sign(x, key, c->sha256()) > 0 ? 0 : -1;
out:
    cc_buf_free(&san);
    return rc;
}

/* The memory BIO's bytes onto out. */
static void take_bio(struct crypto *c, ossl *bio, struct cc_buf *out)
{
    char *p = NULL;
    long n = c->bio_ctrl(bio, BIO_CTRL_INFO, 0, &p);
    if (n > 0)
        cc_buf_append(out, p, (size_t)n);
}

int certgen_make(const struct certgen_req *req, struct cc_buf *out, char *err, size_t errsz)
{
    struct crypto c;
    if (load(&c, err, errsz) < 0)
        return -1;
    ossl *x = NULL, *bio = NULL;
    int rc = -1;
    ossl *key = c.pkey_q_keygen(NULL, NULL, "EC", "P-256");
    if (!key) {
        rc = fail(&c, "making the P-256 key", err, errsz);
        goto out;
    }
    x = c.x509_new();
    if (!x || fill(&c, req, x, key) < 0) {
        rc = fail(&c, "making the certificate", err, errsz);
        goto out;
    }
    bio = c.bio_new(c.bio_s_mem());
    if (!bio || !c.write_key(bio, key, NULL, NULL, 0, NULL, NULL) || !c.write_x509(bio, x)) {
        rc = fail(&c, "writing PEM", err, errsz);
        goto out;
    }
    take_bio(&c, bio, out);
    rc = 0;
out:
    if (bio)
        c.bio_free(bio);
    if (x)
        c.x509_free(x);
    c.pkey_free(key);
    dlclose(c.handle);
    return rc;
}
