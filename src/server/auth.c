/* Who may use and change the camera: digest authentication against the
 * auth_file, the Host rule without it, and the same-origin rule for
 * state-changing requests.
 *
 * srv_auth_handler is civetweb's authorization handler for "/", so every
 * request meets it before any handler. Authentication is our own (digest.h)
 * rather than civetweb's: civetweb 1.15 checks neither the header's uri=
 * against the request nor the nonce count, so a captured header worked on
 * any path any number of times. The handler fails closed (503) when the
 * auth_file cannot be read, and reads it per request so `camcat passwd` takes
 * effect without a restart. */
#include "auth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "app.h"
#include "buf.h"
#include "digest.h"
#include "fsutil.h"
#include "htdigest.h"
#include "http.h"
#include "ingestd.h"
#include "log.h"
#include "mem.h"
#include "ratelimit.h"

/* How long a nonce is good for; a browser then gets stale=true and retries
 * with a new one without asking for the password again. */
#define NONCE_LIFETIME_MS (5 * 60 * 1000)
/* Nonces remembered (each a few dozen bytes); a client whose nonce was
 * evicted is re-challenged with stale=true, like an expired one. */
#define NONCE_SLOTS 512
/* Failed logins are counted per client address in windows of a minute:
 * auth_max_failures in one window refuse that client until it ends. Slots:
 * clients remembered, each about a hundred bytes. */
#define LOGIN_WINDOW_MS (60 * 1000)
#define LOGIN_SLOTS 256
/* Test-only: a shorter nonce lifetime in ms, read once at start. */
#define NONCE_LIFETIME_ENV "CAMCAT_TEST_NONCE_LIFETIME_MS"

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
    int rc = cc_read_file(cfg->auth_file, CC_OPEN_FOLLOW, CC_HTDIGEST_MAX_FILE, &b);
    if (rc < 0) {
        cc_err("auth_file %s cannot be read: %s", cfg->auth_file,
               rc == -EFBIG ? "larger than 64 KiB" : strerror(-rc));
        goto out;
    }
    rc = cc_htdigest_check(b.data ? b.data : "", b.len, cfg->auth_realm, &users, err, sizeof(err));
    if (rc < 0) {
        cc_err("auth_file %s is not an htdigest file (user:realm:md5hex lines): %s", cfg->auth_file,
               err);
        goto out;
    }
    if (users == 0) {
        cc_err("auth_file %s has no user for realm \"%s\", so nobody could log in; add one "
               "with: camcat passwd %s USER --realm %s",
               cfg->auth_file, cfg->auth_realm, cfg->auth_file, cfg->auth_realm);
        rc = -EINVAL;
        goto out;
    }
    cc_info("authentication on: %zu user%s of realm \"%s\" in %s", users, users == 1 ? "" : "s",
            cfg->auth_realm, cfg->auth_file);
out:
    cc_buf_free(&b);
    return rc < 0 ? -EINVAL : 0;
}

int srv_auth_start(struct app *app)
{
    if (!app->cfg->auth_file)
        return 0;
    int64_t lifetime = NONCE_LIFETIME_MS;
    const char *env = getenv(NONCE_LIFETIME_ENV);
    if (env && *env) {
        char *end;
        long long v = strtoll(env, &end, 10);
        /* it can only shorten the lifetime */
        if (*end || v < 1 || v > NONCE_LIFETIME_MS) {
            cc_err("%s=%s: use 1-%d (ms; for tests only)", NONCE_LIFETIME_ENV, env,
                   NONCE_LIFETIME_MS);
            return -EINVAL;
        }
        cc_warn("%s: nonces live %lld ms (for tests only)", NONCE_LIFETIME_ENV, v);
        lifetime = v;
    }
    int rc = cc_digest_new(NONCE_SLOTS, lifetime, NULL, &app->digest);
    if (rc < 0) {
        cc_err("authentication: no random source for nonces: %s", strerror(-rc));
        return rc;
    }
    /* Without a limit the table still gathers failures for the log. */
    uint32_t limit = app->cfg->auth_max_failures ? (uint32_t)app->cfg->auth_max_failures
                                                 : UINT32_MAX;
    return cc_ratelimit_new(LOGIN_SLOTS, limit, LOGIN_WINDOW_MS, NULL, &app->logins);
}

void srv_auth_stop(struct app *app)
{
    cc_digest_free(app->digest);
    app->digest = NULL;
    cc_ratelimit_free(app->logins);
    app->logins = NULL;
}

/* Set while the auth file cannot be read, so the error is logged once per
 * outage rather than once per request. */
static atomic_bool file_broken;

/* The password file's text into b, or the 503 sent (returns its status). */
static int read_users(struct mg_connection *conn, const char *file, struct cc_buf *b)
{
    int rc = cc_read_file(file, CC_OPEN_FOLLOW, CC_HTDIGEST_MAX_FILE, b);
    if (rc < 0) {
        if (!atomic_exchange(&file_broken, true))
            cc_err("auth_file %s cannot be read: refusing every request until it can (%s)", file,
                   rc == -EFBIG ? "larger than 64 KiB" : strerror(-rc));
        return srv_send_error_close(conn, 503, "auth_unavailable",
                                    "the password file cannot be read; see the server log");
    }
    if (atomic_exchange(&file_broken, false))
        cc_warn("auth_file %s is readable again", file);
    return 0;
}

/* The request target exactly as on the request line (decode_url is off, so
 * civetweb leaves the path raw): what the client's uri= must equal. */
