/* libFuzzer target: request paths (cc_urlpath_normalize, then the route
 * match) and chunk URIs from playlists (cc_urlpath_chunk). What normalize
 * accepts must obey urlpath.h's rules, and normalizing it again (spaces
 * encoded, the one byte a raw path may not hold) must give it back unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "urlpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const routes[] = {"/api/days$", "/api/days/**", "/api/health$", "/rec/**",
                                     "/api**",     "/api/*/x$",    "/*.m3u8$",     "/"};

static void check_path(const char *p, int n)
{
    if (n < 1 || (size_t)n != strlen(p) || p[0] != '/')
        abort();
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c >= 0x7f || c == '\\' || c == '%')
            abort();
        if (c == '/' && i + 1 < n && (p[i + 1] == '/' || p[i + 1] == '.'))
            abort();
    }
    /* encoded again (only a space must be), it decodes to itself */
    char enc[3 * CC_URLPATH_MAX], again[CC_URLPATH_MAX];
    size_t e = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] == ' ') {
            memcpy(enc + e, "%20", 3);
            e += 3;
        } else {
            enc[e++] = p[i];
        }
    }
    if (cc_urlpath_normalize(enc, e, again, sizeof(again)) != n || strcmp(again, p))
        abort();
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
        (void)cc_urlpath_match(routes[i], p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *raw = (const char *)data;
    char out[CC_URLPATH_MAX];
    int n = cc_urlpath_normalize(raw, size, out, sizeof(out));
    if (n >= 0)
        check_path(out, n);
    size_t len = size;
    bool plain;
    const char *c = cc_urlpath_chunk_plain(raw, &len, &plain);
    if (c && (c < raw || len > size || (size_t)(c - raw) + len != size || len == 0))
        abort();
    return 0;
}
