/* htdigest — the password file of HTTP digest authentication, in the format
 * of Apache's htdigest that civetweb reads: one `user:realm:HA1` a line, HA1
 * = md5hex("user:realm:password") in lowercase. Blank lines and civetweb's
 * `:#` comment lines are allowed and kept; anything else (civetweb's
 * `:include=`, uppercase or short hashes, stray text) is refused, so a typo
 * stops start-up instead of silently locking everyone out.
 *
 * Pure text functions (no I/O, thread-safe); the caller reads and writes the
 * file (camcatd checks it at start-up, `camcat passwd` updates it). */
#ifndef CC_HTDIGEST_H
#define CC_HTDIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "md5.h"

#define CC_HTDIGEST_MAX_FILE (64 * 1024)
#define CC_HTDIGEST_MAX_NAME 64

/* A user or realm name that survives a quoted Digest header and the file's
 * syntax: 1..64 printable ASCII bytes without ':', '"' or '\\', not starting
 * with a space. */
bool cc_htdigest_name_ok(const char *s);

/* HA1 of user, realm and password, as the file stores it. */
void cc_htdigest_ha1(const char *user, const char *realm, const char *password,
                     char out[CC_MD5_HEX]);

/* Checks text: 0 with *users the number of entries for realm, or -EINVAL
 * with "line N: what is wrong" in err. */
int cc_htdigest_check(const char *text, size_t len, const char *realm, size_t *users, char *err,
                      size_t errsz);

/* The HA1 of user in realm: 0 with ha1 filled, or -ENOENT when text has no
 * such entry (malformed lines are skipped: they never match). */
int cc_htdigest_find(const char *text, size_t len, const char *user, const char *realm,
                     char ha1[CC_MD5_HEX]);

enum cc_htdigest_change { CC_HTDIGEST_UNCHANGED, CC_HTDIGEST_ADDED, CC_HTDIGEST_CHANGED };

/* Appends to out the file text with user's entry for realm set to ha1 (the
 * line replaced where it was, else added at the end); other lines stay as
 * they were. text must pass cc_htdigest_check. Says what happened: with
 * UNCHANGED, out holds text as it was and need not be written. */
enum cc_htdigest_change cc_htdigest_set(const char *text, size_t len, const char *user,
                                        const char *realm, const char *ha1, struct cc_buf *out);

#endif
