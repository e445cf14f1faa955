/* ts — see ts.h. Syntax from ISO/IEC 13818-1: 2.4.3.2 (packet), 2.4.3.4
 * (adaptation field), 2.4.4.3 (PAT), 2.4.4.8 (PMT), 2.4.3.6 (PES header). */
#include <string.h>

#include "ts.h"

#define SYNC 0x47

void cc_ts_init(struct cc_ts *t)
{
    memset(t, 0, sizeof(*t));
    cc_buf_init(&t->video.buf);
    cc_buf_init(&t->audio.buf);
}

void cc_ts_free(struct cc_ts *t)
{
    cc_buf_free(&t->video.buf);
    cc_buf_free(&t->audio.buf);
}

/* The section a PSI packet's payload starts (pointer_field skipped): its
 * bytes up to but excluding the CRC, or NULL when it does not fit. */
static const uint8_t *psi_section(const uint8_t *p, size_t len, size_t *slen)
{
    if (len < 1 || (size_t)p[0] + 1 > len)
        return NULL;
    len -= (size_t)p[0] + 1;
    p += p[0] + 1;
    if (len < 3)
        return NULL;
    size_t sl = ((size_t)(p[1] & 0x0f) << 8) | p[2];
    if (sl < 9 || sl + 3 > len) /* sections split across packets are not followed */
        return NULL;
    *slen = sl + 3 - 4;
    return p;
}

static void parse_pat(struct cc_ts *t, const uint8_t *p, size_t len)
{
    size_t sl;
    const uint8_t *s = psi_section(p, len, &sl);
    if (!s || s[0] != 0x00)
        return;
    for (size_t i = 8; i + 4 <= sl; i += 4) {
        uint16_t prog = (uint16_t)(s[i] << 8 | s[i + 1]);
        if (prog != 0) { /* 0 names the network PID */
            t->pmt_pid = (uint16_t)((s[i + 2] & 0x1f) << 8 | s[i + 3]);
            return;
        }
    }
}

static bool is_video_type(uint8_t type)
{
    return type == CC_TS_TYPE_H264 || type == CC_TS_TYPE_H265;
}

static bool is_audio_type(uint8_t type)
{
    return type == CC_TS_TYPE_AAC || type == 0x03 || type == 0x04 || type == 0x11 || type == 0x81;
}

static void parse_pmt(struct cc_ts *t, const uint8_t *p, size_t len)
{
    size_t sl;
    const uint8_t *s = psi_section(p, len, &sl);
    if (!s || s[0] != 0x02 || sl < 12)
        return;
    size_t info = ((size_t)(s[10] & 0x0f) << 8) | s[11];
    for (size_t i = 12 + info; i + 5 <= sl;) {
        uint8_t type = s[i];
        uint16_t pid = (uint16_t)((s[i + 1] & 0x1f) << 8 | s[i + 2]);
        size_t es_info = ((size_t)(s[i + 3] & 0x0f) << 8) | s[i + 4];
        if (is_video_type(type) && !t->video.pid) {
            t->video.pid = pid;
            t->video.type = type;
        } else if (is_audio_type(type) && !t->audio.pid) {
            t->audio.pid = pid;
            t->audio.type = type;
        }
        i += 5 + es_info;
    }
    t->have_pmt = true;
}

static int64_t read_ts(const uint8_t *p)
{
    return ((int64_t)(p[0] & 0x0e) << 29) | ((int64_t)p[1] << 22) | ((int64_t)(p[2] & 0xfe) << 14) |
           ((int64_t)p[3] << 7) | (p[4] >> 1);
}

/* Fills pes from the PES bytes collected in st so far: -1 when they do not
 * start with a PES header. */
