#include "byterange.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

int cc_byterange_parse(const char *h, uint64_t size, uint64_t *start, uint64_t *len)
{
    if (!h || strncasecmp(h, "bytes=", 6) != 0)
        return 0;
    const char *p = h + 6;
    while (*p == ' ')
        p++;
    if (strchr(p, ','))
        return 0;
    uint64_t a = 0, b = 0;
    int da = 0, db = 0;
    for (; *p >= '0' && *p <= '9' && da < 19; p++, da++)
        a = a * 10 + (uint64_t)(*p - '0');
    if (*p++ != '-')
        return 0;
    for (; *p >= '0' && *p <= '9' && db < 19; p++, db++)
        b = b * 10 + (uint64_t)(*p - '0');
    while (*p == ' ')
        p++;
    if (*p || (!da && !db))
        return 0;
    if (!da) { /* suffix: the last b bytes */
        if (b == 0 || size == 0)
            return -1;
        *start = b >= size ? 0 : size - b;
        *len = size - *start;
        return 1;
    }
    if (db && b < a)
        return 0;
    if (a >= size)
        return -1;
    if (!db || b >= size)
        b = size - 1;
    *start = a;
    *len = b - a + 1;
    return 1;
}
