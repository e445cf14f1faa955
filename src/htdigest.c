#include "htdigest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Longest line accepted: two names, the hash and the separators, with room. */
#define MAX_LINE 255

bool cc_htdigest_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CC_HTDIGEST_MAX_NAME || s[0] == ' ')
        return false;
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e || *s == ':' || *s == '"' || *s == '\\')
            return false;
    return true;
}

void cc_htdigest_ha1(const char *user, const char *realm, const char *password,
                     char out[CC_MD5_HEX])
{
    struct cc_buf b;
    cc_buf_init(&b);
    cc_buf_printf(&b, "%s:%s:%s", user, realm, password);
    cc_md5_hex(b.data, b.len, out);
    /* the buffer held the password */
    memset(b.data, 0, b.len);
    cc_buf_free(&b);
}

/* One line split into its fields (pointers into the text). */
struct entry {
    const char *user, *realm, *ha1;
    size_t user_len, realm_len, ha1_len;
};

static bool is_lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool name_ok(const char *s, size_t n)
{
    char copy[CC_HTDIGEST_MAX_NAME + 1];
    if (n > CC_HTDIGEST_MAX_NAME || memchr(s, '\0', n))
        return false;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return cc_htdigest_name_ok(copy);
}

/* Parses [s, e) (no newline, a trailing CR allowed). Returns 1 for an entry,
 * 0 for a blank or comment line, or -EINVAL with *why set. */
static int parse_line(const char *s, const char *e, struct entry *en, const char **why)
{
    if (e > s && e[-1] == '\r')
        e--;
    if (s == e || (e - s >= 2 && s[0] == ':' && s[1] == '#'))
        return 0;
    *why = "expected user:realm:md5hex";
    if (e - s > MAX_LINE) {
        *why = "line too long";
        return -EINVAL;
    }
    const char *c1 = memchr(s, ':', (size_t)(e - s));
    const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(e - c1 - 1)) : NULL;
    if (!c2)
        return -EINVAL;
    *en = (struct entry){
        s, c1 + 1, c2 + 1, (size_t)(c1 - s), (size_t)(c2 - c1 - 1), (size_t)(e - c2 - 1)};
    if (!name_ok(en->user, en->user_len)) {
        *why = "bad user name";
        return -EINVAL;
    }
    if (!name_ok(en->realm, en->realm_len)) {
        *why = "bad realm";
        return -EINVAL;
    }
    if (en->ha1_len != 32 || !is_lower_hex(en->ha1, 32)) {
        *why = "the hash is not 32 lowercase hex digits";
        return -EINVAL;
    }
    return 1;
}

static bool field_is(const char *f, size_t n, const char *s)
{
    return strlen(s) == n && memcmp(f, s, n) == 0;
}

int cc_htdigest_check(const char *text, size_t len, const char *realm, size_t *users, char *err,
                      size_t errsz)
{
    const char *p = text, *end = text + len;
    *users = 0;
    for (int line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        struct entry en;
        const char *why = NULL;
        int rc = parse_line(p, e, &en, &why);
        if (rc < 0) {
            snprintf(err, errsz, "line %d: %s", line, why);
            return -EINVAL;
        }
        if (rc == 1 && field_is(en.realm, en.realm_len, realm))
            (*users)++;
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int cc_htdigest_find(const char *text, size_t len, const char *user, const char *realm,
                     char ha1[CC_MD5_HEX])
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        struct entry en;
        const char *why;
        if (parse_line(p, e, &en, &why) == 1 && field_is(en.user, en.user_len, user) &&
            field_is(en.realm, en.realm_len, realm)) {
            memcpy(ha1, en.ha1, 32);
            ha1[32] = '\0';
            return 0;
        }
        p = nl ? nl + 1 : end;
    }
    return -ENOENT;
}

enum cc_htdigest_change cc_htdigest_set(const char *text, size_t len, const char *user,
                                        const char *realm, const char *ha1, struct cc_buf *out)
{
    const char *p = text, *end = text + len;
    enum cc_htdigest_change what = CC_HTDIGEST_ADDED;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        struct entry en;
        const char *why;
        if (what == CC_HTDIGEST_ADDED && parse_line(p, e, &en, &why) == 1 &&
            field_is(en.user, en.user_len, user) && field_is(en.realm, en.realm_len, realm)) {
            what = memcmp(en.ha1, ha1, 32) ? CC_HTDIGEST_CHANGED : CC_HTDIGEST_UNCHANGED;
            const char *eol = !nl ? "" : e > p && e[-1] == '\r' ? "\r\n" : "\n";
            cc_buf_printf(out, "%s:%s:%s%s", user, realm, ha1, eol);
        } else {
            cc_buf_append(out, p, (size_t)(e - p) + (nl ? 1 : 0));
        }
        p = nl ? nl + 1 : end;
    }
    if (what == CC_HTDIGEST_ADDED) {
        if (len && text[len - 1] != '\n')
            cc_buf_putc(out, '\n');
        cc_buf_printf(out, "%s:%s:%s\n", user, realm, ha1);
    }
    return what;
}
