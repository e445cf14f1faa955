/* libFuzzer target: the flat JSON reader (POST /api/time bodies). */
#include <stdint.h>
#include <stdlib.h>

#include "jflat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(const char *base, size_t size, const char *p, size_t n)
{
    if (p < base || n > size || (size_t)(p - base) > size - n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct cc_jflat_member m[8];
    size_t n = 0;
    if (cc_jflat_parse(s, size, m, 8, &n) < 0)
        return 0;
    if (n > 8)
        abort();
    for (size_t i = 0; i < n; i++) {
        check_span(s, size, m[i].key, m[i].key_len);
        check_span(s, size, m[i].val, m[i].val_len);
        int64_t v;
        if (cc_jflat_int(&m[i], -1000, 1000, &v) == 0 && (v < -1000 || v > 1000))
            abort();
    }
    return 0;
}
