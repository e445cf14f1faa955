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
/* The same JSON plus a newline, rendered once per day object: a server
 * answering the same day over and over (the JSON is most of a request's
 * cost) keeps one copy in the immutable day, published with a
 * compare-and-swap and freed with the day. Thread-safe.
 *
 * cc_dayjson_cached: true and the copy (borrowed while the caller holds d)
 * when one was published with this prefix and these recording flags.
 * cc_dayjson_render: appends the text to out.
 * cc_dayjson_publish: keeps a copy of text in d unless one is there already;
 * returns the bytes it now holds (0: it kept nothing). The catalog counts
 * them in its budget (cc_catalog_day_json). */
bool cc_dayjson_cached(const struct cc_day *d, const char *rec_prefix, const bool *recording,
                       const char **text, size_t *len);
void cc_dayjson_render(const struct cc_day *d, const char *rec_prefix, const bool *recording,
                       struct cc_buf *out);
size_t cc_dayjson_publish(const struct cc_day *d, const char *rec_prefix, const bool *recording,
                          const struct cc_buf *text);
/* One entry of the calendar listing (/api/days). */
void cc_dayjson_summary(struct cc_json *j, const struct cc_day *d);
/* The merged motion events as an array. */
void cc_dayjson_motion(struct cc_json *j, const struct cc_day *d);

#endif
