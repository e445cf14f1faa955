/* camcat-tls-libssl.so: what Debian's civetweb 1.15 opens as "libssl.so".
 *
 * That civetweb was built for the OpenSSL 1.1 API, and OpenSSL 3 changed two
 * things under it:
 * - SSL_get_peer_certificate, called after every handshake, was renamed
 *   SSL_get1_peer_certificate (same meaning: the caller owns a reference)
 *   and the old name is no longer exported, so civetweb calls a NULL pointer
 *   and the server dies at the first TLS connection;
 * - SSL_CTX_set_options takes and returns uint64_t instead of unsigned long.
 *   On 64-bit targets that is the same register; on 32-bit ARM a 64-bit
 *   argument goes in the r2:r3 pair, so OpenSSL reads garbage where
 *   civetweb passed r1 and the camera refuses every protocol version.
 * This object is named libssl.so (its soname) and needs libssl.so.3.
 * camcatd loads it before civetweb asks for "libssl.so", which then finds it
 * already loaded; civetweb's dlsym finds the two functions below here first
 * and every other one in libssl.so.3 (src/server/tls.h). No OpenSSL header:
 * opaque prototypes are enough. */
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

struct ssl_st;
struct ssl_ctx_st;
struct x509_st;

struct x509_st *SSL_get_peer_certificate(const struct ssl_st *ssl);
unsigned long SSL_CTX_set_options(struct ssl_ctx_st *ctx, unsigned long op);

/* OpenSSL 3's own, looked up in libssl.so.3 itself: a plain call from here
 * would bind to this object's definitions. Set once when the shim loads
 * (libssl.so.3, a dependency, is loaded and initialised by then). */
static struct x509_st *(*get1_peer_certificate)(const struct ssl_st *ssl);
static uint64_t (*ctx_set_options)(struct ssl_ctx_st *ctx, uint64_t op);

__attribute__((constructor)) static void resolve(void)
{
    void *h = dlopen("libssl.so.3", RTLD_NOW | RTLD_NOLOAD);
    if (!h)
        return;
    *(void **)&get1_peer_certificate = dlsym(h, "SSL_get1_peer_certificate");
    *(void **)&ctx_set_options = dlsym(h, "SSL_CTX_set_options");
    dlclose(h); /* still loaded: this object needs it */
}

struct x509_st *SSL_get_peer_certificate(const struct ssl_st *ssl)
{
    return get1_peer_certificate ? get1_peer_certificate(ssl) : NULL;
}

unsigned long SSL_CTX_set_options(struct ssl_ctx_st *ctx, unsigned long op)
{
    return ctx_set_options ? (unsigned long)ctx_set_options(ctx, op) : 0;
}
