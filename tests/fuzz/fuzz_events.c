/* libFuzzer target: events.txt bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(void *ud, const struct cc_event_line *ev)
{
    (void)ud;
    if (ev->end_ms < ev->start_ms || ev->label_len > CC_EVENT_LABEL_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cc_events_parse((const char *)data, size, 0, check, NULL);
    return 0;
}