static int pes_of(const struct cc_ts *t, const struct cc_ts_stream *st, struct cc_ts_pes *pes)
{
    const struct cc_buf *b = &st->buf;
    const uint8_t *p = (const uint8_t *)b->data;
    /* 00 00 01 stream_id, length, two flag bytes, header length */
    if (b->len < 9 || p[0] || p[1] || p[2] != 1 || (size_t)p[8] + 9 > b->len)
        return -1;
    *pes = (struct cc_ts_pes){.video = st == &t->video,
                              .stream_type = st->type,
                              .pts = -1,
                              .dts = -1,
                              .start = st->start,
                              .end = st->end};
    if ((p[7] & 0x80) && p[8] >= 5)
        pes->pts = pes->dts = read_ts(p + 9);
    if ((p[7] & 0xc0) == 0xc0 && p[8] >= 10)
        pes->dts = read_ts(p + 14);
    size_t plen = (size_t)p[4] << 8 | p[5];
    pes->data = p + 9 + p[8];
    pes->len = b->len - 9 - p[8];
    if (plen && plen >= 3u + p[8] && plen - 3 - p[8] < pes->len)
        pes->len = plen - 3 - p[8]; /* bounded PES (audio): stuffing after it */
    return 0;
}

/* Hands out st's PES if one is open; st is closed either way. At the end of
 * input (last) the PES is marked cut when it looks cut. */
static int emit_pes(struct cc_ts *t, struct cc_ts_stream *st, bool last, cc_ts_pes_fn fn, void *ud)
{
    if (!st->open)
        return 0;
    st->open = false;
    struct cc_ts_pes pes;
    if (pes_of(t, st, &pes) < 0) {
        t->lost++;
        return 0;
    }
    if (last)
        pes.cut = !st->padded || t->part_len != 0;
    return fn(ud, &pes);
}

static int emit(struct cc_ts *t, struct cc_ts_stream *st, cc_ts_pes_fn fn, void *ud)
{
    return emit_pes(t, st, false, fn, ud);
}

/* The length of the PES header in b (00 00 01 id, length, flags, header
 * data): 0 while it is not all there, -1 when b does not start a PES. */
static long head_len(const struct cc_buf *b)
{
    const uint8_t *p = (const uint8_t *)b->data;
    if (b->len >= 3 && (p[0] || p[1] || p[2] != 1))
        return -1;
    if (b->len < 9 || (size_t)p[8] + 9 > b->len)
        return 0;
    return 9 + p[8];
}

/* A streamed PES's next payload bytes, out as a piece. A bounded PES's
 * stuffing after its end is left out, as pes_of does. */
static int stream_piece(struct cc_ts *t, struct cc_ts_stream *st, const uint8_t *pay, size_t len,
                        cc_ts_pes_fn fn, void *ud)
{
    const uint8_t *h = (const uint8_t *)st->buf.data;
    size_t plen = (size_t)h[4] << 8 | h[5], at = st->got - len;
    if (plen && plen >= 3u + h[8] && at + len > 6 + plen)
        len = at < 6 + plen ? 6 + plen - at : 0;
    if (!len)
        return 0;
    struct cc_ts_pes piece;
    pes_of(t, st, &piece);
    piece.piece = true;
    piece.data = pay;
    piece.len = len;
    return fn(ud, &piece);
}

/* Keeps what a PES needs: all of it, or a streamed one's header. Returns
 * how many of the payload's bytes went into the header (a streamed PES), or
 * -1 when the bytes do not start a PES. */
static long keep(struct cc_ts_stream *st, const uint8_t *pay, size_t len)
{
    if (st->stream && head_len(&st->buf) > 0)
        return 0;
    size_t was = st->buf.len;
    cc_buf_append(&st->buf, pay, len);
    if (!st->stream)
        return 0;
    long hl = head_len(&st->buf);
    return hl < 0 ? -1 : hl == 0 ? (long)len : hl - (long)was;
}

