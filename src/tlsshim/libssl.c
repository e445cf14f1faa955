/* camcat-tls-libssl.so: what Debian's civetweb 1.15 opens as "libssl.so".
 *
 * That civetweb was built for the OpenSSL 1.1 API and calls
 * SSL_get_peer_certificate on every TLS connection; OpenSSL 3 renamed it
 * SSL_get1_peer_certificate (same meaning: the caller owns a reference) and
 * no longer exports the old name, so civetweb calls a NULL pointer and the
 * server dies at the first handshake. This object is named libssl.so (its
 * soname), needs libssl.so.3, and adds the old name; camcatd loads it before
 * civetweb asks for "libssl.so", which then finds it already loaded, and
 * civetweb's dlsym of every other function falls through to libssl.so.3
 * (src/server/tls.h). No OpenSSL header: one opaque prototype is enough. */

struct ssl_st;
struct x509_st;

struct x509_st *SSL_get1_peer_certificate(const struct ssl_st *ssl);
struct x509_st *SSL_get_peer_certificate(const struct ssl_st *ssl);

struct x509_st *SSL_get_peer_certificate(const struct ssl_st *ssl)
{
    return SSL_get1_peer_certificate(ssl);
}
