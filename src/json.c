#include "json.h"

#include <math.h>
#include <string.h>

void cc_json_init(struct cc_json *j, struct cc_buf *out)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
}

/* Emits the comma owed before a value at the current level. */
static void before_value(struct cc_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->need_comma[j->depth])
        cc_buf_putc(j->out, ',');
    j->need_comma[j->depth] = true;
}

static void open_level(struct cc_json *j, char c)
{
    before_value(j);
    cc_buf_putc(j->out, c);
    if (j->depth < CC_JSON_MAX_DEPTH - 1)
        j->depth++;
    j->need_comma[j->depth] = false;
}

static void close_level(struct cc_json *j, char c)
{
    if (j->depth > 0)
        j->depth--;
    cc_buf_putc(j->out, c);
}

void cc_json_obj_open(struct cc_json *j)
{
    open_level(j, '{');
}

void cc_json_obj_close(struct cc_json *j)
{
    close_level(j, '}');
}

void cc_json_arr_open(struct cc_json *j)
{
    open_level(j, '[');
}

void cc_json_arr_close(struct cc_json *j)
{
    close_level(j, ']');
}

void cc_json_key(struct cc_json *j, const char *key)
{
    before_value(j);
    cc_json_escape(j->out, key, strlen(key));
    cc_buf_putc(j->out, ':');
    j->after_key = true;
}

/* Length of a valid UTF-8 sequence at p (max n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned min;
    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xe0) == 0xc0) {
        len = 2;
        min = 0x80;
    } else if ((p[0] & 0xf0) == 0xe0) {
        len = 3;
        min = 0x800;
    } else if ((p[0] & 0xf8) == 0xf0) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    unsigned cp = p[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

void cc_json_escape(struct cc_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    cc_buf_putc(out, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            cc_buf_putc(out, '\\');
            cc_buf_putc(out, (char)c);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            cc_buf_printf(out, "\\u%04x", c);
            i++;
        } else {
            size_t k = utf8_len(p + i, n - i);
            if (k == 0) {
                cc_buf_puts(out, "\\ufffd");
                i++;
            } else {
                cc_buf_append(out, p + i, k);
                i += k;
            }
        }
    }
    cc_buf_putc(out, '"');
}

void cc_json_str(struct cc_json *j, const char *s)
{
    cc_json_strn(j, s, strlen(s));
}

void cc_json_strn(struct cc_json *j, const char *s, size_t n)
{
    before_value(j);
    cc_json_escape(j->out, s, n);
}

void cc_json_int(struct cc_json *j, int64_t v)
{
    before_value(j);
    cc_buf_printf(j->out, "%lld", (long long)v);
}

void cc_json_fixed(struct cc_json *j, double v, int decimals)
{
    before_value(j);
    if (!isfinite(v))
        cc_buf_puts(j->out, "null");
    else
        cc_buf_printf(j->out, "%.*f", decimals, v);
}

void cc_json_bool(struct cc_json *j, bool v)
{
    before_value(j);
    cc_buf_puts(j->out, v ? "true" : "false");
}

void cc_json_null(struct cc_json *j)
{
    before_value(j);
    cc_buf_puts(j->out, "null");
}

void cc_json_error(struct cc_json *j, const char *code, const char *message)
{
    cc_json_key(j, "error");
    cc_json_obj_open(j);
    cc_json_key(j, "code");
    cc_json_str(j, code);
    cc_json_key(j, "message");
    cc_json_str(j, message);
    cc_json_obj_close(j);
}
