/* chunkname — a segment's chunk names as one numeric pattern.
 *
 * Recorders name chunks by a counter: ffmpeg's "seg%05d.ts", "index%d.ts",
 * "chunk_%05d.ts". When every chunk URI of a segment is PREFIX + a number
 * counting up by one from the first chunk's + SUFFIX, with the number either
 * zero-padded to one fixed width or not padded at all, chunk k's name can be
 * computed instead of read from the playlist (a day's playlist is ~500 KB; a
 * thumbnail wants one name). The number is the last run of digits before the
 * name's extension. A byte range, an EXT-X-MAP, a name too long for the
 * pattern, a skipped or repeated number or a change of width breaks it for
 * good: the segment then has no pattern and its names come from the playlist.
 *
 * Pure: no I/O, no allocation. A pattern is a plain value inside its segment;
 * thread rules are the segment's. */
#ifndef CC_CHUNKNAME_H
#define CC_CHUNKNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CC_CHUNKNAME_AFFIX_MAX 48  /* prefix + suffix bytes */
#define CC_CHUNKNAME_DIGITS_MAX 18 /* no overflow of first + k in a uint64 */
#define CC_CHUNKNAME_MAX (CC_CHUNKNAME_AFFIX_MAX + 20)

struct cc_chunkname {
    bool valid;    /* every chunk fed so far follows the pattern */
    uint8_t width; /* zero-padded to this many digits; 0: not padded */
    uint8_t prefix_len;
    uint8_t suffix_len;
    uint64_t first;                     /* chunk 0's number */
    char affix[CC_CHUNKNAME_AFFIX_MAX]; /* prefix then suffix, no NUL */
    /* The feed's cursor, not part of the pattern (the sidecar does not keep
     * it): the name chunk next_index must have, written once and then
     * counted up in place, so a chunk costs one compare. next_index 0: none
     * yet (a pattern just decoded or copied starts one when fed). */
    uint32_t next_index;
    uint8_t next_len;
    char next[CC_CHUNKNAME_MAX + 1];
};

/* Feeds chunk index's URI (chunks in order from 0; has_range or map: the
 * chunk has a byte range or follows an EXT-X-MAP). Index 0 starts a pattern;
 * any later chunk keeps it only if it is the next name. */
void cc_chunkname_feed(struct cc_chunkname *n, uint32_t index, const char *uri, size_t len,
                       bool has_range, bool map);

/* Writes chunk index's name (NUL-terminated) into out: its length, or 0 when
 * the pattern is not valid or out (size bytes) is too small. */
size_t cc_chunkname_format(const struct cc_chunkname *n, uint32_t index, char *out, size_t size);

/* Does n describe a pattern that decoding may accept (lengths in bounds,
 * width in range)? For the sidecar decoder. */
bool cc_chunkname_sane(const struct cc_chunkname *n);

#endif
