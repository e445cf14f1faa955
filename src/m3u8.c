#include "m3u8.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "isotime.h"

/* What the lines since the last commit point have said about the next chunk. */
struct pending {
    bool extinf, pdt, discont, range, map_changed;
    int64_t dur_us;
    bool dur_bad;
    int64_t pdt_ms;
    int pdt_off;
    bool pdt_has_off;
    uint64_t range_len, range_off;
};

void cc_m3u8_state_init(struct cc_m3u8_state *st)
{
    memset(st, 0, sizeof(*st));
}

int cc_m3u8_parse_duration(const char *s, size_t len, int64_t *us)
{
    size_t i = 0;
    int64_t whole = 0, frac = 0;
    int frac_digits = 0;
    if (len == 0)
        return -EINVAL;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        if (whole > CC_M3U8_MAX_CHUNK_US)
            return -EINVAL;
        whole = whole * 10 + (s[i++] - '0');
    }
    bool had_int = i > 0;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (frac_digits < 6) {
                frac = frac * 10 + (s[i] - '0');
                frac_digits++;
            }
            i++;
        }
        if (!had_int && frac_digits == 0)
            return -EINVAL;
    } else if (!had_int) {
        return -EINVAL;
    }
    if (i != len)
        return -EINVAL;
    while (frac_digits++ < 6)
        frac *= 10;
    *us = whole * 1000000 + frac;
    return 0;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

int cc_m3u8_attr_next(const char **p, const char *end, const char **key, size_t *key_len,
                      const char **val, size_t *val_len)
{
    const char *s = *p;
    while (s < end && (*s == ',' || is_ws(*s)))
        s++;
    if (s == end) {
        *p = s;
        return 0;
    }
    const char *k = s;
    while (s < end && *s != '=' && *s != ',')
        s++;
    if (s == end || *s != '=' || s == k)
        return -EINVAL;
    *key = k;
    *key_len = (size_t)(s - k);
    s++;
    if (s < end && *s == '"') {
        const char *v = ++s;
        while (s < end && *s != '"')
            s++;
        if (s == end)
            return -EINVAL;
        *val = v;
        *val_len = (size_t)(s - v);
        s++;
    } else {
        const char *v = s;
        while (s < end && *s != ',')
            s++;
        *val = v;
        *val_len = (size_t)(s - v);
        while (*val_len && is_ws(v[*val_len - 1]))
            (*val_len)--;
    }
    *p = s;
    return 1;
}

static bool key_is(const char *k, size_t n, const char *want)
{
    return strlen(want) == n && memcmp(k, want, n) == 0;
}

/* Matches "#TAG:" or exactly "#TAG"; *arg gets what follows the colon. */
#define tag_is(line, len, tag, arg, arg_len) \
    tag_match(line, len, tag, sizeof(tag) - 1, arg, arg_len)
static bool tag_match(const char *line, size_t len, const char *tag, size_t n, const char **arg,
                      size_t *arg_len)
{
    if (len < n || memcmp(line, tag, n) != 0)
        return false;
    if (len == n) {
        *arg = line + n;
        *arg_len = 0;
        return true;
    }
    if (line[n] != ':')
        return false;
    *arg = line + n + 1;
    *arg_len = len - n - 1;
    return true;
}

static int parse_u64(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 19)
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "<n>[@<o>]" as in EXT-X-BYTERANGE and the MAP BYTERANGE attribute. */
static int parse_range(const char *s, size_t len, uint64_t *n, uint64_t *o, bool *has_o)
{
    const char *at = memchr(s, '@', len);
    size_t nlen = at ? (size_t)(at - s) : len;
    if (parse_u64(s, nlen, n) < 0)
        return -EINVAL;
    *has_o = at != NULL;
    if (at && parse_u64(at + 1, len - nlen - 1, o) < 0)
        return -EINVAL;
    return 0;
}

/* What the previous lines of this parse said, for a cheaper next line:
 * recorders write the same EXTINF text and the same PDT date chunk after
 * chunk. */
