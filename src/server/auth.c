/* Who may use and change the camera: digest authentication against the
 * auth_file, and the same-origin rule for state-changing requests.
 *
 * Authentication is civetweb's digest code (nonces, response check), called
 * from an authorization handler on "/" instead of through its
 * global_auth_file option: civetweb 1.15 lets every request through when that
 * file cannot be opened at request time (a file deleted or made unreadable
 * after start-up would silently turn authentication off). The handler fails
 * closed instead. civetweb re-reads the file per request, so `camcat passwd`
 * takes effect without a restart. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "app.h"
#include "buf.h"
#include "fsutil.h"
#include "htdigest.h"
#include "http.h"
#include "ingest.h"
#include "log.h"

int srv_auth_check_config(const struct cc_config *cfg)
{
    if (!cc_htdigest_name_ok(cfg->auth_realm)) {
        cc_err("auth_realm \"%s\": use 1-64 printable ASCII characters without : \" or \\",
               cfg->auth_realm);
        return -EINVAL;
    }
    if (!cfg->auth_file)
        return 0;
    struct cc_buf b;
    cc_buf_init(&b);
    char err[128];
    size_t users = 0;
    int rc = cc_read_file(cfg->auth_file, CC_HTDIGEST_MAX_FILE, &b);
    if (rc < 0) {
        cc_err("auth_file %s cannot be read: %s", cfg->auth_file,
               rc == -EFBIG ? "larger than 64 KiB" : strerror(-rc));
        goto out;
    }
    rc = cc_htdigest_check(b.data ? b.data : "", b.len, cfg->auth_realm, &users, err,
                           sizeof(err));
    if (rc < 0) {
        cc_err("auth_file %s is not an htdigest file (user:realm:md5hex lines): %s",
               cfg->auth_file, err);
        goto out;
    }
    if (users == 0) {
        cc_err("auth_file %s has no user for realm \"%s\", so nobody could log in; add one "
               "with: camcat passwd %s USER --realm %s", cfg->auth_file, cfg->auth_realm,
               cfg->auth_file, cfg->auth_realm);
        rc = -EINVAL;
        goto out;
    }
    cc_info("authentication on: %zu user%s of realm \"%s\" in %s", users, users == 1 ? "" : "s",
            cfg->auth_realm, cfg->auth_file);
out:
    cc_buf_free(&b);
    return rc < 0 ? -EINVAL : 0;
}

/* Set while the auth file cannot be read, so the error is logged once per
 * outage rather than once per request. */
static atomic_bool file_broken;

int srv_auth_handler(struct mg_connection *conn, void *cbdata)
{
    struct app *app = cbdata;
    const struct cc_config *cfg = app->cfg;
    if (srv_ingest_token_ok(conn, cfg))
        return 1; /* a device pushing a stream, with the token instead of digest */
    int rc = mg_check_digest_access_authentication(conn, cfg->auth_realm, cfg->auth_file);
    if (rc > 0) {
        if (atomic_exchange(&file_broken, false))
            cc_warn("auth_file %s is readable again", cfg->auth_file);
        return 1;
    }
    if (rc < 0) {
        if (!atomic_exchange(&file_broken, true))
            cc_err("auth_file %s cannot be read: refusing every request until it can",
                   cfg->auth_file);
        srv_send_error_close(conn, 503, "auth_unavailable",
                             "the password file cannot be read; see the server log");
        return 0;
    }
    if (mg_get_header(conn, "Authorization")) {
        const struct mg_request_info *ri = mg_get_request_info(conn);
        cc_info("auth: credentials refused for \"%.64s\" from %s",
                ri->remote_user ? ri->remote_user : "?", ri->remote_addr);
    }
    mg_send_digest_access_authentication_request(conn, cfg->auth_realm);
    return 0;
}

/* "http://HOST[:PORT]" names this server when HOST[:PORT] is the Host the
 * browser sent: a page served from here posts with its own origin. An
 * opaque origin ("null": sandboxed frames, file: pages) never matches. */
static bool origin_is_host(const char *origin, const char *host)
{
    static const char *const schemes[] = {"http://", "https://"};
    for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        size_t n = strlen(schemes[i]);
        if (!strncasecmp(origin, schemes[i], n))
            return strcasecmp(origin + n, host) == 0;
    }
    return false;
}

/* Host's name part is an IP literal or localhost: names a DNS server
 * controls can be rebound to the camera's address by another site's page,
 * which then is "same-origin". */
static bool host_is_literal(const char *host)
{
    char name[64];
    const char *end;
    if (host[0] == '[') {
        end = strchr(host, ']');
        if (!end || (size_t)(end - host - 1) >= sizeof(name))
            return false;
        memcpy(name, host + 1, (size_t)(end - host - 1));
        name[end - host - 1] = '\0';
        struct in6_addr a6;
        return inet_pton(AF_INET6, name, &a6) == 1;
    }
    end = strchr(host, ':');
    size_t n = end ? (size_t)(end - host) : strlen(host);
    if (n >= sizeof(name))
        return false;
    memcpy(name, host, n);
    name[n] = '\0';
    struct in_addr a4;
    return inet_pton(AF_INET, name, &a4) == 1 || !strcasecmp(name, "localhost");
}

int srv_check_write(struct mg_connection *conn, struct app *app)
{
    static const char msg[] = "requests that change the camera must come from its own page";
    /* Browsers send Sec-Fetch-Site and Origin on every cross-site POST or
     * DELETE; a request with neither comes from a tool (curl), not from
     * another site's page, and authentication (when on) covers it. */
    const char *site = mg_get_header(conn, "Sec-Fetch-Site");
    if (site && strcasecmp(site, "same-origin") != 0 && strcasecmp(site, "none") != 0)
        return srv_send_error(conn, 403, "cross_origin", msg);
    const char *origin = mg_get_header(conn, "Origin");
    const char *host = mg_get_header(conn, "Host");
    if (origin && !(host && origin_is_host(origin, host)))
        return srv_send_error(conn, 403, "cross_origin", msg);
    if ((origin || site) && !app->cfg->auth_file && host && !host_is_literal(host))
        return srv_send_error(conn, 403, "host_not_literal",
                              "without an auth_file, the camera accepts changes only from a "
                              "page opened by IP address or as localhost");
    return 0;
}
