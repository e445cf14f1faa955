/* nameset — a set of names (a folder's entries) for "is this chunk on disk?"
 * lookups: an arena of NUL-terminated names and an open-addressing table.
 *
 * Lookups stay O(1) whatever the naming (seg%05d.ts, index%d.ts, 1-byte or
 * 60-byte names): the table is indexed by cc_hash_name, which mixes every byte
 * into the low bits, and kept at most half full.
 *
 * Ownership: a zeroed struct is an empty set; the set copies what it is given
 * and cc_nameset_free() releases it. Not thread-safe: one owner at a time.
 * Out of memory aborts (mem.h). */
#ifndef CC_NAMESET_H
#define CC_NAMESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct cc_nameset {
    struct cc_buf arena; /* each name: its length (a byte), its bytes, a NUL */
    uint64_t *slots;     /* 0 = empty; else its hash << 32 | (offset + 1) */
    size_t cap;          /* a power of two */
    size_t count;
};

/* Adds a copy of name, len bytes (strlen(name)); a duplicate is stored twice,
 * harmlessly. A name over 255 bytes (no file name is) is not added. */
void cc_nameset_add(struct cc_nameset *ns, const char *name, size_t len);

/* Is the len-byte name (not NUL-terminated) in the set? */
bool cc_nameset_has(const struct cc_nameset *ns, const char *name, size_t len);

/* Empties the set but keeps its memory: a scan lists folder after folder of
 * about the same size into one set, without growing it again each time. */
void cc_nameset_clear(struct cc_nameset *ns);

void cc_nameset_free(struct cc_nameset *ns);

/* Probe lengths of finding every stored name (1 = found in its home slot):
 * the longest and the total, for tests and the benchmark. */
void cc_nameset_probes(const struct cc_nameset *ns, size_t *max, size_t *total);

#endif