struct memo {
    struct cc_iso_cache iso;
    char extinf[16];   /* the last good EXTINF argument up to its comma */
    size_t extinf_len; /* with the comma; 0 = none */
    int64_t extinf_us;
};

/* An EXTINF argument that starts as the last good one did, up to its comma,
 * has its duration (m->extinf_us). */
static inline bool extinf_memo(const struct memo *m, const char *arg, size_t len)
{
    return m->extinf_len && len >= m->extinf_len && cc_bytes_equal(arg, m->extinf, m->extinf_len);
}

static int parse_extinf(const char *arg, size_t len, struct pending *pd, struct memo *m)
{
    if (extinf_memo(m, arg, len)) {
        pd->extinf = true;
        pd->dur_bad = false;
        pd->dur_us = m->extinf_us;
        return 0;
    }
    const char *comma = memchr(arg, ',', len);
    size_t dlen = comma ? (size_t)(comma - arg) : len;
    while (dlen && is_ws(arg[dlen - 1]))
        dlen--;
    int64_t us;
    pd->extinf = true;
    pd->dur_bad = cc_m3u8_parse_duration(arg, dlen, &us) < 0 || us > CC_M3U8_MAX_CHUNK_US;
    pd->dur_us = pd->dur_bad ? 0 : us;
    size_t with_comma = comma ? (size_t)(comma - arg) + 1 : 0;
    if (!pd->dur_bad && with_comma && with_comma <= sizeof(m->extinf)) {
        memcpy(m->extinf, arg, with_comma);
        m->extinf_len = with_comma;
        m->extinf_us = us;
    }
    return pd->dur_bad ? -EINVAL : 0;
}

static int parse_map(struct cc_m3u8_state *st, const char *arg, size_t len, struct pending *pd)
{
    const char *p = arg, *end = arg + len, *k, *v;
    size_t kl, vl;
    int r;
    const char *uri = NULL;
    size_t uri_len = 0;
    uint64_t n = 0, o = 0;
    bool has_range = false, has_o = false;
    while ((r = cc_m3u8_attr_next(&p, end, &k, &kl, &v, &vl)) > 0) {
        if (key_is(k, kl, "URI")) {
            uri = v;
            uri_len = vl;
        } else if (key_is(k, kl, "BYTERANGE")) {
            if (parse_range(v, vl, &n, &o, &has_o) < 0)
                return -EINVAL;
            has_range = true;
        }
    }
    if (r < 0 || !uri || uri_len == 0 || uri_len >= CC_M3U8_MAP_MAX)
        return -EINVAL;
    memcpy(st->map_uri, uri, uri_len);
    st->map_uri[uri_len] = '\0';
    st->map_has_range = has_range;
    st->map_len = n;
    st->map_off = has_o ? o : 0;
    pd->map_changed = true;
    return 0;
}

static int parse_date_attr(const char *v, size_t vl, int64_t *ms, int *off, bool *has_off)
{
    return cc_iso_parse(v, vl, ms, off, has_off);
}

static int parse_daterange(const char *arg, size_t len, const struct cc_m3u8_handler *h)
{
    struct cc_m3u8_daterange d;
    memset(&d, 0, sizeof(d));
    d.id = d.cls = d.label = "";
    const char *p = arg, *end = arg + len, *k, *v;
    size_t kl, vl;
    int r, off;
    bool has_off;
    while ((r = cc_m3u8_attr_next(&p, end, &k, &kl, &v, &vl)) > 0) {
        if (key_is(k, kl, "ID")) {
            d.id = v;
            d.id_len = vl;
        } else if (key_is(k, kl, "CLASS")) {
            d.cls = v;
            d.cls_len = vl;
        } else if (key_is(k, kl, "X-LABEL")) {
            d.label = v;
            d.label_len = vl;
        } else if (key_is(k, kl, "START-DATE")) {
            if (parse_date_attr(v, vl, &d.start_ms, &d.start_off_min, &d.start_has_off) < 0)
                return -EINVAL;
            d.has_start = true;
        } else if (key_is(k, kl, "END-DATE")) {
            if (parse_date_attr(v, vl, &d.end_ms, &off, &has_off) < 0)
                return -EINVAL;
            d.has_end = true;
        } else if (key_is(k, kl, "DURATION")) {
            int64_t us;
            if (cc_m3u8_parse_duration(v, vl, &us) < 0)
                return -EINVAL;
            d.dur_ms = us / 1000;
            d.has_dur = true;
        }
    }
    if (r < 0 || !d.has_start)
        return -EINVAL;
    if (h->daterange)
        h->daterange(h->ud, &d);
    return 0;
}

