/* scan — builds and refreshes a day's index from the recording tree.
 *
 * ROOT/YYYY-MM-DD/NNNNN/<name>.m3u8 (+ events.txt): segment folders are all-digit
 * names taken in numeric order; playlists in a folder in name order. Hidden
 * entries, symlinks, stray files and other folders are ignored.
 *
 * Refresh by stat: a folder, playlist or events file whose size and mtime
 * equal the recorded fingerprint is reused without being read — unless its
 * mtime lies within CC_MTIME_SLACK_NS of the index's last check (FAT/exFAT keep
 * 2-second mtimes, so a write just after the check could leave it equal); such
 * a source is re-verified by content. A playlist that grew and still holds the
 * bytes it had (CRC of the last CC_TAIL_CRC_BYTES before the old end) is parsed
 * only from where parsing stopped; anything else is parsed again in full.
 *
 * Untimed playlists (no usable PDT) are placed so their first chunk ends at
 * that chunk file's mtime; failing that, so the playlist ends at its own
 * mtime; failing that, at local midnight of the folder's day.
 *
 * No system call per chunk: a folder is listed once (a chunk is on disk when
 * the listing has its name) and each playlist read once. The bytes the chunk
 * files take cost a stat each, so only cc_scan_update_sizes() counts them, once
 * per segment (CC_SEG_SIZED, kept in the sidecar): a request that only wants
 * the day never pays for them. A segment that grew after it was counted is
 * counted again by the next cc_scan_update_sizes().
 *
 * A segment's properties (day.h cc_media_props) are probed from its first
 * chunk once, when the segment is first indexed with a chunk: the playlist's
 * head and about the first keyframe of the chunk (~35 KB at 720p, see
 * README), kept in the sidecar since; never again on a refresh.
 *
 * Pure functions of the file system: no shared state, thread-safe. */
#ifndef CC_SCAN_H
#define CC_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "day.h"

#define CC_MTIME_SLACK_NS (2LL * 1000000000)

struct cc_scan_stats {
    uint64_t bytes_parsed;      /* playlist bytes handed to the parser */
    uint32_t playlists_full;    /* parsed from the start */
    uint32_t playlists_resumed; /* parsed from where they stopped */
    uint32_t playlists_reused;  /* unchanged by stat */
    uint32_t dirs_listed;
    uint32_t dirs_skipped;    /* held nothing and unchanged by stat: not opened */
    uint32_t segments_sized;  /* segments whose chunk bytes were counted */
    uint32_t chunks_sized;    /* chunk files stat'ed to count them */
    uint32_t segments_probed; /* first chunks probed for properties */
    uint64_t probe_bytes;     /* chunk bytes read to probe them */
};

/* Brings old (may be NULL) up to date with ROOT/<date>. On success *out is
 * a new, finished day and *changed says whether it differs from old in
 * anything a sidecar stores; when old is given and nothing changed, *out is
 * NULL, unless the day learned what no sidecar stores (its quiet folders,
 * day.h): then *out is the better copy and *changed false. Returns 0,
 * -ENOENT (no day folder) or -errno. */
int cc_scan_update(const char *root, const struct cc_date *date, const struct cc_day *old,
                   struct cc_day **out, bool *changed, struct cc_scan_stats *stats);

/* cc_scan_update(), and every segment of the result CC_SEG_SIZED: the chunk
 * bytes of segments not counted yet are counted (one stat per chunk). */
int cc_scan_update_sizes(const char *root, const struct cc_date *date, const struct cc_day *old,
                         struct cc_day **out, bool *changed, struct cc_scan_stats *stats);

/* What a writer that just rewrote a playlist knows (recwriter.h): the text
 * it wrote, and the stat of the playlist and its folder afterwards. */
struct cc_scan_note {
    const char *playlist; /* relative to ROOT: "YYYY-MM-DD/NNNNN/index.m3u8" */
    const char *text;
    size_t len;
    const struct stat *pl_st;
    const struct stat *dir_st;
};

/* old with one playlist brought up to date from its writer's note instead
 * of the file: the parse resumed over the text past where old's stopped
 * (the text must still hold the bytes old parsed, by the tail CRC, as for a
 * file), and its fingerprints taken from the note as exact (CC_SEG_NOTED),
 * so the next refresh reuses the playlist and folder by stat alone. The
 * result is what cc_scan_update() would make of the same files. No system
 * call. Returns 0 with *out (a new, finished day; *parsed the bytes parsed),
 * or -EAGAIN when the note cannot be used (a playlist old does not hold, or
 * not timed, not probed, closed, sharing its folder, or rewritten before
 * the end old parsed): the next refresh reads the files as usual. */
int cc_scan_note(const struct cc_day *old, const struct cc_scan_note *n, struct cc_day **out,
                 uint64_t *parsed);

#endif
