#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "mem.h"

void cc_buf_init(struct cc_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void cc_buf_free(struct cc_buf *b)
{
    free(b->data);
    cc_buf_init(b);
}

void cc_buf_reset(struct cc_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void cc_buf_reserve(struct cc_buf *b, size_t extra)
{
    cc_grow(&b->data, &b->cap, b->len + extra + 1, 1);
}

void cc_buf_append(struct cc_buf *b, const void *p, size_t n)
{
    cc_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void cc_buf_puts(struct cc_buf *b, const char *s)
{
    cc_buf_append(b, s, strlen(s));
}

void cc_buf_putc(struct cc_buf *b, char c)
{
    if (b->len + 2 > b->cap)
        cc_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void cc_buf_put_dec(struct cc_buf *b, uint64_t v, int min_digits)
{
    cc_buf_reserve(b, 24);
    b->len += cc_bytes_put_dec(b->data + b->len, v, min_digits > 0 ? (unsigned)min_digits : 0);
    b->data[b->len] = '\0';
}

void cc_buf_vprintf(struct cc_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    cc_buf_reserve(b, 64);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        cc_buf_reserve(b, (size_t)n);
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
    }
    va_end(ap2);
    if (n > 0)
        b->len += (size_t)n;
}

void cc_buf_printf(struct cc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cc_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void cc_buf_put_u8(struct cc_buf *b, uint8_t v)
{
    cc_buf_append(b, &v, 1);
}

void cc_buf_put_u16(struct cc_buf *b, uint16_t v)
{
    uint8_t p[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    cc_buf_append(b, p, 2);
}

void cc_buf_put_u32(struct cc_buf *b, uint32_t v)
{
    uint8_t p[4];
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    cc_buf_append(b, p, 4);
}

void cc_buf_put_u64(struct cc_buf *b, uint64_t v)
{
    uint8_t p[8];
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    cc_buf_append(b, p, 8);
}

void cc_buf_put_uvar(struct cc_buf *b, uint64_t v)
{
    uint8_t p[10];
    size_t n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        p[n++] = byte | (v ? 0x80 : 0);
    } while (v);
    cc_buf_append(b, p, n);
}

void cc_buf_put_svar(struct cc_buf *b, int64_t v)
{
    /* zigzag; the sign spelled out, as >> of a negative value is implementation-defined */
    cc_buf_put_uvar(b, ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0));
}

char *cc_buf_steal(struct cc_buf *b, size_t *len)
{
    if (!b->data)
        cc_buf_reserve(b, 0);
    char *p = b->data;
    if (len)
        *len = b->len;
    cc_buf_init(b);
    return p;
}
