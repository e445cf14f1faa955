/* Failures per client in a fixed window: see ratelimit.h. */
#include "ratelimit.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"

struct slot {
    char key[CC_RATELIMIT_MAX_KEY + 1]; /* "" when free */
    int64_t window_start;               /* at the window's first failure */
    int64_t last_seen;                  /* last failure, for eviction */
    int64_t last_report;                /* last time its failures were reported */
    uint32_t failures;                  /* in the current window */
    uint32_t unreported;
    bool reported; /* last_report is set */
};

struct cc_ratelimit {
    pthread_mutex_t lock;
    cc_ratelimit_clock now;
    int64_t window_ms;
    uint32_t limit;
    size_t nslots;
    size_t used; /* slots with a key: none means nothing to look up */
    struct slot *slots;
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cc_ratelimit_new(size_t slots, uint32_t limit, int64_t window_ms, cc_ratelimit_clock now,
                     struct cc_ratelimit **out)
{
    if (!slots || !limit || window_ms <= 0)
        return -EINVAL;
    struct cc_ratelimit *rl = cc_xcalloc(1, sizeof(*rl));
    pthread_mutex_init(&rl->lock, NULL);
    rl->now = now ? now : monotonic_ms;
    rl->window_ms = window_ms;
    rl->limit = limit;
    rl->nslots = slots;
    rl->slots = cc_xcalloc(slots, sizeof(*rl->slots));
    *out = rl;
    return 0;
}

void cc_ratelimit_free(struct cc_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->slots);
    free(rl);
}

/* The client's slot, or NULL. Called locked. */
static struct slot *find(struct cc_ratelimit *rl, const char *client)
{
    if (!rl->used)
        return NULL;
    for (size_t i = 0; i < rl->nslots; i++)
        if (rl->slots[i].key[0] && !strncmp(rl->slots[i].key, client, CC_RATELIMIT_MAX_KEY))
            return &rl->slots[i];
    return NULL;
}

/* A slot for a new client: a free one, else the least recently seen, one
 * whose window is over first. Called locked. */
static struct slot *take(struct cc_ratelimit *rl, const char *client, int64_t now)
{
    struct slot *pick = &rl->slots[0]; /* cc_ratelimit_new refuses 0 slots */
    bool pick_over = false;
    for (size_t i = 0; i < rl->nslots; i++) {
        struct slot *s = &rl->slots[i];
        if (!s->key[0]) {
            pick = s;
            rl->used++;
            break;
        }
        bool over = now - s->window_start >= rl->window_ms;
        if ((over && !pick_over) || (over == pick_over && s->last_seen < pick->last_seen)) {
            pick = s;
            pick_over = over;
        }
    }
    memset(pick, 0, sizeof(*pick));
    strncpy(pick->key, client, CC_RATELIMIT_MAX_KEY);
    pick->window_start = now;
    return pick;
}

int64_t cc_ratelimit_wait(struct cc_ratelimit *rl, const char *client)
{
    int64_t wait = 0;
    pthread_mutex_lock(&rl->lock);
    struct slot *s = find(rl, client);
    if (s && s->failures >= rl->limit) {
        int64_t left = s->window_start + rl->window_ms - rl->now();
        wait = left > 0 ? left : 0;
    }
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

uint32_t cc_ratelimit_fail(struct cc_ratelimit *rl, const char *client)
{
    uint32_t report = 0;
    pthread_mutex_lock(&rl->lock);
    int64_t now = rl->now();
    struct slot *s = find(rl, client);
    if (!s)
        s = take(rl, client, now);
    if (now - s->window_start >= rl->window_ms) {
        s->window_start = now;
        s->failures = 0;
    }
    if (s->failures < UINT32_MAX)
        s->failures++;
    if (s->unreported < UINT32_MAX)
        s->unreported++;
    s->last_seen = now;
    if (!s->reported || now - s->last_report >= rl->window_ms) {
        report = s->unreported;
        s->unreported = 0;
        s->last_report = now;
        s->reported = true;
    }
    pthread_mutex_unlock(&rl->lock);
    return report;
}
