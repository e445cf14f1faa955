/* libFuzzer target: the Range header. A range it grants lies inside the
 * body, whatever the header and the body's size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "byterange.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the first 8 bytes pick the body's size; civetweb hands the header
     * over NUL-terminated */
    uint64_t body = 0;
    size_t k = size < 8 ? size : 8;
    for (size_t i = 0; i < k; i++)
        body = body << 8 | data[i];
    char *h = malloc(size - k + 1);
    if (!h)
        return 0;
    memcpy(h, data + k, size - k);
    h[size - k] = '\0';
    const uint64_t sizes[] = {body, body >> 40, 0, 1, 100};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint64_t s = 0, n = 0;
        int rc = cc_byterange_parse(h, sizes[i], &s, &n);
        if (rc < -1 || rc > 1 || (rc == 1 && (n == 0 || s >= sizes[i] || n > sizes[i] - s)))
            abort();
    }
    free(h);
    return 0;
}
