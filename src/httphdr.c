/* httphdr — see httphdr.h. */
#include "httphdr.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

bool cc_http_etag_listed(const char *h, const char *etag, bool weak_ok)
{
    size_t el = strlen(etag);
    for (const char *p = h; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        bool weak = !strncmp(p, "W/", 2);
        if (weak)
            p += 2;
        const char *end = p;
        while (*end && *end != ',' && *end != ' ' && *end != '\t')
            end++;
        size_t n = (size_t)(end - p);
        if (n == 1 && *p == '*')
            return true;
        if ((weak_ok || !weak) && n == el && !memcmp(p, etag, el))
            return true;
        p = end;
        while (*p && *p != ',')
            p++;
    }
    return false;
}

/* The q-value among the parameters of one element, [p, end): 1 unless given. */
static double qvalue(const char *p, const char *end)
{
    while ((p = memchr(p, ';', (size_t)(end - p))) != NULL) {
        p = skip_ows(p + 1);
        if ((*p == 'q' || *p == 'Q') && p[1] == '=')
            return strtod(p + 2, NULL);
    }
    return 1;
}

bool cc_http_accepts_gzip(const char *h)
{
    int star = -1; /* "*": -1 not listed, 0 refused, 1 accepted */
    while (h && *h) {
        h = skip_ows(h);
        const char *end = strchr(h, ',');
        if (!end)
            end = h + strlen(h);
        const char *t = h;
        while (t < end && *t != ';' && *t != ' ' && *t != '\t')
            t++;
        size_t n = (size_t)(t - h);
        if ((n == 4 && !strncasecmp(h, "gzip", 4)) || (n == 6 && !strncasecmp(h, "x-gzip", 6)))
            return qvalue(t, end) > 0;
        if (n == 1 && *h == '*')
            star = qvalue(t, end) > 0;
        h = *end ? end + 1 : end;
    }
    return star == 1;
}
