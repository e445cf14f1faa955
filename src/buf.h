/* buf — a growable byte buffer, always NUL-terminated after len bytes.
 *
 * A value type: embed it, cc_buf_init() it, cc_buf_free() it. The buffer owns
 * data; pointers into data are invalidated by any append. Allocation failure
 * aborts (see mem.h). Not thread-safe: one owner at a time. */
#ifndef CC_BUF_H
#define CC_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct cc_buf {
    char *data;
    size_t len;
    size_t cap;
};

void cc_buf_init(struct cc_buf *b);
void cc_buf_free(struct cc_buf *b);
void cc_buf_reset(struct cc_buf *b); /* len = 0, keeps the memory */
void cc_buf_reserve(struct cc_buf *b, size_t extra);
void cc_buf_append(struct cc_buf *b, const void *p, size_t n);
void cc_buf_puts(struct cc_buf *b, const char *s);
void cc_buf_putc(struct cc_buf *b, char c);
/* Decimal digits of v, zero-padded to min_digits. */
void cc_buf_put_dec(struct cc_buf *b, uint64_t v, int min_digits);
void cc_buf_printf(struct cc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cc_buf_vprintf(struct cc_buf *b, const char *fmt, va_list ap);

/* Little-endian fixed-width and LEB128 varint writers for binary formats. */
void cc_buf_put_u8(struct cc_buf *b, uint8_t v);
void cc_buf_put_u16(struct cc_buf *b, uint16_t v);
void cc_buf_put_u32(struct cc_buf *b, uint32_t v);
void cc_buf_put_u64(struct cc_buf *b, uint64_t v);
void cc_buf_put_uvar(struct cc_buf *b, uint64_t v);
void cc_buf_put_svar(struct cc_buf *b, int64_t v); /* zigzag */

/* Hands the memory to the caller (who frees it) and resets b. */
char *cc_buf_steal(struct cc_buf *b, size_t *len);

#endif
