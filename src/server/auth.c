/* Who may change the camera: the same-origin rule for state-changing
 * requests. (Digest authentication is civetweb's, configured in main.c.) */
#include <string.h>
#include <strings.h>

#include <civetweb.h>

#include "app.h"
#include "http.h"

/* "http://HOST[:PORT]" names this server when HOST[:PORT] is the Host the
 * browser sent: a page served from here posts with its own origin. */
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

int srv_check_write(struct mg_connection *conn, struct app *app)
{
    (void)app;
    /* Browsers send Origin on every cross-site POST/DELETE; a request
     * without one comes from a tool (curl), not from another site's page. */
    const char *origin = mg_get_header(conn, "Origin");
    if (!origin)
        return 0;
    const char *host = mg_get_header(conn, "Host");
    if (host && origin_is_host(origin, host))
        return 0;
    return srv_send_error(conn, 403, "cross_origin",
                          "requests that change the camera must come from its own page");
}
