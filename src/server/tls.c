#include "tls.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <civetweb.h>

#include "buf.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"

#ifndef CAMCAT_LIB_DIR
#define CAMCAT_LIB_DIR "/usr/local/lib/camcat"
#endif

/* civetweb dlopen()s CRYPTO_LIB, then SSL_LIB: the shims answering to those
 * names, in that order (src/tlsshim/). */
static const struct {
    const char *file, *name;
} shims[] = {
    {"camcat-tls-libcrypto.so", "libcrypto.so"},
    {"camcat-tls-libssl.so", "libssl.so"},
};

/* A certificate with its key and a chain is a few KiB. */
#define CERT_MAX_FILE (64 * 1024)

/* Loads one shim from camcatd's own folder (a build tree) or CAMCAT_LIB_DIR
 * (make install). The handle is kept for good: civetweb uses the library
 * until the process ends. */
static int load_shim(const char *file, const char *name)
{
    char exe[PATH_MAX], path[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    const char *dirs[] = {slash ? (*slash = '\0', exe) : ".", CAMCAT_LIB_DIR};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dirs[i], file);
        if (access(path, R_OK) != 0)
            continue;
        if (!dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
            cc_err("tls: cannot load %s: %s (install libssl3)", path, dlerror());
            return -ENOTSUP;
        }
        /* civetweb's dlopen(name) must now find it by its soname. */
        void *h = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
        if (!h) {
            cc_err("tls: %s was loaded but does not answer to %s", path, name);
            return -ENOTSUP;
        }
        dlclose(h);
        return 0;
    }
    cc_err("tls: %s is in neither %s nor %s (make install puts it in the latter)", file, dirs[0],
           CAMCAT_LIB_DIR);
    return -ENOTSUP;
}

static int load_openssl(void)
{
    for (size_t i = 0; i < sizeof(shims) / sizeof(shims[0]); i++) {
        int rc = load_shim(shims[i].file, shims[i].name);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The key file's secrets are the camera's identity: say so when others can
 * read them (not refused: the owner may have reasons, e.g. a group). */
static void check_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077))
        cc_warn("tls: %s holds the private key and is readable by others (mode %04o): "
                "chmod 600 it",
                path, (unsigned)(st.st_mode & 07777));
}

static int check_pem(const char *path, const char *pem, size_t len, struct srv_tls *out)
{
    int rc = cc_pem_find_key(pem, len);
    if (rc == -ENOENT)
        cc_err("tls: %s has no PRIVATE KEY block: civetweb wants the private key and the "
               "certificate in one PEM file (camcat cert --out FILE writes one)",
               path);
    else if (rc == -EACCES)
        cc_err("tls: %s has an encrypted private key: nobody can type its passphrase when the "
               "camera starts; store it unencrypted with mode 0600",
               path);
    if (rc < 0)
        return -EINVAL;
    rc = cc_pem_cert_fingerprint(pem, len, out->sha256);
    if (rc == -ENOENT)
        cc_err("tls: %s has no complete CERTIFICATE block", path);
    else if (rc < 0)
        cc_err("tls: %s: the CERTIFICATE block is not a certificate (bad base64 or DER)", path);
    return rc < 0 ? -EINVAL : 0;
}

int srv_tls_check(const struct cc_config *cfg, struct srv_tls *out)
{
    memset(out, 0, sizeof(*out));
    if (!cfg->tls_cert)
        return 0;
    struct cc_buf b;
    cc_buf_init(&b);
    int rc = -ENOTSUP;
    if (!mg_check_feature(MG_FEATURES_TLS)) {
        cc_err("tls: this civetweb was built without TLS");
        goto out;
    }
    rc = cc_read_file(cfg->tls_cert, CC_OPEN_FOLLOW, CERT_MAX_FILE, &b);
    if (rc < 0) {
        cc_err("tls: tls_cert %s cannot be read: %s", cfg->tls_cert, strerror(-rc));
        goto out;
    }
    rc = check_pem(cfg->tls_cert, b.data ? b.data : "", b.len, out);
    if (rc < 0)
        goto out;
    check_mode(cfg->tls_cert);
    rc = load_openssl();
    if (rc < 0)
        goto out;
    out->on = true;
    cc_info("tls: certificate %s, SHA-256 fingerprint %s", cfg->tls_cert, out->sha256);
out:
    cc_buf_free(&b);
    return rc;
}
