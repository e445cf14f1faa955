#include "benchutil.h"

#include "bytes.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t bench_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void bench_pio_read(struct bench_pio *p)
{
    memset(p, 0, sizeof(*p));
    FILE *f = fopen("/proc/self/io", "r");
    if (!f)
        return;
    char key[64];
    unsigned long long v;
    while (fscanf(f, "%63[^:]: %llu\n", key, &v) == 2) {
        if (strcmp(key, "rchar") == 0)
            p->rchar = v;
        else if (strcmp(key, "wchar") == 0)
            p->wchar = v;
        else if (strcmp(key, "read_bytes") == 0)
            p->read_bytes = v;
        else if (strcmp(key, "write_bytes") == 0)
            p->write_bytes = v;
    }
    fclose(f);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_best(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[0];
}

bool bench_all_digits(const char *s)
{
    return cc_bytes_digits(s);
}

void bench_kv_put(FILE *kv, const char *key, const char *fmt, ...)
{
    if (!kv)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(kv, "%s=", key);
    vfprintf(kv, fmt, ap);
    fputc('\n', kv);
    va_end(ap);
}
