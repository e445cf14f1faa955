/* libFuzzer target: playlist bytes from outside. Parses all at once and in two
 * pieces (resume), which must agree on the number of chunks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "m3u8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ud, const struct cc_m3u8_chunk *c)
{
    (void)c;
    (*(uint32_t *)ud)++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t whole = 0, split = 0;
    struct cc_m3u8_state st;
    struct cc_m3u8_handler h = {count, NULL, &whole};
    cc_m3u8_state_init(&st);
    cc_m3u8_parse(&st, (const char *)data, size, true, &h);

    h.ud = &split;
    cc_m3u8_state_init(&st);
    size_t cut = size / 2;
    cc_m3u8_parse(&st, (const char *)data, cut, false, &h);
    cc_m3u8_parse(&st, (const char *)data + st.offset, size - st.offset, true, &h);
    if (whole != split)
        abort();
    return 0;
}
