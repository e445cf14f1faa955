/* isotime — calendar arithmetic and ISO-8601 timestamps, thread-safe; pure
 * apart from cc_local_offset_min, which reads this machine's time zone.
 *
 * Times are epoch milliseconds (int64) plus a UTC offset in minutes: the
 * offset a recorder wrote is kept, so a day can be shown in the camera's time. */
#ifndef CC_ISOTIME_H
#define CC_ISOTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CC_MS_PER_DAY 86400000LL
/* "2025-01-24T08:00:00.000+08:00" plus NUL, with room for 5-digit years. */
#define CC_ISO_MAX 40

struct cc_date {
    int year;  /* 1..9999 */
    int month; /* 1..12 */
    int day;   /* 1..31, valid for the month */
};

/* Days since 1970-01-01 of a proleptic Gregorian date (negative before). */
int64_t cc_days_from_civil(int y, int m, int d);
void cc_civil_from_days(int64_t days, int *y, int *m, int *d);

/* Strict "YYYY-MM-DD" (exactly 10 bytes, a real calendar day). 0 or -EINVAL. */
int cc_date_parse(const char *s, size_t len, struct cc_date *out);
/* Writes "YYYY-MM-DD" and a NUL into out[11]. */
void cc_date_format(const struct cc_date *d, char out[11]);
/* Epoch ms of local midnight starting the date, for a UTC offset. */
int64_t cc_date_start_ms(const struct cc_date *d, int off_min);

/* Parses YYYY-MM-DD[T| ]HH:MM:SS[.f{1,9}][Z|±HH:MM|±HHMM|±HH].
 * The fraction is truncated to milliseconds. Without a zone, *has_off is false
 * and the fields are read as UTC (the caller applies its own fallback offset).
 * Returns 0 or -EINVAL; the outputs are written only on success. */
int cc_iso_parse(const char *s, size_t len, int64_t *ms, int *off_min, bool *has_off);

/* What cc_iso_parse_cached read last. A playlist's PDTs share their date and
 * zone and differ in the time of day: the date is converted once a day, a
 * text that differs from the last only in the digits of its time is read
 * without parsing the rest again, and one that differs only in its seconds
 * is the last time moved by as many seconds. Zero it before the first use;
 * it belongs to one caller at a time. */
struct cc_iso_cache {
    char date[10];
    int64_t days;
    char last[40];     /* the last text parsed, if it fit */
    int64_t last_days; /* its date */
    int64_t last_ms;   /* its time */
    uint8_t len;       /* its length; 0 = none */
    uint8_t time_end;  /* where its time (and fraction) ended */
    bool has_off;
    int off;
};

/* cc_iso_parse, with c as above. Same results, same errors. */
int cc_iso_parse_cached(struct cc_iso_cache *c, const char *s, size_t len, int64_t *ms,
                        int *off_min, bool *has_off);

/* Formats ms in the given offset: "2025-01-24T08:00:00.000+08:00" (Z for 0).
 * Returns the length written to out (at least CC_ISO_MAX bytes). */
size_t cc_iso_format(int64_t ms, int off_min, char *out);

/* The calendar date of ms in a UTC offset, clamped to years 1..9999. */
void cc_date_of(int64_t ms, int off_min, struct cc_date *out);
/* This machine's UTC offset at ms, in minutes (its time zone rules; camcatd
 * runs on the camera, so this is the camera's). 0 if unknown. */
int cc_local_offset_min(int64_t ms);
/* Today's date on this machine's clock and time zone (day folders are named
 * in local time). */
void cc_local_today(struct cc_date *out);

/* "+08:00" / "-05:00" / "Z" style offset text into out[8]. */
void cc_offset_format(int off_min, char out[8]);

#endif
