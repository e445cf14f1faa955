/* libFuzzer target: If-None-Match / If-Range lists and Accept-Encoding.
 * Nothing read outside the value; a list that is exactly the tag names it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httphdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* civetweb hands header values over NUL-terminated */
    char *h = malloc(size + 1);
    if (!h)
        return 0;
    memcpy(h, data, size);
    h[size] = '\0';
    static const char etag[] = "\"5a3f-17e0c2d4b8a91f00\"";
    (void)cc_http_accepts_gzip(h);
    (void)cc_http_etag_listed(h, etag, true);
    bool strong = cc_http_etag_listed(h, etag, false);
    if (strong && !cc_http_etag_listed(h, etag, true))
        abort(); /* a strong match is a weak one too */
    /* the value taken as the tag: a tag names itself unless it holds a
     * separator (',', blank) or is W/-prefixed */
    size_t n = strlen(h);
    if (n && !strpbrk(h, ", \t") && strncmp(h, "W/", 2) && !cc_http_etag_listed(h, h, false))
        abort();
    free(h);
    return 0;
}
