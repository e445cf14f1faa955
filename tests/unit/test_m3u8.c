#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "fsutil.h"
#include "m3u8.h"

#define MAXC 256

struct got {
    int n;
    int64_t dur[MAXC];
    int64_t pdt[MAXC];
    bool has_pdt[MAXC], disc[MAXC], map[MAXC];
    uint64_t rlen[MAXC], roff[MAXC];
    char uri[MAXC][32];
    int dateranges;
    char last_dr_id[32];
};

static int on_chunk(void *ud, const struct cc_m3u8_chunk *c)
{
    struct got *g = ud;
    if (g->n >= MAXC)
        return -ENOSPC;
    int i = g->n++;
    g->dur[i] = c->dur_us;
    g->pdt[i] = c->pdt_ms;
    g->has_pdt[i] = c->has_pdt;
    g->disc[i] = c->discontinuity;
    g->map[i] = c->map_changed;
    g->rlen[i] = c->has_range ? c->range_len : 0;
    g->roff[i] = c->has_range ? c->range_off : 0;
    snprintf(g->uri[i], sizeof(g->uri[i]), "%.*s", (int)c->uri_len, c->uri);
    return 0;
}

static void on_dr(void *ud, const struct cc_m3u8_daterange *d)
{
    struct got *g = ud;
    g->dateranges++;
    snprintf(g->last_dr_id, sizeof(g->last_dr_id), "%.*s", (int)d->id_len, d->id);
}

static void parse_all(const char *text, struct cc_m3u8_state *st, struct got *g)
{
    memset(g, 0, sizeof(*g));
    cc_m3u8_state_init(st);
    struct cc_m3u8_handler h = {on_chunk, on_dr, g};
    assert_int_equal(cc_m3u8_parse(st, text, strlen(text), true, &h), 0);
}

