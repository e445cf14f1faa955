/* camcat-tls-libcrypto.so: what Debian's civetweb 1.15 opens as
 * "libcrypto.so", a name only libssl-dev installs. Empty: its soname is
 * libcrypto.so and it needs libcrypto.so.3, whose functions civetweb's dlsym
 * finds through it (see libssl.c and src/server/tls.h). */

/* ISO C wants a translation unit to declare something. */
int camcat_tls_libcrypto_shim;