/* Handles one tag line. Returns 0, or -EINVAL for a malformed known tag. */
static int parse_tag(struct cc_m3u8_state *st, const char *line, size_t len, struct pending *pd,
                     struct memo *m, const struct cc_m3u8_handler *h)
{
    const char *a;
    size_t al;
    uint64_t u;
    if (tag_is(line, len, "#EXTINF", &a, &al))
        return parse_extinf(a, al, pd, m);
    if (tag_is(line, len, "#EXT-X-PROGRAM-DATE-TIME", &a, &al)) {
        if (cc_iso_parse_cached(&m->iso, a, al, &pd->pdt_ms, &pd->pdt_off, &pd->pdt_has_off) < 0)
            return -EINVAL;
        pd->pdt = true;
        return 0;
    }
    if (tag_is(line, len, "#EXT-X-DISCONTINUITY", &a, &al)) {
        pd->discont = true;
        return 0;
    }
    if (tag_is(line, len, "#EXT-X-BYTERANGE", &a, &al)) {
        bool has_o;
        if (parse_range(a, al, &pd->range_len, &pd->range_off, &has_o) < 0)
            return -EINVAL;
        if (!has_o)
            pd->range_off = st->next_range;
        pd->range = true;
        return 0;
    }
    if (tag_is(line, len, "#EXT-X-ENDLIST", &a, &al)) {
        st->endlist = 1;
        return 0;
    }
    if (tag_is(line, len, "#EXT-X-TARGETDURATION", &a, &al)) {
        if (parse_u64(a, al, &u) < 0 || u > 3600)
            return -EINVAL;
        st->target_s = (uint32_t)u;
        return 0;
    }
    if (tag_is(line, len, "#EXT-X-MEDIA-SEQUENCE", &a, &al)) {
        if (parse_u64(a, al, &u) < 0)
            return -EINVAL;
        st->media_seq = u;
        return 0;
    }
    if (tag_is(line, len, "#EXT-X-VERSION", &a, &al)) {
        if (parse_u64(a, al, &u) < 0 || u > 100)
            return -EINVAL;
        st->version = (uint32_t)u;
        return 0;
    }
    if (tag_is(line, len, "#EXT-X-MAP", &a, &al))
        return parse_map(st, a, al, pd);
    if (tag_is(line, len, "#EXT-X-DATERANGE", &a, &al))
        return parse_daterange(a, al, h);
    return 0; /* unknown tags and comments are ignored */
}

static int emit_chunk(struct cc_m3u8_state *st, const char *uri, size_t len, struct pending *pd,
                      const struct cc_m3u8_handler *h)
{
    if (!pd->extinf || pd->dur_bad || len > CC_M3U8_URI_MAX) {
        /* A chunk we cannot place is dropped; the media around it is no
         * longer continuous, so the next chunk starts a new span. A bad
         * EXTINF was counted on its own line already. */
        if (!pd->dur_bad)
            st->bad_lines++;
        memset(pd, 0, sizeof(*pd));
        pd->discont = true;
        return 0;
    }
    struct cc_m3u8_chunk c = {
        .uri = uri,
        .uri_len = len,
        .dur_us = pd->dur_us,
        .seq = st->media_seq + st->nchunks,
        .index = st->nchunks,
        .discontinuity = pd->discont,
        .has_pdt = pd->pdt,
        .pdt_has_off = pd->pdt_has_off,
        .pdt_off_min = pd->pdt_off,
        .pdt_ms = pd->pdt_ms,
        .has_range = pd->range,
        .range_len = pd->range_len,
        .range_off = pd->range_off,
        .map_changed = pd->map_changed,
    };
    if (pd->range)
        st->next_range = pd->range_off + pd->range_len;
    st->nchunks++;
    *pd = (struct pending){0};
    return h->chunk ? h->chunk(h->ud, &c) : 0;
}

