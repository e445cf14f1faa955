/* libFuzzer target: the Authorization: Digest header parser. Whatever it
 * accepts must hold the promises digest.h makes about the fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t size, size_t min)
{
    size_t n = strnlen(s, size);
    if (n == size || n < min)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cc_digest_creds c;
    if (cc_digest_parse((const char *)data, size, &c) < 0)
        return 0;
    check_str(c.username, sizeof(c.username), 1);
    check_str(c.realm, sizeof(c.realm), 0);
    check_str(c.nonce, sizeof(c.nonce), 1);
    check_str(c.uri, sizeof(c.uri), 1);
    check_str(c.cnonce, sizeof(c.cnonce), 1);
    check_str(c.opaque, sizeof(c.opaque), 0);
    if (!cc_htdigest_name_ok(c.username) || strlen(c.nc) != 8 || c.nc_value == 0 ||
        strtoul(c.nc, NULL, 16) != c.nc_value || strlen(c.response) != 32 ||
        strspn(c.response, "0123456789abcdef") != 32)
        abort();
    char out[CC_MD5_HEX];
    cc_digest_response("0123456789abcdef0123456789abcdef", c.nonce, c.nc, c.cnonce, "GET", c.uri,
                       out);
    return 0;
}
