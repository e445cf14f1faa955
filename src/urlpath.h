/* urlpath — the one gate between a request URL and the file system: turns the
 * raw path of a request (as it came off the wire, still percent-encoded) into
 * a path that can be joined to a served folder, or refuses it. Pure and
 * thread-safe; no file-system access (the server still resolves the result
 * with realpath and checks it stays inside the folder).
 *
 * Rules, each a reason to refuse:
 *   - the path does not start with '/';
 *   - a malformed escape ('%' not followed by two hex digits);
 *   - an encoded '/' (%2f): it would smuggle a separator past the segment checks;
 *   - a backslash, NUL, control character, DEL or any byte >= 0x80, raw or
 *     decoded (recording trees and the UI use ASCII names only, which also
 *     rules out overlong UTF-8 forms of '/' and '.');
 *   - a decoded '%': the URL was encoded twice;
 *   - an empty segment ("//"), except one trailing '/';
 *   - a segment starting with '.': ".", ".." and hidden files alike.
 * Decoding happens exactly once. */
#ifndef CC_URLPATH_H
#define CC_URLPATH_H

#include <stdbool.h>
#include <stddef.h>

#define CC_URLPATH_MAX 1024    /* longest decoded path accepted, NUL included */
#define CC_URLPATH_SEG_MAX 255 /* longest segment (NAME_MAX) */

/* Decodes raw[0..len) into out (outsz bytes, NUL-terminated). The result
 * starts with '/' and keeps a trailing '/'. Returns its length, -ENOENT for a
 * hidden-file segment (".name": refused as if absent), -ENAMETOOLONG, or
 * -EINVAL for everything else refused. */
int cc_urlpath_normalize(const char *raw, size_t len, char *out, size_t outsz);

/* The value of key in a query string ("a=1&b=2", may be NULL), decoded once.
 * '+' stays '+' (so "+08:00" offsets survive unencoded); a space must be sent
 * as %20. The first occurrence wins; "key" without '=' has the value "".
 * Returns the value's length, -ENOENT when absent, -EINVAL when malformed or
 * holding a control character, -ENAMETOOLONG when it does not fit out. */
int cc_urlpath_query_get(const char *qs, const char *key, char *out, size_t outsz);

/* A chunk URI as a playlist names it (relative to the playlist's folder) if
 * /rec/DATE/FOLDER/ + it, percent-encoded (cc_stitch_put_uri), passes the
 * rules above and names the same file; NULL if not. Leading "./" are dropped
 * (*len shrinks). Refused: empty, absolute or with a scheme (':'), a '%',
 * backslash, control or non-ASCII byte, a dot or empty segment, a segment over
 * CC_URLPATH_SEG_MAX, or too long to fit a request path. '?', '#' and spaces
 * are file-name bytes here (encoded, they decode back). Pure. */
const char *cc_urlpath_chunk(const char *uri, size_t *len);
/* The same, and *plain says whether the name has no '/' (a file of the
 * playlist's own folder). */
const char *cc_urlpath_chunk_plain(const char *uri, size_t *len, bool *plain);
/* Whether a file name (NUL-terminated, as a folder listing gives it) is one
 * cc_urlpath_chunk accepts as it is (a plain name); *len gets strlen(name)
 * either way, counted in the same pass. */
bool cc_urlpath_chunk_name(const char *name, size_t *len);

/* Does path (decoded, from cc_urlpath_normalize) match a route pattern in
 * civetweb's syntax (mg_set_request_handler), but case-sensitive: literal
 * bytes, '*' (a run of bytes other than '/', possibly empty), "**" (anything;
 * only at a pattern's end), '$' (the end of path)? A pattern that ends
 * without '$' or "**" matches a prefix. Pure. */
bool cc_urlpath_match(const char *pattern, const char *path);

#endif