static void test_basic(void **state)
{
    const char *pl =
        "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-MEDIA-SEQUENCE:100\n#EXT-X-MAP:URI=\"init.mp4\",BYTERANGE=\"700@0\"\n"
        "#EXT-X-PROGRAM-DATE-TIME:2025-01-24T00:00:00Z\n#EXTINF:2.000,\n"
        "#EXT-X-BYTERANGE:1000@700\nm.m4s\n#EXTINF:1.5,title, with comma\n"
        "#EXT-X-BYTERANGE:500\nm.m4s\n#EXT-X-DISCONTINUITY\n#EXTINF:2,\nb.m4s\n"
        "#EXT-X-DATERANGE:ID=\"a,b\",CLASS=\"motion\",START-DATE=\"2025-01-24T00:00:01Z\"\n"
        "#EXT-X-ENDLIST\n";
    struct cc_m3u8_state st;
    struct got g;
    parse_all(pl, &st, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(st.media_seq, 100);
    assert_int_equal(st.target_s, 2);
    assert_int_equal(st.version, 7);
    assert_true(st.endlist);
    assert_true(st.header_seen);
    assert_string_equal(st.map_uri, "init.mp4");
    assert_int_equal(st.map_len, 700);
    assert_int_equal(g.dur[0], 2000000);
    assert_int_equal(g.dur[1], 1500000);
    assert_true(g.has_pdt[0]);
    assert_false(g.has_pdt[1]);
    assert_int_equal(g.pdt[0], 1737676800000LL);
    assert_true(g.map[0]);
    assert_false(g.map[1]);
    assert_int_equal(g.rlen[0], 1000);
    assert_int_equal(g.roff[0], 700);
    assert_int_equal(g.rlen[1], 500);
    assert_int_equal(g.roff[1], 1700); /* continues after the previous range */
    assert_true(g.disc[2]);
    assert_false(g.disc[1]);
    assert_int_equal(g.dateranges, 1);
    assert_string_equal(g.last_dr_id, "a,b");
    assert_int_equal(st.offset, strlen(pl));
    assert_int_equal(st.bad_lines, 0);
}

static void test_durations(void **state)
{
    struct {
        const char *s;
        int rc;
        int64_t us;
    } cases[] = {{"2", 0, 2000000},
                 {"2.000", 0, 2000000},
                 {"1.96", 0, 1960000},
                 {".5", 0, 500000},
                 {"2.", 0, 2000000},
                 {"0.0000019", 0, 1},
                 {"-2", -EINVAL, 0},
                 {"NaN", -EINVAL, 0},
                 {"inf", -EINVAL, 0},
                 {"1e3", -EINVAL, 0},
                 {"", -EINVAL, 0},
                 {".", -EINVAL, 0},
                 {"99999999999999999999", -EINVAL, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t us = 0;
        assert_int_equal(cc_m3u8_parse_duration(cases[i].s, strlen(cases[i].s), &us), cases[i].rc);
        if (cases[i].rc == 0)
            assert_int_equal(us, cases[i].us);
    }
}

static void test_tolerance(void **state)
{
    /* BOM, CRLF, blank lines, unknown tags, absurd values: each has an outcome. */
    const char *pl = "\xEF\xBB\xBF#EXTM3U\r\n\r\n#EXT-X-FOO:bar\r\n#EXTINF:2.0,\r\na.ts\r\n"
                     "#EXTINF:-1,\r\nneg.ts\r\n#EXTINF:NaN,\r\nnan.ts\r\nnoextinf.ts\r\n"
                     "#EXT-X-PROGRAM-DATE-TIME:yesterday\r\n#EXTINF:2,\r\nb.ts\r\n";
    struct cc_m3u8_state st;
    struct got g;
    parse_all(pl, &st, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.uri[0], "a.ts");
    assert_string_equal(g.uri[1], "b.ts");
    assert_true(g.disc[1]); /* dropped chunks break continuity */
    assert_int_equal(st.bad_lines, 4);
    assert_true(st.header_seen);
}

static void test_truncated(void **state)
{
    struct cc_m3u8_state st;
    struct got g;
    /* a power cut in the middle of a URI: the partial entry is not used */
    parse_all("#EXTM3U\n#EXTINF:2,\na.ts\n#EXTINF:2,\nb.t", &st, &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(st.offset, strlen("#EXTM3U\n#EXTINF:2,\na.ts\n"));
    /* ENDLIST cannot be partial: honoured without a newline */
    parse_all("#EXTM3U\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST", &st, &g);
    assert_true(st.endlist);
}

/* A playlist with a line of n garbage bytes (a power cut can leave tens of
 * MB without a newline) after a chunk's EXTINF, and a tag line as long. */
static void huge_playlist(struct cc_buf *b, size_t n)
{
    cc_buf_init(b);
    cc_buf_puts(b, "#EXTM3U\n#EXTINF:2,\na.ts\n#EXTINF:2,\n");
    cc_buf_reserve(b, 2 * n + 64);
    memset(b->data + b->len, 'x', n);
    b->len += n;
    cc_buf_puts(b, ".ts\n#");
    memset(b->data + b->len, 'c', n);
    b->len += n;
    cc_buf_puts(b, "\n#EXTINF:2,\nok.ts\n#EXT-X-ENDLIST\n");
}

static void assert_huge_result(const struct cc_m3u8_state *st, const struct got *g)
{
    assert_int_equal(g->n, 2);
    assert_string_equal(g->uri[0], "a.ts");
    assert_string_equal(g->uri[1], "ok.ts");
    assert_true(g->disc[1]); /* the chunk described before the garbage is lost */
    assert_int_equal(st->bad_lines, 2);
    assert_true(st->endlist);
}

static void test_huge_line(void **state)
{
    struct cc_buf b;
    huge_playlist(&b, 50u << 20);
    struct cc_m3u8_state st;
    struct got g;
    parse_all(b.data, &st, &g);
    assert_huge_result(&st, &g);
    /* streamed from a file in blocks: the same, and only whole lines held */
    char path[] = "/tmp/camcat-m3u8-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
    close(fd);
    memset(&g, 0, sizeof(g));
    cc_m3u8_state_init(&st);
    struct cc_m3u8_handler h = {on_chunk, on_dr, &g};
    uint64_t read = 0;
    assert_int_equal(cc_m3u8_parse_file(path, &st, &h, &read), 0);
    assert_huge_result(&st, &g);
    assert_int_equal(read, b.len);
    unlink(path);
    cc_buf_free(&b);
}

static void assert_prefix_of(const struct got *part, const struct got *full)
{
    assert_true(part->n <= full->n);
    for (int i = 0; i < part->n; i++) {
        assert_string_equal(part->uri[i], full->uri[i]);
        assert_int_equal(part->dur[i], full->dur[i]);
        assert_int_equal(part->pdt[i], full->pdt[i]);
        assert_int_equal(part->disc[i], full->disc[i]);
    }
}

/* Every byte prefix (every stride-th one) parses cleanly into a prefix of
 * the full result, and resuming from where the prefix stopped yields exactly
 * the full result. */
static void sweep_buf(const struct cc_buf *bp, size_t stride)
{
    const struct cc_buf b = *bp;
    struct cc_m3u8_state full_st;
    struct got full;
    parse_all(b.data, &full_st, &full);
    assert_true(full.n > 0);
    struct got *part = malloc(sizeof(*part));
    for (size_t cut = 0; cut <= b.len;
         cut += cut + stride > b.len && cut < b.len ? b.len - cut : stride) {
        char *copy = malloc(cut + 1);
        memcpy(copy, b.data, cut);
        copy[cut] = '\0';
        memset(part, 0, sizeof(*part));
        struct cc_m3u8_state st;
        cc_m3u8_state_init(&st);
        struct cc_m3u8_handler h = {on_chunk, on_dr, part};
        assert_int_equal(cc_m3u8_parse(&st, copy, cut, cut == b.len, &h), 0);
        assert_prefix_of(part, &full);
        assert_true(st.offset <= cut);
        /* the file grows to its full length: resume */
        assert_int_equal(cc_m3u8_parse(&st, b.data + st.offset, b.len - st.offset, true, &h), 0);
        assert_int_equal(part->n, full.n);
        assert_prefix_of(part, &full);
        assert_int_equal(st.endlist, full_st.endlist);
        assert_int_equal(st.bad_lines, full_st.bad_lines);
        free(copy);
    }
    free(part);
}

static void sweep_file(const char *path)
{
    struct cc_buf b;
    cc_buf_init(&b);
    assert_int_equal(cc_read_file(path, 0, 1 << 20, &b), 0);
    sweep_buf(&b, 1);
    cc_buf_free(&b);
}

static void test_prefix_sweep(void **state)
{
    sweep_file("fixtures/normal/root/2025-01-24/00001/index.m3u8");
    sweep_file("fixtures/fmp4/root/2026-01-14/00001/index.m3u8");
    sweep_file("fixtures/crlf-bom/root/2025-11-12/00001/index.m3u8");
    sweep_file("fixtures/absurd/root/2025-12-13/00001/index.m3u8");
    sweep_file("fixtures/discont/root/2025-07-08/00001/index.m3u8");
    /* lines just over the bound: cuts before, inside and after them */
    struct cc_buf b;
    huge_playlist(&b, CC_M3U8_LINE_MAX + 10);
    sweep_buf(&b, 7);
    cc_buf_free(&b);
}

static void test_attrs(void **state)
{
    const char *s = "A=1,B=\"x,y\", C=\"\",D=plain ";
    const char *p = s, *k, *v;
    size_t kl, vl;
    assert_int_equal(cc_m3u8_attr_next(&p, s + strlen(s), &k, &kl, &v, &vl), 1);
    assert_int_equal(vl, 1);
    assert_int_equal(cc_m3u8_attr_next(&p, s + strlen(s), &k, &kl, &v, &vl), 1);
    assert_memory_equal(v, "x,y", 3);
    assert_int_equal(cc_m3u8_attr_next(&p, s + strlen(s), &k, &kl, &v, &vl), 1);
    assert_int_equal(vl, 0);
    assert_int_equal(cc_m3u8_attr_next(&p, s + strlen(s), &k, &kl, &v, &vl), 1);
    assert_memory_equal(v, "plain", vl);
    assert_int_equal(cc_m3u8_attr_next(&p, s + strlen(s), &k, &kl, &v, &vl), 0);
    const char *bad = "A=\"unterminated";
    p = bad;
    assert_int_equal(cc_m3u8_attr_next(&p, bad + strlen(bad), &k, &kl, &v, &vl), -EINVAL);
}

/* Fed one line per call from the last commit point, a playlist never has a
 * second chunk in one call, so the one-pass path (which needs an EXTINF text
 * seen earlier in the same call) is never taken: the line-by-line answers. */
static void parse_by_line(const char *text, struct cc_m3u8_state *st, struct got *g)
{
    memset(g, 0, sizeof(*g));
    cc_m3u8_state_init(st);
    struct cc_m3u8_handler h = {on_chunk, on_dr, g};
    size_t len = strlen(text);
    for (size_t end = 0; end < len;) {
        const char *nl = memchr(text + end, '\n', len - end);
        end = nl ? (size_t)(nl - text) + 1 : len;
        assert_true(st->offset <= end);
        assert_int_equal(cc_m3u8_parse(st, text + st->offset, end - st->offset, end == len, &h), 0);
    }
}

static void assert_same_parse(const char *text)
{
    struct cc_m3u8_state a, b;
    struct got *ga = malloc(sizeof(*ga)), *gb = malloc(sizeof(*gb));
    parse_all(text, &a, ga);
    parse_by_line(text, &b, gb);
    assert_int_equal(ga->n, gb->n);
    for (int i = 0; i < ga->n; i++) {
        assert_string_equal(ga->uri[i], gb->uri[i]);
        assert_int_equal(ga->dur[i], gb->dur[i]);
        assert_int_equal(ga->has_pdt[i], gb->has_pdt[i]);
        assert_int_equal(ga->pdt[i], gb->pdt[i]);
        assert_int_equal(ga->disc[i], gb->disc[i]);
        assert_int_equal(ga->rlen[i], gb->rlen[i]);
        assert_int_equal(ga->roff[i], gb->roff[i]);
    }
    assert_int_equal(ga->dateranges, gb->dateranges);
    assert_int_equal(a.offset, b.offset);
    assert_int_equal(a.nchunks, b.nchunks);
    assert_int_equal(a.bad_lines, b.bad_lines);
    assert_int_equal(a.carry_discont, b.carry_discont);
    assert_int_equal(a.skip_line, b.skip_line);
    assert_int_equal(a.endlist, b.endlist);
    free(ga);
    free(gb);
}

#define PDT "#EXT-X-PROGRAM-DATE-TIME:"

/* The one-pass path for a recorder's PDT/EXTINF/URI lines gives what the
 * line-by-line path gives, on every shape it must step aside for. */
static void test_one_pass_same(void **state)
{
    static const char *const cases[] = {
        /* fractions, a title after the comma, the same text then another */
        "#EXTM3U\n#EXTINF:1.96,\na.ts\n#EXTINF:1.96,\nb.ts\n#EXTINF:1.96,cam 1\nc.ts\n"
        "#EXTINF:2.04,\nd.ts\n#EXTINF:2.04,\ne.ts\n#EXTINF:1.960001,\nf.ts\n",
        /* PDT with and without zones, fractions of 1 to 9 digits, midnight */
        "#EXTM3U\n" PDT "2025-03-01T23:59:58.000+08:00\n#EXTINF:2.000000,\ns1.ts\n" PDT
        "2025-03-01T23:59:59.5+08:00\n#EXTINF:2.000000,\ns2.ts\n" PDT
        "2025-03-02T00:00:01.123456789+08:00\n#EXTINF:2.000000,\ns3.ts\n" PDT
        "2025-03-02T00:00:03Z\n#EXTINF:2.000000,\ns4.ts\n" PDT
        "2025-03-02T00:00:05-0530\n#EXTINF:2.000000,\ns5.ts\n" PDT
        "2025-03-02T00:00:07+05\n#EXTINF:2.000000,\ns6.ts\n" PDT
        "2025-03-02T00:00:09\n#EXTINF:2.000000,\ns7.ts\n" PDT
        "2025-03-02T00:00:11.000+08:00\n#EXTINF:2.000000,\ns8.ts\n",
        /* CRLF, spaces to trim, blank lines: the line-by-line path's */
        "#EXTM3U\r\n#EXTINF:2,\r\na.ts\r\n#EXTINF:2,\r\nb.ts\r\n#EXTINF:2,\nc.ts \n"
        "#EXTINF:2,\n c.ts\n#EXTINF:2, \nd.ts\n#EXTINF:2,\n\ne.ts\n" PDT "2025-03-01T00:00:00Z \n"
        "#EXTINF:2,\nf.ts\n" PDT " 2025-03-01T00:00:02Z\n#EXTINF:2,\ng.ts\n",
        /* garbage: bad times, bad durations, tags between, no URI, a '#' URI */
        "#EXTM3U\n#EXTINF:2,\na.ts\n" PDT "2025-03-01T24:00:00Z\n#EXTINF:2,\nb.ts\n" PDT
        "2025-03-01T00:60:00Z\n#EXTINF:2,\nc.ts\n" PDT
        "2025-03-01T00:00:61Z\n#EXTINF:2,\nd.ts\n" PDT
        "2025-03-01T00:00:0xZ\n#EXTINF:2,\ne.ts\n" PDT
        "2025-03-01T00:00:02.Z\n#EXTINF:2,\nf.ts\n" PDT
        "2025-02-30T00:00:00Z\n#EXTINF:2,\ng.ts\n" PDT "\n#EXTINF:2,\nh.ts\n"
        "#EXTINF:2,\n#EXT-X-DISCONTINUITY\ni.ts\n#EXTINF:2,\n#EXTINF:2,\nj.ts\n#EXTINF:2,\n"
        "#comment\n#EXTINF:abc,\nk.ts\n#EXTINF:2,\nl.ts\n#EXTINF:2\nm.ts\n#EXTINF:2,\n#EXTM3U\n"
        "n.ts\n#EXTINF:2,\no.ts\n" PDT "2025-03-01T00:00:00+08:00\n" PDT
        "2025-03-01T00:00:02+08:00\n#EXTINF:2,\np.ts\n#EXTINF:2,\nq.ts",
        /* the zone changes under an unchanged time; a byte range; the end */
        "#EXTM3U\n" PDT "2025-03-01T00:00:00.000+08:00\n#EXTINF:2.000,\na.ts\n" PDT
        "2025-03-01T00:00:02.000+09:00\n#EXTINF:2.000,\nb.ts\n" PDT
        "2025-03-01T00:00:04.000+0900\n#EXTINF:2.000,\nc.ts\n"
        "#EXT-X-BYTERANGE:100@0\n#EXTINF:2.000,\nd.ts\n#EXTINF:2.000,\n#EXT-X-BYTERANGE:50\n"
        "d.ts\n#EXTINF:2.000,\ne.ts\n#EXT-X-ENDLIST\n",
        /* a line shorter than the last of its kind, with a newline where the
         * last one ended */
        "#EXTM3U\n" PDT "2025-03-01T00:00:02.000Z\n#EXTINF:2.000,\na.ts\n" PDT
        "2025-03-01T00:00:04.000Z\n#EXTINF:2.000,\nb.ts\n" PDT "2025-03-01T00:00:06Z\nabc\n"
        "#EXTINF:2.000,\nc.ts\n#EXTINF:2,\nabc\nd.ts\n#EXTINF:2.000,\ne.ts\n",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_same_parse(cases[i]);

    /* and the answers themselves */
    struct cc_m3u8_state st;
    struct got *g = malloc(sizeof(*g));
    parse_all(cases[0], &st, g);
    assert_int_equal(g->n, 6);
    assert_int_equal(g->dur[2], 1960000);
    assert_int_equal(g->dur[4], 2040000);
    assert_int_equal(g->dur[5], 1960001);
    parse_all(cases[1], &st, g);
    assert_int_equal(g->n, 8);
    int64_t d0 = 1740844798000LL; /* 2025-03-01T23:59:58+08:00 */
    int64_t want[8] = {d0,
                       d0 + 1500,
                       d0 + 3123,
                       d0 + 8 * 3600000LL + 5000,
                       d0 + 8 * 3600000LL + 7000 + 330 * 60000,
                       d0 + 8 * 3600000LL + 9000 - 5 * 3600000LL,
                       d0 + 8 * 3600000LL + 11000,
                       d0 + 13000};
    for (int i = 0; i < 8; i++)
        assert_int_equal(g->pdt[i], want[i]);
    parse_all(cases[3], &st, g);
    /* seven times and one duration refused; k dropped; q has no newline yet */
    assert_int_equal(g->n, 15);
    assert_int_equal(st.bad_lines, 8);
    assert_false(g->has_pdt[1]);
    assert_string_equal(g->uri[10], "l.ts");
    assert_true(g->has_pdt[14]);
    free(g);
}

/* Over-long lines inside a run of one-pass chunks: still one bad line each. */
static void test_one_pass_long_lines(void **state)
{
    struct cc_buf b;
    cc_buf_init(&b);
    for (int k = 0; k < 3; k++) {
        cc_buf_printf(&b, PDT "2025-03-01T00:00:%02d.000Z\n#EXTINF:2.000,\nc%d.ts\n", 2 * k, k);
    }
    cc_buf_printf(&b, "#EXTINF:2.000,\n");
    for (size_t i = 0; i < CC_M3U8_LINE_MAX + 5; i++)
        cc_buf_append(&b, "x", 1);
    cc_buf_printf(&b, "\n" PDT "2025-03-01T00:00:08.000Z\n#EXTINF:2.000,\nafter.ts\n");
    assert_same_parse(b.data);
    struct cc_m3u8_state st;
    struct got *g = malloc(sizeof(*g));
    parse_all(b.data, &st, g);
    assert_int_equal(g->n, 4);
    assert_string_equal(g->uri[3], "after.ts");
    assert_true(g->disc[3]);
    assert_int_equal(st.bad_lines, 1);
    free(g);
    cc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_durations),
        cmocka_unit_test(test_tolerance),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_huge_line),
        cmocka_unit_test(test_prefix_sweep),
        cmocka_unit_test(test_attrs),
        cmocka_unit_test(test_one_pass_same),
        cmocka_unit_test(test_one_pass_long_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
