#include "chunkname.h"

#include <string.h>

#include "bytes.h"

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

/* Counts the number in n->next up by one, in place; false when it needs
 * one more digit than it has (then the cursor is written afresh). */
static bool count_up(struct cc_chunkname *n)
{
    size_t lo = n->prefix_len;
    for (size_t i = (size_t)n->next_len - n->suffix_len; i-- > lo;) {
        if (n->next[i] != '9') {
            n->next[i]++;
            return true;
        }
        n->next[i] = '0';
    }
    return false;
}

/* Everything but the common case: chunk 0, a cursor to write, a byte range
 * or a map. Kept out of line so the common case saves no registers. */
static __attribute__((noinline)) void feed_rare(struct cc_chunkname *n, uint32_t index,
                                                const char *uri, size_t len, bool has_range,
                                                bool map)
{
    if (index == 0) {
        start(n, uri, len);
    } else if (n->valid) {
        n->next_len = (uint8_t)cc_chunkname_format(n, index, n->next, sizeof(n->next));
        n->valid = n->next_len && len == n->next_len && cc_bytes_equal(uri, n->next, len);
        n->next_index = n->valid && count_up(n) ? index + 1 : 0;
    }
    if (has_range || map)
        n->valid = false;
}

void cc_chunkname_feed(struct cc_chunkname *n, uint32_t index, const char *uri, size_t len,
                       bool has_range, bool map)
{
    if (!index || index != n->next_index || !n->valid || has_range || map) {
        feed_rare(n, index, uri, len, has_range, map);
        return;
    }
    /* the next name, as expected: one compare, the number counted up */
    n->valid = len == n->next_len && cc_bytes_equal(uri, n->next, len);
    n->next_index = n->valid && count_up(n) ? index + 1 : 0;
}

size_t cc_chunkname_format(const struct cc_chunkname *n, uint32_t index, char *out, size_t size)
{
    if (!n->valid || !cc_chunkname_sane(n))
        return 0;
    char num[24];
    size_t pl = n->prefix_len, sl = n->suffix_len;
    size_t nl = cc_bytes_put_dec(num, n->first + index, n->width);
    if (pl + nl + sl >= size)
        return 0;
    memcpy(out, n->affix, pl);
    memcpy(out + pl, num, nl);
    memcpy(out + pl + nl, n->affix + pl, sl);
    out[pl + nl + sl] = '\0';
    return pl + nl + sl;
}

bool cc_chunkname_sane(const struct cc_chunkname *n)
{
    return (size_t)n->prefix_len + n->suffix_len <= CC_CHUNKNAME_AFFIX_MAX &&
           n->width <= CC_CHUNKNAME_DIGITS_MAX && n->width != 1 && n->first < UINT64_MAX / 2;
}
