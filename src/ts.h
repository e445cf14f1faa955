/* ts — an MPEG transport stream reader (ISO/IEC 13818-1): packets, the PAT
 * and PMT of the first program, and PES reassembly for its first video and
 * first audio stream. Bytes go in as they are read, in pieces of any size; a
 * complete PES comes out through a callback.
 *
 * Video PES packets in TS carry length 0 ("unbounded"), so a PES is complete
 * only when the next one on its PID starts, or at the end of the input
 * (cc_ts_finish). Packets lost on the way (a continuity counter jump) drop
 * the PES they belonged to and are counted, so a damaged chunk yields fewer
 * PES, never a spliced one. Bytes that are not packets are skipped up to the
 * next sync byte.
 *
 * A stream may instead be read as it arrives (cc_ts_stream.stream, set by the
 * caller before the first feed): its PES is announced when it begins, its
 * payload handed out packet by packet (pieces: no copy, the bytes are the
 * caller's input or the one split packet), and the PES handed out at its end
 * with its header's fields and no data. What a caller learns from the
 * pieces joined equals the data of the whole PES, so it keeps only a header.
 *
 * Pure: no I/O. Memory: one PES per stream, each bounded by CC_TS_PES_MAX
 * (a longer one is dropped and counted); a streamed one, its header only. Ownership: struct cc_ts owns its
 * buffers, cc_ts_free() them; the PES handed to the callback is borrowed
 * until it returns. Thread rules: none shared; one reader, one caller. */
#ifndef CC_TS_H
#define CC_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CC_TS_PACKET 188
#define CC_TS_PES_MAX (8u << 20) /* a 4K intra picture fits */

/* PMT stream_type values this project knows. */
enum {
    CC_TS_TYPE_AAC = 0x0f, /* ADTS */
    CC_TS_TYPE_H264 = 0x1b,
    CC_TS_TYPE_H265 = 0x24,
};

struct cc_ts_pes {
    bool video; /* else audio */
    /* Only its first packet's worth (header, PTS, first bytes): every PES is
     * announced so when it begins, then handed out whole when it ends. Lets
     * a caller see that the previous one ended without waiting for this one. */
    bool partial;
    /* Ended by the end of input and looks cut short: its last packet had no
     * adaptation-field padding (muxers pad a PES's last packet, as the next
     * PES must begin a packet), or a partial packet followed it. */
    bool cut;
    /* A streamed PES's next payload bytes (data, len); start says which PES. */
    bool piece;
    uint8_t stream_type; /* from the PMT */
    int64_t pts, dts;    /* 90 kHz, -1 when absent (dts = pts when only PTS) */
    const uint8_t *data; /* the elementary stream bytes */
    size_t len;
    uint64_t start; /* input offset of its first packet */
    uint64_t end;   /* input offset after its last packet */
};

/* Return non-zero to stop: cc_ts_feed() returns that value at once. */
typedef int (*cc_ts_pes_fn)(void *ud, const struct cc_ts_pes *pes);

struct cc_ts_stream {
    uint16_t pid; /* 0: none */
    uint8_t type;
    uint8_t cc;  /* next expected continuity counter */
    bool open;   /* a PES is being collected */
    bool seen;   /* a packet has set cc */
    bool padded; /* its last packet carried an adaptation field */
    bool stream; /* set by the caller: payload in pieces, not kept */
    size_t got;  /* PES bytes seen so far (kept or handed out) */
    int64_t pts, dts;
    uint64_t start, end;
    struct cc_buf buf;
};

struct cc_ts {
    uint16_t pmt_pid; /* 0: no PAT yet */
    bool have_pmt;
    struct cc_ts_stream video, audio;
    uint8_t part[CC_TS_PACKET]; /* a packet split between two feeds */
    size_t part_len;
    uint64_t pos;     /* input bytes consumed */
    uint32_t lost;    /* PES dropped: continuity jumps, oversize, bad headers */
    uint32_t skipped; /* bytes skipped looking for a sync byte */
};

void cc_ts_init(struct cc_ts *t);
void cc_ts_free(struct cc_ts *t);
/* Feeds the next len bytes of input. Returns 0 or the callback's non-zero. */
int cc_ts_feed(struct cc_ts *t, const uint8_t *buf, size_t len, cc_ts_pes_fn fn, void *ud);
/* End of input: hands out the PES still open. 0 or the callback's value. */
int cc_ts_finish(struct cc_ts *t, cc_ts_pes_fn fn, void *ud);

#endif
