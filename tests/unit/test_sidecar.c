#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crc32.h"
#include "day.h"
#include "fsutil.h"
#include "scan.h"
#include "sidecar.h"
#include "testutil.h"

static struct cc_day *scan_fixture(const char *root, const char *day)
{
    struct cc_date date;
    assert_int_equal(cc_date_parse(day, strlen(day), &date), 0);
    struct cc_day *d = NULL;
    bool changed;
    assert_int_equal(cc_scan_update(root, &date, NULL, &d, &changed, NULL), 0);
    assert_non_null(d);
    return d;
}

static void encode(const struct cc_day *d, struct cc_buf *b)
{
    cc_buf_init(b);
    cc_sidecar_encode(d, b);
}

static void test_roundtrip(void **state)
{
    const char *cases[][2] = {{"fixtures/events/root", "2025-10-11"},
                              {"fixtures/fmp4/root", "2026-01-14"},
                              {"fixtures/clock-back/root", "2025-08-09"},
                              {"fixtures/pdt-first/root", "2025-05-06"}};
    for (size_t i = 0; i < 4; i++) {
        struct cc_day *d = scan_fixture(cases[i][0], cases[i][1]);
        struct cc_buf a, b;
        encode(d, &a);
        struct cc_day *back = NULL;
        assert_int_equal(cc_sidecar_decode(a.data, a.len, &d->date, &back), 0);
        encode(back, &b);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        assert_int_equal(back->nevents, d->nevents);
        assert_int_equal(back->ngaps, d->ngaps);
        assert_int_equal(back->noverlaps, d->noverlaps);
        assert_int_equal(back->recorded_ms, d->recorded_ms);
        cc_buf_free(&a);
        cc_buf_free(&b);
        cc_day_free(back);
        cc_day_free(d);
    }
}

/* Every single-byte corruption and every truncation is detected. */
static void test_corruption_sweep(void **state)
{
    struct cc_day *d = scan_fixture("fixtures/events/root", "2025-10-11");
    struct cc_buf a;
    encode(d, &a);
    char *copy = malloc(a.len);
    for (size_t i = 0; i < a.len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, a.data, a.len);
            copy[i] ^= (char)(1 << bit);
            struct cc_day *x = NULL;
            assert_true(cc_sidecar_decode(copy, a.len, &d->date, &x) < 0);
            assert_null(x);
        }
    }
    for (size_t len = 0; len < a.len; len++) {
        struct cc_day *x = NULL;
        assert_true(cc_sidecar_decode(a.data, len, &d->date, &x) < 0);
    }
    free(copy);
    cc_buf_free(&a);
    cc_day_free(d);
}

static void fix_crc(char *p, size_t len)
{
    uint32_t crc = cc_crc32(0, p, len - 4);
    for (int i = 0; i < 4; i++)
        p[len - 4 + i] = (char)(crc >> (8 * i));
}

/* With a valid CRC, garbage inside must still be rejected or decoded safely:
 * the sanitizers are the judges here. */
static void test_garbage_with_valid_crc(void **state)
{
    struct cc_day *d = scan_fixture("fixtures/clock-back/root", "2025-08-09");
    struct cc_buf a;
    encode(d, &a);
    char *copy = malloc(a.len);
    uint32_t seed = 12345;
    int rejected = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(copy, a.data, a.len);
        int flips = 1 + iter % 4;
        for (int k = 0; k < flips; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            size_t at = 32 + seed % (a.len - 36);
            copy[at] = (char)(seed >> 8);
        }
        fix_crc(copy, a.len);
        struct cc_day *x = NULL;
        if (cc_sidecar_decode(copy, a.len, &d->date, &x) < 0)
            rejected++;
        cc_day_free(x);
    }
    assert_true(rejected > 0);
    free(copy);
    cc_buf_free(&a);
    cc_day_free(d);
}


/* A segment's properties as a probe of a 1080p H.265 chunk with AAC gives. */
static void set_props(struct cc_media_props *m)
{
    *m = (struct cc_media_props){.probed = true,
                                 .vcodec = 2,
                                 .level = 123,
                                 .chroma_format = 1,
                                 .bit_depth = 8,
                                 .audio_type = 0x0f,
                                 .channels = 2,
                                 .width = 1920,
                                 .height = 1080,
                                 .fps_num = 25,
                                 .fps_den = 1,
                                 .sample_rate = 48000,
                                 .chunk_ms = 2000,
                                 .chunk_bytes = 1234567};
    strcpy(m->codec_string, "hvc1.1.6.L123.90");
    strcpy(m->profile, "Main");
}