static bool request_target(const struct mg_request_info *ri, char *out, size_t size)
{
    const char *path = ri->local_uri_raw ? ri->local_uri_raw : "";
    int n = ri->query_string ? snprintf(out, size, "%s?%s", path, ri->query_string)
                             : snprintf(out, size, "%s", path);
    return n >= 0 && (size_t)n < size;
}

/* Counts a failed login of client; logs the client's failures once a
 * window, so a password guesser cannot fill the log. */
static void note_failure(struct app *app, const char *client, const char *user, bool replay)
{
    uint32_t n = cc_ratelimit_fail(app->logins, client);
    if (n)
        cc_info("auth: %u failed login%s from %s since its last report (the last as \"%.64s\"%s)",
                n, n == 1 ? "" : "s", client, user,
                replay ? ", a nonce count used before: replayed" : "");
}

/* The verdict on the request's Authorization header (users: the file). */
static enum cc_digest_verdict check_credentials(struct mg_connection *conn, struct app *app,
                                                const struct cc_buf *users, const char *hdr)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *realm = app->cfg->auth_realm;
    struct cc_digest_creds *c = cc_xmalloc(sizeof(*c));
    char target[CC_DIGEST_MAX_URI + 1];
    /* An unknown user costs the same work as a wrong password. */
    char ha1[CC_MD5_HEX] = "00000000000000000000000000000000";
    enum cc_digest_verdict v = CC_DIGEST_BAD;
    bool parsed = cc_digest_parse(hdr, strlen(hdr), c) == 0;
    if (!parsed || !request_target(ri, target, sizeof(target)))
        goto out;
    bool known = cc_htdigest_find(users->data ? users->data : "", users->len, c->username, realm,
                                  ha1) == 0;
    v = cc_digest_verify(app->digest, c, ri->request_method, target, realm, ha1);
    if (!known)
        v = CC_DIGEST_BAD;
out:
    if (v == CC_DIGEST_BAD || v == CC_DIGEST_REPLAY) {
        cc_debug("auth: credentials refused for \"%.64s\" from %s%s", parsed ? c->username : "?",
                 ri->remote_addr,
                 v == CC_DIGEST_REPLAY ? " (a nonce count used before: replayed)" : "");
        note_failure(app, ri->remote_addr, parsed ? c->username : "?", v == CC_DIGEST_REPLAY);
    }
    free(c);
    return v;
}

/* 401 with a fresh challenge. */
static int send_challenge(struct mg_connection *conn, struct app *app, bool stale)
{
    char nonce[CC_DIGEST_NONCE_LEN + 1];
    cc_digest_nonce(app->digest, nonce);
    struct cc_buf h;
    cc_buf_init(&h);
    cc_buf_printf(&h,
                  "Digest realm=\"%s\", qop=\"auth\", nonce=\"%s\", opaque=\"%s\", "
                  "algorithm=MD5%s",
                  app->cfg->auth_realm, nonce, cc_digest_opaque(app->digest),
                  stale ? ", stale=true" : "");
    int status = srv_send_error_header(conn, 401, "unauthorized",
                                       "log in as a user of the camera's auth_file",
                                       "WWW-Authenticate", h.data);
    cc_buf_free(&h);
    return status;
}

static int check_host(struct mg_connection *conn);

/* A client with too many failed logins is refused whatever it sends, right
 * credentials too: otherwise the limit would still answer a guesser whether
 * each guess was right. true after the 429. */
static bool refuse_limited(struct mg_connection *conn, struct app *app)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    int64_t wait_ms = cc_ratelimit_wait(app->logins, ri->remote_addr);
    if (!wait_ms)
        return false;
    char secs[24];
    snprintf(secs, sizeof(secs), "%lld", (long long)((wait_ms + 999) / 1000));
    srv_send_error_header(conn, 429, "too_many_attempts",
                          "too many failed logins from this address; try again after "
                          "Retry-After seconds",
                          "Retry-After", secs);
    return true;
}

int srv_auth_handler(struct mg_connection *conn, void *cbdata)
{
    struct app *app = cbdata;
    /* A device pushing a stream, with the ingest token instead of digest
     * (and no browser: a rebinding page cannot know the token). */
    if (srv_ingestd_token_ok(conn, app->cfg))
        return 1;
    if (!app->cfg->auth_file)
        return check_host(conn);
    if (refuse_limited(conn, app))
        return 0;
    const char *hdr = mg_get_header(conn, "Authorization");
    struct cc_buf users;
    cc_buf_init(&users);
    enum cc_digest_verdict v = CC_DIGEST_BAD;
    bool ok = false;
    if (read_users(conn, app->cfg->auth_file, &users) > 0)
        goto out;
    if (hdr)
        v = check_credentials(conn, app, &users, hdr);
    ok = v == CC_DIGEST_OK;
    if (!ok)
        send_challenge(conn, app, v == CC_DIGEST_STALE);
out:
    cc_buf_free(&users);
    return ok;
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

/* Without authentication, a page of another site can reach the camera by a
 * DNS name it rebinds to the camera's address, and then reads as
 * "same-origin": only IP literals and localhost are served. No Host at all
 * (HTTP/1.0 tools) is no browser. 1 to go on, 0 after the 403. */
static int check_host(struct mg_connection *conn)
{
    const char *host = mg_get_header(conn, "Host");
    if (!host || host_is_literal(host))
        return 1;
    srv_send_error(conn, 403, "host_not_literal",
                   "without an auth_file, the camera answers only requests to its IP address "
                   "or to localhost");
    return 0;
}
