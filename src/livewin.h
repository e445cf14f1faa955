/* livewin — the live view: a sliding window over the playlist being recorded.
 *
 * A live HLS player polls its playlist every target duration, so this follows
 * one growing playlist incrementally: each update stats it, reads only the
 * bytes appended since the last one (checking that the bytes before them are
 * still the same: recorders that rewrite the file by rename keep its prefix)
 * and keeps the last `window` chunks. Nothing is ever written.
 *
 * Numbering. A chunk's media sequence number is the source's (its
 * EXT-X-MEDIA-SEQUENCE plus its index), so it only grows while one folder
 * records. When the recording moves to another playlist (a new folder after a
 * power-up, a new day), numbering continues after the last number handed out
 * and the discontinuity sequence goes up by one, so a player that was
 * watching just carries on; the old folder's chunks stay in the window only if
 * it was live a moment ago.
 *
 * Ownership: the window owns its copies of everything. Thread rules: none; the
 * caller serialises every call on one window. */
#ifndef CC_LIVEWIN_H
#define CC_LIVEWIN_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "day.h"

struct cc_livewin;

struct cc_livewin_stats {
    uint64_t updates;     /* cc_livewin_update calls */
    uint64_t full_parses; /* playlists read from their first byte */
    uint64_t bytes_read;  /* playlist bytes read, tail checks included */
    uint64_t dropped;     /* chunks left out: names /rec does not serve */
};

/* root: the recordings ROOT (copied); rec_prefix: URL path before a chunk's
 * path relative to ROOT (e.g. "/rec/"); window: chunks served (>= 1). */
struct cc_livewin *cc_livewin_new(const char *root, const char *rec_prefix, unsigned window);
void cc_livewin_free(struct cc_livewin *w);

/* Follows segment seg of day d (the newest recording) up to now_ns (wall
 * clock). Returns 1 when it is live (no ENDLIST, its playlist changed within
 * max(10 s, 3 target durations) of now_ns, at least one chunk), 0 when it is
 * not, or -errno when the playlist cannot be read (also not live). */
int cc_livewin_update(struct cc_livewin *w, const struct cc_day *d, uint32_t seg, int64_t now_ns);

/* Appends the live media playlist (after an update that returned 1). */
void cc_livewin_render(const struct cc_livewin *w, struct cc_buf *out);

/* The source's target duration in ms (0 before any update). */
uint32_t cc_livewin_target_ms(const struct cc_livewin *w);
void cc_livewin_get_stats(const struct cc_livewin *w, struct cc_livewin_stats *out);

#endif
