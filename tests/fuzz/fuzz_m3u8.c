/* libFuzzer target: playlist bytes from outside. Parses all at once and in two
 * pieces (resume), which must agree on the number of chunks. The whole pass
 * also feeds the chunk URIs to a name pattern (chunkname.h), which, while it
 * holds, must compute each chunk's name as the playlist wrote it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chunkname.h"
#include "m3u8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct pass {
    uint32_t chunks;
    struct cc_chunkname names;
};

static int count(void *ud, const struct cc_m3u8_chunk *c)
{
    struct pass *p = ud;
    p->chunks++;
    cc_chunkname_feed(&p->names, c->index, c->uri, c->uri_len, c->has_range, c->map_changed);
    char name[CC_CHUNKNAME_MAX + 1];
    size_t n = cc_chunkname_format(&p->names, c->index, name, sizeof(name));
    if (p->names.valid &&
        (!cc_chunkname_sane(&p->names) || n != c->uri_len || memcmp(name, c->uri, n) != 0))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pass whole, split;
    memset(&whole, 0, sizeof(whole));
    memset(&split, 0, sizeof(split));
    struct cc_m3u8_state st;
    struct cc_m3u8_handler h = {count, NULL, &whole};
    cc_m3u8_state_init(&st);
    cc_m3u8_parse(&st, (const char *)data, size, true, &h);

    h.ud = &split;
    cc_m3u8_state_init(&st);
    size_t cut = size / 2;
    cc_m3u8_parse(&st, (const char *)data, cut, false, &h);
    cc_m3u8_parse(&st, (const char *)data + st.offset, size - st.offset, true, &h);
    if (whole.chunks != split.chunks)
        abort();
    return 0;
}
