/* tls — camcatd's HTTPS: what can go wrong with tls_cert and with the OpenSSL
 * civetweb loads, found and said plainly before civetweb starts, and the
 * certificate's fingerprint for the log and /api/health.
 *
 * Debian's civetweb 1.15 links no TLS library: when a listen address has the
 * 's' suffix it dlopen()s "libcrypto.so" and "libssl.so" (unversioned: the
 * links libssl-dev installs, not libssl3's libssl.so.3), so camcatd without
 * TLS configured never maps OpenSSL. And it was built for OpenSSL 1.1: with
 * OpenSSL 3 it calls a function that no longer exists (SSL_get_peer_
 * certificate, a NULL pointer) at every handshake. So before civetweb starts,
 * camcatd loads two small shims (src/tlsshim/, built next to camcatd and
 * installed in PREFIX/lib/camcat) whose sonames are libcrypto.so and
 * libssl.so: civetweb's dlopen finds them already loaded, they bring in
 * libcrypto.so.3 and libssl.so.3, and the libssl one adds the missing name.
 *
 * Thread rules: srv_tls_check once in main before the server starts; the
 * result is read-only after. */
#ifndef CC_SRV_TLS_H
#define CC_SRV_TLS_H

#include <stdbool.h>

#include "pemcert.h"

struct cc_config;

struct srv_tls {
    bool on;                    /* tls_cert is set (and checked) */
    char sha256[CC_PEM_FP_STR]; /* the certificate's fingerprint */
};

/* With tls_cert set: checks that the file is readable and holds an
 * unencrypted private key and a certificate, and that civetweb has TLS;
 * loads the shims (and with them OpenSSL 3); logs the fingerprint. 0; otherwise logs why and returns -EINVAL (a bad file),
 * -errno (an unreadable one) or -ENOTSUP (no TLS available). */
int srv_tls_check(const struct cc_config *cfg, struct srv_tls *out);

#endif
