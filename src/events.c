#include "events.h"

#include <string.h>

#include "isotime.h"
#include "m3u8.h"

size_t cc_label_clip(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return n;
}

static size_t skip_ws(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

static size_t token_end(const char *s, size_t i, size_t len)
{
    while (i < len && s[i] != ' ' && s[i] != '\t')
        i++;
    return i;
}

/* 0 if the line is an event (ev filled), 1 if blank/comment, -1 if bad. */
static int parse_line(const char *s, size_t len, int def_off, struct cc_event_line *ev)
{
    while (len && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    size_t i = skip_ws(s, 0, len);
    if (i == len || s[i] == '#')
        return 1;
    size_t e = token_end(s, i, len);
    int off;
    bool has_off;
    int64_t start;
    if (cc_iso_parse(s + i, e - i, &start, &off, &has_off) < 0)
        return -1;
    if (!has_off)
        start -= (int64_t)def_off * 60000;
    int64_t dur_us = 0;
    i = skip_ws(s, e, len);
    if (i < len) {
        e = token_end(s, i, len);
        if (cc_m3u8_parse_duration(s + i, e - i, &dur_us) < 0 || dur_us > 86400LL * 1000000)
            return -1;
        i = skip_ws(s, e, len);
    }
    ev->start_ms = start;
    ev->end_ms = start + dur_us / 1000;
    ev->label = s + i;
    ev->label_len = cc_label_clip(s + i, len - i, CC_EVENT_LABEL_MAX);
    return 0;
}

uint32_t cc_events_parse(const char *buf, size_t len, int default_off_min, cc_event_fn fn, void *ud)
{
    uint32_t bad = 0;
    size_t pos = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        struct cc_event_line ev;
        int r = parse_line(buf + pos, end - pos, default_off_min, &ev);
        if (r == 0)
            fn(ud, &ev);
        else if (r < 0)
            bad++;
        pos = end + 1;
    }
    return bad;
}
