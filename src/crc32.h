/* crc32 — CRC-32 (IEEE 802.3, as zlib's crc32()) for sidecars and tail checks.
 * Pure and thread-safe. Start with crc = 0 and feed pieces in order. */
#ifndef CC_CRC32_H
#define CC_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t cc_crc32(uint32_t crc, const void *data, size_t len);

#endif
