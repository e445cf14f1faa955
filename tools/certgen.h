/* certgen — `camcat cert`'s key and self-signed certificate, made with
 * libcrypto (OpenSSL 3) loaded by dlopen when the command runs: camcat's
 * other commands, and camcatd, never need it.
 *
 * The key is ECDSA P-256: every browser accepts it, civetweb 1.15 loads it
 * with SSL_CTX_use_PrivateKey_file like any other, and signing a handshake
 * costs an ARM core far less than RSA-2048 does. The certificate is a
 * server certificate (CA:FALSE, digitalSignature, serverAuth) whose
 * subjectAltName lists the names and addresses browsers will check.
 *
 * Not thread-safe (one call per process is the use). */
#ifndef CC_TOOLS_CERTGEN_H
#define CC_TOOLS_CERTGEN_H

#include <stddef.h>

#include "buf.h"

#define CERTGEN_MAX_SAN 16

struct certgen_req {
    const char *cn;                   /* subject and issuer common name */
    const char *san[CERTGEN_MAX_SAN]; /* IPv4/IPv6 literals or DNS names */
    int nsan;
    int days; /* validity from now */
};

/* Appends the private key then the certificate, both PEM, to out. 0, or -1
 * with a message in err (libcrypto missing, or its error). */
int certgen_make(const struct certgen_req *req, struct cc_buf *out, char *err, size_t errsz);

#endif
