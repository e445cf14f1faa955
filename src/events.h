/* events — the events.txt format: motion events written beside a playlist.
 *
 *   # comment
 *   START_ISO8601 [DURATION_SECONDS [label words…]]
 *
 * A line with only a start, or a zero duration, is a point event. A start
 * without a UTC offset is read in default_off_min (the folder's offset).
 * Malformed lines are skipped and counted, never fatal. Pure; no I/O. */
#ifndef CC_EVENTS_H
#define CC_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#define CC_EVENT_LABEL_MAX 64 /* longer labels are cut (on a UTF-8 boundary) */

struct cc_event_line {
    int64_t start_ms;
    int64_t end_ms;
    const char *label; /* borrowed for the callback; "" if none */
    size_t label_len;
};

typedef void (*cc_event_fn)(void *ud, const struct cc_event_line *ev);

/* Calls fn for each good line; returns the number of bad lines. */
uint32_t cc_events_parse(const char *buf, size_t len, int default_off_min, cc_event_fn fn,
                         void *ud);

/* Cuts a label to at most max bytes without splitting a UTF-8 sequence. */
size_t cc_label_clip(const char *s, size_t len, size_t max);

#endif
