/* The day JSON kept in the day (cc_catalog_day_json): byte for byte what
 * cc_dayjson_day writes, rendered once per day object, never used for other
 * recording flags or another prefix, counted in the cache's budget; racing
 * first renders agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "dayjson.h"

static const struct cc_day *load(struct cc_catalog **cat, const char *root, const char *date)
{
    struct cc_catalog_config cfg = {.root = root, .write_sidecars = false};
    assert_int_equal(cc_catalog_new(&cfg, cat), 0);
    struct cc_date dt;
    assert_int_equal(cc_date_parse(date, strlen(date), &dt), 0);
    const struct cc_day *d;
    assert_int_equal(cc_catalog_get_day(*cat, &dt, &d), 0);
    return d;
}

/* What cc_dayjson_day writes, plus the newline the text form ends with. */
static char *render(const struct cc_day *d, const char *prefix, const bool *rec)
{
    struct cc_buf b;
    struct cc_json j;
    cc_buf_init(&b);
    cc_json_init(&j, &b);
    cc_dayjson_day(&j, d, prefix, rec);
    cc_buf_putc(&b, '\n');
    char *s = strndup(b.data, b.len);
    cc_buf_free(&b);
    return s;
}

static void expect_text(struct cc_catalog *cat, const struct cc_day *d, const char *prefix,
                        const bool *rec, bool from_cache)
{
    struct cc_buf scratch;
    cc_buf_init(&scratch);
    const char *text;
    size_t len;
    cc_catalog_day_json(cat, d, prefix, rec, &scratch, &text, &len);
    char *want = render(d, prefix, rec);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(text, want, len);
    /* From the cache, scratch is untouched; otherwise the text is in it. */
    assert_int_equal(scratch.len == 0, from_cache);
    free(want);
    cc_buf_free(&scratch);
}

static void test_cached_once(void **state)
{
    (void)state;
    struct cc_catalog *cat;
    const struct cc_day *d = load(&cat, "fixtures/clock-back/root", "2025-08-09");
    assert_true(d->nsegs >= 2 && d->nsegs <= 16);
    bool rec[16] = {false};
    rec[d->nsegs - 1] = true;
    struct cc_catalog_stats before, after;
    cc_catalog_get_stats(cat, &before);
    expect_text(cat, d, "/rec/", rec, false); /* first render publishes */
    cc_catalog_get_stats(cat, &after);
    char *json = render(d, "/rec/", rec);
    /* The copy is counted in the budget: at least its text. */
    assert_true(after.cached_bytes >= before.cached_bytes + strlen(json));
    free(json);
    expect_text(cat, d, "/rec/", rec, true);
    expect_text(cat, d, "/rec/", rec, true);
    /* Other flags or another prefix: rendered afresh, the copy kept. */
    expect_text(cat, d, "/rec/", NULL, false);
    expect_text(cat, d, "", rec, false);
    expect_text(cat, d, "/rec/", rec, true);
    cc_catalog_get_stats(cat, &before);
    assert_int_equal(before.cached_bytes, after.cached_bytes);
    cc_catalog_release(cat, d);
    cc_catalog_free(cat);
}

struct race {
    struct cc_catalog *cat;
    const struct cc_day *d;
    pthread_barrier_t *go;
    char *text;
};

static void *racer(void *arg)
{
    struct race *r = arg;
    struct cc_buf scratch;
    cc_buf_init(&scratch);
    const char *text;
    size_t len;
    pthread_barrier_wait(r->go);
    cc_catalog_day_json(r->cat, r->d, "/rec/", NULL, &scratch, &text, &len);
    r->text = strndup(text, len);
    cc_buf_free(&scratch);
    return NULL;
}

static void test_racing_first_renders(void **state)
{
    (void)state;
    struct cc_catalog *cat;
    const struct cc_day *d = load(&cat, "fixtures/normal/root", "2025-01-24");
    enum { N = 8 };
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    pthread_t th[N];
    struct race r[N];
    for (int i = 0; i < N; i++) {
        r[i] = (struct race){.cat = cat, .d = d, .go = &go};
        pthread_create(&th[i], NULL, racer, &r[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    char *want = render(d, "/rec/", NULL);
    for (int i = 0; i < N; i++) {
        assert_string_equal(r[i].text, want);
        free(r[i].text);
    }
    free(want);
    expect_text(cat, d, "/rec/", NULL, true); /* exactly one copy was published */
    pthread_barrier_destroy(&go);
    cc_catalog_release(cat, d);
    cc_catalog_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cached_once),
        cmocka_unit_test(test_racing_first_renders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
