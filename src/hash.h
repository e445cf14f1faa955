/* hash — general-purpose non-cryptographic hashes, shared by the modules that
 * key tables or fingerprints on names.
 *
 * Pure functions of their input; no state, thread-safe. */
#ifndef CC_HASH_H
#define CC_HASH_H

#include <stddef.h>
#include <stdint.h>

/* 32-bit FNV-1a, chainable (pass the previous result as h), for event IDs and
 * the hash of a day's entry names that sidecars store. Never returns 0. */
uint32_t cc_hash32(uint32_t h, const void *data, size_t len);
#define CC_HASH32_INIT 2166136261u

/* 64-bit hash for open-addressing tables indexed by the low bits: every input
 * byte reaches every output bit (a murmur3 finaliser over a word-wise mix), so
 * names that differ only in a few digits anywhere in them spread evenly. The
 * value is not stable across versions: never store it. */
uint64_t cc_hash64(const void *data, size_t len);

#endif
