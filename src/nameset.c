#include "nameset.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "hash.h"
#include "mem.h"

/* Each name is stored after a byte holding its length, so a lookup compares
 * lengths before bytes. A slot keeps the name's offset and its 32-bit
 * hash: the table index is the hash's low bits, so growing the table
 * re-places slots without reading or hashing a name again. */
#define NAME_MAX_LEN 255

static uint64_t slot_of(uint32_t h, size_t off)
{
    return (uint64_t)h << 32 | (uint64_t)(off + 1);
}

static uint32_t slot_hash(uint64_t slot)
{
    return (uint32_t)(slot >> 32);
}

static const char *slot_name(const struct cc_nameset *ns, uint64_t slot)
{
    return ns->arena.data + (uint32_t)slot - 1;
}

static void place(uint64_t *slots, size_t cap, uint64_t slot)
{
    size_t i = slot_hash(slot) & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = slot;
}

static void grow(struct cc_nameset *ns)
{
    size_t ncap = ns->cap ? ns->cap * 2 : 64;
    uint64_t *slots = cc_xcalloc(ncap, sizeof(*slots));
    for (size_t i = 0; i < ns->cap; i++)
        if (ns->slots[i])
            place(slots, ncap, ns->slots[i]);
    free(ns->slots);
    ns->slots = slots;
    ns->cap = ncap;
}

/* dst[0..len) = src[0..len). Chunk names are mostly 8 to 16 bytes: two
 * overlapping words instead of a call to memcpy. */
static void copy_name(char *dst, const char *src, size_t len)
{
    if (len < 8 || len > 16) {
        memcpy(dst, src, len);
        return;
    }
    uint64_t x, y;
    memcpy(&x, src, 8);
    memcpy(&y, src + len - 8, 8);
    memcpy(dst, &x, 8);
    memcpy(dst + len - 8, &y, 8);
}

void cc_nameset_add(struct cc_nameset *ns, const char *name, size_t len)
{
    if (len > NAME_MAX_LEN)
        return; /* no file name is longer: it could never be looked up */
    if ((ns->count + 1) * 2 > ns->cap)
        grow(ns);
    uint32_t h = cc_hash_name(name, len);
    struct cc_buf *a = &ns->arena;
    /* room for the longest entry: one compare, and cc_buf's NUL kept */
    if (a->len + NAME_MAX_LEN + 3 > a->cap)
        cc_buf_reserve(a, NAME_MAX_LEN + 2);
    char *e = a->data + a->len;
    e[0] = (char)len;
    copy_name(e + 1, name, len);
    e[len + 1] = '\0';
    e[len + 2] = '\0';
    place(ns->slots, ns->cap, slot_of(h, a->len + 1));
    a->len += len + 2;
    ns->count++;
}

/* Slots looked at to find name (0 if absent). Inline: a cold index looks
 * up every chunk's name, and the call was a good part of the cost. */
static inline size_t probe(const struct cc_nameset *ns, const char *name, size_t len)
{
    if (!ns->cap || len > NAME_MAX_LEN)
        return 0;
    uint32_t h = cc_hash_name(name, len);
    size_t i = h & (ns->cap - 1);
    for (size_t n = 1; ns->slots[i]; n++) {
        uint64_t slot = ns->slots[i];
        if (slot_hash(slot) == h) {
            const char *s = slot_name(ns, slot);
            if ((unsigned char)s[-1] == len && cc_bytes_equal(s, name, len))
                return n;
        }
        i = (i + 1) & (ns->cap - 1);
    }
    return 0;
}

bool cc_nameset_has(const struct cc_nameset *ns, const char *name, size_t len)
{
    return probe(ns, name, len) > 0;
}

void cc_nameset_clear(struct cc_nameset *ns)
{
    if (ns->cap)
        memset(ns->slots, 0, ns->cap * sizeof(*ns->slots));
    cc_buf_reset(&ns->arena);
    ns->count = 0;
}

void cc_nameset_free(struct cc_nameset *ns)
{
    cc_buf_free(&ns->arena);
    free(ns->slots);
    memset(ns, 0, sizeof(*ns));
}

void cc_nameset_probes(const struct cc_nameset *ns, size_t *max, size_t *total)
{
    *max = *total = 0;
    for (size_t i = 0; i < ns->cap; i++) {
        if (!ns->slots[i])
            continue;
        const char *s = slot_name(ns, ns->slots[i]);
        size_t n = probe(ns, s, (unsigned char)s[-1]);
        *total += n;
        if (n > *max)
            *max = n;
    }
}
