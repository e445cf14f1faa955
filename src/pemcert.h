/* pemcert — what camcatd needs to know about its TLS certificate file before
 * civetweb (OpenSSL) loads it: that it holds a certificate and an unencrypted
 * private key, and the certificate's SHA-256 fingerprint (the SHA-256 of its
 * DER bytes, as browsers, `openssl x509 -fingerprint -sha256` and node's
 * fingerprint256 show it), which the owner pins.
 *
 * Pure parsers of (buf, len): no I/O, no OpenSSL; thread-safe. Only the first
 * CERTIFICATE block counts (the server's own; a chain may follow). The
 * fingerprint says which certificate it is, nothing about whether OpenSSL
 * will accept its contents or whether the key matches: civetweb checks that
 * when it starts. */
#ifndef CC_PEMCERT_H
#define CC_PEMCERT_H

#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

/* "AB:CD:...": 32 bytes as uppercase hex pairs joined by colons, and a NUL. */
#define CC_PEM_FP_STR (3 * CC_SHA256_LEN)

/* Decodes the first -----BEGIN CERTIFICATE----- block. 0 with *der (caller
 * frees) and *der_len set; -ENOENT when there is no complete block; -EINVAL
 * when its base64 is malformed or the bytes are not one DER SEQUENCE holding
 * a SEQUENCE (the shape of every X.509 certificate). */
int cc_pem_cert_der(const char *buf, size_t len, uint8_t **der, size_t *der_len);

/* The first certificate's fingerprint as CC_PEM_FP_STR text; errors as
 * cc_pem_cert_der. */
int cc_pem_cert_fingerprint(const char *buf, size_t len, char out[CC_PEM_FP_STR]);

/* Formats a SHA-256 digest the way the fingerprint is shown. */
void cc_pem_fingerprint_format(const uint8_t digest[CC_SHA256_LEN], char out[CC_PEM_FP_STR]);

/* Whether buf holds a private key camcatd can use without a passphrase: 0;
 * -ENOENT when there is no PRIVATE KEY block; -EACCES when the key is
 * encrypted (nobody is there to type its passphrase at start). */
int cc_pem_find_key(const char *buf, size_t len);

#endif
