/* mem — allocation with the project's out-of-memory policy.
 *
 * Policy (stated once, here): running out of memory is not recovered from.
 * cc_xmalloc and friends log and abort(), as Redis and uStreamer do; on the
 * camera an OOM means the process is restarted by its supervisor. Callers
 * therefore never check these for NULL. Sizes that come from outside input are
 * bounded by the caller before they reach an allocator. */
#ifndef CC_MEM_H
#define CC_MEM_H

#include <stddef.h>

void *cc_xmalloc(size_t size);
void *cc_xcalloc(size_t n, size_t size);
void *cc_xrealloc(void *p, size_t size);
/* Returns a NUL-terminated copy; caller frees. */
char *cc_xstrdup(const char *s);
char *cc_xstrndup(const char *s, size_t n);
/* Grows *p (of *cap elements of elem bytes) so it holds at least need elements. */
void cc_grow(void *pp, size_t *cap, size_t need, size_t elem);

#endif
