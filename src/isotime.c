#include "isotime.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bytes.h"

/* Howard Hinnant's civil-from-days algorithms (public domain math). */
int64_t cc_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t mp = (m + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cc_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n decimal digits; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int cc_date_parse(const char *s, size_t len, struct cc_date *out)
{
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return -EINVAL;
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -EINVAL;
    out->year = y;
    out->month = m;
    out->day = d;
    return 0;
}

void cc_date_format(const struct cc_date *d, char out[11])
{
    unsigned y = (unsigned)d->year % 10000, m = (unsigned)d->month % 13,
             day = (unsigned)d->day % 32;
    snprintf(out, 11, "%04u-%02u-%02u", y, m, day);
}

int64_t cc_date_start_ms(const struct cc_date *d, int off_min)
{
    return cc_days_from_civil(d->year, d->month, d->day) * CC_MS_PER_DAY - (int64_t)off_min * 60000;
}

static int parse_offset(const char *s, size_t len, int *off_min)
{
    if (len == 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *off_min = 0;
        return 0;
    }
    if (len < 3 || (s[0] != '+' && s[0] != '-'))
        return -EINVAL;
    int h = digits(s + 1, 2), m = 0;
    if (len == 6 && s[3] == ':')
        m = digits(s + 4, 2);
    else if (len == 5)
        m = digits(s + 3, 2);
    else if (len != 3)
        return -EINVAL;
    if (h < 0 || m < 0 || h > 18 || m > 59)
        return -EINVAL;
    *off_min = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
    return 0;
}

int cc_iso_parse(const char *s, size_t len, int64_t *ms, int *off_min, bool *has_off)
{
    struct cc_iso_cache c;
    memset(&c, 0, sizeof(c));
    return cc_iso_parse_cached(&c, s, len, ms, off_min, has_off);
}

/* The digit at p, or a value over 9 when it is no digit. */
static unsigned dig(const char *p)
{
    return (unsigned)(unsigned char)*p - '0';
}

/* The commonest change of all, chunk after chunk: only the two digits of the
 * seconds. The time is then c->last's, moved by as many seconds. */
static bool seconds_only_changed(const struct cc_iso_cache *c, const char *s, size_t len,
                                 int64_t *ms)
{
    if (len != c->len || !cc_bytes_equal(s, c->last, 17) ||
        !cc_bytes_equal(s + 19, c->last + 19, len - 19))
        return false;
    unsigned s1 = dig(s + 17), s2 = dig(s + 18);
    if ((s1 > 9) | (s2 > 9) || s1 * 10 + s2 > 60)
        return false;
    int last_ss = (c->last[17] - '0') * 10 + (c->last[18] - '0');
    *ms = c->last_ms + ((int64_t)(s1 * 10 + s2) - last_ss) * 1000;
    return true;
}

/* The milliseconds of a fraction s[20..te) of 1 to 9 digits (none when te
 * is 19). */
static bool frac_of(const char *s, size_t te, unsigned *frac_ms)
{
    unsigned f = 0;
    for (size_t i = 20; i < te; i++) {
        unsigned d = dig(s + i);
        if (d > 9)
            return false;
        if (i < 23)
            f = f * 10 + d;
    }
    for (size_t i = te; i < 23 && te > 19; i++)
        f *= 10;
    *frac_ms = f;
    return true;
}

/* The time of s, when s is c->last with only digits of its time changed (to
 * digits): same date, same zone, same length, so the same shape. Written
 * flat (a recorder's PDTs come here at each new minute): six digits read
 * and checked at once, then the fraction's. */
static bool time_only_changed(const struct cc_iso_cache *c, const char *s, size_t len, int64_t *ms)
{
    size_t te = c->time_end;
    if (len != c->len || !cc_bytes_equal(s, c->last, 11) ||
        !cc_bytes_equal(s + te, c->last + te, len - te))
        return false;
    if (s[13] != ':' || s[16] != ':' || (te > 19 && s[19] != '.'))
        return false;
    unsigned h1 = dig(s + 11), h2 = dig(s + 12), m1 = dig(s + 14), m2 = dig(s + 15);
    unsigned s1 = dig(s + 17), s2 = dig(s + 18);
    if ((h1 > 9) | (h2 > 9) | (m1 > 9) | (m2 > 9) | (s1 > 9) | (s2 > 9))
        return false;
    unsigned hh = h1 * 10 + h2, mm = m1 * 10 + m2, ss = s1 * 10 + s2, frac_ms = 0;
    if (hh > 23 || mm > 59 || ss > 60)
        return false;
    if (te == 23) { /* milliseconds, as recorders write them */
        unsigned f1 = dig(s + 20), f2 = dig(s + 21), f3 = dig(s + 22);
        if ((f1 > 9) | (f2 > 9) | (f3 > 9))
            return false;
        frac_ms = f1 * 100 + f2 * 10 + f3;
    } else if (!frac_of(s, te, &frac_ms)) {
        return false;
    }
    *ms = (c->last_days * 86400 + (int64_t)(hh * 3600 + mm * 60 + ss)) * 1000 + frac_ms -
          (int64_t)c->off * 60000;
    return true;
}

static void remember(struct cc_iso_cache *c, const char *s, size_t len, size_t time_end, int off,
                     bool has_off, int64_t ms)
{
    c->len = 0;
    if (len > sizeof(c->last))
        return;
    memcpy(c->last, s, len);
    c->last_ms = ms;
    c->len = (uint8_t)len;
    c->time_end = (uint8_t)time_end;
    c->last_days = c->days;
    c->off = off;
    c->has_off = has_off;
}

/* The whole parse, remembered in c. Kept out of line: the fast path above
 * then needs none of its registers saved. */
__attribute__((noinline)) static int parse_full(struct cc_iso_cache *c, const char *s, size_t len,
                                                int64_t *ms, int *off_min, bool *has_off)
{
    if (memcmp(s, c->date, 10) != 0) {
        struct cc_date date;
        if (cc_date_parse(s, 10, &date) < 0)
            return -EINVAL;
        memcpy(c->date, s, 10);
        c->days = cc_days_from_civil(date.year, date.month, date.day);
    }
    if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return -EINVAL;
    int hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = digits(s + 17, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return -EINVAL;
    size_t i = 19;
    int frac_ms = 0;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        size_t nd = i - start;
        if (nd < 1 || nd > 9)
            return -EINVAL;
        for (size_t k = 0; k < 3; k++)
            frac_ms = frac_ms * 10 + (k < nd ? s[start + k] - '0' : 0);
    }
    int off = 0;
    bool have = i < len;
    if (have && parse_offset(s + i, len - i, &off) < 0)
        return -EINVAL;
    int64_t days = c->days;
    *ms = ((days * 86400 + hh * 3600 + mm * 60 + ss) * 1000 + frac_ms) - (int64_t)off * 60000;
    *off_min = off;
    *has_off = have;
    remember(c, s, len, i, off, have, *ms);
    return 0;
}

int cc_iso_parse_cached(struct cc_iso_cache *c, const char *s, size_t len, int64_t *ms,
                        int *off_min, bool *has_off)
{
    if (len < 19)
        return -EINVAL;
    if (c->len && seconds_only_changed(c, s, len, ms)) {
        *off_min = c->off;
        *has_off = c->has_off;
        return 0;
    }
    if (c->len && time_only_changed(c, s, len, ms)) {
        /* the next text most likely differs from this one in its seconds */
        memcpy(c->last, s, len);
        c->last_ms = *ms;
        *off_min = c->off;
        *has_off = c->has_off;
        return 0;
    }
    return parse_full(c, s, len, ms, off_min, has_off);
}

void cc_offset_format(int off_min, char out[8])
{
    if (off_min == 0) {
        out[0] = 'Z';
        out[1] = '\0';
        return;
    }
    int a = off_min < 0 ? -off_min : off_min;
    snprintf(out, 8, "%c%02u:%02u", off_min < 0 ? '-' : '+', (unsigned)(a / 60) % 100u,
             (unsigned)a % 60u);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static char *put2(char *p, unsigned v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* Hand-formatted: the stitched playlist writes one of these per chunk, and
 * snprintf made up most of its cost. */
size_t cc_iso_format(int64_t ms, int off_min, char *out)
{
    int64_t local = ms + (int64_t)off_min * 60000;
    int64_t days = floor_div(local, CC_MS_PER_DAY);
    int64_t rem = local - days * CC_MS_PER_DAY;
    int y, m, d;
    cc_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    char *p = out;
    p = put2(p, (unsigned)y / 100);
    p = put2(p, (unsigned)y % 100);
    *p++ = '-';
    p = put2(p, (unsigned)m);
    *p++ = '-';
    p = put2(p, (unsigned)d);
    *p++ = 'T';
    p = put2(p, (unsigned)(rem / 3600000));
    *p++ = ':';
    p = put2(p, (unsigned)(rem / 60000 % 60));
    *p++ = ':';
    p = put2(p, (unsigned)(rem / 1000 % 60));
    *p++ = '.';
    unsigned frac = (unsigned)(rem % 1000);
    *p++ = (char)('0' + frac / 100);
    p = put2(p, frac % 100);
    if (off_min == 0) {
        *p++ = 'Z';
    } else {
        unsigned a = (unsigned)(off_min < 0 ? -off_min : off_min);
        *p++ = off_min < 0 ? '-' : '+';
        p = put2(p, a / 60 % 100);
        *p++ = ':';
        p = put2(p, a % 60);
    }
    *p = '\0';
    return (size_t)(p - out);
}

void cc_date_of(int64_t ms, int off_min, struct cc_date *out)
{
    int64_t lo = cc_days_from_civil(1, 1, 1), hi = cc_days_from_civil(9999, 12, 31);
    int64_t days = floor_div(ms + (int64_t)off_min * 60000, CC_MS_PER_DAY);
    days = days < lo ? lo : days > hi ? hi : days;
    cc_civil_from_days(days, &out->year, &out->month, &out->day);
}

int cc_local_offset_min(int64_t ms)
{
    time_t t = (time_t)floor_div(ms, 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm))
        return 0;
    return (int)(tm.tm_gmtoff / 60);
}

void cc_local_today(struct cc_date *out)
{
    int64_t now = (int64_t)time(NULL) * 1000;
    cc_date_of(now, cc_local_offset_min(now), out);
}
