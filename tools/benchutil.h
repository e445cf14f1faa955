/* benchutil — what the benchmark programs share: a monotonic clock,
 * /proc/self/io counters, best-of-n, and key=value output for tools/bench.sh.
 * Bench tools only; never linked into the product. */
#ifndef CC_BENCHUTIL_H
#define CC_BENCHUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct bench_pio {
    uint64_t rchar, wchar, read_bytes, write_bytes;
};

int64_t bench_mono_ns(void);
/* Reads /proc/self/io; all zero where it cannot be read. */
void bench_pio_read(struct bench_pio *p);
/* The best of n runs (sorts v): on a shared machine, interference only adds. */
double bench_best(double *v, int n);
bool bench_all_digits(const char *s);
/* Writes "key=value\n" to kv; nothing when kv is NULL. */
void bench_kv_put(FILE *kv, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
