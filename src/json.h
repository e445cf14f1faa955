/* json — a streaming JSON writer into a cc_buf.
 *
 * The writer tracks nesting to place commas; callers alternate key/value in
 * objects. Strings are escaped and any invalid UTF-8 byte becomes U+FFFD, so
 * the output is valid JSON whatever bytes the recordings held. A value type:
 * embed it, init it, no destroy needed (the cc_buf belongs to the caller). */
#ifndef CC_JSON_H
#define CC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CC_JSON_MAX_DEPTH 32

struct cc_json {
    struct cc_buf *out;
    int depth;
    bool need_comma[CC_JSON_MAX_DEPTH];
    bool after_key;
};

void cc_json_init(struct cc_json *j, struct cc_buf *out);
void cc_json_obj_open(struct cc_json *j);
void cc_json_obj_close(struct cc_json *j);
void cc_json_arr_open(struct cc_json *j);
void cc_json_arr_close(struct cc_json *j);
void cc_json_key(struct cc_json *j, const char *key);
void cc_json_str(struct cc_json *j, const char *s);
void cc_json_strn(struct cc_json *j, const char *s, size_t n);
void cc_json_int(struct cc_json *j, int64_t v);
/* Fixed-point with the given number of decimals; non-finite becomes null. */
void cc_json_fixed(struct cc_json *j, double v, int decimals);
void cc_json_bool(struct cc_json *j, bool v);
void cc_json_null(struct cc_json *j);
/* The member "error": {"code": code, "message": message}, the one error shape
 * of the HTTP API and of MQTT command results. */
void cc_json_error(struct cc_json *j, const char *code, const char *message);

/* Appends s (n bytes) to out as a quoted, escaped JSON string. */
void cc_json_escape(struct cc_buf *out, const char *s, size_t n);

#endif