static int es_packet(struct cc_ts *t, struct cc_ts_stream *st, const uint8_t *pkt,
                     const uint8_t *pay, size_t len, cc_ts_pes_fn fn, void *ud)
{
    bool unit_start = pkt[1] & 0x40;
    uint8_t cc = pkt[3] & 0x0f;
    bool lost = st->seen && cc != st->cc && cc != ((st->cc + 15) & 0x0f); /* repeats are allowed */
    st->seen = true;
    st->cc = (uint8_t)((cc + 1) & 0x0f);
    if (lost && st->open) {
        st->open = false;
        t->lost++;
    }
    int rc = 0;
    if (unit_start) {
        rc = emit(t, st, fn, ud);
        cc_buf_reset(&st->buf);
        st->got = 0;
        st->open = true;
        st->start = t->pos;
    }
    if (!st->open)
        return rc;
    long head = st->got + len > CC_TS_PES_MAX ? -1 : keep(st, pay, len);
    if (head < 0) { /* too long, or (streamed) no PES header: pes_of would refuse it */
        st->open = false;
        t->lost++;
        return rc;
    }
    st->got += len;
    st->end = t->pos + CC_TS_PACKET;
    st->padded = pkt[3] & 0x20;
    const uint8_t *h = (const uint8_t *)st->buf.data;
    size_t plen = st->buf.len >= 6 ? (size_t)h[4] << 8 | h[5] : 0;
    bool done = plen && st->got >= 6 + plen; /* a bounded PES is complete: no need to wait */
    struct cc_ts_pes head_pes;
    if (rc == 0 && !done && unit_start && pes_of(t, st, &head_pes) == 0) {
        head_pes.partial = true;
        rc = fn(ud, &head_pes);
    }
    if (rc == 0 && st->stream && (size_t)head < len)
        rc = stream_piece(t, st, pay + head, len - (size_t)head, fn, ud);
    long hl = st->stream ? head_len(&st->buf) : 0;
    if (hl > 0) { /* a streamed PES keeps its header only */
        st->buf.len = (size_t)hl;
        st->buf.data[hl] = '\0';
    }
    if (rc == 0 && done)
        rc = emit(t, st, fn, ud);
    return rc;
}

static int packet(struct cc_ts *t, const uint8_t *pkt, cc_ts_pes_fn fn, void *ud)
{
    uint16_t pid = (uint16_t)((pkt[1] & 0x1f) << 8 | pkt[2]);
    uint8_t afc = (pkt[3] >> 4) & 3;
    size_t off = 4;
    if (afc & 2)
        off += 1 + (size_t)pkt[4];
    if (!(afc & 1) || off >= CC_TS_PACKET || (pkt[1] & 0x80)) /* no payload, or TEI */
        return 0;
    const uint8_t *pay = pkt + off;
    size_t len = CC_TS_PACKET - off;
    if (pid == 0 && (pkt[1] & 0x40))
        parse_pat(t, pay, len);
    else if (t->pmt_pid && pid == t->pmt_pid && (pkt[1] & 0x40) && !t->have_pmt)
        parse_pmt(t, pay, len);
    else if (t->video.pid && pid == t->video.pid)
        return es_packet(t, &t->video, pkt, pay, len, fn, ud);
    else if (t->audio.pid && pid == t->audio.pid)
        return es_packet(t, &t->audio, pkt, pay, len, fn, ud);
    return 0;
}

int cc_ts_feed(struct cc_ts *t, const uint8_t *buf, size_t len, cc_ts_pes_fn fn, void *ud)
{
    size_t i = 0;
    while (i < len) {
        if (t->part_len == 0 && buf[i] != SYNC) {
            /* lost sync (a damaged chunk, zeros after a power cut): to the
             * next sync byte in one search, not byte by byte */
            const uint8_t *s = memchr(buf + i, SYNC, len - i);
            size_t skip = s ? (size_t)(s - (buf + i)) : len - i;
            t->skipped += (uint32_t)skip;
            t->pos += skip;
            i += skip;
            continue;
        }
        const uint8_t *pkt;
        if (t->part_len == 0 && len - i >= CC_TS_PACKET) {
            pkt = buf + i; /* whole packet in place: no copy */
            i += CC_TS_PACKET;
        } else {
            size_t take = CC_TS_PACKET - t->part_len;
            if (take > len - i)
                take = len - i;
            memcpy(t->part + t->part_len, buf + i, take);
            t->part_len += take;
            i += take;
            if (t->part_len < CC_TS_PACKET)
                return 0;
            t->part_len = 0;
            pkt = t->part;
        }
        int rc = packet(t, pkt, fn, ud);
        t->pos += CC_TS_PACKET;
        if (rc)
            return rc;
    }
    return 0;
}

int cc_ts_finish(struct cc_ts *t, cc_ts_pes_fn fn, void *ud)
{
    int rc = emit_pes(t, &t->video, true, fn, ud);
    if (rc == 0)
        rc = emit_pes(t, &t->audio, true, fn, ud);
    return rc;
}
