#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isotime.h"

char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/camcat-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

void tu_mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    }
    mkdir(buf, 0755);
}

static void put(const char *path, const char *text, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        abort();
    fputs(text, f);
    fclose(f);
}

void tu_write(const char *path, const char *text)
{
    put(path, text, "w");
}

void tu_append(const char *path, const char *text)
{
    put(path, text, "a");
}

void tu_chunks(const char *dir, const char *playlist, int first, int n, int64_t t0_ms, int dur_ms)
{
    char path[4096], iso[CC_ISO_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, playlist);
    FILE *f = fopen(path, "a");
    if (!f)
        abort();
    for (int i = first; i < first + n; i++) {
        cc_iso_format(t0_ms + (int64_t)(i - first) * dur_ms, 0, iso);
        fprintf(f, "#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:%d.%03d,\nc%06d.ts\n", iso, dur_ms / 1000,
                dur_ms % 1000, i);
        char cp[4096];
        snprintf(cp, sizeof(cp), "%s/c%06d.ts", dir, i);
        FILE *c = fopen(cp, "w");
        if (c)
            fclose(c);
    }
    fclose(f);
}

void tu_rmrf(const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", path);
}
