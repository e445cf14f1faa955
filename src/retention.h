/* retention — what to delete so the recordings fit the storage policy, and
 * the deleting itself.
 *
 * Policy: keep at most retain_days days (a day is old when it lies
 * retain_days or more days before today: 7 keeps today and the six days
 * before), and keep at least min_free_mb / min_free_pct of the file system
 * free. The oldest whole days go first; a day that must stay as a whole (the
 * one holding the folder being recorded, and the newest day, into which the
 * recorder may open a new folder at any moment) gives up its closed folders
 * instead, oldest first. A folder being recorded (day.h's rule, in whatever
 * day it is) is never removed, nor the day that holds it.
 *
 * Three steps, so each can be tested alone:
 *  - cc_ret_inventory_build() lists what is there: day folders (and symlinks
 *    named like days) with their segment folders and the bytes they take,
 *    from the day sidecars through the catalog (no tree walk);
 *  - cc_ret_plan() decides, a pure function of the inventory, the policy,
 *    today and the free space;
 *  - cc_ret_execute() deletes (or, dry-run, only logs): only names that look
 *    like DATE or DATE/NNNNN directly under ROOT, through directory fds with
 *    O_NOFOLLOW (a symlink is unlinked as a link, its target untouched), never
 *    crossing into another file system.
 *
 * Thread rules: no shared state. Callers serialise executions on one ROOT (the
 * server holds one lock around sweeps and DELETE). Ownership: inventories and
 * plans own their arrays; free them with the matching _free(). */
#ifndef CC_RETENTION_H
#define CC_RETENTION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "isotime.h"

struct cc_ret_policy {
    int retain_days;  /* 0: no age limit */
    int min_free_mb;  /* 0: no floor in MiB */
    int min_free_pct; /* 0: no floor in percent of the file system */
};

struct cc_fs_space {
    uint64_t total_bytes;
    uint64_t free_bytes; /* available to an unprivileged writer (f_bavail) */
};

/* Where free space comes from: statvfs in the product, a fake in tests.
 * 0 or -errno. */
typedef int (*cc_space_fn)(void *ud, const char *root, struct cc_fs_space *out);
int cc_ret_statvfs(void *ud, const char *root, struct cc_fs_space *out);

#define CC_RET_FOLDER_MAX 20 /* an all-digit name of at most 18 digits, NUL */

struct cc_ret_folder {
    char name[CC_RET_FOLDER_MAX];
    uint64_t bytes;
    bool recording; /* cc_segment_recording() when the inventory was taken */
};

struct cc_ret_day {
    struct cc_date date;
    char name[11];
    bool is_link;                  /* a symlink named like a day: removed as a link */
    uint64_t bytes;                /* 0 when unknown (a link, a day that cannot be indexed) */
    bool recording;                /* holds a folder being recorded: never goes as a whole */
    struct cc_ret_folder *folders; /* in recording order */
    size_t nfolders;
};

struct cc_ret_inventory {
    struct cc_ret_day *days; /* oldest first */
    size_t ndays;
};

/* Lists ROOT through the catalog (which indexes days not seen yet: the normal
 * cost). 0 or -errno (ROOT unreadable). */
int cc_ret_inventory_build(struct cc_catalog *cat, struct cc_ret_inventory *inv);
void cc_ret_inventory_free(struct cc_ret_inventory *inv);

enum cc_ret_reason { CC_RET_AGE, CC_RET_SPACE, CC_RET_REQUEST };

struct cc_ret_item {
    char date[11];
    char folder[CC_RET_FOLDER_MAX]; /* "": the whole day */
    uint64_t bytes;                 /* as the index counted them */
    enum cc_ret_reason reason;
};

struct cc_ret_plan {
    struct cc_ret_item *items; /* in the order they are removed */
    size_t n, cap;
    uint64_t bytes;         /* sum of the items' bytes */
    uint64_t floor_bytes;   /* free space wanted (0: no floor) */
    bool floor_unreachable; /* even removing all it may, free stays under it */
};

/* The plan for today and the space the file system reports. Pure. */
void cc_ret_plan(const struct cc_ret_inventory *inv, const struct cc_ret_policy *policy,
                 const struct cc_date *today, const struct cc_fs_space *space,
                 struct cc_ret_plan *out);
/* Appends one item (DELETE of a day on request uses a one-item plan). */
void cc_ret_plan_add(struct cc_ret_plan *p, const char *date, const char *folder, uint64_t bytes,
                     enum cc_ret_reason reason);
void cc_ret_plan_free(struct cc_ret_plan *p);

const char *cc_ret_reason_name(enum cc_ret_reason r);

struct cc_ret_result {
    size_t removed;       /* items removed */
    size_t failed;        /* items refused or failed (logged) */
    uint64_t bytes_freed; /* allocated bytes of what was unlinked */
};

/* Carries the plan out under root (dry_run: logs "would remove" only). Each
 * item is checked again through cat just before it goes: an item holding a
 * folder that is being recorded at that moment (or whose day cannot be
 * indexed) is refused, whatever the plan says. cat forgets each touched day,
 * and drops a removed day's sidecar from the cache folder. Nothing is removed
 * through a mount point (another mount of the same file system included).
 * stop (may be NULL) is polled between items so a shutdown does not wait for
 * a long sweep. Returns 0, or the first -errno. */
int cc_ret_execute(const char *root, struct cc_catalog *cat, const struct cc_ret_plan *plan,
                   bool dry_run, const atomic_bool *stop, struct cc_ret_result *res);

/* A name directly under ROOT that retention may delete: "YYYY-MM-DD". */
bool cc_ret_day_name_ok(const char *name);
/* A segment folder name: 1 to 18 digits. */
bool cc_ret_folder_name_ok(const char *name);

#endif
