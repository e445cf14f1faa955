#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "fsutil.h"
#include "testutil.h"

static char *join(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

/* Beneath a folder: a plain path opens; a symlink anywhere on the way
 * (even one that stays inside), a ".." out of the folder, an absolute
 * symlink, a FIFO and a folder are refused, each with the error that sends
 * srv_open_inside to its slow path or to a 404. Skipped where the kernel has
 * no openat2 (-ENOSYS, the documented fallback). */
static void test_open_beneath(void **state)
{
    char *dir = tu_tmpdir();
    char *sub = join(dir, "day"), *reg = join(sub, "chunk.ts"), *fifo = join(sub, "evil.ts");
    char *lnk = join(sub, "link.ts"), *out = join(sub, "out.ts"), *dlnk = join(dir, "alias");
    assert_int_equal(mkdir(sub, 0755), 0);
    tu_write(reg, "bytes\n");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    assert_int_equal(symlink("chunk.ts", lnk), 0);
    assert_int_equal(symlink("/etc/hostname", out), 0);
    assert_int_equal(symlink("day", dlnk), 0);
    alarm(20);
    int dfd = open(dir, O_PATH | O_DIRECTORY);
    struct stat st;
    int fd = cc_open_beneath(dfd, "/day/chunk.ts", &st);
    if (fd == -ENOSYS) {
        close(dfd);
        tu_rmrf(dir);
        skip();
    }
    assert_true(fd >= 0);
    assert_int_equal(st.st_size, 6);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    close(fd);
    fd = cc_open_beneath(dfd, "day/../day/chunk.ts", NULL); /* a ".." that stays inside */
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(cc_open_beneath(dfd, "/day/link.ts", NULL), -ELOOP);
    assert_int_equal(cc_open_beneath(dfd, "/day/out.ts", NULL), -ELOOP);
    assert_int_equal(cc_open_beneath(dfd, "/alias/chunk.ts", NULL), -ELOOP);
    assert_int_equal(cc_open_beneath(dfd, "/../day/chunk.ts", NULL), -EXDEV);
    assert_int_equal(cc_open_beneath(dfd, "/day/evil.ts", NULL), -EINVAL);
    assert_int_equal(cc_open_beneath(dfd, "/day", NULL), -EINVAL);
    assert_int_equal(cc_open_beneath(dfd, "/", NULL), -EINVAL);
    assert_int_equal(cc_open_beneath(dfd, "/day/none.ts", NULL), -ENOENT);
    assert_int_equal(cc_open_beneath(dfd, "/day/chunk.ts/x", NULL), -ENOTDIR);
    alarm(0);
    close(dfd);
    tu_rmrf(dir);
    free(sub);
    free(reg);
    free(fifo);
    free(lnk);
    free(out);
    free(dlnk);
    free(dir);
}

/* Without O_NONBLOCK a FIFO with no writer blocks open(2) for good: the
 * alarm turns such a hang into a failed test instead of a stalled run. */
static void test_open_regular(void **state)
{
    char *dir = tu_tmpdir();
    char *reg = join(dir, "chunk.ts"), *fifo = join(dir, "evil.ts"), *lnk = join(dir, "link.ts");
    tu_write(reg, "bytes\n");
    assert_int_equal(mkfifo(fifo, 0644), 0);
    assert_int_equal(symlink(reg, lnk), 0);
    alarm(20);
    struct stat st;
    int fd = cc_open_regular(AT_FDCWD, reg, 0, &st);
    assert_true(fd >= 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_size, 6);
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0); /* blocking again */
    close(fd);
    assert_int_equal(cc_open_regular(AT_FDCWD, fifo, 0, NULL), -EINVAL);
    assert_int_equal(cc_open_regular(AT_FDCWD, fifo, CC_OPEN_FOLLOW, NULL), -EINVAL);
    assert_int_equal(cc_open_regular(AT_FDCWD, lnk, 0, NULL), -ELOOP);
    assert_int_equal(cc_open_regular(AT_FDCWD, dir, 0, NULL), -EINVAL);
    assert_int_equal(cc_open_regular(AT_FDCWD, "/dev/null", 0, NULL), -EINVAL);
    assert_int_equal(cc_open_regular(AT_FDCWD, "/dev/zero", CC_OPEN_FOLLOW, NULL), -EINVAL);
    /* an administrator's link to a regular file is followed when asked */
    fd = cc_open_regular(AT_FDCWD, lnk, CC_OPEN_FOLLOW, NULL);
    assert_true(fd >= 0);
    close(fd);
    /* relative to a folder, as the scanner opens playlists */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    fd = cc_open_regular(dfd, "chunk.ts", 0, NULL);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(cc_open_regular(dfd, "evil.ts", 0, NULL), -EINVAL);
    close(dfd);
    struct cc_buf b;
    cc_buf_init(&b);
    assert_int_equal(cc_read_file(fifo, 0, 1024, &b), -EINVAL);
    assert_int_equal(cc_read_file(lnk, 0, 1024, &b), -ELOOP);
    assert_int_equal(cc_read_file(reg, 0, 1024, &b), 0);
    assert_string_equal(b.data, "bytes\n");
    cc_buf_free(&b);
    alarm(0);
    tu_rmrf(dir);
    free(reg);
    free(fifo);
    free(lnk);
    free(dir);
}