static bool pending_empty(const struct pending *pd)
{
    return !pd->extinf && !pd->pdt && !pd->discont && !pd->range && !pd->map_changed;
}

/* The bytes from the last commit point on are over CC_M3U8_LINE_MAX: one bad
 * line, and the chunk being described (if any) is lost. */
static void drop_long(struct cc_m3u8_state *st, struct pending *pd)
{
    st->bad_lines++;
    st->carry_discont = st->carry_discont || !pending_empty(pd);
    memset(pd, 0, sizeof(*pd));
    pd->discont = st->carry_discont;
}

/* Consumes the rest of an over-long line; returns where parsing goes on. */
static size_t skip_long(struct cc_m3u8_state *st, const char *buf, size_t len)
{
    const char *nl = memchr(buf, '\n', len);
    size_t pos = nl ? (size_t)(nl - buf) + 1 : len;
    st->skip_line = !nl;
    st->offset += pos;
    return pos;
}

/* ---- one pass over a recorder's chunk ----------------------------------
 * Recorders write each chunk as the same two or three lines:
 *   #EXT-X-PROGRAM-DATE-TIME:<time>   (optional)
 *   #EXTINF:<the same text as the last EXTINF>,
 *   <uri>
 * Read line by line, each costs a dispatch, trimming and pending-state
 * bookkeeping: most of a cold index's parse. fast_chunk reads the lines of
 * exactly that shape in one pass, and leaves everything else (a first or new
 * EXTINF text, spaces or CR to trim, blank lines, other tags, bad values,
 * partial lines, over-long URIs) to the line-by-line path, which then reads
 * the same bytes with the same results. */

#define PDT_TAG "#EXT-X-PROGRAM-DATE-TIME:"
#define EXTINF_TAG "#EXTINF:"
#define TAG_LEN(t) (sizeof(t) - 1)

/* p (n bytes) starts with the literal lit. */
#define starts_with(p, n, lit) ((n) >= TAG_LEN(lit) && memcmp(p, lit, TAG_LEN(lit)) == 0)

/* The length of the line at p (n bytes left) without its '\n', if it has
 * one and nothing for the line-by-line path to trim at its end; else -1. */
static inline ptrdiff_t plain_line(const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n);
    if (!nl || nl == p || is_ws(nl[-1]))
        return -1;
    return nl - p;
}

/* The same, trying first the length guess (the length this line had in the
 * last chunk) to save a search. A guessed line may hide a '\n': the caller
 * then reads all of its bytes in a way that refuses one (a PDT parse, the
 * EXTINF text compare). */
static inline ptrdiff_t line_guess(const char *p, size_t n, size_t guess)
{
    if (guess && guess < n && p[guess] == '\n' && !is_ws(p[guess - 1]))
        return (ptrdiff_t)guess;
    return plain_line(p, n);
}

/* Reads one chunk of the shape above from p (n bytes, a commit point:
 * nothing pending) and reports it. Returns the bytes taken, through the
 * URI's newline, or 0 (nothing read, nothing changed) when the lines are of
 * another shape. *r gets the handler's answer. Nothing pending means no
 * discontinuity, byte range or map for this chunk. */
