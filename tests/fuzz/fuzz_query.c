/* libFuzzer target: a request's query string, as camcatd reads it: each of
 * its own parameters taken out (cc_urlpath_query_get) and read as the handler
 * reads it (an instant, a date, a whole number). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isotime.h"
#include "query.h"
#include "urlpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {"from", "to", "t", "frames", "lines", "token", "date"};

static void check_value(const char *v, int n)
{
    if (strlen(v) != (size_t)n)
        abort();
    int64_t ms;
    bool local;
    /* epoch ms within the bounds; an ISO time up to a zone's offset past them */
    int64_t slack = strspn(v, "-0123456789") == (size_t)n ? 0 : CC_MS_PER_DAY;
    if (cc_query_instant(v, (size_t)n, &ms, &local) == 0 &&
        (ms < CC_QUERY_MS_MIN - slack || ms > CC_QUERY_MS_MAX + slack))
        abort();
    long x;
    if (cc_query_int(v, true, 1, 3600, &x) == 0 && (x < 1 || x > 3600))
        abort();
    if (cc_query_int(v, false, 1, 10000, &x) == 0 && (x < 1 || x > 10000 || v[0] < '0'))
        abort();
    struct cc_date d;
    if (cc_date_parse(v, (size_t)n, &d) == 0 &&
        (d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* civetweb hands the query string over NUL-terminated */
    char *qs = malloc(size + 1);
    if (!qs)
        return 0;
    memcpy(qs, data, size);
    qs[size] = '\0';
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char v[64];
        int n = cc_urlpath_query_get(qs, keys[i], v, sizeof(v));
        if (n >= (int)sizeof(v))
            abort();
        if (n >= 0)
            check_value(v, n);
    }
    char tiny[2];
    int n = cc_urlpath_query_get(qs, "t", tiny, sizeof(tiny));
    if (n >= (int)sizeof(tiny) || (n >= 0 && strlen(tiny) != (size_t)n))
        abort();
    free(qs);
    return 0;
}
