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

/* Hash of a name for open-addressing tables indexed by the low bits: every
 * input byte reaches every output bit (the high half of a product folded onto
 * the low half), so names that differ only in a few digits anywhere in them
 * spread evenly. cc_hash_name is the variant of the core's word size: 64-bit
 * words on 64-bit cores, 32-bit words on 32-bit ones (where a 64-bit multiply
 * costs three). The value differs between them and across versions: never
 * store it. Both variants are exported for tests on any core. */
uint32_t cc_hash_name(const void *data, size_t len);
uint32_t cc_hash_name64(const void *data, size_t len);
uint32_t cc_hash_name32(const void *data, size_t len);

#endif
