/* libFuzzer target: the htdigest password file (camcatd reads it at start-up
 * and on every login; `camcat passwd` rewrites it). Whatever check accepts,
 * set must rewrite so that check accepts it again and find returns the new
 * hash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "htdigest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ha1_new[] = "0123456789abcdef0123456789abcdef";

static void check_rewrite(const char *text, size_t size, size_t users)
{
    struct cc_buf out;
    cc_buf_init(&out);
    enum cc_htdigest_change what = cc_htdigest_set(text, size, "admin", "camcat", ha1_new, &out);
    size_t after;
    char err[128], ha1[CC_MD5_HEX];
    const char *t = out.data ? out.data : "";
    if (cc_htdigest_check(t, out.len, "camcat", &after, err, sizeof(err)) < 0)
        abort();
    if (after != users + (what == CC_HTDIGEST_ADDED))
        abort();
    if (cc_htdigest_find(t, out.len, "admin", "camcat", ha1) < 0 || strcmp(ha1, ha1_new))
        abort();
    if (what == CC_HTDIGEST_UNCHANGED && (out.len != size || memcmp(t, text, size)))
        abort();
    cc_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char err[128], ha1[CC_MD5_HEX];
    size_t users;
    if (cc_htdigest_find(text, size, "admin", "camcat", ha1) == 0 &&
        (strlen(ha1) != 32 || strspn(ha1, "0123456789abcdef") != 32))
        abort();
    err[0] = '\0';
    if (cc_htdigest_check(text, size, "camcat", &users, err, sizeof(err)) < 0) {
        if (!err[0])
            abort();
        return 0;
    }
    check_rewrite(text, size, users);
    return 0;
}
