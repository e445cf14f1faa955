/* dayjson — the one JSON shape of a day, shared by `camcat dump --json` and
 * the server's /api/days endpoints. Pure; thread-safe on immutable days.
 *
 * rec_prefix is put before playlist paths: "" for the tool (paths relative to
 * ROOT), "/rec/" for the server (URLs). recording[i] says whether segment i is
 * still being recorded (NULL: none is). */
#ifndef CC_DAYJSON_H
#define CC_DAYJSON_H

#include <stdbool.h>

#include "buf.h"
#include "day.h"
#include "json.h"

void cc_dayjson_day(struct cc_json *j, const struct cc_day *d, const char *rec_prefix,
                    const bool *recording);
/* The same JSON (plus a newline) as text: *text and *len point either into
 * d's own copy, rendered once per day object and borrowed for as long as the
 * caller holds d, or into scratch (the caller frees it) when the recording
 * flags differ from the ones that copy was rendered with. A server answering
 * the same day over and over renders it once (the JSON is most of the cost of
 * a request). Thread-safe: the first renderer publishes, others use it. */
void cc_dayjson_day_text(const struct cc_day *d, const char *rec_prefix, const bool *recording,
                         struct cc_buf *scratch, const char **text, size_t *len);
/* One entry of the calendar listing (/api/days). */
void cc_dayjson_summary(struct cc_json *j, const struct cc_day *d);
/* The merged motion events as an array. */
void cc_dayjson_motion(struct cc_json *j, const struct cc_day *d);

#endif
