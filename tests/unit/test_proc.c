/* proc: hooks' output captured, bounded in time and size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "log.h"
#include "proc.h"

static void test_capture(void **state)
{
    struct cc_buf b;
    cc_buf_init(&b);
    int st;
    assert_int_equal(cc_proc_capture("printf 'a\\000b'; echo x >&2", 100, 60000, &b, &st), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 3);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    cc_buf_reset(&b);
    assert_int_equal(cc_proc_capture("echo partial; exit 3", 100, 60000, &b, &st), -EIO);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 3);
    cc_buf_reset(&b);
    assert_int_equal(cc_proc_capture("head -c 100000 /dev/zero", 1000, 60000, &b, NULL), -EFBIG);
    cc_buf_free(&b);
}

/* The timeout kills the whole group: the sleep under sh too, so the call
 * returns although the pipe's writer (sleep) never closes it. */
static void test_timeout(void **state)
{
    struct cc_buf b;
    cc_buf_init(&b);
    int st;
    assert_int_equal(cc_proc_capture("echo started; sleep 600; echo never", 100, 300, &b, &st),
                     -ETIMEDOUT);
    assert_string_equal(b.data, "started\n");
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    cc_buf_free(&b);
}

/* Polls pid until it has ended (no deadline: the child surely ends). */
static int poll_until_ended(pid_t pid)
{
    int st;
    while (cc_proc_poll(pid, &st) == 0) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return st;
}

/* Background hooks (live.c): spawned into their own group, polled without
 * waiting while they run, reaped with their status when they end. */
static void test_spawn_poll(void **state)
{
    (void)state;
    pid_t pid = cc_proc_spawn("exec sleep 600", -1);
    assert_true(pid > 0);
    /* posix_spawn returns once the child has its group on Linux (vfork);
     * qemu-user runs the child apart, so it may take a moment there. */
    for (int i = 0; i < 1000 && getpgid(pid) != pid; i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    assert_int_equal(getpgid(pid), pid);
    int st = 12345;
    assert_int_equal(cc_proc_poll(pid, &st), 0);
    assert_int_equal(st, 12345);
    assert_int_equal(kill(-pid, SIGKILL), 0);
    st = poll_until_ended(pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

    pid = cc_proc_spawn("exit 5", -1);
    assert_true(pid > 0);
    st = poll_until_ended(pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 5);
    /* Reaped already: the kernel's answer is ECHILD, reported as unknown. */
    assert_int_equal(cc_proc_poll(pid, &st), 1);
    assert_int_equal(st, -1);
}

static void test_spawn_missing_shell_cmd(void **state)
{
    struct cc_buf b;
    cc_buf_init(&b);
    assert_int_equal(cc_proc_capture("/nonexistent/hook", 100, 60000, &b, NULL), -EIO);
    assert_int_equal(b.len, 0);
    cc_buf_free(&b);
}

/* The log ring keeps whole lines, newest last, within its bound. */
static void test_log_ring(void **state)
{
    struct cc_buf b;
    cc_buf_init(&b);
    assert_int_equal(cc_log_ring_tail(5, &b), 0); /* no ring yet */
    cc_log_ring_init(256);
    cc_log_set_level(CC_LOG_DEBUG);
    for (int i = 0; i < 40; i++)
        cc_info("line %02d", i);
    assert_int_equal(cc_log_ring_tail(3, &b), 3);
    const char *l1 = strstr(b.data, "line 37\n"), *l3 = strstr(b.data, "line 39\n");
    assert_non_null(l1);
    assert_non_null(l3);
    assert_true(l1 < l3);
    assert_null(strstr(b.data, "line 36"));
    cc_buf_reset(&b);
    /* Asking for more than fits: only whole lines, fewer than asked. */
    size_t n = cc_log_ring_tail(1000, &b);
    assert_true(n > 3 && n < 40);
    assert_true(b.len <= 256);
    assert_int_equal(b.data[b.len - 1], '\n');
    size_t nl = 0;
    for (size_t i = 0; i < b.len; i++)
        nl += b.data[i] == '\n';
    assert_int_equal(nl, n);
    assert_true(strncmp(b.data, "20", 2) == 0); /* starts at a line's timestamp */
    cc_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture),    cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_spawn_poll), cmocka_unit_test(test_spawn_missing_shell_cmd),
        cmocka_unit_test(test_log_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
