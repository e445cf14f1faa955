/* ratelimit — counts failures per client (a key string: an address, or a
 * log message) in a fixed window, to refuse a client that failed too often
 * and to log its failures once per window. Pure: no I/O, time through a
 * clock seam.
 *
 * The table is bounded (slots given at creation): a client not in it when the
 * table is full takes the slot of the client seen longest ago, preferring
 * one whose window is over. Someone with more addresses than slots can
 * therefore get past the limit; on a LAN camera the table is far larger than
 * the neighbours it has.
 *
 * Thread rules: cc_ratelimit_new and cc_ratelimit_free run alone; the others
 * may be called from any number of threads (one mutex inside). Out of memory
 * aborts (mem.h). */
#ifndef CC_RATELIMIT_H
#define CC_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

/* Longest client key kept (an IPv6 address is 45); longer keys are cut. */
#define CC_RATELIMIT_MAX_KEY 63

struct cc_ratelimit;

/* Milliseconds on a clock that never goes back (a seam for tests). */
typedef int64_t (*cc_ratelimit_clock)(void);

/* A table of slots clients, each refused once it has limit failures in a
 * window of window_ms that begins at its first failure; now NULL means
 * CLOCK_MONOTONIC. 0 with *out set (free with cc_ratelimit_free), or -EINVAL
 * for a zero slots, limit or window. */
int cc_ratelimit_new(size_t slots, uint32_t limit, int64_t window_ms, cc_ratelimit_clock now,
                     struct cc_ratelimit **out);
void cc_ratelimit_free(struct cc_ratelimit *rl);

/* 0 when client may try, else the milliseconds until its window ends (>= 1). */
int64_t cc_ratelimit_wait(struct cc_ratelimit *rl, const char *client);

/* Records one failure of client. Returns how many of its failures to log
 * now: the count since its last report when the last report is a window or
 * more ago (or there was none), else 0 (the failure is kept for the next). */
uint32_t cc_ratelimit_fail(struct cc_ratelimit *rl, const char *client);

#endif