struct lines {
    int n;
    size_t total;
    char last[32];
};

static int on_line(void *ud, const char *s, size_t n)
{
    struct lines *l = ud;
    l->n++;
    l->total += n;
    snprintf(l->last, sizeof(l->last), "%.*s", (int)n, s);
    return 0;
}

/* Lines over the bound are skipped (never held), whatever block they span. */
static void test_read_lines(void **state)
{
    char *dir = tu_tmpdir();
    char *path = join(dir, "events.txt");
    struct cc_buf t;
    cc_buf_init(&t);
    cc_buf_puts(&t, "one\n");
    for (size_t len = 100; len <= 300000; len *= 3) {
        for (size_t i = 0; i < len; i++)
            cc_buf_putc(&t, 'x');
        cc_buf_puts(&t, "\nshort\n");
    }
    cc_buf_puts(&t, "last");
    tu_write(path, t.data);
    int fd = open(path, O_RDONLY);
    struct lines l = {0};
    uint32_t too_long = 0;
    assert_int_equal(cc_read_lines(fd, 1000, on_line, &l, &too_long), 0);
    /* 100, 300 and 900 fit; 2700 .. 218700 (5 lines) do not */
    assert_int_equal(too_long, 5);
    assert_int_equal(l.n, 1 + 3 + 8 + 1);
    assert_int_equal(l.total, 3 + 100 + 300 + 900 + 8 * 5 + 4);
    assert_string_equal(l.last, "last");
    close(fd);
    cc_buf_free(&t);
    tu_rmrf(dir);
    free(path);
    free(dir);
}

/* Every entry of a folder bigger than one getdents64 block, once each, with
 * its type; names from 1 to 200 bytes. */
static void test_dir_lists_all(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    enum { N = 3000 };
    static unsigned char seen[N];
    memset(seen, 0, sizeof(seen));
    char name[256];
    for (int i = 0; i < N; i++) {
        int pad = i % 200;
        int at = snprintf(name, sizeof(name), "%d", i);
        memset(name + at, 'x', (size_t)pad);
        name[at + pad] = '\0';
        char *p = join(dir, name);
        if (i == 7)
            assert_int_equal(mkdir(p, 0755), 0);
        else if (i == 8)
            assert_int_equal(symlink("0", p), 0);
        else
            tu_write(p, "");
        free(p);
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    struct cc_dir d;
    cc_dir_open(&d, fd);
    const char *nm;
    unsigned char type;
    int rc, total = 0;
    while ((rc = cc_dir_next(&d, &nm, &type)) > 0) {
        if (nm[0] == '.')
            continue;
        int i = atoi(nm);
        assert_true(i >= 0 && i < N);
        int digits = snprintf(NULL, 0, "%d", i);
        assert_int_equal(strlen(nm), (size_t)(digits + i % 200));
        assert_int_equal(seen[i], 0);
        seen[i] = 1;
        if (type != DT_UNKNOWN)
            assert_int_equal(type, i == 7 ? DT_DIR : i == 8 ? DT_LNK : DT_REG);
        total++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(total, N);
    assert_int_equal(cc_dir_next(&d, &nm, &type), 0); /* stays at the end */
    cc_dir_close(&d);
    close(fd);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_regular),
        cmocka_unit_test(test_open_beneath),
        cmocka_unit_test(test_read_lines),
        cmocka_unit_test(test_dir_lists_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