static void assert_props_equal(const struct cc_media_props *a, const struct cc_media_props *b)
{
    assert_int_equal(a->probed, b->probed);
    assert_int_equal(a->vcodec, b->vcodec);
    assert_int_equal(a->level, b->level);
    assert_int_equal(a->chroma_format, b->chroma_format);
    assert_int_equal(a->bit_depth, b->bit_depth);
    assert_int_equal(a->audio_type, b->audio_type);
    assert_int_equal(a->channels, b->channels);
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    assert_int_equal(a->fps_num, b->fps_num);
    assert_int_equal(a->fps_den, b->fps_den);
    assert_int_equal(a->sample_rate, b->sample_rate);
    assert_int_equal(a->chunk_ms, b->chunk_ms);
    assert_int_equal(a->chunk_bytes, b->chunk_bytes);
    assert_string_equal(a->codec_string, b->codec_string);
    assert_string_equal(a->profile, b->profile);
}

/* Properties survive a round trip; a segment without them (as in a file
 * written before PROPS existed) loads as not probed, and the next refresh
 * probes it once and says the day changed. */
static void test_props(void **state)
{
    struct cc_day *d = scan_fixture("fixtures/normal/root", "2025-01-24");
    assert_int_equal(d->nsegs, 2);
    assert_true(d->segs[0].props.probed); /* probed at index time */
    set_props(&d->segs[0].props);
    memset(&d->segs[1].props, 0, sizeof(d->segs[1].props));
    struct cc_buf a;
    encode(d, &a);
    struct cc_day *back = NULL;
    assert_int_equal(cc_sidecar_decode(a.data, a.len, &d->date, &back), 0);
    assert_props_equal(&back->segs[0].props, &d->segs[0].props);
    assert_false(back->segs[1].props.probed);

    struct cc_day *fresh = NULL;
    bool changed = false;
    struct cc_scan_stats st;
    assert_int_equal(cc_scan_update("fixtures/normal/root", &d->date, back, &fresh, &changed, &st),
                     0);
    assert_true(changed);
    assert_int_equal(st.segments_probed, 1);
    assert_non_null(fresh);
    assert_true(fresh->segs[1].props.probed);
    assert_props_equal(&fresh->segs[0].props, &d->segs[0].props); /* not probed again */
    cc_day_free(fresh);
    cc_day_free(back);
    cc_buf_free(&a);
    cc_day_free(d);
}

/* A segment's chunk name pattern survives a round trip; one without it (a
 * file written before NAMES existed, or names that follow no pattern) loads
 * without one, and resuming it never invents one. */
static void test_names(void **state)
{
    struct cc_day *d = scan_fixture("fixtures/normal/root", "2025-01-24");
    assert_int_equal(d->nsegs, 2);
    const struct cc_chunkname *n = &d->segs[0].names;
    assert_true(n->valid); /* chunk_00000.ts .. chunk_00005.ts */
    char name[CC_CHUNKNAME_MAX + 1];
    assert_int_equal(cc_chunkname_format(n, 5, name, sizeof(name)), 14);
    assert_string_equal(name, "chunk_00005.ts");
    d->segs[1].names.valid = false;
    struct cc_buf a;
    encode(d, &a);
    struct cc_day *back = NULL;
    assert_int_equal(cc_sidecar_decode(a.data, a.len, &d->date, &back), 0);
    const struct cc_chunkname *m = &back->segs[0].names;
    assert_true(m->valid);
    assert_int_equal(m->width, n->width);
    assert_int_equal(m->first, n->first);
    assert_int_equal(m->prefix_len, n->prefix_len);
    assert_int_equal(m->suffix_len, n->suffix_len);
    assert_memory_equal(m->affix, n->affix, n->prefix_len + n->suffix_len);
    assert_false(back->segs[1].names.valid);
    assert_true(back->segs[1].props.probed); /* PROPS after a segment without NAMES */

    struct cc_day *fresh = NULL;
    bool changed = false;
    assert_int_equal(cc_scan_update("fixtures/normal/root", &d->date, back, &fresh, &changed, NULL),
                     0);
    assert_true(fresh == NULL || !fresh->segs[1].names.valid);
    cc_day_free(fresh);
    cc_day_free(back);
    cc_buf_free(&a);
    cc_day_free(d);
}

/* Rewrites the header's section count, size and CRC after an edit. */
static void fix_header(struct cc_buf *b, uint32_t nsec)
{
    uint8_t *p = (uint8_t *)b->data;
    for (int i = 0; i < 4; i++) {
        p[12 + i] = (uint8_t)(b->len >> (8 * i));
        p[16 + i] = (uint8_t)(nsec >> (8 * i));
    }
    fix_crc(b->data, b->len);
}

