#include "chunkname.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The digits counted: the last run before the extension of the last path
 * component (".ts" may not hold digits, but ".mp4" and ".m4s" do). */
static bool find_number(const char *u, size_t len, size_t *at, size_t *n)
{
    size_t base = len;
    while (base > 0 && u[base - 1] != '/')
        base--;
    size_t end = len;
    for (size_t i = len; i > base; i--) {
        if (u[i - 1] == '.') {
            end = i - 1;
            break;
        }
    }
    size_t e = end;
    while (e > base && (u[e - 1] < '0' || u[e - 1] > '9'))
        e--;
    size_t s = e;
    while (s > base && u[s - 1] >= '0' && u[s - 1] <= '9')
        s--;
    *at = s;
    *n = e - s;
    return e > s;
}

static void start(struct cc_chunkname *n, const char *uri, size_t len)
{
    size_t at, digits;
    memset(n, 0, sizeof(*n));
    /* A NUL would end the name cc_chunkname_format writes early: no file
     * has one, so such a playlist's names are read as they are. */
    if (!find_number(uri, len, &at, &digits) || digits > CC_CHUNKNAME_DIGITS_MAX ||
        len - digits > CC_CHUNKNAME_AFFIX_MAX || memchr(uri, '\0', len))
        return;
    for (size_t i = 0; i < digits; i++)
        n->first = n->first * 10 + (uint64_t)(uri[at + i] - '0');
    /* "0" alone or no leading zero reads the same padded or not: unpadded. */
    n->width = digits > 1 && uri[at] == '0' ? (uint8_t)digits : 0;
    n->prefix_len = (uint8_t)at;
    n->suffix_len = (uint8_t)(len - at - digits);
    memcpy(n->affix, uri, at);
    memcpy(n->affix + at, uri + at + digits, n->suffix_len);
    n->valid = true;
}

void cc_chunkname_feed(struct cc_chunkname *n, uint32_t index, const char *uri, size_t len,
                       bool has_range, bool map)
{
    if (index == 0)
        start(n, uri, len);
    else if (n->valid) {
        char want[CC_CHUNKNAME_MAX + 1];
        size_t w = cc_chunkname_format(n, index, want, sizeof(want));
        n->valid = w == len && memcmp(want, uri, len) == 0;
    }
    if (has_range || map)
        n->valid = false;
}

size_t cc_chunkname_format(const struct cc_chunkname *n, uint32_t index, char *out, size_t size)
{
    if (!n->valid || !cc_chunkname_sane(n))
        return 0;
    int w = snprintf(out, size, "%.*s%0*" PRIu64 "%.*s", (int)n->prefix_len, n->affix,
                     (int)n->width, n->first + index, (int)n->suffix_len, n->affix + n->prefix_len);
    if (w < 0 || (size_t)w >= size)
        return 0;
    return (size_t)w;
}

bool cc_chunkname_sane(const struct cc_chunkname *n)
{
    return (size_t)n->prefix_len + n->suffix_len <= CC_CHUNKNAME_AFFIX_MAX &&
           n->width <= CC_CHUNKNAME_DIGITS_MAX && n->width != 1 && n->first < UINT64_MAX / 2;
}
