/* adts — see adts.h. */
#include <errno.h>

#include "adts.h"

int cc_adts_parse(const uint8_t *p, size_t len, struct cc_adts *out)
{
    static const uint32_t rates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                     22050, 16000, 12000, 11025, 8000,  7350};
    if (len < 7 || p[0] != 0xff || (p[1] & 0xf6) != 0xf0) /* syncword, layer 0 */
        return -EINVAL;
    unsigned rate = (p[2] >> 2) & 0x0f;
    if (rate >= sizeof(rates) / sizeof(rates[0]))
        return -EINVAL;
    out->object_type = (uint8_t)((p[2] >> 6) + 1);
    out->sample_rate = rates[rate];
    out->channels = (uint8_t)(((p[2] & 1) << 2) | (p[3] >> 6));
    out->frame_len = (uint16_t)(((p[3] & 3) << 11) | (p[4] << 3) | (p[5] >> 5));
    return out->frame_len < 7 ? -EINVAL : 0;
}