static uint32_t nsections(const struct cc_buf *b)
{
    const uint8_t *p = (const uint8_t *)b->data;
    return (uint32_t)(p[16] | p[17] << 8 | p[18] << 16 | (uint32_t)p[19] << 24);
}

/* Inserts a section {type, len, payload} at byte offset at of an encoding. */
static void insert_section(const struct cc_buf *a, size_t at, uint16_t type, struct cc_buf *out)
{
    static const uint8_t sec[] = {0, 0, 0, 0, 3, 0, 0, 0, 'x', 'y', 'z'};
    cc_buf_init(out);
    cc_buf_append(out, a->data, at);
    cc_buf_append(out, sec, sizeof(sec));
    out->data[at] = (char)(type & 0xff);
    out->data[at + 1] = (char)(type >> 8);
    cc_buf_append(out, a->data + at, a->len - at);
    fix_header(out, nsections(a) + 1);
}

/* A section type this version does not know is skipped wherever it stands
 * after DAY; PROPS anywhere but after a SEGMENT rejects the file. */
static void test_unknown_section(void **state)
{
    struct cc_day *d = scan_fixture("fixtures/normal/root", "2025-01-24");
    struct cc_buf a, b, c;
    encode(d, &a);
    /* after DAY: 32-byte header, then DAY's 8-byte section header and payload */
    const uint8_t *p = (const uint8_t *)a.data;
    size_t day_end = 32 + 8 + (size_t)(p[36] | p[37] << 8);
    insert_section(&a, day_end, 77, &b);
    struct cc_day *x = NULL;
    assert_int_equal(cc_sidecar_decode(b.data, b.len, &d->date, &x), 0);
    assert_int_equal(x->nsegs, d->nsegs);
    assert_true(x->segs[0].props.probed);
    cc_day_free(x);
    x = NULL;
    insert_section(&a, day_end, 5, &c); /* PROPS before any SEGMENT */
    assert_int_equal(cc_sidecar_decode(c.data, c.len, &d->date, &x), -EBADMSG);
    assert_null(x);
    cc_buf_free(&c);
    insert_section(&a, day_end, 6, &c); /* NAMES before any SEGMENT */
    assert_int_equal(cc_sidecar_decode(c.data, c.len, &d->date, &x), -EBADMSG);
    assert_null(x);
    cc_buf_free(&a);
    cc_buf_free(&b);
    cc_buf_free(&c);
    cc_day_free(d);
}

static void test_version_and_day(void **state)
{
    struct cc_day *d = scan_fixture("fixtures/normal/root", "2025-01-24");
    struct cc_buf a;
    encode(d, &a);
    struct cc_day *x = NULL;
    a.data[8] = 99; /* version */
    fix_crc(a.data, a.len);
    assert_int_equal(cc_sidecar_decode(a.data, a.len, &d->date, &x), -EPROTO);
    a.data[8] = CC_SIDECAR_VERSION;
    fix_crc(a.data, a.len);
    struct cc_date other = {2025, 1, 25};
    assert_int_equal(cc_sidecar_decode(a.data, a.len, &other, &x), -EINVAL);
    assert_int_equal(cc_sidecar_decode(a.data, a.len, NULL, &x), 0);
    assert_string_equal(x->name, "2025-01-24");
    cc_day_free(x);
    cc_buf_free(&a);
    cc_day_free(d);
}

/* A regular 24-hour day: 5 segments of 2-second chunks and 72 motion events
 * must fit in 4 KiB; varying durations cost about 2 bytes a chunk. */
static struct cc_day *synthetic_day(bool vary)
{
    struct cc_date date = {2025, 1, 24};
    struct cc_day *d = cc_day_new(&date);
    int64_t t = cc_date_start_ms(&date, 0);
    uint32_t seed = 7;
    for (int s = 0; s < 5; s++) {
        char id[16], pl[64];
        snprintf(id, sizeof(id), "%05d", s + 1);
        snprintf(pl, sizeof(pl), "2025-01-24/%s/index.m3u8", id);
        struct cc_segment *seg = cc_day_add_segment(d, id, pl);
        seg->pst.target_s = 2;
        for (int i = 0; i < 8600; i++) {
            struct cc_m3u8_chunk c = {.dur_us = 2000000,
                                      .has_pdt = true,
                                      .pdt_ms = t,
                                      .pdt_has_off = true};
            if (vary) {
                seed = seed * 1103515245u + 12345u;
                c.dur_us = 1900000 + (seed >> 8) % 200001;
            }
            cc_segment_add_chunk(seg, d, &c);
            seg->pst.nchunks++;
            t += c.dur_us / 1000;
        }
        cc_segment_flush(seg);
        t += 30000; /* a power cut */
    }
    for (int e = 0; e < 72; e++) {
        struct cc_event ev = {.start_ms = cc_date_start_ms(&date, 0) + e * 1200000LL,
                              .id_hash = (uint32_t)e + 1};
        ev.end_ms = ev.start_ms + 15000;
        cc_day_add_event(d, &ev, "motion");
    }
    cc_day_finish(d);
    return d;
}

