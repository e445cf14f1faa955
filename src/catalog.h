/* catalog — the shared, bounded cache of day indexes over one recordings ROOT.
 *
 * Thread rules: every function may be called from any thread. One mutex
 * guards the cache; a day that is being built is built once (single-flight):
 * other callers asking for it wait on a condition variable for that result.
 * Builds and sidecar I/O run outside the cache lock.
 *
 * Ownership: cc_catalog_get_day() hands out a counted reference to an
 * immutable day; release it with cc_catalog_release(). A refreshed day is a new
 * object; old references stay valid until released. */
#ifndef CC_CATALOG_H
#define CC_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "day.h"
#include "isotime.h"
#include "scan.h"

struct cc_catalog;

struct cc_catalog_config {
    const char *root;          /* recordings ROOT (copied) */
    const char *cache_dir;     /* sidecars here instead of in day folders; NULL: day folders */
    size_t cache_bytes;        /* bound on in-memory indexes (LRU); 0: default 2 MiB */
    bool write_sidecars;       /* false: never write anything (read-only media, dump) */
    int live_write_interval_s; /* a day still recording is re-saved at most this often;
                                  0: default 4 h */
    int recheck_ms;            /* sources of a cached day are stat'ed at most this often;
                                  0: default 1000, negative: on every request */
};

struct cc_catalog_stats {
    uint64_t hits;            /* answered from memory, sources unchanged */
    uint64_t builds;          /* full index builds from playlists */
    uint64_t refreshes;       /* incremental updates (appended bytes, changed folders) */
    uint64_t sidecar_loads;   /* valid sidecars read */
    uint64_t sidecar_rejects; /* sidecars ignored as invalid or stale */
    uint64_t sidecar_writes;
    uint64_t sidecar_write_errors;
    uint64_t evictions;
    uint64_t bytes_parsed;    /* playlist bytes read from files and handed to the parser */
    uint64_t playlists_read;  /* playlists opened and parsed (whole or resumed) */
    uint64_t notes;           /* writers' notes that updated a cached day (no read) */
    uint64_t note_bytes;      /* playlist text parsed from those notes, in memory */
    uint64_t chunks_sized;    /* chunk files stat'ed to count their bytes */
    uint64_t segments_probed; /* first chunks probed for properties */
    uint64_t probe_bytes;     /* chunk bytes read to probe them */
    size_t cached_days;
    size_t cached_bytes;
};

/* 0 or -errno. A missing ROOT is not an error here (see cc_catalog_root_status). */
int cc_catalog_new(const struct cc_catalog_config *cfg, struct cc_catalog **out);
void cc_catalog_free(struct cc_catalog *c);

/* The current index of one day, built, loaded or refreshed as needed.
 * Returns 0, -ENOENT (no such day folder) or another -errno. */
int cc_catalog_get_day(struct cc_catalog *c, const struct cc_date *date, const struct cc_day **out);

/* cc_catalog_get_day(), with the bytes its chunk files take counted
 * (d->bytes, every segment's media_bytes exact): what storage figures and
 * retention need. Segments not counted yet cost a stat per chunk, once: the
 * count is saved in the sidecar. A folder still recording is counted again
 * after it grew. Never from a request that only wants the day. */
int cc_catalog_get_day_sized(struct cc_catalog *c, const struct cc_date *date,
                             const struct cc_day **out);
void cc_catalog_release(struct cc_catalog *c, const struct cc_day *d);

/* Day folders of ROOT within [from, to] (either may be NULL), oldest first:
 * a range of a few days is looked up by name, anything else listed.
 * *out is malloc'ed; caller frees. Returns 0 or -errno (ROOT unreadable). */
int cc_catalog_list_days(struct cc_catalog *c, const struct cc_date *from, const struct cc_date *to,
                         struct cc_date **out, size_t *n);

/* The day's JSON as /api/days/DATE answers it (dayjson), from the copy kept
 * in d when there is one, else rendered into scratch (caller frees) and kept
 * for next time, counted in the cache's budget. *text is valid while the
 * caller holds d. */
void cc_catalog_day_json(struct cc_catalog *c, const struct cc_day *d, const char *rec_prefix,
                         const bool *recording, struct cc_buf *scratch, const char **text,
                         size_t *len);

/* Is the segment being recorded now? The rule of cc_segment_recording()
 * (day.h) at this instant; d should come fresh from cc_catalog_get_day(). */
bool cc_catalog_is_recording(struct cc_catalog *c, const struct cc_day *d, uint32_t seg);

/* The segment being recorded now (the most recently changed one, if several
 * are), looked for in the two newest day folders, today and yesterday (local
 * dates). 0 with *out (a reference: cc_catalog_release() it) and *seg;
 * -ENOENT when nothing is being recorded; -errno when ROOT cannot be read. */
int cc_catalog_find_recording(struct cc_catalog *c, const struct cc_day **out, uint32_t *seg);

/* A writer in this process (camcatd's ingest) has just rewritten a
 * playlist: n (scan.h) says what it wrote and what the files' stat is now.
 * When the playlist's day is cached, the day is updated in memory from the
 * note (cc_scan_note), so the next refresh finds playlist and folder
 * unchanged by stat: no read, nothing parsed. The sidecar follows the usual
 * write policy. A day not cached, being built, or a note that cannot be used
 * is left alone: the next request reads the files as it would have. Runs the
 * parse outside the cache lock, like a build. */
void cc_catalog_note_chunk(struct cc_catalog *c, const struct cc_scan_note *n);

/* Drops what the catalog knows of a day whose files were just deleted, so
 * the next request sees the tree as it is now. day_removed: the whole day
 * folder went, so its sidecar in the cache folder (if one is set) goes too
 * (one in the day folder went with it). A day being built is re-checked on
 * its next request instead. */
void cc_catalog_forget(struct cc_catalog *c, const struct cc_date *date, bool day_removed);

/* 0 when ROOT is a readable directory, else -errno. */
int cc_catalog_root_status(struct cc_catalog *c);
const char *cc_catalog_root(const struct cc_catalog *c);
void cc_catalog_get_stats(struct cc_catalog *c, struct cc_catalog_stats *out);

#endif
