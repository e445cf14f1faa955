/* libFuzzer target: sidecar bytes from flash. Decoding must never crash, and
 * whatever decodes must encode back to bytes that decode the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sidecar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cc_day *d = NULL;
    if (cc_sidecar_decode(data, size, NULL, &d) < 0)
        return 0;
    struct cc_buf b;
    cc_buf_init(&b);
    cc_sidecar_encode(d, &b);
    struct cc_day *again = NULL;
    if (cc_sidecar_decode(b.data, b.len, NULL, &again) < 0 || again->nchunks != d->nchunks)
        abort();
    cc_day_free(again);
    cc_day_free(d);
    cc_buf_free(&b);
    return 0;
}