static void test_size_budget(void **state)
{
    struct cc_day *d = synthetic_day(false);
    struct cc_buf a;
    encode(d, &a);
    assert_int_equal(d->nchunks, 43000);
    assert_true(a.len <= 4096);
    cc_buf_free(&a);
    cc_day_free(d);

    d = synthetic_day(true);
    encode(d, &a);
    assert_true(a.len <= 2.2 * d->nchunks + 4096);
    struct cc_day *back = NULL;
    assert_int_equal(cc_sidecar_decode(a.data, a.len, &d->date, &back), 0);
    assert_int_equal(back->recorded_ms, d->recorded_ms);
    cc_day_free(back);
    cc_buf_free(&a);
    cc_day_free(d);
}

static void test_tmp_names(void **state)
{
    assert_true(cc_sidecar_is_tmp_name(".camcat.idx.tmp.123"));
    assert_true(cc_sidecar_is_tmp_name("2025-01-24.camcat.idx.tmp.9"));
    const char * not [] = {".camcat.idx",
                           ".camcat.idx.tmp.",
                           ".camcat.idx.tmp.12x",
                           "x.camcat.idx.tmp.1",
                           "2025-13-24.camcat.idx.tmp.1",
                           "chunk.tmp.1",
                           ".camcat.idx.tmp.1.ts",
                           NULL};
    for (int i = 0; not [i]; i++)
        assert_false(cc_sidecar_is_tmp_name(not [i]));
}

static int removed;
static void count_removed(void *ud, const char *path)
{
    removed++;
}

static void make_file(const char *dir, const char *name, int64_t age_s)
{
    char path[4200];
    assert_true(snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path));
    tu_write(path, "partial");
    struct timespec ts[2] = {{time(NULL) - age_s, 0}, {time(NULL) - age_s, 0}};
    assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static bool exists(const char *dir, const char *name)
{
    char path[4200];
    assert_true(snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path));
    return access(path, F_OK) == 0;
}

/* Only the exact temp names, only when older than a minute, only files. */
static void test_clean_tmp(void **state)
{
    char *root = tu_tmpdir(), *cache = tu_tmpdir();
    char day[512], other[512];
    snprintf(day, sizeof(day), "%s/2025-01-24", root);
    snprintf(other, sizeof(other), "%s/notes", root);
    tu_mkdirs(day);
    tu_mkdirs(other);
    make_file(day, ".camcat.idx.tmp.4242", 120);
    make_file(day, ".camcat.idx.tmp.4243", 5); /* a writer may be mid-write */
    make_file(day, ".camcat.idx.tmp.x", 120);
    make_file(day, "index.m3u8.tmp.1", 120);
    make_file(other, ".camcat.idx.tmp.1", 120); /* not a day folder */
    make_file(cache, "2025-01-24.camcat.idx.tmp.77", 120);
    make_file(cache, "2025-01-24.camcat.idx", 120);
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/.camcat.idx.tmp.5", day);
    tu_mkdirs(sub);
    removed = 0;
    assert_int_equal(cc_sidecar_clean_tmp(root, cache, cc_now_ns(), count_removed, NULL), 2);
    assert_int_equal(removed, 2);
    assert_false(exists(day, ".camcat.idx.tmp.4242"));
    assert_false(exists(cache, "2025-01-24.camcat.idx.tmp.77"));
    assert_true(exists(day, ".camcat.idx.tmp.4243"));
    assert_true(exists(day, ".camcat.idx.tmp.x"));
    assert_true(exists(day, "index.m3u8.tmp.1"));
    assert_true(exists(day, ".camcat.idx.tmp.5"));
    assert_true(exists(other, ".camcat.idx.tmp.1"));
    assert_true(exists(cache, "2025-01-24.camcat.idx"));
    assert_int_equal(cc_sidecar_clean_tmp(root, NULL, cc_now_ns(), NULL, NULL), 0);
    tu_rmrf(root);
    tu_rmrf(cache);
    free(root);
    free(cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_corruption_sweep),
        cmocka_unit_test(test_garbage_with_valid_crc),
        cmocka_unit_test(test_version_and_day),
        cmocka_unit_test(test_props),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_unknown_section),
        cmocka_unit_test(test_size_budget),
        cmocka_unit_test(test_tmp_names),
        cmocka_unit_test(test_clean_tmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
