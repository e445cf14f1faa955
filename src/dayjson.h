/* dayjson — the one JSON shape of a day, shared by `camcat dump --json` and
 * the server's /api/days endpoints. Pure; thread-safe on immutable days.
 *
 * rec_prefix is put before playlist paths: "" for the tool (paths relative to
 * ROOT), "/rec/" for the server (URLs). recording[i] says whether segment i is
 * still being recorded (NULL: none is). */
#ifndef CC_DAYJSON_H
#define CC_DAYJSON_H

#include <stdbool.h>

#include "day.h"
#include "json.h"

void cc_dayjson_day(struct cc_json *j, const struct cc_day *d, const char *rec_prefix,
                    const bool *recording);
/* One entry of the calendar listing (/api/days). */
void cc_dayjson_summary(struct cc_json *j, const struct cc_day *d);
/* The merged motion events as an array. */
void cc_dayjson_motion(struct cc_json *j, const struct cc_day *d);

#endif
