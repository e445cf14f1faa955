#include "query.h"

#include <errno.h>
#include <stdlib.h>

#include "bytes.h"
#include "isotime.h"

/* An integer: digits with an optional minus sign. */
static bool all_digits(const char *s)
{
    return cc_bytes_digits(*s == '-' ? s + 1 : s);
}

int cc_query_instant(const char *s, size_t len, int64_t *ms, bool *local)
{
    *local = false;
    if (all_digits(s)) {
        /* 16 bytes bound the value well inside long long */
        if (len > 16)
            return -EINVAL;
        long long v = strtoll(s, NULL, 10);
        if (v < CC_QUERY_MS_MIN || v > CC_QUERY_MS_MAX)
            return -EINVAL;
        *ms = v;
        return 0;
    }
    int off;
    bool has_off;
    if (cc_iso_parse(s, len, ms, &off, &has_off) < 0)
        return -EINVAL;
    *local = !has_off;
    return 0;
}

int cc_query_int(const char *s, bool lenient, long min, long max, long *out)
{
    if (!*s || (!lenient && (*s < '0' || *s > '9')))
        return -EINVAL;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < min || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}
