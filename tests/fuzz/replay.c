/* Runs a fuzz target over files named on the command line: the fixture
 * corpus replays in every `make test`, with any compiler. */
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "fsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    int n = 0;
    for (int i = 1; i < argc; i++) {
        struct cc_buf b;
        cc_buf_init(&b);
        if (cc_read_file(argv[i], CC_OPEN_FOLLOW, 64u << 20, &b) < 0) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)b.data, b.len);
        /* every prefix too: truncation is the commonest corruption */
        for (size_t cut = 0; cut < b.len && b.len < 8192; cut += 7)
            LLVMFuzzerTestOneInput((const uint8_t *)b.data, cut);
        cc_buf_free(&b);
        n++;
    }
    printf("replayed %d inputs\n", n);
    return 0;
}
