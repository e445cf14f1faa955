#include "nameset.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

/* The high half of the hash goes in the slot beside the offset, so a probe
 * that meets another name almost never has to compare the strings. */
static uint64_t slot_of(uint64_t h, size_t off)
{
    return (h >> 32) << 32 | (uint64_t)(off + 1);
}

static const char *slot_name(const struct cc_nameset *ns, uint64_t slot)
{
    return ns->arena.data + (uint32_t)slot - 1;
}

static void place(uint64_t *slots, size_t cap, uint64_t h, uint64_t slot)
{
    size_t i = h & (cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = slot;
}

static void grow(struct cc_nameset *ns)
{
    size_t ncap = ns->cap ? ns->cap * 2 : 64;
    uint64_t *slots = cc_xcalloc(ncap, sizeof(*slots));
    for (size_t i = 0; i < ns->cap; i++) {
        if (!ns->slots[i])
            continue;
        const char *s = slot_name(ns, ns->slots[i]);
        place(slots, ncap, cc_hash64(s, strlen(s)), ns->slots[i]);
    }
    free(ns->slots);
    ns->slots = slots;
    ns->cap = ncap;
}

void cc_nameset_add(struct cc_nameset *ns, const char *name)
{
    if ((ns->count + 1) * 2 > ns->cap)
        grow(ns);
    size_t len = strlen(name);
    uint64_t h = cc_hash64(name, len);
    place(ns->slots, ns->cap, h, slot_of(h, ns->arena.len));
    cc_buf_append(&ns->arena, name, len + 1);
    ns->count++;
}

/* Slots looked at to find name (0 if absent). */
static size_t probe(const struct cc_nameset *ns, const char *name, size_t len)
{
    if (!ns->cap)
        return 0;
    uint64_t h = cc_hash64(name, len);
    uint64_t tag = h >> 32;
    size_t i = h & (ns->cap - 1);
    for (size_t n = 1; ns->slots[i]; n++) {
        uint64_t slot = ns->slots[i];
        if (slot >> 32 == tag) {
            const char *s = slot_name(ns, slot);
            if (strncmp(s, name, len) == 0 && s[len] == '\0')
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
        size_t n = probe(ns, s, strlen(s));
        *total += n;
        if (n > *max)
            *max = n;
    }
}