static size_t fast_chunk(struct cc_m3u8_state *st, const char *p, size_t n, struct memo *m,
                         const struct cc_m3u8_handler *h, int *r)
{
    struct cc_m3u8_chunk c = {.seq = st->media_seq + st->nchunks, .index = st->nchunks};
    size_t pos = 0;
    ptrdiff_t ll;
    if (starts_with(p, n, PDT_TAG)) {
        if ((ll = line_guess(p, n, m->iso.len ? TAG_LEN(PDT_TAG) + m->iso.len : 0)) < 0 ||
            cc_iso_parse_cached(&m->iso, p + TAG_LEN(PDT_TAG), (size_t)ll - TAG_LEN(PDT_TAG),
                                &c.pdt_ms, &c.pdt_off_min, &c.pdt_has_off) < 0)
            return 0;
        c.has_pdt = true;
        pos = (size_t)ll + 1;
    }
    if (!starts_with(p + pos, n - pos, EXTINF_TAG) ||
        (ll = line_guess(p + pos, n - pos, TAG_LEN(EXTINF_TAG) + m->extinf_len)) < 0 ||
        !extinf_memo(m, p + pos + TAG_LEN(EXTINF_TAG), (size_t)ll - TAG_LEN(EXTINF_TAG)))
        return 0;
    c.dur_us = m->extinf_us;
    pos += (size_t)ll + 1;
    if (pos == n || p[pos] == '#' || is_ws(p[pos]) || (ll = plain_line(p + pos, n - pos)) < 0 ||
        ll > CC_M3U8_URI_MAX || pos + (size_t)ll > CC_M3U8_LINE_MAX)
        return 0;
    c.uri = p + pos;
    c.uri_len = (size_t)ll;
    st->nchunks++;
    *r = h->chunk ? h->chunk(h->ud, &c) : 0;
    return pos + (size_t)ll + 1;
}

int cc_m3u8_parse(struct cc_m3u8_state *st, const char *buf, size_t len, bool at_eof,
                  const struct cc_m3u8_handler *h)
{
    struct pending pd;
    memset(&pd, 0, sizeof(pd));
    pd.discont = st->carry_discont;
    st->bad_lines -= st->bad_tail; /* they are about to be parsed again */
    st->bad_tail = 0;
    struct memo m;
    m.extinf_len = 0;
    memset(&m.iso, 0, sizeof(m.iso));
    size_t pos = 0;
    int r = 0;
    if (st->offset == 0 && len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        pos = 3;
        st->offset = 3;
    }
    if (st->skip_line)
        pos = skip_long(st, buf, len);
    const uint64_t base = st->offset - pos;
    size_t commit = pos; /* buf position of st->offset */
    /* Lines past the last commit point are parsed again by the next call:
     * their bad lines count at a commit, or at the end of the file until
     * the next call (bad_tail). */
    uint32_t bad_committed = st->bad_lines;
    while (pos < len && r >= 0) {
        if (pending_empty(&pd)) {
            size_t took;
            while (r >= 0 && (took = fast_chunk(st, buf + pos, len - pos, &m, h, &r)) > 0)
                pos += took;
            if (pos != commit) { /* each one a commit point, no bad line in them */
                st->offset = base + pos;
                commit = pos;
                continue;
            }
        }
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        if (end - commit > CC_M3U8_LINE_MAX) {
            drop_long(st, &pd);
            st->offset = base + end;
            st->skip_line = 1;
            pos = commit = end + skip_long(st, buf + end, len - end);
            bad_committed = st->bad_lines;
            continue;
        }
        const char *line = buf + pos;
        size_t ll = end - pos;
        while (ll && is_ws(line[ll - 1]))
            ll--;
        while (ll && is_ws(*line)) {
            line++;
            ll--;
        }
        if (!nl && !(at_eof && ll == 14 && memcmp(line, "#EXT-X-ENDLIST", 14) == 0))
            break; /* a partial last line: wait for the rest of it */
        if (ll == 0) {
            /* blank line */
        } else if (line[0] == '#') {
            if (ll == 7 && memcmp(line, "#EXTM3U", 7) == 0) {
                if (st->nchunks == 0)
                    st->header_seen = 1;
            } else if (parse_tag(st, line, ll, &pd, &m, h) < 0) {
                st->bad_lines++;
            }
        } else {
            r = emit_chunk(st, line, ll, &pd, h);
        }
        pos = nl ? end + 1 : len;
        if (pending_empty(&pd)) {
            st->offset = base + pos;
            st->carry_discont = 0;
            commit = pos;
            bad_committed = st->bad_lines;
        }
    }
    if (at_eof)
        st->bad_tail = st->bad_lines - bad_committed;
    else
        st->bad_lines = bad_committed;
    return r < 0 ? r : 0;
}
