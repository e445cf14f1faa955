/* adts — the header of an AAC ADTS frame (ISO/IEC 13818-7, 6.2): what a
 * recording's audio is. Pure; no allocation. Thread rules: none shared. */
#ifndef CC_ADTS_H
#define CC_ADTS_H

#include <stddef.h>
#include <stdint.h>

struct cc_adts {
    uint8_t object_type; /* 2: AAC LC */
    uint8_t channels;    /* channel_configuration; 0: given in the stream */
    uint32_t sample_rate;
    uint16_t frame_len; /* header included */
};

/* Parses the header at the start of buf: 0, or -EINVAL when buf does not
 * start with a valid ADTS header. */
int cc_adts_parse(const uint8_t *buf, size_t len, struct cc_adts *out);

#endif
