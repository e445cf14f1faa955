/* libFuzzer target: the MP4 writer's inputs. The first byte picks the codec,
 * the rest is an SPS NAL unit (as found in a chunk); a parsed SPS is written
 * into the sample entry with the same bytes as SPS, PPS and VPS and a sample
 * made of the input, and the file must hold all of them. */
#include <stdint.h>
#include <stdlib.h>

#include "mp4.h"
#include "nal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    enum cc_vcodec codec = (data[0] & 1) ? CC_VCODEC_H265 : CC_VCODEC_H264;
    struct cc_sps s;
    if (cc_sps_parse(data + 1, size - 1, codec, &s) < 0)
        return 0;
    char str[48];
    cc_sps_codec_string(&s, str, sizeof(str));
    uint32_t num, den;
    cc_sps_frame_rate(&s, &num, &den);
    if ((num == 0) != (den == 0))
        abort();
    struct cc_mp4_track t = {.sps = &s,
                             .vps = data + 1,
                             .vps_len = size - 1,
                             .sps_nal = data + 1,
                             .sps_len = size - 1,
                             .pps = data + 1,
                             .pps_len = size - 1};
    struct cc_buf out;
    cc_buf_init(&out);
    size_t sets = codec == CC_VCODEC_H265 ? 3 : 2;
    if (cc_mp4_write_single(&out, &t, data, size, 3600) == 0 && out.len < sets * (size - 1) + size)
        abort();
    cc_buf_reset(&out);
    if (cc_mp4_write_init(&out, &t) == 0)
        cc_mp4_write_fragment(&out, 1, 0, 3600, data, size);
    cc_buf_free(&out);
    return 0;
}
